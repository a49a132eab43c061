//! Container runtimes' log wrappers, removed before a line is read: Docker's `json-file` driver
//! (`{"log":"…\n","stream":"stderr","time":"…"}`) and the CRI format that Kubernetes nodes write
//! under /var/log/pods (`2026-11-20T10:15:03.123456789Z stderr F …`).
//!
//! What the program wrote is inside; reading the wrapper as the record would give every line the
//! same empty message (Docker) or hide the program's own level (CRI). The runtime's timestamp is
//! kept for lines whose own text has none.

use std::borrow::Cow;

use chrono::{DateTime, FixedOffset};
use serde::Deserialize;

use super::time;

/// A line the runtime wrapped: the program's text and the runtime's time.
#[derive(Debug, PartialEq)]
pub struct Unwrapped<'a> {
    pub text: Cow<'a, str>,
    pub time: Option<DateTime<FixedOffset>>,
}

#[derive(Deserialize)]
struct DockerLine {
    log: String,
    #[serde(default)]
    time: Option<String>,
}

/// The program's line inside `line`, if a container runtime wrapped it.
pub fn unwrap(line: &str) -> Option<Unwrapped<'_>> {
    if line.starts_with(r#"{"log":""#) {
        let docker: DockerLine = serde_json::from_str(line).ok()?;
        let mut text = docker.log;
        // The driver keeps the program's newline (and a CR before it, from some programs).
        if text.ends_with('\n') {
            text.pop();
            if text.ends_with('\r') {
                text.pop();
            }
        }
        return Some(Unwrapped {
            text: Cow::Owned(text),
            time: docker.time.as_deref().and_then(time::iso8601),
        });
    }
    // Cheap test first: every line of the common ISO-8601 formats would otherwise pay for a
    // timestamp read here.
    let head = &line.as_bytes()[..line.len().min(48)];
    if !head.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    // ` stdout ` or ` stderr ` in the head, found from its few `s`.
    let marked = memchr::memchr_iter(b's', head).any(|i| {
        i > 0
            && head[i - 1] == b' '
            && (head[i..].starts_with(b"stdout ") || head[i..].starts_with(b"stderr "))
    });
    if !marked {
        return None;
    }
    let (stamp, used) = time::iso8601_prefix(line)?;
    let rest = line[used..]
        .strip_prefix(" stdout ")
        .or_else(|| line[used..].strip_prefix(" stderr "))?;
    // F: a full line; P: part of a longer one, which the runtime split (each part is read on
    // its own: joining them would need unbounded buffering for a program that never ends one).
    let text = rest
        .strip_prefix("F ")
        .or_else(|| rest.strip_prefix("P "))
        .or_else(|| (rest == "F" || rest == "P").then_some(""))?;
    Some(Unwrapped {
        text: Cow::Borrowed(text),
        time: Some(stamp),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRI's marker is found wherever it lies in the first 48 bytes, and nowhere else.
    #[test]
    fn the_stream_marker_is_read_from_the_first_48_bytes_only() {
        let stamp = "2026-11-20T10:15:03.123456789Z";
        for (line, cri) in [
            (format!("{stamp} stdout F hello"), true),
            (format!("{stamp} stderr P part"), true),
            (format!("{stamp}  stdout F two spaces"), false),
            (format!("{stamp}stdout F no space"), false),
            (format!("{stamp} sstdout F"), false),
            (format!("{stamp} {} stdout F late", "x".repeat(20)), false),
            ("1 stdout F not a timestamp".to_string(), false),
        ] {
            assert_eq!(unwrap(&line).is_some(), cri, "{line:?}");
        }
    }

    #[test]
    fn docker_json_file() {
        let got = unwrap(
            r#"{"log":"2026-11-20T10:15:04Z ERROR db: down\n","stream":"stderr","time":"2026-11-20T10:15:04.123456789Z"}"#,
        )
        .unwrap();
        assert_eq!(got.text, "2026-11-20T10:15:04Z ERROR db: down");
        assert_eq!(
            got.time.unwrap().to_rfc3339(),
            "2026-11-20T10:15:04.123456789+00:00"
        );
        let got = unwrap(r#"{"log":"  File \"a.py\", line 1\r\n","stream":"stderr"}"#).unwrap();
        assert_eq!(got.text, r#"  File "a.py", line 1"#);
        assert_eq!(got.time, None);
        assert!(unwrap(r#"{"log":"broken"#).is_none());
        assert!(unwrap(r#"{"level":"info","msg":"x"}"#).is_none());
    }

    #[test]
    fn cri() {
        let got =
            unwrap("2026-11-20T10:15:04.123456789Z stderr F Traceback (most recent call last):")
                .unwrap();
        assert_eq!(got.text, "Traceback (most recent call last):");
        assert_eq!(
            got.time.unwrap().to_rfc3339(),
            "2026-11-20T10:15:04.123456789+00:00"
        );
        assert_eq!(unwrap("2026-11-20T10:15:04Z stdout F ").unwrap().text, "");
        assert_eq!(unwrap("2026-11-20T10:15:04Z stdout F").unwrap().text, "");
        assert!(unwrap("2026-11-20T10:15:04Z INFO worker: up").is_none());
        assert!(unwrap("2026-11-20T10:15:04Z stdout X y").is_none());
    }
}
