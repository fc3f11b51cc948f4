//! Pod and container security context rules: privileges, identity, capabilities,
//! seccomp, read-only root filesystem and host isolation.

use serde_yaml::Value;

use super::{Hit, POD_KINDS, cname, containers, get, pod_spec, rule};
use crate::validate::Document;

/// Hits for every container (init included) where `bad` returns a message.
fn each_container(
    doc: &Document,
    field: &str,
    bad: impl Fn(&Value, &Value) -> Option<String>,
) -> Vec<Hit> {
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    containers(prefix, pod)
        .into_iter()
        .filter_map(|(path, c)| bad(pod, c).map(|m| Hit::new(format!("{path}.{field}"), m)))
        .collect()
}

fn flag(v: &Value, path: &str) -> Option<bool> {
    get(v, path).and_then(Value::as_bool)
}

fn int(v: &Value, path: &str) -> Option<i64> {
    get(v, path).and_then(Value::as_i64)
}

rule!(NoPrivileged {
    id: "no-privileged",
    title: "Containers are not privileged",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A privileged container has every capability and all host devices: it is root on the node.",
    fix: "remove `securityContext.privileged` or set it to false",
    refs: [
        "PSS baseline: privileged",
        "CKV_K8S_16",
        "CIS 5.2.2",
        "Polaris runAsPrivileged",
        "kube-linter privileged-container",
        "kube-score container-security-context-privileged",
        "kubesec Privileged"
    ],
    check: |doc, _| each_container(doc, "securityContext.privileged", |_, c| {
        (flag(c, "securityContext.privileged") == Some(true))
            .then(|| format!("container `{}` is privileged", cname(c)))
    }),
});

rule!(NoPrivilegeEscalation {
    id: "no-privilege-escalation",
    title: "Privilege escalation is explicitly off",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Without `allowPrivilegeEscalation: false`, setuid binaries in the image can gain privileges the process did not start with.",
    fix: "set `securityContext.allowPrivilegeEscalation: false` on every container",
    refs: [
        "PSS restricted: allowPrivilegeEscalation",
        "CKV_K8S_20",
        "CIS 5.2.6",
        "Polaris privilegeEscalationAllowed",
        "kube-linter privilege-escalation-container"
    ],
    check: |doc, _| each_container(doc, "securityContext.allowPrivilegeEscalation", |_, c| {
        (flag(c, "securityContext.allowPrivilegeEscalation") != Some(false)).then(|| {
            format!(
                "container `{}` does not set allowPrivilegeEscalation: false",
                cname(c)
            )
        })
    }),
});

rule!(RunAsNonRoot {
    id: "run-as-non-root",
    title: "Containers run as a non-root user",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A process running as uid 0 is root on the node as soon as it escapes its container.",
    fix: "set `runAsNonRoot: true` in the pod securityContext (and never `runAsUser: 0`)",
    refs: [
        "PSS restricted: runAsNonRoot, runAsUser",
        "CKV_K8S_23",
        "CIS 5.2.7",
        "Polaris runAsRootAllowed",
        "kube-linter run-as-non-root"
    ],
    check: |doc, _| each_container(doc, "securityContext.runAsNonRoot", |pod, c| {
        let non_root =
            flag(c, "securityContext.runAsNonRoot").or(flag(pod, "securityContext.runAsNonRoot"));
        let user = int(c, "securityContext.runAsUser").or(int(pod, "securityContext.runAsUser"));
        match (non_root, user) {
            (_, Some(0)) => Some(format!("container `{}` runs as uid 0", cname(c))),
            (Some(true), _) => None,
            (_, Some(uid)) => Some(format!(
                "container `{}` runs as uid {uid} but does not set runAsNonRoot: true, which Pod Security requires (and which makes the kubelet refuse a root image)",
                cname(c)
            )),
            _ => Some(format!(
                "container `{}` may run as root: runAsNonRoot is not true",
                cname(c)
            )),
        }
    }),
});

