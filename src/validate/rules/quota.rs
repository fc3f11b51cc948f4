//! Quota fit: the workloads of a namespace, at full scale plus one rolling-update surge,
//! must fit the namespace's ResourceQuota. Containers without a value take the
//! namespace's LimitRange default, as admission would.

use serde_yaml::Value;

use super::scope::Scope;
use super::select::{ns as namespace_of, of_kind};
use super::{Hit, get, pod_spec, rule};
use crate::k8s::quantity::{format_milli, parse_milli};
use crate::validate::Document;

/// Pods a workload runs at once during a rollout: replicas plus its surge.
fn pods_at_peak(doc: &Document) -> u128 {
    let replicas = doc
        .value
        .get("spec")
        .and_then(|s| s.get("replicas"))
        .and_then(Value::as_u64);
    match doc.kind() {
        "Pod" => 1,
        "Deployment" => {
            let r = replicas.unwrap_or(1) as u128;
            if r == 0 {
                return 0;
            }
            let strategy = get(&doc.value, "spec.strategy.type")
                .and_then(Value::as_str)
                .unwrap_or("RollingUpdate");
            if strategy != "RollingUpdate" {
                return r;
            }
            let surge = match get(&doc.value, "spec.strategy.rollingUpdate.maxSurge") {
                Some(Value::Number(n)) => n.as_u64().unwrap_or(0) as u128,
                Some(Value::String(p)) => p
                    .trim_end_matches('%')
                    .parse::<u128>()
                    .map_or(1, |pct| (r * pct).div_ceil(100)),
                _ => r.div_ceil(4), // the default surge is 25 %
            };
            r + surge
        }
        "StatefulSet" | "ReplicaSet" | "ReplicationController" => replicas.unwrap_or(1) as u128,
        _ => 0,
    }
}

/// The LimitRange `Container` default (`default` or `defaultRequest`) for `res` in `ns`
/// (a LimitRange without a namespace is in `default`, as `kubectl apply` puts it).
fn limitrange_default(all: &Scope, ns: &str, field: &str, res: &str) -> Option<u128> {
    of_kind(all, "LimitRange", ns)
        .flat_map(|d| {
            get(&d.value, "spec.limits")
                .and_then(Value::as_sequence)
                .cloned()
                .unwrap_or_default()
        })
        .filter(|l| l.get("type").and_then(Value::as_str) == Some("Container"))
        .find_map(|l| l.get(field).and_then(|m| m.get(res)).and_then(quantity))
}

fn quantity(v: &Value) -> Option<u128> {
    match v {
        Value::String(s) => parse_milli(s).ok(),
        Value::Number(n) => parse_milli(&n.to_string()).ok(),
        _ => None,
    }
}

/// What one pod of `doc` asks for: `kind` is `requests` or `limits`.
fn per_pod(doc: &Document, all: &Scope, kind: &str, res: &str) -> u128 {
    let Some((_, pod)) = pod_spec(doc) else {
        return 0;
    };
    let ns = namespace_of(doc);
    let fallback = if kind == "requests" {
        "defaultRequest"
    } else {
        "default"
    };
    let value = |c: &Value| {
        get(c, &format!("resources.{kind}"))
            .and_then(|m| m.get(res))
            .and_then(quantity)
            .or_else(|| limitrange_default(all, ns, fallback, res))
            .unwrap_or(0)
    };
    let list = |name: &str| {
        pod.get(name)
            .and_then(Value::as_sequence)
            .cloned()
            .unwrap_or_default()
    };
    let sum: u128 = list("containers").iter().map(value).sum();
    let init = list("initContainers").iter().map(value).max().unwrap_or(0);
    sum.max(init)
}

fn check(doc: &Document, all: &Scope) -> Vec<Hit> {
    // The scope holds the quota's namespace: objects naming it, or for a quota without
    // a namespace the namespace-less objects of its unit (applied together with `-n`).
    let ns = namespace_of(doc);
    let workloads: Vec<&Document> = all
        .workloads()
        .filter(|d| pods_at_peak(d) > 0 && pod_spec(d).is_some())
        .collect();
    let mut hits = Vec::new();
    let hard = get(&doc.value, "spec.hard")
        .and_then(Value::as_mapping)
        .cloned()
        .unwrap_or_default();
    for (key, allowed) in &hard {
        let (Some(key), Some(allowed)) = (key.as_str(), quantity(allowed)) else {
            continue;
        };
        let (needed, parts) = if key == "pods" {
            let parts = workloads
                .iter()
                .map(|w| format!("{} {}: {}", w.kind(), w.name(), pods_at_peak(w)))
                .collect();
            (
                workloads.iter().map(|w| pods_at_peak(w)).sum::<u128>() * 1000,
                parts,
            )
        } else {
            let split = match key {
                "cpu" | "memory" => Some(("requests", key)),
                _ => key
                    .split_once('.')
                    .filter(|(k, _)| *k == "requests" || *k == "limits"),
            };
            let Some((kind, res)) = split else { continue };
            let mut parts = Vec::new();
            let mut needed = 0;
            for w in &workloads {
                let each = per_pod(w, all, kind, res);
                needed += each * pods_at_peak(w);
                parts.push(format!(
                    "{} {}: {} × {}",
                    w.kind(),
                    w.name(),
                    pods_at_peak(w),
                    format_milli(each, res == "cpu")
                ));
            }
            (needed, parts)
        };
        if needed > allowed {
            let show = |v: u128| {
                if key == "pods" {
                    (v / 1000).to_string()
                } else {
                    format_milli(v, key.ends_with("cpu"))
                }
            };
            hits.push(Hit::new(
                format!("spec.hard[\"{key}\"]"),
                format!("the workloads of namespace `{ns}` need {} {key} at peak but the quota allows {} ({})", show(needed), show(allowed), parts.join(", ")),
            ));
        }
    }
    hits
}

rule!(QuotaFit {
    id: "quota-fit",
    title: "Workloads fit their namespace's ResourceQuota",
    severity: Error,
    kinds: &["ResourceQuota"],
    rationale: "A rollout needs room for its surge pods; when the quota is full, new pods are refused and the rollout stalls half-way. Counted: replicas plus the rolling-update surge (default 25 %, rounded up) of every workload in the namespace, containers without a value taking the LimitRange default.",
    fix: "raise the quota, or lower replicas, requests or limits (kubeward render sizes the surge as one pod with maxSurge: 1)",
    refs: [
        "NSA/CISA 4.0 (resource quotas)",
        "Kubernetes ResourceQuota admission"
    ],
    check: check,
});
