//! Availability rules: replicas, PodDisruptionBudgets, spreading, rollout strategy and
//! selectors that match their templates.

use serde_yaml::Value;

use crate::k8s::selector::Labels;

use super::autoscaling::hpa_min;
use super::scope::Scope;
use super::select::{
    autoscaler_of, has_namespace, is_empty_selector, items, ns, of_kind, pod_labels, selected,
    selects,
};
use super::{Hit, get, pod_spec, rule};
use crate::validate::Document;

const REPLICATED: &[&str] = &["Deployment", "StatefulSet"];

/// `spec.replicas`, 1 when unset.
fn replicas(doc: &Document) -> i64 {
    get(&doc.value, "spec.replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1)
}

/// The fewest pods the workload may run: the minimum of its autoscaler when one scales
/// it (the HPA overrides `spec.replicas`), else `spec.replicas`.
fn fewest_pods(doc: &Document, all: &Scope) -> i64 {
    autoscaler_of(doc, all).map_or_else(|| replicas(doc), hpa_min)
}

/// Whether a HorizontalPodAutoscaler of the bundle scales `doc`.
fn autoscaled(doc: &Document, all: &Scope) -> bool {
    autoscaler_of(doc, all).is_some()
}

/// Whether the workload runs (or may run) more than one pod.
fn multi(doc: &Document, all: &Scope) -> bool {
    replicas(doc) >= 2 || autoscaled(doc, all)
}

rule!(DeploymentReplicasMin {
    id: "deployment-replicas-min",
    title: "Deployments and StatefulSets run at least two replicas",
    severity: Warning,
    kinds: REPLICATED,
    rationale: "A single replica is down during every rollout, node drain and crash. Workloads scaled by a HorizontalPodAutoscaler of the bundle, or explicitly scaled to 0, are not reported.",
    fix: "set `spec.replicas: 2` or more (kubeward's default is 2)",
    refs: [
        "Polaris deploymentMissingReplicas",
        "kube-score deployment-replicas"
    ],
    check: |doc, all| {
        let n = replicas(doc);
        (n == 1 && !autoscaled(doc, all))
            .then(|| Hit::new("spec.replicas", "the workload runs a single replica"))
            .into_iter()
            .collect()
    },
});

rule!(PdbExists {
    id: "pdb-exists",
    title: "Replicated workloads have a PodDisruptionBudget",
    severity: Warning,
    kinds: REPLICATED,
    rationale: "Without a budget, a node drain may evict every replica at once. Scope: reported when the bundle holds the workload's Namespace object or any PodDisruptionBudget of that namespace, so a lone workload file is not judged on objects it cannot show.",
    fix: "add a PodDisruptionBudget (`maxUnavailable: 1`) whose selector matches the pod template labels",
    refs: [
        "kube-score deployment-has-poddisruptionbudget",
        "Polaris missingPodDisruptionBudget",
        "kube-score statefulset-has-poddisruptionbudget"
    ],
    check: |doc, all| {
        let namespace = ns(doc);
        let in_scope = has_namespace(all, namespace)
            || of_kind(all, "PodDisruptionBudget", namespace)
                .next()
                .is_some();
        let labels = pod_labels(doc);
        // Only the budgets that may select these pods, looked up by their labels.
        let covered = all.selecting("PodDisruptionBudget", &labels).any(|p| {
            ns(p) == namespace
                && p.value
                    .get("spec")
                    .and_then(|s| s.get("selector"))
                    .is_some_and(|s| selects(s, &labels))
        });
        (in_scope && multi(doc, all) && !covered)
            .then(|| {
                Hit::new(
                    "spec.template.metadata.labels",
                    "no PodDisruptionBudget selects these pods",
                )
            })
            .into_iter()
            .collect()
    },
});

/// Workloads of the bundle that a PDB's selector covers.
fn covered_workloads<'a>(pdb: &'a Document, all: &Scope<'a>) -> Vec<&'a Document> {
    let Some(sel) = get(&pdb.value, "spec.selector") else {
        return Vec::new();
    };
    selected(all, ns(pdb), sel)
        .into_iter()
        .filter(|w| REPLICATED.contains(&w.kind()))
        .collect()
}

fn budget_problem(pdb: &Document, all: &Scope) -> Option<Hit> {
    let spec = pdb.value.get("spec")?;
    match (spec.get("minAvailable"), spec.get("maxUnavailable")) {
        (None, None) => Some(Hit::new(
            "spec",
            "the budget sets neither minAvailable nor maxUnavailable",
        )),
        (_, Some(m)) if m.as_i64() == Some(0) || m.as_str() == Some("0%") => Some(Hit::new(
            "spec.maxUnavailable",
            "maxUnavailable 0 blocks every voluntary eviction",
        )),
        (Some(m), _) if m.as_str() == Some("100%") => Some(Hit::new(
            "spec.minAvailable",
            "minAvailable 100% blocks every voluntary eviction",
        )),
        (Some(m), _) => {
            let n = m.as_i64()?;
            let w = covered_workloads(pdb, all)
                .into_iter()
                .find(|w| fewest_pods(w, all) <= n)?;
            let count = match autoscaler_of(w, all) {
                Some(h) => format!(
                    "its autoscaler `{}` may scale it to {}",
                    h.name(),
                    hpa_min(h)
                ),
                None => format!("{} replicas", replicas(w)),
            };
            Some(Hit::new(
                "spec.minAvailable",
                format!(
                    "minAvailable {n} leaves no pod of {} ({count}) evictable",
                    w.describe()
                ),
            ))
        }
        _ => None,
    }
}

rule!(PdbAllowsDisruption {
    id: "pdb-allows-disruption",
    title: "PodDisruptionBudgets allow at least one eviction",
    severity: Warning,
    kinds: &["PodDisruptionBudget"],
    rationale: "A budget that never allows an eviction blocks node drains and cluster upgrades until someone deletes it by hand. For a workload scaled by a HorizontalPodAutoscaler of the bundle, the HPA's `minReplicas` counts, not `spec.replicas`.",
    fix: "use `maxUnavailable: 1`, or a `minAvailable` below the replica count (below the autoscaler's `minReplicas` when an HPA scales the workload)",
    refs: [
        "kube-score poddisruptionbudget-has-policy",
        "Polaris pdbDisruptionsIsZero",
        "Polaris pdbMinAvailableGreaterThanHPAMinReplicas",
        "kube-linter pdb-max-unavailable",
        "kube-linter pdb-min-available"
    ],
    check: |doc, all| budget_problem(doc, all).into_iter().collect(),
});

rule!(PdbUnhealthyEvictionPolicy {
    id: "pdb-unhealthy-eviction-policy",
    title: "PodDisruptionBudgets let unhealthy pods be evicted",
    severity: Info,
    kinds: &["PodDisruptionBudget"],
    rationale: "By default a pod that is running but not ready still counts against the budget, so a crash-looping replica can block a drain forever.",
    fix: "set `spec.unhealthyPodEvictionPolicy: AlwaysAllow`",
    refs: ["kube-linter pdb-unhealthy-pod-eviction-policy"],
    check: |doc, _| {
        get(&doc.value, "spec.unhealthyPodEvictionPolicy")
            .is_none()
            .then(|| Hit::new("spec", "the budget sets no unhealthyPodEvictionPolicy"))
            .into_iter()
            .collect()
    },
});

fn spread_problem(c: &Value, labels: &Labels) -> Option<String> {
    let text = |f: &str| c.get(f).and_then(Value::as_str).unwrap_or("");
    if c.get("maxSkew").and_then(Value::as_i64).unwrap_or(0) < 1 {
        return Some("maxSkew must be at least 1".into());
    }
    if text("topologyKey").is_empty() {
        return Some("topologyKey is empty".into());
    }
    if !matches!(
        text("whenUnsatisfiable"),
        "DoNotSchedule" | "ScheduleAnyway"
    ) {
        return Some("whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway".into());
    }
    match c.get("labelSelector") {
        Some(s) if selects(s, labels) && !is_empty_selector(s) => None,
        _ => Some("its labelSelector does not select the workload's own pods".into()),
    }
}

rule!(TopologySpread {
    id: "topology-spread",
    title: "Replicas are spread across nodes or zones",
    severity: Warning,
    kinds: REPLICATED,
    rationale: "Without a spread constraint the scheduler may put every replica on one node, and one node failure takes the whole app down.",
    fix: "add `topologySpreadConstraints` (maxSkew 1, topologyKey kubernetes.io/hostname or topology.kubernetes.io/zone, whenUnsatisfiable ScheduleAnyway) selecting the pod's own labels",
    refs: [
        "Polaris topologySpreadConstraint",
        "kube-score pod-topology-spread-constraints"
    ],
    check: |doc, all| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        if !multi(doc, all) {
            return Vec::new();
        }
        let labels = pod_labels(doc);
        let list: Vec<_> = items(pod, "topologySpreadConstraints").collect();
        if list.is_empty() {
            return vec![Hit::new(
                format!("{prefix}.topologySpreadConstraints"),
                "the pod template sets no topology spread constraint",
            )];
        }
        list.into_iter()
            .filter_map(|(i, c)| {
                spread_problem(c, &labels)
                    .map(|m| Hit::new(format!("{prefix}.topologySpreadConstraints[{i}]"), m))
            })
            .collect()
    },
});

