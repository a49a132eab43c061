//! Parsing: every built-in format, user formats, multi-line traces from real runtimes, level
//! ordering, and input that is not what it should be.

use serde_json::Value;

use crate::harness::{fixture, json, run, stdout, Env};

/// `analyze --format json FILE` with `extra` flags, expecting exit `code`.
fn analyze(env: &Env, file: &std::path::Path, extra: &[&str], code: i32) -> Value {
    json(&run(
        env.cmd(["analyze", "--format", "json"])
            .args(extra)
            .arg(file),
        code,
    ))
}

/// The pattern whose template contains `needle` (exactly one must).
fn pattern<'a>(report: &'a Value, needle: &str) -> &'a Value {
    let found: Vec<&Value> = report["patterns"]
        .as_array()
        .expect("patterns array")
        .iter()
        .filter(|p| p["template"].as_str().unwrap_or("").contains(needle))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one pattern containing {needle:?} in {report:#}"
    );
    found[0]
}

/// No pattern's template contains `needle`.
fn assert_no_pattern(report: &Value, needle: &str) {
    let templates: Vec<&str> = report["patterns"]
        .as_array()
        .expect("patterns array")
        .iter()
        .filter_map(|p| p["template"].as_str())
        .collect();
    assert!(
        templates.iter().all(|t| !t.contains(needle)),
        "no pattern should contain {needle:?}: {templates:#?}"
    );
}

/// The 1-based line numbers at which entries start, from `patterns --per-line`.
fn entry_starts(env: &Env, file: &std::path::Path) -> Vec<u64> {
    let out = run(
        env.cmd(["patterns", "--per-line", "--format", "json"])
            .arg(file),
        0,
    );
    // In line order: an entry of one writer may wait while another writes (see `Parser`).
    let mut starts: Vec<u64> = stdout(&out)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("one JSON object per line");
            v["line"].as_u64().expect("line number")
        })
        .collect();
    starts.sort_unstable();
    starts
}

/// The entries `watch --emit-entries` prints for `text` on its stdin (nothing trips).
fn watched_entries(env: &Env, text: &str) -> Vec<Value> {
    let out = run(
        env.cmd([
            "watch",
            "--format",
            "json",
            "--emit-entries",
            "--threshold-count",
            "99",
        ])
        .write_stdin(text.to_owned()),
        0,
    );
    stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["type"] == "entry")
        .collect()
}

/// The 1-based numbers of the lines of `file` that `wanted` picks.
fn lines_where(file: &std::path::Path, wanted: impl Fn(&str) -> bool) -> Vec<u64> {
    let text = std::fs::read_to_string(file).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| wanted(l))
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

/// What every format fixture holding the seven standard events must yield.
struct Expect {
    file: &'static str,
    /// `first_seen` of the failed-order pattern (`None`: the format has no timestamps).
    first_error: Option<&'static str>,
    /// Level of "service starting" (`None`: the format has no level there).
    starting: Option<&'static str>,
    /// Level of "giving up" (formats without a critical level say error).
    giving_up: &'static str,
}

