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
