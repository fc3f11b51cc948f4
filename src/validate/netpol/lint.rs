//! The `netpol-*` rules that need the whole input at once (Namespaces of every
//! namespace, the evaluator's reading of each peer). They are listed in the catalogue
//! like every rule; their findings are produced here, in one pass over the input.

use std::collections::{BTreeSet, HashSet};

use serde_yaml::Value;

use crate::k8s::keys;
use crate::validate::rules::find;
use crate::validate::{Document, Finding};

use super::policy::{Peer, Policy, Rule};

/// Id of the rule for peers that OR a namespace selector and a pod selector.
pub const PEER_OR_TRAP: &str = "netpol-peer-or-trap";
/// Id of the rule for namespace selectors on labels no Namespace carries.
pub const NAMESPACE_LABEL: &str = "netpol-namespace-label-exists";

/// Findings of the whole-input rules that `skip` does not turn off.
pub fn run(docs: &[Document], skip: &BTreeSet<String>) -> Vec<Finding> {
    let policies: Vec<Policy> = docs
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Policy::parse(i, d))
        .collect();
    let labels = namespace_label_keys(docs);
    let mut out = Vec::new();
    for p in &policies {
        let doc = &docs[p.doc];
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

fn finding(id: &str, doc: &Document, path: &str, message: String) -> Finding {
    let rule = find(id);
    Finding {
        rule: id.into(),
        severity: rule.map_or(crate::diag::Severity::Warning, |r| r.severity()),
        file: doc.file.clone(),
        pos: Some(doc.key_position(path)),
        object: doc.describe(),
        path: Some(path.into()),
        message,
        help: rule.map_or_else(String::new, |r| r.fix().into()),
    }
}
