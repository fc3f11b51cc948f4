//! Per-app objects: ServiceAccount, Deployment, Service and PodDisruptionBudget.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::k8s::kind::{self, Kind};
use crate::k8s::names::is_label_value;
use crate::k8s::{PortRef, keys};
use crate::resolve::model::{App, Mount, MountSource, Probe, ProbeAction, Resources};

use super::{Labels, PlannedObject, View, app_labels, selector_labels};

/// What every object of an app names: itself, its namespace, its labels and selector.
#[derive(Serialize, Clone)]
pub struct AppMeta {
    name: String,
    namespace: String,
    labels: Labels,
    selector: Labels,
}

#[derive(Serialize)]
pub struct ServiceAccountView {
    #[serde(flatten)]
    meta: AppMeta,
}

view!(
    ServiceAccountView,
    "app/serviceaccount",
    kind::SERVICE_ACCOUNT
);

#[derive(Serialize)]
pub struct PdbView {
    #[serde(flatten)]
    meta: AppMeta,
}

view!(
    PdbView,
    "app/poddisruptionbudget",
    kind::POD_DISRUPTION_BUDGET
);

#[derive(Serialize)]
pub struct ServiceView {
    #[serde(flatten)]
    meta: AppMeta,
    port: ServicePortView,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServicePortView {
    /// Named after the container port it targets.
    name: String,
    port: u32,
    target_port: PortRef,
    protocol: &'static str,
}

view!(ServiceView, "app/service", kind::SERVICE);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeploymentView {
    #[serde(flatten)]
    meta: AppMeta,
    annotations: BTreeMap<String, String>,
    replicas: u32,
    rollout: RolloutView,
    image: String,
    command: Option<Vec<String>>,
    args: Option<Vec<String>>,
    ports: Vec<PortView>,
    env: Vec<EnvView>,
    secret_env: Vec<SecretEnvView>,
    resources: ResourcesView,
    user: i64,
    capabilities: Vec<String>,
    probes: ProbesView,
    mounts: Vec<MountView>,
}

view!(DeploymentView, "app/deployment", kind::DEPLOYMENT);

pub const TEMPLATES: [(&str, Kind); 4] = [
    (ServiceAccountView::TEMPLATE, ServiceAccountView::KIND),
    (DeploymentView::TEMPLATE, DeploymentView::KIND),
    (ServiceView::TEMPLATE, ServiceView::KIND),
    (PdbView::TEMPLATE, PdbView::KIND),
];

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RolloutView {
    max_surge: u32,
    max_unavailable: u32,
}

#[derive(Serialize)]
struct PortView {
    name: String,
    port: u32,
    protocol: &'static str,
}

#[derive(Serialize)]
struct EnvView {
    name: String,
    value: String,
}

/// An environment variable from a Secret key.
#[derive(Serialize)]
pub(super) struct SecretEnvView {
    pub name: String,
    pub secret: String,
    pub key: String,
}

/// A container's requests and limits, by resource name.
#[derive(Serialize)]
pub(super) struct ResourcesView {
    requests: BTreeMap<&'static str, String>,
    limits: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
struct ProbesView {
    liveness: Option<ProbeView>,
    readiness: Option<ProbeView>,
    startup: Option<ProbeView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProbeView {
    http: Option<String>,
    port: Option<PortRef>,
    exec: Option<Vec<String>>,
    initial_delay_seconds: Option<u32>,
    period_seconds: u32,
    timeout_seconds: u32,
    failure_threshold: u32,
}

/// One volume and its mount; exactly one of `emptyDir`, `secret`, `apiToken` is set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MountView {
    name: String,
    path: String,
    read_only: bool,
    empty_dir: Option<EmptyDirView>,
    secret: Option<SecretVolumeView>,
    api_token: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmptyDirView {
    size_limit: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SecretVolumeView {
    secret_name: String,
    items: Vec<KeyPath>,
}

#[derive(Serialize)]
struct KeyPath {
    key: String,
    path: String,
}

/// A ServiceAccount without token automount, for an app or another workload.
pub fn service_account(name: &str, namespace: &str) -> ServiceAccountView {
    ServiceAccountView {
        meta: AppMeta {
            name: name.into(),
            namespace: namespace.into(),
            labels: app_labels(name),
            selector: selector_labels(name),
        },
    }
}

/// The objects of an app.
pub fn objects(app: &App) -> Vec<PlannedObject> {
    let meta = AppMeta {
        name: app.name.clone(),
        namespace: app.namespace.clone(),
        labels: app_labels(&app.name),
        selector: selector_labels(&app.name),
    };
    let path = |file: &str| format!("{}/{}/{file}", app.namespace, app.name);
    let mut out = vec![
        PlannedObject::new(
            path("serviceaccount.yaml"),
            &ServiceAccountView { meta: meta.clone() },
        ),
        PlannedObject::new(path("deployment.yaml"), &deployment_view(app, meta.clone())),
    ];
    if let Some(svc) = &app.service {
        let view = ServiceView {
            meta: meta.clone(),
            port: ServicePortView {
                name: svc.target.name.clone(),
                port: svc.port,
                target_port: svc.target_ref.clone(),
                protocol: svc.target.protocol.as_str(),
            },
        };
        out.push(PlannedObject::new(path("service.yaml"), &view));
    }
    if app.replicas >= 2 {
        out.push(PlannedObject::new(
            path("poddisruptionbudget.yaml"),
            &PdbView { meta },
        ));
    }
    out
}

/// The rule exemptions of an app's Deployment, each with its reason.
fn exemptions(app: &App) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(reason) = &app.capabilities_exemption
        && !app.capabilities.is_empty()
    {
        out.push(format!(
            "no-added-capabilities: {}",
            reason.replace(';', ",")
        ));
    }
    if app.probes.same_default
        && let Some(port) = app.ports.first()
    {
        out.push(format!(
            "probes-distinct: the spec names no health endpoints, so liveness and readiness both connect to port {} (give apps[].probes distinct endpoints)",
            port.name
        ));
    }
    out
}

fn deployment_view(app: &App, mut meta: AppMeta) -> DeploymentView {
    let mut annotations = BTreeMap::new();
    let exempt = exemptions(app);
    if !exempt.is_empty() {
        // The rule exemptions `validate` honours; `;` separates exemption entries.
        annotations.insert(keys::EXEMPT.into(), exempt.join("; "));
    }
    if let Some(tag) = app.image_ref.tag.as_ref().filter(|t| is_label_value(t)) {
        meta.labels.insert(keys::APP_VERSION.into(), tag.clone());
    }
    DeploymentView {
        meta,
        annotations,
        replicas: app.replicas,
        rollout: RolloutView {
            max_surge: app.rollout.max_surge,
            max_unavailable: app.rollout.max_unavailable,
        },
        image: app.image.clone(),
        command: app.command.clone(),
        args: app.args.clone(),
        ports: app
            .ports
            .iter()
            .map(|p| PortView {
                name: p.name.clone(),
                port: p.port,
                protocol: p.protocol.as_str(),
            })
            .collect(),
        env: app
            .env
            .iter()
            .map(|(name, value)| EnvView {
                name: name.clone(),
                value: value.clone(),
            })
            .collect(),
        secret_env: app
            .secret_env
            .iter()
            .map(|e| SecretEnvView {
                name: e.name.clone(),
                secret: e.secret.clone(),
                key: e.key.clone(),
            })
            .collect(),
        resources: resources_view(&app.resources),
        user: app.user,
        capabilities: app.capabilities.clone(),
        probes: ProbesView {
            liveness: app.probes.liveness.as_ref().map(probe_view),
            readiness: app.probes.readiness.as_ref().map(probe_view),
            startup: app.probes.startup.as_ref().map(probe_view),
        },
        mounts: app.mounts.iter().map(mount_view).collect(),
    }
}

pub(super) fn resources_view(r: &Resources) -> ResourcesView {
    let map = |set: &crate::resolve::model::ResourceSet| {
        set.entries()
            .into_iter()
            .map(|(k, q)| (k, q.to_string()))
            .collect()
    };
    ResourcesView {
        requests: map(&r.requests),
        limits: map(&r.limits),
    }
}

fn probe_view(p: &Probe) -> ProbeView {
    let (http, port, exec) = match &p.action {
        ProbeAction::Http { path, port } => (Some(path.clone()), Some(port.clone()), None),
        ProbeAction::Tcp { port } => (None, Some(port.clone()), None),
        ProbeAction::Exec { command } => (None, None, Some(command.clone())),
    };
    ProbeView {
        http,
        port,
        exec,
        initial_delay_seconds: p.initial_delay_seconds,
        period_seconds: p.period_seconds,
        timeout_seconds: p.timeout_seconds,
        failure_threshold: p.failure_threshold,
    }
}

fn mount_view(m: &Mount) -> MountView {
    let (empty_dir, secret) = match &m.source {
        MountSource::EmptyDir { size_limit } => (
            Some(EmptyDirView {
                size_limit: size_limit.to_string(),
            }),
            None,
        ),
        MountSource::Secret { secret, keys } => (
            None,
            Some(SecretVolumeView {
                secret_name: secret.clone(),
                items: keys
                    .iter()
                    .map(|k| KeyPath {
                        key: k.clone(),
                        path: k.clone(),
                    })
                    .collect(),
            }),
        ),
        MountSource::ApiToken => (None, None),
    };
    MountView {
        name: m.volume.clone(),
        path: m.path.clone(),
        read_only: m.read_only(),
        empty_dir,
        secret,
        api_token: m.source == MountSource::ApiToken,
    }
}
