//! YAML-safe scalars: every string from a spec becomes one double-quoted YAML scalar, so
//! no value can add a key, a field or a document, and YAML 1.1 readers (Kubernetes) read
//! `on`, `yes`, `0755` or `12:30` back as the same string.

use serde_json::Value;

/// Whether `c` may stand as it is inside a YAML scalar: printable for YAML, and neither
/// a line break nor a byte-order mark for a YAML 1.1 reader (Kubernetes, PyYAML), which
/// breaks lines at NEL, LS and PS: an unescaped LS in a block scalar ends the block, and
/// the rest of the line becomes YAML.
fn plain(c: char) -> bool {
    matches!(c, ' '..='~' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
        && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}')
}

/// Quote `s` as a YAML double-quoted scalar. Only [`plain`] characters are written as
/// they are; `"`, `\` and everything else is escaped.
pub fn yaml_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if plain(c) => out.push(c),
            c => out.push_str(&escape(c)),
        }
    }
    out.push('"');
    out
}

/// A YAML escape of `c`: `\uXXXX` in the basic plane, `\UXXXXXXXX` above it (a
/// four-digit escape cannot hold it).
fn escape(c: char) -> String {
    let n = c as u32;
    if n <= 0xFFFF {
        format!("\\u{n:04X}")
    } else {
        format!("\\U{n:08X}")
    }
}

/// A string as a YAML literal block scalar whose lines are indented by `indent` spaces;
/// text a literal block cannot hold exactly (control characters, tabs, trailing spaces,
/// leading spaces on the first line, several trailing line breaks) is double-quoted.
pub fn yaml_literal(text: &str, indent: usize) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let fits = !body.is_empty()
        && !body.starts_with(' ')
        && !body.ends_with('\n')
        && body
            .lines()
            .all(|l| !l.ends_with(' ') && l.chars().all(plain))
        && !body.contains('\r');
    if !fits || indent == 0 {
        return yaml_quote(text);
    }
    let pad = " ".repeat(indent);
    let mut out = String::from(if text.ends_with('\n') { "|" } else { "|-" });
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// Write any JSON value as YAML flow syntax (strings through [`yaml_quote`]).
pub fn yaml_flow(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => yaml_quote(s),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(yaml_flow).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", yaml_quote(k), yaml_flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Whether a mapping key can be written without quotes: a plain identifier-like key
/// that no YAML 1.1 reader takes for a boolean, null or number.
fn plain_key(k: &str) -> bool {
    let special = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];
    !k.is_empty()
        && k.as_bytes()[0].is_ascii_alphabetic()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'-' | b'_'))
        && !special.contains(&k.to_ascii_lowercase().as_str())
}

/// Write a value as block YAML. The first line starts where the caller placed it; every
/// further line is indented by `indent` spaces. Scalars, empty collections and lists of
/// scalars inside a mapping use flow syntax ([`yaml_flow`]).
pub fn yaml_block(v: &Value, indent: usize) -> String {
    let mut lines = Vec::new();
    block_lines(v, 0, &mut lines);
    let pad = " ".repeat(indent);
    lines.join(&format!("\n{pad}"))
}

fn key(k: &str) -> String {
    if plain_key(k) {
        k.to_string()
    } else {
        yaml_quote(k)
    }
}

