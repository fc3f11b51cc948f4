//! The `access` entries of namespaces: subjects checked, each grant resolved to its rules.

use crate::diag::Diagnostic;
use crate::k8s::names::{is_dns_label, is_dns_subdomain};
use crate::spec::{self, LoadedSpec, SubjectKind};

use super::access::role_rules;
use super::model::Grant;

/// Subjects that must never be granted anything.
const FORBIDDEN: &[&str] = &[
    "system:anonymous",
    "system:unauthenticated",
    "system:authenticated",
    "system:masters",
];

/// Resolve the access entries of namespace `ni` for Kubernetes minor `minor`.
pub fn resolve(s: &LoadedSpec, ni: usize, minor: u32, out: &mut Vec<Diagnostic>) -> Vec<Grant> {
    let ns = &s.spec.namespaces[ni];
    let mut grants: Vec<Grant> = Vec::new();
    // The access entry each grant comes from.
    let mut from: Vec<usize> = Vec::new();
    for (ai, a) in ns.access.iter().enumerate() {
        let before = out.len();
        check_subject(
            s,
            &format!("namespaces[{ni}].access[{ai}]"),
            &a.subject,
            out,
        );
        check_narrowing(s, &format!("namespaces[{ni}].access[{ai}]"), a, out);
        if out[before..].iter().any(Diagnostic::is_error) {
            continue;
        }
        if let Ok(rules) = role_rules(a.role, a.resources.as_deref(), a.exec, minor) {
            let grant = Grant {
                subject_kind: a.subject.kind,
                subject_name: a.subject.name.clone(),
                role: a.role,
                resources: a.resources.clone(),
                exec: a.exec,
                rules,
            };
            match grants.iter().position(|g| *g == grant) {
                Some(k) => out.push(repeated(s, ni, ai, from[k], &grant)),
                None => {
                    grants.push(grant);
                    from.push(ai);
                }
            }
        }
    }
    grants
}

/// Access entry `ai` grants exactly what entry `first` grants: a warning at the repeat
/// (one grant is rendered).
fn repeated(s: &LoadedSpec, ni: usize, ai: usize, first: usize, g: &Grant) -> Diagnostic {
    s.warning_at(
        &format!("namespaces[{ni}].access[{ai}]"),
        format!(
            "this entry repeats access[{first}] (`{}` {}); it is granted once",
            g.subject_name,
            g.label()
        ),
    )
    .with_code(super::REPEATED)
    .with_help("remove one of the two")
}

fn check_subject(s: &LoadedSpec, at: &str, subject: &spec::Subject, out: &mut Vec<Diagnostic>) {
    let path = format!("{at}.subject.name");
    let name = subject.name.as_str();
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        out.push(s.error_at(&path, "the subject has no usable name")
            .with_help("give the user, group or service account name as your identity provider spells it"));
    } else if FORBIDDEN.contains(&name) {
        out.push(
            s.error_at(
                &path,
                format!("`{name}` stands for everyone or for cluster administrators"),
            )
            .with_help("grant access to named users, groups or service accounts only"),
        );
    }
    if subject.kind == SubjectKind::ServiceAccount {
        let ok = match name.split_once('/') {
            Some((n, sa)) => is_dns_label(n) && is_dns_subdomain(sa),
            None => false,
        };
        if !ok {
            out.push(
                s.error_at(&path, format!("`{name}` is not `namespace/serviceaccount`"))
                    .with_help("name a service account as `namespace/name`, e.g. `ci/deployer`"),
            );
        }
    }
}

fn check_narrowing(s: &LoadedSpec, at: &str, a: &spec::Access, out: &mut Vec<Diagnostic>) {
    let Some(only) = &a.resources else { return };
    if only.is_empty() {
        out.push(
            s.error_at(&format!("{at}.resources"), "`resources` is empty")
                .with_help(
                    "list the resources to keep, or remove `resources` to grant the whole role",
                ),
        );
    }
    for (ri, r) in only.iter().enumerate() {
        if let Err(e) = role_rules(
            a.role,
            Some(std::slice::from_ref(r)),
            false,
            super::defaults::NEWEST_MINOR,
        ) {
            out.push(s.error_at(&format!("{at}.resources[{ri}]"), e)
                .with_help("narrow to resources of the role's set; Secrets are mounted into pods, never granted"));
        }
    }
}