rule!(RunAsHighUid {
    id: "run-as-high-uid",
    title: "Containers run with a uid and gid above 10000",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Low ids collide with host accounts; a process that escapes with such an id gains that account's files.",
    fix: "set `runAsUser` and `runAsGroup` above 10000 (kubeward uses 10001) at pod or container level",
    refs: [
        "CKV_K8S_40",
        "kube-score container-security-context-user-group-id",
        "kubesec RunAsUser",
        "kubesec RunAsGroup",
        "Trivy KSV020",
        "Trivy KSV021"
    ],
    check: |doc, _| each_container(doc, "securityContext.runAsUser", |pod, c| {
        if flag(pod, "hostUsers") == Some(false) {
            return None;
        }
        let user = int(c, "securityContext.runAsUser").or(int(pod, "securityContext.runAsUser"));
        let group = int(c, "securityContext.runAsGroup").or(int(pod, "securityContext.runAsGroup"));
        match (user, group) {
            (Some(u), Some(g)) if u > 10000 && g > 10000 => None,
            (u, g) => Some(format!(
                "container `{}` runs as uid {} gid {}",
                cname(c),
                u.map_or("unset".into(), |v| v.to_string()),
                g.map_or("unset".into(), |v| v.to_string())
            )),
        }
    }),
});

rule!(DropAllCapabilities {
    id: "drop-all-capabilities",
    title: "All capabilities are dropped",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "The runtime's default capabilities (NET_RAW, CHOWN, SETUID…) are more than an app needs and help an attacker.",
    fix: "set `securityContext.capabilities.drop: [ALL]` on every container",
    refs: [
        "PSS restricted: capabilities",
        "CKV_K8S_28",
        "CKV_K8S_37",
        "CIS 5.2.8"
    ],
    check: |doc, _| each_container(doc, "securityContext.capabilities.drop", |_, c| {
        let drops_all = get(c, "securityContext.capabilities.drop")
            .and_then(Value::as_sequence)
            .is_some_and(|d| d.iter().any(|x| x.as_str() == Some("ALL")));
        (!drops_all).then(|| format!("container `{}` does not drop ALL capabilities", cname(c)))
    }),
});

rule!(NoAddedCapabilities {
    id: "no-added-capabilities",
    title: "No capabilities are added",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Each added capability is a piece of root; restricted Pod Security allows only NET_BIND_SERVICE and checkov fails any.",
    fix: "remove `capabilities.add`; listen on a port above 1024 instead of adding NET_BIND_SERVICE, or exempt the object with a reason",
    refs: [
        "PSS restricted: capabilities",
        "CKV_K8S_25",
        "CKV_K8S_39",
        "CIS 5.2.9"
    ],
    check: |doc, _| each_container(doc, "securityContext.capabilities.add", |_, c| {
        let added = get(c, "securityContext.capabilities.add")
            .and_then(Value::as_sequence)
            .filter(|a| !a.is_empty())?;
        let names: Vec<&str> = added.iter().filter_map(Value::as_str).collect();
        Some(format!(
            "container `{}` adds {}",
            cname(c),
            names.join(", ")
        ))
    }),
});

rule!(ReadOnlyRootFs {
    id: "read-only-root-fs",
    title: "The root filesystem is read-only",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A writable root filesystem lets an intruder drop tools and change binaries; fixes ship as new images, not patches in place.",
    fix: "set `securityContext.readOnlyRootFilesystem: true` and mount an emptyDir at each path the app writes to",
    refs: [
        "CKV_K8S_22",
        "kube-score container-security-context-readonlyrootfilesystem",
        "NSA/CISA 1.1",
        "Polaris notReadOnlyRootFilesystem",
        "kube-linter no-read-only-root-fs"
    ],
    check: |doc, _| each_container(doc, "securityContext.readOnlyRootFilesystem", |_, c| {
        (flag(c, "securityContext.readOnlyRootFilesystem") != Some(true))
            .then(|| format!("container `{}` has a writable root filesystem", cname(c)))
    }),
});

/// Whether a seccomp profile type confines the container: the runtime's default or a
/// profile on the node (`Localhost`, tighter by intent), as Pod Security accepts.
fn confining(profile: Option<&str>) -> bool {
    matches!(profile, Some("RuntimeDefault" | "Localhost"))
}

fn seccomp_type(v: &Value) -> Option<&str> {
    get(v, "securityContext.seccompProfile.type").and_then(Value::as_str)
}

