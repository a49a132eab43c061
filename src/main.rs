//! The `hephaestus` binary: parse arguments, run, print the error chain, exit with a code.

use std::io::Write;
use std::process::ExitCode;

// Entries are built on the reading thread and freed on the classifying one; mimalloc frees across
// threads without the arena locks of the system allocator, and allocates small strings faster.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// The one print outside the report layer: the error that ended the run, once nothing else will.
fn main() -> ExitCode {
    match hephaestus::run(std::env::args_os()) {
        Ok(code) => code.into(),
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            // Not eprintln!, which panics when stderr is closed: the exit code still tells.
            let _ = writeln!(std::io::stderr(), "error: {err:#}");
            hephaestus::ExitStatus::Error.into()
        }
    }
}

/// `hephaestus patterns big.log | head` closes our stdout early; that is not an error. (`analyze`,
/// whose exit code is its verdict, never gets here with one: it goes on without printing.)
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
