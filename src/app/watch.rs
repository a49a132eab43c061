//! `hephaestus watch`: follow live input and report incidents as they trip.
//!
//! Inputs are stdin (the default, or `-`) and files or globs, followed like `tail -F`. stdin is
//! echoed to stdout byte for byte as it is read, like `tee`, so `app | hephaestus watch` shows the
//! app's output unchanged; findings then go to stderr (or to stdout as JSON lines with
//! `--format json`, where nothing is echoed). If stdout closes (`| head`), echo stops and the
//! watch goes on: findings, summary and exit code are as they would have been.
//!
//! State: checkpoints (when following files) and deploy records (in deploy mode) go to one state
//! directory, and one watch at a time may write there; a second is refused (exit 2) and told to
//! take its own `--state-dir`. The deploy stage is given the directory resolved here, so both kinds
//! of state sit under the lock.
//!
//! Checkpoints: for every followed file this loop knows the position just past the last entry it
//! handed to the pipeline. An entry still waiting for continuation lines is not handed on yet, so
//! the checkpoint stays at its first line until it is; at shutdown every held entry is handed on
//! first, then the checkpoints are saved. A restart therefore neither loses nor repeats an entry.
//!
//! Signals: the first SIGINT or SIGTERM stops reading, hands on every complete line read and every
//! entry held back, saves checkpoints, prints the summary and exits 0, incidents or not; another
//! one more than a second later exits at once with 130 (see `super::stop`).
//! A line still being written (no newline yet) is not cut in two: it stays for the next run, which
//! reads it whole from the checkpoint.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};

use super::ingest::Ingest;
use super::stop;
use crate::cli::WatchArgs;
use crate::config::{OutputSettings, Settings};
use crate::deploy::Mode;
use crate::node::{Node, NodeEvent};
use crate::parse::LogEntry;
use crate::report::{ReportKind, Reporter, Style};
use crate::source::{
    self, Checkpoint, Checkpoints, FileId, FollowOptions, Line, Position, SourceEvent, WatchMode,
    STDIN_NAME,
};
use crate::state_dir::{DirLock, LockError};
use crate::ExitStatus;

/// Events in flight between the readers and the pipeline (a followed file's event is a batch of
/// up to 512 lines / 128 KiB): enough to absorb bursts, small enough that a stalled pipeline pushes
/// back on the readers instead of growing memory.
const CHANNEL_CAPACITY: usize = 64;

/// How often idle sources, checkpoints and the stop flag are looked at when lines keep coming.
const TICK: Duration = Duration::from_millis(100);

