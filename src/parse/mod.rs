//! Parse stage: physical lines in, [`LogEntry`]s out.
//!
//! A [`Parser`] belongs to one source (a file or stdin). It tries the user's formats first, then
//! the built-ins ([`builtin`], [`json`], [`logfmt`]), starting with the built-in that matched last:
//! a source rarely changes format, so most lines cost one match. It joins continuation lines onto
//! the entry before them ([`multiline`]): once the source's records carry timestamps, any line that
//! is not such a record continues the entry (blank lines inside a trace included); before that,
//! only indented lines, the runtimes' explicit continuation lines and the lines a trace expects do.
//! An entry is therefore only complete when the next entry starts, the source ends
//! ([`Parser::finish`]) or the source goes idle ([`Parser::flush`]).
//!
//! Invariants: nothing here fails or panics on bad input: a line no format matches still becomes
//! an entry (no level, the whole line as its message) and is counted as unparsed. An entry holds at
//! most [`Limits::max_lines`] continuation lines and [`Limits::max_bytes`] of message; what goes
//! past that is dropped and counted, so memory stays flat whatever the input. An entry whose text
//! shows a crash (traceback, panic, exception, stack frames) is at least `error`.

mod builtin;
mod format;
mod json;
mod level;
mod logfmt;
mod multiline;
pub mod time;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use regex::Regex;

pub use builtin::Builtin;
pub use level::Level;

use format::{Context, Format, Named, Parsed};
use multiline::Tracker;

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
    /// Lines joined onto the entry before them.
    pub continuation_lines: u64,
    /// Continuation lines dropped because their entry had reached its size limit.
    pub dropped_lines: u64,
    /// Records whose timestamp was present but could not be read (e.g. a `timestamp_format` that
    /// does not fit).
    pub bad_timestamps: u64,
    /// Blank lines between entries (not inside one), skipped.
    pub blank_lines: u64,
}

/// How large one entry may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Continuation lines kept per entry.
    pub max_lines: usize,
    /// Bytes of message kept per entry.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_lines: 1000,
            max_bytes: 1024 * 1024,
        }
    }
}

/// The entry being assembled.
#[derive(Debug)]
struct Pending {
    entry: LogEntry,
    continuation_lines: usize,
    dropped: u64,
}

/// Turns one source's lines into entries. See the module docs.
#[derive(Debug)]
pub struct Parser {
    source: Arc<str>,
    /// User formats first, then the built-ins.
    formats: Vec<Named>,
    users: usize,
    /// Index in `formats` of the built-in that read the last record.
    last: Option<usize>,
    /// The source's records carry timestamps: a line that is not a record continues the entry.
    anchored: bool,
    tracker: Tracker,
    pending: Option<Pending>,
    stats: ParseStats,
    limits: Limits,
    now: Option<DateTime<Utc>>,
}

impl Parser {
    pub fn new(source: Arc<str>, settings: &ParseSettings) -> Parser {
        let mut formats: Vec<Named> = settings
            .formats
            .iter()
            .cloned()
            .map(|spec| Format::User(spec).into())
            .collect();
        let users = formats.len();
        formats.extend(Format::builtins().into_iter().map(Named::from));
        Parser {
            source,
            formats,
            users,
            last: None,
            anchored: false,
            tracker: Tracker::default(),
            pending: None,
            stats: ParseStats::default(),
            limits: Limits::default(),
            now: None,
        }
    }

    /// Use other size limits for entries.
    pub fn with_limits(mut self, limits: Limits) -> Parser {
        self.limits = limits;
        self
    }

    /// Complete partial timestamps (no year, no date) against `now` instead of the system clock.
    pub fn with_now(mut self, now: DateTime<Utc>) -> Parser {
        self.now = Some(now);
        self
    }

    /// Feed the next physical line. Returns the previous entry when this line starts a new one.
    pub fn push(&mut self, line: &Line) -> Option<LogEntry> {
        let text = line.text.as_str();
        if self.pending.is_some() {
            if multiline::is_indented_or_blank(text) {
                self.tracker.observe(text);
                self.attach(text);
                return None;
            }
            let record = self.read(text);
            match record {
                Some((index, parsed)) if !self.anchored || parsed.anchors => {
                    return self.start(line, Some((index, parsed)));
                }
                _ if self.anchored => {
                    // Lines a trace would keep anyway are trimmed at the limit; anything else past
                    // it starts an entry of its own, so that a source that stops writing records
                    // is not swallowed by the last one.
                    let trace_like = self.tracker.continues(text);
                    if self.is_full(text) && !trace_like {
                        return self.start(line, None);
                    }
                    self.tracker.observe(text);
                    self.attach(text);
                    return None;
                }
                _ => {
                    if self.tracker.continues(text) {
                        self.attach(text);
                        return None;
                    }
                    return self.start(line, None);
                }
            }
        }
        if text.trim().is_empty() {
            self.stats.blank_lines += 1;
            return None;
        }
        let record = self.read(text);
        self.start(line, record)
    }

