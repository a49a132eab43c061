//! Hostile and endless inputs, closed outputs: the exit code and the output stay true whatever the
//! input and the reader of our output do.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{fixture, git, json, run, stderr, stdout, Env};

/// A log where one error repeats three times: enough to trip with the default threshold.
fn tripping_log(env: &Env, name: &str, message: &str) -> PathBuf {
    let text: String = (0..3)
        .map(|i| format!("2026-11-20T10:15:0{i}.000Z ERROR worker: {message}\n"))
        .collect();
    env.write(name, text)
}

// ---- Invisible characters are escaped on the terminal. ----

#[test]
fn zero_width_and_invisible_characters_are_shown_as_escapes() {
    let env = Env::new();
    let log = tripping_log(
        &env,
        "app.log",
        "login failed for ad\u{200b}min \u{200f}\u{2060}\u{2064}\u{feff}done",
    );
    let out = run(env.cmd(["analyze"]).arg(&log), 1);
    let text = stdout(&out);
    assert!(
        text.contains("ad\\u{200b}min \\u{200f}\\u{2060}\\u{2064}\\u{feff}done"),
        "{text}"
    );
    for c in ['\u{200b}', '\u{200f}', '\u{2060}', '\u{2064}', '\u{feff}'] {
        assert!(!text.contains(c), "raw {c:?} in:\n{text}");
    }
}

// ---- A dry run shows remote URLs without their credentials. ----

const POOL_LINE: &str = "ERROR db: connection pool exhausted (max=10)";

/// A repository with a remote whose URL is `remote`, a config with a rule fixing `POOL_LINE`, and a
/// log tripping it; returns the repository.
fn deploy_world(env: &Env, remote: &str) -> PathBuf {
    let work = env.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    env.write(
        "work/config/database.yaml",
        "pool:\n  max_connections: 10\n  timeout: 5s\n",
    );
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "init"]);
    git(&work, &["remote", "add", "origin", remote]);
    env.write(
        "hephaestus.yaml",
        format!(
            "state_dir: {}\nremote_repo:\n  provider: github\n  api_url: https://api.example.invalid/v3\n  owner: acme\n  repository: shop\n  branch: main\nrules:\n  - name: db-pool\n    match: 'connection pool exhausted \\(max=(?P<max>\\d+)\\)'\n    file: config/database.yaml\n    find: 'max_connections: \\d+'\n    replace: 'max_connections: ${{max}}0'\n",
            env.path().join("state").display()
        ),
    );
    let log: String = (0..3)
        .map(|i| format!("2026-11-24T07:0{i}:00Z {POOL_LINE}\n"))
        .collect();
    env.write("app.log", log);
    work
}

#[test]
fn deploy_mode_never_prints_credentials_of_remote_urls() {
    for remote in [
        "https://example.invalid/x.git?access_token=SECRET",
        "https://example.invalid/x.git?ref=main&private_token=SECRET&key=SECRET",
        "https://user:SECRET@example.invalid/x.git",
        "https://SECRET@example.invalid/x.git",
    ] {
        let env = Env::new();
        let work = deploy_world(&env, remote);
        for extra in [
            &[][..],
            &["-v"],
            &["--format", "json"],
            &["-vv", "--format", "json"],
        ] {
            // Deploys refuse a remote whose URL holds a password, so the preflight stops
            // the run before any log is read, naming the remote without them; the others run
            // (the unreachable remote is a warning) and show their plans.
            let refused = remote.contains(":SECRET@");
            let out = run(
                env.cmd(["analyze", "--mode", "deploy", "--dry-run", "--repo"])
                    .arg(&work)
                    .arg("app.log")
                    .args(extra)
                    .env("HEPHAESTUS_TOKEN", "tok-123"),
                if refused { 2 } else { 1 },
            );
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                all.contains("example.invalid"),
                "{remote} {extra:?}:\n{all}"
            );
            assert_eq!(
                stderr(&out).contains("holds credentials"),
                refused,
                "{remote} {extra:?}:\n{all}"
            );
            assert!(!all.contains("SECRET"), "{remote} {extra:?}:\n{all}");
            assert!(!all.contains("tok-123"), "{remote} {extra:?}:\n{all}");
            if !refused && extra.contains(&"json") {
                json(&out);
            }
        }
    }
    // An API URL with a token in its query is refused at load, and the refusal hides it.
    let env = Env::new();
    let work = deploy_world(&env, "https://example.invalid/x.git");
    let config = std::fs::read_to_string(env.path().join("hephaestus.yaml"))
        .unwrap()
        .replace(
            "api_url: https://api.example.invalid/v3\n",
            "api_url: https://api.example.invalid/v3?private_token=SECRET\n",
        );
    std::fs::write(env.path().join("hephaestus.yaml"), config).unwrap();
    let out = run(
        env.cmd(["analyze", "--mode", "deploy", "--dry-run", "--repo"])
            .arg(&work)
            .arg("app.log"),
        2,
    );
    let err = stderr(&out);
    assert!(err.contains("has a query or fragment"), "{err}");
    assert!(!err.contains("SECRET"), "{err}");
}

