//! Strict schema: each document's value (as Kubernetes reads it: YAML 1.1 scalars and
//! merge keys resolved, see [`super::document`]) is deserialized into the k8s-openapi
//! type of its apiVersion/kind through serde_ignored, so that every key the type does
//! not know is reported at its path, and serde_path_to_error, so that a value of the
//! wrong type is too. Required fields are checked here as well, because k8s-openapi
//! silently defaults them.

use std::sync::LazyLock;

use serde::de::DeserializeOwned;

use crate::diag::Pos;
use crate::yaml::{Seg, format_path};

use super::document::Document;
use super::kinds::BUILT_IN;

/// A schema problem of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub pos: Option<Pos>,
    pub message: String,
}

/// Whether objects of a kind live in a namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Namespace,
    Cluster,
}

/// A strict check of a value: the paths of unknown fields, or the first type error
/// (path and message).
pub(super) type Check = fn(&serde_yaml::Value) -> Result<Vec<String>, (String, String)>;

/// The audit `Policy` is a configuration file, not an API object, but has a schema.
const AUDIT: (&str, &str, Scope, Check) = (
    "audit.k8s.io/v1",
    "Policy",
    Scope::Cluster,
    typed::<super::audit::Policy>,
);

/// The kind's row: the built-in table (sorted) or the audit policy.
fn row(api: &str, kind: &str) -> Option<&'static (&'static str, &'static str, Scope, Check)> {
    if (api, kind) == (AUDIT.0, AUDIT.1) {
        return Some(&AUDIT);
    }
    BUILT_IN
        .binary_search_by(|(a, k, _, _)| (*a, *k).cmp(&(api, kind)))
        .ok()
        .map(|i| &BUILT_IN[i])
}

/// The kind names of the rows that pass `keep`, sorted, each once.
fn kinds_where(keep: impl Fn(&(&str, &str, Scope, Check)) -> bool) -> Vec<&'static str> {
    let mut kinds: Vec<&str> = BUILT_IN
        .iter()
        .chain([&AUDIT])
        .filter(|row| keep(row))
        .map(|(_, k, _, _)| *k)
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    kinds
}

/// Known kinds that live outside namespaces (the audit `Policy` is a file, not an object).
pub static CLUSTER_SCOPED: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(_, _, scope, _)| *scope == Scope::Cluster));

/// Every Kubernetes API kind with a strict schema (configuration files excluded).
pub static API_KINDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(api, _, _, _)| *api != AUDIT.0));

/// The namespaced ones among [`API_KINDS`].
pub static NAMESPACED_KINDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| kinds_where(|(_, _, scope, _)| *scope == Scope::Namespace));

/// Whether the (apiVersion, kind) is one kubeward knows the schema of.
pub fn is_known(api: &str, kind: &str) -> bool {
    row(api, kind).is_some()
}

pub(super) fn typed<T: DeserializeOwned>(
    value: &serde_yaml::Value,
) -> Result<Vec<String>, (String, String)> {
    let mut unknown = Vec::new();
    let mut note = |p: serde_ignored::Path<'_>| unknown.push(ignored_path(&p));
    // Most documents are well typed: read them without tracking the path (which copies
    // every key), and only a document that fails again with the path of its error.
    match serde_ignored::deserialize::<_, _, T>(value, &mut note) {
        Ok(_) => Ok(unknown),
        Err(first) => Err(type_error::<T>(value).unwrap_or((String::new(), first.to_string()))),
    }
}

/// The path and message of the type error of a value that does not deserialize into `T`.
fn type_error<T: DeserializeOwned>(value: &serde_yaml::Value) -> Option<(String, String)> {
    let mut ignore = |_: serde_ignored::Path<'_>| {};
    let de = serde_ignored::Deserializer::new(value, &mut ignore);
    let e = serde_path_to_error::deserialize::<_, T>(de).err()?;
    Some((error_path(e.path()), e.into_inner().to_string()))
}

