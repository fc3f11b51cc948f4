//! Strict schema: each document's value (as Kubernetes reads it: YAML 1.1 scalars and
//! merge keys resolved, see [`super::document`]) is deserialized into the k8s-openapi
//! type of its apiVersion/kind through serde_ignored, so that every key the type does
//! not know is reported at its path, and serde_path_to_error, so that a value of the
//! wrong type is too. Required fields are checked here as well, because k8s-openapi
//! silently defaults them.

use std::borrow::Cow;

use crate::diag::Pos;
use crate::k8s::kind::pod_template;

use super::document::Document;
use super::kinds::row;

/// A schema problem of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    pub path: String,
    pub pos: Option<Pos>,
    pub message: String,
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
    let mut paths: Vec<Cow<'static, str>> = if doc.api_version() == "audit.k8s.io/v1" || generated {
        vec![]
    } else {
        vec!["metadata.name".into()]
    };
    // Every container needs a name and an image, in the pod spec of the kind.
    let pod = || {
        let spec = pod_template(doc.kind()).map_or("spec", |t| t.spec);
        ["containers", "containers[*].name", "containers[*].image"]
            .map(|leaf| Cow::Owned(format!("{spec}.{leaf}")))
    };
    let fixed = |list: &[&'static str]| list.iter().map(|p| Cow::Borrowed(*p)).collect::<Vec<_>>();
    match doc.kind() {
        "Pod" | "Job" => paths.extend(pod()),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            paths.extend(fixed(&["spec.selector", "spec.template"]));
            paths.extend(pod());
        }
        "CronJob" => {
            paths.extend(fixed(&["spec.schedule"]));
            paths.extend(pod());
        }
        "Service" => paths.extend(fixed(&["spec.ports[*].port"])),
        "NetworkPolicy" => paths.extend(fixed(&["spec.podSelector"])),
        "RoleBinding" | "ClusterRoleBinding" => paths.extend(fixed(&[
            "roleRef",
            "roleRef.kind",
            "roleRef.name",
            "subjects[*].kind",
            "subjects[*].name",
        ])),
        "PodDisruptionBudget" => paths.extend(fixed(&["spec.selector"])),
        "LimitRange" => paths.extend(fixed(&["spec.limits[*].type"])),
        _ => {}
    }
    let mut out = Vec::new();
    for p in &paths {
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
}
