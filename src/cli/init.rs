//! `kubeward init`: the wizard on a terminal, or scripted with flags (`--yes` takes the
//! defaults); writes the spec and renders the bundle, or writes nothing.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use kubeward::bundle::Bundle;
use kubeward::diag::Diagnostic;
use kubeward::resolve::Model;
use kubeward::spec::load;
use kubeward::wizard::{self, Flag, Options, Outcome, Preset, Target, Terminal, WizardError};

use super::render::{build, report_spec, write};
use super::{Exit, OutputArgs, OutputDir, out};

/// Set while the spec and bundle are written: Ctrl-C then waits for the write to end.
static COMMITTING: AtomicBool = AtomicBool::new(false);

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Where to write the spec (an existing one is loaded and added to)
    #[arg(long, value_name = "PATH", default_value = "kubeward.yaml")]
    pub spec: PathBuf,
    #[command(flatten)]
    pub dir: OutputDir,
    /// Rewrite an existing spec and replace a non-empty output directory without asking
    #[arg(long)]
    pub force: bool,
    /// Take the default of every question no flag answers, without prompts
    #[arg(short = 'y', long)]
    pub yes: bool,
    /// App name
    #[arg(long, value_name = "NAME", help_heading = "Answers")]
    pub app: Option<String>,
    /// Image, e.g. registry.example.com/team/web:1.2.3@sha256:...
    #[arg(long, value_name = "REF", help_heading = "Answers")]
    pub image: Option<String>,
    /// Namespace of the app (new or one of the spec's)
    #[arg(long, value_name = "NAME", help_heading = "Answers")]
    pub namespace: Option<String>,
    /// Container port, `name:port[/UDP]` or a number (repeatable; default http:8080)
    #[arg(long, value_name = "PORT", help_heading = "Answers")]
    pub port: Vec<String>,
    /// Service port, forwarded to the first container port (default 80; empty: no Service)
    #[arg(long, value_name = "PORT", help_heading = "Answers")]
    pub service_port: Option<String>,
    /// Replicas (default 2)
    #[arg(long, value_name = "N", help_heading = "Answers")]
    pub replicas: Option<String>,
    /// CPU request of the container (default 100m)
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub cpu_request: Option<String>,
    /// CPU limit of the container (default 500m)
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub cpu_limit: Option<String>,
    /// Memory request of the container (default 128Mi)
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub memory_request: Option<String>,
    /// Memory limit of the container (default 256Mi)
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub memory_limit: Option<String>,
    /// Writable directory (repeatable; default /tmp)
    #[arg(long, value_name = "PATH", help_heading = "Answers")]
    pub writable_path: Vec<String>,
    /// Liveness check: `tcp`, `http:/path`, `exec:COMMAND ARGS` or `none` (default tcp)
    #[arg(long, value_name = "CHECK", help_heading = "Answers")]
    pub probe: Option<String>,
    /// Readiness check, different from the liveness check (asked when `--probe` is not tcp)
    #[arg(long, value_name = "CHECK", help_heading = "Answers")]
    pub readiness_probe: Option<String>,
    /// Environment variable `NAME=value` (repeatable)
    #[arg(long, value_name = "NAME=VALUE", help_heading = "Answers")]
    pub env: Vec<String>,
    /// Secret mounted as read-only files, `secret:/mount/path` (repeatable)
    #[arg(long, value_name = "SECRET:PATH", help_heading = "Answers")]
    pub secret_file: Vec<String>,
    /// Team label of a new namespace
    #[arg(long, value_name = "TEAM", help_heading = "Answers")]
    pub team: Option<String>,
    /// Pods a new namespace may run (default 10)
    #[arg(long, value_name = "N", help_heading = "Answers")]
    pub quota_pods: Option<String>,
    /// CPU quota of a new namespace, requests and limits alike
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub quota_cpu: Option<String>,
    /// Memory quota of a new namespace, requests and limits alike
    #[arg(long, value_name = "QUANTITY", help_heading = "Answers")]
    pub quota_memory: Option<String>,
    /// Namespace of the ingress controller, for flows from `ingress` (default ingress-nginx)
    #[arg(long, value_name = "NAMESPACE", help_heading = "Answers")]
    pub ingress_from: Option<String>,
    /// Access `NAMESPACE:KIND:NAME:ROLE[:exec]`, e.g. shop:user:alice:read (repeatable)
    #[arg(long, value_name = "GRANT", help_heading = "Answers")]
    pub access: Vec<String>,
    /// Allowed flow `FROM:TO:PORT`, e.g. ingress:web:8080, web:api:80,
    /// web:10.20.0.0/16!10.20.9.0/24:5432 (repeatable)
    #[arg(long, value_name = "FLOW", help_heading = "Answers")]
    pub flow: Vec<String>,
    /// Trusted registry, e.g. registry.example.com/team/ (repeatable; default: the image's)
    #[arg(long, value_name = "PREFIX", help_heading = "Answers")]
    pub registry: Vec<String>,
    /// CI pipeline for the images: `github`, `gitlab` or `none`
    #[arg(long, value_name = "CI", help_heading = "Answers")]
    pub ci_pipeline: Option<String>,
    /// Ship every container's log: `elasticsearch`, `loki` or `none` (default none)
    #[arg(long, value_name = "BACKEND", help_heading = "Answers")]
    pub logging: Option<String>,
    /// The log endpoint, `host:port`
    #[arg(long, value_name = "HOST:PORT", help_heading = "Answers")]
    pub log_endpoint: Option<String>,
    /// The log endpoint's addresses as a CIDR, for the egress policy
    #[arg(long, value_name = "CIDR", help_heading = "Answers")]
    pub log_cidr: Option<String>,
    /// Do not render the admission policy that refuses untrusted images
    #[arg(long, help_heading = "Answers")]
    pub no_admission_policy: bool,
    /// Do not render the API-server audit policy
    #[arg(long, help_heading = "Answers")]
    pub no_audit: bool,
}

