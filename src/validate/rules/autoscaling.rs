//! Autoscaling rules: a HorizontalPodAutoscaler's bounds, its target, and workloads that
//! fight their autoscaler over `spec.replicas`.

use serde_yaml::Value;

use super::select::{autoscaler_of, find, has_namespace, ns, workloads};
use super::{Hit, get, rule};
use crate::validate::Document;

/// Built-in kinds with a scale subresource, which an HPA may target.
const SCALABLE: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "ReplicaSet",
    "ReplicationController",
];

/// An HPA's `minReplicas`, 1 when unset (the API default).
pub fn hpa_min(hpa: &Document) -> i64 {
    get(&hpa.value, "spec.minReplicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

rule!(HpaReplicasUnset {
    id: "hpa-replicas-unset",
    title: "Autoscaled workloads leave `spec.replicas` unset",
    severity: Warning,
    kinds: &["Deployment", "StatefulSet", "ReplicaSet"],
    rationale: "With a HorizontalPodAutoscaler in charge, a `spec.replicas` in the manifest resets the replica count on every apply: a scaled-out workload drops back to that number under load until the HPA catches up.",
    fix: "remove `spec.replicas` from the manifest and let the HPA's `minReplicas` set the floor",
    refs: ["kube-score deployment-targeted-by-hpa-does-not-have-replicas-configured"],
    check: |doc, all| {
        let Some(hpa) = autoscaler_of(doc, all) else {
            return Vec::new();
        };
        get(&doc.value, "spec.replicas")
            .is_some()
            .then(|| {
                Hit::new(
                    "spec.replicas",
                    format!(
                        "HorizontalPodAutoscaler `{}` scales this workload, but the manifest sets replicas",
                        hpa.name()
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(HpaMinMax {
    id: "hpa-min-max",
    title: "Autoscalers keep two replicas and room to grow",
    severity: Warning,
    kinds: &["HorizontalPodAutoscaler"],
    rationale: "An HPA may scale down to `minReplicas`: below 2 the workload has a single pod during every rollout and drain. A `maxReplicas` not above the minimum leaves the autoscaler nothing to do.",
    fix: "set `spec.minReplicas: 2` (or more) and `spec.maxReplicas` above it",
    refs: [
        "Polaris hpaMinAvailability",
        "Polaris hpaMaxAvailability",
        "kube-score horizontalpodautoscaler-replicas",
        "kube-linter hpa-minimum-three-replicas"
    ],
    check: |doc, _| {
        let min = hpa_min(doc);
        let max = get(&doc.value, "spec.maxReplicas").and_then(Value::as_i64);
        let mut out = Vec::new();
        if min < 2 {
            let at = if get(&doc.value, "spec.minReplicas").is_some() {
                "spec.minReplicas"
            } else {
                "spec"
            };
            out.push(Hit::new(
                at,
                format!("minReplicas is {min}: the workload may run a single pod"),
            ));
        }
        if let Some(max) = max.filter(|m| *m <= min) {
            out.push(Hit::new(
                "spec.maxReplicas",
                format!("maxReplicas {max} is not above minReplicas {min}"),
            ));
        }
        out
    },
});

rule!(HpaTargetExists {
    id: "hpa-target-exists",
    title: "Autoscalers target a workload of the input",
    severity: Warning,
    kinds: &["HorizontalPodAutoscaler"],
    rationale: "An HPA whose target does not exist (a typo, a renamed Deployment) scales nothing, and the workload it was written for is not autoscaled. Scope: reported when the input holds the Namespace object or a workload of that namespace, and for built-in targets only (a custom resource such as an Argo Rollout is not checked).",
    fix: "make `spec.scaleTargetRef` name the kind and name of the workload to scale",
    refs: [
        "kube-score horizontalpodautoscaler-has-target",
        "kube-linter dangling-horizontalpodautoscaler"
    ],
    check: |doc, all| {
        let target = |f: &str| {
            get(&doc.value, &format!("spec.scaleTargetRef.{f}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let (kind, name) = (target("kind"), target("name"));
        // A custom resource (an Argo Rollout…) is not among the checked documents.
        let built_in = SCALABLE.contains(&kind);
        let in_scope =
            built_in && (has_namespace(all, ns(doc)) || workloads(all, ns(doc)).next().is_some());
        (in_scope && find(all, kind, ns(doc), name).is_none())
            .then(|| {
                Hit::new(
                    "spec.scaleTargetRef",
                    format!("no {kind} `{name}` in namespace `{}`", ns(doc)),
                )
            })
            .into_iter()
            .collect()
    },
});
