//! The question flow driven by scripted answers: what each answer puts in the spec, how
//! an invalid answer is asked again, and scripted (flags-only) mode.

use super::*;
use crate::spec::{AccessRole, FlowTarget, PortRef, SubjectKind, parse};

const DIGEST: &str = "sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a";

/// Answers to every question of a new spec, in order (`""` takes the default).
fn full_session() -> Vec<String> {
    [
        "web",                                 // app name
        "shop",                                // namespace
        "UPPER//x",                            // image: refused, asked again
        "registry.example.com/shop/web:1.4.2", // image
        DIGEST,                                // digest offered for a tag-only image
        "",                                    // ports: http:8080
        "",                                    // service port: 80
        "",                                    // change resources? no
        "3",                                   // replicas
        "/tmp, /var/cache",                    // writable paths
        "http:/healthz",                       // liveness probe
        "http:/healthz",                       // readiness: the same, refused, asked again
        "http:/ready",                         // readiness probe
        "LOG_LEVEL=info",                      // env
        "",                                    // secret files: none
        "payments",                            // team
        "",                                    // change quota? no
        "y",                                   // give access?
        "a user",                              // who
        "read",                                // role
        "alice",                               // name
        "pods",                                // only these resources
        "n",                                   // exec?
        "n",                                   // another?
        "y",                                   // allow a flow?
        "ingress",                             // from
        "shop/web",                            // to
        "",                                    // ingress controller namespace: ingress-nginx
        "",                                    // ports: 80
        "n",                                   // another flow?
        "",                                    // registries: the image's
        "",                                    // admission policy: yes
        "",                                    // audit: yes
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn every_answer_lands_in_the_spec() {
    let mut p = Scripted::new(full_session());
    let spec = run(&mut p, &Options::default(), None).unwrap();
    let app = &spec.apps[0];
    assert_eq!((app.name.as_str(), app.namespace.as_str()), ("web", "shop"));
    assert_eq!(
        app.image,
        format!("registry.example.com/shop/web:1.4.2@{DIGEST}")
    );
    assert_eq!(app.replicas, Some(3));
    assert_eq!(app.ports[0].port, 8080);
    let svc = app.service.as_ref().unwrap();
    assert_eq!(
        (svc.port, svc.target_port.clone()),
        (80, Some(PortRef::Name("http".into())))
    );
    assert_eq!(
        app.writable_paths.as_deref(),
        Some(&["/tmp".to_string(), "/var/cache".to_string()][..])
    );
    let probes = app.probes.as_ref().unwrap();
    assert_eq!(
        probes.liveness.as_ref().unwrap().http.as_deref(),
        Some("/healthz")
    );
    assert_eq!(
        probes.readiness.as_ref().unwrap().http.as_deref(),
        Some("/ready")
    );
    assert_eq!(app.env["LOG_LEVEL"], "info");
    let ns = &spec.namespaces[0];
    assert_eq!(ns.team.as_deref(), Some("payments"));
    assert_eq!(ns.ingress_from.as_deref(), Some("ingress-nginx"));
    let access = &ns.access[0];
    assert_eq!(access.subject.kind, SubjectKind::User);
    assert_eq!(access.subject.name, "alice");
    assert_eq!(access.role, AccessRole::Read);
    assert_eq!(access.resources.as_deref(), Some(&["pods".to_string()][..]));
    assert_eq!(spec.flows[0].from, "ingress");
    assert_eq!(spec.flows[0].to, FlowTarget::Name("shop/web".into()));
    assert_eq!(spec.flows[0].port, Some(80));
    assert_eq!(spec.registries, ["registry.example.com/"]);
    assert!(
        p.said
            .iter()
            .any(|s| s.contains("✗") && s.contains("is not an image reference"))
    );
    // The spec it wrote reads back as itself and resolves without errors.
    let back = parse("k.yaml", &spec_text(&spec)).unwrap();
    assert_eq!(back.spec, spec);
    assert!(resolve(&back).is_ok());
}

#[test]
fn an_invalid_answer_is_asked_again_with_the_resolve_reason() {
    let mut answers = full_session();
    answers.insert(1, "Shop_Floor".into()); // refused namespace name
    let mut p = Scripted::new(answers);
    let spec = run(&mut p, &Options::default(), None).unwrap();
    assert_eq!(spec.namespaces[0].name, "shop");
    let asked: Vec<&String> = p
        .said
        .iter()
        .filter(|s| s.starts_with("? Namespace ("))
        .collect();
    assert_eq!(asked.len(), 2, "{:#?}", p.said);
    assert!(
        p.said
            .iter()
            .any(|s| s.contains("`Shop_Floor` is not a valid namespace name")),
        "{:#?}",
        p.said
    );
}

fn flags(pairs: &[(Flag, &str)]) -> Options {
    let mut preset = Preset::default();
    for (k, v) in pairs {
        preset.push(*k, *v);
    }
    Options { preset, yes: true }
}

#[test]
fn flags_alone_make_a_spec_with_defaults_for_the_rest() {
    let opts = flags(&[
        (Flag::App, "web"),
        (Flag::Image, &format!("r.example.com/web:1@{DIGEST}")),
        (Flag::Namespace, "shop"),
        (Flag::Port, "8080"),
        (Flag::Flow, "ingress:web:80"),
        (Flag::Access, "shop:group:oidc:devs:write:exec"),
    ]);
    let mut p = Scripted::new(Vec::<String>::new());
    let spec = run(&mut p, &opts, None).unwrap();
    assert!(
        p.said.iter().all(|s| !s.starts_with('?')),
        "no question: {:#?}",
        p.said
    );
    assert_eq!(spec.apps[0].ports[0].name, "http");
    assert_eq!(spec.apps[0].service.as_ref().unwrap().port, 80);
    assert_eq!(
        spec.namespaces[0].ingress_from.as_deref(),
        Some("ingress-nginx")
    );
    assert_eq!(spec.namespaces[0].access[0].subject.name, "oidc:devs");
    assert!(spec.namespaces[0].access[0].exec);
    assert_eq!(spec.registries, ["r.example.com/"]);
    assert!(crate::resolve::parse_resolved("k.yaml", &spec_text(&spec)).is_ok());
}

#[test]
fn a_bad_flag_is_an_error_that_names_it() {
    let opts = flags(&[
        (Flag::App, "web"),
        (Flag::Image, "UPPER//x::-bad"),
        (Flag::Namespace, "shop"),
    ]);
    let err = run(&mut Scripted::default(), &opts, None).unwrap_err();
    let WizardError::Invalid { flag, reasons } = err else {
        panic!("{err:?}");
    };
    assert_eq!(flag, Flag::Image);
    assert!(
        reasons[0].contains("is not an image reference"),
        "{reasons:?}"
    );
    let opts = flags(&[
        (Flag::App, "web"),
        (Flag::Image, &format!("r.io/web:1@{DIGEST}")),
        (Flag::Namespace, "shop"),
        (Flag::Flow, "web:nowhere:80"),
    ]);
    let err = run(&mut Scripted::default(), &opts, None).unwrap_err();
    assert!(
        matches!(&err, WizardError::Invalid { flag, reasons } if *flag == Flag::Flow && reasons[0].contains("no app `nowhere`")),
        "{err:?}"
    );
}

#[test]
fn without_prompts_a_question_without_default_needs_its_flag() {
    let opts = flags(&[(Flag::App, "web")]);
    let err = run(&mut Scripted::default(), &opts, None).unwrap_err();
    assert_eq!(err, WizardError::Missing(Flag::Image));
}

#[test]
fn an_existing_spec_gets_a_second_app_and_a_flow_between_them() {
    let first = flags(&[
        (Flag::App, "web"),
        (Flag::Image, &format!("r.io/web:1@{DIGEST}")),
        (Flag::Namespace, "shop"),
    ]);
    let spec = run(&mut Scripted::default(), &first, None).unwrap();
    let second = flags(&[
        (Flag::App, "api"),
        (Flag::Image, &format!("r.io/api:1@{DIGEST}")),
        (Flag::Namespace, "shop"),
        (Flag::Port, "http:9000"),
        (Flag::Flow, "web:api:80"),
    ]);
    let spec = run(&mut Scripted::default(), &second, Some(spec)).unwrap();
    assert_eq!(
        spec.namespaces.len(),
        1,
        "the app joins the existing namespace"
    );
    assert_eq!(spec.apps.len(), 2);
    let resolved = crate::resolve::parse_resolved("k.yaml", &spec_text(&spec)).unwrap();
    let flow = &resolved.model.flows[0];
    assert_eq!(
        flow.ports[0].opened, 9000,
        "service port 80 → container port 9000"
    );
}

#[test]
fn interactively_an_existing_spec_offers_what_to_add() {
    let first = flags(&[
        (Flag::App, "web"),
        (Flag::Image, &format!("r.io/web:1@{DIGEST}")),
        (Flag::Namespace, "shop"),
    ]);
    let spec = run(&mut Scripted::default(), &first, None).unwrap();
    let answers = [
        "access to a namespace",
        "shop",
        "y",
        "a group",
        "admin",
        "leads",
        "",
        "n",
        "n",
    ];
    let mut p = Scripted::new(answers);
    let spec = run(&mut p, &Options::default(), Some(spec)).unwrap();
    let g = &spec.namespaces[0].access[0];
    assert_eq!(
        (g.subject.kind, g.role),
        (SubjectKind::Group, AccessRole::Admin)
    );
    assert_eq!(g.subject.name, "leads");
}

#[test]
fn the_flow_target_offers_the_other_apps_before_the_sender_itself() {
    let app = |name: &str| {
        flags(&[
            (Flag::App, name),
            (Flag::Image, &format!("r.io/{name}:1@{DIGEST}")),
            (Flag::Namespace, "shop"),
        ])
    };
    let spec = run(&mut Scripted::default(), &app("web"), None).unwrap();
    let spec = run(&mut Scripted::default(), &app("api"), Some(spec)).unwrap();
    // A flow from web: Enter at "To" takes the first item, which is api, not web.
    let answers = ["traffic flows", "y", "shop/web", "", "", "n"];
    let mut p = Scripted::new(answers);
    let spec = run(&mut p, &Options::default(), Some(spec)).unwrap();
    let flow = spec.flows.last().unwrap();
    assert_eq!(flow.from, "shop/web");
    assert_eq!(flow.to, FlowTarget::Name("shop/api".into()), "{:?}", p.said);
}

#[test]
fn choice_flags_refuse_unknown_values_and_name_the_flag() {
    let base = [
        (Flag::App, "web"),
        (
            Flag::Image,
            "r.io/web:1@sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a",
        ),
        (Flag::Namespace, "shop"),
    ];
    for (flag, value) in [(Flag::Logging, "splunk"), (Flag::CiPipeline, "jenkins")] {
        let mut pairs = base.to_vec();
        pairs.push((flag, value));
        let err = run(&mut Scripted::default(), &flags(&pairs), None).unwrap_err();
        assert!(
            matches!(&err, WizardError::Invalid { flag: f, reasons } if *f == flag && reasons[0].contains(value)),
            "{err:?}"
        );
    }
}
