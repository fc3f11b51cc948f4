//! Diagnostics: user-facing errors and warnings that point into a source file.

use std::fmt;

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
    /// The source line the position points into, for a caret display.
    pub snippet: Option<String>,
    /// For a spec problem: the path of the value it is about (`apps[0].image`), so that
    /// a front end can tell which of its questions or flags caused it.
    pub spec_path: Option<String>,
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
    /// `help:` line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(pos) = self.pos {
            write!(f, ":{}:{}", pos.line, pos.col)?;
        }
        write!(f, ": {}", self.severity)?;
        if let Some(code) = &self.code {
            write!(f, "[{code}]")?;
        }
        write!(f, ": {}", self.message)?;
        if let (Some(pos), Some(line)) = (self.pos, &self.snippet) {
            let gutter = pos.line.to_string().len();
            let caret_pad: String = line
                .chars()
                .take(pos.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(
                f,
                "\n{:gutter$} |\n{} | {}\n{:gutter$} | {}^",
                "", pos.line, line, "", caret_pad
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
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
    fn display_without_position_or_help() {
        let d = Diagnostic::warning("x.yaml", None, "careful").with_code("image-digest");
        assert_eq!(d.to_string(), "x.yaml: warning[image-digest]: careful");
    }
}
