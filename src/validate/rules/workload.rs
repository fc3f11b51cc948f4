//! Workload rules: images, resources, probes, service-account tokens and secrets in env.

use serde_yaml::Value;

use super::{
    Hit, LONG_RUNNING, POD_KINDS, cname, containers, get, main_containers, pod_spec, rule,
};
use crate::k8s::image::parse_image;
use crate::k8s::quantity::{cpu_unit_problem, parse_milli};
use crate::validate::Document;

fn each(
    doc: &Document,
    init: bool,
    field: &str,
    bad: impl Fn(&Value, &Value) -> Option<String>,
) -> Vec<Hit> {
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    let list = if init {
        containers(prefix, pod)
    } else {
        main_containers(prefix, pod)
    };
    list.into_iter()
        .filter_map(|(path, c)| {
            bad(pod, c).map(|m| {
                Hit::new(
                    if field.is_empty() {
                        path.to_string()
                    } else {
                        format!("{path}.{field}")
                    },
                    m,
                )
            })
        })
        .collect()
}

fn image(c: &Value) -> &str {
    c.get("image").and_then(Value::as_str).unwrap_or("")
}

rule!(ImageDigest {
    id: "image-digest",
    title: "Images are pinned by digest",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A tag can be moved to other content; only a digest names exactly the image that CI scanned.",
    fix: "append the scanned digest: `registry/app:1.2.3@sha256:<64 hex>` (`docker buildx imagetools inspect` prints it)",
    refs: ["CKV_K8S_43", "NSA/CISA image hygiene"],
    check: |doc, _| each(doc, true, "image", |_, c| {
        let r = parse_image(image(c)).ok()?;
        r.digest.is_none().then(|| {
            format!(
                "container `{}` uses `{}` without a digest",
                cname(c),
                image(c)
            )
        })
    }),
});

rule!(ImageTagPinned {
    id: "image-tag-pinned",
    title: "Images name a version, never `latest`",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "`latest` or no tag means a different image on every pull and no way to tell what runs.",
    fix: "use an explicit version tag and a digest: `registry/app:1.2.3@sha256:<64 hex>`",
    refs: [
        "CKV_K8S_14",
        "kube-score container-image-tag",
        "Polaris tagNotSpecified",
        "kube-linter latest-tag"
    ],
    check: |doc, _| each(doc, true, "image", |_, c| match parse_image(image(c)) {
        Err(e) => Some(format!("container `{}`: {e}", cname(c))),
        Ok(r) if r.digest.is_none() && matches!(r.tag.as_deref(), None | Some("latest")) => {
            Some(format!(
                "container `{}` uses `{}`, which is not pinned",
                cname(c),
                image(c)
            ))
        }
        Ok(_) => None,
    }),
});

rule!(ImagePullPolicyAlways {
    id: "image-pull-policy-always",
    title: "Images are pulled on every start",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "With `Always`, the registry checks the pod's pull credentials every time; a cached image cannot be used by pods that may not pull it. An unset policy on a `:latest` or untagged image is not reported: Kubernetes defaults it to Always (`image-tag-pinned` reports the tag).",
    fix: "set `imagePullPolicy: Always`",
    refs: [
        "CKV_K8S_15",
        "kube-score container-image-pull-policy",
        "Polaris pullPolicyNotAlways"
    ],
    check: |doc, _| each(doc, true, "imagePullPolicy", |_, c| {
        let policy = c.get("imagePullPolicy").and_then(Value::as_str);
        let defaults_to_always = policy.is_none()
            && parse_image(image(c)).is_ok_and(|r| {
                r.digest.is_none() && matches!(r.tag.as_deref(), None | Some("latest"))
            });
        (policy != Some("Always") && !defaults_to_always).then(|| {
            format!(
                "container `{}` does not set imagePullPolicy: Always",
                cname(c)
            )
        })
    }),
});

/// Whether `resources.<kind>.<name>` of a container or pod is set (and non-zero).
fn resource_set(v: &Value, kind: &str, name: &str) -> bool {
    match get(v, &format!("resources.{kind}")).and_then(|r| r.get(name)) {
        Some(Value::String(s)) => parse_milli(s).is_ok_and(|q| q > 0),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f > 0.0),
        _ => false,
    }
}

