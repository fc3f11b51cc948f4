//! ingress-nginx annotations whose values the controller copies into its nginx
//! configuration: a value that can end a directive injects configuration (the 2025
//! ingress-nginx advisories).

use super::select::{key_path, string_map};
use super::{Hit, get, rule};

const PREFIX: &str = "nginx.ingress.kubernetes.io/";

/// The annotations (without the prefix) copied into nginx.conf, with their advisory
/// and the shape a safe value has.
const INJECTABLE: &[(&str, &str, &str)] = &[
    ("auth-url", "CVE-2025-24514", "an http(s) URL"),
    (
        "auth-tls-match-cn",
        "CVE-2025-1097",
        "`CN=` followed by a name or regular expression",
    ),
    ("mirror-target", "CVE-2025-1098", "an http(s) URL"),
    ("mirror-host", "CVE-2025-1098", "a host name"),
];

/// The first character of `value` that can end or open an nginx directive or string.
fn breaking_char(value: &str) -> Option<char> {
    value
        .chars()
        .find(|c| matches!(c, ';' | '{' | '}' | '"' | '\'' | '\\' | '#' | '`') || c.is_whitespace())
}

/// Why `value` of annotation `name` is unsafe, if it is.
fn problem(name: &str, value: &str) -> Option<String> {
    if let Some(c) = breaking_char(value) {
        return Some(format!(
            "holds {c:?}, which ends or opens an nginx directive"
        ));
    }
    let ok = match name {
        "auth-url" | "mirror-target" => {
            value.starts_with("http://") || value.starts_with("https://")
        }
        "auth-tls-match-cn" => value.starts_with("CN="),
        _ => !value.contains('/') && !value.is_empty(),
    };
    (!ok).then(|| "is not of the expected shape".to_string())
}

rule!(IngressNginxAnnotationInjection {
    id: "ingress-nginx-annotation-injection",
    title: "ingress-nginx annotations cannot inject configuration",
    severity: Error,
    kinds: &["Ingress"],
    rationale: "ingress-nginx copies `auth-url`, `auth-tls-match-cn`, `mirror-target` and `mirror-host` into its nginx configuration: a value with `;`, quotes, braces, `#` or whitespace ends the directive and adds the writer's own (CVE-2025-24514, CVE-2025-1097, CVE-2025-1098), which runs as the controller and can read every Secret it can. Anyone who can create an Ingress can use it, even without snippet annotations.",
    fix: "give `auth-url` and `mirror-target` a plain http(s) URL, `mirror-host` a host name and `auth-tls-match-cn` `CN=<name>`, without quotes, `;`, braces, `#` or spaces; and run ingress-nginx 1.11.5 / 1.12.1 or later",
    refs: ["CVE-2025-24514", "CVE-2025-1097", "CVE-2025-1098"],
    check: |doc, _| {
        let annotations = string_map(get(&doc.value, "metadata.annotations"));
        INJECTABLE
            .iter()
            .filter_map(|(name, cve, shape)| {
                let key = format!("{PREFIX}{name}");
                let value = annotations.get(&key)?;
                let why = problem(name, value)?;
                Some(Hit::new(
                    key_path("metadata.annotations", &key),
                    format!("`{key}` {why} ({cve}); expected {shape}"),
                ))
            })
            .collect()
    },
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_values_pass_and_directive_breakers_do_not() {
        assert_eq!(
            problem(
                "auth-url",
                "https://auth.example.com/check?rd=$escaped_request_uri"
            ),
            None
        );
        assert!(problem("auth-url", "http://x/#;\nload_module /tmp/x.so;").is_some());
        assert_eq!(problem("auth-tls-match-cn", "CN=client.example.com"), None);
        assert!(problem("auth-tls-match-cn", "CN=a\"){ }").is_some());
        assert!(problem("mirror-host", "example.com; proxy_pass x").is_some());
        assert_eq!(problem("mirror-host", "mirror.example.com"), None);
        assert!(problem("mirror-target", "mirror.example.com").is_some());
    }
}
