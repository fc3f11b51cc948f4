//! `kubeward check`, `rules` and `explain` as users run them: findings with rule ids and
//! positions, exit codes, every output format, `--skip`, `--fail-on`, exemptions, inputs.

use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use crate::support::{DIGEST, PROBES, app_spec, examples, kubeward, render_text, root};

/// A Deployment with a misspelt field, a `:latest` image and no resources.
const BAD: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:latest
          securityContext:
            runAsNonroot: true
";

const WORKFLOW: &str = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";

/// `line:col` (1-based) of the first occurrence of `needle` in `text`.
fn at(text: &str, needle: &str) -> String {
    let offset = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in text"));
    let before = &text[..offset];
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{}:{col}", before.matches('\n').count() + 1)
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, text).unwrap();
    p
}

/// The rendered Deployment of a one-app spec: clean under every rule.
fn clean_deployment() -> String {
    render_text(&app_spec(PROBES))
        .into_iter()
        .find(|(p, _)| p.ends_with("deployment.yaml"))
        .expect("a deployment")
        .1
}

/// `deployment` with an annotation `kubeward.dev/exempt: value` on its own metadata.
fn exempt(deployment: &str, value: &str) -> String {
    deployment.replacen(
        "metadata:\n",
        &format!("metadata:\n  annotations:\n    kubeward.dev/exempt: \"{value}\"\n"),
        1,
    )
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn a_bad_manifest_names_every_problem_with_rule_and_position() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "bad.yaml", BAD);
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "bad.yaml"])
        .assert()
        .code(1);
    let out = stdout(&a);
    for (rule, needle) in [
        ("schema", "runAsNonroot"),
        ("image-tag-pinned", "image: nginx:latest"),
        ("cpu-requests", "name: web\n          image"),
        ("memory-limits", "name: web\n          image"),
    ] {
        let head = format!(
            "bad.yaml:{}: error[{rule}]: Deployment shop/web: ",
            at(BAD, needle)
        );
        assert!(out.contains(&head), "no `{head}` in:\n{out}");
    }
    assert!(out.contains("unknown field `runAsNonroot`"), "{out}");
    assert!(
        out.contains("17 |             runAsNonroot: true\n   |             ^\n  help: "),
        "{out}"
    );
    let summary = out.lines().last().unwrap();
    assert!(
        summary.starts_with("checked 1 document in 1 file: ") && summary.contains(" errors, "),
        "{summary}"
    );
}

#[test]
fn every_example_bundle_checks_clean() {
    for (name, spec) in examples() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("bundle");
        kubeward()
            .args(["render", "-f"])
            .arg(&spec)
            .arg("-o")
            .arg(&dir)
            .assert()
            .success();
        let a = kubeward().arg("check").arg(&dir).assert();
        let out = stdout(&a);
        assert_eq!(a.get_output().status.code(), Some(0), "{name}:\n{out}");
        assert!(
            out.contains(": 0 errors, 0 warnings, 0 info"),
            "{name}:\n{out}"
        );
    }
}

#[test]
fn stdin_is_read_as_a_multi_document_stream() {
    let spec = root().join("examples/minimal/kubeward.yaml");
    let stream = kubeward()
        .args(["render", "-o", "-", "-f"])
        .arg(&spec)
        .assert()
        .success();
    let stream = stdout(&stream);
    let documents = stream.split("\n---\n").count();
    kubeward()
        .args(["check", "-"])
        .write_stdin(stream)
        .assert()
        .success()
        .stdout(predicate::str::contains(format!(
            "checked {documents} documents in 1 file: 0 errors"
        )));
    kubeward()
        .args(["check", "-"])
        .write_stdin(BAD)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(format!(
            "<stdin>:{}: error[image-tag-pinned]",
            at(BAD, "image: nginx:latest")
        )));
}

