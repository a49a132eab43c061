//! Which lines continue the entry before them, for sources without record timestamps to lean on,
//! and which lines show that an entry holds a crash.
//!
//! In sources whose records carry timestamps, a line that shows a crash continues the record
//! before it too (see the parser). Everywhere, a line continues the entry when it is
//! blank or indented, when it is one of the runtimes' explicit continuation lines (`Caused by:`,
//! `... 3 more`, `goroutine 1 [running]:`, `note: run with RUST_BACKTRACE=1` …), or when the trace
//! being read expects a column-0 line there: Python's exception line after the frames, the message
//! line after Rust's `panicked at …:`, Node's error line after the source excerpt, Go's function
//! lines between `goroutine` headers.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

/// What the trace being read expects next.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum State {
    #[default]
    None,
    /// In a Python traceback: the next column-0 line is the exception.
    PythonFrames,
    /// After Rust's `panicked at src/main.rs:13:42:`: the next line is the panic message.
    RustMessage,
    /// After Node's `/srv/app/x.js:5` header: source line, caret, blank, then the error line.
    NodeHeader,
    /// After Node's error line: `Require stack:` and its `- /path` lines, an `{ … }` of properties.
    NodeError,
    /// After Go's `panic: …`: `[signal …]`, a blank line, `goroutine N [running]:`.
    GoPanic,
    /// In Go's goroutine dumps: function lines at column 0, file lines indented.
    GoStack,
}

/// Lines that always continue an entry.
static MARKERS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"^Caused by: ",
        r"^Suppressed: ",
        r"^During handling of the above exception",
        r"^The above exception was the direct cause",
        r"^\.\.\. \d+ (?:more|common frames omitted)",
        r"^goroutine \d+ \[",
        r"^stack backtrace:",
        r"^note: ",
        r"^Node\.js v\d",
        r"^Require stack:",
        r"^\[signal ",
        r"^exit status \d+$",
        r"^created by ",
        r"^[}\]]\)?[;,]?$",
    ])
    .expect("continuation markers compile")
});

static RUST_PANIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^thread '[^']*'(?: \(\d+\))? panicked at .*:$").expect("compiles")
});
static NODE_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:/|[A-Za-z]:\\|node:|file://)\S*:\d+$").expect("compiles"));
static GO_FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[\w.\-]+/)*[\w\-]+\.[\w.*()\[\]{}$,\-]+\(.*\)$").expect("compiles")
});

/// Lines that mean the entry holds a crash: a traceback, a panic, an exception, stack frames.
static CRASH: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new([
        r"^Traceback \(most recent call last\):",
        r"^thread '[^']*'(?: \(\d+\))? panicked at ",
        r"^Exception in thread ",
        r"^Caused by: ",
        r"^(?:panic|fatal error): ",
        r"^goroutine \d+ \[",
        r"^stack backtrace:",
        r"^\s+at \S.*(?:\(.*\)|:\d+)$",
        r"^(?:[\w$]+\.)*[\w$]*(?:Error|Exception|Panic)(?:: |:?$)",
    ])
    .expect("crash markers compile")
});

/// Follows one source's traces line by line.
#[derive(Debug, Default)]
pub struct Tracker {
    state: State,
    /// The entry already holds a whole Python traceback: another `Traceback` header starts a new
    /// entry, unless Python announced a chain ("During handling of the above exception …").
    python_done: bool,
}

/// Whether a line is blank or indented: the continuation rule every source shares.
pub fn is_indented_or_blank(text: &str) -> bool {
    text.starts_with([' ', '\t']) || text.trim().is_empty()
}

/// Whether `text` shows a crash (see [`CRASH`]).
pub fn shows_crash(text: &str) -> bool {
    CRASH.is_match(text)
}

/// Whether a crash's text may begin at `text`: a line that shows one, or the `file:line` header
/// Node.js prints before its source excerpt and error.
pub fn begins_crash(text: &str) -> bool {
    shows_crash(text) || NODE_HEADER.is_match(text)
}

impl Tracker {
    /// Forget the trace being read (its entry ended for another reason).
    pub fn reset(&mut self) {
        self.state = State::None;
        self.python_done = false;
    }

    /// Note a line that belongs to the current entry (it began it, or continued it by any rule),
    /// so that the lines after it are judged in context.
    pub fn observe(&mut self, text: &str) {
        if text.starts_with("During handling of the above exception")
            || text.starts_with("The above exception was the direct cause")
        {
            self.python_done = false;
        }
        let next = if text.starts_with("Traceback (most recent call last)") {
            State::PythonFrames
        } else if text.starts_with("thread '") && RUST_PANIC.is_match(text) {
            State::RustMessage
        } else if text.starts_with("goroutine ") && MARKERS.is_match(text) {
            State::GoStack
        } else if text.starts_with("panic: ") || text.starts_with("fatal error: ") {
            State::GoPanic
        } else if NODE_HEADER.is_match(text) {
            State::NodeHeader
        } else {
            return;
        };
        self.state = next;
    }

