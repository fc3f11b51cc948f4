//! The resolved model: the checked, defaulted, typed truth every back end reads. Each fact
//! (a flow's opened port, a container's mounts, the rollout surge, resources) is decided
//! once, in `resolve`, and stored here.

use crate::k8s::image::ImageRef;
use crate::k8s::{PodSecurity, PortRef, Protocol, Quantity};

pub use crate::k8s::rbac::RbacRule;
pub use crate::spec::{AccessRole, SubjectKind};

/// A resolved spec. Indices (`Source::App`, `Destination::App`) point into `apps`.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Target Kubernetes minor version (`1.<minor>`).
    pub kubernetes_minor: u32,
    /// Trusted registry prefixes; empty means any registry.
    pub registries: Vec<String>,
    /// Whether the trusted-image admission policy is rendered.
    pub admission_policy: bool,
    /// Whether the API-server audit policy is rendered.
    pub audit: bool,
    /// NodeLocal DNSCache address as a CIDR (`169.254.20.10/32`), when set.
    pub dns_node_local: Option<String>,
    pub namespaces: Vec<Namespace>,
    pub apps: Vec<App>,
    pub flows: Vec<Flow>,
    /// Cluster log shipping, when enabled; its namespace is one of `namespaces`.
    pub logging: Option<Logging>,
    /// The image pipeline (build, scan, push by digest), when one is generated.
    pub pipeline: Option<Pipeline>,
}

impl Model {
    /// The apps of namespace `ns`, with their indices.
    pub fn apps_in<'a>(&'a self, ns: &'a str) -> impl Iterator<Item = (usize, &'a App)> + 'a {
        self.apps
            .iter()
            .enumerate()
            .filter(move |(_, a)| a.namespace == ns)
    }

    pub fn namespace(&self, name: &str) -> Option<&Namespace> {
        self.namespaces.iter().find(|n| n.name == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    pub name: String,
    pub team: Option<String>,
    pub pod_security: PodSecurity,
    /// The written reason, when the level is not `restricted`.
    pub pod_security_exemption: Option<String>,
    pub quota: Quota,
    pub defaults: ContainerDefaults,
    /// Namespace of the ingress controller, for flows `from: ingress`.
    pub ingress_from: Option<String>,
    pub access: Vec<Grant>,
    /// Registry prefixes the admission policy trusts in this namespace (empty: no policy).
    pub registries: Vec<String>,
}

/// The namespace's ResourceQuota.
#[derive(Debug, Clone, PartialEq)]
pub struct Quota {
    pub pods: u32,
    pub requests: CpuMemory,
    pub limits: CpuMemory,
    pub node_ports: u32,
    pub load_balancers: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CpuMemory {
    pub cpu: Quantity,
    pub memory: Quantity,
}

/// Compute resources of one container, every one set.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceSet {
    pub cpu: Quantity,
    pub memory: Quantity,
    pub ephemeral_storage: Quantity,
}

impl ResourceSet {
    /// `(resource name, quantity)` in manifest order.
    pub fn entries(&self) -> [(&'static str, &Quantity); 3] {
        [
            ("cpu", &self.cpu),
            ("memory", &self.memory),
            ("ephemeral-storage", &self.ephemeral_storage),
        ]
    }
}

/// Requests and limits of a container.
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    pub requests: ResourceSet,
    pub limits: ResourceSet,
}

/// The namespace's LimitRange: defaults and the largest container admitted.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerDefaults {
    pub request: ResourceSet,
    pub limit: ResourceSet,
    pub max_cpu: Quantity,
    pub max_memory: Quantity,
    pub max_ephemeral_storage: Option<Quantity>,
}

impl Grant {
    /// `read (pods) + exec`: the role, its narrowing and exec, as reviews show it.
    pub fn label(&self) -> String {
        let narrow = self
            .resources
            .as_ref()
            .map(|r| format!(" ({})", r.join(", ")))
            .unwrap_or_default();
        let exec = if self.exec { " + exec" } else { "" };
        format!("{}{narrow}{exec}", self.role.name())
    }
}

/// One access entry of a namespace, with the Role it becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub subject_kind: SubjectKind,
    pub subject_name: String,
    pub role: AccessRole,
    /// The narrowing, as written.
    pub resources: Option<Vec<String>>,
    pub exec: bool,
    pub rules: Vec<RbacRule>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub name: String,
    pub namespace: String,
    pub image: String,
    pub image_ref: ImageRef,
    pub replicas: u32,
    pub rollout: Rollout,
    pub ports: Vec<ContainerPort>,
    pub service: Option<ServicePort>,
    pub resources: Resources,
    /// runAsUser, runAsGroup and fsGroup.
    pub user: i64,
    pub capabilities: Vec<String>,
    /// The written reason for added capabilities.
    pub capabilities_exemption: Option<String>,
    pub probes: Probes,
    pub env: Vec<(String, String)>,
    pub secret_env: Vec<SecretEnv>,
    /// The container's one mount list, in manifest order; mount paths are unique.
    pub mounts: Vec<Mount>,
    /// What the app's service account may read; empty: no API access, no token.
    pub api_rules: Vec<RbacRule>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
}

impl App {
    /// Pods the app may run at once during a rollout: replicas plus the surge.
    pub fn peak_pods(&self) -> u32 {
        if self.replicas == 0 {
            0
        } else {
            self.replicas + self.rollout.max_surge
        }
    }

