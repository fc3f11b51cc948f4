//! Container image references: the tag and digest an image reference pins.

/// What an image reference pins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Split an image reference into its tag and digest; `Err` when the text cannot be one.
pub fn parse_image(image: &str) -> Result<ImageRef, String> {
    if image.is_empty() || image.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("an image reference has no spaces or control characters".into());
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    if let Some(d) = digest {
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
    }
    let last = name.rsplit('/').next().unwrap_or(name);
    let tag = last.split_once(':').map(|(_, t)| t.to_string());
    if name.is_empty() || name.ends_with('/') || tag.as_deref() == Some("") {
        return Err(format!("`{image}` is not an image reference"));
    }
    Ok(ImageRef {
        tag,
        digest: digest.map(str::to_string),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images() {
        let d = "sha256:".to_string() + &"a".repeat(64);
        let r = parse_image(&format!("registry.example.com:5000/team/web:1.2@{d}")).unwrap();
        assert_eq!(r.tag.as_deref(), Some("1.2"));
        assert_eq!(r.digest.as_deref(), Some(d.as_str()));
        let r = parse_image("registry.example.com:5000/web").unwrap();
        assert_eq!(
            r,
            ImageRef {
                tag: None,
                digest: None
            }
        );
        assert!(parse_image("web@sha256:abc").is_err());
        assert!(parse_image("web image").is_err());
        assert!(parse_image("web:").is_err());
    }
}
