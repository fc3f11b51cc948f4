//! The output directory: `--force` never deletes an input of the run, and stale
//! temporaries of killed runs are cleaned up.

use predicates::prelude::*;

use crate::support::{kubeward, root};

fn project() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let proj = t.path().join("proj");
    std::fs::create_dir(&proj).unwrap();
    std::fs::copy(
        root().join("examples/minimal/kubeward.yaml"),
        proj.join("kubeward.yaml"),
    )
    .unwrap();
    t
}

#[test]
fn force_refuses_a_directory_holding_the_spec() {
    let t = project();
    kubeward()
        .current_dir(t.path())
        .args(["render", "-f", "proj/kubeward.yaml", "-o", "proj", "--force"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: refusing to write to `proj`: it holds `proj/kubeward.yaml`, an input of this run",
        ))
        .stderr(predicate::str::contains("help: write the bundle into a directory of its own"));
    assert!(
        t.path().join("proj/kubeward.yaml").is_file(),
        "the spec is still there"
    );
    std::fs::write(
        t.path().join("proj/namespaces.yaml"),
        "version: 1\nnamespaces:\n  - name: team-a\n",
    )
    .unwrap();
    kubeward()
        .current_dir(t.path().join("proj"))
        .args([
            "onboard",
            "-f",
            "namespaces.yaml",
            "-o",
            "../proj",
            "--force",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "it holds `namespaces.yaml`, an input of this run",
        ));
    assert!(t.path().join("proj/namespaces.yaml").is_file());
}

#[test]
fn force_refuses_a_directory_holding_the_templates() {
    let t = project();
    let tpl = t.path().join("out/tpl/app");
    std::fs::create_dir_all(&tpl).unwrap();
    std::fs::copy(
        root().join("templates/app/deployment.yaml.hbs"),
        tpl.join("deployment.yaml.hbs"),
    )
    .unwrap();
    kubeward()
        .current_dir(t.path())
        .args([
            "render",
            "-f",
            "proj/kubeward.yaml",
            "--templates",
            "out/tpl",
            "-o",
            "out",
            "--force",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "it holds `out/tpl`, an input of this run",
        ));
    assert!(tpl.join("deployment.yaml.hbs").is_file());
}

#[test]
fn render_removes_stale_temporaries_and_leaves_no_lock() {
    let t = project();
    let stale = t.path().join(".bundle.kubeward-tmp-999999");
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("half.yaml"), "kind: x").unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["render", "-f", "proj/kubeward.yaml", "-o", "bundle"])
        .assert()
        .code(0);
    let mut left: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["bundle", "proj"]);
}
