//! Quota arithmetic at its edges: `render` refuses a pod quota with no room for the surge
//! pod, and `check`'s `quota-fit` counts the rolling-update surge as Kubernetes does
//! (a percentage rounds up, a number is taken as is, the default is 25 %, and
//! `maxUnavailable` never adds a pod).

use crate::support::app_spec;

/// The spec errors of `text` (none: an empty list).
fn spec_errors(text: &str) -> Vec<kubeward::diag::Diagnostic> {
    match kubeward::resolve::parse_resolved("test.yaml", text) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .into_iter()
            .filter(|d| d.severity == kubeward::diag::Severity::Error)
            .collect(),
    }
}

/// A one-app spec with `replicas` and a namespace quota of `pods`.
fn spec_with(replicas: u32, pods: u32) -> String {
    app_spec(&format!("    replicas: {replicas}\n")).replace(
        "- name: shop",
        &format!("- name: shop\n    quota: {{ pods: {pods} }}"),
    )
}

#[test]
fn render_refuses_a_pod_quota_equal_to_replicas_for_want_of_the_surge_pod() {
    let errs = spec_errors(&spec_with(3, 3));
    assert_eq!(errs.len(), 1, "{}", kubeward::diag::render_all(&errs));
    assert_eq!(
        errs[0].message,
        "the apps of namespace `shop` need 4 pods but the quota allows 3"
    );
    let help = errs[0].help.as_deref().unwrap();
    assert!(help.contains("`web`: 4 pods"), "{help}");
    assert!(help.contains("surge"), "{help}");
}

#[test]
fn render_accepts_a_pod_quota_of_replicas_plus_the_surge_pod() {
    let errs = spec_errors(&spec_with(3, 4));
    assert!(errs.is_empty(), "{}", kubeward::diag::render_all(&errs));
}

/// A namespace quota of `pods` and a Deployment of `replicas` with `strategy` (YAML
/// mapping text, or empty for none).
fn manifests(pods: u32, replicas: u32, strategy: &str) -> String {
    let strategy = if strategy.is_empty() {
        String::new()
    } else {
        format!("  strategy: {strategy}\n")
    };
    format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{ name: compute, namespace: shop }}\nspec:\n  hard: {{ pods: \"{pods}\" }}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{ name: web, namespace: shop }}\nspec:\n  replicas: {replicas}\n{strategy}  selector: {{ matchLabels: {{ app: web }} }}\n  template:\n    metadata: {{ labels: {{ app: web }} }}\n    spec:\n      containers: [{{ name: web, image: registry.example.com/web:1.0 }}]\n"
    )
}

/// The `quota-fit` messages for `text`, each at the pod quota.
fn quota_fit(text: &str) -> Vec<String> {
    crate::quota_resources::quota_fit(text)
        .into_iter()
        .map(|(path, message)| {
            assert_eq!(path, "spec.hard[\"pods\"]");
            message
        })
        .collect()
}

/// The peak `quota-fit` counts: the quota of `peak` fits, one less does not, and the
/// message names the peak.
fn assert_peak(replicas: u32, strategy: &str, peak: u32) {
    let at = format!("replicas {replicas}, strategy {strategy:?}");
    let fits = quota_fit(&manifests(peak, replicas, strategy));
    assert!(
        fits.is_empty(),
        "{at}: a quota of {peak} pods fits: {fits:?}"
    );
    let over = quota_fit(&manifests(peak - 1, replicas, strategy));
    assert_eq!(
        over,
        [format!(
            "the workloads of namespace `shop` need {peak} pods at peak but the quota allows {} (Deployment web: {peak})",
            peak - 1
        )],
        "{at}"
    );
}

#[test]
fn a_percentage_surge_rounds_up_with_odd_replicas() {
    // 50 % of 3 is 1.5: Kubernetes creates 2 surge pods.
    assert_peak(3, "{ rollingUpdate: { maxSurge: \"50%\" } }", 5);
    // 10 % of 5 is 0.5: one surge pod.
    assert_peak(
        5,
        "{ type: RollingUpdate, rollingUpdate: { maxSurge: \"10%\" } }",
        6,
    );
    // 34 % of 3 is 1.02: two surge pods.
    assert_peak(3, "{ rollingUpdate: { maxSurge: \"34%\" } }", 5);
}

