//! Everything a connection can start or end at: the namespaces and pods of the input
//! (one pod per workload), stand-ins for what lies outside it, and address regions;
//! pods indexed by namespace and labels.
//!
//! The stand-ins catch over-broad peers: an unlabelled pod in each namespace the input
//! names but does not hold (the ingress controller's, `kube-system`), kube-dns, a pod of
//! a namespace outside the input (`(other)`, which no policy of the input isolates), a
//! namespace for a selector no namespace matches, and, for each peer that selects no pod
//! of a namespace, a pod with the labels it asks for (so a peer written for `app: web`
//! in every namespace shows a foreign pod labelled like web).

use std::collections::{HashMap, HashSet};

use serde_yaml::Value;

use crate::k8s::keys;
use crate::k8s::kind::pod_template;
use crate::validate::Document;

use super::policy::{Peer, Policy, parse_cidr};
use super::ports::{NamedPort, PROTOCOLS};
use super::regions::Regions;
use crate::k8s::selector::{Labels, Selector, show_labels};

/// The namespace standing for every namespace outside the input.
pub const OTHER: &str = "(other)";
/// Where the cluster DNS runs, and the label of its pods.
pub const DNS_NAMESPACE: &str = "kube-system";
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");

/// What the caller knows lies outside the input (the spec's ingress namespaces and CIDRs).
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub namespaces: Vec<String>,
    pub cidrs: Vec<String>,
    /// Add, for each policy that selects no pod, a pod with the labels its selector asks
    /// for (the pod it was written for), so a policy read without its workloads can
    /// still be judged. `check` asks for them; the matrix of `flows` and the proof do not.
    pub policy_pods: bool,
}

/// Where a namespace comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A Namespace object of the input, or the namespace of one of its objects.
    Input,
    /// Named by a selector or by the caller, not in the input.
    Outside,
    /// Any namespace outside the input ([`OTHER`]).
    Other,
    /// A namespace with the labels a selector asks for, which no known namespace has.
    Labelled,
}

#[derive(Debug, Clone)]
pub struct Namespace {
    pub name: String,
    pub labels: Labels,
    pub origin: Origin,
}

#[derive(Debug, Clone)]
pub struct Pod {
    pub namespace: usize,
    /// The workload's kind and name, and its document; `None` for a stand-in.
    pub workload: Option<(String, String, usize)>,
    pub labels: Labels,
    pub ports: Vec<NamedPort>,
}

/// One end of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    Pod(usize),
    Region(usize),
    /// Every endpoint whose own policies admit the connection.
    Any,
}

/// The evaluated world.
#[derive(Debug, Clone)]
pub struct Universe {
    pub namespaces: Vec<Namespace>,
    pub pods: Vec<Pod>,
    pub regions: Regions,
    ns_by_name: HashMap<String, usize>,
    by_ns: Vec<Vec<usize>>,
    /// Per namespace: label key → value → pods.
    index: Vec<HashMap<String, HashMap<String, Vec<usize>>>>,
}

fn string_map(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

/// The pod template (or pod) of a workload: its metadata and spec.
fn template(doc: &Document) -> Option<(&Value, &Value)> {
    let t = get(&doc.value, pod_template(doc.kind())?.keys)?;
    Some((t.get("metadata").unwrap_or(&Value::Null), t.get("spec")?))
}

fn container_ports(spec: &Value) -> Vec<NamedPort> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        let containers = spec.get(list).and_then(Value::as_sequence);
        for p in containers
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("ports")?.as_sequence())
            .flatten()
        {
            let name = p.get("name").and_then(Value::as_str);
            let port = p.get("containerPort").and_then(Value::as_u64);
            let protocol = match p.get("protocol").and_then(Value::as_str) {
                None => Some(PROTOCOLS[0]),
                Some(s) => PROTOCOLS.into_iter().find(|x| x.as_str() == s),
            };
            if let (Some(name), Some(Ok(port)), Some(protocol)) =
                (name, port.map(u16::try_from), protocol)
            {
                out.push(NamedPort {
                    name: name.into(),
                    protocol,
                    port,
                });
            }
        }
    }
    out
}

