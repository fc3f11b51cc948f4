//! The flow proof on every render, `kubeward flows` and `kubeward diagram`.

use predicates::prelude::*;

use crate::support::{DIGEST, kubeward, root};

/// Only frontend may reach backend, on backend's Service port 80 (container port 8080).
fn frontend_to_backend() -> String {
    let app = |name: &str, service: &str| {
        format!(
            "  - name: {name}\n    namespace: shop\n    image: registry.example.com/{name}:1.0@{DIGEST}\n    ports: [{{ name: http, port: 8080 }}]\n{service}"
        )
    };
    format!(
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: {{ ciPipeline: none }}\nnamespaces:\n  - name: shop\napps:\n{}{}flows:\n  - {{ from: frontend, to: backend, port: 80 }}\n",
        app("frontend", ""),
        app("backend", "    service: { port: 80, targetPort: http }\n"),
    )
}

/// A template directory whose `network/app-policy.yaml.hbs` has `peers` as every
/// ingress rule's `from:` list.
fn app_policy_with_peers(peers: &str) -> tempfile::TempDir {
    app_policy_with_from(&format!("    - from:\n        - {peers}\n"))
}

/// A template directory whose `network/app-policy.yaml.hbs` starts every ingress rule
/// with `from` (the `from:` key of a list item) instead of the declared peers.
fn app_policy_with_from(from_block: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(root().join("templates/network/app-policy.yaml.hbs")).unwrap();
    let from = "    - from:\n{{#each peers}}\n        - {{yaml this 10}}\n{{/each}}\n";
    assert!(
        original.contains(from),
        "the template changed; update this test"
    );
    std::fs::create_dir_all(t.path().join("network")).unwrap();
    std::fs::write(
        t.path().join("network/app-policy.yaml.hbs"),
        original.replace(from, from_block),
    )
    .unwrap();
    t
}

/// Render `spec` into a fresh directory with the template overrides of `templates`.
fn render(
    spec: &str,
    templates: Option<&std::path::Path>,
) -> (assert_cmd::assert::Assert, tempfile::TempDir) {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("kubeward.yaml");
    std::fs::write(&file, spec).unwrap();
    let mut cmd = kubeward();
    cmd.args(["render", "-f"])
        .arg(&file)
        .arg("-o")
        .arg(t.path().join("out"));
    if let Some(dir) = templates {
        cmd.arg("--templates").arg(dir);
    }
    (cmd.assert(), t)
}

#[test]
fn the_declared_flow_is_proved() {
    let (assert, t) = render(&frontend_to_backend(), None);
    assert.success();
    assert!(t.path().join("out/kustomization.yaml").exists());
}

#[test]
fn a_policy_open_to_every_pod_of_its_namespace_fails_the_proof() {
    let templates = app_policy_with_peers("podSelector: {}");
    let (assert, t) = render(&frontend_to_backend(), Some(templates.path()));
    assert
        .code(1)
        .stderr(predicate::str::contains(
            "extra: shop/backend → shop/backend TCP 8080 (admitted by `shop/backend-allow` in shop/backend/networkpolicy.yaml)",
        ))
        .stderr(predicate::str::contains("help: "))
        .stderr(predicate::str::contains("app-policy.yaml.hbs"))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!t.path().join("out").exists());
}

