//! `check` on input without documents fails, so a broken `helm template | kubeward check -`
//! pipeline does not pass silently.

use predicates::prelude::*;

use crate::support::kubeward;

#[test]
fn empty_stdin_says_no_documents_and_exits_1() {
    kubeward()
        .args(["check", "-"])
        .write_stdin("")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error: no documents in `<stdin>`"))
        .stderr(predicate::str::contains("help: ").and(predicate::str::contains("--allow-empty")));
}

#[test]
fn comments_and_separators_only_are_no_documents() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("a.yaml"), "# nothing\n---\n...\n").unwrap();
    std::fs::write(t.path().join("b.yaml"), "").unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["check", "a.yaml", "b.yaml", "--format", "json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no documents in 2 files"));
}

#[test]
fn allow_empty_accepts_empty_input() {
    kubeward()
        .args(["check", "-", "--allow-empty"])
        .write_stdin("\n")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("checked 0 documents in 1 file"));
}

#[test]
fn a_skipped_document_is_not_empty_input() {
    kubeward()
        .args(["check", "-"])
        .write_stdin("on: push\n")
        .assert()
        .code(0);
}
