//! Node.js (V8) stack traces: `Kind: message` then `    at fn (file:L:C)` / `    at file:L:C`
//! frames innermost first; the `file.js:L` + source + caret block Node prints above an uncaught
//! error; message lines such as `Require stack:`; `[cause]:` errors nested after the frames, which
//! form the chain, the last being the root cause.

use std::sync::LazyLock;

use regex::Regex;

use super::{Exception, Frame, Language, StackTrace};

/// `TypeError: msg`, `Error [ERR_MODULE_NOT_FOUND]: msg`, `Uncaught Error: msg`, bare `Error`.
static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:Uncaught )?([A-Za-z_$][\w$.]*)(?: \[[A-Z0-9_]+\])?(?::(?: (.*))?)?$")
        .expect("static regex")
});

/// An error named at the tail of a logger's line: `[12:00:01] ERROR refund failed TypeError: x`.
static EMBEDDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s:\[(])([A-Z][\w$]*(?:Error|Exception))(?: \[[A-Z0-9_]+\])?: (.*)$")
        .expect("static regex")
});

pub(super) fn parse(text: &str) -> Option<StackTrace> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let first_frame = lines.iter().position(|l| frame(l).is_some())?;
    let header_at = find_header(&lines, first_frame)?;
    let mut chain = Vec::new();
    let mut i = header_at;
    let mut header_line = lines[header_at].trim_start();
    loop {
        let (kind, message) = best_header(header_line)?;
        let mut frames = Vec::new();
        i += 1;
        // Skip the message's extra lines (`Require stack:` and its list) up to the frames.
        while i < lines.len() && frame(lines[i]).is_none() && frames.is_empty() {
            if i > header_at + 32 || lines[i].trim_start().starts_with("[cause]:") {
                break;
            }
            i += 1;
        }
        while i < lines.len() {
            let line = lines[i];
            if let Some(f) = frame(line) {
                frames.push(f);
            } else if !is_elision(line) {
                break;
            }
            i += 1;
        }
        chain.push(Exception {
            kind,
            message,
            frames,
        });
        // Own properties of the error (`code: 'MODULE_NOT_FOUND'`) precede a `[cause]:`.
        let cause = lines[i.min(lines.len())..]
            .iter()
            .take(16)
            .position(|l| l.trim_start().starts_with("[cause]: "));
        match cause {
            Some(offset) => {
                i += offset;
                header_line = lines[i].trim_start().trim_start_matches("[cause]: ");
            }
            None => break,
        }
    }
    if chain.iter().all(|e| e.frames.is_empty()) {
        return None;
    }
    Some(StackTrace {
        language: Language::Node,
        chain,
    })
}

/// `    ... 5 lines matching cause stack trace ...`
fn is_elision(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("... ") && t.ends_with(" ...")
}

/// The error line above the first frame. Extra message lines (`Require stack:`, `- /srv/x.js`)
/// may sit between, so the topmost error-like line of the block wins over a nearer look-alike.
fn find_header(lines: &[&str], first_frame: usize) -> Option<usize> {
    let mut best = None;
    for i in (first_frame.saturating_sub(32)..first_frame).rev() {
        let line = lines[i];
        if line.trim().is_empty() {
            break;
        }
        if let Some((kind, _)) = best_header(line) {
            // A nearer line not named like an error only counts when nothing better is above
            // it, e.g. a custom `Boom: msg` right on top of the frames.
            if named_like_error(&kind) || (best.is_none() && i + 1 == first_frame) {
                best = Some(i);
            }
        }
    }
    best
}

fn named_like_error(kind: &str) -> bool {
    kind.ends_with("Error") || kind.ends_with("Exception")
}

/// The line's own `Kind: message`, unless it is a logger's `error: …` hiding the real type
/// further on (`error: TypeError: x`, `[12:00] ERROR refund failed RangeError: x`).
fn best_header(line: &str) -> Option<(String, String)> {
    let plain = header(line);
    if plain
        .as_ref()
        .is_some_and(|(kind, _)| named_like_error(kind))
    {
        return plain;
    }
    embedded_header(line).or(plain)
}

fn embedded_header(line: &str) -> Option<(String, String)> {
    let caps = EMBEDDED.captures(line)?;
    Some((caps[1].to_string(), caps[2].to_string()))
}

