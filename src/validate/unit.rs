//! Units of an input: which files describe one application, for the objects that name
//! no namespace. `kubectl apply -f dir/` puts such objects in the `default` namespace of
//! whatever cluster it talks to, so two example directories checked together are not
//! one namespace: each file belongs to the nearest directory at or above it that holds a
//! kustomization (a kustomization root), else to its own directory. `--cluster` says the
//! inputs are one cluster, and every file is one unit.

use std::collections::HashSet;
use std::path::Path;

/// The file names that make a directory a kustomization root.
pub const KUSTOMIZATION_FILES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The units of a set of input files.
#[derive(Debug, Clone, Default)]
pub struct Units {
    /// Directories holding a kustomization file; `None` when the input is one cluster.
    roots: Option<HashSet<String>>,
}

impl Units {
    /// Units of the files `names`; one unit for all when `cluster`.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>, cluster: bool) -> Self {
        let roots = (!cluster).then(|| {
            names
                .into_iter()
                .map(Path::new)
                .filter(|p| {
                    p.file_name()
                        .and_then(|f| f.to_str())
                        .is_some_and(|f| KUSTOMIZATION_FILES.contains(&f))
                })
                .map(dir_of)
                .collect()
        });
        Units { roots }
    }

    /// The unit of `file`: its kustomization root or its directory; `None` when the
    /// input is one cluster.
    pub fn of(&self, file: &str) -> Option<String> {
        let roots = self.roots.as_ref()?;
        let dir = dir_of(Path::new(file));
        let root = Path::new(&dir)
            .ancestors()
            .map(|a| a.to_string_lossy().into_owned())
            .find(|a| roots.contains(a));
        Some(root.unwrap_or(dir))
    }
}

/// The directory of a file name, `""` for a bare name.
fn dir_of(p: &Path) -> String {
    p.parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_belongs_to_its_kustomization_root_or_its_directory() {
        let names = [
            "repo/app/kustomization.yaml",
            "repo/app/base/deploy.yaml",
            "repo/app/pdb.yaml",
            "repo/examples/a/pdb.yaml",
            "repo/examples/b/deploy.yaml",
            "top.yaml",
        ];
        let units = Units::new(names, false);
        assert_eq!(
            units.of("repo/app/base/deploy.yaml").as_deref(),
            Some("repo/app")
        );
        assert_eq!(units.of("repo/app/pdb.yaml").as_deref(), Some("repo/app"));
        assert_eq!(
            units.of("repo/examples/a/pdb.yaml").as_deref(),
            Some("repo/examples/a")
        );
        assert_eq!(
            units.of("repo/examples/b/deploy.yaml").as_deref(),
            Some("repo/examples/b")
        );
        assert_eq!(units.of("top.yaml").as_deref(), Some(""));
        assert_eq!(Units::new(names, true).of("repo/examples/a/pdb.yaml"), None);
    }
}
