//! Output formats of `kubeward flows`: the allowed-connection matrix of any manifests as
//! text (one `from → to port/proto` line per allowed connection, with the policies that
//! allow it), versioned JSON, or a picture (Mermaid or DOT, through
//! [`crate::diagram`]).
//!
//! JSON (`version: 1`): `{"version": 1, "isolated": bool, "connections": [{"from", "to",
//! "protocol", "port", "endPort", "policies": ["ns/name", …]}]}`; `from`/`to` are
//! `ns/workload`, `ns/*` (any pod of a namespace outside the input), `ns/[k=v]` (a pod
//! with those labels), an address region, `any source` or `any destination`; an empty
//! `policies` list means no policy isolates that side.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagram::{Graph, Group, Shape};
use crate::validate::netpol::ports::span;
use crate::validate::netpol::{Connection, Endpoint, Matrix};

/// An endpoint as `flows` names it.
pub fn endpoint(m: &Matrix, e: Endpoint, from: bool) -> String {
    match (e, from) {
        (Endpoint::Any, true) => "any source".into(),
        (Endpoint::Any, false) => "any destination".into(),
        _ => m.universe.show(e),
    }
}

/// What allows a connection: its policies, or which side no policy isolates.
fn why(m: &Matrix, c: &Connection) -> String {
    if !c.allow.policies.is_empty() {
        return m.policy_names(c).join(", ");
    }
    match (c.from, c.to) {
        (_, Endpoint::Any) => "no policy isolates its egress".into(),
        (Endpoint::Any, _) => "no policy isolates its ingress".into(),
        _ => "no policy isolates either side".into(),
    }
}

/// One line per allowed connection and port range, then a summary.
pub fn text(m: &Matrix) -> String {
    let (mut out, mut lines) = (String::new(), 0);
    for c in &m.connections {
        let (from, to) = (endpoint(m, c.from, true), endpoint(m, c.to, false));
        let ports: Vec<String> = if c.allow.ports.is_all() {
            vec!["any port".into()]
        } else {
            c.allow
                .ports
                .ranges()
                .map(|(p, a, b)| match (a, b) {
                    (1, 65535) => format!("any/{}", p.as_str()),
                    _ => format!("{}/{}", span(a, b), p.as_str()),
                })
                .collect()
        };
        for port in ports {
            out.push_str(&format!("{from} → {to} {port} ({})\n", why(m, c)));
            lines += 1;
        }
    }
    let workloads = m
        .universe
        .pods
        .iter()
        .filter(|p| p.workload.is_some())
        .count();
    if !m.any_isolation() {
        out.push_str(&format!(
            "no NetworkPolicy isolates any of the {workloads} workload(s): every pod is open to any source and any destination\n"
        ));
    } else {
        out.push_str(&format!(
            "{lines} allowed connection(s) of {workloads} workload(s) under {} NetworkPolic{}\n",
            m.policies.len(),
            if m.policies.len() == 1 { "y" } else { "ies" }
        ));
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonConnection {
    from: String,
    to: String,
    protocol: &'static str,
    port: u16,
    end_port: u16,
    policies: Vec<String>,
}

#[derive(Serialize)]
struct JsonMatrix {
    version: u32,
    isolated: bool,
    connections: Vec<JsonConnection>,
}

/// The versioned JSON document (see the module doc).
pub fn json(m: &Matrix) -> String {
    let connections = m
        .connections
        .iter()
        .flat_map(|c| {
            c.allow.ports.ranges().map(move |(p, a, b)| JsonConnection {
                from: endpoint(m, c.from, true),
                to: endpoint(m, c.to, false),
                protocol: p.as_str(),
                port: a,
                end_port: b,
                policies: m.policy_names(c),
            })
        })
        .collect();
    let doc = JsonMatrix {
        version: 1,
        isolated: m.any_isolation(),
        connections,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// The matrix as a graph: pods grouped by namespace, addresses and `any` loose.
pub fn graph(m: &Matrix) -> Graph {
    let mut g = Graph::default();
    let mut nodes: HashMap<(Endpoint, bool), usize> = HashMap::new();
    let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
    for c in &m.connections {
        let ends = [(c.from, true), (c.to, false)].map(|(e, from)| {
            // `any` is one node as a source and another as a destination.
            let key = (e, from && e == Endpoint::Any);
            *nodes.entry(key).or_insert_with(|| {
                let id = format!("e{}", g.nodes.len());
                let (label, shape) = match (e, m.universe.namespace_name(e)) {
                    (Endpoint::Pod(_), Some(ns)) => {
                        let label = endpoint(m, e, from);
                        let short = label.strip_prefix(&format!("{ns}/")).unwrap_or(&label);
                        (short.to_string(), Shape::Box)
                    }
                    _ => (endpoint(m, e, from), Shape::Cylinder),
                };
                let n = g.node(id, label, shape);
                if let Some(ns) = m.universe.namespace_name(e) {
                    match groups.iter_mut().find(|(name, _)| name == ns) {
                        Some((_, list)) => list.push(n),
                        None => groups.push((ns.to_string(), vec![n])),
                    }
                }
                n
            })
        });
        g.edge(ends[0], ends[1], c.allow.ports.to_string());
    }
    g.groups = groups
        .into_iter()
        .enumerate()
        .map(|(i, (name, nodes))| Group {
            id: format!("n{i}"),
            label: format!("namespace {name}"),
            nodes,
        })
        .collect();
    g
}
