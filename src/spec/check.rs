//! Semantic checks of a loaded spec: names, references and values that serde cannot judge.
//!
//! All problems of a spec are collected and reported together, each at its position.

use std::collections::{BTreeSet, HashMap};

use crate::diag::Diagnostic;

use super::load::LoadedSpec;
use super::types::{CpuMemory, PodSecurity, ResourceSet};
use super::{check_app, check_flow};
use crate::k8s::names::{Cidr, dns_label_help, is_dns_label, is_label_value};
use crate::k8s::quantity::parse_milli;

/// Oldest and newest Kubernetes minor versions kubeward renders for.
pub const OLDEST_MINOR: u32 = 30;
pub const NEWEST_MINOR: u32 = 37;

/// Run every semantic check; returns errors and warnings in source order.
pub fn check(spec: &LoadedSpec) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_top(spec, &mut out);
    check_namespaces(spec, &mut out);
    check_app::check_apps(spec, &mut out);
    super::access::check_access(spec, &mut out);
    check_flow::check_flows(spec, &mut out);
    out.sort_by_key(|d| d.pos);
    out
}

/// Parse the `kubernetes:` target into its minor version.
pub fn kubernetes_minor(value: Option<&str>) -> Result<u32, String> {
    let Some(v) = value else {
        return Ok(NEWEST_MINOR);
    };
    let minor = v
        .trim_start_matches('v')
        .strip_prefix("1.")
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| format!("`{v}` is not a Kubernetes version such as \"1.{NEWEST_MINOR}\""))?;
    if !(OLDEST_MINOR..=NEWEST_MINOR).contains(&minor) {
        return Err(format!(
            "Kubernetes {v} is not supported; kubeward renders for 1.{OLDEST_MINOR} to 1.{NEWEST_MINOR}"
        ));
    }
    Ok(minor)
}

fn check_top(s: &LoadedSpec, out: &mut Vec<Diagnostic>) {
    let spec = &s.spec;
    if spec.version != 1 {
        out.push(
            s.error_at(
                "version",
                format!("unsupported spec version {}", spec.version),
            )
            .with_help("this kubeward reads spec version 1; write `version: 1`"),
        );
    }
    if let Err(e) = kubernetes_minor(spec.kubernetes.as_deref()) {
        out.push(s.error_at("kubernetes", e).with_help(format!(
            "write the target minor version as a quoted string, e.g. `kubernetes: \"1.{NEWEST_MINOR}\"`"
        )));
    }
    if spec.namespaces.is_empty() && spec.apps.is_empty() {
        out.push(
            s.error_at(
                "",
                "the spec declares no namespaces and no apps: nothing to render",
            )
            .with_help("add a `namespaces:` list (and `apps:`), or run `kubeward init`"),
        );
    }
    for (i, r) in spec.registries.iter().enumerate() {
        if r.trim().is_empty() || r.chars().any(char::is_whitespace) {
            out.push(
                s.error_at(
                    &format!("registries[{i}]"),
                    format!("`{r}` is not a registry prefix"),
                )
                .with_help(
                    "write a registry host and path prefix, e.g. `registry.example.com/team/`",
                ),
            );
        }
    }
    check_supply_chain(s, out);
    if let Some(api) = &spec.api_server {
        for (i, c) in api.cidrs.iter().enumerate() {
            if let Err(e) = Cidr::parse(c) {
                out.push(s.error_at(&format!("apiServer.cidrs[{i}]"), e).with_help(
                    "give the API server's address as a CIDR, e.g. `10.0.0.1/32` (see `kubectl get endpoints kubernetes`)",
                ));
            }
        }
    }
    if let Some(ip) = spec.dns.as_ref().and_then(|d| d.node_local.as_ref())
        && ip.parse::<std::net::IpAddr>().is_err()
    {
        out.push(
            s.error_at("dns.nodeLocal", format!("`{ip}` is not an IP address"))
                .with_help(
                    "NodeLocal DNSCache listens on a link-local address, usually `169.254.20.10`",
                ),
        );
    }
    if let Some(logging) = &spec.logging
        && logging.enabled
    {
        out.push(
            s.error_at("logging.enabled", "cluster logging is not supported yet")
                .with_help(
                    "remove `logging:` or set `enabled: false`; the Fluent Bit bundle is planned",
                ),
        );
    }
}

