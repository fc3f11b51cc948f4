//! Evaluator cases computed by hand: isolation, the OR-versus-AND trap, the foreign
//! pod with the same labels, named ports, endPort, except, and DNS.

use super::*;
use crate::validate::parse_documents;

fn namespace(name: &str, labels: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n  labels: {{{labels}}}\n")
}

/// A Deployment `name` with pods labelled `app: name` and `ports` (`name: port` pairs).
fn deploy(ns: &str, name: &str, ports: &[(&str, u16)]) -> String {
    let ports: String = ports
        .iter()
        .map(|(n, p)| format!("            - {{name: {n}, containerPort: {p}}}\n"))
        .collect();
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec:\n      containers:\n        - name: c\n          image: x\n          ports:\n{ports}"
    )
}

fn policy(ns: &str, name: &str, spec: &str) -> String {
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\nspec:\n{spec}"
    )
}

const DENY: &str = "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n";

fn matrix(docs: &[String], extras: &Extras) -> Matrix {
    let text = docs.join("---\n");
    evaluate(&parse_documents("t.yaml", &text).unwrap(), extras)
}

/// Every connection as `from → to PORTS`.
fn lines(m: &Matrix) -> Vec<String> {
    let mut out: Vec<String> = m
        .connections
        .iter()
        .map(|c| {
            format!(
                "{} → {} {}",
                m.universe.show(c.from),
                m.universe.show(c.to),
                c.allow.ports
            )
        })
        .collect();
    out.sort();
    out
}

fn into(m: &Matrix, to: &str) -> Vec<String> {
    lines(m)
        .into_iter()
        .filter(|l| l.contains(&format!("→ {to} ")))
        .collect()
}

/// Namespaces `a` and `b` (both `team: shop`): a/frontend, a/backend (http 8080),
/// b/frontend; backend's ingress from `peers`.
fn trap(peers: &str) -> Matrix {
    matrix(
        &[
            namespace("a", "team: shop"),
            namespace("b", "team: shop"),
            deploy("a", "frontend", &[]),
            deploy("a", "backend", &[("http", 8080)]),
            deploy("b", "frontend", &[]),
            policy(
                "a",
                "backend",
                &format!(
                    "  podSelector: {{matchLabels: {{app: backend}}}}\n  ingress:\n    - from:\n{peers}      ports: [{{port: http}}]\n"
                ),
            ),
        ],
        &Extras::default(),
    )
}

#[test]
fn without_policies_every_pod_is_open() {
    let m = matrix(&[deploy("a", "web", &[])], &Extras::default());
    assert_eq!(lines(&m), ["a/web → any any port", "any → a/web any port"]);
    assert!(!m.any_isolation());
}

#[test]
fn one_peer_with_both_selectors_ands_them() {
    let m = trap(
        "        - namespaceSelector: {matchLabels: {team: shop}}\n          podSelector: {matchLabels: {app: frontend}}\n",
    );
    assert_eq!(
        into(&m, "a/backend"),
        [
            "a/frontend → a/backend TCP 8080",
            "b/frontend → a/backend TCP 8080"
        ]
    );
}

#[test]
fn two_peers_or_them_and_open_both_namespaces() {
    let m = trap(
        "        - namespaceSelector: {matchLabels: {team: shop}}\n        - podSelector: {matchLabels: {app: frontend}}\n",
    );
    assert_eq!(
        into(&m, "a/backend"),
        [
            "a/backend → a/backend TCP 8080",
            "a/frontend → a/backend TCP 8080",
            "b/frontend → a/backend TCP 8080",
        ]
    );
}

#[test]
fn a_pod_selector_alone_stays_in_the_policy_namespace() {
    let m = trap("        - podSelector: {matchLabels: {app: frontend}}\n");
    assert_eq!(into(&m, "a/backend"), ["a/frontend → a/backend TCP 8080"]);
}

