//! Severity levels, normalised from the many spellings logs use, and ordered so that a threshold on
//! `error` also counts `critical`.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// A normalised severity, ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Notice,
    Warn,
    Error,
    /// Critical, fatal, panic, emergency, alert: the program (or part of it) cannot go on.
    Critical,
}

impl Level {
    pub const ALL: [Level; 7] = [
        Level::Trace,
        Level::Debug,
        Level::Info,
        Level::Notice,
        Level::Warn,
        Level::Error,
        Level::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "trace",
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Notice => "notice",
            Level::Warn => "warn",
            Level::Error => "error",
            Level::Critical => "critical",
        }
    }

    /// Recognise a level word as loggers write it: any case, short forms (`W`, `E`, `ERR`, `WRN`),
    /// long forms (`WARNING`, `FATAL`, `SEVERE`) and syslog's names. Returns `None` for anything else.
    pub fn parse(word: &str) -> Option<Level> {
        let word = word.trim();
        if word.is_empty() || word.len() > 13 {
            return None;
        }
        let lower = word.to_ascii_lowercase();
        let level = match lower.as_str() {
            "trace" | "trc" | "t" | "finest" | "finer" | "verbose" | "v" => Level::Trace,
            "debug" | "dbg" | "d" | "fine" | "debug1" | "debug2" | "debug3" => Level::Debug,
            // PostgreSQL's `LOG` is its ordinary informational record.
            "info" | "inf" | "i" | "information" | "informational" | "config" | "log" => {
                Level::Info
            }
            "notice" | "n" => Level::Notice,
            "warn" | "warning" | "wrn" | "w" => Level::Warn,
            "error" | "err" | "e" | "severe" | "fail" | "failure" => Level::Error,
            "critical" | "crit" | "c" | "fatal" | "ftl" | "f" | "panic" | "alert" | "emerg"
            | "emergency" | "dpanic" => Level::Critical,
            _ => return slog_offset(&lower),
        };
        Some(level)
    }

    /// A level word found where free text could also stand (after a timestamp, at the start of a
    /// message): all-capitals words in any of [`Level::parse`]'s spellings, otherwise only the full
    /// names, so that "a user", "Fine, done" or "err on the safe side" are not read as levels.
    pub fn parse_loose(word: &str) -> Option<Level> {
        if word.is_empty() {
            return None;
        }
        if word
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Level::parse(word);
        }
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "trace" | "debug" | "info" | "notice" | "warn" | "warning" | "error" | "critical"
            | "fatal" | "alert" | "emerg" | "emergency" | "panic" => Level::parse(&lower),
            _ => None,
        }
    }

    /// A numeric level as JSON loggers write it: syslog severities 0–7, or pino/bunyan's 10–60.
    pub fn from_number(n: f64) -> Option<Level> {
        if !(0.0..=100.0).contains(&n) || n.fract() != 0.0 {
            return None;
        }
        // Range-checked above, so the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let n = n as u8;
        Some(match n {
            0..=7 => Level::from_syslog_severity(n),
            8..=10 => Level::Trace,
            11..=20 => Level::Debug,
            21..=30 => Level::Info,
            31..=40 => Level::Warn,
            41..=50 => Level::Error,
            _ => Level::Critical,
        })
    }

    /// Syslog severity number (RFC 5424 §6.2.1): 0 emergency … 7 debug.
    pub fn from_syslog_severity(severity: u8) -> Level {
        match severity {
            0..=2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warn,
            5 => Level::Notice,
            6 => Level::Info,
            _ => Level::Debug,
        }
    }
}

/// Go's slog names levels between its own as `BASE+N` / `BASE-N` (`ERROR+4`, `INFO-2`): the base
/// level, except that anything above `ERROR` is critical.
fn slog_offset(word: &str) -> Option<Level> {
    let at = word.find(['+', '-'])?;
    let (base, offset) = word.split_at(at);
    let offset: i8 = offset.parse().ok()?;
    let base = match base {
        "debug" => Level::Debug,
        "info" => Level::Info,
        "warn" => Level::Warn,
        "error" => Level::Error,
        _ => return None,
    };
    Some(if base == Level::Error && offset > 0 {
        Level::Critical
    } else {
        base
    })
}

impl Level {
    /// The message for a word that is not a level.
    pub fn parse_error(word: &str) -> String {
        format!(
            "unknown level '{word}' (expected one of: {})",
            Level::ALL.map(Level::as_str).join(", ")
        )
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::parse(s).ok_or_else(|| Level::parse_error(s))
    }
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_normalise() {
        assert_eq!(Level::parse("WARNING"), Some(Level::Warn));
        assert_eq!(Level::parse("W"), Some(Level::Warn));
        assert_eq!(Level::parse("ERR"), Some(Level::Error));
        assert_eq!(Level::parse("Fatal"), Some(Level::Critical));
        assert_eq!(Level::parse("loud"), None);
        assert_eq!(Level::parse("ERROR+4"), Some(Level::Critical));
        assert_eq!(Level::parse("INFO-2"), Some(Level::Info));
        assert_eq!(Level::parse("LOUD+1"), None);
    }

    #[test]
    fn loose_words_need_capitals_or_full_names() {
        assert_eq!(Level::parse_loose("ERR"), Some(Level::Error));
        assert_eq!(Level::parse_loose("Warning"), Some(Level::Warn));
        assert_eq!(Level::parse_loose("info"), Some(Level::Info));
        assert_eq!(Level::parse_loose("W"), Some(Level::Warn));
        assert_eq!(Level::parse_loose("i"), None);
        assert_eq!(Level::parse_loose("A"), None);
        assert_eq!(Level::parse_loose("Fine"), None);
        assert_eq!(Level::parse_loose("err"), None);
    }

    #[test]
    fn numbers_map_to_levels() {
        assert_eq!(Level::from_number(3.0), Some(Level::Error));
        assert_eq!(Level::from_number(30.0), Some(Level::Info));
        assert_eq!(Level::from_number(50.0), Some(Level::Error));
        assert_eq!(Level::from_number(60.0), Some(Level::Critical));
        assert_eq!(Level::from_number(-1.0), None);
        assert_eq!(Level::from_number(2.5), None);
    }

    #[test]
    fn syslog_severities_map() {
        assert_eq!(Level::from_syslog_severity(0), Level::Critical);
        assert_eq!(Level::from_syslog_severity(3), Level::Error);
        assert_eq!(Level::from_syslog_severity(4), Level::Warn);
        assert_eq!(Level::from_syslog_severity(5), Level::Notice);
        assert_eq!(Level::from_syslog_severity(7), Level::Debug);
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Critical > Level::Error);
        assert!(Level::Error > Level::Warn);
        assert!(Level::Warn > Level::Notice);
        assert!(Level::Info > Level::Debug);
    }
}
