//! Threshold stage: "3 errors of this kind within 5 minutes" → an [`Incident`].
//!
//! Time is the log's own when entries carry timestamps, so `analyze` of yesterday's file trips
//! exactly where `watch` would have tripped yesterday; entries without one take the last log time
//! seen, or the [`Clock`] when the log has none at all. Memory is bounded twice: each window holds
//! at most `count` times, and at most `max_tracked` fingerprints are tracked (the stalest are
//! dropped first, and a fingerprint idle for longer than its window has nothing worth keeping).
//!
//! User rules ([`rules`]) trip beside the global threshold, each by its own level and count. An
//! entry raises at most one incident, whoever tripped on it: the global threshold, rules, or both
//! (then [`Incident::rules`] names the rules and the fix stage proposes once).

pub mod clock;
pub mod ignore;
pub mod rules;
pub mod skew;
pub mod window;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone};

pub use clock::{Clock, FakeClock, SystemClock};
pub use ignore::{Ignore, Ignored};
pub use rules::{rule_text, RuleTrigger};
use skew::{LogClock, Placed};
use window::Window;

use crate::parse::{Level, LogEntry};
use crate::pattern::{Classified, Fingerprint, StackTrace};

/// Default cap on the number of fingerprints tracked at once.
pub const DEFAULT_MAX_TRACKED: usize = 100_000;

/// What the threshold stage needs from the configuration.
#[derive(Debug, Clone)]
pub struct ThresholdSettings {
    /// Lowest level that counts; higher levels count too.
    pub level: Level,
    /// Entries within `window` that trip an incident.
    pub count: u32,
    pub window: Duration,
    /// After tripping, the same fingerprint does not trip again for this long.
    pub cooldown: Duration,
    pub max_tracked: usize,
    /// User rules, each with its own trigger within `window` (and the same `cooldown`).
    pub rules: Vec<RuleTrigger>,
    /// Kinds of entries that never trip (`ignore:`).
    pub ignore: Vec<Ignore>,
}

impl Default for ThresholdSettings {
    fn default() -> Self {
        ThresholdSettings {
            level: Level::Error,
            count: 3,
            window: Duration::from_secs(300),
            cooldown: Duration::from_secs(300),
            max_tracked: DEFAULT_MAX_TRACKED,
            rules: Vec::new(),
            ignore: Vec::new(),
        }
    }
}

/// A threshold that tripped: enough entries of one kind within the window.
#[derive(Debug, Clone)]
pub struct Incident {
    pub fingerprint: Fingerprint,
    /// Id of the pattern (template) of the entry that tripped.
    pub pattern: String,
    pub template: String,
    /// Level of the entry that tripped.
    pub level: Level,
    /// Entries within the window when it tripped: of the fingerprint when the global threshold
    /// tripped, else of the first rule in `rules`.
    pub count: usize,
    pub window: Duration,
    /// Log time of the first and last entry in the window; `None` when the log has no timestamps.
    pub first: Option<DateTime<FixedOffset>>,
    pub last: Option<DateTime<FixedOffset>>,
    /// A representative entry: the one that tripped.
    pub entry: LogEntry,
    pub trace: Option<StackTrace>,
    /// Names of the user rules whose own trigger tripped on this entry, in config order; only
    /// these rules propose their edit. Empty when only the global threshold tripped.
    pub rules: Vec<String>,
}

impl Incident {
    /// First line of what the representative entry is about: its crash's first line when a
    /// crash made it an error, else its first line.
    pub fn sample(&self) -> &str {
        self.entry.about().lines().next().unwrap_or("")
    }
}

struct Tracked {
    window: Window,
    last_at: i64,
    cooldown_until: Option<i64>,
}

impl Tracked {
    fn new(capacity: usize, at_ms: i64) -> Tracked {
        Tracked {
            window: Window::new(capacity),
            last_at: at_ms,
            cooldown_until: None,
        }
    }

