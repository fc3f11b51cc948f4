//! hostPath specifics: which host paths a pod mounts and whether it may write them.
//! These still apply when `no-host-path` is exempted (a log agent must mount the node's
//! logs, not its runtime socket).

use serde_yaml::Value;

use super::select::items;
use super::{Hit, POD_KINDS, cname, containers, pod_spec, rule};
use crate::validate::Document;

/// Host paths that hand over the node when mounted: the path itself.
const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/proc",
    "/sys",
    "/usr",
    "/root",
    "/run",
    "/var/run",
    "/var/lib/docker",
    "/var/lib/containerd",
];

/// Host directories whose every child is sensitive too (kubelet credentials, cluster
/// PKI, kernel interfaces).
const SENSITIVE_TREES: &[&str] = &[
    "/proc",
    "/sys",
    "/dev",
    "/root",
    "/var/lib/kubelet",
    "/etc/kubernetes",
];

/// Container runtime sockets: whoever can talk to one starts privileged containers.
const RUNTIME_SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "podman.sock",
];

/// Why mounting host `path` is dangerous, if it is.
fn sensitive(path: &str) -> Option<&'static str> {
    let p = path.trim_end_matches('/');
    let p = if p.is_empty() { "/" } else { p };
    if RUNTIME_SOCKETS
        .iter()
        .any(|s| p.ends_with(&format!("/{s}")))
    {
        return Some("a container runtime socket (start privileged containers on the node)");
    }
    if SENSITIVE.contains(&p)
        || SENSITIVE_TREES
            .iter()
            .any(|t| p == *t || p.starts_with(&format!("{t}/")))
    {
        return Some("a system directory of the node");
    }
    None
}

/// The hostPath volumes of a pod spec: (index, volume name, host path).
fn host_volumes(pod: &Value) -> Vec<(usize, &str, &str)> {
    items(pod, "volumes")
        .filter_map(|(i, v)| {
            let path = v.get("hostPath")?.get("path")?.as_str()?;
            Some((i, cname(v), path))
        })
        .collect()
}

rule!(HostPathSensitive {
    id: "host-path-sensitive",
    title: "Pods do not mount the node's system paths or runtime socket",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A hostPath of `/`, `/etc`, `/proc`, `/sys`, `/dev`, `/var/run`, the kubelet's directory or a container runtime socket (docker, containerd, CRI-O) gives the pod the node: credentials, other pods' files, or a runtime that starts privileged containers. Checked even when `no-host-path` is exempted.",
    fix: "mount only the directory the workload needs (e.g. `/var/log` for a log agent), read-only",
    refs: [
        "CKV_K8S_27",
        "kubesec DockerSock",
        "kube-linter docker-sock",
        "kube-linter sensitive-host-mounts",
        "kube-linter container-runtime-sock",
        "Trivy KSV006"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        host_volumes(pod)
            .into_iter()
            .filter_map(|(i, name, path)| {
                let why = sensitive(path)?;
                Some(Hit::new(
                    format!("{prefix}.volumes[{i}].hostPath.path"),
                    format!("volume `{name}` mounts `{path}`, {why}"),
                ))
            })
            .collect()
    },
});

/// Mounts of hostPath volumes without `readOnly: true`, with their paths.
fn writable_mounts(doc: &Document) -> Vec<Hit> {
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    let hosts = host_volumes(pod);
    let mut out = Vec::new();
    for (path, c) in containers(prefix, pod) {
        for (j, m) in items(c, "volumeMounts") {
            let Some((_, name, host)) = hosts.iter().find(|(_, n, _)| *n == cname(m)) else {
                continue;
            };
            if m.get("readOnly").and_then(Value::as_bool) != Some(true) {
                out.push(Hit::new(
                    format!("{path}.volumeMounts[{j}].readOnly"),
                    format!(
                        "container `{}` mounts host path `{host}` (volume `{name}`) writable",
                        cname(c)
                    ),
                ));
            }
        }
    }
    out
}

rule!(HostPathWritable {
    id: "host-path-writable",
    title: "Host paths are mounted read-only",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A writable host mount lets the container plant files the node (or the next pod mounting the path) will trust: binaries, configuration, logs another agent ships. Checked even when `no-host-path` is exempted.",
    fix: "set `readOnly: true` on the volumeMount; keep any state the agent must write in one dedicated host directory and exempt that mount with its reason",
    refs: ["kube-linter writable-host-mount"],
    check: |doc, _| writable_mounts(doc),
});
