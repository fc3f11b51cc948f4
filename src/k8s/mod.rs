//! Kubernetes vocabulary shared by every layer: names, quantities, image references, Pod
//! Security levels and capability sets, protocols, kinds and their scope, labels and
//! selectors, RBAC rules, and the label and annotation keys kubeward reads and writes. It imports nothing else of kubeward.

pub mod image;
pub mod keys;
pub mod kind;
pub mod names;
pub mod psa;
pub mod quantity;
pub mod rbac;
pub mod selector;

pub use psa::Level as PodSecurity;
pub use quantity::Quantity;

/// Where the kubelet mounts a pod's service-account token, CA and namespace.
pub const SERVICE_ACCOUNT_TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

use serde::{Deserialize, Serialize};

/// A port protocol as Kubernetes spells it.
#[derive(
    Debug,
    Clone,
    Copy,
    Deserialize,
    Serialize,
    schemars::JsonSchema,
    PartialEq,
    Eq,
    Hash,
    Default,
    PartialOrd,
    Ord,
)]
pub enum Protocol {
    #[default]
    #[serde(rename = "TCP")]
    Tcp,
    #[serde(rename = "UDP")]
    Udp,
    #[serde(rename = "SCTP")]
    Sctp,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

/// A port given by container-port name or by number (Kubernetes' IntOrString).
#[derive(Debug, Clone, Deserialize, Serialize, schemars::JsonSchema, PartialEq, Eq, Hash)]
#[serde(untagged)]
pub enum PortRef {
    Number(u32),
    Name(String),
}

impl std::fmt::Display for PortRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PortRef::Number(n) => write!(f, "{n}"),
            PortRef::Name(n) => write!(f, "`{n}`"),
        }
    }
}
