//! Probes: each given probe checked and typed; liveness and readiness default to a TCP
//! check of the first port.

use crate::diag::Diagnostic;
use crate::k8s::PortRef;
use crate::spec::{self, LoadedSpec};

use super::defaults::{PROBE_FAILURE_THRESHOLD, PROBE_PERIOD_SECONDS, PROBE_TIMEOUT_SECONDS};
use super::model::{ContainerPort, Probe, ProbeAction, Probes};
use super::ports::lookup;

pub fn resolve(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    ports: &[ContainerPort],
    out: &mut Vec<Diagnostic>,
) -> Probes {
    let given = app.probes.clone().unwrap_or_default();
    let mut one = |kind: &str, p: Option<&spec::Probe>| {
        p.and_then(|p| probe(s, &format!("apps[{i}].probes.{kind}"), app, ports, p, out))
    };
    let liveness = one("liveness", given.liveness.as_ref());
    let readiness = one("readiness", given.readiness.as_ref());
    let startup = one("startup", given.startup.as_ref());
    let fallback = || {
        ports.first().map(|p| Probe {
            action: ProbeAction::Tcp {
                port: PortRef::Name(p.name.clone()),
            },
            initial_delay_seconds: None,
            period_seconds: PROBE_PERIOD_SECONDS,
            timeout_seconds: PROBE_TIMEOUT_SECONDS,
            failure_threshold: PROBE_FAILURE_THRESHOLD,
        })
    };
    let same_default = given.liveness.is_none() && given.readiness.is_none() && !ports.is_empty();
    Probes {
        same_default,
        liveness: given.liveness.as_ref().map_or_else(fallback, |_| liveness),
        readiness: given
            .readiness
            .as_ref()
            .map_or_else(fallback, |_| readiness),
        startup,
    }
}

fn probe(
    s: &LoadedSpec,
    at: &str,
    app: &spec::App,
    ports: &[ContainerPort],
    p: &spec::Probe,
    out: &mut Vec<Diagnostic>,
) -> Option<Probe> {
    if let Some(path) = &p.http
        && (!path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        out.push(
            s.error_at(
                &format!("{at}.http"),
                format!("`{path}` is not an HTTP path"),
            )
            .with_help("an HTTP probe path starts with `/` and has no spaces, e.g. `/healthz`"),
        );
    }
    let action = match (&p.port, &p.exec) {
        (Some(port), None) => {
            lookup(s, &format!("{at}.port"), app, ports, port, out)?;
            match &p.http {
                Some(path) => ProbeAction::Http {
                    path: path.clone(),
                    port: port.clone(),
                },
                None => ProbeAction::Tcp { port: port.clone() },
            }
        }
        (None, Some(cmd)) if !cmd.is_empty() && p.http.is_none() => ProbeAction::Exec {
            command: cmd.clone(),
        },
        (None, Some(_)) if p.http.is_some() => {
            out.push(
                s.error_at(&format!("{at}.http"), "an `exec` probe has no HTTP path")
                    .with_help("use `{ exec: [...] }` alone, or `{ http: /path, port: NAME }`"),
            );
            return None;
        }
        (None, Some(_)) => {
            out.push(
                s.error_at(&format!("{at}.exec"), "the `exec` command is empty")
                    .with_help(
                        "give the command and its arguments, e.g. `exec: [/app/healthcheck]`",
                    ),
            );
            return None;
        }
        (Some(_), Some(_)) => {
            out.push(
                s.error_at(
                    &format!("{at}.exec"),
                    "a probe checks a port or runs a command, not both",
                )
                .with_help("keep `port` (with `http` for an HTTP check) or `exec`"),
            );
            return None;
        }
        (None, None) => {
            out.push(s.error_at(at, "the probe checks nothing").with_help(
                "add `port: NAME` (TCP, or HTTP with `http: /path`) or `exec: [command, args...]`",
            ));
            return None;
        }
    };
    Some(Probe {
        action,
        initial_delay_seconds: p.initial_delay_seconds,
        period_seconds: p.period_seconds.unwrap_or(PROBE_PERIOD_SECONDS),
        timeout_seconds: p.timeout_seconds.unwrap_or(PROBE_TIMEOUT_SECONDS),
        failure_threshold: p.failure_threshold.unwrap_or(PROBE_FAILURE_THRESHOLD),
    })
}
