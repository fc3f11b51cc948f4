//! Rendering: handlebars (strict mode, YAML-quoting escape) over the planned views.
//!
//! Every `{{value}}` is written as a double-quoted YAML scalar; `{{json value}}` writes
//! numbers, booleans, lists and maps as YAML flow syntax. Raw output is refused when a
//! template is loaded, so no value can change the shape of a document.

mod templates;

use std::collections::BTreeMap;

pub use crate::yaml::{yaml_block, yaml_flow, yaml_literal, yaml_quote};
use handlebars::{
    Context, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason,
};
pub use templates::{Template, TemplateError, embedded, with_overrides};

use crate::plan::{Plan, PlannedObject};
use crate::yaml::{Documents, PosIndex};

/// One rendered file.
#[derive(Debug, Clone)]
pub struct RenderedFile {
    /// Bundle-relative path.
    pub path: String,
    /// The template it came from (as shown in its `# Source:` line).
    pub origin: String,
    pub text: String,
    /// Listed in `kustomization.yaml` (see [`PlannedObject::apply`]).
    pub apply: bool,
    /// Holds Kubernetes objects (false for a file such as a CI workflow, whose
    /// template declares `emits-file:`): only these are validated as manifests.
    pub kubernetes: bool,
    /// The documents of `text` (empty ones too, so each keeps its index) with their
    /// positions, as read to check them against the template's header: the validation
    /// reads these, not the text again (a manifest file only; empty for other files).
    pub documents: Vec<(serde_yaml::Value, PosIndex)>,
}

/// A handlebars registry over a checked template set.
pub struct Renderer {
    hb: Handlebars<'static>,
    templates: BTreeMap<String, Template>,
}

/// The first parameter of a helper, which must name an existing value.
fn value_param<'a>(
    h: &'a Helper,
    name: &'static str,
) -> Result<&'a serde_json::Value, RenderErrorReason> {
    let v = h
        .param(0)
        .ok_or(RenderErrorReason::ParamNotFoundForIndex(name, 0))?;
    if v.is_value_missing() {
        return Err(RenderErrorReason::Other(format!(
            "`{name}`: no value at `{}`",
            v.relative_path().map_or("?", |s| s.as_str())
        )));
    }
    Ok(v.value())
}

fn json_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&yaml_flow(value_param(h, "json")?))?;
    Ok(())
}

fn yaml_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let v = value_param(h, "yaml")?;
    let indent =
        h.param(1)
            .and_then(|p| p.value().as_u64())
            .ok_or(RenderErrorReason::InvalidParamType(
                "yaml: the second parameter is the indent, a number",
            ))?;
    out.write(&yaml_block(v, indent as usize))?;
    Ok(())
}

/// `{{text value indent}}`: a multi-line string as a YAML literal block (`|`), each line
/// indented by `indent`; any text a literal block cannot hold exactly is quoted instead.
fn text_helper(
    h: &Helper,
    _: &Handlebars,
    _: &Context,
    _: &mut RenderContext,
    out: &mut dyn Output,
) -> HelperResult {
    let v = value_param(h, "text")?;
    let text = v.as_str().ok_or(RenderErrorReason::InvalidParamType(
        "text: the first parameter is a string",
    ))?;
    let indent = h
        .param(1)
        .and_then(|p| p.value().as_u64())
        .filter(|i| *i >= 2)
        .ok_or(RenderErrorReason::InvalidParamType(
            "text: the second parameter is the indent, a number of at least 2",
        ))?;
    out.write(&yaml_literal(text, indent as usize))?;
    Ok(())
}

impl Renderer {
    /// Register a template set (see [`embedded`] and [`with_overrides`]).
    pub fn new(templates: BTreeMap<String, Template>) -> Result<Self, TemplateError> {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(yaml_quote);
        hb.register_helper("json", Box::new(json_helper));
        hb.register_helper("yaml", Box::new(yaml_helper));
        hb.register_helper("text", Box::new(text_helper));
        for (id, t) in &templates {
            hb.register_template_string(id, &t.text)
                .map_err(|e| TemplateError {
                    origin: t.origin.clone(),
                    line: e.pos().map_or(0, |p| p.0),
                    message: e.reason().to_string(),
                })?;
        }
        Ok(Renderer { hb, templates })
    }

    /// Render one planned object and check that it emits only the kinds its template declares.
    pub fn render_object(&self, obj: &PlannedObject) -> Result<RenderedFile, TemplateError> {
        let t = self
            .templates
            .get(obj.template)
            .ok_or_else(|| TemplateError {
                origin: format!("templates/{}.yaml.hbs", obj.template),
                line: 0,
                message: "template not found".into(),
            })?;
        let err = |line: usize, message: String| TemplateError {
            origin: t.origin.clone(),
            line,
            message,
        };
        let body = self
            .hb
            .render(obj.template, &obj.view)
            .map_err(|e| err(e.line_no.unwrap_or(0), e.reason().to_string()))?;
        let body = body.trim_start_matches('\n');
        let mut text = format!("# Source: {}\n{body}", t.origin);
        if !text.ends_with('\n') {
            text.push('\n');
        }
        let documents = read_declared(t, &obj.path, &text)?;
        Ok(RenderedFile {
            path: obj.path.clone(),
            origin: t.origin.clone(),
            text,
            apply: obj.apply && t.file.is_none(),
            kubernetes: t.file.is_none(),
            documents: if t.file.is_none() {
                documents
            } else {
                Vec::new()
            },
        })
    }

