//! Exit codes are part of the command-line contract: CI jobs branch on them.

use std::process::ExitCode;

/// How a run ended, as the shell sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The run completed and no incident tripped.
    Clean = 0,
    /// At least one incident tripped (so `hephaestus analyze build.log` fails a CI job).
    Incident = 1,
    /// Usage, configuration or I/O error.
    Error = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status as u8)
    }
}
