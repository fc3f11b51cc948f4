//! Semantic checks of `flows`: endpoints resolve, ports exist, CIDRs are valid.

use crate::diag::Diagnostic;

use super::load::LoadedSpec;
use super::types::{App, Flow, FlowTarget, PortRef, Protocol, Spec};
use crate::k8s::names::Cidr;

/// The source of `from: ingress`.
pub const INGRESS: &str = "ingress";
/// The destination of `to: kube-apiserver`.
pub const KUBE_APISERVER: &str = "kube-apiserver";

/// Find the app a flow endpoint names: `namespace/app`, or a bare name unique in the spec.
pub fn resolve_app(spec: &Spec, name: &str) -> Result<usize, String> {
    let matches: Vec<usize> = match name.split_once('/') {
        Some((ns, app)) => spec
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.namespace == ns && a.name == app)
            .map(|(i, _)| i)
            .collect(),
        None => spec
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.name == name)
            .map(|(i, _)| i)
            .collect(),
    };
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(format!("no app `{name}`")),
        many => Err(format!(
            "`{name}` is ambiguous: it names apps in {}",
            many.iter()
                .map(|&i| format!("`{}`", spec.apps[i].namespace))
                .collect::<Vec<_>>()
                .join(" and ")
        )),
    }
}

/// The ports of a flow (`port` or `ports`).
pub fn flow_ports(flow: &Flow) -> Vec<u32> {
    match (&flow.port, &flow.ports) {
        (Some(p), _) => vec![*p],
        (None, Some(ps)) => ps.clone(),
        (None, None) => Vec::new(),
    }
}

/// The container port a caller reaches on `app` through `port`: the container port
/// itself, or the target of the app's Service port.
pub fn destination_port(app: &App, port: u32, protocol: Protocol) -> Option<&super::types::Port> {
    if let Some(p) = app
        .ports
        .iter()
        .find(|p| p.port == port && p.protocol == protocol)
    {
        return Some(p);
    }
    let svc = app.service.as_ref().filter(|s| s.port == port)?;
    match &svc.target_port {
        Some(PortRef::Name(n)) => app.ports.iter().find(|p| &p.name == n),
        Some(PortRef::Number(n)) => app.ports.iter().find(|p| p.port == *n),
        None => app.ports.first(),
    }
    .filter(|p| p.protocol == protocol)
}

fn app_list(spec: &Spec) -> String {
    let all: Vec<String> = spec
        .apps
        .iter()
        .map(|a| format!("`{}/{}`", a.namespace, a.name))
        .collect();
    if all.is_empty() {
        "no apps are declared".into()
    } else {
        format!("apps are {}", all.join(", "))
    }
}

pub(crate) fn check_flows(s: &LoadedSpec, out: &mut Vec<Diagnostic>) {
    for (i, flow) in s.spec.flows.iter().enumerate() {
        let at = |f: &str| format!("flows[{i}].{f}");
        let from = if flow.from == INGRESS {
            None
        } else {
            match resolve_app(&s.spec, &flow.from) {
                Ok(a) => Some(a),
                Err(e) => {
                    out.push(
                        s.error_at(&at("from"), format!("unknown flow source: {e}"))
                            .with_help(format!(
                                "`from:` names an app (`app` or `namespace/app`) or `ingress`; {}",
                                app_list(&s.spec)
                            )),
                    );
                    continue;
                }
            }
        };
        check_ports_given(s, i, flow, out);
        match &flow.to {
            FlowTarget::Name(n) if n == KUBE_APISERVER => {
                if from.is_none() {
                    out.push(s.error_at(&at("to"), "a flow from `ingress` must go to an app")
                        .with_help("name the app that the ingress controller forwards to"));
                }
            }
            FlowTarget::Name(n) => match resolve_app(&s.spec, n) {
                Ok(to) => check_app_target(s, i, flow, from, to, out),
                Err(e) => out.push(s.error_at(&at("to"), format!("unknown flow target: {e}")).with_help(format!(
                    "`to:` names an app (`app` or `namespace/app`), `kube-apiserver` or `{{ cidr: ... }}`; {}", app_list(&s.spec)
                ))),
            },
            FlowTarget::Cidr(c) => {
                if from.is_none() {
                    out.push(s.error_at(&at("to"), "a flow from `ingress` must go to an app")
                        .with_help("name the app that the ingress controller forwards to"));
                }
                check_cidr_target(s, i, &c.cidr, &c.except, out);
            }
        }
    }
}

