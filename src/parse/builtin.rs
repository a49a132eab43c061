//! The built-in line formats: what common loggers print by default.
//!
//! Each one is a regex (compiled once per process) behind a first-byte test, except the generic
//! ISO-8601 form and tracing's (without spans), read by hand because they are the most common and
//! the generic one the most varied. A format reads
//! its timestamp, level and message and keeps the other parts (logger, thread, pid, host …) as
//! fields; the message never repeats the logger or the level.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use regex::{Captures, Regex};

use super::format::{fields_by, fields_from, leading_level, Context, Parsed};
use super::{fallback, time, Level};

/// A built-in format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `<165>1 2026-11-20T10:15:03.123Z host app 123 ID47 [sd] message`
    Syslog5424,
    /// `<34>Oct 11 22:14:15 host app[123]: message`, with or without the `<PRI>` (also
    /// `journalctl`'s default `short` output).
    Syslog3164,
    /// `journalctl -o short-iso`: `2026-12-01T19:57:53+0000 host app[123]: message`.
    JournalIso,
    /// java.util.logging's default `SimpleFormatter`, whose record is two lines: `Dec 01, 2026
    /// 7:57:53 PM com.acme.Main main`, then `SEVERE: message` (see [`jul_level_line`]).
    Jul,
    /// Rust env_logger: `[2026-11-20T10:15:03Z ERROR my_app::db] message`.
    EnvLogger,
    /// Rust tracing-subscriber's fmt: `2026-11-20T10:15:03.123456Z ERROR span{a=1}: my_app::db: message`.
    Tracing,
    /// Spring Boot: `2026-11-20T10:15:03.123+01:00 ERROR 4242 --- [app] [main] c.e.Service : message`.
    Spring,
    /// log4j/logback default patterns: `10:15:03.123 [main] ERROR com.example.App - message`, also
    /// with a date.
    Log4j,
    /// Python logging with asctime, dash-separated: `2026-11-20 10:15:03,123 - name - ERROR - message`.
    PythonDash,
    /// Python logging with asctime, colon-separated: `2026-11-20 10:15:03,123:ERROR:name:message`.
    PythonColon,
    /// ISO-8601 / RFC 3339 timestamp, then a level and a message: `2026-11-20T10:15:03.123Z INFO
    /// worker: message`, `2026-11-20 10:15:03,123 [ERROR] name: message`, or no level at all.
    Iso8601,
    /// Go's standard `log`: `2026/11/20 10:15:03 message`, optionally `file.go:12: message`.
    GoLog,
    /// nginx/Apache common and combined access logs; 5xx → error, 4xx → warn, else info.
    AccessLog,
    /// Python logging's default: `ERROR:root:message`.
    PythonDefault,
    /// Apache httpd's error log: `[Fri Nov 20 10:15:03.123456 2026] [proxy:error] [pid 42] msg`.
    ApacheError,
    /// glog/klog (Kubernetes components, many Go and C++ services):
    /// `E1120 10:15:03.123456    42 server.go:87] message`.
    Glog,
    /// Android logcat, `threadtime` (the `adb logcat` default):
    /// `11-20 10:15:03.123  4242  4251 E OrdersDb: message`; also `-v brief` and `-v time`:
    /// `E/OrdersDb( 4242): message`.
    Logcat,
    /// log4j patterns with a two-digit year: Spark's and Hadoop's console default
    /// `%d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n`, and older Hadoop daemons' `yyMMdd HHmmss thread
    /// LEVEL logger: message`.
    Log4jShortYear,
    /// A level word and a colon, then the message, no timestamp: uvicorn's `INFO:     message`
    /// (the level padded so that the message starts at column 10) and winston's `simple()`
    /// format, `error: message {"stack":"…"}` (npm level names in lower case, the metadata as a
    /// JSON object at the end of the line).
    LevelPrefix,
    /// gunicorn's error log (its default `--error-logfile -`): `[2026-12-02 06:51:38 +0000]
    /// [15824] [ERROR] message`.
    Gunicorn,
}

const ISO: &str =
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}(?::?\d{2})?)?";

/// The regexes stop where the message begins: the message is the rest of the line, sliced off
/// after the match, because letting the regex capture it (`(?P<message>.*)$`) makes the capture
/// engine walk the whole message a second time.
fn compile(pattern: &str) -> Regex {
    Regex::new(&pattern.replace("{ISO}", ISO)).expect("built-in format compiles")
}

static SYSLOG5424: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^<(?P<pri>\d{1,3})>1 (?P<timestamp>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) (?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+) ?\x{FEFF}?",
    )
});
static SYSLOG3164: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?:<(?P<pri>\d{1,3})>)?(?P<timestamp>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2}) (?P<host>\S+) (?P<app>[^\s:\[]+)(?:\[(?P<pid>\d+)\])?: ?",
    )
});
/// java.util.logging's first line: date, 12-hour time (newer JDKs put a narrow no-break space
/// before `AM`/`PM`), the source class and method.
static JUL: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2}[ \x{202f}](?:AM|PM)) (?P<logger>[\w$.]+)(?: (?P<method>[\w$<>]+))?$",
    )
});
static JUL_LEVEL: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^(?P<level>SEVERE|WARNING|INFO|CONFIG|FINEST|FINER|FINE): "));
/// `journalctl -o short-iso`: `2026-12-01T19:57:53+0000 host unit[pid]: message` (the pid is
/// required, so that `2026-… INFO worker: …` is never taken for a host `INFO`).
static JOURNAL_ISO: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})) (?P<host>[^\s\[\]]+) (?P<app>[^\s:\[]+)\[(?P<pid>\d+)\]: ?",
    )
});
static ENV_LOGGER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^\[(?:(?P<timestamp>{ISO}) )?(?P<level>TRACE|DEBUG|INFO|WARN|ERROR) +(?P<target>[^\]\s]+)\] ?",
    )
});
static TRACING: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6,9}(?:Z|[+-]\d{2}:\d{2})) +(?P<level>TRACE|DEBUG|INFO|WARN|ERROR) (?:(?P<spans>(?:[A-Za-z_]\w*(?:\{[^}]*\})?:)*[A-Za-z_]\w*\{[^}]*\}): )?(?P<target>[A-Za-z_]\w*(?:::\w+)*): ",
    )
});
static SPRING: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>{ISO}) +(?P<level>[A-Z]+) +(?P<pid>\d+) --- (?:\[(?P<app>[^\]]*)\] )?\[ *(?P<thread>[^\]]*?)\] (?P<logger>\S+) *: ",
    )
});
static LOG4J: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>(?:\d{4}-\d{2}-\d{2}[T ])?\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?) \[(?P<thread>[^\]]*)\] (?P<level>[A-Z]+) +(?P<logger>\S+) - ",
    )
});
static PYTHON_DASH: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>{ISO}) - (?:(?P<logger>.+?) - )?(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL) - ",
    )
});
static PYTHON_COLON: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>{ISO}):(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<logger>[^:\s]*):",
    )
});
static GO_LOG: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<timestamp>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,9})?) (?:(?P<file>[\w./\-]+\.go:\d+): )?",
    )
});
static ACCESS_LOG: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r#"^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<timestamp>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" (?P<status>\d{3}) (?P<bytes>\d+|-)(?: "(?P<referer>(?:[^"\\]|\\.)*)" "(?P<user_agent>(?:[^"\\]|\\.)*)")?"#,
    )
});
static GLOG: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<level>[IWEF])(?P<month>\d{2})(?P<day>\d{2}) (?P<time>\d{2}:\d{2}:\d{2}\.\d{6}) +(?P<thread>\d+) (?P<file>[^:\]\s]+:\d+)\] ",
    )
});
static GUNICORN: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^\[(?P<timestamp>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4})\] \[(?P<pid>\d+)\] \[(?P<level>[A-Z]+)\] ",
    )
});
static APACHE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^\[(?P<timestamp>[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d{1,9})? \d{4})\] \[(?:(?P<module>[^:\]]+):)?(?P<level>[a-z]+)\d?\] (?:\[pid (?P<pid>\d+)(?::tid \d+)?\] )?(?:\[client (?P<client>[^\]]+)\] )?",
    )
});
static LOGCAT_THREADTIME: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?P<date>\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) +(?P<pid>\d+) +(?P<tid>\d+) (?P<level>[VDIWEFA]) (?P<tag>[^:]*?) *: ?",
    )
});
static LOGCAT_BRIEF: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"^(?:(?P<date>\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}) )?(?P<level>[VDIWEFA])/(?P<tag>[^(]*?) *\( *(?P<pid>\d+)\): ?",
    )
});
static LOG4J_SHORT_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        // The two dates share their first two digits in the pattern, so that each byte decides
        // the way on (a one-pass regex, whose captures are several times cheaper to read).
        r"^(?P<timestamp>\d{2}(?:/\d{2}/\d{2} \d{2}:\d{2}:\d{2}|\d{4} \d{6})) (?:(?P<thread>\d+) )?(?P<level>TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +(?P<logger>[^\s:]+): ?",
    )
});
static PYTHON_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"^(?P<level>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<logger>[^:\s]+):")
});

