//! Fix stage: an [`Incident`] in, [`Solution`]s out.
//!
//! 1. **Locate** ([`locate`]): the innermost frame of the primary exception that maps to a file
//!    git tracks at HEAD; library frames are never edited.
//! 2. **Generate** ([`generator`], [`builtin`], [`rules`]): generators return structured
//!    [`edit::Edit`]s and check that the line they edit still holds what failed.
//! 3. **Validate** ([`validate`]): the edits are applied to the HEAD contents in memory (the
//!    working tree and index are never touched) and structured files must still parse.
//! 4. **Verify** ([`verify`]): on a temporary copy with the patch, the edited files are compiled,
//!    then `fix.verify` and `fix.reproduce` run when configured; a failed rung drops the solution.
//! 5. **Explain**: a description, a unified diff ([`diff`]) and a confidence built from named
//!    factors, the rungs that passed among them.
//!
//! Precision first: no solution is better than a bogus one. Every refusal is a [`FixEvent`]: a
//! solution dropped by verification is reported as such, the rest is for `-v`.

pub mod builtin;
pub mod diff;
pub mod edit;
pub mod generator;
pub mod llm;
pub mod locate;
pub mod repo;
pub mod rules;
mod solution;
pub mod syntax;
#[cfg(test)]
pub(crate) mod testing;
pub mod validate;
pub mod verify;

use std::path::PathBuf;

use thiserror::Error;

pub use generator::{Context, Draft, Generator, Skip};
pub use solution::{Evidence, Solution, SolutionState};

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
    /// Whether the edited files are compiled on the verify copy. The configuration always turns
    /// it on; the default (off) is the bare stage that generator unit tests run on code fragments.
    pub compile: bool,
    /// Command run in a temporary worktree with the patch applied, e.g. `cargo check`.
    pub verify: Option<String>,
    /// Command that reproduced the crash; with the patch applied it must exit 0 and no longer
    /// print the exception.
    pub reproduce: Option<String>,
    /// Timeout of each command of the verification ladder.
    pub verify_timeout: std::time::Duration,
    /// Below this confidence a solution is suggested, never deployed.
    pub min_confidence: f64,
    /// The model asked when no built-in class has a verified change (`fix.llm`); off when `None`.
    pub llm: Option<llm::LlmSettings>,
}

/// What goes wrong inside the fix stage.
#[derive(Debug, Error)]
pub enum FixError {
    // Causes are part of the messages, not `source()`s, so that each is printed once.
    #[error("failed to read the repository '{repo}': {cause}")]
    Git { repo: String, cause: git2::Error },
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
    #[error("verify: failed to {what}: {cause}")]
    Verify { what: String, cause: std::io::Error },
}

/// Named contributions to a confidence. They add up; the sum is clamped to [0, 1]. A generator
/// may add one more, its strategy ([`Draft::strategy`]).
pub mod factor {
    pub const PRIOR: &str = "generator prior";
    pub const FRAME: &str = "frame resolved exactly";
    pub const COLUMN: &str = "expression found at the column";
    /// The edited files compiled (or re-parsed) with the patch applied.
    pub const COMPILE: &str = "compile";
    /// `fix.verify` passed with the patch applied.
    pub const VERIFY: &str = "verify";
    /// `fix.reproduce` no longer crashes with the patch applied.
    pub const REPRODUCE: &str = "reproduce";

    /// The strategy factor of a change, by how much of the program's behaviour it keeps: a
    /// default the code base defines keeps most, skipping a record or returning the function's
    /// existing nothing keeps the other records' results, a value-level guard the data flow
    /// accepted adds nothing beyond the evidence.
    pub fn strategy(name: &'static str) -> Option<(&'static str, f64)> {
        let value = match name {
            "default-from-code" => 0.1,
            "skip-record" | "return-nothing" => 0.05,
            _ => 0.0,
        };
        Some((name, value))
    }

    /// What a passed rung adds; a skipped one adds nothing.
    pub const COMPILE_PASSED: f64 = 0.1;
    pub const VERIFY_PASSED: f64 = 0.15;
    pub const REPRODUCE_PASSED: f64 = 0.15;
}

