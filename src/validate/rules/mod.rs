//! The hardening rule catalogue: one unit struct per rule (see `contract.rs`), listed
//! once in [`RULES`], grouped by domain (one file per group), and the runs over the
//! input.

mod admission;
mod autoscaling;
mod availability;
mod batch;
mod container;
mod contract;
mod cross;
mod hostpath;
mod identity;
mod ingress;
mod metadata;
mod namespace;
mod network;
mod pod;
mod probes;
pub(crate) mod psa;
mod pss;
mod quota;
mod rbac;
mod refs;
mod registry;
mod scheduling;
pub(crate) mod scope;
pub(crate) mod select;
mod service;
mod walk;
mod workload;

use std::collections::HashMap;

use super::{Document, Finding, Options};

pub(crate) use contract::rule;
pub use contract::{Context, Hit, Rule, Whole};
pub use scope::{Index, Scope};
pub use walk::{ContainerPath, cname, containers, get, key, main_containers, pod_spec};

pub use crate::k8s::kind::{CONTROLLERS, LONG_RUNNING, POD_KINDS, WORKLOADS_AND_SERVICES};

/// Every rule, in catalogue order.
pub static RULES: &[&dyn Rule] = &[
    &pod::NoPrivileged,
    &pod::NoPrivilegeEscalation,
    &pod::RunAsNonRoot,
    &pod::RunAsHighUid,
    &pod::DropAllCapabilities,
    &pod::NoAddedCapabilities,
    &pod::ReadOnlyRootFs,
    &pod::SeccompRuntimeDefault,
    &pod::NoHostNamespaces,
    &pod::NoHostPath,
    &hostpath::HostPathSensitive,
    &hostpath::HostPathWritable,
    &pod::NoHostPorts,
    &workload::ImageDigest,
    &workload::ImageTagPinned,
    &workload::ImagePullPolicyAlways,
    &registry::ImageRegistryAllowed,
    &workload::CpuRequests,
    &workload::CpuLimits,
    &workload::MemoryRequests,
    &workload::MemoryLimits,
    &workload::EphemeralStorage,
    &workload::LivenessProbe,
    &workload::ReadinessProbe,
    &probes::ProbesDistinct,
    &workload::AutomountTokenDisabled,
    &workload::NoSecretsInEnv,
    // Pod Security Standards controls not covered above.
    &pss::NoWindowsHostProcess,
    &pss::ProcMountDefault,
    &pss::NoUnsafeSysctls,
    &pss::SelinuxOptionsRestricted,
    &pss::ApparmorNotUnconfined,
    &pss::NoProbeHostOverride,
    &pss::RestrictedVolumeTypes,
    // Identity: service accounts, groups, security contexts.
    &identity::DedicatedServiceAccount,
    &identity::ServiceAccountExists,
    &identity::DefaultSaNoAutomount,
    &identity::NoRootGroup,
    &identity::PodSecurityContextPresent,
    &identity::ContainerSecurityContextPresent,
    &identity::NoHostAliases,
    // Container hygiene: ports, probes, environment.
    &container::ProbePortDeclared,
    &container::NoPrivilegedPorts,
    &container::NoSshPort,
    &container::NoDuplicateEnv,
    &container::NoSensitiveLiteralEnv,
    // Availability.
    &availability::DeploymentReplicasMin,
    &availability::PdbExists,
    &availability::PdbAllowsDisruption,
    &availability::PdbUnhealthyEvictionPolicy,
    &availability::TopologySpread,
    &availability::PodAntiAffinity,
    &availability::RollingUpdateStrategy,
    &availability::SelectorMatchesTemplate,
    &scheduling::PriorityClass,
    &scheduling::PriorityClassExists,
    // Autoscaling and batch.
    &autoscaling::HpaReplicasUnset,
    &autoscaling::HpaMinMax,
    &autoscaling::HpaTargetExists,
    &batch::JobRestartPolicy,
    &batch::CronjobStartingDeadline,
    &batch::CronjobConcurrencyPolicy,
    &batch::JobTtlAfterFinished,
    // Services and Ingresses.
    &service::ServiceTypeClusterIp,
    &service::ServiceTargetsPods,
    &service::ValidPortNames,
    &service::ServiceNoExternalIps,
    &service::IngressTls,
    &service::IngressNoSnippets,
    &ingress::IngressNginxAnnotationInjection,
    // RBAC: roles.
    &rbac::roles::RbacNoWildcards,
    &rbac::roles::RbacNoSecretRead,
    &rbac::roles::RbacNoExecAttachProxy,
    &rbac::roles::RbacNoCreateWorkloads,
    &rbac::roles::RbacNoPvOrTokenCreate,
    &rbac::write::RbacNoWorkloadWrite,
    &rbac::write::RbacNoSecretWrite,
    &rbac::write::RbacNoTrafficWrite,
    &rbac::write::RbacNoConfigmapWrite,
    &rbac::write::RbacNoLogDelete,
    &rbac::admin::RbacNoEscalateBindImpersonate,
    &rbac::admin::RbacNoWebhookConfigWrite,
    &rbac::admin::RbacNoCsrApproval,
    &rbac::admin::RbacNoServicesStatusWrite,
    // RBAC: bindings.
    &rbac::bindings::RbacNoClusterAdmin,
    &rbac::bindings::RbacNoAnonymousOrMasters,
    &rbac::bindings::NoDefaultSaBindings,
    &rbac::bindings::RbacNoBroadBuiltinRoles,
    &rbac::bindings::RbacNoAuthenticatedGroup,
    // Admission policies.
    &admission::AdmissionBindingDenies,
    &admission::AdmissionPolicyFailsClosed,
    // NetworkPolicy.
    &network::NetpolDefaultDeny,
    &network::NetpolSelectsEveryPod,
    &network::NetpolDnsEgress,
    &network::NetpolTargetsPods,
    &network::NetpolPeerTargetsPods,
    &network::NetpolNoAllowAll,
    &network::NetpolPeerOrTrap,
    &network::NetpolNamespaceLabelExists,
    // Namespaces.
    &namespace::NamespacePsaEnforce,
    &namespace::NamespacePsaRestricted,
    &namespace::NamespacePsaFitsPods,
    &namespace::NamespaceResourceQuota,
    &namespace::NamespaceLimitRange,
    &namespace::ExplicitNonDefaultNamespace,
    &quota::QuotaFit,
    &cross::PdbTargetsPods,
    &cross::ServiceTargetPortExists,
    &refs::IngressBackendExists,
    &refs::StatefulsetHeadlessService,
    &refs::EnvRefsExist,
    // Metadata.
    &metadata::RecommendedLabels,
    &metadata::InstanceLabelMatchesName,
    &metadata::ValidLabelValues,
    &metadata::NoSensitiveConfigmapContent,
];

