//! Documented defaults (see docs/spec-format.md), decided here and nowhere else.

use crate::k8s::Quantity;

use super::model::{ResourceSet, Rollout};

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
/// The Deployment's rolling update: one extra pod at a time, none taken away first.
pub const ROLLOUT: Rollout = Rollout {
    max_surge: 1,
    max_unavailable: 0,
};
/// The writable directories of an app that does not list any.
pub const WRITABLE_PATHS: &[&str] = &["/tmp"];
/// Probe timing when a probe does not say.
pub const PROBE_PERIOD_SECONDS: u32 = 10;
pub const PROBE_TIMEOUT_SECONDS: u32 = 1;
pub const PROBE_FAILURE_THRESHOLD: u32 = 3;

/// Cluster logging: where the shipper runs and what it runs.
pub const LOGGING_NAMESPACE: &str = "logging";
/// Fluent Bit 4.1.1, pinned by the digest of its multi-architecture image.
pub const FLUENT_BIT_IMAGE: &str = "cr.fluentbit.io/fluent/fluent-bit:4.1.1@sha256:2a5cb41f99b7c5f3386bb34d42ce3b19eb47fbef6d93b64c0bd4afe9e6ec389c";
pub const LOGGING_NODES: u32 = 50;
pub const FLUENT_BIT_REQUEST: [(&str, &str); 3] = [
    ("cpu", "50m"),
    ("memory", "64Mi"),
    ("ephemeral-storage", "16Mi"),
];
pub const FLUENT_BIT_LIMIT: [(&str, &str); 3] = [
    ("cpu", "500m"),
    ("memory", "256Mi"),
    ("ephemeral-storage", "64Mi"),
];
/// Oldest and newest Kubernetes minor versions kubeward renders for.
pub const OLDEST_MINOR: u32 = 30;
pub const NEWEST_MINOR: u32 = 37;
/// The log shipper's name (DaemonSet, ServiceAccount, labels, bundle folder).
pub const LOG_SHIPPER: &str = "fluent-bit";
/// Fluent Bit's HTTP server: liveness (`/`, the server answers), readiness (`/api/v1/health`) and metrics.
pub const FLUENT_BIT_HTTP_PORT: u32 = 2020;
pub const ES_INDEX_PREFIX: &str = "kubernetes";
/// The node's log directory (read-only) and the shipper's own state directory on the
/// node (read-write: the tail database), with where they are mounted.
pub const NODE_LOG_DIR: &str = "/var/log";
pub const NODE_STATE_DIR: &str = "/var/lib/kubeward/fluent-bit";
pub const STATE_MOUNT: &str = "/var/fluent-bit/state";
/// Ports the API server listens on behind `kubernetes.default` (443, or 6443 on most
/// distributions' nodes).
pub const API_SERVER_PORTS: [u32; 2] = [443, 6443];
/// Why the logging namespace cannot enforce Pod Security `restricted`.
pub const LOGGING_EXEMPTION: &str = "Fluent Bit reads every node's container logs through read-only hostPath mounts and runs as uid 0 (with no capabilities) to read the root-owned log files";

/// A built-in resource set from one of the tables above.
pub fn resource_set(table: &[(&str, &str); 3]) -> ResourceSet {
    let get = |name: &str| {
        let text = table
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("0", |(_, v)| v);
        Quantity::known(text)
    };
    ResourceSet {
        cpu: get("cpu"),
        memory: get("memory"),
        ephemeral_storage: get("ephemeral-storage"),
    }
}

/// A built-in cpu or memory value from a two-entry table.
pub fn cpu_memory(table: &[(&str, &str); 2], name: &str) -> Quantity {
    Quantity::known(
        table
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("0", |(_, v)| v),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_quantities_are_valid_and_requests_fit_limits() {
        let (req, lim) = (resource_set(&REQUEST), resource_set(&LIMIT));
        for ((_, r), (_, l)) in req.entries().into_iter().zip(lim.entries()) {
            assert!(r.milli() <= l.milli());
        }
        for name in ["cpu", "memory"] {
            assert!(
                cpu_memory(&QUOTA_REQUESTS, name).milli()
                    <= cpu_memory(&QUOTA_LIMITS, name).milli()
            );
        }
    }
}
