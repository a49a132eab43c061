//! Following many files and globs from one thread with one watcher.
//!
//! The watcher is either the platform's native one (inotify on Linux, through notify) or plain
//! polling every interval. The native watcher's callback never blocks: it records the paths that
//! changed in a shared set and wakes the follower thread, so a burst of writes costs one wake-up.
//! The directories of the followed files are watched (not the files), which is what makes a
//! rotated, deleted or not-yet-created file visible; globs are matched again whenever a directory
//! changes and at every sweep, so files created later are picked up.
//!
//! Even with the native watcher, every followed file is looked at once per sweep (1 s), so a lost
//! or overflowed event delays a line by at most that much instead of losing it.
//!
//! Memory per file is one open file and at most one unfinished line (capped by `max_line_bytes`);
//! the read buffer is shared, and lines wait for the pipeline in a bounded channel of batches of
//! at most `BATCH` lines and about `BATCH_BYTES` bytes.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use thiserror::Error;

use super::tail::{FileId, Polled, Position, Start, Tailer};
use super::{Checkpoint, SourceEvent};

/// Default interval of `--poll` without a value, and of the fallback when no watcher can be made.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How often every file is looked at even when the native watcher reported nothing.
const NATIVE_SWEEP: Duration = Duration::from_secs(1);

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

/// Rotated-away files remembered so that a glob matching their new name does not read them twice.
const FINISHED_MEMORY: usize = 4096;

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
    /// Where each absolute path was read to by an earlier run.
    pub resume: HashMap<PathBuf, Checkpoint>,
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
    #[error("invalid glob '{pattern}': {source}")]
    Glob {
        pattern: String,
        source: globset::Error,
    },
    #[error("cannot resolve '{path}': {source}")]
    Path { path: PathBuf, source: io::Error },
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
    let follow = Follow {
        inputs,
        exclude,
        mode,
        from_start: options.from_start,
        idle_flush: options.idle_flush,
        max_line_bytes: options.max_line_bytes,
        resume: options.resume,
        stop: options.stop,
        watcher,
        watched: HashSet::new(),
        changed,
        wake: wake_rx,
        tailers: HashMap::new(),
        more: HashSet::new(),
        timed: HashSet::new(),
        finished: HashMap::new(),
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
            std::path::absolute(path).map_err(|source| FollowError::Path {
                path: path.to_path_buf(),
                source,
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
            .map_err(|source| FollowError::Glob {
                pattern: text.to_string(),
                source,
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

    /// The files this input names now: (as shown, absolute).
    fn expand(&self, out: &mut Vec<(PathBuf, PathBuf)>) {
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
                &mut |shown, abs| {
                    if matcher.is_match(shown) {
                        out.push((shown.to_path_buf(), abs.to_path_buf()));
                    }
                },
            ),
        }
    }
}

fn walk(dir: &Path, shown: Option<&Path>, depth: usize, found: &mut dyn FnMut(&Path, &Path)) {
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
        // Follows symlinks: a link to a log is followed like the log.
        let Ok(meta) = std::fs::metadata(&abs) else {
            continue;
        };
        if meta.is_dir() {
            walk(&abs, Some(&shown), depth - 1, found);
        } else if meta.is_file() {
            found(&shown, &abs);
        }
    }
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet, FollowError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob: Glob = GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map_err(|source| FollowError::Glob {
                pattern: pattern.clone(),
                source,
            })?;
        builder.add(glob);
    }
    builder.build().map_err(|source| FollowError::Glob {
        pattern: patterns.join(", "),
        source,
    })
}

