//! Following one path through rotation, the way `tail --follow=name --retry` does.
//!
//! A [`Tailer`] owns at most one open file: the file the path named when it was last opened. Each
//! [`Tailer::poll`] reads what was appended since, then looks at the path again:
//! - the path names another file now (rename + create, delete + recreate) or nothing (deleted,
//!   rotated and not yet recreated): the old file is read until it has been quiet for
//!   [`ROTATION_GRACE`] (a program writes to its old file until it reopens the path), then closed,
//!   and the new file is read from its start;
//! - the open file shrank, or its first bytes changed (copytruncate, then rewritten past our
//!   position before we looked): it is read again from the start;
//! - the path does not exist yet: nothing happens until it does.
//!
//! Invariants: a line is handed on only when its newline arrived, when the file is finished (rotated
//! away, truncated) or when [`Tailer::flush_idle`] finds it unfinished for the idle time (never
//! because the watch stops: a line still being written then is left for the next run, whose
//! checkpoint points at its start, so it is not cut in two); a line is
//! never longer than `max_line_bytes` (the rest is skipped, never buffered). Every line carries the
//! offset just past it, so the caller can checkpoint exactly behind what it consumed.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Line, LineStats, SourceEvent, TRUNCATION_MARKER};

/// How long a rotated-away file must stay quiet before the path's new file is read.
pub const ROTATION_GRACE: Duration = Duration::from_millis(1000);

/// How many leading bytes identify a file's content.
pub const FINGERPRINT_BYTES: u32 = 256;

/// Which file a path named: device and inode, plus a hash of the first bytes so that an inode the
/// filesystem recycled for a new file is not taken for the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileId {
    pub dev: u64,
    pub inode: u64,
    /// Number of leading bytes hashed (fewer than [`FINGERPRINT_BYTES`] while the file is short).
    pub fingerprint_len: u32,
    /// xxh3 of those bytes.
    pub fingerprint: u64,
}

impl FileId {
    /// Identify the open `file`, hashing up to [`FINGERPRINT_BYTES`] of it.
    pub fn of(file: &File) -> io::Result<FileId> {
        let meta = file.metadata()?;
        let (fingerprint_len, fingerprint) = fingerprint(file, FINGERPRINT_BYTES)?;
        Ok(FileId {
            dev: meta.dev(),
            inode: meta.ino(),
            fingerprint_len,
            fingerprint,
        })
    }

    /// Whether `file` is this file: same device and inode, same first bytes.
    pub fn matches(&self, file: &File) -> io::Result<bool> {
        let meta = file.metadata()?;
        if (meta.dev(), meta.ino()) != (self.dev, self.inode) {
            return Ok(false);
        }
        self.same_start(file)
    }

    fn same_start(&self, file: &File) -> io::Result<bool> {
        let (len, hash) = fingerprint(file, self.fingerprint_len)?;
        Ok(len == self.fingerprint_len && hash == self.fingerprint)
    }
}

/// Hash of the first `max` bytes of `file` (fewer if it is shorter): (bytes hashed, hash).
fn fingerprint(file: &File, max: u32) -> io::Result<(u32, u64)> {
    let mut buf = vec![0u8; max as usize];
    let mut filled = 0;
    while filled < buf.len() {
        match file.read_at(&mut buf[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((filled as u32, xxhash_rust::xxh3::xxh3_64(&buf[..filled])))
}

/// A place in a file: the byte offset and how many lines lie before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Position {
    pub offset: u64,
    pub line: u64,
}

/// Where to begin the first time the path is opened (later files always begin at their start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At the end, like `tail -F`: only what is appended from now on.
    End,
    /// At the first byte (`--from-start`, and files that appear while watching).
    Beginning,
    /// Where a checkpoint says, if the path still names that file.
    Resume(FileId, Position),
}

/// What [`Tailer::poll`] left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Polled {
    /// Everything available was read.
    Idle,
    /// The read budget ran out with more to read: poll again soon.
    More,
    /// The receiver is gone.
    Closed,
}

