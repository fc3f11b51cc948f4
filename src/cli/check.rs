//! `kubeward check`, `rules` and `explain`: the checker on anyone's manifests. Reports
//! go to stdout (text, JSON or SARIF); usage and I/O errors go to stderr with exit 2.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::ValueEnum;

use kubeward::diag::Severity;
use kubeward::input;
use kubeward::k8s::image::registry_prefix;
use kubeward::report::{self, catalogue as doc};
use kubeward::validate::catalogue::{lookup, suggest, suggest_rule};
use kubeward::validate::rules::find;
use kubeward::validate::{Options, validate_documents};

use super::style::{Stream, paint};
use super::{Exit, Verbosity, out};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Diagnostics with source lines, then a summary line
    Text,
    /// Versioned JSON report
    Json,
    /// SARIF 2.1.0, for code-scanning tools
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Exit 1 when there is an error
    Error,
    /// Exit 1 when there is a warning or an error
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    /// One line per rule
    Text,
    /// A table and a section per rule, as in RULES.md
    Markdown,
    /// Versioned JSON
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (searched recursively for .yaml/.yml), or `-` for stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Lowest severity that makes the exit code 1
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Turn a rule off for this run (repeatable, or comma-separated)
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Allowed image registry prefix, e.g. `registry.example.com/team/` (repeatable, or
    /// comma-separated): every image must start with one (rule `image-registry-allowed`)
    #[arg(long, value_name = "PREFIX", value_delimiter = ',')]
    pub registry: Vec<String>,
    /// Succeed when the input holds no YAML documents at all (by default that exits 1)
    #[arg(long)]
    pub allow_empty: bool,
    /// Leave out files and directories whose path or name matches GLOB, e.g. `templates`
    /// or `charts/*/templates` (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// The inputs are one cluster: objects without a namespace are compared across
    /// directories (by default each directory, or kustomization root, is its own unit)
    #[arg(long)]
    pub cluster: bool,
    /// Threads to read files and run the rules on (by default, or 0: one per CPU core the
    /// process may use); the report is the same whatever the number
    #[arg(
        long,
        short = 'j',
        value_name = "N",
        default_value_t = 0,
        hide_default_value = true
    )]
    pub jobs: usize,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    pub format: RulesFormat,
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. `read-only-root-fs`
    pub rule: String,
}

pub fn run_check(args: &CheckArgs) -> Exit {
    let skip = match skip_set(&args.skip) {
        Ok(s) => s,
        Err((message, help)) => {
            out::error(format_args!("--skip: {message}"), help);
            return Exit::Usage;
        }
    };
    let registries = match registry_prefixes(&args.registry) {
        Ok(r) => r,
        Err(message) => {
            out::error(
                format_args!("--registry: {message}"),
                "write a registry host and optional path prefix, e.g. `registry.example.com/team/`",
            );
            return Exit::Usage;
        }
    };
    let exclude = match input::Exclude::new(&args.exclude) {
        Ok(x) => x,
        Err(e) => {
            out::error(
                &e,
                "write a glob such as `templates`, `charts/*/templates` or `*.tpl.yaml`",
            );
            return Exit::Usage;
        }
    };
    let inputs = match input::gather(&args.paths, &exclude, std::io::stdin().lock()) {
        Ok(i) => i,
        Err(e) => {
            out::error(&e, e.help());
            return Exit::Usage;
        }
    };
    let files = &inputs.files;
    let (mut report, documents) = validate_documents(
        files,
        &Options {
            skip,
            registries,
            cluster: args.cluster,
            jobs: args.jobs,
        },
    );
    // The checked documents are not read again and the process ends soon: freeing
    // every node of every document would cost about a tenth of the run.
    std::mem::forget(documents);
    report.add_unreadable(&inputs.unreadable);
    report.unsearched = inputs.hidden.clone();
    report.excluded = inputs.excluded;
    let files = &readable_and_not(inputs.files, &inputs.unreadable);
    let text = match args.format {
        CheckFormat::Text => paint(&report::text_with(&report, files, detail()), Stream::Stdout),
        CheckFormat::Json => report::json::json(&report, files),
        CheckFormat::Sarif => report::sarif::sarif(&report),
    };
    let printed = out::print(&text);
    if printed != Exit::Ok {
        return printed;
    }
    if is_empty(&report) && !args.allow_empty {
        out::error(
            format_args!("no documents in {}", names(files)),
            "check that the command producing the manifests succeeded; pass `--allow-empty` if empty input is expected",
        );
        return Exit::Findings;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if report.findings.iter().any(|f| f.severity >= threshold) {
        Exit::Findings
    } else {
        Exit::Ok
    }
}

/// Every file given, the ones that could not be read as text with no text, so that
/// reports count and name them (the texts are moved, not copied).
fn readable_and_not(
    mut files: Vec<(String, String)>,
    unreadable: &[input::Unreadable],
) -> Vec<(String, String)> {
    files.extend(unreadable.iter().map(|u| (u.file.clone(), String::new())));
    files
}

/// How much the text report says, from `-q`/`-v`.
fn detail() -> report::Detail {
    match out::verbosity() {
        Verbosity::Quiet => report::Detail::Quiet,
        Verbosity::Normal => report::Detail::Normal,
        Verbosity::Verbose => report::Detail::Verbose,
    }
}

/// Nothing was read: no document checked or skipped, no syntax error.
fn is_empty(report: &kubeward::validate::Report) -> bool {
    report.documents == 0 && report.skipped.is_empty() && report.findings.is_empty()
}

/// `<stdin>`, `a.yaml`, or `3 files` for messages.
fn names(files: &[(String, String)]) -> String {
    match files {
        [(name, _)] => format!("`{name}`"),
        _ => format!("{} files", files.len()),
    }
}

/// The `--skip` ids as a set, or the usage error to print.
/// The rules to skip, or what is wrong with the first bad id and how to fix it.
fn skip_set(ids: &[String]) -> Result<BTreeSet<String>, (String, String)> {
    for id in ids {
        if find(id).is_some() {
            continue;
        }
        if lookup(id).is_some() {
            return Err((
                format!("`{id}` is a built-in check and cannot be skipped"),
                "schema and syntax checks always run; `kubeward rules` lists the rules that can be skipped".into(),
            ));
        }
        return Err((format!("no rule `{id}`"), hint(suggest_rule(id))));
    }
    Ok(ids.iter().cloned().collect())
}

/// The `--registry` prefixes, normalised as the spec's `registries` are, or what is
/// wrong with the first bad one.
fn registry_prefixes(given: &[String]) -> Result<Vec<String>, String> {
    given.iter().map(|r| registry_prefix(r)).collect()
}

fn hint(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`? `kubeward rules` lists every rule"),
        None => "`kubeward rules` lists every rule".into(),
    }
}

pub fn run_rules(args: &RulesArgs) -> Exit {
    let out = match args.format {
        RulesFormat::Text => doc::text(),
        RulesFormat::Markdown => doc::markdown(),
        RulesFormat::Json => doc::json(),
    };
    out::print(&out)
}

pub fn run_explain(args: &ExplainArgs) -> Exit {
    let Some(m) = lookup(&args.rule) else {
        out::error(
            format_args!("no rule `{}`", args.rule),
            hint(suggest(&args.rule)),
        );
        return Exit::Usage;
    };
    out::print(&doc::explain(&m))
}
