//! An app's identity and environment: the user it runs as, added capabilities (with
//! their written reason) and environment variables.

use crate::diag::Diagnostic;
use crate::k8s::PodSecurity;
use crate::k8s::names::{is_config_key, is_dns_subdomain, is_env_name};
use crate::k8s::psa::{BASELINE_CAPS, RESTRICTED_ADDABLE_CAP};
use crate::spec::{self, LoadedSpec};
use crate::yaml::{Seg, format_path};

use super::defaults::USER;

/// Check the identity of app `i` in a namespace enforcing `level`; returns its user id.
pub fn resolve(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    level: PodSecurity,
    out: &mut Vec<Diagnostic>,
) -> i64 {
    check_capabilities(s, i, app, level, out);
    check_env(s, i, app, out);
    check_user(s, i, app, out)
}

fn check_user(s: &LoadedSpec, i: usize, app: &spec::App, out: &mut Vec<Diagnostic>) -> i64 {
    let at = format!("apps[{i}].user");
    match app.user {
        Some(0) => out.push(s.error_at(&at, "user 0 is root").with_help(
            "containers never run as root; build the image to run as an unprivileged user and give its id, e.g. `user: 10001`",
        )),
        Some(u) if !(1..=2_147_483_647).contains(&u) => out.push(
            s.error_at(&at, format!("user {u} is not a valid id")).with_help("a user id is a number from 1 to 2147483647"),
        ),
        Some(u) if u <= 10000 => out.push(
            s.warning_at(&at, format!("user {u} may share an id with a host user"))
                .with_code("run-as-high-uid")
                .with_help("use an id above 10000 (the default is 10001), which no host account has"),
        ),
        _ => {}
    }
    app.user.unwrap_or(USER)
}

fn check_capabilities(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    level: PodSecurity,
    out: &mut Vec<Diagnostic>,
) {
    if app.capabilities.is_empty() {
        return;
    }
    for (j, cap) in app.capabilities.iter().enumerate() {
        let path = format!("apps[{i}].capabilities[{j}]");
        let allowed = match level {
            PodSecurity::Restricted => cap == RESTRICTED_ADDABLE_CAP,
            PodSecurity::Baseline => BASELINE_CAPS.contains(&cap.as_str()),
            PodSecurity::Privileged => {
                cap != "ALL"
                    && !cap.is_empty()
                    && cap.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            }
        };
        if !allowed {
            out.push(s.error_at(&path, format!(
                "capability `{cap}` is not allowed in namespace `{}` (podSecurity {})", app.namespace, level.as_str()
            )).with_help(match level {
                PodSecurity::Restricted => "restricted allows adding only NET_BIND_SERVICE; better, listen on a port above 1024".to_string(),
                PodSecurity::Baseline => format!("baseline allows only {}", BASELINE_CAPS.join(", ")),
                PodSecurity::Privileged => "write the capability without `CAP_`, in capitals, e.g. `NET_ADMIN`; `ALL` is never added".into(),
            }));
        }
    }
    if app
        .capabilities_exemption
        .as_deref()
        .map(str::trim)
        .unwrap_or("")
        .is_empty()
    {
        out.push(s.error_at(&format!("apps[{i}].capabilities"), "added capabilities need a written reason")
            .with_help("add `capabilitiesExemption: \"<why the app needs them>\"`; it is recorded as an annotation"));
    }
}

fn check_env(s: &LoadedSpec, i: usize, app: &spec::App, out: &mut Vec<Diagnostic>) {
    for name in app.env.keys() {
        if !is_env_name(name) {
            out.push(
                s.error_at_key(
                    &env_path(i, "env", name),
                    format!("`{name}` is not a valid environment variable name"),
                )
                .with_help("use letters, digits, `_`, `-` or `.`, not starting with a digit"),
            );
        }
    }
    for (name, r) in &app.secret_env {
        let path = env_path(i, "secretEnv", name);
        if !is_env_name(name) {
            out.push(
                s.error_at_key(
                    &path,
                    format!("`{name}` is not a valid environment variable name"),
                )
                .with_help("use letters, digits, `_`, `-` or `.`, not starting with a digit"),
            );
        }
        if app.env.contains_key(name) {
            out.push(
                s.error_at_key(
                    &path,
                    format!("`{name}` is set in both `env` and `secretEnv`"),
                )
                .with_help("keep one of the two"),
            );
        }
        if !is_dns_subdomain(&r.secret) {
            out.push(
                s.error_at(
                    &format!("{path}.secret"),
                    format!("`{}` is not a valid Secret name", r.secret),
                )
                .with_help("a Secret name is lowercase letters, digits, `-` and `.`"),
            );
        }
        if !is_config_key(&r.key) {
            out.push(
                s.error_at(
                    &format!("{path}.key"),
                    format!("`{}` is not a valid Secret key", r.key),
                )
                .with_help("a key is letters, digits, `-`, `_` or `.`"),
            );
        }
    }
}

fn env_path(i: usize, field: &str, name: &str) -> String {
    format_path(&[
        Seg::Key("apps".into()),
        Seg::Index(i),
        Seg::Key(field.into()),
        Seg::Key(name.into()),
    ])
}
