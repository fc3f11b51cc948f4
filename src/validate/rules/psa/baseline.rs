//! The baseline controls of Pod Security Admission.

use serde_yaml::Value;

use super::super::select::{items, key_path};
use super::super::{Hit, cname};
use super::{DEFAULT_CAPS, Pod, added_caps, contexts, text, truthy};

pub fn host_namespaces(p: &Pod) -> Vec<Hit> {
    ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|f| truthy(p.spec, f))
        .map(|f| {
            Hit::new(
                format!("{}.{f}", p.prefix),
                format!("the pod sets {f}: true"),
            )
        })
        .collect()
}

pub fn privileged(p: &Pod) -> Vec<Hit> {
    p.each(|c| {
        truthy(c, "securityContext.privileged").then(|| {
            (
                "securityContext.privileged".into(),
                format!("container `{}` is privileged", cname(c)),
            )
        })
    })
}

pub fn capabilities(p: &Pod) -> Vec<Hit> {
    added_caps(p, |x| !DEFAULT_CAPS.contains(&x))
}

pub fn host_path_volumes(p: &Pod) -> Vec<Hit> {
    items(p.spec, "volumes")
        .filter(|(_, v)| v.get("hostPath").is_some())
        .map(|(i, v)| {
            Hit::new(
                format!("{}.volumes[{i}].hostPath", p.prefix),
                format!("volume `{}` is a hostPath", cname(v)),
            )
        })
        .collect()
}

pub fn host_ports(p: &Pod) -> Vec<Hit> {
    p.each(|c| {
        let (j, _) = items(c, "ports")
            .find(|(_, port)| port.get("hostPort").and_then(Value::as_i64).unwrap_or(0) != 0)?;
        Some((
            format!("ports[{j}].hostPort"),
            format!("container `{}` binds a host port", cname(c)),
        ))
    })
}

pub fn app_armor(p: &Pod) -> Vec<Hit> {
    let mut out: Vec<Hit> = contexts(p, "appArmorProfile")
        .into_iter()
        .filter(|(_, v)| !matches!(text(v, "type"), None | Some("RuntimeDefault" | "Localhost")))
        .map(|(path, v)| {
            let t = text(v, "type").unwrap_or("?");
            Hit::new(
                format!("{path}.type"),
                format!("the AppArmor profile is `{t}`"),
            )
        })
        .collect();
    let prefix = "container.apparmor.security.beta.kubernetes.io/";
    let annotations = p
        .meta
        .1
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_mapping);
    for (k, v) in annotations.into_iter().flatten() {
        let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
            continue;
        };
        if k.starts_with(prefix)
            && !v.is_empty()
            && v != "runtime/default"
            && !v.starts_with("localhost/")
        {
            let path = key_path(&format!("{}.annotations", p.meta.0), k);
            out.push(Hit::new(
                path,
                format!("annotation `{k}` sets the AppArmor profile `{v}`"),
            ));
        }
    }
    out
}

const SELINUX_TYPES: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub fn se_linux(p: &Pod) -> Vec<Hit> {
    let mut out = Vec::new();
    for (path, v) in contexts(p, "seLinuxOptions") {
        if let Some(t) = text(v, "type").filter(|t| !SELINUX_TYPES.contains(t)) {
            out.push(Hit::new(
                format!("{path}.type"),
                format!("the SELinux type `{t}` is not a container type"),
            ));
        }
        for f in ["user", "role"] {
            if text(v, f).is_some_and(|s| !s.is_empty()) {
                out.push(Hit::new(
                    format!("{path}.{f}"),
                    format!("the SELinux {f} is set"),
                ));
            }
        }
    }
    out
}

pub fn proc_mount(p: &Pod) -> Vec<Hit> {
    if p.host_users_off() {
        Vec::new()
    } else {
        super::restricted::proc_mount(p)
    }
}

pub fn seccomp(p: &Pod) -> Vec<Hit> {
    contexts(p, "seccompProfile")
        .into_iter()
        .filter(|(_, v)| text(v, "type") == Some("Unconfined"))
        .map(|(path, _)| Hit::new(format!("{path}.type"), "the seccomp profile is Unconfined"))
        .collect()
}

/// Sysctls PSA considers namespaced and safe (up to policy version 1.32).
pub const SAFE_SYSCTLS: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
];

pub fn sysctls(p: &Pod) -> Vec<Hit> {
    let Some(sc) = p.spec.get("securityContext") else {
        return Vec::new();
    };
    items(sc, "sysctls")
        .filter_map(|(i, s)| {
            let name = text(s, "name").unwrap_or("");
            (!SAFE_SYSCTLS.contains(&name)).then(|| {
                Hit::new(
                    format!("{}.securityContext.sysctls[{i}].name", p.prefix),
                    format!("sysctl `{name}` is not in the safe set"),
                )
            })
        })
        .collect()
}

pub fn windows_host_process(p: &Pod) -> Vec<Hit> {
    contexts(p, "windowsOptions")
        .into_iter()
        .filter(|(_, v)| truthy(v, "hostProcess"))
        .map(|(path, _)| {
            Hit::new(
                format!("{path}.hostProcess"),
                "a Windows HostProcess runs as the node",
            )
        })
        .collect()
}

pub fn host_probes(p: &Pod) -> Vec<Hit> {
    let handlers = [
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle.postStart",
        "lifecycle.preStop",
    ];
    let mut out = Vec::new();
    for (path, c) in &p.containers {
        for h in handlers {
            for kind in ["httpGet", "tcpSocket"] {
                let field = format!("{h}.{kind}.host");
                if let Some(host) = text(c, &field).filter(|s| !s.is_empty()) {
                    out.push(Hit::new(
                        format!("{path}.{field}"),
                        format!("container `{}` sends its {h} to host `{host}`", cname(c)),
                    ));
                }
            }
        }
    }
    out
}
