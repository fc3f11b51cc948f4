//! Service and Ingress rules: exposure, selectors that reach pods, port names, TLS and
//! configuration snippets.

use serde_yaml::Value;

use super::select::{has_namespace, items, key_path, map_selected, ns, string_map, workloads};
use super::{Hit, POD_KINDS, WORKLOADS_AND_SERVICES, cname, containers, get, pod_spec, rule};
use crate::k8s::names::{is_dns_label, is_port_name};
use crate::validate::Document;

rule!(ServiceTypeClusterIp {
    id: "service-type-cluster-ip",
    title: "Services are not exposed on node ports or load balancers",
    severity: Warning,
    kinds: &["Service"],
    rationale: "NodePort opens the port on every node's address and LoadBalancer on a public one, both around the ingress controller and its TLS, authentication and logging.",
    fix: "use `type: ClusterIP` and publish the app through an Ingress or Gateway",
    refs: [
        "kube-score service-type",
        "kube-linter exposed-services",
        "NSA/CISA network separation"
    ],
    check: |doc, _| match get(&doc.value, "spec.type").and_then(Value::as_str) {
        Some(t @ ("NodePort" | "LoadBalancer")) =>
            vec![Hit::new("spec.type", format!("the Service is of type {t}"))],
        _ => Vec::new(),
    },
});

rule!(ServiceTargetsPods {
    id: "service-targets-pods",
    title: "Service selectors match a pod template",
    severity: Warning,
    kinds: &["Service"],
    rationale: "A selector that matches no pod leaves the Service without endpoints: traffic fails silently. Scope: reported when the bundle holds the Namespace object or a workload of that namespace; ExternalName and selector-less Services (manual endpoints) are not checked.",
    fix: "make `spec.selector` a subset of the pod template labels of the workload it fronts",
    refs: [
        "kube-score service-targets-pod",
        "kube-linter dangling-service"
    ],
    check: |doc, all| {
        let selector = string_map(get(&doc.value, "spec.selector"));
        let external = get(&doc.value, "spec.type").and_then(Value::as_str) == Some("ExternalName");
        let namespace = ns(doc);
        let in_scope = has_namespace(all, namespace) || workloads(all, namespace).next().is_some();
        let found = !map_selected(all, namespace, &selector).is_empty();
        (in_scope && !external && !selector.is_empty() && !found)
            .then(|| {
                Hit::new(
                    "spec.selector",
                    format!("the selector matches no pod template in namespace `{namespace}`"),
                )
            })
            .into_iter()
            .collect()
    },
});

fn pod_port_names(doc: &Document) -> Vec<Hit> {
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, c) in containers(prefix, pod) {
        let mut seen = std::collections::BTreeSet::new();
        for (j, p) in items(c, "ports") {
            if let Some(name) = p.get("name").and_then(Value::as_str) {
                if !is_port_name(name) {
                    out.push(Hit::new(
                        format!("{path}.ports[{j}].name"),
                        format!(
                            "container `{}`: `{name}` is not a valid port name",
                            cname(c)
                        ),
                    ));
                } else if !seen.insert(name) {
                    out.push(Hit::new(
                        format!("{path}.ports[{j}].name"),
                        format!("container `{}` names two ports `{name}`", cname(c)),
                    ));
                }
            }
            if !p
                .get("containerPort")
                .and_then(Value::as_i64)
                .is_some_and(|n| (1..=65535).contains(&n))
            {
                out.push(Hit::new(
                    format!("{path}.ports[{j}].containerPort"),
                    format!("container `{}` declares a port outside 1–65535", cname(c)),
                ));
            }
        }
    }
    out
}

