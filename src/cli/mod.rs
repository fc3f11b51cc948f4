//! Command-line interface: the only place that knows clap. Exit codes ([`Exit`]): 0 ok,
//! 1 validation findings, 2 usage, input or I/O errors, 130 Ctrl-C.

mod check;
mod drift;
mod exit;
mod flows;
mod init;
mod meta;
mod onboard;
mod out;
mod render;
mod style;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use exit::Exit;

#[derive(Debug, Parser)]
#[command(
    name = "kubeward",
    version = env!("KUBEWARD_VERSION"),
    about = "Turn a short service description into hardened Kubernetes manifests that validate themselves",
    after_help = "Examples:\n  kubeward init\n  kubeward render -f examples/minimal/kubeward.yaml -o bundle\n  kubeward check bundle/\n\nExit codes: 0 ok, 1 validation findings, 2 usage, input or I/O errors."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command: colour and how much is said besides the data.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// When to colour messages: `auto` colours on a terminal unless NO_COLOR is set (CLICOLOR_FORCE forces it)
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = style::ColorWhen::Auto, global = true)]
    pub color: style::ColorWhen,
    /// Say less: `check` prints only warnings and errors (no info, no summary), `render`, `onboard` and `init` no `wrote ...` line
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more: `check` also lists each exemption applied, with its reason
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// How much a command says besides its data and its errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

impl Global {
    pub fn verbosity(&self) -> Verbosity {
        match (self.quiet, self.verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a spec by answering questions (or from flags), then render its bundle
    #[command(
        after_help = "Examples:\n  kubeward init\n  kubeward init --yes --app web --image registry.example.com/shop/web:1.4.2@sha256:<digest> --namespace shop --port http:8080 --flow ingress:web:8080\n  kubeward init --spec kubeward.yaml --app worker --image ... --namespace shop --port none --force\n\nWithout a terminal (or with --yes) no question is asked: flags answer, defaults fill the rest, and --app and --image are required for a new spec (the namespace defaults to the app name). An existing spec is loaded and added to; it is rewritten only after a confirmation or with --force. Ctrl-C writes nothing (exit 130)."
    )]
    Init(Box<init::InitArgs>),
    /// Render a spec into a hardened, validated bundle of manifests
    #[command(
        after_help = "Examples:\n  kubeward render -f kubeward.yaml -o bundle\n  kubeward render -f kubeward.yaml -o bundle --check   # in CI: is the committed bundle up to date?\n  kubeward render -f kubeward.yaml -o - | kubectl apply --dry-run=server -f -\n  kubeward render -o bundle --force --templates my-templates/\n\nNothing is written unless every rendered document passes the strict schema and the rule catalogue."
    )]
    Render(RenderArgs),
    /// Check Kubernetes manifests (files, directories or `-` for stdin) against the rule catalogue
    #[command(
        after_help = "Examples:\n  kubeward check deploy/\n  kubeward check app.yaml --format json\n  helm template . | kubeward check - --fail-on warning"
    )]
    Check(check::CheckArgs),
    /// Onboard namespaces: quota, container defaults, default-deny network and RBAC, no apps
    #[command(
        override_usage = "kubeward onboard [OPTIONS] <NAMESPACE>...\n       kubeward onboard [OPTIONS] -f <FILE>",
        after_help = "Examples:\n  kubeward onboard team-a team-b --team payments --admin group:payments-leads --reader user:alice --quota-cpu 4 --quota-memory 8Gi -o onboarding\n  kubeward onboard -f namespaces.yaml -o onboarding\n\nSubjects are `user:NAME`, `group:NAME` or `serviceaccount:NAMESPACE/NAME`."
    )]
    Onboard(Box<onboard::OnboardArgs>),
    /// List the rules of the catalogue
    #[command(
        after_help = "Examples:\n  kubeward rules\n  kubeward rules --format markdown > RULES.md"
    )]
    Rules(check::RulesArgs),
    /// Explain one rule: why it matters, how to fix it, where it comes from
    #[command(after_help = "Example:\n  kubeward explain read-only-root-fs")]
    Explain(check::ExplainArgs),
    /// Show the connections the NetworkPolicies of any manifests allow
    #[command(
        after_help = "Examples:\n  kubeward flows bundle/\n  kubeward render -o - | kubeward flows - --format mermaid\n  helm template . | kubeward flows - --format json\n\n`ns/*` is any pod of a namespace outside the input, `(other)` any namespace outside it, `ns/[k=v]` a pod with those labels."
    )]
    Flows(flows::FlowsArgs),
    /// Draw the declared flows of a spec (Mermaid or DOT)
    #[command(
        after_help = "Examples:\n  kubeward diagram -f kubeward.yaml\n  kubeward diagram --format dot | dot -Tsvg > flows.svg"
    )]
    Diagram(flows::DiagramArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish)
    #[command(
        after_help = "Examples:\n  kubeward completions bash > ~/.local/share/bash-completion/completions/kubeward\n  kubeward completions zsh > \"${fpath[1]}/_kubeward\"\n  kubeward completions fish > ~/.config/fish/completions/kubeward.fish"
    )]
    Completions(meta::CompletionsArgs),
    /// Print the JSON Schema of the spec file, for editors (yaml-language-server) and validators
    #[command(
        after_help = "Examples:\n  kubeward schema > kubeward.schema.json\n  # then, as the first line of kubeward.yaml:\n  # yaml-language-server: $schema=kubeward.schema.json"
    )]
    Schema,
    /// Print the manual page (roff) on stdout
    #[command(after_help = "Example:\n  kubeward man > kubeward.1 && man ./kubeward.1")]
    Man,
}

