//! What the wizard is about to write: the objects, the allowed flows and who may do what.

use std::fmt::Write;

use crate::resolve::Model;
use crate::resolve::model::{Destination, Source};

/// A short review of a resolved spec, for the confirmation.
pub fn summary(model: &Model) -> String {
    let plan = crate::plan::plan(model);
    let mut out = format!("Objects to be generated ({}):\n", plan.objects.len());
    for o in &plan.objects {
        let _ = writeln!(out, "  {}", o.path);
    }
    out.push_str("\nAllowed traffic (everything else is denied; DNS always works):\n");
    if model.flows.is_empty() {
        out.push_str("  none\n");
    }
    for flow in &model.flows {
        let _ = writeln!(out, "  {}", flow_line(model, flow));
    }
    let grants: Vec<String> = model
        .namespaces
        .iter()
        .flat_map(|ns| {
            ns.access.iter().map(move |g| {
                format!(
                    "  {:<16} {:?} {:<24} {}",
                    ns.name,
                    g.subject_kind,
                    g.subject_name,
                    g.label()
                )
            })
        })
        .collect();
    out.push_str("\nAccess:\n");
    if grants.is_empty() {
        out.push_str("  nobody but cluster administrators\n");
    }
    for g in grants {
        let _ = writeln!(out, "{g}");
    }
    out
}

/// `shop/web → shop/api:8080` (`80→8080` where a Service port maps to a container port).
fn flow_line(model: &Model, flow: &crate::resolve::model::Flow) -> String {
    let app = |i: usize| format!("{}/{}", model.apps[i].namespace, model.apps[i].name);
    let from = match &flow.from {
        Source::App(i) => app(*i),
        Source::Ingress { namespace } => format!("ingress ({namespace})"),
    };
    let to = match &flow.to {
        Destination::App(i) => app(*i),
        Destination::ApiServer { .. } => "kube-apiserver".into(),
        Destination::Cidr { cidr, except } if except.is_empty() => cidr.clone(),
        Destination::Cidr { cidr, except } => format!("{cidr} except {}", except.join(", ")),
    };
    let ports: Vec<String> = flow.ports.iter().map(|p| p.label()).collect();
    format!(
        "{from} → {to}:{} {}",
        ports.join(","),
        flow.protocol.as_str()
    )
}
