//! Reading ahead on a second thread: a producer (read, parse, mask) fills batches while the
//! caller's thread consumes them one item at a time, in the order produced, so what the consumer
//! does — and so the output — is the same as on one thread.

use std::sync::mpsc::{self, SyncSender};

/// Items handed over at a time: enough that handing over costs nothing per item, and that the
/// consumer is rarely woken.
const BATCH: usize = 2048;

/// Batches produced ahead of the consumer at most: what bounds the memory between the threads.
const IN_FLIGHT: usize = 4;

/// The producer's end.
pub struct Sink<T> {
    tx: SyncSender<Vec<T>>,
    batch: Vec<T>,
}

impl<T> Sink<T> {
    /// Hand on `item`; `false` once the consumer has stopped, when producing more is pointless.
    pub fn push(&mut self, item: T) -> bool {
        self.batch.push(item);
        self.batch.len() < BATCH || self.flush()
    }

    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.tx.send(full).is_ok()
    }
}

/// Run `produce` on a thread of its own and `consume` each item it pushes on this one. The first
/// error of `consume` stops both (the producer's next push returns `false`); otherwise the result
/// is the producer's.
pub fn pipeline<T: Send, R: Send, E>(
    produce: impl FnOnce(&mut Sink<T>) -> R + Send,
    mut consume: impl FnMut(T) -> Result<(), E>,
) -> Result<R, E> {
    let (tx, rx) = mpsc::sync_channel(IN_FLIGHT);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut sink = Sink {
                tx,
                batch: Vec::with_capacity(BATCH),
            };
            let produced = produce(&mut sink);
            sink.flush();
            produced
        });
        let mut consumed = Ok(());
        'batches: for batch in rx.iter() {
            for item in batch {
                consumed = consume(item);
                if consumed.is_err() {
                    break 'batches;
                }
            }
        }
        // A producer blocked on a full channel wakes to find nobody there.
        drop(rx);
        let produced = producer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        consumed.map(|()| produced)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_arrives_in_order() {
        let mut got = Vec::new();
        let produced = pipeline(
            |sink| (0..10_000).all(|i| sink.push(i)),
            |i| {
                got.push(i);
                Ok::<_, ()>(())
            },
        );
        assert_eq!(produced, Ok(true));
        assert_eq!(got, (0..10_000).collect::<Vec<_>>());
    }

    #[test]
    fn a_consumer_error_stops_the_producer() {
        let mut pushed = 0;
        let result = pipeline(
            |sink| {
                while sink.push(()) {
                    pushed += 1;
                }
                pushed
            },
            |()| Err("full disk"),
        );
        assert_eq!(result, Err("full disk"));
        assert!(pushed < BATCH * (IN_FLIGHT + 2), "{pushed}");
    }
}
