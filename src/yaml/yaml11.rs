//! YAML 1.1 readings, which Kubernetes uses: a plain scalar that YAML 1.1 reads as a
//! boolean or an octal integer where YAML 1.2 reads a string, and the bookkeeping that
//! carries such readings through anchors and aliases while a document is indexed.

use super::frame::{Frame, value_path};
use super::{Building, Seg};

/// A YAML 1.1 reading of a plain scalar that differs from the YAML 1.2 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// `yes`, `on`, `y`… and `no`, `off`, `n`…
    Bool(bool),
    /// An octal literal with a leading zero: `0755` is 493.
    Int(i64),
}

impl Resolved {
    /// How YAML 1.1 reads `plain` when YAML 1.2 reads it as a string.
    pub fn of(plain: &str) -> Option<Resolved> {
        match plain {
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => {
                return Some(Resolved::Bool(true));
            }
            "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => {
                return Some(Resolved::Bool(false));
            }
            _ => {}
        }
        let (sign, digits) = match plain.strip_prefix('-') {
            Some(rest) => (-1, rest),
            None => (1, plain.strip_prefix('+').unwrap_or(plain)),
        };
        let octal = digits.strip_prefix('0')?;
        if octal.is_empty() || !octal.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
            return None;
        }
        i64::from_str_radix(octal, 8)
            .ok()
            .map(|n| Resolved::Int(sign * n))
    }
}

/// YAML 1.1 readings copied through aliases stop here: an alias bomb is refused by the
/// YAML reader anyway, and no real manifest comes near.
const MAX_ALIASED_READINGS: usize = 100_000;

impl Building {
    /// Remember where an anchored value node is (id 0 is no anchor); `depth` is the
    /// nesting depth of a mapping or sequence, `None` for a scalar (whose reading, if
    /// any, is pushed right after).
    pub(super) fn anchor(&mut self, id: usize, stack: &[Frame], depth: Option<usize>) {
        if id == 0 {
            return;
        }
        let Some(path) = value_path(stack) else {
            return;
        };
        let start = self.yaml11.len();
        match depth {
            Some(d) => {
                self.open.push((d, id));
                self.anchors.insert(id, (path, start, None));
            }
            None => {
                self.anchors.insert(id, (path, start, Some(start + 1)));
            }
        }
    }

    /// A mapping or sequence at `depth` ends: close its anchor's range.
    pub(super) fn close(&mut self, depth: usize) {
        if self.open.last().is_some_and(|(d, _)| *d == depth)
            && let Some((_, id)) = self.open.pop()
            && let Some(anchor) = self.anchors.get_mut(&id)
        {
            anchor.2 = Some(self.yaml11.len());
        }
    }

    /// An alias repeats its anchor's value here: so are the YAML 1.1 readings under it.
    pub(super) fn alias(&mut self, id: usize, stack: &[Frame]) {
        let (Some((from, start, end)), Some(to)) = (self.anchors.get(&id), value_path(stack))
        else {
            return;
        };
        let end = end.unwrap_or(self.yaml11.len()).min(self.yaml11.len());
        let copies: Vec<(Vec<Seg>, Resolved)> = self.yaml11[(*start).min(end)..end]
            .iter()
            .filter_map(|(p, r)| {
                Some((
                    [to.as_slice(), p.strip_prefix(from.as_slice())?].concat(),
                    *r,
                ))
            })
            .take(MAX_ALIASED_READINGS.saturating_sub(self.yaml11.len()))
            .collect();
        self.yaml11.extend(copies);
    }
}
