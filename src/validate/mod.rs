//! The checker: strict schema, the hardening rule catalogue and cross-object checks,
//! used by `render` on its own output and by `check` on anyone's manifests.

pub mod audit;
pub mod document;
pub mod kinds;
pub mod netpol;
mod reading;
pub mod rules;
pub mod schema;
mod strict;
pub mod unit;
pub mod versions;

pub mod catalogue;
pub mod exempt;

use std::borrow::Cow;
use std::collections::BTreeSet;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, Severity};
use crate::par;
use crate::yaml::PosIndex;

pub use document::{Document, SyntaxError, parse_documents, read_documents};

/// One problem found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id (borrowed from the catalogue: a finding costs no copy of it).
    pub rule: Cow<'static, str>,
    pub severity: Severity,
    pub file: String,
    pub pos: Option<Pos>,
    /// `Kind namespace/name` of the object, empty for file-level problems.
    pub object: String,
    /// JSON-style path of the field, when the finding is about one.
    pub path: Option<String>,
    pub message: String,
    /// How to fix it: mostly the rule's fixed text, borrowed.
    pub help: Cow<'static, str>,
}

/// The most findings of one rule kept for one object: past it, one more finding counts
/// the rest. A 3 MiB pod of 80,000 containers would otherwise hold a million findings
/// (hundreds of MB) that no reader, SARIF upload or terminal wants.
pub const MAX_PER_RULE_AND_OBJECT: usize = 1_000;