#[test]
fn every_namespace_reaches_a_foreign_pod_with_the_same_labels() {
    let m = trap(
        "        - namespaceSelector: {}\n          podSelector: {matchLabels: {app: frontend}}\n",
    );
    let got = into(&m, "a/backend");
    assert!(
        got.contains(&"(other)/[app=frontend] → a/backend TCP 8080".to_string()),
        "{got:?}"
    );
    assert!(got.contains(&"kube-system/[app=frontend] → a/backend TCP 8080".to_string()));
    let m = trap("        - namespaceSelector: {}\n");
    assert!(into(&m, "a/backend").contains(&"(other)/* → a/backend TCP 8080".to_string()));
}

#[test]
fn named_ports_resolve_on_each_destination() {
    let m = matrix(
        &[
            deploy("a", "web", &[("http", 8080)]),
            deploy("a", "api", &[("http", 9000), ("metrics", 9090)]),
            deploy("a", "batch", &[]),
            policy(
                "a",
                "http-in",
                "  podSelector: {}\n  ingress:\n    - from: [{podSelector: {matchLabels: {app: batch}}}]\n      ports: [{port: http}]\n",
            ),
        ],
        &Extras::default(),
    );
    assert_eq!(into(&m, "a/web"), ["a/batch → a/web TCP 8080"]);
    assert_eq!(into(&m, "a/api"), ["a/batch → a/api TCP 9000"]);
    assert!(into(&m, "a/batch").is_empty(), "no `http` port on batch");
}

#[test]
fn both_ends_must_allow_and_end_port_opens_a_range() {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            deploy("a", "api", &[]),
            policy("a", "deny", DENY),
            policy(
                "a",
                "api-in",
                "  podSelector: {matchLabels: {app: api}}\n  ingress:\n    - from: [{podSelector: {}}]\n      ports: [{port: 8000, endPort: 8100}]\n",
            ),
            policy(
                "a",
                "web-out",
                "  podSelector: {matchLabels: {app: web}}\n  egress:\n    - to: [{podSelector: {matchLabels: {app: api}}}]\n      ports: [{port: 8080}, {port: 9000}, {port: 53, protocol: UDP}]\n",
            ),
        ],
        &Extras::default(),
    );
    assert_eq!(lines(&m), ["a/web → a/api TCP 8080"]);
    let c = &m.connections[0];
    assert_eq!(m.policy_names(c), ["a/api-in", "a/web-out"]);
}

#[test]
fn except_cuts_the_block_and_ip_blocks_never_match_pods() {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            policy(
                "a",
                "out",
                "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]\n      ports: [{port: 5432}]\n",
            ),
        ],
        &Extras {
            namespaces: Vec::new(),
            cidrs: vec!["10.1.2.0/24".into(), "10.9.0.0/16".into()],
            policy_pods: false,
        },
    );
    assert_eq!(
        lines(&m),
        [
            "a/web → 10.0.0.0/8 except 10.1.0.0/16, 10.9.0.0/16 TCP 5432",
            "a/web → 10.9.0.0/16 TCP 5432",
            "any → a/web any port",
        ]
    );
}

#[test]
fn an_egress_rule_without_peers_reaches_any_destination() {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            policy("a", "deny", DENY),
            policy(
                "a",
                "out",
                "  podSelector: {}\n  egress:\n    - ports: [{port: 443}]\n",
            ),
        ],
        &Extras::default(),
    );
    assert_eq!(lines(&m), ["a/web → any TCP 443"]);
}

#[test]
fn dns_peers_and_the_or_mistake() {
    let dns = |peers: &str| {
        matrix(
            &[
                deploy("a", "web", &[]),
                policy("a", "deny", DENY),
                policy(
                    "a",
                    "dns",
                    &format!(
                        "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n{peers}      ports: [{{port: 53, protocol: UDP}}, {{port: 53, protocol: TCP}}]\n"
                    ),
                ),
            ],
            &Extras::default(),
        )
    };
    let and = dns(
        "        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n          podSelector: {matchLabels: {k8s-app: kube-dns}}\n",
    );
    assert_eq!(
        lines(&and),
        ["a/web → kube-system/[k8s-app=kube-dns] TCP 53; UDP 53"]
    );
    let or = dns(
        "        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n        - podSelector: {matchLabels: {k8s-app: kube-dns}}\n",
    );
    assert!(lines(&or).contains(&"a/web → kube-system/* TCP 53; UDP 53".to_string()));
}

