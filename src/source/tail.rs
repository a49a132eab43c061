//! Reading one file, by identity, wherever it is named.
//!
//! A [`Tailer`] reads one file — one (device, inode) with the first bytes it had — from a position
//! on, whatever names it now: the follower ([`super::watch`]) decides which path names it and when it
//! is finished. Each [`Tailer::poll`] reads what was appended since; when the file shrank, or its
//! first bytes changed (copytruncate, then rewritten past our position before we looked), it is read
//! again from its start. Its descriptor may be closed while it is idle ([`Tailer::close`]) and
//! reopened by path later, but only if the path still names the same file ([`Tailer::reopen`]).
//!
//! Invariants: a line is handed on only when its newline arrived, when the file is finished
//! ([`Tailer::finish`], truncation) or when [`Tailer::flush_idle`] finds it unfinished for the idle
//! time (never because the watch stops: a line still being written then is left for the next run,
//! whose checkpoint points at its start, so it is not cut in two); a line is never longer than
//! `max_line_bytes` (the rest is skipped, never buffered). Every line carries the offset just past
//! it, so the caller can checkpoint exactly behind what it consumed.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::{Line, LineStats, SourceEvent, TRUNCATION_MARKER};

/// How long a file no followed path names any more (rotated, deleted) is read on after it was last
/// written to: a program writes to its old file until it reopens the path.
pub const ROTATION_GRACE: Duration = Duration::from_millis(1000);

/// How many leading bytes identify a file's content.
pub const FINGERPRINT_BYTES: u32 = 256;