struct Current {
    file: File,
    id: FileId,
    /// Bytes consumed: everything before this is in a line handed on or in `partial`.
    pos: u64,
    /// Lines handed on before `partial`.
    lines: u64,
    /// The path names another file now; since when this one has been quiet.
    rotated: Option<Instant>,
}

#[derive(Default)]
struct Partial {
    buf: Vec<u8>,
    /// Offset of the unfinished line's first byte.
    start: u64,
    truncated: bool,
    /// When bytes last joined the unfinished line.
    grew: Option<Instant>,
}

/// One followed path. See the module docs.
pub struct Tailer {
    source: Arc<str>,
    path: PathBuf,
    start: Start,
    current: Option<Current>,
    partial: Partial,
    max_line_bytes: usize,
    stats: LineStats,
    /// A file this tailer finished (rotated away), so a glob that later matches it under its new
    /// name can pick up behind what was read instead of reading it twice.
    finished: Option<(FileId, Position)>,
    /// Last open error reported, so a persistent one is reported once.
    reported: Option<io::ErrorKind>,
    grace: Duration,
    /// Resuming found neither the checkpointed file nor it under a rotated name.
    lost_track: bool,
}

impl Tailer {
    /// Follow `path` (absolute), naming its lines `source`.
    pub fn new(source: Arc<str>, path: PathBuf, start: Start, max_line_bytes: usize) -> Tailer {
        Tailer {
            source,
            path,
            start,
            current: None,
            partial: Partial::default(),
            max_line_bytes: max_line_bytes.max(1),
            stats: LineStats::default(),
            finished: None,
            reported: None,
            grace: ROTATION_GRACE,
            lost_track: false,
        }
    }

