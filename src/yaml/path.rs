//! Field paths as every message of kubeward shows them
//! (`spec.containers[0].env[1]`, `metadata.labels["app.kubernetes.io/name"]`): formatting
//! a path from segments, and reading one back segment by segment for a lookup.

use super::Seg;

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

/// The segments of a formatted path, in order; stops at the first one that does not
/// parse (a lookup then treats the rest as missing).
pub fn segments(path: &str) -> impl Iterator<Item = Seg> + '_ {
    let mut rest = path;
    let mut first = true;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (seg, after) = next_segment(rest, first)?;
        first = false;
        rest = after;
        Some(seg)
    })
}

/// One segment from the start of `rest`: `.key` (or `key` first), `[3]` or `["k"]`.
fn next_segment(rest: &str, first: bool) -> Option<(Seg, &str)> {
    if let Some(inner) = rest.strip_prefix('[') {
        if inner.starts_with('"') {
            let mut strings = serde_json::Deserializer::from_str(inner).into_iter::<String>();
            let key = strings.next()?.ok()?;
            let after = inner[strings.byte_offset()..].strip_prefix(']')?;
            return Some((Seg::Key(key), after));
        }
        let end = inner.find(']')?;
        let index = inner[..end].parse().ok()?;
        return Some((Seg::Index(index), &inner[end + 1..]));
    }
    let key = match rest.strip_prefix('.') {
        Some(k) => k,
        None if first => rest,
        None => return None,
    };
    let end = key.find(['.', '[']).unwrap_or(key.len());
    if end == 0 {
        return None;
    }
    Some((Seg::Key(key[..end].to_string()), &key[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> Seg {
        Seg::Key(k.into())
    }

    #[test]
    fn paths_quote_unusual_keys() {
        let p = [key("metadata"), key("labels"), key("a.b/c")];
        assert_eq!(format_path(&p), "metadata.labels[\"a.b/c\"]");
    }

    #[test]
    fn formatted_paths_read_back() {
        for segs in [
            vec![],
            vec![key("a")],
            vec![key("spec"), key("containers"), Seg::Index(0), key("env")],
            vec![key("a.b/c"), key("x"), key("\"]["), Seg::Index(12)],
            vec![Seg::Index(3), key("")],
            vec![key("metadata"), key("0"), Seg::Index(0)],
        ] {
            let text = format_path(&segs);
            assert_eq!(segments(&text).collect::<Vec<_>>(), segs, "{text}");
        }
    }

    #[test]
    fn malformed_paths_stop_early() {
        assert_eq!(segments("a[x].b").collect::<Vec<_>>(), [key("a")]);
        assert_eq!(segments("a..b").collect::<Vec<_>>(), [key("a")]);
        assert_eq!(segments("a[\"open").collect::<Vec<_>>(), [key("a")]);
    }
}
