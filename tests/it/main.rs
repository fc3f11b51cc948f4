//! Integration tests: the CLI as users run it, the example bundles, spec errors and
//! hostile input.

mod access;
mod amplification;
mod check;
mod cli;
mod corpus;
mod empty;
mod errors;
mod examples;
mod hostile;
mod limits;
mod output_dir;
mod rules;
mod stdout;
mod support;
mod terminal;
