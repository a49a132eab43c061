//! One reporter per run, chosen by `--format` and the command: it takes every [`NodeEvent`] and
//! prints it now (text, JSON lines) or keeps it for the closing JSON object.
//!
//! A batch run's verdict is its exit code, and a reader that stops reading (`analyze … | head`)
//! must not change it: with [`Reporter::outliving_closed_output`], a broken pipe on stdout or stderr
//! stops the printing there and nothing else, so the run goes on to its true exit code.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::json::{declined_json, dropped_json, incident_json, input_problem_json, solution_json};
use super::text::{Style, TextReport};
use super::{Counts, Findings, InputProblem, JsonReport, PatchOutput, Setup};
use crate::fix::FixEvent;
use crate::node::NodeEvent;
use crate::parse::LogEntry;
use crate::pattern::PatternSummary;

/// How findings are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// Text as events happen, on stdout (`analyze`) or stderr (`watch`, whose stdout echoes input).
    Text { on_stderr: bool },
    /// One JSON object at the end (`analyze --format json`).
    JsonObject,
    /// One JSON object per line as events happen (`watch --format json`).
    JsonLines,
}

pub struct Reporter {
    kind: ReportKind,
    text: TextReport<Output>,
    diag: TextReport<Output>,
    /// Where JSON goes.
    stdout: Output,
    findings: Findings,
    json: JsonReport,
    patch: PatchOutput,
    /// Every solution's repository and diff, in order, when a patch is written.
    diffs: Vec<(Option<String>, String)>,
}

impl Reporter {
    pub fn new(kind: ReportKind, style: Style) -> Reporter {
        Reporter::build(kind, style, false)
    }

    /// A reporter for a run whose exit code is its result: a closed stdout or stderr (the reader
    /// went away) ends the printing to it, not the run. With [`Reporter::new`], a broken pipe is
    /// an error like any other, which ends a run that only exists to print.
    pub fn outliving_closed_output(kind: ReportKind, style: Style) -> Reporter {
        Reporter::build(kind, style, true)
    }

    fn build(kind: ReportKind, style: Style, tolerate_close: bool) -> Reporter {
        let stdout = Output::new(Stream::Stdout, tolerate_close);
        let stderr = Output::new(Stream::Stderr, tolerate_close);
        let out = match kind {
            ReportKind::Text { on_stderr: true } => stderr.clone(),
            _ => stdout.clone(),
        };
        Reporter {
            kind,
            text: TextReport::new(out, style),
            diag: TextReport::new(stderr, style),
            stdout,
            findings: Findings::default(),
            json: JsonReport::default(),
            patch: PatchOutput::default(),
            diffs: Vec::new(),
        }
    }

    /// Also write the solutions as one patch, where `patch` says.
    pub fn with_patch(mut self, patch: PatchOutput) -> Reporter {
        self.patch = patch;
        self
    }

