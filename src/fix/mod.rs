//! Fix stage: an [`Incident`] in, [`Solution`]s out.
//!
//! 1. **Locate** ([`locate`]): the innermost frame of the primary exception that maps to a file
//!    git tracks at HEAD; library frames are never edited.
//! 2. **Generate** ([`generator`], [`builtin`], [`rules`]): generators return structured
//!    [`edit::Edit`]s and check that the line they edit still holds what failed.
//! 3. **Validate** ([`validate`]): the edits are applied to the HEAD contents in memory (the
//!    working tree and index are never touched), structured files must still parse, and the
//!    optional `fix.verify` command runs on a temporary copy.
//! 4. **Explain**: a description, a unified diff ([`diff`]) and a confidence built from named
//!    factors.
//!
//! Precision first: no solution is better than a bogus one. Every refusal is noted for `-v`.

pub mod builtin;
pub mod diff;
pub mod edit;
pub mod generator;
pub mod locate;
pub mod repo;
pub mod rules;
mod solution;
pub mod syntax;
#[cfg(test)]
pub(crate) mod testing;
pub mod validate;

use std::path::PathBuf;

use thiserror::Error;

pub use generator::{Context, Draft, Generator, Skip};
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

/// What goes wrong inside the fix stage.
#[derive(Debug, Error)]
pub enum FixError {
    #[error("failed to read the repository '{repo}': {source}")]
    Git { repo: String, source: git2::Error },
    #[error("'{file}' line {line} no longer holds the text the change expects")]
    Stale { file: String, line: u32 },
    #[error("overlapping edits of '{0}'")]
    Overlap(String),
    #[error("'{0}' is not a tracked regular file at HEAD")]
    NotTracked(String),
    #[error("the change leaves '{file}' unparseable: {reason}")]
    Unparseable { file: String, reason: String },
    #[error("the change changes nothing")]
    NoChange,
    #[error("verify: failed to {what}: {source}")]
    Verify {
        what: String,
        source: std::io::Error,
    },
}

/// Named contributions to a confidence. They add up; the sum is clamped to [0, 1].
pub mod factor {
    pub const PRIOR: &str = "generator prior";
    pub const FRAME: &str = "frame resolved exactly";
    pub const COLUMN: &str = "expression found at the column";
    pub const VALIDATION: &str = "validation";
}

/// The fix stage.
pub struct Fixer {
    settings: FixSettings,
    notes: Vec<String>,
    /// Diffs already proposed: two fingerprints of one crash (a trace joined to different log
    /// lines) must not give the same patch twice.
    proposed: std::collections::HashSet<String>,
    /// Rules that cannot run, reported without `-v`.
    rule_warnings: rules::Warnings,
}

impl Fixer {
    pub fn new(settings: FixSettings) -> Fixer {
        Fixer {
            settings,
            notes: Vec::new(),
            proposed: std::collections::HashSet::new(),
            rule_warnings: rules::Warnings::default(),
        }
    }

