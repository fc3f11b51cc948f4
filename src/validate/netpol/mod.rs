//! The NetworkPolicy evaluator (networking.k8s.io/v1): which connections the policies
//! of a set of manifests allow, between their pods, stand-ins for what lies outside them
//! and address regions. `render` proves its output with it, `kubeward flows` prints it
//! and the `netpol-*` rules of `check` read it.
//!
//! Semantics: a pod selected by a policy of a direction is isolated in that direction
//! and admits only what some rule of those policies allows (rules and policies add up);
//! `policyTypes` defaults to Ingress, plus Egress when the policy has egress rules; the
//! selectors of one peer are ANDed, the peers of a rule are ORed; an absent or empty
//! peer or port list means every peer or port; named ports resolve on the destination
//! pod's containers; `ipBlock`s match address regions only (never pods); namespaces
//! carry `kubernetes.io/metadata.name`. Anything the API server would refuse allows
//! nothing.

pub mod coverage;
pub mod dns;
mod eval;
pub mod lint;
mod policy;
pub mod ports;
mod regions;
mod universe;

#[cfg(test)]
mod tests;

/// A place the evaluation points at for `check`: a document of the input (by index),
/// a path in it, and what is wrong there. The rules that read the evaluation turn
/// spots into their findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spot {
    pub doc: usize,
    pub path: String,
    pub message: String,
}

impl Spot {
    fn new(doc: usize, path: impl Into<String>, message: String) -> Spot {
        Spot {
            doc,
            path: path.into(),
            message,
        }
    }
}

pub use eval::{Allow, Connection, Evaluation, Matrix, evaluate};
pub use policy::{Peer, Policy, Rule, parse_cidr};
pub use ports::PortSet;
pub use regions::Regions;
pub use universe::{
    DNS_LABEL, DNS_NAMESPACE, Endpoint, Extras, Namespace, OTHER, Origin, Pod, Universe,
};
