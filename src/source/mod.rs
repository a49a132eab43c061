//! Source stage: where lines come from. Finished files (plain or gzip) for `analyze`, stdin for
//! both commands, and live-followed inputs for `watch`, which send [`SourceEvent`]s over a bounded
//! channel so that a slow pipeline pushes back on the reader instead of growing a queue.
//!
//! Followed files: [`tail`] reads one file by identity wherever it is named, [`watch`] follows many
//! paths and globs with one watcher (inotify, or polling) through rotation — every rotated
//! generation read to its end — and [`checkpoint`] remembers how far each file was read, by
//! identity, so that a restarted `watch` goes on where it stopped whatever the file is called now.

pub mod checkpoint;
mod input;
mod limits;
mod lines;
mod stdin;
pub mod tail;
pub mod watch;

pub use checkpoint::{Checkpoint, Checkpoints, Resume, Saved};
pub use input::{
    counting, open, paths_or_stdin, Input, InputLimits, Stopped, DEFAULT_DEVICE_BUDGET,
    GZIP_MAX_RATIO,
};
pub use lines::{Line, LineReader, LineStats, DEFAULT_MAX_LINE_BYTES, TRUNCATION_MARKER};
pub use stdin::spawn_stdin;
pub use tail::{FileId, Position};
pub use watch::{spawn_files, FollowOptions, Follower, WatchMode};

use std::path::PathBuf;
use std::sync::Arc;

/// Name used for standard input wherever a source is named.
pub const STDIN_NAME: &str = "-";

/// What a followed source reports to the pipeline.
#[derive(Debug)]
pub enum SourceEvent {
    /// A complete line from `source`.
    Line { source: Arc<str>, line: Line },
    /// `source` will send no more lines (end of stdin; a rotated file read to its end and quiet,
    /// whose position is final).
    Closed { source: Arc<str>, stats: LineStats },
    /// Reading `source` failed; the source is closed.
    Failed { source: Arc<str>, error: String },
    /// The followed file `source` (at absolute `path`) is now read from file `file`, starting at
    /// `at`; lines of the file read before are all sent.
    Opened {
        source: Arc<str>,
        path: PathBuf,
        file: FileId,
        at: Position,
    },
    /// A line of the followed file last [`SourceEvent::Opened`] for `source`; `end` is the offset
    /// just past it (where a checkpoint taken after this line points).
    FileLine {
        source: Arc<str>,
        line: Line,
        end: u64,
    },
    /// The file `source` reads is now identified by more of its first bytes than when it was
    /// opened (it was short then); checkpoints should name it so.
    Identified { source: Arc<str>, file: FileId },
    /// Several events, in order (one hand-over instead of one per line).
    Batch(Vec<SourceEvent>),
    /// Something the user should know (a warning, or a note for `--verbose`); following goes on.
    Notice { message: String, warning: bool },
}