fn block_lines(v: &Value, level: usize, out: &mut Vec<String>) {
    let pad = " ".repeat(level);
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                match child {
                    Value::Object(c) if !c.is_empty() => {
                        out.push(format!("{pad}{}:", key(k)));
                        block_lines(child, level + 2, out);
                    }
                    Value::Array(a) if a.iter().any(|x| x.is_object() || x.is_array()) => {
                        out.push(format!("{pad}{}:", key(k)));
                        block_lines(child, level + 2, out);
                    }
                    _ => out.push(format!("{pad}{}: {}", key(k), yaml_flow(child))),
                }
            }
        }
        Value::Array(a) if !a.is_empty() => {
            for item in a {
                let mut inner = Vec::new();
                block_lines(item, level + 2, &mut inner);
                if let Some(first) = inner.first_mut() {
                    *first = format!("{pad}- {}", first.trim_start());
                }
                out.extend(inner);
            }
        }
        scalar => out.push(format!("{pad}{}", yaml_flow(scalar))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_blocks_hold_text_exactly_or_fall_back_to_quotes() {
        let doc = |t: &str| format!("a:\n  b: {}\nc: 1\n", yaml_literal(t, 4));
        for text in [
            "service:\n  flush: 1\n",
            "x: y\n\n  z: \"q\"\n",
            "no newline",
            "--- a\n...\n# c\n",
            " leading",
            "trailing \n",
            "tab\there",
            "two\n\n",
            "cr\r\n",
            "",
        ] {
            let v: serde_yaml::Value = serde_yaml::from_str(&doc(text)).unwrap();
            assert_eq!(
                v["a"]["b"].as_str(),
                Some(text),
                "{:?}\n{}",
                text,
                doc(text)
            );
            assert_eq!(v["c"].as_u64(), Some(1));
        }
        assert!(yaml_literal("a: 1\n", 4).starts_with("|\n    a: 1"));
    }

    #[test]
    fn printable_text_is_written_as_it_is_and_separators_are_escaped() {
        assert_eq!(yaml_quote("é 名 😀"), "\"é 名 😀\"");
        assert_eq!(yaml_quote("a\u{2028}b"), "\"a\\u2028b\"");
        assert_eq!(yaml_quote("\u{2029}\u{FEFF}"), "\"\\u2029\\uFEFF\"");
        assert_eq!(yaml_quote("\u{85}\u{7F}"), "\"\\u0085\\u007F\"");
        assert_eq!(escape('\u{1F600}'), "\\U0001F600");
        assert_eq!(escape('\u{FFFE}'), "\\uFFFE");
    }

    #[test]
    fn literal_blocks_take_every_plain_character_and_nothing_else() {
        for text in ["fullwidth \u{FF01} and \u{E000}\n", "emoji 😀\n", "é 名\n"] {
            assert!(yaml_literal(text, 4).starts_with("|\n    "), "{text:?}");
        }
        // LS and PS end a block scalar for a YAML 1.1 reader: `x<LS>evil: 1` would add
        // a key. They, NEL, BOM and control characters force quoting,
        for text in [
            "x\u{2028}evil: 1\n",
            "x\u{2029}y\n",
            "x\u{85}y\n",
            "\u{FEFF}x\n",
            "bell\u{7}\n",
            // and text a literal block would change or a linter would flag
            "trailing \n",
            " leading\n",
            "tab\there\n",
            "cr\r\n",
            "two\n\n",
            "",
        ] {
            let out = yaml_literal(text, 4);
            assert!(out.starts_with('"'), "{text:?} -> {out}");
            assert!(
                out.chars().all(|c| c == '\n' || plain(c)),
                "{text:?} -> {out}"
            );
        }
    }

    fn round_trip(s: &str) {
        let doc = format!("key: {}\n", yaml_quote(s));
        let v: serde_yaml::Value =
            serde_yaml::from_str(&doc).unwrap_or_else(|e| panic!("{s:?}: {e}\n{doc}"));
        let m = v.as_mapping().unwrap();
        assert_eq!(m.len(), 1, "{doc}");
        assert_eq!(m.get("key").and_then(|v| v.as_str()), Some(s), "{doc}");
    }

    #[test]
    fn hostile_strings_stay_one_scalar() {
        for s in [
            "",
            "on",
            "yes",
            "y",
            "NO",
            "null",
            "~",
            "0755",
            "12:30",
            "1e3",
            "2024-01-01",
            "a: b",
            "- x",
            "---",
            "...",
            "{{ x }}",
            "\"quoted\"",
            "'single'",
            "back\\slash",
            "line\nbreak\n  injected: true",
            "\ttab",
            "#comment",
            "&anchor",
            "*alias",
            "!tag",
            "%YAML",
            "@at",
            "`tick`",
            "é ü 日本 🚀",
            "\u{7f}\u{85}\u{2028}\u{feff}\u{1}",
            "trailing ",
            " leading",
        ] {
            round_trip(s);
        }
        round_trip(&"x".repeat(5000));
    }

    #[test]
    fn quotes_what_must_be_quoted() {
        assert_eq!(yaml_quote("on"), "\"on\"");
        assert_eq!(yaml_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(yaml_quote("\u{7f}"), "\"\\u007F\"");
        assert_eq!(yaml_quote("\u{2028}"), "\"\\u2028\"");
    }

    #[test]
    fn block_values() {
        let v = serde_json::json!({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "on"}}, "on": [1, {"a": []}]});
        let text = yaml_block(&v, 4);
        assert_eq!(
            text,
            "\"on\":\n      - 1\n      - a: []\n    podSelector:\n      matchLabels:\n        app.kubernetes.io/name: \"on\""
        );
        let back: Value = serde_yaml::from_str(&text.replace("\n    ", "\n")).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn empty_collections_stay_in_place_and_in_flow_style() {
        assert_eq!(yaml_block(&serde_json::json!({}), 2), "{}");
        assert_eq!(yaml_block(&serde_json::json!([]), 2), "[]");
        let v = serde_json::json!({"a": {}, "b": [[], {}, [1]], "c": [{}]});
        let text = yaml_block(&v, 0);
        assert_eq!(text, "a: {}\nb:\n  - []\n  - {}\n  - - 1\nc:\n  - {}");
        let back: Value = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back, v, "no empty item lost");
    }

    #[test]
    fn flow_values() {
        let v = serde_json::json!({"a": [1, "on", null, true]});
        assert_eq!(yaml_flow(&v), "{\"a\": [1, \"on\", null, true]}");
    }
}
