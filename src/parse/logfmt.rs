//! logfmt (`level=error msg="db down" retry=3`), which is also what Go's slog text handler writes
//! (`time=2026-11-20T10:15:03.123Z level=ERROR msg="…" k=v`).
//!
//! A line is logfmt only if it is made of `key=value` pairs from end to end, has at least two of
//! them and one is a well-known key (time, level, msg …): prose that happens to hold an `a=b` is
//! not mistaken for it.

use super::format::{Context, Parsed};
use super::{time, Level};

/// One `key=value`, the value unquoted (escapes `\"` and `\\` resolved).
fn pairs(line: &str) -> Option<Vec<(&str, String)>> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        let eq = rest.find('=')?;
        let key = &rest[..eq];
        if key.is_empty() || key.contains(|c: char| c.is_whitespace() || c == '"') {
            return None;
        }
        rest = &rest[eq + 1..];
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, 't')) => value.push('\t'),
                        Some((_, other)) => value.push(other),
                        None => return None,
                    },
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => value.push(c),
                }
            }
            rest = &quoted[end? + 1..];
            if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
                return None;
            }
            value
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let value = &rest[..end];
            if value.contains('"') {
                return None;
            }
            rest = &rest[end..];
            value.to_owned()
        };
        out.push((key, value));
        rest = rest.trim_start();
    }
    Some(out)
}

pub fn parse(line: &str, cx: Context) -> Option<Parsed> {
    if !line.contains('=') {
        return None;
    }
    let pairs = pairs(line)?;
    if pairs.len() < 2 {
        return None;
    }
    let mut parsed = Parsed::default();
    let mut known = false;
    for (key, value) in pairs {
        match key {
            "time" | "ts" | "timestamp" | "t" | "@timestamp" if !parsed.anchors => {
                known = true;
                parsed.anchors = true;
                parsed.timestamp = time::any(&value, cx.now);
                parsed.bad_timestamp = parsed.timestamp.is_none();
            }
            "level" | "lvl" | "severity" | "loglevel" if parsed.level.is_none() => {
                known = true;
                parsed.level = Level::parse(&value);
            }
            "msg" | "message" if parsed.message.is_empty() => {
                known = true;
                parsed.message = value;
            }
            "error" | "err" | "stack" | "stacktrace" | "exception" if !value.is_empty() => {
                parsed.fields.insert(key.to_owned(), value.clone());
                if !parsed.message.is_empty() {
                    parsed.message.push('\n');
                }
                parsed.message.push_str(&value);
            }
            _ => {
                parsed.fields.insert(key.to_owned(), value);
            }
        }
    }
    known.then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::format::test_context as cx;

    #[test]
    fn slog_text() {
        let p = parse(
            r#"time=2026-11-20T10:15:03.123+01:00 level=ERROR msg="payment failed" order=17 err="card \"4242\" declined""#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.timestamp.unwrap().to_rfc3339(),
            "2026-11-20T10:15:03.123+01:00"
        );
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.message, "payment failed\ncard \"4242\" declined");
        assert_eq!(p.fields["order"], "17");
        assert!(p.anchors);
    }

    #[test]
    fn plain_logfmt_without_time() {
        let p = parse("level=warn msg=retrying attempt=2", cx()).unwrap();
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.message, "retrying");
        assert!(!p.anchors);
    }

    #[test]
    fn prose_is_not_logfmt() {
        assert!(parse("set x=1 and y=2", cx()).is_none());
        assert!(parse("a=1 b=2", cx()).is_none());
        assert!(parse(r#"msg="unterminated level=x"#, cx()).is_none());
        assert!(parse("level=info", cx()).is_none());
    }
}
