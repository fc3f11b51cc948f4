//! Manifest documents: a multi-document YAML text split into objects with positions,
//! read as Kubernetes reads them (see [`super::reading`]), a `List` split into its items.

use serde::Deserialize;

use crate::diag::Pos;
use crate::yaml::{Documents, PosIndex, ReadError, pos_at};

use super::reading;

/// One YAML document of a manifest file.
#[derive(Debug, Clone)]
pub struct Document {
    pub file: String,
    /// 0-based position of the document in its file.
    pub index: usize,
    /// For an item of a `List`: its index in `items`.
    pub item: Option<usize>,
    pub value: serde_yaml::Value,
    pub pos: PosIndex,
    /// apiVersion, kind, name and namespace, read once: the cross-object rules ask for
    /// them of every document many times.
    ident: Ident,
}

#[derive(Debug, Clone, Default)]
struct Ident {
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
}

fn field(value: &serde_yaml::Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for k in path {
        v = v.get(*k)?;
    }
    v.as_str().map(str::to_string)
}

impl Document {
    /// A document of `file` (its `index`-th) with its value and positions.
    pub fn new(file: &str, index: usize, value: serde_yaml::Value, pos: PosIndex) -> Self {
        let ident = Ident {
            api_version: field(&value, &["apiVersion"]).unwrap_or_default(),
            kind: field(&value, &["kind"]).unwrap_or_default(),
            name: field(&value, &["metadata", "name"]).unwrap_or_default(),
            namespace: field(&value, &["metadata", "namespace"]),
        };
        Document {
            file: file.into(),
            index,
            item: None,
            value,
            pos,
            ident,
        }
    }

    /// The document read as `api_version` (a removed version read as its replacement).
    pub fn read_as(mut self, api_version: &str) -> Self {
        if let serde_yaml::Value::Mapping(m) = &mut self.value {
            m.insert("apiVersion".into(), api_version.into());
        }
        self.ident.api_version = api_version.to_string();
        self
    }

    pub fn api_version(&self) -> &str {
        &self.ident.api_version
    }

    pub fn kind(&self) -> &str {
        &self.ident.kind
    }

    pub fn name(&self) -> &str {
        &self.ident.name
    }

    pub fn namespace(&self) -> Option<&str> {
        self.ident.namespace.as_deref()
    }

    /// `Kind namespace/name` (or `Kind name`) for messages; an item of a `List` without
    /// a name is `Kind items[3]`.
    pub fn describe(&self) -> String {
        match (self.namespace(), self.name()) {
            (_, "") => match self.item {
                Some(i) => format!("{} items[{i}]", self.kind()),
                None => self.kind().to_string(),
            },
            (Some(ns), name) => format!("{} {ns}/{name}", self.kind()),
            (None, name) => format!("{} {name}", self.kind()),
        }
    }

    /// Whether this looks like a Kubernetes object at all.
    pub fn is_kubernetes(&self) -> bool {
        !self.api_version().is_empty() && !self.kind().is_empty()
    }

    /// Position of the value at `path`, or of its nearest ancestor.
    pub fn position(&self, path: &str) -> Pos {
        self.pos.nearest(path)
    }

    /// Position of the key naming `path` when it exists, else of the nearest ancestor.
    pub fn key_position(&self, path: &str) -> Pos {
        self.pos.nearest_key(path)
    }
}

/// A file that is not YAML at all, or holds a document too large to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub file: String,
    pub pos: Pos,
    pub message: String,
    /// A document longer than [`crate::yaml::MAX_DOCUMENT_BYTES`], not a syntax error.
    pub too_large: bool,
}

impl SyntaxError {
    /// The error as one sentence: `not valid YAML: …`, or the size message as it is.
    pub fn headline(&self) -> String {
        if self.too_large {
            self.message.clone()
        } else {
            format!("not valid YAML: {}", self.message)
        }
    }
}

