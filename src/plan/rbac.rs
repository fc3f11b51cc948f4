//! Access → RBAC: one namespaced Role per distinct grant, one RoleBinding per subject and
//! Role, and a minimal Role for each app with API access. No ClusterRoles, no wildcards.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::k8s::keys;
use crate::k8s::kind::{self, Kind};
use crate::k8s::rbac::RbacRule;
use crate::k8s::rbac::{TRAFFIC_RESOURCES, WORKLOAD_RESOURCES};
use crate::resolve::model::{App, Grant, Namespace, SubjectKind};

use super::{Labels, PlannedObject, View, managed_labels};

#[derive(Serialize, Clone)]
pub struct RoleView {
    name: String,
    namespace: String,
    labels: Labels,
    annotations: BTreeMap<String, String>,
    rules: Vec<RbacRule>,
}

view!(RoleView, "rbac/role", kind::ROLE);

#[derive(Serialize, Clone)]
pub struct RoleBindingView {
    name: String,
    namespace: String,
    labels: Labels,
    role: String,
    subjects: Vec<SubjectView>,
}

view!(RoleBindingView, "rbac/rolebinding", kind::ROLE_BINDING);

pub const TEMPLATES: [(&str, Kind); 2] = [
    (RoleView::TEMPLATE, RoleView::KIND),
    (RoleBindingView::TEMPLATE, RoleBindingView::KIND),
];

/// A subject of a RoleBinding.
#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct SubjectView {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_group: Option<&'static str>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
}

/// Role and RoleBinding objects of namespace `ns`.
pub fn objects(ns: &Namespace) -> Vec<PlannedObject> {
    let mut roles: BTreeMap<String, RoleView> = BTreeMap::new();
    let mut bindings: BTreeMap<String, RoleBindingView> = BTreeMap::new();
    for g in &ns.access {
        let role = access_role_name(g);
        roles.entry(role.clone()).or_insert_with(|| RoleView {
            name: role.clone(),
            namespace: ns.name.clone(),
            labels: managed_labels(),
            annotations: exemptions(g),
            rules: g.rules.clone(),
        });
        let binding = format!("{role}-{}", subject_slug(g.subject_kind, &g.subject_name));
        bindings
            .entry(binding.clone())
            .or_insert_with(|| RoleBindingView {
                name: binding,
                namespace: ns.name.clone(),
                labels: managed_labels(),
                role,
                subjects: vec![subject(g.subject_kind, &g.subject_name)],
            });
    }
    let mut out: Vec<PlannedObject> = roles
        .into_iter()
        .map(|(name, view)| PlannedObject::new(format!("{}/rbac/role-{name}.yaml", ns.name), &view))
        .collect();
    out.extend(bindings.into_iter().map(|(name, view)| {
        PlannedObject::new(format!("{}/rbac/rolebinding-{name}.yaml", ns.name), &view)
    }));
    out
}

/// The Role and RoleBinding that let an app's service account read what it needs.
pub fn app_objects(app: &App) -> Vec<PlannedObject> {
    if app.api_rules.is_empty() {
        return Vec::new();
    }
    let name = format!("app-{}", app.name);
    let dir = format!("{}/{}", app.namespace, app.name);
    let mut labels = managed_labels();
    labels.insert(keys::APP_NAME.into(), app.name.clone());
    let role = RoleView {
        name: name.clone(),
        namespace: app.namespace.clone(),
        labels: labels.clone(),
        annotations: BTreeMap::new(),
        rules: app.api_rules.clone(),
    };
    let binding = RoleBindingView {
        name: name.clone(),
        namespace: app.namespace.clone(),
        labels,
        role: name,
        subjects: vec![SubjectView {
            kind: "ServiceAccount",
            api_group: None,
            name: app.name.clone(),
            namespace: Some(app.namespace.clone()),
        }],
    };
    vec![
        PlannedObject::new(format!("{dir}/role.yaml"), &role),
        PlannedObject::new(format!("{dir}/rolebinding.yaml"), &binding),
    ]
}