rule!(SeccompRuntimeDefault {
    id: "seccomp-runtime-default",
    title: "Pods use the RuntimeDefault (or a Localhost) seccomp profile",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Without a seccomp profile every system call is open to the container, including ones used to escape. A `Localhost` profile (one installed on the node) is accepted, as Pod Security accepts it: a tighter profile is not penalised.",
    fix: "set `securityContext.seccompProfile.type: RuntimeDefault` in the pod spec, and do not override it with Unconfined in a container",
    refs: ["PSS restricted: seccompProfile", "CKV_K8S_31", "CIS 5.6.2"],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let pod_level = seccomp_type(pod);
        let all = containers(prefix, pod);
        if confining(pod_level) {
            return all
                .iter()
                .filter(|(_, c)| seccomp_type(c).is_some_and(|t| !confining(Some(t))))
                .map(|(path, c)| {
                    Hit::new(
                        format!("{path}.securityContext.seccompProfile"),
                        format!(
                            "container `{}` overrides the pod's profile with `{}`",
                            cname(c),
                            seccomp_type(c).unwrap_or("?")
                        ),
                    )
                })
                .collect();
        }
        let every = !all.is_empty() && all.iter().all(|(_, c)| confining(seccomp_type(c)));
        if every && pod_level.is_none() {
            return Vec::new();
        }
        vec![Hit::new(
            format!("{prefix}.securityContext.seccompProfile"),
            match pod_level {
                Some(other) => format!("the pod's seccomp profile is `{other}`"),
                None => "the pod sets no seccomp profile".to_string(),
            },
        )]
    },
});

rule!(NoHostNamespaces {
    id: "no-host-namespaces",
    title: "Pods do not share the host's network, PID or IPC namespace",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Host namespaces let a pod see and reach every process and port of the node.",
    fix: "remove `hostNetwork`, `hostPID` and `hostIPC` (or set them to false)",
    refs: [
        "PSS baseline: hostNamespaces",
        "CKV_K8S_17",
        "CKV_K8S_18",
        "CKV_K8S_19",
        "CIS 5.2.3-5.2.5",
        "Polaris hostPIDSet",
        "Polaris hostIPCSet",
        "Polaris hostNetworkSet",
        "kube-linter host-pid",
        "kube-linter host-ipc",
        "kube-linter host-network"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        ["hostNetwork", "hostPID", "hostIPC"]
            .into_iter()
            .filter(|f| flag(pod, f) == Some(true))
            .map(|f| Hit::new(format!("{prefix}.{f}"), format!("the pod sets {f}: true")))
            .collect()
    },
});

rule!(NoHostPath {
    id: "no-host-path",
    title: "Pods mount no host paths",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A hostPath volume exposes the node's filesystem: a container runtime socket or /etc is a full escape.",
    fix: "use an emptyDir, configMap, secret or persistentVolumeClaim instead of hostPath",
    refs: [
        "PSS baseline: hostPathVolumes",
        "CKV_K8S_27",
        "CIS 5.2.11",
        "Trivy KSV023",
        "Polaris hostPathSet"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        pod.get("volumes")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
            .filter(|(_, v)| v.get("hostPath").is_some())
            .map(|(i, v)| {
                Hit::new(
                    format!("{prefix}.volumes[{i}].hostPath"),
                    format!(
                        "volume `{}` mounts host path `{}`",
                        cname(v),
                        get(v, "hostPath.path")
                            .and_then(Value::as_str)
                            .unwrap_or("?")
                    ),
                )
            })
            .collect()
    },
});

rule!(NoHostPorts {
    id: "no-host-ports",
    title: "Containers bind no host ports",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A hostPort opens the node's own address and bypasses NetworkPolicy; even `hostPort: 0` fails checkov.",
    fix: "remove `hostPort`; expose the app through a Service",
    refs: [
        "PSS baseline: hostPorts",
        "CKV_K8S_26",
        "CIS 5.2.12",
        "Polaris hostPortSet"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        containers(prefix, pod)
            .into_iter()
            .flat_map(|(path, c)| {
                c.get("ports")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                    .enumerate()
                    .filter(|(_, p)| p.get("hostPort").is_some())
                    .map(move |(j, _)| {
                        Hit::new(
                            format!("{path}.ports[{j}].hostPort"),
                            format!("container `{}` binds a host port", cname(c)),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    },
});
