//! Timestamps as logs write them, into `DateTime<FixedOffset>`.
//!
//! Invariants: a time without a zone is taken as UTC; a time without a year (syslog RFC 3164, glog,
//! logcat) gets the year of `now`, or the year before when that would put it more than a day in the
//! future; a two-digit year is 20xx up to 68, 19xx from 69 (as chrono's `%y`); a
//! time without a date (logback's `HH:mm:ss.SSS`) gets `now`'s date, or the day before likewise.
//! Nothing here panics on any input: malformed text gives `None`.
//!
//! The ISO-8601 forms (by far the most common) are read by hand at fixed positions because chrono's
//! generic parser would dominate the cost of parsing a line.

use chrono::format::{parse, Parsed, StrftimeItems};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};

const UTC: FixedOffset = match FixedOffset::east_opt(0) {
    Some(utc) => utc,
    None => unreachable!(),
};

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() {
        return None;
    }
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Reads `.123`/`,123456789` at the start of `b`: (nanoseconds, bytes used).
fn fraction(b: &[u8]) -> (u32, usize) {
    if !matches!(b.first(), Some(b'.' | b',')) {
        return (0, 0);
    }
    let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if n == 0 {
        return (0, 0);
    }
    let mut nanos = 0u32;
    for i in 0..9 {
        let d = b
            .get(1 + i)
            .filter(|_| i < n)
            .map_or(0, |c| u32::from(c - b'0'));
        nanos = nanos * 10 + d;
    }
    (nanos, 1 + n)
}

/// A zone suffix at the start of `b`: `Z`, `+01:00`, `+0100`, `+01`, `UTC`, `GMT`, optionally after
/// one space, and ending at the end of `b` or before a space. (offset, bytes used); `(None, 0)`
/// when there is none.
fn zone_prefix(b: &[u8]) -> (Option<FixedOffset>, usize) {
    let spaced = usize::from(b.first() == Some(&b' '));
    let z = &b[spaced..];
    let ends_at = |n: usize| z.len() == n || z[n] == b' ';
    let fixed = |n: usize, secs: i32| {
        if ends_at(n) {
            (FixedOffset::east_opt(secs), spaced + n)
        } else {
            (None, 0)
        }
    };
    match z {
        [b'Z' | b'z', ..] => fixed(1, 0),
        [b'U', b'T', b'C', ..] | [b'G', b'M', b'T', ..] => fixed(3, 0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let two = |i: usize| rest.get(i..i + 2).and_then(digits);
            let (h, m, n) = match (two(0), rest.get(2), two(2), two(3)) {
                (Some(h), Some(b':'), _, Some(m)) => (h, m, 6),
                (Some(h), _, Some(m), _) => (h, m, 5),
                (Some(h), _, _, _) => (h, 0, 3),
                _ => return (None, 0),
            };
            if h > 23 || m > 59 {
                return (None, 0);
            }
            #[allow(clippy::cast_possible_wrap)]
            let secs = (h * 3600 + m * 60) as i32;
            fixed(n, if *sign == b'-' { -secs } else { secs })
        }
        _ => (None, 0),
    }
}

fn time_of_day(b: &[u8]) -> Option<(NaiveTime, usize)> {
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, s) = (digits(&b[0..2])?, digits(&b[3..5])?, digits(&b[6..8])?);
    let (nanos, used) = fraction(&b[8..]);
    // A leap second is written :60; chrono spells it as nanoseconds past 1e9.
    let (s, nanos) = if s == 60 {
        (59, nanos + 1_000_000_000)
    } else {
        (s, nanos)
    };
    Some((NaiveTime::from_hms_nano_opt(h, m, s, nanos)?, 8 + used))
}

fn with_zone(naive: NaiveDateTime, offset: Option<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    offset.unwrap_or(UTC).from_local_datetime(&naive).single()
}

/// `2026-11-20T10:15:03.123Z`, `2026-11-20 10:15:03,123`, `2026-11-20T10:15:03+01:00`,
/// `2026-11-20 10:15:03 +0100`, `2026-11-20T10:15:03.123456 UTC` …
pub fn iso8601(s: &str) -> Option<DateTime<FixedOffset>> {
    iso8601_prefix(s).and_then(|(t, used)| (used == s.len()).then_some(t))
}

/// An ISO-8601 timestamp at the start of `s` and the bytes it takes, for formats that read on
/// after it. The zone, if any, must end at a space or the end of `s`.
pub fn iso8601_prefix(s: &str) -> Option<(DateTime<FixedOffset>, usize)> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&b[0..4])?).ok()?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let (time, used) = time_of_day(&b[11..])?;
    let (offset, zone_used) = zone_prefix(&b[11 + used..]);
    let t = with_zone(date.and_time(time), offset)?;
    Some((t, 11 + used + zone_used))
}

