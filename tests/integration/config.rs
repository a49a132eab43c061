//! Configuration: discovery, validation messages, overrides.

use crate::harness::{fixture, run, stderr, Env};

fn config_error(env: &Env, yaml: &str) -> String {
    env.write("hephaestus.yaml", yaml);
    let out = run(env.cmd(["analyze"]).arg(fixture("logs/app.log")), 2);
    stderr(&out)
}

#[test]
fn every_problem_is_reported_with_file_line_and_path() {
    let env = Env::new();
    let err = config_error(
        &env,
        "log:\n  threshold_level: loud\n  threshold_count: 0\n  threshold_window: soon\nmode: yolo\nremote_repo:\n  provider: bitbucket\n",
    );
    for expected in [
        "hephaestus.yaml:2: log.threshold_level: unknown level 'loud' (expected one of: trace, debug, info, notice, warn, error, critical)",
        "hephaestus.yaml:3: log.threshold_count: must be ≥ 1",
        "hephaestus.yaml:4: log.threshold_window: invalid duration 'soon'",
        "hephaestus.yaml:5: mode: unknown mode 'yolo' (expected suggest or deploy)",
        "hephaestus.yaml:7: remote_repo.provider: unknown provider 'bitbucket' (expected github, gitlab or gitea)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn unknown_keys_are_rejected_with_a_suggestion() {
    let env = Env::new();
    let err = config_error(
        &env,
        "log:\n  threshold_cout: 2\nremote_repo:\n  pr:\n    lables: [x]\nrulez: []\n",
    );
    for expected in [
        "hephaestus.yaml:2: log.threshold_cout: unknown key 'threshold_cout' (did you mean 'threshold_count'?)",
        "hephaestus.yaml:5: remote_repo.pr.lables: unknown key 'lables' (did you mean 'labels'?)",
        "hephaestus.yaml:6: rulez: unknown key 'rulez' (did you mean 'rules'?)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn regexes_must_compile() {
    let env = Env::new();
    let err = config_error(
        &env,
        "formats:\n  - name: mine\n    regex: '^(?P<message>.*'\n    timestamp_format: '%Y-%Q'\nrules:\n  - name: r\n    match: 'ok'\n    file: ../etc/passwd\n    find: '['\n    replace: x\n",
    );
    for expected in [
        "hephaestus.yaml:3: formats[0].regex: invalid regex",
        "hephaestus.yaml:4: formats[0].timestamp_format: '%Y-%Q' is not a valid strftime pattern",
        "hephaestus.yaml:8: rules[0].file: '../etc/passwd' must be a relative path inside the repository",
        "hephaestus.yaml:9: rules[0].find: invalid regex",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn yaml_syntax_errors_name_the_line() {
    let env = Env::new();
    let err = config_error(&env, "log:\n  threshold_count: [1\n");
    assert!(err.contains("hephaestus.yaml:"), "{err}");
    let err = config_error(&env, "log:\n  threshold_count: many\n");
    assert!(
        err.contains("hephaestus.yaml:2:") && err.contains("expected a whole number"),
        "{err}"
    );
}

#[test]
fn explicit_config_wins_and_flags_override_it() {
    let env = Env::new();
    env.write("hephaestus.yaml", "log:\n  threshold_count: 100\n");
    let other = env.write("strict.yaml", "log:\n  threshold_count: 2\n");
    // ./hephaestus.yaml is found by default: 100 errors needed, nothing trips.
    run(env.cmd(["analyze"]).arg(fixture("logs/app.log")), 0);
    run(
        env.cmd(["analyze", "--config"])
            .arg(&other)
            .arg(fixture("logs/app.log")),
        1,
    );
    run(
        env.cmd(["analyze", "--threshold-count", "5", "--config"])
            .arg(&other)
            .arg(fixture("logs/app.log")),
        0,
    );
}

#[test]
fn a_missing_explicit_config_is_an_error() {
    let env = Env::new();
    let out = run(
        env.cmd(["analyze", "--config", "nope.yaml"])
            .arg(fixture("logs/app.log")),
        2,
    );
    // The cause is said once.
    assert_eq!(
        stderr(&out),
        "error: failed to read config 'nope.yaml': No such file or directory (os error 2)\n"
    );
}

#[test]
fn a_literal_token_warns_and_never_prints() {
    let env = Env::new();
    env.write(
        "hephaestus.yaml",
        "remote_repo:\n  token: ghp_supersecret123\n",
    );
    let out = run(env.cmd(["analyze", "-v"]).arg(fixture("logs/app.log")), 1);
    let all = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(
        all.contains("remote_repo.token is a literal token"),
        "{all}"
    );
    assert!(!all.contains("supersecret"), "{all}");
}

#[test]
fn the_config_is_found_from_a_subdirectory_in_the_repo_or_by_environment() {
    let env = Env::new();
    // One error: only a config asking for one trips on it.
    let log = env.write(
        "app.log",
        "2026-11-20T10:00:00Z ERROR db: connection refused\n",
    );
    let repo = env.path().join("svc");
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();
    crate::harness::git(&repo, &["init", "-q"]);
    env.write("svc/hephaestus.yaml", "log:\n  threshold_count: 1\n");
    let analyze = |dir: &std::path::Path, extra: &[&str], code: i32| {
        let mut cmd = env.cmd(["analyze"]);
        cmd.current_dir(dir).args(extra).arg(&log);
        run(&mut cmd, code)
    };
    analyze(&repo.join("src/deep"), &[], 1);
    analyze(env.path(), &[], 0);
    analyze(env.path(), &["--repo", repo.to_str().unwrap()], 1);
    let mut cmd = env.cmd(["analyze"]);
    cmd.env("HEPHAESTUS_CONFIG", repo.join("hephaestus.yaml"))
        .arg(&log);
    run(&mut cmd, 1);
    // --config wins over the one found.
    let other = env.write("other.yaml", "log:\n  threshold_count: 5\n");
    analyze(
        &repo.join("src/deep"),
        &["--config", other.to_str().unwrap()],
        0,
    );
    // A dot-file is found too.
    std::fs::rename(repo.join("hephaestus.yaml"), repo.join(".hephaestus.yaml")).unwrap();
    analyze(&repo.join("src/deep"), &[], 1);
}

#[test]
fn verbose_runs_say_first_which_config_and_repository_they_use() {
    let env = Env::new();
    let log = env.write("app.log", "2026-11-20T10:00:00Z INFO app: up\n");
    let out = run(env.cmd(["analyze", "-v"]).arg(&log), 0);
    let first = stderr(&out).lines().next().unwrap_or_default().to_owned();
    assert_eq!(
        first,
        "note: built-in defaults (no config file found), no repository: fixes off"
    );
    let repo = env.path().join("svc");
    std::fs::create_dir_all(&repo).unwrap();
    crate::harness::git(&repo, &["init", "-q"]);
    env.write("svc/hephaestus.yaml", "log:\n  threshold_count: 3\n");
    let mut cmd = env.cmd(["analyze", "-v"]);
    cmd.current_dir(&repo).arg(&log);
    let out = run(&mut cmd, 0);
    let first = stderr(&out).lines().next().unwrap_or_default().to_owned();
    let top = repo.canonicalize().unwrap();
    assert_eq!(
        first,
        format!("note: config hephaestus.yaml, repository {}", top.display())
    );
    let mut cmd = env.cmd(["analyze", "--format", "json"]);
    cmd.current_dir(&repo).arg(&log);
    let report = crate::harness::json(&run(&mut cmd, 0));
    assert_eq!(report["summary"]["config"], "hephaestus.yaml");
    assert_eq!(report["summary"]["repo"], top.display().to_string());
}
