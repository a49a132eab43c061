//! Output of `hephaestus patterns`: one line per entry (`--per-line`), or the pattern table.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::json;

use super::clean;
use super::json::pattern_json;
use super::text::{Style, TextReport};
use crate::pattern::miner::Mined;
use crate::pattern::PatternSummary;

/// One object of `--per-line --format json`, fields in this order.
#[derive(Serialize)]
struct PerLine<'a> {
    line: u64,
    pattern: &'a str,
    template: &'a str,
    params: &'a [String],
}

/// Renders `patterns` output on one stream, as text or JSON.
pub struct PatternReport<W: Write> {
    out: W,
    json: bool,
    style: Style,
}

impl<W: Write> PatternReport<W> {
    pub fn new(out: W, json: bool, style: Style) -> Self {
        PatternReport { out, json, style }
    }

    /// The template of the entry starting at 1-based `line`.
    pub fn line(&mut self, line: u64, mined: &Mined) -> io::Result<()> {
        if self.json {
            let value = PerLine {
                line,
                pattern: &mined.id,
                template: &mined.template,
                params: &mined.params,
            };
            serde_json::to_writer(&mut self.out, &value)?;
            writeln!(self.out)
        } else {
            writeln!(self.out, "{line}\t{}\t{}", mined.id, clean(&mined.template))
        }
    }

    /// The pattern table, largest first.
    pub fn table(&mut self, patterns: &[PatternSummary]) -> io::Result<()> {
        if self.json {
            let patterns: Vec<_> = patterns.iter().map(pattern_json).collect();
            serde_json::to_writer_pretty(&mut self.out, &json!({ "patterns": patterns }))?;
            writeln!(self.out)
        } else {
            TextReport::new(&mut self.out, self.style).patterns(patterns)
        }
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
