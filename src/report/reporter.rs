//! One reporter per run, chosen by `--format` and the command: it takes every [`NodeEvent`] and
//! prints it now (text, JSON lines) or keeps it for the closing JSON object.

use std::io::{self, Stderr, Write};
use std::time::Duration;

use serde_json::Value;

use super::json::{declined_json, dropped_json, incident_json, solution_json};
use super::text::{Style, TextReport};
use super::{Counts, Findings, JsonReport};
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
    text: TextReport<Box<dyn Write>>,
    diag: TextReport<Stderr>,
    findings: Findings,
    json: JsonReport,
}

impl Reporter {
    pub fn new(kind: ReportKind, style: Style) -> Reporter {
        let out: Box<dyn Write> = match kind {
            ReportKind::Text { on_stderr: true } => Box::new(io::stderr()),
            _ => Box::new(io::stdout()),
        };
        Reporter {
            kind,
            text: TextReport::new(out, style),
            diag: TextReport::new(io::stderr(), style),
            findings: Findings::default(),
            json: JsonReport::default(),
        }
    }

    /// Render (or keep) one event.
    pub fn event(&mut self, event: NodeEvent) -> io::Result<()> {
        match event {
            NodeEvent::Incident(incident) => match self.kind {
                ReportKind::Text { .. } => self.text.incident(&incident)?,
                ReportKind::JsonLines => self.json_line("incident", incident_json(&incident))?,
                ReportKind::JsonObject => {
                    self.json.incident(&mut io::stdout().lock(), &incident)?
                }
            },
            NodeEvent::Solution(solution) => match self.kind {
                ReportKind::Text { .. } => self.text.solution(&solution)?,
                ReportKind::JsonLines => self.json_line("solution", solution_json(&solution))?,
                ReportKind::JsonObject => self.findings.solutions.push(*solution),
            },
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

    /// The end of a run: the JSON object, or the text summary.
    pub fn finish(
        &mut self,
        counts: Counts,
        patterns: Vec<PatternSummary>,
        elapsed: Duration,
    ) -> io::Result<()> {
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
                    }),
                )
            }
            ReportKind::JsonObject => {
                self.findings.counts = counts;
                self.findings.patterns = patterns;
                let mut out = io::stdout().lock();
                self.json.finish(&mut out, &self.findings)?;
                out.flush()
            }
        }
    }

    fn json_line(&mut self, kind: &str, mut value: Value) -> io::Result<()> {
        if let Some(map) = value.as_object_mut() {
            map.insert("type".into(), Value::String(kind.into()));
        }
        let mut out = io::stdout().lock();
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}
