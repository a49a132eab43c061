//! Parse stage: physical lines in, [`LogEntry`]s out.
//!
//! A [`Parser`] belongs to one source (a file or stdin). It tries the user's formats first, then
//! the built-ins ([`builtin`], [`json`], [`logfmt`]), starting with the built-in that matched last:
//! a source rarely changes format, so most lines cost one match. It joins continuation lines onto
//! the entry before them ([`multiline`]): indented and blank lines, the runtimes' explicit
//! continuation lines, the lines a trace expects, and — once the source's records carry
//! timestamps — a crash's first line (`thread 'main' panicked at …`, `java.lang.…Exception: …`),
//! which a runtime prints without one. Any other line no format reads is an entry of its own: a
//! file two programs write into must not have one's lines glued to the other's records.
//! An entry is therefore only complete when the next entry starts, the source ends
//! ([`Parser::finish`]) or the source goes idle ([`Parser::flush`]).
//!
//! Invariants: nothing here fails or panics on bad input: a line no format matches still becomes
//! an entry (the whole line as its message) and is counted as unparsed; if its header holds a
//! level word ([`fallback`]), the entry takes that level, the message starts after the word, and
//! it is counted again among the unparsed entries with a level. An entry holds at
//! most [`Limits::max_lines`] continuation lines and [`Limits::max_bytes`] of message; what goes
//! past that is dropped and counted, so memory stays flat whatever the input. An entry whose text
//! shows a crash (traceback, panic, exception, stack frames) is at least `error`. Container
//! runtimes' wrappers ([`container`]) and terminal escape sequences (colors) are removed before
//! anything else looks at a line. So is a system logger's prefix (a syslog file, `journalctl`'s
//! `short` and `short-iso` output): the program's text inside is read as if the program had
//! written its own file, the logger's record standing in when no format reads that text, and a
//! line of another writer (`app[pid]`) never continues an entry.

mod builtin;
mod container;
mod fallback;
mod format;
mod json;
mod level;
mod logfmt;
mod manager;
mod multiline;
pub mod time;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use regex::Regex;

pub use level::Level;

use builtin::Builtin;
use format::{Context, Format, Named, Parsed};
use multiline::Tracker;

