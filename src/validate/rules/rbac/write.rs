//! RBAC write rules: changing workloads, Secrets, traffic routing, ConfigMaps and pod
//! logs. `rbac-no-create-workloads` and `rbac-no-secret-read` cover creating pods and
//! reading Secrets; these cover the writes that grant as much.

use super::super::rule;
use super::{Grant, ROLES, check_grants};
use crate::k8s::rbac::{TRAFFIC_RESOURCES, WORKLOAD_RESOURCES};

/// One grant per API group of `set`, for `verbs`.
fn grants(
    set: &'static [(&'static str, &'static [&'static str])],
    verbs: &'static [&'static str],
) -> Vec<Grant> {
    set.iter()
        .map(|(group, resources)| Grant {
            groups: std::slice::from_ref(group),
            resources,
            verbs,
            names_ok: false,
        })
        .collect()
}

rule!(RbacNoWorkloadWrite {
    id: "rbac-no-workload-write",
    title: "Roles do not modify pods or workloads",
    severity: Warning,
    kinds: ROLES,
    rationale: "Patching a Deployment (or any pod-carrying object) changes its pod template: its service account, image, command and mounted Secrets. Whoever may do it runs code as any account of the namespace, as with creating pods.",
    fix: "grant update and patch on workloads only to the deployment pipeline's identity (and people who deploy), never to an app's service account",
    refs: ["Trivy KSV048", "CIS 5.1.4"],
    check: |doc, _| check_grants(doc, &grants(WORKLOAD_RESOURCES, &["update", "patch"])),
});

rule!(RbacNoSecretWrite {
    id: "rbac-no-secret-write",
    title: "Roles do not create or change Secrets",
    severity: Warning,
    kinds: ROLES,
    rationale: "Creating a Secret of type `kubernetes.io/service-account-token` mints a long-lived token for any service account of the namespace; updating one swaps the credentials or TLS keys that workloads trust.",
    fix: "let a secret manager (External Secrets, Sealed Secrets) or the pipeline write Secrets; restrict any remaining grant with `resourceNames`",
    refs: ["Trivy KSV041", "CIS 5.1.2", "Trivy KSV113"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["secrets"],
            verbs: &["create", "update", "patch"],
            names_ok: true,
        }]
    ),
});

rule!(RbacNoTrafficWrite {
    id: "rbac-no-traffic-write",
    title: "Roles do not rewrite traffic routing or isolation",
    severity: Warning,
    kinds: ROLES,
    rationale: "Writing Services, Endpoints or EndpointSlices redirects another workload's connections (CVE-2020-8554 with external IPs); writing Ingresses publishes anything; writing or deleting NetworkPolicies lifts the isolation of the namespace.",
    fix: "keep these writes with the deployment pipeline and the platform team; app service accounts need at most get, list and watch",
    refs: ["Trivy KSV056"],
    check: |doc, _| check_grants(
        doc,
        &grants(
            TRAFFIC_RESOURCES,
            &["create", "update", "patch", "delete", "deletecollection"]
        )
    ),
});

rule!(RbacNoConfigmapWrite {
    id: "rbac-no-configmap-write",
    title: "Roles do not change ConfigMaps",
    severity: Info,
    kinds: ROLES,
    rationale: "ConfigMaps configure other workloads (and, in kube-system, the cluster: `aws-auth`, CoreDNS): writing one changes what they trust and where they connect.",
    fix: "let the pipeline write ConfigMaps; restrict a workload that must update its own with `resourceNames`",
    refs: ["Trivy KSV049"],
    check: |doc, _| check_grants(
        doc,
        &[Grant {
            groups: &[""],
            resources: &["configmaps"],
            verbs: &["create", "update", "patch", "delete"],
            names_ok: true,
        }]
    ),
});

rule!(RbacNoLogDelete {
    id: "rbac-no-log-delete",
    title: "Roles do not delete pod logs or events",
    severity: Warning,
    kinds: ROLES,
    rationale: "Deleting `pods/log` or events erases the trace of what a pod did: an intruder's first clean-up step.",
    fix: "remove delete on `pods/log` and `events`; logs and events expire on their own",
    refs: ["Trivy KSV042"],
    check: |doc, _| check_grants(
        doc,
        &[
            Grant {
                groups: &[""],
                resources: &["pods/log", "events"],
                verbs: &["delete", "deletecollection"],
                names_ok: false,
            },
            Grant {
                groups: &["events.k8s.io"],
                resources: &["events"],
                verbs: &["delete", "deletecollection"],
                names_ok: false,
            },
        ]
    ),
});
