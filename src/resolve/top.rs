//! The top of a spec: version, Kubernetes target, registries, supply chain, API server,
//! DNS and logging.

use crate::diag::Diagnostic;
use crate::k8s::image::registry_prefix;
use crate::k8s::names::Cidr;
use crate::spec::LoadedSpec;

use super::defaults::{NEWEST_MINOR, OLDEST_MINOR};
use super::model::Ci;

/// What the top of the spec resolves to.
pub struct Top {
    pub minor: u32,
    /// Trusted registry prefixes, each ending at a path boundary (`/`).
    pub registries: Vec<String>,
    pub admission_policy: bool,
    pub audit: bool,
    pub api_server: Vec<String>,
    pub dns_node_local: Option<String>,
    /// The CI system an image pipeline is rendered for.
    pub ci: Option<Ci>,
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

pub fn resolve(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Top {
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
    let minor = kubernetes_minor(spec.kubernetes.as_deref()).unwrap_or_else(|e| {
        out.push(s.error_at("kubernetes", e).with_help(format!(
            "write the target minor version as a quoted string, e.g. `kubernetes: \"1.{NEWEST_MINOR}\"`"
        )));
        NEWEST_MINOR
    });
    if spec.namespaces.is_empty() && spec.apps.is_empty() {
        out.push(
            s.error_at(
                "",
                "the spec declares no namespaces and no apps: nothing to render",
            )
            .with_help("add a `namespaces:` list (and `apps:`), or run `kubeward init`"),
        );
    }
    let registries = registries(s, out);
    let admission_policy = supply_chain(s, out);
    let api_server = api_server(s, out);
    let dns_node_local = dns(s, out);
    let ci = super::pipeline::choice(s, out);
    Top {
        minor,
        registries,
        admission_policy,
        audit: spec.audit.unwrap_or(true),
        api_server,
        dns_node_local,
        ci,
    }
}

fn registries(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Vec<String> {
    let mut all = Vec::new();
    for (i, r) in s.spec.registries.iter().enumerate() {
        match registry_prefix(r) {
            Ok(p) => all.push(p),
            Err(e) => out.push(s.error_at(&format!("registries[{i}]"), e).with_help(
                "write a registry host and optional path prefix, e.g. `registry.example.com/team/`",
            )),
        }
    }
    all
}

fn api_server(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Vec<String> {
    let Some(api) = &s.spec.api_server else {
        return Vec::new();
    };
    for (i, c) in api.cidrs.iter().enumerate() {
        if let Err(e) = Cidr::parse(c) {
            out.push(s.error_at(&format!("apiServer.cidrs[{i}]"), e).with_help(
                "give the API server's address as a CIDR, e.g. `10.0.0.1/32` (see `kubectl get endpoints kubernetes`)",
            ));
        }
    }
    api.cidrs.clone()
}

/// The NodeLocal DNSCache address as a CIDR of one address.
fn dns(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Option<String> {
    let ip = s.spec.dns.as_ref()?.node_local.as_ref()?;
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => Some(format!("{ip}/32")),
        Ok(std::net::IpAddr::V6(_)) => Some(format!("{ip}/128")),
        Err(_) => {
            out.push(
                s.error_at("dns.nodeLocal", format!("`{ip}` is not an IP address"))
                    .with_help(
                        "NodeLocal DNSCache listens on a link-local address, usually `169.254.20.10`",
                    ),
            );
            None
        }
    }
}

/// Check the supply-chain settings; returns whether the admission policy is rendered.
fn supply_chain(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> bool {
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
    !spec.registries.is_empty() && chain.and_then(|c| c.admission_policy).unwrap_or(true)
}
