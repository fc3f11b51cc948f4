//! Strict deserialization of one value into a k8s-openapi type: the paths of the keys the
//! type does not know (serde_ignored) and the path of the first wrong value
//! (serde_path_to_error), in kubeward's path format.

use serde::de::DeserializeOwned;

use crate::yaml::{Seg, format_path};

/// A strict check of a value: the paths of unknown fields, or the first type error
/// (path and message).
pub(super) type Check = fn(&serde_yaml::Value) -> Result<Vec<String>, (String, String)>;

/// The strict check of type `T`.
pub(super) fn typed<T: DeserializeOwned>(
    value: &serde_yaml::Value,
) -> Result<Vec<String>, (String, String)> {
    let mut unknown = Vec::new();
    let mut note = |p: serde_ignored::Path<'_>| unknown.push(ignored_path(&p));
    // Most documents are well typed: read them without tracking the path (which copies
    // every key), and only a document that fails again with the path of its error.
    match serde_ignored::deserialize::<_, _, T>(value, &mut note) {
        Ok(_) => Ok(unknown),
        Err(first) => Err(type_error::<T>(value).unwrap_or((String::new(), first.to_string()))),
    }
}

/// The path and message of the type error of a value that does not deserialize into `T`.
fn type_error<T: DeserializeOwned>(value: &serde_yaml::Value) -> Option<(String, String)> {
    let mut ignore = |_: serde_ignored::Path<'_>| {};
    let de = serde_ignored::Deserializer::new(value, &mut ignore);
    let e = serde_path_to_error::deserialize::<_, T>(de).err()?;
    Some((error_path(e.path()), e.into_inner().to_string()))
}

/// `serde_path_to_error`'s path in our path format.
fn error_path(p: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let segs: Vec<Seg> = p
        .iter()
        .filter_map(|s| match s {
            Segment::Seq { index } => Some(Seg::Index(*index)),
            Segment::Map { key } => Some(Seg::Key(key.clone())),
            Segment::Enum { .. } | Segment::Unknown => None,
        })
        .collect();
    format_path(&segs)
}

/// `serde_ignored`'s path without its `Option`/newtype steps, in our path format.
fn ignored_path(p: &serde_ignored::Path<'_>) -> String {
    fn walk(p: &serde_ignored::Path<'_>, out: &mut Vec<Seg>) {
        use serde_ignored::Path;
        match p {
            Path::Root => {}
            Path::Seq { parent, index } => {
                walk(parent, out);
                out.push(Seg::Index(*index));
            }
            Path::Map { parent, key } => {
                walk(parent, out);
                out.push(Seg::Key(key.clone()));
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => walk(parent, out),
        }
    }
    let mut segs = Vec::new();
    walk(p, &mut segs);
    format_path(&segs)
}
