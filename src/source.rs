//! Positions of YAML nodes: a path → line/column index built from one event parse.
//!
//! serde reports positions only for syntax and type errors. Semantic checks (an unknown
//! flow target, a duplicate app) need the position of any node by its path, so we walk
//! the YAML events once and remember where every mapping value and sequence item starts.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScanError, Span};

use crate::diag::Pos;

/// One segment of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Format a path the way every message of kubeward shows it:
/// `spec.template.spec.containers[0].securityContext`, with keys that are not plain
/// identifiers written as `["app.kubernetes.io/name"]`.
pub fn format_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(k) if is_plain_key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Key(k) => out.push_str(&format!("[{}]", serde_json::Value::from(k.as_str()))),
        }
    }
    out
}

fn is_plain_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Where a node is: the key that names it (for mapping values) and the node itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Pos,
    pub value: Pos,
}

/// The positions of every node of one YAML document, by formatted path.
#[derive(Debug, Default, Clone)]
pub struct PosIndex {
    nodes: HashMap<String, NodePos>,
    /// Where the document starts (its first node).
    pub start: Pos,
}

impl PosIndex {
    /// Position of the value at `path` (the item itself for a sequence item).
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.nodes.get(path).map(|n| n.value)
    }

    /// Position of the key naming the value at `path`.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.nodes.get(path).map(|n| n.key)
    }

    /// Position of the value at `path`, or of its nearest ancestor that exists.
    pub fn nearest(&self, path: &str) -> Pos {
        self.nearest_node(path).map_or(self.start, |n| n.value)
    }

    /// Position of the key naming `path`, or of the key naming its nearest existing
    /// ancestor: a missing field is reported where its parent is named.
    pub fn nearest_key(&self, path: &str) -> Pos {
        self.nearest_node(path).map_or(self.start, |n| n.key)
    }

    fn nearest_node(&self, path: &str) -> Option<NodePos> {
        let mut p = path.to_string();
        loop {
            if let Some(n) = self.nodes.get(&p) {
                return Some(*n);
            }
            p = parent_path(&p)?;
        }
    }
}

/// The path one level up: `a.b[2]` → `a.b`, `a.b` → `a`, `a` → ``.
fn parent_path(path: &str) -> Option<String> {
    if path.is_empty() {
        return None;
    }
    let cut = if path.ends_with(']') {
        path.rfind('[')
    } else {
        path.rfind(['.', ']'])
            .map(|i| if path.as_bytes()[i] == b']' { i + 1 } else { i })
    };
    Some(path[..cut.unwrap_or(0)].to_string())
}

/// The line and column (1-based; columns count characters) of byte offset `byte` of
/// `text`, with lines ending at LF, CRLF or CR as YAML 1.2 and this index count them.
/// serde_yaml (libyaml, YAML 1.1) also ends lines at NEL, LS and PS, so its line and
/// column disagree with the source line shown; convert its byte index with this instead.
pub fn pos_at(text: &str, byte: usize) -> Pos {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let before = &text[..byte];
    let crlf = before.matches("\r\n").count();
    let line = 1 + before.matches(['\r', '\n']).count() - crlf;
    let start = before.rfind(['\r', '\n']).map_or(0, |i| i + 1);
    Pos::new(line, before[start..].chars().count() + 1)
}

fn to_pos(span: &Span) -> Pos {
    Pos::new(span.start.line(), span.start.col() + 1)
}

enum Frame {
    Map {
        path: Vec<Seg>,
        key: Option<(String, Pos)>,
    },
    Seq {
        path: Vec<Seg>,
        next: usize,
    },
    /// A complex (non-scalar) mapping key that we do not index; counts nesting depth.
    Skip(usize),
}

/// Build one index per document of `text`. A syntax error is returned with its position.
pub fn index_documents(text: &str) -> Result<Vec<PosIndex>, (Pos, String)> {
    let mut docs = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut cur = PosIndex::default();
    for item in Parser::new_from_str(text) {
        let (event, span) = item.map_err(scan_error)?;
        let pos = to_pos(&span);
        match event {
            Event::DocumentStart(_) => {
                cur = PosIndex {
                    start: pos,
                    ..PosIndex::default()
                };
                stack.clear();
            }
            Event::DocumentEnd => docs.push(std::mem::take(&mut cur)),
            Event::Scalar(value, ..) => node(&mut stack, &mut cur, pos, Some(&value), None),
            Event::Alias(_) => node(&mut stack, &mut cur, pos, None, None),
            Event::MappingStart(..) => node(&mut stack, &mut cur, pos, None, Some(true)),
            Event::SequenceStart(..) => node(&mut stack, &mut cur, pos, None, Some(false)),
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Frame::Skip(d)) if d > 1 => stack.push(Frame::Skip(d - 1)),
                // a complex key ended: its value follows, under a path no lookup uses
                Some(Frame::Skip(_)) => {
                    if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                        *key = Some(("?".into(), pos));
                    }
                }
                _ => finish_value(&mut stack),
            },
            _ => {}
        }
    }
    Ok(docs)
}

fn scan_error(e: ScanError) -> (Pos, String) {
    let m = e.marker();
    (Pos::new(m.line(), m.col() + 1), e.info().to_string())
}

