//! Diagnostics: user-facing errors and warnings that point into a source file, and the
//! escaping that keeps input text from driving the terminal they are printed on.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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
    /// The source line the position points into, for a caret display; for a long line
    /// only a window around the column (see [`Diagnostic::with_source`]).
    pub snippet: Option<String>,
    /// For a spec problem: the path of the value it is about (`apps[0].image`), so that
    /// a front end can tell which of its questions or flags caused it.
    pub spec_path: Option<String>,
    /// Character offset in the source line where `snippet` starts (0 unless clipped).
    pub snippet_start: usize,
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
            spec_path: None,
            snippet_start: 0,
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

    /// Attach the source line that `pos` points into, taken from `text`. Lines end at
    /// LF, CRLF or CR, as YAML 1.2 (and the position index) count them. Of a line longer
    /// than [`SNIPPET_MAX`] characters only a window around the column is kept, so a
    /// one-line megabyte manifest does not cost a megabyte per finding.
    pub fn with_source(self, text: &str) -> Self {
        match self.pos.and_then(|pos| source_line(text, pos.line)) {
            Some(line) => self.with_line(line),
            None => self,
        }
    }

    /// [`Self::with_source`] with the line already found (see [`Lines`]): a report of
    /// many findings in one file finds each line once, not once per finding.
    pub fn with_line(mut self, line: &str) -> Self {
        let Some(pos) = self.pos else { return self };
        // An ASCII line is cut by bytes: no walk over a megabyte line per finding.
        let ascii = line.is_ascii();
        let len = if ascii {
            line.len()
        } else {
            line.chars().count()
        };
        let (start, keep) = if len <= SNIPPET_MAX {
            (0, len)
        } else {
            let start = pos
                .col
                .saturating_sub(1 + SNIPPET_LEFT)
                .min(len - SNIPPET_WIDTH);
            (start, SNIPPET_MAX + 1)
        };
        self.snippet = Some(if ascii {
            line[start..len.min(start + keep)].to_string()
        } else {
            line.chars().skip(start).take(keep).collect()
        });
        self.snippet_start = start;
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
            let col = pos.col.saturating_sub(self.snippet_start);
            let (shown, caret_pad) = snippet(line, col, self.snippet_start > 0);
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

/// Lines up to this many characters are shown whole.
pub const SNIPPET_MAX: usize = 120;
/// Characters of a longer line that are shown, around the column.
const SNIPPET_WIDTH: usize = 100;
/// Of those, how many come before the column (when the line has them).
const SNIPPET_LEFT: usize = 40;

/// Line `line` (1-based) of `text`, lines ending at LF, CRLF or CR; `None` past the end.
/// Where each line of a text starts, lines ending as [`source_line`] ends them: after
/// one pass, any line is found without scanning the text again.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        Lines { text, starts }
    }

    /// The 1-based line `n`, without its line break; `None` past the end.
    pub fn line(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let rest = self.text.get(start..).filter(|r| !r.is_empty())?;
        Some(&rest[..line_end(rest)])
    }
}

/// The byte length of the first line of `text` (up to its CR or LF).
fn line_end(text: &str) -> usize {
    text.bytes()
        .position(|b| b == b'\r' || b == b'\n')
        .unwrap_or(text.len())
}

pub fn source_line(text: &str, line: usize) -> Option<&str> {
    let mut rest = text;
    for _ in 1..line {
        let end = line_end(rest);
        if end == rest.len() {
            return None;
        }
        let skip = if rest[end..].starts_with("\r\n") {
            2
        } else {
            1
        };
        rest = &rest[end + skip..];
    }
    if rest.is_empty() {
        return None;
    }
    Some(&rest[..line_end(rest)])
}

