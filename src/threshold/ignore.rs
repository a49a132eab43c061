//! `ignore:` in the config: kinds of entries that never trip, however often they repeat. Each
//! names a template (as `patterns` prints it, `<*>` for a variable), a fingerprint (the incident's
//! `fingerprint` or `error_type`), or a regex searched in the entry's text (as rules search it);
//! with a `level`, only entries at that level or below are ignored, so the same message at a
//! higher level still trips.

use regex::Regex;

use super::rules::rule_text;
use crate::parse::{Level, LogEntry};
use crate::pattern::Classified;

/// What an ignore entry names.
#[derive(Debug, Clone)]
pub enum Ignored {
    /// A template: the entry's template is it, or its first line reads as it (`<*>` standing for
    /// any text), which also holds before the template has generalised.
    Template { text: String, reads: Regex },
    /// A fingerprint id or error type.
    Fingerprint(String),
    /// A regex over the entry's message and fields.
    Match(Regex),
}

/// One `ignore:` entry.
#[derive(Debug, Clone)]
pub struct Ignore {
    pub what: Ignored,
    /// Highest level ignored; every level when `None`.
    pub level: Option<Level>,
}

impl Ignore {
    /// Ignore entries whose template is `template`.
    pub fn template(template: &str, level: Option<Level>) -> Ignore {
        let pattern = template
            .split("<*>")
            .map(regex::escape)
            .collect::<Vec<_>>()
            .join(".*?");
        let reads = Regex::new(&format!("^{pattern}$")).expect("escaped text compiles");
        Ignore {
            what: Ignored::Template {
                text: template.to_owned(),
                reads,
            },
            level,
        }
    }

    /// Whether `entry`, classified as `classified`, is of a kind this ignores.
    pub fn covers(&self, entry: &LogEntry, classified: &Classified) -> bool {
        if self
            .level
            .is_some_and(|max| entry.level.is_some_and(|level| level > max))
        {
            return false;
        }
        match &self.what {
            Ignored::Template { text, reads } => {
                *classified.template == **text || reads.is_match(entry.first_line())
            }
            Ignored::Fingerprint(id) => {
                *classified.fingerprint.id == **id || *classified.fingerprint.error_type == **id
            }
            Ignored::Match(regex) => regex.is_match(&rule_text(entry)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Fingerprint;
    use std::sync::Arc;

    fn entry(level: Level, message: &str) -> LogEntry {
        LogEntry {
            level: Some(level),
            message: message.to_owned(),
            ..LogEntry::raw(
                Arc::from("-"),
                &crate::source::Line {
                    text: String::new(),
                    number: 1,
                    offset: 0,
                    truncated: false,
                    lossy: false,
                },
            )
        }
    }

    fn classified(template: &str) -> Classified {
        Classified {
            pattern_id: "p".into(),
            template: template.into(),
            fingerprint: Fingerprint {
                id: "f00d".into(),
                error_type: "slow-query".into(),
            },
            group: 1,
            absorbed: Vec::new(),
            trace: None,
        }
    }

    #[test]
    fn templates_fingerprints_and_regexes_at_or_below_a_level() {
        let slow = entry(Level::Warn, "slow query took 1250ms");
        let c = classified("slow query took 1250ms");
        assert!(Ignore::template("slow query took <*>ms", None).covers(&slow, &c));
        assert!(!Ignore::template("slow query", None).covers(&slow, &c));
        let by_id = Ignore {
            what: Ignored::Fingerprint("slow-query".into()),
            level: Some(Level::Warn),
        };
        assert!(by_id.covers(&slow, &c));
        assert!(!by_id.covers(&entry(Level::Error, "slow query took 9s"), &c));
        let by_regex = Ignore {
            what: Ignored::Match(Regex::new(r"took \d+ms").unwrap()),
            level: None,
        };
        assert!(by_regex.covers(&slow, &c));
    }
}
