//! Following many files and globs from one thread with one watcher.
//!
//! The watcher is either the platform's native one (inotify on Linux, through notify) or plain
//! polling every interval. The native watcher's callback never blocks: it records the paths that
//! changed in a shared set and wakes the follower thread, so a burst of writes costs one wake-up.
//! The directories of the followed files are watched (not the files), which is what makes a
//! rotated, deleted or not-yet-created file visible; globs are matched again whenever a directory
//! changes and at every sweep, so files created later are picked up.
//!
//! Files are read by identity ([`FileId`]), one [`Tailer`] each, and paths only say which files
//! to read. A followed path (named, or matched by a glob) names one file at a time; when it names
//! another, the old file is read on until it has been quiet for [`ROTATION_GRACE`] while the new
//! one is read at once, and every file beside the path whose name starts with the path's
//! (`app.log.1`, `app.log.2`: generations rotated away between two looks) that was not read yet is
//! read from its start, oldest first. Files that were there before the watch started are not
//! generations, except those written since the last checkpoint save of a path followed before
//! (rotated while nobody watched). A copy of a file read (copytruncate) goes on where the
//! original was read to. Each file's lines go under one source name at a time, so that the
//! pipeline's position per source is one file's; when a path's name is needed for its new file,
//! the old file gets a name of its own first ([`SourceEvent::Opened`]).
//!
//! Even with the native watcher, every followed file is looked at once per sweep (1 s), so a lost
//! or overflowed event delays a line by at most that much instead of losing it.
//!
//! Memory per file is at most one open file and one unfinished line (capped by
//! `max_line_bytes`); the read buffer is shared, and lines wait for the pipeline in a bounded
//! channel of batches of at most `BATCH` lines and about `BATCH_BYTES` bytes. Open files stay
//! below the open-file limit, raised to the hard limit at start: beyond it, the least recently
//! grown files are closed and reopened, by identity, when their path shows they grew. Symbolic
//! links are followed only when asked to.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use thiserror::Error;

use super::checkpoint::Resume;
use super::limits::{self, OpenFiles};
use super::tail::{FileId, Polled, Position, Tailer, ROTATION_GRACE};
use super::SourceEvent;

/// Default interval of `--poll` without a value, and of the fallback when no watcher can be made.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How often every file is looked at even when the native watcher reported nothing.
const NATIVE_SWEEP: Duration = Duration::from_secs(1);

/// How long a file that may be a copy being written must keep its size before it is read: a
/// copy is written in one go, so a pause this long means it is complete.
const COPY_SETTLE: Duration = Duration::from_millis(500);

/// Globs are matched again at most this often when directories keep changing.
const RESCAN_MIN_GAP: Duration = Duration::from_millis(100);

/// Longest sleep, so that a stop request is seen quickly.
const MAX_WAIT: Duration = Duration::from_millis(100);

/// Events sent to the pipeline in one hand-over at most.
const BATCH: usize = 512;

/// Bytes of line text sent in one hand-over at most (one line may go over it).
const BATCH_BYTES: usize = 128 * 1024;

/// Bytes read from one file before the others get their turn.
const READ_BUDGET: usize = 1024 * 1024;

/// Finished (or deliberately unread) files remembered at most, so that a rotated file matched again
/// under its new name is not read twice; files no longer there are forgotten at every scan.
const FINISHED_MEMORY: usize = 16384;

/// Directories deeper than this below a `**` glob's base are not searched.
const MAX_GLOB_DEPTH: usize = 16;

/// How changes are noticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchMode {
    /// The platform's file-change notifications (inotify on Linux).
    Native,
    /// Look at every file every interval (network filesystems, containers without inotify).
    Poll(Duration),
}

/// What to follow and how.
pub struct FollowOptions {
    /// Files and globs, as given (relative to the working directory or absolute).
    pub inputs: Vec<PathBuf>,
    /// Globs of files not to follow, matched against the path as shown and the file name.
    pub exclude: Vec<String>,
    pub mode: WatchMode,
    /// Read files that exist at start from their first byte instead of their end.
    pub from_start: bool,
    /// An unfinished line that has not grown for this long is handed on as it is.
    pub idle_flush: Duration,
    pub max_line_bytes: usize,
    /// Where each file was read to by an earlier run, by identity (see [`super::checkpoint`]).
    pub resume: Resume,
    /// Read files and globs through symbolic links (else a link is skipped with a warning).
    pub follow_symlinks: bool,
    /// Set to stop: complete lines read so far are handed on and the thread ends.
    pub stop: Arc<AtomicBool>,
}

/// The running follower.
pub struct Follower {
    pub handle: JoinHandle<()>,
    /// The mode in use (polling if the native watcher could not be made).
    pub mode: WatchMode,
    /// What the user should know about how files are followed.
    pub warnings: Vec<String>,
}

#[derive(Debug, Error)]
pub enum FollowError {
    // Causes are part of the messages, not `source()`s, so that each is printed once.
    #[error("invalid glob '{pattern}': {}", cause.kind())]
    Glob {
        pattern: String,
        cause: globset::Error,
    },
    #[error("cannot resolve '{path}': {cause}")]
    Path { path: PathBuf, cause: io::Error },
}

