//! Resolved flows → NetworkPolicy rules: an ingress rule on the receiver and an egress
//! rule on the sender, each opening exactly the ports the model says the flow opens.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::k8s::keys;
use crate::k8s::kind::{self, Kind};
use crate::resolve::Model;
use crate::resolve::model::{App, Destination, EndpointPeer, Flow, Logging, Source};

use super::{Labels, View, app_labels};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppPolicyView {
    name: String,
    namespace: String,
    /// Selects the app's pods.
    selector: Labels,
    labels: Labels,
    policy_types: Vec<&'static str>,
    ingress: Vec<RuleView>,
    egress: Vec<RuleView>,
}

view!(AppPolicyView, "network/app-policy", kind::NETWORK_POLICY);

pub const TEMPLATES: [(&str, Kind); 1] = [(AppPolicyView::TEMPLATE, AppPolicyView::KIND)];

/// One rule: its peers (empty: any address) and ports.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct RuleView {
    peers: Vec<Peer>,
    ports: Vec<PortView>,
}

/// A NetworkPolicy peer; the selectors set in one peer are ANDed.
#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Peer {
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_block: Option<IpBlock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_selector: Option<SelectorView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_selector: Option<SelectorView>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct IpBlock {
    cidr: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    except: Vec<String>,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SelectorView {
    match_labels: Labels,
}

#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PortView {
    port: u32,
    protocol: &'static str,
}

#[derive(Default)]
struct Rules {
    ingress: Vec<RuleView>,
    egress: Vec<RuleView>,
}

/// One allow policy per app that takes part in a flow, keyed by app index.
pub fn app_policies(model: &Model) -> BTreeMap<usize, AppPolicyView> {
    let mut rules: BTreeMap<usize, Rules> = BTreeMap::new();
    for flow in &model.flows {
        add_flow(model, flow, &mut rules);
    }
    rules
        .into_iter()
        .map(|(ai, r)| (ai, policy(&model.apps[ai], r)))
        .collect()
}

fn add_flow(model: &Model, flow: &Flow, rules: &mut BTreeMap<usize, Rules>) {
    let ports: Vec<PortView> = flow
        .ports
        .iter()
        .map(|p| PortView {
            port: p.opened,
            protocol: flow.protocol.as_str(),
        })
        .collect();
    let rule = |peers| RuleView {
        peers,
        ports: ports.clone(),
    };
    if let Destination::App(to) = flow.to {
        let dest = &model.apps[to];
        let peer_in = match &flow.from {
            Source::App(f) => app_peer(&model.apps[*f], &dest.namespace),
            Source::Ingress { namespace } => Peer {
                ip_block: None,
                namespace_selector: Some(namespace_selector(namespace)),
                pod_selector: None,
            },
        };
        rules
            .entry(to)
            .or_default()
            .ingress
            .push(rule(vec![peer_in]));
    }
    let Source::App(from) = flow.from else {
        return;
    };
    let sender = &model.apps[from];
    let peers = match &flow.to {
        Destination::App(to) => vec![app_peer(&model.apps[*to], &sender.namespace)],
        Destination::Cidr { cidr, except } => vec![ip_peer(cidr, except)],
        Destination::ApiServer { cidrs } => cidrs.iter().map(|c| ip_peer(c, &[])).collect(),
    };
    rules.entry(from).or_default().egress.push(rule(peers));
}

fn policy(app: &App, r: Rules) -> AppPolicyView {
    policy_named(&app.name, &app.namespace, r)
}

fn policy_named(app: &str, namespace: &str, r: Rules) -> AppPolicyView {
    let mut types = Vec::new();
    if !r.ingress.is_empty() {
        types.push("Ingress");
    }
    if !r.egress.is_empty() {
        types.push("Egress");
    }
    AppPolicyView {
        name: format!("{app}-allow"),
        namespace: namespace.to_string(),
        selector: app_selector(app),
        labels: app_labels(app),
        policy_types: types,
        ingress: r.ingress,
        egress: r.egress,
    }
}

fn namespace_selector(ns: &str) -> SelectorView {
    let mut m = Labels::new();
    m.insert(keys::NAMESPACE_NAME.into(), ns.into());
    SelectorView { match_labels: m }
}

fn ip_peer(cidr: &str, except: &[String]) -> Peer {
    Peer {
        ip_block: Some(IpBlock {
            cidr: cidr.into(),
            except: except.to_vec(),
        }),
        namespace_selector: None,
        pod_selector: None,
    }
}

/// The peer selecting `app`'s pods, seen from a policy in namespace `from_ns`.
fn app_peer(app: &App, from_ns: &str) -> Peer {
    let pods = app_selector(&app.name);
    Peer {
        ip_block: None,
        namespace_selector: (app.namespace != from_ns).then(|| namespace_selector(&app.namespace)),
        pod_selector: Some(SelectorView { match_labels: pods }),
    }
}

/// The label policies select an app's pods by.
fn app_selector(app: &str) -> Labels {
    let mut m = Labels::new();
    m.insert(keys::APP_NAME.into(), app.into());
    m
}

/// The log shipper's policy: egress to the API server and the log endpoint only; ingress
/// only to the metrics port, from the namespace the spec names.
pub fn logging_policy(l: &Logging) -> AppPolicyView {
    let tcp = |port| PortView {
        port,
        protocol: "TCP",
    };
    let api = RuleView {
        peers: l.api_server.iter().map(|c| ip_peer(c, &[])).collect(),
        ports: l.api_server_ports.iter().map(|p| tcp(*p)).collect(),
    };
    let endpoint_peers = match &l.endpoint.peer {
        EndpointPeer::Cidr(c) => vec![ip_peer(c, &[])],
        EndpointPeer::Namespace(ns) => vec![Peer {
            ip_block: None,
            namespace_selector: Some(namespace_selector(ns)),
            pod_selector: None,
        }],
        EndpointPeer::Anywhere => Vec::new(),
    };
    let endpoint = RuleView {
        peers: endpoint_peers,
        ports: vec![tcp(l.endpoint.port)],
    };
    let ingress: Vec<RuleView> = l
        .metrics_from
        .iter()
        .map(|ns| RuleView {
            peers: vec![Peer {
                ip_block: None,
                namespace_selector: Some(namespace_selector(ns)),
                pod_selector: None,
            }],
            ports: vec![tcp(l.http_port)],
        })
        .collect();
    let name = &l.name;
    let rules = Rules {
        ingress,
        egress: vec![api, endpoint],
    };
    let mut view = policy_named(name, &l.namespace, rules);
    view.name = format!("{name}-allow");
    view
}
