//! Thresholds over the log's own time: windows, levels, cooldown.

use crate::harness::{fixture, json, run, Env};

#[test]
fn only_the_burst_trips_in_a_file_spanning_hours() {
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(fixture("logs/day.log")),
        1,
    );
    let report = json(&out);
    let incidents = report["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{report:#}");
    assert_eq!(incidents[0]["first"], "2026-11-20T03:50:00Z");
    assert_eq!(incidents[0]["last"], "2026-11-20T03:51:20Z");
    assert_eq!(incidents[0]["count"], 3);
}

#[test]
fn a_wider_window_catches_the_thin_errors_too() {
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json", "--threshold-window", "3h"])
            .arg(fixture("logs/day.log")),
        1,
    );
    let report = json(&out);
    // 00:30, 01:30, 02:30 → trips at 02:30. The burst falls in the 3h cooldown; at 05:30 the
    // cooldown is over and the three latest (03:52, 04:30, 05:30) lie within 3h → trips again.
    let spans: Vec<_> = report["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["first"].as_str().unwrap().to_owned(),
                i["last"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let span = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        spans,
        [
            span("2026-11-20T00:30:00Z", "2026-11-20T02:30:00Z"),
            span("2026-11-20T03:52:00Z", "2026-11-20T05:30:00Z")
        ],
        "{report:#}"
    );
}

#[test]
fn cooldown_holds_back_repeats_until_the_window_has_passed() {
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(fixture("logs/cooldown.log")),
        1,
    );
    let lasts: Vec<_> = json(&out)["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["last"].clone())
        .collect();
    assert_eq!(lasts, ["2026-11-20T09:00:20Z", "2026-11-20T09:07:20Z"]);

    let out = run(
        env.cmd(["analyze", "--format", "json", "--threshold-window", "10m"])
            .arg(fixture("logs/cooldown.log")),
        1,
    );
    assert_eq!(json(&out)["incidents"].as_array().unwrap().len(), 1);
}

#[test]
fn cooldown_is_configurable() {
    let env = Env::new();
    let config = env.write("h.yaml", "log:\n  cooldown: 30s\n");
    let out = run(
        env.cmd(["analyze", "--format", "json", "--config"])
            .arg(&config)
            .arg(fixture("logs/cooldown.log")),
        1,
    );
    // 30s cooldown: trips at 00:20, again at 00:50 (3 within 5m, cooldown over), then 07:20.
    let lasts: Vec<_> = json(&out)["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["last"].clone())
        .collect();
    assert_eq!(
        lasts,
        [
            "2026-11-20T09:00:20Z",
            "2026-11-20T09:00:50Z",
            "2026-11-20T09:07:20Z"
        ]
    );
}

#[test]
fn threshold_level_counts_that_level_and_above() {
    let env = Env::new();
    let log = env.write(
        "levels.log",
        "2026-11-20T10:00:00Z WARN disk: usage at 91%\n\
         2026-11-20T10:00:01Z WARN disk: usage at 92%\n\
         2026-11-20T10:00:02Z INFO disk: usage at 93%\n",
    );
    run(
        env.cmd([
            "analyze",
            "--threshold-count",
            "2",
            "--threshold-level",
            "error",
        ])
        .arg(&log),
        0,
    );
    run(
        env.cmd([
            "analyze",
            "--threshold-count",
            "2",
            "--threshold-level",
            "warn",
        ])
        .arg(&log),
        1,
    );
    run(
        env.cmd([
            "analyze",
            "--threshold-count",
            "3",
            "--threshold-level",
            "warn",
        ])
        .arg(&log),
        0,
    );
    run(
        env.cmd([
            "analyze",
            "--threshold-count",
            "3",
            "--threshold-level",
            "info",
        ])
        .arg(&log),
        1,
    );
}

#[test]
fn an_error_whose_words_vary_counts_as_one_from_its_first_entry() {
    // The template only becomes `user <*> not found` at the third name; the two entries before it
    // still count towards that incident.
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(fixture("logs/varying-names.log")),
        1,
    );
    let report = json(&out);
    let incident = &report["incidents"][0];
    assert_eq!(incident["template"], "user <*> not found", "{report:#}");
    assert_eq!(incident["count"], 3);
    assert_eq!(incident["first"], "2026-11-20T10:00:00Z");
}

