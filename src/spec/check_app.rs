//! Semantic checks of `apps`: names, images, ports, probes, users, paths and capabilities.

use std::collections::{BTreeSet, HashMap};

use crate::diag::Diagnostic;

use super::check::{check_resource_set, namespace_list};
use super::load::LoadedSpec;
use super::types::{App, PodSecurity, PortRef};
use crate::k8s::image::parse_image;
use crate::k8s::names::{
    dns_label_help, is_config_key, is_dns_label, is_dns_subdomain, is_env_name, is_port_name,
};

/// Capabilities Pod Security `baseline` lets a container add.
use crate::k8s::psa::BASELINE_CAPS;

pub(crate) fn check_apps(s: &LoadedSpec, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, app) in s.spec.apps.iter().enumerate() {
        let at = |f: &str| format!("apps[{i}].{f}");
        if !is_dns_label(&app.name) {
            out.push(
                s.error_at(
                    &at("name"),
                    format!("`{}` is not a valid app name", app.name),
                )
                .with_help(dns_label_help(&app.name)),
            );
        } else if app.service.is_some() && !app.name.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.push(
                s.error_at(
                    &at("name"),
                    format!(
                        "`{}` cannot name a Service: it must start with a letter",
                        app.name
                    ),
                )
                .with_help(
                    "Service names are RFC 1035 labels; rename the app to start with a letter",
                ),
            );
        }
        if let Some(first) = seen.insert((&app.namespace, &app.name), i) {
            out.push(
                s.error_at(
                    &at("name"),
                    format!(
                        "app `{}` is declared twice in namespace `{}`",
                        app.name, app.namespace
                    ),
                )
                .with_help(format!(
                    "app names are unique within a namespace; the first is apps[{first}]"
                )),
            );
        }
        check_namespace_ref(s, i, app, out);
        check_image(s, i, app, out);
        check_ports(s, i, app, out);
        check_probes(s, i, app, out);
        check_identity(s, i, app, out);
        check_env(s, i, app, out);
        if let Some(r) = &app.resources {
            check_resource_set(s, &at("resources.requests"), r.requests.as_ref(), out);
            check_resource_set(s, &at("resources.limits"), r.limits.as_ref(), out);
        }
    }
}

fn check_namespace_ref(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    if !s.spec.namespaces.iter().any(|n| n.name == app.namespace) {
        out.push(
            s.error_at(
                &format!("apps[{i}].namespace"),
                format!("namespace `{}` is not declared", app.namespace),
            )
            .with_help(format!(
                "declare it under `namespaces:` or use a declared one: {}",
                namespace_list(s)
            )),
        );
    }
}

