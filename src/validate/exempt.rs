//! Exemptions: an object annotated `kubeward.dev/exempt: "<rule-id>: <reason>; …"` is not
//! held to the named rules, and the reason stays on record next to the object. An entry
//! without a reason, or naming no rule of the catalogue, is itself a finding
//! (`exemption-reason`). Applied inside [`super::validate`], so `render` and `check` agree.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Pos, Severity};
use crate::yaml::{Seg, format_path};

use super::catalogue::{self, EXEMPTION_REASON};
use super::{Document, Finding, rules};

/// The annotation that exempts an object from rules.
pub use crate::k8s::keys::EXEMPT as ANNOTATION;

/// One `rule-id: reason` entry of the annotation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub rule: String,
    pub reason: String,
}

/// An exemption that was applied: it dropped at least one finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exemption {
    pub file: String,
    /// Where the annotation is.
    pub pos: Pos,
    /// `Kind namespace/name` of the exempted object.
    pub object: String,
    pub rule: String,
    pub reason: String,
    /// How many findings it dropped.
    pub findings: usize,
}

/// Split an annotation value into its entries; empty entries (a trailing `;`) are ignored.
pub fn parse(value: &str) -> Vec<Entry> {
    value
        .split(';')
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| {
            let (rule, reason) = e.split_once(':').unwrap_or((e, ""));
            Entry {
                rule: rule.trim().into(),
                reason: reason.trim().into(),
            }
        })
        .collect()
}

/// Why an entry is not a valid exemption, if it is not.
fn problem(entry: &Entry) -> Option<String> {
    if entry.rule.is_empty() {
        return Some("an exemption entry names no rule".into());
    }
    if rules::find(&entry.rule).is_none() {
        if catalogue::lookup(&entry.rule).is_some() {
            return Some(format!(
                "`{}` is a built-in check and cannot be exempted",
                entry.rule
            ));
        }
        let hint = catalogue::suggest_rule(&entry.rule)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Some(format!("exemption names no rule `{}`{hint}", entry.rule));
    }
    if entry.reason.is_empty() {
        return Some(format!("exemption of `{}` gives no reason", entry.rule));
    }
    None
}

/// The path of the annotation in a document.
fn annotation_path() -> String {
    format_path(&[
        Seg::Key("metadata".into()),
        Seg::Key("annotations".into()),
        Seg::Key(ANNOTATION.into()),
    ])
}

/// Drop the findings exempted on their own object and add one finding per invalid entry.
/// Returns the exemptions that dropped findings, in input order.
pub fn apply(docs: &[Document], findings: &mut Vec<Finding>) -> Vec<Exemption> {
    let path = annotation_path();
    let mut exempt: BTreeMap<(String, String, String), Exemption> = BTreeMap::new();
    for doc in docs {
        let Some(value) = doc
            .value
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(ANNOTATION))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        for entry in parse(value) {
            match problem(&entry) {
                Some(message) => findings.push(invalid(doc, &path, message)),
                None => {
                    let key = (doc.file.clone(), doc.describe(), entry.rule.clone());
                    exempt.entry(key).or_insert_with(|| Exemption {
                        file: doc.file.clone(),
                        pos: doc.position(&path),
                        object: doc.describe(),
                        rule: entry.rule,
                        reason: entry.reason,
                        findings: 0,
                    });
                }
            }
        }
    }
    findings.retain(|f| {
        let key = (f.file.clone(), f.object.clone(), f.rule.to_string());
        match exempt.get_mut(&key) {
            Some(e) => {
                e.findings += 1;
                false
            }
            None => true,
        }
    });
    let mut applied: Vec<Exemption> = exempt.into_values().filter(|e| e.findings > 0).collect();
    applied.sort_by(|a, b| (&a.file, a.pos, &a.rule).cmp(&(&b.file, b.pos, &b.rule)));
    applied
}

fn invalid(doc: &Document, path: &str, message: String) -> Finding {
    Finding {
        rule: EXEMPTION_REASON.into(),
        severity: Severity::Error,
        file: doc.file.clone(),
        pos: Some(doc.position(path)),
        object: doc.describe(),
        path: Some(path.into()),
        message,
        help: format!(
            "write `{ANNOTATION}: \"<rule-id>: <reason>\"`, entries separated by `;`; `kubeward rules` lists the ids"
        )
        .into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Pos;
    use crate::validate::parse_documents;

    #[test]
    fn parses_entries() {
        assert_eq!(
            parse(" a: why ; b:; c ;; d: x: y "),
            [("a", "why"), ("b", ""), ("c", ""), ("d", "x: y")]
                .map(|(r, why)| Entry {
                    rule: r.into(),
                    reason: why.into()
                })
                .to_vec()
        );
    }

    fn finding(file: &str, object: &str, rule: &str) -> Finding {
        Finding {
            rule: rule.to_string().into(),
            severity: Severity::Error,
            file: file.into(),
            pos: Some(Pos::new(1, 1)),
            object: object.into(),
            path: None,
            message: "m".into(),
            help: "h".into(),
        }
    }

    #[test]
    fn drops_exempted_findings_and_reports_bad_entries() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    kubeward.dev/exempt: \"read-only-root-fs: writes /tmp; image-digest; schema: x; run-as-nonroot: y; no-privileged: unused\"\n";
        let docs = parse_documents("p.yaml", text).unwrap();
        let mut findings = vec![
            finding("p.yaml", "Pod p", "read-only-root-fs"),
            finding("p.yaml", "Pod p", "image-digest"),
            finding("other.yaml", "Pod p", "read-only-root-fs"),
        ];
        let applied = apply(&docs, &mut findings);
        // `no-privileged` is exempted but has no finding here: not listed as applied.
        assert_eq!(
            applied,
            [Exemption {
                file: "p.yaml".into(),
                pos: Pos::new(6, 26),
                object: "Pod p".into(),
                rule: "read-only-root-fs".into(),
                reason: "writes /tmp".into(),
                findings: 1,
            }]
        );
        let bad: Vec<&str> = findings
            .iter()
            .filter(|f| f.rule == EXEMPTION_REASON)
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            bad,
            [
                "exemption of `image-digest` gives no reason",
                "`schema` is a built-in check and cannot be exempted",
                "exemption names no rule `run-as-nonroot` (did you mean `run-as-non-root`?)"
            ]
        );
        let at = findings
            .iter()
            .find(|f| f.rule == EXEMPTION_REASON)
            .unwrap();
        assert_eq!(at.pos, Some(Pos::new(6, 26)));
        assert_eq!(findings.len(), 5, "image-digest stays, other.yaml stays");
    }
}
