//! Namespace onboarding: least-privilege RBAC from `access`, API access for apps, and
//! `kubeward onboard` in bulk.

use serde_yaml::Value;

use crate::support::{DIGEST, kubeward, read_tree, render_text};

fn ns_spec(access: &str) -> String {
    format!(
        "version: 1\naudit: false\nnamespaces:\n  - name: fronto\n    access:\n{access}  - name: other\n"
    )
}

fn docs_of_kind(files: &[(String, String)], kind: &str) -> Vec<Value> {
    files
        .iter()
        .filter_map(|(_, t)| serde_yaml::from_str::<Value>(t).ok())
        .filter(|v| v["kind"] == kind)
        .collect()
}

fn role_named<'a>(roles: &'a [Value], name: &str) -> &'a Value {
    roles
        .iter()
        .find(|r| r["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no Role {name}"))
}

/// (apiGroup, resource, verb) triples a Role grants, sorted.
fn grants(role: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for rule in role["rules"].as_sequence().unwrap() {
        for g in rule["apiGroups"].as_sequence().unwrap() {
            for r in rule["resources"].as_sequence().unwrap() {
                for v in rule["verbs"].as_sequence().unwrap() {
                    out.push((
                        g.as_str().unwrap().into(),
                        r.as_str().unwrap().into(),
                        v.as_str().unwrap().into(),
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn alice_reads_pods_in_fronto_and_nothing_else() {
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: alice }, role: read, resources: [pods] }\n",
    ));
    let bindings = docs_of_kind(&files, "RoleBinding");
    let alice: Vec<&Value> = bindings
        .iter()
        .filter(|b| b["subjects"][0]["name"] == "alice")
        .collect();
    assert_eq!(alice.len(), 1, "exactly one binding for alice");
    let b = alice[0];
    assert_eq!(b["metadata"]["namespace"], "fronto");
    assert_eq!(b["subjects"].as_sequence().unwrap().len(), 1);
    assert_eq!(b["subjects"][0]["kind"], "User");
    assert_eq!(b["roleRef"]["kind"], "Role");
    let roles = docs_of_kind(&files, "Role");
    let role = role_named(&roles, b["roleRef"]["name"].as_str().unwrap());
    assert_eq!(role["metadata"]["namespace"], "fronto");
    let expected: Vec<(String, String, String)> = ["get", "list", "watch"]
        .iter()
        .map(|v| (String::new(), "pods".to_string(), v.to_string()))
        .collect();
    assert_eq!(grants(role), expected);
    assert!(
        docs_of_kind(&files, "ClusterRole").is_empty()
            && docs_of_kind(&files, "ClusterRoleBinding").is_empty()
    );
}

#[test]
fn read_write_and_admin_grant_their_documented_sets() {
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: r }, role: read }\n      - { subject: { kind: Group, name: w }, role: write }\n      - { subject: { kind: ServiceAccount, name: ci/bot }, role: admin }\n",
    ));
    let roles = docs_of_kind(&files, "Role");
    let read = grants(role_named(&roles, "access-read"));
    let write = grants(role_named(&roles, "access-write"));
    let admin = grants(role_named(&roles, "access-admin"));
    let has = |g: &[(String, String, String)], grp: &str, res: &str, verb: &str| {
        g.contains(&(grp.to_string(), res.to_string(), verb.to_string()))
    };
    assert!(has(&read, "", "pods", "list") && has(&read, "apps", "deployments", "watch"));
    assert!(
        !read
            .iter()
            .any(|(_, _, v)| v != "get" && v != "list" && v != "watch"),
        "read only reads"
    );
    assert!(
        has(&write, "apps", "deployments", "create")
            && has(&write, "", "configmaps", "delete")
            && has(&write, "", "services", "patch")
    );
    assert!(!has(&write, "rbac.authorization.k8s.io", "roles", "create"));
    assert!(
        has(
            &admin,
            "rbac.authorization.k8s.io",
            "rolebindings",
            "create"
        ) && has(&admin, "rbac.authorization.k8s.io", "roles", "update")
    );
    for g in [&read, &write, &admin] {
        assert!(
            !g.iter().any(|(_, r, _)| r == "secrets" || r.contains('*')),
            "never secrets or wildcards"
        );
        assert!(
            !g.iter()
                .any(|(_, _, v)| ["*", "escalate", "bind", "impersonate"].contains(&v.as_str()))
        );
        assert!(
            !g.iter().any(|(_, r, _)| r.starts_with("pods/exec")),
            "exec only on request"
        );
    }
    let sa = docs_of_kind(&files, "RoleBinding")
        .into_iter()
        .find(|b| b["subjects"][0]["kind"] == "ServiceAccount")
        .unwrap();
    assert_eq!(sa["subjects"][0]["name"], "bot");
    assert_eq!(sa["subjects"][0]["namespace"], "ci");
}

