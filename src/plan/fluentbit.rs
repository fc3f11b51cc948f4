//! The Fluent Bit configuration kubeward writes (YAML format): typed here, built from
//! the model, and parsed back with unknown keys refused, so that a template or code change
//! that breaks the configuration fails the render instead of the DaemonSet.

use serde::{Deserialize, Serialize};

use crate::k8s::SERVICE_ACCOUNT_TOKEN_PATH;
use crate::resolve::defaults::{NODE_LOG_DIR, STATE_MOUNT};
use crate::resolve::model::{LogBackend, Logging};

/// The environment variables that carry the endpoint credentials (from the Secret).
pub const USER_ENV: &str = "KUBEWARD_LOG_USER";
pub const PASSWORD_ENV: &str = "KUBEWARD_LOG_PASSWORD";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub service: Service,
    pub pipeline: Pipeline,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub flush: u32,
    pub log_level: String,
    pub http_server: String,
    pub http_listen: String,
    pub http_port: u32,
    pub health_check: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    pub inputs: Vec<Tail>,
    pub filters: Vec<Kubernetes>,
    pub outputs: Vec<Output>,
}

/// The `tail` input over every container log, CRI format, with its offset database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tail {
    pub name: String,
    pub tag: String,
    pub path: String,
    #[serde(rename = "multiline.parser")]
    pub multiline_parser: String,
    pub db: String,
    #[serde(rename = "db.locking")]
    pub db_locking: bool,
    pub mem_buf_limit: String,
    pub skip_long_lines: String,
    pub refresh_interval: u32,
}

/// The `kubernetes` filter: pod metadata from the API server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    pub name: String,
    #[serde(rename = "match")]
    pub match_: String,
    pub kube_url: String,
    pub kube_ca_file: String,
    pub kube_token_file: String,
    pub merge_log: String,
    pub keep_log: String,
    #[serde(rename = "k8s-logging.parser")]
    pub k8s_logging_parser: String,
    #[serde(rename = "k8s-logging.exclude")]
    pub k8s_logging_exclude: String,
    pub labels: String,
    pub annotations: String,
}

/// The `es` or `loki` output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Output {
    pub name: String,
    #[serde(rename = "match")]
    pub match_: String,
    pub host: String,
    pub port: u32,
    pub tls: String,
    #[serde(rename = "tls.verify")]
    pub tls_verify: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_passwd: Option<String>,
    pub retry_limit: String,
    // Elasticsearch
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logstash_format: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logstash_prefix: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppress_type_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replace_dots: Option<String>,
    // Loki
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line_format: Option<String>,
}

/// Where the tail database lives (the one writable host directory).
pub fn tail_db() -> String {
    format!("{STATE_MOUNT}/tail.db")
}

fn on(b: bool) -> String {
    if b { "on" } else { "off" }.into()
}

