//! Walking a manifest for the rules: the pod spec and pod labels of a workload, its
//! containers with their paths, and key look-ups.

use serde_yaml::Value;

use crate::k8s::kind::pod_template;
use crate::k8s::selector::Labels;
use crate::validate::Document;

/// The pod spec of a workload and the path to it.
pub fn pod_spec(doc: &Document) -> Option<(&'static str, &Value)> {
    let path = pod_template(doc.kind())?.spec;
    Some((path, get(&doc.value, path)?))
}

/// Where a container is: `{pod}.{list}[{index}]`, written out only when a finding
/// names it (the rules visit every container of every pod many times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerPath<'p> {
    pod: &'p str,
    list: &'static str,
    index: usize,
}

impl ContainerPath<'_> {
    /// Whether this is an init container.
    pub fn is_init(&self) -> bool {
        self.list == "initContainers"
    }
}

impl std::fmt::Display for ContainerPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}[{}]", self.pod, self.list, self.index)
    }
}

/// Every container (init containers first) of a pod spec with its path.
pub fn containers<'p, 'a>(prefix: &'p str, pod: &'a Value) -> Vec<(ContainerPath<'p>, &'a Value)> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        let items = key(pod, list)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten();
        for (index, c) in items.enumerate() {
            out.push((
                ContainerPath {
                    pod: prefix,
                    list,
                    index,
                },
                c,
            ));
        }
    }
    out
}

/// The regular (non-init) containers of a pod spec with their paths.
pub fn main_containers<'p, 'a>(
    prefix: &'p str,
    pod: &'a Value,
) -> Vec<(ContainerPath<'p>, &'a Value)> {
    let mut all = containers(prefix, pod);
    all.retain(|(p, _)| !p.is_init());
    all
}

/// Follow a dotted path of keys.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, key)
}

/// The value of `k` in mapping `v`, as `v.get(k)` finds it. Most mappings of a manifest
/// hold a few keys, which a scan finds sooner than hashing `k` would (the rules look up
/// millions of keys in a large input); larger mappings are looked up by hash.
pub fn key<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    let m = match v {
        Value::Mapping(m) => m,
        Value::Tagged(t) => return key(&t.value, k),
        _ => return None,
    };
    if m.len() > 8 {
        return m.get(k);
    }
    m.iter()
        .find_map(|(mk, mv)| matches!(mk, Value::String(s) if s == k).then_some(mv))
}

/// A container's display name for messages.
pub fn cname(c: &Value) -> &str {
    c.get("name").and_then(Value::as_str).unwrap_or("?")
}

/// The string entries of a mapping.
pub fn string_map(v: Option<&Value>) -> Labels {
    v.and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
        .collect()
}

/// Path of the pod template's metadata (`metadata` for a Pod).
pub fn template_meta_path(doc: &Document) -> Option<String> {
    Some(pod_template(doc.kind())?.metadata.to_string())
}

/// The labels of a workload's pods.
pub fn pod_labels(doc: &Document) -> Labels {
    let path = template_meta_path(doc).unwrap_or_default();
    string_map(get(&doc.value, &format!("{path}.labels")))
}
