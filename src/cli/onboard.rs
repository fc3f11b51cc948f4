//! `kubeward onboard`: namespace bundles without apps — quota, container defaults,
//! default-deny and DNS policies, and least-privilege RBAC — from flags or from a spec
//! that lists only namespaces.

use std::path::PathBuf;

use serde_json::{Map, Value, json};

use kubeward::spec::names::{dns_label_help, is_dns_label};
use kubeward::spec::quantity::parse_milli;
use kubeward::spec::{load_checked, parse_checked};

use super::render::{emit, report_spec};
use super::{OutputArgs, USAGE, out};

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

pub fn run(args: &OnboardArgs) -> u8 {
    let loaded = match &args.file {
        Some(path) => load_checked(path),
        None => match spec_from_flags(args) {
            Ok(text) => parse_checked("<onboard flags>", &text),
            Err(e) => {
                out::error(&e.0, &e.1);
                return USAGE;
            }
        },
    };
    match loaded {
        Ok((spec, _)) if !spec.spec.apps.is_empty() => {
            out::error(
                format_args!(
                    "{} declares apps; `onboard` renders namespaces only",
                    spec.file
                ),
                format_args!("use `kubeward render -f {}`", spec.file),
            );
            USAGE
        }
        Ok((mut spec, warnings)) => {
            if args.file.is_none() {
                spec.synthetic = true;
                spec.file = "onboard".into();
            }
            emit(&spec, warnings, &args.out, args.file.as_deref())
        }
        Err(mut diags) => {
            if args.file.is_none() {
                // The spec was built from flags: its positions mean nothing to the user.
                for d in &mut diags {
                    d.file = "onboard".into();
                    d.pos = None;
                    d.snippet = None;
                }
            }
            report_spec(&diags);
            USAGE
        }
    }
}

/// A flag problem: message and help.
struct FlagError(String, String);

/// Build spec text from the flags, checking each value first so that messages name the flag.
fn spec_from_flags(a: &OnboardArgs) -> Result<String, FlagError> {
    for ns in &a.namespaces {
        if !is_dns_label(ns) {
            return Err(FlagError(
                format!("`{ns}` is not a valid namespace name"),
                dns_label_help(ns),
            ));
        }
    }
    for (flag, q) in [
        ("--quota-cpu", &a.quota_cpu),
        ("--quota-memory", &a.quota_memory),
    ] {
        if let Some(q) = q {
            parse_milli(q).map_err(|e| {
                FlagError(
                    format!("{flag}: {e}"),
                    "give a Kubernetes quantity, e.g. `4` or `8Gi`".into(),
                )
            })?;
        }
    }
    let mut access = Vec::new();
    for (role, subjects, exec) in [
        ("admin", &a.admin, a.exec),
        ("write", &a.writer, a.exec),
        ("read", &a.reader, false),
    ] {
        for s in subjects {
            let (kind, name) = parse_subject(s)?;
            access.push(
                json!({ "subject": { "kind": kind, "name": name }, "role": role, "exec": exec }),
            );
        }
    }
    let mut quota = Map::new();
    if let Some(p) = a.quota_pods {
        quota.insert("pods".into(), p.into());
    }
    let mut both = Map::new();
    if let Some(c) = &a.quota_cpu {
        both.insert("cpu".into(), c.as_str().into());
    }
    if let Some(m) = &a.quota_memory {
        both.insert("memory".into(), m.as_str().into());
    }
    if !both.is_empty() {
        quota.insert("requests".into(), Value::Object(both.clone()));
        quota.insert("limits".into(), Value::Object(both));
    }
    let namespaces: Vec<Value> = a
        .namespaces
        .iter()
        .map(|n| {
            let mut ns = json!({ "name": n, "access": access });
            if let Some(t) = &a.team {
                ns["team"] = t.as_str().into();
            }
            if !quota.is_empty() {
                ns["quota"] = Value::Object(quota.clone());
            }
            if let Some(i) = &a.ingress_from {
                ns["ingressFrom"] = i.as_str().into();
            }
            ns
        })
        .collect();
    // Onboarding manages namespaces only; the API-server audit policy belongs to `render`.
    let mut spec = json!({ "version": 1, "audit": false, "namespaces": namespaces });
    if let Some(k) = &a.kubernetes {
        spec["kubernetes"] = k.as_str().into();
    }
    serde_yaml::to_string(&spec)
        .map_err(|e| FlagError(e.to_string(), "report this as a bug".into()))
}

/// `user:alice`, `group:payments-leads`, `serviceaccount:ci/deployer` (or `sa:`).
fn parse_subject(s: &str) -> Result<(&'static str, String), FlagError> {
    let help = "write `user:NAME`, `group:NAME` or `serviceaccount:NAMESPACE/NAME`".to_string();
    let (kind, name) = s.split_once(':').ok_or_else(|| {
        FlagError(
            format!("`{s}` does not say what kind of subject it is"),
            help.clone(),
        )
    })?;
    let kind = match kind {
        "user" | "User" => "User",
        "group" | "Group" => "Group",
        "serviceaccount" | "ServiceAccount" | "sa" => "ServiceAccount",
        other => return Err(FlagError(format!("`{other}` is not a subject kind"), help)),
    };
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
            ("User", "alice".to_string())
        );
        assert_eq!(
            parse_subject("group:oidc:devs").ok().unwrap(),
            ("Group", "oidc:devs".to_string())
        );
        assert_eq!(
            parse_subject("sa:ci/deployer").ok().unwrap(),
            ("ServiceAccount", "ci/deployer".to_string())
        );
        assert!(parse_subject("alice").is_err());
        assert!(parse_subject("robot:x").is_err());
        assert!(parse_subject("user:").is_err());
    }
}
