//! Object kinds kubeward reasons about: where objects of a kind live, which carry a pod
//! template, which carry ports and app labels, which manage pods.

/// Whether objects of a kind live in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectScope {
    Namespace,
    Cluster,
}

/// NetworkPolicy, the kinds that carry a pod template (or are a pod), then Service: one
/// list, of which the lists below are slices.
const POLICY_WORKLOADS_AND_SERVICES: &[&str] = &[
    "NetworkPolicy",
    "Pod",
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
    "Service",
];

/// Kinds that carry a pod template (or are a pod), then Services: the objects that carry
/// ports and app labels.
pub const WORKLOADS_AND_SERVICES: &[&str] = POLICY_WORKLOADS_AND_SERVICES.split_at(1).1;

/// NetworkPolicy and the kinds that carry a pod template (or are a pod).
pub const POLICIES_AND_PODS: &[&str] = POLICY_WORKLOADS_AND_SERVICES
    .split_at(POLICY_WORKLOADS_AND_SERVICES.len() - 1)
    .0;

/// Kinds that carry a pod template (or are a pod).
pub const POD_KINDS: &[&str] = WORKLOADS_AND_SERVICES
    .split_at(WORKLOADS_AND_SERVICES.len() - 1)
    .0;

/// Kinds whose pods a controller manages: [`POD_KINDS`] without Pod.
pub const CONTROLLERS: &[&str] = POD_KINDS.split_at(1).1;

/// Kinds whose containers run for a long time (probes apply): [`POD_KINDS`] without the
/// batch kinds, which come last.
pub const LONG_RUNNING: &[&str] = POD_KINDS.split_at(POD_KINDS.len() - 2).0;

/// Where an object of a pod-bearing kind keeps its pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PodTemplate {
    /// The keys down to the pod template (none for a Pod, which is its own template).
    pub keys: &'static [&'static str],
    /// The dotted path of the pod spec.
    pub spec: &'static str,
    /// The dotted path of the pod's metadata.
    pub metadata: &'static str,
}

/// The pod template of `kind`, or `None` when it carries no pods.
pub fn pod_template(kind: &str) -> Option<PodTemplate> {
    const POD: PodTemplate = PodTemplate {
        keys: &[],
        spec: "spec",
        metadata: "metadata",
    };
    const CRON_JOB: PodTemplate = PodTemplate {
        keys: &["spec", "jobTemplate", "spec", "template"],
        spec: "spec.jobTemplate.spec.template.spec",
        metadata: "spec.jobTemplate.spec.template.metadata",
    };
    const TEMPLATE: PodTemplate = PodTemplate {
        keys: &["spec", "template"],
        spec: "spec.template.spec",
        metadata: "spec.template.metadata",
    };
    match kind {
        "Pod" => Some(POD),
        "CronJob" => Some(CRON_JOB),
        k if POD_KINDS.contains(&k) => Some(TEMPLATE),
        _ => None,
    }
}

/// An object type: its `apiVersion` and `kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kind {
    pub api_version: &'static str,
    pub kind: &'static str,
}

impl Kind {
    pub const fn new(api_version: &'static str, kind: &'static str) -> Self {
        Kind { api_version, kind }
    }

    /// Whether objects of this kind carry a pod template (or are a pod).
    pub fn has_pods(&self) -> bool {
        POD_KINDS.contains(&self.kind)
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.api_version, self.kind)
    }
}

/// The kinds kubeward renders.
pub const NAMESPACE: Kind = Kind::new("v1", "Namespace");
pub const RESOURCE_QUOTA: Kind = Kind::new("v1", "ResourceQuota");
pub const LIMIT_RANGE: Kind = Kind::new("v1", "LimitRange");
pub const SERVICE_ACCOUNT: Kind = Kind::new("v1", "ServiceAccount");
pub const SERVICE: Kind = Kind::new("v1", "Service");
pub const CONFIG_MAP: Kind = Kind::new("v1", "ConfigMap");
pub const DEPLOYMENT: Kind = Kind::new("apps/v1", "Deployment");
pub const POD_DISRUPTION_BUDGET: Kind = Kind::new("policy/v1", "PodDisruptionBudget");
pub const NETWORK_POLICY: Kind = Kind::new("networking.k8s.io/v1", "NetworkPolicy");
pub const ROLE: Kind = Kind::new("rbac.authorization.k8s.io/v1", "Role");
pub const ROLE_BINDING: Kind = Kind::new("rbac.authorization.k8s.io/v1", "RoleBinding");
pub const VALIDATING_ADMISSION_POLICY: Kind = Kind::new(
    "admissionregistration.k8s.io/v1",
    "ValidatingAdmissionPolicy",
);
pub const VALIDATING_ADMISSION_POLICY_BINDING: Kind = Kind::new(
    "admissionregistration.k8s.io/v1",
    "ValidatingAdmissionPolicyBinding",
);
pub const AUDIT_POLICY: Kind = Kind::new("audit.k8s.io/v1", "Policy");
pub const DAEMON_SET: Kind = Kind::new("apps/v1", "DaemonSet");
pub const CLUSTER_ROLE: Kind = Kind::new("rbac.authorization.k8s.io/v1", "ClusterRole");
pub const CLUSTER_ROLE_BINDING: Kind =
    Kind::new("rbac.authorization.k8s.io/v1", "ClusterRoleBinding");
pub const PRIORITY_CLASS: Kind = Kind::new("scheduling.k8s.io/v1", "PriorityClass");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_the_slices_they_say() {
        assert_eq!(POD_KINDS[0], "Pod");
        assert_eq!(&POD_KINDS[POD_KINDS.len() - 2..], ["Job", "CronJob"]);
        assert_eq!(
            LONG_RUNNING,
            [
                "Pod",
                "Deployment",
                "StatefulSet",
                "DaemonSet",
                "ReplicaSet",
                "ReplicationController"
            ]
        );
        assert!(!CONTROLLERS.contains(&"Pod"));
    }

    #[test]
    fn every_pod_kind_has_a_template_whose_paths_agree() {
        for kind in POD_KINDS {
            let t = pod_template(kind).unwrap();
            let base = t.keys.join(".");
            let at = |leaf: &str| {
                if base.is_empty() {
                    leaf.to_string()
                } else {
                    format!("{base}.{leaf}")
                }
            };
            assert_eq!(t.spec, at("spec"), "{kind}");
            assert_eq!(t.metadata, at("metadata"), "{kind}");
        }
        assert_eq!(pod_template("Service"), None);
        assert_eq!(
            pod_template("CronJob").unwrap().spec,
            "spec.jobTemplate.spec.template.spec"
        );
    }
}
