//! Output formats of `kubeward check`, `rules` and `explain`: pure functions from a
//! validation [`Report`] (or the rule catalogue) to text. Nothing here prints.
//!
//! - [`text`]: findings as diagnostics with source line and caret, documents that are
//!   not Kubernetes objects as `info[skipped]`, the [`totals`] table, then the one-line
//!   [`Summary`] (which counts the custom resources and kustomize files skipped).
//! - [`json`]: the versioned JSON report (schema in its module doc).
//! - [`sarif`]: SARIF 2.1.0 for code-scanning tools.
//! - [`catalogue`]: the rule list as text, markdown (`RULES.md`) or JSON, and `explain`.
//! - [`flows`]: the allowed-connection matrix of `kubeward flows` (text, JSON, pictures).

pub mod catalogue;
pub mod flows;
pub mod json;
pub mod sarif;
pub mod totals;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::diag::{Diagnostic, Lines, Severity, escape, render_all};
use crate::validate::{Report, SkipClass};

/// Counts of one check run.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    /// Files read (stdin counts as one).
    pub files: usize,
    /// Kubernetes documents checked.
    pub documents: usize,
    /// Documents not checked (not Kubernetes, or a kind kubeward does not know).
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
    /// Findings dropped by a `kubeward.dev/exempt` annotation with a reason.
    pub exempted: usize,
    /// Skipped documents by class, for the text line.
    #[serde(skip)]
    by_class: BTreeMap<SkipClass, usize>,
    /// Hidden directories not searched.
    #[serde(skip)]
    unsearched: Vec<String>,
    /// Paths left out by `--exclude`.
    #[serde(skip)]
    excluded: usize,
}

impl Summary {
    pub fn new(report: &Report, files: usize) -> Self {
        Summary {
            files,
            documents: report.documents,
            skipped: report.skipped.len(),
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            info: report.count(Severity::Info),
            exempted: report.exempted.iter().map(|e| e.findings).sum(),
            by_class: report.skipped.iter().fold(BTreeMap::new(), |mut m, s| {
                *m.entry(s.class).or_default() += 1;
                m
            }),
            unsearched: report.unsearched.clone(),
            excluded: report.excluded,
        }
    }

    /// `checked 12 documents in 3 files: 2 errors, 1 warning, 0 info; 1 document skipped`.
    pub fn line(&self) -> String {
        let mut out = format!(
            "checked {} in {}: {}, {}, {} info",
            plural(self.documents, "document"),
            plural(self.files, "file"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            self.info
        );
        if self.skipped > 0 {
            out.push_str(&format!("; {} skipped", plural(self.skipped, "document")));
            if self.by_class.keys().any(|c| *c != SkipClass::NotKubernetes) {
                let parts: Vec<String> = self
                    .by_class
                    .iter()
                    .map(|(class, n)| match class {
                        SkipClass::NotKubernetes => format!("{n} not Kubernetes"),
                        SkipClass::Kustomize => plural(*n, "kustomize file"),
                        SkipClass::Custom if *n == 1 => "1 custom resource".into(),
                        SkipClass::Custom => format!("{n} custom resources"),
                    })
                    .collect();
                out.push_str(&format!(" ({})", parts.join(", ")));
            }
        }
        if self.exempted > 0 {
            out.push_str(&format!("; {} exempted", plural(self.exempted, "finding")));
        }
        if !self.unsearched.is_empty() {
            let n = self.unsearched.len();
            let word = if n == 1 { "directory" } else { "directories" };
            let names: Vec<String> = self
                .unsearched
                .iter()
                .take(3)
                .map(|d| escape(d).into_owned())
                .collect();
            let more = if n > 3 { ", …" } else { "" };
            out.push_str(&format!(
                "; {n} hidden {word} not searched ({}{more})",
                names.join(", ")
            ));
        }
        if self.excluded > 0 {
            out.push_str(&format!("; {} excluded", plural(self.excluded, "path")));
        }
        out
    }
}

/// `1 file`, `2 files`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Findings of one rule in one file that the text report prints; the rest are counted
/// in a note (JSON and SARIF list them all).
pub const SHOWN_PER_RULE_AND_FILE: usize = 20;

/// How much the text report says besides warnings and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Warnings and errors only: no info, no skipped documents, no summary.
    Quiet,
    /// Everything found, then the summary line.
    Normal,
    /// Also each exemption applied, with its reason.
    Verbose,
}

/// Human output: the findings (at most [`SHOWN_PER_RULE_AND_FILE`] per rule and file)
/// and skipped documents in file order, a note per rule and file with findings left
/// out, then the summary line.
pub fn text(report: &Report, files: &[(String, String)]) -> String {
    text_with(report, files, Detail::Normal)
}

