//! Opening finished inputs for batch reading: a path, `-` for stdin, gzip detected by its magic bytes
//! (not only by the `.gz` name, since rotated logs are often renamed).
//!
//! A finished input is expected to end, and some do not: a device like `/dev/zero` never does, a
//! gzip bomb ends only after gigabytes. Every input is read within [`InputLimits`]: a byte budget
//! (`--max-bytes`, and one by default for character devices) and a cap on how much a gzip file may
//! grow. Reaching one makes the reader fail with a [`Stopped`] error, so that the caller stops that
//! input, says why, and goes on with the next.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use flate2::read::MultiGzDecoder;
use thiserror::Error;

use super::STDIN_NAME;
use crate::config::format_size;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The budget of a character device when none is given: `/dev/zero` or `/dev/urandom` named by
/// mistake end here, and a device that does end (a tape, a serial line's capture) rarely holds
/// more. Regular files, pipes and FIFOs end by themselves and get no default budget.
pub const DEFAULT_DEVICE_BUDGET: u64 = 1 << 30;

/// A gzip input may decompress to at most this many times the compressed bytes read so far…
pub const GZIP_MAX_RATIO: u64 = 100;

/// …plus this much: small, very repetitive files compress beyond any ratio and are harmless.
/// Real logs compress 5 to 30 times; deflate's limit is about 1000, which only crafted input
/// (runs of one byte) approaches.
pub const GZIP_SLACK_BYTES: u64 = 16 << 20;

/// Bounds on what one input may make us read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputLimits {
    /// Bytes (after decompression) read from each input at most; `None`: no budget, except
    /// [`DEFAULT_DEVICE_BUDGET`] for character devices.
    pub max_bytes: Option<u64>,
}

/// Why reading an input stopped before its end. Carried inside the [`io::Error`] the reader
/// returns; [`Stopped::of`] finds it again.
#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum Stopped {
    #[error(
        "stopped reading '{input}' after {}, its byte budget (--max-bytes); the rest of it is not analysed",
        format_size(*budget)
    )]
    Budget { input: String, budget: u64 },
    #[error(
        "stopped reading '{input}' after {}: it is a device that may never end (--max-bytes SIZE reads more of it)",
        format_size(*budget)
    )]
    DeviceBudget { input: String, budget: u64 },
    #[error(
        "stopped reading '{input}': it decompressed to {} from {} of gzip, more than {GZIP_MAX_RATIO} times its size as only a decompression bomb does (decompress it yourself to read it whole)",
        format_size(*decompressed),
        format_size(*compressed)
    )]
    GzipRatio {
        input: String,
        decompressed: u64,
        compressed: u64,
    },
}

impl Stopped {
    /// The reason an input stopped, if `err` is one.
    pub fn of(err: &io::Error) -> Option<&Stopped> {
        err.get_ref().and_then(|e| e.downcast_ref::<Stopped>())
    }

    /// Whether the input was cut where it was asked to be (a budget), rather than refused.
    pub fn is_budget(&self) -> bool {
        matches!(self, Stopped::Budget { .. } | Stopped::DeviceBudget { .. })
    }

    /// Bytes read from the input before it stopped.
    pub fn bytes(&self) -> u64 {
        match self {
            Stopped::Budget { budget, .. } | Stopped::DeviceBudget { budget, .. } => *budget,
            Stopped::GzipRatio { decompressed, .. } => *decompressed,
        }
    }
}

/// One input of a batch run, opened.
pub struct Input {
    /// Display name: the path as given, or `-`.
    pub name: Arc<str>,
    /// Size on disk when known (for progress), compressed size for gzip.
    pub len: Option<u64>,
    pub reader: Box<dyn BufRead + Send>,
    /// Bytes read from the file so far, compressed for gzip: progress against `len`.
    pub read: Arc<AtomicU64>,
}

