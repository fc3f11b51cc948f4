//! A container's one mount list: writable directories (emptyDir), Secrets as read-only
//! files, and the API token for apps with API access. Mount paths never collide.

use crate::diag::Diagnostic;
use crate::k8s::names::{is_config_key, is_dns_subdomain};
use crate::k8s::{Quantity, SERVICE_ACCOUNT_TOKEN_PATH};
use crate::spec::{self, LoadedSpec};

use super::defaults::WRITABLE_PATHS;
use super::model::{Mount, MountSource};

/// The volume name of the API token mount.
const API_TOKEN_VOLUME: &str = "api-token";

/// Resolve app `i`'s mounts; writable directories are sized by `size_limit`.
pub fn resolve(
    s: &LoadedSpec,
    i: usize,
    app: &spec::App,
    size_limit: &Quantity,
    api_access: bool,
    out: &mut Vec<Diagnostic>,
) -> Vec<Mount> {
    // Each mount with the spec path it came from, for messages about collisions.
    let mut mounts: Vec<(Mount, String)> = Vec::new();
    let writable: Vec<String> = match &app.writable_paths {
        Some(paths) => paths.clone(),
        None => WRITABLE_PATHS.iter().map(|p| p.to_string()).collect(),
    };
    for (j, path) in writable.iter().enumerate() {
        let at = format!("apps[{i}].writablePaths[{j}]");
        if !is_clean_dir(path) {
            out.push(s.error_at(&at, format!("`{path}` is not a writable directory path")).with_help(
                "give an absolute, normalised directory such as `/tmp` or `/var/cache/app`; the root filesystem itself stays read-only",
            ));
            continue;
        }
        let source = MountSource::EmptyDir {
            size_limit: size_limit.clone(),
        };
        let mount = Mount {
            volume: volume_name(path, j),
            path: path.clone(),
            source,
        };
        add(s, &mut mounts, mount, at, out);
    }
    for (j, f) in app.secret_files.iter().enumerate() {
        if let Some(mount) = secret_file(s, i, j, f, out) {
            add(
                s,
                &mut mounts,
                mount,
                format!("apps[{i}].secretFiles[{j}].mountPath"),
                out,
            );
        }
    }
    if api_access {
        let mount = Mount {
            volume: API_TOKEN_VOLUME.into(),
            path: SERVICE_ACCOUNT_TOKEN_PATH.into(),
            source: MountSource::ApiToken,
        };
        add(s, &mut mounts, mount, format!("apps[{i}].apiAccess"), out);
    }
    mounts.into_iter().map(|(m, _)| m).collect()
}

/// Add `mount` unless it collides with one already listed: the same path twice, or a
/// read-only mount (Secret, API token) nested in or over another mount.
fn add(
    s: &LoadedSpec,
    mounts: &mut Vec<(Mount, String)>,
    mount: Mount,
    at: String,
    out: &mut Vec<Diagnostic>,
) {
    let clash = mounts.iter().find(|(m, _)| {
        m.path == mount.path
            || ((m.read_only() || mount.read_only()) && nested(&m.path, &mount.path))
    });
    let Some((other, other_at)) = clash else {
        mounts.push((mount, at));
        return;
    };
    let what = |m: &Mount| match m.source {
        MountSource::EmptyDir { .. } => "a writable path",
        MountSource::Secret { .. } => "a Secret mount",
        MountSource::ApiToken => "the API token mount (`apiAccess`)",
    };
    let (path, message) = if mount.source == MountSource::ApiToken {
        // The token's path is fixed: point at the entry that collides with it.
        (
            other_at.clone(),
            format!("`{}` overlaps {}", other.path, what(&mount)),
        )
    } else if other.path == mount.path && other.source == mount.source {
        (at, format!("`{}` is listed twice", mount.path))
    } else {
        (
            at,
            format!("`{}` overlaps another mount of the app", mount.path),
        )
    };
    let help = if other.path == mount.path && other.source == mount.source {
        "remove the duplicate".to_string()
    } else {
        format!(
            "it collides with {} at `{}`; mount each Secret in a directory of its own, apart from `writablePaths` and `{SERVICE_ACCOUNT_TOKEN_PATH}`",
            what(other),
            other.path
        )
    };
    out.push(s.error_at(&path, message).with_help(help));
}

fn nested(a: &str, b: &str) -> bool {
    a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/"))
}

fn secret_file(
    s: &LoadedSpec,
    i: usize,
    j: usize,
    f: &spec::SecretFiles,
    out: &mut Vec<Diagnostic>,
) -> Option<Mount> {
    let at = |k: &str| format!("apps[{i}].secretFiles[{j}].{k}");
    let before = out.len();
    if !is_dns_subdomain(&f.secret) {
        out.push(
            s.error_at(
                &at("secret"),
                format!("`{}` is not a valid Secret name", f.secret),
            )
            .with_help("a Secret name is lowercase letters, digits, `-` and `.`"),
        );
    }
    for (k, key) in f.keys.iter().enumerate() {
        if !is_config_key(key) {
            out.push(
                s.error_at(
                    &format!("apps[{i}].secretFiles[{j}].keys[{k}]"),
                    format!("`{key}` is not a valid Secret key"),
                )
                .with_help("a key is letters, digits, `-`, `_` or `.`"),
            );
        }
    }
    if !is_clean_dir(&f.mount_path) {
        out.push(
            s.error_at(
                &at("mountPath"),
                format!("`{}` is not a directory path", f.mount_path),
            )
            .with_help("give an absolute, normalised directory such as `/var/run/secrets/db`"),
        );
    }
    (out.len() == before).then(|| Mount {
        volume: format!("secret-{j}"),
        path: f.mount_path.clone(),
        source: MountSource::Secret {
            secret: f.secret.clone(),
            keys: f.keys.clone(),
        },
    })
}

/// An absolute, normalised directory other than `/`.
fn is_clean_dir(p: &str) -> bool {
    p.starts_with('/')
        && p != "/"
        && !p.chars().any(|c| c.is_control())
        && !p
            .split('/')
            .skip(1)
            .any(|c| c.is_empty() || c == "." || c == "..")
}

/// A volume name derived from a path (`/var/cache/nginx` → `w1-var-cache-nginx`), made
/// unique by its index.
fn volume_name(path: &str, i: usize) -> String {
    let slug: String = path
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let slug: Vec<&str> = slug.split('-').filter(|s| !s.is_empty()).collect();
    let slug = slug.join("-");
    let name = format!("w{i}-{slug}");
    let name: String = name.chars().take(63).collect();
    name.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_names_are_valid_and_distinct() {
        assert_eq!(volume_name("/tmp", 0), "w0-tmp");
        assert_eq!(volume_name("/var/cache/nginx", 1), "w1-var-cache-nginx");
        assert_eq!(volume_name("/_/", 2), "w2");
        let long = format!("/{}", "a".repeat(100));
        let n = volume_name(&long, 3);
        assert!(n.len() <= 63 && crate::k8s::names::is_dns_label(&n), "{n}");
    }

    #[test]
    fn nesting_is_by_path_component() {
        assert!(nested("/tmp", "/tmp/db"));
        assert!(nested("/tmp/db", "/tmp"));
        assert!(!nested("/tmp", "/tmpfoo"));
    }
}