/// A container whose CPU or memory `<kind>` (requests or limits) is set neither on it nor
/// on the pod (pod-level `resources`, Kubernetes 1.34+, bounds every container). A request
/// defaults to the container's limit, so a limit alone also sets the request.
fn missing_compute(pod: &Value, c: &Value, kind: &str, name: &str) -> Option<String> {
    let via_limit = kind == "requests"
        && (resource_set(c, "limits", name) || resource_set(pod, "limits", name));
    (!via_limit && !resource_set(pod, kind, name))
        .then(|| missing_resource(c, kind, name))
        .flatten()
}

/// A container whose CPU `<kind>` is written in a unit that is not cores or millicores
/// (`100Mi`: the API server reads it as about 105 million cores).
fn cpu_unit(c: &Value, kind: &str) -> Option<String> {
    let text = get(c, &format!("resources.{kind}.cpu"))?.as_str()?;
    let why = cpu_unit_problem(text)?;
    Some(format!("container `{}`: {why}", cname(c)))
}

/// A container without `resources.<kind>.<name>` set (and non-zero).
fn missing_resource(c: &Value, kind: &str, name: &str) -> Option<String> {
    (!resource_set(c, kind, name)).then(|| {
        format!(
            "container `{}` sets no {name} {}",
            cname(c),
            kind.trim_end_matches('s')
        )
    })
}

rule!(CpuRequests {
    id: "cpu-requests",
    title: "Containers request CPU",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Without a request the scheduler packs pods blindly and the container gets no guaranteed share under load. A limit alone also sets the request (it defaults to the limit), and pod-level `resources` (Kubernetes 1.34+) count for every container. A request in a unit that is not cores or millicores (`100Mi`, which the API server reads as about 105 million cores) is reported too.",
    fix: "set `resources.requests.cpu`, e.g. `100m`",
    refs: [
        "CKV_K8S_10",
        "kube-score container-resources",
        "Polaris cpuRequestsMissing"
    ],
    check: |doc, _| each(doc, true, "resources.requests.cpu", |pod, c| {
        missing_compute(pod, c, "requests", "cpu").or_else(|| cpu_unit(c, "requests"))
    }),
});

rule!(CpuLimits {
    id: "cpu-limits",
    title: "Containers limit CPU",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A container without a CPU limit can starve its neighbours; a generous limit bounds a runaway process. A pod-level limit (Kubernetes 1.34+) bounds every container. A limit in a unit that is not cores or millicores (`100Mi`, read as about 105 million cores) is reported too.",
    fix: "set `resources.limits.cpu`, e.g. `500m`",
    refs: [
        "CKV_K8S_11",
        "kube-score container-resources",
        "Polaris cpuLimitsMissing"
    ],
    check: |doc, _| each(doc, true, "resources.limits.cpu", |pod, c| {
        missing_compute(pod, c, "limits", "cpu").or_else(|| cpu_unit(c, "limits"))
    }),
});

rule!(MemoryRequests {
    id: "memory-requests",
    title: "Containers request memory",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Without a memory request the scheduler may place the pod where it is the first to be evicted. A limit alone also sets the request (it defaults to the limit), and pod-level `resources` (Kubernetes 1.34+) count for every container.",
    fix: "set `resources.requests.memory`, e.g. `128Mi`",
    refs: [
        "CKV_K8S_12",
        "kube-score container-resources",
        "Polaris memoryRequestsMissing"
    ],
    check: |doc, _| each(doc, true, "resources.requests.memory", |pod, c| {
        missing_compute(pod, c, "requests", "memory")
    }),
});

rule!(MemoryLimits {
    id: "memory-limits",
    title: "Containers limit memory",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A container without a memory limit can exhaust the node and get other pods killed. A pod-level limit (Kubernetes 1.34+) bounds every container.",
    fix: "set `resources.limits.memory`, e.g. `256Mi`",
    refs: [
        "CKV_K8S_13",
        "kube-score container-resources",
        "Polaris memoryLimitsMissing"
    ],
    check: |doc, _| each(doc, true, "resources.limits.memory", |pod, c| {
        missing_compute(pod, c, "limits", "memory")
    }),
});

