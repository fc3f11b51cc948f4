//! The exit codes of the binary: one type for every command, one conversion to the
//! process's exit code.

use std::process::ExitCode;

/// How a command ends, as the exit code says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success (0).
    Ok,
    /// Validation findings (1).
    Findings,
    /// A usage, input or I/O error (2).
    Usage,
    /// Stopped by Ctrl-C (130: 128 + SIGINT, as shells report it).
    Interrupted,
}

impl Exit {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Findings => 1,
            Exit::Usage => 2,
            Exit::Interrupted => 130,
        }
    }

    /// End the process now with this code (from the Ctrl-C handler's thread).
    pub fn exit_now(self) -> ! {
        std::process::exit(self.code().into())
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}
