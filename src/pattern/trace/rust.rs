//! Rust panics: the header in its three generations — `thread 'main' panicked at 'msg',
//! src/main.rs:13:42` (before 1.73), `thread 'main' panicked at src/main.rs:13:42:` + message
//! lines (1.73+), the same with the thread id `thread 'main' (4218) panicked at …` (newer) — and
//! the `stack backtrace:` that `RUST_BACKTRACE=1|full` adds, innermost frame first.
//!
//! The panic location is a frame of its own; when the backtrace already holds it (debug builds)
//! it is not repeated. Symbol hashes (`::h0123…`) and crate disambiguators (`std[e282…]`) change
//! with every build and are dropped from function names.

use std::sync::LazyLock;

use regex::Regex;

use super::{Exception, Frame, Language, StackTrace};

/// The part of the header before the location: `thread 'main' (4218) panicked at `.
static PANICKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:thread '[^']*'(?: \(\d+\))? )?panicked at ").expect("static regex")
});

/// 1.73+: `src/main.rs:13:42:` ending the line.
static LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+?):(\d+):(\d+):$").expect("static regex"));

/// Panic hooks that log on one line (`log-panics`, `tracing` hooks): `src/main.rs:13:42: msg`.
static INLINE_LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\S+?\.rs):(\d+):(\d+): (.+)$").expect("static regex"));

/// Before 1.73: `'msg', src/main.rs:13:42` ending the line (the message may span lines).
static OLD_LOCATION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"', (\S+?):(\d+):(\d+)$").expect("static regex"));

/// `  12: invoicer::main` or, with `full`, `  12:     0x55d6c3a1b2c3 - invoicer::main::h…`.
static BT_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\d+:\s+(?:0x[0-9a-f]+ - )?(.+)$").expect("static regex"));

static BT_AT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+at (.+?):(\d+)(?::(\d+))?$").expect("static regex"));

static SYMBOL_NOISE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"::h[0-9a-f]{16}$|\[[0-9a-f]{16}\]").expect("static regex"));

pub(super) fn parse(text: &str) -> Option<StackTrace> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let (message, location, after) = lines
        .iter()
        .enumerate()
        .find_map(|(i, line)| header(&lines, i, line))?;
    let mut frames = backtrace(&lines, after);
    let already = frames.iter().any(|f| {
        f.line == location.line && f.column == location.column && same_path(&f.file, &location.file)
    });
    if !already {
        let at = frames.iter().position(|f| f.in_app).unwrap_or(frames.len());
        frames.insert(at, location);
    }
    Some(StackTrace {
        language: Language::Rust,
        chain: vec![Exception {
            kind: "panic".to_string(),
            message,
            frames,
        }],
    })
}

/// A panic header at line `i`: its message, location frame and the next line to read.
fn header(lines: &[&str], i: usize, line: &str) -> Option<(String, Frame, usize)> {
    let m = PANICKED.find(line)?;
    let rest = &line[m.end()..];
    if let Some(caps) = LOCATION.captures(rest) {
        let mut message = Vec::new();
        let mut j = i + 1;
        while j < lines.len() && !ends_message(lines[j]) {
            message.push(lines[j]);
            j += 1;
        }
        let location = location_frame(&caps[1], &caps[2], Some(&caps[3]));
        return Some((message.join("\n"), location, j));
    }
    if let Some(caps) = INLINE_LOCATION.captures(rest) {
        let location = location_frame(&caps[1], &caps[2], Some(&caps[3]));
        return Some((caps[4].to_string(), location, i + 1));
    }
    let quoted = rest.strip_prefix('\'')?;
    // The message is quoted and may itself contain newlines.
    let mut text = quoted.to_string();
    let mut j = i;
    loop {
        if let Some(caps) = OLD_LOCATION.captures(&text) {
            let start = caps.get(0).map_or(0, |m| m.start());
            let location = location_frame(&caps[1], &caps[2], Some(&caps[3]));
            let message = text[..start].to_string();
            return Some((message, location, j + 1));
        }
        j += 1;
        if j >= lines.len() || j > i + 16 {
            return None;
        }
        text.push('\n');
        text.push_str(lines[j]);
    }
}

fn ends_message(line: &str) -> bool {
    line.is_empty()
        || line.starts_with("note: ")
        || line == "stack backtrace:"
        || PANICKED.is_match(line)
}

fn location_frame(file: &str, line: &str, column: Option<&str>) -> Frame {
    Frame {
        in_app: in_app(file, None),
        file: file.to_string(),
        line: super::number(line),
        column: column.and_then(super::number),
        function: None,
    }
}