fn header(line: &str) -> Option<(String, String)> {
    let caps = HEADER.captures(line)?;
    Some((
        caps[1].to_string(),
        caps.get(2).map_or("", |m| m.as_str()).to_string(),
    ))
}

/// One `    at …` line: `fn (location)`, a bare `location`, `async fn (location)`.
fn frame(line: &str) -> Option<Frame> {
    if !line.starts_with(' ') {
        return None;
    }
    let rest = line.trim_start().strip_prefix("at ")?;
    // An error with own properties or a cause ends its last frame with ` {`.
    let rest = rest.strip_suffix(" {").unwrap_or(rest);
    let rest = rest.strip_prefix("async ").unwrap_or(rest);
    let (function, location) = match rest.strip_suffix(')').and_then(|r| r.split_once(" (")) {
        Some((function, location)) => (Some(function), location),
        None => (None, rest),
    };
    let (file, line_no, column) = split_location(location);
    if function.is_none() && line_no.is_none() {
        // `at foo` without a location is not a V8 frame.
        return None;
    }
    let function = function.map(str::to_string);
    Some(Frame {
        in_app: in_app(file),
        file: file.to_string(),
        line: line_no,
        column,
        function,
    })
}

/// `file:L:C`, `file:L`, or a location without numbers (`<anonymous>`, `native`, `index 0`).
fn split_location(location: &str) -> (&str, Option<u32>, Option<u32>) {
    if let Some((head, last)) = location.rsplit_once(':') {
        if let Some(n) = super::number(last) {
            if let Some((file, mid)) = head.rsplit_once(':') {
                if let Some(line) = super::number(mid) {
                    return (file, Some(line), Some(n));
                }
            }
            return (head, Some(n), None);
        }
    }
    (location, None, None)
}

fn in_app(file: &str) -> bool {
    !(file.starts_with("node:")
        || file.starts_with("internal/")
        || file.contains("/node_modules/")
        || file.contains("\\node_modules\\")
        || file.starts_with('<')
        || file == "native"
        || file.starts_with("index ")
        || file.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(line: &str) -> (String, Option<u32>, Option<u32>, Option<String>, bool) {
        let f = frame(line).expect(line);
        (f.file, f.line, f.column, f.function, f.in_app)
    }

    #[test]
    fn error_at_the_end_of_a_logger_line() {
        let text = "[2026-11-20 10:15:03] ERROR payments: refund failed RangeError: invalid amount: 12a\n    at parseAmount (/srv/pay/refund.js:3:11)\n    at /srv/pay/index.js:9:3";
        let trace = parse(text).expect("a trace");
        let e = &trace.chain[0];
        assert_eq!(
            (e.kind.as_str(), e.message.as_str()),
            ("RangeError", "invalid amount: 12a")
        );
        assert_eq!(e.frames.len(), 2);
        assert_eq!(e.frames[1].function, None);

        let text = "error: TypeError: Cannot read properties of null (reading 'id')\n    at load (/srv/api/users.js:12:20)";
        let e = &parse(text).expect("a trace").chain[0];
        assert_eq!(e.kind, "TypeError");
        assert_eq!(e.message, "Cannot read properties of null (reading 'id')");
    }

    #[test]
    fn frame_shapes() {
        assert_eq!(
            f("    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)"),
            (
                "node:internal/modules/run_main".into(),
                Some(164),
                Some(12),
                Some("Function.executeUserEntryPoint [as runMain]".into()),
                false
            )
        );
        assert_eq!(
            f("    at async file:///srv/a/index.mjs:11:1"),
            (
                "file:///srv/a/index.mjs".into(),
                Some(11),
                Some(1),
                None,
                true
            )
        );
        assert_eq!(
            f("    at Array.map (<anonymous>)"),
            (
                "<anonymous>".into(),
                None,
                None,
                Some("Array.map".into()),
                false
            )
        );
        assert_eq!(
            f("    at C:\\srv\\app\\index.js:3:9"),
            (
                "C:\\srv\\app\\index.js".into(),
                Some(3),
                Some(9),
                None,
                true
            )
        );
        assert!(frame("at the door").is_none());
        assert!(frame("    at noon").is_none());
    }
}
