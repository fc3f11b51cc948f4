//! What becomes of one parsed document: skipped with its reason (kustomize files, non
//! Kubernetes YAML, custom resources), read as its replacement (a removed API version),
//! or checked against its strict schema and handed on to the rules.

use crate::diag::Severity;

use super::document::Document;
use super::finding::Finding;
use super::report::{Report, SkipClass, Skipped};
use super::{catalogue, kinds, schema, versions};

/// Whether a document is kustomize's configuration rather than an object.
fn is_kustomize(doc: &Document) -> bool {
    let file = doc.file.rsplit(['/', '\\']).next().unwrap_or(&doc.file);
    doc.api_version().starts_with("kustomize.config.k8s.io/")
        || matches!(
            file,
            "kustomization.yaml" | "kustomization.yml" | "Kustomization"
        )
}

/// Decide what becomes of one parsed document: skipped (with the reason in `report`),
/// or checked (its built-in findings in `report`) and handed back for the rules. A
/// removed API version is reported and read as its replacement.
pub(super) fn admit(doc: Document, report: &mut Report) -> Option<Document> {
    let skip = |report: &mut Report, class, reason: String| {
        report.skipped.push(Skipped {
            file: doc.file.clone(),
            pos: doc.pos.start,
            reason,
            class,
        });
    };
    if is_kustomize(&doc) {
        skip(
            report,
            SkipClass::Kustomize,
            "a kustomize configuration, not an object".into(),
        );
        return None;
    }
    if !doc.is_kubernetes() {
        skip(
            report,
            SkipClass::NotKubernetes,
            "not a Kubernetes object (no apiVersion and kind)".into(),
        );
        return None;
    }
    if let Some((version, instead)) = versions::removed(doc.api_version(), doc.kind()) {
        let read_as = versions::read_as(doc.api_version(), doc.kind());
        report.findings.push(Finding {
            rule: catalogue::REMOVED_API.into(),
            severity: Severity::Error,
            file: doc.file.clone(),
            pos: Some(doc.key_position("apiVersion")),
            object: doc.describe(),
            path: Some("apiVersion".into()),
            message: format!(
                "{} {} was removed in Kubernetes {version}{}",
                doc.api_version(),
                doc.kind(),
                read_as.map_or(String::new(), |a| format!(
                    "; checked as {a}, the rules ran on it"
                ))
            ),
            help: format!("use {instead}").into(),
        });
        // The old fields differ from the new version's: no strict schema, every rule.
        report.documents += 1;
        return read_as.map(|api| doc.read_as(api));
    }
    if !kinds::is_known(doc.api_version(), doc.kind()) {
        skip(
            report,
            SkipClass::Custom,
            format!(
                "{} {}: a custom resource (not a built-in kind of Kubernetes)",
                doc.api_version(),
                doc.kind()
            ),
        );
        return None;
    }
    report.documents += 1;
    let id = (catalogue::SCHEMA, Severity::Error);
    Finding::capped(&mut report.findings, &doc, id, schema::check(&doc), |e| {
        Finding {
        rule: catalogue::SCHEMA.into(),
        severity: Severity::Error,
        file: doc.file.clone(),
        pos: e.pos.or(Some(doc.pos.start)),
        object: doc.describe(),
        path: Some(e.path).filter(|p| !p.is_empty()),
        message: e.message,
        help: "the Kubernetes API would reject or silently drop this; fix the field name or type (see `kubectl explain`)".into(),
    }
    });
    Some(doc)
}