/// Look a rule up by id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// Run every rule that is not skipped over every document.
///
/// Cross-object rules look only within the checked object's group (its namespace, see
/// [`scope`]), through an index built once, so the cost grows with the input and the
/// size of the answers, not with the square of a namespace. Rules that need a unit's
/// whole input at once run in [`run_whole`].
/// `unit` names the unit of a namespace-less object (`None`: the input is one cluster).
pub fn run(
    docs: &[Document],
    opts: &Options,
    unit: &(dyn Fn(&Document) -> Option<String> + Sync),
) -> Vec<Finding> {
    let index = Index::new(docs, unit);
    // The rules of each kind, chosen once per kind rather than once per document.
    let mut by_kind: HashMap<&str, Vec<&dyn Rule>> = HashMap::new();
    for doc in docs {
        by_kind.entry(doc.kind()).or_insert_with(|| {
            RULES
                .iter()
                .copied()
                .filter(|r| r.kinds().contains(&doc.kind()) && !opts.skip.contains(r.id()))
                .collect()
        });
    }
    // Documents in runs of a few dozen, spread over the threads; the findings come back
    // in document order.
    const RUN: usize = 32;
    let runs = docs.chunks(RUN).enumerate();
    let found = crate::par::map(runs, crate::par::threads(opts.jobs), |(r, run)| {
        let mut out = Vec::new();
        for (k, doc) in run.iter().enumerate() {
            let scope = index.scope(r * RUN + k);
            let cx = Context {
                scope: &scope,
                opts,
            };
            for rule in &by_kind[doc.kind()] {
                let hits = rule.check(doc, &cx);
                Finding::capped(&mut out, doc, (rule.id(), rule.severity()), hits, |hit| {
                    finding(*rule, doc, hit)
                });
            }
        }
        out
    });
    found.into_iter().flatten().collect()
}

/// The whole-input hooks of every rule that is not skipped, over the documents of one
/// unit (each rule's findings in the order it gives them).
pub fn run_whole(docs: &[Document], opts: &Options) -> Vec<Finding> {
    let input = Whole::new(docs);
    let mut out = Vec::new();
    for rule in RULES.iter().filter(|r| !opts.skip.contains(r.id())) {
        for (i, hit) in rule.check_whole(&input) {
            if let Some(doc) = docs.get(i) {
                out.push(finding(*rule, doc, hit));
            }
        }
    }
    out
}

/// The finding of `rule` that `hit` makes on `doc`.
fn finding(rule: &dyn Rule, doc: &Document, hit: Hit) -> Finding {
    Finding {
        rule: rule.id().into(),
        severity: rule.severity(),
        file: doc.file.clone(),
        pos: Some(doc.key_position(&hit.path)),
        object: doc.describe(),
        path: Some(hit.path).filter(|p| !p.is_empty()),
        message: hit.message,
        help: rule.fix().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_invariants() {
        let mut ids = std::collections::BTreeSet::new();
        for r in RULES {
            assert!(ids.insert(r.id()), "duplicate id {}", r.id());
            assert!(
                r.id()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                r.id()
            );
            assert!(
                !r.id().starts_with('-') && !r.id().ends_with('-') && !r.id().contains("--"),
                "{}",
                r.id()
            );
            assert!(
                !r.title().is_empty() && !r.rationale().is_empty() && !r.fix().is_empty(),
                "{}",
                r.id()
            );
            assert!(
                !r.kinds().is_empty() && !r.references().is_empty(),
                "{}",
                r.id()
            );
        }
    }
}