use crate::source::{Line, TRUNCATION_MARKER};

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
    /// The level is an error because a crash showed in the text, not because the record said so:
    /// `INFO starting worker` followed by a traceback is about the crash, not about starting.
    pub level_from_crash: bool,
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
            level_from_crash: false,
        }
    }

    /// The first line of the message, for one-line displays.
    pub fn first_line(&self) -> &str {
        self.message.lines().next().unwrap_or("")
    }

    /// The first line of the message that shows a crash (`Traceback …`, `thread 'main' panicked
    /// at …`, `Exception in thread …`, a stack frame, an exception line), if any: where the trace
    /// begins inside an entry whose first line is an ordinary record.
    pub fn crash_line(&self) -> Option<&str> {
        self.message.lines().find(|l| multiline::shows_crash(l))
    }

    /// The part of the message a report shows: from the crash on for an entry that is about its
    /// crash (`INFO 47 recipients due` and then a traceback shows the traceback), else all of it.
    pub fn about(&self) -> &str {
        // An entry that begins at the crash is the crash whole (`at` stays 0 below), one whose
        // first line no format read included (`INFO  mailer: sending …` and then a traceback
        // is still a record before the crash).
        if !self.level_from_crash {
            return &self.message;
        }
        let mut at = 0;
        for line in self.message.split_inclusive('\n') {
            if multiline::begins_crash(line.trim_end_matches(['\n', '\r'])) {
                return &self.message[at..];
            }
            at += line.len();
        }
        &self.message
    }

    /// The service that wrote the entry, from the first field that names one (`service`,
    /// `unit`, `container`, or the `app` a system logger or process manager gave).
    pub fn service(&self) -> Option<&str> {
        ["service", "unit", "container", "app"]
            .iter()
            .find_map(|key| self.fields.get(*key))
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The logger that wrote the entry (`logger`, `name` or `target` field).
    pub fn logger(&self) -> Option<&str> {
        ["logger", "name", "target"]
            .iter()
            .find_map(|key| self.fields.get(*key))
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The source as a report names it: the file's path, or `stdin` for standard input.
    pub fn source_name(&self) -> &str {
        match &*self.source {
            crate::source::STDIN_NAME => "stdin",
            source => source,
        }
    }

    /// `app.log:12`, or `stdin:12` for standard input.
    pub fn location(&self) -> String {
        format!("{}:{}", self.source_name(), self.line)
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
    /// Of those, entries that took a level from a level word in the line's header.
    pub unparsed_with_level: u64,
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
    /// Who wrote the entry's first line, when a system logger wrapped it (`app[pid]`).
    origin: Option<String>,
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
    /// Entries of other writers, put aside while the current line's writer writes (see
    /// [`Parser::switch_writer`]), each with its trace state and the line it was put aside at.
    parked: Vec<Parked>,
    /// Completed entries not handed out yet: at most one leaves per line.
    ready: std::collections::VecDeque<LogEntry>,
    /// Lines pushed so far: the clock parked entries age by.
    pushed: u64,
    stats: ParseStats,
    limits: Limits,
    /// A fixed "now" (tests); otherwise `clock`, refreshed every [`CLOCK_EVERY`] reads.
    now: Option<DateTime<Utc>>,
    clock: DateTime<Utc>,
    clock_age: u32,
    /// The container runtime's or system logger's time for the current line, if one wrapped it.
    outer_time: Option<DateTime<FixedOffset>>,
    /// The system logger's record around the current line (see [`Parser::push`]) and who wrote
    /// the line, if a system logger wrapped it.
    outer: Option<(usize, Parsed)>,
    origin: Option<String>,
    /// Fields a process manager's prefix gives the current line (its service).
    outer_fields: Vec<(String, String)>,
}

const CLOCK_EVERY: u32 = 4096;

/// Writers whose entries may wait at once while another writes; beyond it the oldest completes.
const MAX_PARKED: usize = 16;

/// Lines of other writers after which a waiting entry is complete: a trace comes in one burst,
/// so a writer silent this long has finished its entry.
const PARK_LINES: u64 = 256;

/// Another writer's entry, put aside.
#[derive(Debug)]
struct Parked {
    pending: Pending,
    tracker: Tracker,
    since: u64,
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
            parked: Vec::new(),
            ready: std::collections::VecDeque::new(),
            pushed: 0,
            stats: ParseStats::default(),
            limits: Limits::default(),
            now: None,
            clock: DateTime::<Utc>::MIN_UTC,
            clock_age: 0,
            outer_time: None,
            outer: None,
            origin: None,
            outer_fields: Vec::new(),
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

    /// Feed the next physical line. Returns an entry this line completed (the previous entry of
    /// the same writer, when this line starts a new one), if any.
    pub fn push(&mut self, line: &Line) -> Option<LogEntry> {
        self.pushed += 1;
        if let Some(done) = self.push_line(line) {
            self.ready.push_back(done);
        }
        self.retire_parked();
        self.ready.pop_front()
    }

    /// Where the earliest entry not handed out yet begins (its offset and line number): what a
    /// restart must read again.
    pub fn held_from(&self) -> Option<(u64, u64)> {
        self.pending
            .iter()
            .map(|p| &p.entry)
            .chain(self.parked.iter().map(|p| &p.pending.entry))
            .chain(self.ready.iter())
            .map(|e| (e.offset, e.line))
            .min()
    }

    /// A line of another writer than the entry being assembled (a process manager or system
    /// logger says who wrote each line): that entry waits, and this writer's own waiting entry,
    /// if any, is taken up again, so that two services' lines interleaved in one stream (compose
    /// reading containers in turn, journald) each join their own entry.
    fn switch_writer(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.parked.push(Parked {
                pending,
                tracker: std::mem::take(&mut self.tracker),
                since: self.pushed,
            });
        }
        if let Some(i) = self
            .parked
            .iter()
            .position(|p| p.pending.origin == self.origin)
        {
            let Parked {
                pending, tracker, ..
            } = self.parked.remove(i);
            self.pending = Some(pending);
            self.tracker = tracker;
        }
        if self.parked.len() > MAX_PARKED {
            let oldest = self.parked.remove(0);
            let done = self.complete(oldest.pending);
            self.ready.push_back(done);
        }
    }

    /// Waiting entries whose writer has been silent for [`PARK_LINES`] lines are complete.
    fn retire_parked(&mut self) {
        while self
            .parked
            .first()
            .is_some_and(|p| self.pushed - p.since > PARK_LINES)
        {
            let oldest = self.parked.remove(0);
            let done = self.complete(oldest.pending);
            self.ready.push_back(done);
        }
    }

    fn push_line(&mut self, line: &Line) -> Option<LogEntry> {
        let unwrapped = container::unwrap(&line.text);
        self.outer_time = unwrapped.as_ref().and_then(|u| u.time);
        let inner: &str = unwrapped.as_ref().map_or(&line.text, |u| &u.text);
        let stripped = format::strip_ansi(inner);
        let text = self.unwrap_system_logger(&stripped);
        // A line cut at the length limit is never a continuation: a JSON record cut short no
        // longer parses, and must not vanish into the entry before it. Nor is a line another
        // program wrote, when a system logger says who wrote each line.
        let same_writer = self
            .pending
            .as_ref()
            .is_none_or(|p| p.origin == self.origin);
        if !same_writer {
            self.switch_writer();
        }
        if self.pending.is_some() && !line.truncated {
            if self.completes_two_line_record(text) {
                return None;
            }
            if multiline::is_indented_or_blank(text) {
                self.tracker.observe(text);
                self.attach(text);
                return None;
            }
            let record = self.read(text);
            match record {
                Some((index, parsed)) if !self.anchored || parsed.anchors => {
                    return self.start(line, text, Some((index, parsed)));
                }
                _ if self.anchored => {
                    // A line no format reads continues the entry only when it looks like a
                    // continuation: a trace's lines, or a crash's first line after a record (whose
                    // time and context it takes). Anything else is an entry of its own, so that a
                    // second program writing into the same file (or a format not configured) is
                    // not glued to the record before it; a crash after such a line begins its own
                    // entry too. Lines a trace would keep are trimmed at the entry's limit.
                    let after_record = self
                        .pending
                        .as_ref()
                        .is_some_and(|p| p.entry.format.is_some());
                    let trace_like = self.tracker.continues(text)
                        || after_record && multiline::shows_crash(text);
                    if !trace_like {
                        return self.start(line, text, None);
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
                    return self.start(line, text, None);
                }
            }
        }
        if text.trim().is_empty() {
            self.stats.blank_lines += 1;
            return None;
        }
        let record = self.read(text);
        self.start(line, text, record)
    }

    /// A system logger's line (a syslog file, `journalctl -o short`/`short-iso`) holds one line
    /// of a program's output after its prefix: that text is what the formats and the continuation
    /// rules read, so that a traceback written through journald joins its record as it would in
    /// the program's own file. The logger's record stands in for a line no format reads.
    fn unwrap_system_logger<'t>(&mut self, text: &'t str) -> &'t str {
        self.outer = None;
        self.origin = None;
        self.outer_fields.clear();
        if let Some(prefix) = manager::prefix(text) {
            self.origin = Some(prefix.origin.to_owned());
            self.outer_fields
                .push(("service".to_owned(), prefix.service.to_owned()));
            if let Some(at) = prefix.time.and_then(time::iso8601) {
                self.outer_time = Some(at);
            }
            return &text[prefix.len..];
        }
        let cx = self.context();
        let Some(line) = builtin::system_line(text, cx) else {
            return text;
        };
        let Some(index) = self.builtin_index(line.format) else {
            return text;
        };
        self.outer_time = line.record.timestamp.or(self.outer_time);
        self.origin = Some(line.origin.to_owned());
        self.outer = Some((index, line.record));
        &text[line.payload..]
    }

    /// java.util.logging writes a record as two lines, the level and message on the second: that
    /// line completes the record its first line began.
    fn completes_two_line_record(&mut self, text: &str) -> bool {
        let Some(pending) = self.pending.as_mut() else {
            return false;
        };
        let waiting = pending.continuation_lines == 0
            && pending.entry.level.is_none()
            && pending.entry.message.is_empty()
            && pending.entry.format.as_deref() == Some(Builtin::Jul.name());
        let Some((level, message)) = waiting.then(|| builtin::jul_level_line(text)).flatten()
        else {
            return false;
        };
        pending.entry.level = Some(level);
        message.clone_into(&mut pending.entry.message);
        true
    }

    fn builtin_index(&self, builtin: Builtin) -> Option<usize> {
        self.formats[self.users..]
            .iter()
            .position(|f| matches!(f.format, Format::Builtin(b) if b == builtin))
            .map(|i| i + self.users)
    }

    /// The entries held back waiting for continuation lines (source idle), in line order.
    pub fn flush(&mut self) -> Vec<LogEntry> {
        let mut out: Vec<LogEntry> = self.ready.drain(..).collect();
        let held: Vec<Pending> = self
            .pending
            .take()
            .into_iter()
            .chain(self.parked.drain(..).map(|p| p.pending))
            .collect();
        self.tracker.reset();
        for pending in held {
            out.push(self.complete(pending));
        }
        out.sort_by_key(|e| e.offset);
        out
    }

    /// The source ended: the entries still held are complete.
    pub fn finish(&mut self) -> Vec<LogEntry> {
        self.flush()
    }

    pub fn stats(&self) -> ParseStats {
        self.stats
    }

    /// The clock is read once per [`CLOCK_EVERY`] lines: it only completes partial dates, where a
    /// few seconds do not matter, and reading it per line would cost as much as a line's parse.
    fn context(&mut self) -> Context {
        if let Some(now) = self.now {
            return Context {
                now,
                probing: false,
            };
        }
        if self.clock_age == 0 {
            self.clock = Utc::now();
        }
        self.clock_age = (self.clock_age + 1) % CLOCK_EVERY;
        Context {
            now: self.clock,
            probing: false,
        }
    }

    /// Try the formats on `text`: user formats in their order, then the built-in that matched
    /// last, then the other built-ins in their order.
    fn read(&mut self, text: &str) -> Option<(usize, Parsed)> {
        let cx = self.context();
        let formats = &self.formats;
        let try_with =
            |cx: Context| move |i: usize| formats[i].format.parse(text, cx).map(|p| (i, p));
        if let Some(found) = (0..self.users).find_map(try_with(cx)) {
            return Some(found);
        }
        let cached = self.last.and_then(try_with(cx));
        if let Some((i, parsed)) = &cached {
            if !self.may_be_more_specific(*i, parsed, text) {
                return cached;
            }
        }
        let probing = Context {
            probing: true,
            ..cx
        };
        let found = (self.users..formats.len()).find_map(try_with(probing))?;
        self.last = Some(found.0);
        Some(found)
    }

    /// The generic ISO-8601 form reads any line that starts with a timestamp, so when it is the
    /// cached format a line of a more specific one (Python's ` - LEVEL - `, log4j's `[thread]`,
    /// Spring's ` --- `) would be misread by it. Lines that look like they might be one of those
    /// go through the full ordered list; the others (the bulk) keep the one-match fast path.
    fn may_be_more_specific(&self, index: usize, parsed: &Parsed, text: &str) -> bool {
        matches!(
            self.formats[index].format,
            Format::Builtin(Builtin::Iso8601)
        ) && (parsed.level.is_none() || text.contains(" - ") || text.contains(" --- "))
    }

    /// Begin a new entry with `line` (`text` is its text without terminal escapes); returns the
    /// one it ends.
    fn start(
        &mut self,
        line: &Line,
        text: &str,
        record: Option<(usize, Parsed)>,
    ) -> Option<LogEntry> {
        let previous = self.pending.take().map(|p| self.complete(p));
        self.tracker.reset();
        self.tracker.observe(text);
        let wrapper = self.outer.take();
        let wrapper_fields = wrapper.as_ref().map(|(_, w)| w.fields.clone());
        // A program's raw output line, which only the logger's prefix made a record.
        let bare_output = record.is_none() && wrapper.is_some();
        let mut entry = match record.or(wrapper) {
            Some((index, parsed)) => {
                self.anchored = parsed.anchors;
                self.stats.bad_timestamps += u64::from(parsed.bad_timestamp);
                let mut entry = LogEntry {
                    source: self.source.clone(),
                    line: line.number,
                    offset: line.offset,
                    timestamp: parsed.timestamp.or(self.outer_time),
                    level: parsed.level,
                    message: parsed.message,
                    fields: parsed.fields,
                    format: Some(self.formats[index].name.clone()),
                    level_from_crash: false,
                };
                if bare_output && multiline::shows_crash(text)
                    || entry.message.contains('\n')
                        && entry.message.lines().any(multiline::shows_crash)
                {
                    raise(&mut entry);
                }
                entry
            }
            None => {
                self.stats.unparsed += 1;
                let mut entry = LogEntry::raw(self.source.clone(), line);
                entry.timestamp = self.outer_time;
                if text != line.text {
                    text.clone_into(&mut entry.message);
                }
                if let Some(found) = fallback::header_level(text) {
                    self.stats.unparsed_with_level += 1;
                    let header = text[..found.start].trim_end();
                    entry.level = Some(found.level);
                    entry.timestamp = fallback::header_time(header).or(self.outer_time);
                    if !header.is_empty() {
                        entry.fields.insert("header".into(), header.to_owned());
                    }
                    if found.end < text.len() {
                        text[found.end..].clone_into(&mut entry.message);
                    }
                }
                if multiline::shows_crash(text) {
                    raise(&mut entry);
                }
                entry
            }
        };
        if entry.message.len() > self.limits.max_bytes {
            // Keep the marker visible: a reader must see that the text was cut, not just where.
            let room = self
                .limits
                .max_bytes
                .saturating_sub(TRUNCATION_MARKER.len());
            let cut = floor_char_boundary(&entry.message, room);
            entry.message.truncate(cut);
            entry.message.push_str(TRUNCATION_MARKER);
        }
        // Who wrote the line (the logger's host, app and pid) for a record read inside its prefix.
        let manager_fields = std::mem::take(&mut self.outer_fields);
        for (key, value) in wrapper_fields.into_iter().flatten().chain(manager_fields) {
            entry.fields.entry(key).or_insert(value);
        }
        self.pending = Some(Pending {
            origin: self.origin.take(),
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

/// A crash is at least an error, unless the record it follows said `warn`: a logger that writes a
/// traceback under a warning (`log.warning("retrying", exc_info=True)`) reports an error it
/// handled. A traceback after an `info` or `debug` record, or after none, is one the runtime
/// printed as the program died.
fn raise(entry: &mut LogEntry) {
    if entry.level < Some(Level::Warn) {
        entry.level = Some(Level::Error);
        entry.level_from_crash = true;
    }
}

/// The largest index ≤ `at` that is a char boundary of `s`.
fn floor_char_boundary(s: &str, at: usize) -> usize {
    (0..=at.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn parser(formats: Vec<FormatSpec>) -> Parser {
        Parser::new(Arc::from("test.log"), &ParseSettings { formats })
            .with_now(Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap())
    }

    fn run(parser: &mut Parser, text: &str) -> Vec<LogEntry> {
        let mut out = Vec::new();
        let mut offset = 0;
        for (i, line) in text.split('\n').enumerate() {
            let line = Line {
                text: line.to_owned(),
                number: i as u64 + 1,
                offset,
                truncated: false,
                lossy: false,
            };
            offset += line.text.len() as u64 + 1;
            out.extend(parser.push(&line));
        }
        out.extend(parser.finish());
        out
    }

    #[test]
    fn interleaved_writers_each_join_their_own_entry() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "api-1     | 2026-12-02 01:00:00,000 ERROR api: charge failed\n\
             worker-1  | 2026-12-02 01:00:00,001 INFO worker: job 1 done\n\
             api-1     | Traceback (most recent call last):\n\
             worker-1  | 2026-12-02 01:00:00,002 WARN worker: retrying\n\
             api-1     |   File \"/app/api.py\", line 3, in <module>\n\
             worker-1  |     at connect (node:net:1:1)\n\
             api-1     | KeyError: 'GBP'\n\
             api-1     | 2026-12-02 01:00:01,000 INFO api: restarted",
        );
        let mut got = got;
        got.sort_by_key(|e| e.line);
        let messages: Vec<(&str, &str)> = got
            .iter()
            .map(|e| (e.service().unwrap(), e.message.as_str()))
            .collect();
        assert_eq!(
            messages,
            [
                (
                    "api",
                    "charge failed\nTraceback (most recent call last):\n  File \"/app/api.py\", line 3, in <module>\nKeyError: 'GBP'"
                ),
                ("worker", "job 1 done"),
                ("worker", "retrying\n    at connect (node:net:1:1)"),
                ("api", "restarted"),
            ]
        );
        assert_eq!(got[0].level, Some(Level::Error));
        // A writer that stays silent has its entry completed after a while, not held forever.
        let mut p = parser(vec![]);
        let mut text = String::from("api-1  | 2026-12-02 01:00:00,000 ERROR api: down\n");
        for i in 0..300 {
            text.push_str(&format!(
                "web-1  | 2026-12-02 01:00:01,000 INFO web: hit {i}\n"
            ));
        }
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = Line {
                text: line.to_owned(),
                number: i as u64 + 1,
                offset: 0,
                truncated: false,
                lossy: false,
            };
            out.extend(p.push(&line));
        }
        assert!(out.iter().any(|e| e.message == "down"), "held forever");
        assert!(p.held_from().is_some());
    }

    #[test]
    fn a_crash_is_shown_from_its_first_line() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "INFO  mailer: sending digest\nTraceback (most recent call last):\n  File \"/srv/m.py\", line 3, in <module>\nKeyError: 'email'\n",
        );
        assert_eq!(
            got[0].about().lines().next(),
            Some("Traceback (most recent call last):")
        );
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "/srv/app/labels.js:4\n  const city = order.customer.address.city;\n                                      ^\n\nTypeError: Cannot read properties of undefined (reading 'city')\n    at shippingLabel (/srv/app/labels.js:4:39)\n",
        );
        assert_eq!(got[0].about().lines().next(), Some("/srv/app/labels.js:4"));
    }

    #[test]
    fn rust_panic_after_a_blank_line_joins_the_record_before_it() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "2026-11-20T10:15:03.855Z INFO  invoicer: reading config/invoicer.conf\n\nthread 'main' (4218) panicked at src/main.rs:13:42:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n2026-11-20T10:15:37.410Z WARN  supervisor: invoicer exited with status 101, restarting in 5s",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[0].level, Some(Level::Error));
        assert_eq!(
            got[0].message,
            "reading config/invoicer.conf\n\nthread 'main' (4218) panicked at src/main.rs:13:42:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
        );
        assert_eq!(got[0].first_line(), "reading config/invoicer.conf");
        assert_eq!(
            got[0].crash_line(),
            Some("thread 'main' (4218) panicked at src/main.rs:13:42:")
        );
        assert_eq!(got[1].crash_line(), None);
        assert_eq!(got[1].line, 6);
        assert_eq!(got[1].level, Some(Level::Warn));
        assert_eq!(got[1].format.as_deref(), Some("iso8601"));
        assert_eq!(
            p.stats(),
            ParseStats {
                entries: 2,
                continuation_lines: 4,
                ..ParseStats::default()
            }
        );
    }

    #[test]
    fn python_traceback_at_column_0_raises_an_info_entry() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "2026-11-20T10:15:03.760Z INFO  worker: 47 recipients due\nTraceback (most recent call last):\n  File \"/srv/app/jobs.py\", line 11, in run\n    timeout = settings['timeout']\nKeyError: 'timeout'\n2026-11-20T10:15:37.956Z INFO  supervisor: restarting",
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].level, Some(Level::Error));
        assert!(got[0].message.ends_with("\nKeyError: 'timeout'"));
        assert_eq!(got[1].level, Some(Level::Info));
    }

    #[test]
    fn unformatted_source_uses_markers_and_counts_unparsed() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "\nstarting\nException in thread \"main\" java.lang.IllegalStateException: boom\n\tat app.Main.main(Main.java:5)\nCaused by: java.io.IOException: disk\n\t... 1 more\nplain line\n",
        );
        let messages: Vec<_> = got.iter().map(LogEntry::first_line).collect();
        assert_eq!(
            messages,
            [
                "starting",
                "Exception in thread \"main\" java.lang.IllegalStateException: boom",
                "plain line"
            ]
        );
        assert_eq!(got[0].level, None);
        assert_eq!(got[1].level, Some(Level::Error));
        assert_eq!(got[1].message.lines().count(), 4);
        assert_eq!(p.stats().unparsed, 3);
        assert_eq!(p.stats().entries, 3);
        assert_eq!(p.stats().blank_lines, 1);
        assert_eq!(got[0].line, 2);
    }

    #[test]
    fn unread_lines_take_a_level_from_their_header() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "+ exec orders\nnode-7 2026-11-20 10:15:04.000 ERROR order 17 failed\nretrying after error\n1795169707 R02 RAS FATAL giving up\nERROR",
        );
        let summary: Vec<_> = got
            .iter()
            .map(|e| {
                (
                    e.level,
                    e.timestamp.map(|t| t.to_rfc3339()),
                    e.message.as_str(),
                    e.format.is_none(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (None, None, "+ exec orders", true),
                (
                    Some(Level::Error),
                    Some("2026-11-20T10:15:04+00:00".into()),
                    "order 17 failed",
                    true
                ),
                (None, None, "retrying after error", true),
                (
                    Some(Level::Critical),
                    Some("2026-11-20T10:15:07+00:00".into()),
                    "giving up",
                    true
                ),
                (Some(Level::Error), None, "ERROR", true),
            ]
        );
        assert_eq!(got[1].fields["header"], "node-7 2026-11-20 10:15:04.000");
        assert_eq!(p.stats().unparsed, 5);
        assert_eq!(p.stats().unparsed_with_level, 3);
    }

    #[test]
    fn entries_are_bounded_and_drops_counted() {
        let mut p = parser(vec![]).with_limits(Limits {
            max_lines: 3,
            max_bytes: 1024,
        });
        let mut text = String::from("2026-11-20T10:15:03Z ERROR app: boom\n");
        for i in 0..10 {
            text.push_str(&format!("    at frame{i} (/srv/a.js:{i}:1)\n"));
        }
        text.push_str("2026-11-20T10:15:04Z INFO app: next");
        let got = run(&mut p, &text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].message.lines().count(), 4);
        assert_eq!(got[0].fields["dropped_lines"], "7");
        assert_eq!(p.stats().dropped_lines, 7);
    }

    #[test]
    fn plain_lines_after_a_record_are_entries_of_their_own() {
        let mut p = parser(vec![]).with_limits(Limits {
            max_lines: 2,
            max_bytes: 1024,
        });
        let got = run(
            &mut p,
            "2026-11-20T10:15:03Z INFO app: up\nplain 1\nplain 2\n  indented 1\n  indented 2\n  indented 3",
        );
        let firsts: Vec<_> = got.iter().map(LogEntry::first_line).collect();
        // Only what looks like a continuation continues, and only up to the entry's limit.
        assert_eq!(firsts, ["up", "plain 1", "plain 2"]);
        assert_eq!(got[2].message, "plain 2\n  indented 1\n  indented 2");
        assert_eq!(p.stats().unparsed, 2);
        assert_eq!(p.stats().dropped_lines, 1);
    }

    #[test]
    fn byte_limit_holds_with_multibyte_text() {
        let mut p = parser(vec![]).with_limits(Limits {
            max_lines: 100,
            max_bytes: 64,
        });
        let got = run(
            &mut p,
            &format!(
                "2026-11-20T10:15:03Z ERROR app: boom\n  {}\n  {}",
                "é".repeat(20),
                "ü".repeat(40)
            ),
        );
        assert!(got[0].message.len() <= 64, "{}", got[0].message.len());
        assert_eq!(p.stats().dropped_lines, 1);
    }

    #[test]
    fn user_formats_win_over_builtins_and_fields_are_kept() {
        let spec = FormatSpec {
            name: "shop".into(),
            regex: Regex::new(
                r"^(?P<timestamp>\S+ \S+) (?P<level>[A-Z]+) +(?P<component>\w+): (?P<message>.*)$",
            )
            .unwrap(),
            timestamp_format: Some("%Y-%m-%d %H:%M:%S%.3f".into()),
        };
        let mut p = parser(vec![spec]);
        let got = run(
            &mut p,
            "2026-11-20 10:15:03.347 ERROR db: pool exhausted\n{\"level\":\"warn\",\"msg\":\"json too\"}\n2026-11-20 10:15:04.000 INFO db: ok",
        );
        assert_eq!(got[0].format.as_deref(), Some("shop"));
        assert_eq!(got[0].fields["component"], "db");
        assert_eq!(
            got[0].timestamp.unwrap().to_rfc3339(),
            "2026-11-20T10:15:03.347+00:00"
        );
        assert_eq!(got[1].format.as_deref(), Some("json"));
        assert_eq!(got[2].format.as_deref(), Some("shop"));
    }

    #[test]
    fn formats_switch_within_a_source() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "<11>Oct 11 22:14:15 host app[1]: disk failure\n{\"level\":\"error\",\"time\":\"2026-11-20T10:15:03Z\",\"msg\":\"x\"}\n2026/11/20 10:15:03 ERROR go says",
        );
        // The syslog line's writer (`app[1]`) may write on: its entry waits, and comes last.
        let mut got = got;
        got.sort_by_key(|e| e.line);
        let formats: Vec<_> = got.iter().map(|e| e.format.as_deref().unwrap()).collect();
        assert_eq!(formats, ["syslog-rfc3164", "json", "go-log"]);
        assert!(got.iter().all(|e| e.level == Some(Level::Error)));
    }

    #[test]
    fn the_generic_iso_form_does_not_shadow_specific_ones() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "2026-11-20T10:15:01Z INFO worker: up\n2026-11-20 10:15:02,000 - app.db - ERROR - down\n2026-11-20 10:15:03,000 [main] WARN  c.e.App - slow\n2026-11-20 10:15:04,000:ERROR:app:colon\n2026-11-20T10:15:05.000Z ERROR 42 --- [main] c.e.App : spring\n2026-11-20T10:15:06Z INFO worker: again",
        );
        let formats: Vec<_> = got.iter().map(|e| e.format.as_deref().unwrap()).collect();
        assert_eq!(
            formats,
            [
                "iso8601",
                "python-asctime",
                "log4j",
                "python-asctime",
                "spring-boot",
                "iso8601"
            ]
        );
        let messages: Vec<_> = got.iter().map(LogEntry::first_line).collect();
        assert_eq!(messages, ["up", "down", "slow", "colon", "spring", "again"]);
    }

    #[test]
    fn colored_output_is_read_as_plain_text() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            "\u{1b}[2m2026-11-20T10:15:03.123456Z\u{1b}[0m \u{1b}[31mERROR\u{1b}[0m \u{1b}[2mmy_app::db\u{1b}[0m\u{1b}[2m:\u{1b}[0m query failed\n\u{1b}[31mplain red\u{1b}[0m",
        );
        assert_eq!(got[0].format.as_deref(), Some("tracing"));
        assert_eq!(got[0].level, Some(Level::Error));
        assert_eq!(got[0].message, "query failed");
        assert_eq!(got[1].message, "plain red");
    }

    #[test]
    fn container_wrappers_are_removed_and_their_time_kept() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            concat!(
                r#"{"log":"2026-11-20T10:15:03Z INFO worker: up\n","stream":"stdout","time":"2026-11-20T10:15:03.5Z"}"#,
                "\n",
                r#"{"log":"Traceback (most recent call last):\n","stream":"stderr","time":"2026-11-20T10:15:04Z"}"#,
                "\n",
                r#"{"log":"  File \"/app/w.py\", line 3, in <module>\n","stream":"stderr","time":"2026-11-20T10:15:04Z"}"#,
                "\n",
                r#"{"log":"KeyError: 'timeout'\n","stream":"stderr","time":"2026-11-20T10:15:04Z"}"#,
                "\n",
                "2026-11-20T10:15:05.000000001Z stdout F \u{1b}[1mcolored\u{1b}[0m words\n",
                "2026-11-20T10:15:06Z stderr F 2026-11-20T10:15:06Z ERROR worker: down",
            ),
        );
        let summary: Vec<_> = got
            .iter()
            .map(|e| {
                (
                    e.timestamp.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    e.level,
                    e.first_line().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "2026-11-20T10:15:03+00:00".to_owned(),
                    Some(Level::Error),
                    "up".to_owned()
                ),
                (
                    "2026-11-20T10:15:05.000000001+00:00".to_owned(),
                    None,
                    "colored words".to_owned()
                ),
                (
                    "2026-11-20T10:15:06+00:00".to_owned(),
                    Some(Level::Error),
                    "down".to_owned()
                ),
            ]
        );
        // The traceback continues the record; the plain line after it is an entry of its own.
        assert!(
            got[0].message.ends_with("\nKeyError: 'timeout'"),
            "{:?}",
            got[0].message
        );
    }

    #[test]
    fn json_stack_raises_level() {
        let mut p = parser(vec![]);
        let got = run(
            &mut p,
            r#"{"level":"info","msg":"handled","stack":"Error: boom\n    at f (/srv/a.js:1:2)"}"#,
        );
        assert_eq!(got[0].level, Some(Level::Error));
    }

    #[test]
    fn flush_hands_over_the_pending_entry() {
        let mut p = parser(vec![]);
        let line = Line {
            text: "2026-11-20T10:15:03Z ERROR app: boom".into(),
            number: 1,
            offset: 0,
            truncated: false,
            lossy: false,
        };
        assert!(p.push(&line).is_none());
        assert_eq!(p.flush()[0].message, "boom");
        assert!(p.flush().is_empty());
        assert_eq!(p.stats().entries, 1);
    }

    /// Every prefix and suffix (at char boundaries) of lines of every format: the shapes most
    /// likely to trip an index or a slice in hand-written readers.
    #[test]
    fn cut_lines_never_panic() {
        let samples = [
            "2026-11-20T10:15:03.123+01:00 [ERROR] worker[42]: job failed: x",
            "2026-11-20 10:15:03,123 - app.db - ERROR - query failed",
            "2026-11-20 10:15:03,123:CRITICAL:app:gone",
            "2026-11-20T10:15:03.123456Z ERROR sync{shard=0}: my_app::db: failed",
            "2026-11-20T10:15:03.123+01:00 ERROR 4242 --- [shop] [main] c.e.Svc : x",
            "10:15:03.123 [main] ERROR com.example.App - boom",
            "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed",
            "<165>1 2026-11-20T10:15:03.123Z host app 42 ID47 [a b=\"c\\\"d\"] \u{feff}event",
            "[2026-11-20T10:15:03Z ERROR my_app::db] failed",
            "2026/11/20 10:15:03.123456 main.go:42: ERROR db unreachable",
            r#"203.0.113.9 - frank [20/Nov/2026:10:15:03 +0000] "GET /a\"b HTTP/1.1" 502 512 "-" "curl/8""#,
            "ERROR:root:something broke",
            r#"time=2026-11-20T10:15:03Z level=ERROR msg="a \"b\" c" k=v"#,
            r#"{"level":"error","time":"2026-11-20T10:15:03Z","msg":"é","err":{"stack":"x\ny"}}"#,
            "thread 'main' (4218) panicked at src/main.rs:13:42:",
            "/srv/x/labels.js:5",
            "2026-11-20T10:15:03Zé ÉRROR ü: ñ",
            "11-20 10:15:03.123  4242  4251 E OrdersDb: order 17 failed",
            "11-20 10:15:03.123 I/chatty  ( 4242): x",
            "E/OrdersDb( 4242): order 17 failed",
            "17/06/09 20:10:40 INFO executor.Backend: x",
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: x",
            "2017-05-16 00:00:00.008 25746 INFO nova.api [req-1 - - -] x",
            "2026-11-20 10:15:04.000 UTC [4251] ERROR:  é",
            "2016-09-28 04:30:31, Error    CSI    x",
            "node-7 2026-11-20 10:15:04.000 [ERROR]: é",
            "- 1117838570 2005.06.03 R02 RAS KERNEL FATAL x",
            "\u{1b}[2m2026-11-20T10:15:03.123456Z\u{1b}[0m \u{1b}[31mERROR\u{1b}]8;;x\u{7}",
        ];
        let mut p = parser(vec![]);
        let mut number = 0;
        for sample in samples {
            let bounds: Vec<usize> = (0..=sample.len())
                .filter(|&i| sample.is_char_boundary(i))
                .collect();
            for &i in &bounds {
                for text in [&sample[..i], &sample[i..]] {
                    number += 1;
                    p.push(&Line {
                        text: text.to_owned(),
                        number,
                        offset: 0,
                        truncated: false,
                        lossy: false,
                    });
                }
            }
        }
        p.finish();
        assert!(p.stats().entries > 0);
    }

    #[test]
    fn hostile_lines_never_panic() {
        let mut p = parser(vec![]);
        let text = "\u{0}\u{1b}[31m\n{\n}\n<\n<999>\n[\n2026-\n\t\n\u{fffd}\u{fffd}\n{\"level\":[],\"msg\":{}}\nlevel=\"\nthread '\n/x:1\n";
        let got = run(&mut p, text);
        assert!(!got.is_empty());
    }
}
