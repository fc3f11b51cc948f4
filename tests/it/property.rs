//! Property: for random valid flow sets, the allowed matrix of the rendered bundle is
//! exactly the declared flows plus DNS — computed here from the flows themselves, not
//! by the proof that `render` runs.

use std::collections::BTreeSet;

use proptest::prelude::*;

use kubeward::validate::netpol::{Extras, evaluate};
use kubeward::validate::parse_documents;

use crate::support::{DIGEST, render_text};

/// Four apps over two namespaces: `a0`, `a1` in `n0` (ingress from `ingress-nginx`),
/// `a2`, `a3` in `n1` (ingress from `edge`); app `i` listens on `8000 + i` and `9000 + i`.
const APPS: usize = 4;

fn namespace(app: usize) -> &'static str {
    if app < 2 { "n0" } else { "n1" }
}

#[derive(Debug, Clone)]
enum To {
    App(usize),
    /// `10.<k>.0.0/16`: disjoint blocks.
    Cidr(u8),
}

#[derive(Debug, Clone)]
struct Flow {
    /// `None`: from the ingress controller.
    from: Option<usize>,
    to: To,
    /// Which of the destination's two ports (or, for a CIDR, ports 5000 + n).
    ports: Vec<u16>,
}

fn flow() -> impl Strategy<Value = Flow> {
    let from = prop::option::weighted(0.8, 0..APPS);
    let to = prop_oneof![3 => (0..APPS).prop_map(To::App), 1 => (0u8..3).prop_map(To::Cidr)];
    (from, to, prop::collection::btree_set(0u16..2, 1..=2)).prop_map(|(from, to, ports)| Flow {
        from,
        to,
        ports: ports.into_iter().collect(),
    })
}

/// Flows the spec accepts: an app destination, or an app source for a CIDR; no flow to
/// itself; one flow per (from, to).
fn valid(flows: Vec<Flow>) -> Vec<Flow> {
    let mut seen = BTreeSet::new();
    flows
        .into_iter()
        .filter(|f| match (&f.from, &f.to) {
            (None, To::Cidr(_)) => false,
            (Some(a), To::App(b)) => a != b,
            _ => true,
        })
        .filter(|f| seen.insert(format!("{:?}{:?}", f.from, f.to)))
        .collect()
}

fn port(f: &Flow, n: u16) -> u16 {
    match f.to {
        To::App(j) => [8000, 9000][usize::from(n)] + j as u16,
        To::Cidr(_) => 5000 + n,
    }
}

fn spec(flows: &[Flow]) -> String {
    let mut s = String::from(
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: { ciPipeline: none }\nnamespaces:\n  - name: n0\n    ingressFrom: ingress-nginx\n  - name: n1\n    ingressFrom: edge\napps:\n",
    );
    for i in 0..APPS {
        s += &format!(
            "  - name: a{i}\n    namespace: {}\n    image: registry.example.com/a:1.0@{DIGEST}\n    ports: [{{ name: http, port: {} }}, {{ name: admin, port: {} }}]\n",
            namespace(i),
            8000 + i,
            9000 + i
        );
    }
    s += "flows:\n";
    for f in flows {
        let from = f.from.map_or("ingress".into(), |i| format!("a{i}"));
        let to = match f.to {
            To::App(j) => format!("{}/a{j}", namespace(j)),
            To::Cidr(k) => format!("{{ cidr: 10.{k}.0.0/16 }}"),
        };
        let ports: Vec<String> = f.ports.iter().map(|n| port(f, *n).to_string()).collect();
        s += &format!(
            "  - {{ from: {from}, to: {to}, ports: [{}] }}\n",
            ports.join(", ")
        );
    }
    s
}

/// The connections the flows declare, plus DNS, as `from → to port/TCP` lines.
fn declared(flows: &[Flow]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in flows {
        let ingress = match f.to {
            To::App(j) if namespace(j) == "n1" => "edge/*",
            _ => "ingress-nginx/*",
        };
        let from = f
            .from
            .map_or(ingress.into(), |i| format!("{}/a{i}", namespace(i)));
        let to = match f.to {
            To::App(j) => format!("{}/a{j}", namespace(j)),
            To::Cidr(k) => format!("10.{k}.0.0/16"),
        };
        for n in &f.ports {
            out.insert(format!("{from} → {to} {}/TCP", port(f, *n)));
        }
    }
    for i in 0..APPS {
        for proto in ["TCP", "UDP"] {
            out.insert(format!(
                "{}/a{i} → kube-system/[k8s-app=kube-dns] 53/{proto}",
                namespace(i)
            ));
        }
    }
    out
}

/// The allowed matrix of rendered files, one line per connection and port.
fn allowed(files: &[(String, String)]) -> BTreeSet<String> {
    let mut docs = Vec::new();
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".yaml")) {
        docs.extend(parse_documents(name, text).unwrap());
    }
    let m = evaluate(&docs, &Extras::default());
    let mut out = BTreeSet::new();
    for c in &m.connections {
        for (p, a, b) in c.allow.ports.ranges() {
            for port in a..=b.min(a.saturating_add(100)) {
                out.insert(format!(
                    "{} → {} {port}/{}",
                    m.universe.show(c.from),
                    m.universe.show(c.to),
                    p.as_str()
                ));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn the_matrix_of_a_rendered_bundle_is_its_flows_plus_dns(
        flows in prop::collection::vec(flow(), 0..8).prop_map(valid)
    ) {
        let files = render_text(&spec(&flows));
        prop_assert_eq!(allowed(&files), declared(&flows));
    }
}
