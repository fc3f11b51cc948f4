//! Namespace rules: Pod Security Admission labels and what the pods need, resource
//! budgets, and objects outside the default namespace.

use serde_yaml::Value;

use super::psa::{self, Level};
use super::select::{items, key_path, ns, of_kind, string_map};
use super::{Hit, POD_KINDS, get, rule};
use crate::validate::Document;
use crate::validate::kinds::NAMESPACED_KINDS;

const ENFORCE: &str = "pod-security.kubernetes.io/enforce";
/// Annotation that records why a namespace is below restricted.
pub const EXEMPTION: &str = "kubeward.dev/pod-security-exemption";

fn enforce_path() -> String {
    key_path("metadata.labels", ENFORCE)
}

/// The enforced level of a Namespace object (None when unset or invalid).
fn enforced(namespace: &Document) -> Option<Level> {
    string_map(get(&namespace.value, "metadata.labels"))
        .get(ENFORCE)
        .and_then(|l| Level::parse(l))
}

rule!(NamespacePsaEnforce {
    id: "namespace-psa-enforce",
    title: "Namespaces enforce a Pod Security level",
    severity: Error,
    kinds: &["Namespace"],
    rationale: "Without a valid `pod-security.kubernetes.io/enforce` label, Pod Security Admission applies only the cluster default (often privileged): nothing stops a privileged pod.",
    fix: "label the namespace `pod-security.kubernetes.io/enforce: restricted` (and audit/warn, with pinned -version labels)",
    refs: ["PSA pod-security.kubernetes.io/enforce", "CIS 5.2.1"],
    check: |doc, _| {
        let labels = string_map(get(&doc.value, "metadata.labels"));
        match labels.get(ENFORCE) {
            None => vec![Hit::new(
                "metadata.labels",
                format!("namespace `{}` has no {ENFORCE} label", doc.name()),
            )],
            Some(l) if Level::parse(l).is_none() => vec![Hit::new(
                enforce_path(),
                format!("`{l}` is not a Pod Security level"),
            )],
            Some(_) => Vec::new(),
        }
    },
});

rule!(NamespacePsaRestricted {
    id: "namespace-psa-restricted",
    title: "Namespaces below restricted say why",
    severity: Warning,
    kinds: &["Namespace"],
    rationale: "baseline and privileged allow root, capabilities or host access for every pod of the namespace; such an exception should be deliberate and written down next to it.",
    fix: "enforce `restricted`, or add the annotation `kubeward.dev/pod-security-exemption: \"<reason>\"` (the spec field `podSecurityExemption`)",
    refs: ["PSS restricted", "CIS 5.2.1"],
    check: |doc, _| {
        let reason = string_map(get(&doc.value, "metadata.annotations"))
            .get(EXEMPTION)
            .is_some_and(|r| !r.trim().is_empty());
        match enforced(doc) {
            Some(l @ (Level::Baseline | Level::Privileged)) if !reason => vec![Hit::new(
                enforce_path(),
                format!(
                    "namespace `{}` enforces {} without a {EXEMPTION} annotation",
                    doc.name(),
                    l.as_str()
                ),
            )],
            _ => Vec::new(),
        }
    },
});

rule!(NamespacePsaFitsPods {
    id: "namespace-psa-fits-pods",
    title: "Pods satisfy their namespace's Pod Security level",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "Pod Security Admission rejects a pod that breaks its namespace's enforced level: the Deployment is accepted but never gets a pod. Scope: checked when the bundle holds the pod's Namespace object with a valid enforce label; one finding per field, naming the first PSA control it breaks.",
    fix: "harden the pod (see the control named in the message), or lower the namespace level with a written exemption",
    refs: ["PSS baseline", "PSS restricted", "CIS 5.2.1"],
    check: |doc, all| {
        let Some(level) = all
            .of_kind("Namespace")
            .find(|d| d.name() == ns(doc))
            .and_then(enforced)
        else {
            return Vec::new();
        };
        let mut seen = std::collections::BTreeSet::new();
        psa::violations(doc, level)
            .into_iter()
            .filter(|(_, h)| seen.insert(h.path.clone()))
            .map(|(c, h)| {
                let what = format!(
                    "namespace `{}` enforces {} ({})",
                    ns(doc),
                    level.as_str(),
                    c.name
                );
                Hit::new(h.path, format!("{what}: {}", h.message))
            })
            .collect()
    },
});

