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

use std::collections::BTreeSet;

use crate::diag::Severity;
use crate::par;
use crate::yaml::PosIndex;

mod admit;
mod finding;
mod report;

pub use document::{Document, SyntaxError, parse_documents, read_documents};
pub use finding::{Finding, MAX_PER_RULE_AND_OBJECT};
pub use report::{Report, SkipClass, Skipped};

use admit::admit;

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
