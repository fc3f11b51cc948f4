//! The `netpol-*` rules that read the NetworkPolicy evaluator, on their fixtures and a
//! few inline inputs: what each reports, where, and with which message.

use kubeward::validate::{Finding, Options, validate};

use crate::support::root;

fn fixture(rule: &str, name: &str) -> String {
    let path = root().join(format!("tests/fixtures/rules/{rule}/{name}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The findings of `rule` over `text`, with every rule on.
fn findings(rule: &str, text: &str) -> Vec<Finding> {
    let report = validate(&[("t.yaml".into(), text.into())], &Options::default());
    report
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect()
}

/// `object | path | message` of each finding.
fn shown(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {}",
                f.object,
                f.path.as_deref().unwrap_or(""),
                f.message
            )
        })
        .collect()
}

const EVERY: &str = "netpol-selects-every-pod";
const TARGETS: &str = "netpol-targets-pods";
const DNS: &str = "netpol-dns-egress";
const LABELS: &str = "spec.template.metadata.labels";

#[test]
fn open_pods_are_reported_per_direction_at_the_workload() {
    let both = findings(EVERY, &fixture(EVERY, "fail.no-policy.yaml"));
    assert_eq!(
        shown(&both),
        [
            format!(
                "Deployment shop/web | {LABELS} | no NetworkPolicy isolates these pods for ingress"
            ),
            format!(
                "Deployment shop/web | {LABELS} | no NetworkPolicy isolates these pods for egress"
            ),
        ]
    );
    for case in [
        "fail.ingress-only-default-deny.yaml",
        "fail.empty-egress-list.yaml",
    ] {
        let found = findings(EVERY, &fixture(EVERY, case));
        assert_eq!(
            shown(&found),
            [format!(
                "Deployment shop/web | {LABELS} | no NetworkPolicy isolates these pods for egress"
            )],
            "{case}"
        );
    }
    assert!(findings(EVERY, &fixture(EVERY, "pass.split-directions.yaml")).is_empty());
}

#[test]
fn selectors_on_controller_added_labels_select_the_pods_of_the_kinds_that_add_them() {
    for case in ["pass.pod-template-hash.yaml", "pass.job-name.yaml"] {
        assert!(
            findings(TARGETS, &fixture(TARGETS, case)).is_empty(),
            "{case}"
        );
    }
    let statefulset = findings(TARGETS, &fixture(TARGETS, "fail.hash-on-statefulset.yaml"));
    assert_eq!(
        shown(&statefulset),
        [
            "NetworkPolicy shop/db | spec.podSelector | the selector matches no pod template in namespace `shop`"
        ]
    );
    let absent = findings(TARGETS, &fixture(TARGETS, "fail.hash-does-not-exist.yaml"));
    assert_eq!(absent.len(), 1, "{:?}", shown(&absent));
}

#[test]
fn dns_egress_says_which_protocol_is_missing() {
    let tcp_missing = "the policy isolates egress for the pods it selects, and may reach DNS (kube-dns in kube-system, or a private or link-local DNS address) on UDP 53 only: TCP 53 is missing (large answers and retries use TCP)";
    let neither = "the policy isolates egress for the pods it selects, but may reach DNS (kube-dns in kube-system, or a private or link-local DNS address) neither on UDP 53 nor on TCP 53";
    for (case, policy, message) in [
        ("fail.udp-only.yaml", "default-deny", tcp_missing),
        ("fail.named-port-tcp.yaml", "default-deny", tcp_missing),
        ("fail.deny-alone.yaml", "default-deny", neither),
        ("fail.wrong-port.yaml", "default-deny", neither),
        ("fail.not-dns-pods.yaml", "default-deny", neither),
        ("fail.public-resolver.yaml", "default-deny", neither),
    ] {
        let found = findings(DNS, &fixture(DNS, case));
        assert_eq!(
            shown(&found),
            [format!(
                "NetworkPolicy shop/{policy} | spec.policyTypes | {message}"
            )],
            "{case}: one finding for the one pod the policies were written for"
        );
    }
    for case in [
        "pass.allow-dns.yaml",
        "pass.all-ports.yaml",
        "pass.named-ports.yaml",
        "pass.node-local-dns.yaml",
        "pass.workload-kube-system.yaml",
    ] {
        assert!(findings(DNS, &fixture(DNS, case)).is_empty(), "{case}");
    }
}

#[test]
fn dns_egress_reports_each_workload_at_its_pod_labels() {
    let found = findings(DNS, &fixture(DNS, "fail.workload-udp-only.yaml"));
    assert_eq!(found.len(), 1, "{:?}", shown(&found));
    assert_eq!(found[0].object, "Deployment shop/web");
    assert_eq!(found[0].path.as_deref(), Some(LABELS));
    assert!(
        found[0]
            .message
            .starts_with("these pods are isolated for egress, and may reach DNS")
    );
    assert!(found[0].message.contains("TCP 53 is missing"));
}

/// kube-dns in the input, whose own ingress admits UDP only: the sender's egress
/// allowing both is not enough.
#[test]
fn dns_egress_asks_the_receiving_side_too() {
    let coredns = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec:\n  selector: {matchLabels: {k8s-app: kube-dns}}\n  template:\n    metadata: {labels: {k8s-app: kube-dns}}\n    spec:\n      containers:\n        - name: coredns\n          image: registry.example.com/coredns:1.11.3\n          ports:\n            - {name: dns, containerPort: 53, protocol: UDP}\n            - {name: dns-tcp, containerPort: 53, protocol: TCP}\n";
    let udp_in = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: dns-in, namespace: kube-system}\nspec:\n  podSelector: {matchLabels: {k8s-app: kube-dns}}\n  policyTypes: [Ingress]\n  ingress:\n    - ports: [{port: dns, protocol: UDP}]\n";
    let allow_dns = fixture(DNS, "pass.allow-dns.yaml");
    assert!(findings(DNS, &format!("{allow_dns}\n---\n{coredns}")).is_empty());
    let found = findings(DNS, &format!("{allow_dns}\n---\n{coredns}---\n{udp_in}"));
    assert_eq!(found.len(), 1, "{:?}", shown(&found));
    assert!(found[0].message.contains("UDP 53 only: TCP 53 is missing"));
}

#[test]
fn skipped_rules_report_nothing() {
    let text = fixture(EVERY, "fail.no-policy.yaml");
    let opts = Options {
        skip: [EVERY, TARGETS, DNS].map(String::from).into(),
        ..Options::default()
    };
    let report = validate(&[("t.yaml".into(), text)], &opts);
    assert!(
        report
            .findings
            .iter()
            .all(|f| ![EVERY, TARGETS, DNS].contains(&f.rule.as_ref()))
    );
}
