//! Probe rules beyond presence: liveness and readiness that check the same thing.

use serde_yaml::Value;

use super::{Hit, cname, main_containers, pod_spec, rule};

/// The handler of a probe (what it checks), without its timing.
fn handler(probe: &Value) -> Option<(&'static str, &Value)> {
    ["httpGet", "tcpSocket", "grpc", "exec"]
        .into_iter()
        .find_map(|h| probe.get(h).map(|v| (h, v)))
}

rule!(ProbesDistinct {
    id: "probes-distinct",
    title: "Liveness and readiness probes check different things",
    severity: Warning,
    kinds: &[
        "Pod",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "ReplicaSet",
        "ReplicationController"
    ],
    rationale: "Readiness takes a pod out of its Service; liveness restarts it. When both run the same check, one slow dependency or a full accept queue fails every replica's liveness at once and restarts them all, instead of shedding traffic. Two probes differ when their handler differs (path or port of httpGet, port of tcpSocket or grpc, command of exec); timing alone does not count.",
    fix: "point liveness at a cheap endpoint that only says the process is alive (e.g. `/livez`) and readiness at one that checks what serving needs (e.g. `/readyz`)",
    refs: ["kube-score pod-probes-identical"],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        main_containers(prefix, pod)
            .into_iter()
            .filter_map(|(path, c)| {
                let live = handler(c.get("livenessProbe")?)?;
                let ready = handler(c.get("readinessProbe")?)?;
                (live == ready).then(|| {
                    Hit::new(
                        format!("{path}.livenessProbe"),
                        format!(
                            "container `{}` uses the same {} check for liveness and readiness",
                            cname(c),
                            live.0
                        ),
                    )
                })
            })
            .collect()
    },
});
