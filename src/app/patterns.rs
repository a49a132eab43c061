//! `hephaestus patterns`: the templates mined from logs, as a table or one object per entry.
//!
//! Templates generalise as data arrives (`user alice` becomes `user <*>` once `user bob` is seen),
//! so `--per-line` reads its input twice: a first pass mines, a second pass gives every entry the
//! final template of its cluster. Memory stays flat: only the clusters are kept between the passes,
//! never the lines; stdin is spooled to a temporary file to be read again.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::ahead;
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
                engine.count_prepared(&prepared);
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

/// Every entry of one input, in order, prepared for the engine: a second thread reads, parses
/// and masks while `f` mines, in input order (see [`ahead`]).
fn each_entry(
    ingest: &mut Ingest,
    preparer: &Preparer,
    name: &Arc<str>,
    path: &Path,
    settings: &Settings,
    f: impl FnMut(Prepared) -> Result<()>,
) -> Result<()> {
    let input = source::open(path, &source::InputLimits::default())?;
    let produce = move |sink: &mut ahead::Sink<Prepared>| -> Result<()> {
        let mut lines = LineReader::new(
            BufReader::with_capacity(256 * 1024, input.reader),
            settings.max_line_bytes,
        );
        while let Some(line) = lines
            .next_line()
            .with_context(|| format!("failed to read '{name}'"))?
        {
            if let Some(entry) = ingest.line(name, &line) {
                // Masked here unless the other thread waits for entries.
                let mask = !sink.consumer_idle();
                if !sink.push(preparer.prepare(entry, mask)) {
                    // The other side stopped on an error of its own, which it returns.
                    return Ok(());
                }
            }
        }
        for entry in ingest.finish(name) {
            let mask = !sink.consumer_idle();
            sink.push(preparer.prepare(entry, mask));
        }
        Ok(())
    };
    ahead::pipeline(produce, f)?
}