    /// How long a rotated-away file must be quiet before switching (default [`ROTATION_GRACE`]).
    pub fn with_rotation_grace(mut self, grace: Duration) -> Tailer {
        self.grace = grace;
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn stats(&self) -> LineStats {
        self.stats
    }

    /// Identity of the file being read, if one is open.
    pub fn current_id(&self) -> Option<FileId> {
        self.current.as_ref().map(|c| c.id)
    }

    /// The last file this tailer finished and the offset it read it to.
    pub fn take_finished(&mut self) -> Option<(FileId, Position)> {
        self.finished.take()
    }

    /// Whether an unfinished line is held.
    pub fn has_partial(&self) -> bool {
        self.current
            .as_ref()
            .is_some_and(|c| c.pos > self.partial.start)
    }

    /// When the held unfinished line must be handed on if nothing more arrives.
    pub fn partial_deadline(&self, idle: Duration) -> Option<Instant> {
        if !self.has_partial() {
            return None;
        }
        self.partial.grew.map(|t| t + idle)
    }

    /// When this tailer must be looked at even if nothing changes: to hand on an unfinished line,
    /// or to switch from a rotated file that went quiet to the path's new file.
    pub fn deadline(&self, idle: Duration) -> Option<Instant> {
        let rotated = self
            .current
            .as_ref()
            .and_then(|c| c.rotated)
            .map(|t| t + self.grace);
        match (self.partial_deadline(idle), rotated) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Read what is new, follow rotation, report through `emit` (which returns false when nobody
    /// listens any more). Reads at most about `budget` bytes; `buf` is scratch space.
    pub fn poll(
        &mut self,
        buf: &mut [u8],
        budget: usize,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> Polled {
        // Twice at most: finishing a rotated file, then the file that replaced it.
        for _ in 0..2 {
            if self.current.is_none() && !self.open(emit) {
                return Polled::Closed;
            }
            let Some(current) = self.current.as_mut() else {
                return Polled::Idle;
            };
            let known = current.id;
            match restarted(current) {
                Ok(false) => {
                    if current.id != known {
                        let file = current.id;
                        if !emit(SourceEvent::Identified {
                            source: self.source.clone(),
                            file,
                        }) {
                            return Polled::Closed;
                        }
                    }
                }
                Ok(true) => {
                    if !self.finish_partial(emit) {
                        return Polled::Closed;
                    }
                    if !self.reopen_at_start(emit) {
                        return Polled::Closed;
                    }
                }
                Err(error) => return self.fail(error, emit),
            }
            // Decided before the last read, so that whatever was written to the old file before
            // the rotation is read before switching.
            let replaced = self.replaced();
            let read = match self.read_available(buf, budget, emit) {
                Ok((Polled::Idle, read)) => read,
                Ok((other, _)) => return other,
                Err(error) => return self.fail(error, emit),
            };
            let current = self.current.as_mut().expect("file open");
            if !replaced {
                current.rotated = None;
                return Polled::Idle;
            }
            // A program goes on writing to its old file until it reopens the path: switch only
            // once the old file has been quiet for a while.
            let now = Instant::now();
            let quiet_since = match current.rotated {
                Some(since) if read == 0 => since,
                _ => now,
            };
            current.rotated = Some(quiet_since);
            if now < quiet_since + self.grace {
                return Polled::Idle;
            }
            if !self.finish_partial(emit) {
                return Polled::Closed;
            }
            let current = self.current.take().expect("file open");
            let read_to = Position {
                offset: current.pos,
                line: current.lines,
            };
            self.finished = Some((current.id, read_to));
            self.partial = Partial::default();
        }
        Polled::Idle
    }

    /// Hand on the unfinished line if it has not grown for `idle`.
    pub fn flush_idle(
        &mut self,
        now: Instant,
        idle: Duration,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> bool {
        match self.partial_deadline(idle) {
            Some(deadline) if deadline <= now => self.finish_partial(emit),
            _ => true,
        }
    }

    /// Open the path (or, resuming, the file the checkpoint names wherever it now is).
    fn open(&mut self, emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        let start = std::mem::replace(&mut self.start, Start::Beginning);
        let opened = match start {
            Start::Resume(id, at) => self.open_resumed(id, at),
            Start::End => open_path(&self.path).and_then(|file| {
                let file = match file {
                    Some(file) => file,
                    None => return Ok(None),
                };
                let end = file.metadata()?.len();
                let lines = count_lines(&file, end)?;
                Ok(Some((
                    file,
                    Position {
                        offset: end,
                        line: lines,
                    },
                )))
            }),
            Start::Beginning => {
                open_path(&self.path).map(|file| file.map(|file| (file, Position::default())))
            }
        };
        let (file, at) = match opened {
            Ok(Some(opened)) => opened,
            Ok(None) => {
                // Not there yet: when it appears it is a new file, read whole (like `tail -F`).
                self.reported = None;
                return true;
            }
            Err(error) => {
                self.start = start;
                if self.reported != Some(error.kind()) {
                    self.reported = Some(error.kind());
                    return emit(SourceEvent::Notice {
                        message: format!("cannot read '{}' yet: {error}; retrying", self.source),
                        warning: true,
                    });
                }
                return true;
            }
        };
        self.reported = None;
        if std::mem::take(&mut self.lost_track)
            && !emit(SourceEvent::Notice {
                message: format!(
                    "'{}' was replaced while not watched and its old file is not beside it; \
                     reading the new file from its start",
                    self.source
                ),
                warning: true,
            })
        {
            return false;
        }
        self.install(file, at, emit).is_ok_and(|ok| ok)
    }

    /// The checkpointed file: under the path if it is still there, else under a rotated name in
    /// the same directory (the path's new file then follows from its start).
    fn open_resumed(&mut self, id: FileId, at: Position) -> io::Result<Option<(File, Position)>> {
        if let Some(file) = open_path(&self.path)? {
            if id.matches(&file)? {
                let len = file.metadata()?.len();
                // Shorter than what was read: truncated while we were away.
                let at = if len < at.offset {
                    Position::default()
                } else {
                    at
                };
                return Ok(Some((file, at)));
            }
            if let Some(old) = find_rotated(&self.path, id) {
                return Ok(Some((old, at)));
            }
            self.lost_track = true;
            return Ok(Some((file, Position::default())));
        }
        Ok(find_rotated(&self.path, id).map(|old| (old, at)))
    }

    fn install(
        &mut self,
        mut file: File,
        at: Position,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> io::Result<bool> {
        let id = FileId::of(&file)?;
        file.seek(SeekFrom::Start(at.offset))?;
        self.partial = Partial {
            start: at.offset,
            ..Partial::default()
        };
        self.current = Some(Current {
            file,
            id,
            pos: at.offset,
            lines: at.line,
            rotated: None,
        });
        Ok(emit(SourceEvent::Opened {
            source: self.source.clone(),
            path: self.path.clone(),
            file: id,
            at,
        }))
    }

    fn reopen_at_start(&mut self, emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        let current = self.current.take().expect("file open");
        self.install(current.file, Position::default(), emit)
            .unwrap_or(false)
    }

    /// Whether the path no longer names the open file.
    fn replaced(&self) -> bool {
        let Some(current) = &self.current else {
            return false;
        };
        match fs::metadata(&self.path) {
            Ok(meta) => (meta.dev(), meta.ino()) != (current.id.dev, current.id.inode),
            Err(e) => e.kind() == io::ErrorKind::NotFound,
        }
    }

    fn read_available(
        &mut self,
        buf: &mut [u8],
        budget: usize,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> io::Result<(Polled, usize)> {
        let mut read = 0;
        loop {
            if read >= budget {
                return Ok((Polled::More, read));
            }
            let current = self.current.as_mut().expect("file open");
            let n = match current.file.read(buf) {
                Ok(0) => return Ok((Polled::Idle, read)),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            read += n;
            if !self.feed(&buf[..n], emit) {
                return Ok((Polled::Closed, read));
            }
        }
    }

    /// Split freshly read bytes into lines.
    fn feed(&mut self, mut bytes: &[u8], emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        while let Some(i) = memchr::memchr(b'\n', bytes) {
            self.append(&bytes[..i]);
            self.current.as_mut().expect("file open").pos += i as u64 + 1;
            if !self.finish_partial(emit) {
                return false;
            }
            bytes = &bytes[i + 1..];
        }
        if !bytes.is_empty() {
            self.append(bytes);
            self.current.as_mut().expect("file open").pos += bytes.len() as u64;
            self.partial.grew = Some(Instant::now());
        }
        true
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = self.max_line_bytes.saturating_sub(self.partial.buf.len());
        if bytes.len() > room {
            self.partial.truncated = true;
        }
        self.partial
            .buf
            .extend_from_slice(&bytes[..bytes.len().min(room)]);
    }

    /// Hand on everything consumed since the last line as one line.
    fn finish_partial(&mut self, emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        let Some(current) = self.current.as_mut() else {
            return true;
        };
        if current.pos <= self.partial.start {
            return true;
        }
        let partial = std::mem::take(&mut self.partial);
        let mut bytes = partial.buf;
        if !partial.truncated && bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        let (mut text, lossy) = match String::from_utf8(bytes) {
            Ok(text) => (text, false),
            Err(e) => (String::from_utf8_lossy(e.as_bytes()).into_owned(), true),
        };
        if partial.truncated {
            text.push_str(TRUNCATION_MARKER);
            self.stats.truncated += 1;
        }
        self.stats.invalid_utf8 += u64::from(lossy);
        self.stats.lines += 1;
        current.lines += 1;
        self.partial.start = current.pos;
        let line = Line {
            text,
            number: current.lines,
            offset: partial.start,
            truncated: partial.truncated,
            lossy,
        };
        emit(SourceEvent::FileLine {
            source: self.source.clone(),
            line,
            end: current.pos,
        })
    }

    fn fail(&mut self, error: io::Error, emit: &mut dyn FnMut(SourceEvent) -> bool) -> Polled {
        // The file is dropped and the path retried: a transient error must not end the watch.
        self.current = None;
        self.partial = Partial::default();
        self.start = Start::Beginning;
        if emit(SourceEvent::Notice {
            message: format!("failed to read '{}': {error}; reopening", self.source),
            warning: true,
        }) {
            Polled::Idle
        } else {
            Polled::Closed
        }
    }
}

/// Whether the open file was truncated or rewritten under us, so it must be read from the start.
fn restarted(current: &mut Current) -> io::Result<bool> {
    let len = current.file.metadata()?.len();
    if len < current.pos {
        return Ok(true);
    }
    if !current.id.same_start(&current.file)? {
        return Ok(true);
    }
    if current.id.fingerprint_len < FINGERPRINT_BYTES && len > u64::from(current.id.fingerprint_len)
    {
        // The file was short when first seen: identify it by more of its start now.
        current.id = FileId::of(&current.file)?;
    }
    Ok(false)
}

fn open_path(path: &Path) -> io::Result<Option<File>> {
    match File::open(path) {
        Ok(file) => {
            if file.metadata()?.is_dir() {
                return Err(io::Error::other("is a directory"));
            }
            Ok(Some(file))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The file `id` under another name in `path`'s directory (`app.log.1` after a rename rotation).
fn find_rotated(path: &Path, id: FileId) -> Option<File> {
    let dir = path.parent()?;
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.is_file() || (meta.dev(), meta.ino()) != (id.dev, id.inode) {
            continue;
        }
        let file = File::open(entry.path()).ok()?;
        return id.same_start(&file).ok()?.then_some(file);
    }
    None
}

/// Newlines in the first `len` bytes, so that line numbers stay true when starting at the end.
fn count_lines(file: &File, len: u64) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut at = 0u64;
    let mut lines = 0u64;
    while at < len {
        let want = buf.len().min((len - at) as usize);
        let n = file.read_at(&mut buf[..want], at)?;
        if n == 0 {
            break;
        }
        lines += memchr::memchr_iter(b'\n', &buf[..n]).count() as u64;
        at += n as u64;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(tailer: &mut Tailer) -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 7];
        tailer.poll(&mut buf, usize::MAX, &mut |event| {
            if let SourceEvent::FileLine { line, end, .. } = event {
                out.push((line.text, line.offset, end));
            }
            true
        });
        out
    }

    fn tailer(path: &Path, start: Start, max: usize) -> Tailer {
        Tailer::new(Arc::from("t"), path.to_path_buf(), start, max)
            .with_rotation_grace(Duration::ZERO)
    }

    #[test]
    fn holds_partial_lines_until_their_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "one\ntw").unwrap();
        let mut t = tailer(&path, Start::Beginning, 100);
        assert_eq!(collect(&mut t), [("one".into(), 0, 4)]);
        assert!(t.has_partial());
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"o\r\n").unwrap();
        assert_eq!(collect(&mut t), [("two".into(), 4, 9)]);
        assert!(!t.has_partial());
    }

    #[test]
    fn starts_at_the_end_with_true_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "old\nold\n").unwrap();
        let mut t = tailer(&path, Start::End, 100);
        assert!(collect(&mut t).is_empty());
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"new\n").unwrap();
        let mut numbers = Vec::new();
        let mut buf = vec![0u8; 64];
        t.poll(&mut buf, usize::MAX, &mut |e| {
            if let SourceEvent::FileLine { line, .. } = e {
                numbers.push(line.number);
            }
            true
        });
        assert_eq!(numbers, [3]);
    }

    #[test]
    fn follows_rename_and_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "1\n").unwrap();
        let mut t = tailer(&path, Start::Beginning, 100);
        assert_eq!(collect(&mut t).len(), 1);
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"2\n").unwrap();
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        fs::write(&path, "3\n").unwrap();
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["2", "3"]);
        // copytruncate, then rewritten past the old position before the next look
        fs::write(&path, "4444\n").unwrap();
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["4444"]);
    }

    #[test]
    fn caps_long_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, format!("{}\nnext\n", "x".repeat(50))).unwrap();
        let mut t = tailer(&path, Start::Beginning, 10);
        let got = collect(&mut t);
        assert_eq!(got[0].0, format!("{}{}", "x".repeat(10), TRUNCATION_MARKER));
        assert_eq!(got[1], ("next".into(), 51, 56));
    }

    #[test]
    fn resumes_a_file_rotated_while_away() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "1\n2\n").unwrap();
        let id = FileId::of(&File::open(&path).unwrap()).unwrap();
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        fs::write(&path, "3\n").unwrap();
        let at = Position { offset: 2, line: 1 };
        let mut t = tailer(&path, Start::Resume(id, at), 100);
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["2", "3"]);
    }
}