/// Follow `options.inputs` on a thread of their own, sending lines to `tx` until `options.stop` is
/// set or the receiver is gone.
pub fn spawn_files(
    options: FollowOptions,
    tx: SyncSender<SourceEvent>,
) -> Result<Follower, FollowError> {
    let mut inputs = Vec::new();
    for input in &options.inputs {
        inputs.push(Input::new(input)?);
    }
    let exclude = exclude_set(&options.exclude)?;
    let changed = Arc::new(Changed::default());
    let (wake_tx, wake_rx) = mpsc::sync_channel(1);
    let mut warnings = Vec::new();
    let (watcher, mode) = match options.mode {
        WatchMode::Poll(interval) => (None, WatchMode::Poll(interval)),
        WatchMode::Native => match native_watcher(changed.clone(), wake_tx) {
            Ok(watcher) => (Some(watcher), WatchMode::Native),
            Err(error) => {
                warnings.push(format!(
                    "cannot watch files for changes ({}); polling every {} instead",
                    advice(&error),
                    humantime::format_duration(DEFAULT_POLL_INTERVAL)
                ));
                (None, WatchMode::Poll(DEFAULT_POLL_INTERVAL))
            }
        },
    };
    let open_files = limits::raise_open_files();
    let resumed_paths = options.resume.values().map(|s| s.path.clone()).collect();
    let follow = Follow {
        inputs,
        exclude,
        mode,
        from_start: options.from_start,
        follow_symlinks: options.follow_symlinks,
        idle_flush: options.idle_flush,
        max_line_bytes: options.max_line_bytes,
        resume: options.resume,
        resumed_paths,
        last_written: HashMap::new(),
        stop: options.stop,
        watcher,
        watched: HashSet::new(),
        changed,
        wake: wake_rx,
        tailers: HashMap::new(),
        paths: HashMap::new(),
        rotated: HashMap::new(),
        seen: HashMap::new(),
        contents: HashMap::new(),
        copying: HashMap::new(),
        labels: Labels::default(),
        more: HashSet::new(),
        timed: HashSet::new(),
        open_files,
        cap_reached: false,
        out_of_descriptors: false,
        links: HashSet::new(),
        out: Out {
            tx,
            batch: Vec::new(),
            bytes: 0,
        },
    };
    let handle = thread::Builder::new()
        .name("source-files".into())
        .spawn(move || follow.run())
        .expect("spawn file follower thread");
    Ok(Follower {
        handle,
        mode,
        warnings,
    })
}

/// Whether `error` says the process or the system has no descriptor left (EMFILE, ENFILE).
fn out_of_descriptors(error: &io::Error) -> bool {
    matches!(error.raw_os_error(), Some(23 | 24))
}

/// The user-facing reason a native watcher failed, with what to do about inotify limits.
pub fn advice(error: &notify::Error) -> String {
    match &error.kind {
        notify::ErrorKind::MaxFilesWatch => "the inotify watch limit is reached; raise it with \
             `sysctl fs.inotify.max_user_watches=524288`"
            .into(),
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(24) => {
            "too many inotify instances or open files; raise `fs.inotify.max_user_instances` \
             or the open-file limit (`ulimit -n`)"
                .into()
        }
        notify::ErrorKind::Io(io) if io.raw_os_error() == Some(28) => {
            "the inotify watch limit is reached; raise it with \
             `sysctl fs.inotify.max_user_watches=524288`"
                .into()
        }
        _ => error.to_string(),
    }
}

/// What the native watcher's callback hands over: paths that changed, and whether globs must be
/// matched again (something was created, renamed or removed) or everything looked at (the kernel
/// dropped events).
#[derive(Default)]
struct Changed {
    paths: Mutex<HashSet<PathBuf>>,
    rescan: AtomicBool,
    sweep: AtomicBool,
}

fn native_watcher(
    changed: Arc<Changed>,
    wake: SyncSender<()>,
) -> Result<RecommendedWatcher, notify::Error> {
    notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match event {
            Ok(event) => {
                if event.need_rescan() {
                    changed.sweep.store(true, Ordering::Relaxed);
                }
                if matches!(
                    event.kind,
                    EventKind::Create(_)
                        | EventKind::Remove(_)
                        | EventKind::Modify(ModifyKind::Name(_))
                ) {
                    changed.rescan.store(true, Ordering::Relaxed);
                }
                if let Ok(mut paths) = changed.paths.lock() {
                    paths.extend(event.paths);
                }
            }
            Err(_) => changed.sweep.store(true, Ordering::Relaxed),
        }
        // A full channel already holds a wake-up; never wait here.
        match wake.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
        }
    })
}

/// One command-line input: a path, or a glob matched against the paths below its literal base.
enum Input {
    File {
        shown: PathBuf,
        abs: PathBuf,
    },
    Glob {
        matcher: GlobMatcher,
        /// The literal leading directories as given (`None` for a glob relative to here).
        base_shown: Option<PathBuf>,
        base_abs: PathBuf,
        depth: usize,
    },
}

impl Input {
    fn new(given: &Path) -> Result<Input, FollowError> {
        let text = given.to_string_lossy();
        let absolute = |path: &Path| {
            std::path::absolute(path).map_err(|cause| FollowError::Path {
                path: path.to_path_buf(),
                cause,
            })
        };
        if !text.contains(['*', '?', '[', '{']) {
            return Ok(Input::File {
                shown: given.to_path_buf(),
                abs: absolute(given)?,
            });
        }
        let matcher = GlobBuilder::new(&text)
            .literal_separator(true)
            .build()
            .map_err(|cause| FollowError::Glob {
                pattern: text.to_string(),
                cause,
            })?
            .compile_matcher();
        let components: Vec<Component<'_>> = given.components().collect();
        let literal = components
            .iter()
            .take_while(|c| {
                !c.as_os_str()
                    .to_string_lossy()
                    .contains(['*', '?', '[', '{'])
            })
            .count();
        let rest = &components[literal..];
        let depth = if rest.iter().any(|c| c.as_os_str() == "**") {
            MAX_GLOB_DEPTH
        } else {
            rest.len()
        };
        let base_shown: Option<PathBuf> =
            (literal > 0).then(|| components[..literal].iter().collect());
        let base_abs = absolute(base_shown.as_deref().unwrap_or(Path::new(".")))?;
        Ok(Input::Glob {
            matcher,
            base_shown,
            base_abs,
            depth,
        })
    }

    /// The directory to watch and whether below it too.
    fn watch_dir(&self) -> (PathBuf, RecursiveMode) {
        match self {
            Input::File { abs, .. } => (
                abs.parent().unwrap_or(Path::new("/")).to_path_buf(),
                RecursiveMode::NonRecursive,
            ),
            Input::Glob {
                base_abs, depth, ..
            } => (
                base_abs.clone(),
                if *depth > 1 {
                    RecursiveMode::Recursive
                } else {
                    RecursiveMode::NonRecursive
                },
            ),
        }
    }