impl InitArgs {
    /// The answers given as flags.
    fn preset(&self) -> Preset {
        let one = |v: &Option<String>| v.iter().cloned().collect::<Vec<_>>();
        let mut preset = Preset::default();
        for (flag, values) in [
            (Flag::App, one(&self.app)),
            (Flag::Image, one(&self.image)),
            (Flag::Namespace, one(&self.namespace)),
            (Flag::Port, self.port.clone()),
            (Flag::ServicePort, one(&self.service_port)),
            (Flag::Replicas, one(&self.replicas)),
            (Flag::CpuRequest, one(&self.cpu_request)),
            (Flag::CpuLimit, one(&self.cpu_limit)),
            (Flag::MemoryRequest, one(&self.memory_request)),
            (Flag::MemoryLimit, one(&self.memory_limit)),
            (Flag::WritablePath, self.writable_path.clone()),
            (Flag::Probe, one(&self.probe)),
            (Flag::ReadinessProbe, one(&self.readiness_probe)),
            (Flag::Env, self.env.clone()),
            (Flag::SecretFile, self.secret_file.clone()),
            (Flag::Team, one(&self.team)),
            (Flag::QuotaPods, one(&self.quota_pods)),
            (Flag::QuotaCpu, one(&self.quota_cpu)),
            (Flag::QuotaMemory, one(&self.quota_memory)),
            (Flag::IngressFrom, one(&self.ingress_from)),
            (Flag::Access, self.access.clone()),
            (Flag::Flow, self.flow.clone()),
            (Flag::Registry, self.registry.clone()),
            (Flag::CiPipeline, one(&self.ci_pipeline)),
            (Flag::Logging, one(&self.logging)),
            (Flag::LogEndpoint, one(&self.log_endpoint)),
            (Flag::LogCidr, one(&self.log_cidr)),
        ] {
            preset.set(flag, values);
        }
        preset.switch(Flag::NoAdmissionPolicy, self.no_admission_policy);
        preset.switch(Flag::NoAudit, self.no_audit);
        preset
    }
}

/// `kubeward init`: the questions, then the confirm-and-write step of the wizard.
pub fn run(args: &InitArgs) -> Exit {
    let terminal = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let opts = Options {
        preset: args.preset(),
        yes: args.yes || !terminal,
    };
    let base = match existing_spec(&args.spec) {
        Ok(b) => b,
        Err(code) => return code,
    };
    if base.is_none() && opts.yes {
        let missing: Vec<Flag> = wizard::REQUIRED
            .into_iter()
            .filter(|f| !opts.preset.has(*f))
            .collect();
        if !missing.is_empty() {
            return missing_flags(&missing, terminal);
        }
    }
    hold_ctrl_c();
    let mut prompt = Terminal::new();
    let spec = match wizard::run(&mut prompt, &opts, base.clone()) {
        Ok(spec) => spec,
        Err(e) => return wizard_error(&e),
    };
    let target = Target {
        spec: &args.spec,
        output: &args.dir.output,
        force: args.force,
        existed: base.is_some(),
    };
    match wizard::commit(&mut InitHost(args), &mut prompt, &opts, &target, &spec) {
        Outcome::Written => Exit::Ok,
        Outcome::Declined => {
            out::stderr("nothing was written");
            Exit::Ok
        }
        Outcome::Cancelled => cancelled(),
        Outcome::Failed(code) => code,
    }
}