struct Follow {
    inputs: Vec<Input>,
    exclude: GlobSet,
    mode: WatchMode,
    from_start: bool,
    idle_flush: Duration,
    max_line_bytes: usize,
    resume: HashMap<PathBuf, Checkpoint>,
    stop: Arc<AtomicBool>,
    watcher: Option<RecommendedWatcher>,
    watched: HashSet<PathBuf>,
    changed: Arc<Changed>,
    wake: Receiver<()>,
    /// By absolute path.
    tailers: HashMap<PathBuf, Tailer>,
    /// Tailers whose read budget ran out.
    more: HashSet<PathBuf>,
    /// Tailers with something due at a time (an unfinished line, a rotated file going quiet).
    timed: HashSet<PathBuf>,
    /// Files read to their end under a name they no longer have: (dev, inode) → how far.
    finished: HashMap<(u64, u64), (FileId, Position)>,
    out: Out,
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
        let all: Vec<PathBuf> = self.tailers.keys().cloned().collect();
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
                self.tailers.len(),
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
            let mut due: Vec<PathBuf> = Vec::new();
            if sweep {
                self.scan(false);
                last_rescan = now;
                next_sweep = now + sweep_every;
                due.extend(self.tailers.keys().cloned());
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
                        .into_iter()
                        .filter(|path| self.tailers.contains_key(path)),
                );
                due.extend(self.more.iter().cloned());
                let idle = self.idle_flush;
                due.extend(
                    self.timed
                        .iter()
                        .filter(|path| {
                            self.tailers
                                .get(*path)
                                .and_then(|t| t.deadline(idle))
                                .is_some_and(|deadline| deadline <= now)
                        })
                        .cloned(),
                );
            }
            if !self.poll(&due, &mut buf) {
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

    fn wait_time(&self, next_sweep: Instant) -> Duration {
        if !self.more.is_empty() {
            return Duration::ZERO;
        }
        let now = Instant::now();
        let mut until = next_sweep;
        for path in &self.timed {
            if let Some(deadline) = self
                .tailers
                .get(path)
                .and_then(|t| t.deadline(self.idle_flush))
            {
                until = until.min(deadline);
            }
        }
        until.saturating_duration_since(now).min(MAX_WAIT)
    }

    fn poll(&mut self, due: &[PathBuf], buf: &mut [u8]) -> bool {
        let out = &mut self.out;
        let mut emit = |event| out.push(event);
        for path in due {
            let Some(tailer) = self.tailers.get_mut(path) else {
                continue;
            };
            match tailer.poll(buf, READ_BUDGET, &mut emit) {
                Polled::Closed => return false,
                Polled::More => {
                    self.more.insert(path.clone());
                }
                Polled::Idle => {
                    self.more.remove(path);
                }
            }
            if tailer.deadline(self.idle_flush).is_some() {
                self.timed.insert(path.clone());
            } else {
                self.timed.remove(path);
            }
            if let Some((id, at)) = tailer.take_finished() {
                if self.finished.len() >= FINISHED_MEMORY {
                    self.finished.clear();
                }
                self.finished.insert((id.dev, id.inode), (id, at));
            }
        }
        true
    }

    fn flush_idle(&mut self, now: Instant) -> bool {
        let out = &mut self.out;
        let mut emit = |event| out.push(event);
        let mut done = Vec::new();
        for path in &self.timed {
            if let Some(tailer) = self.tailers.get_mut(path) {
                if !tailer.flush_idle(now, self.idle_flush, &mut emit) {
                    return false;
                }
                if tailer.deadline(self.idle_flush).is_none() {
                    done.push(path.clone());
                }
            }
        }
        for path in done {
            self.timed.remove(&path);
        }
        true
    }

    /// Match the inputs again: new files get a tailer, directories not watched yet get a watch.
    fn scan(&mut self, initial: bool) {
        if let Some(watcher) = self.watcher.as_mut() {
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
        let mut found = Vec::new();
        for input in &self.inputs {
            input.expand(&mut found);
        }
        // A glob's file that is gone and no longer read is forgotten (named paths are always
        // found, so they are waited for instead).
        let present: HashSet<&Path> = found.iter().map(|(_, abs)| abs.as_path()).collect();
        let gone: Vec<PathBuf> = self
            .tailers
            .iter()
            .filter(|(abs, t)| !present.contains(abs.as_path()) && t.current_id().is_none())
            .map(|(abs, _)| abs.clone())
            .collect();
        for abs in gone {
            self.tailers.remove(&abs);
            self.more.remove(&abs);
            self.timed.remove(&abs);
        }
        for (shown, abs) in found {
            if self.tailers.contains_key(&abs) || self.excluded(&shown, &abs) {
                continue;
            }
            // Not yet while another tailer still reads this file under its old name: the next
            // scan looks again.
            let Some(start) = self.start_for(&abs, initial) else {
                continue;
            };
            let source: Arc<str> = Arc::from(shown.to_string_lossy().as_ref());
            let tailer = Tailer::new(source, abs.clone(), start, self.max_line_bytes);
            self.tailers.insert(abs.clone(), tailer);
            // Read at once rather than at the next event.
            self.more.insert(abs);
        }
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

    /// Where a newly found file starts; `None` while another tailer still reads it.
    fn start_for(&mut self, abs: &Path, initial: bool) -> Option<Start> {
        if let Some(checkpoint) = self.resume.remove(abs) {
            return Some(Start::Resume(checkpoint.file, checkpoint.at));
        }
        if initial {
            return Some(if self.from_start {
                Start::Beginning
            } else {
                Start::End
            });
        }
        // A file that appeared while watching: new, or a followed file under its rotated name.
        let Some(id) = File::open(abs).ok().and_then(|f| FileId::of(&f).ok()) else {
            return Some(Start::Beginning);
        };
        let reading = self
            .tailers
            .values()
            .filter_map(Tailer::current_id)
            .any(|other| (other.dev, other.inode) == (id.dev, id.inode));
        if reading {
            return None;
        }
        match self.finished.get(&(id.dev, id.inode)) {
            Some(&(old, at)) => Some(Start::Resume(old, at)),
            None => Some(Start::Beginning),
        }
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
        Input::new(&dir.path().join("*.log"))
            .unwrap()
            .expand(&mut found);
        Input::new(&dir.path().join("*/*.log"))
            .unwrap()
            .expand(&mut found);
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