#[test]
fn exec_adds_only_exec_attach_and_port_forward() {
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: ops }, role: read, resources: [pods], exec: true }\n",
    ));
    let roles = docs_of_kind(&files, "Role");
    let g = grants(role_named(&roles, "access-read-exec-pods"));
    let exec: Vec<&(String, String, String)> =
        g.iter().filter(|(_, r, _)| r.contains('/')).collect();
    let names: Vec<(&str, &str)> = exec
        .iter()
        .map(|(_, r, v)| (r.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("pods/attach", "create"),
            ("pods/exec", "create"),
            ("pods/portforward", "create")
        ]
    );
}

#[test]
fn one_binding_per_subject_and_role_with_shared_roles() {
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: a }, role: read }\n      - { subject: { kind: User, name: b }, role: read }\n      - { subject: { kind: User, name: a }, role: read }\n",
    ));
    assert_eq!(docs_of_kind(&files, "Role").len(), 1);
    let names: Vec<String> = docs_of_kind(&files, "RoleBinding")
        .iter()
        .map(|b| b["metadata"]["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["access-read-user-a", "access-read-user-b"]);
}

#[test]
fn narrowing_outside_the_role_or_to_secrets_is_an_error() {
    for (access, msg) in [
        (
            "      - { subject: { kind: User, name: a }, role: read, resources: [secrets] }\n",
            "never granted",
        ),
        (
            "      - { subject: { kind: User, name: a }, role: read, resources: [roles] }\n",
            "not in the read set",
        ),
        (
            "      - { subject: { kind: Group, name: system:masters }, role: read }\n",
            "cluster administrators",
        ),
        (
            "      - { subject: { kind: ServiceAccount, name: bot }, role: read }\n",
            "namespace/serviceaccount",
        ),
        // Each half of `namespace/name` must be a valid name on its own.
        (
            "      - { subject: { kind: ServiceAccount, name: Bad_NS/deployer }, role: read }\n",
            "namespace/serviceaccount",
        ),
        (
            "      - { subject: { kind: ServiceAccount, name: ci/Bad_SA }, role: read }\n",
            "namespace/serviceaccount",
        ),
        // Blank, and a control character (which a terminal or a log would hide).
        (
            "      - { subject: { kind: User, name: \"  \" }, role: read }\n",
            "no usable name",
        ),
        (
            "      - { subject: { kind: User, name: \"ali\\x07ce\" }, role: read }\n",
            "no usable name",
        ),
    ] {
        let errs = kubeward::resolve::parse_resolved("t.yaml", &ns_spec(access)).unwrap_err();
        assert!(
            errs.iter()
                .any(|e| e.message.contains(msg) && e.pos.is_some_and(|p| p.line == 6)),
            "{msg}: {}",
            kubeward::diag::render_all(&errs)
        );
    }
}

#[test]
fn api_access_apps_get_their_own_minimal_role() {
    let app = |access: &str| {
        format!(
            "version: 1\nnamespaces: [{{ name: shop }}]\napps:\n  - {{ name: web, namespace: shop, image: \"r/web:1@{DIGEST}\", ports: [{{ name: http, port: 8080 }}], apiAccess: {access} }}\n"
        )
    };
    let files = render_text(&app("true"));
    let roles = docs_of_kind(&files, "Role");
    let expected: Vec<(String, String, String)> = ["get", "list", "watch"]
        .iter()
        .map(|v| (String::new(), "configmaps".to_string(), v.to_string()))
        .collect();
    assert_eq!(grants(role_named(&roles, "app-web")), expected);
    let binding = &docs_of_kind(&files, "RoleBinding")[0];
    assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
    assert_eq!(binding["subjects"][0]["name"], "web");
    let narrowed = render_text(&app("{ resources: [configmaps], names: [web-config] }"));
    let role = &docs_of_kind(&narrowed, "Role")[0];
    assert_eq!(role["rules"][0]["resourceNames"][0], "web-config");
    assert_eq!(
        grants(role),
        [(String::new(), "configmaps".to_string(), "get".to_string())]
    );
    assert!(docs_of_kind(&render_text(&app("false")), "Role").is_empty());
}

#[test]
fn onboard_from_flags_renders_every_namespace() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("b");
    kubeward()
        .args([
            "onboard",
            "team-a",
            "team-b",
            "--team",
            "payments",
            "--admin",
            "group:payments-leads",
            "--reader",
            "user:alice",
            "--quota-cpu",
            "4",
            "--quota-memory",
            "8Gi",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let tree = read_tree(&out);
    for ns in ["team-a", "team-b"] {
        for f in [
            "namespace.yaml",
            "resourcequota.yaml",
            "limitrange.yaml",
            "networkpolicy-default-deny.yaml",
            "networkpolicy-allow-dns.yaml",
            "rbac/rolebinding-access-read-user-alice.yaml",
            "rbac/rolebinding-access-admin-group-payments-leads.yaml",
        ] {
            assert!(
                tree.iter().any(|(p, _)| *p == format!("{ns}/{f}")),
                "{ns}/{f}"
            );
        }
        let quota: Value = serde_yaml::from_str(
            &tree
                .iter()
                .find(|(p, _)| *p == format!("{ns}/resourcequota.yaml"))
                .unwrap()
                .1,
        )
        .unwrap();
        assert_eq!(quota["spec"]["hard"]["limits.cpu"], "4");
        assert_eq!(quota["spec"]["hard"]["requests.memory"], "8Gi");
        let ns_doc: Value = serde_yaml::from_str(
            &tree
                .iter()
                .find(|(p, _)| *p == format!("{ns}/namespace.yaml"))
                .unwrap()
                .1,
        )
        .unwrap();
        assert_eq!(ns_doc["metadata"]["labels"]["team"], "payments");
        assert_eq!(
            ns_doc["metadata"]["labels"]["pod-security.kubernetes.io/enforce"],
            "restricted"
        );
    }
    assert!(
        !tree.iter().any(|(p, _)| p.starts_with("cluster/")),
        "onboarding writes no cluster-wide files"
    );
}

#[test]
fn onboard_hundreds_of_namespaces_in_one_run() {
    let names: Vec<String> = (0..300).map(|i| format!("team-{i:03}")).collect();
    let out = kubeward()
        .arg("onboard")
        .args(&names)
        .args(["--reader", "user:alice", "-o", "-"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let namespaces = text.matches("\nkind: Namespace\n").count();
    assert_eq!(namespaces, 300);
    assert_eq!(text.matches("\nkind: RoleBinding\n").count(), 300);
}

#[test]
fn onboard_flag_errors_name_the_flag() {
    kubeward()
        .args(["onboard", "Team_A"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "`Team_A` is not a valid namespace name",
        ));
    kubeward()
        .args(["onboard", "a", "--admin", "bob"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("user:NAME"));
    kubeward()
        .args(["onboard", "a", "--quota-cpu", "lots"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--quota-cpu"));
    kubeward()
        .args(["onboard", "a", "--quota-cpu", "100m", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("onboard: error: namespace `a`: the container defaults need request 100m ≤ limit 500m ≤ max 100m cpu"));
}

#[test]
fn onboard_refuses_a_spec_with_apps() {
    kubeward()
        .args(["onboard", "-o", "-", "-f", "examples/minimal/kubeward.yaml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("renders namespaces only"));
    kubeward()
        .args(["onboard", "-o", "-", "-f", "examples/teams/kubeward.yaml"])
        .assert()
        .success();
}

#[test]
fn onboard_errors_from_resolve_name_the_flag_that_caused_them() {
    kubeward()
        .args(["onboard", "a", "--reader", "serviceaccount:bot", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "onboard: error: `--reader serviceaccount:bot`: `bot` is not `namespace/serviceaccount`",
        ));
    kubeward()
        .args(["onboard", "a", "b", "--quota-memory", "lots", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "onboard: error: `--quota-memory lots`: `lots` is not a quantity",
        ))
        .stderr(predicates::str::contains("the spec has 1 error(s)"));
    kubeward()
        .args(["onboard", "kube-system", "-o", "-"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "onboard: error: `kube-system`: `kube-system` is a system namespace",
        ));
}

/// The rule ids a generated Role exempts itself from (its `kubeward.dev/exempt`).
fn exempted_rules(role: &Value) -> Vec<String> {
    let text = role["metadata"]["annotations"]["kubeward.dev/exempt"]
        .as_str()
        .unwrap_or("");
    text.split("; ")
        .filter_map(|e| e.split_once(':').map(|(id, _)| id.to_string()))
        .collect()
}

#[test]
fn a_role_is_exempted_only_from_the_rules_its_grants_break() {
    // An exemption hides findings: a read role with exec creates only pods/exec,
    // pods/attach and pods/portforward, which is no workload creation.
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: ops }, role: read, resources: [pods], exec: true }\n      - { subject: { kind: User, name: ann }, role: read }\n      - { subject: { kind: Group, name: devs }, role: write }\n",
    ));
    let roles = docs_of_kind(&files, "Role");
    let exec = exempted_rules(role_named(&roles, "access-read-exec-pods"));
    assert_eq!(exec, ["rbac-no-exec-attach-proxy"]);
    assert!(exempted_rules(role_named(&roles, "access-read")).is_empty());
    let write = exempted_rules(role_named(&roles, "access-write"));
    assert!(
        write.contains(&"rbac-no-create-workloads".to_string()),
        "{write:?}"
    );
}

#[test]
fn a_narrowed_write_role_is_exempted_only_from_what_it_writes() {
    // `write` narrowed to configmaps creates and changes configmaps only: it is no
    // workload or traffic writer, and a read role writes nothing.
    let files = render_text(&ns_spec(
        "      - { subject: { kind: User, name: cm }, role: write, resources: [configmaps] }\n      - { subject: { kind: User, name: svc }, role: write, resources: [services] }\n      - { subject: { kind: Group, name: devs }, role: write }\n",
    ));
    let roles = docs_of_kind(&files, "Role");
    assert_eq!(
        exempted_rules(role_named(&roles, "access-write-configmaps")),
        ["rbac-no-create-workloads", "rbac-no-configmap-write"]
    );
    assert_eq!(
        exempted_rules(role_named(&roles, "access-write-services")),
        ["rbac-no-create-workloads", "rbac-no-traffic-write"]
    );
    assert_eq!(
        exempted_rules(role_named(&roles, "access-write")),
        [
            "rbac-no-create-workloads",
            "rbac-no-workload-write",
            "rbac-no-traffic-write",
            "rbac-no-configmap-write"
        ]
    );
}

#[test]
fn a_resource_only_write_covers_is_refused_to_a_read_grant_and_given_to_a_write_one() {
    let read = "      - { subject: { kind: User, name: a }, role: read, resources: [deployments/scale] }\n";
    let errs = kubeward::resolve::parse_resolved("t.yaml", &ns_spec(read)).unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.message.contains("not in the read set")),
        "{}",
        kubeward::diag::render_all(&errs)
    );
    let write = "      - { subject: { kind: User, name: a }, role: write, resources: [deployments/scale] }\n";
    let files = render_text(&ns_spec(write));
    let roles = docs_of_kind(&files, "Role");
    let scale = grants(role_named(&roles, "access-write-deployments-scale"));
    assert!(
        scale.contains(&("apps".into(), "deployments/scale".into(), "patch".into())),
        "{scale:?}"
    );
}