rule!(EphemeralStorage {
    id: "ephemeral-storage-limits",
    title: "Containers request and limit ephemeral storage",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Logs and emptyDirs without a bound can fill the node's disk and evict every pod on it. A request left unset defaults to the limit, so the limit is what is required.",
    fix: "set `resources.limits.ephemeral-storage` (and a lower `resources.requests.ephemeral-storage` if the container usually needs less)",
    refs: ["kube-score container-ephemeral-storage-request-and-limit"],
    check: |doc, _| each(doc, true, "resources", |_, c| {
        missing_resource(c, "limits", "ephemeral-storage")
    }),
});

rule!(LivenessProbe {
    id: "liveness-probe",
    title: "Long-running containers have a liveness probe",
    severity: Warning,
    kinds: LONG_RUNNING,
    rationale: "Without a liveness probe a hung process keeps its pod, and its traffic, forever.",
    fix: "add a `livenessProbe` (httpGet on a health path, or tcpSocket on a declared port)",
    refs: [
        "CKV_K8S_8",
        "Polaris livenessProbeMissing",
        "kube-linter no-liveness-probe"
    ],
    check: |doc, _| each(doc, false, "livenessProbe", |_, c| {
        c.get("livenessProbe")
            .is_none()
            .then(|| format!("container `{}` has no liveness probe", cname(c)))
    }),
});

rule!(ReadinessProbe {
    id: "readiness-probe",
    title: "Long-running containers have a readiness probe",
    severity: Warning,
    kinds: LONG_RUNNING,
    rationale: "Without a readiness probe, traffic reaches pods before they can serve it, and during rollouts.",
    fix: "add a `readinessProbe` (httpGet on a readiness path, or tcpSocket on a declared port)",
    refs: [
        "CKV_K8S_9",
        "Polaris readinessProbeMissing",
        "kube-score pod-probes",
        "kube-linter no-readiness-probe"
    ],
    check: |doc, _| each(doc, false, "readinessProbe", |_, c| {
        c.get("readinessProbe")
            .is_none()
            .then(|| format!("container `{}` has no readiness probe", cname(c)))
    }),
});

rule!(AutomountTokenDisabled {
    id: "automount-token-disabled",
    title: "Pods do not mount an API token by default",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A mounted token lets anyone who gets into the container talk to the API server as the pod.",
    fix: "set `automountServiceAccountToken: false` in the pod spec; pods that need the API get a projected token volume",
    refs: [
        "CKV_K8S_38",
        "Polaris automountServiceAccountToken",
        "CIS 5.1.6"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        (pod.get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            != Some(false))
        .then(|| {
            Hit::new(
                format!("{prefix}.automountServiceAccountToken"),
                "the pod mounts a service-account token",
            )
        })
        .into_iter()
        .collect()
    },
});

rule!(NoSecretsInEnv {
    id: "no-secrets-in-env",
    title: "Secrets are not passed in environment variables",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Environment variables leak into logs, crash dumps and child processes; files can be permissioned and rotated.",
    fix: "mount the Secret as a read-only volume and read it from the file",
    refs: [
        "CKV_K8S_35",
        "kubesec SecretsAsEnvironmentVariables",
        "CIS 5.4.1"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, c) in containers(prefix, pod) {
            for (i, e) in c
                .get("env")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if get(e, "valueFrom.secretKeyRef").is_some() {
                    out.push(Hit::new(
                        format!("{path}.env[{i}].valueFrom.secretKeyRef"),
                        format!(
                            "container `{}` reads secret `{}` into `{}`",
                            cname(c),
                            get(e, "valueFrom.secretKeyRef.name")
                                .and_then(Value::as_str)
                                .unwrap_or("?"),
                            cname(e)
                        ),
                    ));
                }
            }
            for (i, e) in c
                .get("envFrom")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if e.get("secretRef").is_some() {
                    out.push(Hit::new(
                        format!("{path}.envFrom[{i}].secretRef"),
                        format!(
                            "container `{}` loads a whole secret into its environment",
                            cname(c)
                        ),
                    ));
                }
            }
        }
        out
    },
});
