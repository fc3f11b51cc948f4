//! The values the reader builds from events agree with serde_yaml's on every input both
//! read.

use serde_yaml::Value;

use super::Documents;

/// The values of `text`'s documents as kubeward builds them.
fn ours(text: &str) -> Result<Vec<Value>, String> {
    Documents::new(text)
        .with_values()
        .map(|r| r.map(|(v, _)| v).map_err(|e| e.message))
        .collect()
}

fn serde(text: &str) -> Result<Vec<Value>, String> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(text)
        .map(|d| Value::deserialize(d).map_err(|e| e.to_string()))
        .collect()
}

fn agree(text: &str) {
    let theirs = serde(text).unwrap_or_else(|e| panic!("serde_yaml refuses {text:?}: {e}"));
    let ours = ours(text).unwrap_or_else(|e| panic!("kubeward refuses {text:?}: {e}"));
    assert_eq!(ours, theirs, "{text:?}");
}

#[test]
fn plain_scalars_resolve_as_serde_yaml_resolves_them() {
    let scalars = [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "yes",
        "on",
        "0",
        "-0",
        "+0",
        "00",
        "0755",
        "-0755",
        "+0755",
        "08",
        "1",
        "+1",
        "-1",
        "++1",
        "+-1",
        "--1",
        "1_000",
        "0x1f",
        "0X1F",
        "0x-1",
        "-0x1f",
        "+0x1f",
        "0o17",
        "-0o17",
        "0b101",
        "-0b101",
        "0b2",
        "0xZZ",
        "18446744073709551615",
        "-9223372036854775808",
        "1.5",
        "-1.5",
        "+1.5",
        ".5",
        "1.",
        "1e3",
        "1E3",
        "1e-3",
        "-1e3",
        "1e400",
        ".inf",
        ".Inf",
        ".INF",
        "-.inf",
        "+.inf",
        "inf",
        "infinity",
        ".nan",
        ".NaN",
        ".NAN",
        "+.nan",
        "nan",
        "NaN",
        "0.0",
        "00.5",
        "0755.0",
        "1:30",
        "12:30:45",
        "2026-12-01",
        "1.2.3",
        "v1",
        "abc",
        "1 2",
        "0x",
        "0o",
        "0b",
        "+",
        ".",
        "e3",
        "1e",
        "0e0",
    ];
    for s in scalars {
        agree(&format!("k: {s}\n"));
        agree(&format!("- {s}\n"));
    }
}

#[test]
fn quoted_block_and_tagged_scalars_agree() {
    for text in [
        "a: '1'\nb: \"true\"\nc: |\n  x\n  y\nd: >\n  folded\n  text\ne: \"\\u00e9\\n\"\n",
        "a: !!str 1\nb: !!int \"7\"\nc: !!bool true\nd: !!float 1\ne: !!null null\n",
        "a: !custom 1\nb: !custom '1'\nc: !x {d: 1}\ne: !y [1, 2]\nf: ! z\n",
        "a: !!binary aGk=\nb: !!map {c: 1}\nc: !!seq [1]\nd: !!str\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    ] {
        agree(text);
    }
}

#[test]
fn collections_keys_anchors_and_documents_agree() {
    for text in [
        "a: {b: [1, {c: d}], e: []}\nf: {}\n",
        "1: a\ntrue: b\nnull: c\n? [x, y]\n: e\n? {p: q}\n: f\n1.5: g\n",
        "base: &b {x: 1, y: [2, 3]}\nuse: *b\nlist: [*b, *b]\ns: &s str\nt: *s\n",
        "a: &a 1\nb: &a 2\nc: *a\n",
        "a:\n  <<: {x: 1}\n  y: 2\n",
        "---\na: 1\n---\n---\n- b\n...\n---\nc\n",
        "--- |\n  text\n",
        "a: \"x\u{2028}y\"\nb: \"\u{e9}\u{2029}\"\n",
    ] {
        agree(text);
    }
}

/// Where the two differ on purpose: NEL (U+0085) is a line break in YAML 1.1 (libyaml
/// folds it into a space inside a quoted scalar; LS and PS end a plain one) and content
/// in YAML 1.2, which the event parser reads: kubeward keeps them in the string.
#[test]
fn a_nel_inside_a_string_is_kept() {
    let v = ours("a: \"x\u{85}y\"\n").unwrap();
    assert_eq!(v[0]["a"], Value::from("x\u{85}y"));
}

#[test]
fn every_yaml_file_of_the_repository_agrees() {
    let mut files = 0;
    let mut stack = vec![
        std::path::PathBuf::from("examples"),
        std::path::PathBuf::from("tests"),
        std::path::PathBuf::from("templates"),
        std::path::PathBuf::from("fuzz/corpus"),
    ];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml")
                && let Ok(text) = std::fs::read_to_string(&path)
                && !text.contains('\u{85}')
                && let (Ok(theirs), Ok(ours)) = (serde(&text), ours(&text))
            {
                assert_eq!(ours, theirs, "{}", path.display());
                files += 1;
            }
        }
    }
    assert!(files > 50, "only {files} files compared");
}

#[test]
fn a_text_without_content_has_no_document() {
    // serde_yaml reads one null document; an empty document is skipped either way.
    assert!(ours("").unwrap().is_empty());
    assert!(ours("# only a comment\n").unwrap().is_empty());
    assert_eq!(ours("---\n").unwrap(), [Value::Null]);
}

#[test]
fn what_serde_yaml_refuses_is_refused_with_the_reason() {
    for (text, reason) in [
        ("a: 1\na: 2\n", "duplicate entry with key \"a\""),
        ("1: a\n1: b\n", "duplicate entry with key 1"),
        ("~: a\nnull: b\n", "duplicate entry with null key"),
        ("a: !!int x\n", "expected an integer"),
        ("a: !!bool yes\n", "expected a boolean"),
        ("a: !!float x\n", "expected a float"),
        ("a: !!null x\n", "expected null"),
        ("a: 99999999999999999999\n", "does not fit in 64 bits"),
        (
            "a: &x [1, *x]\n",
            "refers to the anchor of a node that contains it",
        ),
    ] {
        assert!(serde(text).is_err(), "serde_yaml reads {text:?}");
        let e = ours(text).unwrap_err();
        assert!(e.contains(reason), "{text:?}: {e}");
    }
}

#[test]
fn an_alias_bomb_stops_at_the_budget() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..8 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        text += &format!("a{i}: &a{i} [{refs}]\n");
    }
    let e = ours(&text).unwrap_err();
    assert!(e.contains("alias bomb"), "{e}");
    // A document's anchors used many times under the budget are read.
    let ok = format!(
        "b: &b {{x: 1, y: 2}}\nl: [{}]\n",
        vec!["*b"; 1000].join(", ")
    );
    assert_eq!(
        ours(&ok).unwrap()[0]["l"].as_sequence().unwrap().len(),
        1000
    );
}
