//! NetworkPolicies (networking.k8s.io/v1) parsed once into what the evaluator needs:
//! the pods they select, the directions they isolate (with the API's `policyTypes`
//! defaults) and their rules. Whatever the API server would refuse allows nothing.

use std::net::IpAddr;

use serde_yaml::Value;

use crate::k8s::names::Cidr;
use crate::validate::Document;

use super::ports::RulePorts;
use crate::k8s::selector::Selector;

/// One NetworkPolicy.
#[derive(Debug, Clone)]
pub struct Policy {
    pub namespace: String,
    pub name: String,
    /// Index of its document in the evaluated slice.
    pub doc: usize,
    pub selector: Selector,
    /// The ingress rules when the policy isolates ingress.
    pub ingress: Option<Vec<Rule>>,
    /// The egress rules when the policy isolates egress.
    pub egress: Option<Vec<Rule>>,
}

impl Policy {
    /// `namespace/name`, as messages show it.
    pub fn id(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// One ingress or egress rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The peers (`from` or `to`); `None` when absent or empty: every peer.
    pub peers: Option<Vec<Peer>>,
    pub ports: RulePorts,
}

/// One peer. The selectors of one peer are ANDed; the peers of a rule are ORed.
#[derive(Debug, Clone, PartialEq)]
pub enum Peer {
    /// Pods matching `pods` (every pod when `None`) in the namespaces matching
    /// `namespaces` (the policy's own namespace when `None`).
    Pods {
        namespaces: Option<Selector>,
        pods: Option<Selector>,
    },
    /// Addresses in `cidr` outside every `except`.
    Block { cidr: Cidr, except: Vec<Cidr> },
    /// A peer the API server would refuse.
    Invalid,
}

/// Parse a CIDR as the API server reads it (host bits are masked).
pub fn parse_cidr(s: &str) -> Option<Cidr> {
    let (addr, prefix) = s.split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    if prefix > if addr.is_ipv4() { 32 } else { 128 } {
        return None;
    }
    let c = Cidr { addr, prefix };
    Some(Cidr {
        addr: c.network(),
        prefix,
    })
}

fn selector(v: &Value, key: &str) -> Option<Selector> {
    v.get(key).filter(|s| !s.is_null()).map(Selector::parse)
}

impl Peer {
    pub fn parse(v: &Value) -> Peer {
        let namespaces = selector(v, "namespaceSelector");
        let pods = selector(v, "podSelector");
        match v.get("ipBlock").filter(|b| !b.is_null()) {
            Some(block) if namespaces.is_none() && pods.is_none() => Self::block(block),
            Some(_) => Peer::Invalid,
            None if namespaces.is_none() && pods.is_none() => Peer::Invalid,
            None => Peer::Pods { namespaces, pods },
        }
    }

    fn block(v: &Value) -> Peer {
        let Some(cidr) = v.get("cidr").and_then(Value::as_str).and_then(parse_cidr) else {
            return Peer::Invalid;
        };
        let except: Option<Vec<Cidr>> = match v.get("except") {
            None | Some(Value::Null) => Some(Vec::new()),
            Some(Value::Sequence(s)) => s.iter().map(|e| e.as_str().and_then(parse_cidr)).collect(),
            Some(_) => None,
        };
        match except {
            Some(except) => Peer::Block { cidr, except },
            None => Peer::Invalid,
        }
    }
}

fn rules(spec: &Value, key: &str, peers: &str) -> Vec<Rule> {
    spec.get(key)
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|r| {
            let list: Vec<Peer> = r
                .get(peers)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
                .map(Peer::parse)
                .collect();
            Rule {
                peers: (!list.is_empty()).then_some(list),
                ports: RulePorts::parse(r.get("ports")),
            }
        })
        .collect()
}

/// The directions a policy isolates: `policyTypes`, or when it is absent or empty,
/// ingress always and egress when the policy has egress rules.
fn directions(spec: &Value) -> (bool, bool) {
    let types: Vec<&str> = spec
        .get("policyTypes")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if types.is_empty() {
        let egress = spec
            .get("egress")
            .and_then(Value::as_sequence)
            .is_some_and(|e| !e.is_empty());
        return (true, egress);
    }
    (types.contains(&"Ingress"), types.contains(&"Egress"))
}

impl Policy {
    /// The policy of document `doc` (index `index`), if it is a NetworkPolicy.
    pub fn parse(index: usize, doc: &Document) -> Option<Policy> {
        if doc.kind() != "NetworkPolicy" {
            return None;
        }
        let spec = doc.value.get("spec").unwrap_or(&Value::Null);
        let (ingress, egress) = directions(spec);
        Some(Policy {
            namespace: doc.namespace().unwrap_or("default").to_string(),
            name: doc.name().to_string(),
            doc: index,
            selector: spec
                .get("podSelector")
                .map_or_else(Selector::everything, Selector::parse),
            ingress: ingress.then(|| rules(spec, "ingress", "from")),
            egress: egress.then(|| rules(spec, "egress", "to")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(spec: &str) -> Policy {
        let text = format!(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: p, namespace: a}}\nspec:\n{spec}"
        );
        let docs = crate::validate::parse_documents("p.yaml", &text).unwrap();
        Policy::parse(0, &docs[0]).unwrap()
    }

    #[test]
    fn policy_types_default_from_the_rules() {
        let p = policy("  podSelector: {}\n");
        assert!(p.ingress.as_ref().is_some_and(Vec::is_empty) && p.egress.is_none());
        let p = policy("  podSelector: {}\n  egress: [{}]\n");
        assert!(p.ingress.is_some() && p.egress.as_ref().is_some_and(|e| e.len() == 1));
        let p = policy("  podSelector: {}\n  egress: []\n");
        assert!(
            p.egress.is_none(),
            "an empty egress list does not isolate egress"
        );
        let p = policy("  podSelector: {}\n  policyTypes: [Egress]\n  ingress: [{}]\n");
        assert!(p.ingress.is_none() && p.egress.is_some());
    }

    #[test]
    fn peers_and_their_errors() {
        let peer = |s: &str| Peer::parse(&serde_yaml::from_str(s).unwrap());
        assert!(matches!(
            peer("{podSelector: {}, namespaceSelector: {}}"),
            Peer::Pods {
                namespaces: Some(_),
                pods: Some(_)
            }
        ));
        assert_eq!(peer("{}"), Peer::Invalid);
        assert_eq!(peer("{ipBlock: {cidr: nope}}"), Peer::Invalid);
        assert_eq!(
            peer("{ipBlock: {cidr: 10.0.0.0/8}, podSelector: {}}"),
            Peer::Invalid
        );
        let Peer::Block { cidr, except } =
            peer("{ipBlock: {cidr: 10.1.2.3/8, except: [10.9.0.0/16]}}")
        else {
            panic!("not a block")
        };
        assert_eq!(cidr, parse_cidr("10.0.0.0/8").unwrap());
        assert_eq!(except.len(), 1);
    }
}
