//! Shared helpers of the cross-object rules: namespaces in the bundle, pod template
//! labels, label selectors and paths to label keys.

use serde_yaml::Value;

use super::get;
use crate::k8s::keys;
use crate::k8s::selector::{Labels, Selector};
use crate::validate::Document;
use crate::validate::kinds::CLUSTER_SCOPED;

pub use super::scope::Scope;
pub use super::walk::{pod_labels, string_map, template_meta_path};

/// The namespace of an object; unset means `default`, as `kubectl apply` would do.
pub fn ns(doc: &Document) -> &str {
    doc.namespace().unwrap_or("default")
}

/// Whether the bundle holds the Namespace object `name`: the scope of the rules that
/// need to see a whole namespace (a lone workload file does not have one).
pub fn has_namespace(all: &Scope, name: &str) -> bool {
    all.of_kind("Namespace").any(|d| d.name() == name)
}

/// Documents of `kind` in namespace `name`.
pub fn of_kind<'a>(
    all: &Scope<'a>,
    kind: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a Document> + 'a {
    all.of_kind(kind).filter(move |d| ns(d) == name)
}

/// The object of `kind` named `name` in namespace `namespace` (any namespace for
/// cluster-scoped kinds, which have none).
pub fn find<'a>(all: &Scope<'a>, kind: &str, namespace: &str, name: &str) -> Option<&'a Document> {
    let cluster = CLUSTER_SCOPED.contains(&kind);
    all.of_kind(kind)
        .find(|d| d.name() == name && ((d.namespace().is_none() && cluster) || ns(d) == namespace))
}

/// Whether the bundle holds any object of `kind` in namespace `namespace`: the scope of
/// the rules that judge references to that kind (a lone file cannot show them).
pub fn has_kind(all: &Scope, kind: &str, namespace: &str) -> bool {
    all.of_kind(kind).any(|d| ns(d) == namespace)
}

/// Whether the rule's scope holds any object of a cluster-scoped `kind` (one of
/// [`super::scope::REFERENCED_CLUSTER_KINDS`] for a namespaced object).
pub fn has_cluster_kind(all: &Scope, kind: &str) -> bool {
    all.of_kind(kind).next().is_some()
}

/// The HorizontalPodAutoscaler of the bundle that scales `doc`, if any.
pub fn autoscaler_of<'a>(doc: &Document, all: &Scope<'a>) -> Option<&'a Document> {
    all.of_kind("HorizontalPodAutoscaler").find(|h| {
        let target =
            |f: &str| get(&h.value, &format!("spec.scaleTargetRef.{f}")).and_then(Value::as_str);
        ns(h) == ns(doc) && target("kind") == Some(doc.kind()) && target("name") == Some(doc.name())
    })
}

/// Pod-carrying documents of namespace `name`.
pub fn workloads<'a>(all: &Scope<'a>, name: &'a str) -> impl Iterator<Item = &'a Document> + 'a {
    all.workloads().filter(move |d| ns(d) == name)
}

/// Workloads of namespace `name` whose pods the `LabelSelector` may select. Terms on
/// labels that the workload's controller adds to its pods hold with any value; a
/// selector on an operator's label ([`keys::operator_label`]) is taken to select the
/// pods of a custom resource, and so every workload (it is not judged).
pub fn selected<'a>(all: &Scope<'a>, name: &'a str, selector: &Value) -> Vec<&'a Document> {
    matching(all, name, &Selector::parse(selector))
}

/// Workloads of namespace `name` whose pods a Service's map selector selects (an
/// empty one selects nothing), with the controller and operator labels of [`selected`].
pub fn map_selected<'a>(all: &Scope<'a>, name: &'a str, selector: &Labels) -> Vec<&'a Document> {
    if selector.is_empty() {
        return Vec::new();
    }
    let pairs: Vec<(&str, &str)> = selector
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    matching(all, name, &Selector::of_labels(&pairs))
}

fn matching<'a>(all: &Scope<'a>, name: &'a str, sel: &Selector) -> Vec<&'a Document> {
    if sel.mentions(keys::operator_label) {
        return workloads(all, name).collect();
    }
    // One label pinned by the selector narrows the candidates through the index.
    let pair = sel
        .match_labels()
        .iter()
        .find(|(k, _)| !keys::controller_added(k))
        .map(|(k, v)| (k.as_str(), v.as_str()));
    all.labelled(pair)
        .filter(|(d, labels)| {
            ns(d) == name && sel.may_match(labels, |k| keys::added_by_controller(d.kind(), k))
        })
        .map(|(d, _)| d)
        .collect()
}

/// Whether a LabelSelector (`matchLabels` and `matchExpressions`) selects `labels`,
/// as [`Selector`] reads it: an empty selector selects everything, one the API server
/// would refuse selects nothing.
pub fn selects(selector: &Value, labels: &Labels) -> bool {
    Selector::parse(selector).matches(labels)
}

/// Whether a selector has no terms at all (`{}`), selecting every pod.
pub fn is_empty_selector(selector: &Value) -> bool {
    string_map(selector.get("matchLabels")).is_empty()
        && selector
            .get("matchExpressions")
            .and_then(Value::as_sequence)
            .is_none_or(|s| s.is_empty())
}

/// The path of `key` below `prefix`, quoting keys that are not plain identifiers.
pub fn key_path(prefix: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{prefix}.{key}")
    } else {
        format!("{prefix}[{}]", serde_json::Value::from(key))
    }
}

/// The strings of a sequence at `key`.
pub fn strings<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    v.get(key)
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The items of a sequence at `key`.
pub fn items<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    v.get(key)
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .enumerate()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_follow_the_api_semantics() {
        let sel: Value = serde_yaml::from_str(
            "matchLabels: {app: web}\nmatchExpressions:\n  - {key: tier, operator: NotIn, values: [db]}\n  - {key: track, operator: DoesNotExist}\n",
        )
        .unwrap();
        assert!(selects(&sel, &labels(&[("app", "web")])));
        assert!(!selects(&sel, &labels(&[("app", "web"), ("tier", "db")])));
        assert!(!selects(&sel, &labels(&[("app", "web"), ("track", "x")])));
        assert!(!selects(&sel, &labels(&[("app", "api")])));
        let empty: Value = serde_yaml::from_str("{}").unwrap();
        assert!(selects(&empty, &labels(&[])) && is_empty_selector(&empty));
    }

    #[test]
    fn label_keys_are_quoted_in_paths() {
        assert_eq!(key_path("metadata.labels", "team"), "metadata.labels.team");
        assert_eq!(
            key_path("metadata.labels", "app.kubernetes.io/name"),
            "metadata.labels[\"app.kubernetes.io/name\"]"
        );
    }
}
