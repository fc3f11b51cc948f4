//! `render --check` and `--diff`: the committed bundle against what the spec renders
//! today; a unified diff for every stale, hand-edited, missing or extra file; nothing
//! is ever written.

use std::path::{Path, PathBuf};

use predicates::prelude::*;

use crate::support::{app_spec, kubeward, read_tree, rendered_app};

/// A spec and its rendered bundle (`bundle/`) in a fresh directory.
fn committed() -> (tempfile::TempDir, PathBuf, PathBuf) {
    rendered_app("bundle")
}

/// `render --check` (or `--diff`) of `spec` against `bundle`, run in the bundle's parent
/// so that the diff names `bundle/…`.
fn check(spec: &Path, bundle: &Path, flag: &str) -> assert_cmd::assert::Assert {
    let out = kubeward()
        .current_dir(bundle.parent().unwrap())
        .args(["render", flag, "-o", "bundle", "-f"])
        .arg(spec)
        .assert();
    assert!(bundle.is_dir() || !bundle.exists());
    out
}

#[test]
fn an_identical_bundle_passes_silently_on_stdout() {
    let (_dir, spec, bundle) = committed();
    check(&spec, &bundle, "--check")
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("bundle is up to date"));
}

#[test]
fn a_hand_edited_file_fails_with_its_diff() {
    let (_dir, spec, bundle) = committed();
    let deployment = bundle.join("shop/web/deployment.yaml");
    let text = std::fs::read_to_string(&deployment).unwrap();
    std::fs::write(
        &deployment,
        text.replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        ),
    )
    .unwrap();
    let before = read_tree(&bundle);
    check(&spec, &bundle, "--check")
        .code(1)
        .stdout(predicate::str::starts_with(
            "--- a/bundle/shop/web/deployment.yaml\n+++ b/bundle/shop/web/deployment.yaml\n@@ ",
        ))
        .stdout(
            predicate::str::is_match(
                r"\n-\s+readOnlyRootFilesystem: false\n\+\s+readOnlyRootFilesystem: true\n",
            )
            .unwrap(),
        )
        .stderr(predicate::str::contains(
            "error: bundle differs from what the spec renders: 1 changed, 0 missing, 0 extra file(s)",
        ));
    assert_eq!(read_tree(&bundle), before, "--check writes nothing");
}

#[test]
fn a_stale_bundle_fails_after_the_spec_changed() {
    let (_dir, spec, bundle) = committed();
    std::fs::write(&spec, app_spec("    replicas: 3\n")).unwrap();
    check(&spec, &bundle, "--check")
        .code(1)
        .stdout(predicate::str::is_match(r"(?m)^-\s+replicas: \d+\n\+\s+replicas: 3$").unwrap())
        .stderr(predicate::str::contains("kubeward render -f"));
}

#[test]
fn extra_and_missing_files_are_drift() {
    let (_dir, spec, bundle) = committed();
    std::fs::write(bundle.join("shop/notes.yaml"), "kind: Note\n").unwrap();
    std::fs::remove_file(bundle.join("README.md")).unwrap();
    check(&spec, &bundle, "--check")
        .code(1)
        .stdout(predicate::str::contains(
            "--- a/bundle/shop/notes.yaml\n+++ /dev/null\n@@ -1 +0,0 @@\n-kind: Note\n",
        ))
        .stdout(predicate::str::contains(
            "--- /dev/null\n+++ b/bundle/README.md\n",
        ))
        .stderr(predicate::str::contains(
            "0 changed, 1 missing, 1 extra file(s)",
        ));
    assert!(!bundle.join("README.md").exists(), "nothing was written");
}

#[test]
fn diff_shows_the_same_without_failing() {
    let (_dir, spec, bundle) = committed();
    std::fs::write(&spec, app_spec("    replicas: 3\n")).unwrap();
    let diff = check(&spec, &bundle, "--diff").success();
    let check = check(&spec, &bundle, "--check").code(1);
    assert_eq!(diff.get_output().stdout, check.get_output().stdout);
    assert!(!diff.get_output().stdout.is_empty());
}

#[test]
fn check_needs_a_directory_and_refuses_force() {
    let (_dir, spec, bundle) = committed();
    kubeward()
        .args(["render", "--check", "-o", "-", "-f"])
        .arg(&spec)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not stdout"));
    kubeward()
        .args(["render", "--check", "--force", "-o"])
        .arg(&bundle)
        .arg("-f")
        .arg(&spec)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
    let missing = bundle.parent().unwrap().join("never-rendered");
    kubeward()
        .args(["render", "--check", "-o"])
        .arg(&missing)
        .arg("-f")
        .arg(&spec)
        .assert()
        .code(1)
        .stderr(predicate::str::is_match(r"0 changed, \d+ missing, 0 extra").unwrap());
    assert!(!missing.exists());
}
