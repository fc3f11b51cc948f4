//! Metadata rules: recommended and valid labels, and credentials kept out of ConfigMaps.

use super::container::{has_private_key, sensitive_name};
use super::select::{key_path, string_map, template_meta_path};
use super::{CONTROLLERS, Hit, WORKLOADS_AND_SERVICES, get, rule};
use crate::k8s::names::{is_dns_subdomain, is_label_value};
use crate::validate::Document;
use crate::validate::kinds::API_KINDS;

const NAME: &str = "app.kubernetes.io/name";
const INSTANCE: &str = "app.kubernetes.io/instance";

/// Paths of the label maps of a document: its own and its pod template's.
fn label_maps(doc: &Document) -> Vec<String> {
    let mut out = vec!["metadata.labels".to_string()];
    if let Some(t) = template_meta_path(doc).filter(|t| t != "metadata") {
        out.push(format!("{t}.labels"));
    }
    out
}

rule!(RecommendedLabels {
    id: "recommended-labels",
    title: "Workloads and Services carry the app.kubernetes.io labels",
    severity: Info,
    kinds: WORKLOADS_AND_SERVICES,
    rationale: "`app.kubernetes.io/name` and `/instance` are what dashboards, policies, PDBs and `kubectl -l` select on; without them objects of one app cannot be found together.",
    fix: "label the object and its pod template with `app.kubernetes.io/name` and `app.kubernetes.io/instance`",
    refs: [
        "Kubernetes recommended labels",
        "Polaris metadataAndInstanceMismatched"
    ],
    check: |doc, _| {
        let mut out = Vec::new();
        for path in label_maps(doc) {
            let labels = string_map(get(&doc.value, &path));
            let missing: Vec<&str> = [NAME, INSTANCE]
                .into_iter()
                .filter(|k| !labels.contains_key(*k))
                .collect();
            if !missing.is_empty() {
                out.push(Hit::new(
                    path,
                    format!("missing label {}", missing.join(", ")),
                ));
            }
        }
        out
    },
});

rule!(InstanceLabelMatchesName {
    id: "instance-label-matches-name",
    title: "The instance label of a controller is its name",
    severity: Info,
    kinds: CONTROLLERS,
    rationale: "Tools group a controller's objects by `app.kubernetes.io/instance`; a value other than the controller's own name merges or splits apps in dashboards and selectors.",
    fix: "set `app.kubernetes.io/instance` to `metadata.name`",
    refs: ["Polaris metadataAndInstanceMismatched"],
    check: |doc, _| {
        let labels = string_map(get(&doc.value, "metadata.labels"));
        match labels.get(INSTANCE) {
            Some(v) if v != doc.name() => vec![Hit::new(
                key_path("metadata.labels", INSTANCE),
                format!(
                    "instance label `{v}` differs from the name `{}`",
                    doc.name()
                ),
            )],
            _ => Vec::new(),
        }
    },
});

/// Whether a label key is valid: an optional DNS-subdomain prefix and a name.
fn is_label_key(key: &str) -> bool {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

rule!(ValidLabelValues {
    id: "valid-label-values",
    title: "Label keys and values are valid",
    severity: Error,
    kinds: API_KINDS.as_slice(),
    rationale: "The API server rejects a label value longer than 63 characters or with characters other than letters, digits, `-`, `_` and `.` (starting and ending alphanumeric), and keys that are not `[prefix/]name`.",
    fix: "shorten or rewrite the label; put free text in an annotation instead",
    refs: ["kube-score label-values"],
    check: |doc, _| {
        let mut out = Vec::new();
        for path in label_maps(doc) {
            for (k, v) in string_map(get(&doc.value, &path)) {
                if !is_label_key(&k) {
                    out.push(Hit::new(
                        key_path(&path, &k),
                        format!("`{k}` is not a valid label key"),
                    ));
                } else if !is_label_value(&v) {
                    out.push(Hit::new(
                        key_path(&path, &k),
                        format!("`{v}` is not a valid value for label `{k}`"),
                    ));
                }
            }
        }
        out
    },
});

rule!(NoSensitiveConfigmapContent {
    id: "no-sensitive-configmap-content",
    title: "ConfigMaps hold no credentials",
    severity: Warning,
    kinds: &["ConfigMap"],
    rationale: "ConfigMaps are readable by anyone who may read configuration and are never encrypted at rest; a key named like a password or token, or a PEM private key, belongs in a Secret. The key-name match is a heuristic.",
    fix: "move the entry into a Secret and mount it as a file",
    refs: [
        "Polaris sensitiveConfigmapContent",
        "NSA/CISA (kubescape C-0012)"
    ],
    check: |doc, _| {
        string_map(doc.value.get("data"))
            .into_iter()
            .filter(|(k, v)| !v.is_empty() && (sensitive_name(k) || has_private_key(v)))
            .map(|(k, _)| {
                Hit::new(
                    key_path("data", &k),
                    format!("key `{k}` looks like a credential"),
                )
            })
            .collect()
    },
});
