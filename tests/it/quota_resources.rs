//! `check`'s `quota-fit` on CPU and memory: what each pod asks for (its containers'
//! requests or limits, numbers or quantities, else the namespace's LimitRange
//! `Container` default), times the pods at peak, summed over the namespace's workloads
//! only.

use kubeward::validate::{Options, validate};

/// The `quota-fit` findings of `text`: (path, message); no schema finding allowed.
pub fn quota_fit(text: &str) -> Vec<(String, String)> {
    let report = validate(&[("q.yaml".into(), text.into())], &Options::default());
    let schema: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.rule == "schema")
        .collect();
    assert!(schema.is_empty(), "{schema:?}");
    report
        .findings
        .into_iter()
        .filter(|f| f.rule == "quota-fit")
        .map(|f| (f.path.unwrap_or_default(), f.message))
        .collect()
}

fn quota(ns: &str, hard: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{ name: compute, namespace: {ns} }}\nspec:\n  hard: {hard}\n---\n"
    )
}

/// A Deployment of `replicas` (the default 25 % surge) whose containers are `containers`
/// (a YAML flow sequence).
fn deployment(ns: &str, replicas: u32, containers: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{ name: web, namespace: {ns} }}\nspec:\n  replicas: {replicas}\n  selector: {{ matchLabels: {{ app: web }} }}\n  template:\n    metadata: {{ labels: {{ app: web }} }}\n    spec:\n      containers: {containers}\n---\n"
    )
}

const IMAGE: &str = "image: registry.example.com/web:1.0";

#[test]
fn container_requests_add_up_per_pod_numbers_included() {
    let containers = format!(
        "[{{ name: a, {IMAGE}, resources: {{ requests: {{ cpu: 300m }} }} }}, {{ name: b, {IMAGE}, resources: {{ requests: {{ cpu: 1 }} }} }}]"
    );
    let cronjob = format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {{ name: nightly, namespace: shop }}\nspec:\n  schedule: \"0 1 * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{{ name: a, {IMAGE} }}]\n"
    );
    let text = quota("shop", "{ requests.cpu: \"5\", limits.cpu: 100 }")
        + &deployment("shop", 3, &containers)
        + &cronjob;
    // 3 replicas plus one surge pod, each 300m + 1 CPU; the CronJob's pods are not
    // counted (how many run at once is not in the manifest).
    assert_eq!(
        quota_fit(&text),
        [(
            "spec.hard[\"requests.cpu\"]".to_string(),
            "the workloads of namespace `shop` need 5200m requests.cpu at peak but the quota allows 5 (Deployment web: 4 × 1300m)".to_string()
        )]
    );
}

#[test]
fn containers_without_values_take_the_namespace_limitrange_container_defaults() {
    let limits = "apiVersion: v1\nkind: LimitRange\nmetadata: { name: defaults, namespace: shop }\nspec:\n  limits:\n    - { type: Pod, max: { cpu: \"8\" } }\n    - type: Container\n      defaultRequest: { cpu: 300m, memory: 64Mi }\n      default: { cpu: 500m, memory: 128Mi }\n---\napiVersion: v1\nkind: LimitRange\nmetadata: { name: defaults, namespace: other }\nspec:\n  limits:\n    - { type: Container, defaultRequest: { cpu: \"2\" }, default: { cpu: \"2\" } }\n---\n";
    let text = quota(
        "shop",
        "{ requests.cpu: \"1\", limits.cpu: \"10\", limits.memory: 256Mi }",
    ) + limits
        + &deployment("shop", 3, &format!("[{{ name: a, {IMAGE} }}]"));
    assert_eq!(
        quota_fit(&text),
        [
            (
                "spec.hard[\"requests.cpu\"]".to_string(),
                "the workloads of namespace `shop` need 1200m requests.cpu at peak but the quota allows 1 (Deployment web: 4 × 300m)".to_string()
            ),
            (
                "spec.hard[\"limits.memory\"]".to_string(),
                "the workloads of namespace `shop` need 512Mi limits.memory at peak but the quota allows 256Mi (Deployment web: 4 × 128Mi)".to_string()
            ),
        ]
    );
}

#[test]
fn workloads_of_other_namespaces_do_not_count() {
    let containers =
        format!("[{{ name: a, {IMAGE}, resources: {{ requests: {{ cpu: 300m }} }} }}]");
    // shop: 1 replica and its surge pod, 600m of a 1-CPU quota; `other` asks for more.
    let text = quota("shop", "{ requests.cpu: \"1\" }")
        + &deployment("shop", 1, &containers)
        + &deployment("other", 3, &containers);
    assert_eq!(quota_fit(&text), []);
}

#[test]
fn a_quota_without_namespace_covers_the_namespace_less_objects_of_its_directory() {
    let text = quota("shop", "{ requests.cpu: \"1\" }").replace("namespace: shop ", "")
        + &deployment(
            "shop",
            3,
            &format!("[{{ name: a, {IMAGE}, resources: {{ requests: {{ cpu: 300m }} }} }}]"),
        )
        .replace("namespace: shop ", "");
    assert!(!text.contains("namespace:"), "{text}");
    assert_eq!(
        quota_fit(&text),
        [(
            "spec.hard[\"requests.cpu\"]".to_string(),
            "the workloads of namespace `default` need 1200m requests.cpu at peak but the quota allows 1 (Deployment web: 4 × 300m)".to_string()
        )]
    );
}

#[test]
fn bare_cpu_and_memory_keys_are_requests() {
    let containers = format!(
        "[{{ name: a, {IMAGE}, resources: {{ requests: {{ cpu: 300m, memory: 64Mi }}, limits: {{ cpu: \"2\", memory: 1Gi }} }} }}]"
    );
    let text = quota("shop", "{ cpu: \"1\", memory: 128Mi }") + &deployment("shop", 3, &containers);
    assert_eq!(
        quota_fit(&text),
        [
            (
                "spec.hard[\"cpu\"]".to_string(),
                "the workloads of namespace `shop` need 1200m cpu at peak but the quota allows 1 (Deployment web: 4 × 300m)".to_string()
            ),
            (
                "spec.hard[\"memory\"]".to_string(),
                "the workloads of namespace `shop` need 256Mi memory at peak but the quota allows 128Mi (Deployment web: 4 × 64Mi)".to_string()
            ),
        ]
    );
}
