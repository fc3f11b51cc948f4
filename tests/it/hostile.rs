//! Strings from a spec are data: hostile values come out byte for byte as the same
//! strings and never add a key, a field or a document.

use serde_json::{Value, json};

use crate::support::{DIGEST, render_text};

fn hostile() -> Vec<String> {
    let mut v: Vec<String> = [
        "plain",
        "line one\nline two",
        "key: value",
        "- item",
        "---",
        "...",
        "--- \napiVersion: v1\nkind: Secret",
        "{{ name }}",
        "{{{raw}}}",
        "\"double\"",
        "'single'",
        "yes",
        "on",
        "off",
        "y",
        "n",
        "NO",
        "true",
        "0755",
        "0x1F",
        "1e3",
        "1.10",
        "12:30",
        "2024-01-01",
        "null",
        "~",
        "",
        " ",
        "\ttab\t",
        "tab\tinside",
        "#not a comment",
        "&anchor",
        "*alias",
        "!!binary",
        "%TAG",
        "@",
        "`",
        "|",
        ">",
        "[a, b]",
        "{a: b}",
        "a,b",
        "back\\slash",
        "unicode: é ü 日本語 🚀",
        "\u{7f}\u{85}\u{a0}\u{2028}\u{2029}\u{feff}",
        "\r\n",
        "x\n    injected: true\n  hostNetwork: true",
        "</script>&amp;<b>",
        "=",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.push("x".repeat(5000));
    v
}

fn spec_with(values: &[String]) -> String {
    let env: serde_json::Map<String, Value> = values
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("V{i:02}"), Value::from(s.as_str())))
        .collect();
    let spec = json!({
        "version": 1,
        "namespaces": [{
            "name": "shop",
            "podSecurity": "baseline",
            "podSecurityExemption": values.join("|"),
        }],
        "apps": [{
            "name": "web",
            "namespace": "shop",
            "image": format!("registry.example.com/web:1@{DIGEST}"),
            "ports": [{ "name": "http", "port": 8080 }],
            "env": env,
            "command": values,
            "args": values,
        }],
    });
    serde_yaml::to_string(&spec).unwrap()
}

fn doc_of<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    &files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} not rendered"))
        .1
}

fn single_document(text: &str) -> serde_yaml::Value {
    use serde::Deserialize;
    let docs: Vec<serde_yaml::Value> = serde_yaml::Deserializer::from_str(text)
        .map(|d| serde_yaml::Value::deserialize(d).unwrap())
        .collect();
    assert_eq!(docs.len(), 1, "exactly one document:\n{text}");
    docs.into_iter().next().unwrap()
}

fn keys(v: &serde_yaml::Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    k.sort();
    k
}

#[test]
fn env_command_and_args_round_trip_exactly() {
    let values = hostile();
    let files = render_text(&spec_with(&values));
    let dep = single_document(doc_of(&files, "shop/web/deployment.yaml"));
    assert_eq!(keys(&dep), ["apiVersion", "kind", "metadata", "spec"]);
    let pod = &dep["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(pod["containers"].as_sequence().unwrap().len(), 1);
    assert!(pod.get("hostNetwork").is_none());
    assert_eq!(
        keys(c),
        [
            "args",
            "command",
            "env",
            "image",
            "imagePullPolicy",
            "livenessProbe",
            "name",
            "ports",
            "readinessProbe",
            "resources",
            "securityContext",
            "volumeMounts"
        ]
    );
    let strings = |v: &serde_yaml::Value| -> Vec<String> {
        v.as_sequence()
            .unwrap()
            .iter()
            .map(|s| s.as_str().expect("a string").to_string())
            .collect()
    };
    assert_eq!(strings(&c["command"]), values);
    assert_eq!(strings(&c["args"]), values);
    let env = c["env"].as_sequence().unwrap();
    assert_eq!(env.len(), values.len());
    for (i, e) in env.iter().enumerate() {
        assert_eq!(keys(e), ["name", "value"]);
        assert_eq!(e["name"].as_str().unwrap(), format!("V{i:02}"));
        assert_eq!(
            e["value"].as_str().expect("a string"),
            values[i],
            "env V{i:02}"
        );
    }
}

#[test]
fn annotation_text_round_trips_exactly() {
    let values = hostile();
    let files = render_text(&spec_with(&values));
    let ns = single_document(doc_of(&files, "shop/namespace.yaml"));
    let annotations = ns["metadata"]["annotations"].as_mapping().unwrap();
    assert_eq!(annotations.len(), 1);
    let reason = ns["metadata"]["annotations"]["kubeward.dev/pod-security-exemption"]
        .as_str()
        .unwrap();
    assert_eq!(reason, values.join("|").trim());
}

#[test]
fn every_rendered_file_is_one_document() {
    let files = render_text(&spec_with(&hostile()));
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
        let doc = single_document(text);
        assert!(doc.get("kind").is_some(), "{path}");
    }
}
