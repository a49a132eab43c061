//! User rules with their own trigger: level and count apart from the global threshold, `match`
//! over the message and the entry's fields, config errors at load, broken rules reported.

use crate::harness::{git, json, run, stderr, stdout, Env};

/// A git repository at `repo/` holding `config/pool.yaml`, committed.
fn repo(env: &Env) -> std::path::PathBuf {
    env.write(
        "repo/config/pool.yaml",
        "max_connections: 10\ntimeout: 30\n",
    );
    let root = env.path().join("repo");
    git(&root, &["init", "-q"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "initial"]);
    root
}

/// A config holding one rule on `config/pool.yaml` with `extra` keys (indented as rule keys).
fn rule_config(env: &Env, matcher: &str, extra: &str, replace: &str) -> std::path::PathBuf {
    env.write(
        "h.yaml",
        format!(
            "rules:\n  - name: db-pool\n    match: '{matcher}'\n{extra}    file: config/pool.yaml\n    find: 'max_connections: \\d+'\n    replace: '{replace}'\n"
        ),
    )
}

/// `analyze LOG --repo REPO --config CONFIG --format json` expecting `code`.
fn analyze(env: &Env, log: &str, config: &std::path::Path, code: i32) -> serde_json::Value {
    let root = env.path().join("repo");
    let log = env.write("app.log", log);
    let out = run(
        env.cmd(["analyze", "--format", "json", "--repo"])
            .arg(&root)
            .arg("--config")
            .arg(config)
            .arg(&log),
        code,
    );
    json(&out)
}

const NEAR_CAPACITY: &str = "2026-11-20T10:00:00Z INFO app: started\n\
    2026-11-20T10:00:01Z WARN db: pool near capacity (40/40)\n\
    2026-11-20T10:00:02Z INFO app: request done\n";

#[test]
fn a_warn_rule_trips_at_its_first_match_where_the_threshold_does_not() {
    let env = Env::new();
    repo(&env);
    // The global threshold (3 errors) never trips on this log.
    let none = env.write("none.yaml", "log:\n  threshold_count: 3\n");
    let report = analyze(&env, NEAR_CAPACITY, &none, 0);
    assert!(report["incidents"].as_array().unwrap().is_empty());

    let config = rule_config(
        &env,
        r"pool near capacity \((?P<used>\d+)/",
        "",
        "max_connections: ${used}0",
    );
    let report = analyze(&env, NEAR_CAPACITY, &config, 1);
    let incidents = report["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{report:#}");
    assert_eq!(incidents[0]["level"], "warn");
    assert_eq!(incidents[0]["line"], 2);
    let solutions = report["solutions"].as_array().unwrap();
    assert_eq!(solutions.len(), 1, "{report:#}");
    assert_eq!(solutions[0]["generator"], "rule:db-pool");
    let diff = solutions[0]["diff"].as_str().unwrap();
    assert!(diff.contains("+max_connections: 400"), "{diff}");
}

