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
                .into_iter()
                .flatten()
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

/// What one pod of `doc` asks for: `kind` is `requests` or `limits`. `default` is the
/// namespace's LimitRange default for a container without a value, looked up once.
fn per_pod(doc: &Document, kind: &str, res: &str, default: &dyn Fn() -> u128) -> u128 {
    let Some((_, pod)) = pod_spec(doc) else {
        return 0;
    };
    let value = |c: &Value| {
        c.get("resources")
            .and_then(|r| r.get(kind))
            .and_then(|m| m.get(res))
            .and_then(quantity)
            .unwrap_or_else(default)
    };
    let list = |name: &str| {
        pod.get(name)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
    };
    let sum: u128 = list("containers").map(value).sum();
    let init = list("initContainers").map(value).max().unwrap_or(0);
    sum.max(init)
}

fn check(doc: &Document, all: &Scope) -> Vec<Hit> {
    // The scope holds the quota's namespace: objects naming it, or for a quota without
    // a namespace the namespace-less objects of its unit (applied together with `-n`).
    let ns = namespace_of(doc);
    let workloads: Vec<(&Document, u128)> = all
        .workloads()
        .filter(|d| pod_spec(d).is_some())
        .map(|d| (d, pods_at_peak(d)))
        .filter(|&(_, peak)| peak > 0)
        .collect();
    let mut hits = Vec::new();
    let hard = get(&doc.value, "spec.hard").and_then(Value::as_mapping);
    for (key, allowed) in hard.into_iter().flatten() {
        let (Some(key), Some(allowed)) = (key.as_str(), quantity(allowed)) else {
            continue;
        };
        let Some(need) = Need::of(key) else { continue };
        let (needed, each) = need.count(&workloads, all, ns);
        if needed > allowed {
            // The breakdown is written only for a finding.
            let parts: Vec<String> = workloads
                .iter()
                .zip(&each)
                .map(|((w, peak), one)| match need {
                    Need::Pods => format!("{} {}: {peak}", w.kind(), w.name()),
                    Need::Resource { res, .. } => format!(
                        "{} {}: {peak} × {}",
                        w.kind(),
                        w.name(),
                        format_milli(*one, res == "cpu")
                    ),
                })
                .collect();
            let show = |v: u128| match need {
                Need::Pods => (v / 1000).to_string(),
                Need::Resource { .. } => format_milli(v, key.ends_with("cpu")),
            };
            hits.push(Hit::new(
                format!("spec.hard[\"{key}\"]"),
                format!("the workloads of namespace `{ns}` need {} {key} at peak but the quota allows {} ({})", show(needed), show(allowed), parts.join(", ")),
            ));
        }
    }
    hits
}

/// What a quota key counts: pods, or a resource's requests or limits.
#[derive(Clone, Copy)]
enum Need<'k> {
    Pods,
    Resource { kind: &'k str, res: &'k str },
}

impl<'k> Need<'k> {
    fn of(key: &'k str) -> Option<Self> {
        match key {
            "pods" => Some(Need::Pods),
            "cpu" | "memory" => Some(Need::Resource {
                kind: "requests",
                res: key,
            }),
            _ => key
                .split_once('.')
                .filter(|(k, _)| *k == "requests" || *k == "limits")
                .map(|(kind, res)| Need::Resource { kind, res }),
        }
    }

    /// The total at peak (pods in thousandths, like quantities) and what one pod of
    /// each workload needs.
    fn count(self, workloads: &[(&Document, u128)], all: &Scope, ns: &str) -> (u128, Vec<u128>) {
        let Need::Resource { kind, res } = self else {
            let pods: u128 = workloads.iter().map(|(_, peak)| peak).sum();
            return (pods * 1000, vec![1; workloads.len()]);
        };
        let field = if kind == "requests" {
            "defaultRequest"
        } else {
            "default"
        };
        let default = std::cell::OnceCell::new();
        let default =
            || *default.get_or_init(|| limitrange_default(all, ns, field, res).unwrap_or(0));
        let each: Vec<u128> = workloads
            .iter()
            .map(|(w, _)| per_pod(w, kind, res, &default))
            .collect();
        let needed = workloads
            .iter()
            .zip(&each)
            .map(|((_, peak), one)| one * peak)
            .sum();
        (needed, each)
    }
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