/// What the fix stage has to say besides its solutions.
#[derive(Debug, Clone, PartialEq)]
pub enum FixEvent {
    /// A generator saw its kind of error but would have guessed.
    Declined { generator: String, why: String },
    /// A solution failed a rung of the verification ladder and was dropped.
    Dropped {
        generator: String,
        step: verify::Step,
        /// What ran (empty for an in-process check).
        command: String,
        /// One line: `failed: SyntaxError: invalid syntax`.
        why: String,
        /// The tail of the command's output, for `-v`.
        output: String,
    },
    /// Anything else worth saying with `-v`: a refused edit, a duplicate, a missing site.
    Note(String),
}

impl std::fmt::Display for FixEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixEvent::Declined { generator, why } => {
                write!(f, "{generator}: no fix proposed: {why}")
            }
            FixEvent::Dropped {
                generator,
                step,
                command,
                why,
                ..
            } if command.is_empty() => write!(f, "{generator}: dropped: {step} {why}"),
            FixEvent::Dropped {
                generator,
                step,
                command,
                why,
                ..
            } => write!(f, "{generator}: dropped: {step} '{command}' {why}"),
            FixEvent::Note(note) => f.write_str(note),
        }
    }
}

/// The fix stage.
pub struct Fixer {
    settings: FixSettings,
    events: Vec<FixEvent>,
    /// Diffs already proposed: two fingerprints of one crash (a trace joined to different log
    /// lines) must not give the same patch twice.
    proposed: std::collections::HashSet<String>,
    /// Rules that cannot run, reported without `-v`.
    rule_warnings: rules::Warnings,
    /// HEAD as the last incident saw it: listing the tracked files walks the whole tree, and
    /// most incidents of a run meet the same commit.
    snapshot: Option<repo::Snapshot>,
}

impl Fixer {
    pub fn new(settings: FixSettings) -> Fixer {
        Fixer {
            settings,
            events: Vec::new(),
            proposed: std::collections::HashSet::new(),
            rule_warnings: rules::Warnings::default(),
            snapshot: None,
        }
    }

