//! The CI integrations kubeward ships: the pre-commit hooks run as pre-commit runs
//! them, and the GitHub Actions example runs `check --format sarif` and uploads it.

use crate::support::{app_spec, kubeward, rendered_app, root};

/// The pre-commit hooks, as (id, entry words, passes file names).
fn hooks() -> Vec<(String, Vec<String>, bool)> {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    hooks
        .as_sequence()
        .unwrap()
        .iter()
        .map(|h| {
            let entry = h["entry"].as_str().unwrap();
            assert_eq!(h["language"].as_str(), Some("rust"), "{h:?}");
            let words: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
            assert_eq!(words[0], "kubeward");
            let files = h["pass_filenames"].as_bool().unwrap_or(true);
            (h["id"].as_str().unwrap().to_string(), words, files)
        })
        .collect()
}

#[test]
fn the_pre_commit_hooks_run_as_pre_commit_runs_them() {
    let (dir, spec, bundle) = rendered_app("deploy");
    let deployment = bundle.join("shop/web/deployment.yaml");
    let hooks = hooks();
    assert_eq!(hooks.len(), 2);
    for (id, words, pass_filenames) in hooks {
        let run = |extra: &[&str]| {
            let mut cmd = kubeward();
            cmd.current_dir(dir.path()).args(&words[1..]).args(extra);
            cmd.assert()
        };
        match id.as_str() {
            "kubeward-check" => {
                assert!(pass_filenames);
                run(&[deployment.to_str().unwrap()]).success();
            }
            "kubeward-render-check" => {
                assert!(!pass_filenames);
                run(&["-f", "kubeward.yaml", "-o", "deploy"]).success();
                std::fs::write(&spec, app_spec("    replicas: 3\n")).unwrap();
                run(&["-f", "kubeward.yaml", "-o", "deploy"]).code(1);
            }
            other => panic!("untested hook {other}"),
        }
    }
}

#[test]
fn the_github_actions_example_uploads_kubewards_sarif() {
    let text = std::fs::read_to_string(root().join("examples/ci/github-actions.yml")).unwrap();
    let wf: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let steps = wf["jobs"]["check"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(
        runs.iter()
            .any(|r| r.starts_with("kubeward check --format sarif")
                && r.ends_with("> kubeward.sarif")),
        "{runs:?}"
    );
    assert!(
        runs.iter()
            .any(|r| r.starts_with("kubeward render") && r.contains("--check"))
    );
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some("kubeward.sarif")
    );
    assert_eq!(
        wf["jobs"]["check"]["permissions"]["security-events"].as_str(),
        Some("write")
    );
}
