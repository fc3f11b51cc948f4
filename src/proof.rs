//! The flow proof: the connections the rendered NetworkPolicies allow (computed by
//! [`crate::validate::netpol`]) must equal the model's declared flows plus DNS (every
//! pod may reach kube-dns, and the NodeLocal DNS address when set, on UDP and TCP 53).
//!
//! Each side is proved on its own: what every app's ingress admits equals the declared
//! flows into it, and what its egress lets out equals the declared flows out of it. So
//! a receiver that admits more than declared fails even while today's senders' egress
//! happens to stop the traffic. Any difference is an extra or a missing connection.

use std::collections::BTreeMap;
use std::fmt;

use crate::k8s::Protocol;
use crate::resolve::Model;
use crate::resolve::model::{Destination, EndpointPeer, Flow, Logging, Source};
use crate::validate::Document;
use crate::validate::netpol::{
    Connection, DNS_LABEL, DNS_NAMESPACE, Endpoint, Evaluation, Extras, PortSet, Universe,
    parse_cidr,
};

/// The side of a connection a policy rule decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The receiver's ingress.
    Ingress,
    /// The sender's egress.
    Egress,
}

/// One connection the policies and the declared flows disagree on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// Allowed by the policies but not declared (else declared but not allowed).
    pub extra: bool,
    pub side: Side,
    pub from: String,
    pub to: String,
    pub ports: PortSet,
    /// For an extra connection: each policy that allows it and the file it is in.
    pub policies: Vec<(String, String)>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.extra { "extra" } else { "missing" };
        write!(f, "{kind}: {} → {} {} (", self.from, self.to, self.ports)?;
        let (verb, whose) = match self.side {
            Side::Ingress => ("admitted", format!("the ingress of {}", self.to)),
            Side::Egress => ("let out", format!("the egress of {}", self.from)),
        };
        if !self.extra {
            write!(f, "not {verb} by {whose}")?;
        } else if self.policies.is_empty() {
            write!(f, "no policy isolates {whose}")?;
        } else {
            let names: Vec<String> = self
                .policies
                .iter()
                .map(|(p, file)| format!("`{p}` in {file}"))
                .collect();
            write!(f, "{verb} by {}", names.join(", "))?;
        }
        f.write_str(")")
    }
}

type Key = (String, String);

/// What the proof needs to know about the outside: the ingress namespaces and CIDRs.
pub fn extras(model: &Model) -> Extras {
    let mut cidrs: Vec<String> = model.dns_node_local.iter().cloned().collect();
    for flow in &model.flows {
        match &flow.to {
            Destination::Cidr { cidr, except } => {
                cidrs.push(cidr.clone());
                cidrs.extend(except.iter().cloned());
            }
            Destination::ApiServer { cidrs: api } => cidrs.extend(api.iter().cloned()),
            Destination::App(_) => {}
        }
    }
    let mut namespaces: Vec<String> = model
        .namespaces
        .iter()
        .filter_map(|n| n.ingress_from.clone())
        .collect();
    if let Some(l) = &model.logging {
        cidrs.extend(l.api_server.iter().cloned());
        match &l.endpoint.peer {
            EndpointPeer::Cidr(c) => cidrs.push(c.clone()),
            EndpointPeer::Namespace(ns) => namespaces.push(ns.clone()),
            EndpointPeer::Anywhere => {}
        }
        namespaces.extend(l.metrics_from.iter().cloned());
    }
    Extras {
        namespaces,
        cidrs,
        policy_pods: false,
    }
}

/// The differences between what `docs` allow and what `model` declares; empty when
/// the rendered policies open exactly the declared flows and DNS.
pub fn prove(model: &Model, docs: &[Document]) -> Vec<Difference> {
    let eval = Evaluation::new(docs, &extras(model));
    let (admitted, let_out) = eval.sides();
    let (expected_in, expected_out) = expected(model, &eval.universe);
    let mut out = compare(Side::Ingress, &actual(&eval, &admitted, docs), &expected_in);
    out.extend(compare(
        Side::Egress,
        &actual(&eval, &let_out, docs),
        &expected_out,
    ));
    out
}