/// Ctrl-C ends the wizard with nothing written, except while the spec and the bundle
/// are written: then it waits for the write to end.
fn hold_ctrl_c() {
    let _ = ctrlc::set_handler(|| {
        if !COMMITTING.load(Ordering::SeqCst) {
            let _ = console::Term::stderr().show_cursor();
            out::stderr("\ncancelled; nothing was written");
            Exit::Interrupted.exit_now();
        }
    });
}

/// What `init` does for the wizard: render and write the bundle as `render` does, and
/// print its messages.
struct InitHost<'a>(&'a InitArgs);

impl InitHost<'_> {
    fn output(&self, force: bool) -> OutputArgs {
        OutputArgs {
            dir: self.0.dir.clone(),
            force,
            strict: false,
            templates: None,
        }
    }
}

impl wizard::Host for InitHost<'_> {
    type Bundle = Bundle;
    type Failure = Exit;

    fn invalid(&mut self, diags: &[Diagnostic]) -> Exit {
        report_spec(diags);
        Exit::Usage
    }

    fn build(&mut self, model: &Model, warnings: Vec<Diagnostic>) -> Result<Bundle, Exit> {
        build(model, warnings, &self.output(false))
    }

    fn write(&mut self, bundle: &Bundle, force: bool) -> Result<(), Exit> {
        match write(bundle, &self.output(force), Some(&self.0.spec)) {
            Exit::Ok => Ok(()),
            code => Err(code),
        }
    }

    fn error(&mut self, message: &str, help: &str) -> Exit {
        out::error(message, help);
        Exit::Usage
    }

    fn status(&mut self, text: &str) {
        out::status(text);
    }

    fn committing(&mut self, on: bool) {
        COMMITTING.store(on, Ordering::SeqCst);
    }
}

/// The spec at `path`, if there is one; a spec that does not load is an error.
fn existing_spec(path: &Path) -> Result<Option<kubeward::spec::Spec>, Exit> {
    if !path.exists() {
        return Ok(None);
    }
    match load(path) {
        Ok(loaded) => Ok(Some(loaded.spec)),
        Err(diags) => {
            out::stderr(kubeward::diag::render_all(&diags));
            out::stderr("");
            out::error(
                format_args!("{} does not load; nothing was written", path.display()),
                "fix it, or pass another file with --spec PATH",
            );
            Err(Exit::Usage)
        }
    }
}

fn missing_flags(missing: &[Flag], terminal: bool) -> Exit {
    let why = if terminal {
        "with --yes"
    } else {
        "without a terminal no questions are asked, so"
    };
    out::error(
        format_args!(
            "{why} these answers must be given as flags: {}",
            missing
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        "e.g. `kubeward init --yes --app web --image registry.example.com/team/web:1.2.3@sha256:<digest> --namespace shop --port http:8080`; `kubeward init --help` lists every flag",
    );
    Exit::Usage
}

fn wizard_error(e: &WizardError) -> Exit {
    match e {
        WizardError::Cancelled => cancelled(),
        WizardError::Invalid { flag, reasons } => {
            for r in reasons {
                out::error_line(format_args!("`{flag}`: {r}"));
            }
            out::stderr("");
            out::error_line("nothing was written");
            Exit::Usage
        }
        WizardError::Missing(flag) => missing_flags(&[*flag], true),
    }
}

fn cancelled() -> Exit {
    let _ = console::Term::stderr().show_cursor();
    out::stderr("cancelled; nothing was written");
    Exit::Interrupted
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::super::{Cli, Command};
    use super::*;

    /// Every answer flag of `kubeward init` is a [`Flag`] and reaches the preset.
    #[test]
    fn every_answer_flag_reaches_the_preset() {
        let cli = Cli::command();
        let init = cli.find_subcommand("init").unwrap();
        let mut argv = vec!["kubeward".to_string(), "init".to_string()];
        let mut answers = Vec::new();
        for arg in init.get_arguments() {
            if arg.get_help_heading() != Some("Answers") {
                continue;
            }
            let long = format!("--{}", arg.get_long().unwrap());
            argv.push(long.clone());
            if arg.get_action().takes_values() {
                argv.push("x".into());
            }
            answers.push(long);
        }
        let names: Vec<String> = Flag::ALL.iter().map(|f| f.name().to_string()).collect();
        assert_eq!(
            answers, names,
            "Flag::ALL is the answer flags in help order"
        );
        let Command::Init(args) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("not init");
        };
        let preset = args.preset();
        for flag in Flag::ALL {
            assert!(preset.has(flag), "{flag} does not reach the preset");
        }
    }
}
