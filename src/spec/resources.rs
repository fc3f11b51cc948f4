//! Compute resources as a spec writes them: one container's set, and an app's requests
//! and limits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::Quantity;

/// Compute resources of one container: cpu, memory and ephemeral storage.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct ResourceSet {
    /// CPU quantity, e.g. 100m.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<Quantity>,
    /// Memory quantity, e.g. 128Mi.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Quantity>,
    /// Ephemeral storage quantity, e.g. 64Mi.
    #[serde(rename = "ephemeral-storage")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_storage: Option<Quantity>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Default)]
#[serde(deny_unknown_fields)]
pub struct AppResources {
    /// Requests of the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceSet>,
    /// Limits of the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceSet>,
}
