//! The bundle README's image-pipeline section: where the CI file goes, what it reads
//! from the CI settings, and how a pushed digest reaches the cluster (and what the
//! admission policy refuses on the way).

use std::fmt::Write;

use crate::resolve::Model;
use crate::resolve::model::{Ci, Pipeline};

/// Where each CI file lives in the bundle and where it belongs in the repository.
fn paths(ci: Ci) -> (&'static str, &'static str) {
    match ci {
        Ci::Github => (
            "ci/github/build-scan-push.yml",
            ".github/workflows/build-scan-push.yml",
        ),
        Ci::Gitlab => ("ci/gitlab/.gitlab-ci.yml", ".gitlab-ci.yml"),
    }
}

/// The section, or nothing when the model has no pipeline.
pub fn section(model: &Model) -> String {
    let Some(p) = &model.pipeline else {
        return String::new();
    };
    let (file, target) = paths(p.ci);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n## Image pipeline\n\n`{file}` builds, scans and pushes the app images. Copy it to `{target}` in the repository that holds the app sources and this bundle (render again to update it; do not edit it)."
    );
    let _ = writeln!(
        out,
        "\n| app | image | build context |\n| --- | --- | --- |"
    );
    for b in &p.images {
        let _ = writeln!(out, "| {} | {} | {} |", b.app, b.repository, b.context);
    }
    let _ = writeln!(
        out,
        "\nFor each image it runs `docker build` on fresh base images, scans the image with Trivy (a fixable HIGH or CRITICAL vulnerability fails the run), pushes it tagged with the commit only when the scan passed and never for a pull or merge request, and prints `pushed APP: IMAGE@sha256:DIGEST`. Then it runs `kubeward check` on the bundle directory `KUBEWARD_MANIFESTS` (default `deploy`)."
    );
    settings(&mut out, p);
    rollout(&mut out, model);
    out
}

/// The CI variables and secrets the file reads, by name, and the tools it installs.
fn settings(out: &mut String, p: &Pipeline) {
    let version = env!("CARGO_PKG_VERSION");
    let _ = writeln!(out, "\n### CI settings\n");
    match p.ci {
        Ci::Github => {
            let _ = writeln!(
                out,
                "- Secrets `REGISTRY_USERNAME` and `REGISTRY_PASSWORD`: a robot account that may push to the registries above (for `ghcr.io` the workflow uses its own `GITHUB_TOKEN` with `packages: write` instead). They reach `docker login` through the environment and standard input, never the command line or the log.\n- Repository variable `KUBEWARD_MANIFESTS`: the bundle's directory (default `deploy`).\n- It runs on pushes to `main`, pull requests, every Monday at 04:17 UTC (the weekly rebuild: security fixes ship by rebuilding and rolling out, never by patching a running container) and by hand.\n- Permissions: none for the workflow; each job reads the repository contents only (plus `packages: write` for `ghcr.io`). The checkout action is pinned by commit SHA and Trivy by image digest."
            );
        }
        Ci::Gitlab => {
            let _ = writeln!(
                out,
                "- Variables `REGISTRY_USER` and `REGISTRY_PASSWORD` (masked, protected): default to GitLab's own registry credentials (`CI_REGISTRY_USER`, `CI_REGISTRY_PASSWORD`); set them for another registry. The password reaches `docker login` on standard input, never the command line or the log.\n- Variable `KUBEWARD_MANIFESTS`: the bundle's directory (default `deploy`).\n- A weekly pipeline schedule (Build > Pipeline schedules) for the rebuild: security fixes ship by rebuilding and rolling out, never by patching a running container.\n- The build and push jobs use the Docker-in-Docker service, so the runner must allow privileged services. Docker, Trivy and Rust images are pinned by digest."
            );
        }
    }
    let _ = writeln!(
        out,
        "- The check job installs kubeward {version} from crates.io (`cargo install --locked kubeward --version {version}`); where runners cannot reach crates.io, replace that step with your own copy of the same version."
    );
}

/// How a new digest gets into the cluster, and what the admission policy refuses.
fn rollout(out: &mut String, model: &Model) {
    let _ = writeln!(
        out,
        "\n### Rolling out a new image\n\n1. Take the digest the pipeline printed (`pushed APP: IMAGE@sha256:DIGEST`).\n2. Write it into the app's `image:` in the spec, e.g. `image: IMAGE:1.2.3@sha256:DIGEST` (the tag is for readers; the digest is what runs).\n3. Render again over this directory (`kubeward render -f kubeward.yaml -o DIR --force`), review the diff, commit it and apply it with `kubectl apply -k DIR`; the Deployment rolls out the new pods."
    );
    if model.admission_policy {
        let registries: Vec<String> = model.registries.iter().map(|r| format!("`{r}`")).collect();
        let _ = writeln!(
            out,
            "\nAnything else is refused at admission: the ValidatingAdmissionPolicy `kubeward-trusted-images` admits a pod in this bundle's namespaces only when every image (containers, init and ephemeral containers) comes from {} and is pinned by `@sha256:` digest. A tag alone (`:latest`), an image pushed by hand to another registry, or a running container patched with `kubectl set image` to a tag never starts.",
            registries.join(", ")
        );
    } else {
        let _ = writeln!(
            out,
            "\nThe admission policy is turned off (`supplyChain.admissionPolicy: false`): nothing in the cluster refuses an image that did not come through this pipeline."
        );
    }
}
