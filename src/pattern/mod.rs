//! Pattern stage: decides which entries are "the same error".
//!
//! - [`mask`] replaces variable tokens (numbers, ids, addresses …) before clustering;
//! - [`miner`] mines message templates online, one pass, bounded memory;
//! - [`trace`] extracts structured stack traces from an entry's text;
//! - [`fingerprint`] names an error: exception type + masked message + top in-app frames, else the
//!   template.
//!
//! [`PatternEngine`] is the stage's face to the pipeline. Templates generalise as data arrives, so
//! an entry's template (and a trace-less entry's fingerprint) can change early on; pattern ids are
//! hashes of template text, hence equal across runs and hosts for equal input. Memory is bounded:
//! at most `max_patterns` templates, and statistics re-keyed and pruned when they outgrow that.

pub mod fingerprint;
pub mod mask;
pub mod miner;
pub mod trace;

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset};
use regex::Regex;

use crate::hash::Map;
use crate::parse::{Level, LogEntry};

pub use fingerprint::Fingerprint;
pub use trace::{Frame, Language, StackTrace};

/// Default cap on the number of live patterns; the least recently used is evicted beyond it.
pub const DEFAULT_MAX_PATTERNS: usize = 10_000;

/// What the pattern stage needs from the configuration.
#[derive(Debug, Clone)]
pub struct PatternSettings {
    /// Names of the built-in masks to apply (see [`mask::BUILTIN`]).
    pub masks: Vec<String>,
    /// User masks: (name, regex); a match becomes `<*>`.
    pub extra_masks: Vec<(String, Regex)>,
    pub max_patterns: usize,
}

impl Default for PatternSettings {
    fn default() -> Self {
        PatternSettings {
            masks: mask::BUILTIN.iter().map(|m| m.to_string()).collect(),
            extra_masks: Vec::new(),
            max_patterns: DEFAULT_MAX_PATTERNS,
        }
    }
}

/// The pattern stage's verdict on one entry.
#[derive(Debug, Clone)]
pub struct Classified {
    /// Stable id of the template (a hash of its text).
    pub pattern_id: Arc<str>,
    /// The template, variables as `<*>`.
    pub template: Arc<str>,
    /// The identity of the error: names incidents, solutions and branches across runs.
    pub fingerprint: Fingerprint,
    /// What the threshold counts by within a run: the fingerprint for an entry with a trace, else
    /// the template's cluster, which (unlike the template's id) stays the same while the template
    /// generalises, so `user alice not found`, `user bob not found`, `user carol not found` count
    /// as one error from the first.
    pub group: u64,
    /// Groups this entry's cluster absorbed: the threshold folds their counts into `group`.
    pub absorbed: Vec<u64>,
    /// The entry's stack trace, when it has one.
    pub trace: Option<StackTrace>,
}

/// The line an entry's template is mined from: its first line, unless a crash made the entry an
/// error that its record was not (`INFO starting worker` and then a traceback): the entry is then
/// about the crash, and the exception's own line (`KeyError: 'host'`) names it.
pub fn subject<'a>(entry: &'a LogEntry, trace: Option<&StackTrace>) -> Cow<'a, str> {
    match trace.and_then(StackTrace::primary) {
        Some(exception) if entry.level_from_crash => Cow::Owned(exception.headline()),
        _ => Cow::Borrowed(entry.first_line()),
    }
}

/// [`subject`] for a caller without the trace at hand: only an entry a crash raised needs it.
pub fn subject_of(entry: &LogEntry) -> Cow<'_, str> {
    if entry.level_from_crash {
        subject(entry, trace::extract(&entry.message).as_ref())
    } else {
        Cow::Borrowed(entry.first_line())
    }
}

/// A mined pattern with its statistics, for reports.
#[derive(Debug, Clone)]
pub struct PatternSummary {
    pub id: String,
    pub template: String,
    /// The most severe level seen among its entries.
    pub level: Option<Level>,
    pub count: u64,
    pub first_seen: Option<DateTime<FixedOffset>>,
    pub last_seen: Option<DateTime<FixedOffset>>,
}