    /// The entry held back waiting for continuation lines, if any (source idle).
    pub fn flush(&mut self) -> Option<LogEntry> {
        let pending = self.pending.take()?;
        self.tracker.reset();
        Some(self.complete(pending))
    }

    /// The source ended: the last entry is complete.
    pub fn finish(&mut self) -> Option<LogEntry> {
        self.flush()
    }

    pub fn stats(&self) -> ParseStats {
        self.stats
    }

    fn context(&self) -> Context {
        Context {
            now: self.now.unwrap_or_else(Utc::now),
        }
    }

    /// Try the formats on `text`: user formats in their order, then the built-in that matched
    /// last, then the other built-ins.
    fn read(&mut self, text: &str) -> Option<(usize, Parsed)> {
        let cx = self.context();
        let try_at = |i: usize| self.formats[i].format.parse(text, cx).map(|p| (i, p));
        let found = (0..self.users)
            .find_map(try_at)
            .or_else(|| self.last.and_then(try_at))
            .or_else(|| {
                (self.users..self.formats.len())
                    .filter(|&i| Some(i) != self.last)
                    .find_map(try_at)
            })?;
        if found.0 >= self.users {
            self.last = Some(found.0);
        }
        Some(found)
    }

    /// Begin a new entry with `line`; returns the one it ends.
    fn start(&mut self, line: &Line, record: Option<(usize, Parsed)>) -> Option<LogEntry> {
        let previous = self.pending.take().map(|p| self.complete(p));
        self.tracker.reset();
        self.tracker.observe(&line.text);
        let mut entry = LogEntry::raw(self.source.clone(), line);
        match record {
            Some((index, parsed)) => {
                self.anchored = parsed.anchors;
                self.stats.bad_timestamps += u64::from(parsed.bad_timestamp);
                entry.format = Some(self.formats[index].name.clone());
                entry.timestamp = parsed.timestamp;
                entry.level = parsed.level;
                entry.fields = parsed.fields;
                entry.message = parsed.message;
                if entry.message.contains('\n') && entry.message.lines().any(multiline::shows_crash)
                {
                    raise(&mut entry);
                }
            }
            None => {
                self.stats.unparsed += 1;
                if multiline::shows_crash(&line.text) {
                    raise(&mut entry);
                }
            }
        }
        if entry.message.len() > self.limits.max_bytes {
            let cut = floor_char_boundary(&entry.message, self.limits.max_bytes);
            entry.message.truncate(cut);
        }
        self.pending = Some(Pending {
            entry,
            continuation_lines: 0,
            dropped: 0,
        });
        previous
    }

    fn is_full(&self, text: &str) -> bool {
        self.pending.as_ref().is_some_and(|p| {
            p.continuation_lines >= self.limits.max_lines
                || p.entry.message.len() + 1 + text.len() > self.limits.max_bytes
        })
    }

    /// Join `text` onto the pending entry, or count it as dropped if the entry is full.
    fn attach(&mut self, text: &str) {
        let full = self.is_full(text);
        let Some(pending) = self.pending.as_mut() else {
            return;
        };
        self.stats.continuation_lines += 1;
        if full {
            pending.dropped += 1;
            self.stats.dropped_lines += 1;
            return;
        }
        pending.continuation_lines += 1;
        pending.entry.message.push('\n');
        pending.entry.message.push_str(text);
        if multiline::shows_crash(text) {
            raise(&mut pending.entry);
        }
    }

    fn complete(&mut self, pending: Pending) -> LogEntry {
        let Pending {
            mut entry, dropped, ..
        } = pending;
        // Blank lines are kept inside an entry (a trace has them) but not at its end.
        let kept = entry.message.trim_end().len();
        entry.message.truncate(kept);
        if dropped > 0 {
            entry
                .fields
                .insert("dropped_lines".into(), dropped.to_string());
        }
        self.stats.entries += 1;
        entry
    }
}

/// A crash is at least an error, whatever the first line said.
fn raise(entry: &mut LogEntry) {
    entry.level = entry.level.max(Some(Level::Error));
}

/// The largest index ≤ `at` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    (0..=at.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}
