//! The directory search of `kubeward check`: `*.yaml`/`*.yml` files found recursively and
//! sorted; hidden directories skipped (and listed, for the summary); symlinked
//! directories followed once each, so a link back up the tree cannot loop; files and
//! directories matching an `--exclude` glob left out.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

/// `--exclude` globs. A glob is matched against a path as messages show it and against
/// its last component, so `templates` leaves out every directory of that name and
/// `charts/*/templates` only those; `*` matches across `/`.
#[derive(Debug, Default, Clone)]
pub struct Exclude(Vec<glob::Pattern>);

/// A glob that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("--exclude `{glob}`: {message}")]
pub struct PatternError {
    pub glob: String,
    pub message: String,
}

impl Exclude {
    /// The globs, each checked.
    pub fn new(globs: &[String]) -> Result<Exclude, PatternError> {
        globs
            .iter()
            .map(|g| {
                glob::Pattern::new(g.trim_end_matches('/')).map_err(|e| PatternError {
                    glob: g.clone(),
                    message: e.msg.to_string(),
                })
            })
            .collect::<Result<_, _>>()
            .map(Exclude)
    }

    /// Whether `path` is left out.
    pub fn matches(&self, path: &Path) -> bool {
        let shown = super::display(path);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        self.0.iter().any(|p| p.matches(&shown) || p.matches(&name))
    }
}

/// What a directory search found.
#[derive(Debug, Default)]
pub struct Found {
    /// The YAML files, sorted.
    pub files: Vec<PathBuf>,
    /// Hidden directories not searched.
    pub hidden: Vec<PathBuf>,
    /// Files and directories left out by `--exclude`.
    pub excluded: usize,
}

/// Search `root` (a directory). An error names the path it happened at.
pub fn walk(root: &Path, exclude: &Exclude) -> Result<Found, (PathBuf, io::Error)> {
    let mut found = Found::default();
    let mut visited = HashSet::new();
    if let Ok(real) = root.canonicalize() {
        visited.insert(real);
    }
    descend(root, exclude, &mut visited, &mut found)?;
    found.files.sort();
    found.hidden.sort();
    Ok(found)
}

fn descend(
    dir: &Path,
    exclude: &Exclude,
    visited: &mut HashSet<PathBuf>,
    found: &mut Found,
) -> Result<(), (PathBuf, io::Error)> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))? {
        let entry = entry.map_err(|e| (dir.to_path_buf(), e))?;
        let kind = entry.file_type().map_err(|e| (entry.path(), e))?;
        entries.push((kind.is_symlink(), entry.file_name(), kind));
    }
    // Real directories before links to them, so a file is shown under its real path.
    entries.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for (_, name, kind) in entries {
        let path = dir.join(&name);
        // A symlink counts as what it points to; a dangling one is nothing.
        let is_dir = kind.is_dir() || (kind.is_symlink() && path.is_dir());
        let is_file = kind.is_file() || (kind.is_symlink() && path.is_file());
        if !(is_dir || (is_file && is_yaml(&path))) {
            continue;
        }
        if exclude.matches(&path) {
            found.excluded += 1;
            continue;
        }
        if is_file {
            found.files.push(path);
            continue;
        }
        if name.to_string_lossy().starts_with('.') {
            found.hidden.push(path);
            continue;
        }
        // Each real directory once: a link to a directory already searched (or to one of
        // its ancestors) is passed over.
        let real = path.canonicalize().map_err(|e| (path.clone(), e))?;
        if visited.insert(real) {
            descend(&path, exclude, visited, found)?;
        }
    }
    Ok(())
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[&str]) -> tempfile::TempDir {
        let t = tempfile::tempdir().unwrap();
        for f in files {
            let p = t.path().join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        }
        t
    }

    fn rel(t: &tempfile::TempDir, paths: &[PathBuf]) -> Vec<String> {
        paths
            .iter()
            .map(|p| p.strip_prefix(t.path()).unwrap().display().to_string())
            .collect()
    }

    #[test]
    fn hidden_directories_are_listed_and_excluded_paths_counted() {
        let t = tree(&[
            "a.yaml",
            ".github/workflows/ci.yaml",
            "chart/templates/d.yaml",
            "chart/values.yaml",
            "b/skip.tpl.yaml",
        ]);
        let exclude = Exclude::new(&["templates".into(), "*.tpl.yaml".into()]).unwrap();
        let found = walk(t.path(), &exclude).unwrap();
        assert_eq!(rel(&t, &found.files), ["a.yaml", "chart/values.yaml"]);
        assert_eq!(rel(&t, &found.hidden), [".github"]);
        assert_eq!(found.excluded, 2);
        let by_path = Exclude::new(&[format!("{}/chart/*", t.path().display())]).unwrap();
        let found = walk(t.path(), &by_path).unwrap();
        assert_eq!(rel(&t, &found.files), ["a.yaml", "b/skip.tpl.yaml"]);
    }

    #[test]
    fn bad_globs_are_refused_with_the_glob() {
        let e = Exclude::new(&["a[".into()]).unwrap_err();
        assert!(e.to_string().starts_with("--exclude `a[`: "), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_directories_are_followed_once_without_loops() {
        let t = tree(&["real/x.yaml"]);
        std::os::unix::fs::symlink(t.path().join("real"), t.path().join("link")).unwrap();
        std::os::unix::fs::symlink(t.path(), t.path().join("real/up")).unwrap();
        let found = walk(t.path(), &Exclude::default()).unwrap();
        assert_eq!(rel(&t, &found.files), ["real/x.yaml"]);
        let only_link = walk(&t.path().join("link"), &Exclude::default()).unwrap();
        assert_eq!(only_link.files.len(), 1, "{:?}", only_link.files);
    }
}
