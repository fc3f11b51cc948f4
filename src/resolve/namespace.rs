//! Namespaces: names, team, Pod Security level, quota and container defaults.

use std::collections::{BTreeSet, HashMap};

use crate::diag::Diagnostic;
use crate::k8s::names::{dns_label_help, is_dns_label, is_label_value};
use crate::k8s::quantity::cpu_unit_problem;
use crate::k8s::{PodSecurity, Quantity};
use crate::spec::{self, LoadedSpec};

use super::defaults::{
    LIMIT, QUOTA_LIMITS, QUOTA_PODS, QUOTA_REQUESTS, REQUEST, cpu_memory, resource_set,
};
use super::model::{ContainerDefaults, CpuMemory, Namespace, Quota, ResourceSet};

/// Whether a namespace belongs to Kubernetes itself (`default`, `kube-*`): kubeward
/// cannot own it.
fn is_system(name: &str) -> bool {
    name == "default" || name.starts_with("kube-")
}

/// Resolve every namespace (access entries are resolved by `access`).
pub fn resolve_all(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Vec<Namespace> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut all = Vec::new();
    for (i, ns) in s.spec.namespaces.iter().enumerate() {
        check_name(s, i, &ns.name, &mut seen, out);
        all.push(resolve_one(s, i, ns, out));
    }
    all
}

fn check_name<'a>(
    s: &LoadedSpec,
    i: usize,
    name: &'a str,
    seen: &mut HashMap<&'a str, usize>,
    out: &mut Vec<Diagnostic>,
) {
    let at = format!("namespaces[{i}].name");
    if !is_dns_label(name) {
        out.push(
            s.error_at(&at, format!("`{name}` is not a valid namespace name"))
                .with_help(dns_label_help(name)),
        );
    } else if is_system(name) {
        out.push(
            s.error_at(&at, format!("`{name}` is a system namespace"))
                .with_help("give the service a namespace of its own; system namespaces are not administrative boundaries kubeward can manage"),
        );
    }
    if let Some(first) = seen.insert(name, i) {
        out.push(
            s.error_at(&at, format!("namespace `{name}` is declared twice"))
                .with_help(format!(
                    "it is first declared as namespaces[{first}]; merge the two entries"
                )),
        );
    }
}

fn resolve_one(
    s: &LoadedSpec,
    i: usize,
    ns: &spec::Namespace,
    out: &mut Vec<Diagnostic>,
) -> Namespace {
    let at = |f: &str| format!("namespaces[{i}].{f}");
    if let Some(team) = &ns.team
        && !is_label_value(team)
    {
        out.push(s.error_at(&at("team"), format!("`{team}` cannot be a label value")).with_help(
            "a team is up to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit",
        ));
    }
    let level = ns.pod_security.unwrap_or_default();
    let reason = ns
        .pod_security_exemption
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    if level != PodSecurity::Restricted && reason.is_empty() {
        out.push(
            s.error_at(&at("podSecurity"), format!("podSecurity `{}` needs a written reason", level.as_str()))
                .with_help("add `podSecurityExemption: \"<why this namespace cannot be restricted>\"`, or use `restricted`"),
        );
    }
    if let Some(from) = &ns.ingress_from
        && !is_dns_label(from)
    {
        out.push(
            s.error_at(
                &at("ingressFrom"),
                format!("`{from}` is not a valid namespace name"),
            )
            .with_help(dns_label_help(from)),
        );
    }
    let quota = quota(s, i, ns.quota.as_ref(), out);
    let defaults = defaults(s, i, ns.defaults.as_ref(), &quota, out);
    Namespace {
        name: ns.name.clone(),
        team: ns.team.clone(),
        pod_security: level,
        pod_security_exemption: (level != PodSecurity::Restricted && !reason.is_empty())
            .then(|| reason.to_string()),
        quota,
        defaults,
        ingress_from: ns.ingress_from.clone(),
        access: Vec::new(),
        registries: Vec::new(),
    }
}

fn quota(s: &LoadedSpec, i: usize, q: Option<&spec::Quota>, out: &mut Vec<Diagnostic>) -> Quota {
    let pair = |set: Option<&spec::CpuMemory>, prefix: &str, table, out: &mut Vec<Diagnostic>| {
        let path = format!("namespaces[{i}].quota.{prefix}");
        CpuMemory {
            cpu: quantity(
                s,
                &format!("{path}.cpu"),
                "cpu",
                set.and_then(|c| c.cpu.as_ref()),
                out,
            )
            .unwrap_or_else(|| cpu_memory(table, "cpu")),
            memory: quantity(
                s,
                &format!("{path}.memory"),
                "memory",
                set.and_then(|c| c.memory.as_ref()),
                out,
            )
            .unwrap_or_else(|| cpu_memory(table, "memory")),
        }
    };
    Quota {
        pods: q.and_then(|q| q.pods).unwrap_or(QUOTA_PODS),
        requests: pair(
            q.and_then(|q| q.requests.as_ref()),
            "requests",
            &QUOTA_REQUESTS,
            out,
        ),
        limits: pair(
            q.and_then(|q| q.limits.as_ref()),
            "limits",
            &QUOTA_LIMITS,
            out,
        ),
        node_ports: q.and_then(|q| q.node_ports).unwrap_or(0),
        load_balancers: q.and_then(|q| q.load_balancers).unwrap_or(0),
    }
}

