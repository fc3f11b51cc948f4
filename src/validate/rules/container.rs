//! Container hygiene rules: probe ports, privileged and SSH ports, environment variables.

use serde_yaml::Value;

use super::select::items;
use super::{
    ContainerPath, Hit, POD_KINDS, cname, containers, get, main_containers, pod_spec, rule,
};
use crate::validate::Document;

/// Every container (init containers too when `init`) of a workload, with its path.
fn each_container(doc: &Document, init: bool) -> Vec<(ContainerPath<'static>, &Value)> {
    let Some((prefix, pod)) = pod_spec(doc) else {
        return Vec::new();
    };
    if init {
        containers(prefix, pod)
    } else {
        main_containers(prefix, pod)
    }
}

fn container_port(p: &Value) -> Option<i64> {
    p.get("containerPort").and_then(Value::as_i64)
}

/// Whether `port` (a number or a name) is declared in the container's `ports`.
fn declared(c: &Value, port: &Value) -> bool {
    items(c, "ports").any(|(_, p)| match port {
        Value::String(name) => p.get("name").and_then(Value::as_str) == Some(name),
        Value::Number(n) => container_port(p) == n.as_i64(),
        _ => true,
    })
}

fn probe_ports(path: &ContainerPath, c: &Value) -> Vec<Hit> {
    let mut out = Vec::new();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for handler in ["httpGet", "tcpSocket", "grpc"] {
            let field = format!("{probe}.{handler}.port");
            if let Some(port) = get(c, &field).filter(|p| !declared(c, p)) {
                let shown = port
                    .as_str()
                    .map_or_else(|| port.as_i64().unwrap_or(0).to_string(), str::to_string);
                out.push(Hit::new(
                    format!("{path}.{field}"),
                    format!(
                        "container `{}` probes port `{shown}`, which it does not declare",
                        cname(c)
                    ),
                ));
            }
        }
    }
    out
}

rule!(ProbePortDeclared {
    id: "probe-port-declared",
    title: "Probes target a declared container port",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A probe on a port name the container does not declare always fails, so the pod is never ready or is restarted in a loop; an undeclared number hides the port from Services and policies that use names.",
    fix: "declare the port in `ports` (with a name) and reference that name in the probe",
    refs: [
        "kube-linter liveness-port",
        "kube-linter readiness-port",
        "kube-linter startup-port"
    ],
    check: |doc, _| each_container(doc, false)
        .into_iter()
        .flat_map(|(path, c)| probe_ports(&path, c))
        .collect(),
});

/// Hits for every declared port of every container where `bad` holds.
fn ports_where(doc: &Document, bad: impl Fn(&Value) -> bool, what: &str) -> Vec<Hit> {
    let mut out = Vec::new();
    for (path, c) in each_container(doc, true) {
        for (j, p) in items(c, "ports").filter(|(_, p)| bad(p)) {
            out.push(Hit::new(
                format!("{path}.ports[{j}].containerPort"),
                format!(
                    "container `{}` listens on {what} {}",
                    cname(c),
                    container_port(p).unwrap_or(0)
                ),
            ));
        }
    }
    out
}

rule!(NoPrivilegedPorts {
    id: "no-privileged-ports",
    title: "Containers listen on ports above 1023",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "Binding a port below 1024 needs root or NET_BIND_SERVICE; a Service can map port 80 to a high targetPort instead.",
    fix: "listen on a port above 1023 (e.g. 8080) and set the Service's `port: 80, targetPort: 8080`",
    refs: ["kube-linter privileged-ports"],
    check: |doc, _| ports_where(
        doc,
        |p| container_port(p).is_some_and(|n| (1..1024).contains(&n)),
        "privileged port"
    ),
});

