//! Manifest inputs of `kubeward check`: files, directories searched recursively for
//! `*.yaml`/`*.yml` (see [`walk`]: sorted, hidden directories skipped and counted,
//! symlinked directories followed once, `--exclude` globs), and `-` for stdin; and the
//! bounded reading of every input file (the spec too), which refuses inputs over a size
//! limit before they can exhaust memory. A file that is not UTF-8 is that file's
//! problem, not the run's: it is handed back as [`Unreadable`].

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

mod limit;
mod walk;

use crate::diag::Pos;

pub use limit::{DEFAULT_MAX_INPUT, MAX_INPUT_ENV, NotUtf8, max_input, read_file, read_text};
pub use walk::{Exclude, PatternError};

/// Everything the inputs hold.
#[derive(Debug, Default)]
pub struct Inputs {
    /// (display name, text) of every file read, in argument order.
    pub files: Vec<(String, String)>,
    /// Files that are not UTF-8 text, with where and why.
    pub unreadable: Vec<Unreadable>,
    /// Hidden directories (`.git`, `.github`…) that were not searched.
    pub hidden: Vec<String>,
    /// Files and directories left out by `--exclude`.
    pub excluded: usize,
}

/// A file that could not be read as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

/// The name stdin is reported under.
pub const STDIN: &str = "<stdin>";

/// Why the inputs could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: cannot read: {source}")]
    Read { path: String, source: io::Error },
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
    let inputs = gather(paths, &Exclude::default(), stdin)?;
    match inputs.unreadable.into_iter().next() {
        Some(u) => Err(InputError::Read {
            path: u.file,
            source: io::Error::new(io::ErrorKind::InvalidData, u.message),
        }),
        None => Ok(inputs.files),
    }
}

/// Like [`collect`], but a file that is not UTF-8 is listed in
/// [`Inputs::unreadable`] and the others are read on; paths matching `exclude` are left
/// out, and what the directory search passed over is counted.
pub fn gather(
    paths: &[PathBuf],
    exclude: &Exclude,
    stdin: impl Read,
) -> Result<Inputs, InputError> {
    let mut stdin = Some(stdin);
    let mut out = Inputs::default();
    let mut seen = std::collections::HashSet::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let reader = stdin.take().ok_or(InputError::StdinTwice)?;
            match read_text(reader) {
                Ok(text) => out.files.push((STDIN.into(), without_bom(text))),
                Err(e) => out.unreadable.push(unreadable(STDIN, e)?),
            }
            continue;
        }
        for file in expand(path, exclude, &mut out)? {
            let name = display(&file);
            if !seen.insert(name.clone()) {
                continue;
            }
            match read_file(&file) {
                Ok(text) => out.files.push((name, without_bom(text))),
                Err(e) => out.unreadable.push(unreadable(&name, e)?),
            }
        }
    }
    Ok(out)
}

/// A file that is not UTF-8 as [`Unreadable`]; any other read error ends the run.
fn unreadable(name: &str, e: io::Error) -> Result<Unreadable, InputError> {
    let pos = e
        .get_ref()
        .and_then(|i| i.downcast_ref::<NotUtf8>())
        .map(|n| n.pos);
    match pos {
        Some(pos) => Ok(Unreadable {
            file: name.into(),
            pos,
            message: e.to_string(),
        }),
        None => Err(read_error(Path::new(name), e)),
    }
}

/// Text without a leading byte-order mark (some Windows editors write one).
fn without_bom(text: String) -> String {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A file as itself, a directory as its YAML files (sorted, recursively).
fn expand(path: &Path, exclude: &Exclude, out: &mut Inputs) -> Result<Vec<PathBuf>, InputError> {
    let meta = std::fs::metadata(path).map_err(|e| read_error(path, e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let found = walk::walk(path, exclude).map_err(|(p, e)| read_error(&p, e))?;
    out.hidden.extend(found.hidden.iter().map(|p| display(p)));
    out.excluded += found.excluded;
    if found.files.is_empty() {
        return Err(InputError::EmptyDir {
            path: display(path),
        });
    }
    Ok(found.files)
}

/// A path as shown in messages, with `./` components dropped.
pub(crate) fn display(path: &Path) -> String {
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
        let got = collect(&[d.to_path_buf()], io::empty()).unwrap();
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
        let twice = collect(&["-".into(), "-".into()], io::empty());
        assert!(matches!(twice, Err(InputError::StdinTwice)));
    }

    #[test]
    fn missing_paths_and_empty_directories_are_errors() {
        let t = tempfile::tempdir().unwrap();
        let e = collect(&[t.path().join("nope.yaml")], io::empty()).unwrap_err();
        assert!(e.to_string().contains("nope.yaml: cannot read: "), "{e}");
        let e = collect(&[t.path().to_path_buf()], io::empty()).unwrap_err();
        assert!(matches!(e, InputError::EmptyDir { .. }), "{e}");
    }

    #[test]
    fn display_drops_cur_dir() {
        assert_eq!(display(Path::new("./deploy/./a.yaml")), "deploy/a.yaml");
        assert_eq!(display(Path::new("/tmp/a.yaml")), "/tmp/a.yaml");
        assert_eq!(display(Path::new(".")), ".");
    }
}