#[test]
fn every_builtin_format_reads_the_standard_events() {
    let cases = [
        Expect {
            file: "iso8601.log",
            first_error: Some("2026-11-20T10:15:04.001Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "python-default.log",
            first_error: None,
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "python-dash.log",
            first_error: Some("2026-11-24T07:40:42.460Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "python-colon.log",
            first_error: Some("2026-11-24T07:40:42.564Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "python-space.log",
            first_error: Some("2026-11-24T07:40:42.732Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "syslog-rfc3164.log",
            // No year in the line: the current one (the test would need a change in a year
            // where 20 Nov is still ahead, which the parser then dates to the year before).
            first_error: None,
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "syslog-rfc5424.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "json.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "logfmt.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "slog.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "env_logger.log",
            first_error: Some("2026-11-24T07:58:41Z"),
            starting: Some("info"),
            giving_up: "error",
        },
        Expect {
            file: "tracing.log",
            first_error: Some("2026-11-24T07:58:41.767850Z"),
            starting: Some("info"),
            giving_up: "error",
        },
        Expect {
            file: "tracing-ansi.log",
            first_error: Some("2026-11-24T07:58:41.772158Z"),
            starting: Some("info"),
            giving_up: "error",
        },
        Expect {
            file: "log4j.log",
            // Time of day only: the date is today's (or yesterday's), so only the time is checked.
            first_error: None,
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "logback.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "error",
        },
        Expect {
            file: "spring-boot.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "error",
        },
        Expect {
            file: "go-log.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: None,
            giving_up: "critical",
        },
        Expect {
            file: "android-logcat.log",
            // No year in the line, as syslog's.
            first_error: None,
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "android-logcat-brief.log",
            first_error: None,
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "log4j-spark.log",
            first_error: Some("2026-11-24T10:47:36Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "hadoop-compact.log",
            first_error: Some("2026-11-24T10:47:38Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "oslo-log.log",
            first_error: Some("2026-11-24T10:47:07.342Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
        Expect {
            file: "postgres.log",
            first_error: Some("2026-11-20T10:15:04Z"),
            starting: Some("info"),
            giving_up: "critical",
        },
    ];
    let env = Env::new();
    for case in cases {
        let path = fixture(&format!("formats/{}", case.file));
        // Three failed orders within seconds trip the default threshold (3 errors in 5m) when
        // they are the same error. In json.log each carries a trace from a different runtime
        // (pino `err.stack`, logstash `error.stack_trace`, structlog `exc_info`), and in
        // logback.log only the first has a trace: errors are fingerprinted by their trace when
        // they have one, so those are different errors and nothing trips.
        let code = if ["json.log", "logback.log"].contains(&case.file) {
            0
        } else {
            1
        };
        let report = analyze(&env, &path, &[], code);
        let file = case.file;
        assert_eq!(report["summary"]["entries"], 7, "{file}: {report:#}");
        assert_eq!(report["summary"]["unparsed"], 0, "{file}: {report:#}");
        let orders = pattern(&report, "failed: connection refused");
        assert_eq!(orders["count"], 3, "{file}: {report:#}");
        assert_eq!(orders["level"], "error", "{file}: {report:#}");
        match case.first_error {
            Some(t) => assert_eq!(orders["first_seen"], t, "{file}"),
            None if ["python-default.log", "android-logcat-brief.log"].contains(&file) => {
                assert!(orders["first_seen"].is_null(), "{file}")
            }
            None => assert!(orders["first_seen"].is_string(), "{file}"),
        }
        assert_eq!(pattern(&report, "slow query")["level"], "warn", "{file}");
        assert_eq!(pattern(&report, "pool size")["level"], "debug", "{file}");
        assert_eq!(
            pattern(&report, "service starting")["level"],
            case.starting.map_or(Value::Null, Value::from),
            "{file}"
        );
        assert_eq!(
            pattern(&report, "giving up")["level"],
            case.giving_up,
            "{file}"
        );
        // The logger, level and timestamp are not part of the message.
        assert!(
            pattern(&report, "service starting")["template"]
                .as_str()
                .unwrap()
                .starts_with("service starting"),
            "{file}: {report:#}"
        );
    }
}

#[test]
fn syslog_without_year_and_time_only_logs_get_plausible_dates() {
    let env = Env::new();
    let report = analyze(&env, &fixture("formats/syslog-rfc3164.log"), &[], 1);
    let first = pattern(&report, "failed: connection refused")["first_seen"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.ends_with("-11-20T10:15:04Z"), "{first}");
    let report = analyze(&env, &fixture("formats/android-logcat.log"), &[], 1);
    let first = pattern(&report, "failed: connection refused")["first_seen"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.ends_with("-11-20T10:15:04Z"), "{first}");
    let report = analyze(&env, &fixture("formats/log4j.log"), &[], 1);
    let first = pattern(&report, "failed: connection refused")["first_seen"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.ends_with("T10:15:04Z"), "{first}");
}

#[test]
fn access_logs_take_their_level_from_the_status() {
    let env = Env::new();
    let report = analyze(&env, &fixture("formats/nginx-access.log"), &[], 1);
    assert_eq!(report["summary"]["entries"], 7);
    assert_eq!(report["summary"]["unparsed"], 0);
    let incident = &report["incidents"][0];
    assert_eq!(incident["sample"], "POST /api/orders HTTP/1.1 502");
    assert_eq!(incident["first"], "2026-11-20T10:15:04Z");
    assert_eq!(incident["count"], 3);
    // Every entry's level, in file order: 2xx info, 4xx warn, 5xx error.
    let levels = |file: &str| -> Vec<String> {
        let input = std::fs::read(fixture(file)).unwrap();
        let out = run(
            env.cmd([
                "watch",
                "--format",
                "json",
                "--emit-entries",
                "--threshold-count",
                "99",
            ])
            .write_stdin(input),
            0,
        );
        stdout(&out)
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["type"] == "entry")
            .map(|v| v["level"].as_str().unwrap_or("none").to_owned())
            .collect()
    };
    assert_eq!(
        levels("formats/nginx-access.log"),
        ["info", "info", "warn", "error", "error", "error", "warn"]
    );
    assert_eq!(
        levels("formats/apache-common.log"),
        ["info", "error", "error", "error"]
    );

    let report = analyze(&env, &fixture("formats/apache-common.log"), &[], 1);
    assert_eq!(report["summary"]["entries"], 4);
    assert_eq!(report["incidents"][0]["first"], "2026-11-20T10:15:04-07:00");
}

#[test]
fn web_server_error_logs() {
    let env = Env::new();
    for (file, needle, first) in [
        (
            "nginx-error.log",
            "connect() failed",
            "2026-11-20T10:15:04Z",
        ),
        (
            "apache-error.log",
            "attempt to connect",
            "2026-11-20T10:15:04.000123Z",
        ),
    ] {
        let report = analyze(&env, &fixture(&format!("formats/{file}")), &[], 1);
        assert_eq!(report["summary"]["entries"], 6, "{file}: {report:#}");
        assert_eq!(report["summary"]["unparsed"], 0, "{file}: {report:#}");
        let failing = pattern(&report, needle);
        assert_eq!(failing["level"], "error", "{file}: {report:#}");
        assert_eq!(failing["count"], 3, "{file}: {report:#}");
        assert_eq!(failing["first_seen"], first, "{file}");
        assert_eq!(report["incidents"][0]["count"], 3, "{file}: {report:#}");
        let levels: Vec<&str> = report["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p["level"].as_str())
            .collect();
        for level in ["notice", "warn", "error", "critical"] {
            assert!(levels.contains(&level), "{file}: {level} in {report:#}");
        }
    }
}

#[test]
fn glog_headers_give_level_time_and_file() {
    let env = Env::new();
    let path = fixture("formats/glog.log");
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["entries"], 6, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    let orders = pattern(&report, "failed: connection refused");
    assert_eq!(orders["level"], "error");
    assert_eq!(orders["count"], 3);
    let first = orders["first_seen"].as_str().unwrap();
    assert!(first.ends_with("-11-20T10:15:04.000001Z"), "{first}");
    assert_eq!(pattern(&report, "slow query")["level"], "warn");
    assert_eq!(pattern(&report, "giving up")["level"], "critical");
    // The stack dump after the fatal line belongs to it.
    assert_eq!(entry_starts(&env, &path), [1, 2, 3, 4, 5, 6]);
}

/// The format that read each entry (`-` for none) and its level, in file order, from `watch
/// --emit-entries`.
fn entry_formats_and_levels(env: &Env, file: &str) -> Vec<(String, String)> {
    let input = std::fs::read(fixture(file)).unwrap();
    let out = run(
        env.cmd([
            "watch",
            "--format",
            "json",
            "--emit-entries",
            "--threshold-count",
            "99",
        ])
        .write_stdin(input),
        0,
    );
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["type"] == "entry")
        .map(|v| {
            (
                v["format"].as_str().unwrap_or("-").to_owned(),
                v["level"].as_str().unwrap_or("none").to_owned(),
            )
        })
        .collect()
}

#[test]
fn new_formats_are_read_by_their_own_reader() {
    let env = Env::new();
    for (file, format) in [
        ("android-logcat.log", "android-logcat"),
        ("android-logcat-brief.log", "android-logcat"),
        ("log4j-spark.log", "log4j-short-year"),
        ("hadoop-compact.log", "log4j-short-year"),
        ("oslo-log.log", "iso8601"),
        ("postgres.log", "iso8601"),
    ] {
        let got = entry_formats_and_levels(&env, &format!("formats/{file}"));
        let levels: Vec<&str> = got.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(
            levels,
            ["info", "debug", "warn", "error", "error", "error", "critical"],
            "{file}"
        );
        assert!(got.iter().all(|(f, _)| f == format), "{file}: {got:?}");
    }
}

#[test]
fn unread_lines_take_a_level_word_from_their_header() {
    let env = Env::new();
    let path = fixture("formats/level-words.log");
    let report = analyze(&env, &path, &[], 1);
    // No format reads these lines: they stay unparsed, and the summary says how many of them
    // still got a level.
    assert_eq!(report["summary"]["entries"], 11, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 11, "{report:#}");
    assert_eq!(report["summary"]["unparsed_with_level"], 7, "{report:#}");
    assert_eq!(report["summary"]["incidents"], 1, "{report:#}");
    let incident = &report["incidents"][0];
    assert_eq!(incident["count"], 3, "{report:#}");
    assert_eq!(incident["first"], "2026-11-20T10:15:04Z", "{report:#}");
    assert_eq!(incident["sample"], "order 19 failed: connection refused");
    // Lines that only mention an error, or say ERROR after prose, get no level.
    let levels: Vec<String> = entry_formats_and_levels(&env, "formats/level-words.log")
        .into_iter()
        .map(|(format, level)| {
            assert_eq!(format, "-");
            level
        })
        .collect();
    assert_eq!(
        levels,
        [
            "none", "info", "debug", "warn", "none", "error", "error", "none", "error", "none",
            "critical"
        ]
    );
    // The header and the level word are not part of the message.
    assert!(pattern(&report, "service starting")["template"]
        .as_str()
        .unwrap()
        .starts_with("service starting"));
    assert_eq!(
        pattern(&report, "giving up")["first_seen"],
        "2026-11-20T10:15:07Z"
    );
    let out = run(env.cmd(["analyze"]).arg(&path), 1);
    let text = stdout(&out);
    assert!(text.contains("11 unparsed (7 with a level word)"), "{text}");
}

#[test]
fn threshold_level_counts_that_level_and_above() {
    let env = Env::new();
    let file = fixture("formats/levels.log");
    // error: ERR + CRIT = 2 < 3.
    analyze(&env, &file, &[], 0);
    // warn: W + ERR + CRIT = 3.
    let report = analyze(&env, &file, &["--threshold-level", "warn"], 1);
    assert_eq!(report["incidents"][0]["count"], 3, "{report:#}");
    // notice: + NOTICE = 4, still one incident.
    let report = analyze(
        &env,
        &file,
        &["--threshold-level", "notice", "--threshold-count", "4"],
        1,
    );
    assert_eq!(report["incidents"][0]["count"], 4, "{report:#}");
    // critical alone: 1.
    analyze(
        &env,
        &file,
        &["--threshold-level", "critical", "--threshold-count", "2"],
        0,
    );
    // The pattern reports the most severe level it saw.
    let report = analyze(&env, &file, &[], 0);
    assert_eq!(pattern(&report, "disk usage")["level"], "critical");
}

#[test]
fn lines_before_the_first_record_are_counted_unparsed() {
    let env = Env::new();
    let report = analyze(&env, &fixture("formats/unparsed.log"), &[], 0);
    assert_eq!(report["summary"]["lines"], 4);
    assert_eq!(report["summary"]["entries"], 4);
    assert_eq!(report["summary"]["unparsed"], 2);
    assert_eq!(
        entry_starts(&env, &fixture("formats/unparsed.log")),
        [1, 2, 3, 4]
    );
}

#[test]
fn user_format_with_its_own_timestamp_format() {
    let env = Env::new();
    let file = fixture("formats/custom.log");
    // No built-in reads these lines.
    let report = analyze(&env, &file, &[], 0);
    assert_eq!(report["summary"]["unparsed"], 4, "{report:#}");

    env.write(
        "hephaestus.yaml",
        r#"formats:
  - name: billing
    regex: '^(?P<timestamp>\S+ \S+) <(?P<level>\w)> \{(?P<component>\w+)\} (?P<message>.*)$'
    timestamp_format: '%d.%m.%Y %H:%M:%S'
"#,
    );
    let report = analyze(&env, &file, &[], 1);
    assert_eq!(report["summary"]["unparsed"], 0, "{report:#}");
    assert_eq!(report["summary"]["entries"], 4);
    let declined = pattern(&report, "declined");
    assert_eq!(declined["level"], "error");
    assert_eq!(declined["count"], 3);
    assert_eq!(declined["first_seen"], "2026-11-20T10:15:04Z");
    assert_eq!(declined["last_seen"], "2026-11-20T10:15:06Z");
    assert!(
        declined["template"].as_str().unwrap().starts_with("card "),
        "{report:#}"
    );

    // A timestamp_format that does not fit leaves the entries without time, but parsed.
    env.write(
        "hephaestus.yaml",
        r#"formats:
  - name: billing
    regex: '^(?P<timestamp>\S+ \S+) <(?P<level>\w)> \{(?P<component>\w+)\} (?P<message>.*)$'
    timestamp_format: '%Y-%m-%d %H:%M:%S'
"#,
    );
    let report = analyze(&env, &file, &[], 1);
    assert_eq!(report["summary"]["unparsed"], 0, "{report:#}");
    assert!(pattern(&report, "declined")["first_seen"].is_null());
}

/// A supervisor's log with a real crash in each of its three runs: six entries (start, exit per
/// run), the crash joined to the start entry and raising it to error. The entry is about the
/// crash, so its template is the exception's line (`crash`), not the start record.
fn check_supervised_crash(file: &str, program: &str, crash: &str) {
    let env = Env::new();
    let path = fixture(&format!("multiline/{file}"));
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["entries"], 6, "{file}: {report:#}");
    assert_eq!(report["summary"]["unparsed"], 0, "{file}: {report:#}");
    let start = pattern(&report, crash);
    assert_eq!(start["count"], 3, "{file}: {report:#}");
    assert_eq!(start["level"], "error", "{file}: {report:#}");
    assert_no_pattern(&report, &format!("starting {program}"));
    let exit = pattern(&report, "exited with status");
    assert_eq!(exit["level"], "warn", "{file}: {report:#}");
    assert_eq!(report["summary"]["incidents"], 1, "{file}: {report:#}");
    // The sample is the crash, not the record it followed.
    let sample = report["incidents"][0]["sample"].as_str().unwrap();
    assert!(sample.starts_with("thread 'main'"), "{file}: {report:#}");
    // Entries start only at supervisor lines, every other line of the file is inside one.
    let supervisor_lines = lines_where(&path, |l| l.contains(" supervisor: "));
    assert_eq!(entry_starts(&env, &path), supervisor_lines, "{file}");
}

/// As [`check_supervised_crash`], for a program that prints a line of its own (`printed`, no
/// timestamp) before it crashes: that line is an entry of its own, and the crash after it begins
/// one too, at the crash's first line (`header`): twelve entries, the crash's unleveled and raised
/// to error.
fn check_crash_after_program_output(file: &str, printed: &str, header: &str, crash: &str) {
    let env = Env::new();
    let path = fixture(&format!("multiline/{file}"));
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["entries"], 12, "{file}: {report:#}");
    assert_eq!(report["summary"]["unparsed"], 6, "{file}: {report:#}");
    let found = pattern(&report, crash);
    assert_eq!(found["count"], 3, "{file}: {report:#}");
    assert_eq!(found["level"], "error", "{file}: {report:#}");
    assert_eq!(pattern(&report, "(run <*>)")["level"], "info");
    assert_eq!(report["summary"]["incidents"], 1, "{file}: {report:#}");
    let sample = report["incidents"][0]["sample"].as_str().unwrap();
    assert!(sample.starts_with(header), "{file}: {report:#}");
    let expected = lines_where(&path, |l| {
        l.contains(" supervisor: ") || l == printed || l.starts_with(header)
    });
    assert_eq!(expected.len(), 12, "{file}");
    assert_eq!(entry_starts(&env, &path), expected, "{file}");
}

#[test]
fn java_exception_with_caused_by_joins_its_entry() {
    check_crash_after_program_output(
        "java.log",
        "[ADA]",
        "Exception in thread \"main\"",
        "java.lang.NullPointerException: Cannot invoke",
    );
}

#[test]
fn node_crash_with_source_excerpt_joins_its_entry() {
    check_crash_after_program_output(
        "node.log",
        "LONDON",
        "/srv/app/labels.js:4",
        "TypeError: Cannot read properties of undefined",
    );
}

#[test]
fn rust_panic_after_a_blank_line_joins_its_entry() {
    check_supervised_crash("rust.log", "invoicer", "panic: called `Option::unwrap()`");
}

#[test]
fn rust_panic_with_backtrace_joins_its_entry() {
    check_supervised_crash(
        "rust-backtrace.log",
        "invoicer",
        "panic: called `Option::unwrap()`",
    );
}

#[test]
fn python_tracebacks_join_the_record_before_them() {
    let env = Env::new();
    let path = fixture("multiline/python.log");
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["lines"], 51);
    assert_eq!(report["summary"]["entries"], 15, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    // logger.exception(): the record says ERROR itself.
    let charge = pattern(&report, "charge failed");
    assert_eq!(charge["level"], "error");
    assert_eq!(charge["count"], 3);
    // The uncaught KeyError follows an INFO record: the entry is raised to error, and it is about
    // the crash, so the exception's line is its template.
    let due = pattern(&report, "KeyError: 'timeout'");
    assert_eq!(due["level"], "error");
    assert_eq!(due["count"], 3);
    assert_no_pattern(&report, "recipients due");
    assert_eq!(pattern(&report, "started")["level"], "info");
    // No line of a traceback starts an entry.
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let starts = entry_starts(&env, &path);
    assert_eq!(starts.len(), 15);
    for n in starts {
        let line = lines[n as usize - 1];
        assert!(line.starts_with("2026-"), "entry starts at {n}: {line:?}");
    }
}

#[test]
fn a_handled_traceback_under_a_warning_stays_a_warning_and_plain_lines_stand_alone() {
    let env = Env::new();
    let path = fixture("multiline/retry.log");
    // Three warnings with tracebacks: no error, so the default threshold does not trip.
    let report = analyze(&env, &path, &[], 0);
    assert_eq!(report["summary"]["incidents"], 0, "{report:#}");
    let refused = pattern(&report, "upstream refused");
    assert_eq!(refused["level"], "warn", "{report:#}");
    assert_eq!(refused["count"], 3);
    // The program's own untimed lines are entries of their own, not part of the record before.
    let expected = lines_where(&path, |l| {
        l.starts_with("2026-") || l.starts_with("attempt ") || l.starts_with("giving up")
    });
    assert_eq!(entry_starts(&env, &path), expected);
    assert_eq!(report["summary"]["unparsed"], 4, "{report:#}");
}

#[test]
fn java_util_logging_two_line_records_take_their_level_from_the_second_line() {
    let env = Env::new();
    let path = fixture("formats/jul-default.log");
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["entries"], 6, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0, "{report:#}");
    assert_eq!(pattern(&report, "service starting")["level"], "info");
    assert_eq!(pattern(&report, "slow query")["level"], "warn");
    let failed = pattern(&report, "failed");
    assert_eq!(failed["level"], "error");
    assert_eq!(failed["count"], 3);
    assert!(
        failed["first_seen"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-12-02T01:16:")),
        "{report:#}"
    );
    let incident = &report["incidents"][0];
    assert_eq!(
        incident["exception"]["type"], "java.lang.ArrayIndexOutOfBoundsException",
        "{report:#}"
    );
    // Each record begins at its date line; the level line and the trace are inside it.
    let dates = lines_where(&path, |l| l.starts_with("Dec 02, 2026 "));
    assert_eq!(entry_starts(&env, &path), dates);
}

#[test]
fn pm2_prefixes_are_read_through_and_name_the_service() {
    for file in ["formats/pm2.log", "formats/pm2-time.log"] {
        let env = Env::new();
        let path = fixture(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let crashes = text.matches("TypeError: Cannot read").count() as u64;
        let report = analyze(&env, &path, &[], 1);
        assert_eq!(
            report["incidents"][0]["service"], "labels",
            "{file}: {report:#}"
        );
        let crash = pattern(&report, "TypeError: Cannot read properties of undefined");
        assert_eq!(crash["level"], "error", "{file}: {report:#}");
        assert_eq!(crash["count"], crashes, "{file}: {report:#}");
        let start = report["patterns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["template"] == "starting")
            .unwrap_or_else(|| panic!("{file}: {report:#}"));
        assert_eq!(start["level"], "info", "{file}");
        // No frame of a trace begins an entry: each crash is one entry, its frames inside.
        let lines: Vec<&str> = text.lines().collect();
        for n in entry_starts(&env, &path) {
            let line = lines[n as usize - 1];
            assert!(
                !line.contains("|     at "),
                "{file}: entry starts at {n}: {line:?}"
            );
        }
        // The service is kept as a field of every entry its lines made.
        let services: std::collections::BTreeSet<String> = watched_entries(&env, &text)
            .iter()
            .map(|v| v["fields"]["service"].as_str().unwrap_or("-").to_owned())
            .collect();
        assert_eq!(
            services.into_iter().collect::<Vec<_>>(),
            ["labels", "pm2"],
            "{file}"
        );
    }
}

#[test]
fn program_output_through_journald_is_read_inside_the_journal_prefix() {
    for file in [
        "formats/journald-short.log",
        "formats/journald-short-iso.log",
    ] {
        let env = Env::new();
        let path = fixture(file);
        let report = analyze(&env, &path, &[], 1);
        // Per run of the worker: three records, each traceback joined to its own; per run of
        // the invoicer: one panic. Nothing left over, nothing unread.
        assert_eq!(report["summary"]["lines"], 54, "{file}: {report:#}");
        assert_eq!(report["summary"]["entries"], 12, "{file}: {report:#}");
        assert_eq!(report["summary"]["unparsed"], 0, "{file}: {report:#}");
        assert_eq!(pattern(&report, "charge failed")["level"], "error");
        let key_error = pattern(&report, "KeyError: 'timeout'");
        assert_eq!(key_error["level"], "error", "{file}: {report:#}");
        assert_eq!(key_error["count"], 3);
        let panic = pattern(&report, "called `Option::unwrap()` on a `None` value");
        assert_eq!(panic["level"], "error", "{file}: {report:#}");
        assert_eq!(panic["count"], 3);
        assert_eq!(report["summary"]["incidents"], 3, "{file}: {report:#}");
        let services: Vec<&str> = report["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["service"].as_str().unwrap_or("-"))
            .collect();
        assert_eq!(services, ["worker", "worker", "invoicer"], "{file}");
        assert_eq!(report["incidents"][0]["logger"], "worker");
        let expected = lines_where(&path, |l| {
            l.contains(": 2026-") || l.contains("]: thread 'main'")
        });
        assert_eq!(entry_starts(&env, &path), expected, "{file}");
    }
}

#[test]
fn python_tracebacks_join_untimed_records_too() {
    let env = Env::new();
    let path = fixture("multiline/python-bare.log");
    let report = analyze(&env, &path, &["--threshold-count", "1"], 1);
    // Three records; both tracebacks (the logged one and the uncaught one) join the record before.
    assert_eq!(report["summary"]["entries"], 3, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    assert_eq!(entry_starts(&env, &path), [1, 2, 8]);
    assert_eq!(pattern(&report, "charge failed")["level"], "error");
    assert_eq!(pattern(&report, "KeyError: 'timeout'")["level"], "error");
    assert_eq!(pattern(&report, "started")["level"], "info");
}

#[test]
fn container_runtime_wrappers_are_seen_through() {
    let env = Env::new();
    // Docker's json-file driver around logging's default format: the runtime's time stands in
    // for the one the program did not write.
    let path = fixture("formats/docker-json.log");
    let report = analyze(&env, &path, &["--threshold-count", "1"], 1);
    assert_eq!(report["summary"]["entries"], 3, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    assert_eq!(entry_starts(&env, &path), [1, 2, 8]);
    let charge = pattern(&report, "charge failed");
    assert_eq!(charge["level"], "error");
    assert_eq!(charge["first_seen"], "2026-11-20T10:15:03.250Z");
    assert_eq!(pattern(&report, "KeyError: 'timeout'")["level"], "error");

    // CRI around a supervisor's log: the program's own timestamps win.
    let path = fixture("formats/kubernetes-cri.log");
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["entries"], 15, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    assert_eq!(pattern(&report, "KeyError: 'timeout'")["level"], "error");
    let first = pattern(&report, "charge failed")["first_seen"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first.starts_with("2026-11-24T"), "{first}");
}

#[test]
fn go_panics_join_the_record_before_them() {
    let env = Env::new();
    let path = fixture("multiline/go.log");
    let report = analyze(&env, &path, &[], 0);
    assert_eq!(report["summary"]["entries"], 9, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    assert_eq!(entry_starts(&env, &path), [1, 2, 3, 11, 12, 13, 21, 22, 37]);
    // The record says ERROR itself: the panic after it belongs to what it says.
    assert_eq!(pattern(&report, "cache disabled")["level"], "error");
    // The panics follow unlevelled records: they are what those entries are about.
    let panic = pattern(&report, "panic: runtime error: index out of range");
    assert_eq!(panic["level"], "error", "{report:#}");
    assert_eq!(panic["count"], 2, "{report:#}");
    assert_eq!(
        pattern(&report, "orders")["level"],
        Value::Null,
        "{report:#}"
    );
}

#[test]
fn go_panic_on_bare_stderr_is_held_together_by_its_own_shape() {
    let env = Env::new();
    let path = fixture("multiline/go-stderr.log");
    let report = analyze(&env, &path, &[], 0);
    // No format at all: every entry is unparsed, but the goroutine dump stays in one.
    assert_eq!(report["summary"]["entries"], 4, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 4);
    assert_eq!(entry_starts(&env, &path), [1, 2, 3, 11]);
    assert_eq!(pattern(&report, "panic: runtime error")["level"], "error");
}

#[test]
fn raw_mode_does_not_join_lines() {
    let env = Env::new();
    let out = run(
        env.cmd(["patterns", "--per-line", "--raw", "--format", "json"])
            .arg(fixture("multiline/rust.log")),
        0,
    );
    assert_eq!(stdout(&out).lines().count(), 18);
}

#[test]
fn invalid_utf8_is_decoded_lossily_and_still_parsed() {
    let env = Env::new();
    let report = analyze(
        &env,
        &fixture("formats/invalid-utf8.log"),
        &["--threshold-count", "2"],
        1,
    );
    assert_eq!(report["summary"]["invalid_utf8"], 2, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 0);
    let failed = pattern(&report, "failed");
    assert_eq!(failed["level"], "error");
    assert_eq!(failed["count"], 2);
    assert!(
        failed["template"].as_str().unwrap().contains('\u{fffd}'),
        "{report:#}"
    );
}

#[test]
fn an_over_long_line_is_cut_and_the_run_goes_on() {
    let env = Env::new();
    let mut log = String::from("2026-11-20T10:15:01Z INFO orders: service starting\n");
    log.push_str("2026-11-20T10:15:02Z ERROR orders: payload ");
    log.push_str(&"x".repeat(3 * 1024 * 1024));
    log.push('\n');
    for i in 3..=5 {
        log.push_str(&format!(
            "2026-11-20T10:15:0{i}Z ERROR orders: order {i} failed: connection refused\n"
        ));
    }
    let path = env.write("huge.log", log);
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["lines"], 5);
    assert_eq!(report["summary"]["truncated"], 1, "{report:#}");
    assert_eq!(report["summary"]["entries"], 5);
    assert_eq!(report["summary"]["unparsed"], 0);
    assert_eq!(pattern(&report, "payload")["level"], "error");
    let orders = pattern(&report, "failed: connection refused");
    assert_eq!(orders["count"], 3);
    assert_eq!(orders["first_seen"], "2026-11-20T10:15:03Z");
    assert_eq!(entry_starts(&env, &path), [1, 2, 3, 4, 5]);
}

#[test]
fn a_json_record_cut_at_the_limit_is_an_entry_of_its_own() {
    let env = Env::new();
    let mut log = String::new();
    for i in 1..=3 {
        log.push_str(&format!(
            "{{\"time\":\"2026-11-20T10:15:0{i}Z\",\"level\":\"error\",\"msg\":\"order {i} failed\"}}\n"
        ));
        log.push_str(&format!(
            "{{\"time\":\"2026-11-20T10:15:0{i}Z\",\"level\":\"info\",\"msg\":\"dump\",\"payload\":\"{}\"}}\n",
            "x".repeat(10_000)
        ));
    }
    // Lines are cut well below the size an entry may grow to.
    env.write("hephaestus.yaml", "log:\n  max_line_bytes: 4096\n");
    let path = env.write("cut.log", log);
    let report = analyze(&env, &path, &[], 1);
    assert_eq!(report["summary"]["truncated"], 3, "{report:#}");
    assert_eq!(report["summary"]["entries"], 6, "{report:#}");
    assert_eq!(report["summary"]["unparsed"], 3, "{report:#}");
    assert_eq!(pattern(&report, "failed")["count"], 3, "{report:#}");
    assert_eq!(entry_starts(&env, &path), [1, 2, 3, 4, 5, 6]);
}

#[test]
fn a_runaway_trace_is_bounded() {
    let env = Env::new();
    let mut log = String::from(
        "2026-11-20T10:15:01Z ERROR app: Exception in thread \"main\" java.lang.StackOverflowError\n",
    );
    for i in 0..5000 {
        log.push_str(&format!("\tat app.Recursive.step(Recursive.java:{i})\n"));
    }
    log.push_str("2026-11-20T10:15:02Z INFO app: restarted\n");
    let path = env.write("deep.log", log);
    let report = analyze(&env, &path, &[], 0);
    assert_eq!(report["summary"]["lines"], 5002);
    assert_eq!(report["summary"]["entries"], 2);
    assert_eq!(entry_starts(&env, &path), [1, 5002]);
}

#[test]
fn compose_prefixes_are_read_through_and_name_the_service() {
    for file in ["formats/compose.log", "formats/compose-color.log"] {
        let env = Env::new();
        let path = fixture(file);
        let text = std::fs::read_to_string(&path).unwrap();
        let crashes = text.matches("KeyError: 'GBP'").count() as u64;
        assert_eq!(crashes, 3, "{file}");
        let report = analyze(&env, &path, &[], 1);
        assert_eq!(
            report["incidents"][0]["service"], "api",
            "{file}: {report:#}"
        );
        let crash = pattern(&report, "KeyError: 'GBP'");
        assert_eq!(crash["level"], "error", "{file}: {report:#}");
        assert_eq!(crash["count"], crashes, "{file}: {report:#}");
        let warning = pattern(&report, "api unreachable");
        assert_eq!(warning["level"], "warn", "{file}: {report:#}");
        assert_eq!(
            warning["count"],
            text.matches("WARN worker: api unreachable").count() as u64,
            "{file}: {report:#}"
        );
        // No frame of a trace begins an entry: each crash is one entry, its frames inside.
        let lines: Vec<&str> = text.lines().collect();
        for n in entry_starts(&env, &path) {
            let line = lines[n as usize - 1];
            assert!(
                !line.contains("  File \"") && !line.contains("    at "),
                "{file}: entry starts at {n}: {line:?}"
            );
        }
        // The service is kept as a field of every entry its lines made.
        let entries = watched_entries(&env, &text);
        let services: std::collections::BTreeSet<&str> = entries
            .iter()
            .map(|v| v["fields"]["service"].as_str().unwrap_or("-"))
            .collect();
        assert_eq!(
            services.into_iter().collect::<Vec<_>>(),
            ["api", "worker"],
            "{file}"
        );
        // Each crash begins at one of the api's lines: a traceback right after the worker's
        // record is not glued to it (after the api's own record it is that record's). One with
        // no record of its own takes the engine's time (`--timestamps`).
        let crashed: Vec<&Value> = entries
            .iter()
            .filter(|v| v["message"].as_str().unwrap_or("").contains("KeyError"))
            .collect();
        assert_eq!(crashed.len() as u64, crashes, "{file}");
        for entry in crashed {
            assert_eq!(entry["fields"]["service"], "api", "{file}: {entry:#}");
            let first = lines[entry["line"].as_u64().unwrap() as usize - 1];
            assert!(first.contains("api-1 "), "{file}: {entry:#}");
            let bare = entry["message"].as_str().unwrap().starts_with("Traceback");
            if bare && file.ends_with("color.log") {
                let at = entry["timestamp"].as_str().unwrap_or("");
                assert!(at.len() == 30 && text.contains(at), "{file}: {entry:#}");
            }
        }
    }
}
