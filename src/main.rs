//! The `kubeward` binary: the command line (clap) over the library; it only parses
//! arguments, calls the library and sets the exit code.

mod cli;

// mimalloc: a `check` allocates and keeps hundreds of thousands of small nodes; with the
// system allocator a fifth of its instructions were malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
