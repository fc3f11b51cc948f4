//! Manifest inputs of `kubeward check`: files, directories searched recursively for
//! `*.yaml`/`*.yml` (sorted, hidden directories and symlinked directories skipped), and
//! `-` for stdin; and the bounded reading of every input file (the spec too), which
//! refuses inputs over a size limit before they can exhaust memory.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

mod limit;

pub use limit::{DEFAULT_MAX_INPUT, MAX_INPUT_ENV, max_input, read_file, read_text};

/// The name stdin is reported under.
pub const STDIN: &str = "<stdin>";

/// Why the inputs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: no .yaml or .yml files in this directory")]
    EmptyDir { path: String },
    #[error("`-` (stdin) is given more than once")]
    StdinTwice,
}

impl InputError {
    /// How to fix it.
    pub fn help(&self) -> &'static str {
        match self {
            InputError::Read { source, .. } => match source.kind() {
                io::ErrorKind::FileTooLarge => {
                    "check only manifests of a sensible size, or raise the limit with `KUBEWARD_MAX_INPUT` (e.g. `KUBEWARD_MAX_INPUT=256MiB`)"
                }
                io::ErrorKind::InvalidInput => {
                    "set `KUBEWARD_MAX_INPUT` to a size in bytes, KiB, MiB or GiB, e.g. `128MiB`"
                }
                io::ErrorKind::InvalidData => "save the file as UTF-8 text",
                _ => "check that the path exists, is readable and holds UTF-8 text",
            },
            InputError::EmptyDir { .. } => {
                "point at a directory of manifests, or at the files themselves"
            }
            InputError::StdinTwice => "read stdin once: give `-` a single time",
        }
    }
}

/// Read every input as (display name, text), in argument order; directories expand to
/// their sorted YAML files. A file reached twice is read once.
pub fn collect(paths: &[PathBuf], stdin: impl Read) -> Result<Vec<(String, String)>, InputError> {
    let mut stdin = Some(stdin);
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let reader = stdin.take().ok_or(InputError::StdinTwice)?;
            let text = read_text(reader).map_err(|e| read_error(Path::new(STDIN), e))?;
            out.push((STDIN.into(), without_bom(text)));
            continue;
        }
        for file in expand(path)? {
            let name = display(&file);
            if !seen.insert(name.clone()) {
                continue;
            }
            let text = read_file(&file).map_err(|e| read_error(&file, e))?;
            out.push((name, without_bom(text)));
        }
    }
    Ok(out)
}

/// Text without a leading byte-order mark (some Windows editors write one).
fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A file as itself, a directory as its YAML files (sorted, recursively).
fn expand(path: &Path) -> Result<Vec<PathBuf>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    walk(path, &mut files)?;
    if files.is_empty() {
        return Err(InputError::EmptyDir {
            path: display(path),
        });
    }
    files.sort();
    Ok(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), InputError> {
    let entries = std::fs::read_dir(dir).map_err(|e| read_error(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| read_error(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| read_error(&path, e))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if kind.is_dir() {
            if !hidden {
                walk(&path, out)?;
            }
        } else if is_yaml(&path) && (kind.is_file() || path.is_file()) {
            out.push(path);
        }
    }
    Ok(())
}

fn is_yaml(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// A path as shown in messages, with `./` components dropped.
fn display(path: &Path) -> String {
    let clean: PathBuf = path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    if clean.as_os_str().is_empty() {
        return ".".into();
    }
    clean.display().to_string()
}

fn read_error(path: &Path, source: io::Error) -> InputError {
    InputError::Read {
        path: display(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[(String, String)]) -> Vec<&str> {
        v.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn directories_recurse_sorted_and_skip_hidden() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path();
        for f in [
            "b.yaml",
            "a/z.yml",
            "a/notes.txt",
            ".git/x.yaml",
            "c/.hidden/y.yaml",
            "A.YAML",
        ] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x: 1\n").unwrap();
        }
        let got = collect(&[d.to_path_buf()], std::io::empty()).unwrap();
        let root = display(d);
        let rel: Vec<String> = names(&got)
            .iter()
            .map(|n| n.strip_prefix(&format!("{root}/")).unwrap().to_string())
            .collect();
        assert_eq!(rel, ["A.YAML", "a/z.yml", "b.yaml"]);
    }

    #[test]
    fn stdin_once_and_files_once() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("x.yaml");
        std::fs::write(&f, "a: 1\n").unwrap();
        let got = collect(&[f.clone(), "-".into(), f.clone()], &b"b: 2\n"[..]).unwrap();
        assert_eq!(names(&got), [display(&f).as_str(), STDIN]);
        assert_eq!(got[1].1, "b: 2\n");
        let twice = collect(&["-".into(), "-".into()], std::io::empty());
        assert!(matches!(twice, Err(InputError::StdinTwice)));
    }

    #[test]
    fn missing_paths_and_empty_directories_are_errors() {
        let t = tempfile::tempdir().unwrap();
        let e = collect(&[t.path().join("nope.yaml")], std::io::empty()).unwrap_err();
        assert!(e.to_string().contains("nope.yaml: cannot read: "), "{e}");
        let e = collect(&[t.path().to_path_buf()], std::io::empty()).unwrap_err();
        assert!(matches!(e, InputError::EmptyDir { .. }), "{e}");
    }

    #[test]
    fn display_drops_cur_dir() {
        assert_eq!(display(Path::new("./deploy/./a.yaml")), "deploy/a.yaml");
        assert_eq!(display(Path::new("/tmp/a.yaml")), "/tmp/a.yaml");
        assert_eq!(display(Path::new(".")), ".");
    }
}