    /// Record an entry at `at_ms`; when it makes `capacity` within `span_ms` outside a cooldown,
    /// start the cooldown and return the count and the time of the oldest entry counted.
    fn trip(
        &mut self,
        at_ms: i64,
        span_ms: i64,
        cooldown_ms: i64,
        capacity: usize,
    ) -> Option<(usize, i64)> {
        self.last_at = self.last_at.max(at_ms);
        let count = self.window.record(at_ms, span_ms);
        if count < capacity || self.cooldown_until.is_some_and(|until| at_ms < until) {
            return None;
        }
        let first_ms = self.window.oldest().unwrap_or(at_ms);
        self.cooldown_until = Some(at_ms.saturating_add(cooldown_ms));
        self.window.clear();
        Some((count, first_ms))
    }
}

/// Sliding-window counter per fingerprint.
pub struct Detector {
    settings: ThresholdSettings,
    clock: Box<dyn Clock>,
    /// By [`Classified::group`].
    tracked: HashMap<u64, Tracked>,
    /// One per rule, in the order of `settings.rules`.
    rule_windows: Vec<Tracked>,
    /// The log's time: newest trusted timestamp seen, and the time of entries that have none.
    log_clock: LogClock,
    /// Entries an `ignore:` entry covered.
    ignored: u64,
}

impl Detector {
    pub fn new(settings: ThresholdSettings, clock: Box<dyn Clock>) -> Detector {
        let rule_windows = settings
            .rules
            .iter()
            .map(|r| Tracked::new(r.count.max(1) as usize, i64::MIN))
            .collect();
        Detector {
            settings,
            clock,
            tracked: HashMap::new(),
            rule_windows,
            log_clock: LogClock::default(),
            ignored: 0,
        }
    }

    pub fn settings(&self) -> &ThresholdSettings {
        &self.settings
    }

    /// Count `entry` if its level is high enough, for its fingerprint and for every rule it
    /// matches; returns the incident when this entry trips the global threshold or a rule.
    pub fn observe(&mut self, entry: &LogEntry, classified: &Classified) -> Option<Incident> {
        let stamped = entry.timestamp.map(|ts| match self.log_clock.place(ts) {
            Placed::AsStamped => ts,
            Placed::Clamped(now) => now,
            Placed::Rewound(now) => {
                self.retime(now + skew::MAX_SKEW, now);
                ts
            }
        });
        self.fold(classified);
        let level = entry.level?;
        if self
            .settings
            .ignore
            .iter()
            .any(|i| i.covers(entry, classified))
        {
            self.ignored += 1;
            return None;
        }
        let counts_globally = level >= self.settings.level;
        if !counts_globally && self.settings.rules.is_empty() {
            return None;
        }
        let (at, log_time) = match stamped.or(self.log_clock.now()) {
            Some(ts) => (ts, true),
            None => (self.clock.now(), false),
        };
        let at_ms = at.timestamp_millis();
        let rules = self.count_rules(entry, level, at_ms);
        let global = if counts_globally {
            self.count_group(classified.group, at_ms)
        } else {
            None
        };
        let (count, first_ms) = global.or_else(|| rules.first().map(|(_, trip)| *trip))?;
        let offset = *at.offset();
        Some(Incident {
            fingerprint: classified.fingerprint.clone(),
            pattern: classified.pattern_id.to_string(),
            template: classified.template.to_string(),
            level,
            count,
            window: self.settings.window,
            first: log_time
                .then(|| offset.timestamp_millis_opt(first_ms).single())
                .flatten(),
            last: log_time.then_some(at),
            entry: entry.clone(),
            trace: classified.trace.clone(),
            rules: rules.into_iter().map(|(name, _)| name).collect(),
        })
    }

    /// Count an entry at `at_ms` for its group; the count and oldest time when it trips.
    fn count_group(&mut self, group: u64, at_ms: i64) -> Option<(usize, i64)> {
        if !self.tracked.contains_key(&group) {
            self.make_room(at_ms);
        }
        let capacity = self.settings.count as usize;
        let (span_ms, cooldown_ms) = self.spans();
        self.tracked
            .entry(group)
            .or_insert_with(|| Tracked::new(capacity, at_ms))
            .trip(at_ms, span_ms, cooldown_ms, capacity)
    }