/// Frames of the `stack backtrace:` following the header, if there is one.
fn backtrace(lines: &[&str], from: usize) -> Vec<Frame> {
    let mut frames: Vec<Frame> = Vec::new();
    let Some(start) = lines[from.min(lines.len())..]
        .iter()
        .take(4)
        .position(|l| *l == "stack backtrace:")
    else {
        return frames;
    };
    for line in &lines[from + start + 1..] {
        if let Some(caps) = BT_AT.captures(line) {
            if let Some(last) = frames.last_mut() {
                if last.file.is_empty() {
                    last.file = caps[1].to_string();
                    last.line = super::number(&caps[2]);
                    last.column = caps.get(3).and_then(|m| super::number(m.as_str()));
                    last.in_app = in_app(&last.file, last.function.as_deref());
                }
            }
        } else if let Some(caps) = BT_FRAME.captures(line) {
            let function = SYMBOL_NOISE.replace_all(&caps[1], "").into_owned();
            frames.push(Frame {
                file: String::new(),
                line: None,
                column: None,
                in_app: in_app("", Some(&function)),
                function: Some(function),
            });
        } else {
            break;
        }
    }
    // `full` ends with `<unknown>` at address 0x0: nothing to learn from it.
    frames.retain(|f| !(f.file.is_empty() && f.function.as_deref() == Some("<unknown>")));
    frames
}

/// Same file, allowing for `./` and absolute vs. workspace-relative spellings.
fn same_path(a: &str, b: &str) -> bool {
    let a = a.trim_start_matches("./");
    let b = b.trim_start_matches("./");
    !a.is_empty() && !b.is_empty() && (a.ends_with(b) || b.ends_with(a))
}

/// Library code: the standard library (`/rustc/<hash>/library/…`), crates from a registry or git,
/// C frames (libc's `start_thread`); without a path, std/core/alloc symbols.
fn in_app(file: &str, function: Option<&str>) -> bool {
    if !file.is_empty() {
        let lib = file.starts_with("/rustc/")
            || ["/library/std/", "/library/core/", "/library/alloc/"]
                .iter()
                .any(|m| file.contains(m))
            || [
                "/.cargo/registry/",
                "/.cargo/git/",
                "/cargo/registry/",
                "/cargo/git/",
            ]
            .iter()
            .any(|m| file.contains(m))
            || !file.ends_with(".rs");
        return !lib;
    }
    let Some(function) = function else {
        return true;
    };
    let name = function.trim_start_matches('<');
    !([
        "std::",
        "core::",
        "alloc::",
        "__rustc::",
        "__rust",
        "rust_begin_unwind",
    ]
    .iter()
    .any(|p| name.starts_with(p))
        || matches!(
            name,
            "_start" | "__libc_start_main" | "start_thread" | "clone" | "clone3" | "main"
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_frames() {
        assert!(!in_app(
            "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/option.rs",
            None
        ));
        assert!(!in_app(
            "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/serde_json-1.0.154/src/de.rs",
            None
        ));
        assert!(!in_app(
            "/usr/local/cargo/registry/src/x/tokio-1.0.0/src/lib.rs",
            None
        ));
        assert!(!in_app("./nptl/pthread_create.c", Some("start_thread")));
        assert!(!in_app("", Some("core::panicking::panic_fmt")));
        assert!(!in_app("", Some("<core::option::Option<T>>::unwrap")));
        assert!(in_app("./src/main.rs", Some("invoicer::main")));
        assert!(in_app("/home/app/service/src/main.rs", None));
        assert!(in_app("", Some("invoicer::main")));
    }

    #[test]
    fn message_on_the_header_line() {
        let text =
            "2026-11-20T10:15:03Z ERROR invoicer: thread 'main' panicked at src/rates.rs:40:18: \
                    called `Result::unwrap()` on an `Err` value: Io(NotFound)";
        let trace = parse(text).expect("a trace");
        let e = &trace.chain[0];
        assert_eq!(
            e.message,
            "called `Result::unwrap()` on an `Err` value: Io(NotFound)"
        );
        assert_eq!(
            (
                e.frames[0].file.as_str(),
                e.frames[0].line,
                e.frames[0].column
            ),
            ("src/rates.rs", Some(40), Some(18))
        );
    }

    #[test]
    fn hashes_and_disambiguators_are_dropped() {
        assert_eq!(
            SYMBOL_NOISE.replace_all("std[e28293b1aa0f68bd]::panicking::default_hook", ""),
            "std::panicking::default_hook"
        );
        assert_eq!(
            SYMBOL_NOISE.replace_all("worker_thread::parse_quantity::h580ed6026321cae9", ""),
            "worker_thread::parse_quantity"
        );
    }
}
