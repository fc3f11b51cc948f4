//! The allowed-connection matrix: a connection from A to B on a port exists when A's
//! egress allows it (A is not egress-isolated, or an egress rule of a policy selecting
//! A admits B on that port) and B's ingress allows it (likewise). Policies only add:
//! a pod selected by no policy of a direction is open in that direction.
//!
//! Each rule is applied once to the pods its policy selects and the endpoints its peers
//! stand for (found through the label index), so the cost follows the size of the
//! answer, not the square of the input.

use std::collections::{HashMap, HashSet};

use crate::validate::Document;

use super::policy::Policy;
use super::ports::{PortSet, RulePorts};
use super::universe::{Endpoint, Extras, Universe};

/// Ports allowed between two endpoints and the policies that allow them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allow {
    pub ports: PortSet,
    /// Indices into [`Matrix::policies`]; empty when no policy restricts either side.
    pub policies: Vec<usize>,
}

impl Allow {
    fn open() -> Allow {
        Allow {
            ports: PortSet::all(),
            policies: Vec::new(),
        }
    }

    fn add(&mut self, ports: &PortSet, policy: usize) {
        if ports.is_empty() {
            return;
        }
        self.ports.add(ports);
        if !self.policies.contains(&policy) {
            self.policies.push(policy);
        }
    }

    fn intersect(&self, other: &Allow) -> Allow {
        let mut policies = self.policies.clone();
        policies.extend(other.policies.iter().filter(|p| !self.policies.contains(p)));
        policies.sort_unstable();
        Allow {
            ports: self.ports.intersect(&other.ports),
            policies,
        }
    }
}

/// One allowed connection. `Endpoint::Any` stands for every endpoint whose own policies
/// admit it: `A → any` is what A's egress allows towards any destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub from: Endpoint,
    pub to: Endpoint,
    pub allow: Allow,
}

/// The evaluated input: its world, its policies and every allowed connection.
#[derive(Debug, Clone)]
pub struct Matrix {
    pub universe: Universe,
    pub policies: Vec<Policy>,
    pub connections: Vec<Connection>,
    /// What the ingress side of each workload's pods admits, whatever the senders'
    /// egress says: `(from, workload pod)`.
    pub admitted: Vec<Connection>,
    /// What the egress side of each workload's pods lets out, whatever the receivers'
    /// ingress says: `(workload pod, to)`.
    pub let_out: Vec<Connection>,
    /// Per pod: isolated for (ingress, egress).
    pub isolated: Vec<(bool, bool)>,
}

impl Matrix {
    /// `namespace/name` of each policy that allows the connection.
    pub fn policy_names(&self, c: &Connection) -> Vec<String> {
        c.allow
            .policies
            .iter()
            .map(|p| self.policies[*p].id())
            .collect()
    }

    /// Whether some policy isolates some pod of a workload.
    pub fn any_isolation(&self) -> bool {
        self.isolated
            .iter()
            .enumerate()
            .any(|(p, (i, e))| (*i || *e) && self.universe.pods[p].workload.is_some())
    }
}

/// Evaluate the NetworkPolicies of `docs` over their workloads and the stand-ins.
pub fn evaluate(docs: &[Document], extras: &Extras) -> Matrix {
    Evaluation::new(docs, extras).matrix()
}

/// The policies applied to the world, before any matrix is drawn: which pods are
/// isolated, and what one endpoint may open to another. The `check` rules ask it
/// questions; [`Evaluation::matrix`] draws every connection.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub universe: Universe,
    pub policies: Vec<Policy>,
    state: State,
}

impl Evaluation {
    /// Apply the NetworkPolicies of `docs` to their workloads and the stand-ins.
    pub fn new(docs: &[Document], extras: &Extras) -> Evaluation {
        let policies: Vec<Policy> = docs
            .iter()
            .enumerate()
            .filter_map(|(i, d)| Policy::parse(i, d))
            .collect();
        let universe = Universe::build(docs, &policies, extras);
        let mut state = State::new(universe.pods.len());
        for (pi, p) in policies.iter().enumerate() {
            state.apply(&universe, pi, p);
        }
        Evaluation {
            universe,
            policies,
            state,
        }
    }

    /// Whether pod `pod` is isolated for (ingress, egress).
    pub fn isolated(&self, pod: usize) -> (bool, bool) {
        self.state
            .isolated
            .get(pod)
            .copied()
            .unwrap_or((false, false))
    }

