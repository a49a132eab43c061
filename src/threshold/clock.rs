//! Where "now" comes from when an entry carries no timestamp of its own.

use std::cell::Cell;

use chrono::{DateTime, FixedOffset, Utc};

/// A source of the current time. Tests use [`FakeClock`].
pub trait Clock: Send {
    fn now(&self) -> DateTime<FixedOffset>;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<FixedOffset> {
        Utc::now().fixed_offset()
    }
}

/// A clock that only moves when told to.
#[derive(Debug, Clone)]
pub struct FakeClock {
    now: Cell<DateTime<FixedOffset>>,
}

impl FakeClock {
    pub fn new(start: DateTime<FixedOffset>) -> FakeClock {
        FakeClock {
            now: Cell::new(start),
        }
    }

    pub fn advance(&self, by: std::time::Duration) {
        let by = chrono::Duration::from_std(by).expect("duration in range");
        self.now.set(self.now.get() + by);
    }
}

// Safety of Send: Cell<DateTime> is Send; FakeClock is never shared across threads by reference.
impl Clock for FakeClock {
    fn now(&self) -> DateTime<FixedOffset> {
        self.now.get()
    }
}
