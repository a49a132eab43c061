//! A proposed code change and its life cycle: Generated → Validated → Suggested | Deployed.

use serde::Serialize;

/// Where a solution stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolutionState {
    /// Produced by a generator, edits applied in memory.
    Generated,
    /// Passed at least one rung of the verification ladder and failed none.
    Validated,
    /// Printed for a human to apply (`mode: suggest`).
    Suggested,
    /// Committed, pushed and proposed as a pull request (`mode: deploy`).
    Deployed,
}

/// A proposed fix for one fingerprint.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Stable id: fingerprint + generator.
    pub id: String,
    /// Pattern id of the incident's entry.
    pub pattern: String,
    /// Fingerprint id the solution fixes (one solution per fingerprint).
    pub fingerprint: String,
    pub error_type: String,
    /// Generator (or rule) that produced it, e.g. `py-key-error`.
    pub generator: String,
    /// One paragraph: what failed, where, why this change.
    pub description: String,
    /// In [0, 1]; see `factors`.
    pub confidence: f64,
    /// Named contributions to the confidence, for `-v`.
    pub factors: Vec<(String, f64)>,
    pub state: SolutionState,
    /// The repository the diff applies to, as named on the command line or in the config.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// Files changed, relative to the repository root.
    pub files: Vec<String>,
    /// Unified diff relative to the repository root, `a/` `b/` prefixes; applies with `git apply`.
    pub diff: String,
    /// The verification ladder as it ran: compile, verify, reproduce.
    pub verification: Vec<super::verify::Rung>,
    /// Pull request URL once deployed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pr_url: Option<String>,
}
