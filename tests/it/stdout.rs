//! Writing to stdout: a reader that goes away (`| head -1`) ends every command as if all
//! was written (same exit code, same stderr); a write error (`> /dev/full`) is reported
//! and exits 2.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{DIGEST, root};

const MINIMAL: &str = "examples/minimal/kubeward.yaml";
const REALISTIC: &str = "tests/fixtures/realistic";
/// Not a Kubernetes object: skipped, so `check` exits 0.
const CLEAN: &str = "on: push\n";

fn kubeward(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    c.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    c
}

/// Run with stdout a pipe whose reading end is closed before the child starts, so that
/// its first write to stdout fails with EPIPE.
fn with_closed_stdout(mut c: Command) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = c.stdout(writer).spawn().unwrap();
    // The parent's copy of the writing end goes with `c`; only the child holds one.
    drop(c);
    child.wait_with_output().unwrap()
}

/// Run with stdout read to the end.
fn with_read_stdout(mut c: Command) -> Output {
    c.stdout(Stdio::piped()).output().unwrap()
}

fn with_full_stdout(mut c: Command) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    c.stdout(full).output().unwrap()
}

/// A fresh directory holding a copy of the minimal example (and `bundle/`, its render),
/// for the commands that write files (`init`) or compare them (`render --diff`).
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(MINIMAL), dir.path().join("spec.yaml")).unwrap();
    let out = with_read_stdout(kubeward(
        dir.path(),
        &["render", "-f", "spec.yaml", "-o", "bundle"],
    ));
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    std::fs::write(dir.path().join("bundle/README.md"), "edited\n").unwrap();
    dir
}

/// Every command that prints data to stdout, as run in a [`workdir`].
fn printing_commands() -> Vec<Vec<String>> {
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    let minimal = root().join(MINIMAL).display().to_string();
    let realistic = root().join(REALISTIC).display().to_string();
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["render", "-f", &minimal, "-o", "-"],
        vec!["render", "-f", "spec.yaml", "-o", "bundle", "--diff"],
        vec!["render", "-f", "spec.yaml", "-o", "bundle", "--check"],
        vec!["onboard", "team-a", "--reader", "user:alice", "-o", "-"],
        vec![
            "init", "--yes", "--app", "web", "--image", &image, "-o", "-",
        ],
        vec!["check", "bundle", "--allow-empty"],
        vec!["diagram", "-f", &minimal],
        vec!["diagram", "-f", &minimal, "--format", "dot"],
        vec!["explain", "read-only-root-fs"],
        vec!["schema"],
        vec!["man"],
        vec!["--help"],
        vec!["--version"],
    ];
    for format in ["text", "json", "sarif"] {
        commands.push(vec!["check", &realistic, "--format", format]);
    }
    for format in ["text", "json", "mermaid", "dot"] {
        commands.push(vec!["flows", &realistic, "--format", format]);
    }
    for format in ["text", "markdown", "json"] {
        commands.push(vec!["rules", "--format", format]);
    }
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        commands.push(vec!["completions", shell]);
    }
    commands
        .into_iter()
        .map(|c| c.into_iter().map(String::from).collect())
        .collect()
}

#[test]
fn every_command_ends_on_a_closed_pipe_as_if_all_was_written() {
    for args in printing_commands() {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (read_dir, closed_dir) = (workdir(), workdir());
        let read = with_read_stdout(kubeward(read_dir.path(), &args));
        assert!(!read.stdout.is_empty(), "{args:?} prints: {read:?}");
        let closed = with_closed_stdout(kubeward(closed_dir.path(), &args));
        assert_eq!(
            closed.status.code(),
            read.status.code(),
            "{args:?}: {closed:?}"
        );
        assert_eq!(
            String::from_utf8_lossy(&closed.stderr),
            String::from_utf8_lossy(&read.stderr),
            "{args:?}"
        );
    }
}

#[test]
fn check_of_stdin_to_a_closed_pipe_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("clean.yaml");
    std::fs::write(&input, CLEAN).unwrap();
    let mut c = kubeward(&root(), &["check", "-"]);
    c.stdin(std::fs::File::open(&input).unwrap());
    let out = with_closed_stdout(c);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn render_to_a_full_disk_is_an_error() {
    let out = with_full_stdout(kubeward(&root(), &["render", "-f", MINIMAL, "-o", "-"]));
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: cannot write to stdout: "), "{err}");
    assert!(err.contains("help: "), "{err}");
}

#[test]
fn every_data_command_to_a_full_disk_is_an_error() {
    for args in [
        &["check", REALISTIC][..],
        &["rules"],
        &["flows", REALISTIC],
        &["diagram", "-f", MINIMAL],
        &["schema"],
    ] {
        let out = with_full_stdout(kubeward(&root(), args));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("cannot write to stdout"), "{args:?}: {err}");
    }
}
