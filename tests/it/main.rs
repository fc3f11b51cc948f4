//! Integration tests: the CLI as users run it, the example bundles, spec errors and
//! hostile input.

mod access;
mod amplification;
mod architecture;
mod check;
mod cli;
mod corpus;
mod empty;
mod errors;
mod examples;
mod exemptions;
mod flows;
mod hostile;
mod init;
mod limits;
mod logging;
mod meaning;
mod mentions;
mod netrules;
mod output_dir;
mod pipeline;
mod pod_kinds;
mod property;
mod quota;
mod robust;
mod rules;
mod stdout;
mod support;
mod terminal;
mod units;
