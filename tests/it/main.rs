//! Integration tests: the CLI as users run it, the example bundles, spec errors and
//! hostile input.

mod access;
mod architecture;
mod check;
mod cli;
mod errors;
mod examples;
mod exemptions;
mod flows;
mod hostile;
mod init;
mod logging;
mod meaning;
mod mentions;
mod pipeline;
mod pod_kinds;
mod property;
mod quota;
mod rules;
mod support;
