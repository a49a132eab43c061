//! Stack traces, extracted from an entry's text into frames the fix stage can map to files.

/// The runtime that printed a trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    Python,
    Java,
    Rust,
    Go,
    Node,
}

/// One frame of a stack trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The path as the trace gives it (a deploy path, `file:///…`, `webpack://…`).
    pub file: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
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

/// A whole trace: one exception, or a chain of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackTrace {
    pub language: Language,
    /// The chain in the order the runtime printed it. Python prints the first-raised exception first
    /// ("During handling of the above exception …"); Java prints the wrapper first and its
    /// `Caused by:` causes after it.
    pub chain: Vec<Exception>,
}

impl StackTrace {
    /// The exception the fix should address: the root cause (Java's last `Caused by:`, Python's
    /// first exception of a chain).
    pub fn primary(&self) -> Option<&Exception> {
        match self.language {
            Language::Python => self.chain.first(),
            _ => self.chain.last(),
        }
    }
}

/// Extract the stack trace held in `text`, if any.
pub fn extract(_text: &str) -> Option<StackTrace> {
    None
}
