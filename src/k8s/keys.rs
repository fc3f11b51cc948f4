//! Label and annotation keys kubeward writes and reads, decided once.

/// The app a pod belongs to; kubeward's policies select pods by it.
pub const APP_NAME: &str = "app.kubernetes.io/name";
/// The instance of the app.
pub const APP_INSTANCE: &str = "app.kubernetes.io/instance";
/// The version of the app (the image tag when it is a valid label value).
pub const APP_VERSION: &str = "app.kubernetes.io/version";
/// Which tool manages the object.
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
/// kubeward's value of [`MANAGED_BY`].
pub const MANAGER: &str = "kubeward";
/// The label the API server sets on every Namespace to its own name.
pub const NAMESPACE_NAME: &str = "kubernetes.io/metadata.name";
/// The team label of a Namespace.
pub const TEAM: &str = "team";
/// Rule exemptions with their written reasons: `rule-id: reason; other-rule: reason`.
pub const EXEMPT: &str = "kubeward.dev/exempt";
/// Why a namespace does not enforce Pod Security `restricted`.
pub const POD_SECURITY_EXEMPTION: &str = "kubeward.dev/pod-security-exemption";
/// Prefix of the Pod Security Admission labels (`enforce`, `audit`, `warn` and `-version`).
pub const POD_SECURITY_PREFIX: &str = "pod-security.kubernetes.io/";

/// Labels a controller adds to the pods it creates, by the controller's kind: they are
/// on every real pod although never in the template, with values chosen at run time
/// (`pod-template-hash`, a StatefulSet pod's name…). A key ending in `/` stands for
/// every key with that prefix.
pub fn controller_labels(kind: &str) -> &'static [&'static str] {
    match kind {
        "Deployment" | "ReplicaSet" => &["pod-template-hash"],
        "StatefulSet" => &[
            "controller-revision-hash",
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
        ],
        "DaemonSet" => &["controller-revision-hash", "pod-template-generation"],
        "Job" | "CronJob" => &["batch.kubernetes.io/", "job-name", "controller-uid"],
        _ => &[],
    }
}

/// Whether the controller of `kind` adds the label `key` to its pods.
pub fn added_by_controller(kind: &str, key: &str) -> bool {
    controller_labels(kind).iter().any(|k| key_matches(k, key))
}

/// Whether `key` is the key `pattern`, or has the prefix `pattern` ending in `/`.
fn key_matches(pattern: &str, key: &str) -> bool {
    match pattern.strip_suffix('/') {
        Some(_) => key.len() > pattern.len() && key.starts_with(pattern),
        None => pattern == key,
    }
}

/// Whether some controller adds the label `key` to its pods.
pub fn controller_added(key: &str) -> bool {
    ["Deployment", "StatefulSet", "DaemonSet", "Job"]
        .iter()
        .any(|kind| added_by_controller(kind, key))
}

/// Labels that operators put on the pods they create for a custom resource (the
/// workload itself is not among the manifests): Prometheus Operator, Strimzi,
/// CloudNativePG, Crunchy Postgres, Elastic ECK, the Zalando Postgres Operator. A key
/// ending in `/` stands for every key with that prefix. A selector on one of them is
/// not taken to "select nothing".
pub const OPERATOR_LABELS: &[&str] = &[
    "operator.prometheus.io/",
    "prometheus",
    "alertmanager",
    "strimzi.io/",
    "cnpg.io/",
    "postgres-operator.crunchydata.com/",
    "elasticsearch.k8s.elastic.co/",
    "kibana.k8s.elastic.co/",
    "spilo-role",
];

/// Whether `key` is one of the [`OPERATOR_LABELS`].
pub fn operator_label(key: &str) -> bool {
    OPERATOR_LABELS.iter().any(|k| key_matches(k, key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controller_labels_follow_the_kind() {
        assert!(added_by_controller("Deployment", "pod-template-hash"));
        assert!(!added_by_controller("StatefulSet", "pod-template-hash"));
        assert!(added_by_controller("Job", "batch.kubernetes.io/job-name"));
        assert!(added_by_controller("CronJob", "job-name"));
        assert!(!added_by_controller("Job", "batch.kubernetes.io/"));
        assert!(!added_by_controller("Pod", "pod-template-hash"));
        assert!(operator_label("operator.prometheus.io/name") && operator_label("prometheus"));
        assert!(!operator_label("operator.prometheus.io/") && !operator_label("app"));
        assert!(controller_added("statefulset.kubernetes.io/pod-name"));
        assert!(!controller_added("app"));
    }
}
