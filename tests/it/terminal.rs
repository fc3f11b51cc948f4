//! Human output never passes control characters from the input to the terminal; JSON
//! and SARIF keep the exact text.

use serde_json::Value;

use crate::support::kubeward;

/// A ServiceAccount whose name sets the window title and clears the screen.
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const MANIFEST: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: \"\\e]0;pwned\\a\\e[2J\\u009b1m\"\n  namespace: shop\n  bogus: \"\u{202e}x\"\n";

fn has_control(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{202e}')
}

#[test]
fn check_text_escapes_control_characters_from_names_values_and_lines() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("sa.yaml"), MANIFEST).unwrap();
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "sa.yaml"])
        .assert()
        .code(1);
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(!has_control(&out), "{out:?}");
    assert!(
        out.contains("\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}1m"),
        "{out}"
    );
    assert!(out.contains("bogus: \"\\u{202e}x\""), "{out}");
}

#[test]
fn check_json_keeps_the_exact_text() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("sa.yaml"), MANIFEST).unwrap();
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "sa.yaml", "--format", "json"])
        .assert()
        .code(1);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let object = v["findings"][0]["object"].as_str().unwrap();
    assert!(object.contains(TITLE), "{object:?}");
}

#[test]
fn file_names_with_control_characters_are_escaped() {
    let t = tempfile::tempdir().unwrap();
    let name = "x\u{1b}[2J.yaml";
    std::fs::write(t.path().join(name), MANIFEST).unwrap();
    let a = kubeward()
        .current_dir(t.path())
        .args(["check", "."])
        .assert()
        .code(1);
    let out = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(!has_control(&out), "{out:?}");
    assert!(out.contains("x\\u{1b}[2J.yaml:6:3: "), "{out}");
    let missing = kubeward()
        .current_dir(t.path())
        .args(["check", "gone\u{7}.yaml"])
        .assert()
        .code(2);
    let err = String::from_utf8(missing.get_output().stderr.clone()).unwrap();
    assert!(err.contains("gone\\u{7}.yaml: cannot read"), "{err}");
    assert!(!has_control(&err), "{err:?}");
}

#[test]
fn onboard_escapes_values_from_flags() {
    let a = kubeward()
        .args(["onboard", "ok", "--reader", "robot\u{1b}[2J:x", "-o", "-"])
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("`robot\\u{1b}[2J` is not a subject kind"),
        "{err}"
    );
    assert!(!has_control(&err), "{err:?}");
}

#[test]
fn spec_errors_escape_the_source_line() {
    let t = tempfile::tempdir().unwrap();
    let spec = "version: 1\nnamespaces:\n  - name: \"a\\e[2Jb\"\n";
    std::fs::write(t.path().join("k.yaml"), spec).unwrap();
    let a = kubeward()
        .current_dir(t.path())
        .args(["render", "-f", "k.yaml", "-o", "-"])
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(err.contains("a\\u{1b}[2Jb"), "{err}");
    assert!(!has_control(&err), "{err:?}");
}
