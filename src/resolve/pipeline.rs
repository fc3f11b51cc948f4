//! The image pipeline (`supplyChain.ciPipeline`): which CI system, which images it builds
//! from which build context, and the registries it pushes to.

use crate::diag::Diagnostic;
use crate::spec::{CiPipeline, LoadedSpec};

use super::model::{App, BuiltImage, Ci, Pipeline};

/// The CI system asked for: `Some` for `github`/`gitlab`, `None` for `none` or when the
/// field is absent (a warning then asks for a choice when images are pushed to trusted
/// registries).
pub fn choice(s: &LoadedSpec, out: &mut Vec<Diagnostic>) -> Option<Ci> {
    let spec = &s.spec;
    let chosen = spec.supply_chain.as_ref().and_then(|c| c.ci_pipeline);
    match chosen {
        Some(CiPipeline::Github) => Some(Ci::Github),
        Some(CiPipeline::Gitlab) => Some(Ci::Gitlab),
        Some(CiPipeline::None) => None,
        None => {
            if !spec.registries.is_empty() && !spec.apps.is_empty() {
                out.push(
                    s.warning_at("registries", "no image pipeline chosen: nothing builds, scans and pushes the images by digest")
                        .with_code("ci-pipeline")
                        .with_help("set `supplyChain: { ciPipeline: github }` (or `gitlab`) to render one, or `ciPipeline: none` when images are built elsewhere"),
                );
            }
            None
        }
    }
}

/// The pipeline for the resolved apps: one image per distinct repository, in app order.
pub fn resolve(
    s: &LoadedSpec,
    ci: Option<Ci>,
    apps: &[Option<App>],
    out: &mut Vec<Diagnostic>,
) -> Option<Pipeline> {
    let ci = ci?;
    if s.spec.registries.is_empty() {
        out.push(
            s.error_at("supplyChain.ciPipeline", "the image pipeline pushes to the trusted registries, and none are listed")
                .with_help("list the registry your images are pushed to under `registries:`, or set `ciPipeline: none`"),
        );
        return None;
    }
    let mut images: Vec<BuiltImage> = Vec::new();
    for (i, app) in apps.iter().enumerate() {
        let (Some(app), Some(spec_app)) = (app, s.spec.apps.get(i)) else {
            continue;
        };
        let context = match &spec_app.build_context {
            Some(c) => match build_context(c) {
                Ok(c) => c,
                Err(e) => {
                    out.push(s.error_at(&format!("apps[{i}].buildContext"), e).with_help(
                        "write a directory of the repository, relative to its root, e.g. `services/web`",
                    ));
                    continue;
                }
            },
            None => app.name.clone(),
        };
        let Some(registry) = app.image_ref.domain.clone() else {
            continue;
        };
        let repository = format!("{registry}/{}", app.image_ref.path);
        match images.iter().find(|b| b.repository == repository) {
            Some(b) if b.context != context => out.push(
                s.error_at(
                    &format!("apps[{i}].buildContext"),
                    format!("image `{repository}` is built from `{}` for app `{}`, not from `{context}`", b.context, b.app),
                )
                .with_help("apps that run the same image share its build context: give them the same `buildContext`"),
            ),
            Some(_) => {}
            None => images.push(BuiltImage {
                app: app.name.clone(),
                repository,
                registry,
                context,
            }),
        }
    }
    Some(Pipeline { ci, images })
}

/// A build context: a relative directory path of plain characters (it is written into
/// CI files and handed to `docker build`), no `..`, no leading `/` or `-`.
fn build_context(c: &str) -> Result<String, String> {
    let plain = |ch: char| ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-' | '/');
    let trimmed = c.trim_end_matches('/');
    if trimmed.is_empty() || c.starts_with('/') || c.starts_with('-') || !c.chars().all(plain) {
        return Err(format!(
            "`{c}` is not a build context: a relative directory of letters, digits, `.`, `_`, `-` and `/`"
        ));
    }
    if trimmed.split('/').any(|p| p.is_empty() || p == "..") {
        return Err(format!(
            "`{c}` is not a build context: no empty or `..` path segments"
        ));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::build_context;

    #[test]
    fn build_contexts_are_plain_relative_directories() {
        assert_eq!(build_context("services/web/").unwrap(), "services/web");
        assert_eq!(build_context(".").unwrap(), ".");
        for bad in [
            "",
            "/abs",
            "../up",
            "a/../b",
            "a//b",
            "-rm",
            "$(id)",
            "a b",
            "${{ github.token }}",
            "x\"y",
            "a\nb",
        ] {
            assert!(build_context(bad).is_err(), "{bad:?}");
        }
    }
}
