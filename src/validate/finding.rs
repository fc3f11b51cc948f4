//! What a check finds: one finding per problem, capped per rule and object.

use std::borrow::Cow;

use serde::Serialize;

use crate::diag::{Diagnostic, Pos, Severity};

use super::document::Document;

/// One problem found in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule's id (borrowed from the catalogue: a finding costs no copy of it).
    pub rule: Cow<'static, str>,
    pub severity: Severity,
    pub file: String,
    pub pos: Option<Pos>,
    /// `Kind namespace/name` of the object, empty for file-level problems.
    pub object: String,
    /// JSON-style path of the field, when the finding is about one.
    pub path: Option<String>,
    pub message: String,
    /// How to fix it: mostly the rule's fixed text, borrowed.
    pub help: Cow<'static, str>,
}

/// The most findings of one rule kept for one object: past it, one more finding counts
/// the rest. A 3 MiB pod of 80,000 containers would otherwise hold a million findings
/// (hundreds of MB) that no reader, SARIF upload or terminal wants.
pub const MAX_PER_RULE_AND_OBJECT: usize = 1_000;

impl Finding {
    /// The findings of one rule about `doc`, made by `make`: at most
    /// [`MAX_PER_RULE_AND_OBJECT`] of them, then one finding counting those left out
    /// (same rule, object and severity, so exemptions and `--skip` treat it alike),
    /// placed at the last one listed.
    pub fn capped<T>(
        out: &mut Vec<Finding>,
        doc: &Document,
        (rule, severity): (&'static str, Severity),
        items: Vec<T>,
        make: impl Fn(T) -> Finding,
    ) {
        let more = items.len().saturating_sub(MAX_PER_RULE_AND_OBJECT);
        out.extend(items.into_iter().take(MAX_PER_RULE_AND_OBJECT).map(make));
        if more > 0 {
            // At the last finding listed: the count follows it in position order.
            let pos = out.last().and_then(|f| f.pos).or(Some(doc.pos.start));
            out.push(Finding {
                rule: rule.into(),
                severity,
                file: doc.file.clone(),
                pos,
                object: doc.describe(),
                path: None,
                message: format!(
                    "{more} more `{rule}` findings in this object are not listed (kubeward lists at most {MAX_PER_RULE_AND_OBJECT} of one rule per object)"
                ),
                help: "fix the listed findings first; each run lists the next ones".into(),
            });
        }
    }

    /// The finding as a diagnostic for human output, with its line of `source`.
    pub fn to_diagnostic(&self, source: Option<&str>) -> Diagnostic {
        let d = self.to_diagnostic_on(None);
        match source {
            Some(text) => d.with_source(text),
            None => d,
        }
    }

    /// The finding as a diagnostic for human output, with its source `line` when known.
    pub fn to_diagnostic_on(&self, line: Option<&str>) -> Diagnostic {
        let object = if self.object.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.object)
        };
        let field = self
            .path
            .as_deref()
            .filter(|p| !p.is_empty())
            .map(|p| format!("`{p}`: "))
            .unwrap_or_default();
        let mut d = Diagnostic::error(
            &self.file,
            self.pos,
            format!("{object}{field}{}", self.message),
        )
        .with_code(self.rule.clone())
        .with_help(self.help.clone());
        d.severity = self.severity;
        match line {
            Some(line) => d.with_line(line),
            None => d,
        }
    }
}
