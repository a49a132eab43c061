//! Reading ahead on a second thread: a producer (read, parse, mask) fills batches while the
//! caller's thread consumes them one item at a time, in the order produced, so what the consumer
//! does — and so the output — is the same as on one thread.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::sync::Arc;

/// Items handed over at a time: enough that handing over costs nothing per item, and that the
/// consumer is rarely woken.
const BATCH: usize = 2048;

/// Batches produced ahead of the consumer at most: what bounds the memory between the threads.
const IN_FLIGHT: usize = 4;

/// The producer's end.
pub struct Sink<T> {
    tx: SyncSender<Vec<T>>,
    batch: Vec<T>,
    /// Batches sent and not yet taken by the consumer.
    queued: Arc<AtomicUsize>,
}

impl<T> Sink<T> {
    /// Whether the consumer has caught up (nothing waits for it): the producer is then the slower
    /// side, and work either side may do is better left to the consumer.
    pub fn consumer_idle(&self) -> bool {
        self.queued.load(Ordering::Relaxed) == 0
    }

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
        self.queued.fetch_add(1, Ordering::Relaxed);
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
    let queued = Arc::new(AtomicUsize::new(0));
    let taken = Arc::clone(&queued);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut sink = Sink {
                tx,
                batch: Vec::with_capacity(BATCH),
                queued,
            };
            let produced = produce(&mut sink);
            sink.flush();
            produced
        });
        let mut consumed = Ok(());
        'batches: for batch in rx.iter() {
            taken.fetch_sub(1, Ordering::Relaxed);
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