#[test]
fn json_output_is_versioned_and_complete() {
    let a = kubeward()
        .args(["check", "--format", "json", "-"])
        .write_stdin(BAD)
        .assert()
        .code(1);
    let v: Value = serde_json::from_str(&stdout(&a)).expect("valid JSON");
    assert_eq!(v["version"], 1);
    for key in [
        "files",
        "documents",
        "skipped",
        "errors",
        "warnings",
        "info",
        "exempted",
    ] {
        assert!(
            v["summary"][key].is_u64(),
            "summary.{key}: {}",
            v["summary"]
        );
    }
    assert_eq!(v["summary"]["files"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(
        findings.len() as u64,
        v["summary"]["errors"].as_u64().unwrap()
            + v["summary"]["warnings"].as_u64().unwrap()
            + v["summary"]["info"].as_u64().unwrap()
    );
    let schema = findings
        .iter()
        .find(|f| f["rule"] == "schema")
        .expect("a schema finding");
    assert_eq!(
        format!("{}:{}", schema["line"], schema["column"]),
        at(BAD, "runAsNonroot")
    );
    assert_eq!(schema["file"], "<stdin>");
    assert_eq!(schema["object"], "Deployment shop/web");
    assert_eq!(
        schema["path"],
        "spec.template.spec.containers[0].securityContext.runAsNonroot"
    );
    for key in ["severity", "message", "help"] {
        assert!(schema[key].is_string(), "{key}");
    }
    assert!(v["skipped"].as_array().unwrap().is_empty());
}

#[test]
fn sarif_output_has_the_required_shape() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "deploy/bad.yaml", BAD);
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "--format", "sarif", "deploy"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_str(&stdout(&a)).expect("valid JSON");
    assert!(
        v["$schema"]
            .as_str()
            .unwrap()
            .contains("sarif-schema-2.1.0")
    );
    assert_eq!(v["version"], "2.1.0");
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "kubeward");
    assert!(
        driver.get("informationUri").is_none(),
        "no made-up project URL"
    );
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for r in kubeward::validate::rules::RULES {
        assert!(ids.contains(&r.id()), "driver lacks rule {}", r.id());
    }
    for id in ["schema", "yaml-syntax", "exemption-reason"] {
        assert!(ids.contains(&id), "driver lacks pseudo-rule {id}");
    }
    for r in rules {
        assert!(
            r["name"].is_string() && r["shortDescription"]["text"].is_string(),
            "{r}"
        );
        assert!(
            r["fullDescription"]["text"].is_string() && r["help"]["text"].is_string(),
            "{r}"
        );
        assert!(
            ["error", "warning", "note"]
                .contains(&r["defaultConfiguration"]["level"].as_str().unwrap()),
            "{r}"
        );
        assert!(
            r["properties"]["references"].is_array() && r["properties"]["kinds"].is_array(),
            "{r}"
        );
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        assert!(r["message"]["text"].is_string());
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "deploy/bad.yaml");
        assert!(
            loc["region"]["startLine"].as_u64().unwrap() >= 1
                && loc["region"]["startColumn"].as_u64().unwrap() >= 1
        );
    }
    let image = results
        .iter()
        .find(|r| r["ruleId"] == "image-tag-pinned")
        .unwrap();
    let region = &image["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        format!("{}:{}", region["startLine"], region["startColumn"]),
        at(BAD, "image: nginx:latest")
    );
}

