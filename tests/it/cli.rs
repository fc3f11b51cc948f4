//! The command line as users meet it: exit codes, messages, no-clobber, atomic output.

use predicates::prelude::*;

use crate::support::{DIGEST, app_spec, kubeward, root};

fn write_spec(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("kubeward.yaml");
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn render_refuses_a_non_empty_directory_and_force_replaces_it() {
    let t = tempfile::tempdir().unwrap();
    let spec = root().join("examples/minimal/kubeward.yaml");
    let out = t.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep me").unwrap();
    kubeward()
        .args(["render", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not empty").and(predicate::str::contains("--force")));
    assert_eq!(
        std::fs::read_to_string(out.join("mine.txt")).unwrap(),
        "keep me"
    );
    kubeward()
        .args(["render", "--force", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("mine.txt").exists());
    assert!(out.join("kustomization.yaml").exists());
}

#[test]
fn a_bad_spec_writes_nothing_and_points_at_the_line() {
    let t = tempfile::tempdir().unwrap();
    let spec = write_spec(t.path(), &app_spec("    user: 0\n"));
    let out = t.path().join("out");
    kubeward()
        .args(["render", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "kubeward.yaml:10:11: error: user 0 is root",
        ))
        .stderr(predicate::str::contains("help: "))
        .stderr(predicate::str::contains("nothing was written"));
    assert_eq!(
        std::fs::read_dir(t.path()).unwrap().count(),
        1,
        "only the spec is there"
    );
}

#[test]
fn a_missing_spec_file_is_a_clear_error() {
    kubeward()
        .args(["render", "-f", "does-not-exist.yaml", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does-not-exist.yaml: error: cannot read the spec",
        ));
}

#[test]
fn stdout_output_is_one_stream() {
    let spec = root().join("examples/minimal/kubeward.yaml");
    let out = kubeward()
        .args(["render", "-o", "-", "-f"])
        .arg(&spec)
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let kinds: Vec<String> = text
        .split("\n---\n")
        .map(|d| {
            serde_yaml::from_str::<serde_yaml::Value>(d).unwrap()["kind"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "Namespace",
            "ResourceQuota",
            "LimitRange",
            "NetworkPolicy",
            "NetworkPolicy",
            "ServiceAccount",
            "Deployment",
            "PodDisruptionBudget",
            "ConfigMap",
            "ValidatingAdmissionPolicy",
            "ValidatingAdmissionPolicyBinding"
        ]
    );
}

#[test]
fn tag_only_images_warn_and_strict_makes_them_fatal() {
    let t = tempfile::tempdir().unwrap();
    let spec = write_spec(t.path(), &app_spec("").replace(&format!("@{DIGEST}"), ""));
    let out = t.path().join("out");
    kubeward()
        .args(["render", "--strict", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("warning[image-digest]"))
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
    kubeward()
        .args(["render", "-f"])
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .success()
        .stderr(
            predicate::str::contains("warning[image-digest]")
                .and(predicate::str::contains("@sha256")),
        );
    assert!(out.join("kustomization.yaml").exists());
}

/// `kubeward render -o - -f examples/minimal/kubeward.yaml --templates DIR`, asserted.
fn render_minimal_with(templates: impl AsRef<std::path::Path>) -> assert_cmd::assert::Assert {
    kubeward()
        .args([
            "render",
            "-o",
            "-",
            "-f",
            "examples/minimal/kubeward.yaml",
            "--templates",
        ])
        .arg(templates.as_ref())
        .assert()
}

fn override_deployment(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    let original =
        std::fs::read_to_string(root().join("templates/app/deployment.yaml.hbs")).unwrap();
    std::fs::create_dir_all(t.path().join("templates/app")).unwrap();
    std::fs::write(
        t.path().join("templates/app/deployment.yaml.hbs"),
        edit(&original),
    )
    .unwrap();
    t
}

#[test]
fn a_template_that_drops_a_hardening_setting_is_refused() {
    let t = override_deployment(|s| s.replace("            readOnlyRootFilesystem: true\n", ""));
    let out = t.path().join("out");
    kubeward()
        .args([
            "render",
            "-f",
            "examples/minimal/kubeward.yaml",
            "--templates",
        ])
        .arg(t.path().join("templates"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("error[read-only-root-fs]"))
        .stderr(
            predicate::str::contains("rendered from `")
                .and(predicate::str::contains("deployment.yaml.hbs")),
        )
        .stderr(predicate::str::contains("nothing was written"));
    assert!(!out.exists());
}

#[test]
fn a_template_with_a_typo_is_a_schema_error_with_its_path() {
    let t = override_deployment(|s| {
        s.replace(
            "runAsNonRoot: true\n            runAsUser",
            "runAsNonroot: true\n            runAsUser",
        )
    });
    render_minimal_with(t.path().join("templates"))
        .code(1)
        .stderr(predicate::str::contains("error[schema]"))
        .stderr(predicate::str::contains(
            "spec.template.spec.containers[0].securityContext.runAsNonroot",
        ));
}

#[test]
fn a_template_that_emits_an_undeclared_kind_is_refused() {
    let t = override_deployment(|s| s.replace("kind: Deployment", "kind: StatefulSet"));
    render_minimal_with(t.path().join("templates"))
        .code(2)
        .stderr(
            predicate::str::contains("deployment.yaml.hbs")
                .and(predicate::str::contains("emitted `apps/v1 StatefulSet`")),
        );
}

#[test]
fn a_template_with_raw_output_is_refused() {
    let t = override_deployment(|s| s.replace("image: {{image}}", "image: {{{image}}}"));
    render_minimal_with(t.path().join("templates"))
        .code(2)
        .stderr(predicate::str::contains("raw output"));
}

#[test]
fn an_unknown_template_override_is_refused() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("app")).unwrap();
    std::fs::write(t.path().join("app/deploymnet.yaml.hbs"), "x").unwrap();
    render_minimal_with(t.path())
        .code(2)
        .stderr(predicate::str::contains("overrides no built-in template"));
}

#[test]
fn every_command_has_help_with_an_example() {
    for cmd in [
        vec!["--help"],
        vec!["render", "--help"],
        vec!["check", "--help"],
        vec!["rules", "--help"],
        vec!["explain", "--help"],
        vec!["onboard", "--help"],
        vec!["flows", "--help"],
        vec!["diagram", "--help"],
    ] {
        kubeward()
            .args(&cmd)
            .assert()
            .success()
            .stdout(predicate::str::contains("Example"));
    }
}

#[test]
fn usage_errors_exit_2() {
    kubeward().args(["render", "--bogus"]).assert().code(2);
    kubeward().assert().code(2);
}

#[test]
fn render_onboard_and_init_share_the_default_output_directory() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("kubeward.yaml"), app_spec("")).unwrap();
    kubeward()
        .current_dir(t.path())
        .arg("render")
        .assert()
        .success();
    assert!(t.path().join("manifests/kustomization.yaml").is_file());
    let t = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["onboard", "team-a"])
        .assert()
        .success();
    assert!(t.path().join("manifests/team-a").is_dir());
    let t = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(t.path())
        .args(["init", "--yes", "--app", "web", "--image"])
        .arg(format!("registry.example.com/web:1@{DIGEST}"))
        .assert()
        .success();
    assert!(t.path().join("manifests/kustomization.yaml").is_file());
}
