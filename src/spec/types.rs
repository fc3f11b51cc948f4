//! The spec file's types (`kubeward.yaml`, version 1), exactly as the user wrote them.
//!
//! Every struct denies unknown fields. Optional fields stay `Option` here so that later
//! stages know what the user said; defaults are applied by `resolve`. Front ends (the
//! spec file, `onboard`'s flags) all produce this type.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::k8s::{PodSecurity, PortRef, Protocol};

use super::cluster::{ApiServer, Dns, Flow, Logging, SupplyChain, is_tcp};
use super::resources::{AppResources, ResourceSet};
pub use super::values::{ApiAccess, ApiGrant, Quantity};

/// The whole spec file.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// The spec format version; must be 1.
    pub version: u64,
    /// Target Kubernetes minor, "1.30" to "1.37" (default "1.37"); pins the pod-security.kubernetes.io/*-version labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<String>,
    /// Trusted image registries, matched as prefixes of the image (default: any registry, with a warning), e.g. `registry.example.com/team/`.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registries: Vec<String>,
    /// The namespaces: quota, container defaults, Pod Security level, access.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<Namespace>,
    /// The apps: one Deployment each, hardened, with its ServiceAccount, Service and policies.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub apps: Vec<App>,
    /// Allowed traffic; everything else is denied (DNS always works).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub flows: Vec<Flow>,
    /// Where `to: kube-apiserver` flows go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_server: Option<ApiServer>,
    /// Extra DNS servers to allow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// Cluster log shipping with Fluent Bit (default disabled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Render the API-server audit policy `cluster/audit-policy.yaml` (default true).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audit: Option<bool>,
    /// Admission policy and image pipeline (default: all on when `registries` is set).
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

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Namespace {
    /// Required: an RFC 1123 label, not `default` or `kube-*`.
    pub name: String,
    /// The `team` label on the Namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// The Pod Security level enforced (default restricted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security: Option<PodSecurity>,
    /// Required reason when `podSecurity` is not restricted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_security_exemption: Option<String>,
    /// The ResourceQuota `compute-resources` (default pods 10, requests 2 CPU/4Gi, limits 4 CPU/8Gi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota: Option<Quota>,
    /// The LimitRange `container-defaults` (default request 100m/128Mi/64Mi, limit 500m/256Mi/128Mi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub defaults: Option<Defaults>,
    /// Namespace of the ingress controller, for flows `from: ingress`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress_from: Option<String>,
    /// RBAC grants: one Role per grant, one RoleBinding per subject.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub access: Vec<Access>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Quota {
    /// Most pods in the namespace (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pods: Option<u32>,
    /// Total requests (default cpu "2", memory 4Gi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<CpuMemory>,
    /// Total limits (default cpu "4", memory 8Gi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<CpuMemory>,
    /// Number of NodePort Services allowed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_ports: Option<u32>,
    /// Number of LoadBalancer Services allowed (default 0).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_balancers: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct CpuMemory {
    /// CPU quantity, e.g. "2" or 500m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory quantity, e.g. 4Gi.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Default container requests (default cpu 100m, memory 128Mi, ephemeral-storage 64Mi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<ResourceSet>,
    /// Default container limits (default cpu 500m, memory 256Mi, ephemeral-storage 128Mi).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<ResourceSet>,
    /// The largest container a LimitRange admits (default: the namespace quota limits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<ResourceSet>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Who is granted access.
    pub subject: Subject,
    /// read, write or admin.
    pub role: AccessRole,
    /// Only these resources of the role's set, e.g. `[pods]` (default: the whole role).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<Vec<String>>,
    /// Also create on pods/exec, pods/attach and pods/portforward (default false).
    #[serde(default)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub exec: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// User, Group or ServiceAccount.
    pub kind: SubjectKind,
    /// As the identity provider spells it; a ServiceAccount as `namespace/name`.
    pub name: String,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
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

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
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

    /// The role as the spec spells it: `read`, `write` or `admin`.
    pub fn name(self) -> &'static str {
        match self {
            AccessRole::Read => "read",
            AccessRole::Write => "write",
            AccessRole::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct App {
    /// Required: an RFC 1123 label; not `ingress` or `kube-apiserver`.
    pub name: String,
    /// Required: one of `namespaces`.
    pub namespace: String,
    /// Required: the image, pinned by digest (`registry/repo:tag@sha256:…`).
    pub image: String,
    /// Number of pods (default 2); a PodDisruptionBudget from 2 on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replicas: Option<u32>,
    /// Container ports (default none: a worker without Service or probes).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    /// A ClusterIP Service for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// Requests and limits (default: the namespace's `defaults`, field by field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<AppResources>,
    /// runAsUser, runAsGroup and fsGroup (default 10001); 0 is an error, 10000 or less a warning.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<i64>,
    /// emptyDir mounts; the root filesystem stays read-only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writable_paths: Option<Vec<String>>,
    /// Added capabilities (only NET_BIND_SERVICE under restricted).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    /// Required reason when capabilities are added.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_exemption: Option<String>,
    /// Health probes (default: TCP on the first port for liveness and readiness).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// Plain environment variables, kept exactly as written.
    #[serde(default)]
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Environment variables from Secrets (prefer `secretFiles`).
    #[serde(default)]
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub secret_env: BTreeMap<String, SecretRef>,
    /// Secrets mounted as read-only files.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secret_files: Vec<SecretFiles>,
    /// Kubernetes API access: false (default), true (read the namespace's ConfigMaps) or `{ resources, names }`.
    #[serde(default)]
    #[serde(skip_serializing_if = "ApiAccess::is_off")]
    pub api_access: ApiAccess,
    /// The container command (default: the image entrypoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<Vec<String>>,
    /// The container arguments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<String>>,
    /// The image pipeline's build context (a directory of the repository).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_context: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Port {
    /// Port name, e.g. `http`.
    pub name: String,
    /// Container port number.
    pub port: u32,
    /// TCP (default), UDP or SCTP.
    #[serde(default)]
    #[serde(skip_serializing_if = "is_tcp")]
    pub protocol: Protocol,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// The Service port.
    pub port: u32,
    /// Container port name or number (default: the first port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_port: Option<PortRef>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    /// Restarts the container when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness: Option<Probe>,
    /// Takes the pod out of its Service when it fails.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Probe>,
    /// Holds the other probes until it passes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub startup: Option<Probe>,
}

/// One probe: an HTTP GET of `http` (a path) on `port`, a TCP connect to `port`, or a
/// command run in the container (`exec`, for workers without ports).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// HTTP GET path, e.g. `/healthz` (without it, a TCP check).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
    /// Port name or number (default: the first port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortRef>,
    /// A command run in the container instead (workers without ports).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    /// Seconds before the first probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_delay_seconds: Option<u32>,
    /// Seconds between probes (default 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub period_seconds: Option<u32>,
    /// Seconds before a probe times out (default 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<u32>,
    /// Failures before the probe fails (default 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_threshold: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SecretRef {
    /// The Secret name.
    pub secret: String,
    /// The key in the Secret.
    pub key: String,
}

/// A Secret mounted as read-only files (the hardened alternative to `secretEnv`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SecretFiles {
    /// The Secret name.
    pub secret: String,
    /// Where the files appear, e.g. `/var/run/secrets/db`.
    pub mount_path: String,
    /// Only these keys (default: every key of the Secret).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
}
