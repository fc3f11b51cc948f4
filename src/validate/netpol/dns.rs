//! `netpol-dns-egress`, read from one evaluation: each pod isolated for egress must
//! reach DNS on UDP 53 and on TCP 53, both sides of the connection allowing it.
//!
//! DNS is the kube-dns pods (`kube-system`, `k8s-app: kube-dns`, or the evaluator's
//! stand-in for them), or an address block in a private, shared or link-local range
//! that an `ipBlock` admits: NodeLocal DNSCache answers at a link-local address
//! (169.254.20.10 by default) and the DNS Service at a cluster address, neither of which
//! the manifests tell, so any such block allowed on port 53 counts. Public addresses do
//! not: a pod resolving through the cluster never asks them directly.

use std::collections::HashSet;

use crate::k8s::Protocol;
use crate::validate::Document;

use super::Spot;
use super::coverage::labels_path;
use super::eval::Evaluation;
use super::ports::PortSet;
use super::universe::{DNS_LABEL, DNS_NAMESPACE, Endpoint};
use super::{Policy, parse_cidr};
use crate::k8s::selector::Selector;

/// Where a cluster's DNS addresses lie: private (RFC 1918, RFC 4193), shared (RFC 6598)
/// and link-local ranges. The evaluation of `check` cuts its address regions at them.
pub const DNS_ADDRESS_RANGES: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "fc00::/7",
    "fe80::/10",
];

const DNS_PORT: u16 = 53;

/// One finding per workload isolated for egress that cannot reach DNS on both
/// protocols, at its pod labels; and one per pod a policy was written for but the input
/// does not hold (a policy read alone), at the first policy isolating it.
pub fn findings(eval: &Evaluation, docs: &[Document]) -> Vec<Spot> {
    let targets = targets(eval);
    let u = &eval.universe;
    let mut out = Vec::new();
    for (p, pod) in u.pods.iter().enumerate() {
        let Some((d, doc)) = pod
            .workload
            .as_ref()
            .and_then(|w| Some((w.2, docs.get(w.2)?)))
        else {
            continue;
        };
        if eval.isolated(p).1
            && let Some(m) = message(
                "these pods are isolated for egress",
                &missing(eval, p, &targets),
            )
        {
            out.push(Spot::new(d, labels_path(doc), m));
        }
    }
    let mut seen = HashSet::new();
    for policy in eval.policies.iter().filter(|p| p.egress.is_some()) {
        let Some(pod) = written_for(eval, policy).filter(|p| seen.insert(*p)) else {
            continue;
        };
        if policy.doc >= docs.len() {
            continue;
        }
        let what = "the policy isolates egress for the pods it selects";
        if let Some(m) = message(what, &missing(eval, pod, &targets)) {
            out.push(Spot::new(policy.doc, "spec.policyTypes", m));
        }
    }
    out
}

/// The pod a policy that selects no workload was written for: the evaluator's
/// stand-in with the labels its selector asks for.
fn written_for(eval: &Evaluation, policy: &Policy) -> Option<usize> {
    let u = &eval.universe;
    let ns = u.namespace(&policy.namespace)?;
    let selected = u.select_pods(ns, &policy.selector);
    if selected.iter().any(|p| u.pods[*p].workload.is_some()) {
        return None;
    }
    selected.first().copied()
}

/// The endpoints that answer DNS: kube-dns pods and the regions of DNS address ranges.
fn targets(eval: &Evaluation) -> Vec<Endpoint> {
    let u = &eval.universe;
    let dns = Selector::of_labels(&[DNS_LABEL]);
    let mut out: Vec<Endpoint> = u
        .namespace(DNS_NAMESPACE)
        .map(|ns| u.select_pods(ns, &dns))
        .unwrap_or_default()
        .into_iter()
        .map(Endpoint::Pod)
        .collect();
    let ranges: Vec<_> = DNS_ADDRESS_RANGES
        .iter()
        .filter_map(|r| parse_cidr(r))
        .collect();
    out.extend(
        (0..u.regions.len())
            .filter(|r| {
                u.regions
                    .cidr(*r)
                    .is_some_and(|c| ranges.iter().any(|range| range.contains(c)))
            })
            .map(Endpoint::Region),
    );
    out
}

/// The DNS protocols (UDP, TCP) on which pod `pod` reaches no DNS target on port 53.
fn missing(eval: &Evaluation, pod: usize, targets: &[Endpoint]) -> Vec<Protocol> {
    let wanted = [Protocol::Udp, Protocol::Tcp].map(|p| (p, PortSet::single(p, DNS_PORT)));
    let mut reach = PortSet::default();
    for t in targets {
        reach.add(&eval.allowed(Endpoint::Pod(pod), *t).ports);
        if wanted.iter().all(|(_, w)| !reach.intersect(w).is_empty()) {
            return Vec::new();
        }
    }
    wanted
        .into_iter()
        .filter(|(_, w)| reach.intersect(w).is_empty())
        .map(|(p, _)| p)
        .collect()
}

/// What is missing, said after `what`; `None` when nothing is.
fn message(what: &str, missing: &[Protocol]) -> Option<String> {
    let dns = "DNS (kube-dns in kube-system, or a private or link-local DNS address)";
    let why = |p: Protocol| match p {
        Protocol::Udp => "most lookups use UDP",
        _ => "large answers and retries use TCP",
    };
    match missing {
        [] => None,
        [one] => {
            let other = if *one == Protocol::Udp { "TCP" } else { "UDP" };
            Some(format!(
                "{what}, and may reach {dns} on {other} {DNS_PORT} only: {} {DNS_PORT} is missing ({})",
                one.as_str(),
                why(*one)
            ))
        }
        _ => Some(format!(
            "{what}, but may reach {dns} neither on UDP {DNS_PORT} nor on TCP {DNS_PORT}"
        )),
    }
}
