//! The spec file (`kubeward.yaml`, version 1): the user's words as typed values, and
//! loading them with the position of every node. Checking and defaults live in `resolve`.

mod cluster;
mod jsonschema;
mod load;
mod resources;
mod types;
mod values;

pub use cluster::*;
pub use jsonschema::{SCHEMA_URL, json_schema, modeline};
pub use load::{ArgMap, LoadedSpec, UNREADABLE, is_unreadable, load, parse};
pub use resources::{AppResources, ResourceSet};
pub use types::*;