/// [`text`], saying as much as `detail` asks.
pub fn text_with(report: &Report, files: &[(String, String)], detail: Detail) -> String {
    let quiet = detail == Detail::Quiet;
    let source = |name: &str| {
        files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
    };
    let mut shown: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut lines: BTreeMap<&str, Lines> = BTreeMap::new();
    let mut items: Vec<(&str, Option<_>, Diagnostic)> = Vec::new();
    for f in report
        .findings
        .iter()
        .filter(|f| !quiet || f.severity > Severity::Info)
    {
        let n = shown.entry((&f.file, &f.rule)).or_default();
        *n += 1;
        if *n <= SHOWN_PER_RULE_AND_FILE {
            let line = f.pos.and_then(|pos| {
                let text = source(&f.file)?;
                let file = lines.entry(&f.file).or_insert_with(|| Lines::new(text));
                file.line(pos.line)
            });
            items.push((f.file.as_str(), f.pos, f.to_diagnostic_on(line)));
        }
    }
    for s in report.skipped.iter().filter(|_| !quiet) {
        // Custom resources and kustomize files are counted in the summary, not listed.
        if s.class != SkipClass::NotKubernetes {
            continue;
        }
        let mut d = Diagnostic::error(&s.file, Some(s.pos), s.reason.clone()).with_code("skipped");
        d.severity = Severity::Info;
        items.push((s.file.as_str(), Some(s.pos), d));
    }
    items.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let diags: Vec<Diagnostic> = items.into_iter().map(|(_, _, d)| d).collect();
    let mut out = render_all(&diags);
    if !out.is_empty() {
        out.push_str("\n\n");
    }
    for ((file, rule), n) in shown {
        if n > SHOWN_PER_RULE_AND_FILE {
            out.push_str(&format!(
                "note: {} more `{}` findings in {} not shown; `--format json` lists them all\n",
                n - SHOWN_PER_RULE_AND_FILE,
                escape(rule),
                escape(file)
            ));
        }
    }
    if detail == Detail::Verbose {
        out.push_str(&exemptions(report));
    }
    if !quiet {
        out.push_str(&totals::table(&report.findings));
        out.push_str(&Summary::new(report, files.len()).line());
        out.push('\n');
    }
    out
}

/// One line per exemption applied: where the annotation is, the object, the rule, how
/// many findings it dropped and its reason.
fn exemptions(report: &Report) -> String {
    report
        .exempted
        .iter()
        .map(|e| {
            format!(
                "{}:{}:{}: note: {}: `{}` exempted ({}): {}\n",
                escape(&e.file),
                e.pos.line,
                e.pos.col,
                escape(&e.object),
                escape(&e.rule),
                plural(e.findings, "finding"),
                escape(&e.reason)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::{Options, validate};

    pub(crate) fn sample() -> (Report, Vec<(String, String)>) {
        let files = vec![
            (
                "app.yaml".to_string(),
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namspace: x\n"
                    .to_string(),
            ),
            ("ci.yml".to_string(), "on: push\njobs: {}\n".to_string()),
        ];
        // The typo leaves the object without a namespace; that rule is not what these
        // tests are about.
        let opts = Options {
            skip: ["explicit-non-default-namespace".to_string()].into(),
            ..Options::default()
        };
        (validate(&files, &opts), files)
    }

    #[test]
    fn summary_line_counts_and_pluralises() {
        let (report, files) = sample();
        assert_eq!(
            Summary::new(&report, files.len()).line(),
            "checked 1 document in 2 files: 1 error, 0 warnings, 0 info; 1 document skipped"
        );
    }

    #[test]
    fn text_shows_caret_skipped_and_summary() {
        let (report, files) = sample();
        let out = text(&report, &files);
        assert!(
            out.starts_with(
                "app.yaml:5:3: error[schema]: ServiceAccount sa: `metadata.namspace`: "
            ),
            "{out}"
        );
        assert!(
            out.contains("5 |   namspace: x\n  |   ^\n  help: "),
            "{out}"
        );
        assert!(
            out.contains("ci.yml:1:1: info[skipped]: not a Kubernetes object"),
            "{out}"
        );
        assert!(out.ends_with("1 document skipped\n"), "{out}");
    }

    #[test]
    fn text_caps_findings_per_rule_and_file() {
        let sa = |i: usize| {
            format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa{i}\n  namespace: x\n  bad{i}: 1\n"
            )
        };
        let many: String = (0..50).map(sa).collect::<Vec<_>>().join("---\n");
        let files = vec![("many.yaml".to_string(), many)];
        let report = validate(&files, &Options::default());
        assert_eq!(report.count(Severity::Error), 50);
        let out = text(&report, &files);
        assert_eq!(
            out.matches("error[schema]").count(),
            SHOWN_PER_RULE_AND_FILE
        );
        assert!(
            out.contains("note: 30 more `schema` findings in many.yaml not shown; `--format json` lists them all\n"),
            "{out}"
        );
        assert!(out.ends_with("50 errors, 0 warnings, 0 info\n"), "{out}");
    }
}
