//! The render pipeline as one call: resolved model → plan → render → validate → flow
//! proof, in memory.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Severity};
use crate::plan::plan;
use crate::proof::{Difference, prove};
use crate::render::{RenderedFile, Renderer, Template, TemplateError};
use crate::resolve::Model;
use crate::validate::{self, Finding, Report};
use crate::yaml::PosIndex;

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
    // The plan's views and the template registry are dropped once the files are
    // rendered: the validation that follows holds the parsed documents, the peak.
    let rendered = Renderer::new(templates)?.render(&plan(model))?;
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
    // rendered; the manifest checks see only the manifests, moved aside (not copied)
    // and put back in order after.
    let kubernetes: Vec<bool> = rendered.iter().map(|r| r.kubernetes).collect();
    let (manifests, parsed, others) = set_aside(rendered);
    check_generated(model, manifests.iter().chain(&others), &origins)?;
    let (report, docs) = validate::validate_parsed(
        &manifests,
        parsed,
        &validate::Options {
            cluster: true,
            ..validate::Options::default()
        },
    );
    let mut files = in_order(&kubernetes, manifests, others);
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

/// Bundle-relative path and text of each file.
type Files = Vec<(String, String)>;

/// The documents each manifest was read into when rendered.
type Parsed = Vec<Vec<(serde_yaml::Value, PosIndex)>>;

/// The manifests (with their documents) and the other files of a render, each in
/// output order.
fn set_aside(rendered: Vec<RenderedFile>) -> (Files, Parsed, Files) {
    let (m, o): (Vec<_>, Vec<_>) = rendered.into_iter().partition(|r| r.kubernetes);
    let (manifests, parsed) = m
        .into_iter()
        .map(|r| ((r.path, r.text), r.documents))
        .unzip();
    let others = o.into_iter().map(|r| (r.path, r.text)).collect();
    (manifests, parsed, others)
}

/// The rendered files in their order again, from the manifests and the other files.
fn in_order(kubernetes: &[bool], manifests: Files, others: Files) -> Files {
    let (mut m, mut o) = (manifests.into_iter(), others.into_iter());
    kubernetes
        .iter()
        .filter_map(|k| if *k { m.next() } else { o.next() })
        .collect()
}

/// Check what the Kubernetes schema cannot: the Fluent Bit configuration inside its
/// ConfigMap parses into the configuration type, with no unknown key.
fn check_generated<'a>(
    model: &Model,
    mut files: impl Iterator<Item = &'a (String, String)>,
    origins: &BTreeMap<String, String>,
) -> Result<(), RenderError> {
    let Some(l) = &model.logging else {
        return Ok(());
    };
    let (path, key) = crate::plan::logging_config_location(l);
    let text = files
        .find(|(p, _)| *p == path)
        .map_or("", |(_, t)| t.as_str());
    crate::plan::fluentbit::check_rendered(text, key).map_err(|message| RenderError::Generated {
        origin: origins.get(&path).cloned().unwrap_or_default(),
        file: path,
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::in_order;

    #[test]
    fn files_set_aside_return_to_their_place() {
        let file = |p: &str| (p.to_string(), format!("text of {p}"));
        let manifests = vec![file("a.yaml"), file("c.yaml"), file("e.yaml")];
        let others = vec![file("ci/b.yml"), file("ci/d.yml")];
        let kubernetes = [true, false, true, false, true];
        let paths: Vec<String> = in_order(&kubernetes, manifests, others)
            .into_iter()
            .map(|(p, t)| {
                assert_eq!(t, format!("text of {p}"));
                p
            })
            .collect();
        assert_eq!(
            paths,
            ["a.yaml", "ci/b.yml", "c.yaml", "ci/d.yml", "e.yaml"]
        );
    }
}