const QUOTA_KEYS: &[(&str, &str)] = &[
    ("requests.cpu", "cpu"),
    ("requests.memory", "memory"),
    ("limits.cpu", ""),
    ("limits.memory", ""),
];

rule!(NamespaceResourceQuota {
    id: "namespace-resource-quota",
    title: "Namespaces have a compute ResourceQuota",
    severity: Warning,
    kinds: &["Namespace"],
    rationale: "Without a quota one namespace can claim the whole cluster's CPU and memory. Scope: judged on the Namespace object, from the ResourceQuotas of that namespace in the same bundle.",
    fix: "add a ResourceQuota with `requests.cpu`, `requests.memory`, `limits.cpu` and `limits.memory` in `spec.hard`",
    refs: ["NSA/CISA 4.0", "Trivy KSV040"],
    check: |doc, all| {
        let hard: Vec<String> = of_kind(all, "ResourceQuota", doc.name())
            .flat_map(|q| string_map(get(&q.value, "spec.hard")).into_keys())
            .collect();
        let missing: Vec<&str> = QUOTA_KEYS
            .iter()
            .filter(|(k, alias)| {
                !hard
                    .iter()
                    .any(|h| h == k || (!alias.is_empty() && h == alias))
            })
            .map(|(k, _)| *k)
            .collect();
        (!missing.is_empty())
            .then(|| {
                Hit::new(
                    "metadata.name",
                    format!(
                        "namespace `{}` has no quota for {}",
                        doc.name(),
                        missing.join(", ")
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(NamespaceLimitRange {
    id: "namespace-limit-range",
    title: "Namespaces default container resources with a LimitRange",
    severity: Warning,
    kinds: &["Namespace"],
    rationale: "A LimitRange gives containers that forget their requests and limits sane defaults; with a ResourceQuota in place, such pods are otherwise rejected. Scope: judged on the Namespace object, from the LimitRanges of that namespace in the same bundle.",
    fix: "add a LimitRange with a `type: Container` entry setting `default` and `defaultRequest` (and `max`)",
    refs: ["NSA/CISA 4.1", "Trivy KSV039"],
    check: |doc, all| {
        let ok = of_kind(all, "LimitRange", doc.name()).any(|l| {
            items(&l.value["spec"], "limits").any(|(_, x)| {
                x.get("type").and_then(Value::as_str) == Some("Container")
                    && x.get("default").is_some()
                    && x.get("defaultRequest").is_some()
            })
        });
        (!ok)
            .then(|| {
                Hit::new(
                    "metadata.name",
                    format!(
                        "namespace `{}` has no LimitRange defaulting container resources",
                        doc.name()
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(ExplicitNonDefaultNamespace {
    id: "explicit-non-default-namespace",
    title: "Objects name their namespace, and it is not default or a system one",
    severity: Warning,
    kinds: NAMESPACED_KINDS.as_slice(),
    rationale: "Without `metadata.namespace` an object lands wherever the current kubectl context points; `default` mixes unrelated apps under one set of policies, and kube-system is the control plane's. The `default` ServiceAccount and the `kubernetes` Service are exempt.",
    fix: "set `metadata.namespace` to the app's own namespace on every namespaced object",
    refs: ["CKV_K8S_21", "CIS 5.6.1", "CIS 5.6.4", "NSA/CISA 1.12"],
    check: |doc, _| {
        let builtin = (doc.kind() == "ServiceAccount" && doc.name() == "default")
            || (doc.kind() == "Service" && doc.name() == "kubernetes");
        match doc.namespace() {
            _ if builtin => Vec::new(),
            None => vec![Hit::new(
                "metadata",
                "the object does not name its namespace",
            )],
            Some(n @ ("default" | "kube-system" | "kube-public" | "kube-node-lease")) => {
                vec![Hit::new(
                    "metadata.namespace",
                    format!("the object is in namespace `{n}`"),
                )]
            }
            Some(_) => Vec::new(),
        }
    },
});
