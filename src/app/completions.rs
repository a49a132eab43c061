//! `hephaestus completions SHELL`: generated from the same clap definitions as the parser.

use anyhow::Result;

use crate::cli::{self, CompletionsArgs};
use crate::ExitStatus;

pub fn run(args: &CompletionsArgs) -> Result<ExitStatus> {
    let mut command = cli::command();
    clap_complete::generate(
        args.shell,
        &mut command,
        "hephaestus",
        &mut std::io::stdout().lock(),
    );
    Ok(ExitStatus::Clean)
}
