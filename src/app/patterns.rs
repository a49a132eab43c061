//! `hephaestus patterns`: the templates mined from logs, as a table or one object per entry.

use std::io::{BufReader, Write};

use anyhow::{Context, Result};
use serde_json::json;

use super::ingest::Ingest;
use crate::cli::PatternsArgs;
use crate::config::{OutputSettings, Settings};
use crate::pattern::PatternEngine;
use crate::report::{self, clean, Style, TextReport};
use crate::source::{self, LineReader};
use crate::ExitStatus;

pub fn run(args: &PatternsArgs, settings: &Settings, output: OutputSettings) -> Result<ExitStatus> {
    super::init_stdout_color(output);
    let mut engine = PatternEngine::new(&settings.patterns);
    let mut ingest = Ingest::new(settings.parse.clone(), args.raw);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());

    let emit =
        |engine: &mut PatternEngine, entry: crate::LogEntry, out: &mut dyn Write| -> Result<()> {
            let classified = engine.classify(&entry);
            if args.per_line {
                if output.json {
                    let value = json!({
                        "line": entry.line,
                        "pattern": classified.pattern_id,
                        "template": classified.template,
                        "params": classified.params,
                    });
                    serde_json::to_writer(&mut *out, &value)?;
                    writeln!(out)?;
                } else {
                    writeln!(
                        out,
                        "{}\t{}\t{}",
                        entry.line,
                        classified.pattern_id,
                        clean(&classified.template)
                    )?;
                }
            }
            Ok(())
        };

    for path in source::paths_or_stdin(&args.files) {
        let input = source::open(&path)?;
        let mut lines = LineReader::new(
            BufReader::with_capacity(256 * 1024, input.reader),
            settings.max_line_bytes,
        );
        while let Some(line) = lines
            .next_line()
            .with_context(|| format!("failed to read '{}'", input.name))?
        {
            if let Some(entry) = ingest.line(&input.name, &line) {
                emit(&mut engine, entry, &mut out)?;
            }
        }
        if let Some(entry) = ingest.finish(&input.name) {
            emit(&mut engine, entry, &mut out)?;
        }
    }
    if !args.per_line {
        if output.json {
            let patterns: Vec<_> = engine
                .summaries()
                .iter()
                .map(report::pattern_json)
                .collect();
            serde_json::to_writer_pretty(&mut out, &json!({ "patterns": patterns }))?;
            writeln!(out)?;
        } else {
            TextReport::new(
                &mut out,
                Style {
                    verbosity: output.verbosity,
                },
            )
            .patterns(&engine.summaries())?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Clean)
}