    /// The files this input names now: (as shown, absolute). Symbolic links met while matching a
    /// glob are followed only with `follow_symlinks`, else put in `links`.
    fn expand(
        &self,
        follow_symlinks: bool,
        out: &mut Vec<(PathBuf, PathBuf)>,
        links: &mut Vec<PathBuf>,
    ) {
        match self {
            Input::File { shown, abs } => out.push((shown.clone(), abs.clone())),
            Input::Glob {
                matcher,
                base_shown,
                base_abs,
                depth,
            } => walk(
                base_abs,
                base_shown.as_deref(),
                *depth,
                &mut |shown, abs, link| {
                    if !matcher.is_match(shown) {
                        return true;
                    }
                    if link && !follow_symlinks {
                        links.push(shown.to_path_buf());
                        return false;
                    }
                    out.push((shown.to_path_buf(), abs.to_path_buf()));
                    true
                },
            ),
        }
    }
}

/// Call `found(shown, abs, is_link)` for every file below `dir`; a link to a directory is entered
/// only if `found` accepts it (returns true).
fn walk(
    dir: &Path,
    shown: Option<&Path>,
    depth: usize,
    found: &mut dyn FnMut(&Path, &Path, bool) -> bool,
) {
    if depth == 0 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let abs = dir.join(&name);
        let shown = match shown {
            Some(base) => base.join(&name),
            None => PathBuf::from(&name),
        };
        let link = entry.file_type().is_ok_and(|t| t.is_symlink());
        let Ok(meta) = std::fs::metadata(&abs) else {
            continue;
        };
        if meta.is_dir() {
            if !link || found(&shown, &abs, true) {
                walk(&abs, Some(&shown), depth - 1, found);
            }
        } else if meta.is_file() {
            found(&shown, &abs, link);
        }
    }
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet, FollowError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob: Glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|cause| FollowError::Glob {
                pattern: pattern.clone(),
                cause,
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|cause| FollowError::Glob {
        pattern: patterns.join(", "),
        cause,
    })
}

/// A file by identity: (device, inode).
type Key = (u64, u64);

/// A rotated-away file's label stays retired this long before another file may take it, so that
/// the pipeline has recorded where the old file ended before the name means another file.
const RETIRE_HOLD: Duration = Duration::from_secs(2);

/// Names a compressed rotation has; such files are not read as generations.
const COMPRESSED: [&str; 6] = [".gz", ".bz2", ".xz", ".zst", ".lz4", ".zip"];

struct Follow {
    inputs: Vec<Input>,
    exclude: GlobSet,
    mode: WatchMode,
    from_start: bool,
    follow_symlinks: bool,
    idle_flush: Duration,
    max_line_bytes: usize,
    /// Records of the last run not used yet, by identity.
    resume: Resume,
    /// Where the last run's files were, to tell which files it followed.
    resumed_paths: Vec<PathBuf>,
    /// At start, per directory: when the newest file the last run read was last written to. A
    /// file beside it the last run did not read that was written to since is a rotation that
    /// happened while nobody watched (or after the last run's last look).
    last_written: HashMap<PathBuf, SystemTime>,
    stop: Arc<AtomicBool>,
    watcher: Option<RecommendedWatcher>,
    watched: HashSet<PathBuf>,
    changed: Arc<Changed>,
    wake: Receiver<()>,
    /// Files being read.
    tailers: HashMap<Key, Tailer>,
    /// Followed paths (named, or matched by a glob): the file each named when last looked at.
    paths: HashMap<PathBuf, Followed>,
    /// Files no followed path names any more, and since when: read until quiet, then finished.
    rotated: HashMap<Key, Instant>,
    /// Files finished, or deliberately not read.
    seen: HashMap<Key, Seen>,
    /// How far contents no longer under their file were read, by fingerprint (a file truncated
    /// after it was copied, a file finished): a copy of one is not new.
    contents: HashMap<(u32, u64), Position>,
    /// Files appeared while watching that may be copies still being written, with their size
    /// and since when they have had it.
    copying: HashMap<Key, (u64, Instant)>,
    labels: Labels,
    /// Tailers whose read budget ran out.
    more: HashSet<Key>,
    /// Tailers holding an unfinished line.
    timed: HashSet<Key>,
    open_files: OpenFiles,
    /// The open-file cap was reached (said once).
    cap_reached: bool,
    /// Opening failed for want of descriptors (said once).
    out_of_descriptors: bool,
    /// Symbolic links skipped (each said once).
    links: HashSet<PathBuf>,
    out: Out,
}

/// A followed path and the file it named when last looked at.
struct Followed {
    file: Option<Key>,
}

/// A file not being read.
#[derive(Clone)]
enum Seen {
    /// Read to `at` under `label` and closed (rotated away and quiet): read on if it grows, under
    /// the same label if it is free (the pipeline's position for that label is this file's).
    Finished {
        id: FileId,
        at: Position,
        label: Arc<str>,
    },
    /// An old rotation that was there before the watch started: not read.
    Skipped { id: FileId, len: u64 },
}

impl Seen {
    fn id(&self) -> FileId {
        match self {
            Seen::Finished { id, .. } | Seen::Skipped { id, .. } => *id,
        }
    }

    fn len(&self) -> u64 {
        match self {
            Seen::Finished { at, .. } => at.offset,
            Seen::Skipped { len, .. } => *len,
        }
    }
}

/// Source names: one file's lines at a time under each, so that the pipeline's positions (and
/// its checkpoints) per source are one file's.
#[derive(Default)]
struct Labels {
    active: HashMap<Arc<str>, Key>,
    retired: HashMap<Arc<str>, Instant>,
}

impl Labels {
    fn free(&self, label: &str, now: Instant) -> bool {
        !self.active.contains_key(label)
            && self
                .retired
                .get(label)
                .is_none_or(|t| now.duration_since(*t) >= RETIRE_HOLD)
    }

    /// `base`, or `base (2)`, `base (3)`... whichever is free.
    fn fresh(&mut self, base: &str, key: Key, now: Instant) -> Arc<str> {
        let mut label: Arc<str> = Arc::from(base);
        let mut n = 2;
        while !self.free(&label, now) {
            label = Arc::from(format!("{base} ({n})"));
            n += 1;
        }
        self.retired.remove(&label);
        self.active.insert(label.clone(), key);
        label
    }

    fn retire(&mut self, label: &Arc<str>, now: Instant) {
        self.active.remove(label);
        self.retired
            .retain(|_, t| now.duration_since(*t) < RETIRE_HOLD);
        self.retired.insert(label.clone(), now);
    }
}

