//! RBAC rules about powers over the cluster's own controls: escalate, bind, impersonate,
//! admission webhooks, certificate approval and Service status.

use super::super::select::items;
use super::super::{Hit, rule};
use super::{Grant, ROLES, check_grants, granted};

const RBAC: &[&str] = &["rbac.authorization.k8s.io"];

rule!(RbacNoEscalateBindImpersonate {
    id: "rbac-no-escalate-bind-impersonate",
    title: "Roles do not escalate, bind or impersonate",
    severity: Error,
    kinds: ROLES,
    rationale: "escalate lets a subject write roles with permissions it does not have, bind lets it grant any role it can name, and impersonate lets it act as any user, group or service account: each is cluster-admin in waiting.",
    fix: "remove the escalate, bind and impersonate verbs; grant the needed permissions directly",
    refs: [
        "CKV_K8S_157",
        "CKV_K8S_158",
        "CKV2_K8S_1",
        "CKV2_K8S_3",
        "CIS 5.1.8"
    ],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: RBAC,
                resources: &["roles", "clusterroles"],
                verbs: &["escalate", "bind"],
                names_ok: false
            },
            Grant {
                groups: RBAC,
                resources: &["rolebindings", "clusterrolebindings"],
                verbs: &["bind"],
                names_ok: false
            },
            Grant {
                groups: &[""],
                resources: &["users", "groups", "serviceaccounts"],
                verbs: &["impersonate"],
                names_ok: false,
            },
            Grant {
                groups: &["authentication.k8s.io"],
                resources: &["userextras/scopes", "uids"],
                verbs: &["impersonate"],
                names_ok: false,
            },
        ]
    ),
});

rule!(RbacNoWebhookConfigWrite {
    id: "rbac-no-webhook-config-write",
    title: "Roles do not write admission webhooks or policies",
    severity: Error,
    kinds: ROLES,
    rationale: "Whoever writes a mutating webhook sees and rewrites every object sent to the API server (including Secrets); whoever writes validating webhooks or admission policies can switch off the cluster's guard rails.",
    fix: "leave admission configuration to cluster administrators",
    refs: ["CKV_K8S_155", "CIS 5.1.12"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &["admissionregistration.k8s.io"],
            resources: &[
                "mutatingwebhookconfigurations",
                "validatingwebhookconfigurations",
                "validatingadmissionpolicies",
                "validatingadmissionpolicybindings",
                "mutatingadmissionpolicies",
                "mutatingadmissionpolicybindings",
            ],
            verbs: &["create", "update", "patch", "delete"],
            names_ok: false,
        }]
    ),
});

const CSR: &[&str] = &["certificates.k8s.io"];

rule!(RbacNoCsrApproval {
    id: "rbac-no-csr-approval",
    title: "Roles do not approve certificate signing requests",
    severity: Error,
    kinds: &["ClusterRole"],
    rationale: "Updating `certificatesigningrequests/approval` together with `approve` on a signer lets a subject issue itself a client certificate for any user or group, system:masters included. The two grants are looked for across all rules of the role.",
    fix: "leave CSR approval to the controller manager and cluster administrators",
    refs: ["CKV_K8S_156", "CIS 5.1.11"],
    check: |doc, _| {
        let approval = Grant {
            groups: CSR,
            resources: &["certificatesigningrequests/approval"],
            verbs: &["update", "patch"],
            names_ok: false,
        };
        let signer = Grant {
            groups: CSR,
            resources: &["signers"],
            verbs: &["approve"],
            names_ok: false,
        };
        let rules: Vec<_> = items(&doc.value, "rules").collect();
        let first = |g: &Grant| {
            rules
                .iter()
                .find(|(_, r)| !granted(r, g).is_empty())
                .map(|(i, _)| *i)
        };
        match (first(&approval), first(&signer)) {
            (Some(i), Some(j)) => vec![Hit::new(
                format!("rules[{i}]"),
                format!("rules {i} and {j} together let the subject approve certificate requests"),
            )],
            _ => Vec::new(),
        }
    },
});

rule!(RbacNoServicesStatusWrite {
    id: "rbac-no-services-status-write",
    title: "Roles do not write Service status",
    severity: Warning,
    kinds: ROLES,
    rationale: "Writing `services/status` sets a LoadBalancer ingress IP, which lets a subject intercept traffic meant for that address (CVE-2020-8554).",
    fix: "leave Service status to the cloud or load-balancer controller",
    refs: ["CKV2_K8S_4", "CVE-2020-8554"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["services/status"],
            verbs: &["update", "patch"],
            names_ok: false,
        }]
    ),
});
