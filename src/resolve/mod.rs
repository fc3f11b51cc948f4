//! Spec → Model: the one pass that checks the user's words, applies the documented
//! defaults and decides every fact the later stages read — which container port a flow
//! opens, each container's mounts, the rollout surge, resources. All problems of a spec
//! are collected and reported together, each at its position (or its flag).

pub mod access;
mod app;
pub mod defaults;
mod flow;
mod grants;
mod identity;
mod logging;
pub mod model;
mod mounts;
mod namespace;
mod pipeline;
mod ports;
mod probes;
mod quota;
mod top;

pub use defaults::{NEWEST_MINOR, OLDEST_MINOR};

/// The code of the warning about a flow or an access entry that repeats an earlier one
/// (merged with it in a spec file; refused as a new answer by the wizard).
pub const REPEATED: &str = "repeated-entry";
pub use flow::{INGRESS, KUBE_APISERVER};
pub use model::Model;
pub use top::kubernetes_minor;

use crate::diag::Diagnostic;
use crate::k8s::image::trusted;
use crate::spec::{LoadedSpec, load, parse};

/// A resolved spec and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub model: Model,
    pub warnings: Vec<Diagnostic>,
}

/// Check, default and resolve a loaded spec. Returns the model and its warnings, or every
/// error (with the warnings) when any error was found.
pub fn resolve(s: &LoadedSpec) -> Result<Resolved, Vec<Diagnostic>> {
    let mut out = Vec::new();
    let top = top::resolve(s, &mut out);
    let mut namespaces = namespace::resolve_all(s, &mut out);
    for (ni, ns) in namespaces.iter_mut().enumerate() {
        ns.access = grants::resolve(s, ni, top.minor, &mut out);
    }
    let apps = app::resolve_all(s, &namespaces, &top.registries, &mut out);
    let cx = flow::Context {
        apps: &apps,
        namespaces: &namespaces,
        api_server: &top.api_server,
    };
    let flows = flow::resolve_all(s, &cx, &mut out);
    let pipeline = pipeline::resolve(s, top.ci, &apps, &mut out);
    let ok_apps: Vec<&model::App> = apps.iter().flatten().collect();
    quota::check_fit(s, &namespaces, &ok_apps, &mut out);
    let logging = logging::resolve(s, &top.api_server, &mut out).map(|(l, ns)| {
        namespaces.push(ns);
        l
    });
    trusted_registries(&mut namespaces, &top, logging.as_ref());
    out.sort_by_key(|d| d.pos);
    // A spec built from flags repeats one flag's value in many places: say it once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|d| d.pos.is_some() || seen.insert((d.severity, d.message.clone())));
    if out.iter().any(Diagnostic::is_error) {
        return Err(out);
    }
    let model = Model {
        kubernetes_minor: top.minor,
        registries: top.registries,
        admission_policy: top.admission_policy,
        audit: top.audit,
        dns_node_local: top.dns_node_local,
        namespaces,
        apps: apps.into_iter().flatten().collect(),
        flows,
        logging,
        pipeline,
    };
    Ok(Resolved {
        model,
        warnings: out,
    })
}

/// Each namespace's trusted registries: the spec's, and in the logging namespace also the
/// Fluent Bit image's repository (the user chose that image for that namespace alone).
fn trusted_registries(
    namespaces: &mut [model::Namespace],
    top: &top::Top,
    logging: Option<&model::Logging>,
) {
    if !top.admission_policy {
        return;
    }
    for ns in namespaces.iter_mut() {
        ns.registries = top.registries.clone();
        if let Some(l) = logging.filter(|l| l.namespace == ns.name)
            && let Some(prefix) = l.image_ref.repository_prefix()
            && !trusted(&l.image, &ns.registries)
        {
            ns.registries.push(prefix);
        }
    }
}

/// Read, parse and resolve a spec file.
pub fn load_resolved(path: &std::path::Path) -> Result<(LoadedSpec, Resolved), Vec<Diagnostic>> {
    let loaded = load(path)?;
    let resolved = resolve(&loaded)?;
    Ok((loaded, resolved))
}

/// Parse and resolve spec text; `file` is only used in messages.
pub fn parse_resolved(file: &str, text: &str) -> Result<Resolved, Vec<Diagnostic>> {
    resolve(&parse(file, text)?)
}
