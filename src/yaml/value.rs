//! The value of a YAML document, built from the same events as its position index, so
//! that a document is parsed once (issue #16). Scalars resolve as serde_yaml resolves
//! them (the YAML 1.2 core schema; `tests::agrees_with_serde_yaml` compares the two);
//! the YAML 1.1 readings Kubernetes adds are applied later, from the index's list.

use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, Tag};

use crate::diag::Pos;

use super::{Seg, format_path};
use serde_yaml::mapping::Entry;
use serde_yaml::value::{Tag as ValueTag, TaggedValue};
use serde_yaml::{Mapping, Value};

/// The most nodes that aliases may repeat in one document: far above any manifest's
/// anchors, far below what an alias bomb (`&a [*b, *b, …]` nested) asks for.
pub const MAX_ALIASED_NODES: usize = 250_000;

/// A mapping or sequence being read.
enum Open {
    Seq(Vec<Value>),
    /// The entries so far and the key read whose value comes next, with its position.
    Map(Mapping, Option<(Value, Pos)>),
}

struct Frame {
    open: Open,
    anchor: usize,
    /// A local tag (`!foo`) that makes the value a [`Value::Tagged`].
    tag: Option<String>,
    /// Nodes in the document when this one started (to size an anchored value).
    nodes_before: usize,
}

/// Builds one [`Value`] per document from parser events.
#[derive(Default)]
pub(super) struct Builder {
    stack: Vec<Frame>,
    /// Each anchored value read so far and its node count.
    anchors: HashMap<usize, (Value, usize)>,
    nodes: usize,
    aliased: usize,
    /// The value of the document that ended last.
    pub done: Option<Value>,
}