#[test]
fn fail_on_warning_makes_warnings_fail() {
    let t = tempfile::tempdir().unwrap();
    let deployment = clean_deployment();
    assert!(deployment.contains(DIGEST));
    write(t.path(), "clean.yaml", &deployment);
    write(
        t.path(),
        "tag-only.yaml",
        &deployment.replace(&format!("@{DIGEST}"), ""),
    );
    kubeward()
        .current_dir(t.path())
        .args(["check", "--fail-on", "warning", "clean.yaml"])
        .assert()
        .success();
    kubeward()
        .current_dir(t.path())
        .args(["check", "tag-only.yaml"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("warning[image-digest]")
                .and(predicate::str::contains("0 errors, 1 warning,")),
        );
    kubeward()
        .current_dir(t.path())
        .args(["check", "--fail-on", "warning", "tag-only.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("warning[image-digest]"));
}

#[test]
fn skip_turns_rules_off_and_unknown_ids_are_usage_errors() {
    let a = kubeward()
        .args([
            "check",
            "--skip",
            "image-tag-pinned",
            "--skip",
            "image-digest,cpu-limits",
            "-",
        ])
        .write_stdin(BAD)
        .assert()
        .code(1);
    let out = stdout(&a);
    for rule in ["image-tag-pinned", "image-digest", "cpu-limits"] {
        assert!(
            !out.contains(&format!("[{rule}]")),
            "{rule} was not skipped:\n{out}"
        );
    }
    assert!(out.contains("error[schema]"), "{out}");
    kubeward()
        .args(["check", "--skip", "read-only-rootfs", "-"])
        .write_stdin(BAD)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(
            "error: --skip: no rule `read-only-rootfs`\n  help: did you mean `read-only-root-fs`?",
        ));
    kubeward()
        .args(["check", "--skip", "schema", "-"])
        .write_stdin(BAD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be skipped"));
}

#[test]
fn an_exemption_with_a_reason_silences_its_rule_on_its_object() {
    let writable = clean_deployment().replace(
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
    );
    kubeward()
        .args(["check", "-"])
        .write_stdin(writable.clone())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[read-only-root-fs]"));
    let exempted = exempt(
        &writable,
        "read-only-root-fs: the vendor image writes its cache under /opt",
    );
    kubeward()
        .args(["check", "-"])
        .write_stdin(exempted)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings, 0 info; 1 finding exempted",
        ));
}

#[test]
fn an_exemption_without_a_reason_is_a_finding_at_the_annotation() {
    let writable = clean_deployment().replace(
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
    );
    let text = exempt(&writable, "read-only-root-fs; run-as-nonroot: legacy");
    let value = "\"read-only-root-fs; run-as-nonroot: legacy\"";
    let a = kubeward()
        .args(["check", "-"])
        .write_stdin(text.clone())
        .assert()
        .code(1);
    let out = stdout(&a);
    let head = format!("<stdin>:{}: error[exemption-reason]: ", at(&text, value));
    assert!(out.contains(&format!("{head}Deployment shop/web: `metadata.annotations[\"kubeward.dev/exempt\"]`: exemption of `read-only-root-fs` gives no reason")), "{out}");
    assert!(
        out.contains("exemption names no rule `run-as-nonroot` (did you mean `run-as-non-root`?)"),
        "{out}"
    );
    assert!(
        out.contains("error[read-only-root-fs]"),
        "an invalid exemption exempts nothing:\n{out}"
    );
}

#[test]
fn directories_recurse_in_order_and_skip_hidden_ones() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "deploy/b/bad.yml", BAD);
    write(t.path(), "deploy/a/web.yaml", &clean_deployment());
    write(t.path(), "deploy/README.md", "not yaml: [\n");
    write(t.path(), "deploy/.cache/bad.yaml", BAD);
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "deploy"])
        .assert()
        .code(1);
    let out = stdout(&a);
    assert!(out.contains("deploy/b/bad.yml:"), "{out}");
    assert!(!out.contains(".cache/"), "{out}");
    let summary = out.lines().last().unwrap();
    assert!(
        out.ends_with("\n") && summary.starts_with("checked 2 documents in 2 files: "),
        "{out}"
    );
    assert!(
        summary.ends_with("; 1 hidden directory not searched (deploy/.cache)"),
        "{summary}"
    );
}

#[test]
fn non_kubernetes_yaml_and_unknown_kinds_are_skipped_not_failed() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), ".github/workflows/ci.yml", WORKFLOW);
    write(
        t.path(),
        "widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
    );
    kubeward()
        .current_dir(t.path())
        .args(["check", ".github/workflows/ci.yml", "widget.yaml"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            ".github/workflows/ci.yml:1:1: info[skipped]: not a Kubernetes object",
        ))
        // A custom resource is counted in the summary, not listed.
        .stdout(predicate::str::contains("widget.yaml").not())
        .stdout(predicate::str::contains(
            "checked 0 documents in 2 files: 0 errors, 0 warnings, 0 info; 2 documents skipped (1 not Kubernetes, 1 custom resource)",
        ));
}

#[test]
fn unreadable_paths_are_usage_errors() {
    let t = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["check", "missing.yaml"])
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(
            predicate::str::contains("error: missing.yaml: cannot read: ")
                .and(predicate::str::contains("help: ")),
        );
    // A file that is not text is a finding of that file (see `realistic.rs`), not a
    // usage error.
    std::fs::write(t.path().join("binary.yaml"), [0xff, 0xfe, 0x00]).unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["check", "binary.yaml"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "binary.yaml:1:1: error[yaml-syntax]: not UTF-8 text: byte 0xff",
        ));
    std::fs::create_dir(t.path().join("empty")).unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["check", "empty"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no .yaml or .yml files"));
}

#[test]
fn invalid_yaml_is_a_finding() {
    kubeward()
        .args(["check", "-"])
        .write_stdin("apiVersion: v1\nkind: [\n")
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("<stdin>:")
                .and(predicate::str::contains("error[yaml-syntax]")),
        );
}

