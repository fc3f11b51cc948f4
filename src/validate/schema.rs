//! Strict schema: each document is deserialized straight from its text into the
//! k8s-openapi type of its apiVersion/kind, through serde_ignored, so that every key the
//! type does not know is reported at its path. Required fields are checked here too,
//! because k8s-openapi silently defaults them.

use k8s_openapi::api::admissionregistration::v1 as admission;
use k8s_openapi::api::{
    apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
    networking::v1 as networking, policy::v1 as policy, rbac::v1 as rbac,
    scheduling::v1 as scheduling,
};
use serde::de::DeserializeOwned;

use crate::diag::Pos;
use crate::source::{Seg, format_path, pos_at};

use super::document::Document;

/// A schema problem of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub pos: Option<Pos>,
    pub message: String,
}

/// Known kinds that live outside namespaces (the audit `Policy` is a file, not an object).
pub const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "PriorityClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "Policy",
];

/// Every Kubernetes API kind with a strict schema (configuration files excluded).
pub static API_KINDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    KINDS
        .iter()
        .filter(|(api, _, _)| !api.starts_with("audit."))
        .map(|(_, k, _)| *k)
        .collect()
});

/// The namespaced ones among [`API_KINDS`].
pub static NAMESPACED_KINDS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| {
        API_KINDS
            .iter()
            .copied()
            .filter(|k| !CLUSTER_SCOPED.contains(k))
            .collect()
    });