/// The source line as shown and the padding that puts a caret under the character at
/// 1-based column `col` of `line`. A line longer than [`SNIPPET_MAX`] is clipped to a
/// window around the column, with `…` where text was left out (`clipped_left`: `line`
/// itself starts inside the source line); control characters are escaped.
fn snippet(line: &str, col: usize, clipped_left: bool) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let c = col.saturating_sub(1);
    let (lo, hi) = if !clipped_left && chars.len() <= SNIPPET_MAX {
        (0, chars.len())
    } else {
        let lo = c
            .saturating_sub(SNIPPET_LEFT)
            .min(chars.len().saturating_sub(SNIPPET_WIDTH));
        (lo, chars.len().min(lo + SNIPPET_WIDTH))
    };
    let mut shown = String::new();
    let mut pad = String::new();
    if clipped_left || lo > 0 {
        shown.push('…');
        pad.push(' ');
    }
    for (i, &ch) in chars.iter().enumerate().take(hi).skip(lo) {
        let before = shown.len();
        push_escaped(&mut shown, ch);
        if i < c {
            if ch == '\t' {
                pad.push('\t');
            } else {
                let width = shown[before..].chars().count();
                pad.extend(std::iter::repeat_n(' ', width));
            }
        }
    }
    if hi < chars.len() {
        shown.push('…');
    }
    if c > hi {
        // The column lies past the shown text: point just after it.
        pad.extend(std::iter::repeat_n(' ', (c - hi).min(1)));
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
    fn long_lines_are_clipped_around_the_column() {
        let line = format!("{}TARGET{}", "a".repeat(5000), "b".repeat(5000));
        let text = format!("first\r{line}\rlast\n");
        let d = Diagnostic::error("f", Some(Pos::new(2, 5001)), "here").with_source(&text);
        assert!(d.snippet.as_ref().unwrap().len() <= SNIPPET_MAX + 1);
        let shown = d.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        let src = lines[2].strip_prefix("2 | ").unwrap();
        let caret = lines[3].strip_prefix("  | ").unwrap();
        assert!(src.starts_with('…') && src.ends_with('…'), "{src}");
        assert!(src.chars().count() <= SNIPPET_WIDTH + 2, "{src}");
        let at = caret.chars().count() - 1;
        let under: String = src.chars().skip(at).take(6).collect();
        assert_eq!(under, "TARGET", "{shown}");
    }

    #[test]
    fn clipping_at_the_ends_of_a_long_line() {
        let line = format!("x{}", "-".repeat(300));
        let start = Diagnostic::error("f", Some(Pos::new(1, 1)), "m").with_source(&line);
        let shown = start.to_string();
        assert!(shown.contains("1 | x---"), "{shown}");
        assert!(shown.contains("…\n  | ^"), "{shown}");
        let end = Diagnostic::error("f", Some(Pos::new(1, 302)), "m").with_source(&line);
        let shown = end.to_string();
        let lines: Vec<&str> = shown.lines().collect();
        assert!(
            lines[2].starts_with("1 | …") && lines[2].ends_with('-'),
            "{shown}"
        );
        assert_eq!(
            lines[3].chars().count(),
            lines[2].chars().count() + 1,
            "caret just past the end: {shown}"
        );
    }

    #[test]
    fn source_lines_end_at_lf_crlf_and_cr() {
        let text = "a\r\nb\rc\nd";
        let got: Vec<_> = (1..=5).map(|n| source_line(text, n)).collect();
        assert_eq!(got, [Some("a"), Some("b"), Some("c"), Some("d"), None]);
        assert_eq!(source_line("a\n", 2), None);
        assert_eq!(source_line("", 1), None);
        assert_eq!(source_line("x\u{85}y\n", 1), Some("x\u{85}y"));
        for text in [text, "a\n", "", "x\u{85}y\n", "\n\r\n\r", "a\r\n"] {
            let lines = Lines::new(text);
            for n in 1..=6 {
                assert_eq!(lines.line(n), source_line(text, n), "{text:?} line {n}");
            }
        }
    }

    #[test]
    fn an_ascii_line_and_a_non_ascii_line_are_clipped_alike() {
        for fill in ["-", "é"] {
            let line = format!("x{}y", fill.repeat(300));
            for col in [1, 150, 302] {
                let d = Diagnostic::error("f", Some(Pos::new(1, col)), "m").with_line(&line);
                let shown = d.snippet.unwrap();
                let want: String = line
                    .chars()
                    .skip(d.snippet_start)
                    .take(SNIPPET_MAX + 1)
                    .collect();
                assert_eq!(shown, want, "{fill} at {col}");
                assert!(d.snippet_start > 0 || col == 1, "{fill} at {col}");
            }
        }
    }

    #[test]
    fn display_without_position_or_help() {
        let d = Diagnostic::warning("x.yaml", None, "careful").with_code("image-digest");
        assert_eq!(d.to_string(), "x.yaml: warning[image-digest]: careful");
    }
}