#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub spec: SpecFile,
    #[command(flatten)]
    pub out: OutputArgs,
    /// Write nothing; exit 1 with a unified diff when the output directory differs from what the spec renders (stale, edited, extra or missing files), 0 when identical
    #[arg(long, conflicts_with_all = ["diff", "force"])]
    pub check: bool,
    /// Write nothing; print the unified diff between the output directory and what the spec renders
    #[arg(long, conflicts_with = "force")]
    pub diff: bool,
}

/// The spec file a command reads (`render`, `diagram`; `onboard -f` is another thing).
#[derive(Debug, clap::Args)]
pub struct SpecFile {
    /// The spec file
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        default_value = "kubeward.yaml"
    )]
    pub file: PathBuf,
}

/// Where a bundle goes, for every command that renders one (`render`, `onboard`, `init`):
/// one flag with one default, `manifests`.
#[derive(Debug, Clone, clap::Args)]
pub struct OutputDir {
    /// Output directory, or `-` for one multi-document stream on stdout
    #[arg(
        short = 'o',
        long = "output",
        value_name = "DIR",
        default_value = "manifests"
    )]
    pub output: PathBuf,
}

/// Where and how a bundle is written (shared by `render` and `onboard`).
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    #[command(flatten)]
    pub dir: OutputDir,
    /// Replace a non-empty output directory
    #[arg(long)]
    pub force: bool,
    /// Treat warnings as errors
    #[arg(long)]
    pub strict: bool,
    /// Directory of templates that override the built-in ones by path (e.g. `app/deployment.yaml.hbs`)
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Parse arguments, run, and return the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                Exit::Usage
            } else {
                Exit::Ok
            };
            let _ = e.print();
            return code.into();
        }
    };
    run(cli).into()
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Exit {
    style::init(cli.global.color);
    out::set_verbosity(cli.global.verbosity());
    match cli.command {
        Command::Init(a) => init::run(&a),
        Command::Render(a) => render::run(&a),
        Command::Onboard(a) => onboard::run(&a),
        Command::Check(a) => check::run_check(&a),
        Command::Rules(a) => check::run_rules(&a),
        Command::Explain(a) => check::run_explain(&a),
        Command::Flows(a) => flows::run_flows(&a),
        Command::Diagram(a) => flows::run_diagram(&a),
        Command::Completions(a) => meta::run_completions(&a),
        Command::Schema => meta::run_schema(),
        Command::Man => meta::run_man(),
    }
}
