//! Cluster logging objects: the Fluent Bit DaemonSet, its ServiceAccount, configuration,
//! ClusterRole and binding, PriorityClass and NetworkPolicy.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::k8s::kind::{self, Kind};
use crate::k8s::{SERVICE_ACCOUNT_TOKEN_PATH, keys};
use crate::resolve::defaults::{NODE_LOG_DIR, NODE_STATE_DIR, STATE_MOUNT, USER};
use crate::resolve::model::Logging;

use super::app::{ResourcesView, SecretEnvView, resources_view};
use super::fluentbit::{PASSWORD_ENV, USER_ENV, config, config_text};
use super::{Labels, PlannedObject, View, app_labels, managed_labels, selector_labels};

/// The name of the DaemonSet, its ServiceAccount and its pods' app label.
const CLUSTER_NAME: &str = "kubeward-fluent-bit";
const CONFIG_MAP: &str = "fluent-bit-config";
const CONFIG_FILE: &str = "fluent-bit.yaml";
const CONFIG_DIR: &str = "/fluent-bit/etc/kubeward";
const PRIORITY_CLASS: &str = "kubeward-logging";
/// Above every ordinary workload, below the system classes (2000000000 and up).
const PRIORITY: u32 = 1_000_000;

/// Rules the shipper must break, each with its reason (checked by `kubeward check`).
const EXEMPTIONS: &[&str] = &[
    "no-host-path: Fluent Bit reads the node's container logs (read-only) and keeps its tail offsets in one dedicated host directory",
    "run-as-non-root: the node's log files are owned by root and not world-readable, so Fluent Bit runs as uid 0, with every capability dropped",
    "run-as-high-uid: uid 0 is needed to read the node's log files (see run-as-non-root)",
    "host-path-writable: Fluent Bit writes its tail offsets to its own host directory (the node's logs stay read-only), so that a restarted pod neither loses nor re-ships lines",
];
/// With endpoint credentials: Fluent Bit takes a password only from its configuration
/// or its environment.
const CREDENTIALS_EXEMPTION: &str = "no-secrets-in-env: Fluent Bit reads the endpoint password only from its configuration or its environment, so the Secret reaches it as an environment variable and is never written into the configuration";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DaemonSetView {
    name: String,
    namespace: String,
    labels: Labels,
    selector: Labels,
    annotations: BTreeMap<String, String>,
    pod_annotations: BTreeMap<String, String>,
    priority_class: String,
    image: String,
    args: Vec<String>,
    http_port: u32,
    /// The group the shipper runs as (not root: only the user needs to be root).
    group: i64,
    env: Vec<SecretEnvView>,
    resources: ResourcesView,
    mounts: Vec<MountView>,
}
view!(DaemonSetView, "logging/daemonset", kind::DAEMON_SET);

/// One volume and its mount; exactly one source is set.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MountView {
    name: &'static str,
    path: String,
    read_only: bool,
    host_path: Option<HostPath>,
    config_map: Option<String>,
    empty_dir: Option<String>,
    api_token: bool,
}

