//! Deploy stage: what happens to a solution. `suggest` prints it (the report layer does); `deploy`
//! commits it on a branch, pushes it and opens a pull request.

use serde::Serialize;

use crate::fix::{Solution, SolutionState};

/// How solutions are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Suggest,
    Deploy,
}

/// What the deploy stage needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct DeploySettings {
    pub mode: Mode,
}

/// The deploy stage.
pub struct Deployer {
    settings: DeploySettings,
}

impl Deployer {
    pub fn new(settings: DeploySettings) -> Deployer {
        Deployer { settings }
    }

    /// Deliver one solution, advancing its state.
    pub fn deliver(&mut self, solution: &mut Solution) -> anyhow::Result<()> {
        match self.settings.mode {
            Mode::Suggest => solution.state = SolutionState::Suggested,
            Mode::Deploy => anyhow::bail!("deploy mode is not available yet"),
        }
        Ok(())
    }
}
