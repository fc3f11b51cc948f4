//! Quota fit: the apps of a namespace (replicas plus one rolling-update surge pod, times
//! requests and limits) must fit its ResourceQuota; each container must fit its limits.

use crate::diag::Diagnostic;
use crate::k8s::quantity::{format_milli, parse_milli};
use crate::spec::{LoadedSpec, Namespace};

use super::defaults::{QUOTA_LIMITS, QUOTA_PODS, QUOTA_REQUESTS, REPLICAS, resolve_resources};

/// One quota line: what is needed against what is allowed.
struct Need {
    key: String,
    cpu: bool,
    needed: u128,
    allowed: u128,
    parts: Vec<String>,
}

/// Check every namespace; errors point at the namespace's quota in the spec.
pub fn check_fit(spec: &LoadedSpec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (ni, ns) in spec.spec.namespaces.iter().enumerate() {
        check_defaults(spec, ni, &mut out);
        check_containers(spec, ns, &mut out);
        for need in needs(spec, ns) {
            if need.needed > need.allowed {
                let path = format!("namespaces[{ni}].quota");
                let shown = |v: u128| {
                    if need.key == "pods" {
                        v.to_string()
                    } else {
                        format_milli(v, need.cpu)
                    }
                };
                out.push(spec.error_at_key(&path, format!(
                    "the apps of namespace `{}` need {} {} but the quota allows {}",
                    ns.name, shown(need.needed), need.key, shown(need.allowed)
                )).with_help(format!(
                    "{} (replicas plus one rolling-update surge pod); raise `quota` or lower replicas or resources",
                    need.parts.join(" + ")
                )));
            }
        }
    }
    out
}

fn quota_value(ns: &Namespace, prefix: &str, res: &str) -> u128 {
    let q = ns.quota.as_ref();
    let set = q.and_then(|q| {
        if prefix == "requests" {
            q.requests.as_ref()
        } else {
            q.limits.as_ref()
        }
    });
    let given = set.and_then(|s| {
        if res == "cpu" {
            s.cpu.as_ref()
        } else {
            s.memory.as_ref()
        }
    });
    let defaults = if prefix == "requests" {
        QUOTA_REQUESTS
    } else {
        QUOTA_LIMITS
    };
    let default = defaults
        .iter()
        .find(|(k, _)| *k == res)
        .map(|(_, v)| *v)
        .unwrap_or("0");
    parse_milli(given.map_or(default, |g| g.0.as_str())).unwrap_or(u128::MAX)
}

fn needs(spec: &LoadedSpec, ns: &Namespace) -> Vec<Need> {
    let apps: Vec<_> = spec
        .spec
        .apps
        .iter()
        .filter(|a| a.namespace == ns.name)
        .collect();
    let pods_of = |a: &crate::spec::App| {
        let r = a.replicas.unwrap_or(REPLICAS) as u128;
        if r == 0 { 0 } else { r + 1 }
    };
    let mut out = vec![Need {
        key: "pods".into(),
        cpu: false,
        needed: apps.iter().map(|a| pods_of(a)).sum(),
        allowed: ns.quota.as_ref().and_then(|q| q.pods).unwrap_or(QUOTA_PODS) as u128,
        parts: apps
            .iter()
            .map(|a| format!("`{}`: {} pods", a.name, pods_of(a)))
            .collect(),
    }];
    for prefix in ["requests", "limits"] {
        for res in ["cpu", "memory"] {
            let mut needed = 0u128;
            let mut parts = Vec::new();
            for a in &apps {
                let r = resolve_resources(&spec.spec, a);
                let each = if prefix == "requests" {
                    r.request(res)
                } else {
                    r.limit(res)
                };
                let per = parse_milli(each).unwrap_or(0);
                needed += per * pods_of(a);
                parts.push(format!("`{}`: {} × {}", a.name, pods_of(a), each));
            }
            out.push(Need {
                key: format!("{prefix}.{res}"),
                cpu: res == "cpu",
                needed,
                allowed: quota_value(ns, prefix, res),
                parts,
            });
        }
    }
    out
}

/// The LimitRange must be admissible: default request ≤ default limit ≤ max.
fn check_defaults(spec: &LoadedSpec, ni: usize, out: &mut Vec<Diagnostic>) {
    let ns = &spec.spec.namespaces[ni];
    let d = super::defaults::namespace_defaults(ns);
    let given_max = ns.defaults.as_ref().and_then(|d| d.max.as_ref());
    for res in ["cpu", "memory"] {
        let max = given_max
            .and_then(|m| {
                if res == "cpu" {
                    m.cpu.as_ref()
                } else {
                    m.memory.as_ref()
                }
            })
            .map(|q| q.0.clone())
            .unwrap_or_else(|| {
                crate::k8s::quantity::format_milli(quota_value(ns, "limits", res), res == "cpu")
            });
        let (req, lim) = (d.request(res), d.limit(res));
        let (Ok(r), Ok(l), Ok(m)) = (parse_milli(req), parse_milli(lim), parse_milli(&max)) else {
            continue;
        };
        if r > l || l > m {
            out.push(spec.error_at_key(&format!("namespaces[{ni}]"), format!(
                "namespace `{}`: the container defaults need request {req} ≤ limit {lim} ≤ max {max} {res}", ns.name
            )).with_help("set `defaults` (request, limit, max) so that they fit, or raise the quota limits, which are the default max"));
        }
    }
}

/// Each container: requests at most limits.
fn check_containers(spec: &LoadedSpec, ns: &Namespace, out: &mut Vec<Diagnostic>) {
    for (ai, app) in spec
        .spec
        .apps
        .iter()
        .enumerate()
        .filter(|(_, a)| a.namespace == ns.name)
    {
        let r = resolve_resources(&spec.spec, app);
        for res in ["cpu", "memory", "ephemeral-storage"] {
            let (req, lim) = (r.request(res), r.limit(res));
            if let (Ok(a), Ok(b)) = (parse_milli(req), parse_milli(lim))
                && a > b
            {
                out.push(spec.error_at(&format!("apps[{ai}].resources"), format!(
                    "app `{}` requests {req} {res} but is limited to {lim}", app.name
                )).with_help("a request cannot exceed its limit; raise the limit or lower the request (defaults come from the namespace `defaults`)"));
            }
        }
    }
}
