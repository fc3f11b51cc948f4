//! Traffic flows (from an app or the ingress controller, to an app, a network or the API
//! server) and the supply chain (trusted registries, admission policy, audit).

use crate::k8s::image::parse_image;
use crate::resolve::{INGRESS, KUBE_APISERVER};
use crate::spec::{CiPipeline, Flow, FlowTarget, SupplyChain};

use super::{Flag, Q, Session, WizardError, parse};

impl Session<'_> {
    /// `--flow` entries, or interactively an "add another?" loop.
    pub fn flows(&mut self) -> Result<(), WizardError> {
        if let Some(items) = self.preset(Flag::Flow).cloned() {
            for item in items {
                self.flow_from_flag(&item)?;
            }
            return Ok(());
        }
        if !self.interactive() {
            return Ok(());
        }
        let mut question = "Allow a traffic flow? (everything else is denied; DNS always works)";
        // A loop ends on Enter: "no more" is the default.
        while self.p.confirm(question, false)? {
            self.one_flow()?;
            question = "Allow another flow?";
        }
        Ok(())
    }

    fn flow_from_flag(&mut self, item: &str) -> Result<(), WizardError> {
        let invalid = |reasons: Vec<String>| WizardError::Invalid {
            flag: Flag::Flow,
            reasons: reasons
                .into_iter()
                .map(|r| format!("`{item}`: {r}"))
                .collect(),
        };
        let flow = parse::flow(item).map_err(|e| invalid(vec![e]))?;
        let k = self.spec.flows.len();
        let mut candidate = self.spec.clone();
        candidate.flows.push(flow);
        self.ingress_from_flag(&mut candidate, k);
        let mut paths = vec![format!("flows[{k}]")];
        paths.extend(
            (0..candidate.namespaces.len()).map(|j| format!("namespaces[{j}].ingressFrom")),
        );
        let warnings = self.check(&candidate, &paths).map_err(invalid)?;
        self.warn(warnings);
        self.spec = candidate;
        Ok(())
    }

    /// A flow from `ingress` needs to know where the controller runs: `--ingress-from`.
    fn ingress_from_flag(&self, spec: &mut crate::spec::Spec, k: usize) {
        let Some(ns) = self.ingress_target_namespace(spec, k) else {
            return;
        };
        let from = self
            .preset(Flag::IngressFrom)
            .and_then(|v| v.first().cloned())
            .unwrap_or_else(|| "ingress-nginx".into());
        if let Some(n) = spec.namespaces.iter_mut().find(|n| n.name == ns)
            && n.ingress_from.is_none()
        {
            n.ingress_from = Some(from);
        }
    }

    /// The namespace of the app a `from: ingress` flow `k` goes to.
    fn ingress_target_namespace(&self, spec: &crate::spec::Spec, k: usize) -> Option<String> {
        let flow = &spec.flows[k];
        let FlowTarget::Name(to) = &flow.to else {
            return None;
        };
        if flow.from != INGRESS {
            return None;
        }
        spec.apps
            .iter()
            .find(|a| &a.name == to || format!("{}/{}", a.namespace, a.name) == *to)
            .map(|a| a.namespace.clone())
    }

    fn one_flow(&mut self) -> Result<(), WizardError> {
        let apps: Vec<String> = self
            .spec
            .apps
            .iter()
            .map(|a| format!("{}/{}", a.namespace, a.name))
            .collect();
        let mut from_items = apps.clone();
        from_items.push(format!("{INGRESS} (the ingress controller)"));
        let from = self.p.select("From", &from_items, from_items.len() - 1)?;
        // The other apps first; the sender itself last (its pods talking to each other).
        let mut to_apps: Vec<usize> = (0..apps.len()).filter(|a| *a != from).collect();
        let mut to_items: Vec<String> = to_apps.iter().map(|a| apps[*a].clone()).collect();
        if from < apps.len() {
            to_apps.push(from);
            to_items.push(format!("{} (itself: its pods to each other)", apps[from]));
        }
        to_items.push(format!("{KUBE_APISERVER} (the API server)"));
        to_items.push("a network outside the cluster (CIDR)".into());
        let to = self.p.select("To", &to_items, 0)?;
        let (target, default_port) = if let Some(&a) = to_apps.get(to) {
            let app = &self.spec.apps[a];
            let port = app
                .service
                .as_ref()
                .map(|s| s.port)
                .or(app.ports.first().map(|p| p.port))
                .map_or(String::new(), |p| p.to_string());
            (FlowTarget::Name(apps[a].clone()), port)
        } else if to == to_apps.len() {
            (FlowTarget::Name(KUBE_APISERVER.into()), "443".into())
        } else {
            (self.cidr()?, String::new())
        };
        let from = apps
            .get(from)
            .cloned()
            .unwrap_or_else(|| INGRESS.to_string());
        let k = self.spec.flows.len();
        self.spec.flows.push(Flow {
            from,
            to: target,
            port: None,
            ports: None,
            protocol: Default::default(),
        });
        if let Some(ns) = self.ingress_target_namespace(&self.spec, k) {
            self.ingress_namespace(&ns)?;
        }
        let q = Q::asked("Port(s) (comma-separated)")
            .default(default_port)
            .path(format!("flows[{k}]"));
        self.ask_list(q, move |s, items| {
            let ports = items
                .iter()
                .map(|p| {
                    p.parse::<u32>()
                        .map_err(|_| format!("`{p}` is not a port number"))
                })
                .collect::<Result<Vec<u32>, String>>()?;
            s.flows[k].port = (ports.len() == 1).then(|| ports[0]);
            s.flows[k].ports = (ports.len() != 1).then_some(ports);
            Ok(())
        })?;
        Ok(())
    }

    fn cidr(&mut self) -> Result<FlowTarget, WizardError> {
        let question = "Network (CIDR, e.g. 10.20.0.0/16)";
        let cidr = self.p.input(question, None)?;
        self.p.accepted(question, cidr.trim());
        let question = "Except these blocks inside it (comma-separated; empty for none)";
        let except = self.p.input(question, Some(""))?;
        self.p.accepted(question, except.trim());
        let mut text = cidr.trim().to_string();
        for e in super::split_list(&except) {
            text.push('!');
            text.push_str(&e);
        }
        Ok(parse::target(&text))
    }

    /// Where the ingress controller of namespace `ns` runs, asked once.
    fn ingress_namespace(&mut self, ns: &str) -> Result<(), WizardError> {
        let Some(j) = self.spec.namespaces.iter().position(|n| n.name == ns) else {
            return Ok(());
        };
        if self.spec.namespaces[j].ingress_from.is_some() {
            return Ok(());
        }
        let q = Q::new(Flag::IngressFrom, "Namespace of the ingress controller")
            .default("ingress-nginx")
            .path(format!("namespaces[{j}].ingressFrom"));
        self.ask(q, move |s, a| {
            s.namespaces[j].ingress_from = Some(a.to_string());
            Ok(())
        })?;
        Ok(())
    }

    /// The CI pipeline that builds, scans and pushes the images (`--ci-pipeline`).
    fn ci_pipeline(&mut self) -> Result<(), WizardError> {
        const CHOICES: [(&str, &str, CiPipeline); 3] = [
            ("github", "GitHub Actions", CiPipeline::Github),
            ("gitlab", "GitLab CI", CiPipeline::Gitlab),
            (
                "none",
                "none (my CI already builds, scans and pushes)",
                CiPipeline::None,
            ),
        ];
        let flag = self
            .preset(Flag::CiPipeline)
            .and_then(|v| v.first().cloned());
        let pick = match flag {
            Some(f) => {
                CHOICES
                    .iter()
                    .position(|c| c.0 == f)
                    .ok_or_else(|| WizardError::Invalid {
                        flag: Flag::CiPipeline,
                        reasons: vec![format!("`{f}` is not `github`, `gitlab` or `none`")],
                    })?
            }
            None if self.interactive() => {
                let items = CHOICES.map(|c| c.1.to_string());
                self.p.select(
                    "Pipeline that builds, scans (Trivy) and pushes the images by digest",
                    &items,
                    0,
                )?
            }
            // Without an answer the spec says nothing; the render warns to choose.
            None => return Ok(()),
        };
        self.spec
            .supply_chain
            .get_or_insert(SupplyChain {
                admission_policy: None,
                ci_pipeline: None,
            })
            .ci_pipeline = Some(CHOICES[pick].2);
        Ok(())
    }

    /// Trusted registries, the admission policy that enforces them, and audit.
    pub fn supply_chain(&mut self) -> Result<(), WizardError> {
        self.section("Supply chain");
        let default = self
            .spec
            .apps
            .iter()
            .filter_map(|a| parse_image(&a.image).ok()?.domain)
            .map(|d| format!("{d}/"))
            .next()
            .unwrap_or_default();
        let mut paths = vec!["registries".to_string()];
        paths.extend((0..self.spec.apps.len()).map(|i| format!("apps[{i}].image")));
        let q = Q {
            paths,
            ..Q::new(
                Flag::Registry,
                "Trusted registries (comma-separated; images from anywhere else are refused)",
            )
            .default(default)
        };
        let registries = self.ask_list(q, |s, items| {
            s.registries = items.to_vec();
            Ok(())
        })?;
        if !registries.is_empty() && !self.opts.preset.has(Flag::NoAdmissionPolicy) {
            let on = self.confirm(
                "Refuse other images at admission (a ValidatingAdmissionPolicy)?",
                true,
            )?;
            if !on {
                self.spec.supply_chain = Some(SupplyChain {
                    admission_policy: Some(false),
                    ci_pipeline: None,
                });
            }
        } else if self.opts.preset.has(Flag::NoAdmissionPolicy) {
            self.spec.supply_chain = Some(SupplyChain {
                admission_policy: Some(false),
                ci_pipeline: None,
            });
        }
        if !registries.is_empty() {
            self.ci_pipeline()?;
        }
        let audit = !self.opts.preset.has(Flag::NoAudit)
            && self.confirm(
                "Record exec, attach and Secret access in the API server's audit log (cluster/audit-policy.yaml)?",
                true,
            )?;
        self.spec.audit = (!audit).then_some(false);
        Ok(())
    }
}
