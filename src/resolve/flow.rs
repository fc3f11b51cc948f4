//! Flows: each endpoint resolved (an app, the ingress controller, a CIDR, the API
//! server) and each port resolved to the port the policies open. The only place in
//! kubeward that resolves a flow.

use crate::diag::Diagnostic;
use crate::k8s::Protocol;
use crate::k8s::names::Cidr;
use crate::spec::{self, FlowTarget, LoadedSpec, Spec};

use super::model::{App, Destination, Flow, FlowPort, Namespace, Source};
use super::ports::destination;

/// The source of `from: ingress`.
pub const INGRESS: &str = "ingress";
/// The destination of `to: kube-apiserver`.
pub const KUBE_APISERVER: &str = "kube-apiserver";

/// Find the app a flow endpoint names: `namespace/app`, or a bare name unique in the spec.
pub fn find_app(spec: &Spec, name: &str) -> Result<usize, String> {
    let matches: Vec<usize> = spec
        .apps
        .iter()
        .enumerate()
        .filter(|(_, a)| match name.split_once('/') {
            Some((ns, app)) => a.namespace == ns && a.name == app,
            None => a.name == name,
        })
        .map(|(i, _)| i)
        .collect();
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
fn declared_ports(flow: &spec::Flow) -> Vec<u32> {
    match (&flow.port, &flow.ports) {
        (Some(p), _) => vec![*p],
        (None, Some(ps)) => ps.clone(),
        (None, None) => Vec::new(),
    }
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

/// The resolved world a flow is checked against.
pub struct Context<'a> {
    pub apps: &'a [Option<App>],
    pub namespaces: &'a [Namespace],
    pub api_server: &'a [String],
}

/// Resolve every flow; flows with errors are left out (their errors are in `out`).
pub fn resolve_all(s: &LoadedSpec, cx: &Context, out: &mut Vec<Diagnostic>) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    for (i, flow) in s.spec.flows.iter().enumerate() {
        let before = out.len();
        let resolved = resolve_one(s, cx, i, flow, out);
        let Some(f) = resolved.filter(|_| !out[before..].iter().any(Diagnostic::is_error)) else {
            continue;
        };
        match flows.iter().find(|g| opens_the_same(g, &f)) {
            Some(first) => out.push(repeated(s, i, first.index)),
            None => flows.push(f),
        }
    }
    flows
}

/// Whether two flows open the same connections: source, destination, protocol and ports
/// (in any order).
fn opens_the_same(a: &Flow, b: &Flow) -> bool {
    let ports = |f: &Flow| {
        let mut p: Vec<(u32, u32)> = f.ports.iter().map(|p| (p.declared, p.opened)).collect();
        p.sort_unstable();
        p
    };
    (&a.from, &a.to, a.protocol) == (&b.from, &b.to, b.protocol) && ports(a) == ports(b)
}

/// Flow `i` repeats flow `first`: a warning at the repeat, naming the first (the two
/// open one set of connections).
fn repeated(s: &LoadedSpec, i: usize, first: usize) -> Diagnostic {
    let f = &s.spec.flows[first];
    s.warning_at(
        &format!("flows[{i}]"),
        format!(
            "this flow repeats flows[{first}] (from `{}` to {}, the same ports); they open the connections once",
            f.from,
            target_text(&f.to)
        ),
    )
    .with_code(super::REPEATED)
    .with_help("remove one of the two")
}

/// A flow's target as the spec names it, for messages.
fn target_text(to: &FlowTarget) -> String {
    match to {
        FlowTarget::Name(n) => format!("`{n}`"),
        FlowTarget::Cidr(c) => format!("`{}`", c.cidr),
    }
}

fn resolve_one(
    s: &LoadedSpec,
    cx: &Context,
    i: usize,
    flow: &spec::Flow,
    out: &mut Vec<Diagnostic>,
) -> Option<Flow> {
    let at = |f: &str| format!("flows[{i}].{f}");
    let from = if flow.from == INGRESS {
        None
    } else {
        match find_app(&s.spec, &flow.from) {
            Ok(a) => Some(a),
            Err(e) => {
                out.push(
                    s.error_at(&at("from"), format!("unknown flow source: {e}"))
                        .with_help(format!(
                            "`from:` names an app (`app` or `namespace/app`) or `ingress`; {}",
                            app_list(&s.spec)
                        )),
                );
                return None;
            }
        }
    };
    let ports = check_ports_given(s, i, flow, out);
    let (to, opened) = match &flow.to {
        FlowTarget::Name(n) if n == KUBE_APISERVER => {
            let to = Destination::ApiServer {
                cidrs: cx.api_server.to_vec(),
            };
            if to == (Destination::ApiServer { cidrs: Vec::new() }) {
                out.push(s.warning_at(&at("to"), format!(
                    "the flow to `kube-apiserver` opens port(s) {} to every address", join(&ports)
                )).with_code("netpol-apiserver-address").with_help(
                    "set `apiServer: { cidrs: [...] }` to the API server's addresses (`kubectl get endpoints kubernetes`)",
                ));
            }
            (to, same(&ports))
        }
        FlowTarget::Name(n) => match find_app(&s.spec, n) {
            Ok(to) => {
                let opened = app_target(s, cx, i, flow, to, &ports, out)?;
                (Destination::App(to), opened)
            }
            Err(e) => {
                out.push(s.error_at(&at("to"), format!("unknown flow target: {e}")).with_help(format!(
                    "`to:` names an app (`app` or `namespace/app`), `kube-apiserver` or `{{ cidr: ... }}`; {}", app_list(&s.spec)
                )));
                return None;
            }
        },
        FlowTarget::Cidr(c) => {
            check_cidr_target(s, i, &c.cidr, &c.except, out);
            let to = Destination::Cidr {
                cidr: c.cidr.clone(),
                except: c.except.clone(),
            };
            (to, same(&ports))
        }
    };
    let from = match from {
        Some(a) => Source::App(a),
        None => Source::Ingress {
            namespace: ingress_namespace(s, cx, i, &to, out)?,
        },
    };
    Some(Flow {
        index: i,
        from,
        to,
        protocol: flow.protocol,
        ports: dedup(opened),
    })
}