fn check_supply_chain(s: &LoadedSpec, out: &mut Vec<Diagnostic>) {
    let spec = &s.spec;
    let chain = spec.supply_chain.as_ref();
    if spec.registries.is_empty() && !spec.apps.is_empty() {
        out.push(
            s.warning_at("", "no trusted registries: images from any registry are accepted")
                .with_code("trusted-registries")
                .with_help("add `registries: [registry.example.com/team/]`; kubeward then checks every image and renders an admission policy that enforces it"),
        );
        if chain.and_then(|c| c.admission_policy) == Some(true) {
            out.push(
                s.error_at(
                    "supplyChain.admissionPolicy",
                    "the admission policy needs trusted registries",
                )
                .with_help("list them under `registries:`"),
            );
        }
    }
    let pipeline = chain.and_then(|c| c.ci_pipeline);
    let wants_pipeline = match pipeline {
        Some(p) => p != super::types::CiPipeline::None,
        None => !spec.registries.is_empty(),
    };
    if wants_pipeline {
        let path = if pipeline.is_some() {
            "supplyChain.ciPipeline"
        } else {
            "registries"
        };
        out.push(
            s.warning_at(path, "the image pipeline (build, scan, push by digest) is not generated yet")
                .with_code("ci-pipeline")
                .with_help("set `supplyChain: { ciPipeline: none }` until it is; the admission policy is generated either way"),
        );
    }
}

fn check_namespaces(s: &LoadedSpec, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, ns) in s.spec.namespaces.iter().enumerate() {
        let at = |f: &str| format!("namespaces[{i}].{f}");
        if !is_dns_label(&ns.name) {
            out.push(
                s.error_at(
                    &at("name"),
                    format!("`{}` is not a valid namespace name", ns.name),
                )
                .with_help(dns_label_help(&ns.name)),
            );
        } else if ["default", "kube-system", "kube-public", "kube-node-lease"]
            .contains(&ns.name.as_str())
        {
            out.push(
                s.error_at(&at("name"), format!("`{}` is a system namespace", ns.name))
                    .with_help("give the service a namespace of its own; system namespaces are not administrative boundaries kubeward can manage"),
            );
        }
        if let Some(first) = seen.insert(&ns.name, i) {
            out.push(
                s.error_at(
                    &at("name"),
                    format!("namespace `{}` is declared twice", ns.name),
                )
                .with_help(format!(
                    "it is first declared as namespaces[{first}]; merge the two entries"
                )),
            );
        }
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
        if let Some(q) = &ns.quota {
            check_cpu_memory(s, &at("quota.requests"), q.requests.as_ref(), out);
            check_cpu_memory(s, &at("quota.limits"), q.limits.as_ref(), out);
        }
        if let Some(d) = &ns.defaults {
            check_resource_set(s, &at("defaults.request"), d.request.as_ref(), out);
            check_resource_set(s, &at("defaults.limit"), d.limit.as_ref(), out);
            check_resource_set(s, &at("defaults.max"), d.max.as_ref(), out);
        }
    }
}

fn check_quantity(
    s: &LoadedSpec,
    path: &str,
    q: Option<&super::types::Quantity>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(q) = q
        && let Err(e) = parse_milli(&q.0)
    {
        out.push(s.error_at(path, e).with_help(
            "write a Kubernetes quantity, e.g. `500m` or `2` for cpu, `256Mi` or `4Gi` for memory",
        ));
    }
}

pub(crate) fn check_cpu_memory(
    s: &LoadedSpec,
    path: &str,
    r: Option<&CpuMemory>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(r) = r {
        check_quantity(s, &format!("{path}.cpu"), r.cpu.as_ref(), out);
        check_quantity(s, &format!("{path}.memory"), r.memory.as_ref(), out);
    }
}

pub(crate) fn check_resource_set(
    s: &LoadedSpec,
    path: &str,
    r: Option<&ResourceSet>,
    out: &mut Vec<Diagnostic>,
) {
    if let Some(r) = r {
        check_quantity(s, &format!("{path}.cpu"), r.cpu.as_ref(), out);
        check_quantity(s, &format!("{path}.memory"), r.memory.as_ref(), out);
        check_quantity(
            s,
            &format!("{path}[\"ephemeral-storage\"]"),
            r.ephemeral_storage.as_ref(),
            out,
        );
    }
}

/// Names of the declared namespaces, for help lines.
pub(crate) fn namespace_list(s: &LoadedSpec) -> String {
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
