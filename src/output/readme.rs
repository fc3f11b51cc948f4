//! The bundle's own `README.md`: what is in it, how to apply it, and a Mermaid diagram
//! of every allowed flow (everything else is denied).

use std::fmt::Write;

use crate::resolve::Model;
use crate::resolve::access::role_name;
use crate::resolve::model::{Destination, Flow, Source};

/// Text safe inside a Markdown table cell or a Mermaid label.
fn esc(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '|' | '`' | '"' | '<' | '>' | '[' | ']' | '#' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// Render the README of a bundle rendered from `model`; `files` are the bundle's paths.
pub fn bundle_readme(model: &Model, files: &[&str]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Kubernetes bundle rendered by kubeward\n");
    let _ = writeln!(
        out,
        "Do not edit these files: change the spec and render again.\n"
    );
    let _ = writeln!(
        out,
        "Apply it with `kubectl apply -k .` (check first with `kubectl apply -k . --dry-run=server`)."
    );
    if files.contains(&"cluster/audit-policy.yaml") {
        let _ = writeln!(
            out,
            "`cluster/audit-policy.yaml` is not applied: hand it to every API server (see its header)."
        );
    }
    let _ = writeln!(
        out,
        "\n## Namespaces\n\n| namespace | team | Pod Security | apps |\n| --- | --- | --- | --- |"
    );
    for ns in &model.namespaces {
        let apps: Vec<&str> = model
            .apps_in(&ns.name)
            .map(|(_, a)| a.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            ns.name,
            esc(ns.team.as_deref().unwrap_or("")),
            ns.pod_security.as_str(),
            apps.join(", ")
        );
    }
    let access: Vec<String> = model
        .namespaces
        .iter()
        .flat_map(|ns| ns.access.iter().map(move |g| (ns, g)))
        .map(|(ns, g)| {
            let narrow = g
                .resources
                .as_ref()
                .map(|r| format!(" ({})", r.join(", ")))
                .unwrap_or_default();
            let exec = if g.exec { " + exec" } else { "" };
            format!(
                "| {} | {:?} {} | {}{narrow}{exec} |",
                ns.name,
                g.subject_kind,
                esc(&g.subject_name),
                role_name(g.role)
            )
        })
        .collect();
    if !access.is_empty() {
        let _ = writeln!(
            out,
            "\n## Access\n\n| namespace | subject | role |\n| --- | --- | --- |\n{}",
            access.join("\n")
        );
    }
    let _ = writeln!(
        out,
        "\n## Allowed traffic\n\nEvery namespace denies all ingress and egress except DNS; these flows are the only exceptions.\n"
    );
    let _ = writeln!(out, "```mermaid\n{}```", diagram(model));
    out.push_str(&super::pipeline::section(model));
    out
}

/// A Mermaid flowchart of the resolved flows: namespaces as subgraphs, outside endpoints
/// as extra nodes, ports on the edges (`80→8080` where a Service port maps to a container
/// port).
pub fn diagram(model: &Model) -> String {
    let mut out = String::from("flowchart LR\n");
    for (ni, ns) in model.namespaces.iter().enumerate() {
        let _ = writeln!(out, "  subgraph n{ni}[\"namespace {}\"]", ns.name);
        for (ai, a) in model.apps_in(&ns.name) {
            let _ = writeln!(out, "    a{ai}[\"{}\"]", a.name);
        }
        let _ = writeln!(out, "  end");
    }
    let mut external = 0;
    let mut node = |out: &mut String, shape: String| {
        let _ = writeln!(out, "  x{external}{shape}");
        external += 1;
        format!("x{}", external - 1)
    };
    for flow in &model.flows {
        let from = match &flow.from {
            Source::App(i) => format!("a{i}"),
            Source::Ingress { namespace } => {
                node(&mut out, format!("([\"ingress: {}\"])", esc(namespace)))
            }
        };
        let to = match &flow.to {
            Destination::App(i) => format!("a{i}"),
            Destination::ApiServer { .. } => node(&mut out, "[(\"kube-apiserver\")]".into()),
            Destination::Cidr { cidr, except } => {
                let except = if except.is_empty() {
                    String::new()
                } else {
                    format!(" except {}", except.join(", "))
                };
                node(&mut out, format!("[(\"{cidr}{except}\")]"))
            }
        };
        let _ = writeln!(out, "  {from} -->|\"{}\"| {to}", edge_label(flow));
    }
    out
}

/// `TCP 80→8080, 9090`: each declared port, with the port it opens when they differ.
fn edge_label(flow: &Flow) -> String {
    let ports: Vec<String> = flow
        .ports
        .iter()
        .map(|p| {
            if p.declared == p.opened {
                p.declared.to_string()
            } else {
                format!("{}→{}", p.declared, p.opened)
            }
        })
        .collect();
    format!("{} {}", flow.protocol.as_str(), ports.join(", "))
}
