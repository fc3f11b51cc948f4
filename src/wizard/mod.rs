//! `kubeward init`: questions (or flags) → a typed [`Spec`]. Every answer goes through
//! `resolve`, the same checks as a spec file; an invalid answer is asked again with the
//! reason, an invalid flag is an error naming the flag. Then [`commit`] confirms and
//! writes the spec and has its bundle written.

mod app;
mod commit;
mod flag;
mod flows;
mod logging;
mod namespace;
mod parse;
pub mod prompt;
mod summary;
mod write;

use std::collections::BTreeSet;

pub use commit::{Host, Outcome, Target, commit};
pub use flag::{Flag, Preset};
pub use prompt::{Cancelled, Prompt, Scripted, Terminal};
pub use summary::summary;
pub use write::spec_text;

use crate::diag::{Diagnostic, Severity};
use crate::resolve::{REPEATED, resolve};
use crate::spec::{ArgMap, LoadedSpec, Spec};

/// How the wizard runs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Answers given as flags; repeatable flags keep each value.
    pub preset: Preset,
    /// Take the default of every question that no flag answers (no prompt).
    pub yes: bool,
}

/// Why the wizard produced no spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WizardError {
    #[error("cancelled")]
    Cancelled,
    /// A flag's value was refused; `reasons` are the messages (with their help).
    #[error("`{flag}`: {}", reasons.join("; "))]
    Invalid { flag: Flag, reasons: Vec<String> },
    /// A question has no default and no flag answers it (only without prompts).
    #[error("missing `{0}`")]
    Missing(Flag),
}

impl From<Cancelled> for WizardError {
    fn from(_: Cancelled) -> Self {
        WizardError::Cancelled
    }
}

/// The flags whose questions have no default: scripted mode needs them.
pub const REQUIRED: [Flag; 2] = [Flag::App, Flag::Image];

/// One question: the flag that answers it, its text, its default, and the spec paths
/// whose problems belong to it. A question without a flag is only ever put to a person.
pub(crate) struct Q {
    pub flag: Option<Flag>,
    pub text: String,
    pub default: Option<String>,
    pub paths: Vec<String>,
}

impl Q {
    pub fn new(flag: Flag, text: impl Into<String>) -> Self {
        Q {
            flag: Some(flag),
            ..Q::asked(text)
        }
    }

    /// A question that no flag answers (asked in a loop that only runs with prompts).
    pub fn asked(text: impl Into<String>) -> Self {
        Q {
            flag: None,
            text: text.into(),
            default: None,
            paths: Vec::new(),
        }
    }

    pub fn default(mut self, d: impl Into<String>) -> Self {
        self.default = Some(d.into());
        self
    }

    pub fn path(mut self, p: impl Into<String>) -> Self {
        self.paths.push(p.into());
        self
    }
}

/// A wizard in progress: the spec built so far.
pub(crate) struct Session<'a> {
    pub p: &'a mut dyn Prompt,
    pub opts: &'a Options,
    pub spec: Spec,
    /// Warnings already shown (each is shown once; the render repeats them at the end).
    shown: BTreeSet<String>,
}

/// What to add to an existing spec.
const ADD: [&str; 5] = [
    "an app",
    "a namespace",
    "access to a namespace",
    "traffic flows",
    "nothing (render it again)",
];

/// Run the wizard over `base` (an existing spec, or a new one).
pub fn run(p: &mut dyn Prompt, opts: &Options, base: Option<Spec>) -> Result<Spec, WizardError> {
    let existing = base.is_some();
    let mut s = Session {
        p,
        opts,
        spec: base.unwrap_or_default(),
        shown: BTreeSet::new(),
    };
    let choice = if !existing || s.opts.preset.has(Flag::App) {
        0
    } else if s.interactive() && !s.answered_by_flags() {
        let items: Vec<String> = ADD.iter().map(|a| a.to_string()).collect();
        s.p.select("What do you want to add to the spec?", &items, 0)?
    } else {
        ADD.len() - 1
    };
    match choice {
        0 => s.add_app()?,
        1 => {
            s.new_namespace(None)?;
        }
        2 => s.access_to_any()?,
        _ => {}
    }
    s.access_from_flags()?;
    if choice == 0 || choice == 3 || s.opts.preset.has(Flag::Flow) {
        s.flows()?;
    }
    if !existing || s.opts.preset.has(Flag::Registry) {
        s.supply_chain()?;
    }
    if !existing || s.opts.preset.has(Flag::Logging) {
        s.logging()?;
    }
    Ok(s.spec)
}