// ---- A closed stdout stops the printing, not the verdict. ----

/// `hephaestus ARGS` with stdout (and stderr, with `stderr_too`) a pipe whose reader is already
/// closed, as behind `| head` once head has exited: every write fails with a broken pipe.
fn exit_code_behind_closed_pipe(env: &Env, args: &[&str], stderr_too: bool) -> i32 {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("hephaestus"));
    cmd.current_dir(env.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(writer.try_clone().expect("pipe")));
    cmd.stderr(if stderr_too {
        Stdio::from(writer)
    } else {
        Stdio::null()
    });
    let status = cmd.status().expect("binary runs");
    status.code().unwrap_or(-1)
}

#[test]
fn a_closed_stdout_keeps_the_incident_exit_code() {
    let env = Env::new();
    let log = fixture("logs/app.log");
    let log = log.to_str().unwrap();
    for format in ["text", "json"] {
        for stderr_too in [false, true] {
            assert_eq!(
                exit_code_behind_closed_pipe(
                    &env,
                    &["analyze", "--format", format, log],
                    stderr_too
                ),
                1,
                "--format {format}, stderr closed too: {stderr_too}"
            );
        }
    }
    // Nothing tripped, nothing to print but the summary: still 0.
    assert_eq!(
        exit_code_behind_closed_pipe(&env, &["analyze", "--threshold-count", "4", log], true),
        0
    );
    // A missing input is still an error when nobody reads the message.
    assert_eq!(
        exit_code_behind_closed_pipe(&env, &["analyze", log, "missing.log"], true),
        2
    );
}

// ---- An input that fails part way leaves valid JSON that says so. ----

/// `text` gzipped, with bytes in the middle of the compressed stream overwritten.
fn corrupt_gzip(text: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text).unwrap();
    let mut bytes = gz.finish().unwrap();
    let middle = bytes.len() / 2;
    for b in &mut bytes[middle..middle + 64] {
        *b = 0xff;
    }
    bytes
}

#[test]
fn an_input_failing_mid_stream_still_closes_the_json_and_exits_2() {
    let env = Env::new();
    let first = tripping_log(&env, "first.log", "job failed: connection refused");
    let text: String = (0..20_000)
        .map(|i| {
            format!(
                "2026-11-20T11:00:00.000Z INFO worker: job {i} done in {} ms\n",
                i * 7 % 1000
            )
        })
        .collect();
    env.write("broken.log.gz", corrupt_gzip(text.as_bytes()));
    std::fs::create_dir(env.path().join("a-directory")).unwrap();
    let last = tripping_log(&env, "last.log", "disk full on /var");

    let out = run(
        env.cmd(["analyze", "--format", "json"])
            .arg(&first)
            .args(["broken.log.gz", "a-directory"])
            .arg(&last),
        2,
    );
    let report = json(&out);
    // The incidents of the inputs before and after the broken ones are all there.
    assert_eq!(report["summary"]["incidents"], 2, "{report:#}");
    assert_eq!(report["summary"]["inputs_failed"], 2, "{report:#}");
    let errors = report["errors"].as_array().expect("errors array");
    assert_eq!(errors.len(), 2, "{report:#}");
    assert_eq!(errors[0]["input"], "broken.log.gz");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("failed to read 'broken.log.gz': "),
        "{message}"
    );
    assert_eq!(errors[1]["input"], "a-directory");
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .starts_with("failed to read 'a-directory': "),
        "{report:#}"
    );
    // And stderr says it too, one line each.
    let err = stderr(&out);
    assert!(
        err.contains("error: failed to read 'broken.log.gz': "),
        "{err}"
    );
    assert!(
        err.contains("error: failed to read 'a-directory': "),
        "{err}"
    );

    // Text: the same errors, the summary counts them, exit 2.
    let out = run(
        env.cmd(["analyze"])
            .arg(&first)
            .args(["broken.log.gz", "a-directory"])
            .arg(&last),
        2,
    );
    assert!(
        stdout(&out).contains("2 inputs not read to the end (error)"),
        "{}",
        stdout(&out)
    );
}