impl Builtin {
    /// Every built-in, in the order they are tried (see [`super::format::Format::builtins`]).
    pub const ALL: [Builtin; 20] = [
        Builtin::Syslog5424,
        Builtin::Syslog3164,
        Builtin::JournalIso,
        Builtin::Jul,
        Builtin::ApacheError,
        Builtin::EnvLogger,
        Builtin::Tracing,
        Builtin::Spring,
        Builtin::Log4j,
        Builtin::PythonDash,
        Builtin::PythonColon,
        Builtin::Iso8601,
        Builtin::GoLog,
        Builtin::AccessLog,
        Builtin::Glog,
        Builtin::PythonDefault,
        // Last: no line of the forms above is one of these, so they can take nothing from them,
        // and lines of the forms above never get this far.
        Builtin::Logcat,
        Builtin::Log4jShortYear,
        Builtin::LevelPrefix,
        Builtin::Gunicorn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Builtin::Syslog5424 => "syslog-rfc5424",
            Builtin::Syslog3164 => "syslog-rfc3164",
            Builtin::JournalIso => "journald-short-iso",
            Builtin::Jul => "java-util-logging",
            Builtin::EnvLogger => "env_logger",
            Builtin::Tracing => "tracing",
            Builtin::Spring => "spring-boot",
            Builtin::Log4j => "log4j",
            Builtin::PythonDash | Builtin::PythonColon => "python-asctime",
            Builtin::Iso8601 => "iso8601",
            Builtin::GoLog => "go-log",
            Builtin::AccessLog => "access-log",
            Builtin::PythonDefault => "python",
            Builtin::Glog => "glog",
            Builtin::ApacheError => "apache-error",
            Builtin::Logcat => "android-logcat",
            Builtin::Log4jShortYear => "log4j-short-year",
            Builtin::LevelPrefix => "level-prefix",
            Builtin::Gunicorn => "gunicorn",
        }
    }

    /// Whether `line` cannot be of this format by its regex's matcher alone, for the formats whose
    /// reading starts with that regex's groups: a failed match costs less without the groups'
    /// bookkeeping, but a line that does match is searched twice, so this is for probing only.
    fn turned_down(self, line: &str) -> bool {
        let regex: &Regex = match self {
            Builtin::EnvLogger => &ENV_LOGGER,
            Builtin::Spring => &SPRING,
            Builtin::PythonDash => &PYTHON_DASH,
            Builtin::PythonColon => &PYTHON_COLON,
            Builtin::PythonDefault => &PYTHON_DEFAULT,
            Builtin::ApacheError => &APACHE_ERROR,
            Builtin::Log4jShortYear => &LOG4J_SHORT_YEAR,
            Builtin::Gunicorn => &GUNICORN,
            Builtin::AccessLog => &ACCESS_LOG,
            _ => return false,
        };
        !regex.is_match(line)
    }

    /// Whether `first` (the line's first byte) can begin this format: a test that costs nothing,
    /// made before any regex runs.
    fn may_start_with(self, first: u8) -> bool {
        match self {
            Builtin::Syslog5424 => first == b'<',
            Builtin::Syslog3164 => matches!(
                first,
                b'<' | b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S'
            ),
            Builtin::Jul => matches!(first, b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S'),
            Builtin::EnvLogger => first == b'[',
            Builtin::Tracing
            | Builtin::JournalIso
            | Builtin::Spring
            | Builtin::Log4j
            | Builtin::PythonDash
            | Builtin::PythonColon
            | Builtin::Iso8601
            | Builtin::GoLog => first.is_ascii_digit(),
            Builtin::AccessLog => first.is_ascii_alphanumeric() || first == b'[' || first == b':',
            Builtin::PythonDefault => matches!(first, b'D' | b'I' | b'W' | b'E' | b'C'),
            Builtin::Glog => matches!(first, b'I' | b'W' | b'E' | b'F'),
            Builtin::ApacheError => first == b'[',
            Builtin::Logcat => {
                first.is_ascii_digit()
                    || matches!(first, b'V' | b'D' | b'I' | b'W' | b'E' | b'F' | b'A')
            }
            Builtin::Log4jShortYear => first.is_ascii_digit(),
            Builtin::LevelPrefix => first.is_ascii_alphabetic(),
            Builtin::Gunicorn => first == b'[',
        }
    }

    pub fn parse(self, line: &str, cx: Context) -> Option<Parsed> {
        let first = *line.as_bytes().first()?;
        if !self.may_start_with(first) || cx.probing && self.turned_down(line) {
            return None;
        }
        match self {
            Builtin::Syslog5424 => syslog5424(line),
            Builtin::Syslog3164 => syslog3164(line, cx),
            Builtin::JournalIso => journal_iso(line, cx),
            Builtin::Jul => jul(line),
            Builtin::EnvLogger => standard(&ENV_LOGGER, line, &["target"]),
            Builtin::Tracing => tracing(line),
            Builtin::Spring => standard(&SPRING, line, &["pid", "app", "thread", "logger"]),
            Builtin::Log4j => log4j(line, cx),
            Builtin::PythonDash => standard(&PYTHON_DASH, line, &["logger"]),
            Builtin::PythonColon => standard(&PYTHON_COLON, line, &["logger"]),
            Builtin::Iso8601 => iso8601(line),
            Builtin::GoLog => go_log(line),
            Builtin::AccessLog => access_log(line),
            Builtin::PythonDefault => standard(&PYTHON_DEFAULT, line, &["logger"]),
            Builtin::Glog => glog(line, cx),
            Builtin::ApacheError => standard_with(
                &APACHE_ERROR,
                line,
                &["module", "pid", "client"],
                apache_time,
            ),
            Builtin::Logcat => logcat(line, cx),
            Builtin::Log4jShortYear => standard_with(
                &LOG4J_SHORT_YEAR,
                line,
                &["thread", "logger"],
                time::short_year,
            ),
            Builtin::LevelPrefix => level_prefix(line, cx),
            Builtin::Gunicorn => standard_with(&GUNICORN, line, &["pid"], gunicorn_time),
        }
    }
}

/// The message: what follows the match.
fn rest<'h>(caps: &Captures<'h>, line: &'h str) -> &'h str {
    caps.get(0).map_or("", |m| &line[m.end()..])
}

/// Groups `timestamp` (ISO-8601), `level` (a level word), `message`, and `fields`.
fn standard(regex: &Regex, line: &str, fields: &[&str]) -> Option<Parsed> {
    standard_with(regex, line, fields, time::iso8601)
}

