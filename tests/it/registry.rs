//! `kubeward check --registry`: the registry allow-list of the admission policy, for
//! anyone's manifests.

use predicates::prelude::*;

use crate::support::kubeward;

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - {name: a, image: registry.example.com/shop/a:1.0.0}\n    - {name: b, image: docker.io/library/busybox:1.36}\n";

#[test]
fn images_outside_every_prefix_are_errors_at_their_image() {
    kubeward()
        .args(["check", "-", "--registry", "registry.example.com/shop"])
        .write_stdin(POD)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "error[image-registry-allowed]: Pod shop/p: `spec.containers[1].image`: container `b` uses `docker.io/library/busybox:1.36`, which is not from an allowed registry (registry.example.com/shop/)",
        ))
        .stdout(predicate::str::contains("container `a` uses `registry.example.com/shop/a:1.0.0`, which is not from").not());
}

#[test]
fn repeated_and_comma_separated_prefixes_all_count() {
    for args in [
        &[
            "--registry",
            "registry.example.com/shop/",
            "--registry",
            "docker.io/library",
        ][..],
        &["--registry", "registry.example.com/shop,docker.io/library"][..],
    ] {
        kubeward()
            .args(["check", "-"])
            .args(args)
            .write_stdin(POD)
            .assert()
            .stdout(predicate::str::contains("image-registry-allowed").not());
    }
}

#[test]
fn a_prefix_without_a_registry_host_is_a_usage_error() {
    kubeward()
        .args(["check", "-", "--registry", "library"])
        .write_stdin(POD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: --registry: `library` does not start with a registry host",
        ))
        .stderr(predicate::str::contains("help: write a registry host"));
}
