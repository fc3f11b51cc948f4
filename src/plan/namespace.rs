//! Per-namespace objects: Namespace (Pod Security labels), ResourceQuota, LimitRange,
//! default-deny and DNS-egress NetworkPolicies.

use serde_json::{Map, Value, json};

use crate::spec::{LoadedSpec, PodSecurity};

use super::PlannedObject;
use super::defaults::{QUOTA_LIMITS, QUOTA_PODS, QUOTA_REQUESTS, namespace_defaults};

/// The objects of namespace `ni`, for Kubernetes minor version `minor`.
pub fn objects(spec: &LoadedSpec, ni: usize, minor: u32) -> Vec<PlannedObject> {
    let ns = &spec.spec.namespaces[ni];
    let name = ns.name.as_str();
    let obj =
        |template, file: &str, view| PlannedObject::new(template, &format!("{name}/{file}"), view);
    vec![
        obj(
            "namespace/namespace",
            "namespace.yaml",
            namespace_view(spec, ni, minor),
        ),
        obj(
            "namespace/resourcequota",
            "resourcequota.yaml",
            quota_view(spec, ni),
        ),
        obj(
            "namespace/limitrange",
            "limitrange.yaml",
            limitrange_view(spec, ni),
        ),
        obj(
            "network/default-deny",
            "networkpolicy-default-deny.yaml",
            json!({ "namespace": name }),
        ),
        obj(
            "network/allow-dns",
            "networkpolicy-allow-dns.yaml",
            dns_view(spec, name),
        ),
    ]
}

fn namespace_view(spec: &LoadedSpec, ni: usize, minor: u32) -> Value {
    let ns = &spec.spec.namespaces[ni];
    let level = ns.pod_security.unwrap_or_default();
    let mut labels = Map::new();
    labels.insert("app.kubernetes.io/managed-by".into(), "kubeward".into());
    if let Some(team) = &ns.team {
        labels.insert("team".into(), team.as_str().into());
    }
    let version = format!("v1.{minor}");
    // Enforce the declared level; audit and warn always at restricted, so that every
    // relaxation stays visible.
    for (mode, lvl) in [
        ("enforce", level),
        ("audit", PodSecurity::Restricted),
        ("warn", PodSecurity::Restricted),
    ] {
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}"),
            lvl.as_str().into(),
        );
        labels.insert(
            format!("pod-security.kubernetes.io/{mode}-version"),
            version.clone().into(),
        );
    }
    let mut annotations = Map::new();
    if level != PodSecurity::Restricted
        && let Some(reason) = &ns.pod_security_exemption
    {
        annotations.insert(
            "kubeward.dev/pod-security-exemption".into(),
            reason.trim().into(),
        );
    }
    json!({ "name": ns.name, "labels": labels, "annotations": annotations })
}

fn quota_view(spec: &LoadedSpec, ni: usize) -> Value {
    let ns = &spec.spec.namespaces[ni];
    let q = ns.quota.clone().unwrap_or_default();
    let mut hard = Map::new();
    hard.insert(
        "pods".into(),
        q.pods.unwrap_or(QUOTA_PODS).to_string().into(),
    );
    for (prefix, set, defaults) in [
        ("requests", q.requests.as_ref(), QUOTA_REQUESTS),
        ("limits", q.limits.as_ref(), QUOTA_LIMITS),
    ] {
        for (res, default) in defaults {
            let given = set.and_then(|s| {
                if res == "cpu" {
                    s.cpu.as_ref()
                } else {
                    s.memory.as_ref()
                }
            });
            hard.insert(
                format!("{prefix}.{res}"),
                given.map_or(default.to_string(), |g| g.0.clone()).into(),
            );
        }
    }
    hard.insert(
        "services.nodeports".into(),
        q.node_ports.unwrap_or(0).to_string().into(),
    );
    hard.insert(
        "services.loadbalancers".into(),
        q.load_balancers.unwrap_or(0).to_string().into(),
    );
    json!({ "namespace": ns.name, "hard": hard })
}

fn limitrange_view(spec: &LoadedSpec, ni: usize) -> Value {
    let ns = &spec.spec.namespaces[ni];
    let d = namespace_defaults(ns);
    let view = d.view();
    let mut max = Map::new();
    let given_max = ns.defaults.as_ref().and_then(|d| d.max.as_ref());
    let quota_limits = ns.quota.as_ref().and_then(|q| q.limits.as_ref());
    for (res, default) in QUOTA_LIMITS {
        let from_max = given_max.and_then(|m| {
            if res == "cpu" {
                m.cpu.as_ref()
            } else {
                m.memory.as_ref()
            }
        });
        let from_quota = quota_limits.and_then(|q| {
            if res == "cpu" {
                q.cpu.as_ref()
            } else {
                q.memory.as_ref()
            }
        });
        let value = from_max
            .or(from_quota)
            .map_or(default.to_string(), |q| q.0.clone());
        max.insert(res.into(), value.into());
    }
    if let Some(eph) = given_max.and_then(|m| m.ephemeral_storage.as_ref()) {
        max.insert("ephemeral-storage".into(), eph.0.clone().into());
    }
    json!({
        "namespace": ns.name,
        "default": view["limits"],
        "defaultRequest": view["requests"],
        "max": max,
    })
}

fn dns_view(spec: &LoadedSpec, ns: &str) -> Value {
    let node_local = spec
        .spec
        .dns
        .as_ref()
        .and_then(|d| d.node_local.as_ref())
        .map(|ip| {
            if ip.contains(':') {
                format!("{ip}/128")
            } else {
                format!("{ip}/32")
            }
        });
    json!({ "namespace": ns, "nodeLocal": node_local })
}
