//! `logging`: the Fluent Bit shipper checked and defaulted — its namespace (Pod Security
//! `privileged` with the written reason, a quota sized by the node count), image,
//! resources, backend and endpoint, and what its egress policy may reach.

use crate::diag::Diagnostic;
use crate::k8s::image::parse_image;
use crate::k8s::names::{Cidr, dns_label_help, is_dns_label, is_dns_subdomain};
use crate::k8s::{PodSecurity, Quantity};
use crate::spec::{self, LoadedSpec};

use super::defaults::{
    API_SERVER_PORTS, ES_INDEX_PREFIX, FLUENT_BIT_HTTP_PORT, FLUENT_BIT_IMAGE, FLUENT_BIT_LIMIT,
    FLUENT_BIT_REQUEST, LOG_SHIPPER, LOGGING_EXEMPTION, LOGGING_NAMESPACE, LOGGING_NODES,
    resource_set,
};
use super::model::{
    ContainerDefaults, CpuMemory, EndpointPeer, LogBackend, LogEndpoint, Logging, Namespace, Quota,
    Resources,
};
use super::namespace::resource_set_over;

/// Resolve `logging`; `None` when it is off (or wrong: the errors are in `out`).
pub fn resolve(
    s: &LoadedSpec,
    api_server: &[String],
    out: &mut Vec<Diagnostic>,
) -> Option<(Logging, Namespace)> {
    let l = s.spec.logging.as_ref().filter(|l| l.enabled)?;
    let before = out.len();
    let namespace = namespace_name(s, l, out);
    let (Some(backend), Some(endpoint)) = (l.backend, l.endpoint.as_ref()) else {
        out.push(
            s.error_at("logging", "logging needs a `backend` and an `endpoint`")
                .with_help("add `backend: elasticsearch` (or `loki`) and `endpoint: { host: ..., port: ... }`"),
        );
        return None;
    };
    let backend = backend_options(s, l, backend, out);
    let endpoint = log_endpoint(s, endpoint, out);
    let image = l
        .image
        .clone()
        .unwrap_or_else(|| FLUENT_BIT_IMAGE.to_string());
    let image_ref = image_ref(s, &image, out);
    let resources = resources(s, l, out);
    let nodes = l.nodes.unwrap_or(LOGGING_NODES);
    if nodes == 0 {
        out.push(s.error_at("logging.nodes", "`nodes` is 0").with_help(
            "give the most nodes the cluster will have; it sizes the logging namespace's quota",
        ));
    }
    check_names(s, l, out);
    if api_server.is_empty() {
        out.push(
            s.warning_at("logging", "the log shipper may reach any address on the API server's ports (443, 6443)")
                .with_code("netpol-apiserver-address")
                .with_help("set `apiServer: { cidrs: [...] }` to the API server's addresses (`kubectl get endpoints kubernetes`)"),
        );
    }
    if out[before..].iter().any(Diagnostic::is_error) {
        return None;
    }
    let ns = logging_namespace(&namespace, &resources, nodes.max(1));
    let logging = Logging {
        name: LOG_SHIPPER.to_string(),
        namespace,
        image,
        image_ref: image_ref?,
        resources,
        nodes,
        backend,
        endpoint,
        credentials: l.credentials.clone(),
        metrics_from: l.metrics_from.clone(),
        api_server: api_server.to_vec(),
        api_server_ports: API_SERVER_PORTS.to_vec(),
        http_port: FLUENT_BIT_HTTP_PORT,
    };
    Some((logging, ns))
}

fn namespace_name(s: &LoadedSpec, l: &spec::Logging, out: &mut Vec<Diagnostic>) -> String {
    let name = l
        .namespace
        .clone()
        .unwrap_or_else(|| LOGGING_NAMESPACE.to_string());
    if !is_dns_label(&name) || name == "default" || name.starts_with("kube-") {
        out.push(
            s.error_at(
                "logging.namespace",
                format!("`{name}` cannot be the logging namespace"),
            )
            .with_help(format!(
                "{}; `default` and `kube-*` are not allowed",
                dns_label_help(&name)
            )),
        );
    } else if s.spec.namespaces.iter().any(|n| n.name == name) {
        out.push(
            s.error_at(
                "logging.namespace",
                format!("namespace `{name}` is declared under `namespaces` too"),
            )
            .with_help("the log shipper gets a namespace of its own (Pod Security `privileged`); choose another `logging.namespace`"),
        );
    }
    name
}

