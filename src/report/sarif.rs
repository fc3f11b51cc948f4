//! SARIF 2.1.0 output (`kubeward check --format sarif`) for code-scanning tools such as
//! GitHub code scanning: one run whose driver lists every rule of the catalogue and every
//! built-in check, one result per finding, and skipped documents as notifications.

use serde_json::{Value, json};

use crate::diag::{Pos, Severity};
use crate::validate::catalogue::{self, Meta};
use crate::validate::{Finding, Report, Skipped};

/// The SARIF 2.1.0 JSON schema.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The report as a pretty-printed SARIF 2.1.0 log, newline-terminated.
pub fn sarif(report: &Report) -> String {
    let metas = catalogue::all();
    let results: Vec<Value> = report.findings.iter().map(|f| result(f, &metas)).collect();
    let notes: Vec<Value> = report.skipped.iter().map(notification).collect();
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "kubeward",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": metas.iter().map(descriptor).collect::<Vec<_>>(),
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notes,
            }],
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).expect("a SARIF log serializes");
    text.push('\n');
    text
}

/// SARIF level of a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A reporting descriptor for a rule or built-in check.
fn descriptor(m: &Meta) -> Value {
    json!({
        "id": m.id,
        "name": pascal_case(m.id),
        "shortDescription": { "text": m.title },
        "fullDescription": { "text": m.rationale },
        "help": { "text": m.fix },
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": {
            "references": m.references,
            "kinds": m.kinds,
            "builtin": m.builtin,
            "tags": ["kubernetes", "security"],
        },
    })
}

fn result(f: &Finding, metas: &[Meta]) -> Value {
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": { "text": f.to_diagnostic(None).message },
        "locations": [location(&f.file, f.pos)],
        "properties": { "object": f.object, "path": f.path, "help": f.help },
    });
    if let Some(i) = metas.iter().position(|m| m.id == f.rule) {
        r["ruleIndex"] = i.into();
    }
    r
}

fn notification(s: &Skipped) -> Value {
    json!({
        "level": "note",
        "message": { "text": format!("skipped: {}", s.reason) },
        "locations": [location(&s.file, Some(s.pos))],
    })
}

fn location(file: &str, pos: Option<Pos>) -> Value {
    let mut physical = json!({ "artifactLocation": { "uri": uri(file) } });
    if let Some(p) = pos {
        physical["region"] = json!({ "startLine": p.line, "startColumn": p.col });
    }
    json!({ "physicalLocation": physical })
}

/// A file name as a URI reference: relative paths stay relative (`/`-separated),
/// absolute ones become `file://` URIs, and anything unusual is percent-encoded.
pub fn uri(file: &str) -> String {
    let path = file.replace('\\', "/");
    let encoded: String = path
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

/// `read-only-root-fs` → `ReadOnlyRootFs`, the SARIF rule name.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn uris_are_relative_or_file_uris() {
        assert_eq!(uri("deploy/web app.yaml"), "deploy/web%20app.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
        assert_eq!(uri("<stdin>"), "%3Cstdin%3E");
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(pascal_case("read-only-root-fs"), "ReadOnlyRootFs");
    }

    #[test]
    fn results_point_at_their_rule() {
        let (report, _) = sample();
        let v: Value = serde_json::from_str(&sarif(&report)).unwrap();
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), catalogue::all().len());
        let r = &run["results"][0];
        let i = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert_eq!(r["ruleId"], "schema");
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"],
            json!({ "startLine": 5, "startColumn": 3 })
        );
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(
            note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "ci.yml"
        );
    }
}
