//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `kubeward` binary, run from the repository root.
pub fn kubeward() -> Command {
    let mut c = Command::cargo_bin("kubeward").expect("binary builds");
    c.current_dir(root());
    c
}

/// Every example spec, by example name.
pub fn examples() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("kubeward.yaml").is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                p.join("kubeward.yaml"),
            )
        })
        .collect();
    out.sort();
    out
}

/// Render a spec text in memory; panics with the diagnostics on failure.
pub fn render_text(text: &str) -> Vec<(String, String)> {
    let resolved = kubeward::resolve::parse_resolved("test.yaml", text)
        .unwrap_or_else(|d| panic!("spec errors:\n{}", kubeward::diag::render_all(&d)));
    let templates = kubeward::render::embedded().unwrap();
    match kubeward::bundle::render(&resolved.model, resolved.warnings, templates) {
        Ok(b) => b.files,
        Err(e) => panic!("render failed: {e:?}"),
    }
}

/// All files below `dir`, as (relative path, text), sorted.
pub fn read_tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub const DIGEST: &str = "sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a";

/// App fields giving distinct health endpoints (the default TCP probes carry a
/// `probes-distinct` exemption), for tests that edit a rendered Deployment's annotations.
pub const PROBES: &str = "    probes:\n      liveness: { http: /livez, port: http }\n      readiness: { http: /readyz, port: http }\n";

/// A valid one-app spec with `extra` appended to the app's fields (indented by 4).
pub fn app_spec(extra: &str) -> String {
    format!(
        "version: 1\nnamespaces:\n  - name: shop\napps:\n  - name: web\n    namespace: shop\n    image: registry.example.com/web:1.0@{DIGEST}\n    ports:\n      - {{ name: http, port: 8080 }}\n{extra}"
    )
}

/// The spec of [`app_spec`] and its bundle rendered into `<dir>/<bundle>` in a fresh
/// temporary directory: (directory, spec path, bundle path).
pub fn rendered_app(bundle: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("kubeward.yaml");
    std::fs::write(&spec, app_spec("")).unwrap();
    let out = dir.path().join(bundle);
    kubeward()
        .arg("render")
        .arg("-f")
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    (dir, spec, out)
}