/// [`standard`] for a format whose `timestamp` group `read_time` reads.
fn standard_with(
    regex: &Regex,
    line: &str,
    fields: &[&str],
    read_time: fn(&str) -> Option<DateTime<FixedOffset>>,
) -> Option<Parsed> {
    let caps = regex.captures(line)?;
    // Groups found by name among the regex's few (`Captures::name` hashes the name: per line,
    // that cost more than the match).
    let group = |name: &str| {
        let index = regex.capture_names().position(|n| n == Some(name))?;
        caps.get(index)
    };
    let level = Level::parse(group("level")?.as_str())?;
    let mut parsed = Parsed {
        level: Some(level),
        message: rest(&caps, line).to_owned(),
        ..Parsed::default()
    };
    if let Some(ts) = group("timestamp") {
        parsed.anchors = true;
        parsed.timestamp = read_time(ts.as_str());
        parsed.bad_timestamp = parsed.timestamp.is_none();
    }
    fields_by(group, fields, &mut parsed.fields);
    Some(parsed)
}

/// tracing-subscriber's fmt, read by hand unless the line has spans (`name{field=…}:`), which the
/// regex sorts out: this is the format of most Rust services, and the hand path is several times
/// faster.
fn tracing(line: &str) -> Option<Parsed> {
    let (timestamp, used) = time::iso8601_prefix(line)?;
    let ts = &line[..used];
    let b = ts.as_bytes();
    let fraction = b.iter().skip(20).take_while(|c| c.is_ascii_digit()).count();
    if b.get(10) != Some(&b'T') || b.get(19) != Some(&b'.') || fraction < 6 {
        return None;
    }
    let rest = line[ts.len()..].strip_prefix(' ')?.trim_start_matches(' ');
    let (level, rest) = rest.split_once(' ')?;
    if !matches!(level, "TRACE" | "DEBUG" | "INFO" | "WARN" | "ERROR") {
        return None;
    }
    let (target, message) = rest.split_once(": ")?;
    if target.contains(['{', '}']) {
        return standard(&TRACING, line, &["spans", "target"]);
    }
    let ident = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    if !target.split("::").all(ident) {
        return None;
    }
    let mut parsed = Parsed {
        timestamp: Some(timestamp),
        level: Level::parse(level),
        message: message.to_owned(),
        anchors: true,
        ..Parsed::default()
    };
    parsed.fields.insert("target".into(), target.to_owned());
    Some(parsed)
}

