//! Documented defaults: namespace quota and container defaults, app resources.

use serde_json::{Value, json};

use crate::spec::{App, Namespace, Quantity, ResourceSet, Spec};

/// Container request defaults when neither the app nor its namespace sets them.
pub const REQUEST: [(&str, &str); 3] = [
    ("cpu", "100m"),
    ("memory", "128Mi"),
    ("ephemeral-storage", "64Mi"),
];
/// Container limit defaults when neither the app nor its namespace sets them.
pub const LIMIT: [(&str, &str); 3] = [
    ("cpu", "500m"),
    ("memory", "256Mi"),
    ("ephemeral-storage", "128Mi"),
];
/// ResourceQuota `compute-resources` defaults.
pub const QUOTA_PODS: u32 = 10;
pub const QUOTA_REQUESTS: [(&str, &str); 2] = [("cpu", "2"), ("memory", "4Gi")];
pub const QUOTA_LIMITS: [(&str, &str); 2] = [("cpu", "4"), ("memory", "8Gi")];
/// Replicas when an app does not say.
pub const REPLICAS: u32 = 2;
/// runAsUser / runAsGroup / fsGroup when an app does not say.
pub const USER: i64 = 10001;

/// Resolved requests and limits of one container, by resource name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resources {
    pub requests: Vec<(&'static str, String)>,
    pub limits: Vec<(&'static str, String)>,
}

impl Resources {
    pub fn view(&self) -> Value {
        let m = |v: &Vec<(&str, String)>| {
            v.iter()
                .map(|(k, q)| (k.to_string(), Value::from(q.as_str())))
                .collect::<serde_json::Map<_, _>>()
        };
        json!({ "requests": m(&self.requests), "limits": m(&self.limits) })
    }

    pub fn request(&self, name: &str) -> &str {
        &self
            .requests
            .iter()
            .find(|(k, _)| *k == name)
            .expect("all resources resolved")
            .1
    }

    pub fn limit(&self, name: &str) -> &str {
        &self
            .limits
            .iter()
            .find(|(k, _)| *k == name)
            .expect("all resources resolved")
            .1
    }
}

fn pick(set: Option<&ResourceSet>, name: &str) -> Option<String> {
    let set = set?;
    let q: Option<&Quantity> = match name {
        "cpu" => set.cpu.as_ref(),
        "memory" => set.memory.as_ref(),
        _ => set.ephemeral_storage.as_ref(),
    };
    q.map(|q| q.0.clone())
}

/// The namespace's container defaults (request, limit), with built-in fallbacks.
pub fn namespace_defaults(ns: &Namespace) -> Resources {
    let d = ns.defaults.as_ref();
    Resources {
        requests: REQUEST
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    pick(d.and_then(|d| d.request.as_ref()), k).unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
        limits: LIMIT
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    pick(d.and_then(|d| d.limit.as_ref()), k).unwrap_or_else(|| v.to_string()),
                )
            })
            .collect(),
    }
}

/// An app's resources: its own values, else its namespace's defaults.
pub fn resolve_resources(spec: &Spec, app: &App) -> Resources {
    let ns_defaults = spec
        .namespaces
        .iter()
        .find(|n| n.name == app.namespace)
        .map(namespace_defaults)
        .unwrap_or_else(|| Resources {
            requests: REQUEST.iter().map(|(k, v)| (*k, v.to_string())).collect(),
            limits: LIMIT.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        });
    let r = app.resources.as_ref();
    Resources {
        requests: ns_defaults
            .requests
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    pick(r.and_then(|r| r.requests.as_ref()), k).unwrap_or_else(|| v.clone()),
                )
            })
            .collect(),
        limits: ns_defaults
            .limits
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    pick(r.and_then(|r| r.limits.as_ref()), k).unwrap_or_else(|| v.clone()),
                )
            })
            .collect(),
    }
}
