//! Input size: specs, `check` files and stdin over the limit (`KUBEWARD_MAX_INPUT`,
//! default 64 MiB) are refused with exit 2 before they can exhaust memory; a document
//! over 3 MiB (the API server's request limit) is a `document-size` finding.

use predicates::prelude::*;

use crate::support::kubeward;

#[test]
fn stdin_over_the_limit_is_refused() {
    kubeward()
        .env("KUBEWARD_MAX_INPUT", "1KiB")
        .args(["check", "-"])
        .write_stdin(format!("a: {}\n", "x".repeat(2000)))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: <stdin>: cannot read: larger than the input limit of 1 KiB",
        ))
        .stderr(
            predicate::str::contains("help: ")
                .and(predicate::str::contains("KUBEWARD_MAX_INPUT=256MiB")),
        );
}

#[test]
fn dev_zero_is_refused_without_reading_it_all() {
    for args in [
        &["check", "/dev/zero"][..],
        &["render", "-f", "/dev/zero", "-o", "-"],
    ] {
        kubeward()
            .env("KUBEWARD_MAX_INPUT", "1MiB")
            .args(args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "larger than the input limit of 1 MiB",
            ));
    }
}

#[test]
fn a_large_file_is_refused_by_its_size() {
    let t = tempfile::tempdir().unwrap();
    let big = t.path().join("big.yaml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 * 1024 * 1024).unwrap();
    kubeward()
        .env_remove("KUBEWARD_MAX_INPUT")
        .current_dir(t.path())
        .args(["check", "big.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "big.yaml: cannot read: larger than the input limit of 64 MiB",
        ));
    kubeward()
        .env_remove("KUBEWARD_MAX_INPUT")
        .current_dir(t.path())
        .args(["render", "-f", "big.yaml", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read the spec: larger than the input limit of 64 MiB",
        ));
}

#[test]
fn input_within_a_set_limit_is_read() {
    kubeward()
        .env("KUBEWARD_MAX_INPUT", "100")
        .args(["check", "-"])
        .write_stdin("on: push\n")
        .assert()
        .code(0);
}

#[test]
fn a_bad_limit_is_a_usage_error() {
    kubeward()
        .env("KUBEWARD_MAX_INPUT", "lots")
        .args(["check", "-"])
        .write_stdin("on: push\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "KUBEWARD_MAX_INPUT=`lots` is not a size",
        ));
}

#[test]
fn invalid_utf8_names_the_byte() {
    // A finding of that input, not the end of the run.
    kubeward()
        .args(["check", "-"])
        .write_stdin(&b"a: 1\nb: \xff\n"[..])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "<stdin>:2:4: error[yaml-syntax]: not UTF-8 text: byte 0xff at line 2, column 4",
        ))
        .stdout(predicate::str::contains(
            "help: save the file as UTF-8 text",
        ));
}

#[test]
fn a_template_override_over_the_limit_is_refused() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("app")).unwrap();
    let big = format!("# {}\n", "x".repeat(4000));
    std::fs::write(t.path().join("app/deployment.yaml.hbs"), big).unwrap();
    kubeward()
        .env("KUBEWARD_MAX_INPUT", "2KiB")
        .args([
            "render",
            "-o",
            "-",
            "-f",
            "examples/minimal/kubeward.yaml",
            "--templates",
        ])
        .arg(t.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("deployment.yaml.hbs"))
        .stderr(predicate::str::contains(
            "larger than the input limit of 2 KiB",
        ));
}

/// A ConfigMap of about `mb` MiB of keys, one per line.
fn configmap_of(name: &str, mb: usize) -> String {
    let mut text = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: x\ndata:\n"
    );
    let mut i = 0;
    while text.len() < mb << 20 {
        text.push_str(&format!("  k{i}: v\n"));
        i += 1;
    }
    text
}

#[test]
fn a_document_over_3_mib_is_a_finding_of_its_file() {
    let t = tempfile::tempdir().unwrap();
    let before =
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: x\n  bogus: 1\n";
    let text = format!("{before}---\n{}---\n{before}", configmap_of("big", 4));
    std::fs::write(t.path().join("m.yaml"), text).unwrap();
    let out = kubeward()
        .current_dir(t.path())
        .args(["check", "--format", "json", "m.yaml"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let size: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "document-size")
        .collect();
    assert_eq!(size.len(), 1, "{findings:#?}");
    assert_eq!(size[0]["line"], 7, "the `---` starting the big document");
    assert!(
        size[0]["message"].as_str().unwrap().starts_with(
            "the document is larger than 3 MiB (not counting indentation): the API server refuses"
        ),
        "{}",
        size[0]["message"]
    );
    // As for a syntax error, nothing else in the file is checked (the unknown field
    // of either ServiceAccount is not reported): the file cannot be applied as it is.
    assert_eq!(findings.len(), 1, "{findings:#?}");
}

#[test]
fn a_document_just_under_3_mib_is_read() {
    let t = tempfile::tempdir().unwrap();
    let text = configmap_of("fits", 3);
    // `configmap_of` stops at the first line past 3 MiB: cut back under it.
    let cut = text[..(3 << 20) - 16].rfind('\n').unwrap() + 1;
    std::fs::write(t.path().join("m.yaml"), &text[..cut]).unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["check", "m.yaml"])
        .assert()
        .stdout(predicate::str::contains("document-size").not());
}

#[test]
fn a_spec_over_3_mib_is_refused_as_too_large() {
    let t = tempfile::tempdir().unwrap();
    // (A comment before the document is not part of it: the text is in a value.)
    let spec = format!(
        "version: 1\nnamespaces: [{{ name: a }}]\nnote: {}\n",
        "x".repeat(3 << 20)
    );
    std::fs::write(t.path().join("kubeward.yaml"), spec).unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["render", "-f", "kubeward.yaml", "-o", "out"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the spec is larger than 3 MiB"));
    assert!(!t.path().join("out").exists());
}

#[test]
fn a_file_that_does_not_read_gives_back_its_earlier_documents_and_the_next_file_is_checked() {
    use kubeward::validate::{Options, validate};
    let sa =
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: sa\n  namespace: x\n  bogus: 1\n";
    let custom = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n";
    let broken = format!("{sa}---\n{custom}---\na: [\n");
    let files = [("a.yaml".to_string(), broken), ("b.yaml".into(), sa.into())];
    let report = validate(&files, &Options::default());
    let in_a: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.file == "a.yaml")
        .collect();
    assert_eq!(in_a.len(), 1, "{in_a:#?}");
    assert_eq!(in_a[0].rule, "yaml-syntax");
    assert!(
        report.skipped.iter().all(|s| s.file != "a.yaml"),
        "{:?}",
        report.skipped
    );
    assert_eq!(report.documents, 1, "only b.yaml's ServiceAccount");
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.file == "b.yaml" && f.rule == "schema")
    );
}

#[test]
fn flows_refuses_a_file_holding_a_document_over_3_mib_at_its_start() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("m.yaml"), configmap_of("big", 4)).unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["flows", "m.yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "m.yaml:1:1: error: the document is larger than 3 MiB (not counting indentation)",
        ))
        .stderr(predicate::str::contains("help: split the document"));
}
