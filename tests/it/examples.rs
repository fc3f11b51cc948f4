//! The example bundles: reviewed snapshots, byte-identical re-renders, and a clean
//! bill from the checker.

use crate::support::{examples, kubeward, read_tree, render_text};

#[test]
fn every_example_bundle_matches_its_reviewed_snapshot() {
    for (name, spec) in examples() {
        let files = render_text(&std::fs::read_to_string(&spec).unwrap());
        let listing: String = files.iter().map(|(p, t)| format!("=== {p}\n{t}")).collect();
        insta::assert_snapshot!(format!("bundle-{name}"), listing);
    }
}

#[test]
fn examples_render_without_warnings_through_the_cli() {
    for (name, spec) in examples() {
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("bundle");
        let assert = kubeward()
            .args(["render", "--strict", "-f"])
            .arg(&spec)
            .arg("-o")
            .arg(&dir)
            .assert()
            .success();
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
        assert!(stderr.contains("(0 warning(s))"), "{name}: {stderr}");
        let tree = read_tree(&dir);
        let in_memory = render_text(&std::fs::read_to_string(&spec).unwrap());
        let mut expected = in_memory.clone();
        expected.sort();
        assert_eq!(
            tree, expected,
            "{name}: the directory holds exactly the rendered files"
        );
    }
}

#[test]
fn renders_are_byte_identical() {
    for (name, spec) in examples() {
        let outs: Vec<Vec<(String, String)>> = (0..2)
            .map(|_| {
                let t = tempfile::tempdir().unwrap();
                let dir = t.path().join("b");
                kubeward()
                    .args(["render", "-f"])
                    .arg(&spec)
                    .arg("-o")
                    .arg(&dir)
                    .assert()
                    .success();
                read_tree(&dir)
            })
            .collect();
        assert_eq!(outs[0], outs[1], "{name}");
    }
}

#[test]
fn kustomization_lists_every_manifest() {
    for (name, spec) in examples() {
        let files = render_text(&std::fs::read_to_string(&spec).unwrap());
        let k = &files
            .iter()
            .find(|(p, _)| p == "kustomization.yaml")
            .expect("kustomization")
            .1;
        let v: serde_yaml::Value = serde_yaml::from_str(k).unwrap();
        let listed: Vec<&str> = v["resources"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        let manifests: Vec<&str> = files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| *p != "kustomization.yaml")
            .collect();
        assert_eq!(listed, manifests, "{name}");
    }
}
