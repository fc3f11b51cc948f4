//! The hardening rule catalogue: one unit struct per rule, listed once in [`RULES`],
//! grouped by domain (one file per group).

mod admission;
mod autoscaling;
mod availability;
mod batch;
mod container;
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
use std::sync::OnceLock;

use crate::diag::Severity;

use super::netpol::{Evaluation, Policy, lint};
use super::{Document, Finding, Options};

pub use scope::{Index, Scope};
pub use walk::{ContainerPath, cname, containers, get, key, main_containers, pod_spec};

/// A hardening rule. Ids are hand-written, stable and kebab-case: users' exemptions name them.
pub trait Rule: Sync {
    fn id(&self) -> &'static str;
    fn title(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// Kinds the rule looks at.
    fn kinds(&self) -> &'static [&'static str];
    fn rationale(&self) -> &'static str;
    fn fix(&self) -> &'static str;
    /// PSS control, checkov id, CIS item…
    fn references(&self) -> &'static [&'static str];
    /// Problems of `doc`, seen with the run's options and the documents of its scope
    /// (its namespace).
    fn check(&self, doc: &Document, cx: &Context) -> Vec<Hit>;
    /// Problems only the whole input shows at once (a unit's documents, evaluated
    /// together), each with the index of its document in `input.docs`. Run once per
    /// unit, before the per-document checks.
    fn check_whole(&self, _input: &Whole) -> Vec<(usize, Hit)> {
        Vec::new()
    }
}

/// What a rule sees while it checks one document.
pub struct Context<'a> {
    /// The documents of the document's scope, indexed.
    pub scope: &'a Scope<'a>,
    /// The run's options (`--registry`, `--skip`…).
    pub opts: &'a Options,
}

/// What a whole-input rule sees: the documents of one unit, and what is read from all
/// of them at once, built the first time a rule asks and shared by the others.
pub struct Whole<'a> {
    pub docs: &'a [Document],
    evaluation: OnceLock<Evaluation>,
    policies: OnceLock<Vec<Policy>>,
}

impl<'a> Whole<'a> {
    pub fn new(docs: &'a [Document]) -> Self {
        Whole {
            docs,
            evaluation: OnceLock::new(),
            policies: OnceLock::new(),
        }
    }

    /// The NetworkPolicy evaluation of the documents (with `check`'s additions).
    pub fn evaluation(&self) -> &Evaluation {
        self.evaluation.get_or_init(|| lint::evaluation(self.docs))
    }

    /// The NetworkPolicies of the documents: the evaluation's, when it was built.
    pub fn policies(&self) -> &[Policy] {
        match self.evaluation.get() {
            Some(e) => &e.policies,
            None => self.policies.get_or_init(|| lint::policies(self.docs)),
        }
    }
}

/// One problem a rule found: where (a path in the document) and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub path: String,
    pub message: String,
}

impl Hit {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Hit {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Define a rule as a unit struct with its metadata and its check: `check:` a function
/// of the document and its scope, `check_in_context:` one of the document and the whole
/// [`Context`], or `whole:` one of the [`Whole`] input.
macro_rules! rule {
    ($(#[$meta:meta])* $name:ident {
        id: $id:literal, title: $title:literal, severity: $sev:ident, kinds: $kinds:expr,
        rationale: $rationale:literal, fix: $fix:literal, refs: [$($r:literal),* $(,)?],
        $how:ident: $check:expr $(,)?
    }) => {
        $(#[$meta])*
        pub struct $name;
        impl $crate::validate::rules::Rule for $name {
            fn id(&self) -> &'static str { $id }
            fn title(&self) -> &'static str { $title }
            fn severity(&self) -> $crate::diag::Severity { $crate::diag::Severity::$sev }
            fn kinds(&self) -> &'static [&'static str] { $kinds }
            fn rationale(&self) -> &'static str { $rationale }
            fn fix(&self) -> &'static str { $fix }
            fn references(&self) -> &'static [&'static str] { &[$($r),*] }
            $crate::validate::rules::rule!(@ $how $check);
        }
    };
    (@ check $check:expr) => {
        fn check(&self, doc: &$crate::validate::Document, cx: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            let f: fn(&$crate::validate::Document, &$crate::validate::rules::Scope) -> Vec<$crate::validate::rules::Hit> = $check;
            f(doc, cx.scope)
        }
    };
    (@ check_in_context $check:expr) => {
        fn check(&self, doc: &$crate::validate::Document, cx: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            let f: fn(&$crate::validate::Document, &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> = $check;
            f(doc, cx)
        }
    };
    (@ whole $check:expr) => {
        fn check(&self, _: &$crate::validate::Document, _: &$crate::validate::rules::Context) -> Vec<$crate::validate::rules::Hit> {
            Vec::new()
        }
        fn check_whole(&self, input: &$crate::validate::rules::Whole) -> Vec<(usize, $crate::validate::rules::Hit)> {
            let f: fn(&$crate::validate::rules::Whole) -> Vec<(usize, $crate::validate::rules::Hit)> = $check;
            f(input)
        }
    };
}
pub(crate) use rule;

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