// ---- Budgets: endless inputs end, bombs are stopped. ----

#[test]
fn max_bytes_stops_an_input_at_its_budget_and_the_run_goes_on() {
    let env = Env::new();
    // 2 MB of quiet lines, then an error that trips: beyond a 1MB budget.
    let mut text: String = (0..40_000)
        .map(|i| format!("2026-11-20T11:00:00.000Z INFO worker: job {i:06} done\n"))
        .collect();
    assert!(text.len() > 1_500_000);
    for i in 0..3 {
        text.push_str(&format!(
            "2026-11-20T11:00:0{i}.000Z ERROR worker: late failure\n"
        ));
    }
    let big = env.write("big.log", &text);
    let next = tripping_log(&env, "next.log", "job failed: connection refused");

    run(env.cmd(["analyze"]).arg(&big), 1);
    let out = run(env.cmd(["analyze", "--max-bytes", "1MB"]).arg(&big), 0);
    let err = stderr(&out);
    assert!(
        err.contains(
            "warning: stopped reading 'big.log' after 1MB, its byte budget (--max-bytes); the rest of it is not analysed"
        ) || err.contains(&format!(
            "warning: stopped reading '{}' after 1MB, its byte budget",
            big.display()
        )),
        "{err}"
    );
    let text_out = stdout(&out);
    assert!(
        text_out.contains("1 input read only up to its byte budget"),
        "{text_out}"
    );

    // The next input is read whole; the JSON counts and names the stopped one.
    let out = run(
        env.cmd(["analyze", "--max-bytes", "1MB", "--format", "json"])
            .arg(&big)
            .arg(&next),
        1,
    );
    let report = json(&out);
    assert_eq!(report["summary"]["inputs_stopped"], 1, "{report:#}");
    assert_eq!(report["summary"]["incidents"], 1, "{report:#}");
    // The whole lines within the first 1MB of big.log (the one cut by the budget is left out),
    // and the 3 of next.log.
    let per_line = text.lines().next().unwrap().len() + 1;
    assert_eq!(
        report["summary"]["lines"],
        (1_000_000 / per_line + 3) as u64,
        "{report:#}"
    );
    assert_eq!(report["stopped"][0]["bytes"], 1_000_000, "{report:#}");
    assert!(report.get("errors").is_none(), "{report:#}");

    // The binary forms, and a size that is no size.
    run(env.cmd(["analyze", "--max-bytes", "1GiB"]).arg(&big), 1);
    let out = run(env.cmd(["analyze", "--max-bytes", "10XB"]).arg(&big), 2);
    assert!(
        stderr(&out).contains("--max-bytes: invalid size '10XB'"),
        "{}",
        stderr(&out)
    );
}

/// Fails the test if `cmd` is still running after a bound far beyond what it needs: a guard
/// against an endless read, not a measure of speed.
fn within_guard(cmd: &mut assert_cmd::Command, code: i32) -> std::process::Output {
    cmd.timeout(Duration::from_secs(120));
    let started = Instant::now();
    let out = run(cmd, code);
    assert!(started.elapsed() < Duration::from_secs(120));
    out
}

