//! Every pod rule on every pod-bearing kind: each fail fixture of a rule that looks at
//! pods (its document a Pod or a Deployment) re-wrapped as Job, CronJob, DaemonSet,
//! StatefulSet, ReplicaSet and ReplicationController must fire the rule at the same field,
//! below that kind's pod template.

use kubeward::validate::rules::RULES;
use kubeward::validate::{Finding, Options, validate};
use serde_yaml::{Mapping, Value};

use crate::rules::options;
use crate::support::root;

/// The wrapper kinds, their apiVersion and the path of their pod template.
const KINDS: [(&str, &str, &str); 6] = [
    ("Job", "batch/v1", "spec.template"),
    ("CronJob", "batch/v1", "spec.jobTemplate.spec.template"),
    ("DaemonSet", "apps/v1", "spec.template"),
    ("StatefulSet", "apps/v1", "spec.template"),
    ("ReplicaSet", "apps/v1", "spec.template"),
    ("ReplicationController", "v1", "spec.template"),
];

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

fn map(pairs: Vec<(&str, Value)>) -> Value {
    let mut m = Mapping::new();
    for (k, v) in pairs {
        m.insert(Value::from(k), v);
    }
    Value::Mapping(m)
}

/// The object's metadata, the pod template (metadata and spec) and the path of the
/// template, for a Pod or a Deployment.
fn template_of(doc: &Value) -> Option<(Value, Value, &'static str)> {
    let meta = doc["metadata"].clone();
    match doc["kind"].as_str()? {
        "Pod" => {
            let mut pod_meta = Mapping::new();
            for key in ["labels", "annotations"] {
                if let Some(v) = meta.get(key) {
                    pod_meta.insert(key.into(), v.clone());
                }
            }
            let template = map(vec![
                ("metadata", Value::Mapping(pod_meta)),
                ("spec", doc["spec"].clone()),
            ]);
            Some((meta, template, ""))
        }
        "Deployment" => Some((meta, doc["spec"]["template"].clone(), "spec.template")),
        _ => None,
    }
}

/// `template` (with `labels` on its metadata) as an object of `kind`.
fn wrap(kind: &str, api_version: &str, meta: &Value, template: &Value) -> Value {
    let mut template = template.clone();
    let name = meta["name"].as_str().unwrap_or("x").to_string();
    let labels = match template["metadata"].get("labels") {
        Some(l) if l.as_mapping().is_some_and(|m| !m.is_empty()) => l.clone(),
        _ => {
            let l = yaml(&format!("{{app: {name}}}"));
            if template["metadata"].as_mapping().is_none() {
                template["metadata"] = Value::Mapping(Mapping::new());
            }
            template["metadata"]["labels"] = l.clone();
            l
        }
    };
    if matches!(kind, "Job" | "CronJob") {
        template["spec"]["restartPolicy"] = "Never".into();
    } else if template["spec"].get("restartPolicy").is_some() {
        template["spec"]["restartPolicy"] = "Always".into();
    }
    let selector = if kind == "ReplicationController" {
        labels
    } else {
        map(vec![("matchLabels", labels)])
    };
    let spec = match kind {
        "Job" => map(vec![("template", template)]),
        "CronJob" => map(vec![
            ("schedule", "0 3 * * *".into()),
            (
                "jobTemplate",
                map(vec![("spec", map(vec![("template", template)]))]),
            ),
        ]),
        "StatefulSet" => map(vec![
            ("serviceName", name.into()),
            ("selector", selector),
            ("template", template),
        ]),
        _ => map(vec![("selector", selector), ("template", template)]),
    };
    map(vec![
        ("apiVersion", api_version.into()),
        ("kind", kind.into()),
        ("metadata", meta.clone()),
        ("spec", spec),
    ])
}

