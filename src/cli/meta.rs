//! Commands about kubeward itself, generated from the clap definitions: shell completion
//! scripts (`completions`) and the manual page (`man`).

use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;

use super::{Cli, Exit, out};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The completion script for `shell`, as text.
pub fn completions(shell: Shell) -> String {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut cmd, "kubeward", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

pub fn run_completions(args: &CompletionsArgs) -> Exit {
    out::print(&completions(args.shell))
}

/// The manual page: title, name, synopsis, description and global options, a section per
/// subcommand (what it does, usage, options, examples), then examples and exit codes.
pub fn man() -> String {
    let cmd = Cli::command();
    let top = Man::new(cmd.clone());
    // The title keeps the roff prelude that every rendered part starts with.
    let mut page = String::new();
    let _ = top.render_title(&mut Writer(&mut page));
    for part in [
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ] {
        page.push_str(&section(&top, part, None));
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        page.push_str(&subcommand(sub));
    }
    page.push_str(&section(
        &top,
        Man::render_extra_section,
        Some(".SH EXAMPLES"),
    ));
    page.push_str(&section(&top, Man::render_version_section, None));
    page
}

/// The section of one subcommand.
fn subcommand(sub: &clap::Command) -> String {
    let name = format!("kubeward {}", sub.get_name());
    let man = Man::new(sub.clone().bin_name(&name));
    let mut out = format!(".SH \"{}\"\n", name.to_uppercase());
    out.push_str(&section(&man, Man::render_description_section, Some("")));
    out.push_str(&section(
        &man,
        Man::render_synopsis_section,
        Some(".SS Usage"),
    ));
    if sub.get_arguments().any(|a| !a.is_hide_set()) {
        out.push_str(&section(
            &man,
            Man::render_options_section,
            Some(".SS Options"),
        ));
    }
    if sub.get_after_help().is_some() {
        out.push_str(&section(
            &man,
            Man::render_extra_section,
            Some(".SS Examples"),
        ));
    }
    out
}

type Render = fn(&Man, &mut dyn std::io::Write) -> std::io::Result<()>;

/// One rendered part of a page without the roff prelude, its first (`.SH`) line replaced
/// by `heading` if given (an empty heading drops it).
fn section(man: &Man, render: Render, heading: Option<&str>) -> String {
    let mut text = String::new();
    let _ = render(man, &mut Writer(&mut text));
    let mut lines = text
        .lines()
        .filter(|l| !l.starts_with(".ie \\n(.g .ds Aq") && !l.starts_with(".el .ds Aq"));
    let mut out = String::new();
    if let Some(h) = heading {
        lines.next();
        if !h.is_empty() {
            out.push_str(h);
            out.push('\n');
        }
    }
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// Collects what clap_mangen writes (always UTF-8) into a string; cannot fail.
struct Writer<'a>(&'a mut String);

impl std::io::Write for Writer<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.push_str(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn run_man() -> Exit {
    out::print(&man())
}

pub fn run_schema() -> Exit {
    out::print(&kubeward::spec::json_schema())
}