/// A file a scan found: as shown and absolute, and whether a followed path names it (else it is
/// a rotated generation of one, `app.log.1` beside `app.log`).
struct Candidate {
    shown: PathBuf,
    abs: PathBuf,
    followed: bool,
    /// For a generation: the followed path it is a generation of.
    of: PathBuf,
    meta: std::fs::Metadata,
}

/// Events on their way to the pipeline, sent in batches: one channel hand-over per read instead
/// of one per line (the order of events is kept).
struct Out {
    tx: SyncSender<SourceEvent>,
    batch: Vec<SourceEvent>,
    /// Text bytes in `batch`, so that a batch of long lines stays small too.
    bytes: usize,
}

impl Out {
    /// Queue `event`; false when nobody listens any more.
    fn push(&mut self, event: SourceEvent) -> bool {
        if let SourceEvent::FileLine { line, .. } = &event {
            self.bytes += line.text.len();
        }
        self.batch.push(event);
        (self.batch.len() < BATCH && self.bytes < BATCH_BYTES) || self.flush()
    }

    fn flush(&mut self) -> bool {
        self.bytes = 0;
        let event = match self.batch.len() {
            0 => return true,
            1 => self.batch.pop().expect("one event"),
            _ => SourceEvent::Batch(std::mem::take(&mut self.batch)),
        };
        self.tx.send(event).is_ok()
    }
}

