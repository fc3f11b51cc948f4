//! Tests of the plan: what each resolved fact becomes in the views.

use serde_json::{Value, json};

use super::*;
use crate::resolve::parse_resolved;

const DIGEST: &str = "sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a";

fn planned_text(text: &str) -> (Model, Plan) {
    let resolved = parse_resolved("t.yaml", text)
        .unwrap_or_else(|d| panic!("{}", crate::diag::render_all(&d)));
    let plan = plan(&resolved.model);
    (resolved.model, plan)
}

fn planned(extra_ns: &str, apps: &str, flows: &str) -> Plan {
    let text = format!(
        "version: 1\nnamespaces:\n  - name: a\n{extra_ns}  - name: b\napps:\n{apps}flows:\n{flows}"
    );
    planned_text(&text).1
}

fn app(name: &str, ns: &str, port: u32) -> String {
    format!(
        "  - {{ name: {name}, namespace: {ns}, image: \"r/{name}:1@{DIGEST}\", ports: [{{ name: p, port: {port} }}], service: {{ port: 80, targetPort: p }} }}\n"
    )
}

fn view<'a>(p: &'a Plan, path: &str) -> &'a Value {
    &p.objects
        .iter()
        .find(|o| o.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .view
}

#[test]
fn a_flow_is_an_ingress_rule_on_the_receiver_and_an_egress_rule_on_the_sender() {
    let p = planned(
        "",
        &(app("web", "a", 8080) + &app("api", "b", 9000)),
        "  - { from: web, to: b/api, port: 80 }\n",
    );
    let api = view(&p, "b/api/networkpolicy.yaml");
    assert_eq!(api["policyTypes"], json!(["Ingress"]));
    assert_eq!(
        api["ingress"][0]["ports"],
        json!([{ "port": 9000, "protocol": "TCP" }]),
        "service port 80 opens target 9000"
    );
    assert_eq!(
        api["ingress"][0]["peers"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "a"
    );
    let web = view(&p, "a/web/networkpolicy.yaml");
    assert_eq!(web["policyTypes"], json!(["Egress"]));
    assert_eq!(
        web["egress"][0]["peers"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
        "api"
    );
    assert_eq!(web["egress"][0]["ports"][0]["port"], 9000);
}

#[test]
fn the_policies_open_exactly_the_ports_the_model_resolved() {
    let (model, p) = planned_text(&format!(
        "version: 1\nnamespaces: [{{ name: a }}]\napps:\n{}{}flows:\n  - {{ from: web, to: api, ports: [80, 9000] }}\n",
        app("web", "a", 8080),
        app("api", "a", 9000)
    ));
    let opened: Vec<u32> = model.flows[0].ports.iter().map(|p| p.opened).collect();
    assert_eq!(opened, [9000], "80 and 9000 reach the same container port");
    for path in ["a/api/networkpolicy.yaml", "a/web/networkpolicy.yaml"] {
        let v = view(&p, path);
        let rule = if path.contains("api") {
            &v["ingress"][0]
        } else {
            &v["egress"][0]
        };
        assert_eq!(
            rule["ports"],
            json!([{ "port": 9000, "protocol": "TCP" }]),
            "{path}"
        );
    }
}

#[test]
fn apps_without_flows_get_no_allow_policy() {
    let p = planned("", &app("web", "a", 8080), "  []\n");
    assert!(p.objects.iter().all(|o| o.template != "network/app-policy"));
}

#[test]
fn a_relaxed_namespace_still_audits_and_warns_at_restricted() {
    let p = planned(
        "    podSecurity: baseline\n    podSecurityExemption: legacy\n",
        "  []\n",
        "  []\n",
    );
    let labels = &view(&p, "a/namespace.yaml")["labels"];
    assert_eq!(labels["pod-security.kubernetes.io/enforce"], "baseline");
    assert_eq!(labels["pod-security.kubernetes.io/audit"], "restricted");
    assert_eq!(labels["pod-security.kubernetes.io/warn"], "restricted");
    assert_eq!(
        view(&p, "a/namespace.yaml")["annotations"]["kubeward.dev/pod-security-exemption"],
        "legacy"
    );
}

#[test]
fn the_service_port_is_named_after_the_port_it_targets() {
    // Regression: the Service port was named after ports[0] whatever it targeted.
    let (_, p) = planned_text(&format!(
        "version: 1\nnamespaces: [{{ name: a }}]\napps:\n  - {{ name: web, namespace: a, image: \"r/web:1@{DIGEST}\", ports: [{{ name: http, port: 8080 }}, {{ name: metrics, port: 9090 }}], service: {{ port: 80, targetPort: 9090 }} }}\n"
    ));
    assert_eq!(
        view(&p, "a/web/service.yaml")["port"],
        json!({ "name": "metrics", "port": 80, "targetPort": 9090, "protocol": "TCP" })
    );
}

#[test]
fn the_rollout_surge_of_the_model_is_the_one_the_deployment_uses() {
    let (model, p) = planned_text(&format!(
        "version: 1\nnamespaces: [{{ name: a }}]\napps:\n{}",
        app("web", "a", 8080)
    ));
    let rollout = &view(&p, "a/web/deployment.yaml")["rollout"];
    assert_eq!(rollout["maxSurge"], model.apps[0].rollout.max_surge);
    assert_eq!(
        rollout["maxUnavailable"],
        model.apps[0].rollout.max_unavailable
    );
    assert_eq!(
        model.apps[0].peak_pods(),
        model.apps[0].replicas + model.apps[0].rollout.max_surge
    );
}

#[test]
fn the_deployment_lays_out_the_models_one_mount_list() {
    let (model, p) = planned_text(&format!(
        "version: 1\nnamespaces: [{{ name: a }}]\napps:\n  - {{ name: web, namespace: a, image: \"r/web:1@{DIGEST}\", writablePaths: [/tmp, /var/cache], secretFiles: [{{ secret: db, mountPath: /etc/db, keys: [password] }}], apiAccess: true }}\n"
    ));
    let mounts = view(&p, "a/web/deployment.yaml")["mounts"]
        .as_array()
        .unwrap()
        .clone();
    let paths: Vec<&str> = mounts.iter().map(|m| m["path"].as_str().unwrap()).collect();
    let expected: Vec<&str> = model.apps[0]
        .mounts
        .iter()
        .map(|m| m.path.as_str())
        .collect();
    assert_eq!(paths, expected);
    assert_eq!(
        paths,
        [
            "/tmp",
            "/var/cache",
            "/etc/db",
            crate::k8s::SERVICE_ACCOUNT_TOKEN_PATH
        ]
    );
    let read_only: Vec<bool> = mounts.iter().map(|m| m["readOnly"] == true).collect();
    assert_eq!(read_only, [false, false, true, true]);
    assert_eq!(mounts[1]["emptyDir"]["sizeLimit"], "128Mi");
    assert_eq!(
        mounts[2]["secret"],
        json!({ "secretName": "db", "items": [{ "key": "password", "path": "password" }] })
    );
    assert_eq!(mounts[3]["apiToken"], true);
}