    /// Broken rules met since the last call (a rule whose file is not tracked), for every output.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.rule_warnings.take()
    }

    /// Why solutions were not proposed or were dropped since the last call, as text.
    pub fn take_notes(&mut self) -> Vec<String> {
        self.take_events().iter().map(ToString::to_string).collect()
    }

    /// Why solutions were not proposed or were dropped since the last call.
    pub fn take_events(&mut self) -> Vec<FixEvent> {
        std::mem::take(&mut self.events)
    }

    /// Solutions for `incident`, best first; empty when nothing fits.
    pub fn propose(&mut self, incident: &Incident) -> Vec<Solution> {
        let Some(root) = self.settings.repo.clone() else {
            return Vec::new();
        };
        let repo = match self.snapshot.take() {
            Some(repo) if repo.is_current() => repo,
            _ => match repo::Snapshot::open(&root) {
                Ok(repo) => repo,
                Err(err) => {
                    self.events
                        .push(FixEvent::Note(format!("no fix proposed: {err}")));
                    return Vec::new();
                }
            },
        };
        let solutions = self.propose_at(incident, &repo);
        self.snapshot = Some(repo);
        solutions
    }

    fn propose_at(&mut self, incident: &Incident, repo: &repo::Snapshot) -> Vec<Solution> {
        let mut notes = Vec::new();
        let (trace, text) = generator::trace_of(incident);
        let cx = Context::new(incident, trace.as_ref(), &text, repo, &mut notes);
        let rules: Vec<rules::Rule<'_>> = self
            .settings
            .rules
            .iter()
            .filter(|spec| self.rule_warnings.usable(spec, incident, repo))
            .map(|spec| rules::Rule { spec })
            .collect();
        let builtins = builtin::all();
        let generators = rules
            .iter()
            .map(|r| r as &dyn Generator)
            .chain(builtins.iter().map(|g| g.as_ref()));
        let mut solutions = Vec::new();
        let mut events = Vec::new();
        for generator in generators {
            match generator.generate(&cx) {
                Ok(draft) => {
                    if let Some(s) = self.finish(generator, draft, &cx, &mut events) {
                        solutions.push(s);
                    }
                }
                Err(Skip::NotApplicable) => {}
                Err(Skip::Declined(why)) => events.push(FixEvent::Declined {
                    generator: generator.name(),
                    why,
                }),
            }
        }
        // The model is asked only when no built-in class or rule has a verified change.
        if solutions.is_empty() {
            if let Some(settings) = &self.settings.llm {
                solutions.extend(llm::fallback(self, settings, &cx, &mut events));
            }
        }
        if solutions.is_empty() && notes.is_empty() && events.is_empty() {
            let what = cx
                .exception
                .map(|e| e.headline())
                .unwrap_or_else(|| incident.entry.first_line().to_string());
            notes.push(format!(
                "no generator or rule covers '{}'",
                generator::excerpt(&what, 100)
            ));
        }
        self.events.extend(notes.into_iter().map(FixEvent::Note));
        self.events.extend(events);
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
                self.events.push(FixEvent::Note(format!(
                    "{}: the same change was already proposed for another fingerprint",
                    s.generator
                )));
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
        events: &mut Vec<FixEvent>,
    ) -> Option<Solution> {
        let name = generator.name();
        let checked = match validate::check(cx.repo, &draft.edits) {
            Ok(c) => c,
            Err(FixError::Unparseable { file, reason }) => {
                // The in-process compile rung of structured files.
                events.push(FixEvent::Dropped {
                    generator: name,
                    step: verify::Step::Compile,
                    command: String::new(),
                    why: format!(
                        "failed: '{file}' no longer parses: {}",
                        reason
                            .lines()
                            .find(|l| !l.trim().is_empty())
                            .unwrap_or("")
                            .trim()
                    ),
                    output: reason,
                });
                return None;
            }
            Err(err) => {
                events.push(FixEvent::Note(format!("{name}: dropped: {err}")));
                return None;
            }
        };
        if self.proposed.contains(&checked.diff) {
            // Checked before the ladder: its commands may take minutes.
            events.push(FixEvent::Note(format!(
                "{name}: the same change was already proposed for another fingerprint"
            )));
            return None;
        }
        let headline = cx.exception.map(|e| e.headline());
        let ladder = verify::Ladder {
            compile: self.settings.compile,
            verify: self.settings.verify.as_deref(),
            reproduce: self.settings.reproduce.as_deref(),
            timeout: self.settings.verify_timeout,
            headline: headline.as_deref(),
        };
        let verification = match verify::climb(cx.repo, &checked, &ladder) {
            Ok(rungs) => rungs,
            Err(err) => {
                events.push(FixEvent::Note(format!("{name}: dropped: {err}")));
                return None;
            }
        };
        if let Some(failed) = verification
            .iter()
            .find(|r| r.result == verify::Outcome::Failed)
        {
            events.push(FixEvent::Dropped {
                generator: name,
                step: failed.step,
                command: failed.command.clone(),
                why: failed.reason.clone().unwrap_or_else(|| "failed".into()),
                output: failed.output.clone(),
            });
            return None;
        }
        let factors = factors(generator, &draft, cx, &checked, &verification);
        let sum: f64 = factors.iter().map(|(_, v)| v).sum();
        let confidence = (sum.clamp(0.0, 1.0) * 100.0).round() / 100.0;
        let state = if verification
            .iter()
            .any(|r| r.result == verify::Outcome::Passed)
        {
            SolutionState::Validated
        } else {
            SolutionState::Generated
        };
        let incident = cx.incident;
        Some(Solution {
            id: format!("{}-{}", incident.fingerprint.id, slug(&name)),
            pattern: incident.pattern.clone(),
            fingerprint: incident.fingerprint.id.to_string(),
            error_type: incident.fingerprint.error_type.to_string(),
            generator: name,
            model: generator.model(),
            description: draft.description,
            confidence,
            factors,
            state,
            repo: self.settings.repo.as_ref().map(|r| r.display().to_string()),
            files: checked.files,
            diff: checked.diff,
            verification,
            pr_url: None,
            regression: false,
            evidence: evidence(cx),
        })
    }
}

/// Lines of the tripping entry kept as the evidence's sample.
const SAMPLE_LINES: usize = 40;

