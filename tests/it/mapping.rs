//! docs/rule-mapping.md, the table "anchor check → kubeward rule": every rule it names
//! exists, and every anchor check a rule refers to is in it.

use std::collections::BTreeSet;

use kubeward::validate::rules::RULES;

use crate::support::root;

/// Reference prefixes of the anchors, and whether the prefix is part of the check id
/// (checkov ids are written whole: `CKV_K8S_20`).
const ANCHORS: &[(&str, bool)] = &[
    ("PSS ", false),
    ("CKV", true),
    ("kube-score ", false),
    ("Polaris ", false),
    ("kube-linter ", false),
    ("kubesec ", false),
    ("Trivy ", false),
];

/// (anchor check, rule id) pairs of the document's tables.
fn rows() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(root().join("docs/rule-mapping.md"))
        .expect("docs/rule-mapping.md exists");
    let mut out = BTreeSet::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        let [check, rules] = cells[..] else {
            panic!("a mapping row has two cells: {line}")
        };
        if check == "anchor check" || check.starts_with("---") {
            continue;
        }
        for rule in rules.split(',') {
            out.insert((check.to_string(), rule.trim().trim_matches('`').to_string()));
        }
    }
    out
}

#[test]
fn every_rule_named_in_the_mapping_exists() {
    let ids: BTreeSet<&str> = RULES.iter().map(|r| r.id()).collect();
    let rows = rows();
    assert!(rows.len() > 100, "only {} rows", rows.len());
    let gone: Vec<_> = rows
        .iter()
        .filter(|(_, rule)| !ids.contains(rule.as_str()))
        .collect();
    assert!(
        gone.is_empty(),
        "docs/rule-mapping.md names rules the catalogue no longer has: {gone:?}; \
         a removed or renamed rule leaves an anchor check uncovered: map it to its successor"
    );
}

#[test]
fn every_anchor_check_a_rule_refers_to_is_mapped() {
    let rows = rows();
    let mut missing = Vec::new();
    for rule in RULES {
        for reference in rule.references() {
            let Some((prefix, whole)) = ANCHORS.iter().find(|(p, _)| reference.starts_with(p))
            else {
                continue;
            };
            let check = if *whole {
                reference.to_string()
            } else {
                reference[prefix.len()..].to_string()
            };
            if !rows.contains(&(check.clone(), rule.id().to_string())) {
                missing.push(format!("{check} → {}", rule.id()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these rows to docs/rule-mapping.md: {missing:?}"
    );
}
