//! Port sets of the evaluator (per protocol, sorted disjoint inclusive ranges) and the
//! port entries of a policy rule: numbered, ranged with `endPort`, named, or a whole
//! protocol.

use std::fmt;

use serde_yaml::Value;

use crate::k8s::Protocol;

/// The protocols a NetworkPolicy port can name, in display order.
pub const PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

const MAX: u16 = 65535;

fn slot(p: Protocol) -> usize {
    match p {
        Protocol::Tcp => 0,
        Protocol::Udp => 1,
        Protocol::Sctp => 2,
    }
}

/// Ports of every protocol: for each, sorted, disjoint, non-adjacent inclusive ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PortSet {
    ranges: [Vec<(u16, u16)>; 3],
}

impl PortSet {
    /// Every port of every protocol.
    pub fn all() -> Self {
        PortSet {
            ranges: [vec![(1, MAX)], vec![(1, MAX)], vec![(1, MAX)]],
        }
    }

    /// The ports `start..=end` of `protocol` (empty when `start > end`).
    pub fn range(protocol: Protocol, start: u16, end: u16) -> Self {
        let mut s = PortSet::default();
        if start <= end {
            s.ranges[slot(protocol)].push((start, end));
        }
        s
    }

    pub fn single(protocol: Protocol, port: u16) -> Self {
        Self::range(protocol, port, port)
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.iter().all(Vec::is_empty)
    }

    pub fn is_all(&self) -> bool {
        self.ranges.iter().all(|r| r.as_slice() == [(1, MAX)])
    }

    /// Add every port of `other`.
    pub fn add(&mut self, other: &PortSet) {
        for (mine, theirs) in self.ranges.iter_mut().zip(&other.ranges) {
            if theirs.is_empty() {
                continue;
            }
            mine.extend_from_slice(theirs);
            *mine = merge(std::mem::take(mine));
        }
    }

    /// The ports in both sets.
    pub fn intersect(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::default();
        for i in 0..3 {
            out.ranges[i] = intersect(&self.ranges[i], &other.ranges[i]);
        }
        out
    }

    /// The ports of `self` that are not in `other`.
    pub fn minus(&self, other: &PortSet) -> PortSet {
        let mut out = PortSet::default();
        for i in 0..3 {
            out.ranges[i] = minus(&self.ranges[i], &other.ranges[i]);
        }
        out
    }

    /// `(protocol, start, end)` for each range, protocols in [`PROTOCOLS`] order.
    pub fn ranges(&self) -> impl Iterator<Item = (Protocol, u16, u16)> + '_ {
        PROTOCOLS
            .iter()
            .flat_map(move |p| self.ranges[slot(*p)].iter().map(move |(a, b)| (*p, *a, *b)))
    }
}

fn merge(mut v: Vec<(u16, u16)>) -> Vec<(u16, u16)> {
    v.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if u32::from(a) <= u32::from(last.1) + 1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn intersect(x: &[(u16, u16)], y: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < x.len() && j < y.len() {
        let (a, b) = (x[i].0.max(y[j].0), x[i].1.min(y[j].1));
        if a <= b {
            out.push((a, b));
        }
        if x[i].1 < y[j].1 { i += 1 } else { j += 1 }
    }
    out
}

fn minus(x: &[(u16, u16)], y: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(start, end) in x {
        let mut from = u32::from(start);
        for &(c, d) in y {
            let (c, d) = (u32::from(c), u32::from(d));
            if d < from || c > u32::from(end) {
                continue;
            }
            if c > from {
                out.push((from as u16, (c - 1) as u16));
            }
            from = d + 1;
        }
        if from <= u32::from(end) {
            out.push((from as u16, end));
        }
    }
    out
}

/// Ports as people read them: `TCP 8080`, `TCP 8000-8100, 9090`, `UDP any port`, or
/// `any port` for everything.
impl fmt::Display for PortSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_all() {
            return f.write_str("any port");
        }
        let mut parts = Vec::new();
        for p in PROTOCOLS {
            let r = &self.ranges[slot(p)];
            if r.is_empty() {
                continue;
            }
            let ports: Vec<String> = if r.as_slice() == [(1, MAX)] {
                vec!["any port".into()]
            } else {
                r.iter().map(|(a, b)| span(*a, *b)).collect()
            };
            parts.push(format!("{} {}", p.as_str(), ports.join(", ")));
        }
        f.write_str(&parts.join("; "))
    }
}

/// `8080` or `8000-8100`.
pub fn span(a: u16, b: u16) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

/// A container port a named policy port can resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedPort {
    pub name: String,
    pub protocol: Protocol,
    pub port: u16,
}

/// One entry of a rule's `ports`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortSpec {
    /// `port` (with `endPort`) as numbers.
    Numbers(PortSet),
    /// A container port name, resolved on the destination pod.
    Named { protocol: Protocol, name: String },
    /// Something the API server would refuse: matches nothing.
    Invalid,
}

fn protocol(v: Option<&Value>) -> Option<Protocol> {
    match v {
        None | Some(Value::Null) => Some(Protocol::Tcp),
        Some(Value::String(s)) => PROTOCOLS.into_iter().find(|p| p.as_str() == s),
        _ => None,
    }
}

fn number(v: &Value) -> Option<u16> {
    v.as_u64()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|n| *n > 0)
}