impl Builder {
    /// Take one event, which starts at `pos`; an error is where and what is wrong.
    pub fn take(&mut self, event: Event<'_>, pos: Pos) -> Result<(), (Pos, String)> {
        let fail = |message: String| (pos, message);
        match event {
            Event::DocumentStart(_) => {
                *self = Builder::default();
            }
            Event::DocumentEnd => {
                self.done = Some(std::mem::take(&mut self.done).unwrap_or(Value::Null));
                self.anchors.clear();
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.nodes += 1;
                // The parser's strings keep room to grow (32 bytes at least): a
                // document's values are kept, so each takes only what it holds.
                let mut text = text.into_owned();
                text.shrink_to_fit();
                let value = scalar(text, style, tag.as_deref()).map_err(fail)?;
                if anchor != 0 {
                    self.anchors.insert(anchor, (value.clone(), 1));
                }
                self.add(value, pos)?;
            }
            Event::Alias(id) => {
                let Some((value, size)) = self.anchors.get(&id) else {
                    return Err(fail(
                        "an alias refers to the anchor of a node that contains it".into(),
                    ));
                };
                self.aliased += size;
                if self.aliased > MAX_ALIASED_NODES {
                    return Err(fail(format!(
                        "aliases repeat more than {MAX_ALIASED_NODES} nodes of the document (an alias bomb?), which kubeward does not read"
                    )));
                }
                self.nodes += size;
                let value = value.clone();
                self.add(value, pos)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                self.nodes += 1;
                let open = if matches!(event, Event::MappingStart(..)) {
                    Open::Map(Mapping::new(), None)
                } else {
                    Open::Seq(Vec::new())
                };
                self.stack.push(Frame {
                    open,
                    anchor,
                    tag: tag.as_deref().and_then(local_tag),
                    nodes_before: self.nodes - 1,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let value = match frame.open {
                    Open::Seq(items) => Value::Sequence(items),
                    Open::Map(map, _) => Value::Mapping(map),
                };
                let value = tagged(value, frame.tag);
                if frame.anchor != 0 {
                    let size = self.nodes - frame.nodes_before;
                    self.anchors.insert(frame.anchor, (value.clone(), size));
                }
                self.add(value, pos)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Put a complete value where it belongs: the document's root, the next item of a
    /// sequence, a mapping's next key (which starts at `pos`) or the value of the key
    /// read before it. A key repeated in one mapping is an error at the second one.
    fn add(&mut self, value: Value, pos: Pos) -> Result<(), (Pos, String)> {
        let Some(frame) = self.stack.last_mut() else {
            self.done = Some(value);
            return Ok(());
        };
        let repeated = match &mut frame.open {
            Open::Seq(items) => {
                items.push(value);
                None
            }
            Open::Map(_, key @ None) => {
                *key = Some((value, pos));
                None
            }
            Open::Map(map, key) => {
                let (k, at) = key.take().unwrap_or((Value::Null, pos));
                match map.entry(k) {
                    Entry::Vacant(e) => {
                        e.insert(value);
                        None
                    }
                    Entry::Occupied(e) => Some((at, duplicate(e.key()))),
                }
            }
        };
        match repeated {
            Some((at, message)) => Err((at, format!("{}{message}", self.path_prefix()))),
            None => Ok(()),
        }
    }

    /// `path: ` of the innermost mapping or sequence being read (nothing at the root),
    /// as serde_yaml starts its messages.
    fn path_prefix(&self) -> String {
        let outer = &self.stack[..self.stack.len().saturating_sub(1)];
        let segs: Vec<Seg> = outer
            .iter()
            .map(|f| match &f.open {
                Open::Seq(items) => Seg::Index(items.len()),
                Open::Map(_, Some((Value::String(k), _))) => Seg::Key(k.clone()),
                Open::Map(_, Some((Value::Number(n), _))) => Seg::Key(n.to_string()),
                Open::Map(_, Some((Value::Bool(b), _))) => Seg::Key(b.to_string()),
                Open::Map(..) => Seg::Key("?".into()),
            })
            .collect();
        if segs.is_empty() {
            String::new()
        } else {
            format!("{}: ", format_path(&segs))
        }
    }
}

/// The message serde_yaml gives for a key repeated in one mapping.
fn duplicate(key: &Value) -> String {
    match key {
        Value::Null => "duplicate entry with null key".into(),
        Value::Bool(b) => format!("duplicate entry with key `{b}`"),
        Value::Number(n) => format!("duplicate entry with key {n}"),
        Value::String(s) => format!("duplicate entry with key {s:?}"),
        _ => "duplicate entry in YAML map".into(),
    }
}

/// The tag of a [`Value::Tagged`] for a local tag (`!foo`, written `foo` as serde_yaml
/// does); `None` for the core schema's tags (`!!str`…) and verbatim ones, which only
/// choose how a scalar is read.
fn local_tag(tag: &Tag) -> Option<String> {
    let full = format!("{}{}", tag.handle, tag.suffix);
    let rest = full.strip_prefix('!')?;
    Some(if rest.is_empty() { full } else { rest.into() })
}

fn tagged(value: Value, tag: Option<String>) -> Value {
    match tag {
        Some(tag) => Value::Tagged(Box::new(TaggedValue {
            tag: ValueTag::new(tag),
            value,
        })),
        None => value,
    }
}

/// A scalar's value: a plain scalar resolved by the core schema, a quoted or block one a
/// string, a tagged one as its tag says.
fn scalar(text: String, style: ScalarStyle, tag: Option<&Tag>) -> Result<Value, String> {
    let Some(tag) = tag else {
        return Ok(if style == ScalarStyle::Plain {
            untagged(text)?
        } else {
            Value::String(text)
        });
    };
    if let Some(local) = local_tag(tag) {
        let value = if style == ScalarStyle::Plain {
            untagged(text)?
        } else {
            Value::String(text)
        };
        return Ok(tagged(value, Some(local)));
    }
    let core = if tag.is_yaml_core_schema() {
        tag.suffix.as_str()
    } else {
        ""
    };
    let wrong = |expected: &str| format!("invalid value: string {text:?}, expected {expected}");
    Ok(match core {
        "bool" => Value::Bool(bool_of(&text).ok_or_else(|| wrong("a boolean"))?),
        "int" => int_of(&text)?.ok_or_else(|| wrong("an integer"))?,
        "float" => Value::Number(float_of(&text).ok_or_else(|| wrong("a float"))?.into()),
        "null" if is_null(&text) => Value::Null,
        "null" => return Err(wrong("null")),
        _ => Value::String(text),
    })
}

/// A plain scalar by the core schema: null, a boolean, an integer, a float or a string.
fn untagged(text: String) -> Result<Value, String> {
    if text.is_empty() || is_null(&text) {
        return Ok(Value::Null);
    }
    if let Some(b) = bool_of(&text) {
        return Ok(Value::Bool(b));
    }
    if let Some(n) = int_of(&text)? {
        return Ok(n);
    }
    if !leading_zero_digits(&text)
        && let Some(f) = float_of(&text)
    {
        return Ok(Value::Number(f.into()));
    }
    Ok(Value::String(text))
}

fn is_null(text: &str) -> bool {
    matches!(text, "null" | "Null" | "NULL" | "~")
}

fn bool_of(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An integer (decimal, `0x`, `0o`, `0b`, signed): `Ok(None)` when `text` is none; an
/// error when it is one too large for 64 bits, which serde_yaml refuses too.
fn int_of(text: &str) -> Result<Option<Value>, String> {
    if !text
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'+' || b == b'-')
    {
        return Ok(None);
    }
    if let Some(n) = unsigned(text, u64::from_str_radix) {
        return Ok(Some(Value::Number(n.into())));
    }
    if let Some(n) = negative(text, i64::from_str_radix) {
        return Ok(Some(Value::Number(n.into())));
    }
    if unsigned(text, u128::from_str_radix).is_some()
        || negative(text, i128::from_str_radix).is_some()
    {
        return Err(format!(
            "the integer `{text}` does not fit in 64 bits, which kubeward does not read (quote it to make it a string)"
        ));
    }
    Ok(None)
}

type Radix<T> = fn(&str, u32) -> Result<T, std::num::ParseIntError>;

/// The digits after a base prefix, none of them a sign.
fn after<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    text.strip_prefix(prefix)
        .filter(|r| !r.starts_with(['+', '-']))
}

fn unsigned<T>(text: &str, parse: Radix<T>) -> Option<T> {
    let digits = text.strip_prefix('+').unwrap_or(text);
    for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] {
        if let Some(n) = after(digits, prefix).and_then(|r| parse(r, radix).ok()) {
            return Some(n);
        }
    }
    if digits.starts_with(['+', '-']) || leading_zero_digits(text) {
        return None;
    }
    parse(digits, 10).ok()
}

fn negative<T>(text: &str, parse: Radix<T>) -> Option<T> {
    for (prefix, radix) in [("-0x", 16), ("-0o", 8), ("-0b", 2)] {
        if let Some(r) = text.strip_prefix(prefix)
            && let Ok(n) = parse(&format!("-{r}"), radix)
        {
            return Some(n);
        }
    }
    if leading_zero_digits(text) {
        return None;
    }
    parse(text, 10).ok()
}

fn float_of(text: &str) -> Option<f64> {
    let unsigned = match text.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => text,
    };
    match (unsigned, text) {
        (".inf" | ".Inf" | ".INF", _) => return Some(f64::INFINITY),
        (_, "-.inf" | "-.Inf" | "-.INF") => return Some(f64::NEG_INFINITY),
        (_, ".nan" | ".NaN" | ".NAN") => return Some(f64::NAN.copysign(1.0)),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Digits with a leading zero (`0755`, `-08`): a string by YAML 1.2, not a number.
fn leading_zero_digits(text: &str) -> bool {
    let t = text.strip_prefix(['-', '+']).unwrap_or(text);
    t.len() > 1 && t.starts_with('0') && t[1..].bytes().all(|b| b.is_ascii_digit())
}
