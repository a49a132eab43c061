//! Lines → entries for any number of sources: one parser per source, and the counts the summary
//! reports.

use std::sync::Arc;

use crate::hash::Map;
use crate::parse::{LogEntry, ParseSettings, ParseStats, Parser};
use crate::report::Counts;
use crate::source::Line;

pub(crate) struct Ingest {
    settings: ParseSettings,
    /// `--raw`: every line is one entry, no parsing.
    raw: bool,
    parsers: Map<Arc<str>, Parser>,
    counts: Counts,
}

impl Ingest {
    pub fn new(settings: ParseSettings, raw: bool) -> Ingest {
        Ingest {
            settings,
            raw,
            parsers: Map::default(),
            counts: Counts::default(),
        }
    }

    /// Feed one line of `source`; returns the entry it completed, if any.
    pub fn line(&mut self, source: &Arc<str>, line: &Line) -> Option<LogEntry> {
        self.counts.lines += 1;
        self.counts.truncated += u64::from(line.truncated);
        self.counts.invalid_utf8 += u64::from(line.lossy);
        if self.raw {
            self.counts.entries += 1;
            return Some(LogEntry::raw(source.clone(), line));
        }
        let parser = self
            .parsers
            .entry(source.clone())
            .or_insert_with(|| Parser::new(source.clone(), &self.settings));
        parser.push(line)
    }

    /// Entries held back waiting for continuation lines, from every source (input went idle).
    pub fn flush(&mut self) -> Vec<LogEntry> {
        self.parsers.values_mut().flat_map(Parser::flush).collect()
    }

    /// The entries `source` holds back waiting for continuation lines (that source idle).
    pub fn flush_source(&mut self, source: &Arc<str>) -> Vec<LogEntry> {
        self.parsers
            .get_mut(source)
            .map(Parser::flush)
            .unwrap_or_default()
    }

    /// Where the earliest entry of `source` not handed out yet begins (offset, line number).
    pub fn held_from(&self, source: &Arc<str>) -> Option<(u64, u64)> {
        self.parsers.get(source).and_then(Parser::held_from)
    }

    /// `source` ended: its last entries, and its parser's counts folded into the totals.
    pub fn finish(&mut self, source: &Arc<str>) -> Vec<LogEntry> {
        let Some(mut parser) = self.parsers.remove(source) else {
            return Vec::new();
        };
        let last = parser.finish();
        add_parse_stats(&mut self.counts, parser.stats());
        last
    }

    /// Totals so far (sources still open count their finished entries too).
    pub fn counts(&self) -> Counts {
        let mut counts = self.counts;
        for parser in self.parsers.values() {
            add_parse_stats(&mut counts, parser.stats());
        }
        counts
    }
}

fn add_parse_stats(counts: &mut Counts, stats: ParseStats) {
    counts.entries += stats.entries;
    counts.unparsed += stats.unparsed;
    counts.unparsed_with_level += stats.unparsed_with_level;
    counts.dropped_lines += stats.dropped_lines;
    counts.bad_timestamps += stats.bad_timestamps;
}