#[test]
fn a_peer_of_every_namespace_fails_the_proof() {
    let templates = app_policy_with_peers("namespaceSelector: {}");
    let (assert, t) = render(&frontend_to_backend(), Some(templates.path()));
    assert
        .code(1)
        .stderr(predicate::str::contains(
            "extra: (other)/* → shop/backend TCP 8080 (admitted by `shop/backend-allow`",
        ))
        .stderr(predicate::str::contains(
            "extra: kube-system/* → shop/backend TCP 8080",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!t.path().join("out").exists());
}

#[test]
fn a_policy_that_drops_the_except_fails_the_proof() {
    let t = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(root().join("templates/network/app-policy.yaml.hbs")).unwrap();
    std::fs::create_dir_all(t.path().join("network")).unwrap();
    let edited = original.replace(
        "{{#each peers}}\n        - {{yaml this 10}}\n{{/each}}\n      ports:\n{{else}}",
        "        - ipBlock: {cidr: \"10.20.0.0/16\"}\n      ports:\n{{else}}",
    );
    assert_ne!(edited, original, "the template changed; update this test");
    std::fs::write(t.path().join("network/app-policy.yaml.hbs"), edited).unwrap();
    let spec = std::fs::read_to_string(root().join("examples/two-apps/kubeward.yaml")).unwrap();
    let (assert, _dir) = render(&spec, Some(t.path()));
    assert
        .code(1)
        .stderr(predicate::str::contains(
            "extra: fronto/backend → 10.20.9.0/24 TCP 5432 (let out by `fronto/backend-allow`",
        ))
        .stderr(predicate::str::contains(
            "missing: fronto/frontend → fronto/backend TCP 8080 (not let out by the egress of fronto/frontend)",
        ));
}

/// Three namespaces and every flow shape: from the ingress controller, app to app across
/// namespaces (Service ports resolved), to a CIDR with an exception and several ports,
/// UDP to a CIDR, and to the API server at an unknown address.
fn three_namespaces() -> String {
    let app = |name: &str, ns: &str, rest: &str| {
        format!(
            "  - name: {name}\n    namespace: {ns}\n    image: registry.example.com/{name}:1.0@{DIGEST}\n{rest}"
        )
    };
    [
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: { ciPipeline: none }\nnamespaces:\n  - name: shop\n    ingressFrom: ingress-nginx\n  - name: payments\n  - name: books\napps:\n".to_string(),
        app("web", "shop", "    ports: [{ name: http, port: 8080 }]\n    service: { port: 80 }\n"),
        app("api", "payments", "    ports: [{ name: grpc, port: 9000 }, { name: metrics, port: 9090 }]\n    service: { port: 9000, targetPort: grpc }\n"),
        app("ledger", "books", "    ports: [{ name: app, port: 7000 }]\n    service: { port: 80, targetPort: app }\n"),
        "flows:\n  - { from: ingress, to: web, port: 8080 }\n  - { from: web, to: payments/api, port: 9000 }\n  - { from: api, to: ledger, port: 80 }\n  - { from: api, to: { cidr: 10.20.0.0/16, except: [10.20.9.0/24] }, ports: [5432, 6432] }\n  - { from: api, to: { cidr: 10.9.0.0/16 }, port: 8125, protocol: UDP }\n  - { from: ledger, to: kube-apiserver, port: 443 }\n".into(),
    ]
    .concat()
}

/// `kubeward flows` of a rendered spec: its lines without the policy names, sorted.
fn flows_of(spec: &str) -> Vec<String> {
    let (assert, t) = render(spec, None);
    assert.success();
    let out = kubeward()
        .arg("flows")
        .arg(t.path().join("out"))
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| l.contains(" → "))
        .map(|l| l.split(" (").next().unwrap().to_string())
        .collect();
    lines.sort();
    lines
}

#[test]
fn the_matrix_of_three_namespaces_is_the_declared_flows_plus_dns() {
    let lines = flows_of(&three_namespaces());
    let mut expected = vec![
        "books/ledger → any destination 443/TCP",
        "ingress-nginx/* → shop/web 8080/TCP",
        "payments/api → 10.20.0.0/16 except 10.20.9.0/24 5432/TCP",
        "payments/api → 10.20.0.0/16 except 10.20.9.0/24 6432/TCP",
        "payments/api → 10.9.0.0/16 8125/UDP",
        "payments/api → books/ledger 7000/TCP",
        "shop/web → payments/api 9000/TCP",
    ];
    let dns: Vec<String> = ["books/ledger", "payments/api", "shop/web"]
        .iter()
        .flat_map(|p| {
            ["TCP", "UDP"].map(|proto| format!("{p} → kube-system/[k8s-app=kube-dns] 53/{proto}"))
        })
        .collect();
    expected.extend(dns.iter().map(String::as_str));
    expected.sort();
    assert_eq!(lines, expected);
}

#[test]
fn flows_of_the_two_apps_example_name_the_policies() {
    let spec = std::fs::read_to_string(root().join("examples/two-apps/kubeward.yaml")).unwrap();
    let (assert, t) = render(&spec, None);
    assert.success();
    kubeward()
        .arg("flows")
        .arg(t.path().join("out"))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "fronto/frontend → fronto/backend 8080/TCP (fronto/backend-allow, fronto/frontend-allow)\n",
        ))
        .stdout(predicate::str::contains(
            "fronto/backend → 10.20.0.0/16 except 10.20.9.0/24 5432/TCP (fronto/backend-allow)\n",
        ))
        .stdout(predicate::str::contains(
            "ingress-nginx/* → fronto/frontend 8080/TCP (fronto/frontend-allow)\n",
        ))
        .stdout(predicate::str::contains("no policy isolates").not());
}

#[test]
fn every_rendered_example_isolates_every_pod() {
    for (name, spec) in crate::support::examples() {
        let lines = flows_of(&std::fs::read_to_string(&spec).unwrap());
        assert!(
            lines.iter().all(|l| !l.starts_with("any source")),
            "{name}: {lines:?}"
        );
    }
}

const LONE_DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: x}]\n";