/// Handle one node event. `container` is `Some(true)` for a mapping start, `Some(false)`
/// for a sequence start, `None` for a scalar or alias.
fn node(
    stack: &mut Vec<Frame>,
    idx: &mut PosIndex,
    pos: Pos,
    scalar: Option<&str>,
    container: Option<bool>,
) {
    let (path, key_pos) = match stack.last_mut() {
        Some(Frame::Skip(d)) => {
            if container.is_some() {
                *d += 1;
            }
            return;
        }
        Some(Frame::Map {
            key: key @ None, ..
        }) => {
            match (scalar, container) {
                (Some(k), _) => *key = Some((k.to_string(), pos)),
                (None, Some(_)) => stack.push(Frame::Skip(1)),
                (None, None) => *key = Some(("<alias>".into(), pos)),
            }
            return;
        }
        Some(Frame::Map {
            path,
            key: Some((k, kpos)),
        }) => {
            let mut p = path.clone();
            p.push(Seg::Key(k.clone()));
            (p, *kpos)
        }
        Some(Frame::Seq { path, next }) => {
            let mut p = path.clone();
            p.push(Seg::Index(*next));
            (p, pos)
        }
        None => (Vec::new(), pos),
    };
    idx.nodes.insert(
        format_path(&path),
        NodePos {
            key: key_pos,
            value: pos,
        },
    );
    match container {
        Some(true) => stack.push(Frame::Map { path, key: None }),
        Some(false) => stack.push(Frame::Seq { path, next: 0 }),
        None => finish_value(stack),
    }
}

/// A value is complete: the parent mapping now expects a key, or the sequence moves on.
fn finish_value(stack: &mut [Frame]) {
    match stack.last_mut() {
        Some(Frame::Map { key, .. }) => *key = None,
        Some(Frame::Seq { next, .. }) => *next += 1,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
version: 1
apps:
  - name: web
    ports:
      - { name: http, port: 8080 }
flows: [{ from: a, to: b }]
labels:
  app.kubernetes.io/name: x
---
kind: Second
";

    #[test]
    fn indexes_mapping_values_and_sequence_items() {
        let docs = index_documents(TEXT).unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.value("version"), Some(Pos::new(1, 10)));
        assert_eq!(d.key("apps[0].name"), Some(Pos::new(3, 5)));
        assert_eq!(d.value("apps[0].name"), Some(Pos::new(3, 11)));
        assert_eq!(d.value("apps[0].ports[0].port"), Some(Pos::new(5, 29)));
        assert_eq!(d.value("flows[0].to"), Some(Pos::new(6, 24)));
        assert_eq!(
            d.value("labels[\"app.kubernetes.io/name\"]"),
            Some(Pos::new(8, 27))
        );
        assert_eq!(docs[1].value("kind"), Some(Pos::new(10, 7)));
    }

    #[test]
    fn nearest_falls_back_to_ancestors() {
        let docs = index_documents(TEXT).unwrap();
        assert_eq!(docs[0].nearest("apps[0].image"), Pos::new(3, 5));
        assert_eq!(docs[0].nearest("apps[0].ports[0].protocol"), Pos::new(5, 9));
    }

    #[test]
    fn nearest_key_names_the_parent_of_a_missing_field() {
        let docs = index_documents(TEXT).unwrap();
        assert_eq!(
            docs[0].nearest_key("apps[0].ports[0].protocol"),
            Pos::new(5, 9)
        );
        assert_eq!(docs[0].nearest_key("apps[0].image"), Pos::new(3, 5));
        assert_eq!(docs[0].nearest_key("labels.missing"), Pos::new(7, 1));
    }

    #[test]
    fn complex_keys_are_skipped() {
        let docs = index_documents("? [a, b]\n: 1\nc: 2\n").unwrap();
        assert_eq!(docs[0].value("c"), Some(Pos::new(3, 4)));
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err = index_documents("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.0.line >= 1, "{err:?}");
    }

    #[test]
    fn byte_offsets_become_yaml_1_2_positions() {
        let text = "a: 1\r\nb: \"x\u{85}y\"\rc: é\u{2028}d\n";
        assert_eq!(pos_at(text, 0), Pos::new(1, 1));
        assert_eq!(pos_at(text, text.find('b').unwrap()), Pos::new(2, 1));
        assert_eq!(pos_at(text, text.find('y').unwrap()), Pos::new(2, 7));
        assert_eq!(pos_at(text, text.find('d').unwrap()), Pos::new(3, 6));
        assert_eq!(pos_at(text, text.len() + 10), Pos::new(4, 1));
    }

    #[test]
    fn paths_quote_unusual_keys() {
        let p = [
            Seg::Key("metadata".into()),
            Seg::Key("labels".into()),
            Seg::Key("a.b/c".into()),
        ];
        assert_eq!(format_path(&p), "metadata.labels[\"a.b/c\"]");
        assert_eq!(
            parent_path("metadata.labels[\"a.b/c\"]").as_deref(),
            Some("metadata.labels")
        );
        assert_eq!(parent_path("a.b[2]").as_deref(), Some("a.b"));
        assert_eq!(parent_path("a").as_deref(), Some(""));
    }
}
