//! Hostile and endless inputs, closed outputs: the exit code and the output stay true whatever the
//! input and the reader of our output do.

use std::path::PathBuf;

use crate::harness::{run, stdout, Env};

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
