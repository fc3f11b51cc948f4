//! Cluster logging: the Fluent Bit bundle, hardened, isolated, checked clean, and its
//! configuration validated on every render.

use serde_yaml::Value;

use crate::support::{DIGEST, kubeward, render_text, root};

fn spec(logging: &str) -> String {
    format!(
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: {{ ciPipeline: none }}\napiServer: {{ cidrs: [10.0.0.1/32] }}\nnamespaces: [{{ name: shop }}]\napps:\n  - {{ name: web, namespace: shop, image: \"registry.example.com/web:1@{DIGEST}\", ports: [{{ name: http, port: 8080 }}] }}\nlogging:\n{logging}"
    )
}

fn doc(files: &[(String, String)], path: &str) -> Value {
    let text = &files
        .iter()
        .find(|(p, _)| p == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .1;
    serde_yaml::from_str(text).unwrap()
}

const ES: &str = "  enabled: true\n  backend: elasticsearch\n  endpoint: { host: logs.example.com, port: 9200, cidr: 10.30.0.0/24 }\n";

#[test]
fn the_shipper_mounts_node_logs_read_only_and_writes_only_its_state() {
    let files = render_text(&spec(ES));
    let ds = doc(&files, "logging/fluent-bit/daemonset.yaml");
    let pod = &ds["spec"]["template"]["spec"];
    let c = &pod["containers"][0];
    assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
    assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    assert_eq!(pod["tolerations"][0]["operator"], "Exists");
    assert!(c["image"].as_str().unwrap().contains("@sha256:"));
    let volumes = pod["volumes"].as_sequence().unwrap();
    let host: Vec<&str> = volumes
        .iter()
        .filter(|v| v.get("hostPath").is_some())
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(host, ["varlog", "state"]);
    for m in c["volumeMounts"].as_sequence().unwrap() {
        let writable = m["readOnly"] == false;
        let name = m["name"].as_str().unwrap();
        assert_eq!(writable, ["state", "tmp"].contains(&name), "{name}");
    }
    // Liveness: the HTTP server answers; readiness: Fluent Bit reports itself healthy.
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/api/v1/health");
    let priority = doc(&files, "cluster/priorityclass-kubeward-logging.yaml");
    assert_eq!(pod["priorityClassName"], priority["metadata"]["name"]);
}

#[test]
fn the_shipper_reaches_only_the_api_server_and_its_endpoint() {
    let files = render_text(&spec(ES));
    let policy = doc(&files, "logging/fluent-bit/networkpolicy.yaml");
    assert_eq!(
        policy["spec"]["policyTypes"],
        serde_yaml::from_str::<Value>("[Egress]").unwrap()
    );
    let egress = policy["spec"]["egress"].as_sequence().unwrap();
    let rules: Vec<(String, Vec<u64>)> = egress
        .iter()
        .map(|r| {
            (
                r["to"][0]["ipBlock"]["cidr"].as_str().unwrap().to_string(),
                r["ports"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .map(|p| p["port"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        rules,
        [
            ("10.0.0.1/32".to_string(), vec![443, 6443]),
            ("10.30.0.0/24".to_string(), vec![9200])
        ]
    );
    let scraped = render_text(&spec(&format!("{ES}  metricsFrom: monitoring\n")));
    let policy = doc(&scraped, "logging/fluent-bit/networkpolicy.yaml");
    let ingress = &policy["spec"]["ingress"];
    assert_eq!(ingress.as_sequence().unwrap().len(), 1);
    assert_eq!(ingress[0]["ports"][0]["port"], 2020);
    assert_eq!(
        ingress[0]["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"],
        "monitoring"
    );
}

#[test]
fn the_logging_namespace_is_privileged_with_its_reason_and_trusts_the_shipper_image() {
    let files = render_text(&spec(ES));
    let ns = doc(&files, "logging/namespace.yaml");
    let labels = &ns["metadata"]["labels"];
    assert_eq!(labels["pod-security.kubernetes.io/enforce"], "privileged");
    assert_eq!(labels["pod-security.kubernetes.io/warn"], "restricted");
    assert!(
        ns["metadata"]["annotations"]["kubeward.dev/pod-security-exemption"]
            .as_str()
            .unwrap()
            .contains("hostPath")
    );
    let trusted = doc(&files, "logging/configmap-trusted-registries.yaml");
    assert_eq!(
        trusted["data"]["registries"],
        "registry.example.com/\ncr.fluentbit.io/fluent/\n"
    );
    let other = doc(&files, "shop/configmap-trusted-registries.yaml");
    assert_eq!(other["data"]["registries"], "registry.example.com/\n");
    let quota = doc(&files, "logging/resourcequota.yaml");
    assert_eq!(
        quota["spec"]["hard"]["pods"], "50",
        "one pod per node, 50 nodes by default"
    );
}

#[test]
fn every_logging_example_is_clean_under_check_with_reasoned_exemptions_only() {
    for example in ["logging-elasticsearch", "logging-loki"] {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("b");
        let spec = root().join(format!("examples/{example}/kubeward.yaml"));
        kubeward()
            .arg("render")
            .arg("-f")
            .arg(&spec)
            .arg("-o")
            .arg(&out)
            .assert()
            .success();
        kubeward()
            .args(["check", "--fail-on", "warning"])
            .arg(&out)
            .assert()
            .success()
            .stdout(predicates::str::contains("0 errors, 0 warnings"));
    }
}

#[test]
fn a_template_that_breaks_the_fluent_bit_configuration_fails_the_render() {
    let dir = tempfile::tempdir().unwrap();
    let templates = dir.path().join("t/logging");
    std::fs::create_dir_all(&templates).unwrap();
    let original =
        std::fs::read_to_string(root().join("templates/logging/configmap.yaml.hbs")).unwrap();
    let broken = original.replace(
        "{{text config 4}}",
        "|\n    service:\n      flush: 1\n      flsuh: 5\n    pipeline: {}",
    );
    std::fs::write(templates.join("configmap.yaml.hbs"), broken).unwrap();
    let spec = dir.path().join("kubeward.yaml");
    std::fs::write(&spec, spec_text()).unwrap();
    let out = dir.path().join("b");
    kubeward()
        .arg("render")
        .arg("-f")
        .arg(&spec)
        .arg("-o")
        .arg(&out)
        .arg("--templates")
        .arg(dir.path().join("t"))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("unknown field `flsuh`"));
    assert!(!out.exists());
}

fn spec_text() -> String {
    spec(ES)
}

#[test]
fn logging_settings_are_checked_at_their_line() {
    for (logging, message) in [
        (
            "  enabled: true\n  backend: loki\n",
            "needs a `backend` and an `endpoint`",
        ),
        (
            "  enabled: true\n  backend: elasticsearch\n  tenant: x\n  endpoint: { host: e.example.com, port: 9200 }\n",
            "`tenant` is a Loki setting",
        ),
        (
            "  enabled: true\n  backend: loki\n  namespace: shop\n  endpoint: { host: l.example.com, port: 3100 }\n",
            "is declared under `namespaces` too",
        ),
        (
            "  enabled: true\n  backend: loki\n  endpoint: { host: \"bad host\", port: 3100 }\n",
            "is not a host name or address",
        ),
        (
            "  enabled: true\n  backend: loki\n  image: fluent/fluent-bit\n  endpoint: { host: l.example.com, port: 3100 }\n",
            "is not pinned",
        ),
    ] {
        let errs = kubeward::resolve::parse_resolved("t.yaml", &spec(logging)).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.message.contains(message) && e.pos.is_some()),
            "{message}: {}",
            kubeward::diag::render_all(&errs)
        );
    }
}

#[test]
fn an_endpoint_outside_the_cluster_without_cidr_is_a_warning_and_opens_only_its_port() {
    let r = kubeward::resolve::parse_resolved(
        "t.yaml",
        &spec("  enabled: true\n  backend: loki\n  endpoint: { host: logs.example.com, port: 3100 }\n"),
    )
    .unwrap();
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code.as_deref() == Some("logging-endpoint-address"))
    );
}