/// Split a file's text into its non-empty documents, one document at a time: the text
/// of the next document is read once the previous one is checked in, so empty documents
/// and positions of documents left out cost nothing. A syntax error anywhere in the file
/// is reported rather than a later reading error, as if the whole file were read first.
pub fn parse_documents(file: &str, text: &str) -> Result<Vec<Document>, SyntaxError> {
    let mut docs = Vec::new();
    read_documents(file, text, |d| docs.push(d))?;
    Ok(docs)
}

/// [`parse_documents`], handing each document to `each` as soon as it is read (a caller
/// that keeps some of them holds no second list). On an error, the documents already
/// handed over are the file's first ones; the caller decides what becomes of them.
pub fn read_documents(
    file: &str,
    text: &str,
    mut each: impl FnMut(Document),
) -> Result<(), SyntaxError> {
    let syntax = |e: ReadError| SyntaxError {
        file: file.into(),
        pos: e.pos,
        message: e.message,
        too_large: e.too_large,
    };
    let mut docs = Documents::new(text).with_values().peekable();
    if docs.peek().is_none() {
        // The event parser lets some invalid text through (control characters in a
        // comment); the deserializer does not: report its error instead of "no documents".
        if let Some(Err(e)) = serde_yaml::Deserializer::from_str(text)
            .next()
            .map(serde_yaml::Value::deserialize)
        {
            return Err(SyntaxError {
                file: file.into(),
                pos: e
                    .location()
                    .map_or(Pos::new(1, 1), |l| pos_at(text, l.index())),
                message: e.to_string(),
                too_large: false,
            });
        }
    }
    let mut i = 0;
    while let Some(doc) = docs.next() {
        let (value, pos) = doc.map_err(syntax)?;
        if let Err(message) = read(file, i, value, pos, &mut each) {
            // The parser's error of a later document comes first.
            return Err(docs.find_map(Result::err).map_or(message, syntax));
        }
        i += 1;
    }
    Ok(())
}

/// [`read_documents`] of a file already read into its documents (every one, empty ones
/// included, in order, as [`crate::yaml::Values`] yields them).
pub fn read_parsed(
    file: &str,
    documents: Vec<(serde_yaml::Value, PosIndex)>,
    mut each: impl FnMut(Document),
) -> Result<(), SyntaxError> {
    for (i, (value, pos)) in documents.into_iter().enumerate() {
        read(file, i, value, pos, &mut each)?;
    }
    Ok(())
}

/// Hand the `i`-th document of a file to `each`, read as Kubernetes reads it (its items
/// for a `List`, nothing when it is empty).
fn read(
    file: &str,
    i: usize,
    mut value: serde_yaml::Value,
    pos: PosIndex,
    each: &mut impl FnMut(Document),
) -> Result<(), SyntaxError> {
    reading::as_kubernetes(&mut value, &pos).map_err(|message| SyntaxError {
        file: file.into(),
        pos: pos.start,
        message,
        too_large: false,
    })?;
    if let Some(items) = reading::list_items(&mut value, &pos) {
        for (n, (item, index)) in items.into_iter().enumerate() {
            let mut doc = Document::new(file, i, item, index);
            doc.item = Some(n);
            each(doc);
        }
    } else if !value.is_null() {
        each(Document::new(file, i, value, pos));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_documents_and_keeps_positions() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: b\n  namespace: a\n";
        let docs = parse_documents("f.yaml", text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].index, 2);
        assert_eq!(docs[1].describe(), "ServiceAccount a/b");
        assert_eq!(docs[1].position("metadata.name"), Pos::new(10, 9));
    }

    #[test]
    fn syntax_errors_are_reported() {
        let e = parse_documents("f.yaml", "a: [\n").unwrap_err();
        assert_eq!(e.file, "f.yaml");
    }

    #[test]
    fn a_control_character_in_a_comment_is_a_syntax_error_not_a_hang() {
        // Found by the fuzzer: `check` looped forever on this input.
        let e = parse_documents("f.yaml", "# a \u{1}\u{1}").unwrap_err();
        assert!(e.message.contains("control characters"), "{}", e.message);
        assert!(parse_documents("f.yaml", "# \u{1}").is_err());
    }
}
