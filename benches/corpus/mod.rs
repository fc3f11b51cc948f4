//! Inputs of the benchmarks, generated: a spec of many namespaces with chained flows,
//! and manifest sets for `check`, hardened (the rendered bundle's objects) or naive
//! (every object with findings), in one namespace or spread over many.

use kubeward::resolve::{Resolved, parse_resolved};

const DIGEST: &str = "sha256:2f6c7a0d3c5e1b8f9a4d6e0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a";

/// A spec of `namespaces` namespaces of `apps` apps each (`app-0`, `app-1`…), every app
/// with a port and a Service, and a chain of flows ingress → app-0 → app-1 → … per
/// namespace.
pub fn spec(namespaces: usize, apps: usize) -> String {
    let mut s = String::from(
        "version: 1\nregistries: [registry.example.com/]\nsupplyChain: { ciPipeline: none }\nnamespaces:\n",
    );
    let pods = apps * 3 + 10;
    for i in 0..namespaces {
        s += &format!(
            "  - {{ name: team-{i}, ingressFrom: ingress-nginx, quota: {{ pods: {pods}, requests: {{ cpu: \"{pods}\", memory: {pods}Gi }}, limits: {{ cpu: \"{pods}\", memory: {pods}Gi }} }},\n      access: [{{ subject: {{ kind: Group, name: team-{i}-devs }}, role: write }}] }}\n"
        );
    }
    s += "apps:\n";
    for i in 0..namespaces {
        for a in 0..apps {
            s += &format!(
                "  - {{ name: app-{a}, namespace: team-{i}, image: \"registry.example.com/app-{a}:1@{DIGEST}\", ports: [{{ name: http, port: 8080 }}], service: {{ port: 80 }} }}\n"
            );
        }
    }
    s += "flows:\n";
    for i in 0..namespaces {
        s += &format!("  - {{ from: ingress, to: team-{i}/app-0, port: 8080 }}\n");
        for a in 1..apps {
            s += &format!(
                "  - {{ from: team-{i}/app-{}, to: team-{i}/app-{a}, port: 80 }}\n",
                a - 1
            );
        }
    }
    s
}

/// A spec resolved, panicking on errors (the generator writes valid specs).
pub fn resolved(text: &str) -> Resolved {
    parse_resolved("bench.yaml", text)
        .unwrap_or_else(|d| panic!("{}", kubeward::diag::render_all(&d)))
}

/// A rendered, validated bundle's manifests (path, text) for a spec.
pub fn rendered(text: &str) -> Vec<(String, String)> {
    let r = resolved(text);
    let templates = kubeward::render::embedded().expect("embedded templates");
    let bundle = kubeward::bundle::render(&r.model, r.warnings, templates).expect("renders");
    bundle
        .files
        .into_iter()
        .filter(|(p, _)| p.ends_with(".yaml") && !p.starts_with("ci/") && p != "kustomization.yaml")
        .collect()
}

/// About `count` hardened documents in `namespaces` namespaces: a rendered bundle (each
/// namespace holds 10 objects of its own and 5 per app).
pub fn hardened(count: usize, namespaces: usize) -> Vec<(String, String)> {
    let apps = (count / namespaces).saturating_sub(10).div_ceil(5).max(1);
    rendered(&spec(namespaces, apps))
}

/// `count` naive documents (Deployment, Service and ConfigMap, as a first draft is
/// written): every Deployment has a dozen findings.
pub fn naive(count: usize, namespaces: usize) -> Vec<(String, String)> {
    let per_ns = count / namespaces;
    (0..namespaces)
        .map(|n| {
            let mut text = String::new();
            for i in 0..per_ns {
                let app = format!("app-{}", i / 3);
                text += &match i % 3 {
                    0 => format!(
                        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}\n  namespace: ns-{n}\nspec:\n  selector:\n    matchLabels: {{app: {app}}}\n  template:\n    metadata:\n      labels: {{app: {app}}}\n    spec:\n      containers:\n        - name: main\n          image: nginx:latest\n          ports: [{{containerPort: 80, name: http}}]\n          env:\n            - {{name: DB_PASSWORD, value: hunter2}}\n"
                    ),
                    1 => format!(
                        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n  namespace: ns-{n}\nspec:\n  type: NodePort\n  selector: {{app: {app}}}\n  ports: [{{port: 80, targetPort: web}}]\n"
                    ),
                    _ => format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {app}\n  namespace: ns-{n}\ndata:\n  password: hunter2\n"
                    ),
                };
                text += "---\n";
            }
            (format!("ns-{n}/all.yaml"), text)
        })
        .collect()
}

/// The bare parse of the same bytes: every document into a `serde_yaml::Value`.
pub fn parse(files: &[(String, String)]) -> usize {
    use serde::Deserialize;
    files
        .iter()
        .map(|(_, text)| {
            serde_yaml::Deserializer::from_str(text)
                .map(|d| serde_yaml::Value::deserialize(d).map_or(0, |v| usize::from(!v.is_null())))
                .sum::<usize>()
        })
        .sum()
}
