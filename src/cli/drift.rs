//! `kubeward render --check` and `--diff`: compare the output directory with the bundle
//! the spec renders today, print the unified diff on stdout, write nothing.

use std::path::Path;

use kubeward::bundle::Bundle;
use kubeward::diag::escape;
use kubeward::output::drift::{Change, compare, read_dir_tree};

use super::style::{Stream, paint_diff};
use super::{Exit, out};

/// Print the drift between `dir` and `bundle` (rendered from `spec`); with `fail`, drift
/// is exit 1.
pub fn run(bundle: &Bundle, spec: &Path, dir: &Path, fail: bool) -> Exit {
    let name = dir.display().to_string();
    if dir.as_os_str() == "-" {
        out::error(
            "`--check` and `--diff` compare with a directory, not stdout",
            "name the committed bundle with `-o DIR`",
        );
        return Exit::Usage;
    }
    if dir.exists() && !dir.is_dir() {
        out::error(
            format_args!("`{name}` is not a directory"),
            "name the committed bundle with `-o DIR`",
        );
        return Exit::Usage;
    }
    let on_disk = match read_dir_tree(dir) {
        Ok(files) => files,
        Err(e) => {
            out::error(
                format_args!("cannot read `{name}`: {e}"),
                "check the permissions of the bundle directory",
            );
            return Exit::Usage;
        }
    };
    let drift = compare(&bundle.files, &on_disk, &name);
    if drift.is_empty() {
        out::status(format_args!(
            "{} is up to date: {} files as the spec renders them",
            escape(&name),
            bundle.files.len()
        ));
        return Exit::Ok;
    }
    let diff: String = drift.iter().map(|d| d.diff.as_str()).collect();
    let printed = out::print(&paint_diff(&diff, Stream::Stdout));
    if printed != Exit::Ok {
        return printed;
    }
    let count = |c: Change| drift.iter().filter(|d| d.change == c).count();
    let summary = format!(
        "{name} differs from what the spec renders: {} changed, {} missing, {} extra file(s)",
        count(Change::Changed),
        count(Change::Missing),
        count(Change::Extra)
    );
    if fail {
        out::error(
            summary,
            format_args!(
                "render it again with `kubeward render -f {} -o {name} --force` and commit the result; edit the spec, not the bundle",
                spec.display()
            ),
        );
        Exit::Findings
    } else {
        out::status(escape(&summary));
        Exit::Ok
    }
}