pub fn run(args: &WatchArgs, settings: &Settings, output: OutputSettings) -> Result<ExitStatus> {
    let WatchArgs {
        files,
        no_echo,
        poll,
        from_start,
        exclude,
        state_dir: _,
        idle_flush,
        emit_entries,
        follow_symlinks,
        run: _,
    } = args;
    let idle = parse_duration("--idle-flush", idle_flush)?;
    let mode = match poll {
        None => WatchMode::Native,
        Some(interval) => WatchMode::Poll(parse_duration("--poll", interval)?),
    };
    let inputs = source::paths_or_stdin(files);
    let use_stdin = inputs.iter().any(|p| p.as_os_str() == STDIN_NAME);
    let file_inputs: Vec<PathBuf> = inputs
        .into_iter()
        .filter(|p| p.as_os_str() != STDIN_NAME)
        .collect();
    // Resolved once with the other settings: --state-dir, the config's, the default.
    let state_dir = settings.state_dir.clone();
    let deploys = settings.deploy.mode == Mode::Deploy && !settings.deploy.dry_run;
    // Taken before anything is read or written there; held until the process ends.
    let mut unwritable = None;
    let _lock = match &state_dir {
        Some(dir) if deploys || !file_inputs.is_empty() => match DirLock::acquire(dir) {
            Ok(lock) => Some(lock),
            // Another watch's directory, or one tampered with: this watch must not write there.
            Err(error @ (LockError::Busy { .. } | LockError::Link { .. })) => {
                return Err(error.into())
            }
            // A directory this user cannot write to (a read-only home): the watch still runs,
            // it only keeps nothing across restarts.
            Err(error) => {
                unwritable = Some(error);
                None
            }
        },
        _ => None,
    };

    let started = Instant::now();
    let style = Style {
        verbosity: output.verbosity,
    };
    let (kind, echo) = if output.json {
        (ReportKind::JsonLines, false)
    } else {
        (ReportKind::Text { on_stderr: true }, use_stdin && !no_echo)
    };
    super::init_stderr_color(output);
    let mut reporter = Reporter::new(kind, style).with_patch(crate::report::PatchOutput {
        to_stdout: false,
        file: args.run.patch_out.clone(),
    });
    reporter.setup(super::setup(settings))?;
    for warning in &settings.warnings {
        reporter.warning(warning)?;
    }
    if let Some(error) = &unwritable {
        reporter.warning(&format!("{error}; nothing is kept across restarts"))?;
    }
    if *emit_entries && !output.json {
        reporter.warning("--emit-entries only applies to --format json")?;
    }

    let stop = stop::install()?;

    let (tx, rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
    let mut checkpoints = None;
    let mut follower = None;
    if !file_inputs.is_empty() {
        let resume = match &state_dir {
            Some(_) if unwritable.is_some() => HashMap::new(),
            Some(dir) => {
                let (loaded, problem) = Checkpoints::load(dir);
                if let Some(problem) = problem {
                    reporter.warning(&problem.to_string())?;
                }
                let resume = loaded.snapshot();
                checkpoints = Some(loaded);
                resume
            }
            None => {
                reporter.warning(
                    "no state directory (set --state-dir, state_dir or HOME); \
                     read positions are not kept across restarts",
                )?;
                HashMap::new()
            }
        };
        let started = source::spawn_files(
            FollowOptions {
                inputs: file_inputs,
                exclude: exclude.clone(),
                mode,
                from_start: *from_start,
                idle_flush: idle,
                max_line_bytes: settings.max_line_bytes,
                resume,
                follow_symlinks: *follow_symlinks,
                stop: stop.clone(),
            },
            tx.clone(),
        )?;
        for warning in &started.warnings {
            reporter.warning(warning)?;
        }
        follower = Some(started.handle);
    }
    if use_stdin {
        // Never joined: a read from a terminal or pipe cannot be interrupted, and the process
        // ends with the command anyway.
        let _ = source::spawn_stdin(tx.clone(), settings.max_line_bytes, echo);
    }
    drop(tx);

    let (node, events) = Node::new(settings);
    let mut watch = Watch {
        node,
        events,
        reporter,
        ingest: Ingest::new(settings.parse.clone(), false),
        emit_entries: *emit_entries,
        idle,
        tracks: HashMap::new(),
        checkpoints,
        checkpoint_failed: false,
        following_files: follower.is_some(),
    };
    let mut next_tick = Instant::now() + TICK;
    loop {
        if stop.load(Ordering::Relaxed) && follower.as_ref().is_none_or(|f| f.is_finished()) {
            // The follower sent its last lines before ending: take them, then stop.
            for event in rx.try_iter() {
                watch.on_event(event)?;
            }
            break;
        }
        match rx.recv_timeout(TICK) {
            Ok(event) => {
                if !watch.on_event(event)? {
                    break;
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let now = Instant::now();
        if now >= next_tick {
            next_tick = now + TICK;
            watch.tick(now)?;
        }
    }
    watch.shutdown()?;

    let Watch {
        mut node,
        ingest,
        mut reporter,
        ..
    } = watch;
    let tripped = super::finish_run(&ingest, &mut node, &mut reporter, started)?;
    // Asked for at the end, not when the loop ended: the loop may have ended first because the
    // follower, stopping, closed the channel, and a watch that was stopped exits 0.
    let stopped = stop.load(Ordering::Relaxed);
    Ok(if tripped && !stopped {
        ExitStatus::Incident
    } else {
        ExitStatus::Clean
    })
}

fn parse_duration(flag: &str, text: &str) -> Result<Duration> {
    let duration = humantime::parse_duration(text)
        .with_context(|| format!("{flag} '{text}' is not a duration (e.g. 500ms, 2s)"))?;
    ensure!(
        duration >= Duration::from_millis(10),
        "{flag} '{text}' is too short (at least 10ms)"
    );
    Ok(duration)
}

/// What the loop knows about one source.
struct Track {
    /// For a followed file: its absolute path and which file it is reading.
    file: Option<(PathBuf, FileId)>,
    /// Just past the last entry handed to the pipeline.
    committed: Position,
    /// First line of the entry held back by the parser, if any.
    pending: Option<Position>,
    /// Just past the last line received.
    read: Position,
    last_line: Instant,
}

impl Track {
    fn new(file: Option<(PathBuf, FileId)>, at: Position) -> Track {
        Track {
            file,
            committed: at,
            pending: None,
            read: at,
            last_line: Instant::now(),
        }
    }
}

struct Watch {
    node: Node,
    events: Receiver<NodeEvent>,
    reporter: Reporter,
    ingest: Ingest,
    emit_entries: bool,
    idle: Duration,
    tracks: HashMap<Arc<str>, Track>,
    checkpoints: Option<Checkpoints>,
    checkpoint_failed: bool,
    following_files: bool,
}

impl Watch {
    /// Handle one source event; false when the input is over.
    fn on_event(&mut self, event: SourceEvent) -> Result<bool> {
        match event {
            SourceEvent::Line { source, line } => {
                self.on_line(source, &line, None)?;
            }
            SourceEvent::FileLine { source, line, end } => {
                self.on_line(source, &line, Some(end))?;
            }
            SourceEvent::Opened {
                source,
                path,
                file,
                at,
            } => {
                // The file read before is finished: so is its last entry.
                for entry in self.ingest.finish(&source) {
                    self.process(entry)?;
                }
                self.tracks
                    .insert(source, Track::new(Some((path, file)), at));
            }
            SourceEvent::Closed { source, .. } => {
                self.finish_source(&source)?;
                // stdin ending ends a watch of stdin alone.
                return Ok(self.following_files);
            }
            SourceEvent::Failed { source, error } => {
                self.reporter
                    .warning(&format!("failed to read '{source}': {error}"))?;
                self.finish_source(&source)?;
            }
            SourceEvent::Identified { source, file } => {
                if let Some((_, known)) = self.tracks.get_mut(&source).and_then(|t| t.file.as_mut())
                {
                    *known = file;
                }
            }
            SourceEvent::Batch(events) => {
                for event in events {
                    if !self.on_event(event)? {
                        return Ok(false);
                    }
                }
            }
            SourceEvent::Notice { message, warning } => {
                if warning {
                    self.reporter.warning(&message)?;
                } else {
                    self.reporter.event(NodeEvent::Note(message))?;
                }
            }
        }
        Ok(true)
    }

    fn on_line(&mut self, source: Arc<str>, line: &Line, end: Option<u64>) -> Result<()> {
        let start = Position {
            offset: line.offset,
            line: line.number.saturating_sub(1),
        };
        let completed = self.ingest.line(&source, line);
        let held = self
            .ingest
            .held_from(&source)
            .map(|(offset, number)| Position {
                offset,
                line: number.saturating_sub(1),
            });
        let track = self
            .tracks
            .entry(source)
            .or_insert_with(|| Track::new(None, start));
        track.read = Position {
            offset: end.unwrap_or(line.offset),
            line: line.number,
        };
        // Everything before the earliest entry still held has been handed on (the one completed
        // now is, just below); entries of several writers may be held at once.
        track.pending = held;
        track.committed = held.unwrap_or(track.read);
        track.last_line = Instant::now();
        if let Some(entry) = completed {
            self.process(entry)?;
        }
        Ok(())
    }

    /// Hand on entries of sources quiet for the idle time; save checkpoints if due.
    fn tick(&mut self, now: Instant) -> Result<()> {
        let idle: Vec<Arc<str>> = self
            .tracks
            .iter()
            .filter(|(_, t)| t.pending.is_some() && now.duration_since(t.last_line) >= self.idle)
            .map(|(source, _)| source.clone())
            .collect();
        for source in idle {
            for entry in self.ingest.flush_source(&source) {
                self.process(entry)?;
            }
            self.mark_done(&source);
        }
        self.record_positions();
        if let Some(Err(error)) = self.checkpoints.as_mut().map(|c| c.save_if_due(now)) {
            self.checkpoint_problem(&error.to_string())?;
        }
        Ok(())
    }

    /// Every followed file's position, as the checkpoints to save next.
    fn record_positions(&mut self) {
        let Some(checkpoints) = self.checkpoints.as_mut() else {
            return;
        };
        for track in self.tracks.values() {
            if let Some((path, file)) = &track.file {
                checkpoints.set(
                    path,
                    Checkpoint {
                        file: *file,
                        at: track.committed,
                    },
                );
            }
        }
    }

    /// Every entry read is handed on, then every position saved.
    fn shutdown(&mut self) -> Result<()> {
        let sources: Vec<Arc<str>> = self.tracks.keys().cloned().collect();
        for source in sources {
            for entry in self.ingest.flush_source(&source) {
                self.process(entry)?;
            }
            self.mark_done(&source);
        }
        for entry in self.ingest.flush() {
            self.process(entry)?;
        }
        self.record_positions();
        if let Some(Err(error)) = self.checkpoints.as_mut().map(Checkpoints::save) {
            self.reporter.warning(&error.to_string())?;
        }
        Ok(())
    }

    fn finish_source(&mut self, source: &Arc<str>) -> Result<()> {
        for entry in self.ingest.finish(source) {
            self.process(entry)?;
        }
        self.mark_done(source);
        Ok(())
    }

    /// Nothing of `source` is held back any more.
    fn mark_done(&mut self, source: &Arc<str>) {
        if let Some(track) = self.tracks.get_mut(source) {
            track.pending = None;
            track.committed = track.read;
        }
    }

    fn checkpoint_problem(&mut self, message: &str) -> Result<()> {
        // Once: a read-only state directory must not flood the terminal every second.
        if !self.checkpoint_failed {
            self.checkpoint_failed = true;
            self.reporter.warning(message)?;
        }
        Ok(())
    }

    fn process(&mut self, entry: LogEntry) -> Result<()> {
        if self.emit_entries {
            self.reporter.entry(&entry)?;
        }
        self.node.process_log(entry);
        for event in self.events.try_iter() {
            self.reporter.event(event)?;
        }
        Ok(())
    }
}