#[derive(Serialize)]
struct HostPath {
    path: String,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
pub struct ConfigView {
    name: String,
    namespace: String,
    labels: Labels,
    file: String,
    config: String,
}
view!(ConfigView, "logging/configmap", kind::CONFIG_MAP);

#[derive(Serialize)]
pub struct ClusterRoleView {
    name: String,
    labels: Labels,
}
view!(ClusterRoleView, "logging/clusterrole", kind::CLUSTER_ROLE);

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClusterRoleBindingView {
    name: String,
    labels: Labels,
    service_account: String,
    namespace: String,
}
view!(
    ClusterRoleBindingView,
    "logging/clusterrolebinding",
    kind::CLUSTER_ROLE_BINDING
);

#[derive(Serialize)]
pub struct PriorityClassView {
    name: String,
    labels: Labels,
    value: u32,
    description: String,
}
view!(
    PriorityClassView,
    "logging/priorityclass",
    kind::PRIORITY_CLASS
);

pub const TEMPLATES: [(&str, Kind); 5] = [
    (DaemonSetView::TEMPLATE, DaemonSetView::KIND),
    (ConfigView::TEMPLATE, ConfigView::KIND),
    (ClusterRoleView::TEMPLATE, ClusterRoleView::KIND),
    (
        ClusterRoleBindingView::TEMPLATE,
        ClusterRoleBindingView::KIND,
    ),
    (PriorityClassView::TEMPLATE, PriorityClassView::KIND),
];

/// Where the Fluent Bit configuration is written: the ConfigMap's file and its key.
pub fn config_location(l: &Logging) -> (String, &'static str) {
    (
        format!("{}/{}/configmap.yaml", l.namespace, l.name),
        CONFIG_FILE,
    )
}

/// The logging objects in the logging namespace's directory, and the cluster-wide ones.
pub fn objects(l: &Logging) -> (Vec<PlannedObject>, Vec<PlannedObject>) {
    let dir = |f: &str| format!("{}/{}/{f}", l.namespace, l.name);
    let (config_path, _) = config_location(l);
    let text = config_text(&config(l));
    let namespaced = vec![
        PlannedObject::new(
            dir("serviceaccount.yaml"),
            &super::app::service_account(&l.name, &l.namespace),
        ),
        PlannedObject::new(
            config_path,
            &ConfigView {
                name: CONFIG_MAP.into(),
                namespace: l.namespace.clone(),
                labels: app_labels(&l.name),
                file: CONFIG_FILE.into(),
                config: text.clone(),
            },
        ),
        PlannedObject::new(dir("daemonset.yaml"), &daemonset(l, &text)),
        PlannedObject::new(
            dir("networkpolicy.yaml"),
            &super::network::logging_policy(l),
        ),
    ];
    let cluster = vec![
        PlannedObject::new(
            format!("cluster/clusterrole-{CLUSTER_NAME}.yaml"),
            &ClusterRoleView {
                name: CLUSTER_NAME.into(),
                labels: managed_labels(),
            },
        ),
        PlannedObject::new(
            format!("cluster/clusterrolebinding-{CLUSTER_NAME}.yaml"),
            &ClusterRoleBindingView {
                name: CLUSTER_NAME.into(),
                labels: managed_labels(),
                service_account: l.name.clone(),
                namespace: l.namespace.clone(),
            },
        ),
        PlannedObject::new(
            format!("cluster/priorityclass-{PRIORITY_CLASS}.yaml"),
            &PriorityClassView {
                name: PRIORITY_CLASS.into(),
                labels: managed_labels(),
                value: PRIORITY,
                description: "kubeward: the node log shipper".into(),
            },
        ),
    ];
    (namespaced, cluster)
}

fn daemonset(l: &Logging, config_text: &str) -> DaemonSetView {
    let mut labels = app_labels(&l.name);
    if let Some(tag) = &l.image_ref.tag {
        labels.insert(keys::APP_VERSION.into(), tag.clone());
    }
    let mut annotations = BTreeMap::new();
    let mut exempt: Vec<&str> = EXEMPTIONS.to_vec();
    if l.credentials.is_some() {
        exempt.push(CREDENTIALS_EXEMPTION);
    }
    annotations.insert(keys::EXEMPT.into(), exempt.join("; "));
    // A changed configuration rolls the pods.
    let mut pod_annotations = BTreeMap::new();
    pod_annotations.insert(
        "kubeward.dev/config-hash".into(),
        format!("{:016x}", super::fnv(config_text)),
    );
    let env = l
        .credentials
        .iter()
        .flat_map(|secret| {
            [(USER_ENV, "username"), (PASSWORD_ENV, "password")].map(|(name, key)| SecretEnvView {
                name: name.into(),
                secret: secret.clone(),
                key: key.into(),
            })
        })
        .collect();
    let mount = |name, path: &str, read_only| MountView {
        name,
        path: path.to_string(),
        read_only,
        host_path: None,
        config_map: None,
        empty_dir: None,
        api_token: false,
    };
    let host = |dir: &str, kind| {
        Some(HostPath {
            path: dir.into(),
            kind,
        })
    };
    DaemonSetView {
        name: l.name.clone(),
        namespace: l.namespace.clone(),
        selector: selector_labels(&l.name),
        labels,
        annotations,
        pod_annotations,
        priority_class: PRIORITY_CLASS.into(),
        image: l.image.clone(),
        args: vec!["-c".into(), format!("{CONFIG_DIR}/{CONFIG_FILE}")],
        http_port: l.http_port,
        group: USER,
        env,
        resources: resources_view(&l.resources),
        mounts: vec![
            MountView {
                host_path: host(NODE_LOG_DIR, "Directory"),
                ..mount("varlog", NODE_LOG_DIR, true)
            },
            MountView {
                host_path: host(NODE_STATE_DIR, "DirectoryOrCreate"),
                ..mount("state", STATE_MOUNT, false)
            },
            MountView {
                config_map: Some(CONFIG_MAP.into()),
                ..mount("config", CONFIG_DIR, true)
            },
            MountView {
                empty_dir: Some(l.resources.limits.ephemeral_storage.to_string()),
                ..mount("tmp", "/tmp", false)
            },
            MountView {
                api_token: true,
                ..mount("api-token", SERVICE_ACCOUNT_TOKEN_PATH, true)
            },
        ],
    }
}