/// The LimitRange: given values over the built-in ones; the max defaults to the quota
/// limits. It must be admissible: default request ≤ default limit ≤ max.
fn defaults(
    s: &LoadedSpec,
    i: usize,
    d: Option<&spec::Defaults>,
    quota: &Quota,
    out: &mut Vec<Diagnostic>,
) -> ContainerDefaults {
    let at = |f: &str| format!("namespaces[{i}].defaults.{f}");
    let request = resource_set_over(
        s,
        &at("request"),
        d.and_then(|d| d.request.as_ref()),
        &resource_set(&REQUEST),
        out,
    );
    let limit = resource_set_over(
        s,
        &at("limit"),
        d.and_then(|d| d.limit.as_ref()),
        &resource_set(&LIMIT),
        out,
    );
    let max = d.and_then(|d| d.max.as_ref());
    let max_path = at("max");
    let field = |name: &str, q: Option<&spec::Quantity>, out: &mut Vec<Diagnostic>| {
        quantity(s, &format!("{max_path}.{name}"), name, q, out)
    };
    let defaults = ContainerDefaults {
        max_cpu: field("cpu", max.and_then(|m| m.cpu.as_ref()), out)
            .unwrap_or_else(|| quota.limits.cpu.clone()),
        max_memory: field("memory", max.and_then(|m| m.memory.as_ref()), out)
            .unwrap_or_else(|| quota.limits.memory.clone()),
        max_ephemeral_storage: field(
            "[\"ephemeral-storage\"]",
            max.and_then(|m| m.ephemeral_storage.as_ref()),
            out,
        ),
        request,
        limit,
    };
    for (res, max) in [("cpu", &defaults.max_cpu), ("memory", &defaults.max_memory)] {
        let (req, lim) = if res == "cpu" {
            (&defaults.request.cpu, &defaults.limit.cpu)
        } else {
            (&defaults.request.memory, &defaults.limit.memory)
        };
        if req.milli() > lim.milli() || lim.milli() > max.milli() {
            out.push(s.error_at_key(&format!("namespaces[{i}]"), format!(
                "namespace `{}`: the container defaults need request {req} ≤ limit {lim} ≤ max {max} {res}", s.spec.namespaces[i].name
            )).with_help("set `defaults` (request, limit, max) so that they fit, or raise the quota limits, which are the default max"));
        }
    }
    defaults
}

/// A namespace with every built-in default, standing in for an undeclared one so that
/// the rest of an app can still be checked.
pub(super) fn builtin(name: &str) -> Namespace {
    let quota = Quota {
        pods: QUOTA_PODS,
        requests: CpuMemory {
            cpu: cpu_memory(&QUOTA_REQUESTS, "cpu"),
            memory: cpu_memory(&QUOTA_REQUESTS, "memory"),
        },
        limits: CpuMemory {
            cpu: cpu_memory(&QUOTA_LIMITS, "cpu"),
            memory: cpu_memory(&QUOTA_LIMITS, "memory"),
        },
        node_ports: 0,
        load_balancers: 0,
    };
    Namespace {
        name: name.to_string(),
        team: None,
        pod_security: PodSecurity::Restricted,
        pod_security_exemption: None,
        defaults: ContainerDefaults {
            request: resource_set(&REQUEST),
            limit: resource_set(&LIMIT),
            max_cpu: quota.limits.cpu.clone(),
            max_memory: quota.limits.memory.clone(),
            max_ephemeral_storage: None,
        },
        quota,
        ingress_from: None,
        access: Vec::new(),
        registries: Vec::new(),
    }
}

/// A quantity of resource `name` (`cpu`, `memory`…) given at `path`, parsed; an invalid
/// one (for cpu: one not in cores or millicores) is reported and gives `None`.
pub(super) fn quantity(
    s: &LoadedSpec,
    path: &str,
    name: &str,
    q: Option<&spec::Quantity>,
    out: &mut Vec<Diagnostic>,
) -> Option<Quantity> {
    let q = q?;
    if let Some(why) = (name == "cpu").then(|| cpu_unit_problem(&q.0)).flatten() {
        out.push(s.error_at(&path.replace(".[", "["), why).with_help(
            "write cpu in millicores (`100m`) or cores (`2`, `0.5`); memory takes `Mi` and `Gi`",
        ));
        return None;
    }
    match Quantity::parse(&q.0) {
        Ok(q) => Some(q),
        Err(e) => {
            let path = path.replace(".[", "[");
            out.push(s.error_at(&path, e).with_help(
                "write a Kubernetes quantity, e.g. `500m` or `2` for cpu, `256Mi` or `4Gi` for memory",
            ));
            None
        }
    }
}

/// A resource set: each field as given at `path`, else from `base`.
pub(super) fn resource_set_over(
    s: &LoadedSpec,
    path: &str,
    given: Option<&spec::ResourceSet>,
    base: &ResourceSet,
    out: &mut Vec<Diagnostic>,
) -> ResourceSet {
    let mut field = |name: &str, q: Option<&spec::Quantity>, fallback: &Quantity| {
        let resource = name.trim_matches(['[', ']', '"']);
        quantity(s, &format!("{path}.{name}"), resource, q, out).unwrap_or_else(|| fallback.clone())
    };
    ResourceSet {
        cpu: field("cpu", given.and_then(|g| g.cpu.as_ref()), &base.cpu),
        memory: field(
            "memory",
            given.and_then(|g| g.memory.as_ref()),
            &base.memory,
        ),
        ephemeral_storage: field(
            "[\"ephemeral-storage\"]",
            given.and_then(|g| g.ephemeral_storage.as_ref()),
            &base.ephemeral_storage,
        ),
    }
}

/// Names of the declared namespaces, for help lines.
pub(super) fn namespace_list(s: &LoadedSpec) -> String {
    let names: BTreeSet<&str> = s.spec.namespaces.iter().map(|n| n.name.as_str()).collect();
    if names.is_empty() {
        "none are declared".into()
    } else {
        names
            .into_iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
