//! A sliding window of event times for one fingerprint.

use std::collections::VecDeque;

/// Event times (milliseconds since the epoch) within the window, oldest first.
///
/// The window holds at most `capacity` times: once it holds `count` of them the threshold trips, so
/// older ones never matter. Memory is therefore bounded by the threshold, not by the input.
#[derive(Debug, Clone)]
pub struct Window {
    times: VecDeque<i64>,
    capacity: usize,
}

impl Window {
    pub fn new(capacity: usize) -> Window {
        Window {
            times: VecDeque::with_capacity(capacity.min(64)),
            capacity: capacity.max(1),
        }
    }

    /// Record an event at `at` and return how many events lie within `span_ms` before it
    /// (inclusive). Out-of-order times (interleaved sources) are inserted in order.
    pub fn record(&mut self, at: i64, span_ms: i64) -> usize {
        let pos = self.times.partition_point(|&t| t <= at);
        self.times.insert(pos, at);
        let newest = *self.times.back().expect("just inserted");
        while self.times.front().is_some_and(|&t| t <= newest - span_ms) {
            self.times.pop_front();
        }
        while self.times.len() > self.capacity {
            self.times.pop_front();
        }
        self.times.len()
    }

    /// Oldest time still in the window.
    pub fn oldest(&self) -> Option<i64> {
        self.times.front().copied()
    }

    /// Move every time after `after` to `to` (a time counted too far ahead, put where it belongs).
    pub fn retime(&mut self, after: i64, to: i64) {
        if self.times.back().is_some_and(|&t| t > after) {
            for t in self.times.iter_mut().filter(|t| **t > after) {
                *t = to;
            }
            self.times.make_contiguous().sort_unstable();
        }
    }

    pub fn clear(&mut self) {
        self.times.clear();
    }

    /// Take in the times of `other` (a window of the same events under another key), keeping the
    /// newest `capacity` of both.
    pub fn absorb(&mut self, other: &Window) {
        let mut all: Vec<i64> = self.times.iter().chain(&other.times).copied().collect();
        all.sort_unstable();
        let keep = all.len().saturating_sub(self.capacity);
        self.times = all.into_iter().skip(keep).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_events_within_span() {
        let mut w = Window::new(10);
        assert_eq!(w.record(0, 1000), 1);
        assert_eq!(w.record(500, 1000), 2);
        assert_eq!(w.record(1200, 1000), 2);
        assert_eq!(w.record(5000, 1000), 1);
    }

    #[test]
    fn absorbing_keeps_the_newest_in_order() {
        let mut a = Window::new(3);
        let mut b = Window::new(3);
        a.record(10, 1000);
        a.record(30, 1000);
        b.record(20, 1000);
        b.record(40, 1000);
        a.absorb(&b);
        assert_eq!(a.oldest(), Some(20));
        assert_eq!(a.record(50, 1000), 3);
        assert_eq!(a.oldest(), Some(30));
    }

    #[test]
    fn never_holds_more_than_capacity() {
        let mut w = Window::new(3);
        for t in 0..100 {
            assert!(w.record(t, 1_000_000) <= 3);
        }
    }
}