/// The pattern stage: mines templates and fingerprints entries.
pub struct PatternEngine {
    masker: mask::Masker,
    miner: miner::Miner,
    /// Reused for every message: tokenising allocates nothing once it is warm.
    tokens: Vec<mask::Token>,
    max_patterns: usize,
    /// Per pattern id as it was when counted; see [`PatternEngine::summaries`].
    stats: Map<Arc<str>, Stat>,
    /// Each template's fingerprint by the template's id: redacting and slugging the template
    /// once, not on every line that has it.
    slugs: Map<Arc<str>, Fingerprint>,
}

impl PatternEngine {
    pub fn new(settings: &PatternSettings) -> PatternEngine {
        PatternEngine {
            masker: mask::Masker::new(&settings.masks, &settings.extra_masks),
            miner: miner::Miner::new(settings.max_patterns),
            tokens: Vec::new(),
            max_patterns: settings.max_patterns,
            stats: Map::default(),
            slugs: Map::default(),
        }
    }

    /// The fingerprint of a trace-less entry: its template's (see [`Fingerprint::of`]), whose id
    /// is the template's id.
    fn template_fingerprint(&mut self, mined: &miner::Mined) -> Fingerprint {
        if self.slugs.len() > 2 * self.max_patterns.max(1024) {
            self.slugs.clear();
        }
        self.slugs
            .entry(mined.id.clone())
            .or_insert_with(|| Fingerprint {
                id: mined.id.clone(),
                error_type: fingerprint::template_slug(&mined.template).into(),
            })
            .clone()
    }

    /// Mine `message` into a template without a full entry (`patterns --raw`).
    pub fn mine(&mut self, message: &str) -> miner::Mined {
        self.masker.tokenize(message, &mut self.tokens);
        self.miner.add(message, &self.tokens)
    }

    /// The template `message` has now, after everything mined so far, learning from it only if no
    /// template matches it. A second pass of `lookup` over mined input gives every message its final
    /// template, the one later messages generalised its cluster to.
    pub fn lookup(&mut self, message: &str) -> miner::Mined {
        self.masker.tokenize(message, &mut self.tokens);
        self.miner.lookup(message, &self.tokens)
    }

    /// Live templates, largest first.
    pub fn templates(&self) -> Vec<miner::ClusterInfo> {
        self.miner.clusters()
    }

    /// A preparer of entries for this engine, to run on another thread.
    pub fn preparer(&self) -> Preparer {
        Preparer {
            masker: self.masker.clone(),
        }
    }

    /// Classify one entry: its template, its trace, its fingerprint.
    pub fn classify(&mut self, entry: &LogEntry) -> Classified {
        let trace = trace::extract(&entry.message);
        let subject = subject(entry, trace.as_ref());
        let mut tokens = std::mem::take(&mut self.tokens);
        self.masker.tokenize(&subject, &mut tokens);
        let classified = self.classify_parts(entry, trace, &subject, &tokens);
        self.tokens = tokens;
        classified
    }

    /// [`PatternEngine::classify`] of a prepared entry: the same verdict.
    pub fn classify_prepared(&mut self, prepared: &Prepared) -> Classified {
        self.with_tokens(prepared, |engine, tokens| {
            let (entry, trace) = (&prepared.entry, prepared.trace.clone());
            engine.classify_parts(entry, trace, prepared.subject(), tokens)
        })
    }

    /// [`PatternEngine::mine`] of a prepared entry's subject.
    pub fn mine_prepared(&mut self, prepared: &Prepared) -> miner::Mined {
        self.with_tokens(prepared, |engine, tokens| {
            engine.miner.add(prepared.subject(), tokens)
        })
    }

    /// [`PatternEngine::lookup`] of a prepared entry's subject.
    pub fn lookup_prepared(&mut self, prepared: &Prepared) -> miner::Mined {
        self.with_tokens(prepared, |engine, tokens| {
            engine.miner.lookup(prepared.subject(), tokens)
        })
    }

    /// `f` with the prepared entry's tokens, masked here when the preparer left them out.
    fn with_tokens<R>(
        &mut self,
        prepared: &Prepared,
        f: impl FnOnce(&mut Self, &[mask::Token]) -> R,
    ) -> R {
        if prepared.masked {
            return f(self, &prepared.tokens);
        }
        let mut tokens = std::mem::take(&mut self.tokens);
        self.masker.tokenize(prepared.subject(), &mut tokens);
        let result = f(self, &tokens);
        self.tokens = tokens;
        result
    }

