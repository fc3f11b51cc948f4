//! The image pipeline's CI file (`ci/github/build-scan-push.yml` or
//! `ci/gitlab/.gitlab-ci.yml`): job names and the values each job reads from `env:` or
//! `variables:`. The steps, the pinned actions and tool images live in the templates.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::resolve::Model;
use crate::resolve::model::{BuiltImage, Ci};

use super::{FileView, PlannedObject};

/// The registry whose credentials GitHub hands every workflow (`GITHUB_TOKEN`).
const GHCR: &str = "ghcr.io";

/// Where each CI file goes in the bundle.
pub const GITHUB_PATH: &str = "ci/github/build-scan-push.yml";
pub const GITLAB_PATH: &str = "ci/gitlab/.gitlab-ci.yml";

/// One image: the names of its jobs and the values its steps read from the environment.
#[derive(Debug, Serialize)]
pub struct ImageJob {
    /// Unique in the file: the app's name, with a number when two images share it.
    id: String,
    /// Job names: GitHub's one job, GitLab's three.
    github_job: String,
    build_job: String,
    scan_job: String,
    push_job: String,
    /// The GitHub job's display name.
    title: String,
    app: String,
    repository: String,
    registry: String,
    context: String,
    /// Pushed to GitHub's registry with the workflow's own token.
    ghcr: bool,
    /// The saved image handed from build to scan to push.
    tar: String,
}

#[derive(Debug, Serialize)]
pub struct GithubView {
    images: Vec<ImageJob>,
    /// The image jobs the `kubeward check` job waits for.
    needs: Vec<String>,
    /// The kubeward version the check job installs.
    kubeward_version: String,
}

file_view!(GithubView, "ci/github", "github-workflow");

#[derive(Debug, Serialize)]
pub struct GitlabView {
    images: Vec<ImageJob>,
    kubeward_version: String,
}

file_view!(GitlabView, "ci/gitlab", "gitlab-ci");

pub const TEMPLATES: [(&str, &str); 2] = [
    (GithubView::TEMPLATE, GithubView::FORMAT),
    (GitlabView::TEMPLATE, GitlabView::FORMAT),
];

/// The CI file of the model's pipeline, if it has one.
pub fn objects(model: &Model) -> Option<PlannedObject> {
    let pipeline = model.pipeline.as_ref()?;
    let images = jobs(&pipeline.images);
    let kubeward_version = env!("CARGO_PKG_VERSION").to_string();
    Some(match pipeline.ci {
        Ci::Github => {
            let needs = images.iter().map(|j| j.github_job.clone()).collect();
            let view = GithubView {
                images,
                needs,
                kubeward_version,
            };
            PlannedObject::file(GITHUB_PATH.into(), &view)
        }
        Ci::Gitlab => PlannedObject::file(
            GITLAB_PATH.into(),
            &GitlabView {
                images,
                kubeward_version,
            },
        ),
    })
}

fn jobs(images: &[BuiltImage]) -> Vec<ImageJob> {
    let mut taken = BTreeSet::new();
    images
        .iter()
        .map(|b| {
            let mut id = b.app.clone();
            let mut n = 2;
            while !taken.insert(id.clone()) {
                id = format!("{}-{n}", b.app);
                n += 1;
            }
            ImageJob {
                tar: format!("image-{id}.tar"),
                github_job: format!("image-{id}"),
                build_job: format!("build:{id}"),
                scan_job: format!("scan:{id}"),
                push_job: format!("push:{id}"),
                title: format!("build, scan and push {}", b.app),
                id,
                app: b.app.clone(),
                repository: b.repository.clone(),
                registry: b.registry.clone(),
                context: b.context.clone(),
                ghcr: b.registry == GHCR,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(app: &str, repo: &str) -> BuiltImage {
        BuiltImage {
            app: app.into(),
            repository: repo.into(),
            registry: repo.split('/').next().unwrap_or("").into(),
            context: app.into(),
        }
    }

    #[test]
    fn job_ids_are_unique() {
        let j = jobs(&[
            image("web", "r.example/a/web"),
            image("web", "r.example/b/web"),
            image("web-2", "ghcr.io/c/web"),
        ]);
        let ids: Vec<&str> = j.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, ["web", "web-2", "web-2-2"]);
        assert!(j[2].ghcr && !j[0].ghcr);
    }
}