impl Finding {
    /// The findings of one rule about `doc`, made by `make`: at most
    /// [`MAX_PER_RULE_AND_OBJECT`] of them, then one finding counting those left out
    /// (same rule, object and severity, so exemptions and `--skip` treat it alike),
    /// placed at the last one listed.
    pub fn capped<T>(
        out: &mut Vec<Finding>,
        doc: &Document,
        (rule, severity): (&'static str, Severity),
        items: Vec<T>,
        make: impl Fn(T) -> Finding,
    ) {
        let more = items.len().saturating_sub(MAX_PER_RULE_AND_OBJECT);
        out.extend(items.into_iter().take(MAX_PER_RULE_AND_OBJECT).map(make));
        if more > 0 {
            // At the last finding listed: the count follows it in position order.
            let pos = out.last().and_then(|f| f.pos).or(Some(doc.pos.start));
            out.push(Finding {
                rule: rule.into(),
                severity,
                file: doc.file.clone(),
                pos,
                object: doc.describe(),
                path: None,
                message: format!(
                    "{more} more `{rule}` findings in this object are not listed (kubeward lists at most {MAX_PER_RULE_AND_OBJECT} of one rule per object)"
                ),
                help: "fix the listed findings first; each run lists the next ones".into(),
            });
        }
    }

    /// The finding as a diagnostic for human output, with its line of `source`.
    pub fn to_diagnostic(&self, source: Option<&str>) -> Diagnostic {
        let d = self.to_diagnostic_on(None);
        match source {
            Some(text) => d.with_source(text),
            None => d,
        }
    }

    /// The finding as a diagnostic for human output, with its source `line` when known.
    pub fn to_diagnostic_on(&self, line: Option<&str>) -> Diagnostic {
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
        match line {
            Some(line) => d.with_line(line),
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
    /// Exemptions that dropped findings: the object exempts their rule with a reason.
    pub exempted: Vec<exempt::Exemption>,
    /// Hidden directories the search of the inputs did not enter (set by the caller).
    #[serde(skip)]
    pub unsearched: Vec<String>,
    /// Files and directories the caller left out on request.
    #[serde(skip)]
    pub excluded: usize,
}

/// A document that was not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub pos: Pos,
    pub reason: String,
    /// Why, as a class: the text report lists some one by one and counts the others.
    #[serde(skip)]
    pub class: SkipClass,
}

/// Why a document was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipClass {
    /// No apiVersion and kind: some other YAML file.
    NotKubernetes,
    /// A kustomize configuration (`kustomization.yaml`), not an object.
    Kustomize,
    /// A kind that is not built into Kubernetes: a custom resource.
    Custom,
}

/// Whether a document is kustomize's configuration rather than an object.
fn is_kustomize(doc: &Document) -> bool {
    let file = doc.file.rsplit(['/', '\\']).next().unwrap_or(&doc.file);
    doc.api_version().starts_with("kustomize.config.k8s.io/")
        || matches!(
            file,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
}

/// Decide what becomes of one parsed document: skipped (with the reason in `report`),
/// or checked (its built-in findings in `report`) and handed back for the rules. A
/// removed API version is reported and read as its replacement.
fn admit(doc: Document, report: &mut Report) -> Option<Document> {
    let skip = |report: &mut Report, class, reason: String| {
        report.skipped.push(Skipped {
            file: doc.file.clone(),
            pos: doc.pos.start,
            reason,
            class,
        });
    };
    if is_kustomize(&doc) {
        skip(
            report,
            SkipClass::Kustomize,
            "a kustomize configuration, not an object".into(),
        );
        return None;
    }
    if !doc.is_kubernetes() {
        skip(
            report,
            SkipClass::NotKubernetes,
            "not a Kubernetes object (no apiVersion and kind)".into(),
        );
        return None;
    }
    if let Some((version, instead)) = versions::removed(doc.api_version(), doc.kind()) {
        let read_as = versions::read_as(doc.api_version(), doc.kind());
        report.findings.push(Finding {
            rule: catalogue::REMOVED_API.into(),
            severity: Severity::Error,
            file: doc.file.clone(),
            pos: Some(doc.key_position("apiVersion")),
            object: doc.describe(),
            path: Some("apiVersion".into()),
            message: format!(
                "{} {} was removed in Kubernetes {version}{}",
                doc.api_version(),
                doc.kind(),
                read_as.map_or(String::new(), |a| format!(
                    "; checked as {a}, the rules ran on it"
                ))
            ),
            help: format!("use {instead}").into(),
        });
        // The old fields differ from the new version's: no strict schema, every rule.
        report.documents += 1;
        return read_as.map(|api| doc.read_as(api));
    }
    if !kinds::is_known(doc.api_version(), doc.kind()) {
        skip(
            report,
            SkipClass::Custom,
            format!(
                "{} {}: a custom resource (not a built-in kind of Kubernetes)",
                doc.api_version(),
                doc.kind()
            ),
        );
        return None;
    }
    report.documents += 1;
    let id = (catalogue::SCHEMA, Severity::Error);
    Finding::capped(&mut report.findings, &doc, id, schema::check(&doc), |e| {
        Finding {
        rule: catalogue::SCHEMA.into(),
        severity: Severity::Error,
        file: doc.file.clone(),
        pos: e.pos.or(Some(doc.pos.start)),
        object: doc.describe(),
        path: Some(e.path).filter(|p| !p.is_empty()),
        message: e.message,
        help: "the Kubernetes API would reject or silently drop this; fix the field name or type (see `kubectl explain`)".into(),
    }
    });
    Some(doc)
}

impl Report {
    /// One `yaml-syntax` error per file that could not be read as text, in file order
    /// with the other findings.
    pub fn add_unreadable(&mut self, files: &[crate::input::Unreadable]) {
        self.findings.extend(
            files.iter().map(|u| Finding {
                rule: catalogue::YAML_SYNTAX.into(),
                severity: Severity::Error,
                file: u.file.clone(),
                pos: Some(u.pos),
                object: String::new(),
                path: None,
                message: u.message.clone(),
                help: "save the file as UTF-8 text (YAML is Unicode); the other files were checked"
                    .into(),
            }),
        );
        self.findings
            .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    }

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
    /// Image registry prefixes (as [`crate::k8s::image::registry_prefix`] returns them)
    /// every image must start with; empty: any registry (`image-registry-allowed`).
    pub registries: Vec<String>,
    /// The inputs are one cluster: objects without a namespace share one `default`
    /// namespace, whatever directory they come from (see [`unit`]).
    pub cluster: bool,
    /// Threads to read files and run the rules on; 0: one per core (see [`par::threads`]).
    /// The report is the same whatever the number.
    pub jobs: usize,
}

/// Validate a set of files (name, text) as one bundle.
pub fn validate(files: &[(String, String)], opts: &Options) -> Report {
    validate_documents(files, opts).0
}

/// Validate like [`validate`], and hand back the checked Kubernetes documents (for
/// checks that read them again, such as the flow proof, without a second parse).
/// Files are read on [`Options::jobs`] threads.
pub fn validate_documents(files: &[(String, String)], opts: &Options) -> (Report, Vec<Document>) {
    let reads = par::map(files, par::threads(opts.jobs), |(name, text)| {
        read_file(|each| read_documents(name, text, each))
    });
    validate_read(files, opts, reads)
}

/// [`validate_documents`] of files already read: `parsed[i]` holds the documents of
/// `files[i]` with their positions, as [`crate::yaml::Values`] yields them (a render
/// reads each file it makes once, to check it against its template's header).
pub fn validate_parsed(
    files: &[(String, String)],
    mut parsed: Vec<Vec<(serde_yaml::Value, PosIndex)>>,
    opts: &Options,
) -> (Report, Vec<Document>) {
    parsed.resize_with(files.len(), Vec::new);
    let work = files.iter().zip(parsed);
    let reads = par::map(work, par::threads(opts.jobs), |((name, _), values)| {
        read_file(|each| document::read_parsed(name, values, each))
    });
    validate_read(files, opts, reads)
}

/// One file's admitted documents and the findings made while admitting them, or the
/// error that made it unreadable (then none of its documents are checked).
type FileRead = Result<(Vec<Document>, Report), SyntaxError>;

/// Admit each document `read` hands over (strict schema, skipped kinds), into one list.
fn read_file(read: impl FnOnce(&mut dyn FnMut(Document)) -> Result<(), SyntaxError>) -> FileRead {
    let (mut docs, mut report) = (Vec::new(), Report::default());
    read(&mut |doc| {
        if let Some(doc) = admit(doc, &mut report) {
            docs.push(doc);
        }
    })?;
    Ok((docs, report))
}

/// What validation does once every file is read: the files' findings in their order,
/// then the cross-object rules and exemptions over all the documents.
fn validate_read(
    files: &[(String, String)],
    opts: &Options,
    reads: Vec<FileRead>,
) -> (Report, Vec<Document>) {
    let mut report = Report::default();
    let mut docs: Vec<Document> = Vec::new();
    for read in reads {
        match read {
            Ok((file_docs, file)) => {
                join(&mut docs, file_docs);
                report.documents += file.documents;
                join(&mut report.findings, file.findings);
                join(&mut report.skipped, file.skipped);
            }
            Err(e) => report.findings.push(unreadable(e)),
        }
    }
    cross_checks(files, opts, &mut docs, &mut report.findings);
    report.exempted = exempt::apply(&docs, &mut report.findings);
    report
        .findings
        .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    drop_repeats(&mut report.findings);
    (report, docs)
}

/// The finding for a file that does not parse (or holds a document too large to read).
fn unreadable(e: SyntaxError) -> Finding {
    let (rule, help) = if e.too_large {
        let fix = catalogue::lookup(catalogue::DOCUMENT_SIZE).map_or("", |m| m.fix);
        (catalogue::DOCUMENT_SIZE, fix)
    } else {
        (
            catalogue::YAML_SYNTAX,
            "fix the YAML syntax at this position",
        )
    };
    Finding {
        rule: rule.into(),
        severity: Severity::Error,
        message: e.headline(),
        file: e.file,
        pos: Some(e.pos),
        object: String::new(),
        path: None,
        help: help.into(),
    }
}

/// Add `more` to `all`, taking its buffer when `all` is empty (one file: no copy).
fn join<T>(all: &mut Vec<T>, mut more: Vec<T>) {
    if all.is_empty() {
        *all = more;
    } else {
        all.append(&mut more);
    }
}

/// Keep one of identical findings (same rule, object, place and message): several
/// checks can reach one problem (a missing `spec.template` is the missing parent of
/// every required field below it), and the user needs to read it once. `findings` are
/// sorted by file and position, so repeats are looked for among the findings of one
/// place only (no copy of every finding).
fn drop_repeats(findings: &mut Vec<Finding>) {
    let mut keep = Vec::with_capacity(findings.len());
    let mut seen = std::collections::HashSet::new();
    let mut place = None;
    for f in findings.iter() {
        if place != Some((&f.file, f.pos)) {
            place = Some((&f.file, f.pos));
            seen.clear();
        }
        keep.push(seen.insert((&f.rule, &f.path, &f.object, &f.message)));
    }
    let mut keep = keep.into_iter();
    findings.retain(|_| keep.next().unwrap_or(true));
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
        out.extend(rules::run_whole(&docs[start..start + len], opts));
        start += len;
    }
    out.extend(rules::run(docs, opts, &unit_of));
}