/// The configuration for a resolved logging setup.
pub fn config(l: &Logging) -> Config {
    let credentials = l.credentials.as_ref().map(|_| ());
    let mut out = Output {
        name: String::new(),
        match_: "kube.*".into(),
        host: l.endpoint.host.clone(),
        port: l.endpoint.port,
        tls: on(l.endpoint.tls),
        tls_verify: on(l.endpoint.tls),
        http_user: credentials.map(|_| format!("${{{USER_ENV}}}")),
        http_passwd: credentials.map(|_| format!("${{{PASSWORD_ENV}}}")),
        retry_limit: "no_limits".into(),
        logstash_format: None,
        logstash_prefix: None,
        suppress_type_name: None,
        replace_dots: None,
        labels: None,
        tenant_id: None,
        line_format: None,
    };
    match &l.backend {
        LogBackend::Elasticsearch { index_prefix } => {
            out.name = "es".into();
            out.logstash_format = Some(on(true));
            out.logstash_prefix = Some(index_prefix.clone());
            out.suppress_type_name = Some(on(true));
            out.replace_dots = Some(on(true));
        }
        LogBackend::Loki { tenant } => {
            out.name = "loki".into();
            out.labels = Some(
                "job=fluent-bit, namespace=$kubernetes['namespace_name'], app=$kubernetes['labels']['app.kubernetes.io/name']".into(),
            );
            out.tenant_id = tenant.clone();
            out.line_format = Some("json".into());
        }
    }
    Config {
        service: Service {
            flush: 1,
            log_level: "info".into(),
            http_server: on(true),
            http_listen: "0.0.0.0".into(),
            http_port: l.http_port,
            health_check: on(true),
        },
        pipeline: Pipeline {
            inputs: vec![Tail {
                name: "tail".into(),
                tag: "kube.*".into(),
                path: format!("{NODE_LOG_DIR}/containers/*.log"),
                multiline_parser: "cri".into(),
                db: tail_db(),
                db_locking: true,
                mem_buf_limit: "32MB".into(),
                skip_long_lines: on(true),
                refresh_interval: 10,
            }],
            filters: vec![Kubernetes {
                name: "kubernetes".into(),
                match_: "kube.*".into(),
                kube_url: "https://kubernetes.default.svc:443".into(),
                kube_ca_file: format!("{SERVICE_ACCOUNT_TOKEN_PATH}/ca.crt"),
                kube_token_file: format!("{SERVICE_ACCOUNT_TOKEN_PATH}/token"),
                merge_log: on(true),
                keep_log: on(false),
                k8s_logging_parser: on(true),
                k8s_logging_exclude: on(true),
                labels: on(true),
                annotations: on(false),
            }],
            outputs: vec![out],
        },
    }
}

/// The configuration as the YAML file Fluent Bit reads.
pub fn config_text(c: &Config) -> String {
    serde_yaml::to_string(c).unwrap_or_default()
}

/// Parse a configuration back, refusing unknown keys and wrong types.
pub fn parse(text: &str) -> Result<Config, String> {
    serde_yaml::from_str(text).map_err(|e| e.to_string())
}

/// Check the rendered ConfigMap that carries the configuration under `key`: it must hold
/// a configuration that parses with no unknown key.
pub fn check_rendered(configmap: &str, key: &str) -> Result<(), String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(configmap)
        .map_err(|e| format!("the ConfigMap does not parse: {e}"))?;
    let text = doc["data"][key]
        .as_str()
        .ok_or_else(|| format!("the ConfigMap has no `data.{key}` text"))?;
    parse(text)
        .map(|_| ())
        .map_err(|e| format!("`data.{key}` is not a configuration kubeward writes: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::parse_resolved;

    fn logging(backend: &str) -> Logging {
        let text = format!(
            "version: 1\nnamespaces: [{{ name: a }}]\nlogging:\n  enabled: true\n  backend: {backend}\n  endpoint: {{ host: logs.example.com, port: 9200, cidr: 10.30.0.0/16 }}\n  credentials: log-writer\n"
        );
        parse_resolved("t.yaml", &text)
            .unwrap()
            .model
            .logging
            .unwrap()
    }

    #[test]
    fn the_written_configuration_reads_back_as_itself() {
        for backend in ["elasticsearch", "loki"] {
            let c = config(&logging(backend));
            assert_eq!(parse(&config_text(&c)).unwrap(), c, "{backend}");
        }
    }

    #[test]
    fn outputs_verify_tls_and_take_credentials_from_the_environment() {
        let c = config(&logging("elasticsearch"));
        let out = &c.pipeline.outputs[0];
        assert_eq!((out.tls.as_str(), out.tls_verify.as_str()), ("on", "on"));
        assert_eq!(out.http_passwd.as_deref(), Some("${KUBEWARD_LOG_PASSWORD}"));
        assert_eq!(out.logstash_prefix.as_deref(), Some("kubernetes"));
        let c = config(&logging("loki"));
        assert!(
            c.pipeline.outputs[0]
                .labels
                .as_deref()
                .unwrap()
                .contains("namespace_name")
        );
    }

    #[test]
    fn an_unknown_or_misspelt_key_is_refused() {
        let text =
            config_text(&config(&logging("loki"))).replace("multiline.parser", "multiline.parsr");
        assert!(
            parse(&text).unwrap_err().contains("unknown field"),
            "{text}"
        );
    }
}