#[test]
fn flows_without_policies_says_every_pod_is_open() {
    kubeward()
        .args(["flows", "-"])
        .write_stdin(LONE_DEPLOYMENT)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "shop/web → any destination any port (no policy isolates its egress)\n",
        ))
        .stdout(predicate::str::contains(
            "no NetworkPolicy isolates any of the 1 workload(s): every pod is open to any source and any destination",
        ));
}

#[test]
fn flows_as_json_mermaid_and_dot() {
    let out = kubeward()
        .args(["flows", "-", "--format", "json"])
        .write_stdin(LONE_DEPLOYMENT)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["isolated"], false);
    assert_eq!(v["connections"][0]["from"], "shop/web");
    assert_eq!(v["connections"][0]["to"], "any destination");
    kubeward()
        .args(["flows", "-", "--format", "mermaid"])
        .write_stdin(LONE_DEPLOYMENT)
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "flowchart LR\n  subgraph n0[\"namespace shop\"]",
        ));
    kubeward()
        .args(["flows", "-", "--format", "dot"])
        .write_stdin(LONE_DEPLOYMENT)
        .assert()
        .success()
        .stdout(predicate::str::starts_with("digraph flows {"));
}

#[test]
fn flows_refuses_input_that_is_not_yaml() {
    kubeward()
        .args(["flows", "-"])
        .write_stdin("a: [\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("<stdin>:").and(predicate::str::contains("help: ")));
}

#[test]
fn diagram_draws_the_declared_flows_like_the_bundle_readme() {
    let spec = root().join("examples/two-apps/kubeward.yaml");
    let out = kubeward()
        .args(["diagram", "-f"])
        .arg(&spec)
        .assert()
        .success();
    let mermaid = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(mermaid.starts_with("flowchart LR\n  subgraph n0[\"namespace fronto\"]\n"));
    assert!(
        mermaid.contains("  a0 -->|\"TCP 80→8080\"| a1\n"),
        "{mermaid}"
    );
    let readme = crate::support::render_text(&std::fs::read_to_string(&spec).unwrap())
        .into_iter()
        .find(|(p, _)| p == "README.md")
        .unwrap()
        .1;
    assert!(readme.contains(&format!("```mermaid\n{mermaid}```")));
    kubeward()
        .args(["diagram", "--format", "dot", "-f"])
        .arg(&spec)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "a0 -> a1 [label=\"TCP 80→8080\"];",
        ))
        .stdout(predicate::str::contains("shape=cylinder"));
}

#[test]
fn a_peer_of_every_address_fails_the_proof() {
    let templates = app_policy_with_peers("ipBlock: { cidr: 0.0.0.0/0 }");
    let (assert, t) = render(&frontend_to_backend(), Some(templates.path()));
    assert
        .code(1)
        .stderr(predicate::str::contains(
            "extra: 0.0.0.0/0 → shop/backend TCP 8080 (admitted by `shop/backend-allow`",
        ))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!t.path().join("out").exists());
}

#[test]
fn a_rule_without_sources_fails_the_proof_as_from_any_source() {
    // `from: []` admits every source, as a rule without `from` does.
    let templates = app_policy_with_from("    - from: []\n");
    let (assert, t) = render(&frontend_to_backend(), Some(templates.path()));
    assert.code(1).stderr(predicate::str::contains(
        "extra: any source → shop/backend TCP 8080 (admitted by `shop/backend-allow`",
    ));
    assert!(!t.path().join("out").exists());
}

#[test]
fn an_unknown_flow_end_is_refused_with_the_list_of_declared_apps() {
    let known = "apps are `shop/frontend`, `shop/backend`";
    for (flow, field) in [
        ("{ from: frontend, to: nosuch, port: 80 }", "to"),
        ("{ from: nosuch, to: backend, port: 80 }", "from"),
    ] {
        let spec = frontend_to_backend().replace("{ from: frontend, to: backend, port: 80 }", flow);
        let (assert, t) = render(&spec, None);
        assert
            .code(2)
            .stderr(predicate::str::contains(format!(
                "unknown flow {}",
                if field == "to" { "target" } else { "source" }
            )))
            .stderr(predicate::str::contains(known));
        assert!(!t.path().join("out").exists());
    }
}

#[test]
fn a_flow_to_the_api_server_warns_only_without_its_addresses() {
    let warning = "the flow to `kube-apiserver` opens port(s) 443 to every address";
    let open = frontend_to_backend().replace(
        "  - { from: frontend, to: backend, port: 80 }\n",
        "  - { from: frontend, to: backend, port: 80 }\n  - { from: backend, to: kube-apiserver, port: 443 }\n",
    );
    let (assert, _t) = render(&open, None);
    assert.success().stderr(predicate::str::contains(warning));
    let pinned = format!("{open}apiServer: {{ cidrs: [10.0.0.1/32] }}\n");
    let (assert, _t) = render(&pinned, None);
    assert
        .success()
        .stderr(predicate::str::contains(warning).not());
}
