//! The registry allow-list of `check --registry`: every image comes from one of the
//! given prefixes, with the same text-prefix semantics as the admission policy that
//! `render` writes from the spec's `registries`.

use super::{Hit, POD_KINDS, cname, containers, pod_spec, rule};
use crate::k8s::image::trusted;
use crate::validate::Document;

rule!(
    /// Reads the run's `--registry` list from its context.
    ImageRegistryAllowed {
    id: "image-registry-allowed",
    title: "Images come from an allowed registry",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "An image from an unreviewed registry bypasses the scanning and signing of the supply chain. Checked only when `kubeward check` is given `--registry` prefixes; an image must start with one of them exactly as written (an image without a registry host, such as `nginx:1.27`, matches no prefix), as the admission policy `kubeward render` writes from the spec's `registries` decides.",
    fix: "pull the image from an allowed registry (mirror it there), or add the registry with another `--registry`",
    refs: [
        "Kubernetes ValidatingAdmissionPolicy (kubeward-trusted-images)",
        "NSA/CISA image hygiene"
    ],
    check_in_context: |doc, cx| hits(doc, &cx.opts.registries),
});

/// One hit per container whose image starts with none of `registries` (none when the
/// list is empty).
fn hits(doc: &Document, registries: &[String]) -> Vec<Hit> {
    if registries.is_empty() {
        return Vec::new();
    }
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    containers(prefix, pod)
        .into_iter()
        .filter_map(|(path, c)| {
            let image = c.get("image").and_then(serde_yaml::Value::as_str)?;
            (!trusted(image, registries)).then(|| {
                Hit::new(
                    format!("{path}.image"),
                    format!(
                        "container `{}` uses `{image}`, which is not from an allowed registry ({})",
                        cname(c),
                        registries.join(", ")
                    ),
                )
            })
        })
        .collect()
}
