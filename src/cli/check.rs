//! `kubeward check`, `rules` and `explain`: the checker on anyone's manifests. Reports
//! go to stdout (text, JSON or SARIF); usage and I/O errors go to stderr with exit 2.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::ValueEnum;

use kubeward::diag::Severity;
use kubeward::input;
use kubeward::report::{self, catalogue as doc};
use kubeward::validate::catalogue::{lookup, suggest, suggest_rule};
use kubeward::validate::rules::find;
use kubeward::validate::{Options, validate};

use super::{FINDINGS, OK, USAGE, out};

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
    /// Succeed when the input holds no YAML documents at all (by default that exits 1)
    #[arg(long)]
    pub allow_empty: bool,
    /// The inputs are one cluster: objects without a namespace are compared across
    /// directories (by default each directory, or kustomization root, is its own unit)
    #[arg(long)]
    pub cluster: bool,
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

pub fn run_check(args: &CheckArgs) -> u8 {
    let skip = match skip_set(&args.skip) {
        Ok(s) => s,
        Err(message) => {
            out::stderr(kubeward::diag::escape(&message));
            return USAGE;
        }
    };
    let files = match input::collect(&args.paths, std::io::stdin().lock()) {
        Ok(f) => f,
        Err(e) => {
            out::error(&e, e.help());
            return USAGE;
        }
    };
    let opts = Options {
        skip,
        cluster: args.cluster,
    };
    let report = validate(&files, &opts);
    let text = match args.format {
        CheckFormat::Text => report::text(&report, &files),
        CheckFormat::Json => report::json::json(&report, &files),
        CheckFormat::Sarif => report::sarif::sarif(&report),
    };
    if out::stdout(&text) == out::Printed::Failed {
        return USAGE;
    }
    if is_empty(&report) && !args.allow_empty {
        out::error(
            format_args!("no documents in {}", names(&files)),
            "check that the command producing the manifests succeeded; pass `--allow-empty` if empty input is expected",
        );
        return FINDINGS;
    }
    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
    };
    if report.findings.iter().any(|f| f.severity >= threshold) {
        FINDINGS
    } else {
        OK
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
fn skip_set(ids: &[String]) -> Result<BTreeSet<String>, String> {
    for id in ids {
        if find(id).is_some() {
            continue;
        }
        if lookup(id).is_some() {
            return Err(format!(
                "error: --skip: `{id}` is a built-in check and cannot be skipped"
            ));
        }
        return Err(format!(
            "error: --skip: no rule `{id}`\n  help: {}",
            hint(suggest_rule(id))
        ));
    }
    Ok(ids.iter().cloned().collect())
}

fn hint(suggestion: Option<&str>) -> String {
    match suggestion {
        Some(s) => format!("did you mean `{s}`? `kubeward rules` lists every rule"),
        None => "`kubeward rules` lists every rule".into(),
    }
}

pub fn run_rules(args: &RulesArgs) -> u8 {
    let out = match args.format {
        RulesFormat::Text => doc::text(),
        RulesFormat::Markdown => doc::markdown(),
        RulesFormat::Json => doc::json(),
    };
    print(&out)
}

pub fn run_explain(args: &ExplainArgs) -> u8 {
    let Some(m) = lookup(&args.rule) else {
        out::error(
            format_args!("no rule `{}`", args.rule),
            hint(suggest(&args.rule)),
        );
        return USAGE;
    };
    print(&doc::explain(&m))
}

/// Write to stdout: exit 0, or 2 when writing failed (a closed pipe is no failure).
fn print(text: &str) -> u8 {
    match out::stdout(text) {
        out::Printed::Failed => USAGE,
        out::Printed::Done | out::Printed::Closed => OK,
    }
}
