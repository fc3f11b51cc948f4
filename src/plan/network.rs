//! Flows → NetworkPolicy rules: an ingress rule on the receiver and an egress rule on
//! the sender, each opening exactly the flow's ports.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::diag::Diagnostic;
use crate::spec::{
    App, FlowTarget, INGRESS, KUBE_APISERVER, LoadedSpec, Protocol, destination_port, flow_ports,
    resolve_app,
};

#[derive(Default)]
struct Rules {
    ingress: Vec<Value>,
    egress: Vec<Value>,
}

/// One allow policy per app that takes part in a flow, keyed by app index.
pub fn app_policies(spec: &LoadedSpec, warnings: &mut Vec<Diagnostic>) -> BTreeMap<usize, Value> {
    let s = &spec.spec;
    let mut rules: BTreeMap<usize, Rules> = BTreeMap::new();
    for (fi, flow) in s.flows.iter().enumerate() {
        let from = if flow.from == INGRESS {
            None
        } else {
            resolve_app(s, &flow.from).ok()
        };
        let ports = flow_ports(flow);
        match &flow.to {
            FlowTarget::Name(n) if n == KUBE_APISERVER => {
                let Some(from) = from else { continue };
                let cidrs = s
                    .api_server
                    .as_ref()
                    .map(|a| a.cidrs.clone())
                    .unwrap_or_default();
                if cidrs.is_empty() {
                    warnings.push(spec.warning_at(&format!("flows[{fi}].to"), format!(
                        "the flow to `kube-apiserver` opens port(s) {} to every address", join(&ports)
                    )).with_code("netpol-apiserver-address").with_help(
                        "set `apiServer: { cidrs: [...] }` to the API server's addresses (`kubectl get endpoints kubernetes`)",
                    ));
                }
                let to: Vec<Value> = cidrs
                    .iter()
                    .map(|c| json!({ "ipBlock": { "cidr": c } }))
                    .collect();
                let rule = json!({ "peers": to, "ports": port_list(&ports, flow.protocol) });
                rules.entry(from).or_default().egress.push(rule);
            }
            FlowTarget::Name(n) => {
                let Ok(to) = resolve_app(s, n) else { continue };
                let dest = &s.apps[to];
                let target_ports: Vec<u32> = ports
                    .iter()
                    .filter_map(|p| destination_port(dest, *p, flow.protocol).map(|d| d.port))
                    .collect();
                let peer_in = match from {
                    Some(f) => app_peer(&s.apps[f], &dest.namespace),
                    None => {
                        let ns = s
                            .namespaces
                            .iter()
                            .find(|n| n.name == dest.namespace)
                            .and_then(|n| n.ingress_from.clone())
                            .unwrap_or_default();
                        json!({ "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": ns } } })
                    }
                };
                rules.entry(to).or_default().ingress.push(json!({
                    "peers": [peer_in], "ports": port_list(&target_ports, flow.protocol),
                }));
                if let Some(f) = from {
                    rules.entry(f).or_default().egress.push(json!({
                        "peers": [app_peer(dest, &s.apps[f].namespace)],
                        "ports": port_list(&target_ports, flow.protocol),
                    }));
                }
            }
            FlowTarget::Cidr(c) => {
                let Some(from) = from else { continue };
                let mut block = json!({ "cidr": c.cidr });
                if !c.except.is_empty() {
                    block["except"] = json!(c.except);
                }
                rules.entry(from).or_default().egress.push(json!({
                    "peers": [{ "ipBlock": block }], "ports": port_list(&ports, flow.protocol),
                }));
            }
        }
    }
    rules
        .into_iter()
        .map(|(ai, r)| {
            let app = &s.apps[ai];
            let mut types = Vec::new();
            if !r.ingress.is_empty() {
                types.push("Ingress");
            }
            if !r.egress.is_empty() {
                types.push("Egress");
            }
            (
                ai,
                json!({
                    "name": format!("{}-allow", app.name),
                    "namespace": app.namespace,
                    "app": app.name,
                    "labels": super::app_labels(&app.name),
                    "policyTypes": types,
                    "ingress": r.ingress,
                    "egress": r.egress,
                }),
            )
        })
        .collect()
}

/// The peer selecting `app`'s pods, seen from a policy in namespace `from_ns`.
fn app_peer(app: &App, from_ns: &str) -> Value {
    let pods = json!({ "matchLabels": { "app.kubernetes.io/name": app.name } });
    if app.namespace == from_ns {
        json!({ "podSelector": pods })
    } else {
        json!({
            "namespaceSelector": { "matchLabels": { "kubernetes.io/metadata.name": app.namespace } },
            "podSelector": pods,
        })
    }
}

fn port_list(ports: &[u32], protocol: Protocol) -> Vec<Value> {
    let mut seen = Vec::new();
    for p in ports {
        if !seen.contains(p) {
            seen.push(*p);
        }
    }
    seen.iter()
        .map(|p| json!({ "port": p, "protocol": protocol.as_str() }))
        .collect()
}

fn join(ports: &[u32]) -> String {
    ports
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