#[test]
fn policy_types_default_to_the_rules_present() {
    // No policyTypes and an egress rule: egress is isolated too.
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            policy(
                "a",
                "p",
                "  podSelector: {}\n  egress:\n    - to: [{podSelector: {}}]\n",
            ),
        ],
        &Extras::default(),
    );
    assert_eq!(m.isolated[0], (true, true));
    // Ingress is isolated too (always, without policyTypes), with no rule.
    assert!(lines(&m).is_empty(), "{:?}", lines(&m));
}

#[test]
fn a_namespace_selector_on_a_missing_label_gets_a_stand_in() {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            policy(
                "a",
                "p",
                "  podSelector: {}\n  ingress:\n    - from: [{namespaceSelector: {matchLabels: {team: ops}}}]\n",
            ),
        ],
        &Extras::default(),
    );
    assert_eq!(into(&m, "a/web"), ["[team=ops]/* → a/web any port"]);
}

#[test]
fn garbage_allows_nothing_and_does_not_panic() {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            policy(
                "a",
                "p",
                "  podSelector: [1]\n  ingress: [{from: [{}, {ipBlock: {cidr: x}}], ports: [{port: -1}]}]\n  egress: 7\n",
            ),
            policy("a", "q", "  podSelector: {}\n  ingress: [{from: [{}]}]\n"),
        ],
        &Extras::default(),
    );
    assert_eq!(lines(&m), ["a/web → any any port"]);
}

/// kube-dns (the stand-in) from `a/web`, whose egress allows `ports`.
fn dns_from_web(ports: &str) -> PortSet {
    let docs = [
        deploy("a", "web", &[]),
        policy("a", "deny", DENY),
        policy(
            "a",
            "dns",
            &format!(
                "  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - ports: {ports}\n"
            ),
        ),
    ]
    .join("---\n");
    let e = Evaluation::new(
        &parse_documents("t.yaml", &docs).unwrap(),
        &Extras::default(),
    );
    let web = e.universe.workload("a", "web").unwrap();
    let kube_system = e.universe.namespace(DNS_NAMESPACE).unwrap();
    let dns = e.universe.pods_in(kube_system).find(|p| {
        e.universe.pods[*p]
            .labels
            .get(DNS_LABEL.0)
            .map(String::as_str)
            == Some(DNS_LABEL.1)
    });
    assert_eq!(e.isolated(web), (true, true));
    e.allowed(Endpoint::Pod(web), Endpoint::Pod(dns.unwrap()))
        .ports
}

#[test]
fn allowed_answers_one_pair_with_named_ports_resolved_at_the_receiver() {
    let both = "[{port: dns, protocol: UDP}, {port: dns-tcp, protocol: TCP}]";
    assert_eq!(dns_from_web(both).to_string(), "TCP 53; UDP 53");
    assert!(
        dns_from_web("[{port: dns}]").is_empty(),
        "`dns` is the UDP port"
    );
    assert_eq!(
        dns_from_web("[{port: 53, protocol: UDP}]").to_string(),
        "UDP 53"
    );
}

