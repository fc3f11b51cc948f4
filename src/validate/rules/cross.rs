//! Cross-object references: PodDisruptionBudget selectors and named Service target
//! ports must lead to pods of the bundle.

use serde_yaml::Value;

use super::scope::Scope;
use super::select::{has_namespace, map_selected, ns, selected, string_map, workloads};
use super::{Hit, containers, get, pod_spec, rule};
use crate::validate::Document;

/// Whether the namespace of `doc` is judged: its Namespace object or a workload is here.
fn in_scope(doc: &Document, all: &Scope) -> bool {
    has_namespace(all, ns(doc)) || workloads(all, ns(doc)).next().is_some()
}

rule!(PdbTargetsPods {
    id: "pdb-targets-pods",
    title: "PodDisruptionBudget selectors match a pod template",
    severity: Warning,
    kinds: &["PodDisruptionBudget"],
    rationale: "A budget that selects no pod protects nothing: a drain evicts the workload it was written for. Scope: reported when the bundle holds the Namespace object or a workload of that namespace.",
    fix: "make `spec.selector` match the pod template labels of the workload the budget protects",
    refs: [
        "kube-score deployment-has-poddisruptionbudget",
        "Polaris missingPodDisruptionBudget"
    ],
    check: |doc, all| {
        let Some(selector) = get(&doc.value, "spec.selector") else {
            return Vec::new();
        };
        let found = !selected(all, ns(doc), selector).is_empty();
        (in_scope(doc, all) && !found)
            .then(|| {
                Hit::new(
                    "spec.selector",
                    format!(
                        "the selector matches no pod template in namespace `{}`",
                        ns(doc)
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

/// The container port names of a workload's pods.
fn port_names(w: &Document) -> Vec<String> {
    let Some((prefix, pod)) = pod_spec(w) else {
        return Vec::new();
    };
    containers(prefix, pod)
        .into_iter()
        .flat_map(|(_, c)| {
            c.get("ports")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p.get("name").and_then(Value::as_str).map(str::to_string))
        .collect()
}

rule!(ServiceTargetPortExists {
    id: "service-target-port-exists",
    title: "Named Service target ports exist on the selected pods",
    severity: Error,
    kinds: &["Service"],
    rationale: "A `targetPort` name that no selected container declares leaves the Service without endpoints for that port: connections fail although the pods run. Scope: only Services whose selector matches pods of the bundle.",
    fix: "declare the port with that `name` under the container's `ports`, or point `targetPort` at a declared name or number",
    refs: ["Kubernetes Service API: a named targetPort refers to a container port name"],
    check: |doc, all| {
        let selector = string_map(get(&doc.value, "spec.selector"));
        if selector.is_empty() {
            return Vec::new();
        }
        let pods = map_selected(all, ns(doc), &selector);
        if pods.is_empty() {
            return Vec::new();
        }
        let names: Vec<String> = pods.iter().flat_map(|w| port_names(w)).collect();
        get(&doc.value, "spec.ports")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(i, p)| {
                let name = p.get("targetPort")?.as_str()?;
                (!names.iter().any(|n| n == name)).then(|| {
                    Hit::new(
                        format!("spec.ports[{i}].targetPort"),
                        format!("no selected container declares a port named `{name}`"),
                    )
                })
            })
            .collect()
    },
});