fn log4j(line: &str, cx: Context) -> Option<Parsed> {
    let caps = LOG4J.captures(line)?;
    let level = Level::parse(&caps["level"])?;
    let ts = &caps["timestamp"];
    let timestamp = if ts.len() > 12 && ts.as_bytes()[4] == b'-' {
        time::iso8601(ts)
    } else {
        time::time_only(ts, cx.now)
    };
    let mut parsed = Parsed {
        timestamp,
        level: Some(level),
        message: rest(&caps, line).to_owned(),
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(&caps, &["thread", "logger"], &mut parsed.fields);
    Some(parsed)
}

/// The syslog `<PRI>`: facility × 8 + severity.
fn severity(caps: &Captures<'_>) -> Option<Level> {
    let pri: u16 = caps.name("pri")?.as_str().parse().ok()?;
    (pri <= 191).then(|| Level::from_syslog_severity((pri % 8) as u8))
}

fn syslog5424(line: &str) -> Option<Parsed> {
    let caps = SYSLOG5424.captures(line)?;
    let level = Some(severity(&caps)?);
    let ts = &caps["timestamp"];
    let timestamp = (ts != "-").then(|| time::iso8601(ts)).flatten();
    let mut parsed = Parsed {
        timestamp,
        level,
        message: rest(&caps, line).to_owned(),
        anchors: true,
        bad_timestamp: ts != "-" && timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(
        &caps,
        &["host", "app", "procid", "msgid", "sd"],
        &mut parsed.fields,
    );
    Some(parsed)
}

fn syslog3164(line: &str, cx: Context) -> Option<Parsed> {
    let caps = SYSLOG3164.captures(line)?;
    system_logger_record(Builtin::Syslog3164, &caps, line, cx)
}

/// A system logger's record (syslog, journald): its time, host, app and pid, and the program's
/// text as the message. Without a PRI the severity is lost; many programs still begin their
/// message with a level.
fn system_logger_record(
    format: Builtin,
    caps: &Captures<'_>,
    line: &str,
    cx: Context,
) -> Option<Parsed> {
    let timestamp = match format {
        Builtin::JournalIso => time::iso8601(&caps["timestamp"]),
        _ => time::syslog3164(&caps["timestamp"], cx.now),
    };
    let pri = match caps.name("pri") {
        Some(_) => Some(severity(caps)?),
        None => None,
    };
    let mut message = rest(caps, line);
    let level = pri.or_else(|| {
        leading_level(message).map(|(level, rest)| {
            message = rest;
            level
        })
    });
    let mut parsed = Parsed {
        timestamp,
        level,
        message: message.to_owned(),
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(caps, &["host", "app", "pid"], &mut parsed.fields);
    Some(parsed)
}

fn jul(line: &str) -> Option<Parsed> {
    let caps = JUL.captures(line)?;
    let stamp = caps["timestamp"].replace('\u{202f}', " ");
    let timestamp = chrono::NaiveDateTime::parse_from_str(&stamp, "%b %d, %Y %I:%M:%S %p")
        .ok()
        .map(|t| t.and_utc().fixed_offset());
    // The level and the message are on the record's second line.
    let mut parsed = Parsed {
        timestamp,
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(&caps, &["logger", "method"], &mut parsed.fields);
    Some(parsed)
}

/// The second line of a java.util.logging record: its level and message.
pub fn jul_level_line(line: &str) -> Option<(Level, &str)> {
    let caps = JUL_LEVEL.captures(line)?;
    let level = match &caps["level"] {
        "SEVERE" => Level::Error,
        "WARNING" => Level::Warn,
        "INFO" | "CONFIG" => Level::Info,
        "FINE" => Level::Debug,
        _ => Level::Trace,
    };
    Some((level, &line[caps.get(0)?.end()..]))
}

fn journal_iso(line: &str, cx: Context) -> Option<Parsed> {
    system_logger_record(Builtin::JournalIso, &journal_iso_caps(line)?, line, cx)
}

/// `journalctl -o short-iso`'s prefix on `line`. Every ISO-8601 record starts like one, so the
/// regex runs only when `]: ` (after `app[pid]`) stands early in the line, and a level word where
/// the host would be (`… INFO worker[12]: up`) makes it an ordinary record.
fn journal_iso_caps(line: &str) -> Option<Captures<'_>> {
    // Built once: `memmem::find` builds its searcher on every call.
    static AFTER_PID: LazyLock<memchr::memmem::Finder<'static>> =
        LazyLock::new(|| memchr::memmem::Finder::new(b"]: "));
    let head = &line.as_bytes()[..line.len().min(160)];
    AFTER_PID.find(head)?;
    let caps = JOURNAL_ISO.captures(line)?;
    Level::parse_loose(&caps["host"]).is_none().then_some(caps)
}

/// A line a system logger wrote (a syslog file, `journalctl -o short` or `short-iso`): the format
/// that reads its prefix and the logger's record, where the program's own text begins, and who
/// wrote it (`app[pid]`, or `app`).
pub struct SystemLine<'a> {
    pub format: Builtin,
    pub record: Parsed,
    pub payload: usize,
    pub origin: &'a str,
}

/// `line` as a [`SystemLine`], if a system logger wrote it; one regex pass.
pub fn system_line(line: &str, cx: Context) -> Option<SystemLine<'_>> {
    let first = *line.as_bytes().first()?;
    let (format, caps) = if Builtin::Syslog3164.may_start_with(first) {
        (Builtin::Syslog3164, SYSLOG3164.captures(line)?)
    } else if first.is_ascii_digit() {
        (Builtin::JournalIso, journal_iso_caps(line)?)
    } else {
        return None;
    };
    let payload = caps.get(0)?.end();
    let app = caps.name("app")?;
    let end = caps.name("pid").map_or(app.end(), |pid| pid.end() + 1);
    Some(SystemLine {
        format,
        record: system_logger_record(format, &caps, line, cx)?,
        payload,
        origin: &line[app.start()..end],
    })
}

/// The most varied form, read by hand: a timestamp, separators, an optional process id (oslo.log's
/// `4242 INFO`, PostgreSQL's `[4242] LOG:`), an optional level word (bare or in brackets), an
/// optional `logger:`, the message. When the level word is not first, a header of tokens that are
/// not prose may stand before it (`[main]`, a host, a node id; see [`fallback::header_level`]). A
/// line with a timestamp and no level is still a record of this format (level `None`).
fn iso8601(line: &str) -> Option<Parsed> {
    const SEPARATORS: [char; 6] = [' ', '\t', '|', '-', ':', ','];
    let (timestamp, used) = time::iso8601_prefix(line)?;
    let rest = &line[used..];
    // A timestamp must end at a boundary: `2026-11-20T10:15:03.123Zabc` is not one. Windows'
    // servicing logs (CBS, DISM) put a comma after theirs.
    if !rest.is_empty() && !rest.starts_with([' ', '\t', '|', '-', ':', '[', ',']) {
        return None;
    }
    let mut parsed = Parsed {
        timestamp: Some(timestamp),
        anchors: true,
        ..Parsed::default()
    };
    let rest = rest.trim_start_matches(SEPARATORS);
    let (pid, after_pid) = pid_prefix(rest);
    let mut word_end = after_pid
        .find(|c: char| c.is_whitespace())
        .unwrap_or(after_pid.len());
    let word = &after_pid[..word_end];
    let bare = word.trim_end_matches([':', '|']);
    let mut bare = bare
        .strip_prefix(['[', '<', '('])
        .and_then(|w| w.strip_suffix([']', '>', ')']))
        .unwrap_or(bare);
    // structlog's ConsoleRenderer pads the level inside its brackets: `[info     ] event`.
    if let Some(padded) = padded_bracket_level(after_pid) {
        (bare, word_end) = padded;
    }
    let mut message = rest;
    if let Some(level) = Level::parse_loose(bare) {
        parsed.level = Some(level);
        message = after_pid[word_end..]
            .trim_start_matches(SEPARATORS)
            .trim_start();
        if let Some(pid) = pid {
            parsed.fields.insert("pid".into(), pid.to_owned());
        }
        if let Some((logger, context, after)) = pid.and_then(|_| oslo_context(message)) {
            parsed.fields.insert("logger".into(), logger.to_owned());
            if context != "-" {
                parsed.fields.insert("context".into(), context.to_owned());
            }
            message = after;
        } else if let Some((logger, after)) = logger_prefix(message) {
            parsed.fields.insert("logger".into(), logger.to_owned());
            message = after;
        }
    } else if let Some(found) = fallback::header_level(rest) {
        parsed.level = Some(found.level);
        parsed
            .fields
            .insert("header".into(), rest[..found.start].trim_end().to_owned());
        message = &rest[found.end..];
        if let Some((logger, after)) = logger_prefix(message) {
            parsed.fields.insert("logger".into(), logger.to_owned());
            message = after;
        }
    }
    parsed.message = message.to_owned();
    Some(parsed)
}

/// A level word padded with spaces inside brackets at the start of `rest` (`[info     ]`, as
/// structlog's ConsoleRenderer writes it): (the word, where the brackets end).
fn padded_bracket_level(rest: &str) -> Option<(&str, usize)> {
    let inner = rest.strip_prefix('[')?;
    let close = inner.find(']').filter(|&c| c <= 12)?;
    let word = inner[..close].trim_end_matches(' ');
    let padded = word.len() < close && !word.contains(' ');
    (padded && Level::parse_loose(word).is_some()).then_some((word, close + 2))
}

/// gunicorn's `2026-12-02 06:51:38 +0000`: a space before the offset.
fn gunicorn_time(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S %z").ok()
}

/// uvicorn's and winston's `level: message` (see [`Builtin::LevelPrefix`]). Only the exact shapes
/// are read: uvicorn's capitalised level padded to column 10, winston's lower-case npm level
/// with one space, so that prose with a colon (`Error: x`, `WARNING: disk`) stays what it was.
fn level_prefix(line: &str, cx: Context) -> Option<Parsed> {
    const UVICORN_COLUMN: usize = 10;
    let colon = line.find(':').filter(|&c| c < UVICORN_COLUMN)?;
    let word = &line[..colon];
    let after = &line[colon + 1..];
    let (level, message, winston) = match word {
        "TRACE" | "DEBUG" | "INFO" | "WARNING" | "ERROR" | "CRITICAL" => {
            let padding = line.get(colon + 1..UVICORN_COLUMN)?;
            let message = &line[UVICORN_COLUMN..];
            if padding.is_empty() || padding.bytes().any(|b| b != b' ') || message.starts_with(' ')
            {
                return None;
            }
            (Level::parse(word)?, message, false)
        }
        "error" | "warn" | "info" | "http" | "verbose" | "debug" | "silly" => {
            let message = after.strip_prefix(' ').filter(|m| !m.starts_with(' '))?;
            let level = match word {
                "http" => Level::Info,
                "silly" => Level::Trace,
                other => Level::parse(other)?,
            };
            (level, message, true)
        }
        _ => return None,
    };
    // Both prefixes are shapes only records have: a line of another shape after one continues
    // it or stands alone (see the parser's anchoring), and a timestamped record before one does
    // not make it a stray line.
    let mut parsed = Parsed {
        level: Some(level),
        message: message.to_owned(),
        anchors: true,
        ..Parsed::default()
    };
    if winston {
        winston_meta(&mut parsed, cx);
    }
    Some(parsed)
}

/// winston's `simple()` prints the record's metadata as JSON after the message (`{"stack":"…"}`
/// with `errors({ stack: true })`): its fields become fields and an error's text goes on the
/// message's own lines, as for a JSON record.
fn winston_meta(parsed: &mut Parsed, cx: Context) {
    if !parsed.message.ends_with('}') {
        return;
    }
    let starts = parsed.message.match_indices(" {").map(|(at, _)| at);
    let Some((at, meta)) = starts
        .filter_map(|at| super::json::parse(&parsed.message[at + 1..], cx).map(|meta| (at, meta)))
        .next()
    else {
        return;
    };
    parsed.message.truncate(at);
    if !meta.message.is_empty() {
        parsed.message.push('\n');
        parsed.message.push_str(&meta.message);
    }
    parsed.fields.extend(meta.fields);
}

/// A process id, bare or bracketed, as the first word of `rest`: (pid, what follows it). Only a
/// level word after it makes it one; the caller checks that.
fn pid_prefix(rest: &str) -> (Option<&str>, &str) {
    let Some((word, after)) = rest.split_once(' ') else {
        return (None, rest);
    };
    let pid = word
        .strip_prefix('[')
        .and_then(|w| w.strip_suffix(']'))
        .unwrap_or(word);
    if pid.is_empty() || pid.len() > 10 || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return (None, rest);
    }
    (Some(pid), after.trim_start())
}

/// oslo.log's `logger [request context] message` after the level (OpenStack services):
/// (logger, context, message). The context is `-` outside a request.
fn oslo_context(message: &str) -> Option<(&str, &str, &str)> {
    let (logger, after) = message.split_once(' ')?;
    let valid = logger.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && logger
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.'));
    let inner = after.strip_prefix('[').filter(|_| valid)?;
    let close = inner.find(']')?;
    Some((logger, &inner[..close], inner[close + 1..].trim_start()))
}

