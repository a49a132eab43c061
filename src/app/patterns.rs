//! `hephaestus patterns`: the templates mined from logs, as a table or one object per entry.
//!
//! Templates generalise as data arrives (`user alice` becomes `user <*>` once `user bob` is seen),
//! so `--per-line` reads its input twice: a first pass mines, a second pass gives every entry the
//! final template of its cluster. Memory stays flat: only the clusters are kept between the passes,
//! never the lines; stdin is spooled to a temporary file to be read again.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};

use anyhow::{Context, Result};

use super::ingest::Ingest;
use crate::cli::PatternsArgs;
use crate::config::{OutputSettings, Settings};
use crate::pattern::{PatternEngine, Prepared, Preparer};
use crate::report::{PatternReport, Style};
use crate::source::{self, LineReader, STDIN_NAME};
use crate::ExitStatus;

pub fn run(args: &PatternsArgs, settings: &Settings, output: OutputSettings) -> Result<ExitStatus> {
    super::init_stdout_color(output);
    let mut engine = PatternEngine::new(&settings.patterns);
    let mut out = PatternReport::new(
        std::io::BufWriter::new(std::io::stdout().lock()),
        output.json,
        Style {
            verbosity: output.verbosity,
        },
    );

    // Kept alive until the second pass is done: dropping it deletes the spooled stdin.
    let mut spool: Option<tempfile::NamedTempFile> = None;
    let mut inputs: Vec<(Arc<str>, PathBuf)> = Vec::new();
    for path in source::paths_or_stdin(&args.files) {
        if args.per_line && path.as_os_str() == STDIN_NAME {
            let mut file = tempfile::NamedTempFile::new()
                .context("failed to create a temporary file to hold stdin")?;
            std::io::copy(&mut std::io::stdin().lock(), file.as_file_mut())
                .context("failed to read stdin")?;
            inputs.push((Arc::from(STDIN_NAME), file.path().to_owned()));
            spool = Some(file);
        } else {
            inputs.push((Arc::from(path.display().to_string()), path));
        }
    }

    let preparer = engine.preparer();
    let mut ingest = Ingest::new(settings.parse.clone(), args.raw);
    for (name, path) in &inputs {
        each_entry(&mut ingest, &preparer, name, path, settings, |prepared| {
            // Per line, only the templates matter: no traces, fingerprints or statistics.
            if args.per_line {
                engine.mine_prepared(&prepared);
            } else {
                engine.classify_prepared(&prepared);
            }
            Ok(())
        })?;
    }

    if args.per_line {
        let mut ingest = Ingest::new(settings.parse.clone(), args.raw);
        for (name, path) in &inputs {
            each_entry(&mut ingest, &preparer, name, path, settings, |prepared| {
                let mined = engine.lookup_prepared(&prepared);
                Ok(out.line(prepared.entry.line, &mined)?)
            })?;
        }
    } else {
        out.table(&engine.summaries())?;
    }
    out.flush()?;
    drop(spool);
    Ok(ExitStatus::Clean)
}

/// Every entry of one input, in order, prepared for the engine. A second thread reads, parses
/// and masks while `f` mines: the miner's order is the input's, so the output is that of one
/// thread.
fn each_entry(
    ingest: &mut Ingest,
    preparer: &Preparer,
    name: &Arc<str>,
    path: &Path,
    settings: &Settings,
    mut f: impl FnMut(Prepared) -> Result<()>,
) -> Result<()> {
    let input = source::open(path, &source::InputLimits::default())?;
    let (tx, rx) = mpsc::sync_channel::<Vec<Prepared>>(BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        let reading = scope.spawn(move || -> Result<()> {
            let mut lines = LineReader::new(
                BufReader::with_capacity(256 * 1024, input.reader),
                settings.max_line_bytes,
            );
            let mut batch = Vec::with_capacity(BATCH_ENTRIES);
            let hand_on = |batch: &mut Vec<Prepared>| {
                let full = std::mem::replace(batch, Vec::with_capacity(BATCH_ENTRIES));
                // A failed send: the other side stopped on an error of its own, which it reports.
                tx.send(full).is_ok()
            };
            while let Some(line) = lines
                .next_line()
                .with_context(|| format!("failed to read '{name}'"))?
            {
                if let Some(entry) = ingest.line(name, &line) {
                    batch.push(preparer.prepare(entry));
                    if batch.len() == BATCH_ENTRIES && !hand_on(&mut batch) {
                        return Ok(());
                    }
                }
            }
            batch.extend(ingest.finish(name).into_iter().map(|e| preparer.prepare(e)));
            hand_on(&mut batch);
            Ok(())
        });
        let mut done = Ok(());
        'batches: for batch in rx.iter() {
            for prepared in batch {
                done = f(prepared);
                if done.is_err() {
                    break 'batches;
                }
            }
        }
        drop(rx);
        let read = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        done.and(read)
    })
}

/// Entries the reader thread hands on at a time.
const BATCH_ENTRIES: usize = 512;

/// Batches read ahead at most: what bounds the memory between the threads.
const BATCHES_IN_FLIGHT: usize = 8;
