//! The report layer: the only code that prints. Stages emit events; reporters render them as text
//! for people (colored when a terminal) or as JSON for programs.

mod json;
mod patterns;
mod reporter;
mod sanitize;
mod text;

pub use json::{
    declined_json, dropped_json, entry_json, incident_json, pattern_json, solution_json, JsonReport,
};
pub use patterns::PatternReport;
pub use reporter::{ReportKind, Reporter};
pub use sanitize::clean;
pub use text::{progress_bar, Style, TextReport};

use crate::config::ColorMode;
use crate::fix::Solution;
use crate::pattern::PatternSummary;

/// Counts for the closing summary (and the JSON `summary` object).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub lines: u64,
    pub entries: u64,
    pub unparsed: u64,
    /// Unparsed entries that still took a level from a level word in their header.
    pub unparsed_with_level: u64,
    pub truncated: u64,
    pub invalid_utf8: u64,
    /// Continuation lines dropped because their entry reached its size limit.
    pub dropped_lines: u64,
    /// Timestamps present but unreadable (the entry then takes the time of the one before), or far
    /// ahead of the entries around them (the entry is then counted at their time).
    pub bad_timestamps: u64,
    pub incidents: u64,
    pub solutions: u64,
    /// Entries an `ignore:` entry kept from counting toward a threshold.
    pub ignored: u64,
    /// Inputs read only up to a byte budget.
    pub inputs_stopped: u64,
    /// Inputs that could not be opened or read to their end.
    pub inputs_failed: u64,
}

/// Everything a batch run found, for reporters that render at the end.
#[derive(Debug, Default)]
pub struct Findings {
    pub counts: Counts,
    pub patterns: Vec<PatternSummary>,
    pub solutions: Vec<Solution>,
    /// What `--dry-run` deploys would have done.
    pub plans: Vec<crate::deploy::DeployPlan>,
    /// What `--dry-run` would have sent to webhooks.
    pub notifications: Vec<crate::notify::Planned>,
    /// Solutions dropped by the verification ladder ([`crate::fix::FixEvent::Dropped`]).
    pub dropped: Vec<crate::fix::FixEvent>,
    /// Classes that saw their kind of error and proposed nothing ([`crate::fix::FixEvent::Declined`]).
    pub declined: Vec<crate::fix::FixEvent>,
    /// Solutions deploy mode only suggested (`fix.min_confidence`).
    pub held: Vec<crate::deploy::Held>,
    /// Inputs read only up to a byte budget, and why.
    pub stopped: Vec<InputProblem>,
    /// Inputs that could not be opened or read to their end, and why.
    pub errors: Vec<InputProblem>,
    /// What the run read its settings from and proposes fixes in.
    pub setup: Setup,
}

/// Where the proposed fixes go as one patch, besides the report: stdout (`--format patch`) and a
/// file (`--patch-out`). Each solution's diff applies to the repository as it is; one after the
/// other they make one patch, which `git apply` takes whole (several may change one file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchOutput {
    pub to_stdout: bool,
    pub file: Option<std::path::PathBuf>,
}

/// The config file a run read (`None`: built-in defaults) and the repository it proposes fixes in
/// (`None`: fixes are off), as the user would name them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Setup {
    pub config: Option<String>,
    pub repo: Option<String>,
    /// The repositories named per service or log: (`service api`, `../api`), in the order they
    /// are tried.
    pub routes: Vec<(String, String)>,
}

impl Setup {
    /// One line: `config hephaestus.yaml, repository /srv/app`.
    pub fn describe(&self) -> String {
        let config = match &self.config {
            Some(path) => format!("config {path}"),
            None => "built-in defaults (no config file found)".to_owned(),
        };
        let repo = match &self.repo {
            Some(path) => format!("repository {path}"),
            None => "no repository: fixes off".to_owned(),
        };
        let mut line = format!("{config}, {repo}");
        for (matched, repo) in &self.routes {
            line.push_str(&format!("; {matched}: repository {repo}"));
        }
        line
    }
}

/// `summary.repos`: `[{"for": "service api", "repo": "../api"}]`.
fn routes_json(routes: &[(String, String)]) -> serde_json::Value {
    routes
        .iter()
        .map(|(matched, repo)| serde_json::json!({ "for": matched, "repo": repo }))
        .collect()
}

/// An input that was not read whole: its name, and the one-line message that said why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    pub input: String,
    pub message: String,
    /// Bytes read from it (after decompression), when known.
    pub bytes: Option<u64>,
}

/// Decide once whether to color, from `--color`, `NO_COLOR` and whether `is_tty`.
pub fn init_color(mode: ColorMode, is_tty: bool) {
    let enabled = match mode {
        ColorMode::Always => true,
        ColorMode::Never => false,
        ColorMode::Auto => is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    colored::control::set_override(enabled);
}
