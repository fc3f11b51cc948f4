//! The render pipeline as one call: resolved model → plan → render → validate → flow
//! proof, in memory.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::plan::plan;
use crate::proof::{Difference, prove};
use crate::render::{Renderer, Template, TemplateError};
use crate::resolve::Model;
use crate::validate::{self, Finding, Report};

/// A rendered and validated bundle, ready to write.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// Bundle-relative path and text, in output order; `kustomization.yaml` last.
    pub files: Vec<(String, String)>,
    /// The files applied with the bundle (listed in `kustomization.yaml`), in order.
    pub resources: Vec<String>,
    /// Warnings from the spec and from the validation of the output.
    pub warnings: Vec<Diagnostic>,
    pub report: Report,
}

/// Why a render produced nothing.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template error: {0}")]
    Template(#[from] TemplateError),
    /// A file kubeward checks beyond the Kubernetes schema (the Fluent Bit configuration)
    /// came out wrong: a template (or its override) is wrong.
    #[error("{file}: {message}")]
    Generated {
        file: String,
        origin: String,
        message: String,
    },
    /// The rendered output failed validation: a template (or its override) is wrong.
    #[error("the rendered manifests failed validation")]
    Invalid {
        findings: Vec<Finding>,
        files: Vec<(String, String)>,
        origins: BTreeMap<String, String>,
    },
    /// The rendered NetworkPolicies allow other connections than the declared flows.
    #[error("the rendered network policies do not match the declared flows")]
    Unproven {
        differences: Vec<Difference>,
        origins: BTreeMap<String, String>,
    },
}

/// Render a resolved model with a template set. `spec_warnings` (from `resolve`) are
/// carried into the bundle.
pub fn render(
    model: &Model,
    spec_warnings: Vec<Diagnostic>,
    templates: BTreeMap<String, Template>,
) -> Result<Bundle, RenderError> {
    let plan = plan(model);
    let renderer = Renderer::new(templates)?;
    let rendered = renderer.render(&plan)?;
    let origins: BTreeMap<String, String> = rendered
        .iter()
        .map(|r| (r.path.clone(), r.origin.clone()))
        .collect();
    let applied: Vec<String> = rendered
        .iter()
        .filter(|r| r.apply)
        .map(|r| r.path.clone())
        .collect();
    // Files that are not Kubernetes objects (CI workflows) were parsed as YAML when
    // rendered; the manifest checks see only the manifests.
    let manifests: Vec<(String, String)> = rendered
        .iter()
        .filter(|r| r.kubernetes)
        .map(|r| (r.path.clone(), r.text.clone()))
        .collect();
    let mut files: Vec<(String, String)> = rendered.into_iter().map(|r| (r.path, r.text)).collect();
    check_generated(model, &files, &origins)?;
    let (report, docs) = validate::validate_documents(
        &manifests,
        &validate::Options {
            cluster: true,
            ..validate::Options::default()
        },
    );
    if report.count(Severity::Error) > 0 {
        let findings = report
            .findings
            .into_iter()
            .filter(|f| f.severity == Severity::Error)
            .collect();
        return Err(RenderError::Invalid {
            findings,
            files,
            origins,
        });
    }
    let differences = prove(model, &docs);
    drop(docs);
    if !differences.is_empty() {
        return Err(RenderError::Unproven {
            differences,
            origins,
        });
    }
    let resources: Vec<&str> = applied.iter().map(String::as_str).collect();
    let kustomization = crate::output::kustomization(&resources);
    files.push(("kustomization.yaml".into(), kustomization));
    let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
    let readme = crate::output::bundle_readme(model, &paths);
    files.push(("README.md".into(), readme));
    let mut warnings = spec_warnings;
    // Output warnings that restate a spec warning (same rule) are not repeated.
    let spec_codes: Vec<Option<String>> = warnings.iter().map(|w| w.code.clone()).collect();
    for f in &report.findings {
        if !spec_codes.contains(&Some(f.rule.to_string())) {
            warnings.push(f.to_diagnostic(None));
        }
    }
    Ok(Bundle {
        files,
        resources: applied,
        warnings,
        report,
    })
}

/// Check what the Kubernetes schema cannot: the Fluent Bit configuration inside its
/// ConfigMap parses into the configuration type, with no unknown key.
fn check_generated(
    model: &Model,
    files: &[(String, String)],
    origins: &BTreeMap<String, String>,
) -> Result<(), RenderError> {
    let Some(l) = &model.logging else {
        return Ok(());
    };
    let (path, key) = crate::plan::logging_config_location(l);
    let text = files
        .iter()
        .find(|(p, _)| *p == path)
        .map_or("", |(_, t)| t.as_str());
    crate::plan::fluentbit::check_rendered(text, key).map_err(|message| RenderError::Generated {
        origin: origins.get(&path).cloned().unwrap_or_default(),
        file: path,
        message,
    })
}