impl Session<'_> {
    /// Whether questions may be shown (no `--yes`).
    pub fn interactive(&self) -> bool {
        !self.opts.yes
    }

    /// A heading before a group of questions (only when questions are shown).
    pub fn section(&mut self, title: &str) {
        if self.interactive() {
            self.p.say(&format!("\n{title}"));
        }
    }

    fn answered_by_flags(&self) -> bool {
        [Flag::App, Flag::Flow, Flag::Access, Flag::Registry]
            .iter()
            .any(|f| self.opts.preset.has(*f))
    }

    fn preset(&self, flag: Flag) -> Option<&Vec<String>> {
        self.opts.preset.get(flag)
    }

    /// Ask `q` (or take its flag or default) until `apply` accepts the answer and
    /// `resolve` finds no error at the question's paths.
    pub fn ask(
        &mut self,
        q: Q,
        apply: impl Fn(&mut Spec, &str) -> Result<(), String>,
    ) -> Result<String, WizardError> {
        if let Some(flag) = q.flag
            && let Some(values) = self.preset(flag).cloned()
        {
            let answer = values.join(",");
            self.accept(&q, &answer, &apply)
                .map_err(|reasons| WizardError::Invalid { flag, reasons })?;
            return Ok(answer);
        }
        if let Some(flag) = q.flag
            && !self.interactive()
        {
            let Some(answer) = q.default.clone() else {
                return Err(WizardError::Missing(flag));
            };
            self.accept(&q, &answer, &apply)
                .map_err(|reasons| WizardError::Invalid { flag, reasons })?;
            return Ok(answer);
        }
        loop {
            let answer = self.p.input(&q.text, q.default.as_deref())?;
            match self.accept(&q, answer.trim(), &apply) {
                Ok(()) => {
                    self.p.accepted(&q.text, answer.trim());
                    return Ok(answer.trim().to_string());
                }
                Err(reasons) => {
                    for r in reasons {
                        self.p.say(&format!("  ✗ {r}"));
                    }
                }
            }
        }
    }

    /// Like [`ask`](Self::ask) for a comma-separated list; a repeatable flag gives the
    /// items one by one (so an item may hold a comma).
    pub fn ask_list(
        &mut self,
        q: Q,
        apply: impl Fn(&mut Spec, &[String]) -> Result<(), String>,
    ) -> Result<Vec<String>, WizardError> {
        if let Some(flag) = q.flag
            && let Some(values) = self.preset(flag).cloned()
        {
            let mut candidate = self.spec.clone();
            let result = apply(&mut candidate, &values)
                .map_err(|e| vec![e])
                .and_then(|()| self.check(&candidate, &q.paths).map(|_| candidate));
            return match result {
                Ok(spec) => {
                    self.spec = spec;
                    Ok(values)
                }
                Err(reasons) => Err(WizardError::Invalid { flag, reasons }),
            };
        }
        let answer = self.ask(q, |spec, text| apply(spec, &split_list(text)))?;
        Ok(split_list(&answer))
    }

    /// A yes/no question: its flag (if any) decides, else the default without prompts.
    pub fn confirm(&mut self, text: &str, default: bool) -> Result<bool, WizardError> {
        if !self.interactive() {
            return Ok(default);
        }
        Ok(self.p.confirm(text, default)?)
    }

    /// Apply an answer to a copy of the spec and check it.
    fn accept(
        &mut self,
        q: &Q,
        answer: &str,
        apply: &impl Fn(&mut Spec, &str) -> Result<(), String>,
    ) -> Result<(), Vec<String>> {
        let mut candidate = self.spec.clone();
        apply(&mut candidate, answer).map_err(|e| vec![e])?;
        let warnings = self.check(&candidate, &q.paths)?;
        self.warn(warnings);
        self.spec = candidate;
        Ok(())
    }

    /// Show warnings about answers once, and only to a person answering questions.
    pub fn warn(&mut self, warnings: Vec<String>) {
        for w in warnings {
            if self.interactive() && self.shown.insert(w.clone()) {
                self.p.say(&format!("  ! {w}"));
            }
        }
    }

    /// `resolve`'s problems at `paths`: errors as `Err`, warnings as `Ok`.
    pub fn check(&self, spec: &Spec, paths: &[String]) -> Result<Vec<String>, Vec<String>> {
        let loaded = LoadedSpec::from_args(spec.clone(), "init", ArgMap::default());
        let diags = match resolve(&loaded) {
            Ok(r) => r.warnings,
            Err(d) => d,
        };
        let mine: Vec<&Diagnostic> = diags
            .iter()
            .filter(|d| {
                d.spec_path
                    .as_deref()
                    .is_some_and(|sp| paths.iter().any(|p| under(sp, p)))
            })
            .collect();
        let text = |d: &&Diagnostic| match &d.help {
            Some(h) => format!("{} (help: {h})", d.message),
            None => d.message.clone(),
        };
        // A new answer that repeats an entry is refused: a spec file may hold the repeat
        // (it is merged), the person answering means something else.
        let refused =
            |d: &&&Diagnostic| d.severity == Severity::Error || d.code.as_deref() == Some(REPEATED);
        let errors: Vec<String> = mine.iter().filter(refused).map(text).collect();
        if errors.is_empty() {
            Ok(mine.iter().map(text).collect())
        } else {
            Err(errors)
        }
    }
}

/// Whether spec path `path` is `prefix` or lies below it.
fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(['.', '[']))
}

/// Items of a comma-separated answer, trimmed, without empty ones.
fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests;
