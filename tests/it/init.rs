//! `kubeward init`: the wizard through a real pseudo-terminal, Ctrl-C, and the scripted
//! and no-terminal modes.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::{ControlCode, Eof, Expect, Session};

use crate::support::{DIGEST, kubeward};

fn spawn_init(dir: &Path) -> expectrl::session::OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    cmd.arg("init").current_dir(dir).env("NO_COLOR", "1");
    let mut p = Session::spawn(cmd).expect("spawn in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    p
}

/// Answer a text question.
fn answer(p: &mut expectrl::session::OsSession, question: &str, text: &str) {
    p.expect(question)
        .unwrap_or_else(|e| panic!("no `{question}`: {e}"));
    p.send_line(text).unwrap();
}

/// Answer a yes/no question: a key, then Enter (`""`: Enter alone takes the default).
fn key(p: &mut expectrl::session::OsSession, question: &str, k: &str) {
    p.expect(question)
        .unwrap_or_else(|e| panic!("no `{question}`: {e}"));
    p.send_line(k).unwrap();
}

fn exit_code(p: &mut expectrl::session::OsSession) -> i32 {
    let _ = p.expect(Eof);
    match p.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not exited: {other:?}"),
    }
}

#[test]
fn a_person_answers_every_section_and_gets_a_spec_and_a_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_init(dir.path());
    answer(&mut p, "App name", "web");
    answer(&mut p, "Namespace (", "Shop_Floor");
    let refused = p.expect("is not a valid namespace name").unwrap();
    let screen = String::from_utf8_lossy(refused.before()).to_string();
    assert!(
        !screen.contains("✔ Namespace"),
        "a refused answer is shown as accepted: {screen:?}"
    );
    answer(&mut p, "Namespace (", "shop");
    answer(
        &mut p,
        "Image",
        &format!("registry.example.com/shop/web:1.4.2@{DIGEST}"),
    );
    answer(&mut p, "Container ports", "");
    answer(&mut p, "Service port", "");
    key(&mut p, "Change the resources", "n");
    answer(&mut p, "Replicas", "2");
    answer(&mut p, "Writable directories", "");
    answer(&mut p, "Liveness check", "http:/livez");
    answer(&mut p, "Readiness check", "http:/readyz");
    answer(&mut p, "Environment variables", "LOG_LEVEL=info");
    answer(&mut p, "Secrets mounted", "");
    answer(&mut p, "Team", "payments");
    key(&mut p, "Change the namespace quota", "n");
    key(&mut p, "Give a person", "y");
    answer(&mut p, "Who", "");
    answer(&mut p, "Role", "");
    answer(&mut p, "Name (as your identity", "alice");
    answer(&mut p, "Only these resources", "pods");
    key(&mut p, "Also allow", "n");
    key(&mut p, "Add another access", "n");
    key(&mut p, "Allow a traffic flow", "y");
    answer(&mut p, "From", "");
    answer(&mut p, "To", "");
    answer(&mut p, "Namespace of the ingress controller", "");
    answer(&mut p, "Port(s)", "");
    key(&mut p, "Allow another flow", "n");
    answer(&mut p, "Trusted registries", "");
    key(&mut p, "Refuse other images", "y");
    answer(&mut p, "Pipeline that builds", ""); // GitHub Actions
    key(&mut p, "Record exec", "y");
    p.expect("Ship every container's log to").unwrap();
    p.send("\x1b[B").unwrap(); // down: Elasticsearch
    p.send_line("").unwrap();
    answer(&mut p, "Log endpoint", "logs.example.com:9200");
    answer(&mut p, "The endpoint's addresses", "10.30.0.0/24");
    p.expect("ingress (ingress-nginx) → shop/web:80→8080 TCP")
        .unwrap();
    key(&mut p, "render the bundle into manifests?", "y");
    p.expect("wrote kubeward.yaml").unwrap();
    assert_eq!(exit_code(&mut p), 0);

    let spec = std::fs::read_to_string(dir.path().join("kubeward.yaml")).unwrap();
    for line in [
        "name: shop",
        "team: payments",
        "name: alice",
        "from: ingress",
    ] {
        assert!(spec.contains(line), "`{line}` missing:\n{spec}");
    }
    assert!(
        dir.path()
            .join("manifests/shop/web/deployment.yaml")
            .is_file()
    );
    assert!(dir.path().join("manifests/shop/rbac").is_dir());
    assert!(
        dir.path()
            .join("manifests/logging/fluent-bit/daemonset.yaml")
            .is_file()
    );
    kubeward()
        .current_dir(dir.path())
        .args(["render", "-o", "again"])
        .assert()
        .success();
}

