//! Spec values that take more than one shape, with their own deserialisers and schemas:
//! a Kubernetes quantity (text or number) and `apiAccess` (boolean or mapping).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kubernetes quantity as the user wrote it (`"2"`, `500m`, `4Gi`; a bare YAML number
/// is accepted and kept as written).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Quantity(pub String);

impl JsonSchema for Quantity {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Quantity".into()
    }

    /// A string or a number, as the loader accepts.
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A Kubernetes quantity: \"500m\", \"2\", 4Gi (a bare number is kept as written).",
            "type": ["string", "number"]
        })
    }
}

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

/// `apiAccess`: `false` (default), `true` (read the namespace's ConfigMaps), or a
/// narrower grant `{ resources: [configmaps], names: [app-config] }`.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
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
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ApiGrant {
    /// Resources the app may read, e.g. `[configmaps]`.
    pub resources: Vec<String>,
    /// Only these objects, by name (default: all).
    #[serde(default)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub names: Vec<String>,
}