/// Which file a path named: device and inode, plus a hash of the first bytes so that an inode the
/// filesystem recycled for a new file is not taken for the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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

    /// Whether `file` starts with the bytes this file started with.
    pub fn same_start(&self, file: &File) -> io::Result<bool> {
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

#[derive(Default)]
struct Partial {
    buf: Vec<u8>,
    /// Offset of the unfinished line's first byte.
    start: u64,
    truncated: bool,
    /// When bytes last joined the unfinished line.
    grew: Option<Instant>,
}

/// One file being read. See the module docs.
pub struct Tailer {
    source: Arc<str>,
    /// Where the file was last seen (it may have been renamed or deleted since).
    path: PathBuf,
    id: FileId,
    /// `None` while closed to spare descriptors.
    file: Option<File>,
    /// Bytes consumed: everything before this is in a line handed on or in `partial`.
    pos: u64,
    /// Lines handed on before `partial`.
    lines: u64,
    partial: Partial,
    max_line_bytes: usize,
    stats: LineStats,
    /// When bytes were last read (or the file opened): the least recently grown file is the one
    /// closed when descriptors run short.
    grew: Instant,
    /// What the file was, and how far it was read, before it was truncated or rewritten.
    replaced: Option<(FileId, Position)>,
}

impl Tailer {
    /// Read `file` (found at `path`, absolute) from `at` on, naming its lines `source`.
    pub fn new(
        source: Arc<str>,
        path: PathBuf,
        mut file: File,
        at: Position,
        max_line_bytes: usize,
    ) -> io::Result<Tailer> {
        let id = FileId::of(&file)?;
        file.seek(SeekFrom::Start(at.offset))?;
        Ok(Tailer {
            source,
            path,
            id,
            file: Some(file),
            pos: at.offset,
            lines: at.line,
            partial: Partial {
                start: at.offset,
                ..Partial::default()
            },
            max_line_bytes: max_line_bytes.max(1),
            stats: LineStats::default(),
            grew: Instant::now(),
            replaced: None,
        })
    }

    /// The event saying that lines of this file now come under its source name, from where the
    /// lines handed on so far end.
    pub fn opened(&self) -> SourceEvent {
        SourceEvent::Opened {
            source: self.source.clone(),
            path: self.path.clone(),
            file: self.id,
            at: self.read_to(),
        }
    }

    pub fn source(&self) -> &Arc<str> {
        &self.source
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file is now seen at `path`.
    pub fn set_path(&mut self, path: PathBuf) {
        self.path = path;
    }

    pub fn id(&self) -> FileId {
        self.id
    }

    pub fn stats(&self) -> LineStats {
        self.stats
    }

    pub fn grew(&self) -> Instant {
        self.grew
    }

    pub fn is_open(&self) -> bool {
        self.file.is_some()
    }

    /// Whether the file, as it is now, starts with the bytes `id` was taken of (a copy being
    /// written is, until it is complete, a start of its original).
    pub fn starts_with(&self, id: FileId) -> bool {
        self.file
            .as_ref()
            .is_some_and(|file| id.same_start(file).unwrap_or(false))
    }

    /// Just past the last line handed on.
    pub fn read_to(&self) -> Position {
        Position {
            offset: self.partial.start,
            line: self.lines,
        }
    }

    /// Close the descriptor; what was read so far (an unfinished line too) is kept.
    pub fn close(&mut self) {
        self.file = None;
    }

    /// Open the file again through `path`: false (and still closed) if `path` names another
    /// file now.
    pub fn reopen(&mut self, path: &Path) -> io::Result<bool> {
        let mut file = File::open(path)?;
        if !self.id.matches(&file)? {
            return Ok(false);
        }
        file.seek(SeekFrom::Start(self.pos))?;
        self.file = Some(file);
        self.path = path.to_path_buf();
        Ok(true)
    }

    /// Whether a file of `len` bytes has something this tailer did not read (or was truncated).
    pub fn changed_size(&self, len: u64) -> bool {
        len != self.pos
    }

    /// From now on, name this file's lines `source` (the old name goes to another file).
    pub fn relabel(&mut self, source: Arc<str>, emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        self.source = source;
        emit(self.opened())
    }

    /// The content read before the file was last truncated or rewritten, and how far: a copy of
    /// it (copytruncate) is that content again.
    pub fn take_replaced(&mut self) -> Option<(FileId, Position)> {
        self.replaced.take()
    }

    /// Whether an unfinished line is held.
    pub fn has_partial(&self) -> bool {
        self.pos > self.partial.start
    }

    /// When the held unfinished line must be handed on if nothing more arrives.
    pub fn partial_deadline(&self, idle: Duration) -> Option<Instant> {
        if !self.has_partial() {
            return None;
        }
        self.partial.grew.map(|t| t + idle)
    }

    /// Read what is new, report through `emit` (which returns false when nobody listens any more).
    /// Reads at most about `budget` bytes; `buf` is scratch space. A closed tailer reads nothing.
    pub fn poll(
        &mut self,
        buf: &mut [u8],
        budget: usize,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> io::Result<Polled> {
        let Some(file) = self.file.as_ref() else {
            return Ok(Polled::Idle);
        };
        let len = file.metadata()?.len();
        if len < self.pos || !self.id.same_start(file)? {
            // Truncated or rewritten: what is held belongs to the old content.
            if !self.finish_partial(emit) {
                return Ok(Polled::Closed);
            }
            self.replaced = Some((self.id, self.read_to()));
            let file = self.file.as_mut().expect("file open");
            file.seek(SeekFrom::Start(0))?;
            self.id = FileId::of(file)?;
            self.pos = 0;
            self.lines = 0;
            self.partial = Partial::default();
            if !emit(self.opened()) {
                return Ok(Polled::Closed);
            }
        } else if self.id.fingerprint_len < FINGERPRINT_BYTES
            && len > u64::from(self.id.fingerprint_len)
        {
            // The file was short when first seen: identify it by more of its start now.
            self.id = FileId::of(file)?;
            if !emit(SourceEvent::Identified {
                source: self.source.clone(),
                file: self.id,
            }) {
                return Ok(Polled::Closed);
            }
        }
        self.read_available(buf, budget, emit)
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

    /// The file is done with (rotated away and quiet, or deleted): its unfinished line is handed
    /// on, its descriptor closed, and the source closed.
    pub fn finish(&mut self, emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        self.file = None;
        self.finish_partial(emit)
            && emit(SourceEvent::Closed {
                source: self.source.clone(),
                stats: self.stats,
            })
    }

    fn read_available(
        &mut self,
        buf: &mut [u8],
        budget: usize,
        emit: &mut dyn FnMut(SourceEvent) -> bool,
    ) -> io::Result<Polled> {
        let mut read = 0;
        loop {
            if read >= budget {
                return Ok(Polled::More);
            }
            let file = self.file.as_mut().expect("file open");
            let n = match file.read(buf) {
                Ok(0) => return Ok(Polled::Idle),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            read += n;
            self.grew = Instant::now();
            if !self.feed(&buf[..n], emit) {
                return Ok(Polled::Closed);
            }
        }
    }

    /// Split freshly read bytes into lines.
    fn feed(&mut self, mut bytes: &[u8], emit: &mut dyn FnMut(SourceEvent) -> bool) -> bool {
        while let Some(i) = memchr::memchr(b'\n', bytes) {
            self.append(&bytes[..i]);
            self.pos += i as u64 + 1;
            if !self.finish_partial(emit) {
                return false;
            }
            bytes = &bytes[i + 1..];
        }
        if !bytes.is_empty() {
            self.append(bytes);
            self.pos += bytes.len() as u64;
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
        if self.pos <= self.partial.start {
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
        self.lines += 1;
        self.partial.start = self.pos;
        let line = Line {
            text,
            number: self.lines,
            offset: partial.start,
            truncated: partial.truncated,
            lossy,
        };
        emit(SourceEvent::FileLine {
            source: self.source.clone(),
            line,
            end: self.pos,
        })
    }
}

/// Whether `offset` is a place a checkpoint can point at in `file`: its start, or just after a
/// newline, and not past its end. Anything else (a hand-edited or stale checkpoint) would hand on
/// a fragment of a line, or skip what was written.
pub fn valid_offset(file: &File, offset: u64) -> io::Result<bool> {
    if offset == 0 {
        return Ok(true);
    }
    if offset > file.metadata()?.len() {
        return Ok(false);
    }
    let mut byte = [0u8; 1];
    Ok(file.read_at(&mut byte, offset - 1)? == 1 && byte[0] == b'\n')
}

/// Newlines in the first `len` bytes, so that line numbers stay true when starting at the end.
pub fn count_lines(file: &File, len: u64) -> io::Result<u64> {
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
    use std::fs;
    use std::io::Write;

    fn collect(tailer: &mut Tailer) -> Vec<(String, u64, u64)> {
        let mut out = Vec::new();
        let mut buf = vec![0u8; 7];
        tailer
            .poll(&mut buf, usize::MAX, &mut |event| {
                if let SourceEvent::FileLine { line, end, .. } = event {
                    out.push((line.text, line.offset, end));
                }
                true
            })
            .unwrap();
        out
    }

    fn tailer(path: &Path, at: Position, max: usize) -> Tailer {
        let file = File::open(path).unwrap();
        Tailer::new(Arc::from("t"), path.to_path_buf(), file, at, max).unwrap()
    }

    #[test]
    fn holds_partial_lines_until_their_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "one\ntw").unwrap();
        let mut t = tailer(&path, Position::default(), 100);
        assert_eq!(collect(&mut t), [("one".into(), 0, 4)]);
        assert!(t.has_partial());
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"o\r\n").unwrap();
        assert_eq!(collect(&mut t), [("two".into(), 4, 9)]);
        assert!(!t.has_partial());
    }

    #[test]
    fn reads_on_after_a_rename_and_again_after_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "1\n").unwrap();
        let mut t = tailer(&path, Position::default(), 100);
        assert_eq!(collect(&mut t).len(), 1);
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"2\n").unwrap();
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["2"]);
        // copytruncate, then rewritten past the old position before the next look
        f.set_len(0).unwrap();
        f.write_all(b"4444\n").unwrap();
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["4444"]);
    }

    #[test]
    fn caps_long_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, format!("{}\nnext\n", "x".repeat(50))).unwrap();
        let mut t = tailer(&path, Position::default(), 10);
        let got = collect(&mut t);
        assert_eq!(got[0].0, format!("{}{}", "x".repeat(10), TRUNCATION_MARKER));
        assert_eq!(got[1], ("next".into(), 51, 56));
    }

    #[test]
    fn reopens_only_the_same_file_and_goes_on_where_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "1\n2").unwrap();
        let mut t = tailer(&path, Position::default(), 100);
        assert_eq!(collect(&mut t).len(), 1);
        t.close();
        let mut f = fs::OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"\n3\n").unwrap();
        assert!(t.reopen(&path).unwrap());
        let texts: Vec<_> = collect(&mut t).into_iter().map(|l| l.0).collect();
        assert_eq!(texts, ["2", "3"]);
        t.close();
        fs::rename(&path, dir.path().join("a.log.1")).unwrap();
        fs::write(&path, "other\n").unwrap();
        assert!(!t.reopen(&path).unwrap());
        assert!(!t.is_open());
    }

    #[test]
    fn checkpoint_offsets_must_follow_a_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "one\ntwo\n").unwrap();
        let file = File::open(&path).unwrap();
        let valid: Vec<u64> = (0..=10)
            .filter(|&o| valid_offset(&file, o).unwrap())
            .collect();
        assert_eq!(valid, [0, 4, 8]);
    }
}
