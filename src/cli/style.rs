//! Colour: whether to use it (`--color`, `NO_COLOR`, `CLICOLOR_FORCE`, a terminal) and
//! how messages are coloured. Only human messages are coloured, never data (YAML, JSON,
//! SARIF, completion scripts).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use console::Style;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Colour on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE colours anywhere
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

static STDOUT: AtomicBool = AtomicBool::new(false);
static STDERR: AtomicBool = AtomicBool::new(false);

/// Whether to colour a stream: `--color` first, then `NO_COLOR` (set and not empty:
/// never), then `CLICOLOR_FORCE` (set and not `0`: always), then whether it is a terminal.
pub fn decide(when: ColorWhen, env: impl Fn(&str) -> Option<String>, terminal: bool) -> bool {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty() && v != "0");
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if env("NO_COLOR").is_some_and(|v| !v.is_empty()) => false,
        ColorWhen::Auto if set("CLICOLOR_FORCE") => true,
        ColorWhen::Auto => terminal,
    }
}

/// Decide for stdout and stderr once per run; the wizard's prompts follow the same choice.
pub fn init(when: ColorWhen) {
    let env = |name: &str| std::env::var(name).ok();
    let out = decide(when, env, std::io::stdout().is_terminal());
    let err = decide(when, env, std::io::stderr().is_terminal());
    STDOUT.store(out, Ordering::Relaxed);
    STDERR.store(err, Ordering::Relaxed);
    console::set_colors_enabled(out);
    console::set_colors_enabled_stderr(err);
}

/// Which stream a text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// `text` with the severity words of its diagnostics and their `help:`/`note:` lines
/// coloured, when colour is on for `stream`.
pub fn paint(text: &str, stream: Stream) -> String {
    if !enabled(stream) {
        return text.to_string();
    }
    text.split('\n')
        .map(paint_line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A unified diff with removed lines red, added lines green and hunk headers cyan,
/// when colour is on for `stream`.
pub fn paint_diff(diff: &str, stream: Stream) -> String {
    if !enabled(stream) {
        return diff.to_string();
    }
    let line = |l: &str| {
        let style = if l.starts_with("---") || l.starts_with("+++") {
            Style::new().bold()
        } else if l.starts_with('-') {
            Style::new().red()
        } else if l.starts_with('+') {
            Style::new().green()
        } else if l.starts_with("@@") {
            Style::new().cyan()
        } else {
            return l.to_string();
        };
        style.force_styling(true).apply_to(l).to_string()
    };
    diff.split('\n').map(line).collect::<Vec<_>>().join("\n")
}

fn enabled(stream: Stream) -> bool {
    match stream {
        Stream::Stdout => STDOUT.load(Ordering::Relaxed),
        Stream::Stderr => STDERR.load(Ordering::Relaxed),
    }
}

/// How a label is coloured.
type Paint = fn() -> Style;

/// Severity labels and their colours, most severe first.
const LABELS: [(&str, Paint); 5] = [
    ("error", || Style::new().red().bold().force_styling(true)),
    ("warning", || {
        Style::new().yellow().bold().force_styling(true)
    }),
    ("info", || Style::new().cyan().force_styling(true)),
    ("help", || Style::new().green().force_styling(true)),
    ("note", || Style::new().cyan().force_styling(true)),
];

/// Colour the first label of a message line (`error:`, `file:1:2: warning[rule]:`,
/// `  help:`); source lines (`12 | …`) and other text stay as they are.
fn paint_line(line: &str) -> String {
    for (label, style) in LABELS {
        for sep in [": ", "["] {
            let Some(i) = line.find(&format!("{label}{sep}")) else {
                continue;
            };
            let before = &line[..i];
            let starts = before.trim().is_empty() || before.ends_with(": ");
            if starts && !before.contains(" | ") {
                let end = if sep == "[" {
                    line[i..].find("]:").map_or(i + label.len(), |j| i + j + 1)
                } else {
                    i + label.len()
                };
                return format!(
                    "{before}{}{}",
                    style().apply_to(&line[i..end]),
                    &line[end..]
                );
            }
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn flag_wins_then_no_color_then_clicolor_force_then_terminal() {
        let both = env(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(decide(ColorWhen::Always, &both, false));
        assert!(!decide(
            ColorWhen::Never,
            env(&[("CLICOLOR_FORCE", "1")]),
            true
        ));
        assert!(!decide(ColorWhen::Auto, &both, true));
        assert!(decide(
            ColorWhen::Auto,
            env(&[("CLICOLOR_FORCE", "1")]),
            false
        ));
        assert!(!decide(
            ColorWhen::Auto,
            env(&[("CLICOLOR_FORCE", "0")]),
            false
        ));
        assert!(decide(ColorWhen::Auto, env(&[("NO_COLOR", "")]), true));
        assert!(decide(ColorWhen::Auto, env(&[]), true));
        assert!(!decide(ColorWhen::Auto, env(&[]), false));
    }

    #[test]
    fn paints_labels_not_source_lines() {
        let red = |s: &str| {
            Style::new()
                .red()
                .bold()
                .force_styling(true)
                .apply_to(s)
                .to_string()
        };
        assert_eq!(
            paint_line("a.yaml:1:2: error[schema]: bad"),
            format!("a.yaml:1:2: {}: bad", red("error[schema]"))
        );
        assert_eq!(paint_line("error: no"), format!("{}: no", red("error")));
        assert_eq!(paint_line("3 | error: x"), "3 | error: x");
        assert_eq!(
            paint_line("plain text, error: inside"),
            "plain text, error: inside"
        );
    }
}
