//! Fix stage: an [`Incident`] in, [`Solution`]s out.
//!
//! Generators propose structured edits; the stage validates them against the repository at HEAD (in
//! memory: the working tree and index are never touched) and renders them as unified diffs with a
//! confidence. Precision first: no solution is better than a bogus one.

mod solution;

use std::path::PathBuf;

pub use solution::{Solution, SolutionState};

use crate::threshold::Incident;

/// A user rule from the config: a regex on the incident's message and an edit of one file.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub name: String,
    pub matcher: regex::Regex,
    /// Path relative to the repository root.
    pub file: String,
    pub find: regex::Regex,
    /// Replacement; `$name` / `${name}` refer to the `match` regex's named groups.
    pub replace: String,
}

/// What the fix stage needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct FixSettings {
    /// The repository fixes are proposed for; `None` when there is none (no fixes then).
    pub repo: Option<PathBuf>,
    pub rules: Vec<RuleSpec>,
    /// Command run in a temporary worktree with the patch applied, e.g. `cargo check`.
    pub verify: Option<String>,
    pub verify_timeout: std::time::Duration,
}

/// The fix stage.
pub struct Fixer {
    #[allow(dead_code)]
    settings: FixSettings,
}

impl Fixer {
    pub fn new(settings: FixSettings) -> Fixer {
        Fixer { settings }
    }

    /// Solutions for `incident`, best first; empty when nothing fits.
    pub fn propose(&mut self, _incident: &Incident) -> Vec<Solution> {
        Vec::new()
    }
}