/// Whether a pod affinity term keeps replicas of `labels` apart.
fn separates(term: &Value, labels: &Labels) -> bool {
    let key = term
        .get("topologyKey")
        .and_then(Value::as_str)
        .unwrap_or("");
    let known = [
        "kubernetes.io/hostname",
        "topology.kubernetes.io/zone",
        "topology.kubernetes.io/region",
    ];
    known.contains(&key)
        && term
            .get("labelSelector")
            .is_some_and(|s| selects(s, labels) && !is_empty_selector(s))
}

rule!(PodAntiAffinity {
    id: "pod-anti-affinity",
    title: "Replicas prefer different nodes",
    severity: Info,
    kinds: REPLICATED,
    rationale: "A pod anti-affinity on the hostname keeps replicas apart even where spread constraints are not honoured (older schedulers, ScheduleAnyway under pressure).",
    fix: "add a preferred `podAntiAffinity` term with topologyKey kubernetes.io/hostname whose labelSelector matches the pod's own labels",
    refs: [
        "kube-score deployment-has-host-podantiaffinity",
        "kube-linter no-anti-affinity",
        "kube-score statefulset-has-host-podantiaffinity"
    ],
    check: |doc, all| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let labels = pod_labels(doc);
        let anti = get(pod, "affinity.podAntiAffinity");
        let required = anti.map(|a| {
            items(a, "requiredDuringSchedulingIgnoredDuringExecution")
                .any(|(_, t)| separates(t, &labels))
        });
        let preferred = anti.map(|a| {
            items(a, "preferredDuringSchedulingIgnoredDuringExecution").any(|(_, t)| {
                t.get("podAffinityTerm")
                    .is_some_and(|t| separates(t, &labels))
            })
        });
        let ok = required == Some(true) || preferred == Some(true);
        (multi(doc, all) && !ok)
            .then(|| {
                Hit::new(
                    format!("{prefix}.affinity"),
                    "no pod anti-affinity keeps the replicas on different nodes",
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(RollingUpdateStrategy {
    id: "rolling-update-strategy",
    title: "Workloads roll out gradually",
    severity: Warning,
    kinds: &["Deployment", "StatefulSet", "DaemonSet"],
    rationale: "`Recreate` stops every pod before starting the new ones, and `OnDelete` never rolls out at all: both mean downtime or stale pods.",
    fix: "use `strategy.type: RollingUpdate` (Deployment) or `updateStrategy.type: RollingUpdate` (StatefulSet, DaemonSet), or leave it unset",
    refs: [
        "kube-score deployment-strategy",
        "kube-linter no-rolling-update-strategy"
    ],
    check: |doc, _| {
        let field = if doc.kind() == "Deployment" {
            "spec.strategy.type"
        } else {
            "spec.updateStrategy.type"
        };
        match get(&doc.value, field).and_then(Value::as_str) {
            None | Some("RollingUpdate") => Vec::new(),
            Some(other) => vec![Hit::new(field, format!("the update strategy is `{other}`"))],
        }
    },
});

rule!(SelectorMatchesTemplate {
    id: "selector-matches-template",
    title: "Controller selectors match their pod template",
    severity: Error,
    kinds: &["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"],
    rationale: "The API server rejects a controller whose selector is empty or does not match its template's labels; a selector that is too wide also adopts other workloads' pods.",
    fix: "derive `spec.selector.matchLabels` and `spec.template.metadata.labels` from one label map",
    refs: [
        "kube-score deployment-pod-selector-labels-match-template-metadata-labels",
        "kube-linter mismatching-selector",
        "kube-score statefulset-pod-selector-labels-match-template-metadata-labels"
    ],
    check: |doc, _| {
        let Some(sel) = get(&doc.value, "spec.selector") else {
            return Vec::new();
        };
        if is_empty_selector(sel) {
            return vec![Hit::new("spec.selector", "the selector is empty")];
        }
        (!selects(sel, &pod_labels(doc)))
            .then(|| {
                Hit::new(
                    "spec.selector",
                    "the selector does not match the pod template's labels",
                )
            })
            .into_iter()
            .collect()
    },
});
