//! `kubeward onboard`: namespace bundles without apps — quota, container defaults,
//! default-deny and DNS policies, and least-privilege RBAC — from flags or from a spec
//! that lists only namespaces.

use std::path::PathBuf;

use kubeward::resolve::resolve;
use kubeward::spec::{
    Access, AccessRole, ArgMap, CpuMemory, LoadedSpec, Namespace, Quantity, Quota, Spec, Subject,
    SubjectKind, load,
};

use super::render::{emit, report_spec};
use super::{Exit, OutputArgs, out};

#[derive(Debug, clap::Args)]
pub struct OnboardArgs {
    /// Namespaces to onboard
    #[arg(
        value_name = "NAMESPACE",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub namespaces: Vec<String>,
    /// A spec that lists only namespaces (instead of flags)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Team label of every namespace
    #[arg(long)]
    pub team: Option<String>,
    /// Subject with the `admin` role in every namespace (repeatable)
    #[arg(long, value_name = "SUBJECT")]
    pub admin: Vec<String>,
    /// Subject with the `write` role in every namespace (repeatable)
    #[arg(long, value_name = "SUBJECT")]
    pub writer: Vec<String>,
    /// Subject with the `read` role in every namespace (repeatable)
    #[arg(long, value_name = "SUBJECT")]
    pub reader: Vec<String>,
    /// Also let admins and writers use exec, attach and port-forward
    #[arg(long)]
    pub exec: bool,
    /// Quota for cpu, requests and limits alike (default requests 2, limits 4)
    #[arg(long, value_name = "QUANTITY")]
    pub quota_cpu: Option<String>,
    /// Quota for memory, requests and limits alike (default requests 4Gi, limits 8Gi)
    #[arg(long, value_name = "QUANTITY")]
    pub quota_memory: Option<String>,
    /// Quota for the number of pods (default 10)
    #[arg(long, value_name = "N")]
    pub quota_pods: Option<u32>,
    /// Namespace of the ingress controller
    #[arg(long, value_name = "NAMESPACE")]
    pub ingress_from: Option<String>,
    /// Target Kubernetes version, e.g. 1.33
    #[arg(long, value_name = "VERSION")]
    pub kubernetes: Option<String>,
    #[command(flatten)]
    pub out: OutputArgs,
}

pub fn run(args: &OnboardArgs) -> Exit {
    let loaded = match &args.file {
        Some(path) => load(path),
        None => match spec_from_flags(args) {
            Ok(spec) => Ok(spec),
            Err(e) => {
                out::error(&e.0, &e.1);
                return Exit::Usage;
            }
        },
    };
    let resolved = loaded.and_then(|spec| resolve(&spec).map(|r| (spec, r)));
    match resolved {
        Ok((spec, _)) if !spec.spec.apps.is_empty() => {
            out::error(
                format_args!(
                    "{} declares apps; `onboard` renders namespaces only",
                    spec.file
                ),
                format_args!("use `kubeward render -f {}`", spec.file),
            );
            Exit::Usage
        }
        Ok((_, resolved)) => emit(
            &resolved.model,
            resolved.warnings,
            &args.out,
            args.file.as_deref(),
        ),
        Err(diags) => {
            report_spec(&diags);
            Exit::Usage
        }
    }
}

/// A flag problem: message and help.
struct FlagError(String, String);

/// Build the spec from the flags, remembering which flag set each part so that
/// `resolve`'s messages name the flag.
fn spec_from_flags(a: &OnboardArgs) -> Result<LoadedSpec, FlagError> {
    let mut args = ArgMap::default();
    let mut access = Vec::new();
    for (role, flag, subjects, exec) in [
        (AccessRole::Admin, "--admin", &a.admin, a.exec),
        (AccessRole::Write, "--writer", &a.writer, a.exec),
        (AccessRole::Read, "--reader", &a.reader, false),
    ] {
        for s in subjects {
            let (kind, name) = parse_subject(s)?;
            access.push((
                format!("{flag} {s}"),
                Access {
                    subject: Subject { kind, name },
                    role,
                    resources: None,
                    exec,
                },
            ));
        }
    }
    let both = |cpu: &Option<String>, memory: &Option<String>| CpuMemory {
        cpu: cpu.clone().map(Quantity),
        memory: memory.clone().map(Quantity),
    };
    let quota = Quota {
        pods: a.quota_pods,
        requests: Some(both(&a.quota_cpu, &a.quota_memory)),
        limits: Some(both(&a.quota_cpu, &a.quota_memory)),
        node_ports: None,
        load_balancers: None,
    };
    let mut namespaces = Vec::new();
    for (i, name) in a.namespaces.iter().enumerate() {
        let at = format!("namespaces[{i}]");
        args.set(format!("{at}.name"), name.clone());
        if let Some(t) = &a.team {
            args.set(format!("{at}.team"), format!("--team {t}"));
        }
        if let Some(f) = &a.ingress_from {
            args.set(format!("{at}.ingressFrom"), format!("--ingress-from {f}"));
        }
        for prefix in ["requests", "limits"] {
            if let Some(c) = &a.quota_cpu {
                args.set(
                    format!("{at}.quota.{prefix}.cpu"),
                    format!("--quota-cpu {c}"),
                );
            }
            if let Some(m) = &a.quota_memory {
                args.set(
                    format!("{at}.quota.{prefix}.memory"),
                    format!("--quota-memory {m}"),
                );
            }
        }
        for (j, (flag, _)) in access.iter().enumerate() {
            args.set(format!("{at}.access[{j}]"), flag.clone());
        }
        namespaces.push(Namespace {
            name: name.clone(),
            team: a.team.clone(),
            quota: Some(quota.clone()),
            ingress_from: a.ingress_from.clone(),
            access: access.iter().map(|(_, g)| g.clone()).collect(),
            ..Namespace::default()
        });
    }
    if let Some(k) = &a.kubernetes {
        args.set("kubernetes", format!("--kubernetes {k}"));
    }
    let spec = Spec {
        kubernetes: a.kubernetes.clone(),
        // Onboarding manages namespaces only; the API-server audit policy belongs to `render`.
        audit: Some(false),
        namespaces,
        ..Spec::default()
    };
    Ok(LoadedSpec::from_args(spec, "onboard", args))
}

/// `user:alice`, `group:payments-leads`, `serviceaccount:ci/deployer` (or `sa:`).
fn parse_subject(s: &str) -> Result<(SubjectKind, String), FlagError> {
    let help = "write `user:NAME`, `group:NAME` or `serviceaccount:NAMESPACE/NAME`".to_string();
    let (kind, name) = s.split_once(':').ok_or_else(|| {
        FlagError(
            format!("`{s}` does not say what kind of subject it is"),
            help.clone(),
        )
    })?;
    let kind = SubjectKind::parse(kind)
        .ok_or_else(|| FlagError(format!("`{kind}` is not a subject kind"), help.clone()))?;
    if name.is_empty() {
        return Err(FlagError(format!("`{s}` names no subject"), help));
    }
    Ok((kind, name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_parse() {
        assert_eq!(
            parse_subject("user:alice").ok().unwrap(),
            (SubjectKind::User, "alice".to_string())
        );
        assert_eq!(
            parse_subject("group:oidc:devs").ok().unwrap(),
            (SubjectKind::Group, "oidc:devs".to_string())
        );
        assert_eq!(
            parse_subject("sa:ci/deployer").ok().unwrap(),
            (SubjectKind::ServiceAccount, "ci/deployer".to_string())
        );
        assert!(parse_subject("alice").is_err());
        assert!(parse_subject("robot:x").is_err());
        assert!(parse_subject("user:").is_err());
    }
}