    /// A prepared entry mined and counted for [`PatternEngine::summaries`], as
    /// [`PatternEngine::classify_prepared`] does, without the verdict (`patterns`' table reads
    /// only the counts).
    pub fn count_prepared(&mut self, prepared: &Prepared) {
        self.with_tokens(prepared, |engine, tokens| {
            engine.count(&prepared.entry, prepared.subject(), tokens);
        });
    }

    /// The verdict on `entry`, whose subject `message` has been tokenized into `tokens`.
    fn classify_parts(
        &mut self,
        entry: &LogEntry,
        trace: Option<StackTrace>,
        message: &str,
        tokens: &[mask::Token],
    ) -> Classified {
        let mined = self.count(entry, message, tokens);
        let fingerprint = if Fingerprint::from_trace(trace.as_ref()) {
            Fingerprint::of(trace.as_ref(), &mined.template, &self.masker)
        } else {
            self.template_fingerprint(&mined)
        };
        // Trace fingerprints and cluster keys share one space: the top bit tells them apart.
        let group = match &trace {
            Some(_) => xxhash_rust::xxh3::xxh3_64(fingerprint.id.as_bytes()) | 1 << 63,
            None => mined.cluster,
        };
        Classified {
            pattern_id: mined.id,
            template: mined.template,
            fingerprint,
            group,
            absorbed: mined.absorbed,
            trace,
        }
    }

    /// `message` (of `entry`, tokenized into `tokens`) mined and counted under its template.
    fn count(&mut self, entry: &LogEntry, message: &str, tokens: &[mask::Token]) -> miner::Mined {
        let mined = self.miner.add_unparametrised(message, tokens);
        let stat = self.stats.entry(mined.id.clone()).or_insert_with(|| Stat {
            example: message.to_owned(),
            summary: PatternSummary {
                id: mined.id.to_string(),
                template: mined.template.to_string(),
                level: None,
                count: 0,
                first_seen: entry.timestamp,
                last_seen: None,
            },
        });
        let summary = &mut stat.summary;
        summary.count += 1;
        summary.level = summary.level.max(entry.level);
        summary.first_seen = summary.first_seen.or(entry.timestamp);
        summary.last_seen = entry.timestamp.or(summary.last_seen);
        if self.stats.len() > 2 * self.max_patterns.max(1024) {
            self.stats = self.current_stats();
        }
        mined
    }

    /// Every pattern seen, largest first.
    pub fn summaries(&self) -> Vec<PatternSummary> {
        let mut all: Vec<_> = self
            .current_stats()
            .into_values()
            .map(|s| s.summary)
            .collect();
        all.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.template.cmp(&b.template))
        });
        all
    }

    /// The statistics re-keyed by the templates as they are now: a template generalises as data
    /// arrives, and the entries counted under its earlier forms belong to it. Patterns evicted
    /// since are dropped.
    fn current_stats(&self) -> Map<Arc<str>, Stat> {
        let mut tokens = Vec::new();
        let mut current: Map<Arc<str>, Stat> = Map::default();
        for stat in self.stats.values() {
            self.masker.tokenize(&stat.example, &mut tokens);
            let Some(now) = self.miner.peek(&stat.example, &tokens) else {
                continue;
            };
            let s = &stat.summary;
            match current.get_mut(&now.id) {
                Some(into) => {
                    let t = &mut into.summary;
                    t.count += s.count;
                    t.level = t.level.max(s.level);
                    t.first_seen = match (t.first_seen, s.first_seen) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    t.last_seen = match (t.last_seen, s.last_seen) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                }
                None => {
                    let mut summary = s.clone();
                    summary.id = now.id.to_string();
                    summary.template = now.template.to_string();
                    current.insert(
                        now.id,
                        Stat {
                            example: stat.example.clone(),
                            summary,
                        },
                    );
                }
            }
        }
        current
    }
}

