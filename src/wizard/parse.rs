//! The short forms answers and flags use (`http:8080`, `NAME=value`, `secret:/path`,
//! `NS:KIND:NAME:ROLE[:exec]`, `FROM:TO:PORTS`), parsed into spec values.

use crate::k8s::names::Cidr;
use crate::k8s::{PortRef, Protocol};
use crate::spec::{
    Access, AccessRole, CidrTarget, Flow, FlowTarget, Port, Probe, SecretFiles, Subject,
    SubjectKind,
};

/// `name:port[/UDP|SCTP]`, or a bare `port` (named `http` when it is the first).
pub fn port(item: &str, first: bool) -> Result<Port, String> {
    let (rest, protocol) = protocol_suffix(item)?;
    let (name, number) = match rest.split_once(':') {
        Some((n, p)) => (n.to_string(), p),
        None => (String::new(), rest),
    };
    let port: u32 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{item}` is not `name:port`, e.g. `http:8080`"))?;
    let name = if !name.is_empty() {
        name
    } else if first {
        "http".into()
    } else {
        format!("port-{port}")
    };
    Ok(Port {
        name,
        port,
        protocol,
    })
}

fn protocol_suffix(item: &str) -> Result<(&str, Protocol), String> {
    match item.rsplit_once('/') {
        Some((rest, p)) => {
            let protocol = match p.to_ascii_uppercase().as_str() {
                "TCP" => Protocol::Tcp,
                "UDP" => Protocol::Udp,
                "SCTP" => Protocol::Sctp,
                _ => return Err(format!("`{p}` is not a protocol (TCP, UDP or SCTP)")),
            };
            Ok((rest, protocol))
        }
        None => Ok((item, Protocol::Tcp)),
    }
}

/// A health check: `tcp`, `http:/path`, `exec:command args…` or `none`, checking
/// `first_port` where it needs a port.
pub fn probe(text: &str, first_port: Option<&str>) -> Result<Option<Probe>, String> {
    let port = || {
        first_port
            .map(|p| PortRef::Name(p.to_string()))
            .ok_or_else(|| "the app has no port to check; use `exec:COMMAND` or `none`".to_string())
    };
    let blank = |port, http, exec| Probe {
        http,
        port,
        exec,
        initial_delay_seconds: None,
        period_seconds: None,
        timeout_seconds: None,
        failure_threshold: None,
    };
    match text.split_once(':') {
        _ if text == "none" => Ok(None),
        _ if text == "tcp" => Ok(Some(blank(Some(port()?), None, None))),
        Some(("http", path)) => Ok(Some(blank(Some(port()?), Some(path.to_string()), None))),
        Some(("exec", cmd)) => Ok(Some(blank(
            None,
            None,
            Some(cmd.split_whitespace().map(str::to_string).collect()),
        ))),
        _ => Err(format!(
            "`{text}` is not a health check: write `tcp`, `http:/healthz`, `exec:/app/check --alive` or `none`"
        )),
    }
}

/// `NAME=value`.
pub fn env(item: &str) -> Result<(String, String), String> {
    item.split_once('=')
        .map(|(k, v)| (k.trim().to_string(), v.to_string()))
        .ok_or_else(|| format!("`{item}` is not `NAME=value`"))
}

/// `secret:/mount/path`.
pub fn secret_file(item: &str) -> Result<SecretFiles, String> {
    let (secret, path) = item
        .split_once(':')
        .ok_or_else(|| format!("`{item}` is not `secret:/mount/path`"))?;
    Ok(SecretFiles {
        secret: secret.to_string(),
        mount_path: path.to_string(),
        keys: Vec::new(),
    })
}

/// `NAMESPACE:KIND:NAME:ROLE[:exec]` (the name may hold `:`, as OIDC groups do).
pub fn access(item: &str) -> Result<(String, Access), String> {
    let bad = || {
        format!("`{item}` is not `NAMESPACE:KIND:NAME:ROLE[:exec]`, e.g. `shop:user:alice:read`")
    };
    let (rest, exec) = match item.strip_suffix(":exec") {
        Some(r) => (r, true),
        None => (item, false),
    };
    let (ns, rest) = rest.split_once(':').ok_or_else(bad)?;
    let (kind, rest) = rest.split_once(':').ok_or_else(bad)?;
    let (name, role) = rest.rsplit_once(':').ok_or_else(bad)?;
    let kind = SubjectKind::parse(kind)
        .ok_or_else(|| format!("`{kind}` is not a subject kind (user, group or serviceaccount)"))?;
    let role = AccessRole::parse(role)
        .ok_or_else(|| format!("`{role}` is not a role (read, write or admin)"))?;
    let access = Access {
        subject: Subject {
            kind,
            name: name.to_string(),
        },
        role,
        resources: None,
        exec,
    };
    Ok((ns.to_string(), access))
}

/// `FROM:TO:PORT[,PORT…][/UDP|SCTP]`; TO is an app, `namespace/app`, `kube-apiserver` or a
/// CIDR with optional `!EXCEPT` blocks (`10.20.0.0/16!10.20.9.0/24`).
pub fn flow(item: &str) -> Result<Flow, String> {
    let bad = || format!("`{item}` is not `FROM:TO:PORT`, e.g. `frontend:backend:80`");
    let (from, rest) = item.split_once(':').ok_or_else(bad)?;
    let (to, ports) = rest.rsplit_once(':').ok_or_else(bad)?;
    let (ports, protocol) = protocol_suffix(ports)?;
    let ports = ports
        .split(['+', ' '])
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<u32>()
                .map_err(|_| format!("`{p}` is not a port number"))
        })
        .collect::<Result<Vec<u32>, String>>()?;
    Ok(Flow {
        from: from.to_string(),
        to: target(to),
        port: (ports.len() == 1).then(|| ports[0]),
        ports: (ports.len() != 1).then_some(ports),
        protocol,
    })
}

/// A flow target: a CIDR (with `!except` blocks) when it parses as one, else a name.
pub fn target(to: &str) -> FlowTarget {
    let mut parts = to.split('!');
    let first = parts.next().unwrap_or_default();
    if Cidr::parse(first).is_ok()
        || first.starts_with(|c: char| c.is_ascii_digit()) && first.contains('/')
    {
        FlowTarget::Cidr(CidrTarget {
            cidr: first.to_string(),
            except: parts.map(str::to_string).collect(),
        })
    } else {
        FlowTarget::Name(to.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_parse() {
        assert_eq!(port("8080", true).unwrap().name, "http");
        assert_eq!(port("metrics:9090", false).unwrap().port, 9090);
        assert_eq!(port("dns:53/udp", false).unwrap().protocol, Protocol::Udp);
        assert!(port("http:eighty", true).is_err());
        assert_eq!(env("A=b=c").unwrap(), ("A".into(), "b=c".into()));
        let (ns, a) = access("shop:group:oidc:devs:write:exec").unwrap();
        assert_eq!(
            (ns.as_str(), a.subject.name.as_str(), a.exec),
            ("shop", "oidc:devs", true)
        );
        assert_eq!(a.role, AccessRole::Write);
        let f = flow("web:10.20.0.0/16!10.20.9.0/24:5432").unwrap();
        assert_eq!(
            f.to,
            FlowTarget::Cidr(CidrTarget {
                cidr: "10.20.0.0/16".into(),
                except: vec!["10.20.9.0/24".into()]
            })
        );
        assert_eq!(f.port, Some(5432));
        let f = flow("ingress:shop/web:80+443").unwrap();
        assert_eq!(f.to, FlowTarget::Name("shop/web".into()));
        assert_eq!(f.ports, Some(vec![80, 443]));
        assert!(flow("web:api").is_err());
        assert!(probe("http:/healthz", None).is_err());
        assert_eq!(
            probe("exec:/bin/check --alive", None)
                .unwrap()
                .unwrap()
                .exec,
            Some(vec!["/bin/check".to_string(), "--alive".to_string()])
        );
    }
}
