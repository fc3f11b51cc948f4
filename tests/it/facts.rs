//! Each Kubernetes fact and each kubeward decision that several layers read is decided in
//! one file of `src/`: a second definition (or a second spelling of the same test) fails
//! here, naming both places.

use std::path::Path;

use super::folders::{code_only, rust_files};

/// (what, the text that decides it, the one file of `src/` that may hold that text).
/// Texts are matched in code with comments and string literals blanked, except where
/// the fact is a string (`"jobTemplate"`), which is matched in the raw text.
const FACTS: &[(&str, &str, &str)] = &[
    ("labels", "type Labels", "k8s/selector.rs"),
    ("the label selector", "struct Selector ", "k8s/selector.rs"),
    ("the label selector", "struct Selector<", "k8s/selector.rs"),
    ("the label selector", "struct Selector{", "k8s/selector.rs"),
    ("object scope", "enum ObjectScope", "k8s/kind.rs"),
    ("the long-running kinds", "LONG_RUNNING:", "k8s/kind.rs"),
    ("an RBAC rule", "struct RbacRule", "k8s/rbac.rs"),
    ("registry trust", "fn trusted(", "k8s/image.rs"),
    (
        "the CronJob's pod template",
        "\"jobTemplate\"",
        "k8s/kind.rs",
    ),
    ("the pod template keys", "\"template\"]", "k8s/kind.rs"),
    ("the rule scope", "struct Scope", "validate/rules/scope.rs"),
    (
        "a namespace's origin",
        "enum Origin",
        "validate/netpol/universe.rs",
    ),
    (
        "the Kubernetes minors",
        "NEWEST_MINOR: u32",
        "resolve/defaults.rs",
    ),
    (
        "the shipper's name",
        "LOG_SHIPPER: &str",
        "resolve/defaults.rs",
    ),
];

/// Constants only `resolve` may read: the Model carries them to `plan` and `proof`.
const MODEL_ONLY: &[&str] = &["FLUENT_BIT_HTTP_PORT", "API_SERVER_PORTS", "LOG_SHIPPER"];

fn sources() -> Vec<(String, String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(&src).unwrap().display().to_string();
            let text = std::fs::read_to_string(f).unwrap();
            let code = code_only(&text);
            (rel, text, code)
        })
        .collect()
}

#[test]
fn each_fact_is_decided_in_one_place() {
    let files = sources();
    let mut found = std::collections::BTreeSet::new();
    for (what, needle, home) in FACTS {
        let raw = needle.contains('"') || needle.contains('.');
        for (rel, text, code) in &files {
            let hit = if raw {
                text.contains(needle)
            } else {
                code.contains(needle)
            };
            if hit {
                assert_eq!(
                    rel, home,
                    "{what} (`{needle}`) is decided in src/{home}, not here"
                );
                found.insert(*what);
            }
        }
    }
    for (what, _, home) in FACTS {
        assert!(
            found.contains(what),
            "{what} is no longer found in src/{home}: update FACTS"
        );
    }
}

#[test]
fn plan_and_proof_read_the_log_shippers_connections_from_the_model() {
    for (rel, _, code) in sources() {
        if rel.starts_with("resolve/") {
            continue;
        }
        for name in MODEL_ONLY {
            assert!(
                !code.contains(name),
                "src/{rel} reads `{name}`: read it from the Model"
            );
        }
    }
}

#[test]
fn registry_prefixes_are_matched_by_k8s_image_trusted_only() {
    for (rel, _, code) in sources().iter().filter(|(r, _, _)| r != "k8s/image.rs") {
        for line in code.lines() {
            assert!(
                !(line.contains("starts_with") && line.contains("regist")),
                "src/{rel} matches a registry prefix itself: use k8s::image::trusted\n{line}"
            );
        }
    }
}