    /// Render (or keep) one event.
    pub fn event(&mut self, event: NodeEvent) -> io::Result<()> {
        match event {
            NodeEvent::Incident(incident) => match self.kind {
                ReportKind::Text { .. } => self.text.incident(&incident)?,
                ReportKind::JsonLines => self.json_line("incident", incident_json(&incident))?,
                ReportKind::JsonObject => self.json.incident(&mut self.stdout, &incident)?,
            },
            NodeEvent::Solution(solution) => {
                if (self.patch.to_stdout || self.patch.file.is_some()) && !solution.diff.is_empty()
                {
                    self.diffs
                        .push((solution.repo.clone(), solution.diff.clone()));
                }
                match self.kind {
                    ReportKind::Text { .. } => self.text.solution(&solution)?,
                    ReportKind::JsonLines => {
                        self.json_line("solution", solution_json(&solution))?
                    }
                    ReportKind::JsonObject => self.findings.solutions.push(*solution),
                }
            }
            NodeEvent::Error(message) => self.diag.error(&message)?,
            NodeEvent::Note(message) => self.diag.note(&message)?,
            NodeEvent::Warning(message) => self.diag.warning(&message)?,
            // A dropped solution and a class's reason to propose nothing are said at every
            // verbosity: "nothing, because …" is an answer, silence is not.
            NodeEvent::Fix(event @ (FixEvent::Dropped { .. } | FixEvent::Declined { .. })) => {
                let dropped = matches!(event, FixEvent::Dropped { .. });
                match self.kind {
                    ReportKind::Text { .. } => self.text.dropped(&event)?,
                    ReportKind::JsonLines => {
                        let (kind, value) = if dropped {
                            ("dropped", dropped_json(&event))
                        } else {
                            ("declined", declined_json(&event))
                        };
                        if let Some(value) = value {
                            self.json_line(kind, value)?
                        }
                    }
                    ReportKind::JsonObject if dropped => self.findings.dropped.push(event),
                    ReportKind::JsonObject => self.findings.declined.push(event),
                }
            }
            NodeEvent::Fix(event) => self.diag.note(&event.to_string())?,
            NodeEvent::Held(held) => match self.kind {
                ReportKind::Text { .. } => self.text.held(&held)?,
                ReportKind::JsonLines => {
                    let value = serde_json::to_value(&*held).unwrap_or_default();
                    self.json_line("held", value)?
                }
                ReportKind::JsonObject => self.findings.held.push(*held),
            },
            NodeEvent::Notification(planned) => match self.kind {
                ReportKind::Text { .. } => self.text.notification(&planned)?,
                ReportKind::JsonLines => {
                    let value = serde_json::to_value(&*planned).unwrap_or_default();
                    self.json_line("notification", value)?
                }
                ReportKind::JsonObject => self.findings.notifications.push(*planned),
            },
            NodeEvent::Plan(plan) => match self.kind {
                ReportKind::Text { .. } => self.text.plan(&plan)?,
                ReportKind::JsonLines => self.json_line("plan", super::json::plan_json(&plan))?,
                ReportKind::JsonObject => self.findings.plans.push(*plan),
            },
        }
        Ok(())
    }

    /// A parsed entry, for `watch --emit-entries` (JSON lines only).
    pub fn entry(&mut self, entry: &LogEntry) -> io::Result<()> {
        if self.kind == ReportKind::JsonLines {
            self.json_line("entry", super::entry_json(entry))?;
        }
        Ok(())
    }

    pub fn warning(&mut self, message: &str) -> io::Result<()> {
        self.diag.warning(message)
    }

    /// Where the run's settings came from and where fixes go: the first note at `-v`, and the
    /// summary's `config` and `repo`.
    pub fn setup(&mut self, setup: Setup) -> io::Result<()> {
        self.diag.note(&setup.describe())?;
        if !setup.routes.is_empty() {
            self.text.name_repos();
        }
        self.findings.setup = setup;
        Ok(())
    }

    /// An input read only up to its byte budget: said now on stderr, counted in the summary.
    pub fn input_stopped(&mut self, problem: InputProblem) -> io::Result<()> {
        self.diag.warning(&problem.message)?;
        if self.kind == ReportKind::JsonLines {
            self.json_line("stopped", input_problem_json(&problem))?;
        }
        self.findings.stopped.push(problem);
        Ok(())
    }

    /// An input that could not be opened or read to its end: said now on stderr, and kept for
    /// the summary and the JSON object (whose `errors` member lists them).
    pub fn input_failed(&mut self, problem: InputProblem) -> io::Result<()> {
        self.diag.error(&problem.message)?;
        if self.kind == ReportKind::JsonLines {
            self.json_line("error", input_problem_json(&problem))?;
        }
        self.findings.errors.push(problem);
        Ok(())
    }

    /// The end of a run: the JSON object, or the text summary.
    pub fn finish(
        &mut self,
        mut counts: Counts,
        patterns: Vec<PatternSummary>,
        elapsed: Duration,
    ) -> io::Result<()> {
        counts.inputs_stopped = self.findings.stopped.len() as u64;
        counts.inputs_failed = self.findings.errors.len() as u64;
        self.write_patch()?;
        match self.kind {
            ReportKind::Text { .. } => self.text.summary(&counts, elapsed),
            ReportKind::JsonLines => {
                let c = counts;
                self.json_line(
                    "summary",
                    serde_json::json!({
                        "lines": c.lines, "entries": c.entries, "unparsed": c.unparsed,
                        "unparsed_with_level": c.unparsed_with_level,
                        "incidents": c.incidents, "solutions": c.solutions,
                        "config": self.findings.setup.config,
                        "repo": self.findings.setup.repo,
                        "repos": super::routes_json(&self.findings.setup.routes),
                    }),
                )
            }
            ReportKind::JsonObject => {
                self.findings.counts = counts;
                self.findings.patterns = patterns;
                self.json.finish(&mut self.stdout, &self.findings)?;
                self.stdout.flush()
            }
        }
    }

