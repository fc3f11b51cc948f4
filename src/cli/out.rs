//! Printing for the commands: messages to stderr that never panic and never pass
//! terminal control characters from the input through.

use std::fmt::Display;
use std::io::Write;

use kubeward::diag::escape;

/// Write `text` and a newline to stderr. A full or closed stderr is ignored (unlike
/// `eprintln!`, which panics); `text` is printed as is, so escape input in it first.
pub fn stderr(text: impl Display) {
    let _ = writeln!(std::io::stderr().lock(), "{text}");
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

/// `text` escaped line by line: its own line breaks stay (a multi-line template error),
/// every other control character is escaped.
pub fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|l| escape(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What became of a write to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printed {
    /// Everything was written.
    Done,
    /// The reader went away (`| head -1`): not an error, as with Unix tools.
    Closed,
    /// Writing failed (a full disk): the error is on stderr; exit 2.
    Failed,
}

/// Write `text` to stdout and flush it. A closed pipe is reported as [`Printed::Closed`]
/// without a message; any other error is printed to stderr.
pub fn stdout(text: &str) -> Printed {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Printed::Done,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Printed::Closed,
        Err(e) => {
            error(
                format_args!("cannot write to stdout: {e}"),
                "check that the disk or the pipe stdout goes to can take the output",
            );
            Printed::Failed
        }
    }
}
