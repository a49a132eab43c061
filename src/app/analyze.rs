//! `hephaestus analyze`: a batch run over finished files; the exit code says whether anything tripped.
//!
//! The exit code is the run's result, so it stays true whatever happens to the output and the
//! inputs: a reader that closes our stdout early (`| head`) stops the printing, not the run; an
//! input that cannot be read is reported (on stderr, and in the JSON object's `errors`), the other
//! inputs are still read, and the run ends with the error code; an input cut at its byte budget is
//! a warning and counted, not an error.

use std::io::{self, BufReader, IsTerminal};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;

use super::ahead;
use super::ingest::Ingest;
use crate::config::{OutputSettings, Settings};
use crate::node::{Node, NodeEvent};
use crate::pattern::Prepared;
use crate::report::{self, InputProblem, ReportKind, Reporter, Style};
use crate::source::{self, InputLimits, LineReader, Stopped};
use crate::ExitStatus;

/// How often the progress bar's line count is refreshed.
const PROGRESS_EVERY_LINES: u64 = 65_536;

pub fn run(
    files: &[PathBuf],
    limits: InputLimits,
    settings: &Settings,
    output: OutputSettings,
    patch: report::PatchOutput,
) -> Result<ExitStatus> {
    let started = Instant::now();
    let style = Style {
        verbosity: output.verbosity,
    };
    // With the patch on stdout, the report goes to stderr.
    let kind = if output.json {
        ReportKind::JsonObject
    } else {
        ReportKind::Text {
            on_stderr: output.patch,
        }
    };
    if output.patch {
        super::init_stderr_color(output);
    } else {
        super::init_stdout_color(output);
    }
    let mut reporter = Reporter::outliving_closed_output(kind, style).with_patch(patch);
    reporter.setup(super::setup(settings))?;
    for warning in &settings.warnings {
        reporter.warning(warning)?;
    }
    let (mut node, events) = Node::new(settings);
    let mut run = Run {
        ingest: Ingest::new(settings.parse.clone(), false),
        max_line_bytes: settings.max_line_bytes,
        stderr_tty: std::io::stderr().is_terminal(),
        style,
        started,
    };
    let mut failed = false;

    for path in source::paths_or_stdin(files) {
        let input = match source::open(&path, &limits) {
            Ok(input) => input,
            Err(e) => {
                failed = true;
                reporter.input_failed(InputProblem {
                    input: path.display().to_string(),
                    message: format!("{e:#}"),
                    bytes: None,
                })?;
                continue;
            }
        };
        let name = input.name.clone();
        let ended = run.read(input, &mut node, &events, &mut reporter)?;
        for event in events.try_iter() {
            reporter.event(event)?;
        }
        if let Err(e) = ended {
            let (stopped, problem) = match Stopped::of(&e) {
                Some(why) => (
                    why.is_budget(),
                    InputProblem {
                        input: name.to_string(),
                        message: why.to_string(),
                        bytes: Some(why.bytes()),
                    },
                ),
                None => (
                    false,
                    InputProblem {
                        input: name.to_string(),
                        message: format!("failed to read '{name}': {e}"),
                        bytes: None,
                    },
                ),
            };
            if stopped {
                reporter.input_stopped(problem)?;
            } else {
                failed = true;
                reporter.input_failed(problem)?;
            }
        }
    }

    let tripped = super::finish_run(&run.ingest, &mut node, &mut reporter, started)?;
    Ok(if failed {
        ExitStatus::Error
    } else if tripped {
        ExitStatus::Incident
    } else {
        ExitStatus::Clean
    })
}

/// What reading the inputs one after the other shares.
struct Run {
    ingest: Ingest,
    max_line_bytes: usize,
    stderr_tty: bool,
    style: Style,
    started: Instant,
}

impl Run {
    /// Read `input` to its end, or until reading it fails (returned as the inner error, after the
    /// entries read so far are all handed on). The outer error is the reporter's.
    ///
    /// A second thread reads, parses and prepares (masks) the entries while this one classifies
    /// them, trips thresholds, fixes and reports, in input order (see [`ahead`]).
    fn read(
        &mut self,
        input: source::Input,
        node: &mut Node,
        events: &std::sync::mpsc::Receiver<NodeEvent>,
        reporter: &mut Reporter,
    ) -> Result<io::Result<()>> {
        let name: Arc<str> = input.name;
        let bar = report::progress_bar(input.len, self.stderr_tty, self.style);
        bar.set_message(name.to_string());
        let preparer = node.preparer();
        let (ingest, max_line_bytes, started) =
            (&mut self.ingest, self.max_line_bytes, self.started);
        let (reader, read) = (input.reader, input.read);
        let progress = bar.clone();
        let produce = move |sink: &mut ahead::Sink<Prepared>| {
            // Progress in the file's own bytes: `len` is the compressed size of a gzip file.
            let counted = source::counting(reader, |_| {
                progress.set_position(read.load(std::sync::atomic::Ordering::Relaxed))
            });
            let mut lines = LineReader::new(
                BufReader::with_capacity(256 * 1024, counted),
                max_line_bytes,
            );
            let ended = loop {
                let line = match lines.next_line() {
                    Ok(Some(line)) => line,
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e),
                };
                if line.number % PROGRESS_EVERY_LINES == 0 && !progress.is_hidden() {
                    let rate = line.number as f64 / started.elapsed().as_secs_f64().max(1e-3);
                    progress
                        .set_message(format!("{name} · {} lines, {rate:.0} lines/s", line.number));
                }
                if let Some(entry) = ingest.line(&name, &line) {
                    // Masked here unless the other thread waits for entries.
                    let mask = !sink.consumer_idle();
                    if !sink.push(preparer.prepare(entry, mask)) {
                        // The reporter failed, and says why.
                        return Ok(());
                    }
                }
            };
            // An input that stopped early still hands on the entries it was holding back.
            for entry in ingest.finish(&name) {
                let mask = !sink.consumer_idle();
                sink.push(preparer.prepare(entry, mask));
            }
            ended
        };
        let ended = ahead::pipeline(produce, |prepared| {
            node.process_prepared(prepared);
            events
                .try_iter()
                .try_for_each(|event| bar.suspend(|| reporter.event(event)))
        });
        bar.finish_and_clear();
        Ok(ended?)
    }
}