fn check_image(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    let path = format!("apps[{i}].image");
    let image =
        match parse_image(&app.image) {
            Ok(r) => r,
            Err(e) => {
                out.push(s.error_at(&path, e).with_help(
                    "write `registry.example.com/team/app:1.2.3@sha256:<64 hex digits>`",
                ));
                return;
            }
        };
    let registries = &s.spec.registries;
    if !registries.is_empty() && !registries.iter().any(|r| app.image.starts_with(r.as_str())) {
        out.push(s.error_at(&path, format!("image `{}` is not from a trusted registry", app.image)).with_help(format!(
            "trusted registries are {}; push the image there, or add its registry to `registries:`",
            registries.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    if image.digest.is_none() {
        let latest = matches!(image.tag.as_deref(), None | Some("latest"));
        out.push(
            s.warning_at(&path, format!(
                "image `{}` is {}; the same reference can run different code tomorrow",
                app.image,
                if latest { "not pinned (no tag, or `latest`)" } else { "pinned by tag only, not by digest" }
            ))
            .with_code("image-digest")
            .with_help("pin the digest the CI scan approved: `docker buildx imagetools inspect IMAGE` prints it; write `IMAGE:TAG@sha256:...`"),
        );
    }
}

fn check_ports(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    let mut names = HashMap::new();
    let mut numbers = HashMap::new();
    for (j, p) in app.ports.iter().enumerate() {
        let at = |f: &str| format!("apps[{i}].ports[{j}].{f}");
        if !is_port_name(&p.name) {
            out.push(s.error_at(&at("name"), format!("`{}` is not a valid port name", p.name)).with_help(
                "a port name is up to 15 lowercase letters, digits or `-`, with at least one letter, e.g. `http`",
            ));
        }
        if names.insert(p.name.as_str(), j).is_some() {
            out.push(
                s.error_at(&at("name"), format!("port name `{}` is used twice", p.name))
                    .with_help("give every port of an app its own name"),
            );
        }
        if !(1..=65535).contains(&p.port) {
            out.push(
                s.error_at(&at("port"), format!("port {} is out of range", p.port))
                    .with_help("a port is a number from 1 to 65535"),
            );
        } else if p.port < 1024 {
            out.push(s.warning_at(&at("port"), format!("port {} is privileged (below 1024)", p.port))
                .with_code("no-privileged-ports")
                .with_help("listen on 1024 or above and map the Service port to it (`service: { port: 80, targetPort: http }`)"));
        }
        if numbers.insert((p.port, p.protocol), j).is_some() {
            out.push(
                s.error_at(
                    &at("port"),
                    format!("port {}/{} is declared twice", p.port, p.protocol.as_str()),
                )
                .with_help("remove the duplicate port"),
            );
        }
    }
    if let Some(svc) = &app.service {
        let at = format!("apps[{i}].service");
        if !(1..=65535).contains(&svc.port) {
            out.push(
                s.error_at(
                    &format!("{at}.port"),
                    format!("port {} is out of range", svc.port),
                )
                .with_help("a port is a number from 1 to 65535"),
            );
        }
        if app.ports.is_empty() {
            out.push(
                s.error_at(
                    &at,
                    format!("app `{}` has a service but no ports", app.name),
                )
                .with_help("declare the port the service forwards to under `ports:`"),
            );
        } else if let Some(target) = &svc.target_port {
            check_port_ref(s, &format!("{at}.targetPort"), app, target, out);
        }
    }
}

/// A named or numbered port must be one of the app's declared ports.
pub(crate) fn check_port_ref(
    s: &LoadedSpec,
    path: &str,
    app: &App,
    port: &PortRef,
    out: &mut Vec<Diagnostic>,
) {
    let found = match port {
        PortRef::Name(n) => app.ports.iter().any(|p| &p.name == n),
        PortRef::Number(n) => app.ports.iter().any(|p| p.port == *n),
    };
    if !found {
        let shown = match port {
            PortRef::Name(n) => format!("`{n}`"),
            PortRef::Number(n) => n.to_string(),
        };
        let declared: Vec<String> = app
            .ports
            .iter()
            .map(|p| format!("`{}` ({})", p.name, p.port))
            .collect();
        out.push(
            s.error_at(
                path,
                format!("port {shown} is not a port of app `{}`", app.name),
            )
            .with_help(if declared.is_empty() {
                "the app declares no ports; add one under `ports:`".to_string()
            } else {
                format!("declared ports: {}", declared.join(", "))
            }),
        );
    }
}

fn check_probes(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    let Some(probes) = &app.probes else { return };
    for (kind, probe) in [
        ("liveness", &probes.liveness),
        ("readiness", &probes.readiness),
        ("startup", &probes.startup),
    ] {
        let Some(probe) = probe else { continue };
        let at = format!("apps[{i}].probes.{kind}");
        match (&probe.port, &probe.exec) {
            (Some(port), None) => check_port_ref(s, &format!("{at}.port"), app, port, out),
            (None, Some(cmd)) if !cmd.is_empty() && probe.http.is_none() => {}
            (None, Some(_)) if probe.http.is_some() => out.push(
                s.error_at(&format!("{at}.http"), "an `exec` probe has no HTTP path")
                    .with_help("use `{ exec: [...] }` alone, or `{ http: /path, port: NAME }`"),
            ),
            (None, Some(_)) => out.push(
                s.error_at(&format!("{at}.exec"), "the `exec` command is empty")
                    .with_help(
                        "give the command and its arguments, e.g. `exec: [/app/healthcheck]`",
                    ),
            ),
            (Some(_), Some(_)) => out.push(
                s.error_at(
                    &format!("{at}.exec"),
                    "a probe checks a port or runs a command, not both",
                )
                .with_help("keep `port` (with `http` for an HTTP check) or `exec`"),
            ),
            (None, None) => out.push(s.error_at(&at, "the probe checks nothing").with_help(
                "add `port: NAME` (TCP, or HTTP with `http: /path`) or `exec: [command, args...]`",
            )),
        }
        if let Some(path) = &probe.http
            && (!path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()))
        {
            out.push(
                s.error_at(
                    &format!("{at}.http"),
                    format!("`{path}` is not an HTTP path"),
                )
                .with_help("an HTTP probe path starts with `/` and has no spaces, e.g. `/healthz`"),
            );
        }
    }
}

fn check_identity(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    let at = |f: &str| format!("apps[{i}].{f}");
    match app.user {
        Some(0) => out.push(s.error_at(&at("user"), "user 0 is root").with_help(
            "containers never run as root; build the image to run as an unprivileged user and give its id, e.g. `user: 10001`",
        )),
        Some(u) if !(1..=2_147_483_647).contains(&u) => out.push(
            s.error_at(&at("user"), format!("user {u} is not a valid id")).with_help("a user id is a number from 1 to 2147483647"),
        ),
        Some(u) if u <= 10000 => out.push(
            s.warning_at(&at("user"), format!("user {u} may share an id with a host user"))
                .with_code("run-as-high-uid")
                .with_help("use an id above 10000 (the default is 10001), which no host account has"),
        ),
        _ => {}
    }
    let mut paths = BTreeSet::new();
    for (j, p) in app.writable_paths.iter().flatten().enumerate() {
        let path = format!("apps[{i}].writablePaths[{j}]");
        if !is_clean_dir(p) {
            out.push(s.error_at(&path, format!("`{p}` is not a writable directory path")).with_help(
                "give an absolute, normalised directory such as `/tmp` or `/var/cache/app`; the root filesystem itself stays read-only",
            ));
        } else if !paths.insert(p.as_str()) {
            out.push(
                s.error_at(&path, format!("`{p}` is listed twice"))
                    .with_help("remove the duplicate"),
            );
        }
    }
    check_capabilities(s, i, app, out);
    check_secret_files(s, i, app, out);
}

/// An absolute, normalised directory other than `/`.
fn is_clean_dir(p: &str) -> bool {
    p.starts_with('/')
        && p != "/"
        && !p.chars().any(|c| c.is_control())
        && !p
            .split('/')
            .skip(1)
            .any(|c| c.is_empty() || c == "." || c == "..")
}

fn check_secret_files(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    let writable = crate::plan::writable_paths(app);
    let mut seen = BTreeSet::new();
    for (j, f) in app.secret_files.iter().enumerate() {
        let at = |k: &str| format!("apps[{i}].secretFiles[{j}].{k}");
        if !is_dns_subdomain(&f.secret) {
            out.push(
                s.error_at(
                    &at("secret"),
                    format!("`{}` is not a valid Secret name", f.secret),
                )
                .with_help("a Secret name is lowercase letters, digits, `-` and `.`"),
            );
        }
        let nested = |a: &str, b: &str| {
            a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
        };
        if !is_clean_dir(&f.mount_path) {
            out.push(
                s.error_at(
                    &at("mountPath"),
                    format!("`{}` is not a directory path", f.mount_path),
                )
                .with_help("give an absolute, normalised directory such as `/var/run/secrets/db`"),
            );
        } else if writable.iter().any(|w| nested(w, &f.mount_path))
            || !seen.insert(f.mount_path.as_str())
        {
            out.push(
                s.error_at(
                    &at("mountPath"),
                    format!("`{}` overlaps another mount of the app", f.mount_path),
                )
                .with_help(
                    "mount each Secret in a directory of its own, apart from `writablePaths`",
                ),
            );
        }
        for (k, key) in f.keys.iter().enumerate() {
            if !is_config_key(key) {
                out.push(
                    s.error_at(
                        &format!("apps[{i}].secretFiles[{j}].keys[{k}]"),
                        format!("`{key}` is not a valid Secret key"),
                    )
                    .with_help("a key is letters, digits, `-`, `_` or `.`"),
                );
            }
        }
    }
}

fn check_capabilities(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
    if app.capabilities.is_empty() {
        return;
    }
    let level = s
        .spec
        .namespaces
        .iter()
        .find(|n| n.name == app.namespace)
        .and_then(|n| n.pod_security)
        .unwrap_or_default();
    for (j, cap) in app.capabilities.iter().enumerate() {
        let path = format!("apps[{i}].capabilities[{j}]");
        let allowed = match level {
            PodSecurity::Restricted => cap == crate::k8s::psa::RESTRICTED_ADDABLE_CAP,
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

fn check_env(s: &LoadedSpec, i: usize, app: &App, out: &mut Vec<Diagnostic>) {
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
    crate::source::format_path(&[
        crate::source::Seg::Key("apps".into()),
        crate::source::Seg::Index(i),
        crate::source::Seg::Key(field.into()),
        crate::source::Seg::Key(name.into()),
    ])
}
