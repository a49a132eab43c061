//! Formats: what one line of a known shape yields, and the list a parser tries.
//!
//! A [`Format`] turns one physical line into a [`Parsed`] record or declines it. Each format has a
//! cheap first-byte test so that trying one that cannot match costs next to nothing; this is what
//! keeps detection affordable for lines that match nothing (continuation lines).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use regex::Captures;

use super::builtin::Builtin;
use super::{json, logfmt, time, FormatSpec, Level};

/// What a format read from one line.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Parsed {
    pub timestamp: Option<DateTime<FixedOffset>>,
    pub level: Option<Level>,
    pub message: String,
    pub fields: BTreeMap<String, String>,
    /// The line is a record of a shape that only records have (it carries a timestamp, or it is a
    /// JSON object): once a source has such records, lines that are not one continue the entry
    /// before them.
    pub anchors: bool,
    /// The record's timestamp was there but could not be read.
    pub bad_timestamp: bool,
}

/// Context a format may need: the time used to complete partial timestamps.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    pub now: DateTime<Utc>,
    /// The line is tried on every format in turn (the format of the line before did not read
    /// it): most tries fail, so a format first turns down what it cannot read by a cheap test.
    pub probing: bool,
}

/// A format the parser can try.
#[derive(Debug)]
pub enum Format {
    User(FormatSpec),
    Builtin(Builtin),
    Json,
    Logfmt,
}

impl Format {
    /// The built-ins in the order they are tried: the most specific shapes first, so that a line
    /// two formats could read goes to the one that extracts the most from it.
    pub fn builtins() -> Vec<Format> {
        let mut all = vec![Format::Json];
        all.extend(Builtin::ALL.iter().map(|&b| Format::Builtin(b)));
        all.push(Format::Logfmt);
        all
    }

    pub fn name(&self) -> &str {
        match self {
            Format::User(spec) => &spec.name,
            Format::Builtin(b) => b.name(),
            Format::Json => "json",
            Format::Logfmt => "logfmt",
        }
    }

    /// Read `line`, or `None` if it is not of this format.
    pub fn parse(&self, line: &str, cx: Context) -> Option<Parsed> {
        match self {
            Format::User(spec) => user(spec, line, cx),
            Format::Builtin(b) => b.parse(line, cx),
            Format::Json => json::parse(line, cx),
            Format::Logfmt => logfmt::parse(line, cx),
        }
    }
}

/// Interned format names, so that every entry of a format shares one allocation.
#[derive(Debug)]
pub struct Named {
    pub format: Format,
    pub name: Arc<str>,
}

impl From<Format> for Named {
    fn from(format: Format) -> Named {
        let name = Arc::from(format.name());
        Named { format, name }
    }
}

fn user(spec: &FormatSpec, line: &str, cx: Context) -> Option<Parsed> {
    let caps = spec.regex.captures(line)?;
    let mut parsed = Parsed::default();
    for (i, group) in spec.regex.capture_names().enumerate() {
        let (Some(group), Some(value)) = (group, caps.get(i)) else {
            continue;
        };
        let value = value.as_str();
        match group {
            "timestamp" => {
                parsed.anchors = true;
                parsed.timestamp = match &spec.timestamp_format {
                    Some(format) => time::with_format(value, format, cx.now),
                    None => time::any(value, cx.now),
                };
                parsed.bad_timestamp = parsed.timestamp.is_none();
            }
            "level" => parsed.level = Level::parse(value),
            "message" => parsed.message = value.to_owned(),
            other => {
                parsed.fields.insert(other.to_owned(), value.to_owned());
            }
        }
    }
    if spec.regex.capture_names().all(|n| n != Some("message")) {
        // Validation asks for a `message` group; without one the whole line is the message.
        parsed.message = line.to_owned();
    }
    Some(parsed)
}

/// Copy the named groups other than the ones a built-in reads itself into `fields`.
pub fn fields_from(caps: &Captures<'_>, names: &[&str], fields: &mut BTreeMap<String, String>) {
    fields_by(|name| caps.name(name), names, fields);
}