#[test]
fn ctrl_c_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_init(dir.path());
    answer(&mut p, "App name", "web");
    p.expect("Namespace (").unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

/// Answer every question of a one-app session up to the final "write and render?" one,
/// with one flow from the ingress controller and Enter (the default) where possible.
fn to_the_last_question(p: &mut expectrl::session::OsSession) {
    answer(p, "App name", "web");
    answer(p, "Namespace (", "shop");
    answer(
        p,
        "Image",
        &format!("registry.example.com/shop/web:1.4.2@{DIGEST}"),
    );
    for q in ["Container ports", "Service port"] {
        answer(p, q, "");
    }
    key(p, "Change the resources", "");
    answer(p, "Replicas", "");
    for q in ["Writable directories", "Liveness check"] {
        answer(p, q, "");
    }
    for q in ["Environment variables", "Secrets mounted", "Team"] {
        answer(p, q, "");
    }
    key(p, "Change the namespace quota", "");
    key(p, "Give a person", "");
    key(p, "Allow a traffic flow", "y");
    for q in [
        "From",
        "To",
        "Namespace of the ingress controller",
        "Port(s)",
    ] {
        answer(p, q, "");
    }
    key(p, "Allow another flow", ""); // Enter: no more flows
    answer(p, "Trusted registries", "");
    key(p, "Refuse other images", "");
    answer(p, "Pipeline that builds", "");
    key(p, "Record exec", "");
    answer(p, "Ship every container's log to", "");
    p.expect("render the bundle into manifests?").unwrap();
}

#[test]
fn ctrl_c_at_the_last_question_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_init(dir.path());
    to_the_last_question(&mut p);
    p.send(ControlCode::EndOfText).unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn ctrl_d_at_the_last_question_is_no_yes() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_init(dir.path());
    to_the_last_question(&mut p);
    p.send(ControlCode::EndOfTransmission).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    p.send(ControlCode::EndOfText).unwrap();
    assert_eq!(exit_code(&mut p), 130);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn enter_at_the_last_question_writes_one_flow_and_a_typed_ahead_key_answers_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn_init(dir.path());
    to_the_last_question(&mut p);
    // `y` alone (no Enter) does not answer; Enter after it does.
    p.send("y").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    p.send_line("").unwrap();
    p.expect("wrote kubeward.yaml").unwrap();
    assert_eq!(exit_code(&mut p), 0);
    let spec = std::fs::read_to_string(dir.path().join("kubeward.yaml")).unwrap();
    assert_eq!(spec.matches("from: ingress").count(), 1, "{spec}");
}