type Actual = BTreeMap<Key, (PortSet, Vec<(String, String)>)>;

fn compare(side: Side, actual: &Actual, expected: &BTreeMap<Key, PortSet>) -> Vec<Difference> {
    let mut out = Vec::new();
    let diff = |extra, (from, to): &Key, ports, policies| Difference {
        extra,
        side,
        from: from.clone(),
        to: to.clone(),
        ports,
        policies,
    };
    for (key, (ports, policies)) in actual {
        let extra = match expected.get(key) {
            Some(e) => ports.minus(e),
            None => ports.clone(),
        };
        if !extra.is_empty() {
            out.push(diff(true, key, extra, policies.clone()));
        }
    }
    for (key, ports) in expected {
        let missing = match actual.get(key) {
            Some((a, _)) => ports.minus(a),
            None => ports.clone(),
        };
        if !missing.is_empty() {
            out.push(diff(false, key, missing, Vec::new()));
        }
    }
    out
}

/// An endpoint as the proof names it (`any source`, `any destination`).
fn show(u: &Universe, e: Endpoint, from: bool) -> String {
    match (e, from) {
        (Endpoint::Any, true) => "any source".into(),
        (Endpoint::Any, false) => "any destination".into(),
        _ => u.show(e),
    }
}

fn actual(m: &Evaluation, side: &[Connection], docs: &[Document]) -> Actual {
    let mut out = Actual::new();
    for c in side {
        let key = (
            show(&m.universe, c.from, true),
            show(&m.universe, c.to, false),
        );
        let entry = out.entry(key).or_default();
        entry.0.add(&c.allow.ports);
        for p in &c.allow.policies {
            let policy = &m.policies[*p];
            let file = docs.get(policy.doc).map_or("?", |d| d.file.as_str());
            let named = (policy.id(), file.to_string());
            if !entry.1.contains(&named) {
                entry.1.push(named);
            }
        }
    }
    out
}

/// The declared connections: (into apps, out of apps).
fn expected(model: &Model, u: &Universe) -> (BTreeMap<Key, PortSet>, BTreeMap<Key, PortSet>) {
    let (mut into, mut out_of) = (BTreeMap::new(), BTreeMap::new());
    let add = |map: &mut BTreeMap<Key, PortSet>, from: &str, to: &str, ports: &PortSet| {
        map.entry((from.to_string(), to.to_string()))
            .or_default()
            .add(ports);
    };
    for flow in &model.flows {
        let mut ports = PortSet::default();
        for p in &flow.ports {
            if let Ok(port) = u16::try_from(p.opened) {
                ports.add(&PortSet::single(flow.protocol, port));
            }
        }
        for from in sources(model, u, flow) {
            for to in destinations(model, u, flow) {
                if matches!(flow.to, Destination::App(_)) {
                    add(&mut into, &from, &to, &ports);
                }
                if matches!(flow.from, Source::App(_)) {
                    add(&mut out_of, &from, &to, &ports);
                }
            }
        }
    }
    let mut dns = PortSet::single(Protocol::Udp, 53);
    dns.add(&PortSet::single(Protocol::Tcp, 53));
    let kube_dns = format!("{DNS_NAMESPACE}/[{}={}]", DNS_LABEL.0, DNS_LABEL.1);
    let node_local: Vec<String> = model
        .dns_node_local
        .iter()
        .flat_map(|c| regions(u, c, &[]))
        .collect();
    let mut pods: Vec<String> = model
        .apps
        .iter()
        .map(|a| format!("{}/{}", a.namespace, a.name))
        .collect();
    if let Some(l) = &model.logging {
        pods.push(format!("{}/{}", l.namespace, l.name));
        logging(l, u, &mut into, &mut out_of);
    }
    for pod in &pods {
        add(&mut out_of, pod, &kube_dns, &dns);
        for region in &node_local {
            add(&mut out_of, pod, region, &dns);
        }
    }
    (into, out_of)
}

