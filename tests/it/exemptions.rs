//! The scope of an exemption (`kubeward.dev/exempt`): it covers its own object only, never
//! its neighbours in the same file, and only on the object's own metadata (an annotation
//! on a pod template is the pods' annotation and exempts nothing).

use serde_json::Value;

use crate::support::{PROBES, app_spec, kubeward, render_text};

/// A clean rendered Deployment named `name`, with a writable root filesystem.
fn writable(name: &str) -> String {
    render_text(&app_spec(PROBES))
        .into_iter()
        .find(|(p, _)| p.ends_with("deployment.yaml"))
        .expect("a deployment")
        .1
        .replace(
            "readOnlyRootFilesystem: true",
            "readOnlyRootFilesystem: false",
        )
        .replace("\"web\"", &format!("\"{name}\""))
        .replace(": web\n", &format!(": {name}\n"))
}

const EXEMPT: &str =
    "kubeward.dev/exempt: \"read-only-root-fs: the vendor image writes its cache under /opt\"";

/// `deployment` with the exemption on its own metadata.
fn exempt_object(deployment: &str) -> String {
    let out = deployment.replacen(
        "metadata:\n",
        &format!("metadata:\n  annotations:\n    {EXEMPT}\n"),
        1,
    );
    assert_ne!(out, deployment);
    out
}

/// `deployment` with the exemption on its pod template's metadata.
fn exempt_template(deployment: &str) -> String {
    let marker = "  template:\n    metadata:\n";
    assert!(
        deployment.contains(marker),
        "the template changed: {deployment}"
    );
    deployment.replacen(
        marker,
        &format!("{marker}      annotations:\n        {EXEMPT}\n"),
        1,
    )
}

/// `kubeward check --format json` of one file: (exit code, report).
fn check(text: &str) -> (i32, Value) {
    let t = tempfile::tempdir().unwrap();
    let file = t.path().join("apps.yaml");
    std::fs::write(&file, text).unwrap();
    let out = kubeward()
        .args(["check", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// The objects with a `read-only-root-fs` finding.
fn writable_objects(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "read-only-root-fs")
        .map(|f| f["object"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn both_deployments_of_the_file_are_reported_without_an_exemption() {
    let (code, report) = check(&format!("{}---\n{}", writable("web"), writable("api")));
    assert_eq!(code, 1);
    assert_eq!(
        writable_objects(&report),
        ["Deployment shop/web", "Deployment shop/api"]
    );
}

#[test]
fn an_exemption_covers_its_object_and_not_the_other_object_of_the_file() {
    for (first, second, reported) in [
        (
            exempt_object(&writable("web")),
            writable("api"),
            "Deployment shop/api",
        ),
        (
            writable("web"),
            exempt_object(&writable("api")),
            "Deployment shop/web",
        ),
    ] {
        let (code, report) = check(&format!("{first}---\n{second}"));
        assert_eq!(code, 1, "the other object still fails the check: {report}");
        assert_eq!(writable_objects(&report), [reported]);
        assert_eq!(report["summary"]["exempted"], 1);
        assert_eq!(report["summary"]["errors"], 1);
    }
}

#[test]
fn exempting_both_objects_passes() {
    let (code, report) = check(&format!(
        "{}---\n{}",
        exempt_object(&writable("web")),
        exempt_object(&writable("api"))
    ));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["summary"]["exempted"], 2);
}

#[test]
fn an_exemption_on_the_pod_template_exempts_nothing() {
    let (code, report) = check(&exempt_template(&writable("web")));
    assert_eq!(
        code, 1,
        "only the object's own metadata exempts it: {report}"
    );
    assert_eq!(writable_objects(&report), ["Deployment shop/web"]);
    assert_eq!(report["summary"]["exempted"], 0);
}
