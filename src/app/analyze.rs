//! `hephaestus analyze`: a batch run over finished files; the exit code says whether anything tripped.

use std::io::{BufReader, IsTerminal};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use super::ingest::Ingest;
use crate::config::{OutputSettings, Settings};
use crate::node::Node;
use crate::report::{self, ReportKind, Reporter, Style};
use crate::source::{self, LineReader};
use crate::ExitStatus;

/// How often the progress bar's line count is refreshed.
const PROGRESS_EVERY_LINES: u64 = 65_536;

pub fn run(files: &[PathBuf], settings: &Settings, output: OutputSettings) -> Result<ExitStatus> {
    let started = Instant::now();
    let style = Style {
        verbosity: output.verbosity,
    };
    let kind = if output.json {
        ReportKind::JsonObject
    } else {
        ReportKind::Text { on_stderr: false }
    };
    super::init_stdout_color(output);
    let mut reporter = Reporter::new(kind, style);
    for warning in &settings.warnings {
        reporter.warning(warning)?;
    }
    let (mut node, events) = Node::new(settings);
    let mut ingest = Ingest::new(settings.parse.clone(), false);
    let stderr_tty = std::io::stderr().is_terminal();

    for path in source::paths_or_stdin(files) {
        let input = source::open(&path)?;
        let bar = report::progress_bar(input.len, stderr_tty, style);
        bar.set_message(input.name.to_string());
        let counted = source::counting(input.reader, |n| bar.inc(n as u64));
        let mut lines = LineReader::new(
            BufReader::with_capacity(256 * 1024, counted),
            settings.max_line_bytes,
        );
        while let Some(line) = lines
            .next_line()
            .with_context(|| format!("failed to read '{}'", input.name))?
        {
            if line.number % PROGRESS_EVERY_LINES == 0 && !bar.is_hidden() {
                let rate = line.number as f64 / started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!(
                    "{} · {} lines, {rate:.0} lines/s",
                    input.name, line.number
                ));
            }
            if let Some(entry) = ingest.line(&input.name, &line) {
                node.process_log(entry);
                for event in events.try_iter() {
                    bar.suspend(|| reporter.event(event))?;
                }
            }
        }
        if let Some(entry) = ingest.finish(&input.name) {
            node.process_log(entry);
        }
        bar.finish_and_clear();
        for event in events.try_iter() {
            reporter.event(event)?;
        }
    }

    let tripped = super::finish_run(&ingest, &node, &mut reporter, started)?;
    Ok(if tripped {
        ExitStatus::Incident
    } else {
        ExitStatus::Clean
    })
}