/// `logger: rest` where the logger is one identifier-like token (`worker`, `app.db`, `my_app::db`,
/// `cron[42]`): (logger, rest).
fn logger_prefix(message: &str) -> Option<(&str, &str)> {
    let colon = message.find(':')?;
    let mut logger = &message[..colon];
    let mut after = &message[colon + 1..];
    // `a::b: msg`: the first colon found is inside the path.
    while after.starts_with(':') {
        let next = after[1..].find(':')? + 1;
        logger = &message[..colon + 1 + next];
        after = &after[next + 1..];
    }
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    let name = logger
        .strip_suffix(']')
        .and_then(|l| l.rsplit_once('['))
        .filter(|(_, pid)| !pid.is_empty() && pid.bytes().all(|c| c.is_ascii_digit()))
        .map_or(logger, |(name, _)| name);
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b':'));
    (valid && !names_exception(name)).then(|| (logger, after.trim_start()))
}

/// `TypeError`, `KeyError`, `java.lang.IllegalStateException`: the start of an exception line
/// (`TIME error: TypeError: x`, as a printf format that logs the stack writes it), never a
/// logger, whose name would take the exception's type out of the message.
fn names_exception(name: &str) -> bool {
    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
    last.starts_with(|c: char| c.is_ascii_uppercase())
        && (last.ends_with("Error") || last.ends_with("Exception"))
}