/// `serde_path_to_error`'s path in our path format.
fn error_path(p: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segs: Vec<Seg> = p
        .iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect();
    format_path(&segs)
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

/// Check one document against the schema of its kind (nothing for an unknown kind).
pub fn check(doc: &Document) -> Vec<SchemaError> {
    let Some((_, _, _, check)) = row(doc.api_version(), doc.kind()) else {
        return Vec::new();
    };
    let mut out = match check(&doc.value) {
        Ok(unknown) => unknown
            .into_iter()
            .map(|path| SchemaError {
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
            .collect(),
        Err((path, message)) => vec![SchemaError {
            pos: Some(doc.position(&path)),
            message,
            path,
        }],
    };
    out.extend(required(doc));
    out
}

/// Fields the API server requires but k8s-openapi defaults when missing.
fn required(doc: &Document) -> Vec<SchemaError> {
    // A configuration file (the audit policy) has no object name.
    // `metadata.generateName` stands for the name: the API server completes it.
    let generated = doc
        .value
        .get("metadata")
        .and_then(|m| m.get("generateName"))
        .and_then(serde_yaml::Value::as_str)
        .is_some_and(|g| !g.is_empty());
    let mut paths: Vec<&str> = if doc.api_version() == "audit.k8s.io/v1" || generated {
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
        static NULL: serde_yaml::Value = serde_yaml::Value::Null;
        let child = v.get(key).unwrap_or(&NULL);
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
            go(child, rest, here, out);
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
        docs.iter().flat_map(check).collect()
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
    fn documents_in_one_file_are_matched_by_index() {
        let text =
            "---\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\nbogus: 1\n";
        let e = errors(text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].path, "bogus");
        assert_eq!(e[0].pos, Some(Pos::new(7, 1)));
    }

    #[test]
    fn generate_name_stands_for_the_name() {
        let e = errors(
            "apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: x}]\n",
        );
        assert!(e.is_empty(), "{e:?}");
        let e = errors("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: \"\"\n");
        assert_eq!(e[0].path, "metadata.name");
    }

    #[test]
    fn yaml_1_1_values_are_checked_as_the_api_reads_them() {
        // An octal mode and a boolean word are what the fields want.
        let ok = errors(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  automountServiceAccountToken: off\n  containers: [{name: a, image: x}]\n  volumes:\n  - name: s\n    secret: {secretName: s, defaultMode: 0400}\n",
        );
        assert!(ok.is_empty(), "{ok:?}");
        // Where the API wants a string, YAML 1.1 `yes` and a plain number are rejected.
        let e = errors(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels: {enabled: yes}\n",
        );
        assert_eq!(e[0].path, "metadata.labels.enabled");
        assert_eq!(e[0].pos, Some(Pos::new(5, 21)));
        assert!(
            e[0].message.contains("invalid type: boolean `true`"),
            "{}",
            e[0].message
        );
        let e =
            errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  port: 8080\n");
        assert_eq!(e[0].path, "data.port");
        // A quoted one is a string.
        assert!(
            errors("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: \"yes\"}\n")
                .is_empty()
        );
    }

    #[test]
    fn every_built_in_kind_is_known_with_its_scope() {
        for (api, kind) in [
            ("v1", "PersistentVolume"),
            ("v1", "Endpoints"),
            ("storage.k8s.io/v1", "StorageClass"),
            ("discovery.k8s.io/v1", "EndpointSlice"),
            ("networking.k8s.io/v1", "IngressClass"),
            ("autoscaling/v1", "HorizontalPodAutoscaler"),
            (
                "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration",
            ),
            ("apiregistration.k8s.io/v1", "APIService"),
            ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
        ] {
            assert!(is_known(api, kind), "{api} {kind}");
        }
        assert!(!is_known("example.com/v1", "Widget"));
        for kind in ["PersistentVolume", "StorageClass", "Namespace", "Policy"] {
            assert!(CLUSTER_SCOPED.contains(&kind), "{kind}");
        }
        assert!(NAMESPACED_KINDS.contains(&"PersistentVolumeClaim"));
        assert!(!API_KINDS.contains(&"Policy"), "the audit policy is a file");
        let sorted = BUILT_IN
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1));
        assert!(sorted, "the table is looked up by binary search");
    }
}
