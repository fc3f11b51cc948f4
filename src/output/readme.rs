//! The bundle's own `README.md`: what is in it, how to apply it, and a Mermaid diagram
//! of every allowed flow (everything else is denied).

use std::fmt::Write;

use crate::diagram::{Graph, Group, Shape};
use crate::resolve::Model;
use crate::resolve::model::{Destination, Flow, LogBackend, Source};

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
            format!(
                "| {} | {:?} {} | {} |",
                ns.name,
                g.subject_kind,
                esc(&g.subject_name),
                g.label()
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
    if let Some(l) = &model.logging {
        let backend = match &l.backend {
            LogBackend::Elasticsearch { index_prefix } => {
                format!("Elasticsearch (indices `{}-*`)", esc(index_prefix))
            }
            LogBackend::Loki { .. } => "Loki".to_string(),
        };
        let tls = if l.endpoint.tls {
            "over TLS with the certificate verified"
        } else {
            "without TLS"
        };
        let _ = writeln!(
            out,
            "\n## Logging\n\nFluent Bit (`{}/fluent-bit`, one pod per node) ships every container's log to {backend} at `{}:{}`, {tls}. It reads `/var/log` read-only and may reach only the API server and that endpoint.",
            l.namespace,
            esc(&l.endpoint.host),
            l.endpoint.port
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
    flow_graph(model).mermaid()
}

/// The same picture as [`diagram`], as a Graphviz DOT digraph.
pub fn diagram_dot(model: &Model) -> String {
    flow_graph(model).dot()
}

/// The declared flows of `model` as a graph: apps grouped by namespace, one node for each
/// outside endpoint of each flow.
pub fn flow_graph(model: &Model) -> Graph {
    let mut g = Graph::default();
    let apps: Vec<usize> = model
        .apps
        .iter()
        .enumerate()
        .map(|(ai, a)| g.node(format!("a{ai}"), a.name.clone(), Shape::Box))
        .collect();
    for (ni, ns) in model.namespaces.iter().enumerate() {
        g.groups.push(Group {
            id: format!("n{ni}"),
            label: format!("namespace {}", ns.name),
            nodes: model.apps_in(&ns.name).map(|(ai, _)| apps[ai]).collect(),
        });
    }
    let mut external = 0;
    let mut outside = |g: &mut Graph, label: String, shape: Shape| {
        external += 1;
        g.node(format!("x{}", external - 1), label, shape)
    };
    for flow in &model.flows {
        let from = match &flow.from {
            Source::App(i) => apps[*i],
            Source::Ingress { namespace } => outside(
                &mut g,
                format!("ingress: {}", esc(namespace)),
                Shape::Stadium,
            ),
        };
        let to = match &flow.to {
            Destination::App(i) => apps[*i],
            Destination::ApiServer { .. } => {
                outside(&mut g, "kube-apiserver".into(), Shape::Cylinder)
            }
            Destination::Cidr { cidr, except } => {
                let except = if except.is_empty() {
                    String::new()
                } else {
                    format!(" except {}", except.join(", "))
                };
                outside(&mut g, format!("{cidr}{except}"), Shape::Cylinder)
            }
        };
        g.edge(from, to, edge_label(flow));
    }
    g
}

/// `TCP 80→8080, 9090`: each declared port, with the port it opens when they differ.
fn edge_label(flow: &Flow) -> String {
    let ports: Vec<String> = flow.ports.iter().map(|p| p.label()).collect();
    format!("{} {}", flow.protocol.as_str(), ports.join(", "))
}