    /// The solutions' diffs as one patch, on stdout and in the `--patch-out` file.
    fn write_patch(&mut self) -> io::Result<()> {
        let patch = self.patch_text()?;
        if let Some(file) = &self.patch.file {
            std::fs::write(file, &patch).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("failed to write the patch '{}': {e}", file.display()),
                )
            })?;
            let file = file.display();
            self.diag.note(&format!(
                "wrote {} fix(es) as one patch to {file} (apply with: git apply {file})",
                self.diffs.len(),
            ))?;
        }
        if self.patch.to_stdout {
            if self.diffs.is_empty() {
                self.diag.note("no fix was proposed: the patch is empty")?;
            }
            self.stdout.write_all(patch.as_bytes())?;
            self.stdout.flush()?;
        }
        Ok(())
    }

    /// The diffs, one section per repository when fixes went to more than one: `git apply`
    /// skips the `# repository:` line before each, and the user is told to apply each section
    /// in its own repository.
    fn patch_text(&mut self) -> io::Result<String> {
        let mut repos: Vec<&Option<String>> = Vec::new();
        for (repo, _) in &self.diffs {
            if !repos.contains(&repo) {
                repos.push(repo);
            }
        }
        if repos.len() < 2 {
            return Ok(self.diffs.iter().map(|(_, diff)| diff.as_str()).collect());
        }
        let mut patch = String::new();
        for repo in &repos {
            let name = repo.as_deref().unwrap_or("(none)");
            patch.push_str(&format!("# repository: {}\n", super::sanitize::clean(name)));
            for (_, diff) in self.diffs.iter().filter(|(r, _)| r == *repo) {
                patch.push_str(diff);
            }
        }
        let count = repos.len();
        self.diag.warning(&format!(
            "the fixes are for {count} repositories: the patch has one section for each, after \
             its `# repository:` line; apply each section in its own repository"
        ))?;
        Ok(patch)
    }

    fn json_line(&mut self, kind: &str, mut value: Value) -> io::Result<()> {
        if let Some(map) = value.as_object_mut() {
            map.insert("type".into(), Value::String(kind.into()));
        }
        let out = &mut self.stdout;
        serde_json::to_writer(&mut *out, &value)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

#[derive(Debug, Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Stdout or stderr, and whether its reader has gone. Once a write fails with a broken pipe on an
/// output that tolerates it, that write and every later one succeed without writing.
#[derive(Debug, Clone)]
pub(crate) struct Output {
    stream: Stream,
    tolerate_close: bool,
    /// Shared by the clones writing to the same stream.
    closed: Arc<AtomicBool>,
}

impl Output {
    fn new(stream: Stream, tolerate_close: bool) -> Output {
        Output {
            stream,
            tolerate_close,
            closed: Arc::new(AtomicBool::new(false)),
        }
    }

    fn attempt<T>(
        &mut self,
        ok: T,
        op: impl FnOnce(&mut dyn Write) -> io::Result<T>,
    ) -> io::Result<T> {
        if self.closed.load(Ordering::Relaxed) {
            return Ok(ok);
        }
        let result = match self.stream {
            Stream::Stdout => op(&mut io::stdout().lock()),
            Stream::Stderr => op(&mut io::stderr().lock()),
        };
        match result {
            Err(e) if self.tolerate_close && e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed.store(true, Ordering::Relaxed);
                Ok(ok)
            }
            other => other,
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.attempt(buf.len(), |out| out.write(buf))
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.attempt((), |out| out.write_all(buf))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.attempt((), |out| out.flush())
    }
}