fn go_log(line: &str) -> Option<Parsed> {
    let caps = GO_LOG.captures(line)?;
    let timestamp = time::go_log(&caps["timestamp"]);
    let mut message = rest(&caps, line);
    let mut level = None;
    if let Some((found, rest)) = leading_level(message) {
        level = Some(found);
        message = rest;
    }
    let mut parsed = Parsed {
        timestamp,
        level,
        message: message.to_owned(),
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(&caps, &["file"], &mut parsed.fields);
    if level.is_some() {
        nginx_prefix(&mut parsed);
    }
    Some(parsed)
}

/// nginx's error log shares Go's timestamp and follows its `[level]` with `pid#tid: *connection `:
/// those go to fields, so that the same error from two workers is the same message.
fn nginx_prefix(parsed: &mut Parsed) {
    let message = parsed.message.as_str();
    let Some((ids, after)) = message.split_once(": ") else {
        return;
    };
    let Some((pid, tid)) = ids.split_once('#') else {
        return;
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !numeric(pid) || !numeric(tid) {
        return;
    }
    let (connection, after) = match after.strip_prefix('*').and_then(|a| a.split_once(' ')) {
        Some((id, rest)) if numeric(id) => (Some(id), rest),
        _ => (None, after),
    };
    let mut fields = vec![("pid", pid.to_owned()), ("tid", tid.to_owned())];
    fields.extend(connection.map(|c| ("connection", c.to_owned())));
    parsed.message = after.to_owned();
    for (key, value) in fields {
        parsed.fields.insert(key.to_owned(), value);
    }
}

fn glog(line: &str, cx: Context) -> Option<Parsed> {
    let caps = GLOG.captures(line)?;
    let level = Level::parse(&caps["level"])?;
    // No year: the same inference as syslog's.
    let timestamp = match (
        caps["month"].parse().ok(),
        caps["day"].parse().ok(),
        time::clock(&caps["time"]),
    ) {
        (Some(month), Some(day), Some(t)) => time::without_year(month, day, t, cx.now),
        _ => None,
    };
    let mut parsed = Parsed {
        timestamp,
        level: Some(level),
        message: rest(&caps, line).to_owned(),
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(&caps, &["thread", "file"], &mut parsed.fields);
    Some(parsed)
}

/// logcat's header, by its documented shapes: `threadtime` first (a date, then pid and tid), then
/// `brief`/`time` (`L/tag(pid)`). The bytes around the date are checked before any regex runs, so
/// other lines that start with a digit pay next to nothing.
fn logcat(line: &str, cx: Context) -> Option<Parsed> {
    let b = line.as_bytes();
    let caps = if b.get(1) == Some(&b'/') {
        LOGCAT_BRIEF.captures(line)?
    } else if b.get(2) == Some(&b'-') && b.get(5) == Some(&b' ') {
        LOGCAT_THREADTIME
            .captures(line)
            .or_else(|| LOGCAT_BRIEF.captures(line))?
    } else {
        return None;
    };
    let level = match &caps["level"] {
        // ANDROID_LOG_FATAL prints as `F`, `A` (assert) in some builds.
        "A" => Level::Critical,
        other => Level::parse(other)?,
    };
    let date = caps.name("date");
    let timestamp = date.and_then(|d| time::logcat(d.as_str(), cx.now));
    let mut parsed = Parsed {
        timestamp,
        level: Some(level),
        message: rest(&caps, line).to_owned(),
        anchors: date.is_some(),
        bad_timestamp: date.is_some() && timestamp.is_none(),
        ..Parsed::default()
    };
    fields_from(&caps, &["pid", "tid", "tag"], &mut parsed.fields);
    Some(parsed)
}

/// httpd's error-log time: `Fri Nov 20 10:15:03.123456 2026`.
fn apache_time(s: &str) -> Option<DateTime<FixedOffset>> {
    chrono::NaiveDateTime::parse_from_str(s, "%a %b %e %H:%M:%S%.f %Y")
        .ok()
        .map(|t| t.and_utc().fixed_offset())
}

fn access_log(line: &str) -> Option<Parsed> {
    let caps = ACCESS_LOG.captures(line)?;
    let timestamp = time::clf(&caps["timestamp"]);
    let status: u16 = caps["status"].parse().ok()?;
    let level = match status {
        500..=599 => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    let request = &caps["request"];
    let mut parsed = Parsed {
        timestamp,
        level: Some(level),
        message: format!("{request} {status}"),
        anchors: true,
        bad_timestamp: timestamp.is_none(),
        ..Parsed::default()
    };
    let mut parts = request.splitn(3, ' ');
    if let (Some(method), Some(path)) = (parts.next(), parts.next()) {
        parsed.fields.insert("method".into(), method.to_owned());
        parsed.fields.insert("path".into(), path.to_owned());
    }
    fields_from(
        &caps,
        &["client", "user", "status", "bytes", "referer", "user_agent"],
        &mut parsed.fields,
    );
    Some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::format::test_context as cx;

    /// The cheap test of a probe turns down only lines the format would not read: over every
    /// line of the format fixtures and the Loghub sample, each built-in reads the same probing or
    /// not.
    #[test]
    fn probing_reads_what_a_plain_try_reads() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = vec![root.join("same-output/loghub-sample.log")];
        for entry in std::fs::read_dir(root.join("formats")).unwrap() {
            files.push(entry.unwrap().path());
        }
        let (mut lines, mut read) = (0, 0);
        for file in files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "log"))
        {
            let bytes = std::fs::read(file).unwrap();
            for line in String::from_utf8_lossy(&bytes).lines() {
                lines += 1;
                for b in Builtin::ALL {
                    let plain = b.parse(line, cx());
                    let probing = Context {
                        probing: true,
                        ..cx()
                    };
                    assert_eq!(
                        b.parse(line, probing),
                        plain,
                        "{b:?} on {line:?} of {}",
                        file.display()
                    );
                    read += usize::from(plain.is_some());
                }
            }
        }
        assert!(lines > 2000 && read > 1000, "{lines} lines, {read} read");
    }

    /// The first built-in (in trial order) that reads `line`, and what it read.
    fn detect(line: &str) -> Option<(Builtin, Parsed)> {
        Builtin::ALL
            .iter()
            .find_map(|&b| b.parse(line, cx()).map(|p| (b, p)))
    }

    fn check(
        line: &str,
        format: Builtin,
        ts: Option<&str>,
        level: Option<Level>,
        message: &str,
    ) -> Parsed {
        let (got, parsed) = detect(line).unwrap_or_else(|| panic!("no format reads {line:?}"));
        assert_eq!(got, format, "{line}");
        assert_eq!(
            parsed.timestamp.map(|t| t.to_rfc3339()).as_deref(),
            ts,
            "{line}"
        );
        assert_eq!(parsed.level, level, "{line}");
        assert_eq!(parsed.message, message, "{line}");
        parsed
    }

    #[test]
    fn journalctl_short_iso_and_the_prefix_of_system_loggers() {
        let line = "2026-12-02T01:07:13+0000 vm worker[3416]: KeyError: 'timeout'";
        let p = check(
            line,
            Builtin::JournalIso,
            Some("2026-12-02T01:07:13+00:00"),
            None,
            "KeyError: 'timeout'",
        );
        assert_eq!(p.fields["app"], "worker");
        let prefix = |line| system_line(line, cx()).map(|s| (s.payload, s.origin));
        assert_eq!(prefix(line), Some((42, "worker[3416]")));
        let line = "Dec 02 01:07:13 vm kernel: oom-kill: task=worker";
        assert_eq!(prefix(line), Some((27, "kernel")));
        // A level word where the host would be: an ordinary record, not a logger's prefix.
        assert_eq!(prefix("2026-12-02T01:07:13Z INFO worker[12]: up"), None);
        assert_eq!(prefix("2026-12-02T01:07:13Z worker: up"), None);
    }

    #[test]
    fn java_util_logging_first_and_second_lines() {
        for line in [
            "Dec 02, 2026 1:16:44 AM com.acme.orders.OrderService place",
            "Dec 02, 2026 1:16:44\u{202f}AM com.acme.orders.OrderService place",
        ] {
            let p = check(
                line,
                Builtin::Jul,
                Some("2026-12-02T01:16:44+00:00"),
                None,
                "",
            );
            assert_eq!(p.fields["logger"], "com.acme.orders.OrderService");
        }
        assert_eq!(
            jul_level_line("SEVERE: order 1 failed"),
            Some((Level::Error, "order 1 failed"))
        );
        assert_eq!(jul_level_line("SEVERELY: no"), None);
    }

    #[test]
    fn iso8601_forms() {
        let p = check(
            "2026-11-20T10:15:03.123Z INFO worker: job 17 started",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Info),
            "job 17 started",
        );
        assert_eq!(p.fields["logger"], "worker");
        check(
            "2026-11-20 10:15:03.347 INFO  badges: badge-printer starting, roster=roster.txt",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03.347+00:00"),
            Some(Level::Info),
            "badge-printer starting, roster=roster.txt",
        );
        check(
            "2026-11-20T10:15:04.001+01:00 [ERROR] job 17 failed: connection refused",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:04.001+01:00"),
            Some(Level::Error),
            "job 17 failed: connection refused",
        );
        check(
            "2026-11-20 10:15:03 Starting server on :8080",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03+00:00"),
            None,
            "Starting server on :8080",
        );
        check(
            "2026-11-20 10:15:03 | WARNING | disk 91% full",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Warn),
            "disk 91% full",
        );
        assert!(detect("2026-11-20T10:15:03Zoops").is_none());
    }

    #[test]
    fn loggers() {
        assert_eq!(logger_prefix("worker: job"), Some(("worker", "job")));
        assert_eq!(
            logger_prefix("my_app::db: query failed: x"),
            Some(("my_app::db", "query failed: x"))
        );
        assert_eq!(logger_prefix("cron[42]: ran"), Some(("cron[42]", "ran")));
        assert_eq!(logger_prefix("job 17 failed: x"), None);
        assert_eq!(logger_prefix("http://x: y"), None);
        assert_eq!(logger_prefix("a:b"), None);
    }

    #[test]
    fn python_forms() {
        let p = check(
            "2026-11-20 10:15:03,123 - app.db - ERROR - query failed",
            Builtin::PythonDash,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Error),
            "query failed",
        );
        assert_eq!(p.fields["logger"], "app.db");
        check(
            "2026-11-20 10:15:03,123 - WARNING - low memory",
            Builtin::PythonDash,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Warn),
            "low memory",
        );
        check(
            "2026-11-20 10:15:03,123:CRITICAL:app:gone",
            Builtin::PythonColon,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Critical),
            "gone",
        );
        let p = check(
            "2026-11-20 10:15:03,123 ERROR app.worker: job failed",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Error),
            "job failed",
        );
        assert_eq!(p.fields["logger"], "app.worker");
        let p = check(
            "ERROR:root:something broke: x=1",
            Builtin::PythonDefault,
            None,
            Some(Level::Error),
            "something broke: x=1",
        );
        assert_eq!(p.fields["logger"], "root");
        assert!(!p.anchors);
        assert!(detect("Error: not python").is_none());
    }

    #[test]
    fn syslog_forms() {
        let p = check(
            "<34>Oct 11 22:14:15 mymachine su[230]: 'su root' failed for lonvick on /dev/pts/8",
            Builtin::Syslog3164,
            Some("2026-10-11T22:14:15+00:00"),
            Some(Level::Critical),
            "'su root' failed for lonvick on /dev/pts/8",
        );
        assert_eq!(p.fields["host"], "mymachine");
        assert_eq!(p.fields["app"], "su");
        assert_eq!(p.fields["pid"], "230");
        check(
            "Nov  3 04:05:06 web1 cron: ERROR job exploded",
            Builtin::Syslog3164,
            Some("2026-11-03T04:05:06+00:00"),
            Some(Level::Error),
            "job exploded",
        );
        check(
            "Nov  3 04:05:06 web1 systemd[1]: Started Session 4.",
            Builtin::Syslog3164,
            Some("2026-11-03T04:05:06+00:00"),
            None,
            "Started Session 4.",
        );
        let p = check(
            r#"<165>1 2026-11-20T10:15:03.123Z host.example.com evntslog 42 ID47 [exampleSDID@32473 iut="3" eventSource="App"] An application event"#,
            Builtin::Syslog5424,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Notice),
            "An application event",
        );
        assert_eq!(p.fields["app"], "evntslog");
        assert_eq!(p.fields["msgid"], "ID47");
        check(
            "<11>1 - - app - - - disk failure",
            Builtin::Syslog5424,
            None,
            Some(Level::Error),
            "disk failure",
        );
    }

    #[test]
    fn rust_forms() {
        let p = check(
            "[2026-11-20T10:15:03Z ERROR my_app] failed to open config",
            Builtin::EnvLogger,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Error),
            "failed to open config",
        );
        assert_eq!(p.fields["target"], "my_app");
        check(
            "[WARN  my_app::net] retrying",
            Builtin::EnvLogger,
            None,
            Some(Level::Warn),
            "retrying",
        );
        let p = check(
            "2026-11-20T10:15:03.123456Z ERROR my_app::db: query failed key=value",
            Builtin::Tracing,
            Some("2026-11-20T10:15:03.123456+00:00"),
            Some(Level::Error),
            "query failed key=value",
        );
        assert_eq!(p.fields["target"], "my_app::db");
        let p = check(
            "2026-11-20T10:15:03.123456Z  INFO request{method=GET path=/a b}: my_app::api: served",
            Builtin::Tracing,
            Some("2026-11-20T10:15:03.123456+00:00"),
            Some(Level::Info),
            "served",
        );
        assert_eq!(p.fields["spans"], "request{method=GET path=/a b}");
    }

    #[test]
    fn java_forms() {
        let p = check(
            "10:15:03.123 [main] ERROR com.example.App - boom",
            Builtin::Log4j,
            Some("2026-11-24T10:15:03.123+00:00"),
            Some(Level::Error),
            "boom",
        );
        assert_eq!(p.fields["thread"], "main");
        assert_eq!(p.fields["logger"], "com.example.App");
        check(
            "2026-11-20 10:15:03,123 [pool-1-thread-2] WARN  c.e.Cache - evicting",
            Builtin::Log4j,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Warn),
            "evicting",
        );
        let p = check(
            "2026-11-20T10:15:03.123+01:00 ERROR 4242 --- [shop] [nio-8080-exec-1] c.e.OrderService    : order failed",
            Builtin::Spring,
            Some("2026-11-20T10:15:03.123+01:00"),
            Some(Level::Error),
            "order failed",
        );
        assert_eq!(p.fields["thread"], "nio-8080-exec-1");
        check(
            "2026-11-20 10:15:03.123  INFO 4242 --- [           main] o.s.b.StartupInfoLogger      : Started",
            Builtin::Spring,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Info),
            "Started",
        );
    }

    #[test]
    fn go_log_form() {
        check(
            "2026/11/20 10:15:03 listening on :8080",
            Builtin::GoLog,
            Some("2026-11-20T10:15:03+00:00"),
            None,
            "listening on :8080",
        );
        let p = check(
            "2026/11/20 10:15:03.123456 main.go:42: ERROR db unreachable",
            Builtin::GoLog,
            Some("2026-11-20T10:15:03.123456+00:00"),
            Some(Level::Error),
            "db unreachable",
        );
        assert_eq!(p.fields["file"], "main.go:42");
    }

    #[test]
    fn access_log_status_sets_level() {
        let line = |status: u16| {
            format!(
                r#"203.0.113.9 - frank [20/Nov/2026:10:15:03 +0000] "GET /api/orders/17 HTTP/1.1" {status} 512 "-" "curl/8.5.0""#
            )
        };
        let p = check(
            &line(502),
            Builtin::AccessLog,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Error),
            "GET /api/orders/17 HTTP/1.1 502",
        );
        assert_eq!(p.fields["path"], "/api/orders/17");
        assert_eq!(p.fields["user_agent"], "curl/8.5.0");
        assert_eq!(detect(&line(404)).unwrap().1.level, Some(Level::Warn));
        assert_eq!(detect(&line(200)).unwrap().1.level, Some(Level::Info));
        // Common log format: no referer, no agent.
        check(
            r#"::1 - - [20/Nov/2026:10:15:03 -0700] "POST /login HTTP/1.0" 401 -"#,
            Builtin::AccessLog,
            Some("2026-11-20T10:15:03-07:00"),
            Some(Level::Warn),
            "POST /login HTTP/1.0 401",
        );
    }

    #[test]
    fn web_server_error_logs() {
        let p = check(
            "[Fri Nov 20 10:15:03.123456 2026] [proxy:error] [pid 4242:tid 140] [client 198.51.100.4:51234] AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed",
            Builtin::ApacheError,
            Some("2026-11-20T10:15:03.123456+00:00"),
            Some(Level::Error),
            "AH00957: HTTP: attempt to connect to 127.0.0.1:8080 (127.0.0.1) failed",
        );
        assert_eq!(p.fields["module"], "proxy");
        assert_eq!(p.fields["client"], "198.51.100.4:51234");
        check(
            "[Fri Nov 20 10:15:03 2026] [notice] Apache/2.4.62 configured -- resuming normal operations",
            Builtin::ApacheError,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Notice),
            "Apache/2.4.62 configured -- resuming normal operations",
        );
        check(
            "[Fri Nov 20 10:15:03.5 2026] [core:trace3] [pid 1] request.c(1): x",
            Builtin::ApacheError,
            Some("2026-11-20T10:15:03.500+00:00"),
            Some(Level::Trace),
            "request.c(1): x",
        );
        // nginx's error log has Go's log timestamp and a bracketed level.
        check(
            "2026/11/20 10:15:03 [error] 4242#0: *17 connect() failed (111: Connection refused) while connecting to upstream",
            Builtin::GoLog,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Error),
            "connect() failed (111: Connection refused) while connecting to upstream",
        );
        check(
            "2026/11/20 10:15:03 [crit] 4242#0: *1 open() failed",
            Builtin::GoLog,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Critical),
            "open() failed",
        );
        let p = check(
            "2026/11/20 10:15:01 [notice] 1#1: start worker processes",
            Builtin::GoLog,
            Some("2026-11-20T10:15:01+00:00"),
            Some(Level::Notice),
            "start worker processes",
        );
        assert_eq!(p.fields["pid"], "1");
        assert!(!p.fields.contains_key("connection"));
    }

    #[test]
    fn glog_form() {
        let p = check(
            "E1120 10:15:03.123456    42 server.go:87] sync failed: timeout",
            Builtin::Glog,
            Some("2026-11-20T10:15:03.123456+00:00"),
            Some(Level::Error),
            "sync failed: timeout",
        );
        assert_eq!(p.fields["file"], "server.go:87");
        check(
            "F1120 10:15:03.000001 1 main.go:1] fatal",
            Builtin::Glog,
            Some("2026-11-20T10:15:03.000001+00:00"),
            Some(Level::Critical),
            "fatal",
        );
        assert!(detect("E1320 10:15:03.123456 1 a.go:1] bad month")
            .is_none_or(|(_, p)| p.timestamp.is_none()));
    }

    #[test]
    fn android_logcat_forms() {
        let p = check(
            "11-20 10:15:03.123  4242  4251 E OrdersDb: order 17 failed: connection refused",
            Builtin::Logcat,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Error),
            "order 17 failed: connection refused",
        );
        assert_eq!(p.fields["tag"], "OrdersDb");
        assert_eq!(p.fields["pid"], "4242");
        assert_eq!(p.fields["tid"], "4251");
        assert!(p.anchors);
        // Tags shorter than eight characters are padded before the colon.
        let p = check(
            "11-20 10:15:03.123  1702  8671 V chatty  : uid=1000 expire 3 lines",
            Builtin::Logcat,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Trace),
            "uid=1000 expire 3 lines",
        );
        assert_eq!(p.fields["tag"], "chatty");
        check(
            "12-31 23:59:59.999     1     1 F libc    : Fatal signal 6 (SIGABRT)",
            Builtin::Logcat,
            Some("2025-12-31T23:59:59.999+00:00"),
            Some(Level::Critical),
            "Fatal signal 6 (SIGABRT)",
        );
        let p = check(
            "W/ActivityManager(  612): Launch timeout has expired",
            Builtin::Logcat,
            None,
            Some(Level::Warn),
            "Launch timeout has expired",
        );
        assert_eq!(p.fields["tag"], "ActivityManager");
        assert!(!p.anchors);
        check(
            "11-20 10:15:03.123 I/chatty  ( 4242): service starting",
            Builtin::Logcat,
            Some("2026-11-20T10:15:03.123+00:00"),
            Some(Level::Info),
            "service starting",
        );
        assert!(detect("E/ not a tag").is_none());
        assert!(detect("11-20 10:15:03.123 something else").is_none());
    }

    #[test]
    fn log4j_two_digit_years() {
        let p = check(
            "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers",
            Builtin::Log4jShortYear,
            Some("2017-06-09T20:10:40+00:00"),
            Some(Level::Info),
            "Registered signal handlers",
        );
        assert_eq!(p.fields["logger"], "executor.CoarseGrainedExecutorBackend");
        let p = check(
            "081109 203615 148 WARN dfs.DataNode$PacketResponder: PacketResponder 1 terminating",
            Builtin::Log4jShortYear,
            Some("2008-11-09T20:36:15+00:00"),
            Some(Level::Warn),
            "PacketResponder 1 terminating",
        );
        assert_eq!(p.fields["thread"], "148");
        assert_eq!(p.fields["logger"], "dfs.DataNode$PacketResponder");
        // Go's log has a four-digit year and keeps its lines.
        check(
            "2026/11/20 10:15:03 ERROR x: y",
            Builtin::GoLog,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Error),
            "x: y",
        );
    }

    #[test]
    fn a_process_id_may_stand_before_the_level() {
        let p = check(
            "2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096 113d3a99 54fadb41 - - -] 10.11.10.1 \"GET /v2 HTTP/1.1\" status: 200",
            Builtin::Iso8601,
            Some("2017-05-16T00:00:00.008+00:00"),
            Some(Level::Info),
            "10.11.10.1 \"GET /v2 HTTP/1.1\" status: 200",
        );
        assert_eq!(p.fields["pid"], "25746");
        assert_eq!(p.fields["logger"], "nova.osapi_compute.wsgi.server");
        assert_eq!(
            p.fields["context"],
            "req-38101a0b-2096 113d3a99 54fadb41 - - -"
        );
        let p = check(
            "2026-11-20 10:15:07.000 4242 CRITICAL orders.service [-] giving up",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:07+00:00"),
            Some(Level::Critical),
            "giving up",
        );
        assert!(!p.fields.contains_key("context"));
        let p = check(
            "2026-11-20 10:15:04.000 UTC [4251] ERROR:  relation \"orders\" does not exist",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:04+00:00"),
            Some(Level::Error),
            "relation \"orders\" does not exist",
        );
        assert_eq!(p.fields["pid"], "4251");
        check(
            "2026-11-20 10:15:01.000 UTC [4242] LOG:  database system is ready",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:01+00:00"),
            Some(Level::Info),
            "database system is ready",
        );
        // A number that is not followed by a level stays in the message.
        check(
            "2026-11-20 10:15:03 42 requests served",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03+00:00"),
            None,
            "42 requests served",
        );
    }

    #[test]
    fn iso8601_headers_before_the_level() {
        let p = check(
            "2026-11-20 10:15:03.000 node-7 [worker-2] ERROR orders.db: order 17 failed",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03+00:00"),
            Some(Level::Error),
            "order 17 failed",
        );
        assert_eq!(p.fields["header"], "node-7 [worker-2]");
        assert_eq!(p.fields["logger"], "orders.db");
        // Windows servicing logs (CBS, DISM): a comma after the time, the level in any case.
        check(
            "2016-09-28 04:30:31, Error                 CSI    Failed to open store",
            Builtin::Iso8601,
            Some("2016-09-28T04:30:31+00:00"),
            Some(Level::Error),
            "CSI    Failed to open store",
        );
        // Prose before a capital word: not a header.
        check(
            "2026-11-20 10:15:03 retry gave ERROR 111",
            Builtin::Iso8601,
            Some("2026-11-20T10:15:03+00:00"),
            None,
            "retry gave ERROR 111",
        );
    }

    #[test]
    fn an_exception_line_after_the_level_is_not_a_logger() {
        // Real output of winston 3.19 with printf(`${timestamp} ${level}: ${stack || message}`).
        let p = check(
            "2026-12-02T07:03:55.070Z error: TypeError: Cannot read properties of undefined (reading 'reduce')",
            Builtin::Iso8601,
            Some("2026-12-02T07:03:55.070+00:00"),
            Some(Level::Error),
            "TypeError: Cannot read properties of undefined (reading 'reduce')",
        );
        assert!(!p.fields.contains_key("logger"));
        let p = check(
            "2026-12-02 07:01:09,575 ERROR java.lang.IllegalStateException: closed",
            Builtin::Iso8601,
            Some("2026-12-02T07:01:09.575+00:00"),
            Some(Level::Error),
            "java.lang.IllegalStateException: closed",
        );
        assert!(!p.fields.contains_key("logger"));
        // A logger is still a logger.
        let p = check(
            "2026-12-02T07:03:55Z ERROR app.errors: 3 failed",
            Builtin::Iso8601,
            Some("2026-12-02T07:03:55+00:00"),
            Some(Level::Error),
            "3 failed",
        );
        assert_eq!(p.fields["logger"], "app.errors");
    }

    #[test]
    fn gunicorn_error_log() {
        // Real output of gunicorn 27.0.1.
        let p = check(
            "[2026-12-02 06:51:38 +0000] [15838] [ERROR] Error handling request GET /labels",
            Builtin::Gunicorn,
            Some("2026-12-02T06:51:38+00:00"),
            Some(Level::Error),
            "Error handling request GET /labels",
        );
        assert_eq!(p.fields["pid"], "15838");
        assert!(p.anchors);
        check(
            "[2026-12-02 06:51:38 +0200] [15824] [INFO] Listening at: http://127.0.0.1:8732 (15824)",
            Builtin::Gunicorn,
            Some("2026-12-02T06:51:38+02:00"),
            Some(Level::Info),
            "Listening at: http://127.0.0.1:8732 (15824)",
        );
    }

    #[test]
    fn uvicorn_and_winston_level_prefixes() {
        // Real output of uvicorn 0.54 and of winston 3.19's simple() with errors({ stack: true }).
        let p = check(
            "INFO:     127.0.0.1:39946 - \"GET /health HTTP/1.1\" 200 OK",
            Builtin::LevelPrefix,
            None,
            Some(Level::Info),
            "127.0.0.1:39946 - \"GET /health HTTP/1.1\" 200 OK",
        );
        assert!(p.anchors);
        check(
            "ERROR:    Exception in ASGI application",
            Builtin::LevelPrefix,
            None,
            Some(Level::Error),
            "Exception in ASGI application",
        );
        check(
            "WARNING:  Invalid HTTP request received.",
            Builtin::LevelPrefix,
            None,
            Some(Level::Warn),
            "Invalid HTTP request received.",
        );
        let p = check(
            r#"error: reminder run failed Cannot read properties of undefined (reading 'email') {"stack":"TypeError: Cannot read properties of undefined (reading 'email')\n    at reminderLines (/srv/src/reminders.js:6:41)","service":"dunning"}"#,
            Builtin::LevelPrefix,
            None,
            Some(Level::Error),
            "reminder run failed Cannot read properties of undefined (reading 'email')\nTypeError: Cannot read properties of undefined (reading 'email')\n    at reminderLines (/srv/src/reminders.js:6:41)",
        );
        assert_eq!(p.fields["service"], "dunning");
        assert!(p.anchors);
        check(
            "info: 3 overdue invoices {not json}",
            Builtin::LevelPrefix,
            None,
            Some(Level::Info),
            "3 overdue invoices {not json}",
        );
        // java.util.logging's second line, prose and Python's default format are not these.
        for line in [
            "INFO: service starting on port 8080",
            "WARNING: slow query took 1250ms",
            "Error: ENOENT",
            "error:  two spaces",
            "ERROR:root:failed",
        ] {
            assert!(Builtin::LevelPrefix.parse(line, cx()).is_none(), "{line}");
        }
    }

    #[test]
    fn structlog_console_renderer() {
        // Real output of structlog 26.1's ConsoleRenderer(colors=False).
        let p = check(
            "2026-12-02T06:54:28.269750Z [info     ] reading meter export           lines=5 path=data/export.csv",
            Builtin::Iso8601,
            Some("2026-12-02T06:54:28.269750+00:00"),
            Some(Level::Info),
            "reading meter export           lines=5 path=data/export.csv",
        );
        assert!(p.fields.is_empty());
        check(
            "2026-12-02T06:54:28.275561Z [error    ] meter import failed            path=data/export.csv",
            Builtin::Iso8601,
            Some("2026-12-02T06:54:28.275561+00:00"),
            Some(Level::Error),
            "meter import failed            path=data/export.csv",
        );
        check(
            "2026-12-02T06:54:28.275561Z [critical ] out of disk",
            Builtin::Iso8601,
            Some("2026-12-02T06:54:28.275561+00:00"),
            Some(Level::Critical),
            "out of disk",
        );
        // Brackets that hold prose are not a level.
        check(
            "2026-12-02T06:54:28Z [error budget] spent",
            Builtin::Iso8601,
            Some("2026-12-02T06:54:28+00:00"),
            None,
            "[error budget] spent",
        );
    }

    #[test]
    fn garbage_is_declined_without_panic() {
        for line in [
            "",
            "  indented",
            "Traceback (most recent call last):",
            "KeyError: 'timeout'",
            "\u{0}\u{1}\u{fffd}",
            "2026-",
            "<999>1 x",
            "[",
            "9999-99-99T99:99:99Z ERROR x",
            "goroutine 1 [running]:",
            "main.main()",
            "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        ] {
            let got = detect(line);
            assert!(
                got.as_ref().is_none_or(|(_, p)| p.timestamp.is_none()),
                "{line:?} read as {got:?}"
            );
        }
    }
}
