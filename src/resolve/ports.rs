//! Ports: an app's container ports and Service, and the one lookup of a port by name or
//! number that every reference (Service target, probe, flow) goes through.

use std::collections::HashMap;

use crate::diag::Diagnostic;
use crate::k8s::names::is_port_name;
use crate::k8s::{PortRef, Protocol};
use crate::spec::{self, LoadedSpec};

use super::model::{ContainerPort, ServicePort};

/// The container port `r` names among `ports`.
pub fn find<'a>(ports: &'a [ContainerPort], r: &PortRef) -> Option<&'a ContainerPort> {
    match r {
        PortRef::Name(n) => ports.iter().find(|p| &p.name == n),
        PortRef::Number(n) => ports.iter().find(|p| p.port == *n),
    }
}

/// The container port a caller reaches through `port`/`protocol`: a container port
/// itself, or the target of the app's Service port.
pub fn destination(
    ports: &[ContainerPort],
    service: Option<&ServicePort>,
    port: u32,
    protocol: Protocol,
) -> Option<ContainerPort> {
    if let Some(p) = ports
        .iter()
        .find(|p| p.port == port && p.protocol == protocol)
    {
        return Some(p.clone());
    }
    service
        .filter(|s| s.port == port && s.target.protocol == protocol)
        .map(|s| s.target.clone())
}

/// Resolve app `i`'s ports and Service.
pub fn resolve(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    out: &mut Vec<Diagnostic>,
) -> (Vec<ContainerPort>, Option<ServicePort>) {
    let ports = container_ports(s, i, app, out);
    let service = app
        .service
        .as_ref()
        .and_then(|svc| service(s, i, app, svc, &ports, out));
    (ports, service)
}

fn container_ports(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    out: &mut Vec<Diagnostic>,
) -> Vec<ContainerPort> {
    let mut names = HashMap::new();
    let mut numbers = HashMap::new();
    for (j, p) in app.ports.iter().enumerate() {
        let at = |f: &str| format!("apps[{i}].ports[{j}].{f}");
        if !is_port_name(&p.name) {
            out.push(s.error_at(&at("name"), format!("`{}` is not a valid port name", p.name)).with_help(
                "a port name is up to 15 lowercase letters, digits or `-`, with at least one letter, e.g. `http`",
            ));
        }
        if names.insert(p.name.as_str(), j).is_some() {
            out.push(
                s.error_at(&at("name"), format!("port name `{}` is used twice", p.name))
                    .with_help("give every port of an app its own name"),
            );
        }
        if !(1..=65535).contains(&p.port) {
            out.push(
                s.error_at(&at("port"), format!("port {} is out of range", p.port))
                    .with_help("a port is a number from 1 to 65535"),
            );
        } else if p.port < 1024 {
            out.push(s.warning_at(&at("port"), format!("port {} is privileged (below 1024)", p.port))
                .with_code("no-privileged-ports")
                .with_help("listen on 1024 or above and map the Service port to it (`service: { port: 80, targetPort: http }`)"));
        }
        if numbers.insert((p.port, p.protocol), j).is_some() {
            out.push(
                s.error_at(
                    &at("port"),
                    format!("port {}/{} is declared twice", p.port, p.protocol.as_str()),
                )
                .with_help("remove the duplicate port"),
            );
        }
    }
    app.ports
        .iter()
        .map(|p| ContainerPort {
            name: p.name.clone(),
            port: p.port,
            protocol: p.protocol,
        })
        .collect()
}

fn service(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    svc: &spec::Service,
    ports: &[ContainerPort],
    out: &mut Vec<Diagnostic>,
) -> Option<ServicePort> {
    let at = format!("apps[{i}].service");
    if !(1..=65535).contains(&svc.port) {
        out.push(
            s.error_at(
                &format!("{at}.port"),
                format!("port {} is out of range", svc.port),
            )
            .with_help("a port is a number from 1 to 65535"),
        );
    }
    let Some(first) = ports.first() else {
        out.push(
            s.error_at(
                &at,
                format!("app `{}` has a service but no ports", app.name),
            )
            .with_help("declare the port the service forwards to under `ports:`"),
        );
        return None;
    };
    let target_ref = svc
        .target_port
        .clone()
        .unwrap_or_else(|| PortRef::Name(first.name.clone()));
    let target = lookup(s, &format!("{at}.targetPort"), app, ports, &target_ref, out)?;
    Some(ServicePort {
        port: svc.port,
        target_ref,
        target: target.clone(),
    })
}

/// Look up a named or numbered port among the app's ports; report it at `path` when it
/// is not one of them.
pub fn lookup<'a>(
    s: &LoadedSpec,
    path: &str,
    app: &spec::App,
    ports: &'a [ContainerPort],
    r: &PortRef,
    out: &mut Vec<Diagnostic>,
) -> Option<&'a ContainerPort> {
    let found = find(ports, r);
    if found.is_none() {
        let declared: Vec<String> = ports
            .iter()
            .map(|p| format!("`{}` ({})", p.name, p.port))
            .collect();
        out.push(
            s.error_at(
                path,
                format!("port {r} is not a port of app `{}`", app.name),
            )
            .with_help(if declared.is_empty() {
                "the app declares no ports; add one under `ports:`".to_string()
            } else {
                format!("declared ports: {}", declared.join(", "))
            }),
        );
    }
    found
}