/// Open `path` (`-` is stdin) to be read within `limits`. Gzip content is decompressed
/// transparently.
pub fn open(path: &Path, limits: &InputLimits) -> Result<Input> {
    if path.as_os_str() == STDIN_NAME {
        let reader = BufReader::with_capacity(256 * 1024, io::stdin());
        let budget = budget(limits, stdin_is_device());
        return Ok(Input {
            name: Arc::from(STDIN_NAME),
            len: None,
            reader: Box::new(Limited::new(STDIN_NAME, reader, budget, None)),
            read: Arc::default(),
        });
    }
    let file = File::open(path).with_context(|| format!("failed to open '{}'", path.display()))?;
    let metadata = file.metadata().ok();
    let len = metadata.as_ref().map(|m| m.len());
    let budget = budget(limits, metadata.is_some_and(|m| is_device(&m)));
    let name = path.display().to_string();
    let compressed = Arc::new(AtomicU64::new(0));
    let counted = {
        let compressed = compressed.clone();
        counting(file, move |n| {
            compressed.fetch_add(n as u64, Ordering::Relaxed);
        })
    };
    let mut reader = BufReader::with_capacity(256 * 1024, counted);
    let is_gzip = reader
        .fill_buf()
        .with_context(|| format!("failed to read '{}'", path.display()))?
        .starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead + Send> = if is_gzip {
        let decoder = BufReader::with_capacity(256 * 1024, MultiGzDecoder::new(reader));
        Box::new(Limited::new(
            &name,
            decoder,
            budget,
            Some(compressed.clone()),
        ))
    } else {
        Box::new(Limited::new(&name, reader, budget, None))
    };
    Ok(Input {
        name: Arc::from(name),
        len,
        reader,
        read: compressed,
    })
}

/// The budget an input gets: the one asked for, else the default for devices.
fn budget(limits: &InputLimits, device: bool) -> Budget {
    match limits.max_bytes {
        Some(bytes) => Budget::Asked(bytes),
        None if device => Budget::Device(DEFAULT_DEVICE_BUDGET),
        None => Budget::None,
    }
}

#[cfg(unix)]
fn is_device(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    metadata.file_type().is_char_device()
}

#[cfg(not(unix))]
fn is_device(_: &std::fs::Metadata) -> bool {
    false
}

/// Whether stdin is a character device (`< /dev/zero`; a terminal too, where a person types far
/// less than the budget).
fn stdin_is_device() -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
            return false;
        };
        File::from(fd).metadata().is_ok_and(|m| is_device(&m))
    }
    #[cfg(not(unix))]
    false
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Budget {
    None,
    Asked(u64),
    Device(u64),
}

/// A reader that fails with [`Stopped`] once its budget is read (and more is there), or once a
/// gzip stream has grown beyond [`GZIP_MAX_RATIO`] times the compressed bytes read so far.
struct Limited<R> {
    input: String,
    inner: R,
    budget: Budget,
    /// Compressed bytes read from the file, for gzip input.
    compressed: Option<Arc<AtomicU64>>,
    read: u64,
}

impl<R> Limited<R> {
    fn new(input: &str, inner: R, budget: Budget, compressed: Option<Arc<AtomicU64>>) -> Self {
        Limited {
            input: input.to_owned(),
            inner,
            budget,
            compressed,
            read: 0,
        }
    }
}

impl<R: BufRead> BufRead for Limited<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let left = match self.budget {
            Budget::None => u64::MAX,
            Budget::Asked(limit) | Budget::Device(limit) => limit.saturating_sub(self.read),
        };
        if left == 0 {
            // An input exactly as long as the budget was read whole.
            if self.inner.fill_buf()?.is_empty() {
                return Ok(&[]);
            }
            let input = self.input.clone();
            return Err(io::Error::other(match self.budget {
                Budget::Device(budget) => Stopped::DeviceBudget { input, budget },
                _ => Stopped::Budget {
                    input,
                    budget: self.read,
                },
            }));
        }
        if let Some(compressed) = &self.compressed {
            let compressed = compressed.load(Ordering::Relaxed);
            let allowed = compressed
                .saturating_mul(GZIP_MAX_RATIO)
                .saturating_add(GZIP_SLACK_BYTES);
            if self.read > allowed {
                return Err(io::Error::other(Stopped::GzipRatio {
                    input: self.input.clone(),
                    decompressed: self.read,
                    compressed,
                }));
            }
        }
        let available = self.inner.fill_buf()?;
        let n = usize::try_from(left).map_or(available.len(), |left| left.min(available.len()));
        Ok(&available[..n])
    }

    fn consume(&mut self, amt: usize) {
        self.read += amt as u64;
        self.inner.consume(amt);
    }
}

impl<R: BufRead> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Wrap a reader so that every byte read is also reported to `progress` (used for progress bars
/// without the source stage knowing about terminals).
pub fn counting<R: Read>(inner: R, progress: impl FnMut(usize)) -> impl Read {
    CountingReader { inner, progress }
}

struct CountingReader<R, F> {
    inner: R,
    progress: F,
}

impl<R: Read, F: FnMut(usize)> Read for CountingReader<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        (self.progress)(n);
        Ok(n)
    }
}

/// Inputs named on the command line, `-` when none.
pub fn paths_or_stdin(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(STDIN_NAME)]
    } else {
        paths.to_vec()
    }
}
