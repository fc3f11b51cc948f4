//! RBAC rules, grouped: what roles grant (`roles`: wildcards, secrets, exec/attach/proxy,
//! creating workloads, volumes and tokens; `write`: write access that hands over more
//! than it says; `admin`: escalation, webhooks, certificates), and what bindings hand
//! over (`bindings`). Here: the grant matching they share. Every rule of a Role or
//! ClusterRole is checked, not only the first (checkov's CKV_K8S_49 looks at `rules[0]`
//! alone).

pub(super) mod admin;
pub(super) mod bindings;
pub(super) mod roles;
pub(super) mod write;

use serde_yaml::Value;

use super::Hit;
use super::select::{items, strings};
use crate::validate::Document;

pub const ROLES: &[&str] = &["Role", "ClusterRole"];

/// What a rule must not grant: API groups, resources (with subresources) and verbs.
/// An empty verb list means any verb.
pub struct Grant {
    pub groups: &'static [&'static str],
    pub resources: &'static [&'static str],
    pub verbs: &'static [&'static str],
    /// Whether a `resourceNames` restriction makes the grant acceptable.
    pub names_ok: bool,
}

fn resource_matches(granted: &str, wanted: &str) -> bool {
    let split = wanted.split_once('/');
    granted == "*"
        || granted == wanted
        || granted
            .strip_suffix("/*")
            .is_some_and(|base| split.is_some_and(|(b, _)| b == base))
        || granted
            .strip_prefix("*/")
            .is_some_and(|sub| split.is_some_and(|(_, s)| s == sub))
}

/// The (resource, verb) pairs of `g` that one policy rule grants.
pub fn granted(rule: &Value, g: &Grant) -> Vec<(&'static str, String)> {
    let groups = strings(rule, "apiGroups");
    let verbs = strings(rule, "verbs");
    let resources = strings(rule, "resources");
    if !groups.iter().any(|x| *x == "*" || g.groups.contains(x)) {
        return Vec::new();
    }
    if g.names_ok && !strings(rule, "resourceNames").is_empty() {
        return Vec::new();
    }
    let verbs: Vec<String> = if verbs.contains(&"*") {
        vec!["*".to_string()]
    } else {
        verbs
            .into_iter()
            .filter(|v| g.verbs.is_empty() || g.verbs.contains(v))
            .map(str::to_string)
            .collect()
    };
    if verbs.is_empty() {
        return Vec::new();
    }
    g.resources
        .iter()
        .filter(|w| resources.iter().any(|r| resource_matches(r, w)))
        .map(|w| (*w, verbs.join(", ")))
        .collect()
}

/// One hit per policy rule of the role that grants any of `grants`.
pub fn check_grants(doc: &Document, grants: &[Grant]) -> Vec<Hit> {
    items(&doc.value, "rules")
        .filter_map(|(i, rule)| {
            let found: Vec<String> = grants
                .iter()
                .flat_map(|g| granted(rule, g))
                .map(|(res, verbs)| format!("{verbs} on {res}"))
                .collect();
            (!found.is_empty()).then(|| {
                Hit::new(
                    format!("rules[{i}]"),
                    format!("rule {i} grants {}", found.join("; ")),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_match_with_wildcards_and_subresources() {
        assert!(resource_matches("*", "pods/exec"));
        assert!(resource_matches("pods/*", "pods/exec"));
        assert!(resource_matches("*/exec", "pods/exec"));
        assert!(!resource_matches("pods/*", "pods"));
        assert!(!resource_matches("pods", "pods/exec"));
    }
}