impl Universe {
    /// The world of `docs` and their `policies`, plus what `extras` names.
    pub fn build(docs: &[Document], policies: &[Policy], extras: &Extras) -> Universe {
        let mut u = Universe {
            namespaces: Vec::new(),
            pods: Vec::new(),
            regions: Regions::new(Vec::new()),
            ns_by_name: HashMap::new(),
            by_ns: Vec::new(),
            index: Vec::new(),
        };
        u.input_namespaces(docs, policies);
        let peers = distinct_peers(policies);
        u.outside_namespaces(&peers, extras);
        for (i, doc) in docs.iter().enumerate() {
            if let Some((meta, spec)) = template(doc) {
                let ns = u.namespace_of(doc.namespace().unwrap_or("default"), Origin::Input);
                let labels = string_map(meta.get("labels"));
                let workload = Some((doc.kind().to_string(), doc.name().to_string(), i));
                u.add_pod(ns, workload, labels, container_ports(spec));
            }
        }
        u.stand_ins(&peers);
        if extras.policy_pods {
            u.policy_pods(policies);
        }
        u.regions = Regions::new(cidrs(policies, extras));
        u
    }

    fn input_namespaces(&mut self, docs: &[Document], policies: &[Policy]) {
        for doc in docs.iter().filter(|d| d.kind() == "Namespace") {
            let ns = self.namespace_of(doc.name(), Origin::Input);
            let labels = string_map(get(&doc.value, &["metadata", "labels"]));
            self.namespaces[ns].labels.extend(labels);
            self.namespaces[ns]
                .labels
                .insert(keys::NAMESPACE_NAME.into(), doc.name().into());
        }
        for p in policies {
            self.namespace_of(&p.namespace, Origin::Input);
        }
    }

    fn outside_namespaces(&mut self, peers: &[(Selector, Option<Selector>)], extras: &Extras) {
        let mut names: Vec<String> = extras.namespaces.clone();
        names.push(DNS_NAMESPACE.into());
        for (ns_sel, _) in peers {
            if let Some(pinned) = ns_sel.pinned(keys::NAMESPACE_NAME) {
                names.extend(pinned.into_iter().map(str::to_string));
            }
        }
        for n in names {
            self.namespace_of(&n, Origin::Outside);
        }
        self.namespace_of(OTHER, Origin::Other);
        for (ns_sel, _) in peers {
            if ns_sel.is_empty() || !self.select_namespaces(ns_sel).is_empty() {
                continue;
            }
            if let Some(mut labels) = ns_sel.satisfying() {
                let name = format!("[{}]", show_labels(&labels));
                labels.insert(keys::NAMESPACE_NAME.into(), name.clone());
                if ns_sel.matches(&labels) {
                    let ns = self.namespace_of(&name, Origin::Labelled);
                    self.namespaces[ns].labels = labels;
                }
            }
        }
    }

    /// The namespace `name`, added with `origin` when new.
    fn namespace_of(&mut self, name: &str, origin: Origin) -> usize {
        if let Some(&i) = self.ns_by_name.get(name) {
            return i;
        }
        let mut labels = Labels::new();
        labels.insert(keys::NAMESPACE_NAME.into(), name.into());
        self.namespaces.push(Namespace {
            name: name.into(),
            labels,
            origin,
        });
        self.by_ns.push(Vec::new());
        self.index.push(HashMap::new());
        self.ns_by_name
            .insert(name.into(), self.namespaces.len() - 1);
        self.namespaces.len() - 1
    }

