//! Hostile and endless inputs, closed outputs: the exit code and the output stay true whatever the
//! input and the reader of our output do.

use std::path::PathBuf;

use crate::harness::{git, json, run, stderr, stdout, Env};

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
            "state_dir: {}\nremote_repo:\n  provider: github\n  api_url: https://api.example.invalid/v3?private_token=SECRET\n  owner: acme\n  repository: shop\n  branch: main\nrules:\n  - name: db-pool\n    match: 'connection pool exhausted \\(max=(?P<max>\\d+)\\)'\n    file: config/database.yaml\n    find: 'max_connections: \\d+'\n    replace: 'max_connections: ${{max}}0'\n",
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
fn dry_run_never_prints_credentials_of_remote_urls() {
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
            let out = run(
                env.cmd(["analyze", "--mode", "deploy", "--dry-run", "--repo"])
                    .arg(&work)
                    .arg("app.log")
                    .args(extra)
                    .env("HEPHAESTUS_TOKEN", "tok-123"),
                1,
            );
            let all = format!("{}{}", stdout(&out), stderr(&out));
            assert!(
                all.contains("example.invalid"),
                "{remote} {extra:?}:\n{all}"
            );
            assert!(!all.contains("SECRET"), "{remote} {extra:?}:\n{all}");
            assert!(!all.contains("tok-123"), "{remote} {extra:?}:\n{all}");
            if extra.contains(&"json") {
                json(&out);
            }
        }
    }
}
