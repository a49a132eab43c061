//! Opening finished inputs for batch reading: a path, `-` for stdin, gzip detected by its magic bytes
//! (not only by the `.gz` name, since rotated logs are often renamed).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use flate2::read::MultiGzDecoder;

use super::STDIN_NAME;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// One input of a batch run, opened.
pub struct Input {
    /// Display name: the path as given, or `-`.
    pub name: Arc<str>,
    /// Size on disk when known (for progress), compressed size for gzip.
    pub len: Option<u64>,
    pub reader: Box<dyn BufRead + Send>,
}

/// Open `path` (`-` is stdin). Gzip content is decompressed transparently.
pub fn open(path: &Path) -> Result<Input> {
    if path.as_os_str() == STDIN_NAME {
        let reader = BufReader::with_capacity(256 * 1024, io::stdin());
        return Ok(Input {
            name: Arc::from(STDIN_NAME),
            len: None,
            reader: Box::new(reader),
        });
    }
    let file = File::open(path).with_context(|| format!("failed to open '{}'", path.display()))?;
    let len = file.metadata().ok().map(|m| m.len());
    let mut reader = BufReader::with_capacity(256 * 1024, file);
    let is_gzip = reader
        .fill_buf()
        .with_context(|| format!("failed to read '{}'", path.display()))?
        .starts_with(&GZIP_MAGIC);
    let reader: Box<dyn BufRead + Send> = if is_gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(reader),
        ))
    } else {
        Box::new(reader)
    };
    Ok(Input {
        name: Arc::from(path.display().to_string()),
        len,
        reader,
    })
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
