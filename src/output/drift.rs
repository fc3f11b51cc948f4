//! Drift between a bundle on disk and the bundle a spec renders today (`render --check`
//! and `--diff`): which files changed, are missing or should not be there, as unified
//! diffs from the directory (`a/`) to the rendered bundle (`b/`). Reads, never writes.

use std::io;
use std::path::Path;

use similar::TextDiff;

use crate::diag::escape;

/// How a file of the directory differs from the rendered bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Both have it, with other content (stale or edited by hand).
    Changed,
    /// The bundle has it, the directory does not.
    Missing,
    /// The directory has it, the bundle does not.
    Extra,
}

/// One file that differs, with its unified diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDrift {
    /// Path relative to the bundle directory, `/`-separated.
    pub path: String,
    pub change: Change,
    /// Unified diff from the directory's file to the rendered one; control characters
    /// from either side are escaped.
    pub diff: String,
}

/// Every file below `dir` (relative `/`-separated path, bytes), sorted; a directory that
/// does not exist is empty. Symbolic links are not followed: they are listed with the
/// text `symbolic link`, so they never equal a rendered file.
pub fn read_dir_tree(dir: &Path) -> io::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    if dir.exists() {
        walk(dir, "", &mut out)?;
    }
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(&entry.path(), &format!("{name}/"), out)?;
        } else if kind.is_symlink() {
            out.push((name, b"symbolic link".to_vec()));
        } else {
            out.push((name, std::fs::read(entry.path())?));
        }
    }
    Ok(())
}

/// The files that differ between `on_disk` and `rendered`, in path order; empty when the
/// directory holds exactly the bundle. `label` prefixes the paths in the diff headers
/// (the directory as the user named it).
pub fn compare(
    rendered: &[(String, String)],
    on_disk: &[(String, Vec<u8>)],
    label: &str,
) -> Vec<FileDrift> {
    let mut out = Vec::new();
    for (path, text) in rendered {
        match on_disk.iter().find(|(p, _)| p == path) {
            None => out.push(drift(path, Change::Missing, "", text, label)),
            Some((_, bytes)) if bytes.as_slice() != text.as_bytes() => {
                let old = String::from_utf8_lossy(bytes);
                out.push(drift(path, Change::Changed, &old, text, label));
            }
            Some(_) => {}
        }
    }
    for (path, bytes) in on_disk {
        if !rendered.iter().any(|(p, _)| p == path) {
            let old = String::from_utf8_lossy(bytes);
            out.push(drift(path, Change::Extra, &old, "", label));
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn drift(path: &str, change: Change, old: &str, new: &str, label: &str) -> FileDrift {
    let name = header_path(label, path);
    let (a, b) = match change {
        Change::Missing => ("/dev/null".to_string(), format!("b/{name}")),
        Change::Extra => (format!("a/{name}"), "/dev/null".to_string()),
        Change::Changed => (format!("a/{name}"), format!("b/{name}")),
    };
    let mut diff = TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&a, &b)
        .missing_newline_hint(true)
        .to_string();
    if diff.is_empty() {
        // Same text after a lossy UTF-8 reading: bytes that are not UTF-8.
        diff = format!("--- {a}\n+++ {b}\n(the file differs in bytes that are not UTF-8)\n");
    }
    let diff = diff
        .split_inclusive('\n')
        .map(|l| match l.strip_suffix('\n') {
            Some(line) => format!("{}\n", escape(line)),
            None => escape(l).into_owned(),
        })
        .collect();
    FileDrift {
        path: path.to_string(),
        change,
        diff,
    }
}

/// The path in a diff header, as git writes it after `a/` or `b/`: relative, without a
/// leading `/` or `./`, so `patch -p1` and `git apply` read it.
fn header_path(label: &str, path: &str) -> String {
    let mut dir = label.trim_end_matches('/');
    while let Some(rest) = dir.strip_prefix("./").or_else(|| dir.strip_prefix('/')) {
        dir = rest;
    }
    match dir {
        "" | "." => path.to_string(),
        _ => format!("{dir}/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rendered() -> Vec<(String, String)> {
        vec![
            ("a.yaml".into(), "kind: A\nname: a\n".into()),
            ("dir/b.yaml".into(), "kind: B\n".into()),
        ]
    }

    fn disk(files: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn identical_is_no_drift() {
        let same = disk(&[
            ("a.yaml", "kind: A\nname: a\n"),
            ("dir/b.yaml", "kind: B\n"),
        ]);
        assert!(compare(&rendered(), &same, "bundle").is_empty());
    }

    #[test]
    fn changed_missing_and_extra_files_get_unified_diffs() {
        let on_disk = disk(&[
            ("a.yaml", "kind: A\nname: edited\n"),
            ("x.yaml", "kind: X\n"),
        ]);
        let drift = compare(&rendered(), &on_disk, "bundle/");
        let kinds: Vec<(&str, Change)> =
            drift.iter().map(|d| (d.path.as_str(), d.change)).collect();
        assert_eq!(
            kinds,
            [
                ("a.yaml", Change::Changed),
                ("dir/b.yaml", Change::Missing),
                ("x.yaml", Change::Extra)
            ]
        );
        assert_eq!(
            drift[0].diff,
            "--- a/bundle/a.yaml\n+++ b/bundle/a.yaml\n@@ -1,2 +1,2 @@\n kind: A\n-name: edited\n+name: a\n"
        );
        assert_eq!(
            drift[1].diff,
            "--- /dev/null\n+++ b/bundle/dir/b.yaml\n@@ -0,0 +1 @@\n+kind: B\n"
        );
        assert!(
            drift[2]
                .diff
                .starts_with("--- a/bundle/x.yaml\n+++ /dev/null\n"),
            "{}",
            drift[2].diff
        );
    }

    #[test]
    fn header_paths_are_relative_like_git() {
        assert_eq!(header_path("/tmp/out/", "a.yaml"), "tmp/out/a.yaml");
        assert_eq!(header_path("./bundle", "a.yaml"), "bundle/a.yaml");
        assert_eq!(header_path(".", "d/a.yaml"), "d/a.yaml");
        assert_eq!(header_path("/", "a.yaml"), "a.yaml");
        let drift = compare(&rendered(), &[], "/tmp/out");
        assert!(
            drift[0]
                .diff
                .starts_with("--- /dev/null\n+++ b/tmp/out/a.yaml\n"),
            "{}",
            drift[0].diff
        );
    }

    #[test]
    fn control_characters_and_bad_bytes_stay_harmless() {
        let mut on_disk = disk(&[
            ("a.yaml", "kind: A\nname: \u{1b}[31m\n"),
            ("dir/b.yaml", ""),
        ]);
        on_disk[1].1 = b"kind: B\xff\n".to_vec();
        let drift = compare(&rendered(), &on_disk, "b");
        assert!(
            drift[0].diff.contains("-name: \\u{1b}[31m\n"),
            "{}",
            drift[0].diff
        );
        assert!(!drift[0].diff.contains('\u{1b}'));
        assert!(drift[1].diff.contains("+kind: B\n"), "{}", drift[1].diff);
    }
}