#[test]
fn two_missing_keys_at_one_line_are_two_incidents() {
    // A real run of fixtures/traces/python/src/two_keys.py: `KeyError: 'country'` and
    // `KeyError: 'US'` raised at the same line, each twice.
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("traces/python/two_keys.txt")).unwrap();
    let log = env.write("geo.log", text);
    let out = run(
        env.cmd(["analyze", "--format", "json", "--threshold-count", "1"])
            .arg(&log),
        1,
    );
    let report = json(&out);
    let incidents = report["incidents"].as_array().unwrap();
    // Each key trips once (the cooldown holds back its repeat), under its own fingerprint.
    let mut seen: Vec<(&str, &str)> = incidents
        .iter()
        .map(|i| {
            (
                i["exception"]["message"].as_str().unwrap(),
                i["fingerprint"].as_str().unwrap(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(seen.len(), 2, "{report:#}");
    assert_eq!((seen[0].0, seen[1].0), ("'US'", "'country'"), "{report:#}");
    assert_ne!(seen[0].1, seen[1].1, "{report:#}");
}

#[test]
fn one_far_future_stamp_neither_moves_the_window_nor_hides_its_kind() {
    // Made by fixtures/logs/far-future.py: the second of five errors is stamped 2099.
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(fixture("logs/far-future.log")),
        1,
    );
    let report = json(&out);
    let incidents = report["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{report:#}");
    assert_eq!(incidents[0]["count"], 3);
    assert_eq!(incidents[0]["first"], "2026-11-26T10:00:00Z");
    assert_eq!(incidents[0]["last"], "2026-11-26T10:00:03.500Z");
    assert_eq!(report["summary"]["bad_timestamps"], 1, "{report:#}");
    let text = run(env.cmd(["analyze"]).arg(fixture("logs/far-future.log")), 1);
    assert!(
        String::from_utf8_lossy(&text.stdout)
            .contains("1 bad timestamps (unreadable or far ahead)")
            || String::from_utf8_lossy(&text.stderr)
                .contains("1 bad timestamps (unreadable or far ahead)"),
        "{text:?}"
    );
}

#[test]
fn ignored_kinds_never_trip_and_are_counted() {
    let env = Env::new();
    let log = fixture("logs/app.log");
    let analyze = |ignore: &str, code: i32| {
        let config = env.write("h.yaml", format!("ignore:\n{ignore}"));
        let out = run(
            env.cmd(["analyze", "--format", "json", "--config"])
                .arg(&config)
                .arg(&log),
            code,
        );
        json(&out)
    };
    for ignore in [
        "  - template: 'job <*> failed: connection refused to <*>:<*>'\n",
        "  - fingerprint: job-failed-connection-refused-to\n",
        "  - match: 'connection refused to 10\\.0\\.0\\.7'\n",
    ] {
        let report = analyze(ignore, 0);
        assert_eq!(report["summary"]["incidents"], 0, "{ignore}: {report:#}");
        assert_eq!(report["summary"]["ignored"], 3, "{ignore}: {report:#}");
    }
    // Ignored up to warn only: the errors still trip.
    let report = analyze(
        "  - template: 'job <*> failed: connection refused to <*>:<*>'\n    level: warn\n",
        1,
    );
    assert_eq!(report["summary"]["incidents"], 1, "{report:#}");
    assert_eq!(report["summary"]["ignored"], 0);
    let config = env.write("bad.yaml", "ignore:\n  - template: 'x'\n    match: 'y'\n");
    let out = run(env.cmd(["analyze", "--config"]).arg(&config).arg(&log), 2);
    assert!(
        crate::harness::stderr(&out).contains(
            "bad.yaml:2: ignore[0]: needs exactly one of template, fingerprint and match"
        ),
        "{}",
        crate::harness::stderr(&out)
    );
}
