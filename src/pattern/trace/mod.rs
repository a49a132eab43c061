//! Stack traces, extracted from an entry's text into frames the fix stage can map to files.
//!
//! [`extract`] runs on every entry and almost none hold a trace, so it first asks two cheap
//! questions: is the text on several lines (or holding escapes such as `\n`)? — every trace but
//! Rust's one-line panic is — and does it hold one of the few markers every supported runtime
//! prints (`Traceback (most recent call last)`, `\tat `, `    at `, `panicked at`,
//! `goroutine ` …)? It returns `None` when not.
//! Only then does each language's parser look for its own shape; the first to find one wins.
//! A trace sitting in a JSON field, or escaped as `\n`/`\t` by a JSON logger, is decoded and
//! parsed the same way.
//!
//! Invariants the later stages rely on:
//! - frames are innermost (where it was raised) first, whatever order the runtime prints;
//! - `chain` is in printed order, so [`StackTrace::primary`] knows which end is the root cause;
//! - a frame's `file` is the path as printed (JVM: derived from package + file name, e.g.
//!   `app/Greeter.java`), and empty when the runtime names no file (`Native Method`, a Rust
//!   backtrace without debug info);
//! - parsing never panics and never allocates for text without a marker.

mod go;
mod java;
mod json;
mod node;
mod python;
mod rust;

pub(crate) use json::unescape;

use std::sync::LazyLock;

use memchr::memmem::Finder;

/// The runtime that printed a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Python,
    /// Java and the other JVM languages (Kotlin, Scala …) that print the same format.
    Java,
    Rust,
    Go,
    Node,
}

/// One frame of a stack trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The path as the trace gives it (a deploy path, `file:///…`, `webpack://…`); for the JVM the
    /// package directory joined to the file name (`app/Greeter.java`); empty when none is printed.
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// Function as printed, without argument values, addresses or symbol hashes (which change
    /// from build to build): `main`, `app.Greeter.badge`, `invoicer::main`, `main.(*Server).run`.
    pub function: Option<String>,
    /// False for library frames (site-packages, node_modules, ~/.cargo/registry, the JDK …).
    pub in_app: bool,
}

/// An exception (or panic) and where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exception {
    /// Exception type as printed: `KeyError`, `java.lang.NullPointerException`, `panic` …
    pub kind: String,
    /// The message after the type, possibly empty.
    pub message: String,
    /// Frames, innermost (where it was raised) first.
    pub frames: Vec<Frame>,
}

impl Exception {
    /// `Kind: message`, or the kind alone when the message is empty; one line.
    pub fn headline(&self) -> String {
        match self.message.lines().next().map(str::trim) {
            Some(first) if !first.is_empty() => format!("{}: {}", self.kind, first),
            _ => self.kind.clone(),
        }
    }
}

/// A whole trace: one exception, or a chain of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackTrace {
    pub language: Language,
    /// The chain in the order the runtime printed it. Python prints the first-raised exception first
    /// ("During handling of the above exception …", "The above exception was the direct cause …");
    /// Java and Node print the wrapper first and its causes (`Caused by:`, `[cause]:`) after it.
    /// One reordering: a Python exception group follows its members, which were raised first.
    /// Java's `Suppressed:` exceptions are side notes, not causes, and are left out.
    pub chain: Vec<Exception>,
}

impl StackTrace {
    /// The exception the fix should address: the root cause (Python's first exception of a chain,
    /// the last `Caused by:` / `[cause]:` elsewhere). A root cause raised entirely inside libraries
    /// (`ConnectionRefusedError` deep in urllib3) gives a fix nothing to edit, so the nearest
    /// exception towards the top of the chain that passes through the program's own code is
    /// preferred; the plain root cause when none does.
    pub fn primary(&self) -> Option<&Exception> {
        let has_app_frame = |e: &&Exception| e.frames.iter().any(|f| f.in_app);
        match self.language {
            Language::Python => self.chain.iter().find(has_app_frame).or(self.chain.first()),
            _ => self
                .chain
                .iter()
                .rev()
                .find(has_app_frame)
                .or(self.chain.last()),
        }
    }
}

/// Extract the stack trace held in `text`, if any.
pub fn extract(text: &str) -> Option<StackTrace> {
    if !might_hold_trace(text.as_bytes()) {
        return None;
    }
    if json::looks_like_json_object(text) {
        if let Some(trace) = json::extract_from_json(text) {
            return Some(trace);
        }
    }
    extract_plain(text).or_else(|| json::extract_escaped(text))
}

/// Strings at least one of which every trace we parse contains, raw or JSON-escaped.
static MARKERS: LazyLock<Vec<Finder<'static>>> = LazyLock::new(|| {
    [
        "Traceback (most recent call last)",
        "File \"",
        "File \\\"",
        "\tat ",
        "\\tat ",
        "    at ",
        PANICKED_AT,
        "goroutine ",
    ]
    .iter()
    .map(|m| Finder::new(m.as_bytes()).into_owned())
    .collect()
});

const PANICKED_AT: &str = "panicked at";

static PANICKED: LazyLock<Finder<'static>> =
    LazyLock::new(|| Finder::new(PANICKED_AT.as_bytes()).into_owned());

/// The gate in front of the parsers. A one-line entry (no newline, no escaped one) can only be
/// a pre-1.73 Rust panic, so it costs one `memchr2` and one `memmem`; a multi-line entry is
/// searched for every marker. Measured in `benches/trace.rs`.
fn might_hold_trace(bytes: &[u8]) -> bool {
    if memchr::memchr2(b'\n', b'\\', bytes).is_none() {
        return PANICKED.find(bytes).is_some();
    }
    MARKERS.iter().any(|m| m.find(bytes).is_some())
}

/// Try every language on text with real newlines.
fn extract_plain(text: &str) -> Option<StackTrace> {
    python::parse(text)
        .or_else(|| rust::parse(text))
        .or_else(|| go::parse(text))
        .or_else(|| java::parse(text))
        .or_else(|| node::parse(text))
}

/// Number of leading space or tab characters.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// `text` as a `u32`, `None` when it is not a (small enough) decimal number.
fn number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests;
