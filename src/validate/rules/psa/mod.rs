//! A model of Pod Security Admission: each PSS control of `kubernetes/pod-security-admission`
//! as a check over a pod spec, with the level that enforces it. Used by the `pss` rules
//! and by `namespace-psa-fits-pods`.

mod baseline;
mod restricted;

use serde_yaml::Value;

use Level::{Baseline, Restricted};
pub use restricted::volumes as restricted_volumes;

use super::select::{strings, template_meta_path};
use super::{ContainerPath, Hit, cname, containers, get, pod_spec};
use crate::validate::Document;

pub use crate::k8s::psa::Level;

/// A pod as admission sees it.
pub struct Pod<'a> {
    pub spec: &'a Value,
    pub prefix: &'static str,
    /// Path and value of the pod (template) metadata.
    pub meta: (String, Option<&'a Value>),
    /// Every container, init containers first, with its path.
    pub containers: Vec<(ContainerPath<'static>, &'a Value)>,
}

/// The pod of a workload document.
pub fn pod(doc: &Document) -> Option<Pod<'_>> {
    let (prefix, spec) = pod_spec(doc)?;
    let meta_path = template_meta_path(doc)?;
    let meta = get(&doc.value, &meta_path);
    Some(Pod {
        spec,
        prefix,
        meta: (meta_path, meta),
        containers: containers(prefix, spec),
    })
}

impl Pod<'_> {
    fn pod_str(&self, path: &str) -> Option<&str> {
        get(self.spec, path).and_then(Value::as_str)
    }

    fn host_users_off(&self) -> bool {
        self.spec.get("hostUsers").and_then(Value::as_bool) == Some(false)
    }

    fn windows(&self) -> bool {
        self.pod_str("os.name") == Some("windows")
    }

    /// Hits for every container where `bad` returns (field below the container, message).
    fn each(&self, bad: impl Fn(&Value) -> Option<(String, String)>) -> Vec<Hit> {
        self.containers
            .iter()
            .filter_map(|(path, c)| bad(c).map(|(f, m)| Hit::new(format!("{path}.{f}"), m)))
            .collect()
    }
}

pub(super) fn text<'a>(v: &'a Value, path: &str) -> Option<&'a str> {
    get(v, path).and_then(Value::as_str)
}

pub(super) fn truthy(v: &Value, path: &str) -> bool {
    get(v, path).and_then(Value::as_bool) == Some(true)
}

/// One PSS control: its PSA check name, the level that enforces it, and its check.
pub struct Control {
    pub name: &'static str,
    pub level: Level,
    pub check: fn(&Pod) -> Vec<Hit>,
}

/// Every control, baseline first.
pub static CONTROLS: &[Control] = &[
    control("hostNamespaces", Baseline, baseline::host_namespaces),
    control("privileged", Baseline, baseline::privileged),
    control("capabilities_baseline", Baseline, baseline::capabilities),
    control("hostPathVolumes", Baseline, baseline::host_path_volumes),
    control("hostPorts", Baseline, baseline::host_ports),
    control("appArmorProfile", Baseline, baseline::app_armor),
    control("seLinuxOptions", Baseline, baseline::se_linux),
    control("procMount", Baseline, baseline::proc_mount),
    control("seccompProfile_baseline", Baseline, baseline::seccomp),
    control("sysctls", Baseline, baseline::sysctls),
    control(
        "windowsHostProcess",
        Baseline,
        baseline::windows_host_process,
    ),
    control(
        "hostProbesAndHostLifecycle",
        Baseline,
        baseline::host_probes,
    ),
    control("restrictedVolumes", Restricted, restricted::volumes),
    control(
        "allowPrivilegeEscalation",
        Restricted,
        restricted::privilege_escalation,
    ),
    control("runAsNonRoot", Restricted, restricted::run_as_non_root),
    control("runAsUser", Restricted, restricted::run_as_user),
    control("seccompProfile_restricted", Restricted, restricted::seccomp),
    control(
        "capabilities_restricted",
        Restricted,
        restricted::capabilities,
    ),
    control("procMount_restricted", Restricted, restricted::proc_mount),
];

const fn control(name: &'static str, level: Level, check: fn(&Pod) -> Vec<Hit>) -> Control {
    Control { name, level, check }
}

/// What a namespace enforcing `level` would reject in this pod.
pub fn violations(doc: &Document, level: Level) -> Vec<(&'static Control, Hit)> {
    let Some(pod) = pod(doc) else {
        return Vec::new();
    };
    CONTROLS
        .iter()
        .filter(|c| c.level <= level && c.level > Level::Privileged)
        .flat_map(|c| (c.check)(&pod).into_iter().map(move |h| (c, h)))
        .collect()
}

/// Capabilities a container runtime grants by default (the baseline may add these).
pub(crate) use crate::k8s::psa::BASELINE_CAPS as DEFAULT_CAPS;

pub(super) fn added_caps(p: &Pod, bad: impl Fn(&str) -> bool) -> Vec<Hit> {
    p.each(|c| {
        let caps = get(c, "securityContext.capabilities").map_or(Vec::new(), |v| strings(v, "add"));
        let found: Vec<&str> = caps.into_iter().filter(|x| bad(x)).collect();
        (!found.is_empty()).then(|| {
            (
                "securityContext.capabilities.add".into(),
                format!("container `{}` adds {}", cname(c), found.join(", ")),
            )
        })
    })
}

/// Pod- and container-level `securityContext.<field>` values, with their paths.
pub(super) fn contexts<'a>(p: &Pod<'a>, field: &str) -> Vec<(String, &'a Value)> {
    let pod = get(p.spec, &format!("securityContext.{field}"))
        .map(|v| (format!("{}.securityContext.{field}", p.prefix), v));
    pod.into_iter()
        .chain(p.containers.iter().filter_map(|(path, c)| {
            get(c, &format!("securityContext.{field}"))
                .map(|v| (format!("{path}.securityContext.{field}"), v))
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::parse_documents;

    fn names(text: &str, level: Level) -> Vec<&'static str> {
        let docs = parse_documents("p.yaml", text).unwrap();
        violations(&docs[0], level)
            .into_iter()
            .map(|(c, _)| c.name)
            .collect()
    }

    const HARDENED: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext: {runAsNonRoot: true, seccompProfile: {type: Localhost, localhostProfile: p.json}}\n  containers:\n    - name: c\n      image: i:1\n      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}\n";

    #[test]
    fn a_restricted_pod_passes_what_psa_allows() {
        assert!(names(HARDENED, Restricted).is_empty());
    }

    #[test]
    fn baseline_ignores_restricted_controls_and_privileged_ignores_all() {
        let text = HARDENED
            .replace("runAsNonRoot: true", "runAsUser: 0")
            .replace("NET_BIND_SERVICE", "SYS_ADMIN");
        assert_eq!(names(&text, Baseline), ["capabilities_baseline"]);
        let restricted = names(&text, Restricted);
        assert!(restricted.contains(&"runAsNonRoot") && restricted.contains(&"runAsUser"));
        assert!(names(&text, Level::Privileged).is_empty());
    }

    #[test]
    fn user_namespaces_relax_the_identity_controls() {
        let text = HARDENED
            .replace("runAsNonRoot: true", "runAsUser: 0")
            .replace("spec:\n", "spec:\n  hostUsers: false\n");
        assert!(names(&text, Restricted).is_empty());
    }
}
