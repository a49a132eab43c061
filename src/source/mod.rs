//! Source stage: where lines come from. Finished files (plain or gzip) for `analyze`, stdin for
//! both commands, and live-followed inputs for `watch`, which send [`SourceEvent`]s over a bounded
//! channel so that a slow pipeline pushes back on the reader instead of growing a queue.

mod input;
mod lines;
mod stdin;

pub use input::{counting, open, paths_or_stdin, Input};
pub use lines::{Line, LineReader, LineStats, DEFAULT_MAX_LINE_BYTES, TRUNCATION_MARKER};
pub use stdin::spawn_stdin;

use std::sync::Arc;

/// Name used for standard input wherever a source is named.
pub const STDIN_NAME: &str = "-";

/// What a followed source reports to the pipeline.
#[derive(Debug)]
pub enum SourceEvent {
    /// A complete line from `source`.
    Line { source: Arc<str>, line: Line },
    /// `source` will send no more lines (end of stdin, file gone for good).
    Closed { source: Arc<str>, stats: LineStats },
    /// Reading `source` failed; the source is closed.
    Failed { source: Arc<str>, error: String },
}
