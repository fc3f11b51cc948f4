//! What the access roles of a spec mean: the documented resource sets of `read`, `write`
//! and `admin`, narrowing, `exec`, and the read-only grants of apps' API access.

use std::collections::BTreeMap;

use crate::spec::{AccessRole, ApiAccess};

use crate::k8s::rbac::RbacRule;

use super::defaults::NEWEST_MINOR;

/// Namespaced resources `read` may get, list and watch, by API group. Never Secrets.
pub const READ: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "configmaps",
            "endpoints",
            "events",
            "limitranges",
            "persistentvolumeclaims",
            "pods",
            "pods/log",
            "resourcequotas",
            "serviceaccounts",
            "services",
        ],
    ),
    (
        "apps",
        &["daemonsets", "deployments", "replicasets", "statefulsets"],
    ),
    ("autoscaling", &["horizontalpodautoscalers"]),
    ("batch", &["cronjobs", "jobs"]),
    ("discovery.k8s.io", &["endpointslices"]),
    ("networking.k8s.io", &["ingresses", "networkpolicies"]),
    ("policy", &["poddisruptionbudgets"]),
];
/// Resources `write` may also create, update, patch and delete: workloads, services, configmaps.
pub const WRITE: &[(&str, &[&str])] = &[
    ("", &["configmaps", "services"]),
    (
        "apps",
        &[
            "daemonsets",
            "deployments",
            "deployments/scale",
            "statefulsets",
            "statefulsets/scale",
        ],
    ),
    ("batch", &["cronjobs", "jobs"]),
];
/// Resources `admin` may also manage: Roles and RoleBindings of the namespace (never
/// escalate, bind or impersonate).
pub const ADMIN: &[(&str, &[&str])] = &[("rbac.authorization.k8s.io", &["rolebindings", "roles"])];
/// Subresources `exec: true` opens.
pub const EXEC: &[&str] = &["pods/attach", "pods/exec", "pods/portforward"];

pub const READ_VERBS: &[&str] = &["get", "list", "watch"];
pub const WRITE_VERBS: &[&str] = &["create", "update", "patch", "delete"];

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Every resource a role level covers (read set, plus write and admin sets), by group.
fn covered(role: AccessRole) -> BTreeMap<&'static str, Vec<&'static str>> {
    let mut sets = vec![READ];
    if role != AccessRole::Read {
        sets.push(WRITE);
    }
    if role == AccessRole::Admin {
        sets.push(ADMIN);
    }
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for set in sets {
        for (g, rs) in set {
            let e = out.entry(*g).or_default();
            for r in *rs {
                if !e.contains(r) {
                    e.push(r);
                }
            }
        }
    }
    out
}

/// The rules of a Role for `role`, narrowed to `only` (if given), with `exec`.
/// `minor` is the target Kubernetes minor: before 1.31, exec over WebSockets needs `get`.
pub fn role_rules(
    role: AccessRole,
    only: Option<&[String]>,
    exec: bool,
    minor: u32,
) -> Result<Vec<RbacRule>, String> {
    let all = covered(role);
    if let Some(only) = only {
        for r in only {
            if !all.values().any(|rs| rs.contains(&r.as_str())) {
                return Err(unknown_resource(role, r));
            }
        }
    }
    let keep = |r: &str| only.is_none_or(|o| o.iter().any(|x| x == r));
    let mut rules = Vec::new();
    let mut add = |set: &[(&str, &[&str])], verbs: &[&str]| {
        for (g, rs) in set {
            let mut resources: Vec<String> = rs
                .iter()
                .filter(|r| keep(r))
                .map(|r| r.to_string())
                .collect();
            resources.sort();
            if !resources.is_empty() {
                rules.push(RbacRule {
                    api_groups: vec![g.to_string()],
                    resources,
                    resource_names: vec![],
                    verbs: strings(verbs),
                });
            }
        }
    };
    add(READ, READ_VERBS);
    if role != AccessRole::Read {
        add(WRITE, WRITE_VERBS);
    }
    if role == AccessRole::Admin {
        let verbs: Vec<&str> = READ_VERBS.iter().chain(WRITE_VERBS).copied().collect();
        add(ADMIN, &verbs);
    }
    if exec {
        let verbs: &[&str] = if minor < 31 {
            &["create", "get"]
        } else {
            &["create"]
        };
        rules.push(RbacRule {
            api_groups: vec![String::new()],
            resources: strings(EXEC),
            resource_names: vec![],
            verbs: strings(verbs),
        });
    }
    Ok(rules)
}

