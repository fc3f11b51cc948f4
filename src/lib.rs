//! kubeward turns a short description of a service — its app, namespaces, who may touch
//! them and which traffic may flow — into hardened Kubernetes manifests that validate
//! themselves.
//!
//! The flow of data: [`spec`] (the user's words, with positions) → [`resolve`] (checks,
//! defaults and every fact decided once, into a [`resolve::Model`]) → [`plan`] (objects,
//! names and one typed view per object) → [`render`] (handlebars templates) →
//! [`validate`] (strict schema and rules) → [`proof`] (the allowed connections equal the
//! declared flows) → [`output`] (atomic write); [`bundle`] runs plan to proof as one call. [`k8s`] is the vocabulary every layer shares.
//! `kubeward check` reads any manifests with [`input`], runs [`validate`] and formats the
//! result with [`report`].
//!
//! The command line (clap) is not part of the library: it lives in the binary (`src/cli/`).

pub mod bundle;
pub mod diag;
pub mod diagram;
pub mod input;
pub mod k8s;
pub mod output;
pub mod par;
pub mod plan;
pub mod proof;
pub mod render;
pub mod report;
pub mod resolve;
pub mod spec;
pub mod suggest;
pub mod validate;
pub mod wizard;
pub mod yaml;
