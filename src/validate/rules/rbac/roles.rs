//! RBAC role rules: wildcards, reading secrets, exec/attach/proxy, creating workloads,
//! persistent volumes and tokens.

use super::super::select::{items, strings};
use super::super::{Hit, rule};
use super::{Grant, ROLES, check_grants};

rule!(RbacNoWildcards {
    id: "rbac-no-wildcards",
    title: "Roles list their API groups, resources and verbs",
    severity: Error,
    kinds: ROLES,
    rationale: "A `*` grants everything that exists now and everything added later (new resources, CRDs, subresources such as pods/exec). Every rule is checked, and a `*` anywhere in an entry (`pods/*`, `*/scale`) counts.",
    fix: "replace each `*` with the explicit API groups, resources and verbs the workload needs",
    refs: ["CKV_K8S_49", "kube-linter wildcard-in-rules", "CIS 5.1.3"],
    check: |doc, _| {
        let mut out = Vec::new();
        for (i, rule) in items(&doc.value, "rules") {
            for field in ["apiGroups", "resources", "verbs", "nonResourceURLs"] {
                let wild: Vec<&str> = strings(rule, field)
                    .into_iter()
                    .filter(|s| {
                        if field == "nonResourceURLs" {
                            *s == "*" || *s == "/*"
                        } else {
                            s.contains('*')
                        }
                    })
                    .collect();
                if !wild.is_empty() {
                    out.push(Hit::new(
                        format!("rules[{i}].{field}"),
                        format!("rule {i} has wildcard {field} {}", wild.join(", ")),
                    ));
                }
            }
        }
        out
    },
});

rule!(RbacNoSecretRead {
    id: "rbac-no-secret-read",
    title: "Roles do not read Secrets wholesale",
    severity: Error,
    kinds: ROLES,
    rationale: "get, list or watch on every Secret of a namespace (or the cluster) hands over every token and password in it; `list` returns the values too. A rule limited by `resourceNames` is accepted.",
    fix: "remove secret access, or restrict it with `resourceNames` to the Secrets the workload needs",
    refs: [
        "CKV2_K8S_5",
        "kube-linter access-to-secrets",
        "CIS 5.1.2",
        "Trivy KSV041",
        "Trivy KSV113"
    ],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["secrets"],
            verbs: &["get", "list", "watch"],
            names_ok: true,
        }]
    ),
});

rule!(RbacNoExecAttachProxy {
    id: "rbac-no-exec-attach-proxy",
    title: "Roles do not grant exec, attach, port-forward or node proxy",
    severity: Error,
    kinds: ROLES,
    rationale: "pods/exec, pods/attach and pods/portforward (get opens a websocket as well as create) run commands or open connections inside any pod; nodes/proxy reaches the kubelet API, which can do all of that on every pod of the node.",
    fix: "remove these subresources; debug through a break-glass role bound only when needed",
    refs: [
        "CKV2_K8S_2",
        "Polaris rolePodExecAttach",
        "Polaris clusterrolePodExecAttach",
        "CIS 5.1.10"
    ],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: &[""],
                resources: &["pods/exec", "pods/attach", "pods/portforward"],
                verbs: &["get", "create"],
                names_ok: false,
            },
            Grant {
                groups: &[""],
                resources: &["nodes/proxy"],
                verbs: &[],
                names_ok: false
            },
        ]
    ),
});

rule!(RbacNoCreateWorkloads {
    id: "rbac-no-create-workloads",
    title: "Roles do not create pods or workloads",
    severity: Warning,
    kinds: ROLES,
    rationale: "Whoever can create a pod can run it as any service account of the namespace and mount any of its Secrets. Deployment tooling needs this; application service accounts do not.",
    fix: "bind workload creation only to the deployment pipeline's identity, never to an app's service account",
    refs: [
        "kube-linter access-to-create-pods",
        "CIS 5.1.4",
        "Trivy KSV048"
    ],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: &[""],
                resources: &["pods", "replicationcontrollers"],
                verbs: &["create"],
                names_ok: false
            },
            Grant {
                groups: &["apps"],
                resources: &["deployments", "statefulsets", "daemonsets", "replicasets"],
                verbs: &["create"],
                names_ok: false,
            },
            Grant {
                groups: &["batch"],
                resources: &["jobs", "cronjobs"],
                verbs: &["create"],
                names_ok: false
            },
        ]
    ),
});

rule!(RbacNoPvOrTokenCreate {
    id: "rbac-no-pv-or-token-create",
    title: "Roles do not create PersistentVolumes or service-account tokens",
    severity: Warning,
    kinds: ROLES,
    rationale: "A PersistentVolume can point at a host path and escape to the node; `serviceaccounts/token` mints credentials for any account of the namespace.",
    fix: "leave PersistentVolume creation to provisioners and admins, and token requests to the kubelet",
    refs: ["CIS 5.1.9", "CIS 5.1.13"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["persistentvolumes", "serviceaccounts/token"],
            verbs: &["create"],
            names_ok: false,
        }]
    ),
});
