//! Batch rules: the restart policy of Job pods, CronJob deadlines and overlap, and
//! cleanup of finished Jobs.

use serde_yaml::Value;

use super::{Hit, get, pod_spec, rule};

const BATCH: &[&str] = &["Job", "CronJob"];

rule!(JobRestartPolicy {
    id: "job-restart-policy",
    title: "Job pods restart OnFailure or Never",
    severity: Error,
    kinds: BATCH,
    rationale: "A Job's pod template must set `restartPolicy` to `OnFailure` or `Never`: unset means `Always`, which the API server refuses for a Job (and a CronJob creates no Job at all).",
    fix: "set `restartPolicy: Never` (each retry is a new pod, counted by `backoffLimit`) or `OnFailure` in the pod template",
    refs: [
        "kube-score cronjob-restartpolicy",
        "Kubernetes API validation: Job spec.template.spec.restartPolicy"
    ],
    check: |doc, _| {
        let Some((prefix, pod)) = pod_spec(doc) else {
            return Vec::new();
        };
        match pod.get("restartPolicy").and_then(Value::as_str) {
            Some("OnFailure" | "Never") => Vec::new(),
            other => vec![Hit::new(
                format!("{prefix}.restartPolicy"),
                match other {
                    Some(p) => format!("the pod template's restartPolicy is `{p}`"),
                    None => {
                        "the pod template sets no restartPolicy (it defaults to Always)".to_string()
                    }
                },
            )],
        }
    },
});

rule!(CronjobStartingDeadline {
    id: "cronjob-starting-deadline",
    title: "CronJobs set a starting deadline",
    severity: Warning,
    kinds: &["CronJob"],
    rationale: "Without `startingDeadlineSeconds`, a controller that was down counts every missed run since the last one; after 100 misses the CronJob stops scheduling for good, and a late start is always run however stale.",
    fix: "set `spec.startingDeadlineSeconds` (e.g. 200, well below the schedule's period)",
    refs: ["kube-score cronjob-has-deadline"],
    check: |doc, _| {
        let deadline = get(&doc.value, "spec.startingDeadlineSeconds").and_then(Value::as_i64);
        match deadline {
            Some(n) if n > 0 => Vec::new(),
            Some(n) => vec![Hit::new(
                "spec.startingDeadlineSeconds",
                format!("startingDeadlineSeconds {n} never lets a run start"),
            )],
            None => vec![Hit::new(
                "spec",
                "the CronJob sets no startingDeadlineSeconds",
            )],
        }
    },
});

rule!(CronjobConcurrencyPolicy {
    id: "cronjob-concurrency-policy",
    title: "CronJob runs do not overlap",
    severity: Info,
    kinds: &["CronJob"],
    rationale: "The default `concurrencyPolicy: Allow` starts a new run while the last one still runs: slow runs pile up, compete for the same data and can exhaust the namespace quota.",
    fix: "set `spec.concurrencyPolicy: Forbid` (skip a run while one is active) or `Replace`; write `Allow` explicitly if runs are safe to overlap",
    refs: ["Kubernetes docs: CronJob concurrency policy"],
    check: |doc, _| {
        get(&doc.value, "spec.concurrencyPolicy")
            .is_none()
            .then(|| {
                Hit::new(
                    "spec",
                    "the CronJob sets no concurrencyPolicy (it defaults to Allow: runs may overlap)",
                )
            })
            .into_iter()
            .collect()
    },
});

rule!(JobTtlAfterFinished {
    id: "job-ttl-after-finished",
    title: "Standalone Jobs are cleaned up when finished",
    severity: Info,
    kinds: &["Job"],
    rationale: "A finished Job and its pods stay in the API (and count against quotas) until someone deletes them; a CronJob's Jobs are pruned by its history limits instead, so only standalone Jobs are reported.",
    fix: "set `spec.ttlSecondsAfterFinished` (e.g. 3600)",
    refs: ["kube-linter job-ttl-seconds-after-finished"],
    check: |doc, _| {
        get(&doc.value, "spec.ttlSecondsAfterFinished")
            .is_none()
            .then(|| Hit::new("spec", "the Job sets no ttlSecondsAfterFinished"))
            .into_iter()
            .collect()
    },
});