#[test]
fn rules_md_is_up_to_date() {
    let a = kubeward()
        .args(["rules", "--format", "markdown"])
        .assert()
        .success();
    let generated = stdout(&a);
    let committed = std::fs::read_to_string(root().join("RULES.md")).unwrap_or_default();
    if generated != committed {
        let line = generated
            .lines()
            .zip(committed.lines())
            .position(|(g, c)| g != c)
            .map_or_else(
                || generated.lines().count().min(committed.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "RULES.md is stale (first difference at line {line}); regenerate it with `cargo run -- rules --format markdown > RULES.md`"
        );
    }
}

#[test]
fn rules_and_explain_formats() {
    let a = kubeward()
        .args(["rules", "--format", "json"])
        .assert()
        .success();
    let v: Value = serde_json::from_str(&stdout(&a)).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(
        v["rules"].as_array().unwrap().len(),
        kubeward::validate::catalogue::all().len()
    );
    kubeward().arg("rules").assert().success().stdout(
        predicate::str::contains("read-only-root-fs").and(predicate::str::contains("schema")),
    );
    kubeward()
        .args(["explain", "read-only-root-fs"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Why").and(predicate::str::contains(
                "kubeward.dev/exempt: \"read-only-root-fs: ",
            )),
        );
    kubeward()
        .args(["explain", "read-only-rootfs"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `read-only-root-fs`?",
        ));
}

#[test]
fn render_honours_the_exemption_it_writes_for_added_capabilities() {
    let t = tempfile::tempdir().unwrap();
    let spec = write(
        t.path(),
        "kubeward.yaml",
        &app_spec(&format!(
            "    capabilities: [NET_BIND_SERVICE]\n    capabilitiesExemption: binds port 80; legacy image\n{PROBES}"
        )),
    );
    let out = t.path().join("out");
    kubeward()
        .args(["render", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let deployment = std::fs::read_to_string(out.join("shop/web/deployment.yaml")).unwrap();
    assert!(
        deployment.contains(
            "kubeward.dev/exempt: \"no-added-capabilities: binds port 80, legacy image\""
        ),
        "{deployment}"
    );
    kubeward()
        .arg("check")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "0 errors, 0 warnings, 0 info; 1 document skipped (1 kustomize file); 1 finding exempted",
        ));
}

#[test]
fn removed_api_versions_are_errors_not_skips() {
    let old = "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec: {}\n";
    kubeward()
        .args(["check", "-"])
        .write_stdin(old)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "<stdin>:1:1: error[removed-api]: Deployment shop/web: `apiVersion`: extensions/v1beta1 Deployment was removed in Kubernetes 1.16",
        ))
        .stdout(predicates::str::contains("help: use apps/v1"));
    kubeward()
        .args(["explain", "removed-api"])
        .assert()
        .success();
}

#[test]
fn explain_works_for_every_rule_and_the_list_is_large_enough() {
    let catalogue = kubeward::validate::catalogue::all();
    assert!(kubeward::validate::rules::RULES.len() >= 60);
    for meta in catalogue {
        let out = kubeward().args(["explain", meta.id]).assert().success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        assert!(
            text.contains(meta.id) && text.contains(meta.fix),
            "{}",
            meta.id
        );
    }
}

#[test]
fn the_report_is_the_same_whatever_the_number_of_threads() {
    // Hundreds of files with findings of every rule, realistic charts among them: each
    // thread count must give the same report, byte for byte, and the same exit code.
    let dirs = ["tests/fixtures/rules", "tests/fixtures/realistic"];
    let run = |jobs: &str, format: &str| {
        let a = kubeward()
            .args(["check", "--format", format, "--jobs", jobs])
            .args(dirs)
            .assert();
        (a.get_output().status.code(), stdout(&a))
    };
    let (code, one) = run("1", "json");
    assert_eq!(code, Some(1));
    let report: Value = serde_json::from_str(&one).unwrap();
    let findings = report["findings"].as_array().unwrap().len();
    assert!(
        findings > 300,
        "a report worth comparing: {findings} findings"
    );
    for jobs in ["2", "3", "16", "0"] {
        assert!(
            run(jobs, "json") == (code, one.clone()),
            "--jobs {jobs} (json)"
        );
    }
    let text = run("1", "text");
    assert!(run("4", "text") == text, "--jobs 4 (text)");
}
