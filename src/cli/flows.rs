//! `kubeward flows` and `kubeward diagram`, and how `render` reports a failed flow
//! proof: the connections NetworkPolicies allow, and the declared flows, as text, JSON,
//! Mermaid or DOT.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::ValueEnum;

use kubeward::diag::render_all;
use kubeward::input;
use kubeward::output::{diagram, diagram_dot};
use kubeward::proof::Difference;
use kubeward::report::flows;
use kubeward::resolve::load_resolved;
use kubeward::validate::netpol::{Extras, evaluate};
use kubeward::validate::parse_documents;

use super::{Exit, SpecFile, out};

/// Print the differences of a failed flow proof; nothing was written.
pub fn report_unproven(differences: &[Difference], origins: &BTreeMap<String, String>) -> Exit {
    out::error_line("the rendered network policies allow other connections than the spec declares");
    for d in differences {
        out::stderr(format_args!("  {d}"));
    }
    let mut templates: Vec<&str> = differences
        .iter()
        .flat_map(|d| &d.policies)
        .filter_map(|(_, file)| origins.get(file).map(String::as_str))
        .collect();
    templates.sort_unstable();
    templates.dedup();
    let from = if templates.is_empty() {
        String::new()
    } else {
        format!(
            " (rendered from {})",
            templates
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    out::stderr(format_args!(
        "  help: the policies{from} must open exactly the declared `flows` and DNS; fix the template, or declare the flow in the spec"
    ));
    out::error_line(format_args!(
        "{} connection difference(s); nothing was written",
        differences.len()
    ));
    Exit::Findings
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowsFormat {
    /// One `from → to port/proto` line per allowed connection, with its policies
    Text,
    /// Versioned JSON
    Json,
    /// A Mermaid flowchart
    Mermaid,
    /// A Graphviz DOT digraph
    Dot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagramFormat {
    /// A Mermaid flowchart (as in the bundle README)
    Mermaid,
    /// A Graphviz DOT digraph
    Dot,
}

#[derive(Debug, clap::Args)]
pub struct FlowsArgs {
    /// Files or directories (searched recursively for .yaml/.yml), or `-` for stdin
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = FlowsFormat::Text)]
    pub format: FlowsFormat,
}

#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiagramFormat::Mermaid)]
    pub format: DiagramFormat,
}

/// `kubeward flows`: the connections the NetworkPolicies of any manifests allow.
pub fn run_flows(args: &FlowsArgs) -> Exit {
    let files = match input::collect(&args.paths, std::io::stdin().lock()) {
        Ok(f) => f,
        Err(e) => {
            out::error(&e, e.help());
            return Exit::Usage;
        }
    };
    let mut docs = Vec::new();
    for (name, text) in &files {
        match parse_documents(name, text) {
            Ok(d) => docs.extend(d),
            Err(e) => {
                let fix = if e.too_large {
                    "split the document"
                } else {
                    "fix the YAML syntax at this position"
                };
                out::error_at(
                    &e.file,
                    e.pos.line,
                    e.pos.col,
                    e.headline(),
                    format_args!("{fix} (`kubeward check` reports every problem)"),
                );
                return Exit::Usage;
            }
        }
    }
    let matrix = evaluate(&docs, &Extras::default());
    let out = match args.format {
        FlowsFormat::Text => flows::text(&matrix),
        FlowsFormat::Json => flows::json(&matrix),
        FlowsFormat::Mermaid => flows::graph(&matrix).mermaid(),
        FlowsFormat::Dot => flows::graph(&matrix).dot(),
    };
    out::print(&out)
}

/// `kubeward diagram`: the declared flows of a spec as a picture.
pub fn run_diagram(args: &DiagramArgs) -> Exit {
    match load_resolved(&args.spec.file) {
        Ok((_, resolved)) => out::print(&match args.format {
            DiagramFormat::Mermaid => diagram(&resolved.model),
            DiagramFormat::Dot => diagram_dot(&resolved.model),
        }),
        Err(diags) => {
            out::stderr(render_all(&diags));
            let errors = diags.iter().filter(|d| d.is_error()).count();
            out::stderr("");
            out::error_line(format_args!("the spec has {errors} error(s)"));
            Exit::Usage
        }
    }
}