/// The exemptions a generated Role carries, each with the spec decision behind it.
fn exemptions(g: &Grant) -> BTreeMap<String, String> {
    let mut entries = Vec::new();
    if g.exec {
        // The spec grants exec per subject on purpose; the audit policy records it.
        entries.push("rbac-no-exec-attach-proxy: exec granted per person by `access[].exec` in the spec, and audited");
    }
    let creates = g.rules.iter().any(|r| {
        r.verbs.iter().any(|v| v == "create") && !r.resources.iter().all(|x| x.starts_with("pods/"))
    });
    if creates {
        entries.push("rbac-no-create-workloads: the `write` and `admin` access roles exist to deploy workloads, and are bound to people and CI, never to app service accounts");
    }
    if writes(g, WORKLOAD_RESOURCES) {
        entries.push("rbac-no-workload-write: the `write` and `admin` access roles deploy and update workloads (people and CI, never app service accounts)");
    }
    if writes(g, TRAFFIC_RESOURCES) {
        entries.push("rbac-no-traffic-write: the `write` and `admin` access roles deploy the namespace's Services, never its NetworkPolicies (people and CI)");
    }
    if writes(g, &[("", &["configmaps"])]) {
        entries.push("rbac-no-configmap-write: the `write` and `admin` access roles deploy the namespace's configuration (people and CI)");
    }
    let mut m = BTreeMap::new();
    if !entries.is_empty() {
        m.insert(keys::EXEMPT.into(), entries.join("; "));
    }
    m
}

/// The verbs that change an existing object.
const CHANGE_VERBS: &[&str] = &["update", "patch", "delete"];

/// Whether a generated role updates, patches or deletes a resource of `set` (by group).
fn writes(g: &Grant, set: &[(&str, &[&str])]) -> bool {
    g.rules.iter().any(|r| {
        r.verbs.iter().any(|v| CHANGE_VERBS.contains(&v.as_str()))
            && set.iter().any(|(group, resources)| {
                r.api_groups.iter().any(|x| x == group)
                    && r.resources.iter().any(|x| resources.contains(&x.as_str()))
            })
    })
}

/// `access-read`, `access-write-exec`, `access-read-pods-services`…: the same grant gives
/// the same Role, whatever the order of its resources.
pub fn access_role_name(a: &Grant) -> String {
    let mut name = format!("access-{}", a.role.name());
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
        name = format!("{}-{:08x}", &name[..190], super::fnv(&name) as u32);
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
        format!("{prefix}-{slug}-{:06x}", super::fnv(name) & 0xff_ffff)
    }
}

fn subject(kind: SubjectKind, name: &str) -> SubjectView {
    let rbac = Some("rbac.authorization.k8s.io");
    match kind {
        SubjectKind::User => SubjectView {
            kind: "User",
            api_group: rbac,
            name: name.into(),
            namespace: None,
        },
        SubjectKind::Group => SubjectView {
            kind: "Group",
            api_group: rbac,
            name: name.into(),
            namespace: None,
        },
        SubjectKind::ServiceAccount => {
            let (ns, sa) = name.split_once('/').unwrap_or(("", name));
            SubjectView {
                kind: "ServiceAccount",
                api_group: None,
                name: sa.into(),
                namespace: Some(ns.into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant_narrowed_to(resource: &str) -> Grant {
        Grant {
            subject_kind: SubjectKind::User,
            subject_name: "a".into(),
            role: crate::resolve::model::AccessRole::Read,
            resources: Some(vec![resource.into()]),
            exec: false,
            rules: Vec::new(),
        }
    }

    #[test]
    fn role_names_up_to_200_characters_are_kept_longer_ones_shortened_with_a_hash() {
        // `access-read-` is 12 characters.
        let at_limit = access_role_name(&grant_narrowed_to(&"x".repeat(188)));
        assert_eq!(at_limit, format!("access-read-{}", "x".repeat(188)));
        let over = access_role_name(&grant_narrowed_to(&"x".repeat(189)));
        assert_eq!(over.len(), 199, "{over}");
        assert_eq!(&over[..191], &format!("access-read-{}-", "x".repeat(178)));
        assert_ne!(
            over,
            access_role_name(&grant_narrowed_to(&format!("{}y", "x".repeat(188)))),
            "the hash tells apart names that share their first 190 characters"
        );
    }

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