/// Go's `log` default: `2026/11/20 10:15:03` (optionally `.123456`), local time without a zone.
pub fn go_log(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    if b.len() < 19 || b[4] != b'/' || b[7] != b'/' || b[10] != b' ' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&b[0..4])?).ok()?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let (time, used) = time_of_day(&b[11..])?;
    (used == b.len() - 11).then_some(())?;
    with_zone(date.and_time(time), None)
}

/// Common/combined log format: `10/Oct/2026:13:55:36 -0700`.
pub fn clf(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(s, "%d/%b/%Y:%H:%M:%S %z").ok()
}

/// Syslog RFC 3164: `Oct 11 22:14:15` or `Oct  1 22:14:15`, no year, no zone. Read by hand: chrono's
/// generic parser costs more than the rest of the line.
pub fn syslog3164(s: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let b = s.as_bytes();
    if b.len() != 15 || b[3] != b' ' || b[6] != b' ' {
        return None;
    }
    let month = MONTHS.iter().position(|m| m[..] == b[..3])? as u32 + 1;
    let day = match b[4] {
        b' ' => digits(&b[5..6])?,
        _ => digits(&b[4..6])?,
    };
    let (time, used) = time_of_day(&b[7..])?;
    (used == 8).then_some(())?;
    without_year(month, day, time, now)
}

/// A date without a year (syslog, glog, logcat): the year of `now`, or the year before when that
/// would put it more than a day in the future.
pub fn without_year(
    month: u32,
    day: u32,
    time: NaiveTime,
    now: DateTime<Utc>,
) -> Option<DateTime<FixedOffset>> {
    let year = now.year();
    let this_year = NaiveDate::from_ymd_opt(year, month, day).map(|d| d.and_time(time));
    let at = match this_year {
        Some(t) if t <= now.naive_utc() + Duration::days(1) => t,
        // In the future (or 29 February of a year without one): it was last year.
        _ => NaiveDate::from_ymd_opt(year - 1, month, day)?.and_time(time),
    };
    with_zone(at, None)
}

/// A whole `HH:MM:SS` with an optional fraction.
pub fn clock(s: &str) -> Option<NaiveTime> {
    let (time, used) = time_of_day(s.as_bytes())?;
    (used == s.len()).then_some(time)
}

/// Android logcat's `threadtime`/`time` stamp: `11-20 10:15:03.123`, no year, local time.
pub fn logcat(s: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    if b.len() < 14 || b[2] != b'-' || b[5] != b' ' {
        return None;
    }
    let (time, used) = time_of_day(&b[6..])?;
    (used == b.len() - 6).then_some(())?;
    without_year(digits(&b[0..2])?, digits(&b[3..5])?, time, now)
}

/// A two-digit year as log4j's `yy` prints it, read the way chrono reads `%y`: 00–68 are 20xx,
/// 69–99 are 19xx. `yy/MM/dd HH:mm:ss` (Spark's and Hadoop's console pattern) or `yyMMdd HHmmss`
/// (older Hadoop daemons).
pub fn short_year(s: &str) -> Option<DateTime<FixedOffset>> {
    let b = s.as_bytes();
    let (y, m, d, time) = match b.len() {
        17 if b[2] == b'/' && b[5] == b'/' && b[8] == b' ' => {
            let (time, used) = time_of_day(&b[9..])?;
            (used == 8).then_some(())?;
            (&b[0..2], &b[3..5], &b[6..8], time)
        }
        13 if b[6] == b' ' => {
            let [h, mi, se] = [7, 9, 11].map(|i| digits(&b[i..i + 2]));
            (
                &b[0..2],
                &b[2..4],
                &b[4..6],
                NaiveTime::from_hms_opt(h?, mi?, se?)?,
            )
        }
        _ => return None,
    };
    let y = digits(y)?;
    let year = if y <= 68 { 2000 + y } else { 1900 + y };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, digits(m)?, digits(d)?)?;
    with_zone(date.and_time(time), None)
}

/// A time of day alone (`10:15:03.123`), as logback's and log4j's default patterns print it.
pub fn time_only(s: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    let (time, used) = time_of_day(s.as_bytes())?;
    (used == s.len()).then_some(())?;
    let today = now.date_naive().and_time(time);
    let at = if today > now.naive_utc() + Duration::hours(1) {
        today - Duration::days(1)
    } else {
        today
    };
    with_zone(at, None)
}