#[test]
fn dev_zero_ends_at_its_budget_and_the_next_input_is_read() {
    let env = Env::new();
    let next = tripping_log(&env, "next.log", "job failed: connection refused");
    let out = within_guard(
        env.cmd(["analyze", "--max-bytes", "8MiB", "/dev/zero"])
            .arg(&next),
        1,
    );
    assert!(
        stderr(&out).contains(
            "warning: stopped reading '/dev/zero' after 8MiB, its byte budget (--max-bytes)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).contains("1 incident"), "{}", stdout(&out));

    // A device has a budget even when none is given.
    let out = within_guard(&mut env.cmd(["analyze", "/dev/zero"]), 0);
    assert!(
        stderr(&out).contains(
            "warning: stopped reading '/dev/zero' after 1GiB: it is a device that may never end"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_gzip_bomb_is_stopped_with_a_clear_message() {
    let env = Env::new();
    // 200 gzip members of 1 MiB of zeros each: 200 MiB from a file of about 200 KB.
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&vec![0u8; 1 << 20]).unwrap();
    let member = member.finish().unwrap();
    let bomb: Vec<u8> = member.repeat(200);
    assert!(bomb.len() < 1 << 20);
    env.write("bomb.log.gz", &bomb);
    let next = tripping_log(&env, "next.log", "job failed: connection refused");

    let out = within_guard(
        env.cmd(["analyze", "--format", "json", "bomb.log.gz"])
            .arg(&next),
        2,
    );
    let report = json(&out);
    let message = report["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("stopped reading 'bomb.log.gz': it decompressed to ")
            && message.contains("more than 100 times its size"),
        "{report:#}"
    );
    // Far less than the 200 MiB it holds was read.
    let read = report["errors"][0]["bytes"].as_u64().unwrap();
    assert!(read < 64 << 20, "{report:#}");
    assert_eq!(report["summary"]["incidents"], 1, "{report:#}");
    assert!(
        stderr(&out).contains("error: stopped reading 'bomb.log.gz': it decompressed to "),
        "{}",
        stderr(&out)
    );

    // A real log that compresses well is read whole.
    let text: String = (0..50_000)
        .map(|i| format!("2026-11-20T11:00:00.000Z INFO worker: job {i} done\n"))
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(text.as_bytes()).unwrap();
    env.write("fine.log.gz", gz.finish().unwrap());
    let out = run(env.cmd(["analyze", "--format", "json", "fine.log.gz"]), 0);
    assert_eq!(json(&out)["summary"]["lines"], 50_000);
}

// ---- Hostile configs are refused before the YAML parser sees them. ----

/// `analyze --config NAME` with `text` as the config: exit 2 and stderr, which must be one line.
fn refused_config(env: &Env, name: &str, text: &[u8]) -> String {
    env.write(name, text);
    let log = tripping_log(env, "app.log", "job failed");
    let out = within_guard(env.cmd(["analyze", "--config", name]).arg(&log), 2);
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    err.trim_end().to_owned()
}

#[test]
fn a_huge_config_is_refused_without_being_read_whole() {
    let env = Env::new();
    let mut text = b"log:\n  threshold_count: 3\n".to_vec();
    text.resize(50_000_000, b'#');
    assert_eq!(
        refused_config(&env, "huge.yaml", &text),
        "error: refusing config 'huge.yaml': it is larger than 1MiB"
    );
}

#[test]
fn a_deeply_nested_config_is_refused() {
    let env = Env::new();
    let flow = format!("log: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        refused_config(&env, "flow.yaml", flow.as_bytes()),
        "error: refusing config 'flow.yaml': line 1: nesting deeper than 64 levels"
    );
    let block: String = (0..100)
        .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
        .collect();
    assert_eq!(
        refused_config(&env, "block.yaml", block.as_bytes()),
        "error: refusing config 'block.yaml': line 65: nesting deeper than 64 levels"
    );
}

#[test]
fn yaml_aliases_are_refused_so_a_billion_laughs_cannot_expand() {
    let env = Env::new();
    let mut laughs = String::from(
        "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for (i, name) in "bcdefghi".chars().enumerate() {
        let prev = (b'a' + i as u8) as char;
        let refs = vec![format!("*{prev}"); 9].join(", ");
        laughs.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    assert_eq!(
        refused_config(&env, "laughs.yaml", laughs.as_bytes()),
        "error: refusing config 'laughs.yaml': line 2: YAML aliases (*name) are not supported; write the value out"
    );
    // A star inside a value is text, not an alias.
    env.write(
        "stars.yaml",
        "log:\n  threshold_level: error # *not an alias*\nrules:\n  - name: star\n    match: 'a*b [x]'\n    file: config/x.yaml\n    find: x* [y]\n    replace: \"*\"\n",
    );
    run(
        env.cmd(["analyze", "--config", "stars.yaml"])
            .arg(tripping_log(&env, "plain.log", "job failed")),
        1,
    );
}

#[test]
fn a_config_with_thousands_of_wrong_keys_lists_twenty_and_counts_the_rest() {
    let env = Env::new();
    let text: String = (0..50_000).map(|i| format!("key{i}: 1\n")).collect();
    env.write("keys.yaml", text);
    let log = tripping_log(&env, "app.log", "job failed");
    let out = within_guard(env.cmd(["analyze", "--config", "keys.yaml"]).arg(&log), 2);
    let err = stderr(&out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 22, "{err}");
    assert_eq!(lines[0], "error: invalid config 'keys.yaml':");
    assert_eq!(lines[1], "  keys.yaml:1: key0: unknown key 'key0'");
    assert_eq!(lines[21], "  keys.yaml: … and 49980 more problems");
}
