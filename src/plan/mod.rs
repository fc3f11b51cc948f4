//! The plan: every decision between the spec and the manifests — defaults, names,
//! labels, which objects exist and how flows become policy rules. Templates only lay
//! out the views planned here.

mod app;
mod cluster;
mod defaults;
mod namespace;
mod network;
mod quota;
pub mod rbac;

use serde_json::Value;

use crate::diag::Diagnostic;
use crate::spec::{LoadedSpec, kubernetes_minor};

pub use app::writable_paths;
pub use defaults::{Resources, resolve_resources};

/// One object to render: which template, with which view, into which file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedObject {
    /// Template id, e.g. `app/deployment` (file `templates/app/deployment.yaml.hbs`).
    pub template: &'static str,
    /// Bundle-relative output path, e.g. `shop/web/deployment.yaml`.
    pub path: String,
    /// The values the template lays out.
    pub view: Value,
    /// Whether the object is applied with the bundle (listed in `kustomization.yaml`);
    /// false for files handed to the cluster otherwise, such as the audit policy.
    pub apply: bool,
}

impl PlannedObject {
    pub fn new(template: &'static str, path: &str, view: Value) -> Self {
        PlannedObject {
            template,
            path: path.to_string(),
            view,
            apply: true,
        }
    }
}

/// Everything a render will produce, in output order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub objects: Vec<PlannedObject>,
    /// Warnings found while planning (e.g. a flow to the API server without its address).
    pub warnings: Vec<Diagnostic>,
}

/// Plan a checked spec. Errors (e.g. apps that do not fit their quota) point at the spec.
pub fn plan(spec: &LoadedSpec) -> Result<Plan, Vec<Diagnostic>> {
    let minor =
        kubernetes_minor(spec.spec.kubernetes.as_deref()).unwrap_or(crate::spec::NEWEST_MINOR);
    let mut plan = Plan::default();
    let mut errors = quota::check_fit(spec);
    let policies = network::app_policies(spec, &mut plan.warnings);
    for (ni, ns) in spec.spec.namespaces.iter().enumerate() {
        plan.objects.extend(namespace::objects(spec, ni, minor));
        plan.objects.extend(rbac::objects(spec, ni, minor));
        for (ai, app) in spec
            .spec
            .apps
            .iter()
            .enumerate()
            .filter(|(_, a)| a.namespace == ns.name)
        {
            plan.objects.extend(app::objects(spec, ai));
            plan.objects.extend(rbac::app_objects(spec, ai));
            if let Some(policy) = policies.get(&ai) {
                let path = format!("{}/{}/networkpolicy.yaml", ns.name, app.name);
                plan.objects.push(PlannedObject::new(
                    "network/app-policy",
                    &path,
                    policy.clone(),
                ));
            }
        }
        plan.objects
            .extend(cluster::trusted_registries(spec, &ns.name));
    }
    plan.objects.extend(cluster::objects(spec));
    errors.retain(Diagnostic::is_error);
    if errors.is_empty() {
        Ok(plan)
    } else {
        Err(errors)
    }
}

/// The labels every object of an app carries.
pub fn app_labels(app: &str) -> serde_json::Map<String, Value> {
    let mut m = selector_labels(app);
    m.insert("app.kubernetes.io/managed-by".into(), "kubeward".into());
    m
}

/// The labels that select an app's pods.
pub fn selector_labels(app: &str) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("app.kubernetes.io/name".into(), app.into());
    m.insert("app.kubernetes.io/instance".into(), app.into());
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse_checked;

    const DIGEST: &str = "sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a";

    fn planned(extra_ns: &str, apps: &str, flows: &str) -> Plan {
        let text = format!(
            "version: 1\nnamespaces:\n  - name: a\n{extra_ns}  - name: b\napps:\n{apps}flows:\n{flows}"
        );
        let (spec, _) = parse_checked("t.yaml", &text)
            .unwrap_or_else(|d| panic!("{}", crate::diag::render_all(&d)));
        plan(&spec).unwrap()
    }

    fn app(name: &str, ns: &str, port: u32) -> String {
        format!(
            "  - {{ name: {name}, namespace: {ns}, image: \"r/{name}:1@{DIGEST}\", ports: [{{ name: p, port: {port} }}], service: {{ port: 80, targetPort: p }} }}\n"
        )
    }

    fn view<'a>(p: &'a Plan, path: &str) -> &'a Value {
        &p.objects
            .iter()
            .find(|o| o.path == path)
            .unwrap_or_else(|| panic!("no {path}"))
            .view
    }

    #[test]
    fn a_flow_is_an_ingress_rule_on_the_receiver_and_an_egress_rule_on_the_sender() {
        let p = planned(
            "",
            &(app("web", "a", 8080) + &app("api", "b", 9000)),
            "  - { from: web, to: b/api, port: 80 }\n",
        );
        let api = view(&p, "b/api/networkpolicy.yaml");
        assert_eq!(api["policyTypes"], serde_json::json!(["Ingress"]));
        assert_eq!(
            api["ingress"][0]["ports"],
            serde_json::json!([{ "port": 9000, "protocol": "TCP" }]),
            "service port 80 opens target 9000"
        );
        assert_eq!(
            api["ingress"][0]["peers"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
            "a"
        );
        let web = view(&p, "a/web/networkpolicy.yaml");
        assert_eq!(web["policyTypes"], serde_json::json!(["Egress"]));
        assert_eq!(
            web["egress"][0]["peers"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"],
            "api"
        );
        assert_eq!(web["egress"][0]["ports"][0]["port"], 9000);
    }

    #[test]
    fn apps_without_flows_get_no_allow_policy() {
        let p = planned("", &app("web", "a", 8080), "  []\n");
        assert!(p.objects.iter().all(|o| o.template != "network/app-policy"));
    }

    #[test]
    fn a_relaxed_namespace_still_audits_and_warns_at_restricted() {
        let p = planned(
            "    podSecurity: baseline\n    podSecurityExemption: legacy\n",
            "  []\n",
            "  []\n",
        );
        let labels = &view(&p, "a/namespace.yaml")["labels"];
        assert_eq!(labels["pod-security.kubernetes.io/enforce"], "baseline");
        assert_eq!(labels["pod-security.kubernetes.io/audit"], "restricted");
        assert_eq!(labels["pod-security.kubernetes.io/warn"], "restricted");
        assert_eq!(
            view(&p, "a/namespace.yaml")["annotations"]["kubeward.dev/pod-security-exemption"],
            "legacy"
        );
    }
}
