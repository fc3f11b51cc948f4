//! `kubeward flows` and `kubeward diagram`, and how `render` reports a failed flow
//! proof: the connections NetworkPolicies allow, and the declared flows, as text, JSON,
//! Mermaid or DOT.

use std::collections::BTreeMap;

use kubeward::proof::Difference;

use super::FINDINGS;

/// Print the differences of a failed flow proof; nothing was written.
pub fn report_unproven(differences: &[Difference], origins: &BTreeMap<String, String>) -> u8 {
    eprintln!(
        "error: the rendered network policies allow other connections than the spec declares"
    );
    for d in differences {
        eprintln!("  {d}");
    }
    let mut templates: Vec<&str> = differences
        .iter()
        .flat_map(|d| &d.policies)
        .filter_map(|(_, file)| origins.get(file).map(String::as_str))
        .collect();
    templates.sort_unstable();
    templates.dedup();
    let from = if templates.is_empty() {
        String::new()
    } else {
        format!(
            " (rendered from {})",
            templates
                .iter()
                .map(|t| format!("`{t}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    eprintln!(
        "  help: the policies{from} must open exactly the declared `flows` and DNS; fix the template, or declare the flow in the spec"
    );
    eprintln!(
        "error: {} connection difference(s); nothing was written",
        differences.len()
    );
    FINDINGS
}
