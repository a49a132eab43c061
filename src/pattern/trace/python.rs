//! Python tracebacks: `Traceback (most recent call last):`, `  File "…", line N, in f` frames
//! (outermost first, so reversed here), source and 3.11+ caret lines, the `Kind: message` line,
//! chains joined by "During handling of the above exception …" or "The above exception was the
//! direct cause …", a cause raised without traceback (bare `Kind: message` above the separator),
//! 3.11+ exception groups (the `| ` drawing is peeled off; members are put before their group:
//! they were raised first and are what a fix addresses), and the header-less `SyntaxError` form
//! Python prints for the main script.

use std::sync::LazyLock;

use regex::Regex;

use super::{Exception, Frame, Language, StackTrace};

const HEADER: &str = "Traceback (most recent call last):";
const DURING: &str = "During handling of the above exception, another exception occurred:";
const CAUSE: &str = "The above exception was the direct cause of the following exception:";
/// What a group's `+-+---- 1 ----` member separator becomes once the drawing is peeled off.
const MEMBER: &str = "+-";

static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*File "(.+)", line (\d+)(?:, in (.+))?$"#).expect("static regex")
});

/// `KeyError: 'k'`, `requests.exceptions.ConnectionError: …`, bare `RuntimeError`.
static EXCEPTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([A-Za-z_][\w.]*)(?::(?: (.*))?)?$").expect("static regex"));

pub(super) fn parse(text: &str) -> Option<StackTrace> {
    let mut lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let grouped = text.contains("Exception Group Traceback");
    if grouped {
        lines = lines.into_iter().map(peel_group_drawing).collect();
    }
    let Some(start) = lines.iter().position(|l| l.ends_with(HEADER)) else {
        return syntax_error(&lines);
    };
    let mut chain = bare_causes_above(&lines, start);
    let mut i = start;
    loop {
        // A chained exception raised without a traceback is printed as its bare type line.
        let (frames, next) = if lines[i].ends_with(HEADER) {
            frames(&lines, i + 1)
        } else {
            (Vec::new(), i)
        };
        let Some((kind, message)) = lines.get(next).and_then(|l| exception_line(l)) else {
            // A later link cut off (truncated log): keep the links read so far.
            if chain.is_empty() {
                return None;
            }
            break;
        };
        chain.push(Exception {
            kind,
            message,
            frames,
        });
        match chained_block(&lines, next + 1) {
            Some(at) => i = at,
            None => break,
        }
    }
    if grouped {
        // Stable: members keep their order, groups follow them.
        chain.sort_by_key(|e| e.kind.ends_with("ExceptionGroup"));
    }
    Some(StackTrace {
        language: Language::Python,
        chain,
    })
}

/// `  | ` / `  + ` prefixes of an exception group, any depth; `+-+---- 1 ----` member separators
/// become [`MEMBER`], the closing `+-----` rule a blank line.
fn peel_group_drawing(line: &str) -> &str {
    let mut rest = line;
    loop {
        let t = rest.trim_start();
        if let Some(inner) = t.strip_prefix("| ").or_else(|| t.strip_prefix("+ ")) {
            rest = inner;
        } else if t == "|" {
            return "";
        } else if t.starts_with("+-") {
            return if t.trim_end_matches('-').ends_with('+') {
                ""
            } else {
                MEMBER
            };
        } else {
            return rest;
        }
    }
}

/// Causes raised without a traceback print as a bare `Kind: message` line followed by a
/// separator, above the first `Traceback` header.
fn bare_causes_above(lines: &[&str], start: usize) -> Vec<Exception> {
    let mut found = Vec::new();
    let mut i = start;
    while let Some(sep) = previous_non_blank(lines, i) {
        if lines[sep] != DURING && lines[sep] != CAUSE {
            break;
        }
        let Some(at) = previous_non_blank(lines, sep) else {
            break;
        };
        let Some((kind, message)) = exception_line(lines[at]) else {
            break;
        };
        found.push(Exception {
            kind,
            message,
            frames: Vec::new(),
        });
        i = at;
    }
    found.reverse();
    found
}

fn previous_non_blank(lines: &[&str], before: usize) -> Option<usize> {
    (0..before).rev().find(|&i| !lines[i].is_empty())
}

