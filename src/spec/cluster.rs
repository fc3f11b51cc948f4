//! The spec's cluster-wide sections, as the user wrote them: `flows`, `apiServer`,
//! `dns`, `logging` and `supplyChain`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::resources::AppResources;
use crate::k8s::Protocol;

/// An allowed connection between two endpoints.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// An app (`app` or `namespace/app`) or `ingress` (the ingress controller).
    pub from: String,
    /// An app (`app` or `namespace/app`), `kube-apiserver` or `{ cidr, except }`.
    pub to: FlowTarget,
    /// The port (a Service port opens its target port).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Several ports, instead of `port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u32>>,
    /// TCP (default), UDP or SCTP.
    #[serde(default)]
    #[serde(skip_serializing_if = "is_tcp")]
    pub protocol: Protocol,
}

/// `to:` of a flow: a name (`app`, `namespace/app`, `kube-apiserver`) or a CIDR block.
// Deserialized by shape (string or mapping), so that a mistake inside the mapping is
// reported at its key, e.g. `unknown field `excpet``.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
#[serde(untagged)]
pub enum FlowTarget {
    Name(String),
    Cidr(CidrTarget),
}

impl<'de> Deserialize<'de> for FlowTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = FlowTarget;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an app name, `namespace/app`, `kube-apiserver` or `{ cidr: ..., except: [...] }`")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FlowTarget, E> {
                Ok(FlowTarget::Name(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<FlowTarget, A::Error> {
                CidrTarget::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(FlowTarget::Cidr)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CidrTarget {
    /// An IP block, e.g. `10.20.0.0/16`.
    pub cidr: String,
    /// Blocks inside `cidr` that stay closed.
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub except: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiServer {
    /// The API server addresses (without them such a flow opens its port to any address, with a warning).
    pub cidrs: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    /// Address of NodeLocal DNSCache, e.g. `169.254.20.10`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_local: Option<String>,
}

/// Cluster log shipping: a Fluent Bit DaemonSet in its own namespace.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Logging {
    /// Ship every container log (default false).
    #[serde(default)]
    pub enabled: bool,
    /// elasticsearch or loki.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backend: Option<LogBackend>,
    /// Where the logs go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<LogEndpoint>,
    /// The namespace of the log shipper (default `logging`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The Fluent Bit image (default: a release pinned by digest).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The most nodes the DaemonSet runs on; sizes the namespace quota (default 50).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<u32>,
    /// Resources of each Fluent Bit pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resources: Option<AppResources>,
    /// A Secret in the logging namespace with keys `username` and `password` for the
    /// log endpoint's basic authentication.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
    /// Elasticsearch: the index prefix (default `kubernetes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_prefix: Option<String>,
    /// Loki: the tenant (`X-Scope-OrgID`), when the Loki is multi-tenant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// A namespace whose pods (Prometheus) may scrape Fluent Bit's metrics port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_from: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogBackend {
    Elasticsearch,
    Loki,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LogEndpoint {
    /// A DNS name or IP address.
    pub host: String,
    /// The port of the log endpoint.
    pub port: u32,
    /// TLS with the server certificate verified (default true).
    #[serde(default = "yes")]
    pub tls: bool,
    /// Where the endpoint's addresses are, for the egress policy (a host outside the
    /// cluster cannot be selected by name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
}

fn yes() -> bool {
    true
}

pub(super) fn is_tcp(p: &Protocol) -> bool {
    *p == Protocol::Tcp
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SupplyChain {
    /// A ValidatingAdmissionPolicy that admits only digest-pinned images from `registries`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admission_policy: Option<bool>,
    /// The image pipeline to render: github, gitlab or none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_pipeline: Option<CiPipeline>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum CiPipeline {
    Github,
    Gitlab,
    None,
}
