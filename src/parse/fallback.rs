//! A level for lines no format reads, from a level word in their header.
//!
//! Many logs print `… ERROR message` after a header no built-in knows (a host, a node id, a date in
//! a local shape). Such a line is still unparsed, but its level word is plain to see. The word
//! counts only where a header can stand: it must be one of a few all-capitals level names, and
//! every token before it must look like header rather than prose (a digit in it, no lower-case
//! letter, or in brackets), and it must come within the first [`MAX_HEADER`] tokens. So "retrying
//! after error", "Error count" or "Retry 3 gave ERROR 111" keep no level.
//!
//! The ISO-8601 reader uses the same scan for a level that does not follow its timestamp at once.
//!
//! Invariant: for lines no format reads, this only adds a level (and a timestamp found in the
//! header) to the entry; where entries begin and end does not change, and the entry still counts
//! as unparsed.

use chrono::{DateTime, FixedOffset};

use super::{time, Level};

/// Tokens a header may hold before its level word: the longest common one seen, Blue Gene/L's RAS
/// log (`- <epoch> <date> <node> <time> <node> RAS KERNEL FATAL …`), has eight; more would let
/// long capitalised runs of text through.
pub const MAX_HEADER: usize = 8;

/// A level word found in a line's header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderLevel {
    pub level: Level,
    /// Byte offset where the level word begins (the header is what comes before).
    pub start: usize,
    /// Byte offset just past the level word and the spaces after it (the message begins here).
    pub end: usize,
}

/// The level names the header scan accepts: all capitals, optionally `[BRACKETED]` or `COLON:`.
fn level_word(token: &str) -> Option<Level> {
    let bare = token
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']').or_else(|| t.strip_suffix("]:")))
        .or_else(|| token.strip_suffix(':'))
        .unwrap_or(token);
    match bare {
        "TRACE" => Some(Level::Trace),
        "DEBUG" => Some(Level::Debug),
        "INFO" => Some(Level::Info),
        "NOTICE" => Some(Level::Notice),
        "WARN" | "WARNING" => Some(Level::Warn),
        "ERROR" | "SEVERE" => Some(Level::Error),
        "CRITICAL" | "FATAL" => Some(Level::Critical),
        _ => None,
    }
}

/// A token that can be part of a header: it holds a digit (dates, times, ids, hosts like
/// `node-7`), or no lower-case letter (`-`, `|`, `RAS`), or it is bracketed (`[main]`).
fn header_like(token: &str) -> bool {
    token.bytes().any(|b| b.is_ascii_digit())
        || !token.bytes().any(|b| b.is_ascii_lowercase())
        || (token.starts_with(['[', '(']) && token.ends_with([']', ')']))
}

/// The whitespace-separated tokens of `text` with their byte offsets.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split([' ', '\t'])
        .scan(0usize, |at, token| {
            let start = *at;
            *at += token.len() + 1;
            Some((start, token))
        })
        .filter(|(_, token)| !token.is_empty())
}

/// The level word in `text`'s header, if there is one (see the module docs).
pub fn header_level(text: &str) -> Option<HeaderLevel> {
    for (start, token) in tokens(text).take(MAX_HEADER + 1) {
        if let Some(level) = level_word(token) {
            let after = start + token.len();
            let end = after + (text.len() - after - text[after..].trim_start().len());
            return Some(HeaderLevel { level, start, end });
        }
        if !header_like(token) {
            return None;
        }
    }
    None
}

/// A timestamp among the first tokens of `header`: ISO-8601 starting at a token (or just inside
/// its opening bracket), or Unix epoch seconds (10 digits) or milliseconds (13 digits) as a whole
/// token.
pub fn header_time(header: &str) -> Option<DateTime<FixedOffset>> {
    tokens(header).find_map(|(start, token)| {
        let (start, token) = match token.strip_prefix('[') {
            Some(inner) => (start + 1, inner),
            None => (start, token),
        };
        let first = *token.as_bytes().first()?;
        if !first.is_ascii_digit() {
            return None;
        }
        if let Some((t, _)) = time::iso8601_prefix(&header[start..]) {
            return Some(t);
        }
        let epoch = matches!(token.len(), 10 | 13) && token.bytes().all(|b| b.is_ascii_digit());
        epoch
            .then(|| token.parse::<f64>().ok().and_then(time::epoch))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(text: &str) -> Option<Level> {
        header_level(text).map(|h| h.level)
    }

    #[test]
    fn level_words_in_headers() {
        let text = "node-7 2026-11-20 10:15:04.000 ERROR order 17 failed";
        let found = header_level(text).unwrap();
        assert_eq!(found.level, Level::Error);
        assert_eq!(&text[..found.start], "node-7 2026-11-20 10:15:04.000 ");
        assert_eq!(&text[found.end..], "order 17 failed");
        assert_eq!(level("[DEBUG] pool size 10"), Some(Level::Debug));
        assert_eq!(level("WARNING: low disk"), Some(Level::Warn));
        assert_eq!(
            level("- 1117838570 2005.06.03 R02-M1 RAS KERNEL FATAL x"),
            Some(Level::Critical)
        );
        assert_eq!(
            level("x1 x2 x3 x4 x5 x6 x7 x8 SEVERE x"),
            Some(Level::Error)
        );
        assert_eq!(level("NOTICE"), Some(Level::Notice));
    }

    #[test]
    fn mentions_are_not_levels() {
        for text in [
            "retrying after error: connection refused",
            "Error: connection refused",
            "error count: 3 (ERROR)",
            "Retry 3 of 5 gave ERROR 111",
            "x1 x2 x3 x4 x5 x6 x7 x8 x9 ERROR too deep",
            "ERRORS: 3",
            "[Error] mixed case",
            "<E> short",
            "",
            "   ",
        ] {
            assert_eq!(level(text), None, "{text:?}");
        }
    }

    #[test]
    fn header_times() {
        let rfc = |h: &str| header_time(h).map(|t| t.to_rfc3339());
        assert_eq!(
            rfc("nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 ").as_deref(),
            Some("2017-05-16T00:00:00.008+00:00")
        );
        assert_eq!(
            rfc("- 1117838570 2005.06.03 R02-M1 ").as_deref(),
            Some("2005-06-03T22:42:50+00:00")
        );
        assert_eq!(
            rfc("[2026-11-20 10:15:04] ").as_deref(),
            Some("2026-11-20T10:15:04+00:00")
        );
        assert_eq!(rfc("4242 node-7 "), None);
        assert_eq!(rfc(""), None);
    }
}