fn backend_options(
    s: &LoadedSpec,
    l: &spec::Logging,
    backend: spec::LogBackend,
    out: &mut Vec<Diagnostic>,
) -> LogBackend {
    match backend {
        spec::LogBackend::Elasticsearch => {
            if l.tenant.is_some() {
                out.push(
                    s.error_at("logging.tenant", "`tenant` is a Loki setting")
                        .with_help("remove it, or set `backend: loki`"),
                );
            }
            let prefix = l
                .index_prefix
                .clone()
                .unwrap_or_else(|| ES_INDEX_PREFIX.into());
            let ok = !prefix.is_empty()
                && prefix.len() <= 100
                && prefix.bytes().all(|b| {
                    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'
                })
                && !prefix.starts_with(['-', '_']);
            if !ok {
                out.push(s.error_at("logging.indexPrefix", format!("`{prefix}` is not an index prefix"))
                    .with_help("an Elasticsearch index prefix is lowercase letters, digits, `-` and `_`, e.g. `kubernetes`"));
            }
            LogBackend::Elasticsearch {
                index_prefix: prefix,
            }
        }
        spec::LogBackend::Loki => {
            if l.index_prefix.is_some() {
                out.push(
                    s.error_at(
                        "logging.indexPrefix",
                        "`indexPrefix` is an Elasticsearch setting",
                    )
                    .with_help("remove it, or set `backend: elasticsearch`"),
                );
            }
            if let Some(t) = &l.tenant
                && (t.is_empty()
                    || !t
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)))
            {
                out.push(
                    s.error_at("logging.tenant", format!("`{t}` is not a tenant id"))
                        .with_help("a Loki tenant is letters, digits, `-`, `_` and `.`"),
                );
            }
            LogBackend::Loki {
                tenant: l.tenant.clone(),
            }
        }
    }
}

fn log_endpoint(s: &LoadedSpec, e: &spec::LogEndpoint, out: &mut Vec<Diagnostic>) -> LogEndpoint {
    let ip = e.host.parse::<std::net::IpAddr>().ok();
    if ip.is_none() && !is_dns_subdomain(&e.host) {
        out.push(s.error_at("logging.endpoint.host", format!("`{}` is not a host name or address", e.host))
            .with_help("give the log endpoint's DNS name (e.g. `elasticsearch.logging-backend.svc`) or IP address"));
    }
    if !(1..=65535).contains(&e.port) {
        out.push(
            s.error_at(
                "logging.endpoint.port",
                format!("port {} is out of range", e.port),
            )
            .with_help("a port is a number from 1 to 65535"),
        );
    }
    let peer = if let Some(c) = &e.cidr {
        if let Err(msg) = Cidr::parse(c) {
            out.push(
                s.error_at("logging.endpoint.cidr", msg)
                    .with_help("write a network as `address/prefix`, e.g. `10.30.0.0/16`"),
            );
        }
        EndpointPeer::Cidr(c.clone())
    } else if let Some(ip) = ip {
        EndpointPeer::Cidr(format!("{ip}/{}", if ip.is_ipv4() { 32 } else { 128 }))
    } else if let Some(ns) = service_namespace(&e.host) {
        EndpointPeer::Namespace(ns)
    } else {
        out.push(
            s.warning_at(
                "logging.endpoint.host",
                format!(
                    "the log shipper may reach any address on port {}: `{}` is outside the cluster",
                    e.port, e.host
                ),
            )
            .with_code("logging-endpoint-address")
            .with_help("add `cidr:` with the endpoint's addresses to the endpoint"),
        );
        EndpointPeer::Anywhere
    };
    LogEndpoint {
        host: e.host.clone(),
        port: e.port,
        tls: e.tls,
        peer,
    }
}

/// The namespace of a Service host name `svc.namespace.svc[.cluster.local]`.
fn service_namespace(host: &str) -> Option<String> {
    let host = host.strip_suffix(".cluster.local").unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    match parts.as_slice() {
        [_, ns, "svc"] => Some(ns.to_string()),
        _ => None,
    }
}