rule!(NoSshPort {
    id: "no-ssh-port",
    title: "Containers do not expose SSH",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "An SSH server in a container is a second, unaudited way in; `kubectl exec` (under RBAC) is the way to debug.",
    fix: "remove the SSH server and its port 22; use `kubectl exec` or ephemeral debug containers",
    refs: ["kube-linter ssh-port"],
    check: |doc, _| ports_where(
        doc,
        |p| container_port(p) == Some(22)
            && p.get("protocol")
                .and_then(Value::as_str)
                .is_none_or(|x| x == "TCP"),
        "SSH port"
    ),
});

rule!(NoDuplicateEnv {
    id: "no-duplicate-env",
    title: "Environment variable names are unique",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "With a duplicated name only the last value counts, and tools that merge or patch the list disagree on which one that is.",
    fix: "keep one `env` entry per name",
    refs: [
        "kube-score environment-variable-key-duplication",
        "kube-linter duplicate-env-var"
    ],
    check: |doc, _| {
        let mut out = Vec::new();
        for (path, c) in each_container(doc, true) {
            let mut seen = std::collections::BTreeSet::new();
            for (i, e) in items(c, "env") {
                let name = cname(e);
                if !seen.insert(name) {
                    out.push(Hit::new(
                        format!("{path}.env[{i}].name"),
                        format!("container `{}` sets `{name}` twice", cname(c)),
                    ));
                }
            }
        }
        out
    },
});

/// Whether a variable or key name looks like it holds a credential.
pub fn sensitive_name(name: &str) -> bool {
    let up = name.to_ascii_uppercase().replace(['-', '.'], "_");
    let reference = [
        "_FILE",
        "_PATH",
        "_DIR",
        "_URL",
        "_ENDPOINT",
        "_NAME",
        "_ID",
        "_ARN",
        "_REF",
    ]
    .iter()
    .any(|s| up.ends_with(s));
    let words = [
        "PASSWORD",
        "PASSWD",
        "SECRET",
        "TOKEN",
        "BEARER",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
    ];
    !reference
        && (words.iter().any(|w| up.contains(w))
            || (up.starts_with("AZURE_") && up.ends_with("KEY"))
            || up == "OCI_CLI_KEY_CONTENT")
}

/// Whether a literal value is a switch (`"1"`, `"true"`, `"no"`…): the variable configures
/// credentials (`MYSQL_ALLOW_EMPTY_PASSWORD: "1"`), it does not hold one.
fn is_switch(value: &str) -> bool {
    let switches = [
        "0", "1", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    switches.iter().any(|s| value.eq_ignore_ascii_case(s))
}

/// Whether a value holds a PEM private key.
pub fn has_private_key(value: &str) -> bool {
    value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----")
}

rule!(NoSensitiveLiteralEnv {
    id: "no-sensitive-literal-env",
    title: "Credentials are not written into the manifest",
    severity: Warning,
    kinds: POD_KINDS,
    rationale: "A literal `value` of a variable named like a password, token or key (or holding a private key) is a credential in plain text in Git, in the API and in every `kubectl get -o yaml`. The name match is a heuristic; names ending in _FILE, _PATH, _DIR, _URL, _ENDPOINT, _NAME, _ID, _ARN or _REF are taken to be references, and switch values (`1`, `true`, `no`…) are settings, not credentials.",
    fix: "move the value into a Secret and mount it as a file (see `no-secrets-in-env`)",
    refs: [
        "Polaris sensitiveContainerEnvVar",
        "kube-linter env-var-secret",
        "CIS 5.4.1"
    ],
    check: |doc, _| {
        let mut out = Vec::new();
        for (path, c) in each_container(doc, true) {
            for (i, e) in items(c, "env") {
                let Some(value) = e
                    .get("value")
                    .and_then(Value::as_str)
                    .filter(|v| !v.is_empty())
                else {
                    continue;
                };
                if (sensitive_name(cname(e)) && !is_switch(value)) || has_private_key(value) {
                    out.push(Hit::new(
                        format!("{path}.env[{i}].value"),
                        format!(
                            "container `{}` sets `{}` to a literal credential",
                            cname(c),
                            cname(e)
                        ),
                    ));
                }
            }
        }
        out
    },
});
