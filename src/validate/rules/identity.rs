//! Identity rules: service accounts, root group, security contexts present, host aliases.

use serde_yaml::Value;

use super::select::{has_namespace, items, ns, of_kind};
use super::{Hit, POD_KINDS, cname, containers, get, pod_spec, rule};

fn service_account(pod: &Value) -> Option<&str> {
    pod.get("serviceAccountName")
        .or_else(|| pod.get("serviceAccount"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

rule!(DedicatedServiceAccount {
    id: "dedicated-service-account",
    title: "Pods run under their own service account",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Every pod of a namespace shares the `default` service account: a permission granted to it for one app is granted to all of them.",
    fix: "create a ServiceAccount per workload and set `serviceAccountName` to it",
    refs: [
        "CIS 5.1.5",
        "kubesec ServiceAccountName",
        "kube-linter default-service-account"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        match service_account(pod) {
            Some(sa) if sa != "default" => Vec::new(),
            _ => vec![Hit::new(
                format!("{prefix}.serviceAccountName"),
                "the pod runs as the namespace's `default` service account",
            )],
        }
    },
});

rule!(ServiceAccountExists {
    id: "service-account-exists",
    title: "The service account of a pod exists",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A pod naming a missing service account is never created. Scope: the account is looked up only when the bundle holds the pod's Namespace object (a whole namespace is being checked); the deprecated `serviceAccount` field is always reported.",
    fix: "add the ServiceAccount to the namespace's manifests, and use `serviceAccountName` rather than the deprecated `serviceAccount`",
    refs: [
        "kube-linter non-existent-service-account",
        "kube-linter deprecated-service-account-field"
    ],
    check: |doc, all| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if pod.get("serviceAccount").is_some() && pod.get("serviceAccountName").is_none() {
            out.push(Hit::new(
                format!("{prefix}.serviceAccount"),
                "the pod uses the deprecated `serviceAccount` field",
            ));
        }
        let sa = service_account(pod).unwrap_or("default");
        let found =
            sa == "default" || of_kind(all, "ServiceAccount", ns(doc)).any(|d| d.name() == sa);
        if has_namespace(all, ns(doc)) && !found {
            out.push(Hit::new(
                format!("{prefix}.serviceAccountName"),
                format!("service account `{sa}` is not in namespace `{}`", ns(doc)),
            ));
        }
        out
    },
});

rule!(DefaultSaNoAutomount {
    id: "default-sa-no-automount",
    title: "The default service account mounts no token",
    severity: Warning,
    kinds: &["ServiceAccount"],
    rationale: "Pods that do not name an account get `default`; if it automounts its token, every such pod carries API credentials.",
    fix: "set `automountServiceAccountToken: false` on the `default` ServiceAccount",
    refs: ["CKV_K8S_41", "CIS 5.1.5"],
    check: |doc, _| {
        let off = doc
            .value
            .get("automountServiceAccountToken")
            .and_then(Value::as_bool)
            == Some(false);
        (doc.name() == "default" && !off)
            .then(|| {
                Hit::new(
                    "automountServiceAccountToken",
                    "the default service account automounts its token",
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(NoRootGroup {
    id: "no-root-group",
    title: "Pods do not run with the root group",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Group 0 owns many host and image files; a process with gid 0 (primary, fsGroup or supplemental) can read or write them.",
    fix: "set `runAsGroup` and `fsGroup` to a non-zero id (kubeward uses 10001) and remove 0 from `supplementalGroups`",
    refs: [
        "NSA/CISA 1.6",
        "kube-linter run-as-non-root",
        "Trivy KSV116"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let zero = |v: Option<&Value>| v.and_then(Value::as_i64) == Some(0);
        let mut out = Vec::new();
        for f in ["runAsGroup", "fsGroup"] {
            if zero(get(pod, &format!("securityContext.{f}"))) {
                out.push(Hit::new(
                    format!("{prefix}.securityContext.{f}"),
                    format!("the pod sets {f}: 0"),
                ));
            }
        }
        if let Some(sc) = pod.get("securityContext")
            && items(sc, "supplementalGroups").any(|(_, g)| zero(Some(g)))
        {
            out.push(Hit::new(
                format!("{prefix}.securityContext.supplementalGroups"),
                "the pod adds supplemental group 0",
            ));
        }
        for (path, c) in containers(prefix, pod) {
            if zero(get(c, "securityContext.runAsGroup")) {
                out.push(Hit::new(
                    format!("{path}.securityContext.runAsGroup"),
                    format!("container `{}` runs with gid 0", cname(c)),
                ));
            }
        }
        out
    },
});

fn empty(v: Option<&Value>) -> bool {
    v.and_then(Value::as_mapping).is_none_or(|m| m.is_empty())
}

rule!(PodSecurityContextPresent {
    id: "pod-security-context-present",
    title: "Pods have a security context",
    severity: Info,
    kinds: POD_KINDS,
    rationale: "The pod security context carries the user, group, fsGroup and seccomp settings; without it every one of them is the runtime default.",
    fix: "add `securityContext` to the pod spec with runAsNonRoot, runAsUser, runAsGroup, fsGroup and seccompProfile",
    refs: ["CKV_K8S_29", "CIS 5.6.3"],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        empty(pod.get("securityContext"))
            .then(|| {
                Hit::new(
                    format!("{prefix}.securityContext"),
                    "the pod has no security context",
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(ContainerSecurityContextPresent {
    id: "container-security-context-present",
    title: "Containers have a security context",
    severity: Info,
    kinds: POD_KINDS,
    rationale: "Privilege escalation, capabilities and the read-only root filesystem can only be set per container; a container without a security context has none of them.",
    fix: "add `securityContext` to every container, init containers included",
    refs: ["CKV_K8S_30", "CIS 5.6.3"],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        containers(prefix, pod)
            .into_iter()
            .filter(|(_, c)| empty(c.get("securityContext")))
            .map(|(path, c)| {
                Hit::new(
                    format!("{path}.securityContext"),
                    format!("container `{}` has no security context", cname(c)),
                )
            })
            .collect()
    },
});

rule!(NoHostAliases {
    id: "no-host-aliases",
    title: "Pods do not override name resolution with host aliases",
    severity: Info,
    kinds: POD_KINDS,
    rationale: "`hostAliases` rewrite the pod's /etc/hosts, silently redirecting names away from cluster DNS (and from the policies written for it).",
    fix: "remove `hostAliases`; use a Service (ExternalName or selector-less with endpoints) or DNS",
    refs: ["kubesec HostAliases"],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        pod.get("hostAliases")
            .and_then(Value::as_sequence)
            .filter(|s| !s.is_empty())
            .map(|_| Hit::new(format!("{prefix}.hostAliases"), "the pod sets hostAliases"))
            .into_iter()
            .collect()
    },
});