fn unknown_resource(role: AccessRole, r: &str) -> String {
    if r == "secrets" || r == "*" {
        return format!("`{r}` is never granted by an access role");
    }
    let all = covered(role);
    let list: Vec<&str> = all.values().flatten().copied().collect();
    format!(
        "`{r}` is not in the {} set ({})",
        role.name(),
        list.join(", ")
    )
}

/// Resources an app's API access may read (the `read` set).
pub fn api_rules(access: &ApiAccess) -> Result<Vec<RbacRule>, String> {
    let (resources, names) = match access {
        ApiAccess::Enabled(false) => return Ok(Vec::new()),
        ApiAccess::Enabled(true) => (vec!["configmaps".to_string()], Vec::new()),
        ApiAccess::Narrow(g) => (g.resources.clone(), g.names.clone()),
    };
    let mut rules = role_rules(AccessRole::Read, Some(&resources), false, NEWEST_MINOR)?;
    for r in &mut rules {
        r.resource_names = names.clone();
        if !names.is_empty() {
            // list and watch cannot be limited by name
            r.verbs = vec!["get".into()];
        }
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_narrowed_to_pods_is_exactly_get_list_watch_on_pods() {
        let rules = role_rules(AccessRole::Read, Some(&["pods".to_string()]), false, 37).unwrap();
        assert_eq!(
            rules,
            vec![RbacRule {
                api_groups: vec!["".into()],
                resources: vec!["pods".into()],
                resource_names: vec![],
                verbs: vec!["get".into(), "list".into(), "watch".into()],
            }]
        );
    }

    #[test]
    fn no_role_grants_secrets_wildcards_or_escalation() {
        for role in [AccessRole::Read, AccessRole::Write, AccessRole::Admin] {
            for rule in role_rules(role, None, true, 37).unwrap() {
                for r in &rule.resources {
                    assert!(r != "secrets" && !r.contains('*'), "{r}");
                }
                for v in &rule.verbs {
                    assert!(
                        !["*", "escalate", "bind", "impersonate"].contains(&v.as_str()),
                        "{v}"
                    );
                }
            }
            assert!(
                role_rules(role, Some(&["secrets".into()]), false, 37)
                    .unwrap_err()
                    .contains("never")
            );
        }
    }

    #[test]
    fn write_adds_workload_verbs_and_admin_adds_rbac() {
        let write = role_rules(AccessRole::Write, None, false, 37).unwrap();
        assert!(
            write
                .iter()
                .any(|r| r.resources.contains(&"deployments".into())
                    && r.verbs.contains(&"create".into()))
        );
        assert!(
            !write
                .iter()
                .any(|r| r.api_groups[0] == "rbac.authorization.k8s.io")
        );
        let admin = role_rules(AccessRole::Admin, None, false, 37).unwrap();
        assert!(
            admin
                .iter()
                .any(|r| r.api_groups[0] == "rbac.authorization.k8s.io"
                    && r.resources == ["rolebindings", "roles"])
        );
        assert!(role_rules(AccessRole::Read, Some(&["roles".into()]), false, 37).is_err());
    }

    #[test]
    fn exec_needs_get_before_1_31() {
        let old = role_rules(AccessRole::Read, Some(&["pods".into()]), true, 30).unwrap();
        assert_eq!(old.last().unwrap().verbs, ["create", "get"]);
        let new = role_rules(AccessRole::Read, Some(&["pods".into()]), true, 31).unwrap();
        assert_eq!(new.last().unwrap().verbs, ["create"]);
    }
}
