//! Per-namespace objects: Namespace (Pod Security labels), ResourceQuota, LimitRange,
//! default-deny and DNS-egress NetworkPolicies.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::k8s::kind::{self, Kind};
use crate::k8s::{PodSecurity, keys};
use crate::resolve::Model;
use crate::resolve::model::{Namespace, ResourceSet};

use super::{Labels, PlannedObject, View};

#[derive(Serialize)]
pub struct NamespaceView {
    name: String,
    labels: Labels,
    annotations: BTreeMap<String, String>,
}

view!(NamespaceView, "namespace/namespace", kind::NAMESPACE);

#[derive(Serialize)]
pub struct QuotaView {
    namespace: String,
    hard: BTreeMap<String, String>,
}

view!(QuotaView, "namespace/resourcequota", kind::RESOURCE_QUOTA);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitRangeView {
    namespace: String,
    default: BTreeMap<&'static str, String>,
    default_request: BTreeMap<&'static str, String>,
    max: BTreeMap<&'static str, String>,
}

view!(LimitRangeView, "namespace/limitrange", kind::LIMIT_RANGE);

#[derive(Serialize)]
pub struct DefaultDenyView {
    namespace: String,
}

view!(
    DefaultDenyView,
    "network/default-deny",
    kind::NETWORK_POLICY
);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsView {
    namespace: String,
    node_local: Option<String>,
}

view!(DnsView, "network/allow-dns", kind::NETWORK_POLICY);

pub const TEMPLATES: [(&str, Kind); 5] = [
    (NamespaceView::TEMPLATE, NamespaceView::KIND),
    (QuotaView::TEMPLATE, QuotaView::KIND),
    (LimitRangeView::TEMPLATE, LimitRangeView::KIND),
    (DefaultDenyView::TEMPLATE, DefaultDenyView::KIND),
    (DnsView::TEMPLATE, DnsView::KIND),
];

/// The objects of namespace `ns`.
pub fn objects(model: &Model, ns: &Namespace) -> Vec<PlannedObject> {
    let path = |file: &str| format!("{}/{file}", ns.name);
    vec![
        PlannedObject::new(
            path("namespace.yaml"),
            &namespace_view(ns, model.kubernetes_minor),
        ),
        PlannedObject::new(path("resourcequota.yaml"), &quota_view(ns)),
        PlannedObject::new(path("limitrange.yaml"), &limitrange_view(ns)),
        PlannedObject::new(
            path("networkpolicy-default-deny.yaml"),
            &DefaultDenyView {
                namespace: ns.name.clone(),
            },
        ),
        PlannedObject::new(
            path("networkpolicy-allow-dns.yaml"),
            &DnsView {
                namespace: ns.name.clone(),
                node_local: model.dns_node_local.clone(),
            },
        ),
    ]
}

fn namespace_view(ns: &Namespace, minor: u32) -> NamespaceView {
    let mut labels = Labels::new();
    labels.insert(keys::MANAGED_BY.into(), keys::MANAGER.into());
    if let Some(team) = &ns.team {
        labels.insert(keys::TEAM.into(), team.clone());
    }
    let version = format!("v1.{minor}");
    // Enforce the declared level; audit and warn always at restricted, so that every
    // relaxation stays visible.
    for (mode, level) in [
        ("enforce", ns.pod_security),
        ("audit", PodSecurity::Restricted),
        ("warn", PodSecurity::Restricted),
    ] {
        let key = format!("{}{mode}", keys::POD_SECURITY_PREFIX);
        labels.insert(format!("{key}-version"), version.clone());
        labels.insert(key, level.as_str().into());
    }
    let mut annotations = BTreeMap::new();
    if let Some(reason) = &ns.pod_security_exemption {
        annotations.insert(keys::POD_SECURITY_EXEMPTION.into(), reason.clone());
    }
    NamespaceView {
        name: ns.name.clone(),
        labels,
        annotations,
    }
}

fn quota_view(ns: &Namespace) -> QuotaView {
    let q = &ns.quota;
    let mut hard = BTreeMap::new();
    hard.insert("pods".into(), q.pods.to_string());
    for (prefix, set) in [("requests", &q.requests), ("limits", &q.limits)] {
        hard.insert(format!("{prefix}.cpu"), set.cpu.to_string());
        hard.insert(format!("{prefix}.memory"), set.memory.to_string());
    }
    hard.insert("services.nodeports".into(), q.node_ports.to_string());
    hard.insert(
        "services.loadbalancers".into(),
        q.load_balancers.to_string(),
    );
    QuotaView {
        namespace: ns.name.clone(),
        hard,
    }
}

fn resource_map(set: &ResourceSet) -> BTreeMap<&'static str, String> {
    set.entries()
        .into_iter()
        .map(|(k, q)| (k, q.to_string()))
        .collect()
}

fn limitrange_view(ns: &Namespace) -> LimitRangeView {
    let d = &ns.defaults;
    let mut max = BTreeMap::new();
    max.insert("cpu", d.max_cpu.to_string());
    max.insert("memory", d.max_memory.to_string());
    if let Some(eph) = &d.max_ephemeral_storage {
        max.insert("ephemeral-storage", eph.to_string());
    }
    LimitRangeView {
        namespace: ns.name.clone(),
        default: resource_map(&d.limit),
        default_request: resource_map(&d.request),
        max,
    }
}
