//! NetworkPolicy rules: a default deny per namespace, every pod isolated, DNS egress
//! kept open, policies that select pods, and rules that allow everything. The rules
//! that judge the whole input read the evaluator ([`crate::validate::netpol`]) through
//! their whole-input hook.

use crate::k8s::kind::POLICIES_AND_PODS;
use crate::validate::netpol::{Spot, coverage, dns, lint};
use serde_yaml::Value;

use super::scope::Scope;
use super::select::{is_empty_selector, items, of_kind, strings};
use super::{Hit, POD_KINDS, get, rule};

/// The evaluator's spots as hits of the rule that reads them.
fn spots(found: Vec<Spot>) -> Vec<(usize, Hit)> {
    found
        .into_iter()
        .map(|s| (s.doc, Hit::new(s.path, s.message)))
        .collect()
}

/// The directions (ingress, egress) a policy isolates its pods in.
fn directions(np: &Value) -> (bool, bool) {
    match get(np, "spec.policyTypes").and_then(Value::as_sequence) {
        Some(_) => {
            let t = strings(&np["spec"], "policyTypes");
            (t.contains(&"Ingress"), t.contains(&"Egress"))
        }
        None => (true, get(np, "spec.egress").is_some()),
    }
}

fn selector(np: &Value) -> Option<&Value> {
    get(np, "spec.podSelector")
}

fn no_rules(np: &Value, key: &str) -> bool {
    get(np, &format!("spec.{key}"))
        .and_then(Value::as_sequence)
        .is_none_or(|s| s.is_empty())
}

/// Whether namespace `name` has a select-all policy with no rules in each direction.
fn default_deny(all: &Scope, name: &str) -> (bool, bool) {
    of_kind(all, "NetworkPolicy", name)
        .filter(|p| selector(&p.value).is_some_and(is_empty_selector))
        .fold((false, false), |(i, e), p| {
            let (pi, pe) = directions(&p.value);
            (
                i || (pi && no_rules(&p.value, "ingress")),
                e || (pe && no_rules(&p.value, "egress")),
            )
        })
}

