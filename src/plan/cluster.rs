//! Cluster-wide objects: the API-server audit policy and the supply-chain admission
//! policy that admits only digest-pinned images from the trusted registries.

use serde_json::json;

use crate::spec::LoadedSpec;

use super::PlannedObject;

/// Whether the spec asks for the admission policy (default: when registries are set).
pub fn admission_policy_enabled(spec: &LoadedSpec) -> bool {
    let s = &spec.spec;
    !s.registries.is_empty()
        && s.supply_chain
            .as_ref()
            .and_then(|c| c.admission_policy)
            .unwrap_or(true)
}

/// Objects that belong to no namespace of the spec, in output order.
pub fn objects(spec: &LoadedSpec) -> Vec<PlannedObject> {
    let s = &spec.spec;
    let mut out = Vec::new();
    if admission_policy_enabled(spec) {
        let namespaces: Vec<&str> = s.namespaces.iter().map(|n| n.name.as_str()).collect();
        out.push(PlannedObject::new(
            "supply-chain/admission-policy",
            "cluster/validatingadmissionpolicy.yaml",
            json!({}),
        ));
        out.push(PlannedObject::new(
            "supply-chain/admission-binding",
            "cluster/validatingadmissionpolicybinding.yaml",
            json!({ "namespaces": namespaces }),
        ));
    }
    if s.audit.unwrap_or(true) {
        let mut audit = PlannedObject::new(
            "cluster/audit-policy",
            "cluster/audit-policy.yaml",
            json!({}),
        );
        audit.apply = false;
        out.push(audit);
    }
    out
}

/// The per-namespace parameter of the admission policy.
pub fn trusted_registries(spec: &LoadedSpec, namespace: &str) -> Option<PlannedObject> {
    admission_policy_enabled(spec).then(|| {
        let registries: String = spec
            .spec
            .registries
            .iter()
            .map(|r| format!("{r}\n"))
            .collect();
        PlannedObject::new(
            "supply-chain/trusted-registries",
            &format!("{namespace}/configmap-trusted-registries.yaml"),
            json!({ "namespace": namespace, "registries": registries }),
        )
    })
}