    pub fn api_access(&self) -> bool {
        !self.api_rules.is_empty()
    }
}

/// The Deployment's RollingUpdate strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollout {
    pub max_surge: u32,
    pub max_unavailable: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: String,
    pub port: u32,
    pub protocol: Protocol,
}

/// The app's ClusterIP Service: its port and the container port it targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServicePort {
    pub port: u32,
    /// The `targetPort` as written (or the first port's name when not given).
    pub target_ref: PortRef,
    /// The container port it reaches.
    pub target: ContainerPort,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Probes {
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
    /// Liveness and readiness both default to the same TCP check of the first port: the
    /// spec named no health endpoints, so the two cannot differ (`probes-distinct`).
    pub same_default: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub action: ProbeAction,
    pub initial_delay_seconds: Option<u32>,
    pub period_seconds: u32,
    pub timeout_seconds: u32,
    pub failure_threshold: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProbeAction {
    Http { path: String, port: PortRef },
    Tcp { port: PortRef },
    Exec { command: Vec<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SecretEnv {
    pub name: String,
    pub secret: String,
    pub key: String,
}

/// One volume mounted into the container.
#[derive(Debug, Clone, PartialEq)]
pub struct Mount {
    /// The volume's name, unique in the pod.
    pub volume: String,
    pub path: String,
    pub source: MountSource,
}

impl Mount {
    pub fn read_only(&self) -> bool {
        !matches!(self.source, MountSource::EmptyDir { .. })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum MountSource {
    /// A writable directory (the root filesystem stays read-only).
    EmptyDir { size_limit: Quantity },
    /// A Secret as read-only files; `keys` empty means every key.
    Secret { secret: String, keys: Vec<String> },
    /// The service-account token, CA and namespace (apps with API access).
    ApiToken,
}

/// A declared flow, resolved: its endpoints and the ports it actually opens.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// Its index in the spec's `flows`.
    pub index: usize,
    pub from: Source,
    pub to: Destination,
    pub protocol: Protocol,
    /// Each declared port and the port the policy opens, without repeats.
    pub ports: Vec<FlowPort>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    App(usize),
    /// The ingress controller, running in `namespace`.
    Ingress {
        namespace: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    App(usize),
    Cidr {
        cidr: String,
        except: Vec<String>,
    },
    /// The API server at `cidrs` (empty: the address is unknown, any address).
    ApiServer {
        cidrs: Vec<String>,
    },
}

impl FlowPort {
    /// `80→8080` where a Service port maps to a container port, else `8080`.
    pub fn label(&self) -> String {
        if self.declared == self.opened {
            self.declared.to_string()
        } else {
            format!("{}→{}", self.declared, self.opened)
        }
    }
}

/// A port as declared in the flow and as opened: for an app, a Service port resolves to
/// the container port it targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowPort {
    pub declared: u32,
    pub opened: u32,
}

/// The Fluent Bit DaemonSet that ships every container's log.
#[derive(Debug, Clone, PartialEq)]
pub struct Logging {
    /// The shipper's name: its DaemonSet, ServiceAccount and `app.kubernetes.io/name`.
    pub name: String,
    pub namespace: String,
    pub image: String,
    pub image_ref: ImageRef,
    pub resources: Resources,
    /// The most nodes it runs on (one pod each).
    pub nodes: u32,
    pub backend: LogBackend,
    pub endpoint: LogEndpoint,
    /// A Secret with `username` and `password` for the endpoint.
    pub credentials: Option<String>,
    /// A namespace whose pods may scrape the metrics port.
    pub metrics_from: Option<String>,
    /// The API server's addresses (empty: unknown, any address on its ports).
    pub api_server: Vec<String>,
    /// The ports the shipper reaches the API server on.
    pub api_server_ports: Vec<u32>,
    /// The shipper's HTTP port: health probes and metrics (what `metrics_from` reaches).
    pub http_port: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LogBackend {
    Elasticsearch { index_prefix: String },
    Loki { tenant: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct LogEndpoint {
    pub host: String,
    pub port: u32,
    /// TLS, with the server certificate verified.
    pub tls: bool,
    /// What the egress policy lets the shipper reach.
    pub peer: EndpointPeer,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EndpointPeer {
    /// Addresses outside the cluster (or given as a CIDR).
    Cidr(String),
    /// Any pod of a namespace (the host is a Service name `svc.namespace.svc`).
    Namespace(String),
    /// Unknown: any address, on the endpoint's port only.
    Anywhere,
}

/// The CI system an image pipeline is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ci {
    Github,
    Gitlab,
}

/// The image pipeline: every distinct app image is built, scanned, pushed on a pass and
/// its digest printed; then the manifests are checked with `kubeward check`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub ci: Ci,
    /// One entry per distinct image repository, in the order apps name them.
    pub images: Vec<BuiltImage>,
}

/// One image the pipeline builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltImage {
    /// The first app that runs it: names the CI job and the default build context.
    pub app: String,
    /// Registry host and repository path, without tag or digest.
    pub repository: String,
    /// The registry host (with its port) the pipeline logs in to.
    pub registry: String,
    /// The build context, a directory relative to the repository root.
    pub context: String,
}
