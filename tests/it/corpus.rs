//! The hostile-input corpus (`tests/fixtures/hostile/`) and generated adversarial inputs
//! of about a megabyte: every one ends in a clean result or a clean error with the right
//! exit code, never a panic, and positions agree with the source line shown. Time and
//! memory are measured by `scripts/hostile-bench`, not here.

use std::path::PathBuf;

use assert_cmd::assert::Assert;

use crate::support::{kubeward, root};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/hostile").join(name)
}

fn check(name: &str) -> Assert {
    kubeward()
        .current_dir(root().join("tests/fixtures/hostile"))
        .args(["check", name])
        .assert()
}

fn check_stdin(input: String) -> Assert {
    kubeward().args(["check", "-"]).write_stdin(input).assert()
}

fn out(a: &Assert) -> String {
    let o = a.get_output();
    let text =
        String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(!text.contains("panicked"), "{text}");
    assert_ne!(o.status.code(), Some(101), "{text}");
    text
}

/// `(file, exit code, text the output holds)` for every manifest of the corpus.
const MANIFESTS: &[(&str, i32, &str)] = &[
    (
        "billion-laughs.yaml",
        1,
        "billion-laughs.yaml:12:19: error[yaml-syntax]: not valid YAML: aliases repeat more than 250000 nodes of the document (an alias bomb?)",
    ),
    (
        "nul.yaml",
        1,
        "4:10: error[yaml-syntax]: not valid YAML: found unprintable character\n  |\n4 |   name: a\\u{0}b\n  |          ^",
    ),
    (
        "cr-line-ends.yaml",
        1,
        "cr-line-ends.yaml:6:3: error[schema]: ServiceAccount x/sa: `metadata.bogus`: unknown field `bogus`\n  |\n6 |   bogus: 1\n  |   ^",
    ),
    (
        "crlf-line-ends.yaml",
        1,
        "crlf-line-ends.yaml:6:3: error[schema]: ServiceAccount x/sa: `metadata.bogus`: unknown field `bogus`\n  |\n6 |   bogus: 1\n  |   ^",
    ),
    (
        "nel-in-value.yaml",
        1,
        "nel-in-value.yaml:7:31: error[schema]: ServiceAccount x/sa: `automountServiceAccountToken`: invalid type: string \"notabool\", expected a boolean\n  |\n7 | automountServiceAccountToken: notabool\n  |                               ^",
    ),
    (
        "bom.yaml",
        1,
        "bom.yaml:6:3: error[schema]: ServiceAccount x/sa: `metadata.bogus`: unknown field `bogus`\n  |\n6 |   bogus: 1\n  |   ^",
    ),
    (
        "duplicate-keys.yaml",
        1,
        "duplicate-keys.yaml:5:3: error[yaml-syntax]: not valid YAML: metadata: duplicate entry with key \"name\"",
    ),
    ("tags.yaml", 0, "checked 1 document in 1 file: 0 errors"),
    // The merge key merges (as Kubernetes reads YAML); what it brings is checked.
    (
        "merge-key.yaml",
        1,
        "merge-key.yaml:4:1: error[schema]: ConfigMap x/m: `metadata.a`: unknown field `a`",
    ),
    (
        "escape-sequences.yaml",
        1,
        "ServiceAccount x/\\u{1b}]0;owned\\u{7}\\u{1b}[2J: `metadata.bogus`",
    ),
    (
        "invalid-utf8.yaml",
        1,
        "invalid-utf8.yaml:4:9: error[yaml-syntax]: not UTF-8 text: byte 0xc3 at line 4, column 9\n  help: save the file as UTF-8 text",
    ),
];

/// The same for specs given to `render`.
const SPECS: &[(&str, i32, &str)] = &[
    (
        "spec-billion-laughs.yaml",
        2,
        "spec-billion-laughs.yaml:2:1: error: unknown field `x`",
    ),
    (
        "spec-cr-line-ends.yaml",
        2,
        "spec-cr-line-ends.yaml:3:11: error: `Bad_Name` is not a valid namespace name\n  |\n3 |   - name: Bad_Name\n  |           ^",
    ),
    (
        "spec-nul.yaml",
        2,
        "spec-nul.yaml:3:12: error: invalid YAML: found unprintable character",
    ),
    (
        "spec-invalid-utf8.yaml",
        2,
        "cannot read the spec: not UTF-8 text: byte 0xff at line 3, column 11",
    ),
    (
        "spec-duplicate-keys.yaml",
        2,
        "error: duplicate field `namespaces`",
    ),
];

