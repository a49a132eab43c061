//! A proposed code change and its life cycle: Generated → Validated → Suggested | Deployed.

use serde::{Deserialize, Serialize};

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
    /// Deploy mode, but the pull request budget (`pr.max_open`, `pr.max_per_day`) is spent: kept,
    /// and deployed by a later run when the budget allows.
    Deferred,
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
    /// The model whose answer it is, for the `llm` generator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
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
    /// The fix was merged and the error was logged again after that.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub regression: bool,
    /// What the logs showed of the fingerprint, for whoever reviews the change.
    pub evidence: Evidence,
}

impl Solution {
    /// The generator as reports name it: `llm (model qwen2.5-coder:7b)` for a model's change.
    pub fn generator_label(&self) -> String {
        match &self.model {
            Some(model) => format!("{} (model {model})", self.generator),
            None => self.generator.clone(),
        }
    }

    /// What failed, for titles and messages: the exception and its short message (`KeyError
    /// 'timeout'`), or the error type's slug when the incident had no stack trace.
    pub fn headline(&self) -> String {
        if self.evidence.exception.is_empty() {
            self.error_type.clone()
        } else {
            self.evidence.headline()
        }
    }
}

/// What the logs showed of a fingerprint: the exception, where it was raised in the repository's
/// code, how often and when. Every text in it comes from a log and is untrusted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// The exception's kind without its package (`KeyError`, `NullPointerException`); empty when
    /// the incident had no stack trace (a user rule's incident).
    pub exception: String,
    /// The first line of its message, cut short (`'timeout'`).
    pub message: String,
    /// The innermost frame in the repository's files: path relative to its root, line, function.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The exception's frames in the repository's files, innermost first: `app/jobs.py:11 in run`.
    pub frames: Vec<String>,
    /// Entries of the fingerprint in the threshold's window when it tripped.
    pub count: usize,
    /// Log times (RFC 3339) of the first and last of them, when the log has times.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    /// The entry that tripped, as logged (first lines only).
    pub sample: String,
}

impl Evidence {
    /// `KeyError 'timeout'`: the kind and, when short, the message; for titles.
    pub fn headline(&self) -> String {
        let message = self.message.trim();
        match message.chars().count() {
            0 => self.exception.clone(),
            1..=60 => format!("{} {message}", self.exception),
            _ => self.exception.clone(),
        }
    }
}
