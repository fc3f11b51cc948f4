//! Printing for the commands: their data to stdout (one path, one rule for a closed
//! pipe), and messages to stderr that never panic and never pass terminal control
//! characters from the input through.

use std::fmt::Display;
use std::io::Write;
use std::sync::OnceLock;

use kubeward::diag::escape;

use super::style::{Stream, paint};
use super::{Exit, Verbosity};

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Set how much this run says (`-q`, `-v`); the first call wins.
pub fn set_verbosity(v: Verbosity) {
    let _ = VERBOSITY.set(v);
}

/// How much this run says.
pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or(Verbosity::Normal)
}

/// Write `text` and a newline to stderr, its message labels coloured when colour is on.
/// A full or closed stderr is ignored (unlike `eprintln!`, which panics); `text` is
/// printed as is, so escape input in it first.
pub fn stderr(text: impl Display) {
    let text = paint(&text.to_string(), Stream::Stderr);
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// A progress or result message on stderr (`wrote …`), left out with `--quiet`.
pub fn status(text: impl Display) {
    if verbosity() != Verbosity::Quiet {
        stderr(text);
    }
}

/// `error: MESSAGE` and a `help:` line on stderr; `message` is escaped, since it may name
/// files or values from the input.
pub fn error(message: impl Display, help: impl Display) {
    let message = message.to_string();
    let help = help.to_string();
    stderr(format_args!(
        "error: {}\n  help: {}",
        escape(&message),
        escape(&help)
    ));
}

/// `error: MESSAGE` alone on stderr, for an error whose help is given elsewhere (or that
/// closes a list of problems); `message` is escaped.
pub fn error_line(message: impl Display) {
    stderr(format_args!("error: {}", escape(&message.to_string())));
}

/// `FILE:LINE:COL: error: MESSAGE` and a `help:` line on stderr: a problem at a place in
/// the input; the file name, `message` and `help` are escaped.
pub fn error_at(file: &str, line: usize, col: usize, message: impl Display, help: impl Display) {
    stderr(format_args!(
        "{}:{line}:{col}: error: {}\n  help: {}",
        escape(file),
        escape(&message.to_string()),
        escape(&help.to_string())
    ));
}

/// `text` escaped line by line: its own line breaks stay (a multi-line template error),
/// every other control character is escaped.
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Write `text` to stdout and flush it: the one way every command prints its data. A
/// reader that went away (`| head -1`) is no failure: the command ends as if everything
/// was written. Any other error (a full disk) is printed to stderr and is exit 2.
pub fn print(text: &str) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Exit::Ok,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok,
        Err(e) => {
            error(
                format_args!("cannot write to stdout: {e}"),
                "check that the disk or the pipe stdout goes to can take the output",
            );
            Exit::Usage
        }
    }
}
