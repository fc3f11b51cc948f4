//! Container image references, parsed by the grammar of the distribution project
//! (`docker/distribution/reference`): `[domain[:port]/]path[:tag][@digest]`.

/// What an image reference names and pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// The registry host (with its port), when the reference names one.
    pub domain: Option<String>,
    /// The repository path, e.g. `team/web`.
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

impl ImageRef {
    /// The prefix that trusts this image's repository and its siblings:
    /// `cr.fluentbit.io/fluent/fluent-bit:4.1.1` → `cr.fluentbit.io/fluent/`.
    pub fn repository_prefix(&self) -> Option<String> {
        let domain = self.domain.as_deref()?;
        match self.path.rsplit_once('/') {
            Some((dir, _)) => Some(format!("{domain}/{dir}/")),
            None => Some(format!("{domain}/")),
        }
    }
}

/// The longest repository name (domain and path) a registry accepts.
const NAME_MAX: usize = 255;

/// Parse an image reference; `Err` says what is wrong with it.
pub fn parse_image(image: &str) -> Result<ImageRef, String> {
    if image.is_empty() {
        return Err("the image reference is empty".into());
    }
    if image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an image reference has no spaces or control characters".into());
    }
    let (rest, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(check_digest(d)?)),
        None => (image, None),
    };
    // A tag follows a `:` of the last path component (an earlier `:` is the port).
    let last = rest.rsplit('/').next().unwrap_or(rest);
    let (name, tag) = match last.split_once(':') {
        Some((_, tag)) => (&rest[..rest.len() - tag.len() - 1], Some(check_tag(tag)?)),
        None => (rest, None),
    };
    if name.len() > NAME_MAX {
        return Err(format!(
            "the repository name is longer than {NAME_MAX} characters"
        ));
    }
    let (domain, path) = split_domain(name);
    if let Some(d) = domain {
        check_domain(d)?;
    }
    check_path(path)?;
    Ok(ImageRef {
        domain: domain.map(str::to_string),
        path: path.to_string(),
        tag,
        digest,
    })
}

/// Whether `image` comes from one of the trusted registry `prefixes` (as
/// [`registry_prefix`] returns them): a plain text prefix, exactly as the admission
/// policy's CEL `startsWith` decides, so the render, `check --registry` and the cluster
/// agree. An empty list trusts nothing; callers decide what no list means.
pub fn trusted(image: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| image.starts_with(p.as_str()))
}

