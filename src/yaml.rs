//! YAML, read and written: the reader's position index (a path → line/column index built
//! from one event parse) and, in `quote`, the quoting every rendered or written string goes
//! through.
//!
//! serde reports positions only for syntax and type errors. Semantic checks (an unknown
//! flow target, a duplicate app) need the position of any node by its path, so we walk
//! the YAML events once and remember where every mapping value and sequence item starts.
//!
//! The index is linear in the input: each node stores its positions and one edge from
//! its parent (a key or an index), never its whole path, and a lookup walks the path
//! from the root. Nesting deeper than [`MAX_DEPTH`] is refused while parsing, so an
//! adversarial `- - - - …` or `[[[[…` costs neither quadratic memory nor time.

#[cfg(test)]
mod agreement;
mod events;
mod frame;
mod path;
mod quote;
mod value;
mod yaml11;

use std::collections::HashMap;
use std::sync::Arc;

use crate::diag::Pos;

pub use events::{Documents, Values};
pub use path::format_path;
pub use quote::{yaml_block, yaml_flow, yaml_literal, yaml_quote};
pub use value::MAX_ALIASED_NODES;
pub use yaml11::Resolved;

/// The deepest nesting of mappings and sequences a document may have (below the YAML
/// parsers' own recursion limits; Kubernetes objects, CRD schemas included, stay far
/// below it).
pub const MAX_DEPTH: usize = 100;

/// The longest document read, in bytes: 3 MiB, the API server's limit on a request
/// body (etcd stores at most 1.5 MiB an object), so a document refused could never be
/// applied, and parsing a file costs memory in proportion to its largest document, not
/// to the whole file.
pub const MAX_DOCUMENT_BYTES: usize = 3 << 20;

/// Why the documents of a text could not be read: where, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub pos: Pos,
    pub message: String,
    /// The document is longer than [`MAX_DOCUMENT_BYTES`] (the text may be valid YAML).
    pub too_large: bool,
}

impl ReadError {
    fn syntax(pos: Pos, message: String) -> Self {
        ReadError {
            pos,
            message,
            too_large: false,
        }
    }
}

/// One segment of a path into a YAML document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Where a node is: the key that names it (for mapping values) and the node itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Pos,
    pub value: Pos,
}

/// A position packed in 8 bytes (inputs are far below 4 G lines or columns).
#[derive(Debug, Clone, Copy, Default)]
struct Packed(u32, u32);

impl From<Pos> for Packed {
    fn from(p: Pos) -> Self {
        let narrow = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Packed(narrow(p.line), narrow(p.col))
    }
}

impl From<Packed> for Pos {
    fn from(p: Packed) -> Self {
        Pos::new(p.0 as usize, p.1 as usize)
    }
}

/// Node ids are indices into `PosIndex::nodes`.
type NodeId = u32;

/// The positions of every node of one YAML document, looked up by formatted path.
/// Cloning is cheap: the nodes are shared, so a part of a document (an item of a
/// `List`) can have an index of its own rooted at that item.
#[derive(Debug, Default, Clone)]
pub struct PosIndex {
    tree: Arc<Tree>,
    root: Option<NodeId>,
    /// Where the document starts (its first node).
    pub start: Pos,
    /// Plain scalars that YAML 1.1 (which Kubernetes reads) resolves to a boolean or an
    /// integer where YAML 1.2 reads a string: their paths and values.
    pub yaml11: Vec<(Vec<Seg>, Resolved)>,
}

#[derive(Debug, Default)]
struct Tree {
    /// (key, value) position of each node.
    nodes: Vec<(Packed, Packed)>,
    /// The edges: (parent, key or index as an [`Edge`]) → child.
    children: HashMap<(NodeId, Edge), NodeId, foldhash::fast::RandomState>,
}

/// A key or an index of a path segment in 8 bytes: an index with the top bit set, a
/// key as a 63-bit hash under this process's random seed (foldhash's quality variant:
/// a file cannot choose keys that collide without the seed; the keys are already held
/// by the document's value, so the index keeps no second copy of every key of a large
/// mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Edge(u64);

impl Edge {
    fn of(seg: &Seg) -> Edge {
        match seg {
            Seg::Index(i) => Edge::index(*i),
            Seg::Key(k) => Edge::key(k),
        }
    }

    fn index(i: usize) -> Edge {
        Edge(1 << 63 | i as u64)
    }

    fn key(k: &str) -> Edge {
        static SEED: std::sync::OnceLock<foldhash::quality::RandomState> =
            std::sync::OnceLock::new();
        let seed = SEED.get_or_init(foldhash::quality::RandomState::default);
        Edge(std::hash::BuildHasher::hash_one(seed, k) >> 1)
    }
}

impl PosIndex {
    /// Position of the value at `path` (the item itself for a sequence item).
    pub fn value(&self, path: &str) -> Option<Pos> {
        self.exact(path).map(|n| n.value)
    }

    /// Position of the key naming the value at `path`.
    pub fn key(&self, path: &str) -> Option<Pos> {
        self.exact(path).map(|n| n.key)
    }

