//! Output stays proportionate to the problems: long source lines are clipped around the
//! column, findings are capped per rule and file in text output, and every format keeps
//! at most 1,000 findings of one rule per object, then one finding counting the rest.

use serde_json::Value;

use crate::support::kubeward;

/// One line: a Deployment with `n` bare containers, each with a long env value.
fn one_line_deployment(n: usize) -> String {
    let pad = "p".repeat(2000);
    let containers: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"name":"c{i}","image":"nginx:latest","env":[{{"name":"PAD","value":"{pad}"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"w","namespace":"x"}},"spec":{{"selector":{{"matchLabels":{{"a":"b"}}}},"template":{{"metadata":{{"labels":{{"a":"b"}}}},"spec":{{"containers":[{}]}}}}}}}}"#,
        containers.join(",")
    ) + "\n"
}

#[test]
fn a_long_line_with_many_findings_prints_a_bounded_report() {
    let input = one_line_deployment(100);
    assert!(input.len() > 200_000);
    let text = kubeward()
        .args(["check", "-"])
        .write_stdin(input.clone())
        .assert()
        .code(1);
    let out = String::from_utf8(text.get_output().stdout.clone()).unwrap();
    let json = kubeward()
        .args(["check", "-", "--format", "json"])
        .write_stdin(input)
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    let all = v["findings"].as_array().unwrap().len();
    assert!(all > 500, "{all} findings");
    assert!(out.len() < 256 * 1024, "{} bytes of text output", out.len());
    assert!(
        out.lines().all(|l| l.chars().count() < 300),
        "no line is long"
    );
    assert!(out.contains("1 | …"), "clipped snippets are marked");
    assert!(
        out.contains(
            "more `image-digest` findings in <stdin> not shown; `--format json` lists them all"
        ),
        "{out}"
    );
    assert!(
        out.contains(&format!("{} errors", v["summary"]["errors"])),
        "summary counts all"
    );
}

#[test]
fn the_caret_of_a_clipped_line_is_under_the_finding() {
    let input = one_line_deployment(20);
    let a = kubeward()
        .args(["check", "-", "--skip", "image-digest"])
        .write_stdin(input)
        .assert()
        .code(1);
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("error[image-tag-pinned]") && l.contains("containers[19]"))
        .unwrap_or_else(|| panic!("{out}"));
    let src = lines[i + 2].strip_prefix("1 | ").unwrap();
    let caret = lines[i + 3].strip_prefix("  | ").unwrap();
    let under: String = src.chars().skip(caret.chars().count() - 1).collect();
    assert!(
        under.starts_with("\"image\":\"nginx:latest\""),
        "{src}\n{caret}"
    );
}

/// A Deployment of `n` containers on `nginx:latest`, with `annotations` in its metadata.
fn deployment_of(n: usize, annotations: &str) -> String {
    let containers: String = (0..n)
        .map(|i| format!("        - {{ name: c{i}, image: \"nginx:latest\" }}\n"))
        .collect();
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n  namespace: x\n{annotations}spec:\n  selector: {{ matchLabels: {{ a: b }} }}\n  template:\n    metadata: {{ labels: {{ a: b }} }}\n    spec:\n      containers:\n{containers}"
    )
}

fn json_findings(input: String) -> Vec<Value> {
    let out = kubeward()
        .args(["check", "-", "--format", "json"])
        .write_stdin(input)
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

#[test]
fn one_rule_keeps_1000_findings_per_object_and_counts_the_rest() {
    let findings = json_findings(deployment_of(1_003, ""));
    let tag: Vec<&Value> = findings
        .iter()
        .filter(|f| f["rule"] == "image-tag-pinned")
        .collect();
    assert_eq!(tag.len(), 1_001);
    assert_eq!(tag[999]["path"], "spec.template.spec.containers[999].image");
    let last = tag[1_000];
    assert_eq!(
        last["message"],
        "3 more `image-tag-pinned` findings in this object are not listed (kubeward lists at most 1000 of one rule per object)"
    );
    assert_eq!(last["object"], "Deployment x/w");
    assert_eq!(last["severity"], tag[0]["severity"]);
    // Exactly 1,000 is not capped.
    let exact = json_findings(deployment_of(1_000, ""));
    let n = exact
        .iter()
        .filter(|f| f["rule"] == "image-tag-pinned")
        .count();
    assert_eq!(n, 1_000);
}

#[test]
fn an_exemption_drops_the_count_of_findings_left_out_too() {
    let exempt = "  annotations:\n    kubeward.dev/exempt: \"image-tag-pinned: test images\"\n";
    let findings = json_findings(deployment_of(1_003, exempt));
    assert!(findings.iter().all(|f| f["rule"] != "image-tag-pinned"));
}

#[test]
fn schema_findings_are_capped_per_object_alike() {
    let bogus: String = (0..1_002).map(|i| format!("  bogus{i}: 1\n")).collect();
    let sa = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: x\n{bogus}"
    );
    let findings = json_findings(sa);
    let schema: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "schema").collect();
    assert_eq!(schema.len(), 1_001);
    assert!(
        schema[1_000]["message"]
            .as_str()
            .unwrap()
            .starts_with("2 more `schema` findings in this object are not listed"),
        "{}",
        schema[1_000]["message"]
    );
}