/// [`fields_from`] with the groups found by `group`.
pub fn fields_by<'h>(
    group: impl Fn(&str) -> Option<regex::Match<'h>>,
    names: &[&str],
    fields: &mut BTreeMap<String, String>,
) {
    for &name in names {
        if let Some(m) = group(name) {
            let value = m.as_str();
            if !value.is_empty() && value != "-" {
                fields.insert(name.to_owned(), value.to_owned());
            }
        }
    }
}

/// A level word at the start of a free-text message (`ERROR something`, `[WARN] x`, `error: x`):
/// the level and the rest of the message. Only [`Level::parse_loose`] words of three letters or
/// more count: a message may well begin with "I" or "A".
pub fn leading_level(message: &str) -> Option<(Level, &str)> {
    let end = message
        .find(|c: char| c.is_whitespace())
        .unwrap_or(message.len());
    let word = &message[..end];
    let bracketed = word
        .strip_prefix('[')
        .and_then(|w| w.strip_suffix(']').or_else(|| w.strip_suffix("]:")));
    let bare = bracketed.or_else(|| word.strip_suffix(':')).unwrap_or(word);
    if bare.len() < 3 {
        return None;
    }
    // In brackets a word is plainly meant as a level: nginx writes `[crit]`, `[emerg]`.
    let level = match bracketed {
        Some(_) => Level::parse(bare)?,
        None => Level::parse_loose(bare)?,
    };
    Some((level, message[end..].trim_start()))
}

/// `text` without terminal escape sequences: programs that color their output (tracing-subscriber
/// does even when piped) would otherwise hide their timestamps and levels behind `ESC[2m`.
pub fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, then one final byte in @..~.
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ESC \.
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// The fixed "now" the parser tests read timestamps against, so that year-less and relative
/// forms resolve the same on every run.
#[cfg(test)]
pub(crate) fn test_context() -> Context {
    Context {
        now: chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 24, 12, 0, 0).unwrap(),
        probing: false,
    }
}

#[cfg(test)]
mod tests {
    use super::test_context as cx;
    use super::*;
    use regex::Regex;

    #[test]
    fn user_format_honours_its_timestamp_format_and_keeps_other_groups() {
        let spec = FormatSpec {
            name: "legacy".into(),
            regex: Regex::new(
                r"^(?P<timestamp>\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d) <(?P<level>\w+)> \{(?P<module>\w+)\} (?P<message>.*)$",
            )
            .unwrap(),
            timestamp_format: Some("%d.%m.%Y %H:%M:%S".into()),
        };
        let p = user(
            &spec,
            "20.11.2026 10:15:03 <Err> {billing} card declined",
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.timestamp.unwrap().to_rfc3339(),
            "2026-11-20T10:15:03+00:00"
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "card declined");
        assert_eq!(p.fields["module"], "billing");
        assert!(p.anchors);
        assert!(user(&spec, "card declined", cx()).is_none());

        let wrong = FormatSpec {
            timestamp_format: Some("%Y-%m-%d %H:%M:%S".into()),
            ..spec
        };
        let p = user(&wrong, "20.11.2026 10:15:03 <Err> {billing} x", cx()).unwrap();
        assert_eq!(p.timestamp, None);
        assert!(p.bad_timestamp);
    }

    #[test]
    fn terminal_escapes_are_removed() {
        assert_eq!(strip_ansi("plain"), "plain");
        assert_eq!(
            strip_ansi(
                "\u{1b}[1;31mERROR\u{1b}[0m x \u{1b}]8;;http://a\u{7}link\u{1b}]8;;\u{1b}\\"
            ),
            "ERROR x link"
        );
        assert_eq!(strip_ansi("cut \u{1b}["), "cut ");
    }

    #[test]
    fn leading_levels() {
        assert_eq!(
            leading_level("ERROR db down"),
            Some((Level::Error, "db down"))
        );
        assert_eq!(leading_level("[WARN] slow"), Some((Level::Warn, "slow")));
        assert_eq!(leading_level("error: bad"), Some((Level::Error, "bad")));
        assert_eq!(leading_level("I think"), None);
        assert_eq!(leading_level("[crit] x"), Some((Level::Critical, "x")));
        assert_eq!(leading_level("crit x"), None);
        assert_eq!(leading_level(""), None);
    }
}
