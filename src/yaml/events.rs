//! Walking the YAML events of a text into one [`PosIndex`] per document.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput};

use crate::diag::Pos;

use serde_yaml::Value;

use super::frame::{Frame, value_path};
use super::value::Builder;
use super::yaml11::Resolved;
use super::{Building, Edge, MAX_DEPTH, MAX_DOCUMENT_BYTES, PosIndex, ReadError, pos_at};

/// The indexes of the documents of `text`, each yielded when its document ends: a
/// caller that handles one document at a time holds one index at a time (a file of a
/// million empty documents costs no more than one). A text holding a document longer
/// than [`MAX_DOCUMENT_BYTES`] yields that error first, before any parsing (see
/// [`oversized`]). After an error, nothing more.
pub struct Documents<'a> {
    parser: Parser<'a, StrInput<'a>>,
    stack: Vec<Frame>,
    cur: Building,
    depth: usize,
    failed: bool,
    /// The error of a document over the size limit, yielded first.
    oversized: Option<ReadError>,
    /// Builds each document's value too ([`Documents::with_values`]).
    values: Option<Builder>,
}

/// [`Documents`] with each document's value, built from the same events.
pub struct Values<'a>(Documents<'a>);

impl Iterator for Values<'_> {
    type Item = Result<(Value, PosIndex), ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        let index = self.0.next()?;
        let value = self.0.values.as_mut().and_then(|b| b.done.take());
        Some(index.map(|index| (value.unwrap_or(Value::Null), index)))
    }
}

impl<'a> Documents<'a> {
    pub fn new(text: &'a str) -> Self {
        Self::with_max_bytes(text, MAX_DOCUMENT_BYTES)
    }

    /// The same with another document size limit (tests use small ones).
    pub(crate) fn with_max_bytes(text: &'a str, max: usize) -> Self {
        let oversized = oversized(text, max).map(|start| ReadError {
            pos: pos_at(text, start),
            message: format!(
                "the document is larger than {} (not counting indentation): the API server refuses a request body over 3 MiB (and etcd stores at most 1.5 MiB an object), so it cannot be applied; nothing in this file is read",
                size_text(max)
            ),
            too_large: true,
        });
        Documents {
            parser: Parser::new_from_str(text),
            stack: Vec::new(),
            cur: Building::default(),
            depth: 0,
            failed: false,
            oversized,
            values: None,
        }
    }

    /// The same, also building each document's value: one parse for both.
    pub fn with_values(mut self) -> Values<'a> {
        self.values = Some(Builder::default());
        Values(self)
    }

    /// Take one event; the finished index when it ends a document.
    fn event(&mut self, event: Event<'_>, pos: Pos) -> Result<Option<PosIndex>, ReadError> {
        let done = self.index(&event, pos)?;
        if let Some(values) = &mut self.values {
            values
                .take(event, pos)
                .map_err(|(pos, message)| ReadError::syntax(pos, message))?;
        }
        Ok(done)
    }

    /// The index's part of [`Self::event`].
    fn index(&mut self, event: &Event<'_>, pos: Pos) -> Result<Option<PosIndex>, ReadError> {
        let (stack, cur) = (&mut self.stack, &mut self.cur);
        match event {
            Event::DocumentStart(_) => {
                *cur = Building {
                    start: pos,
                    ..Building::default()
                };
                stack.clear();
                self.depth = 0;
            }
            Event::DocumentEnd => return Ok(Some(std::mem::take(cur).finish())),
            Event::Scalar(value, style, anchor, tag) => {
                cur.anchor(*anchor, stack, None);
                if *style == ScalarStyle::Plain
                    && tag.is_none()
                    && let Some(r) = Resolved::of(value)
                    && let Some(path) = value_path(stack)
                {
                    cur.yaml11.push((path, r));
                }
                node(stack, cur, pos, Some(value), None)
            }
            Event::Alias(id) => {
                cur.alias(*id, stack);
                node(stack, cur, pos, None, None)
            }
            Event::MappingStart(anchor, _) | Event::SequenceStart(anchor, _) => {
                self.depth += 1;
                if self.depth > MAX_DEPTH {
                    return Err(ReadError::syntax(pos, too_deep()));
                }
                cur.anchor(*anchor, stack, Some(self.depth));
                let map = matches!(event, Event::MappingStart(..));
                node(stack, cur, pos, None, Some(map));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                cur.close(self.depth);
                self.depth = self.depth.saturating_sub(1);
                match stack.pop() {
                    Some(Frame::Skip(d)) if d > 1 => stack.push(Frame::Skip(d - 1)),
                    // a complex key ended: its value follows, under a path no lookup uses
                    Some(Frame::Skip(_)) => {
                        if let Some(Frame::Map { key, .. }) = stack.last_mut() {
                            *key = Some(("?".into(), pos));
                        }
                    }
                    _ => finish_value(stack),
                }
            }
            _ => {}
        }
        Ok(None)
    }
}

