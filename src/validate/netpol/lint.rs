//! What the whole-input `netpol-*` rules of `check` read: the evaluation of the input
//! with `check`'s additions, its policies, and the peers that OR a namespace selector
//! with a pod selector or select namespaces by labels no Namespace carries.

use std::collections::HashSet;

use serde_yaml::Value;

use crate::k8s::keys;
use crate::validate::Document;

use super::Spot;
use super::dns::DNS_ADDRESS_RANGES;
use super::eval::Evaluation;
use super::policy::{Peer, Policy, Rule};
use super::universe::Extras;

/// The evaluation `check` reads: the input, plus the DNS address ranges and a pod for
/// each policy that selects none, so that a policy read without its workloads is
/// judged.
pub fn evaluation(docs: &[Document]) -> Evaluation {
    let extras = Extras {
        namespaces: Vec::new(),
        cidrs: DNS_ADDRESS_RANGES.iter().map(|c| c.to_string()).collect(),
        policy_pods: true,
    };
    Evaluation::new(docs, &extras)
}

/// The NetworkPolicies of the input, parsed.
pub fn policies(docs: &[Document]) -> Vec<Policy> {
    docs.iter()
        .enumerate()
        .filter_map(|(i, d)| Policy::parse(i, d))
        .collect()
}

/// Every rule's `from`/`to` of every policy, with its path and the policy's document.
fn each_rule<'p>(docs: &[Document], policies: &'p [Policy]) -> Vec<(usize, String, &'p Rule)> {
    let mut out = Vec::new();
    for p in policies.iter().filter(|p| p.doc < docs.len()) {
        for (dir, peers, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
            for (i, rule) in rules.iter().flatten().enumerate() {
                out.push((p.doc, format!("spec.{dir}[{i}].{peers}"), rule));
            }
        }
    }
    out
}

/// `netpol-peer-or-trap`: rules whose peers OR a namespace selector alone with a pod
/// selector alone.
pub fn or_traps(docs: &[Document], policies: &[Policy]) -> Vec<Spot> {
    each_rule(docs, policies)
        .into_iter()
        .filter_map(|(doc, at, rule)| Some(Spot::new(doc, at, or_trap(rule)?)))
        .collect()
}

/// `netpol-namespace-label-exists`: namespace selectors that need a label key no
/// Namespace of the input carries (none when the input holds no Namespace).
pub fn unknown_namespace_labels(docs: &[Document], policies: &[Policy]) -> Vec<Spot> {
    let Some(labels) = namespace_label_keys(docs) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (doc, at, rule) in each_rule(docs, policies) {
        for (path, m) in missing_labels(rule, &at, &labels) {
            out.push(Spot::new(doc, path, m));
        }
    }
    out
}

/// Label keys carried by the Namespaces of the input; `None` when it holds none.
fn namespace_label_keys(docs: &[Document]) -> Option<HashSet<String>> {
    let namespaces: Vec<&Document> = docs.iter().filter(|d| d.kind() == "Namespace").collect();
    if namespaces.is_empty() {
        return None;
    }
    let mut keys: HashSet<String> = HashSet::from([keys::NAMESPACE_NAME.to_string()]);
    for ns in namespaces {
        let labels = ns.value.get("metadata").and_then(|m| m.get("labels"));
        for k in labels
            .and_then(Value::as_mapping)
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            keys.extend(k.as_str().map(str::to_string));
        }
    }
    Some(keys)
}

/// A peer with only a namespace selector next to one with only a pod selector.
fn or_trap(rule: &Rule) -> Option<String> {
    let peers = rule.peers.as_ref()?;
    let only = |want_ns: bool| {
        peers.iter().position(|p| {
            matches!(p, Peer::Pods { namespaces, pods } if namespaces.is_some() == want_ns && pods.is_some() != want_ns)
        })
    };
    let (ns, pods) = (only(true)?, only(false)?);
    Some(format!(
        "peer {ns} (a `namespaceSelector` alone) and peer {pods} (a `podSelector` alone) are ORed: every pod of the selected namespaces, or the selected pods of this namespace"
    ))
}

/// Namespace selectors of a rule that require a label key no Namespace carries.
fn missing_labels(rule: &Rule, at: &str, carried: &HashSet<String>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (j, peer) in rule.peers.iter().flatten().enumerate() {
        let Peer::Pods {
            namespaces: Some(sel),
            ..
        } = peer
        else {
            continue;
        };
        let missing: Vec<String> = sel
            .required_keys()
            .into_iter()
            .filter(|k| !carried.contains(*k))
            .map(|k| format!("`{k}`"))
            .collect();
        if !missing.is_empty() {
            out.push((
                format!("{at}[{j}].namespaceSelector"),
                format!(
                    "the namespace selector needs the label {} that no Namespace in the input carries, so it selects no namespace here",
                    missing.join(", ")
                ),
            ));
        }
    }
    out
}
