//! A spec as YAML text for people to read and review: block style, fields in the order
//! of the format, and every string that YAML 1.1 could read as something else quoted.

use serde_yaml::Value;

use crate::render::yaml_quote;
use crate::spec::Spec;

/// The text of `kubeward.yaml` for `spec`.
pub fn spec_text(spec: &Spec) -> String {
    let mut out = format!(
        "{}\n# kubeward spec (docs/spec-format.md); render it with `kubeward render -f <this file>`\n",
        crate::spec::modeline()
    );
    match serde_yaml::to_value(spec) {
        Ok(Value::Mapping(m)) => mapping(&m, 0, &mut out),
        // A struct of strings, numbers and lists always serializes to a mapping.
        _ => out.push_str("version: 1\n"),
    }
    out
}

fn mapping(m: &serde_yaml::Mapping, indent: usize, out: &mut String) {
    for (k, v) in m {
        out.push_str(&" ".repeat(indent));
        out.push_str(&scalar(k));
        out.push(':');
        value(v, indent, out);
    }
}

/// A value after its key (`key:` already written).
fn value(v: &Value, indent: usize, out: &mut String) {
    match v {
        Value::Mapping(m) if !m.is_empty() => {
            out.push('\n');
            mapping(m, indent + 2, out);
        }
        Value::Sequence(s) if s.iter().any(is_collection) => {
            out.push('\n');
            sequence(s, indent + 2, out);
        }
        other => {
            out.push(' ');
            out.push_str(&flow(other));
            out.push('\n');
        }
    }
}

fn sequence(s: &[Value], indent: usize, out: &mut String) {
    for item in s {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Value::Mapping(m) if !m.is_empty() => {
                let mut first = true;
                for (k, v) in m {
                    if !first {
                        out.push_str(&" ".repeat(indent + 2));
                    }
                    first = false;
                    out.push_str(&scalar(k));
                    out.push(':');
                    value(v, indent + 2, out);
                }
            }
            other => {
                out.push_str(&flow(other));
                out.push('\n');
            }
        }
    }
}

fn is_collection(v: &Value) -> bool {
    matches!(v, Value::Mapping(m) if !m.is_empty())
        || matches!(v, Value::Sequence(s) if !s.is_empty())
}

/// A value in flow style (`[a, b]`, `{ k: v }`, a scalar).
fn flow(v: &Value) -> String {
    match v {
        Value::Sequence(s) => format!("[{}]", s.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Mapping(m) => format!(
            "{{ {} }}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => scalar(other),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if is_plain(s) => s.clone(),
        Value::String(s) => yaml_quote(s),
        Value::Tagged(t) => flow(&t.value),
        other => flow(other),
    }
}

/// Whether a string reads back as the same string in YAML 1.1 and 1.2 without quotes:
/// it starts with a letter or `/`, has only letters, digits and `._/@-`, and is not a
/// word YAML 1.1 reads as a boolean or null.
fn is_plain(s: &str) -> bool {
    const WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '/' | '@' | '-'))
        && !WORDS.contains(&s.to_ascii_lowercase().as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::parse;

    #[test]
    fn ambiguous_strings_are_quoted_and_plain_ones_are_not() {
        for plain in [
            "web",
            "registry.example.com/",
            "/tmp",
            "LOG_LEVEL",
            "a-b_c.d",
        ] {
            assert!(is_plain(plain), "{plain}");
        }
        for quoted in [
            "on", "Yes", "12:30", "8080", "", "a b", "x: y", "#c", "-a", "*a", "1e3",
        ] {
            assert!(!is_plain(quoted), "{quoted}");
        }
    }

    #[test]
    fn every_example_spec_reads_back_as_itself() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path().join("kubeward.yaml");
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let spec = parse("a.yaml", &text).unwrap().spec;
            let written = spec_text(&spec);
            let back = parse("b.yaml", &written)
                .unwrap_or_else(|e| panic!("{}\n{written}", crate::diag::render_all(&e)))
                .spec;
            assert_eq!(back, spec, "{}:\n{written}", path.display());
        }
    }

    #[test]
    fn hostile_strings_stay_strings() {
        let mut spec = Spec::default();
        let mut app: crate::spec::App =
            serde_yaml::from_str("{ name: web, namespace: shop, image: \"r.io/web:1\" }").unwrap();
        for (i, v) in ["on", "12:30", "a\nb: c", "--- x", "\"q\"", "#x", "{a: 1}"]
            .iter()
            .enumerate()
        {
            app.env.insert(format!("V{i}"), v.to_string());
        }
        spec.apps.push(app);
        let back = parse("b.yaml", &spec_text(&spec)).unwrap().spec;
        assert_eq!(back, spec);
    }
}