#[test]
fn max_unavailable_never_adds_a_pod_whatever_it_rounds_to() {
    // 50 % of 3 unavailable rounds down to 1; the peak is still replicas plus the surge.
    assert_peak(
        3,
        "{ rollingUpdate: { maxSurge: \"50%\", maxUnavailable: \"50%\" } }",
        5,
    );
    assert_peak(
        5,
        "{ rollingUpdate: { maxSurge: 0, maxUnavailable: \"50%\" } }",
        5,
    );
}

#[test]
fn a_numeric_surge_is_taken_as_is() {
    assert_peak(
        3,
        "{ rollingUpdate: { maxSurge: 2, maxUnavailable: 0 } }",
        5,
    );
    assert_peak(
        3,
        "{ rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } }",
        3,
    );
}

#[test]
fn the_default_surge_is_25_percent_rounded_up() {
    // 25 % of 5 is 1.25: two surge pods, with or without a rollingUpdate block.
    assert_peak(5, "", 7);
    assert_peak(5, "{ type: RollingUpdate }", 7);
    assert_peak(5, "{ rollingUpdate: { maxUnavailable: 1 } }", 7);
    assert_peak(4, "", 5);
}

#[test]
fn recreate_has_no_surge() {
    assert_peak(3, "{ type: Recreate }", 3);
}

#[test]
fn render_shows_cpu_in_cores_and_memory_in_binary_units_when_requests_do_not_fit() {
    let spec = app_spec(
        "    replicas: 3\n    resources:\n      requests: { cpu: 300m, memory: 512Mi }\n      limits: { cpu: 300m, memory: 512Mi }\n",
    )
    .replace(
        "- name: shop",
        "- name: shop\n    quota: { pods: 20, requests: { cpu: \"1\", memory: 1Gi } }",
    );
    let messages: Vec<String> = spec_errors(&spec).into_iter().map(|d| d.message).collect();
    // 3 replicas and one surge pod: 4 × 300m and 4 × 512Mi.
    assert_eq!(
        messages,
        [
            "the apps of namespace `shop` need 1200m requests.cpu but the quota allows 1",
            "the apps of namespace `shop` need 2Gi requests.memory but the quota allows 1Gi",
        ]
    );
}

#[test]
fn bare_pods_count_one_each_against_the_pod_quota() {
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{ name: {name}, namespace: shop }}\nspec:\n  containers: [{{ name: c, image: registry.example.com/web:1.0 }}]\n"
        )
    };
    let quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: { name: compute, namespace: shop }\nspec:\n  hard: { pods: \"1\" }\n";
    let text = format!("{quota}---\n{}---\n{}", pod("a"), pod("b"));
    assert_eq!(
        quota_fit(&text),
        [
            "the workloads of namespace `shop` need 2 pods at peak but the quota allows 1 (Pod a: 1, Pod b: 1)"
        ]
    );
    let one = format!("{quota}---\n{}", pod("a"));
    assert!(quota_fit(&one).is_empty(), "one pod fits a quota of one");
}

#[test]
fn replicated_workloads_without_surge_count_their_replicas() {
    let quota = "apiVersion: v1\nkind: ResourceQuota\nmetadata: { name: compute, namespace: shop }\nspec:\n  hard: { pods: \"2\" }\n";
    for (api, kind) in [
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
    ] {
        let selector = if kind == "ReplicationController" {
            "{ app: web }"
        } else {
            "{ matchLabels: { app: web } }"
        };
        let workload = |replicas: u32| {
            format!(
                "{quota}---\napiVersion: {api}\nkind: {kind}\nmetadata: {{ name: web, namespace: shop }}\nspec:\n  replicas: {replicas}\n  selector: {selector}\n  template:\n    metadata: {{ labels: {{ app: web }} }}\n    spec:\n      containers: [{{ name: web, image: registry.example.com/web:1.0 }}]\n"
            )
        };
        assert!(
            quota_fit(&workload(2)).is_empty(),
            "{kind}: 2 replicas fit 2 pods"
        );
        assert_eq!(
            quota_fit(&workload(3)),
            [format!(
                "the workloads of namespace `shop` need 3 pods at peak but the quota allows 2 ({kind} web: 3)"
            )],
            "{kind}"
        );
    }
}