/// Seconds (or milli-, micro-, nanoseconds, judged by magnitude) since the Unix epoch.
pub fn epoch(value: f64) -> Option<DateTime<FixedOffset>> {
    if !value.is_finite() || value < 0.0 {
        return None;
    }
    let divisor: i64 = if value >= 1e17 {
        1_000_000_000
    } else if value >= 1e14 {
        1_000_000
    } else if value >= 1e11 {
        1_000
    } else {
        1
    };
    // Range-checked above; integers (the usual case) are split exactly, fractions as well as an
    // f64 allows.
    #[allow(clippy::cast_possible_truncation)]
    let (secs, nanos) = if value.fract() == 0.0 && value < 9.0e18 {
        let n = value as i64;
        let nanos = (n % divisor) * (1_000_000_000 / divisor);
        (n / divisor, nanos as u32)
    } else {
        let seconds = value / divisor as f64;
        let whole = seconds.trunc();
        (whole as i64, ((seconds - whole) * 1e9).round() as u32)
    };
    DateTime::from_timestamp(secs, nanos.min(999_999_999)).map(|t| t.fixed_offset())
}

/// Any of the forms above, for values whose format is not known in advance (JSON, logfmt, user
/// formats without `timestamp_format`).
pub fn any(s: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    let s = s.trim();
    let first = *s.as_bytes().first()?;
    if first.is_ascii_digit() {
        iso8601(s)
            .or_else(|| DateTime::parse_from_rfc2822(s).ok())
            .or_else(|| go_log(s))
            .or_else(|| clf(s))
            .or_else(|| time_only(s, now))
            .or_else(|| s.parse::<f64>().ok().and_then(epoch))
    } else {
        syslog3164(s, now).or_else(|| DateTime::parse_from_rfc2822(s).ok())
    }
}

/// Whether `format` is a strftime pattern chrono understands; the message names the problem.
pub fn check_format(format: &str) -> Result<(), String> {
    if StrftimeItems::new(format).any(|item| item == chrono::format::Item::Error) {
        return Err(format!("'{format}' is not a valid strftime pattern"));
    }
    if format.trim().is_empty() {
        return Err("an empty timestamp format matches nothing".into());
    }
    Ok(())
}

/// `s` read with a user's strftime pattern. Fields the pattern lacks are completed as the module
/// docs say (zone → UTC, year → inferred, date → today).
pub fn with_format(s: &str, format: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    let mut parsed = Parsed::new();
    parse(&mut parsed, s.trim(), StrftimeItems::new(format)).ok()?;
    complete(parsed, now)
}

