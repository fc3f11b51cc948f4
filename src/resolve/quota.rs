//! Quota fit: the apps of a namespace at their rollout peak (replicas plus the surge,
//! times requests and limits) must fit its ResourceQuota.

use crate::diag::Diagnostic;
use crate::k8s::Quantity;
use crate::k8s::quantity::format_milli;
use crate::spec::LoadedSpec;

use super::model::{App, Namespace, ResourceSet};

/// One quota line: what is needed against what is allowed.
struct Need {
    key: String,
    cpu: bool,
    needed: u128,
    allowed: u128,
    parts: Vec<String>,
}

/// Check every namespace; errors point at the namespace's quota in the spec.
pub fn check_fit(
    s: &LoadedSpec,
    namespaces: &[Namespace],
    apps: &[&App],
    out: &mut Vec<Diagnostic>,
) {
    for (ni, ns) in namespaces.iter().enumerate() {
        let apps: Vec<&App> = apps
            .iter()
            .copied()
            .filter(|a| a.namespace == ns.name)
            .collect();
        for need in needs(ns, &apps) {
            if need.needed <= need.allowed {
                continue;
            }
            let shown = |v: u128| {
                if need.key == "pods" {
                    v.to_string()
                } else {
                    format_milli(v, need.cpu)
                }
            };
            out.push(s.error_at_key(&format!("namespaces[{ni}].quota"), format!(
                "the apps of namespace `{}` need {} {} but the quota allows {}",
                ns.name, shown(need.needed), need.key, shown(need.allowed)
            )).with_help(format!(
                "{} (replicas plus the rolling-update surge); raise `quota` or lower replicas or resources",
                need.parts.join(" + ")
            )));
        }
    }
}

fn needs(ns: &Namespace, apps: &[&App]) -> Vec<Need> {
    let mut out = vec![Need {
        key: "pods".into(),
        cpu: false,
        needed: apps.iter().map(|a| a.peak_pods() as u128).sum(),
        allowed: ns.quota.pods as u128,
        parts: apps
            .iter()
            .map(|a| format!("`{}`: {} pods", a.name, a.peak_pods()))
            .collect(),
    }];
    for prefix in ["requests", "limits"] {
        for res in ["cpu", "memory"] {
            let pick = |set: &ResourceSet| -> Quantity {
                if res == "cpu" {
                    set.cpu.clone()
                } else {
                    set.memory.clone()
                }
            };
            let each = |a: &App| {
                pick(if prefix == "requests" {
                    &a.resources.requests
                } else {
                    &a.resources.limits
                })
            };
            let quota = if prefix == "requests" {
                &ns.quota.requests
            } else {
                &ns.quota.limits
            };
            let allowed = if res == "cpu" {
                &quota.cpu
            } else {
                &quota.memory
            };
            out.push(Need {
                key: format!("{prefix}.{res}"),
                cpu: res == "cpu",
                needed: apps
                    .iter()
                    .map(|a| each(a).milli() * a.peak_pods() as u128)
                    .sum(),
                allowed: allowed.milli(),
                parts: apps
                    .iter()
                    .map(|a| format!("`{}`: {} × {}", a.name, a.peak_pods(), each(a)))
                    .collect(),
            });
        }
    }
    out
}