#[test]
fn policy_pods_stand_for_what_a_lone_policy_was_written_for() {
    let docs = policy(
        "a",
        "web",
        "  podSelector: {matchLabels: {app: web}}\n  policyTypes: [Egress]\n",
    );
    let docs = parse_documents("t.yaml", &docs).unwrap();
    let without = Evaluation::new(&docs, &Extras::default());
    let a = without.universe.namespace("a").unwrap();
    assert_eq!(without.universe.pods_in(a).count(), 0);
    let with = Evaluation::new(
        &docs,
        &Extras {
            policy_pods: true,
            ..Extras::default()
        },
    );
    let a = with.universe.namespace("a").unwrap();
    let pods: Vec<usize> = with.universe.pods_in(a).collect();
    assert_eq!(pods.len(), 1);
    assert_eq!(with.universe.show(Endpoint::Pod(pods[0])), "a/[app=web]");
    assert_eq!(with.isolated(pods[0]), (false, true));
    assert!(
        with.allowed(Endpoint::Any, Endpoint::Pod(99))
            .ports
            .is_empty()
    );
}

#[test]
fn isolation_in_one_direction_is_isolation() {
    for types in ["[Ingress]", "[Egress]"] {
        let deny = format!("  podSelector: {{}}\n  policyTypes: {types}\n");
        let m = matrix(
            &[deploy("a", "web", &[]), policy("a", "p", &deny)],
            &Extras::default(),
        );
        assert!(m.any_isolation(), "{types}");
    }
}

#[test]
fn endpoints_outside_the_universe_allow_nothing() {
    let docs = parse_documents("t.yaml", &deploy("a", "web", &[("http", 80)])).unwrap();
    let e = Evaluation::new(&docs, &Extras::default());
    let a = e.universe.namespace("a").unwrap();
    let web = Endpoint::Pod(e.universe.pods_in(a).next().unwrap());
    assert!(!e.allowed(web, web).ports.is_empty(), "no policy: open");
    let (pods, regions) = (e.universe.pods.len(), e.universe.regions.len());
    for bad in [
        Endpoint::Pod(pods),
        Endpoint::Region(regions),
        Endpoint::Any,
    ] {
        assert!(e.allowed(web, bad).ports.is_empty(), "{bad:?}");
        assert!(e.allowed(bad, web).ports.is_empty(), "{bad:?}");
    }
}

/// The connections of web and db (on 5432) in namespace `a` under a `web-out` egress
/// rule and a `db-in` ingress rule.
fn web_and_db(web_egress: &str, db_ingress: &str) -> Vec<String> {
    let m = matrix(
        &[
            deploy("a", "web", &[]),
            deploy("a", "db", &[("pg", 5432)]),
            policy(
                "a",
                "web-out",
                &format!(
                    "  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n    - {web_egress}ports: [{{port: 5432}}]\n"
                ),
            ),
            policy(
                "a",
                "db-in",
                &format!(
                    "  podSelector: {{matchLabels: {{app: db}}}}\n  policyTypes: [Ingress]\n  ingress:\n    - {db_ingress}ports: [{{port: 5432}}]\n"
                ),
            ),
        ],
        &Extras::default(),
    );
    lines(&m)
}

#[test]
fn a_connection_to_a_receiver_that_restricts_it_is_shown_beside_the_open_egress() {
    // web may send to any address on 5432; db admits only web on 5432: the connection
    // web → db is shown on its own (db restricts it), not folded into `web → any`.
    let got = web_and_db(
        "",
        "from: [{podSelector: {matchLabels: {app: web}}}]\n      ",
    );
    assert!(
        got.contains(&"a/web → a/db TCP 5432".to_string()),
        "{got:#?}"
    );
    assert!(
        got.contains(&"a/web → any TCP 5432".to_string()),
        "{got:#?}"
    );
}

#[test]
fn a_connection_from_a_sender_that_restricts_it_is_shown_beside_the_open_ingress() {
    // db admits any source on 5432; web may send only to db on 5432: web → db is shown
    // on its own (web restricts it), not folded into `any → db`.
    let got = web_and_db("to: [{podSelector: {matchLabels: {app: db}}}]\n      ", "");
    assert!(
        got.contains(&"a/web → a/db TCP 5432".to_string()),
        "{got:#?}"
    );
    assert!(got.contains(&"any → a/db TCP 5432".to_string()), "{got:#?}");
}