    /// Position of the value at `path`, or of its nearest ancestor that exists.
    pub fn nearest(&self, path: &str) -> Pos {
        self.walk(path).0.map_or(self.start, |n| n.value)
    }

    /// Position of the key naming `path`, or of the key naming its nearest existing
    /// ancestor: a missing field is reported where its parent is named.
    pub fn nearest_key(&self, path: &str) -> Pos {
        self.walk(path).0.map_or(self.start, |n| n.key)
    }

    fn exact(&self, path: &str) -> Option<NodePos> {
        match self.walk(path) {
            // A path that stopped parsing early is not found either.
            (node, true) if self.path_parses(path) => node,
            _ => None,
        }
    }

    /// The deepest node on `path` that exists, and whether that is the whole path.
    fn walk(&self, path: &str) -> (Option<NodePos>, bool) {
        let Some(mut id) = self.root else {
            return (None, false);
        };
        let mut whole = true;
        for seg in path::segments(path) {
            match self.tree.children.get(&(id, Edge::of(&seg))) {
                Some(&child) => id = child,
                None => {
                    whole = false;
                    break;
                }
            }
        }
        let (key, value) = self.tree.nodes[id as usize];
        (
            Some(NodePos {
                key: key.into(),
                value: value.into(),
            }),
            whole,
        )
    }

    fn path_parses(&self, path: &str) -> bool {
        format_path(&path::segments(path).collect::<Vec<_>>()) == path
    }

    /// The index of the part of the document at `path` (an item of a `List`), with
    /// positions looked up from that part's root; `None` when there is no such node.
    /// Its YAML 1.1 readings are left behind: they are applied to the whole document.
    pub fn subtree(&self, path: &[Seg]) -> Option<PosIndex> {
        let mut id = self.root?;
        for seg in path {
            id = *self.tree.children.get(&(id, Edge::of(seg)))?;
        }
        Some(PosIndex {
            tree: Arc::clone(&self.tree),
            root: Some(id),
            start: self.tree.nodes[id as usize].1.into(),
            yaml11: Vec::new(),
        })
    }
}

/// A [`PosIndex`] while its document is read.
#[derive(Default)]
struct Building {
    tree: Tree,
    root: Option<NodeId>,
    start: Pos,
    yaml11: Vec<(Vec<Seg>, Resolved)>,
    /// Each anchored value node by anchor id: its path and the range of `yaml11`
    /// holding the readings under it (open-ended while the node is read).
    anchors: HashMap<usize, (Vec<Seg>, usize, Option<usize>)>,
    /// Anchored mappings and sequences being read: (nesting depth, anchor id).
    open: Vec<(usize, usize)>,
}

impl Building {
    /// Add a node under `parent` (the root when `None`).
    fn add(&mut self, parent: Option<(NodeId, Edge)>, key: Pos, value: Pos) -> NodeId {
        let id = NodeId::try_from(self.tree.nodes.len()).unwrap_or(NodeId::MAX);
        self.tree.nodes.push((key.into(), value.into()));
        match parent {
            Some(edge) => {
                self.tree.children.insert(edge, id);
            }
            None => self.root = Some(id),
        }
        id
    }

