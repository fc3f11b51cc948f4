//! Syntax of Kubernetes names and addresses: RFC 1123 labels and subdomains, port names,
//! label values, environment variable names, config keys and CIDR blocks.

use std::net::IpAddr;

/// An RFC 1123 label: 1–63 lowercase alphanumerics or `-`, starting and ending alphanumeric.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// An RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// Why `s` is not an RFC 1123 label, for a help line.
pub fn dns_label_help(s: &str) -> String {
    let suggestion: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .chars()
        .take(63)
        .collect();
    let mut help = "a name is 1 to 63 lowercase letters, digits or `-`, starting and ending with a letter or digit".to_string();
    if is_dns_label(&suggestion) && suggestion != s {
        help.push_str(&format!(", e.g. `{suggestion}`"));
    }
    help
}

/// An IANA service name as Kubernetes requires for port names: at most 15 characters,
/// lowercase alphanumerics and `-`, at least one letter, no leading, trailing or double `-`.
pub fn is_port_name(s: &str) -> bool {
    is_dns_label(s)
        && s.len() <= 15
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.contains("--")
}

/// A label value: empty, or up to 63 of `[A-Za-z0-9._-]` starting and ending alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.as_bytes()[s.len() - 1].is_ascii_alphanumeric())
}

/// An environment variable name as Kubernetes accepts it.
pub fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !s.as_bytes()[0].is_ascii_digit()
}

/// A key of a Secret or ConfigMap.
pub fn is_config_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A parsed CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// Parse `a.b.c.d/n` or an IPv6 CIDR. The address must be the network address.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let (addr, prefix) = s
            .split_once('/')
            .ok_or_else(|| format!("`{s}` has no prefix length (write e.g. `{s}/32`)"))?;
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("`{addr}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= max).ok_or_else(|| {
            format!("the prefix length `{prefix}` is not a number from 0 to {max}")
        })?;
        let cidr = Cidr { addr, prefix };
        if cidr.network() != addr {
            return Err(format!(
                "`{s}` has host bits set; the network address is `{}/{prefix}`",
                cidr.network()
            ));
        }
        Ok(cidr)
    }

    fn bits(addr: IpAddr) -> (u128, u32) {
        match addr {
            IpAddr::V4(a) => (u32::from(a) as u128, 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        }
    }

    fn mask(&self) -> u128 {
        let (_, width) = Self::bits(self.addr);
        if self.prefix == 0 {
            0
        } else {
            (u128::MAX << (width - self.prefix as u32)) & (u128::MAX >> (128 - width))
        }
    }

    /// The network address of this block.
    pub fn network(&self) -> IpAddr {
        let (v, _) = Self::bits(self.addr);
        let n = v & self.mask();
        match self.addr {
            IpAddr::V4(_) => IpAddr::V4((n as u32).into()),
            IpAddr::V6(_) => IpAddr::V6(n.into()),
        }
    }

    /// Whether `other` lies wholly inside this block (and is strictly smaller or equal).
    pub fn contains(&self, other: &Cidr) -> bool {
        if self.addr.is_ipv4() != other.addr.is_ipv4() || other.prefix < self.prefix {
            return false;
        }
        let (a, _) = Self::bits(other.addr);
        let (b, _) = Self::bits(self.addr);
        a & self.mask() == b & self.mask()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_labels() {
        for ok in ["a", "web-1", "0abc", &"a".repeat(63)] {
            assert!(is_dns_label(ok), "{ok}");
        }
        for bad in ["", "-a", "a-", "A", "a_b", "a.b", &"a".repeat(64), "é"] {
            assert!(!is_dns_label(bad), "{bad}");
        }
        assert!(dns_label_help("Bad_Name").contains("`bad-name`"));
    }

    #[test]
    fn port_names() {
        assert!(is_port_name("http"));
        assert!(is_port_name("grpc-web"));
        assert!(!is_port_name("8080"));
        assert!(!is_port_name("a--b"));
        assert!(!is_port_name("a-very-long-port-name"));
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("10.20.0.0/16").unwrap();
        assert!(c.contains(&Cidr::parse("10.20.9.0/24").unwrap()));
        assert!(!c.contains(&Cidr::parse("10.21.0.0/24").unwrap()));
        assert!(!c.contains(&Cidr::parse("10.0.0.0/8").unwrap()));
        assert!(Cidr::parse("10.0.0.1/32").is_ok());
        assert!(Cidr::parse("0.0.0.0/0").is_ok());
        assert!(Cidr::parse("fd00::/8").is_ok());
        assert!(
            Cidr::parse("10.20.0.1/16")
                .unwrap_err()
                .contains("10.20.0.0/16")
        );
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0.0").is_err());
        assert!(Cidr::parse("nope/8").is_err());
    }
}
