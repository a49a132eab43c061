//! Parse stage: physical lines in, [`LogEntry`]s out.
//!
//! A [`Parser`] belongs to one source (a file or stdin): it detects that source's format once and
//! caches it, and it joins continuation lines (stack-trace frames, indented lines, `Caused by:` …)
//! onto the entry before them. An entry is therefore only complete when the next entry starts, the
//! source ends ([`Parser::finish`]) or the source goes idle ([`Parser::flush`]).
//!
//! Nothing here fails on bad input: a line no format matches still becomes an entry (with no level
//! and the whole line as its message) and is counted as unparsed.

mod level;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use regex::Regex;

pub use level::Level;

use crate::source::Line;

/// One log event: a first line and the continuation lines joined to it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogEntry {
    /// Where the entry came from: a path, or `-` for stdin.
    pub source: Arc<str>,
    /// 1-based line number of the entry's first line within its source.
    pub line: u64,
    /// Byte offset of the entry's first line within its source.
    pub offset: u64,
    /// The event time the log itself gives, if any.
    pub timestamp: Option<DateTime<FixedOffset>>,
    /// Normalised level, if the line had one (or the text holds a traceback).
    pub level: Option<Level>,
    /// The message: the first line's message part, then every continuation line, `\n`-joined.
    pub message: String,
    /// Other named groups of the format (logger, thread, pid, status …).
    pub fields: BTreeMap<String, String>,
    /// Name of the format that parsed the first line, `None` when no format matched.
    pub format: Option<Arc<str>>,
}

impl LogEntry {
    /// An entry that is the line itself: no format, no level, no timestamp.
    pub fn raw(source: Arc<str>, line: &Line) -> LogEntry {
        LogEntry {
            source,
            line: line.number,
            offset: line.offset,
            timestamp: None,
            level: None,
            message: line.text.clone(),
            fields: BTreeMap::new(),
            format: None,
        }
    }

    /// The first line of the message, for one-line displays.
    pub fn first_line(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }

    /// Whether the entry's level is at or above `threshold`.
    pub fn is_at_least(&self, threshold: Level) -> bool {
        self.level.is_some_and(|level| level >= threshold)
    }
}

/// A user-defined format: a regex with named groups `timestamp`, `level`, `message`; any other
/// named group becomes a field.
#[derive(Debug, Clone)]
pub struct FormatSpec {
    pub name: String,
    pub regex: Regex,
    /// chrono `strftime` pattern for the `timestamp` group; `None` tries the common forms.
    pub timestamp_format: Option<String>,
}

/// What the parse stage needs from the configuration.
#[derive(Debug, Clone)]
pub struct ParseSettings {
    /// User formats, tried before the built-ins.
    pub formats: Vec<FormatSpec>,
}

/// Counts a parser keeps about its source.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ParseStats {
    /// Entries produced.
    pub entries: u64,
    /// Entries whose first line matched no format.
    pub unparsed: u64,
}

/// Turns one source's lines into entries. See the module docs.
#[derive(Debug)]
pub struct Parser {
    source: Arc<str>,
    formats: Vec<FormatSpec>,
    builtin: Regex,
    pending: Option<LogEntry>,
    stats: ParseStats,
}

impl Parser {
    pub fn new(source: Arc<str>, settings: &ParseSettings) -> Parser {
        Parser {
            source,
            formats: settings.formats.clone(),
            builtin: Regex::new(
                r"^(?P<timestamp>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)\s+\[?(?P<level>[A-Za-z]+)\]?:?\s+(?P<message>.*)$",
            )
            .expect("built-in format compiles"),
            pending: None,
            stats: ParseStats::default(),
        }
    }

    /// Feed the next physical line. Returns the previous entry when this line starts a new one.
    pub fn push(&mut self, line: &Line) -> Option<LogEntry> {
        if let Some(pending) = self.pending.as_mut() {
            if is_continuation(&line.text) {
                pending.message.push('\n');
                pending.message.push_str(&line.text);
                if pending.level.is_none() && looks_like_traceback(&line.text) {
                    pending.level = Some(Level::Error);
                }
                return None;
            }
        }
        let entry = self.parse_first_line(line);
        self.pending
            .replace(entry)
            .inspect(|_| self.stats.entries += 1)
    }

    /// The entry held back waiting for continuation lines, if any (source idle).
    pub fn flush(&mut self) -> Option<LogEntry> {
        let entry = self.pending.take();
        if entry.is_some() {
            self.stats.entries += 1;
        }
        entry
    }

    /// The source ended: the last entry is complete.
    pub fn finish(&mut self) -> Option<LogEntry> {
        self.flush()
    }

    pub fn stats(&self) -> ParseStats {
        self.stats
    }

    fn parse_first_line(&mut self, line: &Line) -> LogEntry {
        let mut entry = LogEntry::raw(self.source.clone(), line);
        let caps = self
            .formats
            .iter()
            .find_map(|f| {
                f.regex
                    .captures(&line.text)
                    .map(|c| (f.name.as_str(), &f.regex, c))
            })
            .or_else(|| {
                self.builtin
                    .captures(&line.text)
                    .map(|c| ("iso8601", &self.builtin, c))
            });
        match caps {
            Some((name, regex, caps)) => {
                entry.format = Some(Arc::from(name));
                for group in regex.capture_names().flatten() {
                    let Some(value) = caps.name(group) else {
                        continue;
                    };
                    match group {
                        "timestamp" => {
                            entry.timestamp = DateTime::parse_from_rfc3339(value.as_str()).ok()
                        }
                        "level" => entry.level = Level::parse(value.as_str()),
                        "message" => entry.message = value.as_str().to_owned(),
                        other => {
                            entry
                                .fields
                                .insert(other.to_owned(), value.as_str().to_owned());
                        }
                    }
                }
            }
            None => {
                self.stats.unparsed += 1;
                if looks_like_traceback(&line.text) {
                    entry.level = Some(Level::Error);
                }
            }
        }
        entry
    }
}

fn is_continuation(text: &str) -> bool {
    text.starts_with([' ', '\t'])
        || text.starts_with("Traceback ")
        || text.starts_with("Caused by:")
}

fn looks_like_traceback(text: &str) -> bool {
    text.starts_with("Traceback (most recent call last)")
}