impl Iterator for Documents<'_> {
    type Item = Result<PosIndex, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        if let Some(e) = self.oversized.take() {
            self.failed = true;
            return Some(Err(e));
        }
        while let Some(item) = self.parser.next() {
            let step = item
                .map_err(scan_error)
                .and_then(|(event, span)| self.event(event, to_pos(&span)));
            match step {
                Ok(Some(index)) => return Some(Ok(index)),
                Ok(None) => {}
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

fn to_pos(span: &Span) -> Pos {
    Pos::new(span.start.line(), span.start.col() + 1)
}

fn too_deep() -> String {
    format!(
        "the document nests mappings and lists deeper than {MAX_DEPTH} levels, which kubeward does not read"
    )
}

fn scan_error(e: ScanError) -> ReadError {
    let m = e.marker();
    ReadError::syntax(Pos::new(m.line(), m.col() + 1), e.info().to_string())
}

/// `3 MiB` for the default limit, a count of bytes for others.
fn size_text(bytes: usize) -> String {
    if bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The byte offset where the first document of `text` longer than `max` bytes starts,
/// not counting the indentation of its lines (which the JSON that `kubectl` sends
/// leaves out). Documents are measured between marker lines (`---` or `...` at the
/// start of a line, which end a document whatever it holds), by a scan of the bytes
/// before any parser sees them: a parser holds a flow collection's tokens until it
/// closes, so a one-line 10 MB JSON document would cost hundreds of MB before its
/// first event.
pub(super) fn oversized(text: &str, max: usize) -> Option<usize> {
    if text.len() <= max {
        return None;
    }
    let bytes = text.as_bytes();
    let (mut start, mut size, mut line) = (0, 0, 0);
    while line < bytes.len() {
        let rest = &bytes[line..];
        if is_marker(rest) {
            if size > max {
                return Some(start);
            }
            (start, size) = (line, 0);
        }
        let end = rest
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(rest.len(), |e| e + 1);
        let indent = rest[..end].iter().take_while(|&&b| b == b' ').count();
        size += end - indent;
        line += end;
    }
    (size > max).then_some(start)
}

/// Whether a line starts with a document marker: `---` or `...` followed by a blank or
/// the end of the line.
fn is_marker(line: &[u8]) -> bool {
    (line.starts_with(b"---") || line.starts_with(b"..."))
        && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
}

/// Handle one node event. `container` is `Some(true)` for a mapping start, `Some(false)`
/// for a sequence start, `None` for a scalar or alias.
fn node(
    stack: &mut Vec<Frame>,
    idx: &mut Building,
    pos: Pos,
    scalar: Option<&str>,
    container: Option<bool>,
) {
    let (edge, key_pos) = match stack.last_mut() {
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
        Some(Frame::Map { node, key }) => {
            // The key stays until the value ends: a YAML 1.1 reading below needs its path.
            let (k, kpos) = key
                .as_ref()
                .map_or(("", Pos::default()), |(k, p)| (k.as_str(), *p));
            (Some((*node, Edge::key(k))), kpos)
        }
        Some(Frame::Seq { node, next }) => (Some((*node, Edge::index(*next))), pos),
        None => (None, pos),
    };
    let id = idx.add(edge, key_pos, pos);
    match container {
        Some(true) => stack.push(Frame::Map {
            node: id,
            key: None,
        }),
        Some(false) => stack.push(Frame::Seq { node: id, next: 0 }),
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