#[test]
fn the_same_flow_twice_by_flags_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    kubeward()
        .current_dir(dir.path())
        .args(["init", "--yes", "--app", "web", "--image", &image])
        .args(["--namespace", "shop", "--port", "8080"])
        .args(["--flow", "ingress:web:80", "--flow", "ingress:shop/web:80"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`--flow`"))
        .stderr(predicates::str::contains("repeats flows[0]"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn without_a_terminal_init_asks_nothing_and_names_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--app, --image"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn flags_alone_write_a_spec_that_render_accepts_and_a_second_run_adds_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    kubeward()
        .current_dir(dir.path())
        .args(["init", "--yes", "--app", "web", "--image", &image])
        .args(["--namespace", "shop", "--port", "8080"])
        .assert()
        .success();
    kubeward()
        .current_dir(dir.path())
        .args(["render", "-f", "kubeward.yaml", "-o", "-"])
        .assert()
        .success();
    let api = format!("registry.example.com/shop/api:2.0.0@{DIGEST}");
    let add = [
        "init",
        "--yes",
        "--app",
        "api",
        "--image",
        &api,
        "--namespace",
        "shop",
        "--port",
        "http:9000",
        "--flow",
        "web:api:80",
    ];
    kubeward()
        .current_dir(dir.path())
        .args(add)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("pass --force"));
    kubeward()
        .current_dir(dir.path())
        .args(add)
        .arg("--force")
        .assert()
        .success();
    let policy =
        std::fs::read_to_string(dir.path().join("manifests/shop/api/networkpolicy.yaml")).unwrap();
    assert!(policy.contains("port: 9000"), "{policy}");
}

#[test]
fn a_bad_flag_names_itself_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(dir.path())
        .args(["init", "--yes", "--app", "web", "--image", "UPPER//x::-bad"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "error: `--image`: `UPPER//x::-bad` is not an image reference",
        ));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn a_cpu_flag_in_a_memory_unit_is_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    for flag in ["--cpu-request", "--quota-cpu"] {
        kubeward()
            .current_dir(dir.path())
            .args(["init", "--yes", "--app", "web", "--image", &image])
            .args([flag, "100Mi"])
            .assert()
            .code(2)
            .stderr(predicates::str::contains(format!("`{flag}`")))
            .stderr(predicates::str::contains("did you mean `100m`?"));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

#[test]
fn a_bundle_directory_that_cannot_be_replaced_leaves_no_spec_behind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    std::fs::write(dir.path().join("manifests/notes.txt"), "mine").unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    kubeward()
        .current_dir(dir.path())
        .args(["init", "--yes", "--app", "web", "--image", &image])
        .assert()
        .code(2);
    assert!(!dir.path().join("kubeward.yaml").exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    let notes = std::fs::read_to_string(dir.path().join("manifests/notes.txt")).unwrap();
    assert_eq!(notes, "mine");
}

#[test]
fn replicas_are_judged_with_the_resources_given_by_flags() {
    // 1 replica (+1 surge) at a 250m cpu limit fits the 600m quota; at the default 500m
    // it would not. The quota fit used to run before the resources were applied.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kubeward.yaml"),
        "version: 1\nnamespaces:\n  - name: shop\n    quota:\n      requests: { cpu: 600m, memory: 4Gi }\n      limits: { cpu: 600m, memory: 8Gi }\n",
    )
    .unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    kubeward()
        .current_dir(dir.path())
        .args([
            "init", "--yes", "--force", "--app", "web", "--image", &image,
        ])
        .args(["--namespace", "shop", "--replicas", "1"])
        .args(["--cpu-request", "100m", "--cpu-limit", "250m"])
        .assert()
        .success();
    let spec = std::fs::read_to_string(dir.path().join("kubeward.yaml")).unwrap();
    assert!(spec.contains("cpu: \"250m\""), "{spec}");
    kubeward()
        .current_dir(dir.path())
        .args([
            "init", "--yes", "--force", "--app", "api", "--image", &image,
        ])
        .args([
            "--namespace",
            "shop",
            "--replicas",
            "1",
            "--cpu-limit",
            "500m",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`--replicas`"));
}

#[test]
fn the_same_access_twice_by_flags_is_refused_naming_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let image = format!("registry.example.com/shop/web:1.4.2@{DIGEST}");
    kubeward()
        .current_dir(dir.path())
        .args([
            "init",
            "--yes",
            "--app",
            "web",
            "--image",
            &image,
            "--namespace",
            "shop",
        ])
        .args([
            "--access",
            "shop:user:alice:read",
            "--access",
            "shop:user:alice:read",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("`--access`"))
        .stderr(predicates::str::contains("repeats access[0]"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_readme_one_line_init_command_renders_the_transcripts_service() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("kubeward init --yes")
        .expect("README shows `init --yes`");
    let mut command = String::new();
    for line in readme[start..].lines() {
        command.push_str(line.trim_end_matches('\\'));
        command.push(' ');
        if !line.ends_with('\\') {
            break;
        }
    }
    let words: Vec<&str> = command.split_whitespace().collect();
    assert_eq!(words[..2], ["kubeward", "init"]);
    let dir = tempfile::tempdir().unwrap();
    kubeward()
        .current_dir(dir.path())
        .args(&words[1..])
        .assert()
        .success();
    let spec = std::fs::read_to_string(dir.path().join("kubeward.yaml")).unwrap();
    for line in [
        "name: alice",
        "from: ingress",
        "team: storefront",
        "ciPipeline: github",
    ] {
        assert!(spec.contains(line), "`{line}` missing:\n{spec}");
    }
    assert!(
        dir.path()
            .join("manifests/ci/github/build-scan-push.yml")
            .is_file()
    );
}
