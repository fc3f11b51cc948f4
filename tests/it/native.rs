//! Feeling native in shells and CI: completion scripts and the man page generated from
//! the command line, `--color`, `-q` and `-v`.

use predicates::prelude::*;

use crate::support::{app_spec, kubeward, render_text};

/// Every subcommand `kubeward --help` lists (without `help`).
fn subcommands() -> Vec<String> {
    let out = kubeward().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 10, "{help}");
    names
}

fn stdout_of(args: &[&str]) -> String {
    let out = kubeward().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn completion_scripts_name_every_subcommand() {
    let subs = subcommands();
    for (shell, marker) in [
        ("bash", "complete -F _kubeward"),
        ("zsh", "#compdef kubeward"),
        ("fish", "complete -c kubeward"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains(marker), "{shell}: {script}");
        for sub in &subs {
            assert!(script.contains(sub.as_str()), "{shell} lacks `{sub}`");
        }
        assert!(script.contains("fail-on"), "{shell} lacks check's flags");
    }
    kubeward()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid value 'tcsh'"));
}

#[test]
fn bash_accepts_its_completion_script() {
    let script = stdout_of(&["completions", "bash"]);
    let Ok(out) = std::process::Command::new("bash")
        .args(["-n", "-c", &script])
        .output()
    else {
        return; // no bash on this machine
    };
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn the_man_page_is_roff_with_a_section_per_subcommand() {
    let page = stdout_of(&["man"]);
    assert!(page.contains("\n.TH kubeward 1 "), "{page}");
    for heading in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH EXAMPLES"] {
        assert!(page.contains(heading), "{heading}: {page}");
    }
    for sub in subcommands() {
        let heading = format!(".SH \"KUBEWARD {}\"", sub.to_uppercase());
        assert!(page.contains(&heading), "{heading}: {page}");
    }
    assert!(page.contains(r"\fB\-\-fail\-on\fR"), "{page}");
    assert_eq!(page.matches(".TH ").count(), 1, "one page");
    assert_eq!(page.matches(".el .ds Aq").count(), 1, "one prelude");
}

/// A Deployment whose writable root filesystem is exempted, and a CI workflow (skipped).
fn exempted_and_skipped() -> String {
    // Distinct probes: the default ones carry an exemption annotation of their own.
    let probes = "    probes:\n      liveness: { http: /livez, port: http }\n      readiness: { http: /readyz, port: http }\n";
    let deployment = render_text(&app_spec(probes))
        .into_iter()
        .find(|(p, _)| p.ends_with("deployment.yaml"))
        .expect("a deployment")
        .1
        .replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        )
        .replacen(
            "metadata:\n",
            "metadata:\n  annotations:\n    kubeward.dev/exempt: \"read-only-root-fs: the vendor image writes its cache under /opt\"\n",
            1,
        );
    format!("{deployment}---\nname: ci\non: [push]\njobs: {{}}\n")
}