fn image_ref(
    s: &LoadedSpec,
    image: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<crate::k8s::image::ImageRef> {
    match parse_image(image) {
        Err(e) => {
            out.push(
                s.error_at(
                    "logging.image",
                    format!("`{image}` is not an image reference: {e}"),
                )
                .with_help("write `registry.example.com/fluent-bit:4.1.1@sha256:<64 hex digits>`"),
            );
            None
        }
        Ok(r) if r.digest.is_none() && matches!(r.tag.as_deref(), None | Some("latest")) => {
            out.push(
                s.error_at(
                    "logging.image",
                    format!("image `{image}` is not pinned (no tag, or `latest`)"),
                )
                .with_help("name the Fluent Bit version and its digest: `IMAGE:4.1.1@sha256:...`"),
            );
            None
        }
        Ok(r) => {
            if r.digest.is_none() {
                out.push(
                    s.warning_at("logging.image", format!("image `{image}` is pinned by tag only, not by digest; the admission policy refuses it"))
                        .with_code("image-digest")
                        .with_help("pin the digest: `docker buildx imagetools inspect IMAGE` prints it; write `IMAGE:TAG@sha256:...`"),
                );
            }
            Some(r)
        }
    }
}

fn resources(s: &LoadedSpec, l: &spec::Logging, out: &mut Vec<Diagnostic>) -> Resources {
    let given = l.resources.as_ref();
    let r = Resources {
        requests: resource_set_over(
            s,
            "logging.resources.requests",
            given.and_then(|r| r.requests.as_ref()),
            &resource_set(&FLUENT_BIT_REQUEST),
            out,
        ),
        limits: resource_set_over(
            s,
            "logging.resources.limits",
            given.and_then(|r| r.limits.as_ref()),
            &resource_set(&FLUENT_BIT_LIMIT),
            out,
        ),
    };
    for ((res, req), (_, lim)) in r.requests.entries().into_iter().zip(r.limits.entries()) {
        if req.milli() > lim.milli() {
            out.push(
                s.error_at(
                    "logging.resources",
                    format!("Fluent Bit requests {req} {res} but is limited to {lim}"),
                )
                .with_help("a request cannot exceed its limit"),
            );
        }
    }
    r
}

fn check_names(s: &LoadedSpec, l: &spec::Logging, out: &mut Vec<Diagnostic>) {
    if let Some(c) = &l.credentials
        && !is_dns_subdomain(c)
    {
        out.push(
            s.error_at(
                "logging.credentials",
                format!("`{c}` is not a valid Secret name"),
            )
            .with_help(
                "name a Secret of the logging namespace with keys `username` and `password`",
            ),
        );
    }
    if let Some(m) = &l.metrics_from
        && !is_dns_label(m)
    {
        out.push(
            s.error_at(
                "logging.metricsFrom",
                format!("`{m}` is not a valid namespace name"),
            )
            .with_help(dns_label_help(m)),
        );
    }
}

/// The logging namespace: `privileged` with its reason, a quota for one pod per node,
/// and container defaults equal to Fluent Bit's resources.
fn logging_namespace(name: &str, r: &Resources, nodes: u32) -> Namespace {
    let times = |q: &Quantity, cpu: bool| Quantity::from_milli(q.milli() * nodes as u128, cpu);
    let quota = Quota {
        pods: nodes,
        requests: CpuMemory {
            cpu: times(&r.requests.cpu, true),
            memory: times(&r.requests.memory, false),
        },
        limits: CpuMemory {
            cpu: times(&r.limits.cpu, true),
            memory: times(&r.limits.memory, false),
        },
        node_ports: 0,
        load_balancers: 0,
    };
    Namespace {
        name: name.to_string(),
        team: None,
        pod_security: PodSecurity::Privileged,
        pod_security_exemption: Some(LOGGING_EXEMPTION.to_string()),
        quota,
        defaults: ContainerDefaults {
            request: r.requests.clone(),
            limit: r.limits.clone(),
            max_cpu: r.limits.cpu.clone(),
            max_memory: r.limits.memory.clone(),
            max_ephemeral_storage: None,
        },
        ingress_from: None,
        access: Vec::new(),
        registries: Vec::new(),
    }
}
