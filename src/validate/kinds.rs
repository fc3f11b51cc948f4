//! The kinds kubeward knows the schema of: the built-in API kinds (generated into
//! [`built_in`]) and the audit `Policy`, each with its scope and strict check.

mod built_in;

use std::sync::LazyLock;

use crate::k8s::kind::ObjectScope;

use super::strict::{Check, typed};
use built_in::BUILT_IN;

/// The audit `Policy` is a configuration file, not an API object, but has a schema.
const AUDIT: (&str, &str, ObjectScope, Check) = (
    "audit.k8s.io/v1",
    "Policy",
    ObjectScope::Cluster,
    typed::<super::audit::Policy>,
);

/// The kind's row: the built-in table (sorted) or the audit policy.
pub(super) fn row(
    api: &str,
    kind: &str,
) -> Option<&'static (&'static str, &'static str, ObjectScope, Check)> {
    if (api, kind) == (AUDIT.0, AUDIT.1) {
        return Some(&AUDIT);
    }
    BUILT_IN
        .binary_search_by(|(a, k, _, _)| (*a, *k).cmp(&(api, kind)))
        .ok()
        .map(|i| &BUILT_IN[i])
}

/// The kind names of the rows that pass `keep`, sorted, each once.
fn kinds_where(keep: impl Fn(&(&str, &str, ObjectScope, Check)) -> bool) -> Vec<&'static str> {
    let mut kinds: Vec<&str> = BUILT_IN
        .iter()
        .chain([&AUDIT])
        .filter(|row| keep(row))
        .map(|(_, k, _, _)| *k)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Known kinds that live outside namespaces (the audit `Policy` is a file, not an object).
pub static CLUSTER_SCOPED: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(_, _, scope, _)| *scope == ObjectScope::Cluster));

/// Every Kubernetes API kind with a strict schema (configuration files excluded).
pub static API_KINDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(api, _, _, _)| *api != AUDIT.0));

/// The namespaced ones among [`API_KINDS`].
pub static NAMESPACED_KINDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(_, _, scope, _)| *scope == ObjectScope::Namespace));

/// Whether the (apiVersion, kind) is one kubeward knows the schema of.
pub fn is_known(api: &str, kind: &str) -> bool {
    row(api, kind).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_kind_is_known_with_its_scope() {
        for (api, kind) in [
            ("v1", "PersistentVolume"),
            ("v1", "Endpoints"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("discovery.k8s.io/v1", "EndpointSlice"),
            ("networking.k8s.io/v1", "IngressClass"),
            ("autoscaling/v1", "HorizontalPodAutoscaler"),
            (
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
            ),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ] {
            assert!(is_known(api, kind), "{api} {kind}");
        }
        assert!(!is_known("example.com/v1", "Widget"));
        for kind in ["PersistentVolume", "StorageClass", "Namespace", "Policy"] {
            assert!(CLUSTER_SCOPED.contains(&kind), "{kind}");
        }
        assert!(NAMESPACED_KINDS.contains(&"PersistentVolumeClaim"));
        assert!(!API_KINDS.contains(&"Policy"), "the audit policy is a file");
        let sorted = BUILT_IN
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1));
        assert!(sorted, "the table is looked up by binary search");
    }
}
