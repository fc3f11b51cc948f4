//! The spec file (`kubeward.yaml`, version 1): types, loading with positions, and checks.

pub mod access;
mod check;
mod check_app;
mod check_flow;
mod load;
mod types;

pub use check::{NEWEST_MINOR, OLDEST_MINOR, check, kubernetes_minor};
pub use check_flow::{INGRESS, KUBE_APISERVER, destination_port, flow_ports, resolve_app};
pub use load::{LoadedSpec, load, parse};
pub use types::*;

use crate::diag::Diagnostic;

/// Load a spec and run every check. Returns the spec and its warnings, or all errors
/// (with the warnings) when any error was found.
pub fn load_checked(
    path: &std::path::Path,
) -> Result<(LoadedSpec, Vec<Diagnostic>), Vec<Diagnostic>> {
    let loaded = load(path)?;
    checked(loaded)
}

/// Parse spec text and run every check (see [`load_checked`]).
pub fn parse_checked(
    file: &str,
    text: &str,
) -> Result<(LoadedSpec, Vec<Diagnostic>), Vec<Diagnostic>> {
    checked(parse(file, text)?)
}

fn checked(loaded: LoadedSpec) -> Result<(LoadedSpec, Vec<Diagnostic>), Vec<Diagnostic>> {
    let diags = check(&loaded);
    if diags.iter().any(Diagnostic::is_error) {
        Err(diags)
    } else {
        Ok((loaded, diags))
    }
}
