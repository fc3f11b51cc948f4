//! The `kubeward` binary: everything lives in the library; this only sets the exit code.

fn main() -> std::process::ExitCode {
    kubeward::cli::main()
}
