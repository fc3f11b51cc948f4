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
mod rbac_admin;
mod rbac_bindings;
mod rbac_write;
mod refs;
mod registry;
mod scheduling;
pub(crate) mod scope;
pub(crate) mod select;
mod service;
mod workload;

use std::collections::HashMap;

use serde_yaml::Value;

use crate::diag::Severity;

use super::{Document, Finding, Options};

pub use scope::{Index, Scope};

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
    /// Problems of `doc`, seen with the documents of its scope (its namespace) in `all`.
    fn check(&self, doc: &Document, all: &Scope) -> Vec<Hit>;
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

/// Define a rule as a unit struct with its metadata and check function.
macro_rules! rule {
    ($(#[$meta:meta])* $name:ident {
        id: $id:literal, title: $title:literal, severity: $sev:ident, kinds: $kinds:expr,
        rationale: $rationale:literal, fix: $fix:literal, refs: [$($r:literal),* $(,)?],
        check: $check:expr $(,)?
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
            fn check(&self, doc: &$crate::validate::Document, all: &$crate::validate::rules::Scope) -> Vec<$crate::validate::rules::Hit> {
                let f: fn(&$crate::validate::Document, &$crate::validate::rules::Scope) -> Vec<$crate::validate::rules::Hit> = $check;
                f(doc, all)
            }
        }
    };
}
pub(crate) use rule;

use crate::k8s::kind::pod_template;
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
    &rbac::RbacNoWildcards,
    &rbac::RbacNoSecretRead,
    &rbac::RbacNoExecAttachProxy,
    &rbac::RbacNoCreateWorkloads,
    &rbac::RbacNoPvOrTokenCreate,
    &rbac_write::RbacNoWorkloadWrite,
    &rbac_write::RbacNoSecretWrite,
    &rbac_write::RbacNoTrafficWrite,
    &rbac_write::RbacNoConfigmapWrite,
    &rbac_write::RbacNoLogDelete,
    &rbac_admin::RbacNoEscalateBindImpersonate,
    &rbac_admin::RbacNoWebhookConfigWrite,
    &rbac_admin::RbacNoCsrApproval,
    &rbac_admin::RbacNoServicesStatusWrite,
    // RBAC: bindings.
    &rbac_bindings::RbacNoClusterAdmin,
    &rbac_bindings::RbacNoAnonymousOrMasters,
    &rbac_bindings::NoDefaultSaBindings,
    &rbac_bindings::RbacNoBroadBuiltinRoles,
    &rbac_bindings::RbacNoAuthenticatedGroup,
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
/// size of the answers, not with the square of a namespace. The rules that need the
/// whole input (Namespaces of other namespaces) run once, in [`super::netpol::lint`].
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
            check_one(doc, &scope, &by_kind[doc.kind()], opts, &mut out);
        }
        out
    });
    found.into_iter().flatten().collect()
}

fn check_one(
    doc: &Document,
    all: &Scope,
    rules: &[&dyn Rule],
    opts: &Options,
    out: &mut Vec<Finding>,
) {
    for rule in rules {
        // The registry allow-list is the run's option, which the rule's check cannot see.
        let hits = if rule.id() == registry::ImageRegistryAllowed.id() {
            registry::hits(doc, &opts.registries)
        } else {
            rule.check(doc, all)
        };
        Finding::capped(out, doc, (rule.id(), rule.severity()), hits, |hit| {
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
        });
    }
}

/// The pod spec of a workload and the path to it.
pub fn pod_spec(doc: &Document) -> Option<(&'static str, &Value)> {
    let path = pod_template(doc.kind())?.spec;
    Some((path, get(&doc.value, path)?))
}

/// Where a container is: `{pod}.{list}[{index}]`, written out only when a finding
/// names it (the rules visit every container of every pod many times).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerPath<'p> {
    pod: &'p str,
    list: &'static str,
    index: usize,
}

impl ContainerPath<'_> {
    /// Whether this is an init container.
    pub fn is_init(&self) -> bool {
        self.list == "initContainers"
    }
}

impl std::fmt::Display for ContainerPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}[{}]", self.pod, self.list, self.index)
    }
}

/// Every container (init containers first) of a pod spec with its path.
pub fn containers<'p, 'a>(prefix: &'p str, pod: &'a Value) -> Vec<(ContainerPath<'p>, &'a Value)> {
    let mut out = Vec::new();
    for list in ["initContainers", "containers"] {
        let items = key(pod, list)
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten();
        for (index, c) in items.enumerate() {
            out.push((
                ContainerPath {
                    pod: prefix,
                    list,
                    index,
                },
                c,
            ));
        }
    }
    out
}

/// The regular (non-init) containers of a pod spec with their paths.
pub fn main_containers<'p, 'a>(
    prefix: &'p str,
    pod: &'a Value,
) -> Vec<(ContainerPath<'p>, &'a Value)> {
    let mut all = containers(prefix, pod);
    all.retain(|(p, _)| !p.is_init());
    all
}

/// Follow a dotted path of keys.
pub fn get<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, key)
}

/// The value of `k` in mapping `v`, as `v.get(k)` finds it. Most mappings of a manifest
/// hold a few keys, which a scan finds sooner than hashing `k` would (the rules look up
/// millions of keys in a large input); larger mappings are looked up by hash.
pub fn key<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    let m = match v {
        Value::Mapping(m) => m,
        Value::Tagged(t) => return key(&t.value, k),
        _ => return None,
    };
    if m.len() > 8 {
        return m.get(k);
    }
    m.iter()
        .find_map(|(mk, mv)| matches!(mk, Value::String(s) if s == k).then_some(mv))
}

/// A container's display name for messages.
pub fn cname(c: &Value) -> &str {
    c.get("name").and_then(Value::as_str).unwrap_or("?")
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
