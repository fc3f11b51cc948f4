//! Kubernetes resource quantities (`500m`, `2`, `4Gi`, `1e3`) parsed to exact integers.
//!
//! CPU is counted in millicores, everything else in bytes (or units), so sums and
//! comparisons for quota fit are exact.

/// A valid quantity: the text as written (what the manifests carry) and its exact value in
/// thousandths of its unit (what sums and comparisons use).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    text: String,
    milli: u128,
}

impl Quantity {
    /// Parse a quantity as Kubernetes accepts it.
    pub fn parse(s: &str) -> Result<Quantity, String> {
        Ok(Quantity {
            text: s.trim().to_string(),
            milli: parse_milli(s)?,
        })
    }

    /// A quantity kubeward itself decides (a documented default); panics on a bad literal,
    /// which is a bug caught by every test that renders.
    pub fn known(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("bad built-in quantity: {e}"))
    }

    /// A quantity from an exact milli value, written as `format_milli` shows it.
    pub fn from_milli(milli: u128, cpu: bool) -> Quantity {
        Quantity {
            text: format_milli(milli, cpu),
            milli,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn milli(&self) -> u128 {
        self.milli
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Parse a quantity into thousandths of its unit (millicores for cpu, milli-bytes for
/// memory), so that every valid quantity is an integer.
pub fn parse_milli(s: &str) -> Result<u128, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let num = num.strip_prefix('+').unwrap_or(num);
    if num.is_empty() || num.matches('.').count() > 1 || num == "." {
        return Err(format!("`{s}` is not a quantity (e.g. `500m`, `2`, `4Gi`)"));
    }
    // factor as (multiplier, divisor) applied to the milli value
    let (mul, div): (u128, u128) = match suffix {
        "" => (1000, 1),
        "m" => (1, 1),
        "k" => (1000u128.pow(2), 1),
        "M" => (1000u128.pow(3), 1),
        "G" => (1000u128.pow(4), 1),
        "T" => (1000u128.pow(5), 1),
        "P" => (1000u128.pow(6), 1),
        "E" => (1000u128.pow(7), 1),
        "Ki" => (1000 * (1 << 10), 1),
        "Mi" => (1000 * (1 << 20), 1),
        "Gi" => (1000 * (1 << 30), 1),
        "Ti" => (1000 * (1u128 << 40), 1),
        "Pi" => (1000 * (1u128 << 50), 1),
        "Ei" => (1000 * (1u128 << 60), 1),
        s if s.starts_with(['e', 'E']) => {
            let exp: u32 = s[1..]
                .parse()
                .map_err(|_| format!("bad exponent in `{s}`"))?;
            if exp > 18 {
                return Err(format!("the exponent in `{s}` is too large"));
            }
            (1000 * 10u128.pow(exp), 1)
        }
        other => {
            return Err(format!(
                "`{other}` is not a quantity suffix (use m, k, M, G, T, Ki, Mi, Gi, Ti)"
            ));
        }
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let digits = format!("{int}{frac}");
    let value: u128 = digits.parse().map_err(|_| format!("`{s}` is too large"))?;
    let scale = 10u128.pow(frac.len() as u32);
    let total = value
        .checked_mul(mul)
        .ok_or_else(|| format!("`{s}` is too large"))?
        / div;
    if total % scale != 0 {
        return Err(format!(
            "`{s}` is more precise than Kubernetes allows (at most 1m)"
        ));
    }
    Ok(total / scale)
}

/// Why `s` is no CPU quantity, if it is not. CPU is counted in cores (`2`, `0.5`, `1e3`)
/// or millicores (`500m`); any other suffix (`100Mi`, `2k`) is a unit mistake that the
/// API server accepts and reads as millions of cores. `None` for anything else, a
/// malformed quantity included ([`parse_milli`] says what is wrong with that).
pub fn cpu_unit_problem(s: &str) -> Option<String> {
    let s = s.trim();
    parse_milli(s).ok()?;
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+'))
        .unwrap_or(s.len());
    let (num, suffix) = s.split_at(split);
    let exponent = suffix.starts_with(['e', 'E']);
    if suffix.is_empty() || suffix == "m" || exponent {
        return None;
    }
    Some(format!(
        "`{s}` is not a CPU quantity: CPU is counted in cores (`2`, `0.5`) or millicores (`500m`), and `{suffix}` is not a CPU unit; did you mean `{num}m`?"
    ))
}

/// Format a milli-quantity for a message: cpu as cores or `m`, memory with a binary suffix.
pub fn format_milli(milli: u128, cpu: bool) -> String {
    if cpu {
        if milli.is_multiple_of(1000) {
            format!("{}", milli / 1000)
        } else {
            format!("{milli}m")
        }
    } else {
        let bytes = milli / 1000;
        for (suffix, unit) in [("Gi", 1u128 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
            if bytes >= unit && bytes.is_multiple_of(unit) {
                return format!("{}{suffix}", bytes / unit);
            }
        }
        bytes.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_takes_cores_or_millicores_only() {
        for ok in ["2", "0.5", "500m", "1e3", "+1", " 250m "] {
            assert_eq!(cpu_unit_problem(ok), None, "{ok}");
        }
        for bad in ["100Mi", "2k", "1Gi", "3M"] {
            let why = cpu_unit_problem(bad).unwrap_or_else(|| panic!("{bad} accepted"));
            assert!(why.contains("not a CPU quantity"), "{why}");
        }
        assert!(
            cpu_unit_problem("100Mi")
                .unwrap()
                .contains("did you mean `100m`?")
        );
        assert_eq!(
            cpu_unit_problem("abc"),
            None,
            "a malformed quantity has its own error"
        );
    }

    #[test]
    fn parses_common_forms() {
        assert_eq!(parse_milli("500m").unwrap(), 500);
        assert_eq!(parse_milli("2").unwrap(), 2000);
        assert_eq!(parse_milli("0.5").unwrap(), 500);
        assert_eq!(parse_milli("1.5").unwrap(), 1500);
        assert_eq!(parse_milli("128Mi").unwrap(), 128 * (1 << 20) * 1000);
        assert_eq!(parse_milli("1G").unwrap(), 1_000_000_000_000);
        assert_eq!(parse_milli("1e3").unwrap(), 1_000_000);
        assert_eq!(parse_milli("1.5Gi").unwrap(), 3 * (1 << 29) * 1000);
    }

    #[test]
    fn rejects_nonsense() {
        for bad in ["", "abc", "1.2.3", "5 Mi", "10mb", "0.0001", "-1"] {
            assert!(parse_milli(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_for_messages() {
        assert_eq!(format_milli(2500, true), "2500m");
        assert_eq!(format_milli(4000, true), "4");
        assert_eq!(format_milli(parse_milli("4Gi").unwrap(), false), "4Gi");
        assert_eq!(format_milli(parse_milli("640Mi").unwrap(), false), "640Mi");
    }
}