impl PortSpec {
    /// Parse one `NetworkPolicyPort`.
    pub fn parse(v: &Value) -> PortSpec {
        let Some(protocol) = protocol(v.get("protocol")) else {
            return PortSpec::Invalid;
        };
        match v.get("port") {
            None | Some(Value::Null) => PortSpec::Numbers(PortSet::range(protocol, 1, MAX)),
            Some(Value::String(name)) => PortSpec::Named {
                protocol,
                name: name.clone(),
            },
            Some(n) => {
                let Some(start) = number(n) else {
                    return PortSpec::Invalid;
                };
                let end = match v.get("endPort") {
                    None | Some(Value::Null) => start,
                    Some(e) => match number(e) {
                        Some(e) if e >= start => e,
                        _ => return PortSpec::Invalid,
                    },
                };
                PortSpec::Numbers(PortSet::range(protocol, start, end))
            }
        }
    }

    /// The ports this entry opens on a destination with the named container ports
    /// `named` (none for addresses and unknown pods).
    pub fn resolve(&self, named: &[NamedPort]) -> PortSet {
        match self {
            PortSpec::Numbers(s) => s.clone(),
            PortSpec::Named { protocol, name } => {
                let mut out = PortSet::default();
                for p in named
                    .iter()
                    .filter(|p| p.name == *name && p.protocol == *protocol)
                {
                    out.add(&PortSet::single(p.protocol, p.port));
                }
                out
            }
            PortSpec::Invalid => PortSet::default(),
        }
    }
}

/// The `ports` of a rule: `None` (absent or empty) opens every port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePorts {
    specs: Option<Vec<PortSpec>>,
    /// The numbered part, resolved once.
    numbered: PortSet,
    named: bool,
}

impl RulePorts {
    pub fn parse(v: Option<&Value>) -> RulePorts {
        let specs: Vec<PortSpec> = v
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
            .map(PortSpec::parse)
            .collect();
        if specs.is_empty() && v.is_none_or(|v| v.as_sequence().is_some() || v.is_null()) {
            return RulePorts {
                specs: None,
                numbered: PortSet::all(),
                named: false,
            };
        }
        let mut numbered = PortSet::default();
        for s in &specs {
            if let PortSpec::Numbers(n) = s {
                numbered.add(n);
            }
        }
        let named = specs.iter().any(|s| matches!(s, PortSpec::Named { .. }));
        RulePorts {
            specs: Some(specs),
            numbered,
            named,
        }
    }

    /// Every port.
    pub fn every() -> RulePorts {
        RulePorts::parse(None)
    }

    /// The ports opened towards a destination with container ports `named`.
    pub fn resolve(&self, named: &[NamedPort]) -> PortSet {
        match (&self.specs, self.named) {
            (Some(specs), true) => {
                let mut out = self.numbered.clone();
                for s in specs {
                    out.add(&s.resolve(named));
                }
                out
            }
            _ => self.numbered.clone(),
        }
    }

    /// Whether some entry names a container port.
    pub fn has_named(&self) -> bool {
        self.named
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(p: Protocol, r: &[(u16, u16)]) -> PortSet {
        let mut s = PortSet::default();
        for (a, b) in r {
            s.add(&PortSet::range(p, *a, *b));
        }
        s
    }

    #[test]
    fn union_intersection_and_difference() {
        let a = set(Protocol::Tcp, &[(80, 80), (81, 90), (100, 200)]);
        assert_eq!(a, set(Protocol::Tcp, &[(80, 90), (100, 200)]));
        let b = set(Protocol::Tcp, &[(85, 150)]);
        assert_eq!(a.intersect(&b), set(Protocol::Tcp, &[(85, 90), (100, 150)]));
        assert_eq!(a.minus(&b), set(Protocol::Tcp, &[(80, 84), (151, 200)]));
        assert!(a.intersect(&set(Protocol::Udp, &[(80, 90)])).is_empty());
        assert!(PortSet::all().minus(&PortSet::all()).is_empty());
        assert_eq!(a.to_string(), "TCP 80-90, 100-200");
        assert_eq!(PortSet::all().to_string(), "any port");
    }

    #[test]
    fn port_entries_follow_the_api() {
        let p = |s: &str| PortSpec::parse(&serde_yaml::from_str(s).unwrap());
        assert_eq!(
            p("{port: 53, protocol: UDP}"),
            PortSpec::Numbers(PortSet::single(Protocol::Udp, 53))
        );
        assert_eq!(
            p("{port: 8000, endPort: 8100}"),
            PortSpec::Numbers(PortSet::range(Protocol::Tcp, 8000, 8100))
        );
        assert_eq!(p("{port: 80, endPort: 79}"), PortSpec::Invalid);
        assert_eq!(p("{port: 0}"), PortSpec::Invalid);
        assert_eq!(p("{port: 70000}"), PortSpec::Invalid);
        assert_eq!(p("{protocol: ICMP}"), PortSpec::Invalid);
        assert_eq!(
            p("{protocol: SCTP}"),
            PortSpec::Numbers(PortSet::range(Protocol::Sctp, 1, MAX))
        );
        let named = p("{port: http}");
        let ports = [NamedPort {
            name: "http".into(),
            protocol: Protocol::Tcp,
            port: 8080,
        }];
        assert_eq!(named.resolve(&ports), PortSet::single(Protocol::Tcp, 8080));
        assert!(named.resolve(&[]).is_empty());
    }

    #[test]
    fn absent_or_empty_ports_open_everything() {
        assert!(RulePorts::parse(None).resolve(&[]).is_all());
        let empty: Value = serde_yaml::from_str("[]").unwrap();
        assert!(RulePorts::parse(Some(&empty)).resolve(&[]).is_all());
        let bad: Value = serde_yaml::from_str("[{port: 0}]").unwrap();
        assert!(RulePorts::parse(Some(&bad)).resolve(&[]).is_empty());
    }
}