#[test]
fn every_manifest_of_the_corpus_ends_cleanly() {
    for (name, code, expected) in MANIFESTS {
        let a = check(name);
        let text = out(&a);
        assert_eq!(a.get_output().status.code(), Some(*code), "{name}:\n{text}");
        assert!(
            text.contains(expected),
            "{name}: expected\n{expected}\nin\n{text}"
        );
        assert!(
            !text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t'),
            "{name}: raw control characters in {text:?}"
        );
    }
}

#[test]
fn every_spec_of_the_corpus_ends_cleanly() {
    for (name, code, expected) in SPECS {
        let a = kubeward()
            .current_dir(root().join("tests/fixtures/hostile"))
            .args(["render", "-f", name, "-o", "-"])
            .assert();
        let text = out(&a);
        assert_eq!(a.get_output().status.code(), Some(*code), "{name}:\n{text}");
        assert!(
            text.contains(expected),
            "{name}: expected\n{expected}\nin\n{text}"
        );
        assert!(
            a.get_output().stdout.is_empty(),
            "{name}: nothing is written"
        );
    }
}

#[test]
fn every_corpus_file_is_covered() {
    let mut listed: Vec<&str> = MANIFESTS.iter().chain(SPECS).map(|(n, ..)| *n).collect();
    listed.sort();
    let mut files: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    files.sort();
    assert_eq!(files, listed);
}

/// About a megabyte of each nesting shape.
fn deep_inputs() -> Vec<(&'static str, String)> {
    const MB: usize = 1 << 20;
    vec![
        ("block sequences", "- ".repeat(MB / 2) + "x\n"),
        ("flow sequences", "[".repeat(MB)),
        ("flow mappings", "{a: ".repeat(MB / 4)),
        (
            "indented mappings",
            (0..1400)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect(),
        ),
    ]
}

#[test]
fn deep_nesting_is_refused_early() {
    for (shape, input) in deep_inputs() {
        let a = check_stdin(input);
        let text = out(&a);
        assert_eq!(a.get_output().status.code(), Some(1), "{shape}");
        assert!(
            text.contains("deeper than 100 levels") || text.contains("recursion limit exceeded"),
            "{shape}: {}",
            &text[..text.len().min(400)]
        );
        assert!(text.len() < 4096, "{shape}: a short report");
    }
}

#[test]
fn a_deep_spec_is_refused_early() {
    let t = tempfile::tempdir().unwrap();
    let spec = t.path().join("deep.yaml");
    std::fs::write(
        &spec,
        "version: 1\nnamespaces:\n".to_string() + &"- ".repeat(1 << 19) + "x\n",
    )
    .unwrap();
    let a = kubeward()
        .args(["render", "-o", "-", "-f"])
        .arg(&spec)
        .assert();
    let text = out(&a);
    assert_eq!(a.get_output().status.code(), Some(2));
    assert!(text.contains(":3:199: error: invalid YAML: the document nests mappings and lists deeper than 100 levels"), "{}", &text[..text.len().min(400)]);
}

#[test]
fn a_megabyte_line_of_findings_is_reported_briefly() {
    let value = "v".repeat(1 << 20);
    let input = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: sa, namespace: x, annotations: {{a: \"{value}\"}}, bogus: 1}}\n"
    );
    let a = check_stdin(input);
    let text = out(&a);
    assert_eq!(a.get_output().status.code(), Some(1));
    assert!(text.len() < 4096, "{} bytes", text.len());
    assert!(text.contains("<stdin>:3:"), "{text}");
    assert!(text.contains("| …v"), "{text}");
}

#[test]
fn many_empty_documents_are_no_documents() {
    let a = check_stdin("---\n".repeat(250_000));
    let text = out(&a);
    assert_eq!(a.get_output().status.code(), Some(1));
    assert!(text.contains("no documents"), "{text}");
}

#[test]
fn many_documents_and_keys_are_checked() {
    let keys: String = (0..20_000).map(|i| format!("  k{i}: v\n")).collect();
    let cm = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  namespace: x\ndata:\n{keys}"
    );
    let a = check_stdin(cm);
    let text = out(&a);
    assert_eq!(a.get_output().status.code(), Some(0), "{text}");
    assert!(
        text.contains("checked 1 document in 1 file: 0 errors"),
        "{text}"
    );
}
