//! The log's own clock, as the windows see it: the newest timestamp seen, moved forward only by
//! entries that agree with their neighbours.
//!
//! One entry stamped far ahead of the others (a clock reset, a corrupt year, a forged line) must
//! not become "now": every window would then evict everything older than it, and its kind of error
//! could never trip again in the run. An entry more than [`MAX_SKEW`] ahead of the clock is
//! therefore counted at the clock's time and counted as a bad timestamp — unless the next such
//! entry agrees with it, which is what a real gap in the log looks like (the service was down for
//! two hours); then the clock jumps and the first one was not bad after all.
//!
//! The first timestamp of a run sets the clock on its own; if the next one is more than
//! [`MAX_SKEW`] *behind* it, the first was the odd one out and the clock goes back.

use chrono::{DateTime, FixedOffset, TimeDelta};

/// How far ahead of the clock an entry may be and still move it.
pub const MAX_SKEW: TimeDelta = TimeDelta::hours(1);

/// What [`LogClock::place`] decided for one timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placed {
    /// Count the entry at its own time.
    AsStamped,
    /// The timestamp is too far ahead: count the entry at the clock's time instead.
    Clamped(DateTime<FixedOffset>),
    /// The run's first timestamp was far ahead of this one, which is now the clock: times already
    /// counted more than [`MAX_SKEW`] after it belong at it instead.
    Rewound(DateTime<FixedOffset>),
}

#[derive(Debug, Default)]
pub struct LogClock {
    now: Option<DateTime<FixedOffset>>,
    /// A far-ahead timestamp waiting for a second one to agree with it.
    candidate: Option<DateTime<FixedOffset>>,
    /// The clock rests on one timestamp only.
    tentative: bool,
    /// Timestamps counted at the clock's time instead of their own.
    skewed: u64,
}

impl LogClock {
    /// The clock: the newest timestamp trusted so far.
    pub fn now(&self) -> Option<DateTime<FixedOffset>> {
        self.now
    }

    /// Timestamps that were too far ahead of the entries around them.
    pub fn skewed(&self) -> u64 {
        self.skewed
    }

    /// Take in an entry's timestamp and say at what time it counts.
    pub fn place(&mut self, ts: DateTime<FixedOffset>) -> Placed {
        let Some(now) = self.now else {
            self.now = Some(ts);
            self.tentative = true;
            return Placed::AsStamped;
        };
        if ts > now + MAX_SKEW {
            if self.candidate.is_some_and(|c| (ts - c).abs() <= MAX_SKEW) {
                // Two in a row: the log itself moved on.
                self.candidate = None;
                self.skewed = self.skewed.saturating_sub(1);
                self.now = Some(ts);
                self.tentative = false;
                return Placed::AsStamped;
            }
            self.candidate = Some(ts);
            self.skewed += 1;
            return Placed::Clamped(now);
        }
        self.candidate = None;
        if std::mem::take(&mut self.tentative) && ts < now - MAX_SKEW {
            self.skewed += 1;
            self.now = Some(ts);
            return Placed::Rewound(ts);
        }
        if ts > now {
            self.now = Some(ts);
        }
        Placed::AsStamped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    #[test]
    fn one_far_future_stamp_does_not_move_the_clock() {
        let mut clock = LogClock::default();
        assert_eq!(clock.place(at("2026-01-01T10:00:00Z")), Placed::AsStamped);
        assert_eq!(
            clock.place(at("2099-01-01T10:00:00Z")),
            Placed::Clamped(at("2026-01-01T10:00:00Z"))
        );
        assert_eq!(clock.place(at("2026-01-01T10:00:05Z")), Placed::AsStamped);
        assert_eq!(clock.now(), Some(at("2026-01-01T10:00:05Z")));
        assert_eq!(clock.skewed(), 1);
    }

    #[test]
    fn a_gap_two_entries_agree_on_is_real() {
        let mut clock = LogClock::default();
        clock.place(at("2026-01-01T10:00:00Z"));
        clock.place(at("2026-01-01T10:00:01Z"));
        assert!(matches!(
            clock.place(at("2026-01-01T13:00:00Z")),
            Placed::Clamped(_)
        ));
        assert_eq!(clock.place(at("2026-01-01T13:00:02Z")), Placed::AsStamped);
        assert_eq!(clock.now(), Some(at("2026-01-01T13:00:02Z")));
        assert_eq!(clock.skewed(), 0);
    }

    #[test]
    fn a_far_future_first_stamp_is_taken_back() {
        let mut clock = LogClock::default();
        clock.place(at("2099-01-01T10:00:00Z"));
        assert_eq!(
            clock.place(at("2026-01-01T10:00:00Z")),
            Placed::Rewound(at("2026-01-01T10:00:00Z"))
        );
        assert_eq!(clock.skewed(), 1);
        // Only the first stamp can be taken back: later ones behind the clock are out of order.
        assert_eq!(clock.place(at("2025-01-01T10:00:00Z")), Placed::AsStamped);
        assert_eq!(clock.now(), Some(at("2026-01-01T10:00:00Z")));
    }
}
