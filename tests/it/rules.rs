//! The rule catalogue against its fixtures: `tests/fixtures/rules/<id>/{pass,fail}.*.yaml`,
//! each checked alone (with the options its leading `# --flag` comments give). Every
//! rule needs both kinds, and every folder names a rule.

use std::collections::BTreeMap;
use std::path::PathBuf;

use kubeward::validate::rules::RULES;
use kubeward::validate::{Options, Report, validate};

use crate::support::root;

/// Fixture files by rule id: (file name, text).
fn fixtures() -> BTreeMap<String, Vec<(String, String)>> {
    let dir: PathBuf = root().join("tests/fixtures/rules");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("tests/fixtures/rules exists") {
        let path = entry.unwrap().path();
        assert!(path.is_dir(), "{} is not a rule folder", path.display());
        let id = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut files = Vec::new();
        for f in std::fs::read_dir(&path).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                (name.starts_with("pass.") || name.starts_with("fail.")) && name.ends_with(".yaml"),
                "{id}/{name}: fixtures are named pass.<case>.yaml or fail.<case>.yaml"
            );
            files.push((name, std::fs::read_to_string(&f).unwrap()));
        }
        files.sort();
        out.insert(id, files);
    }
    out
}

/// The run options a fixture asks for in its leading comments: `# --registry PREFIX`
/// (as `kubeward check --registry`).
pub fn options(text: &str) -> Options {
    let registries = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("# --registry "))
        .map(|r| kubeward::k8s::image::registry_prefix(r.trim()).expect("a registry prefix"))
        .collect();
    Options {
        registries,
        ..Options::default()
    }
}

fn check(id: &str, name: &str, text: &str) -> Report {
    let file = format!("{id}/{name}");
    let report = validate(&[(file.clone(), text.to_string())], &options(text));
    let invalid: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "schema" || f.rule == "yaml-syntax")
        .map(|f| format!("{:?} {}", f.path, f.message))
        .collect();
    assert!(
        invalid.is_empty(),
        "{file} is not a valid manifest: {invalid:?}"
    );
    assert!(
        report.skipped.is_empty(),
        "{file}: documents skipped: {:?}",
        report.skipped
    );
    report
}

#[test]
fn every_rule_has_pass_and_fail_fixtures_and_every_folder_names_a_rule() {
    let all = fixtures();
    let ids: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
    for id in all.keys() {
        assert!(
            ids.contains(&id.as_str()),
            "fixture folder `{id}` names no rule"
        );
    }
    for id in &ids {
        let files = all
            .get(*id)
            .unwrap_or_else(|| panic!("rule `{id}` has no fixture folder"));
        for kind in ["pass.", "fail."] {
            assert!(
                files.iter().any(|(n, _)| n.starts_with(kind)),
                "rule `{id}` has no {kind}*.yaml fixture"
            );
        }
    }
}

#[test]
fn fail_fixtures_trigger_their_rule_and_pass_fixtures_do_not() {
    let mut problems = Vec::new();
    let mut checked = 0;
    for (id, files) in fixtures() {
        for (name, text) in files {
            let report = check(&id, &name, &text);
            checked += 1;
            let hits: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.rule == id)
                .map(|f| f.message.clone())
                .collect();
            if name.starts_with("fail.") && hits.is_empty() {
                problems.push(format!("{id}/{name}: expected a `{id}` finding, got none"));
            }
            if name.starts_with("pass.") && !hits.is_empty() {
                problems.push(format!("{id}/{name}: unexpected `{id}` findings: {hits:?}"));
            }
        }
    }
    assert!(checked >= 2 * RULES.len(), "only {checked} fixtures");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The checked-in catalogue: `tests/fixtures/rule-ids.txt`, one id a line, `#` comments.
fn pinned_ids() -> Vec<String> {
    std::fs::read_to_string(root().join("tests/fixtures/rule-ids.txt"))
        .expect("tests/fixtures/rule-ids.txt exists")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

#[test]
fn the_catalogue_is_exactly_the_pinned_list_of_rule_ids() {
    let pinned = pinned_ids();
    let actual: Vec<String> = RULES.iter().map(|r| r.id().to_string()).collect();
    let removed: Vec<&String> = pinned.iter().filter(|id| !actual.contains(id)).collect();
    let added: Vec<&String> = actual.iter().filter(|id| !pinned.contains(id)).collect();
    assert!(
        removed.is_empty() && added.is_empty() && pinned == actual,
        "the rule catalogue differs from tests/fixtures/rule-ids.txt\n\
         gone from the catalogue: {removed:?}\n\
         not in the file: {added:?}\n\
         Users' exemptions, --skip and SARIF results name rule ids: removing or renaming a \
         rule is a deliberate change that needs a CHANGELOG.md line (under Changed or \
         Removed) and an update of tests/fixtures/rule-ids.txt (in catalogue order). \
         Adding a rule needs the file updated too."
    );
    let mut unique = pinned.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), pinned.len(), "an id is listed twice");
}
