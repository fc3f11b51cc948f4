//! The plan: every decision between the spec and the manifests — defaults, names,
//! labels, which objects exist and how flows become policy rules. Templates only lay
//! out the views planned here.

mod app;
mod cluster;
mod defaults;
mod namespace;
mod network;
mod quota;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::spec::{LoadedSpec, kubernetes_minor};

pub use defaults::{Resources, resolve_resources};

/// One object to render: which template, with which view, into which file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedObject {
    /// Template id, e.g. `app/deployment` (file `templates/app/deployment.yaml.hbs`).
    pub template: &'static str,
    /// Bundle-relative output path, e.g. `shop/web/deployment.yaml`.
    pub path: String,
    /// The values the template lays out.
    pub view: Value,
    /// Whether the object is applied with the bundle (listed in `kustomization.yaml`);
    /// false for files handed to the cluster otherwise, such as the audit policy.
    pub apply: bool,
}

impl PlannedObject {
    pub fn new(template: &'static str, path: &str, view: Value) -> Self {
        PlannedObject {
            template,
            path: path.to_string(),
            view,
            apply: true,
        }
    }
}

/// Everything a render will produce, in output order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub objects: Vec<PlannedObject>,
    /// Warnings found while planning (e.g. a flow to the API server without its address).
    pub warnings: Vec<Diagnostic>,
}

/// Plan a checked spec. Errors (e.g. apps that do not fit their quota) point at the spec.
pub fn plan(spec: &LoadedSpec) -> Result<Plan, Vec<Diagnostic>> {
    let minor =
        kubernetes_minor(spec.spec.kubernetes.as_deref()).unwrap_or(crate::spec::NEWEST_MINOR);
    let mut plan = Plan::default();
    let mut errors = quota::check_fit(spec);
    let policies = network::app_policies(spec, &mut plan.warnings);
    for (ni, ns) in spec.spec.namespaces.iter().enumerate() {
        plan.objects.extend(namespace::objects(spec, ni, minor));
        for (ai, app) in spec
            .spec
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.namespace == ns.name)
        {
            plan.objects.extend(app::objects(spec, ai));
            if let Some(policy) = policies.get(&ai) {
                let path = format!("{}/{}/networkpolicy.yaml", ns.name, app.name);
                plan.objects.push(PlannedObject::new(
                    "network/app-policy",
                    &path,
                    policy.clone(),
                ));
            }
        }
        plan.objects
            .extend(cluster::trusted_registries(spec, &ns.name));
    }
    plan.objects.extend(cluster::objects(spec));
    errors.retain(Diagnostic::is_error);
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// The labels every object of an app carries.
pub fn app_labels(app: &str) -> serde_json::Map<String, Value> {
    let mut m = selector_labels(app);
    m.insert("app.kubernetes.io/managed-by".into(), "kubeward".into());
    m
}

/// The labels that select an app's pods.
pub fn selector_labels(app: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("app.kubernetes.io/name".into(), app.into());
    m.insert("app.kubernetes.io/instance".into(), app.into());
    m
}
