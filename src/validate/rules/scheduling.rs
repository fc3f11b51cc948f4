//! Scheduling rules: node agents run at a priority that keeps them on every node, and
//! a pod's priority class exists.

use serde_yaml::Value;

use super::select::{find, has_cluster_kind};
use super::{Hit, POD_KINDS, pod_spec, rule};

/// The priority classes every cluster has.
const BUILT_IN_CLASSES: &[&str] = &["system-node-critical", "system-cluster-critical"];

rule!(PriorityClass {
    id: "priority-class",
    title: "Node agents set a priorityClassName",
    severity: Warning,
    kinds: &["DaemonSet"],
    rationale: "A DaemonSet pod at the default priority cannot preempt anything: on a full node it stays Pending, and that node runs without its log shipper, network or security agent. Polaris asks it of every pod; kubeward asks it where it matters, of DaemonSets (ordinary workloads at the default priority are a choice, not a gap).",
    fix: "set `priorityClassName` to a PriorityClass above your workloads (kubeward's logging uses its own `kubeward-logging`), or `system-node-critical` for agents the node cannot work without",
    refs: [
        "Polaris priorityClassNotSet",
        "kube-linter priority-class-name"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let set = pod
            .get("priorityClassName")
            .and_then(Value::as_str)
            .is_some_and(|n| !n.is_empty());
        (!set)
            .then(|| {
                Hit::new(
                    format!("{prefix}.priorityClassName"),
                    "the DaemonSet's pods run at the default priority",
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(PriorityClassExists {
    id: "priority-class-exists",
    title: "A pod's priorityClassName names a PriorityClass of the input",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Admission refuses a pod whose priority class does not exist: the workload never starts. Scope: judged when the input holds at least one PriorityClass (classes are often installed once per cluster); the built-in `system-node-critical` and `system-cluster-critical` always exist.",
    fix: "add the PriorityClass to the manifests (kubeward's logging renders `kubeward-logging`), or fix the name",
    refs: ["Kubernetes docs: Pod priority and preemption"],
    check: |doc, all| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let Some(name) = pod.get("priorityClassName").and_then(Value::as_str) else {
            return Vec::new();
        };
        let missing = !BUILT_IN_CLASSES.contains(&name)
            && has_cluster_kind(all, "PriorityClass")
            && find(all, "PriorityClass", "", name).is_none();
        missing
            .then(|| {
                Hit::new(
                    format!("{prefix}.priorityClassName"),
                    format!("no PriorityClass `{name}` in the input"),
                )
            })
            .into_iter()
            .collect()
    },
});
