//! Following stdin: a reader thread that forwards lines as they arrive, and echoes what it reads.
//!
//! The echo is a tee: every block read from stdin is written to stdout as it was read, before it
//! is split into lines, so `app | hephaestus watch` leaves the program's output byte for byte as
//! it was (line endings, invalid UTF-8, lines past the length limit, a last line without a newline,
//! NUL bytes). One write per read: a live program's output shows as soon as it is read, and a fast
//! one is passed on in blocks of up to the buffer's size. Once stdout cannot be written (its reader
//! went away) the echo stops and reading goes on.

use std::fs::File;
use std::io::{self, BufReader, ErrorKind, Read, Write};
use std::os::fd::AsFd;
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use super::{LineReader, SourceEvent, STDIN_NAME};

/// Read stdin line by line on its own thread until it closes, echoing it to stdout if `echo`.
/// Stops early if the receiver is gone.
pub fn spawn_stdin(
    tx: SyncSender<SourceEvent>,
    max_line_bytes: usize,
    echo: bool,
) -> JoinHandle<()> {
    thread::Builder::new()
        .name("source-stdin".into())
        .spawn(move || {
            let source: Arc<str> = Arc::from(STDIN_NAME);
            let tee = Tee {
                inner: io::stdin(),
                out: echo.then(stdout_unbuffered),
                tx: tx.clone(),
            };
            // A pipe's capacity: one read takes all a program wrote since the last, up to that.
            let mut reader =
                LineReader::new(BufReader::with_capacity(64 * 1024, tee), max_line_bytes);
            let mut batch = Batch::default();
            loop {
                match reader.next_line() {
                    Ok(Some(line)) => {
                        batch.push(SourceEvent::Line {
                            source: source.clone(),
                            line,
                        });
                        // What was read together goes on together; what comes next may be a
                        // while, so nothing waits for it.
                        let drained = reader.get_ref().buffer().is_empty();
                        if (drained || batch.is_full()) && !batch.send(&tx) {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(error) => {
                        batch.send(&tx);
                        let _ = tx.send(SourceEvent::Failed {
                            source,
                            error: error.to_string(),
                        });
                        return;
                    }
                }
            }
            if batch.send(&tx) {
                let _ = tx.send(SourceEvent::Closed {
                    source,
                    stats: reader.stats(),
                });
            }
        })
        .expect("spawn stdin reader thread")
}

/// Lines read but not handed on yet: one hand-over per read instead of one per line, so a fast
/// program is not slowed by a thread switch per line.
#[derive(Default)]
struct Batch {
    events: Vec<SourceEvent>,
    bytes: usize,
}

impl Batch {
    /// At most this many lines or bytes of text go in one hand-over (as for followed files).
    const MAX_LINES: usize = 512;
    const MAX_BYTES: usize = 128 * 1024;

    fn push(&mut self, event: SourceEvent) {
        if let SourceEvent::Line { line, .. } = &event {
            self.bytes += line.text.len();
        }
        self.events.push(event);
    }

    fn is_full(&self) -> bool {
        self.events.len() >= Self::MAX_LINES || self.bytes >= Self::MAX_BYTES
    }

    /// Hand the lines on; false if the receiver is gone.
    fn send(&mut self, tx: &SyncSender<SourceEvent>) -> bool {
        self.bytes = 0;
        let event = if self.events.len() > 1 {
            SourceEvent::Batch(std::mem::take(&mut self.events))
        } else {
            match self.events.pop() {
                Some(event) => event,
                None => return true,
            }
        };
        tx.send(event).is_ok()
    }
}

/// Where the echo goes: stdout's file descriptor without std's line buffering, so that one read
/// is one write, whatever its newlines. If it cannot be duplicated, std's stdout will do.
fn stdout_unbuffered() -> Box<dyn Write + Send> {
    match io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(File::from(fd)),
        Err(_) => Box::new(io::stdout()),
    }
}

/// A reader that writes everything it reads to `out` as well.
struct Tee<R> {
    inner: R,
    /// `None` once not echoing (never asked to, or stdout failed).
    out: Option<Box<dyn Write + Send>>,
    tx: SyncSender<SourceEvent>,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(out) = self.out.as_mut() {
            if let Err(error) = out.write_all(&buf[..n]).and_then(|()| out.flush()) {
                self.out = None;
                // A closed pipe is the reader's choice (`| head`): worth a note, not a warning.
                let notice = if error.kind() == ErrorKind::BrokenPipe {
                    SourceEvent::Notice {
                        message: "stdout is closed: no longer echoing stdin, still watching it"
                            .into(),
                        warning: false,
                    }
                } else {
                    SourceEvent::Notice {
                        message: format!(
                            "failed to echo stdin to stdout: {error}; no longer echoing, still \
                             watching"
                        ),
                        warning: true,
                    }
                };
                let _ = self.tx.send(notice);
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::sync::Mutex;

    /// A writer the test can look into afterwards.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn echoes_the_bytes_read_not_the_lines_made_of_them() {
        let input = b"a\r\nb\xff\x00c\nlong line\nno newline".to_vec();
        let out = Shared::default();
        let (tx, _rx) = mpsc::sync_channel(8);
        let tee = Tee {
            inner: &input[..],
            out: Some(Box::new(out.clone())),
            tx,
        };
        let lines: Vec<String> = LineReader::new(BufReader::with_capacity(4, tee), 4)
            .map(|l| l.unwrap().text)
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(*out.0.lock().unwrap(), input);
    }

    #[test]
    fn a_closed_stdout_ends_the_echo_not_the_reading() {
        let (tx, rx) = mpsc::sync_channel(8);
        let tee = Tee {
            inner: &b"one\ntwo\n"[..],
            out: Some(Box::new(Closed)),
            tx,
        };
        let lines = LineReader::new(BufReader::with_capacity(4, tee), 100).count();
        assert_eq!(lines, 2);
        let notices: Vec<SourceEvent> = rx.try_iter().collect();
        assert!(
            matches!(&notices[..], [SourceEvent::Notice { warning: false, .. }]),
            "{notices:?}"
        );
    }
}
