//! The cluster logging questions: ship logs (Fluent Bit) to Elasticsearch or Loki, where,
//! and the endpoint's addresses for the egress policy.

use crate::spec::{LogBackend, LogEndpoint, Logging};

use super::{Flag, Q, Session, WizardError};

const BACKENDS: [&str; 3] = ["none", "elasticsearch", "loki"];

impl Session<'_> {
    /// Ask whether (and where) to ship every container's log.
    pub fn logging(&mut self) -> Result<(), WizardError> {
        let flag = self.preset(Flag::Logging).and_then(|v| v.first().cloned());
        let choice = match flag {
            Some(f) => {
                BACKENDS
                    .iter()
                    .position(|b| *b == f)
                    .ok_or_else(|| WizardError::Invalid {
                        flag: Flag::Logging,
                        reasons: vec![format!("`{f}` is not `none`, `elasticsearch` or `loki`")],
                    })?
            }
            None if self.interactive() => {
                self.section("Cluster logging");
                let items = [
                    "no log shipping",
                    "Elasticsearch (Fluent Bit on every node)",
                    "Loki (Fluent Bit on every node)",
                ]
                .map(String::from);
                self.p.select("Ship every container's log to", &items, 0)?
            }
            None => 0,
        };
        let backend = match choice {
            1 => LogBackend::Elasticsearch,
            2 => LogBackend::Loki,
            _ => return Ok(()),
        };
        let default_port = if backend == LogBackend::Loki {
            "3100"
        } else {
            "9200"
        };
        let q = Q::new(
            Flag::LogEndpoint,
            "Log endpoint (host:port, e.g. logs.example.com:9200)",
        )
        .path("logging");
        self.ask(q, move |s, a| {
            let (host, port) = a.rsplit_once(':').unwrap_or((a, default_port));
            let port = port
                .parse()
                .map_err(|_| format!("`{port}` is not a port number"))?;
            let cidr = s
                .logging
                .as_ref()
                .and_then(|l| l.endpoint.as_ref()?.cidr.clone());
            s.logging = Some(Logging {
                enabled: true,
                backend: Some(backend),
                endpoint: Some(LogEndpoint {
                    host: host.to_string(),
                    port,
                    tls: true,
                    cidr,
                }),
                ..Logging::default()
            });
            Ok(())
        })?;
        let q = Q::new(
            Flag::LogCidr,
            "The endpoint's addresses as a CIDR, for the egress policy (empty: any address on its port)",
        )
        .default("")
        .path("logging.endpoint");
        self.ask(q, |s, a| {
            if let Some(e) = s.logging.as_mut().and_then(|l| l.endpoint.as_mut()) {
                e.cidr = (!a.is_empty()).then(|| a.to_string());
            }
            Ok(())
        })?;
        Ok(())
    }
}
