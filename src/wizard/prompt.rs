//! How the wizard asks: a [`Prompt`] trait with a terminal implementation (dialoguer,
//! prompts on stderr) and a scripted one that replays answers (tests) or takes defaults.

use std::collections::VecDeque;

use dialoguer::theme::{ColorfulTheme, Theme};
use dialoguer::{Confirm, Input, Select};

/// The person stopped the wizard (Ctrl-C, end of input): nothing is written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cancelled")]
pub struct Cancelled;

/// One way of asking questions.
pub trait Prompt {
    /// A line of text; `default` is shown and taken on an empty answer. The answer is not
    /// shown as given until [`accepted`](Prompt::accepted) says it was.
    fn input(&mut self, question: &str, default: Option<&str>) -> Result<String, Cancelled>;
    /// The answer to `question` was accepted: show it as given (`✔ question · answer`).
    fn accepted(&mut self, question: &str, answer: &str);
    fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Cancelled>;
    /// The index of the chosen item.
    fn select(
        &mut self,
        question: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Cancelled>;
    /// Tell the person something (a re-ask reason, a warning, the summary).
    fn say(&mut self, text: &str);
}

/// Questions on a terminal: prompts and messages go to stderr.
pub struct Terminal {
    term: console::Term,
    theme: ColorfulTheme,
}

impl Terminal {
    pub fn new() -> Self {
        Terminal {
            term: console::Term::stderr(),
            theme: ColorfulTheme::default(),
        }
    }
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal::new()
    }
}

impl Prompt for Terminal {
    fn input(&mut self, question: &str, default: Option<&str>) -> Result<String, Cancelled> {
        // No report: a refused answer must never be shown as accepted.
        let mut input = Input::<String>::with_theme(&self.theme)
            .with_prompt(question)
            .allow_empty(true)
            .report(false);
        if let Some(d) = default.filter(|d| !d.is_empty()) {
            input = input.default(d.to_string());
        }
        input.interact_text_on(&self.term).map_err(|_| Cancelled)
    }

    fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Cancelled> {
        // A yes/no answer needs Enter, like every other answer: a `y` typed ahead
        // never answers the next question.
        Confirm::with_theme(&self.theme)
            .with_prompt(question)
            .default(default)
            .wait_for_newline(true)
            .interact_on(&self.term)
            .map_err(|_| Cancelled)
    }

    fn select(
        &mut self,
        question: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Cancelled> {
        Select::with_theme(&self.theme)
            .with_prompt(question)
            .items(items)
            .default(default)
            .interact_on(&self.term)
            .map_err(|_| Cancelled)
    }

    fn accepted(&mut self, question: &str, answer: &str) {
        let mut line = String::new();
        if self
            .theme
            .format_input_prompt_selection(&mut line, question, answer)
            .is_ok()
        {
            let _ = self.term.write_line(&line);
        }
    }

    fn say(&mut self, text: &str) {
        let _ = self.term.write_line(text);
    }
}

/// Replayed answers: each question takes the next one (`""` takes the default); when
/// they run out, every question takes its default. What was said is kept in `said`.
#[derive(Debug, Default)]
pub struct Scripted {
    answers: VecDeque<String>,
    /// Every question asked and every message, in order.
    pub said: Vec<String>,
}

impl Scripted {
    pub fn new<S: Into<String>>(answers: impl IntoIterator<Item = S>) -> Self {
        Scripted {
            answers: answers.into_iter().map(Into::into).collect(),
            said: Vec::new(),
        }
    }

    fn next(&mut self, question: &str) -> Option<String> {
        self.said.push(format!("? {question}"));
        self.answers.pop_front().filter(|a| !a.is_empty())
    }
}

impl Prompt for Scripted {
    fn input(&mut self, question: &str, default: Option<&str>) -> Result<String, Cancelled> {
        Ok(self
            .next(question)
            .or_else(|| default.map(str::to_string))
            .unwrap_or_default())
    }

    fn confirm(&mut self, question: &str, default: bool) -> Result<bool, Cancelled> {
        Ok(match self.next(question).as_deref() {
            Some("y" | "yes") => true,
            Some("n" | "no") => false,
            _ => default,
        })
    }

    fn select(
        &mut self,
        question: &str,
        items: &[String],
        default: usize,
    ) -> Result<usize, Cancelled> {
        let answer = self.next(question);
        Ok(answer
            .and_then(|a| items.iter().position(|i| i == &a || i.starts_with(&a)))
            .unwrap_or(default))
    }

    fn accepted(&mut self, question: &str, answer: &str) {
        self.said.push(format!("✔ {question} · {answer}"));
    }

    fn say(&mut self, text: &str) {
        self.said.push(text.to_string());
    }
}
