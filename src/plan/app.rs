//! Per-app objects: ServiceAccount, Deployment, Service and PodDisruptionBudget.

use serde_json::{Map, Value, json};

use crate::k8s::image::parse_image;
use crate::spec::{App, LoadedSpec, PortRef, Probe};

use super::defaults::{REPLICAS, USER, resolve_resources};
use super::{PlannedObject, app_labels, selector_labels};

/// The objects of app `ai`.
pub fn objects(spec: &LoadedSpec, ai: usize) -> Vec<PlannedObject> {
    let app = &spec.spec.apps[ai];
    let base = json!({
        "name": app.name,
        "namespace": app.namespace,
        "labels": app_labels(&app.name),
        "selector": selector_labels(&app.name),
    });
    let obj = |template, file: &str, view| {
        PlannedObject::new(
            template,
            &format!("{}/{}/{file}", app.namespace, app.name),
            view,
        )
    };
    let mut out = vec![
        obj("app/serviceaccount", "serviceaccount.yaml", base.clone()),
        obj(
            "app/deployment",
            "deployment.yaml",
            deployment_view(spec, app, base.clone()),
        ),
    ];
    if let Some(svc) = &app.service {
        let target = match &svc.target_port {
            Some(t) => t.clone(),
            None => PortRef::Name(app.ports[0].name.clone()),
        };
        let protocol = match &target {
            PortRef::Name(n) => app.ports.iter().find(|p| &p.name == n),
            PortRef::Number(n) => app.ports.iter().find(|p| p.port == *n),
        }
        .map_or("TCP", |p| p.protocol.as_str());
        let port_name = match &target {
            PortRef::Name(n) => n.clone(),
            PortRef::Number(_) => app.ports[0].name.clone(),
        };
        let mut view = base.clone();
        view["port"] = json!({ "name": port_name, "port": svc.port, "targetPort": port_ref(&target), "protocol": protocol });
        out.push(obj("app/service", "service.yaml", view));
    }
    if app.replicas.unwrap_or(REPLICAS) >= 2 {
        out.push(obj(
            "app/poddisruptionbudget",
            "poddisruptionbudget.yaml",
            base,
        ));
    }
    out
}

fn port_ref(p: &PortRef) -> Value {
    match p {
        PortRef::Name(n) => n.as_str().into(),
        PortRef::Number(n) => (*n).into(),
    }
}

fn deployment_view(spec: &LoadedSpec, app: &App, mut view: Value) -> Value {
    let resources = resolve_resources(&spec.spec, app);
    let user = app.user.unwrap_or(USER);
    let volumes: Vec<Value> = writable_paths(app)
        .iter()
        .enumerate()
        .map(|(i, path)| json!({ "name": volume_name(path, i), "path": path, "sizeLimit": resources.limit("ephemeral-storage") }))
        .collect();
    let env: Vec<Value> = app
        .env
        .iter()
        .map(|(k, v)| json!({ "name": k, "value": v }))
        .collect();
    let secret_env: Vec<Value> = app
        .secret_env
        .iter()
        .map(|(k, r)| json!({ "name": k, "secret": r.secret, "key": r.key }))
        .collect();
    let mut annotations = Map::new();
    if !app.capabilities.is_empty()
        && let Some(reason) = &app.capabilities_exemption
    {
        // The rule exemption `validate` honours; `;` separates exemption entries.
        annotations.insert(
            crate::validate::exempt::ANNOTATION.into(),
            format!("no-added-capabilities: {}", reason.trim().replace(';', ",")).into(),
        );
    }
    if let Ok(image) = parse_image(&app.image)
        && let Some(tag) = image.tag.filter(|t| crate::k8s::names::is_label_value(t))
    {
        view["labels"]["app.kubernetes.io/version"] = tag.into();
    }
    let fields = json!({
        "replicas": app.replicas.unwrap_or(REPLICAS),
        "image": app.image,
        "command": app.command,
        "args": app.args,
        "ports": app.ports.iter().map(|p| json!({ "name": p.name, "port": p.port, "protocol": p.protocol.as_str() })).collect::<Vec<_>>(),
        "env": env,
        "secretEnv": secret_env,
        "resources": resources.view(),
        "user": user,
        "capabilities": app.capabilities,
        "mounts": !volumes.is_empty() || !app.secret_files.is_empty() || app.api_access.enabled(),
        "secretFiles": secret_files_view(app),
        "volumes": volumes,
        "apiAccess": app.api_access.enabled(),
        "probes": probes_view(app),
        "annotations": annotations,
    });
    for (k, v) in fields.as_object().expect("object") {
        view[k] = v.clone();
    }
    view
}

/// Secrets mounted read-only, group-readable for the pod's fsGroup (mode 0440).
fn secret_files_view(app: &App) -> Vec<Value> {
    app.secret_files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            json!({
                "name": format!("secret-{i}"),
                "secret": f.secret,
                "path": f.mount_path,
                "keys": f.keys.iter().map(|k| json!({ "key": k, "path": k })).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// The app's writable directories (default `/tmp`).
pub fn writable_paths(app: &App) -> Vec<String> {
    app.writable_paths
        .clone()
        .unwrap_or_else(|| vec!["/tmp".to_string()])
}

/// A volume name derived from a path (`/var/cache/nginx` → `var-cache-nginx`), made
/// unique by its index when the path gives nothing usable.
fn volume_name(path: &str, i: usize) -> String {
    let slug: String = path
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    let slug = slug.join("-");
    let name = format!("w{i}-{slug}");
    let name: String = name.chars().take(63).collect();
    name.trim_end_matches('-').to_string()
}

fn probe_view(p: &Probe) -> Value {
    json!({
        "http": p.http,
        "port": p.port.as_ref().map(port_ref),
        "exec": p.exec,
        "initialDelaySeconds": p.initial_delay_seconds,
        "periodSeconds": p.period_seconds.unwrap_or(10),
        "timeoutSeconds": p.timeout_seconds.unwrap_or(1),
        "failureThreshold": p.failure_threshold.unwrap_or(3),
    })
}

/// Liveness and readiness: as given, else a TCP check of the first port.
fn probes_view(app: &App) -> Value {
    let given = app.probes.clone().unwrap_or_default();
    let fallback = app.ports.first().map(|p| Probe {
        http: None,
        port: Some(PortRef::Name(p.name.clone())),
        exec: None,
        initial_delay_seconds: None,
        period_seconds: None,
        timeout_seconds: None,
        failure_threshold: None,
    });
    let pick = |p: Option<Probe>| p.or_else(|| fallback.clone()).as_ref().map(probe_view);
    json!({
        "liveness": pick(given.liveness),
        "readiness": pick(given.readiness),
        "startup": given.startup.as_ref().map(probe_view),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_are_valid_and_distinct() {
        assert_eq!(volume_name("/tmp", 0), "w0-tmp");
        assert_eq!(volume_name("/var/cache/nginx", 1), "w1-var-cache-nginx");
        assert_eq!(volume_name("/_/", 2), "w2");
        let long = format!("/{}", "a".repeat(100));
        let n = volume_name(&long, 3);
        assert!(n.len() <= 63 && crate::k8s::names::is_dns_label(&n), "{n}");
    }
}