fn service_port_names(doc: &Document) -> Vec<Hit> {
    let Some(spec) = doc.value.get("spec") else {
        return Vec::new();
    };
    let ports: Vec<_> = items(spec, "ports").collect();
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in &ports {
        match p.get("name").and_then(Value::as_str) {
            Some(name) if !is_dns_label(name) => out.push(Hit::new(
                format!("spec.ports[{i}].name"),
                format!("`{name}` is not a valid Service port name"),
            )),
            Some(name) if !seen.insert(name) => out.push(Hit::new(
                format!("spec.ports[{i}].name"),
                format!("two ports are named `{name}`"),
            )),
            None if ports.len() > 1 => out.push(Hit::new(
                format!("spec.ports[{i}]"),
                "a Service with several ports must name each one",
            )),
            _ => {}
        }
        if let Some(t) = p
            .get("targetPort")
            .and_then(Value::as_str)
            .filter(|t| !is_port_name(t))
        {
            out.push(Hit::new(
                format!("spec.ports[{i}].targetPort"),
                format!("targetPort `{t}` is not a valid port name"),
            ));
        }
    }
    out
}

rule!(ValidPortNames {
    id: "valid-port-names",
    title: "Port names and numbers are valid",
    severity: Error,
    kinds: WORKLOADS_AND_SERVICES,
    rationale: "The API server rejects container port names that are not IANA service names (≤ 15 lowercase letters, digits and `-`, one letter at least), duplicate names, ports outside 1–65535, and unnamed ports of a multi-port Service.",
    fix: "name ports like `http` or `metrics`, once per container, and reference the same names in `targetPort`",
    refs: [
        "kube-linter invalid-target-ports",
        "kube-score container-ports-check"
    ],
    check: |doc, _| if POD_KINDS.contains(&doc.kind()) {
        pod_port_names(doc)
    } else {
        service_port_names(doc)
    },
});

rule!(ServiceNoExternalIps {
    id: "service-no-external-ips",
    title: "Services do not claim external IPs",
    severity: Warning,
    kinds: &["Service"],
    rationale: "`spec.externalIPs` lets whoever can create a Service intercept traffic to any address (CVE-2020-8554).",
    fix: "remove `spec.externalIPs`; expose the app through an Ingress, Gateway or an admin-managed load balancer",
    refs: [
        "CVE-2020-8554",
        "Kubernetes DenyServiceExternalIPs admission plugin"
    ],
    check: |doc, _| get(&doc.value, "spec.externalIPs")
        .and_then(Value::as_sequence)
        .filter(|s| !s.is_empty())
        .map(|_| Hit::new("spec.externalIPs", "the Service claims external IPs"))
        .into_iter()
        .collect(),
});

rule!(IngressTls {
    id: "ingress-tls",
    title: "Ingresses terminate TLS",
    severity: Warning,
    kinds: &["Ingress"],
    rationale: "Without `spec.tls` the app is served over plain HTTP: credentials and cookies cross the network in clear text.",
    fix: "add `spec.tls` with the hosts and a certificate Secret (e.g. issued by cert-manager)",
    refs: ["Polaris tlsSettingsMissing", "NSA/CISA encryption"],
    check: |doc, _| get(&doc.value, "spec.tls")
        .and_then(Value::as_sequence)
        .is_none_or(|s| s.is_empty())
        .then(|| Hit::new("spec", "the Ingress has no TLS section"))
        .into_iter()
        .collect(),
});

rule!(IngressNoSnippets {
    id: "ingress-no-snippets",
    title: "Ingresses carry no configuration snippets",
    severity: Error,
    kinds: &["Ingress"],
    rationale: "Snippet annotations inject raw controller configuration: anyone who can write an Ingress can read the controller's secrets or reroute other hosts (CVE-2021-25742).",
    fix: "remove `*-snippet` annotations; use the controller's dedicated annotations or its global configuration",
    refs: [
        "CKV_K8S_153",
        "CKV_K8S_152",
        "CKV_K8S_154",
        "CVE-2021-25742"
    ],
    check: |doc, _| string_map(get(&doc.value, "metadata.annotations"))
        .keys()
        .filter(|k| k.contains("snippet"))
        .map(|k| Hit::new(
            key_path("metadata.annotations", k),
            format!("annotation `{k}` injects controller configuration")
        ))
        .collect(),
});
