//! Model → Plan: which objects exist, their names, labels and files, and one typed view
//! per object for its template. Every fact comes from the resolved [`Model`]; templates
//! only lay the views out.

/// Implement [`View`] for a view type: `view!(Type, "template/id", kind::KIND);`.
macro_rules! view {
    ($view:ty, $template:literal, $kind:expr) => {
        impl $crate::plan::View for $view {
            const TEMPLATE: &'static str = $template;
            const KIND: $crate::k8s::kind::Kind = $kind;
        }
    };
}

/// Implement [`FileView`] for a view of a file that is not a Kubernetes object:
/// `file_view!(Type, "template/id", "format");`.
macro_rules! file_view {
    ($view:ty, $template:literal, $format:literal) => {
        impl $crate::plan::FileView for $view {
            const TEMPLATE: &'static str = $template;
            const FORMAT: &'static str = $format;
        }
    };
}

mod app;
mod ci;
mod cluster;
pub mod fluentbit;
mod logging;
mod namespace;
mod network;
mod rbac;

pub use crate::k8s::selector::Labels;

use serde::Serialize;
use serde_json::Value;

use crate::k8s::keys;
use crate::k8s::kind::Kind;
use crate::resolve::Model;

pub use logging::config_location as logging_config_location;
pub use rbac::access_role_name;

/// A template's view: the values it lays out. Each view type names its template (file
/// `templates/<TEMPLATE>.yaml.hbs`) and the kind that template emits, so a renamed
/// template or field is a compile error here, not an empty string at render time.
pub trait View: Serialize {
    const TEMPLATE: &'static str;
    const KIND: Kind;
}

/// A template's view for a file that is not a Kubernetes object, such as a CI workflow.
/// Its template's header declares the same format (`{{!-- emits-file: FORMAT --}}`);
/// such files are parsed as YAML but neither schema-checked as Kubernetes objects nor
/// listed in `kustomization.yaml`.
pub trait FileView: Serialize {
    const TEMPLATE: &'static str;
    const FORMAT: &'static str;
}

/// One object to render: which template, with which view, into which file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedObject {
    /// Template id, e.g. `app/deployment` (file `templates/app/deployment.yaml.hbs`).
    pub template: &'static str,
    /// Bundle-relative output path, e.g. `shop/web/deployment.yaml`.
    pub path: String,
    /// The view, serialized for handlebars.
    pub view: Value,
    /// Whether the object is applied with the bundle (listed in `kustomization.yaml`);
    /// false for files handed to the cluster otherwise, such as the audit policy.
    pub apply: bool,
}

impl PlannedObject {
    pub fn new<V: View>(path: String, view: &V) -> Self {
        PlannedObject {
            template: V::TEMPLATE,
            path,
            // Views are plain structs with string keys: serializing them cannot fail; a
            // failure would surface as a missing value in strict handlebars.
            view: serde_json::to_value(view).unwrap_or(Value::Null),
            apply: true,
        }
    }

    /// A file that is not a Kubernetes object (never applied with the bundle).
    pub fn file<V: FileView>(path: String, view: &V) -> Self {
        PlannedObject {
            template: V::TEMPLATE,
            path,
            view: serde_json::to_value(view).unwrap_or(Value::Null),
            apply: false,
        }
    }
}

/// Everything a render will produce, in output order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub objects: Vec<PlannedObject>,
}

/// Plan a resolved model. Planning cannot fail: every check happened in `resolve`.
pub fn plan(model: &Model) -> Plan {
    let mut plan = Plan::default();
    let policies = network::app_policies(model);
    for ns in &model.namespaces {
        plan.objects.extend(namespace::objects(model, ns));
        plan.objects.extend(rbac::objects(ns));
        for (ai, app) in model.apps_in(&ns.name) {
            plan.objects.extend(app::objects(app));
            plan.objects.extend(rbac::app_objects(app));
            if let Some(policy) = policies.get(&ai) {
                let path = format!("{}/{}/networkpolicy.yaml", ns.name, app.name);
                plan.objects.push(PlannedObject::new(path, policy));
            }
        }
        if let Some(l) = model.logging.as_ref().filter(|l| l.namespace == ns.name) {
            plan.objects.extend(logging::objects(l).0);
        }
        plan.objects.extend(cluster::trusted_registries(ns));
    }
    plan.objects.extend(cluster::objects(model));
    plan.objects.extend(ci::objects(model));
    if let Some(l) = &model.logging {
        plan.objects.extend(logging::objects(l).1);
    }
    plan
}

/// FNV-1a: a stable, dependency-free hash for name suffixes and content hashes.
pub(crate) fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

/// The labels every object of an app carries.
pub fn app_labels(app: &str) -> Labels {
    let mut m = selector_labels(app);
    m.insert(keys::MANAGED_BY.into(), keys::MANAGER.into());
    m
}

/// The labels that select an app's pods.
pub fn selector_labels(app: &str) -> Labels {
    let mut m = Labels::new();
    m.insert(keys::APP_NAME.into(), app.into());
    m.insert(keys::APP_INSTANCE.into(), app.into());
    m
}

/// The label of objects that belong to no app.
pub fn managed_labels() -> Labels {
    let mut m = Labels::new();
    m.insert(keys::MANAGED_BY.into(), keys::MANAGER.into());
    m
}

/// Every view type's template and kind, for the test that ties them to the template files.
pub fn templates() -> Vec<(&'static str, Kind)> {
    let mut all = Vec::new();
    all.extend(namespace::TEMPLATES);
    all.extend(app::TEMPLATES);
    all.extend(network::TEMPLATES);
    all.extend(rbac::TEMPLATES);
    all.extend(cluster::TEMPLATES);
    all.extend(logging::TEMPLATES);
    all
}

/// Every file view's template and format (files that are not Kubernetes objects).
pub fn file_templates() -> Vec<(&'static str, &'static str)> {
    ci::TEMPLATES.to_vec()
}

#[cfg(test)]
mod tests;
