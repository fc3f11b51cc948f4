//! `kubeward check` on the realistic tree (`tests/fixtures/realistic/`): the shapes real
//! repositories hold are read as Kubernetes reads them, every object (of a List, of a
//! removed API version) gets every rule, and valid patterns cost no error.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{kubeward, root};

const TREE: &str = "tests/fixtures/realistic";

fn check_json(args: &[&str]) -> (Option<i32>, Value) {
    let out = kubeward()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), json)
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().unwrap()
}

/// (file without the tree prefix, line, rule, object) of every finding of `rule`.
fn hits(report: &Value, rule: &str) -> Vec<(String, u64, String)> {
    findings(report)
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            let file = f["file"].as_str().unwrap();
            (
                file.strip_prefix(&format!("{TREE}/"))
                    .unwrap_or(file)
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["object"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn valid_patterns_cost_no_schema_or_syntax_error() {
    let (_, report) = check_json(&[TREE]);
    let wrong: Vec<&Value> = findings(&report)
        .iter()
        .filter(|f| f["rule"] == "schema" || f["rule"] == "yaml-syntax")
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    // Every built-in kind is checked; the one custom resource, the kustomization and a
    // YAML file that is not an object are skipped.
    let reasons: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "example.com/v1 Backup: a custom resource (not a built-in kind of Kubernetes)",
            "a kustomize configuration, not an object",
        ]
    );
    assert_eq!(report["summary"]["documents"], 26);
}

#[test]
fn yaml_1_1_values_reach_the_rules() {
    let (_, report) = check_json(&[&format!("{TREE}/yaml11")]);
    // `privileged: yes` is privileged; `allowPrivilegeEscalation: no` and
    // `readOnlyRootFilesystem: on` are kept, also where an alias repeats them (the
    // second container's `securityContext: *tool-security`, line 41).
    let object = "Deployment tools/legacy-tool".to_string();
    let file = "yaml11/booleans.yaml".to_string();
    assert_eq!(
        hits(&report, "no-privileged"),
        [(file.clone(), 26, object.clone()), (file, 41, object)]
    );
    assert!(hits(&report, "no-privilege-escalation").is_empty());
    assert!(hits(&report, "read-only-root-fs").is_empty());
    assert!(
        hits(&report, "automount-token-disabled").is_empty(),
        "off is false"
    );
    // The limits merged from the requests: cpu is limited, memory overridden.
    assert!(hits(&report, "cpu-limits").is_empty());
    assert!(hits(&report, "memory-limits").is_empty());
}

#[test]
fn every_item_of_a_list_gets_every_rule_at_its_own_position() {
    let (_, report) = check_json(&[&format!("{TREE}/lists")]);
    assert_eq!(
        hits(&report, "no-privileged"),
        [(
            "lists/get-o-yaml.yaml".into(),
            28,
            "Deployment shop/cart".into()
        )]
    );
    // A typed list's items take their kind from it.
    assert_eq!(
        hits(&report, "rbac-no-cluster-admin"),
        [(
            "lists/rolebindings.yaml".into(),
            10,
            "RoleBinding shop/ci-deployer".into()
        )]
    );
    assert_eq!(report["summary"]["documents"], 4);
}

#[test]
fn a_removed_api_version_is_reported_and_checked_as_its_replacement() {
    let (_, report) = check_json(&[&format!("{TREE}/legacy")]);
    let removed = hits(&report, "removed-api");
    assert_eq!(removed.len(), 2, "{removed:?}");
    let ds = "DaemonSet monitoring/node-agent".to_string();
    for rule in [
        "no-privileged",
        "no-host-namespaces",
        "no-host-path",
        "read-only-root-fs",
    ] {
        assert!(
            hits(&report, rule).iter().any(|h| h.2 == ds),
            "{rule} on the extensions/v1beta1 DaemonSet"
        );
    }
    let cron = "CronJob monitoring/cleanup".to_string();
    assert!(
        hits(&report, "image-tag-pinned")
            .iter()
            .any(|h| h.2 == cron)
    );
    let message = findings(&report)[0]["message"].as_str().unwrap();
    assert!(message.contains("checked as apps/v1"), "{message}");
}

#[test]
fn a_generate_name_hook_and_an_octal_mode_are_valid() {
    let (_, report) = check_json(&[&format!("{TREE}/helm-rendered")]);
    let objects: BTreeSet<&str> = findings(&report)
        .iter()
        .map(|f| f["object"].as_str().unwrap())
        .collect();
    assert!(objects.contains("Job"), "the hook is checked: {objects:?}");
    assert!(findings(&report).iter().all(|f| f["rule"] != "schema"));
}

#[test]
fn a_file_that_is_not_utf8_costs_one_error_and_the_run_goes_on() {
    let t = tempfile::tempdir().unwrap();
    let good = std::fs::read(root().join(TREE).join("lists/get-o-yaml.yaml")).unwrap();
    std::fs::write(
        t.path().join("a-latin1.yaml"),
        b"kind: Pod\nname: caf\xe9\n",
    )
    .unwrap();
    std::fs::write(t.path().join("b.yaml"), good).unwrap();
    let dir = t.path().to_str().unwrap();
    let (code, report) = check_json(&[dir]);
    assert_eq!(code, Some(1));
    let syntax = hits(&report, "yaml-syntax");
    assert_eq!(syntax.len(), 1, "{syntax:?}");
    assert!(syntax[0].0.ends_with("a-latin1.yaml"));
    assert_eq!(syntax[0].1, 2);
    assert_eq!(
        report["summary"]["documents"], 2,
        "the other file was checked"
    );
    assert_eq!(report["summary"]["files"], 2);
    let sarif = kubeward()
        .args(["check", "--format", "sarif", dir])
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "yaml-syntax"));
    assert!(results.iter().any(|r| r["ruleId"] == "no-privileged"));
}

#[test]
fn the_summary_counts_custom_resources_hidden_directories_and_exclusions() {
    let out = kubeward()
        .args([
            "check",
            TREE,
            "--exclude",
            "legacy",
            "--exclude",
            "*.tpl.yaml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let summary = text.lines().last().unwrap();
    assert!(
        summary.contains(
            "2 documents skipped (1 kustomize file, 1 custom resource); 1 hidden directory not searched (tests/fixtures/realistic/.github); 1 path excluded"
        ),
        "{summary}"
    );
    assert!(
        !text.contains("info[skipped]"),
        "counted, not listed: {text}"
    );
    assert!(!text.contains("legacy/"), "excluded");
    let table = text.split("findings by rule:\n").nth(1).unwrap();
    assert!(table.starts_with("  rule "), "{table}");
    assert!(table.contains("\n  no-privileged "), "{table}");
    let bad = kubeward()
        .args(["check", TREE, "--exclude", "a["])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--exclude `a[`"));
}