rule!(NetpolDefaultDeny {
    id: "netpol-default-deny",
    title: "Namespaces deny all traffic by default",
    severity: Error,
    kinds: &["Namespace"],
    rationale: "Without a default deny every pod accepts connections from, and opens them to, anything in the cluster: one compromised pod reaches all the others. Scope: judged on the Namespace object, from the NetworkPolicies of that namespace in the same bundle.",
    fix: "add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress, Egress]` and no rules; open the needed flows with per-app policies",
    refs: ["CIS 5.3.2", "NSA/CISA network separation", "CKV2_K8S_6"],
    check: |doc, all| {
        let (i, e) = default_deny(all, doc.name());
        let missing: Vec<&str> = [("ingress", i), ("egress", e)]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(d, _)| d)
            .collect();
        (!missing.is_empty())
            .then(|| {
                Hit::new(
                    "metadata.name",
                    format!(
                        "namespace `{}` has no default-deny policy for {}",
                        doc.name(),
                        missing.join(" and ")
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(
    /// Read from the evaluation of the whole input ([`coverage`]).
    NetpolSelectsEveryPod {
    id: "netpol-selects-every-pod",
    title: "Every pod is isolated by a NetworkPolicy in both directions",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A pod that no policy selects (for ingress, for egress) is open in that direction whatever the other policies say. Judged by the NetworkPolicy evaluator (policyTypes defaults, matchLabels and matchExpressions, the policy's namespace); each direction is reported on its own, at the workload's pod labels. Scope: reported when the input holds the Namespace object or a NetworkPolicy of that namespace.",
    fix: "add a default-deny policy (`podSelector: {}`, both policy types) to the namespace, or a policy selecting these pods for the direction reported",
    refs: [
        "CKV2_K8S_6",
        "kube-score pod-networkpolicy",
        "kube-linter non-isolated-pod"
    ],
    whole: |w| spots(coverage::open_pods(w.evaluation(), w.docs)),
});

rule!(
    /// Read from the evaluation of the whole input ([`dns`]).
    NetpolDnsEgress {
    id: "netpol-dns-egress",
    title: "Egress isolation leaves DNS open",
    severity: Warning,
    kinds: POLICIES_AND_PODS,
    rationale: "A pod isolated for egress cannot resolve names unless its policies let it reach DNS on UDP 53 and TCP 53; the app then fails on every lookup (UDP only breaks large answers and retries). Exact: for each pod isolated for egress, the NetworkPolicy evaluator asks whether both its egress and the receiver's ingress allow UDP 53 and TCP 53 to the kube-dns pods (`kube-system`, `k8s-app: kube-dns`; named ports resolve on their `dns` and `dns-tcp` ports) or to an `ipBlock` in a private, shared or link-local range (NodeLocal DNSCache at 169.254.20.10, the DNS Service address). A wrong port, one protocol, or a peer that is not DNS is reported with what is missing. Reported at the workload's pod labels; a policy that selects no workload of the input is judged for the pods it selects, at the policy.",
    fix: "add an egress rule to the cluster DNS (namespaceSelector `kubernetes.io/metadata.name: kube-system` with podSelector `k8s-app: kube-dns`) on 53/UDP and 53/TCP, e.g. in a select-all `allow-dns` policy; with NodeLocal DNSCache, also to its address (e.g. `ipBlock: {cidr: 169.254.20.10/32}`)",
    refs: ["NetworkPolicy API reference (an empty egress limits all outgoing traffic)"],
    whole: |w| spots(dns::findings(w.evaluation(), w.docs)),
});

rule!(
    /// Read from the evaluation of the whole input ([`coverage`]).
    NetpolTargetsPods {
    id: "netpol-targets-pods",
    title: "NetworkPolicies select some pod",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A policy whose selector matches no pod protects nothing: usually a label typo, which leaves the intended pods on the default rules. Judged by the NetworkPolicy evaluator (matchLabels and matchExpressions, in the policy's namespace). Labels that controllers add to real pods but never to templates (`pod-template-hash`, `controller-revision-hash`, `statefulset.kubernetes.io/pod-name`, `batch.kubernetes.io/*`, `job-name`…) are taken to be present, with any value, on the pods of the kinds that add them. Scope: reported when the input holds a workload of that namespace; select-all policies are never reported.",
    fix: "make `spec.podSelector` match the pod template labels of the workload it is written for",
    refs: [
        "kube-score networkpolicy-targets-pod",
        "kube-linter dangling-networkpolicy"
    ],
    whole: |w| spots(coverage::untargeted(w.evaluation(), w.docs)),
});

/// Why a rule of `dir` (ingress/egress) lets everything through, if it does.
fn allows_all(rule: &Value, peers: &str) -> Option<&'static str> {
    let ported = items(rule, "ports").next().is_some();
    let list: Vec<_> = items(rule, peers).map(|(_, p)| p).collect();
    if list.is_empty() && !ported {
        return Some("an empty rule allows every peer on every port");
    }
    let anywhere = list.iter().any(|p| {
        let cidr = get(p, "ipBlock.cidr").and_then(Value::as_str);
        matches!(cidr, Some("0.0.0.0/0" | "::/0"))
            && items(&p["ipBlock"], "except").next().is_none()
    });
    (anywhere && !ported)
        .then_some("an ipBlock of every address with no port list allows everything")
}

rule!(NetpolNoAllowAll {
    id: "netpol-no-allow-all",
    title: "NetworkPolicy rules do not allow everything",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A rule with no peers and no ports (`- {}`), or one allowing 0.0.0.0/0 on every port, undoes the default deny for the pods it selects while looking like a restriction.",
    fix: "list the peers (podSelector, namespaceSelector, ipBlock) and the ports of each flow",
    refs: [
        "Polaris missingNetworkPolicy (never `ingress: [{}]`)",
        "NSA/CISA network separation"
    ],
    check: |doc, _| {
        let Some(spec) = doc.value.get("spec") else {
            return Vec::new();
        };
        [("ingress", "from"), ("egress", "to")]
            .into_iter()
            .flat_map(|(dir, peers)| {
                items(spec, dir)
                    .filter_map(|(i, r)| {
                        allows_all(r, peers).map(|m| {
                            Hit::new(format!("spec.{dir}[{i}]"), format!("{dir} rule {i}: {m}"))
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    },
});

rule!(
    /// Read from the policies of the whole input ([`lint`]).
    NetpolPeerOrTrap {
    id: "netpol-peer-or-trap",
    title: "Peers do not OR a namespace selector and a pod selector by mistake",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "`- namespaceSelector: …` and `- podSelector: …` as two list items are two peers, ORed: every pod of the selected namespaces, plus the selected pods of the policy's own namespace. Written as one item (no second `-`) they are ANDed: the selected pods in the selected namespaces. One stray dash opens whole namespaces.",
    fix: "to allow the selected pods of the selected namespaces, put `namespaceSelector` and `podSelector` in one peer (one list item); if both peers are meant, exempt the policy with the reason",
    refs: [
        "NetworkPolicy API reference (behavior of to and from selectors)",
        "NSA/CISA network separation"
    ],
    whole: |w| spots(lint::or_traps(w.docs, w.policies())),
});

rule!(
    /// Read from the evaluation of the whole input ([`coverage`]).
    NetpolPeerTargetsPods {
    id: "netpol-peer-targets-pods",
    title: "Pod peers of a policy select some pod",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A `podSelector` peer without a `namespaceSelector` means pods of the policy's own namespace; one that matches none of them (a label typo, a renamed app) silently denies the flow it was written for. Judged like `netpol-targets-pods` (controller-added labels taken to be present). Scope: reported when the input holds a workload of that namespace; select-all peers are never reported.",
    fix: "make the peer's `podSelector` match the pod template labels of the workload it means; for pods of another namespace, add a `namespaceSelector` to the same peer",
    refs: ["kube-linter dangling-networkpolicypeer-podselector"],
    whole: |w| spots(coverage::dangling_peers(w.evaluation(), w.docs)),
});

rule!(
    /// Read from the policies of the whole input ([`lint`]).
    NetpolNamespaceLabelExists {
    id: "netpol-namespace-label-exists",
    title: "Namespace selectors use labels the Namespaces carry",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A `namespaceSelector` on a label no Namespace carries selects nothing today, so the flow it was written for is denied; and the first namespace someone labels that way is let in. Every namespace carries `kubernetes.io/metadata.name`, the safe label to select by. Scope: judged when the input holds at least one Namespace object; every Namespace of the input counts.",
    fix: "select namespaces by `kubernetes.io/metadata.name: <namespace>`, or add the label to the Namespace objects the policy means",
    refs: [
        "Kubernetes automatic labelling: kubernetes.io/metadata.name",
        "NetworkPolicy API reference (namespaceSelector)"
    ],
    whole: |w| spots(lint::unknown_namespace_labels(w.docs, w.policies())),
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_egress_reports_on_policies_and_every_pod_kind() {
        let mut expected = vec!["NetworkPolicy"];
        expected.extend(POD_KINDS);
        assert_eq!(POLICIES_AND_PODS, expected.as_slice());
    }
}
