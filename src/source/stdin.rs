//! Following stdin: a reader thread that forwards lines as they arrive.

use std::io::{self, BufReader};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use super::{LineReader, SourceEvent, STDIN_NAME};

/// Read stdin line by line on its own thread until it closes. Stops early if the receiver is gone.
pub fn spawn_stdin(tx: SyncSender<SourceEvent>, max_line_bytes: usize) -> JoinHandle<()> {
    thread::Builder::new()
        .name("source-stdin".into())
        .spawn(move || {
            let source: Arc<str> = Arc::from(STDIN_NAME);
            // Small buffer: a live pipe delivers lines one by one and each should go on at once.
            let mut reader = LineReader::new(
                BufReader::with_capacity(64 * 1024, io::stdin()),
                max_line_bytes,
            );
            loop {
                match reader.next_line() {
                    Ok(Some(line)) => {
                        let event = SourceEvent::Line {
                            source: source.clone(),
                            line,
                        };
                        if tx.send(event).is_err() {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(error) => {
                        let _ = tx.send(SourceEvent::Failed {
                            source,
                            error: error.to_string(),
                        });
                        return;
                    }
                }
            }
            let _ = tx.send(SourceEvent::Closed {
                source,
                stats: reader.stats(),
            });
        })
        .expect("spawn stdin reader thread")
}
