//! RBAC vocabulary: the resources whose write access hands over more than it says
//! (running pods as any account, redirecting traffic, changing configuration), and the
//! built-in ClusterRoles with that power, and the shape of one RBAC rule. Read by the RBAC
//! rules and by the render, which exempts its deploy roles from exactly these rules.

/// Pod-carrying resources by API group: patching one runs pods as any service account
/// of the namespace, with any of its Secrets mounted.
pub const WORKLOAD_RESOURCES: &[(&str, &[&str])] = &[
    ("", &["pods", "replicationcontrollers"]),
    (
        "apps",
        &["deployments", "statefulsets", "daemonsets", "replicasets"],
    ),
    ("batch", &["jobs", "cronjobs"]),
];

/// Resources that route traffic or isolate it: writing them hijacks a Service's
/// connections or lifts a NetworkPolicy.
pub const TRAFFIC_RESOURCES: &[(&str, &[&str])] = &[
    ("", &["services", "endpoints"]),
    ("discovery.k8s.io", &["endpointslices"]),
    ("networking.k8s.io", &["networkpolicies", "ingresses"]),
];

/// Built-in ClusterRoles that a binding hands over wholesale, with what they include
/// that a reader of the binding would not guess.
pub const BROAD_BUILTIN_ROLES: &[(&str, &str)] = &[
    (
        "admin",
        "every verb on the namespace's Secrets, pods/exec, workloads and RoleBindings",
    ),
    (
        "edit",
        "read and write on Secrets, pods/exec and pods/attach, and every workload (so any service account of the namespace)",
    ),
];

/// One RBAC rule: an API group, its resources and verbs (optionally by name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RbacRule {
    #[serde(rename = "apiGroups")]
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    #[serde(rename = "resourceNames", skip_serializing_if = "Vec::is_empty")]
    pub resource_names: Vec<String>,
    pub verbs: Vec<String>,
}
