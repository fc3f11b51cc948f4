//! API versions the Kubernetes API no longer serves, and the version each object is
//! read as instead so that every rule still runs on it.

/// API versions the Kubernetes API no longer serves: (apiVersion, kind, removed in, use).
static REMOVED: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "PodSecurityPolicy",
        "1.16",
        "Pod Security Admission namespace labels",
    ),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "1.22",
        "networking.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        "1.25",
        "Pod Security Admission namespace labels",
    ),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "1.17",
        "scheduling.k8s.io/v1",
    ),
];

/// For an apiVersion the API server no longer serves: the version that removed it and
/// what to use instead.
pub fn removed(api: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    REMOVED
        .iter()
        .find(|(a, k, _, _)| *a == api && *k == kind)
        .map(|(_, _, v, u)| (*v, *u))
}

/// The apiVersion a removed (apiVersion, kind) is read as so that the rules run on it:
/// the version that replaced it, when one did (PodSecurityPolicy has none).
pub fn read_as(api: &str, kind: &str) -> Option<&'static str> {
    removed(api, kind)
        .map(|(_, instead)| instead)
        .filter(|instead| !instead.contains(' '))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_versions_name_their_replacement() {
        assert_eq!(
            removed("extensions/v1beta1", "DaemonSet"),
            Some(("1.16", "apps/v1"))
        );
        assert_eq!(read_as("extensions/v1beta1", "DaemonSet"), Some("apps/v1"));
        assert_eq!(read_as("policy/v1beta1", "PodSecurityPolicy"), None);
        assert_eq!(removed("apps/v1", "Deployment"), None);
    }

    #[test]
    fn every_replacement_is_a_known_kind() {
        for (api, kind, _, _) in REMOVED {
            if let Some(now) = read_as(api, kind) {
                assert!(super::super::kinds::is_known(now, kind), "{now} {kind}");
            }
        }
    }
}
