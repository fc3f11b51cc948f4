//! Every semantic error of a spec: reported at the right line and column, with help.

use kubeward::diag::Diagnostic;
use kubeward::resolve::parse_resolved;

use crate::support::{DIGEST, app_spec};

/// 1-based line and column of the `nth` occurrence (0-based) of `needle` in `text`.
fn at(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` not in spec"))
        .0;
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, col)
}

fn errors(text: &str) -> Vec<Diagnostic> {
    match parse_resolved("test.yaml", text) {
        Ok(_) => panic!("spec was accepted:\n{text}"),
        Err(d) => d.into_iter().filter(Diagnostic::is_error).collect(),
    }
}

/// Assert exactly one error, at the `nth` occurrence of `needle`, whose message contains `msg`.
fn expect_one(text: &str, needle: &str, nth: usize, msg: &str) {
    let errs = errors(text);
    assert_eq!(
        errs.len(),
        1,
        "expected one error, got:\n{}",
        kubeward::diag::render_all(&errs)
    );
    let e = &errs[0];
    let (line, col) = at(text, needle, nth);
    let head = e.to_string();
    let first = head.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("test.yaml:{line}:{col}: error: ")),
        "wrong position, want {line}:{col}:\n{head}"
    );
    assert!(
        e.message.contains(msg),
        "message `{}` lacks `{msg}`",
        e.message
    );
    assert!(
        e.help.as_deref().is_some_and(|h| !h.is_empty()),
        "no help line:\n{head}"
    );
    assert!(head.contains("\n  help: "), "{head}");
}

#[test]
fn version_must_be_1() {
    let text = app_spec("").replace("version: 1", "version: 2");
    expect_one(&text, "2", 0, "unsupported spec version 2");
}

#[test]
fn missing_version() {
    let text = app_spec("").replace("version: 1\n", "");
    let errs = errors(&text);
    assert!(
        errs[0].message.contains("missing field `version`"),
        "{}",
        errs[0]
    );
}

#[test]
fn namespace_name_must_be_rfc1123() {
    let text = app_spec("")
        .replace("- name: shop", "- name: Shop_1")
        .replace("namespace: shop", "namespace: Shop_1");
    let errs = errors(&text);
    let (line, col) = at(&text, "Shop_1", 0);
    assert_eq!(
        errs[0].pos.map(|p| (p.line, p.col)),
        Some((line, col)),
        "{}",
        errs[0]
    );
    assert!(errs[0].message.contains("not a valid namespace name"));
    assert!(errs[0].help.as_deref().unwrap().contains("`shop-1`"));
}

#[test]
fn app_name_must_be_rfc1123() {
    expect_one(
        &app_spec("").replace("name: web", "name: Web"),
        "Web",
        0,
        "not a valid app name",
    );
}

#[test]
fn container_port_range() {
    expect_one(
        &app_spec("").replace("port: 8080", "port: 70000"),
        "70000",
        0,
        "out of range",
    );
}

#[test]
fn service_port_range() {
    expect_one(
        &app_spec("    service: { port: 0 }\n"),
        "0 }",
        1,
        "out of range",
    );
}

#[test]
fn flow_port_range() {
    let text = app_spec("flows:\n  - { from: web, to: { cidr: 10.0.0.0/8 }, port: 99999 }\n");
    expect_one(&text, "99999", 0, "out of range");
}

#[test]
fn flow_cidr_must_be_valid() {
    let text = app_spec("flows:\n  - { from: web, to: { cidr: 10.0.0.300/8 }, port: 5432 }\n");
    expect_one(&text, "10.0.0.300/8", 0, "not an IP address");
}

#[test]
fn flow_cidr_host_bits() {
    let text = app_spec("flows:\n  - { from: web, to: { cidr: 10.1.2.3/8 }, port: 5432 }\n");
    expect_one(&text, "10.1.2.3/8", 0, "10.0.0.0/8");
}

#[test]
fn flow_cidr_except_inside() {
    let text = app_spec(
        "flows:\n  - { from: web, to: { cidr: 10.0.0.0/16, except: [10.9.0.0/24] }, port: 5432 }\n",
    );
    expect_one(&text, "10.9.0.0/24", 0, "not a smaller block inside");
}

#[test]
fn api_server_cidr() {
    let text = app_spec("apiServer: { cidrs: [10.0.0.1] }\n");
    expect_one(&text, "10.0.0.1", 0, "no prefix length");
}

#[test]
fn user_zero_is_root() {
    expect_one(&app_spec("    user: 0\n"), "0\n", 0, "user 0 is root");
}

#[test]
fn capability_not_allowed_by_restricted() {
    let text = app_spec("    capabilities: [NET_ADMIN]\n    capabilitiesExemption: needs it\n");
    expect_one(
        &text,
        "NET_ADMIN",
        0,
        "not allowed in namespace `shop` (podSecurity restricted)",
    );
}

#[test]
fn capability_allowed_by_baseline_needs_reason() {
    let text = app_spec("    capabilities: [CHOWN]\n").replace(
        "- name: shop",
        "- name: shop\n    podSecurity: baseline\n    podSecurityExemption: legacy image",
    );
    expect_one(&text, "[CHOWN]", 0, "need a written reason");
}

#[test]
fn pod_security_exemption_reason_required() {
    let text = app_spec("").replace("- name: shop", "- name: shop\n    podSecurity: baseline");
    expect_one(&text, "baseline", 0, "needs a written reason");
}

#[test]
fn app_namespace_must_be_declared() {
    let text = app_spec("").replace("namespace: shop", "namespace: shpo");
    expect_one(&text, "shpo", 0, "namespace `shpo` is not declared");
}

#[test]
fn app_names_unique_per_namespace() {
    let text = format!(
        "{}  - name: web\n    namespace: shop\n    image: r/web:1@{DIGEST}\n",
        app_spec("")
    );
    expect_one(&text, "web", 2, "declared twice");
}

#[test]
fn flow_target_must_exist() {
    let text = app_spec("flows:\n  - { from: web, to: backnd, port: 8080 }\n");
    expect_one(&text, "backnd", 0, "no app `backnd`");
}

#[test]
fn flow_source_must_exist() {
    let text = app_spec("flows:\n  - { from: wbe, to: web, port: 8080 }\n");
    expect_one(&text, "wbe", 0, "no app `wbe`");
}

#[test]
fn ambiguous_bare_flow_name() {
    let text = app_spec("").replace(
        "namespaces:\n  - name: shop\n",
        "namespaces:\n  - name: shop\n  - name: other\n",
    ) + &format!(
        "  - name: web\n    namespace: other\n    image: r/web:1@{DIGEST}\n    ports: [{{ name: http, port: 8080 }}]\n"
    ) + "flows:\n  - { from: web, to: shop/web, port: 8080 }\n";
    expect_one(&text, "web, to:", 0, "ambiguous");
    let fixed = text.replace("from: web,", "from: other/web,");
    assert!(parse_resolved("test.yaml", &fixed).is_ok());
}

#[test]
fn flow_port_must_be_served() {
    let text = app_spec("flows:\n  - { from: web, to: web, port: 9090 }\n");
    expect_one(&text, "9090", 0, "does not listen on 9090/TCP");
}

#[test]
fn probe_port_must_exist() {
    let text = app_spec("    probes:\n      liveness: { http: /healthz, port: metrics }\n");
    expect_one(
        &text,
        "metrics",
        0,
        "port `metrics` is not a port of app `web`",
    );
}

#[test]
fn service_target_port_must_exist() {
    let text = app_spec("    service: { port: 80, targetPort: htp }\n");
    expect_one(&text, "htp", 0, "port `htp` is not a port of app `web`");
}

#[test]
fn flow_from_ingress_needs_ingress_from() {
    let text = app_spec("flows:\n  - { from: ingress, to: web, port: 8080 }\n");
    expect_one(
        &text,
        "ingress,",
        0,
        "does not say where its ingress controller runs",
    );
}

#[test]
fn registry_must_be_trusted() {
    let text = app_spec("").replace(
        "version: 1\n",
        "version: 1\nregistries: [registry.internal/]\n",
    );
    expect_one(
        &text,
        "registry.example.com/web",
        0,
        "not from a trusted registry",
    );
}

#[test]
fn unknown_field_points_at_the_key() {
    let text = app_spec("    replcas: 3\n");
    expect_one(&text, "replcas", 0, "unknown field `replcas`");
}

#[test]
fn wrong_type_points_at_the_value() {
    let text = app_spec("    replicas: three\n");
    expect_one(&text, "three", 0, "invalid type");
}

#[test]
fn quota_that_apps_exceed_is_refused_by_render_with_numbers() {
    let text = app_spec(
        "    replicas: 4\n    resources: { requests: { cpu: \"1\" }, limits: { cpu: \"1\" } }\n",
    )
    .replace(
        "- name: shop",
        "- name: shop\n    quota: { requests: { cpu: \"2\" }, limits: { cpu: \"8\" } }",
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{}", kubeward::diag::render_all(&errs));
    let (line, col) = at(&text, "quota", 0);
    assert_eq!(errs[0].pos.map(|p| (p.line, p.col)), Some((line, col)));
    assert_eq!(
        errs[0].message,
        "the apps of namespace `shop` need 5 requests.cpu but the quota allows 2"
    );
    assert!(
        errs[0].help.as_deref().unwrap().contains("`web`: 5 × 1"),
        "{}",
        errs[0]
    );
}

#[test]
fn all_errors_are_reported_together() {
    let text = app_spec("    user: 0\n    probes:\n      readiness: { port: nope }\n")
        .replace("name: web", "name: Web");
    let errs = errors(&text);
    assert_eq!(errs.len(), 3, "{}", kubeward::diag::render_all(&errs));
    let lines: Vec<usize> = errs.iter().map(|e| e.pos.unwrap().line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "errors come in source order");
}

#[test]
fn a_probe_checks_a_port_or_runs_a_command() {
    let both = app_spec("    probes:\n      liveness: { port: http, exec: [/bin/check] }\n");
    expect_one(&both, "[/bin/check]", 0, "not both");
    let neither = app_spec("    probes:\n      liveness: { periodSeconds: 5 }\n");
    expect_one(&neither, "{ periodSeconds", 0, "checks nothing");
    let empty = app_spec("    probes:\n      liveness: { exec: [] }\n");
    expect_one(&empty, "[]", 0, "command is empty");
    let ok = app_spec("    probes:\n      liveness: { exec: [/bin/check, --alive] }\n");
    assert!(parse_resolved("test.yaml", &ok).is_ok());
}

#[test]
fn secret_files_need_a_valid_name_and_their_own_directory() {
    let overlap = app_spec("    secretFiles: [{ secret: db, mountPath: /tmp/db }]\n");
    expect_one(&overlap, "/tmp/db", 0, "overlaps another mount");
    let name = app_spec("    secretFiles: [{ secret: DB_Creds, mountPath: /etc/db }]\n");
    expect_one(&name, "DB_Creds", 0, "not a valid Secret name");
    let key = app_spec("    secretFiles: [{ secret: db, mountPath: /etc/db, keys: [\"a b\"] }]\n");
    expect_one(&key, "\"a b\"", 0, "not a valid Secret key");
}

#[test]
fn a_writable_path_on_the_api_token_mount_is_refused_at_its_line() {
    // Regression: both mounts were rendered and the API server rejected the Deployment.
    let text = app_spec(
        "    apiAccess: true\n    writablePaths: [/tmp, /var/run/secrets/kubernetes.io/serviceaccount]\n",
    );
    expect_one(
        &text,
        "/var/run/secrets/kubernetes.io/serviceaccount",
        0,
        "overlaps the API token mount",
    );
}

#[test]
fn a_mount_path_is_used_once() {
    let twice = app_spec("    writablePaths: [/tmp, /var/cache, /tmp]\n");
    expect_one(&twice, "/tmp", 1, "`/tmp` is listed twice");
    let secrets = app_spec(
        "    writablePaths: [/tmp]\n    secretFiles:\n      - { secret: a, mountPath: /etc/creds }\n      - { secret: b, mountPath: /etc/creds }\n",
    );
    expect_one(&secrets, "/etc/creds", 1, "overlaps another mount");
    let nested_writable = app_spec("    writablePaths: [/var/cache, /var/cache/nginx]\n");
    assert!(
        parse_resolved("test.yaml", &nested_writable).is_ok(),
        "nested writable directories are two valid mounts"
    );
}

#[test]
fn a_flow_port_that_no_service_or_container_port_offers_is_refused() {
    let text = format!(
        "{}    service: {{ port: 80, targetPort: http }}\nflows:\n  - {{ from: ingress, to: web, port: 8081 }}\n",
        app_spec("")
    )
    .replace("- name: shop", "- name: shop\n    ingressFrom: ingress-nginx");
    expect_one(&text, "8081", 0, "does not listen on 8081/TCP");
}

#[test]
fn a_registry_prefix_trusts_only_images_below_its_path() {
    // Regression: `registries: [registry.example.com]` trusted any image whose text began
    // with it, including other hosts and sibling paths.
    for (registry, image) in [
        ("registry.example.com", "registry.example.com.evil.io/web:1"),
        ("registry.example.com", "registry.example.com:5000/web:1"),
        (
            "registry.example.com/team",
            "registry.example.com/team-evil/web:1",
        ),
    ] {
        let text = app_spec("")
            .replace(
                "version: 1\n",
                &format!("version: 1\nregistries: [{registry}]\n"),
            )
            .replace("registry.example.com/web:1.0", image);
        expect_one(&text, image, 0, "not from a trusted registry");
    }
    let trusted = app_spec("").replace(
        "version: 1\n",
        "version: 1\nregistries: [registry.example.com]\n",
    );
    assert!(parse_resolved("test.yaml", &trusted).is_ok());
}

#[test]
fn trusted_registries_are_written_with_a_path_boundary() {
    let text = app_spec("").replace(
        "version: 1\n",
        "version: 1\nregistries: [registry.example.com, \"registry.example.com:5000/team\"]\nsupplyChain: { ciPipeline: none }\n",
    );
    let files = crate::support::render_text(&text);
    let config = &files
        .iter()
        .find(|(p, _)| p == "shop/configmap-trusted-registries.yaml")
        .unwrap()
        .1;
    assert!(
        config
            .contains(r#"registries: "registry.example.com/\nregistry.example.com:5000/team/\n""#),
        "{config}"
    );
    let policy = &files
        .iter()
        .find(|(p, _)| p == "cluster/validatingadmissionpolicy.yaml")
        .unwrap()
        .1;
    assert!(
        policy.contains("map(r, r.endsWith('/') ? r : r + '/')"),
        "the policy itself also ends every prefix at a path boundary:\n{policy}"
    );
}

#[test]
fn a_registry_needs_a_host() {
    let text = app_spec("").replace("version: 1\n", "version: 1\nregistries: [nginx]\n");
    expect_one(&text, "nginx", 0, "does not start with a registry host");
}

#[test]
fn flow_keywords_cannot_name_apps() {
    for name in ["ingress", "kube-apiserver"] {
        let text = app_spec("").replace("name: web", &format!("name: {name}"));
        expect_one(&text, name, 0, "is a flow keyword");
    }
}

#[test]
fn kube_namespaces_are_refused() {
    let text = app_spec("").replace("shop", "kube-tools");
    let errs = errors(&text);
    assert!(
        errs.iter()
            .any(|e| e.message == "`kube-tools` is a system namespace"),
        "{}",
        kubeward::diag::render_all(&errs)
    );
}

#[test]
fn image_references_follow_the_distribution_grammar() {
    let bad = app_spec("").replace("registry.example.com/web:1.0", "UPPER//x::-bad");
    expect_one(&bad, "UPPER//x", 0, "is not an image reference");
    let empty = app_spec("").replace(&format!("registry.example.com/web:1.0@{DIGEST}"), "\"\"");
    expect_one(&empty, "\"\"", 0, "the image reference is empty");
    let untagged =
        app_spec("").replace(&format!("registry.example.com/web:1.0@{DIGEST}"), "r.io/x");
    expect_one(&untagged, "r.io/x", 0, "is not pinned");
    let latest = app_spec("").replace(
        &format!("registry.example.com/web:1.0@{DIGEST}"),
        "r.io/x:latest",
    );
    expect_one(&latest, "r.io/x:latest", 0, "is not pinned");
    let by_digest = app_spec("").replace("registry.example.com/web:1.0@", "r.io/x@");
    assert!(
        parse_resolved("test.yaml", &by_digest).is_ok(),
        "a digest alone pins the image"
    );
}

#[test]
fn a_misspelt_key_at_any_level_is_reported_at_the_key_with_a_suggestion() {
    let ns = "version: 1\nnamespaces:\n  - name: shop\n    ingressFrom: ingress-nginx\n";
    let app = format!(
        "apps:\n  - name: web\n    namespace: shop\n    image: registry.example.com/web:1.0@{DIGEST}\n    ports: [{{ name: http, port: 8080 }}]\n"
    );
    for (text, typo, want) in [
        (format!("{ns}    tema: x\n"), "tema", "team"),
        (format!("{ns}    quota: {{ pdos: 3 }}\n"), "pdos", "pods"),
        (
            format!("{ns}    defaults: {{ reqeust: {{ cpu: 1 }} }}\n"),
            "reqeust",
            "request",
        ),
        (
            format!(
                "{ns}    access: [{{ subject: {{ kind: User, name: a }}, role: read, exce: true }}]\n"
            ),
            "exce",
            "exec",
        ),
        (
            format!(
                "{ns}{app}flows:\n  - {{ from: web, to: {{ cidr: 10.0.0.0/8, excpet: [10.1.0.0/16] }}, port: 443 }}\n"
            ),
            "excpet",
            "except",
        ),
        (
            format!("{ns}{app}    probes: {{ livenes: {{ port: http }} }}\n"),
            "livenes",
            "liveness",
        ),
        (
            format!("{ns}{app}    service: {{ port: 80, targetport: http }}\n"),
            "targetport",
            "targetPort",
        ),
        (
            format!("{ns}{app}    secretFiles: [{{ secret: db, mountpath: /etc/db }}]\n"),
            "mountpath",
            "mountPath",
        ),
        (
            format!("{ns}{app}    apiAccess: {{ resorces: [configmaps] }}\n"),
            "resorces",
            "resources",
        ),
        (
            format!("{ns}logging: {{ enabled: true, backnd: loki }}\n"),
            "backnd",
            "backend",
        ),
        (
            format!("{ns}supplyChain: {{ admisionPolicy: true }}\n"),
            "admisionPolicy",
            "admissionPolicy",
        ),
    ] {
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{}", kubeward::diag::render_all(&errs));
        let e = &errs[0];
        let (line, col) = at(&text, typo, 0);
        assert_eq!(
            e.pos.map(|p| (p.line, p.col)),
            Some((line, col)),
            "{typo}: {e}"
        );
        assert!(
            e.message.contains(&format!("unknown field `{typo}`")),
            "{e}"
        );
        assert!(!e.message.contains("untagged enum"), "{e}");
        assert_eq!(
            e.help.as_deref(),
            Some(
                format!("did you mean `{want}`? Fields are case-sensitive; docs/spec-format.md lists every field")
                    .as_str()
            ),
            "{e}"
        );
    }
}

#[test]
fn a_flow_names_its_ports_once() {
    let cidr = "{ cidr: 10.0.0.0/8 }";
    let both = app_spec(&format!(
        "flows:\n  - {{ from: web, to: {cidr}, port: 80, ports: [81] }}\n"
    ));
    expect_one(&both, "[81]", 0, "a flow has `port` or `ports`, not both");
    let neither = app_spec(&format!("flows:\n  - {{ from: web, to: {cidr} }}\n"));
    expect_one(&neither, "{ from: web", 0, "the flow opens no port");
    let empty = app_spec(&format!(
        "flows:\n  - {{ from: web, to: {cidr}, ports: [] }}\n"
    ));
    expect_one(&empty, "[]", 0, "`ports` is empty");
    let ok = app_spec(&format!(
        "flows:\n  - {{ from: web, to: {cidr}, ports: [80, 81] }}\n"
    ));
    assert!(parse_resolved("test.yaml", &ok).is_ok());
}

/// The one warning of an accepted spec, which must be at the first `needle`, coded
/// `code` and say `msg`.
fn expect_warning(text: &str, needle: &str, code: &str, msg: &str) {
    let resolved = parse_resolved("test.yaml", text)
        .unwrap_or_else(|d| panic!("refused:\n{}", kubeward::diag::render_all(&d)));
    let mine: Vec<&Diagnostic> = resolved
        .warnings
        .iter()
        .filter(|w| w.code.as_deref() == Some(code))
        .collect();
    assert_eq!(mine.len(), 1, "{:?}", resolved.warnings);
    let (line, col) = at(text, needle, 0);
    let head = mine[0].to_string();
    assert!(
        head.starts_with(&format!("test.yaml:{line}:{col}: warning[{code}]: ")),
        "want {line}:{col}:\n{head}"
    );
    assert!(mine[0].message.contains(msg), "{head}");
}

#[test]
fn a_flow_that_repeats_another_is_merged_with_a_warning_naming_the_first() {
    let text = app_spec(
        "flows:\n  - { from: web, to: kube-apiserver, port: 443 }\n  - { from: shop/web, to: kube-apiserver, port: 443 }\n",
    );
    expect_warning(
        &text,
        "{ from: shop/web",
        "repeated-entry",
        "repeats flows[0]",
    );
    let model = parse_resolved("test.yaml", &text).unwrap().model;
    assert_eq!(model.flows.len(), 1, "the repeat opens nothing more");
    let reordered = app_spec(
        "flows:\n  - { from: web, to: kube-apiserver, ports: [443, 6443] }\n  - { from: web, to: kube-apiserver, ports: [6443, 443] }\n",
    );
    expect_warning(
        &reordered,
        "{ from: web, to: kube-apiserver, ports: [6443",
        "repeated-entry",
        "repeats flows[0]",
    );
    let other_port = app_spec(
        "flows:\n  - { from: web, to: kube-apiserver, port: 443 }\n  - { from: web, to: kube-apiserver, port: 6443 }\n",
    );
    let resolved = parse_resolved("test.yaml", &other_port).unwrap();
    assert_eq!(resolved.model.flows.len(), 2);
    assert!(
        resolved
            .warnings
            .iter()
            .all(|w| w.code.as_deref() != Some("repeated-entry")),
        "{:?}",
        resolved.warnings
    );
}

#[test]
fn a_cpu_quantity_in_a_memory_unit_is_refused_with_a_suggestion() {
    let quota = app_spec("").replace(
        "  - name: shop\n",
        "  - name: shop\n    quota:\n      requests: { cpu: 100Mi }\n",
    );
    expect_one(&quota, "100Mi", 0, "did you mean `100m`?");
    let app = app_spec("    resources:\n      limits: { cpu: 2Gi }\n");
    expect_one(&app, "2Gi", 0, "is not a CPU quantity");
    let fine = app_spec("    resources:\n      limits: { cpu: 500m, memory: 256Mi }\n");
    assert!(parse_resolved("test.yaml", &fine).is_ok());
}

#[test]
fn an_access_entry_that_repeats_another_is_merged_with_a_warning_naming_the_first() {
    let entry = "      - { subject: { kind: User, name: alice }, role: read, resources: [pods] }\n";
    let twice = app_spec("").replace(
        "  - name: shop\n",
        &format!(
            "  - name: shop\n    access:\n{entry}{}",
            entry.replace("- {", "- { ")
        ),
    );
    expect_warning(&twice, "{  subject", "repeated-entry", "repeats access[0]");
    let wider = app_spec("").replace(
        "  - name: shop\n",
        &format!(
            "  - name: shop\n    access:\n{entry}{}",
            entry.replace(", resources: [pods]", "")
        ),
    );
    let resolved = parse_resolved("test.yaml", &wider).unwrap();
    assert!(
        resolved
            .warnings
            .iter()
            .all(|w| w.code.as_deref() != Some("repeated-entry")),
        "{:?}",
        resolved.warnings
    );
}