/// The findings of `rule` for the documents, checked together as one file with `opts`.
fn findings(file: &str, docs: &[Value], rule: &str, opts: &Options) -> (Vec<Finding>, Vec<String>) {
    let text: String = docs
        .iter()
        .map(|d| format!("---\n{}", serde_yaml::to_string(d).unwrap()))
        .collect();
    let report = validate(&[(file.to_string(), text)], opts);
    let invalid = report
        .findings
        .iter()
        .filter(|f| f.rule == "schema" || f.rule == "yaml-syntax")
        .map(|f| format!("{:?} {}", f.path, f.message))
        .collect();
    let hits = report
        .findings
        .into_iter()
        .filter(|f| f.rule == rule)
        .collect();
    (hits, invalid)
}

/// `path` of the original document moved below the wrapper's template: a path inside the
/// original pod (template) maps into the wrapper's; the object's own fields stay.
fn moved(path: &str, from: &str, to: &str) -> String {
    let inside = if from.is_empty() {
        path.starts_with("spec")
            || path.starts_with("metadata.labels")
            || path.starts_with("metadata.annotations")
    } else {
        path == from || path.starts_with(&format!("{from}."))
    };
    if !inside {
        return path.to_string();
    }
    let rest = path.strip_prefix(from).unwrap_or(path);
    let rest = rest.strip_prefix('.').unwrap_or(rest);
    if rest.is_empty() {
        to.to_string()
    } else {
        format!("{to}.{rest}")
    }
}

#[test]
fn every_pod_rule_fires_on_every_pod_bearing_kind_at_the_template_path() {
    let dir = root().join("tests/fixtures/rules");
    let (mut problems, mut checked) = (Vec::new(), Vec::new());
    for rule in RULES {
        if !KINDS.iter().all(|(k, _, _)| rule.kinds().contains(k)) {
            continue;
        }
        let id = rule.id();
        let mut files: Vec<_> = std::fs::read_dir(dir.join(id))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("fail.")
            })
            .collect();
        files.sort();
        for path in files {
            let name = format!("{id}/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&path).unwrap();
            let docs: Vec<Value> = serde_yaml::Deserializer::from_str(&text)
                .map(|d| <Value as serde::Deserialize>::deserialize(d).unwrap())
                .filter(|d: &Value| !d.is_null())
                .collect();
            let pods: Vec<usize> = (0..docs.len())
                .filter(|i| matches!(docs[*i]["kind"].as_str(), Some("Pod" | "Deployment")))
                .collect();
            let [at] = pods[..] else { continue };
            let opts = options(&text);
            let (original, _) = findings(&name, &docs, id, &opts);
            let Some((meta, template, from)) = template_of(&docs[at]) else {
                continue;
            };
            for (kind, api_version, to) in KINDS {
                let mut wrapped = docs.clone();
                wrapped[at] = wrap(kind, api_version, &meta, &template);
                let (hits, invalid) = findings(&name, &wrapped, id, &opts);
                if !invalid.is_empty() {
                    problems.push(format!(
                        "{name} as {kind}: not a valid manifest: {invalid:?}"
                    ));
                    continue;
                }
                let got: Vec<Option<String>> = hits.iter().map(|f| f.path.clone()).collect();
                let want: Vec<Option<String>> = original
                    .iter()
                    .map(|f| f.path.as_deref().map(|p| moved(p, from, to)))
                    .collect();
                if hits.is_empty() || got != want {
                    problems.push(format!(
                        "{name} as {kind}: `{id}` at {got:?}, expected at {want:?}"
                    ));
                }
                checked.push(format!("{name} as {kind}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked.len() >= 6 * 60,
        "only {} wrapped fixtures were checked",
        checked.len()
    );
    for must in [
        "no-privileged/",
        "read-only-root-fs/",
        "image-digest/",
        "run-as-non-root/",
    ] {
        assert!(
            checked
                .iter()
                .any(|c| c.starts_with(must) && c.ends_with("as CronJob")),
            "{must} was not checked as a CronJob"
        );
    }
}
