//! RBAC role rules: wildcards, reading secrets, exec/attach/proxy, creating workloads,
//! persistent volumes and tokens. Every rule of a Role or ClusterRole is checked, not
//! only the first (checkov's CKV_K8S_49 looks at `rules[0]` alone).

use serde_yaml::Value;

use super::select::{items, strings};
use super::{Hit, rule};
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

rule!(RbacNoWildcards {
    id: "rbac-no-wildcards",
    title: "Roles list their API groups, resources and verbs",
    severity: Error,
    kinds: ROLES,
    rationale: "A `*` grants everything that exists now and everything added later (new resources, CRDs, subresources such as pods/exec). Every rule is checked, and a `*` anywhere in an entry (`pods/*`, `*/scale`) counts.",
    fix: "replace each `*` with the explicit API groups, resources and verbs the workload needs",
    refs: ["CKV_K8S_49", "kube-linter wildcard-in-rules", "CIS 5.1.3"],
    check: |doc, _| {
        let mut out = Vec::new();
        for (i, rule) in items(&doc.value, "rules") {
            for field in ["apiGroups", "resources", "verbs", "nonResourceURLs"] {
                let wild: Vec<&str> = strings(rule, field)
                    .into_iter()
                    .filter(|s| {
                        if field == "nonResourceURLs" {
                            *s == "*" || *s == "/*"
                        } else {
                            s.contains('*')
                        }
                    })
                    .collect();
                if !wild.is_empty() {
                    out.push(Hit::new(
                        format!("rules[{i}].{field}"),
                        format!("rule {i} has wildcard {field} {}", wild.join(", ")),
                    ));
                }
            }
        }
        out
    },
});

rule!(RbacNoSecretRead {
    id: "rbac-no-secret-read",
    title: "Roles do not read Secrets wholesale",
    severity: Error,
    kinds: ROLES,
    rationale: "get, list or watch on every Secret of a namespace (or the cluster) hands over every token and password in it; `list` returns the values too. A rule limited by `resourceNames` is accepted.",
    fix: "remove secret access, or restrict it with `resourceNames` to the Secrets the workload needs",
    refs: [
        "CKV2_K8S_5",
        "kube-linter access-to-secrets",
        "CIS 5.1.2",
        "Trivy KSV041",
        "Trivy KSV113"
    ],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["secrets"],
            verbs: &["get", "list", "watch"],
            names_ok: true,
        }]
    ),
});

rule!(RbacNoExecAttachProxy {
    id: "rbac-no-exec-attach-proxy",
    title: "Roles do not grant exec, attach, port-forward or node proxy",
    severity: Error,
    kinds: ROLES,
    rationale: "pods/exec, pods/attach and pods/portforward (get opens a websocket as well as create) run commands or open connections inside any pod; nodes/proxy reaches the kubelet API, which can do all of that on every pod of the node.",
    fix: "remove these subresources; debug through a break-glass role bound only when needed",
    refs: [
        "CKV2_K8S_2",
        "Polaris rolePodExecAttach",
        "Polaris clusterrolePodExecAttach",
        "CIS 5.1.10"
    ],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: &[""],
                resources: &["pods/exec", "pods/attach", "pods/portforward"],
                verbs: &["get", "create"],
                names_ok: false,
            },
            Grant {
                groups: &[""],
                resources: &["nodes/proxy"],
                verbs: &[],
                names_ok: false
            },
        ]
    ),
});

rule!(RbacNoCreateWorkloads {
    id: "rbac-no-create-workloads",
    title: "Roles do not create pods or workloads",
    severity: Warning,
    kinds: ROLES,
    rationale: "Whoever can create a pod can run it as any service account of the namespace and mount any of its Secrets. Deployment tooling needs this; application service accounts do not.",
    fix: "bind workload creation only to the deployment pipeline's identity, never to an app's service account",
    refs: [
        "kube-linter access-to-create-pods",
        "CIS 5.1.4",
        "Trivy KSV048"
    ],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: &[""],
                resources: &["pods", "replicationcontrollers"],
                verbs: &["create"],
                names_ok: false
            },
            Grant {
                groups: &["apps"],
                resources: &["deployments", "statefulsets", "daemonsets", "replicasets"],
                verbs: &["create"],
                names_ok: false,
            },
            Grant {
                groups: &["batch"],
                resources: &["jobs", "cronjobs"],
                verbs: &["create"],
                names_ok: false
            },
        ]
    ),
});

rule!(RbacNoPvOrTokenCreate {
    id: "rbac-no-pv-or-token-create",
    title: "Roles do not create PersistentVolumes or service-account tokens",
    severity: Warning,
    kinds: ROLES,
    rationale: "A PersistentVolume can point at a host path and escape to the node; `serviceaccounts/token` mints credentials for any account of the namespace.",
    fix: "leave PersistentVolume creation to provisioners and admins, and token requests to the kubelet",
    refs: ["CIS 5.1.9", "CIS 5.1.13"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["persistentvolumes", "serviceaccounts/token"],
            verbs: &["create"],
            names_ok: false,
        }]
    ),
});

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
