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
        original.replace(from, &format!("    - from:\n        - {peers}\n")),
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