fn complete(mut parsed: Parsed, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    if parsed.timestamp().is_some() {
        return parsed.to_datetime_with_timezone(&UTC).ok();
    }
    let offset = parsed.offset().unwrap_or(0);
    let has_date = parsed.year().is_some()
        || parsed.year_mod_100().is_some()
        || parsed.isoyear().is_some()
        || parsed.month().is_some()
        || parsed.ordinal().is_some();
    if !has_date {
        let time = parsed.to_naive_time().ok()?;
        let at = NaiveDate::from(now.naive_utc()).and_time(time);
        let at = if at > now.naive_utc() + Duration::hours(1) {
            at - Duration::days(1)
        } else {
            at
        };
        return with_zone(at, FixedOffset::east_opt(offset));
    }
    if parsed.year().is_none() && parsed.year_mod_100().is_none() && parsed.isoyear().is_none() {
        parsed.set_year(i64::from(now.year())).ok()?;
        let this_year = parsed.to_naive_datetime_with_offset(offset).ok();
        let in_future = this_year.is_none_or(|t| t > now.naive_utc() + Duration::days(1));
        if in_future {
            let mut last_year = parsed.clone();
            last_year.year = Some(now.year() - 1);
            parsed = last_year;
        }
    }
    let naive = parsed.to_naive_datetime_with_offset(offset).ok()?;
    with_zone(naive, FixedOffset::east_opt(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn rfc(t: Option<DateTime<FixedOffset>>) -> String {
        t.map(|t| t.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn iso_forms() {
        assert_eq!(
            rfc(iso8601("2026-11-20T10:15:03.123Z")),
            "2026-11-20T10:15:03.123+00:00"
        );
        assert_eq!(
            rfc(iso8601("2026-11-20 10:15:03,123")),
            "2026-11-20T10:15:03.123+00:00"
        );
        assert_eq!(
            rfc(iso8601("2026-11-20T10:15:03.123456789123+01:00")),
            "2026-11-20T10:15:03.123456789+01:00"
        );
        assert_eq!(
            rfc(iso8601("2026-11-20 10:15:03 -0530")),
            "2026-11-20T10:15:03-05:30"
        );
        assert_eq!(
            rfc(iso8601("2026-11-20T10:15:03 UTC")),
            "2026-11-20T10:15:03+00:00"
        );
        assert_eq!(iso8601("2026-13-20T10:15:03Z"), None);
        assert_eq!(iso8601("2026-11-20T10:15:03Zjunk"), None);
        assert_eq!(iso8601("2026-11-20T10:1"), None);
        assert_eq!(iso8601("２０２６-11-20T10:15:03Z"), None);
    }

    #[test]
    fn other_forms() {
        assert_eq!(
            rfc(go_log("2026/11/20 10:15:03.500")),
            "2026-11-20T10:15:03.500+00:00"
        );
        assert_eq!(
            rfc(clf("20/Nov/2026:10:15:03 -0700")),
            "2026-11-20T10:15:03-07:00"
        );
        assert_eq!(rfc(epoch(1_795_601_703.5)), "2026-11-25T10:15:03.500+00:00");
        assert_eq!(rfc(epoch(1_795_601_703_000.0)), "2026-11-25T10:15:03+00:00");
        assert_eq!(epoch(f64::NAN), None);
    }

    #[test]
    fn syslog_year_is_inferred() {
        assert_eq!(
            rfc(syslog3164("Oct 11 22:14:15", now())),
            "2026-10-11T22:14:15+00:00"
        );
        assert_eq!(
            rfc(syslog3164("Nov  3 01:02:03", now())),
            "2026-11-03T01:02:03+00:00"
        );
        // December would be in the future in November: it was last December.
        assert_eq!(
            rfc(syslog3164("Dec 31 23:59:59", now())),
            "2025-12-31T23:59:59+00:00"
        );
    }

    #[test]
    fn logcat_and_short_years() {
        assert_eq!(
            rfc(logcat("11-20 10:15:03.123", now())),
            "2026-11-20T10:15:03.123+00:00"
        );
        assert_eq!(
            rfc(logcat("12-31 23:59:59.000", now())),
            "2025-12-31T23:59:59+00:00"
        );
        assert_eq!(logcat("13-20 10:15:03.123", now()), None);
        assert_eq!(logcat("11-20 10:15:03.123x", now()), None);
        assert_eq!(
            rfc(short_year("17/06/09 20:10:40")),
            "2017-06-09T20:10:40+00:00"
        );
        assert_eq!(
            rfc(short_year("081109 203615")),
            "2008-11-09T20:36:15+00:00"
        );
        assert_eq!(
            rfc(short_year("991231 235959")),
            "1999-12-31T23:59:59+00:00"
        );
        assert_eq!(short_year("081309 203615"), None);
        assert_eq!(short_year("08110x 203615"), None);
        assert_eq!(short_year("17/06/09 20:10"), None);
    }

    #[test]
    fn time_only_takes_today_or_yesterday() {
        assert_eq!(
            rfc(time_only("10:15:03.123", now())),
            "2026-11-24T10:15:03.123+00:00"
        );
        assert_eq!(
            rfc(time_only("23:00:00", now())),
            "2026-11-23T23:00:00+00:00"
        );
    }

    #[test]
    fn user_formats_are_honoured() {
        assert_eq!(
            rfc(with_format(
                "20.11.2026 10:15:03",
                "%d.%m.%Y %H:%M:%S",
                now()
            )),
            "2026-11-20T10:15:03+00:00"
        );
        assert_eq!(
            rfc(with_format(
                "20/11/26 10:15:03 +0200",
                "%d/%m/%y %H:%M:%S %z",
                now()
            )),
            "2026-11-20T10:15:03+02:00"
        );
        assert_eq!(
            rfc(with_format("1795601703", "%s", now())),
            "2026-11-25T10:15:03+00:00"
        );
        // The same text under another pattern is not a time.
        assert_eq!(
            with_format("20.11.2026 10:15:03", "%Y-%m-%d %H:%M:%S", now()),
            None
        );
    }

    #[test]
    fn formats_are_checked() {
        assert!(check_format("%d.%m.%Y %H:%M:%S%.3f").is_ok());
        assert_eq!(
            check_format("%Y-%Q").unwrap_err(),
            "'%Y-%Q' is not a valid strftime pattern"
        );
        assert!(check_format(" ").is_err());
    }

    #[test]
    fn any_guesses() {
        assert_eq!(
            rfc(any("2026-11-20T10:15:03Z", now())),
            "2026-11-20T10:15:03+00:00"
        );
        assert_eq!(
            rfc(any("Fri, 20 Nov 2026 10:15:03 +0000", now())),
            "2026-11-20T10:15:03+00:00"
        );
        assert_eq!(any("soon", now()), None);
    }
}
