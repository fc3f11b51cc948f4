//! The spec file's types (`kubeward.yaml`, version 1), exactly as the user wrote them.
//!
//! Every struct denies unknown fields. Optional fields stay `Option` here so that later
//! stages know what the user said; defaults are applied by `resolve`. Front ends (the
//! spec file, `onboard`'s flags) all produce this type.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::k8s::{PodSecurity, PortRef, Protocol};

use super::cluster::{ApiServer, Dns, Flow, Logging, SupplyChain, is_tcp};

/// The whole spec file.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<String>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registries: Vec<String>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<Namespace>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<App>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_server: Option<ApiServer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security: Option<PodSecurity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security_exemption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_from: Option<String>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<CpuMemory>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<CpuMemory>,
    /// Number of NodePort Services allowed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_ports: Option<u32>,
    /// Number of LoadBalancer Services allowed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancers: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
}

/// Compute resources of one container: cpu, memory and ephemeral storage.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ResourceSet {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    #[serde(rename = "ephemeral-storage")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<Quantity>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<ResourceSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<ResourceSet>,
    /// The largest container a LimitRange admits (default: the namespace quota limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<ResourceSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub subject: Subject,
    pub role: AccessRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    #[serde(default)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
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

impl SubjectKind {
    /// `user`, `group`, `serviceaccount` (or `sa`), in any case.
    pub fn parse(s: &str) -> Option<SubjectKind> {
        match s.to_ascii_lowercase().as_str() {
            "user" => Some(SubjectKind::User),
            "group" => Some(SubjectKind::Group),
            "serviceaccount" | "sa" => Some(SubjectKind::ServiceAccount),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AccessRole {
    Read,
    Write,
    Admin,
}

impl AccessRole {
    /// `read`, `write` or `admin`.
    pub fn parse(s: &str) -> Option<AccessRole> {
        match s {
            "read" => Some(AccessRole::Read),
            "write" => Some(AccessRole::Write),
            "admin" => Some(AccessRole::Admin),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    pub name: String,
    pub namespace: String,
    pub image: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<AppResources>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writable_paths: Option<Vec<String>>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_exemption: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    #[serde(default)]
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secret_env: BTreeMap<String, SecretRef>,
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secret_files: Vec<SecretFiles>,
    #[serde(default)]
    #[serde(skip_serializing_if = "ApiAccess::is_off")]
    pub api_access: ApiAccess,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// The image pipeline's build context (a directory of the repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_context: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Port {
    pub name: String,
    pub port: u32,
    #[serde(default)]
    #[serde(skip_serializing_if = "is_tcp")]
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    pub port: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<PortRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AppResources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceSet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
}

/// One probe: an HTTP GET of `http` (a path) on `port`, a TCP connect to `port`, or a
/// command run in the container (`exec`, for workers without ports).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    pub secret: String,
    pub key: String,
}

/// `apiAccess`: `false` (default), `true` (read the namespace's ConfigMaps), or a
/// narrower grant `{ resources: [configmaps], names: [app-config] }`.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(untagged)]
pub enum ApiAccess {
    Enabled(bool),
    Narrow(ApiGrant),
}

impl<'de> Deserialize<'de> for ApiAccess {
    /// By shape (boolean or mapping), so that a mistake inside the mapping is reported at
    /// its key.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = ApiAccess;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("`true`, `false` or `{ resources: [...], names: [...] }`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<ApiAccess, E> {
                Ok(ApiAccess::Enabled(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ApiAccess, A::Error> {
                ApiGrant::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(ApiAccess::Narrow)
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for ApiAccess {
    fn default() -> Self {
        ApiAccess::Enabled(false)
    }
}

impl ApiAccess {
    /// The default: no API access.
    pub fn is_off(&self) -> bool {
        !self.enabled()
    }

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
}
