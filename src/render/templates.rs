//! Template sources: the embedded set (`templates/`), optionally overridden file by file
//! from a user directory, each checked for its `emits:` header and for raw output.

use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

static EMBEDDED: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// One template: where it came from, its text and what it declares it emits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// Shown in messages and `# Source:` lines, e.g. `templates/app/deployment.yaml.hbs`.
    pub origin: String,
    pub text: String,
    /// `(apiVersion, kind)` pairs from the header; empty for partials and files.
    pub emits: Vec<(String, String)>,
    /// The format of a file that is not a Kubernetes object, from an
    /// `{{!-- emits-file: FORMAT --}}` header (e.g. `github-workflow`).
    pub file: Option<String>,
}

/// A problem with a template file (not with a spec).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: {message}")]
pub struct TemplateError {
    pub origin: String,
    pub line: usize,
    pub message: String,
}

/// Template id for a path relative to a template root: `app/deployment.yaml.hbs` →
/// `app/deployment`, `partials/labels.hbs` → `partials/labels`.
fn template_id(rel: &str) -> Option<String> {
    rel.strip_suffix(".yaml.hbs")
        .or_else(|| rel.strip_suffix(".hbs"))
        .map(str::to_string)
}

/// The embedded templates, by id.
pub fn embedded() -> Result<BTreeMap<String, Template>, TemplateError> {
    let mut out = BTreeMap::new();
    collect_embedded(&EMBEDDED, &mut out)?;
    Ok(out)
}

fn collect_embedded(
    dir: &Dir<'_>,
    out: &mut BTreeMap<String, Template>,
) -> Result<(), TemplateError> {
    for file in dir.files() {
        let rel = file.path().to_string_lossy().replace('\\', "/");
        let Some(id) = template_id(&rel) else {
            continue;
        };
        let origin = format!("templates/{rel}");
        let text = file.contents_utf8().unwrap_or_default().to_string();
        out.insert(id.clone(), parse_template(&id, origin, text)?);
    }
    for sub in dir.dirs() {
        collect_embedded(sub, out)?;
    }
    Ok(())
}

/// The embedded templates with every template file found under `dir` replacing the
/// embedded one of the same path. Files that match no embedded template are refused,
/// except partials under `partials/`.
pub fn with_overrides(dir: &Path) -> Result<BTreeMap<String, Template>, TemplateError> {
    let mut set = embedded()?;
    let mut files = Vec::new();
    walk(dir, dir, &mut files).map_err(|e| TemplateError {
        origin: dir.display().to_string(),
        line: 0,
        message: format!("cannot read the template directory: {e}"),
    })?;
    for (rel, path) in files {
        let origin = path.display().to_string();
        let err = |message: String| TemplateError {
            origin: origin.clone(),
            line: 0,
            message,
        };
        let Some(id) = template_id(&rel) else {
            return Err(err(
                "template files end in `.yaml.hbs` (partials in `.hbs`)".into(),
            ));
        };
        if !set.contains_key(&id) && !id.starts_with("partials/") {
            let known: Vec<&str> = set.keys().map(String::as_str).collect();
            return Err(err(format!(
                "`{rel}` overrides no built-in template; known templates: {}",
                known.join(", ")
            )));
        }
        // Bounded like every other input: a huge or endless file is refused, not read.
        let text = crate::input::read_file(&path).map_err(|e| err(format!("cannot read: {e}")))?;
        set.insert(id.clone(), parse_template(&id, origin, text)?);
    }
    Ok(set)
}

fn walk(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, std::path::PathBuf)>,
) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type()?.is_dir() {
            walk(root, &path, out)?;
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, path));
        }
    }
    Ok(())
}

/// Check a template's header and that it never writes raw (unescaped) output.
fn parse_template(id: &str, origin: String, text: String) -> Result<Template, TemplateError> {
    for (i, line) in text.lines().enumerate() {
        if line.contains("{{{") || line.contains("{{&") || line.contains("{{~{") {
            return Err(TemplateError {
                origin,
                line: i + 1,
                message: "raw output (`{{{ }}}` or `{{& }}`) is not allowed: every value must go through the YAML quoting (use `{{value}}` for text, `{{json value}}` or `{{yaml value INDENT}}` for numbers, booleans, lists and maps)".into(),
            });
        }
    }
    if id.starts_with("partials/") {
        return Ok(Template {
            origin,
            text,
            emits: Vec::new(),
            file: None,
        });
    }
    let first = text.lines().next().unwrap_or("");
    if let Some(format) = file_header(first) {
        return Ok(Template {
            origin,
            text,
            emits: Vec::new(),
            file: Some(format),
        });
    }
    let emits = first
        .trim()
        .strip_prefix("{{!-- emits:")
        .and_then(|r| r.strip_suffix("--}}"))
        .map(|list| {
            list.split(',')
                .filter_map(|pair| {
                    let mut it = pair.split_whitespace();
                    match (it.next(), it.next(), it.next()) {
                        (Some(v), Some(k), None) => Some((v.to_string(), k.to_string())),
                        _ => None,
                    }
                })
                .collect::<Vec<_>>()
        })
        .filter(|e| !e.is_empty());
    match emits {
        Some(emits) => Ok(Template {
            origin,
            text,
            emits,
            file: None,
        }),
        None => Err(TemplateError {
            origin,
            line: 1,
            message: "the first line must declare what the template emits, e.g. `{{!-- emits: apps/v1 Deployment --}}`, or `{{!-- emits-file: FORMAT --}}` for a file that is not a Kubernetes object".into(),
        }),
    }
}

/// The format named by an `{{!-- emits-file: FORMAT --}}` header: one word of lowercase
/// letters, digits and `-`.
fn file_header(first: &str) -> Option<String> {
    let format = first
        .trim()
        .strip_prefix("{{!-- emits-file:")?
        .strip_suffix("--}}")?
        .trim();
    let word = !format.is_empty()
        && format
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    word.then(|| format.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_declares_its_kinds() {
        let set = embedded().unwrap();
        assert!(set.contains_key("app/deployment"));
        for (id, t) in &set {
            assert!(
                id.starts_with("partials/") || !t.emits.is_empty() || t.file.is_some(),
                "{id}"
            );
        }
    }

    #[test]
    fn header_is_required() {
        let e = parse_template("x", "x.yaml.hbs".into(), "kind: X\n".into()).unwrap_err();
        assert_eq!(e.line, 1);
        let t = parse_template(
            "x",
            "o".into(),
            "{{!-- emits: v1 Service, v1 ServiceAccount --}}\n".into(),
        )
        .unwrap();
        assert_eq!(
            t.emits,
            vec![
                ("v1".into(), "Service".into()),
                ("v1".into(), "ServiceAccount".into())
            ]
        );
    }

    #[test]
    fn file_header_names_one_format() {
        let t = parse_template(
            "x",
            "o".into(),
            "{{!-- emits-file: github-workflow --}}\non: push\n".into(),
        )
        .unwrap();
        assert_eq!(t.file.as_deref(), Some("github-workflow"));
        assert!(t.emits.is_empty());
        for bad in ["{{!-- emits-file: --}}", "{{!-- emits-file: a b --}}"] {
            let e = parse_template("x", "o".into(), format!("{bad}\n")).unwrap_err();
            assert_eq!(e.line, 1, "{bad}");
        }
    }

    #[test]
    fn raw_output_is_refused() {
        let e = parse_template(
            "x",
            "o".into(),
            "{{!-- emits: v1 Service --}}\nname: {{{name}}}\n".into(),
        )
        .unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("raw output"));
    }
}