    /// Render every object of a plan, in order.
    pub fn render(&self, plan: &Plan) -> Result<Vec<RenderedFile>, TemplateError> {
        plan.objects.iter().map(|o| self.render_object(o)).collect()
    }
}

/// Read the documents of a file rendered from `t` (its bundle path is `path`) and check
/// that it emits what its header declares: only the declared kinds, or for a file
/// template no Kubernetes object at all.
fn read_declared(
    t: &Template,
    path: &str,
    text: &str,
) -> Result<Vec<(serde_yaml::Value, PosIndex)>, TemplateError> {
    let err = |line: usize, message: String| TemplateError {
        origin: t.origin.clone(),
        line,
        message,
    };
    let mut documents = Vec::new();
    for doc in Documents::new(text).with_values() {
        let (v, pos) = doc.map_err(|e| {
            err(
                0,
                format!(
                    "rendered `{path}` is not valid YAML at its line {}, column {}: {}",
                    e.pos.line, e.pos.col, e.message
                ),
            )
        })?;
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        let (api, kind) = (field("apiVersion"), field("kind"));
        if let Some(format) = &t.file {
            // A Kubernetes object in a file would escape the manifest checks.
            if !api.is_empty() && !kind.is_empty() {
                return Err(err(
                    1,
                    format!(
                        "emitted `{api} {kind}` but its header declares a `{format}` file, not Kubernetes objects"
                    ),
                ));
            }
        } else if !v.is_null() && !t.emits.iter().any(|(a, k)| *a == api && *k == kind) {
            let declared: Vec<String> = t.emits.iter().map(|(a, k)| format!("{a} {k}")).collect();
            return Err(err(
                1,
                format!(
                    "emitted `{api} {kind}` but its header declares only {}",
                    declared.join(", ")
                ),
            ));
        }
        documents.push((v, pos));
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn renderer(text: &str) -> Renderer {
        let mut set = BTreeMap::new();
        set.insert(
            "t".to_string(),
            Template {
                origin: "t.yaml.hbs".into(),
                text: text.into(),
                emits: vec![("v1".into(), "ConfigMap".into())],
                file: None,
            },
        );
        Renderer::new(set).unwrap()
    }

    fn obj(view: serde_json::Value) -> PlannedObject {
        PlannedObject {
            template: "t",
            path: "x.yaml".into(),
            view,
            apply: true,
        }
    }

    #[test]
    fn values_are_quoted_and_numbers_kept() {
        let r = renderer(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{name}}\ndata:\n  n: {{json n}}\n",
        );
        let out = r
            .render_object(&obj(json!({"name": "on", "n": 3})))
            .unwrap();
        assert_eq!(
            out.text,
            "# Source: t.yaml.hbs\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"on\"\ndata:\n  n: 3\n"
        );
    }

    #[test]
    fn missing_values_are_errors() {
        let r = renderer("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{nme}}\n");
        let e = r.render_object(&obj(json!({"name": "x"}))).unwrap_err();
        assert!(e.message.contains("nme"), "{e}");
        assert_eq!(e.line, 4);
    }

    #[test]
    fn undeclared_kinds_are_errors() {
        let r = renderer("apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{name}}\n");
        let e = r.render_object(&obj(json!({"name": "x"}))).unwrap_err();
        assert!(e.message.contains("emitted `v1 Secret`"), "{e}");
    }

    #[test]
    fn a_file_template_may_not_emit_kubernetes_objects() {
        let mut set = BTreeMap::new();
        set.insert(
            "t".to_string(),
            Template {
                origin: "t.yaml.hbs".into(),
                text: "on: push\n---\napiVersion: v1\nkind: Secret\n".into(),
                emits: Vec::new(),
                file: Some("github-workflow".into()),
            },
        );
        let r = Renderer::new(set).unwrap();
        let e = r.render_object(&obj(json!({}))).unwrap_err();
        assert!(
            e.message.contains("declares a `github-workflow` file"),
            "{e}"
        );
    }

    #[test]
    fn file_templates_are_never_applied() {
        let mut set = BTreeMap::new();
        set.insert(
            "t".to_string(),
            Template {
                origin: "t.yaml.hbs".into(),
                text: "name: {{name}}\ngroup: \"x-$\\{{ github.ref }}\"\n".into(),
                emits: Vec::new(),
                file: Some("github-workflow".into()),
            },
        );
        let r = Renderer::new(set).unwrap();
        let out = r.render_object(&obj(json!({"name": "${{ x }}"}))).unwrap();
        assert!(!out.apply && !out.kubernetes);
        assert!(
            out.text.contains("group: \"x-${{ github.ref }}\""),
            "{}",
            out.text
        );
    }

    #[test]
    fn injected_documents_stay_strings() {
        let r = renderer("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{name}}\n");
        let out = r
            .render_object(&obj(
                json!({"name": "x\n---\napiVersion: v1\nkind: Secret"}),
            ))
            .unwrap();
        assert_eq!(serde_yaml::Deserializer::from_str(&out.text).count(), 1);
    }
}
