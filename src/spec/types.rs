//! The spec file's types (`kubeward.yaml`, version 1), exactly as the user wrote them.
//!
//! Every struct denies unknown fields. Optional fields stay `Option` here so that later
//! stages know what the user said; defaults are applied by `resolve`. Front ends (the
//! spec file, `onboard`'s flags) all produce this type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::k8s::{PodSecurity, PortRef, Protocol};

/// The whole spec file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub version: u64,
    pub kubernetes: Option<String>,
    #[serde(default)]
    pub registries: Vec<String>,
    #[serde(default)]
    pub namespaces: Vec<Namespace>,
    #[serde(default)]
    pub apps: Vec<App>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    pub api_server: Option<ApiServer>,
    pub dns: Option<Dns>,
    pub logging: Option<Logging>,
    pub audit: Option<bool>,
    pub supply_chain: Option<SupplyChain>,
}

impl Default for Spec {
    /// An empty spec of the current version, for front ends that build one.
    fn default() -> Self {
        Spec {
            version: 1,
            kubernetes: None,
            registries: Vec::new(),
            namespaces: Vec::new(),
            apps: Vec::new(),
            flows: Vec::new(),
            api_server: None,
            dns: None,
            logging: None,
            audit: None,
            supply_chain: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Namespace {
    pub name: String,
    pub team: Option<String>,
    pub pod_security: Option<PodSecurity>,
    pub pod_security_exemption: Option<String>,
    pub quota: Option<Quota>,
    pub defaults: Option<Defaults>,
    pub ingress_from: Option<String>,
    #[serde(default)]
    pub access: Vec<Access>,
}

/// A Kubernetes quantity as the user wrote it (`"2"`, `500m`, `4Gi`; a bare YAML number
/// is accepted and kept as written).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Quantity(pub String);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a quantity such as \"500m\", \"2\" or \"4Gi\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Quantity, E> {
                Ok(Quantity(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Quota {
    pub pods: Option<u32>,
    pub requests: Option<CpuMemory>,
    pub limits: Option<CpuMemory>,
    /// Number of NodePort Services allowed (default 0).
    pub node_ports: Option<u32>,
    /// Number of LoadBalancer Services allowed (default 0).
    pub load_balancers: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
}

/// Compute resources of one container: cpu, memory and ephemeral storage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ResourceSet {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
    #[serde(rename = "ephemeral-storage")]
    pub ephemeral_storage: Option<Quantity>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub request: Option<ResourceSet>,
    pub limit: Option<ResourceSet>,
    /// The largest container a LimitRange admits (default: the namespace quota limits).
    pub max: Option<ResourceSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub subject: Subject,
    pub role: AccessRole,
    pub resources: Option<Vec<String>>,
    #[serde(default)]
    pub exec: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AccessRole {
    Read,
    Write,
    Admin,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    pub name: String,
    pub namespace: String,
    pub image: String,
    pub replicas: Option<u32>,
    #[serde(default)]
    pub ports: Vec<Port>,
    pub service: Option<Service>,
    pub resources: Option<AppResources>,
    pub user: Option<i64>,
    pub writable_paths: Option<Vec<String>>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    pub capabilities_exemption: Option<String>,
    pub probes: Option<Probes>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub secret_env: BTreeMap<String, SecretRef>,
    #[serde(default)]
    pub secret_files: Vec<SecretFiles>,
    #[serde(default)]
    pub api_access: ApiAccess,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub name: String,
    pub port: u32,
    #[serde(default)]
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    pub port: u32,
    pub target_port: Option<PortRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AppResources {
    pub requests: Option<ResourceSet>,
    pub limits: Option<ResourceSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
}

/// One probe: an HTTP GET of `http` (a path) on `port`, a TCP connect to `port`, or a
/// command run in the container (`exec`, for workers without ports).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    pub http: Option<String>,
    pub port: Option<PortRef>,
    pub exec: Option<Vec<String>>,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub failure_threshold: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub secret: String,
    pub key: String,
}

/// An allowed connection between two endpoints.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub from: String,
    pub to: FlowTarget,
    pub port: Option<u32>,
    pub ports: Option<Vec<u32>>,
    #[serde(default)]
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum FlowTarget {
    Name(String),
    Cidr(CidrTarget),
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CidrTarget {
    pub cidr: String,
    #[serde(default)]
    pub except: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiServer {
    pub cidrs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    pub node_local: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    #[serde(default)]
    pub enabled: bool,
    pub backend: Option<LogBackend>,
    pub endpoint: Option<LogEndpoint>,
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogBackend {
    Elasticsearch,
    Loki,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogEndpoint {
    pub host: String,
    pub port: u32,
    #[serde(default = "yes")]
    pub tls: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SupplyChain {
    pub admission_policy: Option<bool>,
    pub ci_pipeline: Option<CiPipeline>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CiPipeline {
    Github,
    Gitlab,
    None,
}

/// `apiAccess`: `false` (default), `true` (read the namespace's ConfigMaps), or a
/// narrower grant `{ resources: [configmaps], names: [app-config] }`.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ApiAccess {
    Enabled(bool),
    Narrow(ApiGrant),
}

impl Default for ApiAccess {
    fn default() -> Self {
        ApiAccess::Enabled(false)
    }
}

impl ApiAccess {
    pub fn enabled(&self) -> bool {
        matches!(self, ApiAccess::Enabled(true) | ApiAccess::Narrow(_))
    }
}

/// What an app may read through the API: resources (read-only), optionally by name.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiGrant {
    pub resources: Vec<String>,
    #[serde(default)]
    pub names: Vec<String>,
}

/// A Secret mounted as read-only files (the hardened alternative to `secretEnv`).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretFiles {
    pub secret: String,
    pub mount_path: String,
    /// Only these keys (default: every key of the Secret).
    #[serde(default)]
    pub keys: Vec<String>,
}
