//! The JSON Schema of the spec file (`kubeward schema`, `kubeward.schema.json`), derived
//! from the spec's types: descriptions from their doc comments, unknown fields refused.

use super::types::Spec;

/// Where the schema is published (`kubeward.schema.json` at the repository root, kept
/// equal to `kubeward schema` by a test); the wizard's spec names it in its
/// `# yaml-language-server: $schema=` line. The examples name the committed file by path.
pub const SCHEMA_URL: &str = "https://kubeward.dev/kubeward.schema.json";

/// The first line of a spec written by kubeward, for editors with yaml-language-server.
pub fn modeline() -> String {
    format!("# yaml-language-server: $schema={SCHEMA_URL}")
}

/// The schema as pretty-printed JSON with a final newline.
pub fn json_schema() -> String {
    let mut schema = schemars::schema_for!(Spec);
    schema.insert("$id".into(), SCHEMA_URL.into());
    schema.insert(
        "title".into(),
        "kubeward spec (kubeward.yaml), version 1".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
