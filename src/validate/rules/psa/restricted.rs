//! The restricted controls of Pod Security Admission (on top of baseline).

use serde_yaml::Value;

use super::super::select::{items, strings};
use super::super::{Hit, cname, get};
use super::{DEFAULT_CAPS, Pod, added_caps, contexts, text};

/// Volume types the restricted level allows.
pub const SAFE_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

pub fn volumes(p: &Pod) -> Vec<Hit> {
    let mut out = Vec::new();
    for (i, v) in items(p.spec, "volumes") {
        for (k, _) in v.as_mapping().into_iter().flatten() {
            let Some(k) = k
                .as_str()
                .filter(|k| *k != "name" && !SAFE_VOLUMES.contains(k))
            else {
                continue;
            };
            out.push(Hit::new(
                format!("{}.volumes[{i}].{k}", p.prefix),
                format!("volume `{}` is of type {k}", cname(v)),
            ));
        }
    }
    out
}

pub fn privilege_escalation(p: &Pod) -> Vec<Hit> {
    if p.windows() {
        return Vec::new();
    }
    p.each(|c| {
        (get(c, "securityContext.allowPrivilegeEscalation").and_then(Value::as_bool) != Some(false))
            .then(|| {
                (
                    "securityContext.allowPrivilegeEscalation".into(),
                    format!(
                        "container `{}` does not set allowPrivilegeEscalation: false",
                        cname(c)
                    ),
                )
            })
    })
}

pub fn run_as_non_root(p: &Pod) -> Vec<Hit> {
    if p.host_users_off() {
        return Vec::new();
    }
    let pod = get(p.spec, "securityContext.runAsNonRoot").and_then(Value::as_bool);
    p.each(|c| {
        let own = get(c, "securityContext.runAsNonRoot").and_then(Value::as_bool);
        (own.or(pod) != Some(true)).then(|| {
            (
                "securityContext.runAsNonRoot".into(),
                format!("container `{}` may run as root", cname(c)),
            )
        })
    })
}

pub fn run_as_user(p: &Pod) -> Vec<Hit> {
    if p.host_users_off() {
        return Vec::new();
    }
    contexts(p, "runAsUser")
        .into_iter()
        .filter(|(_, v)| v.as_i64() == Some(0))
        .map(|(path, _)| Hit::new(path, "runAsUser is 0"))
        .collect()
}

pub fn seccomp(p: &Pod) -> Vec<Hit> {
    let ok = |t: Option<&str>| matches!(t, Some("RuntimeDefault" | "Localhost"));
    if p.windows() || ok(p.pod_str("securityContext.seccompProfile.type")) {
        return Vec::new();
    }
    p.each(|c| {
        let t = text(c, "securityContext.seccompProfile.type");
        (!ok(t) && t != Some("Unconfined")).then(|| {
            (
                "securityContext.seccompProfile".into(),
                format!("container `{}` has no seccomp profile", cname(c)),
            )
        })
    })
}

pub fn capabilities(p: &Pod) -> Vec<Hit> {
    if p.windows() {
        return Vec::new();
    }
    let mut out = p.each(|c| {
        let drops =
            get(c, "securityContext.capabilities").map_or(Vec::new(), |v| strings(v, "drop"));
        (!drops.contains(&"ALL")).then(|| {
            (
                "securityContext.capabilities.drop".into(),
                format!("container `{}` does not drop ALL", cname(c)),
            )
        })
    });
    out.extend(added_caps(p, |x| {
        x != crate::k8s::psa::RESTRICTED_ADDABLE_CAP && DEFAULT_CAPS.contains(&x)
    }));
    out
}

pub fn proc_mount(p: &Pod) -> Vec<Hit> {
    p.each(|c| {
        let m = text(c, "securityContext.procMount").filter(|m| *m != "Default")?;
        Some((
            "securityContext.procMount".into(),
            format!("container `{}` uses procMount `{m}`", cname(c)),
        ))
    })
}
