//! `kubeward check`, `rules` and `explain`: the checker on anyone's manifests.

use std::path::PathBuf;

use crate::validate::rules::{RULES, find};

use super::{OK, USAGE};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories (searched recursively for .yaml/.yml), or `-` for stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// Rule id, e.g. `read-only-root-fs`
    pub rule: String,
}

pub fn run_check(_args: &CheckArgs) -> u8 {
    eprintln!("error: `kubeward check` is not available yet");
    USAGE
}

pub fn run_rules(_args: &RulesArgs) -> u8 {
    for r in RULES {
        println!(
            "{:<28} {:<8} {}",
            r.id(),
            r.severity().to_string(),
            r.title()
        );
    }
    OK
}

pub fn run_explain(args: &ExplainArgs) -> u8 {
    let Some(r) = find(&args.rule) else {
        eprintln!(
            "error: no rule `{}`\n  help: `kubeward rules` lists them",
            args.rule
        );
        return USAGE;
    };
    println!(
        "{} ({})\n\n{}\n\nWhy: {}\nFix: {}\nApplies to: {}\nReferences: {}",
        r.id(),
        r.severity(),
        r.title(),
        r.rationale(),
        r.fix(),
        r.kinds().join(", "),
        r.references().join("; ")
    );
    OK
}
