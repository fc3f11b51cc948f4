//! Which pods the policies cover, read from one evaluation: `netpol-selects-every-pod`
//! (a workload's pods that no policy isolates, per direction) and `netpol-targets-pods`
//! (a policy whose selector matches no pod of its namespace, knowing the labels
//! controllers add to real pods) and `netpol-peer-targets-pods` (the same for a peer's
//! pod selector).

use std::collections::HashSet;

use crate::k8s::keys::{added_by_controller, controller_added};
use crate::k8s::kind::pod_template;
use crate::k8s::selector::Selector;
use crate::validate::Document;

use super::Spot;
use super::eval::Evaluation;
use super::policy::Peer;

/// The path of a workload's pod labels, where findings about its pods point.
pub fn labels_path(doc: &Document) -> String {
    let metadata = pod_template(doc.kind()).map_or("", |t| t.metadata);
    format!("{metadata}.labels")
}

/// One finding per workload and direction in which no policy isolates its pods. Only
/// namespaces the input shows whole are judged: those with their Namespace object or
/// a NetworkPolicy (a lone workload file is not).
pub fn open_pods(eval: &Evaluation, docs: &[Document]) -> Vec<Spot> {
    let mut judged: HashSet<&str> = eval.policies.iter().map(|p| p.namespace.as_str()).collect();
    judged.extend(
        docs.iter()
            .filter(|d| d.kind() == "Namespace")
            .map(Document::name),
    );
    let u = &eval.universe;
    let mut out = Vec::new();
    for (p, pod) in u.pods.iter().enumerate() {
        let (Some((_, _, d)), Some(ns)) = (&pod.workload, u.namespaces.get(pod.namespace)) else {
            continue;
        };
        let Some(doc) = docs.get(*d).filter(|_| judged.contains(ns.name.as_str())) else {
            continue;
        };
        let (ingress, egress) = eval.isolated(p);
        for (dir, isolated) in [("ingress", ingress), ("egress", egress)] {
            if !isolated {
                let message = format!("no NetworkPolicy isolates these pods for {dir}");
                out.push(Spot::new(*d, labels_path(doc), message));
            }
        }
    }
    out
}

/// One finding per policy whose `podSelector` matches no pod of its namespace, where
/// the input holds some workload of that namespace; select-all policies always apply.
pub fn untargeted(eval: &Evaluation, docs: &[Document]) -> Vec<Spot> {
    let u = &eval.universe;
    let with_workloads: HashSet<usize> = u
        .pods
        .iter()
        .filter(|p| p.workload.is_some())
        .map(|p| p.namespace)
        .collect();
    let mut out = Vec::new();
    for p in eval.policies.iter().filter(|p| !p.selector.is_empty()) {
        let Some(ns) = u
            .namespace(&p.namespace)
            .filter(|n| with_workloads.contains(n))
        else {
            continue;
        };
        if p.doc >= docs.len() {
            continue;
        }
        if !selects_a_workload(eval, ns, &p.selector) {
            let message = format!(
                "the selector matches no pod template in namespace `{}`",
                p.namespace
            );
            out.push(Spot::new(p.doc, "spec.podSelector", message));
        }
    }
    out
}

/// Whether the policy selects the pods of some workload of namespace `ns`. Terms on
/// labels that controllers add to real pods (`pod-template-hash`, `job-name`…) hold,
/// with any value, for the pods of the kinds that add them, and for no other.
fn selects_a_workload(eval: &Evaluation, ns: usize, selector: &Selector) -> bool {
    let u = &eval.universe;
    let workload_kind = |pod: usize| u.pods[pod].workload.as_ref().map(|w| w.0.as_str());
    if !selector.mentions(controller_added) {
        return u
            .select_pods(ns, selector)
            .into_iter()
            .any(|pod| workload_kind(pod).is_some());
    }
    let rest = selector.without_keys(controller_added);
    u.select_pods(ns, &rest).into_iter().any(|pod| {
        workload_kind(pod).is_some_and(|kind| {
            selector.may_match(&u.pods[pod].labels, |key| added_by_controller(kind, key))
        })
    })
}

/// One finding per peer `podSelector` without a `namespaceSelector` (so: pods of the
/// policy's own namespace) that matches no pod there, where the input holds some
/// workload of that namespace. Select-all peers always apply.
pub fn dangling_peers(eval: &Evaluation, docs: &[Document]) -> Vec<Spot> {
    let u = &eval.universe;
    let mut out = Vec::new();
    for p in &eval.policies {
        let (Some(ns), Some(_)) = (u.namespace(&p.namespace), docs.get(p.doc)) else {
            continue;
        };
        if !u
            .pods
            .iter()
            .any(|q| q.namespace == ns && q.workload.is_some())
        {
            continue;
        }
        for (dir, key, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
            for (i, rule) in rules.iter().flatten().enumerate() {
                for (j, peer) in rule.peers.iter().flatten().enumerate() {
                    let Peer::Pods {
                        namespaces: None,
                        pods: Some(sel),
                    } = peer
                    else {
                        continue;
                    };
                    if !sel.is_empty() && !selects_a_workload(eval, ns, sel) {
                        let message = format!(
                            "this peer's podSelector matches no pod template in namespace `{}`",
                            p.namespace
                        );
                        let path = format!("spec.{dir}[{i}].{key}[{j}].podSelector");
                        out.push(Spot::new(p.doc, path, message));
                    }
                }
            }
        }
    }
    out
}