impl Follow {
    fn run(mut self) {
        let mut buf = vec![0u8; 256 * 1024];
        let sweep_every = match self.mode {
            WatchMode::Native => NATIVE_SWEEP,
            WatchMode::Poll(interval) => interval,
        };
        self.scan(true);
        // Opened (and positioned) before saying so, so that "following" means lines written from
        // now on are read.
        let all: Vec<Key> = self.tailers.keys().copied().collect();
        if !self.poll(&all, &mut buf) {
            return;
        }
        let missing: Vec<String> = self
            .inputs
            .iter()
            .filter_map(|input| match input {
                Input::File { shown, abs } if !abs.exists() => Some(shown.display().to_string()),
                _ => None,
            })
            .collect();
        for shown in missing {
            let message = format!("'{shown}' does not exist yet; waiting for it");
            if !self.out.push(SourceEvent::Notice {
                message,
                warning: true,
            }) {
                return;
            }
        }
        if !self.send(SourceEvent::Notice {
            message: format!(
                "following {} file(s) {}",
                self.paths.len(),
                match self.mode {
                    WatchMode::Native => "with inotify".to_string(),
                    WatchMode::Poll(d) =>
                        format!("polling every {}", humantime::format_duration(d)),
                }
            ),
            warning: false,
        }) {
            return;
        }
        let mut next_sweep = Instant::now();
        let mut last_rescan = Instant::now();
        while !self.stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            let sweep = now >= next_sweep || self.changed.sweep.swap(false, Ordering::Relaxed);
            let mut due: Vec<Key> = Vec::new();
            if sweep {
                self.scan(false);
                last_rescan = now;
                next_sweep = now + sweep_every;
                due.extend(self.tailers.keys().copied());
            } else {
                if now.duration_since(last_rescan) >= RESCAN_MIN_GAP
                    && self.changed.rescan.swap(false, Ordering::Relaxed)
                {
                    last_rescan = now;
                    self.scan(false);
                }
                let changed = std::mem::take(
                    &mut *self
                        .changed
                        .paths
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner()),
                );
                for path in &changed {
                    // A watched directory that was removed took its inotify watch with it: watch
                    // it again once it is back.
                    if self.watched.contains(path) && !path.is_dir() {
                        self.watched.remove(path);
                    }
                }
                due.extend(
                    changed
                        .iter()
                        .filter_map(|path| self.paths.get(path).and_then(|f| f.file)),
                );
                due.extend(self.more.iter().copied());
                // Rotated files are few and read until quiet: looked at every turn.
                due.extend(self.rotated.keys().copied());
            }
            due.sort_unstable();
            due.dedup();
            if !self.poll(&due, &mut buf) {
                return;
            }
            if !self.finish_quiet(Instant::now()) {
                return;
            }
            if !self.flush_idle(Instant::now()) || !self.out.flush() {
                return;
            }
            let wait = self.wait_time(next_sweep);
            match self.wake.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => thread::sleep(wait),
            }
        }
        // Stopping: what was read is handed on. A line without its newline yet stays unread, for
        // the next run to read whole.
        self.out.flush();
    }

    fn send(&mut self, event: SourceEvent) -> bool {
        self.out.push(event) && self.out.flush()
    }

    fn warn(&mut self, message: String) -> bool {
        self.out.push(SourceEvent::Notice {
            message,
            warning: true,
        })
    }

    fn wait_time(&self, next_sweep: Instant) -> Duration {
        if !self.more.is_empty() {
            return Duration::ZERO;
        }
        let now = Instant::now();
        let mut until = next_sweep;
        for key in &self.timed {
            if let Some(deadline) = self
                .tailers
                .get(key)
                .and_then(|t| t.partial_deadline(self.idle_flush))
            {
                until = until.min(deadline);
            }
        }
        until.saturating_duration_since(now).min(MAX_WAIT)
    }

    /// Whether a followed path names the file `key` (it is not a rotated one).
    fn attached(&self, key: Key) -> Option<&Path> {
        let path = self.tailers.get(&key)?.path();
        (self.paths.get(path)?.file == Some(key)).then_some(path)
    }

    /// Read the files `due`; when one of them is no longer named by its path, scan for the files
    /// that replaced it.
    fn poll(&mut self, due: &[Key], buf: &mut [u8]) -> bool {
        let mut replaced = false;
        for &key in due {
            let attached = self.attached(key).map(Path::to_path_buf);
            let Some(tailer) = self.tailers.get(&key) else {
                continue;
            };
            if !tailer.is_open() {
                // Closed to spare descriptors: reopened only when it has something to read.
                let Some(path) = attached.clone() else {
                    continue;
                };
                match std::fs::metadata(&path) {
                    Ok(meta) if (meta.dev(), meta.ino()) == key => {
                        if !tailer.changed_size(meta.len()) {
                            continue;
                        }
                    }
                    _ => {
                        self.detach(key);
                        replaced = true;
                        continue;
                    }
                }
                self.make_room(Some(key));
                let mut reopened = self.tailers.get_mut(&key).expect("tailer").reopen(&path);
                if reopened.as_ref().is_err_and(out_of_descriptors) {
                    self.close_idlest(Some(key));
                    reopened = self.tailers.get_mut(&key).expect("tailer").reopen(&path);
                }
                match reopened {
                    Ok(true) => {}
                    Err(error) if out_of_descriptors(&error) => {
                        // Tried again at its next change or sweep.
                        self.warn_out_of_descriptors(&path, &error);
                        continue;
                    }
                    Ok(false) | Err(_) => {
                        self.detach(key);
                        replaced = true;
                        continue;
                    }
                }
            }
            let tailer = self.tailers.get_mut(&key).expect("tailer");
            let out = &mut self.out;
            let mut emit = |event| out.push(event);
            match tailer.poll(buf, READ_BUDGET, &mut emit) {
                Ok(Polled::Closed) => return false,
                Ok(Polled::More) => {
                    self.more.insert(key);
                }
                Ok(Polled::Idle) => {
                    self.more.remove(&key);
                }
                Err(error) => {
                    // Dropped and found again by the next scan, from where it was read to.
                    let message =
                        format!("failed to read '{}': {error}; reopening", tailer.source());
                    let _ = tailer.finish(&mut |_| true);
                    let (id, at) = (tailer.id(), tailer.read_to());
                    let label = tailer.source().clone();
                    self.remove(key);
                    self.seen.insert(key, Seen::Finished { id, at, label });
                    if !self.warn(message) {
                        return false;
                    }
                    continue;
                }
            }
            let tailer = self.tailers.get_mut(&key).expect("tailer");
            if let Some((id, at)) = tailer.take_replaced() {
                self.remember_content(id, at);
            }
            let tailer = &self.tailers[&key];
            if tailer.has_partial() {
                self.timed.insert(key);
            } else {
                self.timed.remove(&key);
            }
            if let Some(path) = attached {
                // Looked at after reading, so that what was written before a rotation is read
                // first; what comes later is read from the rotated file until it is quiet.
                let same = std::fs::metadata(&path).is_ok_and(|m| (m.dev(), m.ino()) == key);
                if !same {
                    self.detach(key);
                    replaced = true;
                }
            }
        }
        if replaced {
            self.scan(false);
        }
        true
    }

    /// The path that named `key` names another file or none: `key` is read until quiet.
    fn detach(&mut self, key: Key) {
        if let Some(path) = self.tailers.get(&key).map(|t| t.path().to_path_buf()) {
            if let Some(followed) = self.paths.get_mut(&path) {
                if followed.file == Some(key) {
                    followed.file = None;
                }
            }
        }
        self.rotated.entry(key).or_insert_with(Instant::now);
    }

    fn remove(&mut self, key: Key) -> Option<Tailer> {
        self.more.remove(&key);
        self.timed.remove(&key);
        self.rotated.remove(&key);
        let tailer = self.tailers.remove(&key)?;
        self.labels.retire(tailer.source(), Instant::now());
        Some(tailer)
    }

    /// Finish the rotated files that stayed quiet for [`ROTATION_GRACE`] (a program writes to its
    /// old file until it reopens the path).
    fn finish_quiet(&mut self, now: Instant) -> bool {
        let quiet: Vec<Key> =
            self.rotated
                .iter()
                .filter(|(key, since)| {
                    !self.more.contains(*key)
                        && self.tailers.get(*key).is_none_or(|t| {
                            now.duration_since(t.grew().max(**since)) >= ROTATION_GRACE
                        })
                })
                .map(|(key, _)| *key)
                .collect();
        for key in quiet {
            let Some(mut tailer) = self.remove(key) else {
                continue;
            };
            let out = &mut self.out;
            if !tailer.finish(&mut |event| out.push(event)) {
                return false;
            }
            self.seen.insert(
                key,
                Seen::Finished {
                    id: tailer.id(),
                    at: tailer.read_to(),
                    label: tailer.source().clone(),
                },
            );
            self.remember_content(tailer.id(), tailer.read_to());
        }
        true
    }

    fn remember_content(&mut self, id: FileId, at: Position) {
        if self.contents.len() >= FINISHED_MEMORY {
            self.contents.clear();
        }
        self.contents
            .insert((id.fingerprint_len, id.fingerprint), at);
    }

    /// How far the content `id` starts with was read, if it is a copy of a file read (being read,
    /// or truncated after a copy was taken).
    fn copy_of(&self, key: Key, id: FileId) -> Option<Position> {
        if id.fingerprint_len == 0 {
            return None;
        }
        let fingerprint = (id.fingerprint_len, id.fingerprint);
        self.tailers
            .iter()
            .find(|(other, t)| {
                **other != key && (t.id().fingerprint_len, t.id().fingerprint) == fingerprint
            })
            .map(|(_, t)| t.read_to())
            .or_else(|| self.contents.get(&fingerprint).copied())
    }

    /// Whether the file `key` (`id`, `len` bytes), new since the watch started, may be a copy
    /// still being written of a file being read: all it holds is the start of that file, it is
    /// shorter than what was read of it, and its size changed within [`COPY_SETTLE`]. A copy
    /// (copytruncate) is created empty and filled: taken for a new file at that moment, what
    /// was copied would be read a second time.
    fn copy_in_progress(&mut self, key: Key, id: FileId, len: u64, now: Instant) -> bool {
        let start_of_another = self
            .tailers
            .iter()
            .any(|(other, t)| *other != key && len < t.read_to().offset && t.starts_with(id));
        if !start_of_another {
            self.copying.remove(&key);
            return false;
        }
        if self.copying.len() >= FINISHED_MEMORY {
            self.copying.clear();
        }
        let (size, since) = *self.copying.entry(key).or_insert((len, now));
        if size != len {
            self.copying.insert(key, (len, now));
            return true;
        }
        let settled = now.duration_since(since) >= COPY_SETTLE;
        if settled {
            self.copying.remove(&key);
        }
        !settled
    }

    fn flush_idle(&mut self, now: Instant) -> bool {
        let out = &mut self.out;
        let mut emit = |event| out.push(event);
        let mut done = Vec::new();
        for key in &self.timed {
            if let Some(tailer) = self.tailers.get_mut(key) {
                if !tailer.flush_idle(now, self.idle_flush, &mut emit) {
                    return false;
                }
                if !tailer.has_partial() {
                    done.push(*key);
                }
            }
        }
        for key in done {
            self.timed.remove(&key);
        }
        true
    }

    /// Close the least recently grown open files until one more fits under the cap (never
    /// `keep`, never a rotated file: it may have no name left to reopen it by).
    fn make_room(&mut self, keep: Option<Key>) {
        let open = self.tailers.values().filter(|t| t.is_open()).count();
        if open < self.open_files.cap {
            return;
        }
        if !self.cap_reached {
            self.cap_reached = true;
            let message = format!(
                "more files to follow than may be open at once ({} under the open-file limit \
                 of {}): idle files are closed and reopened when they grow; raise the limit \
                 (`ulimit -n`, or LimitNOFILE= in a systemd unit) to keep them all open",
                self.open_files.cap, self.open_files.limit
            );
            let _ = self.warn(message);
        }
        let mut candidates: Vec<(Instant, Key)> = self
            .tailers
            .iter()
            .filter(|(key, t)| {
                t.is_open() && Some(**key) != keep && !self.rotated.contains_key(*key)
            })
            .map(|(key, t)| (t.grew(), *key))
            .collect();
        candidates.sort_unstable();
        for (_, key) in candidates.into_iter().take(open + 1 - self.open_files.cap) {
            if let Some(tailer) = self.tailers.get_mut(&key) {
                tailer.close();
            }
        }
    }

    /// Close the least recently grown open file that can be reopened (not `keep`).
    fn close_idlest(&mut self, keep: Option<Key>) {
        let idlest = self
            .tailers
            .iter()
            .filter(|(key, t)| {
                t.is_open() && Some(**key) != keep && !self.rotated.contains_key(*key)
            })
            .min_by_key(|(_, t)| t.grew())
            .map(|(key, _)| *key);
        if let Some(key) = idlest {
            if let Some(tailer) = self.tailers.get_mut(&key) {
                tailer.close();
            }
        }
    }

    /// Said once: the process ran out of descriptors even below the cap (something else holds
    /// many, or the system-wide limit is reached).
    fn warn_out_of_descriptors(&mut self, path: &Path, error: &io::Error) {
        if !self.out_of_descriptors {
            self.out_of_descriptors = true;
            let message = format!(
                "cannot open '{}': {error}; it is tried again, but raise the open-file limit \
                 (`ulimit -n`, or LimitNOFILE= in a systemd unit)",
                path.display()
            );
            let _ = self.warn(message);
        }
    }

    /// Match the inputs again: new files get a tailer (generations of a followed path too),
    /// directories not watched yet get a watch.
    fn scan(&mut self, initial: bool) {
        self.watch_dirs();
        let mut found = Vec::new();
        let mut links = Vec::new();
        for input in &self.inputs {
            input.expand(self.follow_symlinks, &mut found, &mut links);
        }
        for link in links {
            self.skip_link(&link);
        }
        // A glob's file that is gone and no longer read is forgotten (named paths are always
        // found, so they are waited for instead).
        let present: HashSet<&Path> = found.iter().map(|(_, abs)| abs.as_path()).collect();
        self.paths
            .retain(|abs, followed| present.contains(abs.as_path()) || followed.file.is_some());
        let candidates = self.candidates(found);
        if initial {
            for candidate in &candidates {
                let key = (candidate.meta.dev(), candidate.meta.ino());
                let (Some(dir), Ok(modified)) = (candidate.abs.parent(), candidate.meta.modified())
                else {
                    continue;
                };
                if self.resume.contains_key(&key) {
                    let newest = self
                        .last_written
                        .entry(dir.to_path_buf())
                        .or_insert(modified);
                    *newest = (*newest).max(modified);
                }
            }
        }
        let keys: HashSet<Key> = candidates
            .iter()
            .map(|c| (c.meta.dev(), c.meta.ino()))
            .collect();
        // What is gone is forgotten (a recycled inode is then a new file anyway).
        self.seen.retain(|key, _| keys.contains(key));
        if self.seen.len() > FINISHED_MEMORY {
            self.seen.clear();
        }
        for candidate in candidates {
            self.consider(candidate, initial);
        }
    }

    fn watch_dirs(&mut self) {
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        for input in &self.inputs {
            let (dir, recursive) = input.watch_dir();
            if self.watched.contains(&dir) || !dir.is_dir() {
                continue;
            }
            match watcher.watch(&dir, recursive) {
                Ok(()) => {
                    self.watched.insert(dir);
                }
                Err(error) => {
                    let message = format!(
                        "cannot watch '{}' ({}); its files are looked at every {}",
                        dir.display(),
                        advice(&error),
                        humantime::format_duration(NATIVE_SWEEP)
                    );
                    // Reported once: the directory counts as handled from now on.
                    self.watched.insert(dir);
                    let _ = self.out.push(SourceEvent::Notice {
                        message,
                        warning: true,
                    });
                }
            }
        }
    }

    fn skip_link(&mut self, shown: &Path) {
        if self.links.insert(shown.to_path_buf()) {
            let message = format!(
                "not following '{}': it is a symbolic link (--follow-symlinks reads through links)",
                shown.display()
            );
            let _ = self.warn(message);
        }
    }

    /// The followed files that exist, and beside each the files whose name starts with its name
    /// (its rotated generations), oldest first.
    fn candidates(&mut self, found: Vec<(PathBuf, PathBuf)>) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut by_dir: HashMap<PathBuf, Vec<(PathBuf, PathBuf)>> = HashMap::new();
        for (shown, abs) in found {
            if self.excluded(&shown, &abs) {
                continue;
            }
            self.paths
                .entry(abs.clone())
                .or_insert(Followed { file: None });
            let dir = abs.parent().unwrap_or(Path::new("/")).to_path_buf();
            by_dir.entry(dir).or_default().push((shown, abs));
        }
        for (dir, followed) in by_dir {
            let names: BTreeSet<std::ffi::OsString> = match std::fs::read_dir(&dir) {
                Ok(entries) => entries.flatten().map(|e| e.file_name()).collect(),
                Err(_) => BTreeSet::new(),
            };
            let followed_names: HashSet<&std::ffi::OsStr> = followed
                .iter()
                .filter_map(|(_, abs)| abs.file_name())
                .collect();
            let mut generations: HashMap<std::ffi::OsString, (PathBuf, PathBuf)> = HashMap::new();
            for (shown, abs) in &followed {
                let Some(name) = abs.file_name() else {
                    continue;
                };
                if names.contains(name) {
                    if let Some(meta) = self.file_meta(shown, abs) {
                        out.push(Candidate {
                            shown: shown.clone(),
                            abs: abs.clone(),
                            followed: true,
                            of: abs.clone(),
                            meta,
                        });
                    }
                }
                let prefix = name.as_encoded_bytes();
                for other in names.range(name.to_os_string()..) {
                    let bytes = other.as_encoded_bytes();
                    if !bytes.starts_with(prefix) {
                        break;
                    }
                    if other == name || followed_names.contains(other.as_os_str()) {
                        continue;
                    }
                    let text = other.to_string_lossy();
                    if COMPRESSED.iter().any(|ext| text.ends_with(ext)) {
                        continue;
                    }
                    generations
                        .entry(other.clone())
                        .or_insert_with(|| (shown.with_file_name(other), abs.clone()));
                }
            }
            for (name, (shown, of)) in generations {
                let abs = dir.join(&name);
                if self.excluded(&shown, &abs) {
                    continue;
                }
                if let Some(meta) = self.file_meta(&shown, &abs) {
                    out.push(Candidate {
                        shown,
                        abs,
                        followed: false,
                        of,
                        meta,
                    });
                }
            }
        }
        // Oldest first, so that a rotated file's lines come before its successor's where both
        // are new; a path's own file after its generations.
        out.sort_by_key(|c| (c.followed, c.meta.modified().ok()));
        out
    }

    /// The metadata of a regular file at `abs`, through a link only with --follow-symlinks.
    fn file_meta(&mut self, shown: &Path, abs: &Path) -> Option<std::fs::Metadata> {
        let meta = std::fs::symlink_metadata(abs).ok()?;
        let meta = if meta.file_type().is_symlink() {
            if !self.follow_symlinks {
                self.skip_link(shown);
                return None;
            }
            std::fs::metadata(abs).ok()?
        } else {
            meta
        };
        meta.is_file().then_some(meta)
    }

    /// Read `candidate` from where it should be, unless it is read already.
    fn consider(&mut self, candidate: Candidate, initial: bool) {
        let key = (candidate.meta.dev(), candidate.meta.ino());
        let now = Instant::now();
        if candidate.followed {
            let followed = self.paths.get_mut(&candidate.abs).expect("followed path");
            if followed.file == Some(key) {
                return;
            }
            if let Some(old) = followed.file.take() {
                self.detach(old);
            }
        }
        if self.tailers.contains_key(&key) {
            if !candidate.followed && self.attached(key).is_some() {
                // Renamed away from its followed path: read until quiet from now on.
                self.detach(key);
            }
            // The same file under another name (renamed, or matched again by a glob).
            let tailer = self.tailers.get_mut(&key).expect("tailer");
            tailer.set_path(candidate.abs.clone());
            if candidate.followed {
                self.rotated.remove(&key);
                if let Some(followed) = self.paths.get_mut(&candidate.abs) {
                    followed.file = Some(key);
                }
            }
            return;
        }
        let len = candidate.meta.len();
        let seen = self.seen.get(&key).cloned();
        if seen.as_ref().is_some_and(|s| s.len() == len) {
            return;
        }
        let mut opened = File::open(&candidate.abs);
        if opened.as_ref().is_err_and(out_of_descriptors) {
            self.close_idlest(None);
            opened = File::open(&candidate.abs);
        }
        let file = match opened {
            Ok(file) => file,
            Err(error) => {
                if out_of_descriptors(&error) {
                    // Looked at again at the next scan.
                    self.warn_out_of_descriptors(&candidate.abs, &error);
                }
                return;
            }
        };
        let Ok(id) = FileId::of(&file) else {
            return;
        };
        let mut previous = None;
        let start = match seen {
            Some(seen) if seen.id().same_start(&file).unwrap_or(false) => match seen {
                // Written to after it was finished: read on.
                Seen::Finished { at, label, .. } => {
                    previous = Some(label);
                    Some(at)
                }
                Seen::Skipped { id, .. } => {
                    self.seen.insert(key, Seen::Skipped { id, len });
                    None
                }
            },
            _ => {
                if !initial && self.copy_in_progress(key, id, len, now) {
                    // Looked at again at the next event or sweep.
                    return;
                }
                self.seen.remove(&key);
                self.start_for(&candidate, key, id, &file, initial)
            }
        };
        let Some(at) = start else {
            self.seen.entry(key).or_insert(Seen::Skipped { id, len });
            return;
        };
        self.open(candidate, key, file, at, previous, now);
    }

    /// Where a file not read yet starts; `None`: not read (an old rotation).
    fn start_for(
        &mut self,
        candidate: &Candidate,
        key: Key,
        id: FileId,
        file: &File,
        initial: bool,
    ) -> Option<Position> {
        if let Some(saved) = self.resume.remove(&key) {
            if saved.file.same_start(file).unwrap_or(false) {
                return Some(self.validated(&candidate.shown, file, saved.at));
            }
        }
        if !initial {
            if let Some(at) = self.copy_of(key, id) {
                // A copy (copytruncate): what was read of the original is not read again.
                let valid = crate::source::tail::valid_offset(file, at.offset).unwrap_or(false);
                return valid.then_some(at);
            }
            // Appeared while watching: a new file, or a generation that came and went between
            // two looks.
            return Some(Position::default());
        }
        let related = self.followed_before(&candidate.of);
        let written_since = related
            && match (
                candidate.meta.modified(),
                candidate
                    .abs
                    .parent()
                    .and_then(|d| self.last_written.get(d)),
            ) {
                (Ok(modified), Some(newest)) => modified >= *newest,
                _ => false,
            };
        // The path the last run read names a file it did not read: replaced while nobody
        // watched.
        let replaced = candidate.followed && self.resumed_paths.contains(&candidate.abs);
        let named = self
            .inputs
            .iter()
            .any(|input| matches!(input, Input::File { abs, .. } if *abs == candidate.abs));
        if replaced && named {
            let message = format!(
                "'{}' was replaced while not watched; reading the new file from its start",
                candidate.shown.display()
            );
            let _ = self.warn(message);
        }
        if written_since || replaced {
            return Some(Position::default());
        }
        if !candidate.followed {
            return None;
        }
        if self.from_start {
            return Some(Position::default());
        }
        let len = candidate.meta.len();
        let lines = crate::source::tail::count_lines(file, len).ok()?;
        Some(Position {
            offset: len,
            line: lines,
        })
    }

    /// Whether the last run followed `path` or one of its generations.
    fn followed_before(&self, path: &Path) -> bool {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return false;
        };
        let name = name.as_encoded_bytes();
        self.resumed_paths.iter().any(|p| {
            p.parent() == Some(dir)
                && p.file_name().is_some_and(|n| {
                    let n = n.as_encoded_bytes();
                    n.starts_with(name) || name.starts_with(n)
                })
        })
    }

    /// A checkpoint's position if it can be trusted, else the file's start (with a warning).
    fn validated(&mut self, shown: &Path, file: &File, at: Option<Position>) -> Position {
        let problem = match at {
            None => Some("its checkpoint is damaged".to_string()),
            Some(at) => match crate::source::tail::valid_offset(file, at.offset) {
                Ok(true) => return at,
                Ok(false) => Some(format!(
                    "its checkpoint (offset {}) is past its end or inside a line",
                    at.offset
                )),
                Err(error) => Some(error.to_string()),
            },
        };
        if let Some(problem) = problem {
            let message = format!("reading '{}' from its start: {problem}", shown.display());
            let _ = self.warn(message);
        }
        Position::default()
    }

    /// Read `candidate` from `at`, under the label it had if it was read before (`previous`) and
    /// that label is free, else under its name.
    fn open(
        &mut self,
        candidate: Candidate,
        key: Key,
        file: File,
        at: Position,
        previous: Option<Arc<str>>,
        now: Instant,
    ) {
        let label = match previous.filter(|l| !self.labels.active.contains_key(l)) {
            Some(label) => {
                self.labels.retired.remove(&label);
                self.labels.active.insert(label.clone(), key);
                label
            }
            None => {
                let wanted = if candidate.followed {
                    self.take_label(&candidate.shown, now)
                } else {
                    candidate.shown.to_string_lossy().into_owned()
                };
                self.labels.fresh(&wanted, key, now)
            }
        };
        self.make_room(None);
        let tailer = match Tailer::new(
            label.clone(),
            candidate.abs.clone(),
            file,
            at,
            self.max_line_bytes,
        ) {
            Ok(tailer) => tailer,
            Err(error) => {
                self.labels.active.remove(&label);
                let message = format!("cannot read '{}': {error}", candidate.shown.display());
                let _ = self.warn(message);
                return;
            }
        };
        let _ = self.out.push(tailer.opened());
        self.tailers.insert(key, tailer);
        if candidate.followed {
            if let Some(followed) = self.paths.get_mut(&candidate.abs) {
                followed.file = Some(key);
            }
        } else {
            self.rotated.insert(key, now);
        }
        // Read at once rather than at the next event.
        self.more.insert(key);
    }

    /// The label of a followed path for its new file: a rotated file still read under it gets
    /// a name of its own first.
    fn take_label(&mut self, shown: &Path, now: Instant) -> String {
        let wanted = shown.to_string_lossy().into_owned();
        if let Some(holder) = self.labels.active.get(wanted.as_str()).copied() {
            let base = match self.tailers.get(&holder).map(|t| t.path().to_path_buf()) {
                Some(path) if path.file_name() != shown.file_name() => match path.file_name() {
                    Some(name) => shown.with_file_name(name).to_string_lossy().into_owned(),
                    None => format!("{wanted} (rotated)"),
                },
                _ => format!("{wanted} (rotated)"),
            };
            let label = self.labels.fresh(&base, holder, now);
            self.labels.active.remove(wanted.as_str());
            let out = &mut self.out;
            if let Some(tailer) = self.tailers.get_mut(&holder) {
                let _ = tailer.relabel(label, &mut |event| out.push(event));
            }
        }
        wanted
    }

    fn excluded(&self, shown: &Path, abs: &Path) -> bool {
        if self.exclude.is_empty() {
            return false;
        }
        self.exclude.is_match(shown)
            || self.exclude.is_match(abs)
            || abs
                .file_name()
                .is_some_and(|name| self.exclude.is_match(Path::new(name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_split_into_a_base_and_a_depth() {
        let Input::Glob {
            base_shown, depth, ..
        } = Input::new(Path::new("logs/*/app-*.log")).unwrap()
        else {
            panic!("not a glob");
        };
        assert_eq!(base_shown.as_deref(), Some(Path::new("logs")));
        assert_eq!(depth, 2);
        assert!(matches!(
            Input::new(Path::new("logs/app.log")).unwrap(),
            Input::File { .. }
        ));
    }

    #[test]
    fn expands_globs_below_their_base_only_to_their_depth() {
        let dir = tempfile::tempdir().unwrap();
        for rel in ["a.log", "b.txt", "sub/c.log", "sub/deeper/d.log"] {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let mut found = Vec::new();
        let mut links = Vec::new();
        Input::new(&dir.path().join("*.log"))
            .unwrap()
            .expand(false, &mut found, &mut links);
        Input::new(&dir.path().join("*/*.log"))
            .unwrap()
            .expand(false, &mut found, &mut links);
        let mut names: Vec<_> = found
            .iter()
            .map(|(shown, _)| shown.strip_prefix(dir.path()).unwrap().to_path_buf())
            .collect();
        names.sort();
        assert_eq!(names, [PathBuf::from("a.log"), PathBuf::from("sub/c.log")]);
    }

    #[test]
    fn inotify_limits_come_with_advice() {
        let error = notify::Error::new(notify::ErrorKind::MaxFilesWatch);
        assert!(advice(&error).contains("max_user_watches"));
        let error = notify::Error::io(io::Error::from_raw_os_error(24));
        assert!(advice(&error).contains("max_user_instances"));
    }
}