#[test]
fn verbose_check_lists_each_exemption_with_its_reason() {
    let input = exempted_and_skipped();
    kubeward()
        .args(["check", "-"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("1 finding exempted"))
        .stdout(predicate::str::contains("exempted (").not());
    kubeward()
        .args(["check", "-v", "-"])
        .write_stdin(input)
        .assert()
        .success()
        .stdout(predicate::str::is_match(
            r"<stdin>:\d+:\d+: note: Deployment \S+: `read-only-root-fs` exempted \(1 finding\): the vendor image writes its cache under /opt\nchecked ",
        ).unwrap());
}

#[test]
fn quiet_check_prints_warnings_and_errors_only() {
    let input = exempted_and_skipped();
    kubeward()
        .args(["check", "--quiet", "-"])
        .write_stdin(input.clone())
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let failing = input.replace("kubeward.dev/exempt", "example.com/note");
    kubeward()
        .args(["check", "-q", "-"])
        .write_stdin(failing)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("error[read-only-root-fs]"))
        .stdout(predicate::str::contains("info[skipped]").not())
        .stdout(predicate::str::contains("checked ").not());
    kubeward()
        .args(["check", "-q", "-v", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn quiet_render_keeps_warnings_and_drops_the_wrote_line() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("kubeward.yaml");
    std::fs::write(&spec, app_spec("")).unwrap();
    kubeward()
        .arg("render")
        .arg("-f")
        .arg(&spec)
        .arg("-o")
        .arg(dir.path().join("out"))
        .arg("-q")
        .assert()
        .success()
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("warning[trusted-registries]"))
        .stderr(predicate::str::contains("wrote").not());
    assert!(dir.path().join("out/kustomization.yaml").is_file());
}

const ESC: &str = "\u{1b}[";

/// `check` of a failing input with `args` and `env`: (stdout, stderr).
fn coloured(args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = kubeward();
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["check", "--skip", "no-such-rule"])
        .args(args)
        .arg("-")
        .output()
        .unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn colour_follows_the_flag_no_color_and_clicolor_force() {
    let (_, err) = coloured(&["--color", "always"], &[("NO_COLOR", "1")]);
    assert!(err.contains(&format!("{ESC}31")), "{err:?}");
    let (_, err) = coloured(&[], &[]);
    assert!(!err.contains(ESC), "not a terminal: {err:?}");
    let (_, err) = coloured(&[], &[("CLICOLOR_FORCE", "1")]);
    assert!(err.contains(ESC), "{err:?}");
    let (_, err) = coloured(&[], &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
    assert!(!err.contains(ESC), "{err:?}");
    let (_, err) = coloured(&["--color=never"], &[("CLICOLOR_FORCE", "1")]);
    assert!(!err.contains(ESC), "{err:?}");
}

#[test]
fn colour_never_touches_data() {
    let input = exempted_and_skipped().replace("kubeward.dev/exempt", "example.com/note");
    for format in ["json", "sarif"] {
        kubeward()
            .args(["check", "--color", "always", "--format", format, "-"])
            .write_stdin(input.clone())
            .assert()
            .code(1)
            .stdout(predicate::str::contains(ESC).not());
    }
    kubeward()
        .args(["check", "--color", "always", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains(format!("{ESC}1;31merror[read-only-root-fs]")).or(
                predicate::str::contains(format!("{ESC}31m{ESC}1merror[read-only-root-fs]")),
            ),
        );
}

#[test]
fn version_names_the_commit_of_a_checkout() {
    let version = stdout_of(&["--version"]);
    let plain = format!("kubeward {}", env!("CARGO_PKG_VERSION"));
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(crate::support::root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8(o.stdout).unwrap().trim().to_string());
    match head {
        Some(hash) => assert_eq!(version.trim(), format!("{plain} ({hash})")),
        None => assert_eq!(version.trim(), plain),
    }
}

#[test]
fn an_unreadable_spec_says_so_and_counts_no_errors() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["render", "-f", "missing.yaml", "-o", "out"],
        vec!["render", "-f", ".", "-o", "out"],
        vec!["onboard", "-f", "missing.yaml", "-o", "out"],
    ] {
        kubeward()
            .current_dir(dir.path())
            .args(&args)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("error: cannot read the spec: "))
            .stderr(predicate::str::contains("error(s)").not());
    }
}

#[test]
fn onboard_usage_does_not_make_output_look_required() {
    kubeward()
        .args(["onboard", "-o", "somewhere"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Usage: kubeward onboard [OPTIONS] <NAMESPACE>...\n       kubeward onboard [OPTIONS] -f <FILE>\n",
        ))
        .stderr(predicate::str::contains("--output <DIR>").not());
}

/// The long flags a subcommand's `--help` lists with their short forms, without the
/// global ones.
fn own_flags(sub: &str) -> Vec<(String, Option<String>)> {
    let help = stdout_of(&[sub, "--help"]);
    let re = option_flags(&help);
    re.into_iter()
        .filter(|(l, _)| !["--help", "--color", "--quiet", "--verbose"].contains(&l.as_str()))
        .collect()
}

/// `(--long, -s)` of each option line of a help text (`  -f, --file <FILE>`).
fn option_flags(help: &str) -> Vec<(String, Option<String>)> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| {
            let words: Vec<&str> = l.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            let long = words.iter().find(|w| w.starts_with("--"))?.to_string();
            let short = words
                .first()
                .filter(|w| !w.starts_with("--"))
                .map(|w| w.to_string());
            Some((long, short))
        })
        .collect()
}

#[test]
fn the_readme_commands_table_lists_every_flag() {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    for sub in subcommands() {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `kubeward {sub}")))
            .unwrap_or_else(|| panic!("no README row for `{sub}`"));
        let cell = row.split(" | ").next().unwrap();
        if cell.contains("...]") {
            continue; // a row that says it lists only some flags (`init`)
        }
        for (long, short) in own_flags(&sub) {
            let named = |f: &str| {
                cell.match_indices(f).any(|(i, _)| {
                    !cell[i + f.len()..].starts_with(|c: char| c.is_ascii_lowercase() || c == '-')
                })
            };
            assert!(
                named(&long) || short.as_deref().is_some_and(named),
                "README row of `{sub}` lacks {long}: {cell}"
            );
        }
    }
}
