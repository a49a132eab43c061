//! JSON output: one object for a batch run, one object per line for streams. serde_json escapes
//! every control character, so log text is safe here as it is.

use std::io::Write;

use chrono::{DateTime, FixedOffset, SecondsFormat};
use serde_json::{json, Value};

use super::{Findings, InputProblem};
use crate::deploy::DeployPlan;
use crate::fix::{FixEvent, Solution};
use crate::parse::LogEntry;
use crate::pattern::PatternSummary;
use crate::threshold::Incident;

fn time(t: Option<DateTime<FixedOffset>>) -> Value {
    t.map(|t| Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true)))
        .unwrap_or(Value::Null)
}

/// `window` as the user writes it: `5m`, `30s`, `1h30m`.
pub fn window_text(d: std::time::Duration) -> String {
    humantime::format_duration(d).to_string().replace(' ', "")
}

pub fn pattern_json(p: &PatternSummary) -> Value {
    json!({
        "id": p.id,
        "template": p.template,
        "level": p.level.map(|l| l.as_str()),
        "count": p.count,
        "first_seen": time(p.first_seen),
        "last_seen": time(p.last_seen),
    })
}

pub fn incident_json(i: &Incident) -> Value {
    json!({
        "pattern": i.pattern,
        "fingerprint": i.fingerprint.id,
        "error_type": i.fingerprint.error_type,
        "template": i.template,
        "level": i.level.as_str(),
        "count": i.count,
        "window": window_text(i.window),
        "first": time(i.first),
        "last": time(i.last),
        "sample": i.sample(),
        "exception": i.trace.as_ref().and_then(|t| t.primary()).map(|e| json!({"type": e.kind, "message": e.message})),
        "source": i.entry.source_name(),
        "line": i.entry.line,
        "service": i.entry.service(),
        "logger": i.entry.logger(),
    })
}

pub fn solution_json(s: &Solution) -> Value {
    let mut value = serde_json::to_value(s).expect("solutions serialise");
    if let Some(map) = value.as_object_mut() {
        map.insert(
            "factors".into(),
            s.factors
                .iter()
                .map(|(k, v)| (k.clone(), json!(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        );
    }
    value
}

/// A solution the verification ladder dropped; `None` for other fix events.
pub fn dropped_json(e: &FixEvent) -> Option<Value> {
    match e {
        FixEvent::Dropped {
            generator,
            step,
            command,
            why,
            ..
        } => Some(json!({"generator": generator, "step": step, "command": command, "why": why})),
        _ => None,
    }
}

/// A class that saw its kind of error and proposed nothing, and why; `None` for other events.
pub fn declined_json(e: &FixEvent) -> Option<Value> {
    match e {
        FixEvent::Declined { generator, why } => Some(json!({"generator": generator, "why": why})),
        _ => None,
    }
}

/// An input not read whole: `{"input": …, "message": …, "bytes": …}`.
pub fn input_problem_json(p: &InputProblem) -> Value {
    json!({"input": p.input, "message": p.message, "bytes": p.bytes})
}

pub fn plan_json(p: &DeployPlan) -> Value {
    serde_json::to_value(p).expect("plans serialise")
}

pub fn entry_json(e: &LogEntry) -> Value {
    json!({
        "source": e.source_name(),
        "line": e.line,
        "offset": e.offset,
        "timestamp": time(e.timestamp),
        "level": e.level.map(|l| l.as_str()),
        "format": e.format.as_deref(),
        "message": e.message,
        "fields": e.fields,
    })
}

/// Renders a batch run as one JSON object on stdout. Incidents are written as they trip (a long
/// file can trip thousands, and none of them needs keeping); the rest follows at the end. Since
/// the object is open from the first incident on, a run whose inputs fail must still reach
/// [`JsonReport::finish`]: the inputs that failed go in its `errors` member.
#[derive(Debug, Default)]
pub struct JsonReport {
    incidents_written: u64,
}

impl JsonReport {
    /// One more element of the `incidents` array (opening the object before the first).
    pub fn incident(&mut self, out: &mut impl Write, incident: &Incident) -> std::io::Result<()> {
        out.write_all(if self.incidents_written == 0 {
            b"{\n  \"incidents\": [\n    "
        } else {
            b",\n    "
        })?;
        serde_json::to_writer(&mut *out, &incident_json(incident))?;
        self.incidents_written += 1;
        Ok(())
    }

    /// Close the `incidents` array and write the other members.
    pub fn finish(&mut self, out: &mut impl Write, findings: &Findings) -> std::io::Result<()> {
        out.write_all(if self.incidents_written == 0 {
            b"{\n  \"incidents\": ["
        } else {
            b"\n  ]"
        })?;
        if self.incidents_written == 0 {
            out.write_all(b"]")?;
        }
        let c = &findings.counts;
        let mut value = json!({
            "summary": {
                "lines": c.lines,
                "entries": c.entries,
                "unparsed": c.unparsed,
                "unparsed_with_level": c.unparsed_with_level,
                "truncated": c.truncated,
                "invalid_utf8": c.invalid_utf8,
                "dropped_lines": c.dropped_lines,
                "bad_timestamps": c.bad_timestamps,
                "incidents": c.incidents,
                "solutions": c.solutions,
                "inputs_stopped": c.inputs_stopped,
                "inputs_failed": c.inputs_failed,
                "ignored": c.ignored,
                "config": findings.setup.config,
                "repo": findings.setup.repo,
                "repos": super::routes_json(&findings.setup.routes),
            },
            "patterns": findings.patterns.iter().map(pattern_json).collect::<Vec<_>>(),
            "solutions": findings.solutions.iter().map(solution_json).collect::<Vec<_>>(),
        });
        if !findings.notifications.is_empty() {
            value["notifications"] = serde_json::to_value(&findings.notifications)?;
        }
        if !findings.plans.is_empty() {
            value["plans"] = findings.plans.iter().map(plan_json).collect();
        }
        if !findings.dropped.is_empty() {
            value["dropped"] = findings.dropped.iter().filter_map(dropped_json).collect();
        }
        if !findings.declined.is_empty() {
            value["declined"] = findings.declined.iter().filter_map(declined_json).collect();
        }
        if !findings.held.is_empty() {
            value["held"] = serde_json::to_value(&findings.held)?;
        }
        if !findings.stopped.is_empty() {
            value["stopped"] = findings.stopped.iter().map(input_problem_json).collect();
        }
        if !findings.errors.is_empty() {
            value["errors"] = findings.errors.iter().map(input_problem_json).collect();
        }
        // The rest as a pretty object without its opening brace: `,` then its members.
        let rest = serde_json::to_string_pretty(&value)?;
        out.write_all(b",")?;
        out.write_all(&rest.as_bytes()[1..])?;
        writeln!(out)
    }
}