    /// What `from` may open to `to`: the ports both the sender's egress and the
    /// receiver's ingress allow, and the policies that allow them.
    pub fn allowed(&self, from: Endpoint, to: Endpoint) -> Allow {
        let valid = |e: Endpoint| match e {
            Endpoint::Pod(p) => p < self.universe.pods.len(),
            Endpoint::Region(r) => r < self.universe.regions.len(),
            Endpoint::Any => false,
        };
        if !valid(from) || !valid(to) {
            return Allow::default();
        }
        self.state
            .egress_of(&self.universe, from, to)
            .intersect(&self.state.ingress_of(from, to))
    }

    /// Each side of the workloads' pods on its own, (ingress, egress): what their
    /// ingress admits whatever the senders' egress says, and what their egress lets out
    /// whatever the receivers' ingress says (as [`Matrix::admitted`] and
    /// [`Matrix::let_out`], without drawing every connection).
    pub fn sides(&self) -> (Vec<Connection>, Vec<Connection>) {
        self.state.sides(&self.universe)
    }

    /// Every allowed connection, and each side of the workloads' pods on its own.
    pub fn matrix(self) -> Matrix {
        let connections = self.state.connections(&self.universe);
        let (admitted, let_out) = self.state.sides(&self.universe);
        Matrix {
            universe: self.universe,
            policies: self.policies,
            connections,
            admitted,
            let_out,
            isolated: self.state.isolated,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct State {
    isolated: Vec<(bool, bool)>,
    ingress: HashMap<(Endpoint, usize), Allow>,
    ingress_any: HashMap<usize, Allow>,
    egress: HashMap<(usize, Endpoint), Allow>,
    /// Egress rules without peers: resolved per destination (named ports).
    egress_any: HashMap<usize, Vec<(RulePorts, usize)>>,
}

fn dedup(mut v: Vec<Endpoint>) -> Vec<Endpoint> {
    v.sort_unstable();
    v.dedup();
    v
}

impl State {
    fn new(pods: usize) -> State {
        State {
            isolated: vec![(false, false); pods],
            ..State::default()
        }
    }

    fn apply(&mut self, u: &Universe, pi: usize, p: &Policy) {
        let Some(ns) = u.namespace(&p.namespace) else {
            return;
        };
        let selected = u.select_pods(ns, &p.selector);
        for rule in p.ingress.iter().flatten() {
            let sources = rule
                .peers
                .as_ref()
                .map(|peers| dedup(peers.iter().flat_map(|x| u.peer_endpoints(x, ns)).collect()));
            for &d in &selected {
                let ports = rule.ports.resolve(&u.pods[d].ports);
                match &sources {
                    None => self.ingress_any.entry(d).or_default().add(&ports, pi),
                    Some(sources) => {
                        for s in sources {
                            self.ingress.entry((*s, d)).or_default().add(&ports, pi);
                        }
                    }
                }
            }
        }
        for rule in p.egress.iter().flatten() {
            let Some(peers) = &rule.peers else {
                for &s in &selected {
                    let any = self.egress_any.entry(s).or_default();
                    any.push((rule.ports.clone(), pi));
                }
                continue;
            };
            let dests = dedup(peers.iter().flat_map(|x| u.peer_endpoints(x, ns)).collect());
            for d in dests {
                let ports = rule.ports.resolve(named(u, d));
                for &s in &selected {
                    self.egress.entry((s, d)).or_default().add(&ports, pi);
                }
            }
        }
        for &d in &selected {
            let iso = &mut self.isolated[d];
            iso.0 |= p.ingress.is_some();
            iso.1 |= p.egress.is_some();
        }
    }

    fn egress_of(&self, u: &Universe, s: Endpoint, d: Endpoint) -> Allow {
        let Endpoint::Pod(s) = s else {
            return Allow::open();
        };
        if !self.isolated[s].1 {
            return Allow::open();
        }
        let mut a = self.egress.get(&(s, d)).cloned().unwrap_or_default();
        for (ports, pi) in self.egress_any.get(&s).into_iter().flatten() {
            a.add(&ports.resolve(named(u, d)), *pi);
        }
        a
    }

    fn ingress_of(&self, s: Endpoint, d: Endpoint) -> Allow {
        let Endpoint::Pod(d) = d else {
            return Allow::open();
        };
        if !self.isolated[d].0 {
            return Allow::open();
        }
        let mut a = self.ingress.get(&(s, d)).cloned().unwrap_or_default();
        if let Some(any) = self.ingress_any.get(&d) {
            for pi in &any.policies {
                a.add(&any.ports, *pi);
            }
        }
        a
    }

    /// The ports of `from → to` already shown as `from → any` (the receiver does not
    /// restrict them) or `any → to` (the sender does not).
    fn covered_by_any(&self, u: &Universe, from: Endpoint, to: Endpoint) -> PortSet {
        let mut out = PortSet::default();
        let isolated = |e: Endpoint, side: fn(&(bool, bool)) -> bool| match e {
            Endpoint::Pod(p) => side(&self.isolated[p]),
            _ => false,
        };
        if u.is_workload(from) && !isolated(to, |i| i.0) {
            out.add(&self.egress_of(u, from, Endpoint::Any).ports);
        }
        if u.is_workload(to) && !isolated(from, |i| i.1) {
            out.add(&self.ingress_of(Endpoint::Any, to).ports);
        }
        out
    }

    fn connections(&self, u: &Universe) -> Vec<Connection> {
        let pairs: HashSet<(Endpoint, Endpoint)> = self
            .ingress
            .keys()
            .map(|(s, d)| (*s, Endpoint::Pod(*d)))
            .chain(self.egress.keys().map(|(s, d)| (Endpoint::Pod(*s), *d)))
            .collect();
        let mut out: Vec<Connection> = pairs
            .into_iter()
            .map(|(from, to)| {
                let mut allow = self
                    .egress_of(u, from, to)
                    .intersect(&self.ingress_of(from, to));
                allow.ports = allow.ports.minus(&self.covered_by_any(u, from, to));
                Connection { from, to, allow }
            })
            .filter(|c| !c.allow.ports.is_empty())
            .collect();
        for p in (0..u.pods.len()).filter(|p| u.pods[*p].workload.is_some()) {
            let pod = Endpoint::Pod(p);
            let out_any = self.egress_of(u, pod, Endpoint::Any);
            let in_any = self.ingress_of(Endpoint::Any, pod);
            for (from, to, allow) in [(pod, Endpoint::Any, out_any), (Endpoint::Any, pod, in_any)] {
                if !allow.ports.is_empty() {
                    out.push(Connection { from, to, allow });
                }
            }
        }
        out.sort_by_key(|c| (c.from, c.to));
        out
    }
}

impl State {
    /// The one-sided allowances of the workloads' pods, (ingress, egress): what each
    /// rule with peers admits from each peer, and what the rules without peers (or no
    /// isolation at all) admit from any peer.
    fn sides(&self, u: &Universe) -> (Vec<Connection>, Vec<Connection>) {
        let workloads: Vec<usize> = (0..u.pods.len())
            .filter(|p| u.pods[*p].workload.is_some())
            .collect();
        let is_workload = |p: &usize| u.pods[*p].workload.is_some();
        let one = |from, to, allow: Allow| Connection { from, to, allow };
        let mut admitted: Vec<Connection> = self
            .ingress
            .iter()
            .filter(|((_, d), _)| is_workload(d))
            .map(|((s, d), a)| one(*s, Endpoint::Pod(*d), a.clone()))
            .collect();
        let mut let_out: Vec<Connection> = self
            .egress
            .iter()
            .filter(|((s, _), _)| is_workload(s))
            .map(|((s, d), a)| one(Endpoint::Pod(*s), *d, a.clone()))
            .collect();
        for &p in &workloads {
            let pod = Endpoint::Pod(p);
            let (i, e) = self.isolated[p];
            let any_in = match (i, self.ingress_any.get(&p)) {
                (false, _) => Allow::open(),
                (true, a) => a.cloned().unwrap_or_default(),
            };
            let any_out = if e {
                let mut a = Allow::default();
                for (ports, pi) in self.egress_any.get(&p).into_iter().flatten() {
                    a.add(&ports.resolve(&[]), *pi);
                }
                a
            } else {
                Allow::open()
            };
            admitted.push(one(Endpoint::Any, pod, any_in));
            let_out.push(one(pod, Endpoint::Any, any_out));
        }
        for side in [&mut admitted, &mut let_out] {
            side.retain(|c| !c.allow.ports.is_empty());
            side.sort_by_key(|c| (c.from, c.to));
        }
        (admitted, let_out)
    }
}

/// The container ports a named policy port can resolve to at `e`.
fn named(u: &Universe, e: Endpoint) -> &[super::ports::NamedPort] {
    match e {
        Endpoint::Pod(p) => &u.pods[p].ports,
        _ => &[],
    }
}
