//! Snapshots of what users read: the help of every command and the text reports, with what varies
//! between runs (elapsed time, paths) replaced by placeholders. After an intended change, rewrite
//! them with `INSTA_UPDATE=always cargo test --test integration snapshots` and read the diff.

use std::process::Output;

use crate::harness::{fixture, run, stderr, stdout, Env};

/// Filters for a run in `env`: its temp dir, the checkout, and the summary's elapsed time.
fn settings(env: &Env) -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(&regex::escape(&env.path().to_string_lossy()), "[TEMP]");
    settings.add_filter(&regex::escape(env!("CARGO_MANIFEST_DIR")), "[ROOT]");
    settings.add_filter(r"(?m) in [0-9]+(\.[0-9]+)?(ns|µs|ms|s)$", " in [ELAPSED]");
    settings
}

/// The terminal as a user sees it: stdout, then stderr if any. NO_COLOR is set, so no escapes.
fn screen(output: &Output) -> String {
    let (out, err) = (stdout(output), stderr(output));
    for (name, text) in [("stdout", &out), ("stderr", &err)] {
        assert!(!text.contains('\x1b'), "escape sequence on {name}:\n{text}");
    }
    if err.is_empty() {
        out
    } else {
        format!("{out}--- stderr ---\n{err}")
    }
}

#[test]
fn help_of_every_command() {
    let env = Env::new();
    let settings = settings(&env);
    for command in [
        None,
        Some("analyze"),
        Some("watch"),
        Some("patterns"),
        Some("init"),
        Some("completions"),
        Some("man"),
    ] {
        let args: Vec<&str> = command.into_iter().chain(["--help"]).collect();
        let text = screen(&run(env.cmd(&args), 0));
        let name = format!("help_{}", command.unwrap_or("hephaestus"));
        settings.bind(|| insta::assert_snapshot!(name, text));
    }
}

#[test]
fn analyze_text_report() {
    let env = Env::new();
    let text = screen(&run(env.cmd(["analyze"]).arg(fixture("logs/app.log")), 1));
    settings(&env).bind(|| insta::assert_snapshot!(text));
}

#[test]
fn patterns_table() {
    let env = Env::new();
    let text = screen(&run(env.cmd(["patterns"]).arg(fixture("logs/app.log")), 0));
    settings(&env).bind(|| insta::assert_snapshot!(text));
}

/// Every message a hand-edited config commonly earns, one run each.
#[test]
fn config_error_messages() {
    let env = Env::new();
    let mut all = String::new();
    for (name, yaml) in [
        (
            "a word where a number belongs",
            "log:\n  threshold_count: three\n",
        ),
        (
            "items after an empty list",
            "formats: []\n  - name: myapp\n    regex: '^(?P<message>.*)$'\n",
        ),
        (
            "a list where text belongs",
            "log:\n  threshold_level: [error]\n",
        ),
        (
            "a mapping where a list belongs",
            "rules:\n  name: db-pool\n",
        ),
        ("a misspelt key", "log:\n  threshold_cont: 3\n"),
        (
            "an ignore naming two things",
            "ignore:\n  - template: 'x'\n    match: 'y'\n",
        ),
    ] {
        let config = env.write("hephaestus.yaml", yaml);
        let out = run(
            env.cmd(["analyze", "--config"])
                .arg(&config)
                .arg(fixture("logs/app.log")),
            2,
        );
        all.push_str(&format!("# {name}\n{}\n", screen(&out)));
    }
    let out = run(
        env.cmd(["analyze", "--config", "missing.yaml"])
            .arg(fixture("logs/app.log")),
        2,
    );
    all.push_str(&format!("# a config that is not there\n{}\n", screen(&out)));
    settings(&env).bind(|| insta::assert_snapshot!(all));
}

/// The text report of a crash incident with its trace.
#[test]
fn crash_incident_text_report() {
    let env = Env::new();
    let text = screen(&run(
        env.cmd(["analyze"]).arg(fixture("multiline/python.log")),
        1,
    ));
    settings(&env).bind(|| insta::assert_snapshot!(text));
}