    fn finish(self) -> PosIndex {
        PosIndex {
            tree: Arc::new(self.tree),
            root: self.root,
            start: self.start,
            yaml11: self.yaml11,
        }
    }
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

/// Build one index per document of `text`. A syntax error, nesting deeper than
/// [`MAX_DEPTH`] or a document longer than [`MAX_DOCUMENT_BYTES`] is returned with its
/// position. [`Documents`] yields them one at a time.
pub fn index_documents(text: &str) -> Result<Vec<PosIndex>, ReadError> {
    Documents::new(text).collect()
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
    fn a_document_past_the_limit_is_an_error_at_its_start_before_any_document() {
        let text = format!("a: 1\n---\nb: [{}]\n---\nc: 1\n", "x, ".repeat(50));
        let mut docs = Documents::with_max_bytes(&text, 100);
        let e = docs.next().unwrap().unwrap_err();
        assert!(e.too_large);
        assert_eq!(e.pos, Pos::new(2, 1), "its `---`");
        assert!(e.message.contains("larger than 100 bytes"), "{}", e.message);
        assert!(docs.next().is_none(), "nothing after the error");
        // Each document is measured from its own marker: three of 60 bytes pass.
        let small = format!("b: [{}]\n", "x, ".repeat(18));
        let text = [small.as_str(); 3].join("---\n");
        let read = Documents::with_max_bytes(&text, 100).filter(Result::is_ok);
        assert_eq!(read.count(), 3);
    }

    #[test]
    fn documents_are_measured_between_marker_lines_of_any_line_break() {
        let long = "x".repeat(60);
        let over = |text: &str| events::oversized(text, 100);
        // One 200-byte line of JSON: no marker, the whole text is one document.
        assert_eq!(over(&format!("{{\"a\": \"{long}{long}{long}\"}}")), Some(0));
        // `---`, `--- value` and `...` end documents, after LF, CRLF or CR.
        for br in ["\n", "\r\n", "\r"] {
            let text =
                format!("a: {long}{br}---{br}b: {long}{br}--- c{br}d: {long}{br}...{br}e: 1{br}");
            assert_eq!(over(&text), None, "{text:?}");
        }
        // `----`, `---x` and an indented `---` are not markers.
        for not in ["----", "---x", " ---"] {
            let text = format!("a: {long}\n{not}\nb: {long}\n");
            assert_eq!(over(&text), Some(0), "{not}");
        }
        // Indentation does not count: 160 bytes of which 120 are leading spaces.
        let text = format!("a:\n{}b: 1\n{}c: 2\n", " ".repeat(60), " ".repeat(60));
        assert_eq!(over(&text), None);
        // The second document is too long: its `---` line is where it starts.
        let text = format!("a: 1\n---\nb: {long}{long}\n");
        assert_eq!(over(&text), Some(5));
    }

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
        assert!(err.pos.line >= 1, "{err:?}");
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
    fn unusual_keys_and_the_root_are_found() {
        let docs = index_documents("a.b/c: {x: 1}\n\"\": [2]\n").unwrap();
        let d = &docs[0];
        assert_eq!(d.value("[\"a.b/c\"].x"), Some(Pos::new(1, 12)));
        assert_eq!(d.value("[\"\"][0]"), Some(Pos::new(2, 6)));
        assert_eq!(d.value(""), Some(Pos::new(1, 1)));
        assert_eq!(d.nearest("[\"a.b/c\"].y.z"), Pos::new(1, 8));
        assert_eq!(d.value("[\"a.b/c\"].y"), None);
        assert_eq!(
            d.value("[\"a.b/c\"][x"),
            None,
            "a malformed path is not found"
        );
    }

    #[test]
    fn yaml_1_1_readings_of_plain_values_are_noted_with_their_paths() {
        let docs =
            index_documents("a:\n  b: [on, \"yes\", x]\n  c: {d: 0644}\nyes: 1\ne: !!str off\n")
                .unwrap();
        let key = |k: &str| Seg::Key(k.into());
        assert_eq!(
            docs[0].yaml11,
            [
                (
                    vec![key("a"), key("b"), Seg::Index(0)],
                    Resolved::Bool(true)
                ),
                (vec![key("a"), key("c"), key("d")], Resolved::Int(0o644)),
            ]
        );
        assert_eq!(Resolved::of("0"), None, "plain zero is the same in both");
        let aliased =
            index_documents("a: &x {b: on}\nc: *x\nd: &y off\ne: [*y]\nf: &z 1\ng: *z\n").unwrap();
        let paths: Vec<String> = aliased[0]
            .yaml11
            .iter()
            .map(|(p, _)| format_path(p))
            .collect();
        assert_eq!(paths, ["a.b", "c.b", "d", "e[0]"]);
        assert_eq!(Resolved::of("0x1f"), None);
        assert_eq!(Resolved::of("OFF"), Some(Resolved::Bool(false)));
    }

    #[test]
    fn later_duplicate_keys_win() {
        let docs = index_documents("a: 1\na: 2\n").unwrap();
        assert_eq!(docs[0].value("a"), Some(Pos::new(2, 4)));
    }

    #[test]
    fn nesting_is_capped_before_the_parser_limit() {
        let ok = format!("{}x{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        let docs = index_documents(&ok).unwrap();
        let deepest = "[0]".repeat(MAX_DEPTH - 1);
        assert_eq!(docs[0].value(&deepest), Some(Pos::new(1, MAX_DEPTH)));
        for deep in [
            "- ".repeat(1000) + "x",
            "[".repeat(1000),
            "{a: ".repeat(1000),
            (0..200)
                .map(|i| format!("{}k:\n", "  ".repeat(i)))
                .collect(),
        ] {
            let ReadError { pos, message, .. } = index_documents(&deep).unwrap_err();
            // Flow collections may hit the scanner's own limit first, which is as early.
            assert!(
                message.contains("deeper than 100 levels") || message.contains("recursion limit"),
                "{message}"
            );
            assert!(
                pos.line <= MAX_DEPTH + 1,
                "stops at the first too-deep node"
            );
        }
    }

    #[test]
    fn deep_and_wide_documents_are_indexed() {
        // 25,000 siblings at depth 99 (2.7 MB, under the document limit): one node and
        // one edge each.
        let prefix: String = (0..99).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let items: String = (0..25_000)
            .map(|i| format!("{}v{i}: 1\n", " ".repeat(99)))
            .collect();
        let docs = index_documents(&(prefix + &items)).unwrap();
        let path = format!("{}.v24999", vec!["k"; 99].join("."));
        assert_eq!(docs[0].value(&path), Some(Pos::new(25_099, 108)));
        assert_eq!(docs[0].tree.nodes.len(), 1 + 99 + 25_000);
    }
}