    /// Count an entry of `level` at `at_ms` for every rule it matches; the rules it trips, with
    /// their count and oldest time.
    fn count_rules(
        &mut self,
        entry: &LogEntry,
        level: Level,
        at_ms: i64,
    ) -> Vec<(String, (usize, i64))> {
        let mut tripped = Vec::new();
        if !self
            .settings
            .rules
            .iter()
            .any(|r| r.level.is_none_or(|min| level >= min))
        {
            return tripped;
        }
        let text = rule_text(entry);
        let (span_ms, cooldown_ms) = self.spans();
        for (rule, tracked) in self.settings.rules.iter().zip(&mut self.rule_windows) {
            if !rule.matches(level, &text) {
                continue;
            }
            if let Some(trip) =
                tracked.trip(at_ms, span_ms, cooldown_ms, rule.count.max(1) as usize)
            {
                tripped.push((rule.name.clone(), trip));
            }
        }
        tripped
    }

    fn spans(&self) -> (i64, i64) {
        (
            duration_ms(self.settings.window),
            duration_ms(self.settings.cooldown),
        )
    }

    /// The pattern stage merged other groups into this entry's: their counts continue in it.
    fn fold(&mut self, classified: &Classified) {
        for gone in &classified.absorbed {
            let Some(old) = self.tracked.remove(gone) else {
                continue;
            };
            match self.tracked.get_mut(&classified.group) {
                Some(into) => {
                    into.window.absorb(&old.window);
                    into.last_at = into.last_at.max(old.last_at);
                    into.cooldown_until = into.cooldown_until.max(old.cooldown_until);
                }
                None => {
                    self.tracked.insert(classified.group, old);
                }
            }
        }
    }

    /// Entries that an `ignore:` entry kept from counting.
    pub fn ignored(&self) -> u64 {
        self.ignored
    }

    /// Timestamps counted at the log's time instead of their own, being far ahead of it.
    pub fn skewed_timestamps(&self) -> u64 {
        self.log_clock.skewed()
    }

    /// Times counted after `after` belong at `to`: in every window.
    fn retime(&mut self, after: DateTime<FixedOffset>, to: DateTime<FixedOffset>) {
        let (after, to) = (after.timestamp_millis(), to.timestamp_millis());
        let (_, cooldown_ms) = self.spans();
        for tracked in self.tracked.values_mut().chain(&mut self.rule_windows) {
            tracked.window.retime(after, to);
            if tracked.last_at > after {
                tracked.last_at = to;
            }
            if tracked.cooldown_until.is_some_and(|until| until > after) {
                tracked.cooldown_until = Some(to.saturating_add(cooldown_ms));
            }
        }
    }

    /// Number of fingerprints tracked now (for tests and stats).
    pub fn tracked(&self) -> usize {
        self.tracked.len()
    }

