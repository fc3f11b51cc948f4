//! Kubernetes vocabulary shared by every layer: names, quantities, image references, Pod
//! Security levels and capability sets, protocols, kinds, and the label and annotation
//! keys kubeward reads and writes. It imports nothing else of kubeward.

pub mod image;
pub mod keys;
pub mod kind;
pub mod names;
pub mod psa;
pub mod quantity;

pub use psa::Level as PodSecurity;

use serde::{Deserialize, Serialize};

/// A port protocol as Kubernetes spells it.
#[derive(
    Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, Hash, Default, PartialOrd, Ord,
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
