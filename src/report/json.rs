//! The JSON report of `kubeward check --format json`. Field names are stable; a change
//! that is not backwards compatible bumps `version`.
//!
//! ```json
//! {
//!   "version": 1,
//!   "summary": { "files": 2, "documents": 5, "skipped": 1, "errors": 1, "warnings": 0,
//!                "info": 0, "exempted": 0 },
//!   "findings": [
//!     { "rule": "read-only-root-fs", "severity": "error", "file": "deploy/web.yaml",
//!       "line": 21, "column": 13, "object": "Deployment shop/web",
//!       "path": "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem",
//!       "message": "container `web` has a writable root filesystem",
//!       "help": "set `securityContext.readOnlyRootFilesystem: true` and …" }
//!   ],
//!   "skipped": [
//!     { "file": ".github/workflows/ci.yml", "line": 1, "column": 1,
//!       "reason": "not a Kubernetes object (no apiVersion and kind)" }
//!   ]
//! }
//! ```
//!
//! - `severity` is `error`, `warning` or `info`.
//! - `line` and `column` are 1-based, `null` when the finding has no position.
//! - `object` is `Kind namespace/name` (or `Kind name`), empty for file-level findings
//!   such as `yaml-syntax`; `path` is the field's path, `null` when not about one field.
//! - `rule` is a catalogue rule id or a built-in check (`yaml-syntax`, `schema`,
//!   `exemption-reason`); `kubeward explain RULE` describes each.
//! - Findings are sorted by file, then position.

use serde::Serialize;

use crate::diag::Severity;
use crate::validate::{Finding, Report, Skipped};

use super::Summary;

/// Version of the JSON report format.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    summary: Summary,
    findings: Vec<JsonFinding<'a>>,
    skipped: Vec<JsonSkipped<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    object: &'a str,
    path: Option<&'a str>,
    message: &'a str,
    help: &'a str,
}

#[derive(Serialize)]
struct JsonSkipped<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    reason: &'a str,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            rule: &f.rule,
            severity: f.severity,
            file: &f.file,
            line: f.pos.map(|p| p.line),
            column: f.pos.map(|p| p.col),
            object: &f.object,
            path: f.path.as_deref(),
            message: &f.message,
            help: &f.help,
        }
    }
}

impl<'a> From<&'a Skipped> for JsonSkipped<'a> {
    fn from(s: &'a Skipped) -> Self {
        JsonSkipped {
            file: &s.file,
            line: s.pos.line,
            column: s.pos.col,
            reason: &s.reason,
        }
    }
}

/// The report as pretty-printed JSON, newline-terminated.
pub fn json(report: &Report, files: &[(String, String)]) -> String {
    let out = JsonReport {
        version: VERSION,
        summary: Summary::new(report, files.len()),
        findings: report.findings.iter().map(JsonFinding::from).collect(),
        skipped: report.skipped.iter().map(JsonSkipped::from).collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).expect("a report serializes");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn json_has_stable_fields() {
        let (report, files) = sample();
        let v: serde_json::Value = serde_json::from_str(&json(&report, &files)).unwrap();
        assert_eq!(v["version"], 1);
        assert_eq!(
            v["summary"],
            serde_json::json!({ "files": 2, "documents": 1, "skipped": 1, "errors": 1,
                "warnings": 0, "info": 0, "exempted": 0 })
        );
        let f = &v["findings"][0];
        let mut keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "column", "file", "help", "line", "message", "object", "path", "rule", "severity"
            ]
        );
        assert_eq!(
            (&f["rule"], &f["line"], &f["column"]),
            (&"schema".into(), &5.into(), &3.into())
        );
        assert_eq!(v["skipped"][0]["file"], "ci.yml");
    }
}
