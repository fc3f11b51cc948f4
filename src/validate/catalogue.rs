//! Every id a finding can carry: the rule catalogue plus the built-in checks (YAML syntax,
//! strict schema, exemption annotations), described alike for `rules`, `explain` and SARIF.

use crate::diag::Severity;

use super::rules::{RULES, Rule};
use crate::suggest;

/// Finding id of a file that is not YAML.
pub const YAML_SYNTAX: &str = "yaml-syntax";
/// Finding id of a document larger than the API server accepts (not read).
pub const DOCUMENT_SIZE: &str = "document-size";
/// Finding id of a document that does not match its Kubernetes API schema.
pub const SCHEMA: &str = "schema";
/// Finding id of an apiVersion the API server no longer serves.
pub const REMOVED_API: &str = "removed-api";
/// Finding id of a malformed `kubeward.dev/exempt` entry.
pub const EXEMPTION_REASON: &str = "exemption-reason";

/// What is known about a finding id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub id: &'static str,
    pub title: &'static str,
    pub severity: Severity,
    /// Kinds looked at; empty for built-in checks, which look at every document.
    pub kinds: &'static [&'static str],
    pub rationale: &'static str,
    pub fix: &'static str,
    pub references: &'static [&'static str],
    /// A built-in check: always on, cannot be skipped or exempted.
    pub builtin: bool,
}

impl Meta {
    /// The metadata of a catalogue rule.
    pub fn of(rule: &dyn Rule) -> Meta {
        Meta {
            id: rule.id(),
            title: rule.title(),
            severity: rule.severity(),
            kinds: rule.kinds(),
            rationale: rule.rationale(),
            fix: rule.fix(),
            references: rule.references(),
            builtin: false,
        }
    }

    /// The kinds as one line of text.
    pub fn kinds_text(&self) -> String {
        if self.kinds.is_empty() {
            "every document".into()
        } else {
            self.kinds.join(", ")
        }
    }
}

/// The built-in checks, which are not rules of the catalogue.
pub static BUILTINS: &[Meta] = &[
    Meta {
        id: YAML_SYNTAX,
        title: "Files are valid YAML",
        severity: Severity::Error,
        kinds: &[],
        rationale: "A file that does not parse cannot be applied, and nothing in it can be checked.",
        fix: "fix the YAML syntax at the reported position",
        references: &["YAML 1.2"],
        builtin: true,
    },
    Meta {
        id: DOCUMENT_SIZE,
        title: "Documents fit in one API request",
        severity: Severity::Error,
        kinds: &[],
        rationale: "The API server refuses a request body over 3 MiB and etcd stores at most 1.5 MiB an object, so a larger document (measured without its indentation, which the JSON sent leaves out) can never be applied; reading it would also cost memory many times its size. kubeward does not read such a document, and, as for a syntax error, checks nothing else in its file.",
        fix: "split the object (a ConfigMap or Secret into several, large data into a volume or an image); if the file is not a manifest, leave it out with `--exclude`",
        references: &[
            "kube-apiserver MaxRequestBodyBytes (3 MiB)",
            "etcd max-request-bytes (1.5 MiB by default)",
        ],
        builtin: true,
    },
    Meta {
        id: SCHEMA,
        title: "Documents match the Kubernetes API schema",
        severity: Severity::Error,
        kinds: &[],
        rationale: "The API server silently drops unknown fields (a misspelt `runAsNonroot` protects nothing) and rejects wrong types and missing required fields at apply time.",
        fix: "fix the field name or type; `kubectl explain KIND.FIELD` shows the schema",
        references: &["Kubernetes 1.37 API", "kubectl apply --validate=strict"],
        builtin: true,
    },
    Meta {
        id: REMOVED_API,
        title: "Objects use API versions the cluster still serves",
        severity: Severity::Error,
        kinds: &[],
        rationale: "An apiVersion removed from Kubernetes (extensions/v1beta1, apps/v1beta2, batch/v1beta1, policy/v1beta1…) is refused by every current API server: the manifest cannot be applied at all.",
        fix: "move the object to the apiVersion named in the finding (`kubectl convert` helps) and re-check its fields",
        references: &[
            "Kubernetes deprecated API migration guide",
            "kube-score stable-version",
            "kube-linter no-extensions-v1beta",
        ],
        builtin: true,
    },
    Meta {
        id: EXEMPTION_REASON,
        title: "Exemptions name a rule and give a reason",
        severity: Severity::Error,
        kinds: &[],
        rationale: "An exemption turns a rule off for one object; without a written reason nobody can review why, and one naming no known rule hides a typo.",
        fix: "write the annotation as `kubeward.dev/exempt: \"<rule-id>: <reason>; <rule-id>: <reason>\"` with ids from `kubeward rules`",
        references: &["kubeward exemptions"],
        builtin: true,
    },
];

/// Every id: the catalogue rules in order, then the built-in checks.
pub fn all() -> Vec<Meta> {
    RULES
        .iter()
        .map(|r| Meta::of(*r))
        .chain(BUILTINS.iter().copied())
        .collect()
}

/// Look an id up among the rules and the built-in checks.
pub fn lookup(id: &str) -> Option<Meta> {
    all().into_iter().find(|m| m.id == id)
}

/// The known id closest to a mistyped one.
pub fn suggest(id: &str) -> Option<&'static str> {
    suggest::closest(id, all().iter().map(|m| m.id))
}

/// The catalogue rule closest to a mistyped id (built-in checks excluded).
pub fn suggest_rule(id: &str) -> Option<&'static str> {
    suggest::closest(id, RULES.iter().map(|r| r.id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_ids_do_not_clash_with_rules() {
        for b in BUILTINS {
            assert!(super::super::rules::find(b.id).is_none(), "{}", b.id);
        }
        assert_eq!(all().len(), RULES.len() + BUILTINS.len());
    }

    #[test]
    fn lookup_and_suggest() {
        assert!(lookup(SCHEMA).is_some_and(|m| m.builtin));
        assert!(lookup("read-only-root-fs").is_some_and(|m| !m.builtin));
        assert_eq!(suggest("schemma"), Some(SCHEMA));
        assert_eq!(suggest_rule("schemma"), None);
    }
}
