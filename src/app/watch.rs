//! `hephaestus watch`: follow live input and report incidents as they trip.
//!
//! On stdin every line is echoed to stdout as it arrives, so `app | hephaestus watch` still shows
//! the app's output; findings then go to stderr (or to stdout as JSON lines with `--format json`,
//! where nothing is echoed).

use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{bail, Result};

use super::ingest::Ingest;
use crate::cli::WatchArgs;
use crate::config::{OutputSettings, Settings};
use crate::node::{Node, NodeEvent};
use crate::parse::LogEntry;
use crate::report::{ReportKind, Reporter, Style};
use crate::source::{self, SourceEvent, STDIN_NAME};
use crate::ExitStatus;

/// A pending multi-line entry is complete once its source has been quiet this long (a crash's last
/// traceback must not wait for a next line that never comes).
const IDLE_FLUSH: Duration = Duration::from_secs(1);

/// Lines in flight between the readers and the pipeline: enough to absorb bursts, small enough
/// that a stalled pipeline pushes back on the readers instead of growing memory.
const CHANNEL_CAPACITY: usize = 4096;

pub fn run(args: &WatchArgs, settings: &Settings, output: OutputSettings) -> Result<ExitStatus> {
    if args.files.iter().any(|f| f.as_os_str() != STDIN_NAME) {
        bail!("watching files is not supported yet; pipe the log into `hephaestus watch` instead");
    }
    let started = Instant::now();
    let style = Style {
        verbosity: output.verbosity,
    };
    let (kind, echo) = if output.json {
        (ReportKind::JsonLines, false)
    } else {
        (ReportKind::Text { on_stderr: true }, !args.no_echo)
    };
    super::init_stderr_color(output);
    let mut reporter = Reporter::new(kind, style);
    for warning in &settings.warnings {
        reporter.warning(warning)?;
    }
    let (mut node, events) = Node::new(settings);
    let mut ingest = Ingest::new(settings.parse.clone(), false);

    let (tx, rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
    let reader = source::spawn_stdin(tx, settings.max_line_bytes);
    let mut stdout = std::io::stdout();

    let process = |entry: LogEntry, node: &mut Node, reporter: &mut Reporter| -> Result<()> {
        node.process_log(entry);
        drain(&events, reporter)
    };
    loop {
        match rx.recv_timeout(IDLE_FLUSH) {
            Ok(SourceEvent::Line { source, line }) => {
                if echo {
                    stdout.write_all(line.text.as_bytes())?;
                    stdout.write_all(b"\n")?;
                    stdout.flush()?;
                }
                if let Some(entry) = ingest.line(&source, &line) {
                    process(entry, &mut node, &mut reporter)?;
                }
            }
            Ok(SourceEvent::Closed { source, .. }) => {
                if let Some(entry) = ingest.finish(&source) {
                    process(entry, &mut node, &mut reporter)?;
                }
                break;
            }
            Ok(SourceEvent::Failed { source, error }) => {
                reporter.warning(&format!("failed to read '{source}': {error}"))?;
                if let Some(entry) = ingest.finish(&source) {
                    process(entry, &mut node, &mut reporter)?;
                }
                break;
            }
            Err(RecvTimeoutError::Timeout) => {
                for entry in ingest.flush() {
                    process(entry, &mut node, &mut reporter)?;
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let _ = reader.join();

    let mut counts = ingest.counts();
    let summary = node.summary();
    counts.incidents = summary.incidents;
    counts.solutions = summary.solutions;
    reporter.finish(counts, node.patterns(), started.elapsed())?;
    Ok(if summary.incidents > 0 {
        ExitStatus::Incident
    } else {
        ExitStatus::Clean
    })
}

fn drain(events: &Receiver<NodeEvent>, reporter: &mut Reporter) -> Result<()> {
    for event in events.try_iter() {
        reporter.event(event)?;
    }
    Ok(())
}
