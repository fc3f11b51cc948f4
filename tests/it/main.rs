//! Integration tests: the CLI as users run it, the example bundles, spec errors and
//! hostile input.

mod access;
mod architecture;
mod check;
mod cli;
mod errors;
mod examples;
mod flows;
mod hostile;
mod init;
mod logging;
mod mentions;
mod netrules;
mod pipeline;
mod property;
mod rules;
mod support;
