//! What every example bundle means, read from the rendered objects (the snapshots are the
//! second line): admission denies, quotas keep node ports and load balancers at zero, PSA
//! labels, RBAC verbs, and exactly the declared flows, each opened by the receiver's
//! ingress and the sender's egress. The objects come straight from the templates, so
//! these hold even if the render's own checks were weakened.

use std::collections::BTreeSet;

use kubeward::proof::extras;
use kubeward::validate::netpol::{Connection, Endpoint, Matrix, evaluate};
use kubeward::validate::{Document, parse_documents};
use serde_yaml::Value;

use crate::support::examples;

/// One example, rendered in memory: its spec, model and API objects.
struct Bundle {
    name: String,
    spec: Value,
    model: kubeward::resolve::Model,
    docs: Vec<Document>,
}

impl Bundle {
    fn of_kind(&self, kind: &str) -> Vec<&Document> {
        self.docs.iter().filter(|d| d.kind() == kind).collect()
    }
}

fn bundles() -> Vec<Bundle> {
    examples()
        .into_iter()
        .map(|(name, path)| {
            let text = std::fs::read_to_string(&path).unwrap();
            let resolved = kubeward::resolve::parse_resolved("kubeward.yaml", &text)
                .unwrap_or_else(|d| panic!("{name}: {}", kubeward::diag::render_all(&d)));
            // Plan and render only: the bundle's own checks (validation, the flow proof)
            // are not between these tests and the objects they read.
            let renderer =
                kubeward::render::Renderer::new(kubeward::render::embedded().unwrap()).unwrap();
            let files = renderer
                .render(&kubeward::plan::plan(&resolved.model))
                .unwrap_or_else(|e| panic!("{name}: render failed: {e:?}"));
            let mut docs = Vec::new();
            for f in files.iter().filter(|f| f.apply && f.kubernetes) {
                docs.extend(parse_documents(&f.path, &f.text).unwrap());
            }
            Bundle {
                name,
                spec: serde_yaml::from_str(&text).unwrap(),
                model: resolved.model,
                docs,
            }
        })
        .collect()
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_sequence()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn the_admission_binding_denies_and_the_policy_fails_closed() {
    for b in bundles() {
        let bindings = b.of_kind("ValidatingAdmissionPolicyBinding");
        let policies = b.of_kind("ValidatingAdmissionPolicy");
        let declared = b.spec.get("registries").is_some();
        assert_eq!(
            (bindings.len(), policies.len()),
            if declared { (1, 1) } else { (0, 0) },
            "{}: one policy and one binding when registries are declared",
            b.name
        );
        for (binding, policy) in bindings.iter().zip(&policies) {
            let spec = &binding.value["spec"];
            assert!(
                strings(&spec["validationActions"]).contains(&"Deny"),
                "{}: the binding must deny, not only audit or warn: {:?}",
                b.name,
                spec["validationActions"]
            );
            assert_eq!(
                str_at(spec, &["paramRef", "parameterNotFoundAction"]),
                Some("Deny"),
                "{}: a namespace without its trusted-registry list is denied",
                b.name
            );
            assert_eq!(
                str_at(spec, &["policyName"]),
                Some(policy.name()),
                "{}",
                b.name
            );
            assert_eq!(
                str_at(&policy.value, &["spec", "failurePolicy"]),
                Some("Fail"),
                "{}: the policy fails closed",
                b.name
            );
            let covered = strings(
                &spec["matchResources"]["namespaceSelector"]["matchExpressions"][0]["values"],
            );
            for app in &b.model.apps {
                assert!(
                    covered.contains(&app.namespace.as_str()),
                    "{}: the binding covers namespace {} of app {}",
                    b.name,
                    app.namespace,
                    app.name
                );
            }
        }
    }
}

#[test]
fn every_quota_keeps_node_ports_and_load_balancers_at_zero() {
    for b in bundles() {
        let quotas = b.of_kind("ResourceQuota");
        assert_eq!(quotas.len(), b.of_kind("Namespace").len(), "{}", b.name);
        for q in quotas {
            for key in ["services.nodeports", "services.loadbalancers"] {
                assert_eq!(
                    q.value["spec"]["hard"][key].as_str(),
                    Some("0"),
                    "{}: {} {key}",
                    b.name,
                    q.describe()
                );
            }
        }
    }
}

#[test]
fn namespaces_enforce_their_declared_level_and_audit_and_warn_restricted_at_a_pinned_version() {
    for b in bundles() {
        let version = format!("v1.{}", b.model.kubernetes_minor);
        if let Some(declared) = b.spec.get("kubernetes").and_then(Value::as_str) {
            assert_eq!(format!("v{declared}"), version, "{}", b.name);
        }
        let declared: Vec<&Value> = b.spec["namespaces"].as_sequence().unwrap().iter().collect();
        let logging = b.model.logging.as_ref().map(|l| l.namespace.as_str());
        let namespaces = b.of_kind("Namespace");
        assert_eq!(
            namespaces.len(),
            declared.len() + usize::from(logging.is_some()),
            "{}: the declared namespaces and the log shipper's",
            b.name
        );
        for ns in namespaces {
            let name = ns.name();
            let level = match declared.iter().find(|d| d["name"].as_str() == Some(name)) {
                Some(d) => d
                    .get("podSecurity")
                    .and_then(Value::as_str)
                    .unwrap_or("restricted"),
                None if Some(name) == logging => "privileged",
                None => panic!("{}: namespace {name} was not declared", b.name),
            };
            let labels = &ns.value["metadata"]["labels"];
            let label = |k: &str| labels[format!("pod-security.kubernetes.io/{k}")].as_str();
            let at = format!("{}/{name}", b.name);
            assert_eq!(label("enforce"), Some(level), "{at}");
            assert_eq!(label("audit"), Some("restricted"), "{at}");
            assert_eq!(label("warn"), Some("restricted"), "{at}");
            for mode in ["enforce", "audit", "warn"] {
                assert_eq!(
                    label(&format!("{mode}-version")),
                    Some(version.as_str()),
                    "{at}: {mode} is pinned to the target version, never `latest`"
                );
            }
        }
    }
}

#[test]
fn roles_grant_no_wildcards_no_secrets_and_no_escalation() {
    let mut roles = 0;
    for b in bundles() {
        for role in b
            .of_kind("Role")
            .into_iter()
            .chain(b.of_kind("ClusterRole"))
        {
            roles += 1;
            let at = format!("{}: {}", b.name, role.describe());
            for rule in role.value["rules"].as_sequence().unwrap() {
                for field in ["apiGroups", "resources", "verbs", "resourceNames"] {
                    assert!(
                        !strings(&rule[field]).iter().any(|v| v.contains('*')),
                        "{at}: a wildcard in {field}: {rule:?}"
                    );
                }
                assert!(
                    rule.get("nonResourceURLs").is_none(),
                    "{at}: non-resource URLs: {rule:?}"
                );
                let resources = strings(&rule["resources"]);
                assert!(
                    !resources
                        .iter()
                        .any(|r| *r == "secrets" || r.starts_with("secrets/")),
                    "{at}: secrets are never granted: {rule:?}"
                );
                let verbs = strings(&rule["verbs"]);
                for verb in ["escalate", "bind", "impersonate"] {
                    assert!(!verbs.contains(&verb), "{at}: {verb}: {rule:?}");
                }
            }
        }
    }
    assert!(roles >= 8, "the examples grant access ({roles} roles)");
}

/// An endpoint as the proof names it.
fn show(m: &Matrix, e: Endpoint, from: bool) -> String {
    match (e, from) {
        (Endpoint::Any, true) => "any source".into(),
        (Endpoint::Any, false) => "any destination".into(),
        _ => m.universe.show(e),
    }
}

/// `from → to ports by policy, …` for each connection of one side of the matrix.
fn lines(m: &Matrix, side: &[Connection]) -> BTreeSet<String> {
    side.iter()
        .map(|c| {
            let mut by: Vec<String> = c
                .allow
                .policies
                .iter()
                .map(|p| m.policies[*p].id())
                .collect();
            by.sort();
            format!(
                "{} → {} {} by {}",
                show(m, c.from, true),
                show(m, c.to, false),
                c.allow.ports,
                by.join(", ")
            )
        })
        .collect()
}

/// What the ingress of the example's pods admits and what their egress lets out, read
/// from its spec by hand: each declared flow is admitted by the receiver's own policy and
/// let out by the sender's own policy, on the container port; plus DNS for every pod.
fn declared(example: &str) -> (Vec<&'static str>, Vec<&'static str>) {
    match example {
        "logging-elasticsearch" => (
            vec!["monitoring/* → logging/fluent-bit TCP 2020 by logging/fluent-bit-allow"],
            vec![
                "logging/fluent-bit → 10.0.0.1/32 TCP 443, 6443 by logging/fluent-bit-allow",
                "logging/fluent-bit → 10.30.0.0/24 TCP 9200 by logging/fluent-bit-allow",
            ],
        ),
        "logging-loki" => (
            vec![],
            vec![
                "log-shipping/fluent-bit → 10.0.0.1/32 TCP 443, 6443 by log-shipping/fluent-bit-allow",
                "log-shipping/fluent-bit → loki/* TCP 3100 by log-shipping/fluent-bit-allow",
            ],
        ),
        "minimal" | "teams" => (vec![], vec![]),
        "multi-namespace" => (
            vec![
                "ingress-nginx/* → shop/web TCP 8080 by shop/web-allow",
                "shop/web → payments/api TCP 9000 by payments/api-allow",
                "payments/settlement → payments/api TCP 9000 by payments/api-allow",
            ],
            vec![
                "shop/web → payments/api TCP 9000 by shop/web-allow",
                "payments/api → 10.0.0.1/32 TCP 443 by payments/api-allow",
                "payments/api → 203.0.113.0/24 TCP 443, 8443 by payments/api-allow",
                "payments/settlement → payments/api TCP 9000 by payments/settlement-allow",
            ],
        ),
        "two-apps" => (
            vec![
                "ingress-nginx/* → fronto/frontend TCP 8080 by fronto/frontend-allow",
                "fronto/frontend → fronto/backend TCP 8080 by fronto/backend-allow",
            ],
            vec![
                "fronto/frontend → fronto/backend TCP 8080 by fronto/frontend-allow",
                "fronto/backend → 10.20.0.0/16 except 10.20.9.0/24 TCP 5432 by fronto/backend-allow",
            ],
        ),
        other => panic!("example `{other}`: write down the connections its spec declares here"),
    }
}

#[test]
fn every_example_allows_exactly_its_declared_flows_on_the_receiver_and_the_sender() {
    for b in bundles() {
        let m = evaluate(&b.docs, &extras(&b.model));
        let (ingress, mut egress): (Vec<String>, Vec<String>) = {
            let (i, e) = declared(&b.name);
            (
                i.into_iter().map(String::from).collect(),
                e.into_iter().map(String::from).collect(),
            )
        };
        let mut pods: Vec<String> = b
            .model
            .apps
            .iter()
            .map(|a| format!("{}/{}", a.namespace, a.name))
            .collect();
        if let Some(l) = &b.model.logging {
            pods.push(format!("{}/fluent-bit", l.namespace));
        }
        for pod in &pods {
            let ns = pod.split('/').next().unwrap();
            egress.push(format!(
                "{pod} → kube-system/[k8s-app=kube-dns] TCP 53; UDP 53 by {ns}/allow-dns"
            ));
            if let Some(local) = &b.model.dns_node_local {
                egress.push(format!("{pod} → {local} TCP 53; UDP 53 by {ns}/allow-dns"));
            }
        }
        assert_eq!(
            lines(&m, &m.admitted),
            ingress.into_iter().collect::<BTreeSet<_>>(),
            "{}: what the receivers' ingress admits",
            b.name
        );
        assert_eq!(
            lines(&m, &m.let_out),
            egress.into_iter().collect::<BTreeSet<_>>(),
            "{}: what the senders' egress lets out",
            b.name
        );
        for (pod, (ingress, egress)) in m.isolated.iter().enumerate() {
            let pod = Endpoint::Pod(pod);
            if m.universe.is_workload(pod) {
                assert!(
                    *ingress && *egress,
                    "{}: {} is isolated both ways",
                    b.name,
                    m.universe.show(pod)
                );
            }
        }
    }
}

#[test]
fn app_policies_put_ingress_peers_on_the_receiver_and_egress_peers_on_the_sender() {
    for b in bundles() {
        for flow in b
            .spec
            .get("flows")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let (Some(from), Some(to)) = (flow["from"].as_str(), flow["to"].as_str()) else {
                continue;
            };
            if from == "ingress" || to == "kube-apiserver" {
                continue;
            }
            let app = |name: &str| {
                let (ns, app) = name
                    .split_once('/')
                    .map_or((None, name), |(n, a)| (Some(n), a));
                b.model
                    .apps
                    .iter()
                    .find(|a| a.name == app && ns.is_none_or(|n| a.namespace == n))
                    .unwrap_or_else(|| panic!("{}: no app {name}", b.name))
            };
            let (sender, receiver) = (app(from), app(to));
            let policy = |a: &kubeward::resolve::model::App| {
                b.docs
                    .iter()
                    .find(|d| {
                        d.kind() == "NetworkPolicy"
                            && d.namespace() == Some(a.namespace.as_str())
                            && d.name() == format!("{}-allow", a.name)
                    })
                    .unwrap_or_else(|| panic!("{}: no policy for {}", b.name, a.name))
            };
            let selects = |peer: &Value, a: &kubeward::resolve::model::App, own_ns: &str| {
                peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str()
                    == Some(a.name.as_str())
                    && (a.namespace == own_ns
                        || peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                            .as_str()
                            == Some(a.namespace.as_str()))
            };
            let peers_of = |doc: &Document, side: &str, key: &str| -> Vec<Value> {
                doc.value["spec"][side]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .flat_map(|r| r[key].as_sequence().cloned().unwrap_or_default())
                    .collect()
            };
            let at = format!("{}: {from} → {to}", b.name);
            let inbound = policy(receiver);
            assert!(
                peers_of(inbound, "ingress", "from").iter().any(|p| selects(
                    p,
                    sender,
                    &receiver.namespace
                )),
                "{at}: the receiver's ingress names the sender"
            );
            assert!(
                !peers_of(inbound, "ingress", "from").iter().any(|p| selects(
                    p,
                    receiver,
                    &receiver.namespace
                )),
                "{at}: the receiver's ingress does not name the receiver"
            );
            let outbound = policy(sender);
            assert!(
                peers_of(outbound, "egress", "to").iter().any(|p| selects(
                    p,
                    receiver,
                    &sender.namespace
                )),
                "{at}: the sender's egress names the receiver"
            );
            assert!(
                !peers_of(outbound, "egress", "to").iter().any(|p| selects(
                    p,
                    sender,
                    &sender.namespace
                )),
                "{at}: the sender's egress does not name the sender"
            );
        }
    }
}
