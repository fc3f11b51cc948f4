//! RBAC binding rules: cluster-admin, the built-in edit and admin roles, anonymous,
//! authenticated and system:masters subjects, and the default service account.

use serde_yaml::Value;

use super::super::scope::Scope;
use super::super::select::{items, ns, strings};
use super::super::{Hit, rule};
use crate::k8s::rbac::BROAD_BUILTIN_ROLES;
use crate::validate::Document;

const BINDINGS: &[&str] = &["RoleBinding", "ClusterRoleBinding"];

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Whether a policy rule grants every verb on every resource of every group.
fn full_wildcard(rule: &Value) -> bool {
    ["apiGroups", "resources", "verbs"]
        .iter()
        .all(|f| strings(rule, f).contains(&"*"))
}

/// The role a binding refers to, when it is in the bundle.
fn role_of<'a>(binding: &Document, all: &Scope<'a>) -> Option<&'a Document> {
    let r = binding.value.get("roleRef")?;
    let (kind, name) = (text(r, "kind"), text(r, "name"));
    all.of_kind(kind)
        .find(|d| d.name() == name && (kind == "ClusterRole" || ns(d) == ns(binding)))
}

rule!(RbacNoClusterAdmin {
    id: "rbac-no-cluster-admin",
    title: "Nothing is bound to cluster-admin",
    severity: Error,
    kinds: BINDINGS,
    rationale: "cluster-admin (or any role granting `*` on `*` in `*`) is every permission there is; bound to a workload or a team, one stolen token owns the cluster.",
    fix: "bind a role that lists only the needed permissions; keep cluster-admin for break-glass access outside the manifests",
    refs: [
        "Polaris clusterrolebindingClusterAdmin",
        "kube-linter cluster-admin-role-binding",
        "CIS 5.1.1",
        "Polaris rolebindingClusterAdminClusterRole"
    ],
    check: |doc, all| {
        let r = doc.value.get("roleRef");
        let admin = r.is_some_and(|r| {
            text(r, "kind") == "ClusterRole" && text(r, "name") == "cluster-admin"
        });
        let wild = role_of(doc, all)
            .is_some_and(|role| items(&role.value, "rules").any(|(_, x)| full_wildcard(x)));
        (admin || wild)
            .then(|| {
                Hit::new(
                    "roleRef",
                    format!(
                        "binds `{}`, which grants every permission",
                        r.map_or("", |r| text(r, "name"))
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(RbacNoAnonymousOrMasters {
    id: "rbac-no-anonymous-or-masters",
    title: "Nothing is bound to anonymous users or system:masters",
    severity: Error,
    kinds: BINDINGS,
    rationale: "A binding to system:anonymous or system:unauthenticated gives the role to anyone who can reach the API server; system:masters bypasses RBAC altogether and cannot be revoked short of rotating the CA.",
    fix: "bind named users, groups or service accounts instead",
    refs: ["kubesec BindingsToSystemAnonymous", "CIS 5.1.7"],
    check: |doc, _| items(&doc.value, "subjects")
        .filter(|(_, s)| matches!(
            text(s, "name"),
            "system:anonymous" | "system:unauthenticated" | "system:masters"
        ))
        .map(|(i, s)| Hit::new(
            format!("subjects[{i}]"),
            format!("binds {} `{}`", text(s, "kind"), text(s, "name"))
        ))
        .collect(),
});

rule!(NoDefaultSaBindings {
    id: "no-default-sa-bindings",
    title: "Nothing is bound to a default service account",
    severity: Warning,
    kinds: BINDINGS,
    rationale: "Every pod that names no account runs as `default`: a role bound to it is granted to all of them.",
    fix: "bind a dedicated ServiceAccount and set it as the workload's `serviceAccountName`",
    refs: ["CKV_K8S_42", "CIS 5.1.5"],
    check: |doc, _| items(&doc.value, "subjects")
        .filter(|(_, s)| text(s, "kind") == "ServiceAccount" && text(s, "name") == "default")
        .map(|(i, s)| {
            let namespace = s
                .get("namespace")
                .and_then(Value::as_str)
                .or(doc.namespace())
                .unwrap_or("default");
            Hit::new(
                format!("subjects[{i}]"),
                format!("binds the default service account of `{namespace}`"),
            )
        })
        .collect(),
});

rule!(RbacNoBroadBuiltinRoles {
    id: "rbac-no-broad-builtin-roles",
    title: "Nothing is bound to the built-in `edit` or `admin` ClusterRole",
    severity: Warning,
    kinds: BINDINGS,
    rationale: "The built-in `edit` and `admin` roles look like ordinary team access, but they include reading and writing every Secret, exec into every pod and changing every workload of the namespace (bound by a ClusterRoleBinding: of every namespace). The rules on roles cannot see them: they are not in the manifests.",
    fix: "bind a Role that lists what the subject needs (kubeward's access roles never include Secrets; exec is granted per person)",
    refs: ["CIS 5.1.2", "CIS 5.1.4"],
    check: |doc, _| {
        let Some(r) = doc.value.get("roleRef") else {
            return Vec::new();
        };
        if text(r, "kind") != "ClusterRole" {
            return Vec::new();
        }
        BROAD_BUILTIN_ROLES
            .iter()
            .filter(|(name, _)| text(r, "name") == *name)
            .map(|(name, powers)| {
                let scope = if doc.kind() == "ClusterRoleBinding" {
                    "in every namespace"
                } else {
                    "in this namespace"
                };
                Hit::new(
                    "roleRef.name",
                    format!("binds the built-in `{name}` ClusterRole {scope}: {powers}"),
                )
            })
            .collect()
    },
});

rule!(RbacNoAuthenticatedGroup {
    id: "rbac-no-authenticated-group",
    title: "Nothing is bound to every authenticated user",
    severity: Error,
    kinds: BINDINGS,
    rationale: "`system:authenticated` is every user and every service account of every namespace: a role bound to it is granted to any pod that can read its own token.",
    fix: "bind the named users, groups or service accounts that need the role",
    refs: ["CIS 5.1.2", "CIS 5.1.4"],
    check: |doc, _| items(&doc.value, "subjects")
        .filter(|(_, s)| text(s, "kind") == "Group" && text(s, "name") == "system:authenticated")
        .map(|(i, _)| Hit::new(
            format!("subjects[{i}]"),
            "binds the group `system:authenticated` (every user and service account)"
        ))
        .collect(),
});
