//! The checker: strict schema, the hardening rule catalogue and cross-object checks,
//! used by `render` on its own output and by `check` on anyone's manifests.

pub mod audit;
pub mod document;
pub mod netpol;
pub mod rules;
pub mod schema;
pub mod unit;

pub mod catalogue;
pub mod exempt;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, Severity};

pub use document::{Document, parse_documents};

/// One problem found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub file: String,
    pub pos: Option<Pos>,
    /// `Kind namespace/name` of the object, empty for file-level problems.
    pub object: String,
    /// JSON-style path of the field, when the finding is about one.
    pub path: Option<String>,
    pub message: String,
    pub help: String,
}

impl Finding {
    /// The finding as a diagnostic for human output.
    pub fn to_diagnostic(&self, source: Option<&str>) -> Diagnostic {
        let object = if self.object.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.object)
        };
        let field = self
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("`{p}`: "))
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            &self.file,
            self.pos,
            format!("{object}{field}{}", self.message),
        )
        .with_code(self.rule.clone())
        .with_help(self.help.clone());
        d.severity = self.severity;
        match source {
            Some(text) => d.with_source(text),
            None => d,
        }
    }
}

/// Everything a validation found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Documents that were checked.
    pub documents: usize,
    /// Documents that are not Kubernetes objects kubeward knows, with the reason.
    pub skipped: Vec<Skipped>,
    /// Findings dropped because their object exempts their rule with a reason.
    pub exempted: usize,
}

/// A document that was not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub pos: Pos,
    pub reason: String,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}

/// What a validation run should do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Rule ids turned off for this run.
    pub skip: BTreeSet<String>,
    /// The inputs are one cluster: objects without a namespace share one `default`
    /// namespace, whatever directory they come from (see [`unit`]).
    pub cluster: bool,
}

/// Validate a set of files (name, text) as one bundle.
pub fn validate(files: &[(String, String)], opts: &Options) -> Report {
    validate_documents(files, opts).0
}

/// Validate like [`validate`], and hand back the checked Kubernetes documents (for
/// checks that read them again, such as the flow proof, without a second parse).
pub fn validate_documents(files: &[(String, String)], opts: &Options) -> (Report, Vec<Document>) {
    let mut report = Report::default();
    let mut docs: Vec<Document> = Vec::new();
    for (name, text) in files {
        let parsed = match parse_documents(name, text) {
            Ok(d) => d,
            Err(e) => {
                report.findings.push(Finding {
                    rule: catalogue::YAML_SYNTAX.into(),
                    severity: Severity::Error,
                    file: e.file,
                    pos: Some(e.pos),
                    object: String::new(),
                    path: None,
                    message: format!("not valid YAML: {}", e.message),
                    help: "fix the YAML syntax at this position".into(),
                });
                continue;
            }
        };
        let schema = schema::check_text(text, &parsed);
        for (doc, errors) in parsed.into_iter().zip(schema) {
            if !doc.is_kubernetes() {
                report.skipped.push(Skipped {
                    file: doc.file.clone(),
                    pos: doc.pos.start,
                    reason: "not a Kubernetes object (no apiVersion and kind)".into(),
                });
                continue;
            }
            if let Some((version, instead)) = schema::removed(doc.api_version(), doc.kind()) {
                report.findings.push(Finding {
                    rule: catalogue::REMOVED_API.into(),
                    severity: Severity::Error,
                    file: doc.file.clone(),
                    pos: Some(doc.key_position("apiVersion")),
                    object: doc.describe(),
                    path: Some("apiVersion".into()),
                    message: format!(
                        "{} {} was removed in Kubernetes {version}",
                        doc.api_version(),
                        doc.kind()
                    ),
                    help: format!("use {instead}"),
                });
                continue;
            }
            if !schema::is_known(doc.api_version(), doc.kind()) {
                report.skipped.push(Skipped {
                    file: doc.file.clone(),
                    pos: doc.pos.start,
                    reason: format!(
                        "{} {}: kind not known to kubeward (a CRD or another API version)",
                        doc.api_version(),
                        doc.kind()
                    ),
                });
                continue;
            }
            report.documents += 1;
            report.findings.extend(errors.into_iter().map(|e| Finding {
                rule: catalogue::SCHEMA.into(),
                severity: Severity::Error,
                file: doc.file.clone(),
                pos: e.pos.or(Some(doc.pos.start)),
                object: doc.describe(),
                path: Some(e.path).filter(|p| !p.is_empty()),
                message: e.message,
                help: "the Kubernetes API would reject or silently drop this; fix the field name or type (see `kubectl explain`)".into(),
            }));
            docs.push(doc);
        }
    }
    cross_checks(files, opts, &mut docs, &mut report.findings);
    report.exempted = exempt::apply(&docs, &mut report.findings);
    report
        .findings
        .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    (report, docs)
}

/// The rules, the whole-input NetworkPolicy rules included, over the checked documents.
/// Unless the input is one cluster, namespace-less objects are checked within their unit:
/// `docs` is reordered (stably) so that each unit's are one slice for the NetworkPolicy
/// evaluation, after the objects that name their namespace.
fn cross_checks(
    files: &[(String, String)],
    opts: &Options,
    docs: &mut [Document],
    out: &mut Vec<Finding>,
) {
    let units = unit::Units::new(files.iter().map(|(n, _)| n.as_str()), opts.cluster);
    let unit_of = |d: &Document| units.of(&d.file);
    let part = |d: &Document| rules::scope::is_local(d).then(|| unit_of(d)).flatten();
    docs.sort_by_cached_key(|d| part(d));
    let mut start = 0;
    while start < docs.len() {
        let key = part(&docs[start]);
        let len = docs[start..].iter().take_while(|d| part(d) == key).count();
        out.extend(netpol::lint::run(&docs[start..start + len], &opts.skip));
        start += len;
    }
    out.extend(rules::run(docs, opts, &unit_of));
}