/// The log shipper's declared connections: out to the API server and the log endpoint,
/// in (to its metrics port) from the namespace `metricsFrom` names.
fn logging(
    l: &Logging,
    u: &Universe,
    into: &mut BTreeMap<Key, PortSet>,
    out_of: &mut BTreeMap<Key, PortSet>,
) {
    let pod = format!("{}/{}", l.namespace, l.name);
    let tcp = |ports: &[u32]| {
        let mut set = PortSet::default();
        for p in ports.iter().filter_map(|p| u16::try_from(*p).ok()) {
            set.add(&PortSet::single(Protocol::Tcp, p));
        }
        set
    };
    let namespace_pods = |ns: &str| -> Vec<String> {
        u.namespace(ns)
            .into_iter()
            .flat_map(|n| u.pods_in(n))
            .map(|p| u.show(Endpoint::Pod(p)))
            .collect()
    };
    let api: Vec<String> = if l.api_server.is_empty() {
        vec!["any destination".into()]
    } else {
        l.api_server
            .iter()
            .flat_map(|c| regions(u, c, &[]))
            .collect()
    };
    let endpoint: Vec<String> = match &l.endpoint.peer {
        EndpointPeer::Cidr(c) => regions(u, c, &[]),
        EndpointPeer::Namespace(ns) => namespace_pods(ns),
        EndpointPeer::Anywhere => vec!["any destination".into()],
    };
    let add = |map: &mut BTreeMap<Key, PortSet>, from: &str, to: &str, ports: &PortSet| {
        map.entry((from.to_string(), to.to_string()))
            .or_default()
            .add(ports);
    };
    for to in api {
        add(out_of, &pod, &to, &tcp(&l.api_server_ports));
    }
    for to in endpoint {
        add(out_of, &pod, &to, &tcp(&[l.endpoint.port]));
    }
    if let Some(ns) = &l.metrics_from {
        for from in namespace_pods(ns) {
            add(into, &from, &pod, &tcp(&[l.http_port]));
        }
    }
}

fn sources(model: &Model, u: &Universe, flow: &Flow) -> Vec<String> {
    match &flow.from {
        Source::App(i) => vec![app_name(model, *i)],
        Source::Ingress { namespace } => u
            .namespace(namespace)
            .into_iter()
            .flat_map(|ns| u.pods_in(ns))
            .map(|p| u.show(Endpoint::Pod(p)))
            .collect(),
    }
}

fn destinations(model: &Model, u: &Universe, flow: &Flow) -> Vec<String> {
    match &flow.to {
        Destination::App(i) => vec![app_name(model, *i)],
        Destination::Cidr { cidr, except } => regions(u, cidr, except),
        Destination::ApiServer { cidrs } if cidrs.is_empty() => vec!["any destination".into()],
        Destination::ApiServer { cidrs } => cidrs.iter().flat_map(|c| regions(u, c, &[])).collect(),
    }
}

fn app_name(model: &Model, i: usize) -> String {
    model
        .apps
        .get(i)
        .map_or_else(|| "?".into(), |a| format!("{}/{}", a.namespace, a.name))
}

/// The regions of `cidr` outside `except`, named as the matrix names them.
fn regions(u: &Universe, cidr: &str, except: &[String]) -> Vec<String> {
    let Some(cidr) = parse_cidr(cidr) else {
        return Vec::new();
    };
    let except: Vec<_> = except.iter().filter_map(|e| parse_cidr(e)).collect();
    u.regions
        .covered(&cidr, &except)
        .into_iter()
        .map(|r| u.show(Endpoint::Region(r)))
        .collect()
}
