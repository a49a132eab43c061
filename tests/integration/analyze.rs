//! `analyze`: batch runs, exit codes, JSON shape.

use crate::harness::{fixture, json, run, stdout, Env};

#[test]
fn repeated_error_trips_and_exits_1() {
    let env = Env::new();
    let out = run(env.cmd(["analyze"]).arg(fixture("logs/app.log")), 1);
    let text = stdout(&out);
    assert!(text.contains("INCIDENT error ×3 in 5m"), "{text}");
    assert!(text.contains("1 incident"), "{text}");
}

#[test]
fn json_report_has_the_documented_shape() {
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(fixture("logs/app.log")),
        1,
    );
    let report = json(&out);
    for key in ["lines", "entries", "unparsed", "incidents", "solutions"] {
        assert!(
            report["summary"][key].is_u64(),
            "summary.{key} in {report:#}"
        );
    }
    assert_eq!(report["summary"]["lines"], 7);
    assert_eq!(report["summary"]["incidents"], 1);
    let incident = &report["incidents"][0];
    for key in [
        "pattern",
        "error_type",
        "level",
        "count",
        "window",
        "first",
        "last",
        "sample",
    ] {
        assert!(!incident[key].is_null(), "incidents[0].{key} in {report:#}");
    }
    assert_eq!(incident["window"], "5m");
    assert_eq!(incident["count"], 3);
    assert!(report["solutions"].is_array());
    let pattern = &report["patterns"][0];
    for key in [
        "id",
        "template",
        "level",
        "count",
        "first_seen",
        "last_seen",
    ] {
        assert!(
            pattern.get(key).is_some(),
            "patterns[0].{key} in {report:#}"
        );
    }
}

#[test]
fn below_threshold_exits_0() {
    let env = Env::new();
    run(
        env.cmd(["analyze", "--threshold-count", "4"])
            .arg(fixture("logs/app.log")),
        0,
    );
}

#[test]
fn an_incident_tripping_again_is_told_in_full_once_then_in_one_line() {
    let env = Env::new();
    let log = fixture("logs/cooldown.log");
    let out = run(env.cmd(["analyze"]).arg(&log), 1);
    let text = stdout(&out);
    assert_eq!(
        text.matches("pattern: redis timeout after <*> ms").count(),
        1,
        "{text}"
    );
    let again: Vec<&str> = text.lines().filter(|l| l.contains("again")).collect();
    assert_eq!(again.len(), 1, "{text}");
    assert!(
        again[0].contains("redis-timeout-after-ms  again (#2) at ")
            && again[0].ends_with("cooldown.log:10, 2026-11-20T09:07:20+00:00"),
        "{text}"
    );
    assert!(text.contains("2 incidents of 1 kind, "), "{text}");

    // Verbose output keeps every incident whole.
    let out = run(env.cmd(["analyze", "-v"]).arg(&log), 1);
    let text = stdout(&out);
    assert_eq!(
        text.matches("pattern: redis timeout after <*> ms").count(),
        2,
        "{text}"
    );
    assert!(!text.contains("again"), "{text}");
}

#[test]
fn stdin_lines_are_located_as_stdin() {
    let env = Env::new();
    let input = std::fs::read(fixture("logs/app.log")).unwrap();
    let out = run(env.cmd(["analyze", "-"]).write_stdin(input), 1);
    let text = stdout(&out);
    assert!(text.contains("  where: stdin:6\n"), "{text}");
    let out = run(
        env.cmd(["analyze", "-", "--format", "json"])
            .write_stdin(std::fs::read(fixture("logs/app.log")).unwrap()),
        1,
    );
    let report = crate::harness::json(&out);
    assert_eq!(report["incidents"][0]["source"], "stdin", "{report:#}");
    assert_eq!(report["incidents"][0]["line"], 6, "{report:#}");
}
