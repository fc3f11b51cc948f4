//! The per-rule totals table that ends the text report, above the summary line: how
//! many findings each rule has and in how many files, most findings first, so a large
//! tree's output can be read from its end.

use std::collections::{BTreeMap, BTreeSet};

use crate::diag::escape;
use crate::validate::Finding;

/// The table, or nothing when there are no findings.
pub fn table(findings: &[Finding]) -> String {
    let mut rows: BTreeMap<&str, (&Finding, usize, BTreeSet<&str>)> = BTreeMap::new();
    for f in findings {
        let row = rows.entry(&f.rule).or_insert((f, 0, BTreeSet::new()));
        row.1 += 1;
        row.2.insert(&f.file);
    }
    if rows.is_empty() {
        return String::new();
    }
    let mut rows: Vec<_> = rows.into_iter().collect();
    // Most severe first, then most findings, then by id.
    rows.sort_by(|a, b| (b.1.0.severity, b.1.1, a.0).cmp(&(a.1.0.severity, a.1.1, b.0)));
    let width = rows
        .iter()
        .map(|(id, _)| id.len())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "findings by rule:\n  {:<width$}  {:<8}  {:>8}  {:>5}\n",
        "rule", "severity", "findings", "files"
    );
    for (id, (first, n, files)) in rows {
        out.push_str(&format!(
            "  {:<width$}  {:<8}  {n:>8}  {:>5}\n",
            escape(id),
            first.severity.to_string(),
            files.len()
        ));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Severity;

    fn finding(rule: &str, severity: Severity, file: &str) -> Finding {
        Finding {
            rule: rule.to_string().into(),
            severity,
            file: file.into(),
            pos: None,
            object: String::new(),
            path: None,
            message: String::new(),
            help: "".into(),
        }
    }

    #[test]
    fn rules_are_totalled_most_severe_and_most_frequent_first() {
        let findings = [
            finding("cpu-limits", Severity::Warning, "a.yaml"),
            finding("no-privileged", Severity::Error, "a.yaml"),
            finding("cpu-limits", Severity::Warning, "b.yaml"),
            finding("cpu-limits", Severity::Warning, "b.yaml"),
            finding("image-digest", Severity::Warning, "a.yaml"),
        ];
        assert_eq!(
            table(&findings),
            "findings by rule:\n  \
             rule           severity  findings  files\n  \
             no-privileged  error            1      1\n  \
             cpu-limits     warning          3      2\n  \
             image-digest   warning          1      1\n\n"
        );
        assert_eq!(table(&[]), "");
    }
}
