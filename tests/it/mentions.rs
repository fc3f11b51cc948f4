//! Every command and flag that a message, help text or document names exists: the
//! sources, README and docs are scanned for `kubeward COMMAND ...` and `--flag`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::{kubeward, root};

/// Flags of other tools that kubeward's messages quote (`kubectl apply --dry-run=server`)
/// or example arguments of a container command (`exec: [/app/worker, --check-alive]`), and
/// cargo's flags in the bundle README (`cargo install --locked kubeward --version X`).
const OTHER_TOOLS: &[&str] = &[
    "--dry-run",
    "--validate",
    "--alive",
    "--check-alive",
    "--locked",
    "--version",
];

/// Every subcommand and the long flags its `--help` lists.
fn commands() -> BTreeMap<String, BTreeSet<String>> {
    let top = help(&[]);
    let names: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 6, "{top}");
    names
        .into_iter()
        .map(|n| {
            let flags = flags(&help(&[n.as_str()]));
            (n, flags)
        })
        .collect()
}

fn help(sub: &[&str]) -> String {
    let out = kubeward().args(sub).arg("--help").output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn flags(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("--") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| !(c.is_whitespace() || "`\"'([".contains(c))) {
            continue;
        }
        let name: String = text[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        let name = name.trim_end_matches('-');
        if name.len() >= 2 && name.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.insert(format!("--{name}"));
        }
    }
    out
}

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, ext, out);
        } else if p.extension().is_some_and(|x| ext.iter().any(|e| x == *e)) {
            out.push(p);
        }
    }
}

/// `kubeward COMMAND args…` mentions: in code spans, console lines and help strings.
fn mentions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        for (i, _) in line.match_indices("kubeward ") {
            let before = line[..i].chars().last();
            let quoted = before == Some('`');
            let command_line = line[..i].trim_end().ends_with('$') || line[..i].ends_with("\\n  ");
            if !quoted && !command_line {
                continue;
            }
            let rest = &line[i + "kubeward ".len()..];
            let rest = if quoted {
                rest.split('`').next().unwrap_or("")
            } else {
                rest.split("\\n").next().unwrap_or("")
            };
            // A pipe ends the command (`kubeward render -o - | kubeward flows -`).
            let rest = rest.split(" | ").next().unwrap_or("");
            let cmd: String = rest
                .chars()
                .take_while(|c| c.is_ascii_lowercase())
                .collect();
            if !cmd.is_empty() {
                out.push((cmd, rest.to_string()));
            }
        }
    }
    out
}

#[test]
fn every_mentioned_command_and_flag_exists() {
    let known = commands();
    let all_flags: BTreeSet<String> = known.values().flatten().cloned().collect();
    let mut paths = Vec::new();
    files(&root().join("src"), &["rs"], &mut paths);
    files(&root().join("docs"), &["md"], &mut paths);
    paths.push(root().join("README.md"));
    let mut problems = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        for (cmd, rest) in mentions(&text) {
            let Some(cmd_flags) = known.get(&cmd) else {
                problems.push(format!(
                    "{}: `kubeward {cmd}` is not a command",
                    path.display()
                ));
                continue;
            };
            for f in flags(&rest) {
                if !cmd_flags.contains(&f) && !OTHER_TOOLS.contains(&f.as_str()) {
                    problems.push(format!(
                        "{}: `kubeward {cmd}` has no flag `{f}`",
                        path.display()
                    ));
                }
            }
        }
        if path.extension().is_some_and(|e| e == "rs") {
            for f in flags(&text) {
                if !all_flags.contains(&f) && !OTHER_TOOLS.contains(&f.as_str()) {
                    problems.push(format!("{}: no command has `{f}`", path.display()));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_scanner_catches_an_unknown_command_and_flag() {
    let found = mentions("help: run `kubeward initialise --spec x`\n$ kubeward render --nope\n");
    assert_eq!(found[0].0, "initialise");
    assert_eq!(
        found[1],
        ("render".to_string(), "render --nope".to_string())
    );
    assert!(flags(&found[1].1).contains("--nope"));
}
