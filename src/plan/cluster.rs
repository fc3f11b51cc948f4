//! Cluster-wide objects: the API-server audit policy and the supply-chain admission
//! policy that admits only digest-pinned images from the trusted registries.

use serde::Serialize;

use crate::k8s::kind::{self, Kind};
use crate::resolve::Model;
use crate::resolve::model::Namespace;

use super::{PlannedObject, View};

#[derive(Serialize)]
pub struct AdmissionPolicyView {}

view!(
    AdmissionPolicyView,
    "supply-chain/admission-policy",
    kind::VALIDATING_ADMISSION_POLICY
);

#[derive(Serialize)]
pub struct AdmissionBindingView {
    namespaces: Vec<String>,
}

view!(
    AdmissionBindingView,
    "supply-chain/admission-binding",
    kind::VALIDATING_ADMISSION_POLICY_BINDING
);

#[derive(Serialize)]
pub struct TrustedRegistriesView {
    namespace: String,
    /// One prefix per line.
    registries: String,
}

view!(
    TrustedRegistriesView,
    "supply-chain/trusted-registries",
    kind::CONFIG_MAP
);

#[derive(Serialize)]
pub struct AuditPolicyView {}

view!(AuditPolicyView, "cluster/audit-policy", kind::AUDIT_POLICY);

pub const TEMPLATES: [(&str, Kind); 4] = [
    (AdmissionPolicyView::TEMPLATE, AdmissionPolicyView::KIND),
    (AdmissionBindingView::TEMPLATE, AdmissionBindingView::KIND),
    (TrustedRegistriesView::TEMPLATE, TrustedRegistriesView::KIND),
    (AuditPolicyView::TEMPLATE, AuditPolicyView::KIND),
];

/// Objects that belong to no namespace of the spec, in output order.
pub fn objects(model: &Model) -> Vec<PlannedObject> {
    let mut out = Vec::new();
    if model.admission_policy {
        out.push(PlannedObject::new(
            "cluster/validatingadmissionpolicy.yaml".into(),
            &AdmissionPolicyView {},
        ));
        let namespaces = model.namespaces.iter().map(|n| n.name.clone()).collect();
        out.push(PlannedObject::new(
            "cluster/validatingadmissionpolicybinding.yaml".into(),
            &AdmissionBindingView { namespaces },
        ));
    }
    if model.audit {
        let mut audit = PlannedObject::new("cluster/audit-policy.yaml".into(), &AuditPolicyView {});
        audit.apply = false;
        out.push(audit);
    }
    out
}

/// The per-namespace parameter of the admission policy: the registries it trusts there.
pub fn trusted_registries(ns: &Namespace) -> Option<PlannedObject> {
    (!ns.registries.is_empty()).then(|| {
        let registries: String = ns.registries.iter().map(|r| format!("{r}\n")).collect();
        PlannedObject::new(
            format!("{}/configmap-trusted-registries.yaml", ns.name),
            &TrustedRegistriesView {
                namespace: ns.name.clone(),
                registries,
            },
        )
    })
}
