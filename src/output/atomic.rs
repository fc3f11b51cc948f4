//! The file-system steps of an atomic bundle write: an exclusive lock file next to the
//! output, a temporary sibling filled and fsynced, stale siblings of killed runs removed,
//! and the swap (an atomic exchange with `renameat2(RENAME_EXCHANGE)` on Linux).

use std::collections::BTreeSet;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// An exclusive lock on writing one output directory: the file `.NAME.kubeward-lock` in
/// its parent, held with `flock` for as long as this value lives and removed on drop.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    _file: File,
}

impl Lock {
    /// Take the lock, or `Ok(None)` when another process holds it.
    pub fn try_acquire(path: PathBuf) -> io::Result<Option<Lock>> {
        for _ in 0..3 {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)?;
            if !try_lock(&file)? {
                return Ok(None);
            }
            // The holder before us may have removed the file between our open and our
            // lock: then we hold a lock nobody else can see; open the new file instead.
            if same_file(&file, &path) {
                return Ok(Some(Lock { path, _file: file }));
            }
        }
        Ok(None)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no one can take a lock on the old file.
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use rustix::fs::{FlockOperation, flock};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(rustix::io::Errno::WOULDBLOCK) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(unix))]
fn try_lock(_file: &File) -> io::Result<bool> {
    Ok(true)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

/// Remove the temporary and old directories that killed runs left next to the output
/// (`.NAME.kubeward-tmp-*`, `.NAME.kubeward-old-*`). Only call this under the [`Lock`]:
/// then no live run owns them.
pub fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [
        format!(".{name}.kubeward-tmp-"),
        format!(".{name}.kubeward-old-"),
    ];
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let stale = prefixes.iter().any(|p| file_name.starts_with(p.as_str()));
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if stale && is_dir {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Write every file below `dir` (which must not exist) and flush them and their
/// directories to disk, so the swap that follows never exposes a half-written bundle
/// after a crash. Errors name the path they are about.
pub fn fill(dir: &Path, files: &[(String, String)]) -> Result<(), (PathBuf, io::Error)> {
    let at = |p: &Path| {
        let p = p.to_path_buf();
        move |e| (p, e)
    };
    std::fs::create_dir(dir).map_err(at(dir))?;
    // A set, not a list: a bundle of a thousand apps has thousands of directories, and
    // looking each file's up in a list took a third of `render`.
    let mut dirs = BTreeSet::from([dir.to_path_buf()]);
    let mut written = Vec::with_capacity(files.len());
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(p) = path.parent()
            && !dirs.contains(p)
        {
            std::fs::create_dir_all(p).map_err(at(p))?;
            dirs.extend(
                p.ancestors()
                    .take_while(|a| *a != dir)
                    .map(Path::to_path_buf),
            );
        }
        let mut f = File::create(&path).map_err(at(&path))?;
        f.write_all(text.as_bytes()).map_err(at(&path))?;
        written.push(path);
    }
    let dirs: Vec<PathBuf> = dirs.into_iter().collect();
    flush(dir, &written, &dirs).map_err(at(dir))
}

/// Make the written files and directories durable: on Linux one `syncfs` of the file
/// system (an fsync per file costs a journal commit each: thousands of files took
/// minutes), elsewhere an fsync per file and directory.
fn flush(root: &Path, files: &[PathBuf], dirs: &[PathBuf]) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        let _ = (files, dirs);
        rustix::fs::syncfs(File::open(root)?)?;
        Ok(())
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = root;
        for f in files {
            File::open(f)?.sync_all()?;
        }
        for d in dirs.iter().rev() {
            sync_dir(d)?;
        }
        Ok(())
    }
}

/// Flush a directory's entries to disk (a no-op where directories cannot be opened).
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    if cfg!(unix) {
        File::open(dir)?.sync_all()
    } else {
        Ok(())
    }
}

/// Swap the directories `a` and `b` atomically. `Unsupported` where the OS or the file
/// system has no exchange.
pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use rustix::fs::{CWD, RenameFlags, renameat_with};
        match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
            Ok(()) => Ok(()),
            Err(rustix::io::Errno::INVAL | rustix::io::Errno::NOSYS) => {
                Err(io::ErrorKind::Unsupported.into())
            }
            Err(e) => Err(e.into()),
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        let _ = (a, b);
        Err(io::ErrorKind::Unsupported.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_held_lock_excludes_a_second_taker_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.kubeward-lock");
        let first = Lock::try_acquire(path.clone()).unwrap();
        assert!(first.is_some(), "a free lock is taken");
        assert!(
            Lock::try_acquire(path.clone()).unwrap().is_none(),
            "a held lock is not taken twice"
        );
        drop(first);
        assert!(!path.exists(), "the lock file goes with its holder");
        assert!(Lock::try_acquire(path).unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn same_file_tells_a_replaced_path_from_the_open_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let open = File::create(&path).unwrap();
        assert!(same_file(&open, &path));
        // The path removed and created again (by another run): same device, a new inode
        // (the old one stays allocated while `open` holds it).
        std::fs::remove_file(&path).unwrap();
        assert!(
            !same_file(&open, &path),
            "a removed path is not the open file"
        );
        File::create(&path).unwrap();
        assert!(
            !same_file(&open, &path),
            "a new file at the path is not the open one"
        );
    }
}
