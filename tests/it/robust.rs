//! Lasting defences (property tests): arbitrary valid specs render, pass their own check
//! and are deterministic; any string in a free-text field comes out as the same string;
//! loading a spec never panics on arbitrary text; `check` never panics on arbitrary bytes.

use proptest::prelude::*;

use kubeward::validate::{Options, validate};

use crate::support::{DIGEST, render_text};

/// A DNS label that is not a keyword or system name.
fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,6}".prop_filter("not a keyword", |s| {
        !["ingress", "default"].contains(&s.as_str()) && !s.starts_with("kube")
    })
}

#[derive(Debug, Clone)]
struct AppShape {
    name: String,
    ns: usize,
    port: u16,
    replicas: u8,
    service: bool,
    writable: bool,
}

fn app() -> impl Strategy<Value = AppShape> {
    (
        label(),
        0usize..2,
        1024u16..65000,
        0u8..4,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(name, ns, port, replicas, service, writable)| AppShape {
            name,
            ns,
            port,
            replicas,
            service,
            writable,
        })
}

/// A valid spec: two namespaces, apps with distinct names, a flow from each app to the
/// next one that has a Service.
fn spec_text(apps: &[AppShape]) -> String {
    let mut out = String::from(
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: { ciPipeline: none }\nnamespaces:\n  - { name: ns0, quota: { pods: 40, requests: { cpu: \"20\", memory: 40Gi }, limits: { cpu: \"40\", memory: 80Gi } } }\n  - { name: ns1, quota: { pods: 40, requests: { cpu: \"20\", memory: 40Gi }, limits: { cpu: \"40\", memory: 80Gi } } }\napps:\n",
    );
    for a in apps {
        out.push_str(&format!(
            "  - name: {}\n    namespace: ns{}\n    image: registry.example.com/x/{}:1.0@{DIGEST}\n    replicas: {}\n    ports: [{{ name: http, port: {} }}]\n",
            a.name, a.ns, a.name, a.replicas, a.port
        ));
        if a.service {
            out.push_str("    service: { port: 80, targetPort: http }\n");
        }
        if a.writable {
            out.push_str("    writablePaths: [/tmp, /var/cache]\n");
        }
    }
    out.push_str("flows:\n");
    for pair in apps.windows(2) {
        if pair[1].service && pair[0].name != pair[1].name {
            out.push_str(&format!(
                "  - {{ from: ns{}/{}, to: ns{}/{}, port: 80 }}\n",
                pair[0].ns, pair[0].name, pair[1].ns, pair[1].name
            ));
        }
    }
    if !out.ends_with("flows:\n") {
        return out;
    }
    out.replace("flows:\n", "")
}

fn distinct(apps: Vec<AppShape>) -> Vec<AppShape> {
    let mut seen = std::collections::BTreeSet::new();
    apps.into_iter()
        .filter(|a| seen.insert(a.name.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn valid_specs_render_pass_their_own_check_and_are_deterministic(
        apps in prop::collection::vec(app(), 1..5).prop_map(distinct)
    ) {
        let text = spec_text(&apps);
        let files = render_text(&text);
        prop_assert_eq!(&files, &render_text(&text), "the same spec renders the same bytes");
        let manifests: Vec<(String, String)> = files
            .into_iter()
            .filter(|(p, _)| p.ends_with(".yaml") && p != "kustomization.yaml")
            .collect();
        let report = validate(&manifests, &Options::default());
        let errors: Vec<String> = report
            .findings
            .iter()
            .filter(|f| f.severity == kubeward::diag::Severity::Error)
            .map(|f| format!("{}: {}", f.rule, f.message))
            .collect();
        prop_assert!(errors.is_empty(), "{:?}\n{}", errors, text);
    }

    #[test]
    fn any_string_in_a_free_text_field_comes_out_as_the_same_string(
        value in "\\PC{0,40}|[\\x00-\\x7f]{0,40}",
        reason in "\\PC{1,40}",
    ) {
        let quoted = |s: &str| serde_json::to_string(s).unwrap();
        let text = format!(
            "version: 1\nnamespaces:\n  - name: shop\n    podSecurity: baseline\n    podSecurityExemption: {}\napps:\n  - name: web\n    namespace: shop\n    image: registry.example.com/web:1@{DIGEST}\n    env: {{ V: {} }}\n",
            quoted(&reason),
            quoted(&value)
        );
        let Ok(resolved) = kubeward::resolve::parse_resolved("t.yaml", &text) else {
            // A reason of only spaces is refused; that is not what this property is about.
            prop_assume!(false);
            unreachable!()
        };
        let templates = kubeward::render::embedded().unwrap();
        let bundle = kubeward::bundle::render(&resolved.model, resolved.warnings, templates).unwrap();
        let deployment = &bundle.files.iter().find(|(p, _)| p == "shop/web/deployment.yaml").unwrap().1;
        let doc: serde_yaml::Value = serde_yaml::from_str(deployment).unwrap();
        let env = &doc["spec"]["template"]["spec"]["containers"][0]["env"];
        prop_assert_eq!(env.as_sequence().map(Vec::len), Some(1), "no field was added");
        prop_assert_eq!(env[0]["value"].as_str(), Some(value.as_str()));
        let ns = &bundle.files.iter().find(|(p, _)| p == "shop/namespace.yaml").unwrap().1;
        let doc: serde_yaml::Value = serde_yaml::from_str(ns).unwrap();
        prop_assert_eq!(
            doc["metadata"]["annotations"]["kubeward.dev/pod-security-exemption"].as_str(),
            Some(reason.trim())
        );
    }

    #[test]
    fn loading_a_spec_never_panics(text in "[ -~\\n\\t]{0,300}|(- |\\[|\\{|: |&a |\\*a|!!|\\n  ){0,60}") {
        let _ = kubeward::resolve::parse_resolved("t.yaml", &text);
    }

    #[test]
    fn check_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = validate(&[("x.yaml".to_string(), text)], &Options::default());
    }
}