    /// Keep the map under its cap: drop what can no longer trip, then the stalest.
    fn make_room(&mut self, now_ms: i64) {
        if self.tracked.len() < self.settings.max_tracked.max(1) {
            return;
        }
        let horizon = duration_ms(self.settings.window.max(self.settings.cooldown));
        self.tracked
            .retain(|_, t| t.last_at > now_ms.saturating_sub(horizon));
        if self.tracked.len() >= self.settings.max_tracked.max(1) {
            // Drop the stalest half in one sweep so eviction stays amortised O(1) per entry.
            let mut ages: Vec<i64> = self.tracked.values().map(|t| t.last_at).collect();
            let mid = ages.len() / 2;
            let (_, cut, _) = ages.select_nth_unstable(mid);
            let cut = *cut;
            self.tracked.retain(|_, t| t.last_at > cut);
        }
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::Fingerprint;
    use std::sync::Arc;

    fn entry(ts: Option<&str>, level: Level) -> LogEntry {
        LogEntry {
            source: Arc::from("-"),
            line: 1,
            offset: 0,
            timestamp: ts.map(|t| DateTime::parse_from_rfc3339(t).unwrap()),
            level: Some(level),
            message: "boom".into(),
            fields: Default::default(),
            format: None,
            level_from_crash: false,
        }
    }

    fn classified(id: &str) -> Classified {
        Classified {
            pattern_id: id.into(),
            template: "boom".into(),
            fingerprint: Fingerprint {
                id: id.into(),
                error_type: "boom".into(),
            },
            group: xxhash_rust::xxh3::xxh3_64(id.as_bytes()),
            absorbed: vec![],
            trace: None,
        }
    }

    #[test]
    fn counts_follow_a_group_into_the_one_that_absorbed_it() {
        let mut d = detector(3, 60);
        let (a, b) = (classified("a"), classified("b"));
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:00Z"), Level::Error), &a)
            .is_none());
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:01Z"), Level::Error), &b)
            .is_none());
        let mut merged = classified("b");
        merged.absorbed = vec![a.group];
        let incident = d
            .observe(&entry(Some("2026-01-01T10:00:02Z"), Level::Error), &merged)
            .expect("a's entry now counts for b");
        assert_eq!(incident.count, 3);
        assert_eq!(d.tracked(), 1);
    }

    fn detector(count: u32, window_s: u64) -> Detector {
        let settings = ThresholdSettings {
            count,
            window: Duration::from_secs(window_s),
            cooldown: Duration::from_secs(window_s),
            ..Default::default()
        };
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
        Detector::new(settings, Box::new(FakeClock::new(start)))
    }

    #[test]
    fn trips_on_the_nth_entry_within_the_window() {
        let mut d = detector(3, 60);
        let c = classified("a");
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:00Z"), Level::Error), &c)
            .is_none());
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:30Z"), Level::Error), &c)
            .is_none());
        let incident = d
            .observe(&entry(Some("2026-01-01T10:00:50Z"), Level::Error), &c)
            .expect("third error within 60s trips");
        assert_eq!(incident.count, 3);
        assert_eq!(
            incident.first.unwrap().to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
    }

    #[test]
    fn a_far_future_stamp_does_not_disable_its_kind() {
        for first in [false, true] {
            let mut d = detector(3, 60);
            let c = classified("a");
            let mut stamps = vec!["2026-01-01T10:00:00Z", "2099-06-01T00:00:00Z"];
            if first {
                stamps.swap(0, 1);
            }
            for ts in stamps {
                assert!(d.observe(&entry(Some(ts), Level::Error), &c).is_none());
            }
            let incident = d
                .observe(&entry(Some("2026-01-01T10:00:20Z"), Level::Error), &c)
                .unwrap_or_else(|| panic!("third error trips (far-future stamp first: {first})"));
            assert_eq!(incident.count, 3);
            assert_eq!(d.skewed_timestamps(), 1);
        }
    }

    #[test]
    fn spread_out_entries_do_not_trip() {
        let mut d = detector(3, 60);
        let c = classified("a");
        for minute in 0..10 {
            let ts = format!("2026-01-01T10:{minute:02}:00Z");
            assert!(d.observe(&entry(Some(&ts), Level::Error), &c).is_none());
        }
    }

    #[test]
    fn lower_levels_do_not_count_higher_levels_do() {
        let mut d = detector(2, 60);
        let c = classified("a");
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:00Z"), Level::Warn), &c)
            .is_none());
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:01Z"), Level::Error), &c)
            .is_none());
        assert!(d
            .observe(&entry(Some("2026-01-01T10:00:02Z"), Level::Critical), &c)
            .is_some());
    }

    #[test]
    fn cooldown_holds_back_a_second_trip() {
        let mut d = detector(2, 60);
        let c = classified("a");
        let at = |s: u32| {
            entry(
                Some(&format!("2026-01-01T10:{:02}:{:02}Z", s / 60, s % 60)),
                Level::Error,
            )
        };
        assert!(d.observe(&at(0), &c).is_none());
        assert!(d.observe(&at(1), &c).is_some());
        assert!(d.observe(&at(2), &c).is_none());
        assert!(d.observe(&at(3), &c).is_none(), "still cooling down");
        assert!(
            d.observe(&at(62), &c).is_some(),
            "cooldown over, still 2 within the window: trips again"
        );
    }

    fn with_rules(rules: Vec<RuleTrigger>) -> Detector {
        let settings = ThresholdSettings {
            rules,
            ..Default::default()
        };
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
        Detector::new(settings, Box::new(FakeClock::new(start)))
    }

    fn rule(name: &str, pattern: &str, level: Option<Level>, count: u32) -> RuleTrigger {
        RuleTrigger {
            name: name.into(),
            matcher: regex::Regex::new(pattern).unwrap(),
            level,
            count,
        }
    }

    fn said(ts: &str, level: Level, message: &str) -> LogEntry {
        LogEntry {
            message: message.into(),
            ..entry(Some(ts), level)
        }
    }

    #[test]
    fn a_rule_trips_at_its_own_level_and_count() {
        // Global threshold: 3 at error. The rule: any level, once.
        let mut d = with_rules(vec![rule("pool", "pool near capacity", None, 1)]);
        let c = classified("p");
        let incident = d
            .observe(
                &said("2026-01-01T10:00:00Z", Level::Warn, "pool near capacity"),
                &c,
            )
            .expect("the rule trips on its first match");
        assert_eq!(incident.rules, ["pool"]);
        assert_eq!((incident.level, incident.count), (Level::Warn, 1));
        // Its cooldown holds back the next match; an entry it does not match never counts for it.
        assert!(d
            .observe(
                &said("2026-01-01T10:00:01Z", Level::Warn, "pool near capacity"),
                &c
            )
            .is_none());
        assert!(d
            .observe(&said("2026-01-01T10:00:02Z", Level::Warn, "pool ok"), &c)
            .is_none());
    }

    #[test]
    fn a_rule_with_a_count_trips_on_that_match_and_a_level_filters() {
        let mut d = with_rules(vec![rule("slow", "slow query", Some(Level::Warn), 3)]);
        let c = classified("s");
        let at = |s: u32, level| said(&format!("2026-01-01T10:00:{s:02}Z"), level, "slow query");
        assert!(d.observe(&at(0, Level::Warn), &c).is_none());
        assert!(
            d.observe(&at(1, Level::Info), &c).is_none(),
            "below the rule's level"
        );
        assert!(d.observe(&at(2, Level::Error), &c).is_none());
        let incident = d.observe(&at(3, Level::Warn), &c).expect("third match");
        assert_eq!((incident.count, incident.rules.len()), (3, 1));
        assert_eq!(
            incident.first.unwrap().to_rfc3339(),
            "2026-01-01T10:00:00+00:00"
        );
    }

    #[test]
    fn an_entry_tripping_the_threshold_and_a_rule_is_one_incident() {
        let mut d = with_rules(vec![
            rule("a", "boom", None, 1),
            rule("b", "bo+m", Some(Level::Error), 1),
            rule("never", "bang", None, 1),
        ]);
        d.settings.count = 1;
        let incident = d
            .observe(
                &entry(Some("2026-01-01T10:00:00Z"), Level::Error),
                &classified("x"),
            )
            .expect("trips");
        assert_eq!(incident.rules, ["a", "b"]);
        // Rules are counted apart from fingerprints: the global cooldown does not hold them.
        let mut d = with_rules(vec![rule("a", "boom", None, 2)]);
        d.settings.count = 1;
        let c = classified("y");
        let first = d
            .observe(&entry(Some("2026-01-01T10:00:00Z"), Level::Error), &c)
            .expect("the threshold trips");
        assert!(first.rules.is_empty());
        let second = d
            .observe(&entry(Some("2026-01-01T10:00:01Z"), Level::Error), &c)
            .expect("the rule trips in the threshold's cooldown");
        assert_eq!(
            (second.rules.as_slice(), second.count),
            (&["a".to_string()][..], 2)
        );
    }

    #[test]
    fn tracked_fingerprints_stay_bounded() {
        let settings = ThresholdSettings {
            max_tracked: 100,
            ..Default::default()
        };
        let start = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").unwrap();
        let mut d = Detector::new(settings, Box::new(FakeClock::new(start)));
        for i in 0..10_000 {
            d.observe(
                &entry(Some("2026-01-01T10:00:00Z"), Level::Error),
                &classified(&i.to_string()),
            );
        }
        assert!(d.tracked() <= 100);
    }
}