/// An entry with what the pattern stage reads from its text alone: its trace, the line its
/// template is mined from (see [`subject`]) and that line's tokens. Masking is a third of the
/// stage's work and needs no state, so a reader thread prepares the entries while the miner, which
/// must see them one at a time and in order, works on the ones before.
pub struct Prepared {
    pub entry: LogEntry,
    trace: Option<StackTrace>,
    /// The subject when it is not the entry's first line.
    subject: Option<String>,
    /// The length of the entry's first line (a prefix of its message), found once.
    first_line: usize,
    /// The subject's tokens, when `masked`; else the engine masks it.
    tokens: Vec<mask::Token>,
    masked: bool,
}

impl Prepared {
    fn subject(&self) -> &str {
        match &self.subject {
            Some(subject) => subject,
            None => &self.entry.message[..self.first_line],
        }
    }
}

/// Prepares entries for a [`PatternEngine`] (see [`PatternEngine::preparer`]); it holds a masker
/// of the engine's settings, and masking has no state, so it gives the tokens the engine would.
#[derive(Debug, Clone)]
pub struct Preparer {
    masker: mask::Masker,
}

impl Preparer {
    /// `entry` with its trace and subject, and with the subject masked when `mask`: masking is
    /// the bulk of the work, and the thread with time to spare is the one to do it (the engine
    /// masks what the preparer left; the tokens are the same either way).
    pub fn prepare(&self, entry: LogEntry, mask: bool) -> Prepared {
        let trace = trace::extract(&entry.message);
        let subject = match subject(&entry, trace.as_ref()) {
            Cow::Owned(subject) => Some(subject),
            Cow::Borrowed(_) => None,
        };
        let first_line = entry.first_line().len();
        let mut prepared = Prepared {
            entry,
            trace,
            subject,
            first_line,
            tokens: Vec::new(),
            masked: mask,
        };
        if mask {
            let mut tokens = Vec::new();
            self.masker.tokenize(prepared.subject(), &mut tokens);
            prepared.tokens = tokens;
        }
        prepared
    }
}

/// Statistics of one pattern, with a message of it to find its current template by.
#[derive(Debug, Clone)]
struct Stat {
    example: String,
    summary: PatternSummary,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Line;
    use std::sync::Arc;

    fn entries() -> Vec<LogEntry> {
        let sample = include_str!("../../fixtures/same-output/loghub-sample.log");
        let traces = "INFO starting\nTraceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    x = d['k']\nKeyError: 'k'";
        sample
            .lines()
            .chain([traces, traces])
            .enumerate()
            .map(|(i, text)| {
                let line = Line {
                    text: text.to_owned(),
                    number: i as u64 + 1,
                    offset: 0,
                    truncated: false,
                    lossy: false,
                };
                let mut entry = LogEntry::raw(Arc::from("t.log"), &line);
                entry.level_from_crash = text.contains("Traceback");
                entry
            })
            .collect()
    }

    /// What the threshold and the reports read of a verdict.
    fn seen(c: &Classified) -> (Arc<str>, Arc<str>, Fingerprint, u64, Vec<u64>) {
        (
            c.pattern_id.clone(),
            c.template.clone(),
            c.fingerprint.clone(),
            c.group,
            c.absorbed.clone(),
        )
    }

    #[test]
    fn a_prepared_entry_gets_the_verdict_of_classify_masked_on_either_thread() {
        let settings = PatternSettings::default();
        let mut direct = PatternEngine::new(&settings);
        let mut ahead = PatternEngine::new(&settings);
        let mut late = PatternEngine::new(&settings);
        let (early, lazy) = (ahead.preparer(), late.preparer());
        for (i, entry) in entries().into_iter().enumerate() {
            let want = seen(&direct.classify(&entry));
            // Alternating, as the reader does when the other thread starts or stops waiting.
            let masked = early.prepare(entry.clone(), i % 3 != 0);
            assert_eq!(
                seen(&ahead.classify_prepared(&masked)),
                want,
                "{}",
                entry.message
            );
            let unmasked = lazy.prepare(entry.clone(), false);
            assert_eq!(
                seen(&late.classify_prepared(&unmasked)),
                want,
                "{}",
                entry.message
            );
        }
        assert_eq!(direct.summaries().len(), ahead.summaries().len());
    }
}
