//! Reference rules: names one object gives of another (an Ingress backend, a
//! StatefulSet's governing Service, a container's Secret and ConfigMap references) must
//! lead to an object of the input, when the input holds objects of that kind there.

use serde_yaml::Value;

use super::select::{find, has_kind, has_namespace, items, ns};
use super::{Hit, POD_KINDS, cname, containers, get, pod_spec, rule};
use crate::validate::Document;

/// The backend Services of an Ingress with the path of each name.
fn backends(doc: &Document) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    if let Some(name) = get(&doc.value, "spec.defaultBackend.service.name").and_then(Value::as_str)
    {
        out.push(("spec.defaultBackend.service.name".to_string(), name));
    }
    let rules: Vec<_> = get(&doc.value, "spec")
        .map(|s| items(s, "rules").collect())
        .unwrap_or_default();
    for (i, r) in rules {
        let paths: Vec<_> = get(r, "http")
            .map(|h| items(h, "paths").collect())
            .unwrap_or_default();
        for (j, p) in paths {
            if let Some(name) = get(p, "backend.service.name").and_then(Value::as_str) {
                out.push((
                    format!("spec.rules[{i}].http.paths[{j}].backend.service.name"),
                    name,
                ));
            }
        }
    }
    out
}

rule!(IngressBackendExists {
    id: "ingress-backend-exists",
    title: "Ingress backends name a Service of the input",
    severity: Error,
    kinds: &["Ingress"],
    rationale: "A backend Service that does not exist (a typo, a renamed Service) answers every request on that path with 503. Scope: reported when the input holds the Namespace object or a Service of that namespace.",
    fix: "make `backend.service.name` name a Service in the Ingress's namespace",
    refs: [
        "kube-score ingress-targets-service",
        "kube-linter dangling-ingress"
    ],
    check: |doc, all| {
        let namespace = ns(doc);
        if !has_namespace(all, namespace) && !has_kind(all, "Service", namespace) {
            return Vec::new();
        }
        backends(doc)
            .into_iter()
            .filter(|(_, name)| find(all, "Service", namespace, name).is_none())
            .map(|(path, name)| {
                Hit::new(
                    path,
                    format!("no Service `{name}` in namespace `{namespace}`"),
                )
            })
            .collect()
    },
});

rule!(StatefulsetHeadlessService {
    id: "statefulset-headless-service",
    title: "A StatefulSet's serviceName names a headless Service",
    severity: Error,
    kinds: &["StatefulSet"],
    rationale: "The governing Service gives each replica its stable DNS name (`pod-0.<service>`); without it, or when it has a cluster IP, those names do not resolve and peers cannot find each other. Scope: reported when the input holds the Namespace object or a Service of that namespace.",
    fix: "add a Service with `clusterIP: None` named like `spec.serviceName`, selecting the StatefulSet's pods",
    refs: [
        "kube-score statefulset-has-servicename",
        "Kubernetes docs: StatefulSet stable network identity"
    ],
    check: |doc, all| {
        let Some(name) = get(&doc.value, "spec.serviceName").and_then(Value::as_str) else {
            return Vec::new();
        };
        let namespace = ns(doc);
        if !has_namespace(all, namespace) && !has_kind(all, "Service", namespace) {
            return Vec::new();
        }
        let message = match find(all, "Service", namespace, name) {
            None => format!("no Service `{name}` in namespace `{namespace}`"),
            Some(s) if get(&s.value, "spec.clusterIP").and_then(Value::as_str) == Some("None") => {
                return Vec::new();
            }
            Some(_) => format!("Service `{name}` is not headless (`clusterIP: None`)"),
        };
        vec![Hit::new("spec.serviceName", message)]
    },
});

/// Every (path, kind, name) reference of a container to a Secret or ConfigMap, except
/// optional ones.
fn env_refs(prefix: &str, pod: &Value) -> Vec<(String, &'static str, String, String)> {
    let mut out = Vec::new();
    let optional = |v: &Value| v.get("optional").and_then(Value::as_bool) == Some(true);
    for (path, c) in containers(prefix, pod) {
        for (i, e) in items(c, "env") {
            for (key, kind) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")] {
                if let Some(r) = get(e, &format!("valueFrom.{key}")).filter(|r| !optional(r)) {
                    let name = r.get("name").and_then(Value::as_str).unwrap_or("");
                    out.push((
                        format!("{path}.env[{i}].valueFrom.{key}.name"),
                        kind,
                        name.to_string(),
                        cname(c).to_string(),
                    ));
                }
            }
        }
        for (i, e) in items(c, "envFrom") {
            for (key, kind) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                if let Some(r) = e.get(key).filter(|r| !optional(r)) {
                    let name = r.get("name").and_then(Value::as_str).unwrap_or("");
                    out.push((
                        format!("{path}.envFrom[{i}].{key}.name"),
                        kind,
                        name.to_string(),
                        cname(c).to_string(),
                    ));
                }
            }
        }
    }
    out
}

rule!(EnvRefsExist {
    id: "env-refs-exist",
    title: "Environment references name Secrets and ConfigMaps of the input",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A container whose `secretKeyRef`, `configMapKeyRef` or `envFrom` names a missing object never starts (CreateContainerConfigError). Scope: only when the input holds Secrets (or ConfigMaps) of that namespace, since many are created outside the manifests; references marked `optional: true` are not reported.",
    fix: "fix the name, add the object to the manifests, or mark the reference `optional: true`",
    refs: [
        "Kubernetes docs: CreateContainerConfigError",
        "kube-linter env-value-from"
    ],
    check: |doc, all| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        let namespace = ns(doc);
        env_refs(prefix, pod)
            .into_iter()
            .filter(|(_, kind, name, _)| {
                has_kind(all, kind, namespace) && find(all, kind, namespace, name).is_none()
            })
            .map(|(path, kind, name, container)| {
                Hit::new(
                    path,
                    format!("container `{container}` reads {kind} `{name}`, which is not in namespace `{namespace}`"),
                )
            })
            .collect()
    },
});
