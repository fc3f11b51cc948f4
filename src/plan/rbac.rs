//! Access → RBAC: one namespaced Role per distinct grant, one RoleBinding per subject and
//! Role, and a minimal Role for each app with API access. No ClusterRoles, no wildcards.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::spec::access::{api_rules, role_name, role_rules};
use crate::spec::{Access, LoadedSpec, SubjectKind};

use super::PlannedObject;

/// Role and RoleBinding objects of namespace `ni`, for Kubernetes minor `minor`.
pub fn objects(spec: &LoadedSpec, ni: usize, minor: u32) -> Vec<PlannedObject> {
    let ns = &spec.spec.namespaces[ni];
    let mut roles: BTreeMap<String, Value> = BTreeMap::new();
    let mut bindings: BTreeMap<String, Value> = BTreeMap::new();
    for a in &ns.access {
        let role = access_role_name(a);
        let Ok(rules) = role_rules(a.role, a.resources.as_deref(), a.exec, minor) else {
            continue;
        };
        roles.entry(role.clone()).or_insert_with(|| {
            let annotations = exemptions(a, &rules);
            json!({ "name": role, "namespace": ns.name, "labels": labels(), "annotations": annotations, "rules": rules })
        });
        let binding = format!("{role}-{}", subject_slug(a.subject.kind, &a.subject.name));
        bindings.entry(binding.clone()).or_insert_with(|| {
            json!({
                "name": binding, "namespace": ns.name, "labels": labels(), "role": role,
                "subjects": [subject(a.subject.kind, &a.subject.name)],
            })
        });
    }
    let mut out: Vec<PlannedObject> = roles
        .into_iter()
        .map(|(name, view)| {
            PlannedObject::new(
                "rbac/role",
                &format!("{}/rbac/role-{name}.yaml", ns.name),
                view,
            )
        })
        .collect();
    out.extend(bindings.into_iter().map(|(name, view)| {
        PlannedObject::new(
            "rbac/rolebinding",
            &format!("{}/rbac/rolebinding-{name}.yaml", ns.name),
            view,
        )
    }));
    out
}

/// The Role and RoleBinding that let app `ai`'s service account read what it needs.
pub fn app_objects(spec: &LoadedSpec, ai: usize) -> Vec<PlannedObject> {
    let app = &spec.spec.apps[ai];
    let Ok(rules) = api_rules(&app.api_access) else {
        return Vec::new();
    };
    if rules.is_empty() {
        return Vec::new();
    }
    let name = format!("app-{}", app.name);
    let dir = format!("{}/{}", app.namespace, app.name);
    let mut l = labels();
    l.insert("app.kubernetes.io/name".into(), app.name.as_str().into());
    vec![
        PlannedObject::new(
            "rbac/role",
            &format!("{dir}/role.yaml"),
            json!({
                "name": name, "namespace": app.namespace, "labels": l, "annotations": {}, "rules": rules,
            }),
        ),
        PlannedObject::new(
            "rbac/rolebinding",
            &format!("{dir}/rolebinding.yaml"),
            json!({
                "name": name, "namespace": app.namespace, "labels": l, "role": name,
                "subjects": [{ "kind": "ServiceAccount", "name": app.name, "namespace": app.namespace }],
            }),
        ),
    ]
}

/// The exemptions a generated Role carries, each with the spec decision behind it.
fn exemptions(
    a: &Access,
    rules: &[crate::spec::access::RbacRule],
) -> serde_json::Map<String, Value> {
    let mut entries = Vec::new();
    if a.exec {
        // The spec grants exec per subject on purpose; the audit policy records it.
        entries.push("rbac-no-exec-attach-proxy: exec granted per person by `access[].exec` in the spec, and audited");
    }
    let creates = rules.iter().any(|r| {
        r.verbs.iter().any(|v| v == "create") && !r.resources.iter().all(|x| x.starts_with("pods/"))
    });
    if creates {
        entries.push("rbac-no-create-workloads: the `write` and `admin` access roles exist to deploy workloads, and are bound to people and CI, never to app service accounts");
    }
    let mut m = serde_json::Map::new();
    if !entries.is_empty() {
        m.insert("kubeward.dev/exempt".into(), entries.join("; ").into());
    }
    m
}

fn labels() -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("app.kubernetes.io/managed-by".into(), "kubeward".into());
    m
}

/// `access-read`, `access-write-exec`, `access-read-pods-services`…: the same grant gives
/// the same Role, whatever the order of its resources.
pub fn access_role_name(a: &Access) -> String {
    let mut name = format!("access-{}", role_name(a.role));
    if a.exec {
        name.push_str("-exec");
    }
    if let Some(only) = &a.resources {
        let mut rs: Vec<String> = only.iter().map(|r| r.replace('/', "-")).collect();
        rs.sort();
        rs.dedup();
        name.push('-');
        name.push_str(&rs.join("-"));
    }
    if name.len() > 200 {
        name = format!("{}-{:08x}", &name[..190], fnv(&name) as u32);
    }
    name
}

/// `user-alice`, `group-payments-leads`, `sa-ci.deployer`; names that had to be changed to
/// fit get a short hash of the original so that two subjects never share a binding.
fn subject_slug(kind: SubjectKind, name: &str) -> String {
    if kind == SubjectKind::ServiceAccount {
        // `namespace/name`: the namespace has no dot, so `namespace.name` is unambiguous
        return format!("sa-{}", name.replacen('/', ".", 1));
    }
    let prefix = if kind == SubjectKind::User {
        "user"
    } else {
        "group"
    };
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let mut slug: String = slug
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    slug.truncate(40);
    let slug = slug.trim_end_matches('-').to_string();
    if slug == name {
        format!("{prefix}-{slug}")
    } else {
        format!("{prefix}-{slug}-{:06x}", fnv(name) & 0xff_ffff)
    }
}

fn subject(kind: SubjectKind, name: &str) -> Value {
    match kind {
        SubjectKind::User => {
            json!({ "kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": name })
        }
        SubjectKind::Group => {
            json!({ "kind": "Group", "apiGroup": "rbac.authorization.k8s.io", "name": name })
        }
        SubjectKind::ServiceAccount => {
            let (ns, sa) = name.split_once('/').unwrap_or(("", name));
            json!({ "kind": "ServiceAccount", "name": sa, "namespace": ns })
        }
    }
}

/// FNV-1a: a stable, dependency-free hash for name suffixes.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_slugs_are_readable_and_distinct() {
        assert_eq!(subject_slug(SubjectKind::User, "alice"), "user-alice");
        assert_eq!(
            subject_slug(SubjectKind::ServiceAccount, "ci/deployer"),
            "sa-ci.deployer"
        );
        assert_ne!(
            subject_slug(SubjectKind::ServiceAccount, "ci-x/y"),
            subject_slug(SubjectKind::ServiceAccount, "ci/x-y")
        );
        let a = subject_slug(SubjectKind::User, "alice@example.com");
        let b = subject_slug(SubjectKind::User, "alice-example.com");
        assert!(
            a.starts_with("user-alice-example-com-") && a != b,
            "{a} {b}"
        );
    }
}
