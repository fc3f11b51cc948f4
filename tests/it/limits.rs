//! Input size: specs, `check` files and stdin over the limit (`KUBEWARD_MAX_INPUT`,
//! default 64 MiB) are refused with exit 2 before they can exhaust memory.

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
