//! The `netpol-*` rules that need the whole input at once (Namespaces of every
//! namespace, the evaluator's reading of each peer, which pods are isolated and what
//! they may reach). They are listed in the catalogue like every rule; their findings
//! are produced here, from one evaluation of the input shared by all of them.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};

use serde_yaml::Value;

use crate::k8s::keys;
use crate::validate::rules::find;
use crate::validate::{Document, Finding};

use super::coverage::{
    PEER_TARGETS_PODS, SELECTS_EVERY_POD, TARGETS_PODS, dangling_peers, open_pods, untargeted,
};
use super::dns::{self, DNS_ADDRESS_RANGES, DNS_EGRESS};
use super::eval::Evaluation;
use super::policy::{Peer, Policy, Rule};
use super::universe::Extras;

/// Id of the rule for peers that OR a namespace selector and a pod selector.
pub const PEER_OR_TRAP: &str = "netpol-peer-or-trap";
/// Id of the rule for namespace selectors on labels no Namespace carries.
pub const NAMESPACE_LABEL: &str = "netpol-namespace-label-exists";

/// Findings of the whole-input rules that `skip` does not turn off.
pub fn run(docs: &[Document], skip: &BTreeSet<String>) -> Vec<Finding> {
    let on = |id: &str| !skip.contains(id);
    let eval = [
        SELECTS_EVERY_POD,
        TARGETS_PODS,
        PEER_TARGETS_PODS,
        DNS_EGRESS,
    ]
    .into_iter()
    .any(on)
    .then(|| Evaluation::new(docs, &extras()));
    let mut out = Vec::new();
    if let Some(eval) = &eval {
        if on(SELECTS_EVERY_POD) {
            out.extend(open_pods(eval, docs));
        }
        if on(TARGETS_PODS) {
            out.extend(untargeted(eval, docs));
        }
        if on(PEER_TARGETS_PODS) {
            out.extend(dangling_peers(eval, docs));
        }
        if on(DNS_EGRESS) {
            out.extend(dns::findings(eval, docs));
        }
    }
    let policies = match &eval {
        Some(e) => Cow::Borrowed(&e.policies),
        None => Cow::Owned(parse_policies(docs)),
    };
    out.extend(peer_rules(docs, &policies, skip));
    out
}

/// What `check` adds to the input: the DNS address ranges, and a pod for each policy
/// that selects none, so that a policy read without its workloads is judged.
fn extras() -> Extras {
    Extras {
        namespaces: Vec::new(),
        cidrs: DNS_ADDRESS_RANGES.iter().map(|c| c.to_string()).collect(),
        policy_pods: true,
    }
}

fn parse_policies(docs: &[Document]) -> Vec<Policy> {
    docs.iter()
        .enumerate()
        .filter_map(|(i, d)| Policy::parse(i, d))
        .collect()
}

/// `netpol-peer-or-trap` and `netpol-namespace-label-exists`, peer by peer.
fn peer_rules(docs: &[Document], policies: &[Policy], skip: &BTreeSet<String>) -> Vec<Finding> {
    let labels = namespace_label_keys(docs);
    let mut out = Vec::new();
    for p in policies {
        let Some(doc) = docs.get(p.doc) else { continue };
        for (dir, peers, rules) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
            for (i, rule) in rules.iter().flatten().enumerate() {
                let at = format!("spec.{dir}[{i}].{peers}");
                if !skip.contains(PEER_OR_TRAP) {
                    out.extend(or_trap(rule).map(|m| finding(PEER_OR_TRAP, doc, &at, m)));
                }
                if let Some(labels) = labels.as_ref().filter(|_| !skip.contains(NAMESPACE_LABEL)) {
                    for (path, m) in missing_labels(rule, &at, labels) {
                        out.push(finding(NAMESPACE_LABEL, doc, &path, m));
                    }
                }
            }
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

/// A finding of rule `id` on `doc` at `path`, with the rule's severity and fix.
pub fn finding(id: &str, doc: &Document, path: &str, message: String) -> Finding {
    let rule = find(id);
    Finding {
        rule: rule.map_or_else(|| id.to_string().into(), |r| r.id().into()),
        severity: rule.map_or(crate::diag::Severity::Warning, |r| r.severity()),
        file: doc.file.clone(),
        pos: Some(doc.key_position(path)),
        object: doc.describe(),
        path: Some(path.into()),
        message,
        help: rule.map_or("", |r| r.fix()).into(),
    }
}
