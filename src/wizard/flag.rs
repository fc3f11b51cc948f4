//! The flags that answer the wizard's questions: one variant per flag, the one place that
//! spells each flag, and the answers given as flags ([`Preset`]).

use std::collections::BTreeMap;
use std::fmt;

/// A flag of `kubeward init` that answers a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flag {
    App,
    Image,
    Namespace,
    Port,
    ServicePort,
    Replicas,
    CpuRequest,
    CpuLimit,
    MemoryRequest,
    MemoryLimit,
    WritablePath,
    Probe,
    ReadinessProbe,
    Env,
    SecretFile,
    Team,
    QuotaPods,
    QuotaCpu,
    QuotaMemory,
    IngressFrom,
    Access,
    Flow,
    Registry,
    CiPipeline,
    Logging,
    LogEndpoint,
    LogCidr,
    NoAdmissionPolicy,
    NoAudit,
}

impl Flag {
    /// Every flag, in the order of `kubeward init --help`.
    pub const ALL: [Flag; 29] = [
        Flag::App,
        Flag::Image,
        Flag::Namespace,
        Flag::Port,
        Flag::ServicePort,
        Flag::Replicas,
        Flag::CpuRequest,
        Flag::CpuLimit,
        Flag::MemoryRequest,
        Flag::MemoryLimit,
        Flag::WritablePath,
        Flag::Probe,
        Flag::ReadinessProbe,
        Flag::Env,
        Flag::SecretFile,
        Flag::Team,
        Flag::QuotaPods,
        Flag::QuotaCpu,
        Flag::QuotaMemory,
        Flag::IngressFrom,
        Flag::Access,
        Flag::Flow,
        Flag::Registry,
        Flag::CiPipeline,
        Flag::Logging,
        Flag::LogEndpoint,
        Flag::LogCidr,
        Flag::NoAdmissionPolicy,
        Flag::NoAudit,
    ];

    /// The flag as it is typed and named in messages (`--image`).
    pub const fn name(self) -> &'static str {
        match self {
            Flag::App => "--app",
            Flag::Image => "--image",
            Flag::Namespace => "--namespace",
            Flag::Port => "--port",
            Flag::ServicePort => "--service-port",
            Flag::Replicas => "--replicas",
            Flag::CpuRequest => "--cpu-request",
            Flag::CpuLimit => "--cpu-limit",
            Flag::MemoryRequest => "--memory-request",
            Flag::MemoryLimit => "--memory-limit",
            Flag::WritablePath => "--writable-path",
            Flag::Probe => "--probe",
            Flag::ReadinessProbe => "--readiness-probe",
            Flag::Env => "--env",
            Flag::SecretFile => "--secret-file",
            Flag::Team => "--team",
            Flag::QuotaPods => "--quota-pods",
            Flag::QuotaCpu => "--quota-cpu",
            Flag::QuotaMemory => "--quota-memory",
            Flag::IngressFrom => "--ingress-from",
            Flag::Access => "--access",
            Flag::Flow => "--flow",
            Flag::Registry => "--registry",
            Flag::CiPipeline => "--ci-pipeline",
            Flag::Logging => "--logging",
            Flag::LogEndpoint => "--log-endpoint",
            Flag::LogCidr => "--log-cidr",
            Flag::NoAdmissionPolicy => "--no-admission-policy",
            Flag::NoAudit => "--no-audit",
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The answers given as flags: the values of each flag given (a repeatable flag keeps
/// each value; a switch such as `--no-audit` has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preset(BTreeMap<Flag, Vec<String>>);

impl Preset {
    /// Record the values of `flag`; no values is a flag not given.
    pub fn set(&mut self, flag: Flag, values: Vec<String>) {
        if !values.is_empty() {
            self.0.insert(flag, values);
        }
    }

    /// Record a switch (`--no-audit`) when it is on.
    pub fn switch(&mut self, flag: Flag, on: bool) {
        if on {
            self.0.insert(flag, Vec::new());
        }
    }

    /// Add one value of `flag` (as given once more on the command line).
    pub fn push(&mut self, flag: Flag, value: impl Into<String>) {
        self.0.entry(flag).or_default().push(value.into());
    }

    /// The values of `flag`, if it was given.
    pub fn get(&self, flag: Flag) -> Option<&Vec<String>> {
        self.0.get(&flag)
    }

    /// Whether `flag` was given.
    pub fn has(&self, flag: Flag) -> bool {
        self.0.contains_key(&flag)
    }
}
