//! Bounded reading: every input (a spec, a manifest file, stdin) is read through a
//! reader that stops one byte past the limit, so `/dev/zero` or a 1 GB file is refused
//! with a clear error instead of exhausting memory.

use std::io::{self, Read};
use std::path::Path;

use crate::diag::Pos;

/// Inputs larger than this (64 MiB) are refused unless [`MAX_INPUT_ENV`] says otherwise.
pub const DEFAULT_MAX_INPUT: u64 = 64 * 1024 * 1024;

/// The environment variable that sets the input limit: bytes, or a number with `KiB`,
/// `MiB` or `GiB` (`K`, `M`, `G` mean the same).
pub const MAX_INPUT_ENV: &str = "KUBEWARD_MAX_INPUT";

/// The input limit in bytes: [`MAX_INPUT_ENV`] when set, else [`DEFAULT_MAX_INPUT`].
pub fn max_input() -> io::Result<u64> {
    match std::env::var(MAX_INPUT_ENV) {
        Ok(v) => parse_size(&v).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{MAX_INPUT_ENV}=`{v}` is not a size"),
            )
        }),
        Err(_) => Ok(DEFAULT_MAX_INPUT),
    }
}

/// `1048576`, `512KiB`, `64MiB`, `1G` → bytes.
fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(factor)
}

/// `64 MiB`, `1.5 KiB`, `100 bytes`.
fn human(bytes: u64) -> String {
    let units = [(1u64 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    match units.iter().find(|(f, _)| bytes >= *f) {
        Some((f, unit)) if bytes.is_multiple_of(*f) => format!("{} {unit}", bytes / f),
        Some((f, unit)) => format!("{:.1} {unit}", bytes as f64 / *f as f64),
        None => format!("{bytes} bytes"),
    }
}

fn too_large(limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "larger than the input limit of {} (`{MAX_INPUT_ENV}` raises it)",
            human(limit)
        ),
    )
}

/// Read all of `reader` as UTF-8 text, refusing more than the input limit.
pub fn read_text(reader: impl Read) -> io::Result<String> {
    read_bounded(reader, max_input()?)
}

/// Read the file at `path` as UTF-8 text, refusing files over the input limit; a regular
/// file is judged by its size before it is read.
pub fn read_file(path: &Path) -> io::Result<String> {
    let limit = max_input()?;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory, not a file",
        ));
    }
    if meta.is_file() && meta.len() > limit {
        return Err(too_large(limit));
    }
    read_bounded(file, limit)
}

fn read_bounded(reader: impl Read, limit: u64) -> io::Result<String> {
    let mut bytes = Vec::new();
    reader
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(limit));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// Text that is not UTF-8: the first byte that is not, and where it is. Carried inside
/// an [`io::Error`] of kind `InvalidData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotUtf8 {
    pub byte: u8,
    pub pos: Pos,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "not UTF-8 text: byte 0x{:02x} at line {}, column {}",
            self.byte, self.pos.line, self.pos.col
        )
    }
}

impl std::error::Error for NotUtf8 {}

/// Where the first byte that is not UTF-8 is, as line and column.
fn not_utf8(bytes: &[u8], at: usize) -> io::Error {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let col = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    io::Error::new(
        io::ErrorKind::InvalidData,
        NotUtf8 {
            byte: bytes[at],
            pos: Pos::new(line, col),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size("512KiB"), Some(512 << 10));
        assert_eq!(parse_size(" 64 MiB "), Some(64 << 20));
        assert_eq!(parse_size("1g"), Some(1 << 30));
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size("-1"), None);
        assert_eq!(parse_size("99999999999999999999G"), None);
        assert_eq!(human(DEFAULT_MAX_INPUT), "64 MiB");
        assert_eq!(human(1536), "1.5 KiB");
    }

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let e = read_bounded(io::repeat(0), 1000).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::FileTooLarge);
        assert!(e.to_string().contains("limit of 1000 bytes"), "{e}");
        assert_eq!(read_bounded(&b"abc"[..], 3).unwrap(), "abc");
    }

    #[test]
    fn invalid_utf8_names_its_place() {
        let e = read_bounded(&b"a: 1\nb: x\xffy\n"[..], 100).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        assert!(
            e.to_string().contains("byte 0xff at line 2, column 5"),
            "{e}"
        );
    }
}