fn same(ports: &[u32]) -> Vec<FlowPort> {
    ports
        .iter()
        .map(|&p| FlowPort {
            declared: p,
            opened: p,
        })
        .collect()
}

/// Ports in declared order, each opened port once.
fn dedup(ports: Vec<FlowPort>) -> Vec<FlowPort> {
    let mut out: Vec<FlowPort> = Vec::new();
    for p in ports {
        if !out.iter().any(|o| o.opened == p.opened) {
            out.push(p);
        }
    }
    out
}

/// Where the ingress controller of a `from: ingress` flow runs: the destination app's
/// namespace says.
fn ingress_namespace(
    s: &LoadedSpec,
    cx: &Context,
    i: usize,
    to: &Destination,
    out: &mut Vec<Diagnostic>,
) -> Option<String> {
    let Destination::App(a) = to else {
        out.push(
            s.error_at(
                &format!("flows[{i}].to"),
                "a flow from `ingress` must go to an app",
            )
            .with_help("name the app that the ingress controller forwards to"),
        );
        return None;
    };
    let ns_name = &s.spec.apps[*a].namespace;
    let ns = cx.namespaces.iter().find(|n| &n.name == ns_name)?;
    if ns.ingress_from.is_none() {
        out.push(s.error_at(&format!("flows[{i}].from"), format!(
            "namespace `{ns_name}` does not say where its ingress controller runs"
        )).with_help(format!(
            "add `ingressFrom: <namespace of the ingress controller>` (e.g. `ingress-nginx`) to namespace `{ns_name}`"
        )));
    }
    ns.ingress_from.clone()
}

fn check_ports_given(
    s: &LoadedSpec,
    i: usize,
    flow: &spec::Flow,
    out: &mut Vec<Diagnostic>,
) -> Vec<u32> {
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
    let ports = declared_ports(flow);
    for (j, p) in ports.iter().enumerate() {
        if !(1..=65535).contains(p) {
            out.push(
                s.error_at(&port_path(i, flow, j), format!("port {p} is out of range"))
                    .with_help("a port is a number from 1 to 65535"),
            );
        }
    }
    ports
}

fn port_path(i: usize, flow: &spec::Flow, j: usize) -> String {
    if flow.port.is_some() {
        format!("flows[{i}].port")
    } else {
        format!("flows[{i}].ports[{j}]")
    }
}

/// The container port each declared port reaches on app `to`.
fn app_target(
    s: &LoadedSpec,
    cx: &Context,
    i: usize,
    flow: &spec::Flow,
    to: usize,
    ports: &[u32],
    out: &mut Vec<Diagnostic>,
) -> Option<Vec<FlowPort>> {
    // An app with errors of its own was reported already.
    let app = cx.apps.get(to)?.as_ref()?;
    let mut opened = Vec::new();
    for (j, &p) in ports.iter().enumerate() {
        if !(1..=65535).contains(&p) {
            continue;
        }
        match destination(&app.ports, app.service.as_ref(), p, flow.protocol) {
            Some(d) => opened.push(FlowPort {
                declared: p,
                opened: d.port,
            }),
            None => out.push(not_listening(
                s,
                &port_path(i, flow, j),
                app,
                p,
                flow.protocol,
            )),
        }
    }
    Some(opened)
}

fn not_listening(s: &LoadedSpec, path: &str, app: &App, p: u32, protocol: Protocol) -> Diagnostic {
    let mut offered: Vec<String> = app
        .ports
        .iter()
        .map(|p| format!("{}/{}", p.port, p.protocol.as_str()))
        .collect();
    if let Some(svc) = &app.service {
        offered.push(format!("{} (service)", svc.port));
    }
    s.error_at(
        path,
        format!(
            "app `{}/{}` does not listen on {}/{}",
            app.namespace,
            app.name,
            p,
            protocol.as_str()
        ),
    )
    .with_help(if offered.is_empty() {
        "the app declares no ports; add the port under its `ports:`".to_string()
    } else {
        format!("use one of its ports: {}", offered.join(", "))
    })
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

fn join(ports: &[u32]) -> String {
    ports
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
