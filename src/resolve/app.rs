//! Apps: names, namespace, image, resources, and the pieces resolved in their own modules
//! (ports, probes, mounts, identity), assembled into the model's [`App`].

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::k8s::image::{ImageRef, parse_image, trusted};
use crate::k8s::names::{dns_label_help, is_dns_label};
use crate::spec::{self, LoadedSpec};

use super::access::api_rules;
use super::defaults::{REPLICAS, ROLLOUT};
use super::flow::{INGRESS, KUBE_APISERVER};
use super::model::{App, Namespace, Resources, SecretEnv};
use super::namespace::{namespace_list, resource_set_over};
use super::{identity, mounts, ports, probes};

/// Resolve every app; an app with errors is `None` (its errors are in `out`). Indices
/// match the spec's `apps`.
pub fn resolve_all(
    s: &LoadedSpec,
    namespaces: &[Namespace],
    registries: &[String],
    out: &mut Vec<Diagnostic>,
) -> Vec<Option<App>> {
    let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
    let mut all = Vec::new();
    for (i, app) in s.spec.apps.iter().enumerate() {
        let before = out.len();
        check_name(s, i, app, &mut seen, out);
        let ns = namespaces.iter().find(|n| n.name == app.namespace);
        let resolved = resolve_one(s, i, app, ns, registries, out);
        all.push(resolved.filter(|_| !out[before..].iter().any(Diagnostic::is_error)));
    }
    all
}

fn check_name<'a>(
    s: &LoadedSpec,
    i: usize,
    app: &'a spec::App,
    seen: &mut HashMap<(&'a str, &'a str), usize>,
    out: &mut Vec<Diagnostic>,
) {
    let at = format!("apps[{i}].name");
    if !is_dns_label(&app.name) {
        out.push(
            s.error_at(&at, format!("`{}` is not a valid app name", app.name))
                .with_help(dns_label_help(&app.name)),
        );
    } else if [INGRESS, KUBE_APISERVER].contains(&app.name.as_str()) {
        out.push(
            s.error_at(
                &at,
                format!("`{}` is a flow keyword and cannot name an app", app.name),
            )
            .with_help(format!(
                "`from: {INGRESS}` means the ingress controller and `to: {KUBE_APISERVER}` the API server; give the app another name, e.g. `{}-app`",
                app.name
            )),
        );
    } else if app.service.is_some() && !app.name.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.push(
            s.error_at(
                &at,
                format!(
                    "`{}` cannot name a Service: it must start with a letter",
                    app.name
                ),
            )
            .with_help("Service names are RFC 1035 labels; rename the app to start with a letter"),
        );
    }
    if let Some(first) = seen.insert((&app.namespace, &app.name), i) {
        out.push(
            s.error_at(
                &at,
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
}

fn resolve_one(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    ns: Option<&Namespace>,
    registries: &[String],
    out: &mut Vec<Diagnostic>,
) -> Option<App> {
    let fallback;
    let ns = match ns {
        Some(ns) => ns,
        None => {
            fallback = super::namespace::builtin(&app.namespace);
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
            &fallback
        }
    };
    let image_ref = image(s, i, app, registries, out);
    let (ports, service) = ports::resolve(s, i, app, out);
    let probes = probes::resolve(s, i, app, &ports, out);
    let user = identity::resolve(s, i, app, ns.pod_security, out);
    let resources = resources(s, i, app, ns, out);
    let api_rules = api_rules(&app.api_access).unwrap_or_else(|e| {
        out.push(s.error_at(&format!("apps[{i}].apiAccess"), e)
            .with_help("apiAccess reads resources of the `read` set, e.g. `{ resources: [configmaps], names: [app-config] }`"));
        Vec::new()
    });
    let size_limit = resources.limits.ephemeral_storage.clone();
    let mounts = mounts::resolve(s, i, app, &size_limit, !api_rules.is_empty(), out);
    Some(App {
        name: app.name.clone(),
        namespace: app.namespace.clone(),
        image: app.image.clone(),
        image_ref: image_ref?,
        replicas: app.replicas.unwrap_or(REPLICAS),
        rollout: ROLLOUT,
        ports,
        service,
        resources,
        user,
        capabilities: app.capabilities.clone(),
        capabilities_exemption: app
            .capabilities_exemption
            .as_deref()
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty()),
        probes,
        env: app
            .env
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        secret_env: app
            .secret_env
            .iter()
            .map(|(k, r)| SecretEnv {
                name: k.clone(),
                secret: r.secret.clone(),
                key: r.key.clone(),
            })
            .collect(),
        mounts,
        api_rules,
        command: app.command.clone(),
        args: app.args.clone(),
    })
}

fn image(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    registries: &[String],
    out: &mut Vec<Diagnostic>,
) -> Option<ImageRef> {
    let path = format!("apps[{i}].image");
    let image = match parse_image(&app.image) {
        Ok(r) => r,
        Err(e) => {
            out.push(
                s.error_at(
                    &path,
                    format!("`{}` is not an image reference: {e}", app.image),
                )
                .with_help("write `registry.example.com/team/app:1.2.3@sha256:<64 hex digits>`"),
            );
            return None;
        }
    };
    if !registries.is_empty() && !trusted(&app.image, registries) {
        out.push(s.error_at(&path, format!("image `{}` is not from a trusted registry", app.image)).with_help(format!(
            "trusted registries are {}; push the image there, or add its registry to `registries:`",
            registries.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    if image.digest.is_none() {
        if matches!(image.tag.as_deref(), None | Some("latest")) {
            out.push(
                s.error_at(&path, format!(
                    "image `{}` is not pinned (no tag, or `latest`): every pull may run different code",
                    app.image
                ))
                .with_help("name the version CI built and scanned, with its digest: `IMAGE:1.2.3@sha256:...` (`docker buildx imagetools inspect IMAGE:1.2.3` prints the digest)"),
            );
        } else {
            out.push(
                s.warning_at(&path, format!(
                    "image `{}` is pinned by tag only, not by digest; the same reference can run different code tomorrow",
                    app.image
                ))
                .with_code("image-digest")
                .with_help("pin the digest the CI scan approved: `docker buildx imagetools inspect IMAGE` prints it; write `IMAGE:TAG@sha256:...`"),
            );
        }
    }
    Some(image)
}

/// The app's resources: its own values, else its namespace's defaults; each request at
/// most its limit.
fn resources(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    ns: &Namespace,
    out: &mut Vec<Diagnostic>,
) -> Resources {
    let given = app.resources.as_ref();
    let at = |f: &str| format!("apps[{i}].resources.{f}");
    let r = Resources {
        requests: resource_set_over(
            s,
            &at("requests"),
            given.and_then(|r| r.requests.as_ref()),
            &ns.defaults.request,
            out,
        ),
        limits: resource_set_over(
            s,
            &at("limits"),
            given.and_then(|r| r.limits.as_ref()),
            &ns.defaults.limit,
            out,
        ),
    };
    for ((res, req), (_, lim)) in r.requests.entries().into_iter().zip(r.limits.entries()) {
        if req.milli() > lim.milli() {
            out.push(s.error_at(&format!("apps[{i}].resources"), format!(
                "app `{}` requests {req} {res} but is limited to {lim}", app.name
            )).with_help("a request cannot exceed its limit; raise the limit or lower the request (defaults come from the namespace `defaults`)"));
        }
    }
    r
}