    fn add_pod(
        &mut self,
        ns: usize,
        workload: Option<(String, String, usize)>,
        labels: Labels,
        ports: Vec<NamedPort>,
    ) {
        let id = self.pods.len();
        for (k, v) in &labels {
            self.index[ns]
                .entry(k.clone())
                .or_default()
                .entry(v.clone())
                .or_default()
                .push(id);
        }
        self.by_ns[ns].push(id);
        self.pods.push(Pod {
            namespace: ns,
            workload,
            labels,
            ports,
        });
    }

    fn stand_ins(&mut self, peers: &[(Selector, Option<Selector>)]) {
        for ns in 0..self.namespaces.len() {
            if self.namespaces[ns].origin != Origin::Input {
                self.add_pod(ns, None, Labels::new(), Vec::new());
            }
        }
        let dns = Labels::from([(DNS_LABEL.0.to_string(), DNS_LABEL.1.to_string())]);
        let kube_system = self.namespace_of(DNS_NAMESPACE, Origin::Outside);
        let has_dns = |p: usize| self.pods[p].labels.get(DNS_LABEL.0).map(String::as_str);
        if !self
            .pods_in(kube_system)
            .any(|p| has_dns(p) == Some(DNS_LABEL.1))
        {
            let ports = [("dns", PROTOCOLS[1]), ("dns-tcp", PROTOCOLS[0])]
                .map(|(name, protocol)| NamedPort {
                    name: name.into(),
                    protocol,
                    port: 53,
                })
                .to_vec();
            self.add_pod(kube_system, None, dns, ports);
        }
        for (ns_sel, pod_sel) in peers {
            let Some(pod_sel) = pod_sel else { continue };
            for ns in self.select_namespaces(ns_sel) {
                if self.select_pods(ns, pod_sel).is_empty()
                    && let Some(labels) = pod_sel.satisfying()
                {
                    self.add_pod(ns, None, labels, Vec::new());
                }
            }
        }
    }

    fn policy_pods(&mut self, policies: &[Policy]) {
        for p in policies {
            let Some(ns) = self.namespace(&p.namespace) else {
                continue;
            };
            if self.select_pods(ns, &p.selector).is_empty()
                && let Some(labels) = p.selector.satisfying()
            {
                self.add_pod(ns, None, labels, Vec::new());
            }
        }
    }

