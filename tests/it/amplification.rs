//! Output stays proportionate to the problems: long source lines are clipped around the
//! column and findings are capped per rule and file in text output (JSON keeps all).

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