/// API versions the Kubernetes API no longer serves: (apiVersion, kind, removed in, use).
static REMOVED: &[(&str, &str, &str, &str)] = &[
    ("extensions/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("extensions/v1beta1", "DaemonSet", "1.16", "apps/v1"),
    ("extensions/v1beta1", "ReplicaSet", "1.16", "apps/v1"),
    (
        "extensions/v1beta1",
        "NetworkPolicy",
        "1.16",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "extensions/v1beta1",
        "PodSecurityPolicy",
        "1.16",
        "Pod Security Admission namespace labels",
    ),
    ("apps/v1beta1", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta1", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "Deployment", "1.16", "apps/v1"),
    ("apps/v1beta2", "StatefulSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "1.16", "apps/v1"),
    ("apps/v1beta2", "ReplicaSet", "1.16", "apps/v1"),
    (
        "networking.k8s.io/v1beta1",
        "Ingress",
        "1.22",
        "networking.k8s.io/v1",
    ),
    (
        "networking.k8s.io/v1beta1",
        "IngressClass",
        "1.22",
        "networking.k8s.io/v1",
    ),
    ("batch/v1beta1", "CronJob", "1.25", "batch/v1"),
    ("policy/v1beta1", "PodDisruptionBudget", "1.25", "policy/v1"),
    (
        "policy/v1beta1",
        "PodSecurityPolicy",
        "1.25",
        "Pod Security Admission namespace labels",
    ),
    (
        "autoscaling/v2beta1",
        "HorizontalPodAutoscaler",
        "1.25",
        "autoscaling/v2",
    ),
    (
        "autoscaling/v2beta2",
        "HorizontalPodAutoscaler",
        "1.26",
        "autoscaling/v2",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "Role",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "RoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRole",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "rbac.authorization.k8s.io/v1beta1",
        "ClusterRoleBinding",
        "1.22",
        "rbac.authorization.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "ValidatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "admissionregistration.k8s.io/v1beta1",
        "MutatingWebhookConfiguration",
        "1.22",
        "admissionregistration.k8s.io/v1",
    ),
    (
        "scheduling.k8s.io/v1beta1",
        "PriorityClass",
        "1.17",
        "scheduling.k8s.io/v1",
    ),
];

/// For an apiVersion the API server no longer serves: the version that removed it and
/// what to use instead.
pub fn removed(api: &str, kind: &str) -> Option<(&'static str, &'static str)> {
    REMOVED
        .iter()
        .find(|(a, k, _, _)| *a == api && *k == kind)
        .map(|(_, _, v, u)| (*v, *u))
}

/// Whether the (apiVersion, kind) is one kubeward knows the schema of.
pub fn is_known(api: &str, kind: &str) -> bool {
    KINDS.iter().any(|(a, k, _)| *a == api && *k == kind)
}

/// The typed check of a kind, from the document's text (exact error positions) or from
/// its already parsed value (no second parse of the text).
#[derive(Clone, Copy)]
struct Check {
    text: fn(serde_yaml::Deserializer<'_>) -> Result<Vec<String>, serde_yaml::Error>,
    value: fn(&serde_yaml::Value) -> Result<Vec<String>, serde_yaml::Error>,
}

macro_rules! kinds {
    ($($api:literal $kind:literal => $ty:ty),* $(,)?) => {
        &[$(($api, $kind, Check { text: typed::<$ty>, value: typed_value::<$ty> })),*]
    };
}

/// Every kind with a strict schema, by apiVersion and kind.
static KINDS: &[(&str, &str, Check)] = kinds![
    "v1" "Namespace" => core::Namespace,
    "v1" "ServiceAccount" => core::ServiceAccount,
    "v1" "Service" => core::Service,
    "v1" "ConfigMap" => core::ConfigMap,
    "v1" "Secret" => core::Secret,
    "v1" "Pod" => core::Pod,
    "v1" "ResourceQuota" => core::ResourceQuota,
    "v1" "LimitRange" => core::LimitRange,
    "v1" "PersistentVolumeClaim" => core::PersistentVolumeClaim,
    "v1" "ReplicationController" => core::ReplicationController,
    "apps/v1" "Deployment" => apps::Deployment,
    "apps/v1" "StatefulSet" => apps::StatefulSet,
    "apps/v1" "DaemonSet" => apps::DaemonSet,
    "apps/v1" "ReplicaSet" => apps::ReplicaSet,
    "batch/v1" "Job" => batch::Job,
    "batch/v1" "CronJob" => batch::CronJob,
    "policy/v1" "PodDisruptionBudget" => policy::PodDisruptionBudget,
    "networking.k8s.io/v1" "NetworkPolicy" => networking::NetworkPolicy,
    "networking.k8s.io/v1" "Ingress" => networking::Ingress,
    "rbac.authorization.k8s.io/v1" "Role" => rbac::Role,
    "rbac.authorization.k8s.io/v1" "RoleBinding" => rbac::RoleBinding,
    "rbac.authorization.k8s.io/v1" "ClusterRole" => rbac::ClusterRole,
    "rbac.authorization.k8s.io/v1" "ClusterRoleBinding" => rbac::ClusterRoleBinding,
    "autoscaling/v2" "HorizontalPodAutoscaler" => autoscaling::HorizontalPodAutoscaler,
    "scheduling.k8s.io/v1" "PriorityClass" => scheduling::PriorityClass,
    "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicy" => admission::ValidatingAdmissionPolicy,
    "admissionregistration.k8s.io/v1" "ValidatingAdmissionPolicyBinding" => admission::ValidatingAdmissionPolicyBinding,
    "audit.k8s.io/v1" "Policy" => super::audit::Policy,
];

fn typed<T: DeserializeOwned>(
    de: serde_yaml::Deserializer<'_>,
) -> Result<Vec<String>, serde_yaml::Error> {
    let mut unknown = Vec::new();
    let _: T = serde_ignored::deserialize(de, |p| unknown.push(ignored_path(&p)))?;
    Ok(unknown)
}

fn typed_value<T: DeserializeOwned>(
    v: &serde_yaml::Value,
) -> Result<Vec<String>, serde_yaml::Error> {
    let mut unknown = Vec::new();
    let _: T = serde_ignored::deserialize(v, |p| unknown.push(ignored_path(&p)))?;
    Ok(unknown)
}

/// `serde_ignored`'s path without its `Option`/newtype steps, in our path format.
fn ignored_path(p: &serde_ignored::Path<'_>) -> String {
    fn walk(p: &serde_ignored::Path<'_>, out: &mut Vec<Seg>) {
        use serde_ignored::Path;
        match p {
            Path::Root => {}
            Path::Seq { parent, index } => {
                walk(parent, out);
                out.push(Seg::Index(*index));
            }
            Path::Map { parent, key } => {
                walk(parent, out);
                out.push(Seg::Key(key.clone()));
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => walk(parent, out),
        }
    }
    let mut segs = Vec::new();
    walk(p, &mut segs);
    format_path(&segs)
}

/// Check every document of one file's text. `docs` are that text's parsed documents
/// (from [`super::document::parse_documents`]); the result is one list per document.
pub fn check_text(text: &str, docs: &[Document]) -> Vec<Vec<SchemaError>> {
    // Each document is checked from its parsed value first: no second parse of the text.
    // Only when some document fails that way is the text read again, for the exact
    // message and position of the error (a value also refuses what the text reader
    // accepts, such as a plain number where a string is expected).
    let mut out: Vec<Vec<SchemaError>> = vec![Vec::new(); docs.len()];
    let mut again = Vec::new();
    for (slot, doc) in docs.iter().enumerate() {
        let Some(check) = check_of(doc) else { continue };
        match (check.value)(&doc.value) {
            Ok(unknown) => {
                out[slot].extend(unknown_fields(doc, unknown));
                out[slot].extend(required(doc));
            }
            Err(_) => again.push(slot),
        }
    }
    if !again.is_empty() {
        check_again(text, docs, &again, &mut out);
    }
    out
}

fn check_of(doc: &Document) -> Option<Check> {
    KINDS
        .iter()
        .find(|(a, k, _)| *a == doc.api_version() && *k == doc.kind())
        .map(|(_, _, c)| *c)
}

fn unknown_fields(doc: &Document, unknown: Vec<String>) -> impl Iterator<Item = SchemaError> + '_ {
    unknown.into_iter().map(|path| SchemaError {
        pos: Some(doc.key_position(&path)),
        message: format!(
            "unknown field `{}`",
            path.rsplit(['.', '['])
                .next()
                .unwrap_or(&path)
                .trim_end_matches(']')
        ),
        path,
    })
}

/// Check the documents at `slots` of `docs` from the text.
fn check_again(text: &str, docs: &[Document], slots: &[usize], out: &mut [Vec<SchemaError>]) {
    // `docs` are in file order: look each index up by binary search, not a scan per
    // document (a scan made 100,000 documents take minutes).
    // After a syntax error serde_yaml's document iterator may never end: stop after the
    // last document the parser found (the fuzzer's `# \x01` hung here).
    let Some(last) = slots.last().map(|&s| docs[s].index) else {
        return;
    };
    for (i, de) in serde_yaml::Deserializer::from_str(text).enumerate() {
        if i > last {
            break;
        }
        let Ok(slot) = docs.binary_search_by_key(&i, |d| d.index) else {
            continue;
        };
        if slots.binary_search(&slot).is_err() {
            continue;
        }
        let doc = &docs[slot];
        let Some(check) = check_of(doc) else { continue };
        match (check.text)(de) {
            Ok(unknown) => out[slot].extend(unknown_fields(doc, unknown)),
            Err(e) => out[slot].push(type_error(text, &e)),
        }
        out[slot].extend(required(doc));
    }
}

fn type_error(text: &str, e: &serde_yaml::Error) -> SchemaError {
    let raw = e.to_string();
    let raw = raw
        .rfind(" at line ")
        .map_or(raw.as_str(), |i| &raw[..i])
        .to_string();
    let (path, message) = match raw.split_once(": ") {
        Some((p, m)) if !p.contains(' ') => (p.to_string(), m.to_string()),
        _ => (String::new(), raw),
    };
    SchemaError {
        path,
        pos: e.location().map(|l| pos_at(text, l.index())),
        message,
    }
}

/// Fields the API server requires but k8s-openapi defaults when missing.
fn required(doc: &Document) -> Vec<SchemaError> {
    // A configuration file (the audit policy) has no object name.
    let mut paths: Vec<&str> = if doc.api_version() == "audit.k8s.io/v1" {
        vec![]
    } else {
        vec!["metadata.name"]
    };
    let pod = |prefix: &'static str| -> [&'static str; 3] {
        match prefix {
            "" => [
                "spec.containers",
                "spec.containers[*].name",
                "spec.containers[*].image",
            ],
            "t" => [
                "spec.template.spec.containers",
                "spec.template.spec.containers[*].name",
                "spec.template.spec.containers[*].image",
            ],
            _ => [
                "spec.jobTemplate.spec.template.spec.containers",
                "spec.jobTemplate.spec.template.spec.containers[*].name",
                "spec.jobTemplate.spec.template.spec.containers[*].image",
            ],
        }
    };
    match doc.kind() {
        "Pod" => paths.extend(pod("")),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            paths.extend(["spec.selector", "spec.template"]);
            paths.extend(pod("t"));
        }
        "Job" => paths.extend(pod("t")),
        "CronJob" => {
            paths.extend(["spec.schedule"]);
            paths.extend(pod("j"));
        }
        "Service" => paths.extend(["spec.ports[*].port"]),
        "NetworkPolicy" => paths.push("spec.podSelector"),
        "RoleBinding" | "ClusterRoleBinding" => paths.extend([
            "roleRef",
            "roleRef.kind",
            "roleRef.name",
            "subjects[*].kind",
            "subjects[*].name",
        ]),
        "PodDisruptionBudget" => paths.push("spec.selector"),
        "LimitRange" => paths.push("spec.limits[*].type"),
        _ => {}
    }
    let mut out = Vec::new();
    for p in paths {
        for missing in missing_paths(&doc.value, p) {
            out.push(SchemaError {
                pos: Some(doc.position(&missing)),
                message: format!(
                    "required field `{}` is missing",
                    missing.rsplit('.').next().unwrap_or(&missing)
                ),
                path: missing,
            });
        }
    }
    out
}

/// Concrete paths matching `pattern` (with `[*]` wildcards) whose value is absent, null
/// or an empty list. Wildcards over a missing list match nothing.
fn missing_paths(root: &serde_yaml::Value, pattern: &str) -> Vec<String> {
    fn go(v: &serde_yaml::Value, parts: &[&str], at: String, out: &mut Vec<String>) {
        let Some((first, rest)) = parts.split_first() else {
            let empty = v.is_null() || v.as_sequence().is_some_and(|s| s.is_empty());
            if empty {
                out.push(at);
            }
            return;
        };
        let (key, each) = match first.strip_suffix("[*]") {
            Some(k) => (k, true),
            None => (*first, false),
        };
        let child = v.get(key).cloned().unwrap_or(serde_yaml::Value::Null);
        let here = if at.is_empty() {
            key.to_string()
        } else {
            format!("{at}.{key}")
        };
        if each {
            for (i, item) in child.as_sequence().into_iter().flatten().enumerate() {
                go(item, rest, format!("{here}[{i}]"), out);
            }
        } else if child.is_null() && !rest.is_empty() {
            out.push(here);
        } else {
            go(&child, rest, here, out);
        }
    }
    let parts: Vec<&str> = pattern.split('.').collect();
    let mut out = Vec::new();
    go(root, &parts, String::new(), &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::document::parse_documents;

    fn errors(text: &str) -> Vec<SchemaError> {
        let docs = parse_documents("f.yaml", text).unwrap();
        check_text(text, &docs).concat()
    }

    #[test]
    fn unknown_fields_have_paths_and_positions() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: {}\n  template:\n    spec:\n      hostNetwrok: true\n      containers:\n        - name: a\n          image: x\n          securityContext:\n            runAsNonroot: true\n";
        let e = errors(text);
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spec.template.spec.hostNetwrok",
                "spec.template.spec.containers[0].securityContext.runAsNonroot"
            ]
        );
        assert_eq!(e[0].pos, Some(Pos::new(9, 7)));
        assert_eq!(e[1].message, "unknown field `runAsNonroot`");
    }

    #[test]
    fn type_errors_have_paths() {
        let e = errors(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: \"2\"\n",
        );
        assert_eq!(e[0].path, "spec.replicas");
        assert_eq!(e[0].pos.map(|p| p.line), Some(6));
    }

    #[test]
    fn required_fields_are_checked() {
        let e = errors(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {}\nspec:\n  template:\n    spec:\n      containers:\n        - image: x\n",
        );
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "metadata.name",
                "spec.selector",
                "spec.template.spec.containers[0].name"
            ]
        );
    }

    #[test]
    fn what_the_parsed_value_refuses_is_read_again_from_the_text() {
        // A plain number as a quantity: the value reader refuses it, the text reader
        // (as before) accepts it; a type error in the second document keeps its position.
        let text = "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: a\nspec:\n  limits:\n    - type: Container\n      max: {cpu: 2}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  replicas: \"2\"\n";
        let docs = parse_documents("f.yaml", text).unwrap();
        let e = check_text(text, &docs);
        assert!(e[0].is_empty(), "{:?}", e[0]);
        assert_eq!(e[1][0].path, "spec.replicas");
        assert_eq!(e[1][0].pos, Some(Pos::new(15, 13)));
    }

    #[test]
    fn documents_in_one_file_are_matched_by_index() {
        let text =
            "---\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nbogus: 1\n";
        let e = errors(text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "bogus");
        assert_eq!(e[0].pos, Some(Pos::new(7, 1)));
    }
}