/// After an exception line: if a chain separator follows, the index of the next block.
fn chained_block(lines: &[&str], from: usize) -> Option<usize> {
    let mut i = skip_blank(lines, from);
    // Python 3.11+ notes (`add_note`) and multi-line messages sit between the exception line and
    // the separator; tolerate a few before giving up.
    let limit = i + 8;
    let is_separator = |l: &str| l == DURING || l == CAUSE || l == MEMBER;
    while i < lines.len() && i < limit && !is_separator(lines[i]) {
        i += 1;
    }
    if i >= lines.len() || !is_separator(lines[i]) {
        return None;
    }
    let next = skip_blank(lines, i + 1);
    (next < lines.len()).then_some(next)
}

fn skip_blank(lines: &[&str], mut i: usize) -> usize {
    while i < lines.len() && lines[i].is_empty() {
        i += 1;
    }
    i
}

/// Frames from `from` on (innermost first) and the index of the first line after them.
fn frames(lines: &[&str], from: usize) -> (Vec<Frame>, usize) {
    let mut frames = Vec::new();
    let mut i = from;
    while i < lines.len() {
        let line = lines[i];
        if let Some(frame) = frame(line) {
            frames.push(frame);
        } else if !line.starts_with(' ') {
            // Source lines, caret lines and "[Previous line repeated N more times]" are indented;
            // the exception line is not.
            break;
        }
        i += 1;
    }
    frames.reverse();
    (frames, i)
}

fn frame(line: &str) -> Option<Frame> {
    let caps = FRAME.captures(line)?;
    let file = caps[1].to_string();
    Some(Frame {
        in_app: in_app(&file),
        line: super::number(&caps[2]),
        column: None,
        function: caps.get(3).map(|m| m.as_str().to_string()),
        file,
    })
}

fn exception_line(line: &str) -> Option<(String, String)> {
    let caps = EXCEPTION.captures(line)?;
    let message = caps.get(2).map_or("", |m| m.as_str());
    Some((caps[1].to_string(), message.to_string()))
}

/// The form without a `Traceback` header that Python prints when the main script itself does not
/// compile: `  File "…", line N`, the source, a caret line, `SyntaxError: …`.
fn syntax_error(lines: &[&str]) -> Option<StackTrace> {
    let at = lines
        .iter()
        .position(|l| l.starts_with("  File \"") && FRAME.is_match(l))?;
    let frame = frame(lines[at])?;
    let (kind, message) = lines[at + 1..]
        .iter()
        .take(4)
        .find(|l| !l.starts_with(' '))
        .and_then(|l| exception_line(l))?;
    if !matches!(
        kind.as_str(),
        "SyntaxError" | "IndentationError" | "TabError"
    ) {
        return None;
    }
    Some(StackTrace {
        language: Language::Python,
        chain: vec![Exception {
            kind,
            message,
            frames: vec![frame],
        }],
    })
}

/// Library code: installed packages, the standard library, frozen and generated modules.
fn in_app(file: &str) -> bool {
    if file.starts_with('<') {
        return false;
    }
    if file.contains("site-packages") || file.contains("dist-packages") {
        return false;
    }
    // The standard library: /usr/lib/python3.11/, /usr/local/lib/python3.11/, a venv's or
    // pyenv's lib/python3.X/ (their site-packages are caught above).
    let lower = file.to_ascii_lowercase();
    for marker in ["/lib/python", "/lib64/python", "\\lib\\python"] {
        if let Some(at) = lower.find(marker) {
            if lower[at + marker.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit())
            {
                return false;
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_library_and_packages_are_not_in_app() {
        for file in [
            "/usr/lib/python3.11/json/decoder.py",
            "/usr/local/lib/python3.11/threading.py",
            "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/requests/api.py",
            "/usr/lib/python3/dist-packages/yaml/__init__.py",
            "/srv/app/.venv/lib/python3.12/site-packages/flask/app.py",
            "<frozen os>",
            "<frozen importlib._bootstrap>",
            "<string>",
        ] {
            assert!(!in_app(file), "{file}");
        }
        for file in [
            "/srv/app/worker.py",
            "/home/app/service/app/jobs.py",
            "app/lib/pythonic.py",
            "C:\\srv\\app\\main.py",
        ] {
            assert!(in_app(file), "{file}");
        }
    }

    #[test]
    fn exception_lines() {
        assert_eq!(
            exception_line("KeyError: 'timeout'"),
            Some(("KeyError".into(), "'timeout'".into()))
        );
        assert_eq!(
            exception_line("RuntimeError"),
            Some(("RuntimeError".into(), String::new()))
        );
        assert_eq!(
            exception_line("requests.exceptions.ConnectionError: a: b"),
            Some(("requests.exceptions.ConnectionError".into(), "a: b".into()))
        );
        assert_eq!(exception_line("    x = y"), None);
        assert_eq!(exception_line("2026-11-20 ERROR boom"), None);
    }
}