/// Normalise a trusted-registry prefix (`host[:port][/path]`) to end at a path boundary:
/// `registry.example.com` → `registry.example.com/`, so that it never trusts
/// `registry.example.com.evil.io/…`, `registry.example.com:5000/…` or a sibling path.
pub fn registry_prefix(prefix: &str) -> Result<String, String> {
    if prefix.is_empty() || prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{prefix}` is not a registry prefix"));
    }
    let trimmed = prefix.strip_suffix('/').unwrap_or(prefix);
    let (domain, path) = match split_domain(&format!("{trimmed}/x")) {
        (Some(d), _) => {
            let rest = &trimmed[d.len()..];
            (
                d.to_string(),
                rest.strip_prefix('/').unwrap_or(rest).to_string(),
            )
        }
        (None, _) => {
            return Err(format!(
                "`{prefix}` does not start with a registry host (a name with a `.` or a port, or `localhost`)"
            ));
        }
    };
    check_domain(&domain)?;
    if !path.is_empty() {
        check_path(&path)?;
    }
    Ok(format!("{trimmed}/"))
}

/// The first component is a registry when it has a `.` or `:` or is `localhost`.
fn split_domain(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn check_digest(d: &str) -> Result<String, String> {
    let hex = d
        .strip_prefix("sha256:")
        .ok_or_else(|| format!("the digest `{d}` must start with `sha256:`"))?;
    if hex.len() != 64
        || !hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(format!(
            "the digest `{d}` must be `sha256:` and 64 lowercase hex digits"
        ));
    }
    Ok(d.to_string())
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<String, String> {
    let ok = !tag.is_empty()
        && tag.len() <= 128
        && !tag.starts_with(['.', '-'])
        && tag
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        Ok(tag.to_string())
    } else {
        Err(format!(
            "`{tag}` is not a tag: up to 128 letters, digits, `_`, `.` or `-`, not starting with `.` or `-`"
        ))
    }
}

/// `host[:port]`: dot-separated labels of letters, digits and inner `-`, or an IPv6
/// address in brackets; the port is digits.
fn check_domain(d: &str) -> Result<(), String> {
    let bad = || format!("`{d}` is not a registry host (`host[:port]`)");
    let (host, port) = if let Some(v6) = d.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or_else(bad)?;
        addr.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or_else(bad)?),
        };
        (None, port)
    } else {
        match d.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(d), None),
        }
    };
    if let Some(host) = host {
        let label_ok = |l: &str| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        if !host.split('.').all(label_ok) {
            return Err(bad());
        }
    }
    match port {
        Some(p) if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) => Err(bad()),
        _ => Ok(()),
    }
}

/// Path components of lowercase letters and digits, joined inside by `.`, `_`, `__` or
/// runs of `-`.
fn check_path(path: &str) -> Result<(), String> {
    for component in path.split('/') {
        if !path_component(component) {
            return Err(format!(
                "`{component}` is not a repository path component: lowercase letters and digits, separated inside by `.`, `_`, `__` or `-`"
            ));
        }
    }
    Ok(())
}

fn path_component(c: &str) -> bool {
    let alnum = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit();
    // What lies between the letters and digits: nothing, or one separator.
    let separator = |s: &str| matches!(s, "." | "_" | "__") || s.bytes().all(|x| x == b'-');
    c.starts_with(alnum) && c.ends_with(alnum) && c.split(alnum).all(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        let r = parse_image(&format!("registry.example.com:5000/team/web:1.2@{d}")).unwrap();
        assert_eq!(r.domain.as_deref(), Some("registry.example.com:5000"));
        assert_eq!(r.path, "team/web");
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        let r = parse_image("registry.example.com:5000/web").unwrap();
        assert_eq!((r.tag, r.digest), (None, None));
        assert!(parse_image("web@sha256:abc").is_err());
        assert!(parse_image("web image").is_err());
        assert!(parse_image("web:").is_err());
    }

    #[test]
    fn registry_prefixes_end_at_a_path_boundary() {
        assert_eq!(
            registry_prefix("registry.example.com").unwrap(),
            "registry.example.com/"
        );
        assert_eq!(
            registry_prefix("registry.example.com/").unwrap(),
            "registry.example.com/"
        );
        assert_eq!(
            registry_prefix("registry.example.com:5000/team").unwrap(),
            "registry.example.com:5000/team/"
        );
        assert_eq!(
            registry_prefix("localhost:5000").unwrap(),
            "localhost:5000/"
        );
        for bad in [
            "",
            "nginx",
            "team/app",
            "registry example.com",
            "r.io//x",
            "r.io/Team",
        ] {
            assert!(registry_prefix(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn common_references_parse() {
        for ok in [
            "nginx",
            "nginx:1.25",
            "library/nginx:1.25-alpine",
            "docker.io/library/nginx:1.25",
            "localhost:5000/app:dev",
            "localhost/app",
            "gcr.io/my-project/img_name:v1.2.3",
            "ghcr.io/org/a__b/c---d:latest",
            "Registry.Example.com/team/app:1",
            "[fd00::1]:5000/app:1",
            "10.0.0.1:5000/app:1",
        ] {
            assert!(parse_image(ok).is_ok(), "{ok}: {:?}", parse_image(ok));
        }
    }

    #[test]
    fn malformed_references_are_refused() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        for bad in [
            format!("UPPER//x::-bad@{d}"),
            "[fd00::1]x/app:1".to_string(),
            "team//app:1".to_string(),
            "team/app/:1".to_string(),
            "team/-app:1".to_string(),
            "team/app..x:1".to_string(),
            "team/app:-1".to_string(),
            "team/app:1:2".to_string(),
            "host:port/app:1".to_string(),
            "-host.io/app:1".to_string(),
            format!("r.io/{}:1", "a".repeat(260)),
        ] {
            assert!(parse_image(&bad).is_err(), "{bad}");
        }
    }
}