/// What the incident showed, for the solution's reader.
fn evidence(cx: &Context<'_>) -> Evidence {
    let incident = cx.incident;
    let frames = cx
        .exception
        .map(|e| {
            e.frames
                .iter()
                .filter_map(
                    |frame| match locate::locate(frame, cx.language, cx.repo.files()) {
                        locate::Located::Repo { path, .. } => {
                            Some(match (frame.line, &frame.function) {
                                (Some(line), Some(f)) => format!("{path}:{line} in {f}"),
                                (Some(line), None) => format!("{path}:{line}"),
                                (None, Some(f)) => format!("{path} in {f}"),
                                (None, None) => path,
                            })
                        }
                        _ => None,
                    },
                )
                .collect()
        })
        .unwrap_or_default();
    let time = |t: &Option<chrono::DateTime<chrono::FixedOffset>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    };
    Evidence {
        exception: cx.kind().unwrap_or("").to_owned(),
        message: generator::excerpt(cx.exception_message().lines().next().unwrap_or(""), 120),
        file: cx.site.as_ref().map(|s| s.path.clone()),
        line: cx.site.as_ref().map(|s| s.line),
        function: cx.site.as_ref().and_then(|s| s.frame.function.clone()),
        frames,
        count: incident.count,
        first_seen: time(&incident.first),
        last_seen: time(&incident.last),
        // The crash as the report shows it, or the field of a structured entry that held it.
        sample: if cx.message == incident.entry.message {
            incident.entry.about()
        } else {
            cx.message
        }
        .lines()
        .take(SAMPLE_LINES)
        .collect::<Vec<_>>()
        .join("\n"),
    }
}

/// The named contributions to a solution's confidence: the generator's prior and strategy, where
/// the change sits against the trace, and the rungs of the ladder that passed.
fn factors(
    generator: &dyn Generator,
    draft: &Draft,
    cx: &Context<'_>,
    checked: &validate::Checked,
    rungs: &[verify::Rung],
) -> Vec<(String, f64)> {
    let mut factors = vec![(factor::PRIOR.to_string(), generator.prior())];
    if let Some((name, value)) = draft.strategy {
        factors.push((name.to_string(), value));
    }
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
    for (name, step, value) in [
        (
            factor::COMPILE,
            verify::Step::Compile,
            factor::COMPILE_PASSED,
        ),
        (factor::VERIFY, verify::Step::Verify, factor::VERIFY_PASSED),
        (
            factor::REPRODUCE,
            verify::Step::Reproduce,
            factor::REPRODUCE_PASSED,
        ),
    ] {
        let passed = verify::passed(rungs, step);
        factors.push((name.to_string(), if passed { value } else { 0.0 }));
    }
    factors
}

fn slug(name: &str) -> String {
    crate::pattern::fingerprint::slug(name)
}

#[cfg(test)]
mod tests {
    use super::testing::{added, commit, incident, repo, settings};
    use super::Fixer;

    /// The fix stage keeps its listing of HEAD between incidents: one made after a commit must
    /// read the commit's files, not the listing's.
    #[test]
    fn an_incident_after_a_commit_reads_the_new_head() {
        let msg = "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null";
        let src = "package app;\nclass A {\n  static final int DEFAULT_TIMEOUT = 30;\n  int f(java.util.Map<String, Integer> cfg) {\n    int t = cfg.get(\"timeout\");\n    return t * 2;\n  }\n}\n";
        let trace = format!("Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:5)\n\tat app.A.main(A.java:99)");
        let dir = repo(&[("src/main/java/app/A.java", src)]);
        let mut fixer = Fixer::new(settings(&dir));
        let first = fixer.propose(&incident(&trace));
        assert_eq!(
            added(&first[0].diff),
            vec!["    int t = cfg.getOrDefault(\"timeout\", DEFAULT_TIMEOUT);"]
        );
        let other = "class B { int g(java.util.Map<String, Integer> m) { return m.getOrDefault(\"timeout\", 15); } }\n";
        commit(
            &dir,
            &[
                (
                    "src/main/java/app/A.java",
                    &src.replace("DEFAULT_TIMEOUT = 30", "LIMIT = 30"),
                ),
                ("src/main/java/app/B.java", other),
            ],
        );
        let second = fixer.propose(&incident(&trace));
        assert_eq!(
            added(&second[0].diff),
            vec!["    int t = cfg.getOrDefault(\"timeout\", 15);"],
            "{:?}",
            fixer.take_notes()
        );
    }
}
