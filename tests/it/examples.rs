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
        let not_applied = [
            "kustomization.yaml",
            "cluster/audit-policy.yaml",
            "README.md",
        ];
        let manifests: Vec<&str> = files
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| !not_applied.contains(p) && !p.starts_with("ci/"))
            .collect();
        assert_eq!(
            listed, manifests,
            "{name}: every API object is applied, in output order"
        );
        let audit = !std::fs::read_to_string(&spec)
            .unwrap()
            .contains("\naudit: false");
        assert_eq!(
            files.iter().any(|(p, _)| p == "cluster/audit-policy.yaml"),
            audit,
            "{name}: the audit policy is rendered unless turned off"
        );
    }
}

#[test]
fn every_example_namespace_is_onboarded_completely() {
    for (name, spec) in examples() {
        let files = render_text(&std::fs::read_to_string(&spec).unwrap());
        let docs: Vec<serde_yaml::Value> = files
            .iter()
            .filter(|(p, _)| p.ends_with(".yaml"))
            .filter_map(|(_, t)| serde_yaml::from_str(t).ok())
            .collect();
        let of = |kind: &str, ns: &str| -> Vec<&serde_yaml::Value> {
            docs.iter()
                .filter(|d| d["kind"] == kind && d["metadata"]["namespace"] == ns)
                .collect()
        };
        let namespaces: Vec<&serde_yaml::Value> =
            docs.iter().filter(|d| d["kind"] == "Namespace").collect();
        assert!(!namespaces.is_empty(), "{name}");
        for ns in namespaces {
            let n = ns["metadata"]["name"].as_str().unwrap();
            let labels = &ns["metadata"]["labels"];
            let enforce = labels["pod-security.kubernetes.io/enforce"]
                .as_str()
                .unwrap();
            let reason =
                ns["metadata"]["annotations"]["kubeward.dev/pod-security-exemption"].as_str();
            assert!(
                enforce == "restricted" || reason.is_some_and(|r| !r.is_empty()),
                "{name}/{n}: {enforce} without a reason"
            );
            assert_eq!(of("ResourceQuota", n).len(), 1, "{name}/{n}: quota");
            assert_eq!(of("LimitRange", n).len(), 1, "{name}/{n}: limit range");
            let policies = of("NetworkPolicy", n);
            let deny = policies
                .iter()
                .find(|p| p["metadata"]["name"] == "default-deny")
                .expect("default deny");
            assert_eq!(
                deny["spec"]["podSelector"],
                serde_yaml::from_str::<serde_yaml::Value>("{}").unwrap()
            );
            assert_eq!(
                deny["spec"]["policyTypes"],
                serde_yaml::from_str::<serde_yaml::Value>("[Ingress, Egress]").unwrap()
            );
            assert!(deny["spec"].get("ingress").is_none() && deny["spec"].get("egress").is_none());
            let dns = policies
                .iter()
                .find(|p| p["metadata"]["name"] == "allow-dns")
                .expect("DNS egress");
            let ports = &dns["spec"]["egress"][0]["ports"];
            assert_eq!(
                ports,
                &serde_yaml::from_str::<serde_yaml::Value>(
                    "[{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]"
                )
                .unwrap()
            );
        }
    }
}
