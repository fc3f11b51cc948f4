//! Admission policy rules: a ValidatingAdmissionPolicy fails closed and its binding denies.

use serde_yaml::Value;

use super::select::strings;
use super::{Hit, get, rule};

rule!(AdmissionBindingDenies {
    id: "admission-binding-denies",
    title: "ValidatingAdmissionPolicyBindings deny what their policy refuses",
    severity: Warning,
    kinds: &["ValidatingAdmissionPolicyBinding"],
    rationale: "`validationActions` without `Deny` only audits or warns: an image from an untrusted registry, or whatever else the policy refuses, is admitted anyway. `[Warn, Audit]` is a rollout stage, not an enforcement.",
    fix: "add `Deny` to `spec.validationActions` (e.g. `[Deny, Audit]`); while rolling out, exempt the binding with the reason and a date",
    refs: [
        "Kubernetes ValidatingAdmissionPolicyBinding validationActions",
        "NSA/CISA Kubernetes hardening: admission control"
    ],
    check: |doc, _| {
        let actions = strings(&doc.value["spec"], "validationActions");
        (!actions.contains(&"Deny"))
            .then(|| {
                let have = if actions.is_empty() {
                    "none".to_string()
                } else {
                    actions.join(", ")
                };
                Hit::new(
                    "spec.validationActions",
                    format!("the binding does not deny (validationActions: {have})"),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(AdmissionPolicyFailsClosed {
    id: "admission-policy-fails-closed",
    title: "ValidatingAdmissionPolicies fail closed",
    severity: Warning,
    kinds: &["ValidatingAdmissionPolicy"],
    rationale: "With `failurePolicy: Ignore`, a policy whose expression errors (a missing param, a type error) admits the request: a broken policy silently enforces nothing.",
    fix: "set `spec.failurePolicy: Fail` (the default) and test the policy's expressions",
    refs: ["Kubernetes ValidatingAdmissionPolicy failurePolicy"],
    check: |doc, _| {
        let ignore =
            get(&doc.value, "spec.failurePolicy").and_then(Value::as_str) == Some("Ignore");
        ignore
            .then(|| {
                Hit::new(
                    "spec.failurePolicy",
                    "`Ignore` admits every request the policy fails to evaluate",
                )
            })
            .into_iter()
            .collect()
    },
});
