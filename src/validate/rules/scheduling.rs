//! Scheduling rules: node agents run at a priority that keeps them on every node.

use serde_yaml::Value;

use super::{Hit, pod_spec, rule};

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