    /// The pods of namespace `ns`.
    pub fn pods_in(&self, ns: usize) -> impl Iterator<Item = usize> + '_ {
        self.by_ns.get(ns).into_iter().flatten().copied()
    }

    pub fn namespace(&self, name: &str) -> Option<usize> {
        self.ns_by_name.get(name).copied()
    }

    /// The pods of namespace `ns` that `sel` selects, through the label index.
    pub fn select_pods(&self, ns: usize, sel: &Selector) -> Vec<usize> {
        if !sel.is_valid() || ns >= self.by_ns.len() {
            return Vec::new();
        }
        let mut candidates: &[usize] = &self.by_ns[ns];
        for (k, v) in sel.match_labels() {
            match self.index[ns].get(k).and_then(|vals| vals.get(v)) {
                Some(list) if list.len() < candidates.len() => candidates = list,
                Some(_) => {}
                None => return Vec::new(),
            }
        }
        candidates
            .iter()
            .copied()
            .filter(|p| sel.matches(&self.pods[*p].labels))
            .collect()
    }

    /// The namespaces `sel` selects.
    pub fn select_namespaces(&self, sel: &Selector) -> Vec<usize> {
        if let Some(names) = sel.pinned(keys::NAMESPACE_NAME) {
            let mut out: Vec<usize> = names
                .iter()
                .filter_map(|n| self.namespace(n))
                .filter(|n| sel.matches(&self.namespaces[*n].labels))
                .collect();
            out.sort_unstable();
            out.dedup();
            return out;
        }
        (0..self.namespaces.len())
            .filter(|n| sel.matches(&self.namespaces[*n].labels))
            .collect()
    }

    /// The endpoints a peer of a policy in namespace `ns` stands for.
    pub fn peer_endpoints(&self, peer: &Peer, ns: usize) -> Vec<Endpoint> {
        match peer {
            Peer::Pods { namespaces, pods } => {
                let spaces = match namespaces {
                    Some(sel) => self.select_namespaces(sel),
                    None => vec![ns],
                };
                let every = Selector::everything();
                let pods = pods.as_ref().unwrap_or(&every);
                spaces
                    .into_iter()
                    .flat_map(|n| self.select_pods(n, pods))
                    .map(Endpoint::Pod)
                    .collect()
            }
            Peer::Block { cidr, except } => self
                .regions
                .covered(cidr, except)
                .into_iter()
                .map(Endpoint::Region)
                .collect(),
            Peer::Invalid => Vec::new(),
        }
    }

    /// The pod of workload `kind`-agnostic `namespace/name`, if the input has it.
    pub fn workload(&self, namespace: &str, name: &str) -> Option<usize> {
        let ns = self.namespace(namespace)?;
        self.pods_in(ns)
            .find(|p| self.pods[*p].workload.as_ref().is_some_and(|w| w.1 == name))
    }

    /// Whether the endpoint is a pod of a workload in the input.
    pub fn is_workload(&self, e: Endpoint) -> bool {
        matches!(e, Endpoint::Pod(p) if self.pods[p].workload.is_some())
    }

    /// An endpoint as people read it: `ns/name` for a workload, `ns/*` for any pod of a
    /// namespace, `ns/[k=v]` for a pod with those labels, an address region, or `any`.
    pub fn show(&self, e: Endpoint) -> String {
        match e {
            Endpoint::Pod(p) => {
                let pod = &self.pods[p];
                let ns = &self.namespaces[pod.namespace].name;
                match (&pod.workload, pod.labels.is_empty()) {
                    (Some((_, name, _)), _) => format!("{ns}/{name}"),
                    (None, true) => format!("{ns}/*"),
                    (None, false) => format!("{ns}/[{}]", show_labels(&pod.labels)),
                }
            }
            Endpoint::Region(r) => self.regions.show(r),
            Endpoint::Any => "any".into(),
        }
    }

    /// The namespace of an endpoint, for grouping in pictures.
    pub fn namespace_name(&self, e: Endpoint) -> Option<&str> {
        match e {
            Endpoint::Pod(p) => Some(&self.namespaces[self.pods[p].namespace].name),
            _ => None,
        }
    }
}

/// The distinct (namespace selector, pod selector) pairs of peers with a namespace
/// selector, and (`{}` of the policy's namespace, pod selector) for the others.
fn distinct_peers(policies: &[Policy]) -> Vec<(Selector, Option<Selector>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let rules = policies.iter().flat_map(|p| {
        let rules = p.ingress.iter().chain(&p.egress).flatten();
        rules.map(move |r| (p, r))
    });
    for (p, rule) in rules {
        for peer in rule.peers.iter().flatten() {
            let Peer::Pods { namespaces, pods } = peer else {
                continue;
            };
            let ns = namespaces
                .clone()
                .unwrap_or_else(|| own_namespace(&p.namespace));
            let pair = (ns, pods.clone().or_else(|| Some(Selector::everything())));
            if seen.insert(pair.clone()) {
                out.push(pair);
            }
        }
    }
    out
}

/// The selector of namespace `name` by its `kubernetes.io/metadata.name` label.
fn own_namespace(name: &str) -> Selector {
    Selector::of_labels(&[(keys::NAMESPACE_NAME, name)])
}

fn cidrs(policies: &[Policy], extras: &Extras) -> Vec<crate::k8s::names::Cidr> {
    let mut out: Vec<_> = extras.cidrs.iter().filter_map(|c| parse_cidr(c)).collect();
    for rule in policies
        .iter()
        .flat_map(|p| p.ingress.iter().chain(&p.egress).flatten())
    {
        for peer in rule.peers.iter().flatten() {
            if let Peer::Block { cidr, except } = peer {
                out.push(*cidr);
                out.extend(except.iter().copied());
            }
        }
    }
    out
}