fn check_ports_given(s: &LoadedSpec, i: usize, flow: &Flow, out: &mut Vec<Diagnostic>) {
    let at = |f: &str| format!("flows[{i}].{f}");
    match (&flow.port, &flow.ports) {
        (Some(_), Some(_)) => out.push(
            s.error_at(&at("ports"), "a flow has `port` or `ports`, not both")
                .with_help("keep `ports: [...]` and remove `port`"),
        ),
        (None, None) => out.push(
            s.error_at(&format!("flows[{i}]"), "the flow opens no port")
                .with_help(
                    "add `port: N` (or `ports: [a, b]`): flows open exactly the ports they name",
                ),
        ),
        (None, Some(ps)) if ps.is_empty() => out.push(
            s.error_at(&at("ports"), "`ports` is empty")
                .with_help("list at least one port"),
        ),
        _ => {}
    }
    for (j, p) in flow_ports(flow).iter().enumerate() {
        if !(1..=65535).contains(p) {
            let path = if flow.port.is_some() {
                at("port")
            } else {
                format!("flows[{i}].ports[{j}]")
            };
            out.push(
                s.error_at(&path, format!("port {p} is out of range"))
                    .with_help("a port is a number from 1 to 65535"),
            );
        }
    }
}

fn check_app_target(
    s: &LoadedSpec,
    i: usize,
    flow: &Flow,
    from: Option<usize>,
    to: usize,
    out: &mut Vec<Diagnostic>,
) {
    let spec = &s.spec;
    let app = &spec.apps[to];
    if from.is_none() {
        let ns = spec.namespaces.iter().find(|n| n.name == app.namespace);
        if ns.is_some_and(|n| n.ingress_from.is_none()) {
            out.push(s.error_at(&format!("flows[{i}].from"), format!(
                "namespace `{}` does not say where its ingress controller runs", app.namespace
            )).with_help(format!(
                "add `ingressFrom: <namespace of the ingress controller>` (e.g. `ingress-nginx`) to namespace `{}`", app.namespace
            )));
        }
    }
    for (j, p) in flow_ports(flow).into_iter().enumerate() {
        if (1..=65535).contains(&p) && destination_port(app, p, flow.protocol).is_none() {
            let path = if flow.port.is_some() {
                format!("flows[{i}].port")
            } else {
                format!("flows[{i}].ports[{j}]")
            };
            let mut offered: Vec<String> = app
                .ports
                .iter()
                .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
                .collect();
            if let Some(svc) = &app.service {
                offered.push(format!("{} (service)", svc.port));
            }
            out.push(
                s.error_at(
                    &path,
                    format!(
                        "app `{}/{}` does not listen on {}/{}",
                        app.namespace,
                        app.name,
                        p,
                        flow.protocol.as_str()
                    ),
                )
                .with_help(if offered.is_empty() {
                    "the app declares no ports; add the port under its `ports:`".to_string()
                } else {
                    format!("use one of its ports: {}", offered.join(", "))
                }),
            );
        }
    }
}

fn check_cidr_target(
    s: &LoadedSpec,
    i: usize,
    cidr: &str,
    except: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let help = "write a network as `address/prefix`, e.g. `10.20.0.0/16`";
    match Cidr::parse(cidr) {
        Err(e) => out.push(
            s.error_at(&format!("flows[{i}].to.cidr"), e)
                .with_help(help),
        ),
        Ok(block) => {
            for (j, e) in except.iter().enumerate() {
                let path = format!("flows[{i}].to.except[{j}]");
                match Cidr::parse(e) {
                    Err(msg) => out.push(s.error_at(&path, msg).with_help(help)),
                    Ok(inner) if !block.contains(&inner) || inner == block => out.push(
                        s.error_at(
                            &path,
                            format!("`{e}` is not a smaller block inside `{cidr}`"),
                        )
                        .with_help("every `except` entry must lie inside the flow's `cidr`"),
                    ),
                    Ok(_) => {}
                }
            }
        }
    }
}
