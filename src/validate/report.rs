//! The report of a check: its findings, the exemptions that dropped findings, and what
//! was skipped and why.

use serde::Serialize;

use crate::diag::{Pos, Severity};

use super::finding::Finding;
use super::{catalogue, exempt};

/// Everything a validation found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Documents that were checked.
    pub documents: usize,
    /// Documents that are not Kubernetes objects kubeward knows, with the reason.
    pub skipped: Vec<Skipped>,
    /// Exemptions that dropped findings: the object exempts their rule with a reason.
    pub exempted: Vec<exempt::Exemption>,
    /// Hidden directories the search of the inputs did not enter (set by the caller).
    #[serde(skip)]
    pub unsearched: Vec<String>,
    /// Files and directories the caller left out on request.
    #[serde(skip)]
    pub excluded: usize,
}

/// A document that was not checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    pub file: String,
    pub pos: Pos,
    pub reason: String,
    /// Why, as a class: the text report lists some one by one and counts the others.
    #[serde(skip)]
    pub class: SkipClass,
}

/// Why a document was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SkipClass {
    /// No apiVersion and kind: some other YAML file.
    NotKubernetes,
    /// A kustomize configuration (`kustomization.yaml`), not an object.
    Kustomize,
    /// A kind that is not built into Kubernetes: a custom resource.
    Custom,
}

impl Report {
    /// One `yaml-syntax` error per file that could not be read as text, in file order
    /// with the other findings.
    pub fn add_unreadable(&mut self, files: &[crate::input::Unreadable]) {
        self.findings.extend(
            files.iter().map(|u| Finding {
                rule: catalogue::YAML_SYNTAX.into(),
                severity: Severity::Error,
                file: u.file.clone(),
                pos: Some(u.pos),
                object: String::new(),
                path: None,
                message: u.message.clone(),
                help: "save the file as UTF-8 text (YAML is Unicode); the other files were checked"
                    .into(),
            }),
        );
        self.findings
            .sort_by(|a, b| (&a.file, a.pos).cmp(&(&b.file, b.pos)));
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
