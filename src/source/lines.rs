//! Splitting a byte stream into lines without trusting it: invalid UTF-8 is decoded lossily and a
//! line longer than the limit is cut (the rest of it is skipped, never buffered), so one bad line
//! can neither abort a run nor grow memory.

use std::io::{self, BufRead};

/// Marker appended to a line that was cut at the length limit.
pub const TRUNCATION_MARKER: &str = " […truncated]";

/// Default cap on one line's length.
pub const DEFAULT_MAX_LINE_BYTES: usize = 1024 * 1024;

/// One physical line of a source, without its line terminator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    /// 1-based line number within the source.
    pub number: u64,
    /// Byte offset of the line's first byte within the source.
    pub offset: u64,
    /// The line was longer than the limit and was cut.
    pub truncated: bool,
    /// The line was not valid UTF-8 and was decoded lossily.
    pub lossy: bool,
}

/// Counts of the lines a reader produced and of the ones it had to mend.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LineStats {
    pub lines: u64,
    pub truncated: u64,
    pub invalid_utf8: u64,
}

/// Reads [`Line`]s from any `BufRead`.
pub struct LineReader<R> {
    inner: R,
    max_bytes: usize,
    number: u64,
    offset: u64,
    buf: Vec<u8>,
    stats: LineStats,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R, max_bytes: usize) -> Self {
        LineReader {
            inner,
            max_bytes: max_bytes.max(1),
            number: 0,
            offset: 0,
            buf: Vec::new(),
            stats: LineStats::default(),
        }
    }

    pub fn stats(&self) -> LineStats {
        self.stats
    }

    /// The reader lines are read from.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The next line, `Ok(None)` at end of input. A last line without a newline is still a line.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let start = self.offset;
        let mut consumed = 0u64;
        let mut truncated = false;
        let mut saw_newline = false;
        loop {
            let available = match self.inner.fill_buf() {
                Ok(bytes) => bytes,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available.is_empty() {
                break;
            }
            let (chunk, used, done) = match memchr::memchr(b'\n', available) {
                Some(i) => (&available[..i], i + 1, true),
                None => (available, available.len(), false),
            };
            let room = self.max_bytes.saturating_sub(self.buf.len());
            if chunk.len() > room {
                truncated = true;
            }
            self.buf.extend_from_slice(&chunk[..chunk.len().min(room)]);
            self.inner.consume(used);
            consumed += used as u64;
            if done {
                saw_newline = true;
                break;
            }
        }
        if consumed == 0 {
            return Ok(None);
        }
        self.offset += consumed;
        self.number += 1;
        if saw_newline && self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        let (mut text, lossy) = match std::str::from_utf8(&self.buf) {
            Ok(s) => (s.to_owned(), false),
            Err(_) => (String::from_utf8_lossy(&self.buf).into_owned(), true),
        };
        if truncated {
            text.push_str(TRUNCATION_MARKER);
            self.stats.truncated += 1;
        }
        if lossy {
            self.stats.invalid_utf8 += 1;
        }
        self.stats.lines += 1;
        Ok(Some(Line {
            text,
            number: self.number,
            offset: start,
            truncated,
            lossy,
        }))
    }
}

impl<R: BufRead> Iterator for LineReader<R> {
    type Item = io::Result<Line>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line().transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Line> {
        LineReader::new(input, max).map(Result::unwrap).collect()
    }

    #[test]
    fn splits_and_numbers_lines() {
        let got = lines(b"a\r\nbb\nccc", 100);
        let texts: Vec<_> = got.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["a", "bb", "ccc"]);
        assert_eq!(got[1].number, 2);
        assert_eq!(got[1].offset, 3);
        assert_eq!(got[2].offset, 6);
    }

    #[test]
    fn cuts_long_lines_and_keeps_going() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nnext\n");
        let mut reader = LineReader::new(&input[..], 10);
        let first = reader.next_line().unwrap().unwrap();
        assert!(first.truncated);
        assert_eq!(
            first.text,
            format!("{}{}", "x".repeat(10), TRUNCATION_MARKER)
        );
        let second = reader.next_line().unwrap().unwrap();
        assert_eq!(second.text, "next");
        assert_eq!(second.offset, 51);
        assert_eq!(reader.stats().truncated, 1);
    }

    #[test]
    fn decodes_invalid_utf8_lossily() {
        let got = lines(b"ok \xff\xfe end\n", 100);
        assert!(got[0].lossy);
        assert_eq!(got[0].text, "ok \u{fffd}\u{fffd} end");
    }
}
