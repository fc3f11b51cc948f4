//! Rule fidelity on patterns of real repositories: messages that say what is really
//! wrong, and one finding for one problem.

use kubeward::validate::{Finding, Options, validate};

fn findings(text: &str) -> Vec<Finding> {
    validate(&[("f.yaml".into(), text.into())], &Options::default()).findings
}

fn messages(text: &str, rule: &str) -> Vec<String> {
    findings(text)
        .into_iter()
        .filter(|f| f.rule == rule)
        .map(|f| f.message)
        .collect()
}

const POD_UID_1000: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  securityContext: {runAsUser: 1000}\n  containers:\n    - {name: app, image: registry.example.com/app:1.0.0}\n";

#[test]
fn run_as_non_root_names_the_missing_field_when_a_non_zero_uid_is_set() {
    let got = messages(POD_UID_1000, "run-as-non-root");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("runs as uid 1000") && got[0].contains("runAsNonRoot: true"),
        "{got:?}"
    );
    assert!(!got[0].contains("may run as root"), "{got:?}");
    let unset = POD_UID_1000.replace("securityContext: {runAsUser: 1000}", "hostname: p");
    let got = messages(&unset, "run-as-non-root");
    assert!(got[0].contains("may run as root"), "{got:?}");
}

#[test]
fn a_missing_parent_is_reported_once_not_once_per_required_field_below_it() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n";
    let schema: Vec<_> = findings(text)
        .into_iter()
        .filter(|f| f.rule == "schema")
        .collect();
    assert_eq!(schema.len(), 1, "{schema:#?}");
    assert_eq!(schema[0].path.as_deref(), Some("spec.template"));
    assert_eq!(schema[0].message, "required field `template` is missing");
}

#[test]
fn no_privileged_ports_refers_to_no_capability_check() {
    let rule = kubeward::validate::rules::find("no-privileged-ports").unwrap();
    assert_eq!(rule.references(), ["kube-linter privileged-ports"]);
}

fn rendered_deployment(spec: &str) -> String {
    crate::support::render_text(spec)
        .into_iter()
        .find(|(p, _)| p.ends_with("deployment.yaml"))
        .expect("a deployment")
        .1
}

#[test]
fn default_probes_say_why_they_are_the_same_and_given_endpoints_need_no_exemption() {
    use crate::support::{PROBES, app_spec};
    let default = rendered_deployment(&app_spec(""));
    assert!(
        default.contains("kubeward.dev/exempt: \"probes-distinct: the spec names no health endpoints, so liveness and readiness both connect to port http"),
        "{default}"
    );
    let given = rendered_deployment(&app_spec(PROBES));
    assert!(!given.contains("kubeward.dev/exempt"), "{given}");
    assert!(
        given.contains("/livez") && given.contains("/readyz"),
        "{given}"
    );
}
