//! NetworkPolicy rules: a default deny per namespace, every pod isolated, DNS egress
//! kept open, policies that select pods, and rules that allow everything.

use serde_yaml::Value;

use super::select::{
    has_namespace, is_empty_selector, items, ns, of_kind, pod_labels, selects, strings,
    template_meta_path, workloads,
};
use super::{Hit, POD_KINDS, get, rule};
use crate::validate::Document;

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
fn default_deny(all: &[Document], name: &str) -> (bool, bool) {
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

rule!(NetpolSelectsEveryPod {
    id: "netpol-selects-every-pod",
    title: "Every pod is isolated by a NetworkPolicy in both directions",
    severity: Error,
    kinds: POD_KINDS,
    rationale: "A pod that no policy selects (for ingress, for egress) is open in that direction whatever the other policies say. Scope: reported when the bundle holds the Namespace object or a NetworkPolicy of that namespace.",
    fix: "add a default-deny policy (`podSelector: {}`, both policy types) to the namespace, or a policy selecting these pods",
    refs: [
        "CKV2_K8S_6",
        "kube-score pod-networkpolicy",
        "kube-linter non-isolated-pod"
    ],
    check: |doc, all| {
        let namespace = ns(doc);
        let policies: Vec<_> = of_kind(all, "NetworkPolicy", namespace).collect();
        if !has_namespace(all, namespace) && policies.is_empty() {
            return Vec::new();
        }
        let labels = pod_labels(doc);
        let (i, e) = policies
            .iter()
            .filter(|p| selector(&p.value).is_some_and(|s| selects(s, &labels)))
            .fold((false, false), |(i, e), p| {
                let (pi, pe) = directions(&p.value);
                (i || pi, e || pe)
            });
        let open: Vec<&str> = [("ingress", i), ("egress", e)]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(d, _)| d)
            .collect();
        (!open.is_empty())
            .then(|| {
                Hit::new(
                    format!("{}.labels", template_meta_path(doc).unwrap_or_default()),
                    format!(
                        "no NetworkPolicy isolates these pods for {}",
                        open.join(" and ")
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

/// Whether an egress rule allows DNS over (UDP, TCP).
fn dns_allowed(rule: &Value) -> (bool, bool) {
    let ports: Vec<_> = items(rule, "ports").map(|(_, p)| p).collect();
    if ports.is_empty() {
        return (true, true);
    }
    ports.iter().fold((false, false), |(u, t), p| {
        let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
        let hits = match p.get("port") {
            None => true,
            Some(Value::Number(n)) => {
                let start = n.as_i64().unwrap_or(0);
                let end = p.get("endPort").and_then(Value::as_i64).unwrap_or(start);
                (start..=end).contains(&53)
            }
            Some(Value::String(name)) => name.contains("dns"),
            _ => false,
        };
        (u || (hits && proto == "UDP"), t || (hits && proto == "TCP"))
    })
}

rule!(NetpolDnsEgress {
    id: "netpol-dns-egress",
    title: "Egress isolation leaves DNS open",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A policy that isolates egress also blocks name resolution unless some policy allows UDP and TCP port 53; the app then fails on every lookup. DNS counts as allowed by this policy itself, by any select-all policy of the namespace, or by a policy with the same pod selector.",
    fix: "add an egress rule to the cluster DNS (namespace kube-system, pods k8s-app: kube-dns) on 53/UDP and 53/TCP, e.g. in a select-all `allow-dns` policy",
    refs: ["NetworkPolicy API reference (an empty egress limits all outgoing traffic)"],
    check: |doc, all| {
        if !directions(&doc.value).1 {
            return Vec::new();
        }
        let own = selector(&doc.value);
        let (udp, tcp) = of_kind(all, "NetworkPolicy", ns(doc))
            .filter(|p| {
                let s = selector(&p.value);
                p.name() == doc.name() || s.is_some_and(is_empty_selector) || s == own
            })
            .filter(|p| directions(&p.value).1)
            .flat_map(|p| {
                items(&p.value["spec"], "egress")
                    .map(|(_, r)| dns_allowed(r))
                    .collect::<Vec<_>>()
            })
            .fold((false, false), |(u, t), (ru, rt)| (u || ru, t || rt));
        let missing: Vec<&str> = [("UDP", udp), ("TCP", tcp)]
            .into_iter()
            .filter(|(_, ok)| !ok)
            .map(|(p, _)| p)
            .collect();
        (!missing.is_empty())
            .then(|| {
                Hit::new(
                    "spec.policyTypes",
                    format!(
                        "egress is isolated but DNS ({} 53) is not allowed",
                        missing.join(" and ")
                    ),
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(NetpolTargetsPods {
    id: "netpol-targets-pods",
    title: "NetworkPolicies select some pod",
    severity: Warning,
    kinds: &["NetworkPolicy"],
    rationale: "A policy whose selector matches no pod protects nothing: usually a label typo, which leaves the intended pods on the default rules. Scope: reported when the bundle holds a workload of that namespace; select-all policies are never reported.",
    fix: "make `spec.podSelector` match the pod template labels of the workload it is written for",
    refs: [
        "kube-score networkpolicy-targets-pod",
        "kube-linter dangling-networkpolicy"
    ],
    check: |doc, all| {
        let Some(sel) = selector(&doc.value).filter(|s| !is_empty_selector(s)) else {
            return Vec::new();
        };
        let pods: Vec<_> = workloads(all, ns(doc)).collect();
        (!pods.is_empty() && !pods.iter().any(|w| selects(sel, &pod_labels(w))))
            .then(|| {
                Hit::new(
                    "spec.podSelector",
                    format!(
                        "the selector matches no pod template in namespace `{}`",
                        ns(doc)
                    ),
                )
            })
            .into_iter()
            .collect()
    },
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
    /// Findings come from [`crate::validate::netpol::lint`], which reads the whole input.
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
    check: |_, _| Vec::new(),
});

rule!(
    /// Findings come from [`crate::validate::netpol::lint`], which reads the whole input.
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
    check: |_, _| Vec::new(),
});