#[test]
fn a_rule_with_a_count_trips_on_its_third_match_only() {
    let env = Env::new();
    repo(&env);
    let config = rule_config(
        &env,
        "pool near capacity",
        "    level: warn\n    count: 3\n",
        "max_connections: 20",
    );
    let two = "2026-11-20T10:00:00Z WARN db: pool near capacity\n\
        2026-11-20T10:00:10Z DEBUG db: pool near capacity\n\
        2026-11-20T10:00:20Z WARN db: pool near capacity\n";
    // The DEBUG entry is below the rule's level: two matches that count.
    let report = analyze(&env, two, &config, 0);
    assert!(
        report["incidents"].as_array().unwrap().is_empty(),
        "{report:#}"
    );

    let three = format!("{two}2026-11-20T10:00:30Z ERROR db: pool near capacity\n");
    let report = analyze(&env, &three, &config, 1);
    let incidents = report["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1, "{report:#}");
    assert_eq!(incidents[0]["line"], 4);
    assert_eq!(incidents[0]["count"], 3);
    assert_eq!(incidents[0]["first"], "2026-11-20T10:00:00Z");
    assert_eq!(report["solutions"][0]["generator"], "rule:db-pool");
}

#[test]
fn a_rule_matches_the_fields_of_a_json_entry() {
    let env = Env::new();
    repo(&env);
    let config = rule_config(
        &env,
        r"pool near capacity .*max=(?P<max>\d+)",
        "",
        "max_connections: ${max}0",
    );
    let log = "{\"ts\":\"2026-11-20T10:00:00Z\",\"level\":\"info\",\"msg\":\"pool near capacity\",\"db\":\"orders\",\"max\":12}\n";
    let report = analyze(&env, log, &config, 1);
    let solutions = report["solutions"].as_array().unwrap();
    assert_eq!(solutions.len(), 1, "{report:#}");
    let diff = solutions[0]["diff"].as_str().unwrap();
    assert!(diff.contains("+max_connections: 120"), "{diff}");

    // The same message without the field does not match.
    let bare =
        "{\"ts\":\"2026-11-20T10:00:00Z\",\"level\":\"info\",\"msg\":\"pool near capacity\"}\n";
    let report = analyze(&env, bare, &config, 0);
    assert!(report["incidents"].as_array().unwrap().is_empty());
}

#[test]
fn an_entry_tripping_the_threshold_and_a_rule_gets_one_incident_and_one_solution() {
    let env = Env::new();
    repo(&env);
    let config = env.write(
        "h.yaml",
        "log:\n  threshold_count: 1\nrules:\n  - name: db-pool\n    match: 'pool exhausted'\n    file: config/pool.yaml\n    find: 'max_connections: \\d+'\n    replace: 'max_connections: 50'\n",
    );
    let log = "2026-11-20T10:00:00Z ERROR db: pool exhausted\n";
    let report = analyze(&env, log, &config, 1);
    assert_eq!(
        report["incidents"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    let solutions = report["solutions"].as_array().unwrap();
    assert_eq!(solutions.len(), 1, "{report:#}");
    assert_eq!(solutions[0]["generator"], "rule:db-pool");
}

#[test]
fn a_replace_naming_an_undefined_group_is_a_config_error_at_its_line() {
    let env = Env::new();
    env.write(
        "hephaestus.yaml",
        "log:\n  threshold_count: 3\nrules:\n  - name: db-pool\n    match: 'pool exhausted \\(max=(?P<max>\\d+)\\)'\n    file: config/pool.yaml\n    find: 'max_connections: \\d+'\n    replace: 'max_connections: ${maximum}0'\n",
    );
    let log = env.write("app.log", NEAR_CAPACITY);
    let out = run(env.cmd(["analyze"]).arg(&log), 2);
    let err = stderr(&out);
    assert!(
        err.contains("hephaestus.yaml:8: rules[0].replace: '${maximum}' is not a group of match or find (named groups of match: max)"),
        "{err}"
    );
}

#[test]
fn a_rule_whose_file_is_not_tracked_is_reported_once_without_verbose() {
    let env = Env::new();
    let root = repo(&env);
    let config = env.write(
        "h.yaml",
        "rules:\n  - name: db-pool\n    match: 'pool near capacity'\n    file: config/absent.yaml\n    find: 'x'\n    replace: 'y'\n",
    );
    // Two trips, ten minutes apart (past the cooldown).
    let log = env.write(
        "app.log",
        "2026-11-20T10:00:00Z WARN db: pool near capacity\n\
         2026-11-20T10:10:00Z WARN db: pool near capacity\n",
    );
    let out = run(
        env.cmd(["analyze", "--repo"])
            .arg(&root)
            .arg("--config")
            .arg(&config)
            .arg(&log),
        1,
    );
    let err = stderr(&out);
    let warning = "warning: rule 'db-pool': file 'config/absent.yaml' is not tracked in the repository; rule skipped";
    assert_eq!(err.matches(warning).count(), 1, "{err}");
    assert!(
        stdout(&out).contains("2 incidents of 1 kind, 0 solutions"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_capture_across_a_continuation_line_never_reaches_the_file() {
    let env = Env::new();
    let root = repo(&env);
    // `[^/]+` also matches the newline that joins the continuation line to its entry.
    let config = rule_config(
        &env,
        r"pool near capacity \((?P<used>[^/]+)/",
        "",
        "max_connections: ${used}0",
    );
    let log = "2026-11-20T10:00:00Z INFO app: started\n\
        2026-11-20T10:00:01Z WARN db: pool near capacity (4\n    admin: true\n    /40)\n";
    let report = analyze(&env, log, &config, 1);
    assert_eq!(
        report["incidents"].as_array().unwrap().len(),
        1,
        "{report:#}"
    );
    assert!(
        report["solutions"].as_array().unwrap().is_empty(),
        "{report:#}"
    );
    let declined = report["declined"].to_string();
    assert!(
        declined.contains("the value captured for 'used' from the log")
            && declined.contains("holds a line break"),
        "{report:#}"
    );
    let file = std::fs::read_to_string(root.join("config/pool.yaml")).unwrap();
    assert_eq!(file, "max_connections: 10\ntimeout: 30\n");
}