    /// Broken rules met since the last call (a rule whose file is not tracked), for every output.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.rule_warnings.take()
    }

    /// Why solutions were not proposed or were dropped since the last call, for verbose output.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// Solutions for `incident`, best first; empty when nothing fits.
    pub fn propose(&mut self, incident: &Incident) -> Vec<Solution> {
        let Some(root) = self.settings.repo.clone() else {
            return Vec::new();
        };
        let repo = match repo::Snapshot::open(&root) {
            Ok(repo) => repo,
            Err(err) => {
                self.notes.push(format!("no fix proposed: {err}"));
                return Vec::new();
            }
        };
        let mut notes = Vec::new();
        let (trace, text) = generator::trace_of(incident);
        let cx = Context::new(incident, trace.as_ref(), &text, &repo, &mut notes);
        let rules: Vec<rules::Rule<'_>> = self
            .settings
            .rules
            .iter()
            .filter(|spec| self.rule_warnings.usable(spec, incident, &repo))
            .map(|spec| rules::Rule { spec })
            .collect();
        let builtins = builtin::all();
        let generators = rules
            .iter()
            .map(|r| r as &dyn Generator)
            .chain(builtins.iter().map(|g| g.as_ref()));
        let mut solutions = Vec::new();
        for generator in generators {
            match generator.generate(&cx) {
                Ok(draft) => {
                    if let Some(s) = self.finish(generator, draft, &cx, &mut notes) {
                        solutions.push(s);
                    }
                }
                Err(Skip::NotApplicable) => {}
                Err(Skip::Declined(why)) => {
                    notes.push(format!("{}: no fix proposed: {why}", generator.name()))
                }
            }
        }
        if solutions.is_empty() && notes.is_empty() {
            let what = cx
                .exception
                .map(|e| e.headline())
                .unwrap_or_else(|| incident.entry.first_line().to_string());
            notes.push(format!(
                "no generator or rule covers '{}'",
                generator::excerpt(&what, 100)
            ));
        }
        self.notes.extend(notes);
        // Best first; a lower-ranked solution touching a file a better one changes would
        // conflict with it when both are applied.
        solutions.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        let mut taken: Vec<String> = Vec::new();
        solutions.retain(|s| {
            if s.files.iter().any(|f| taken.contains(f)) {
                return false;
            }
            taken.extend(s.files.iter().cloned());
            true
        });
        solutions.retain(|s| {
            let fresh = self.proposed.insert(s.diff.clone());
            if !fresh {
                self.notes.push(format!(
                    "{}: the same change was already proposed for another fingerprint",
                    s.generator
                ));
            }
            fresh
        });
        solutions
    }

    fn finish(
        &self,
        generator: &dyn Generator,
        draft: Draft,
        cx: &Context<'_>,
        notes: &mut Vec<String>,
    ) -> Option<Solution> {
        let name = generator.name();
        let checked = match validate::check(cx.repo, &draft.edits) {
            Ok(c) => c,
            Err(err) => {
                notes.push(format!("{name}: dropped: {err}"));
                return None;
            }
        };
        if self.proposed.contains(&checked.diff) {
            // Checked before verify: the command may take minutes.
            notes.push(format!(
                "{name}: the same change was already proposed for another fingerprint"
            ));
            return None;
        }
        let mut factors = vec![(factor::PRIOR.to_string(), generator.prior())];
        let touches_site = cx
            .site
            .as_ref()
            .is_some_and(|site| checked.files.contains(&site.path));
        if let (Some(site), Some(at_column)) = (&cx.site, draft.at_column) {
            if touches_site {
                factors.push((
                    factor::FRAME.to_string(),
                    if site.exact { 0.1 } else { -0.1 },
                ));
            }
            factors.push((
                factor::COLUMN.to_string(),
                if at_column { 0.1 } else { 0.0 },
            ));
        }
        let mut validation = if checked.reparsed.is_empty() {
            0.0
        } else {
            0.05
        };
        let mut state = SolutionState::Generated;
        if let Some(command) = &self.settings.verify {
            match validate::verify(
                cx.repo,
                &checked.patched,
                command,
                self.settings.verify_timeout,
            ) {
                Ok(validate::Verdict::Passed) => {
                    validation += 0.15;
                    state = SolutionState::Validated;
                }
                Ok(validate::Verdict::Failed { status, output }) => {
                    notes.push(format!(
                        "{name}: dropped: verify '{command}' failed ({status}) with the patch applied:\n{output}"
                    ));
                    return None;
                }
                Ok(validate::Verdict::TimedOut) => {
                    notes.push(format!(
                        "{name}: dropped: verify '{command}' did not finish within {}",
                        humantime::format_duration(self.settings.verify_timeout)
                    ));
                    return None;
                }
                Err(err) => {
                    notes.push(format!("{name}: dropped: {err}"));
                    return None;
                }
            }
        }
        factors.push((factor::VALIDATION.to_string(), validation));
        let sum: f64 = factors.iter().map(|(_, v)| v).sum();
        let confidence = (sum.clamp(0.0, 1.0) * 100.0).round() / 100.0;
        let incident = cx.incident;
        Some(Solution {
            id: format!("{}-{}", incident.fingerprint.id, slug(&name)),
            pattern: incident.pattern.clone(),
            fingerprint: incident.fingerprint.id.clone(),
            error_type: incident.fingerprint.error_type.clone(),
            generator: name,
            description: draft.description,
            confidence,
            factors,
            state,
            files: checked.files,
            diff: checked.diff,
            pr_url: None,
        })
    }
}

fn slug(name: &str) -> String {
    crate::pattern::fingerprint::slug(name)
}
