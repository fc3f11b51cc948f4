//! The bundle's own `README.md`: what is in it, how to apply it, and a Mermaid diagram
//! of every allowed flow (everything else is denied).

use std::fmt::Write;

use crate::spec::{
    FlowTarget, INGRESS, KUBE_APISERVER, LoadedSpec, destination_port, flow_ports, resolve_app,
};

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

/// Render the README of a bundle rendered from `spec`; `files` are the bundle's paths.
pub fn bundle_readme(spec: &LoadedSpec, files: &[&str]) -> String {
    let s = &spec.spec;
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
    for ns in &s.namespaces {
        let apps: Vec<&str> = s
            .apps
            .iter()
            .filter(|a| a.namespace == ns.name)
            .map(|a| a.name.as_str())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            ns.name,
            esc(ns.team.as_deref().unwrap_or("")),
            ns.pod_security.unwrap_or_default().as_str(),
            apps.join(", ")
        );
    }
    let access: Vec<String> = s
        .namespaces
        .iter()
        .flat_map(|ns| ns.access.iter().map(move |a| (ns, a)))
        .map(|(ns, a)| {
            let narrow = a
                .resources
                .as_ref()
                .map(|r| format!(" ({})", r.join(", ")))
                .unwrap_or_default();
            let exec = if a.exec { " + exec" } else { "" };
            format!(
                "| {} | {:?} {} | {}{narrow}{exec} |",
                ns.name,
                a.subject.kind,
                esc(&a.subject.name),
                crate::spec::access::role_name(a.role)
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
    let _ = writeln!(out, "```mermaid\n{}```", diagram(spec));
    out
}

fn diagram(spec: &LoadedSpec) -> String {
    let s = &spec.spec;
    let mut out = String::from("flowchart LR\n");
    for (ni, ns) in s.namespaces.iter().enumerate() {
        let _ = writeln!(out, "  subgraph n{ni}[\"namespace {}\"]", ns.name);
        for (ai, a) in s
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.namespace == ns.name)
        {
            let _ = writeln!(out, "    a{ai}[\"{}\"]", a.name);
        }
        let _ = writeln!(out, "  end");
    }
    let mut external = 0;
    for flow in &s.flows {
        let proto = flow.protocol.as_str();
        let ports: Vec<String> = flow_ports(flow).iter().map(u32::to_string).collect();
        let from = if flow.from == INGRESS {
            let target = match &flow.to {
                FlowTarget::Name(n) => resolve_app(s, n).ok(),
                FlowTarget::Cidr(_) => None,
            };
            let ns =
                target.and_then(|t| s.namespaces.iter().find(|n| n.name == s.apps[t].namespace));
            let _ = writeln!(
                out,
                "  x{external}([\"ingress: {}\"])",
                ns.and_then(|n| n.ingress_from.as_deref()).unwrap_or("?")
            );
            external += 1;
            format!("x{}", external - 1)
        } else {
            match resolve_app(s, &flow.from) {
                Ok(i) => format!("a{i}"),
                Err(_) => continue,
            }
        };
        let (to, label) = match &flow.to {
            FlowTarget::Name(n) if n == KUBE_APISERVER => {
                let _ = writeln!(out, "  x{external}[(\"kube-apiserver\")]");
                external += 1;
                (
                    format!("x{}", external - 1),
                    format!("{proto} {}", ports.join(", ")),
                )
            }
            FlowTarget::Name(n) => match resolve_app(s, n) {
                Ok(i) => {
                    let mapped: Vec<String> = flow_ports(flow)
                        .iter()
                        .map(|p| match destination_port(&s.apps[i], *p, flow.protocol) {
                            Some(d) if d.port != *p => format!("{p}→{}", d.port),
                            _ => p.to_string(),
                        })
                        .collect();
                    (format!("a{i}"), format!("{proto} {}", mapped.join(", ")))
                }
                Err(_) => continue,
            },
            FlowTarget::Cidr(c) => {
                let except = if c.except.is_empty() {
                    String::new()
                } else {
                    format!(" except {}", c.except.join(", "))
                };
                let _ = writeln!(out, "  x{external}[(\"{}{except}\")]", c.cidr);
                external += 1;
                (
                    format!("x{}", external - 1),
                    format!("{proto} {}", ports.join(", ")),
                )
            }
        };
        let _ = writeln!(out, "  {from} -->|\"{label}\"| {to}");
    }
    out
}
