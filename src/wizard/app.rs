//! The app's questions: name, namespace, image (with its digest), ports, Service,
//! replicas, resources, writable paths, probes, environment and secret files.

use crate::k8s::image::parse_image;
use crate::spec::{App, AppResources, PortRef, Probes, Quantity, ResourceSet, Service};

use super::{Flag, Q, Session, WizardError, parse};

impl Session<'_> {
    /// Ask for a new app and add it (with its namespace, when that is new).
    pub fn add_app(&mut self) -> Result<(), WizardError> {
        let i = self.spec.apps.len();
        self.spec.apps.push(App {
            name: String::new(),
            namespace: String::new(),
            image: String::new(),
            replicas: None,
            ports: Vec::new(),
            service: None,
            resources: None,
            user: None,
            writable_paths: None,
            capabilities: Vec::new(),
            capabilities_exemption: None,
            probes: None,
            env: Default::default(),
            secret_env: Default::default(),
            secret_files: Vec::new(),
            api_access: Default::default(),
            command: None,
            args: None,
            build_context: None,
        });
        let at = |f: &str| format!("apps[{i}].{f}");
        self.section("The app");
        let name = self.ask(
            Q::new(Flag::App, "App name").path(at("name")),
            move |s, a| {
                s.apps[i].name = a.to_string();
                Ok(())
            },
        )?;
        let new_ns = self.app_namespace(i, &name)?;
        self.image(i)?;
        self.ports(i)?;
        self.replicas_and_resources(i)?;
        self.ask_list(
            Q::new(
                Flag::WritablePath,
                "Writable directories (comma-separated; the root filesystem stays read-only)",
            )
            .default("/tmp")
            .path(at("writablePaths")),
            move |s, paths| {
                s.apps[i].writable_paths = (paths != ["/tmp"]).then(|| paths.to_vec());
                Ok(())
            },
        )?;
        self.probes(i)?;
        self.env_and_secrets(i)?;
        if let Some(j) = new_ns {
            self.namespace_details(j)?;
        }
        Ok(())
    }

    /// The app's namespace: one of the spec's, or a new one (returned).
    fn app_namespace(&mut self, i: usize, app: &str) -> Result<Option<usize>, WizardError> {
        let known: Vec<String> = self
            .spec
            .namespaces
            .iter()
            .map(|n| n.name.clone())
            .collect();
        if !known.is_empty() && self.interactive() && self.preset(Flag::Namespace).is_none() {
            let mut items = known.clone();
            items.push("a new namespace".into());
            let pick = self.p.select("Namespace of the app", &items, 0)?;
            if pick < known.len() {
                self.spec.apps[i].namespace = known[pick].clone();
                return Ok(None);
            }
        }
        let j = self.spec.namespaces.len();
        let q = Q::new(
            Flag::Namespace,
            "Namespace (an administrative boundary with its own quota, policies and access)",
        )
        .default(app)
        .path(format!("namespaces[{j}].name"))
        .path(format!("apps[{i}].namespace"));
        let name = self.ask(q, move |s, a| {
            s.namespaces.truncate(j);
            if !s.namespaces.iter().any(|n| n.name == a) {
                s.namespaces.push(crate::spec::Namespace {
                    name: a.to_string(),
                    ..Default::default()
                });
            }
            s.apps[i].namespace = a.to_string();
            Ok(())
        })?;
        let added = self.spec.namespaces.len() > j;
        if !added {
            self.p.say(&format!("  the app joins namespace `{name}`"));
        }
        Ok(added.then_some(j))
    }

    /// The image; a tag without a digest gets an offer to add the digest.
    fn image(&mut self, i: usize) -> Result<(), WizardError> {
        let path = format!("apps[{i}].image");
        let q = Q::new(
            Flag::Image,
            "Image, pinned by digest (registry.example.com/team/app:1.2.3@sha256:…)",
        )
        .path(path.clone());
        let image = self.ask(q, move |s, a| {
            s.apps[i].image = a.to_string();
            Ok(())
        })?;
        let tag_only = parse_image(&image).is_ok_and(|r| r.digest.is_none() && r.tag.is_some());
        if !tag_only || !self.interactive() || self.preset(Flag::Image).is_some() {
            return Ok(());
        }
        let q = Q::new(
            Flag::Image,
            "Digest of the scanned image (sha256:…; empty keeps the tag only)",
        )
        .default("")
        .path(path);
        self.ask(q, move |s, a| {
            if !a.is_empty() {
                s.apps[i].image = format!("{image}@{a}");
            }
            Ok(())
        })?;
        Ok(())
    }

    fn ports(&mut self, i: usize) -> Result<(), WizardError> {
        let q = Q::new(
            Flag::Port,
            "Container ports (name:port[/UDP], comma-separated; `none` for a worker without ports)",
        )
        .default("http:8080")
        .path(format!("apps[{i}].ports"));
        self.ask_list(q, move |s, items| {
            s.apps[i].ports = items
                .iter()
                .filter(|item| *item != "none")
                .enumerate()
                .map(|(k, item)| parse::port(item, k == 0))
                .collect::<Result<_, _>>()?;
            Ok(())
        })?;
        let Some(first) = self.spec.apps[i].ports.first().map(|p| p.name.clone()) else {
            return Ok(());
        };
        let q = Q::new(
            Flag::ServicePort,
            format!("Service port, forwarded to `{first}` (empty for no Service)"),
        )
        .default("80")
        .path(format!("apps[{i}].service"));
        self.ask(q, move |s, a| {
            s.apps[i].service = match a {
                "" => None,
                n => Some(Service {
                    port: n
                        .parse()
                        .map_err(|_| format!("`{n}` is not a port number"))?,
                    target_port: Some(PortRef::Name(first.clone())),
                }),
            };
            Ok(())
        })?;
        Ok(())
    }

    /// The resources first, then the replicas: the quota fit of the replicas question is
    /// judged with the resources just given, and a replica count that does not fit is
    /// what is asked again.
    fn replicas_and_resources(&mut self, i: usize) -> Result<(), WizardError> {
        self.resources(i)?;
        let ns = &self.spec.apps[i].namespace;
        let j = self.spec.namespaces.iter().position(|n| &n.name == ns);
        let q = Q::new(Flag::Replicas, "Replicas")
            .default("2")
            .path(format!("apps[{i}].replicas"))
            .path(format!("namespaces[{}].quota", j.unwrap_or(usize::MAX)));
        self.ask(q, move |s, a| {
            s.apps[i].replicas = Some(a.parse().map_err(|_| format!("`{a}` is not a number"))?);
            Ok(())
        })?;
        Ok(())
    }

    /// CPU and memory requests and limits, from flags or, when asked to, by questions.
    fn resources(&mut self, i: usize) -> Result<(), WizardError> {
        let flags = [
            Flag::CpuRequest,
            Flag::CpuLimit,
            Flag::MemoryRequest,
            Flag::MemoryLimit,
        ];
        let given = flags.iter().any(|f| self.preset(*f).is_some());
        if !given
            && !self.confirm(
                "Change the resources (default requests 100m CPU, 128Mi; limits 500m CPU, 256Mi)?",
                false,
            )?
        {
            return Ok(());
        }
        for (flag, text, default, request, cpu) in [
            (flags[0], "CPU request", "100m", true, true),
            (flags[1], "CPU limit", "500m", false, true),
            (flags[2], "Memory request", "128Mi", true, false),
            (flags[3], "Memory limit", "256Mi", false, false),
        ] {
            let q = Q::new(flag, text)
                .default(default)
                .path(format!("apps[{i}].resources"));
            self.ask(q, move |s, a| {
                let r = s.apps[i]
                    .resources
                    .get_or_insert_with(AppResources::default);
                let set = if request {
                    &mut r.requests
                } else {
                    &mut r.limits
                };
                let set = set.get_or_insert_with(ResourceSet::default);
                let q = Some(Quantity(a.to_string()));
                if cpu {
                    set.cpu = q
                } else {
                    set.memory = q
                }
                Ok(())
            })?;
        }
        Ok(())
    }

    fn probes(&mut self, i: usize) -> Result<(), WizardError> {
        let first = self.spec.apps[i].ports.first().map(|p| p.name.clone());
        let q = Q::new(
            Flag::Probe,
            "Liveness check (is the process alive?): `tcp` (connect to the first port), `http:/path`, `exec:command args` or `none`",
        )
        .default(if first.is_some() { "tcp" } else { "none" })
        .path(format!("apps[{i}].probes.liveness"));
        let port = first.clone();
        self.ask(q, move |s, a| {
            // `tcp` on the first port is the default kubeward renders without `probes`.
            s.apps[i].probes = match parse::probe(a, port.as_deref())? {
                Some(p) if a != "tcp" => Some(Probes {
                    liveness: Some(p),
                    readiness: None,
                    startup: None,
                }),
                _ => None,
            };
            Ok(())
        })?;
        if self.spec.apps[i].probes.is_none() {
            return Ok(());
        }
        let q = Q::new(
            Flag::ReadinessProbe,
            "Readiness check (can it serve?), different from the liveness check: `tcp`, `http:/path` or `exec:command args`",
        )
        .default(if first.is_some() { "tcp" } else { "none" })
        .path(format!("apps[{i}].probes.readiness"));
        self.ask(q, move |s, a| {
            let ready = parse::probe(a, first.as_deref())?;
            let probes = s.apps[i].probes.as_mut().expect("liveness was set above");
            if ready.is_some() && ready == probes.liveness {
                return Err("readiness must check something else than liveness (another path, port or command): one slow dependency would otherwise restart every replica".into());
            }
            probes.readiness = ready;
            Ok(())
        })?;
        Ok(())
    }

    fn env_and_secrets(&mut self, i: usize) -> Result<(), WizardError> {
        let q = Q::new(
            Flag::Env,
            "Environment variables (NAME=value, comma-separated)",
        )
        .default("")
        .path(format!("apps[{i}].env"));
        self.ask_list(q, move |s, items| {
            s.apps[i].env = items
                .iter()
                .map(|e| parse::env(e))
                .collect::<Result<_, _>>()?;
            Ok(())
        })?;
        let q = Q::new(
            Flag::SecretFile,
            "Secrets mounted as read-only files (secret:/mount/path, comma-separated)",
        )
        .default("")
        .path(format!("apps[{i}].secretFiles"));
        self.ask_list(q, move |s, items| {
            s.apps[i].secret_files = items
                .iter()
                .map(|e| parse::secret_file(e))
                .collect::<Result<_, _>>()?;
            Ok(())
        })?;
        Ok(())
    }
}
