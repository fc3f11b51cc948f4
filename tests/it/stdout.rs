//! Writing to stdout: a reader that goes away (`| head -1`) is a quiet success; a write
//! error (`> /dev/full`) is reported and exits 2.

use std::process::{Command, Stdio};

use crate::support::root;

const MINIMAL: &str = "examples/minimal/kubeward.yaml";
/// Not a Kubernetes object: skipped, so `check` exits 0.
const CLEAN: &str = "on: push\n";

fn kubeward(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    c.current_dir(root()).args(args);
    c
}

/// Run with stdout a pipe whose reading end is closed before anything is written.
fn with_closed_stdout(mut c: Command, stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn with_full_stdout(mut c: Command, stdin: &str) -> std::process::Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn render_to_a_closed_pipe_exits_quietly() {
    let out = with_closed_stdout(kubeward(&["render", "-f", MINIMAL, "-o", "-"]), "");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn check_to_a_closed_pipe_exits_quietly() {
    let out = with_closed_stdout(kubeward(&["check", "-"]), CLEAN);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn render_to_a_full_disk_is_an_error() {
    let out = with_full_stdout(kubeward(&["render", "-f", MINIMAL, "-o", "-"]), "");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: cannot write to stdout: "), "{err}");
    assert!(err.contains("help: "), "{err}");
}

#[test]
fn check_and_rules_to_a_full_disk_are_errors() {
    for (args, stdin) in [(&["check", "-"][..], CLEAN), (&["rules"][..], "")] {
        let out = with_full_stdout(kubeward(args), stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write to stdout"), "{args:?}: {err}");
    }
}
