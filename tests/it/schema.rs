//! The spec's JSON Schema (`kubeward schema`, the committed `kubeward.schema.json`):
//! it accepts every example and the wizard's spec, and refuses what the loader refuses
//! (a misspelled field, a wrong type).

use serde_json::Value;

use crate::support::{DIGEST, examples, kubeward, root};

fn schema() -> Value {
    serde_json::from_str(&kubeward::spec::json_schema()).unwrap()
}

/// The errors of `yaml` against the schema, as `path: message` lines.
fn errors(yaml: &str) -> Vec<String> {
    let instance: Value = serde_yaml::from_str(yaml).unwrap();
    let validator = jsonschema::validator_for(&schema()).unwrap();
    validator
        .iter_errors(&instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_committed_schema_is_what_kubeward_schema_prints() {
    let committed = std::fs::read_to_string(root().join("kubeward.schema.json")).unwrap();
    let out = kubeward().arg("schema").output().unwrap();
    assert!(out.status.success());
    assert!(
        committed == String::from_utf8(out.stdout).unwrap(),
        "kubeward.schema.json is stale: run `cargo run -q -- schema > kubeward.schema.json`"
    );
}

#[test]
fn the_schema_describes_fields_and_refuses_unknown_ones() {
    let s = schema();
    assert_eq!(s["additionalProperties"], false);
    assert_eq!(s["$defs"]["App"]["additionalProperties"], false);
    let replicas = &s["$defs"]["App"]["properties"]["replicas"]["description"];
    assert!(
        replicas.as_str().unwrap().contains("default 2"),
        "{replicas}"
    );
    assert_eq!(
        s["$defs"]["LogEndpoint"]["properties"]["tls"]["default"],
        true
    );
}

#[test]
fn every_example_is_valid_and_names_the_committed_schema() {
    for (name, path) in examples() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.lines().next(),
            Some("# yaml-language-server: $schema=../../kubeward.schema.json"),
            "{name}"
        );
        assert!(
            path.parent()
                .unwrap()
                .join("../../kubeward.schema.json")
                .is_file()
        );
        assert_eq!(errors(&text), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn a_misspelled_field_or_a_wrong_type_is_refused_like_the_loader_does() {
    let good = format!(
        "version: 1\nnamespaces: [{{ name: shop }}]\napps:\n  - name: web\n    namespace: shop\n    image: registry.example.com/web:1.0@{DIGEST}\n    replicas: 2\n    apiAccess: {{ resources: [configmaps] }}\nflows:\n  - {{ from: web, to: {{ cidr: 10.0.0.0/8 }}, port: 5432 }}\n"
    );
    assert_eq!(errors(&good), Vec::<String>::new());
    for (from, to, path) in [
        ("replicas: 2", "replcas: 2", "/apps/0"),
        ("replicas: 2", "replicas: two", "/apps/0/replicas"),
        (
            "cidr: 10.0.0.0/8",
            "cidr: 10.0.0.0/8, excpet: []",
            "/flows/0/to",
        ),
        (
            "resources: [configmaps]",
            "resource: [configmaps]",
            "/apps/0/apiAccess",
        ),
        ("version: 1", "version: 1\nregistry: [x]", ""),
    ] {
        let bad = good.replace(from, to);
        let found = errors(&bad);
        assert!(
            found.iter().any(|e| e.starts_with(&format!("{path}: "))),
            "{to}: {found:?}"
        );
        assert!(
            kubeward::spec::parse("bad.yaml", &bad).is_err(),
            "the loader refuses {to} too"
        );
    }
}

#[test]
fn the_wizard_writes_a_spec_that_names_the_schema_and_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("kubeward.yaml");
    kubeward()
        .args(["init", "--yes", "--app", "web", "--namespace", "shop"])
        .arg("--image")
        .arg(format!("registry.example.com/web:1.0@{DIGEST}"))
        .args([
            "--port",
            "http:8080",
            "--flow",
            "ingress:web:8080",
            "--spec",
        ])
        .arg(&spec)
        .arg("-o")
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let text = std::fs::read_to_string(&spec).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        kubeward::spec::modeline(),
        "{text}"
    );
    assert_eq!(errors(&text), Vec::<String>::new(), "{text}");
}
