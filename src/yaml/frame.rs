//! The event walker's stack of open collections, and the document path it spells.

use crate::diag::Pos;

use super::{NodeId, Seg};

/// One open collection of the walk (or a skipped complex key).
pub(super) enum Frame {
    Map {
        node: NodeId,
        key: Option<(String, Pos)>,
    },
    Seq {
        node: NodeId,
        next: usize,
    },
    /// A complex (non-scalar) mapping key that we do not index; counts nesting depth.
    Skip(usize),
}

/// The path of the value node about to be added, or `None` for a mapping key (keys
/// stay as they are; a node inside a complex key is not a value of the document).
pub(super) fn value_path(stack: &[Frame]) -> Option<Vec<Seg>> {
    let mut path = Vec::with_capacity(stack.len());
    for frame in stack {
        match frame {
            Frame::Map {
                key: Some((k, _)), ..
            } => path.push(Seg::Key(k.clone())),
            Frame::Seq { next, .. } => path.push(Seg::Index(*next)),
            Frame::Map { key: None, .. } | Frame::Skip(_) => return None,
        }
    }
    Some(path)
}
