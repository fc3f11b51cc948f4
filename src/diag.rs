//! Diagnostics: user-facing errors and warnings that point into a source file, and the
//! escaping that keeps input text from driving the terminal they are printed on.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A 1-based line and column in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// One message about an input, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The rule or check that produced it, when there is one (e.g. `image-digest`).
    pub code: Option<String>,
    pub file: String,
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
    /// The source line the position points into, for a caret display.
    pub snippet: Option<String>,
}

impl Diagnostic {
    pub fn error(file: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code: None,
            file: file.to_string(),
            pos,
            message: message.into(),
            help: None,
            snippet: None,
        }
    }

    pub fn warning(file: &str, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Attach the source line that `pos` points into, taken from `text`.
    pub fn with_source(mut self, text: &str) -> Self {
        if let Some(pos) = self.pos {
            self.snippet = text
                .lines()
                .nth(pos.line.saturating_sub(1))
                .map(str::to_string);
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: severity[code]: message`, then the source line with a caret and a
    /// `help:` line. Control characters from the input are shown as `\u{1b}` escapes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", escape(&self.file))?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.col)?;
        }
        write!(f, ": {}", self.severity)?;
        if let Some(code) = &self.code {
            write!(f, "[{}]", escape(code))?;
        }
        write!(f, ": {}", escape(&self.message))?;
        if let (Some(pos), Some(line)) = (self.pos, &self.snippet) {
            let gutter = pos.line.to_string().len();
            let (shown, caret_pad) = snippet(line, pos.col);
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^",
                "", pos.line, shown, "", caret_pad
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {}", escape(help))?;
        }
        Ok(())
    }
}

/// The source line as shown (escaped) and the padding that puts a caret under the
/// character at 1-based column `col`.
fn snippet(line: &str, col: usize) -> (String, String) {
    let mut shown = String::with_capacity(line.len());
    let mut pad = String::new();
    for (i, c) in line.chars().enumerate() {
        let before = shown.len();
        push_escaped(&mut shown, c);
        if i + 1 < col {
            if c == '\t' {
                pad.push('\t');
            } else {
                let width = shown[before..].chars().count();
                pad.extend(std::iter::repeat_n(' ', width));
            }
        }
    }
    (shown, pad)
}

/// `text` safe to print on a terminal: every control character but tab (C0, DEL, C1),
/// the bidirectional-text controls and the Unicode line and paragraph separators become
/// `\u{1b}`-style escapes, so input can never move the cursor, set a window title or
/// hide text. Only for human output: JSON and SARIF carry the exact text.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{61c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn push_escaped(out: &mut String, c: char) {
    if needs_escape(c) {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    } else {
        out.push(c);
    }
}

/// Render a list of diagnostics, one blank line apart.
pub fn render_all(diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_location_caret_and_help() {
        let text = "version: 1\napps:\n  - name: Bad_Name\n";
        let d = Diagnostic::error("spec.yaml", Some(Pos::new(3, 11)), "bad name `Bad_Name`")
            .with_help("use lowercase letters, digits and `-`")
            .with_source(text);
        assert_eq!(
            d.to_string(),
            "spec.yaml:3:11: error: bad name `Bad_Name`\n  |\n3 |   - name: Bad_Name\n  |           ^\n  help: use lowercase letters, digits and `-`"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_caret_follows() {
        let text = "a: \"\u{1b}]0;pwned\u{7}\"\nb: \u{202e}x\tx\u{9b}2J\n";
        let d = Diagnostic::error("f\u{1b}[2J.yaml", Some(Pos::new(1, 8)), "name `\u{1b}[31m`")
            .with_help("fix \u{85}it")
            .with_source(text);
        let shown = d.to_string();
        assert!(
            !shown.chars().any(|c| c != '\n' && needs_escape(c)),
            "{shown:?}"
        );
        assert_eq!(
            shown,
            "f\\u{1b}[2J.yaml:1:8: error: name `\\u{1b}[31m`\n  |\n1 | a: \"\\u{1b}]0;pwned\\u{7}\"\n  |             ^\n  help: fix \\u{85}it"
        );
        assert_eq!(escape("tab\tok é"), "tab\tok é");
        assert_eq!(escape("\u{0}\u{7f}\u{2028}"), "\\u{0}\\u{7f}\\u{2028}");
    }

    #[test]
    fn display_without_position_or_help() {
        let d = Diagnostic::warning("x.yaml", None, "careful").with_code("image-digest");
        assert_eq!(d.to_string(), "x.yaml: warning[image-digest]: careful");
    }
}
