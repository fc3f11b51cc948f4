//! The `kubeward` binary: the command line (clap) over the library; it only parses
//! arguments, calls the library and sets the exit code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
