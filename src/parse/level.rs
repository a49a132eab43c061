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
            "info" | "inf" | "i" | "information" | "informational" | "config" => Level::Info,
            "notice" | "n" => Level::Notice,
            "warn" | "warning" | "wrn" | "w" => Level::Warn,
            "error" | "err" | "e" | "severe" | "fail" | "failure" => Level::Error,
            "critical" | "crit" | "c" | "fatal" | "ftl" | "f" | "panic" | "alert" | "emerg"
            | "emergency" | "dpanic" => Level::Critical,
            _ => return None,
        };
        Some(level)
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
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Critical > Level::Error);
        assert!(Level::Error > Level::Warn);
        assert!(Level::Warn > Level::Notice);
        assert!(Level::Info > Level::Debug);
    }
}