    /// Whether a column-0 line that no format reads continues the current entry. Updates the state.
    pub fn continues(&mut self, text: &str) -> bool {
        if is_indented_or_blank(text) || MARKERS.is_match(text) {
            self.observe(text);
            return true;
        }
        if text.starts_with("Traceback (most recent call last)") {
            // `logger.exception()` under Python's default format prints the traceback after its
            // `ERROR:root:…` line.
            if self.python_done {
                return false;
            }
            self.observe(text);
            return true;
        }
        let (continues, next) = match self.state {
            State::None => (false, State::None),
            State::PythonFrames => {
                self.python_done = true;
                (true, State::None)
            }
            State::RustMessage => (true, State::None),
            State::NodeHeader => (true, State::NodeError),
            State::NodeError => (text.starts_with("- ") || text == "{", State::NodeError),
            State::GoPanic => (false, State::None),
            State::GoStack => (GO_FUNCTION.is_match(text), State::GoStack),
        };
        self.state = if continues { next } else { State::None };
        if continues {
            self.observe(text);
        }
        continues
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Split `text` into entries the way an unformatted source would be: a line that does not
    /// continue starts a new entry.
    fn entries(text: &str) -> Vec<String> {
        let mut tracker = Tracker::default();
        let mut out: Vec<String> = Vec::new();
        for line in text.lines() {
            if !out.is_empty() && tracker.continues(line) {
                let last = out.last_mut().unwrap();
                last.push('\n');
                last.push_str(line);
            } else {
                tracker.reset();
                tracker.observe(line);
                out.push(line.to_owned());
            }
        }
        out
    }

    #[test]
    fn python_traceback_ends_at_the_exception_line() {
        let got = entries(
            "Traceback (most recent call last):\n  File \"w.py\", line 1, in <module>\n    x['a']\nKeyError: 'a'\nnext entry",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[0].ends_with("KeyError: 'a'"));
        assert_eq!(got[1], "next entry");
    }

    #[test]
    fn chained_python_exceptions_stay_together() {
        let got = entries(
            "Traceback (most recent call last):\n  File \"a.py\", line 2, in f\nKeyError: 'a'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"a.py\", line 4, in f\nValueError: bad\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[0].ends_with("ValueError: bad"));
    }

    #[test]
    fn logger_exception_joins_but_a_second_crash_does_not() {
        let got = entries(
            "ERROR:root:job failed\nTraceback (most recent call last):\n  File \"a.py\", line 2, in f\nKeyError: 'a'\nTraceback (most recent call last):\n  File \"a.py\", line 2, in f\nKeyError: 'b'",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert!(got[0].starts_with("ERROR:root:job failed\nTraceback"));
        assert!(got[1].ends_with("KeyError: 'b'"));
    }

    #[test]
    fn rust_panic_message_line_is_kept() {
        let got = entries(
            "thread 'main' (4218) panicked at src/main.rs:13:42:\ncalled `Option::unwrap()` on a `None` value\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[1], "after");
    }

    #[test]
    fn node_error_block() {
        let got = entries(
            "/srv/x/labels.js:5\n  const city = order.customer.address.city;\n                                      ^\n\nTypeError: Cannot read properties of undefined (reading 'city')\n    at shippingLabel (/srv/x/labels.js:5:39)\n\nNode.js v20.20.2\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        let got = entries(
            "node:internal/modules/cjs/loader:1210\n  throw err;\n  ^\n\nError: Cannot find module 'lodash'\nRequire stack:\n- /srv/app/src/report.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15) {\n  code: 'MODULE_NOT_FOUND'\n}\n\nNode.js v20.20.2\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
    }

    #[test]
    fn go_goroutine_dump() {
        let got = entries(
            "panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.lookup(...)\n\t/app/main.go:12\nmain.main()\n\t/app/main.go:20 +0x1d\nexit status 2\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
        assert_eq!(got[1], "after");
    }

    #[test]
    fn java_caused_by() {
        let got = entries(
            "Exception in thread \"main\" java.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)\nCaused by: java.io.IOException: y\n\t... 3 more\nafter",
        );
        assert_eq!(got.len(), 2, "{got:#?}");
    }

    #[test]
    fn crash_lines() {
        for line in [
            "Traceback (most recent call last):",
            "thread 'main' panicked at src/main.rs:1:2:",
            "Exception in thread \"main\" java.lang.NullPointerException",
            "\tat app.Greeter.badge(Greeter.java:7)",
            "    at node:internal/main/run_main_module:28:49",
            "KeyError: 'timeout'",
            "java.lang.IllegalStateException: boom",
            "panic: boom",
            "Error: Cannot find module 'lodash'",
        ] {
            assert!(shows_crash(line), "{line}");
        }
        for line in [
            "everything is fine",
            "  at the moment we are happy",
            "errors: none",
            "ErrorBudget left: 3",
        ] {
            assert!(!shows_crash(line), "{line}");
        }
    }
}
