//! Speed work changes no output: every input of `fixtures/same-output/inputs` gives, byte for byte,
//! what the binary recorded in `fixtures/same-output/golden/` printed (`make-golden` there records a
//! binary; its README says which).

use std::path::Path;

use crate::harness::{fixture, Env};

/// Inputs matching `pattern`, a path under `fixtures/` whose last component may be `*.log`.
fn expand(pattern: &str) -> Vec<String> {
    let Some(dir) = pattern.strip_suffix("/*.log") else {
        return vec![pattern.to_owned()];
    };
    let mut names: Vec<String> = std::fs::read_dir(fixture(dir))
        .unwrap_or_else(|e| panic!("fixtures/{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".log"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    names.sort();
    names
}

fn args(mode: &str) -> &'static [&'static str] {
    match mode {
        "analyze" => &["analyze", "--format", "json", "-q", "input.log"],
        "patterns" => &["patterns", "--format", "json", "input.log"],
        "raw" => &[
            "patterns",
            "--raw",
            "--per-line",
            "--format",
            "json",
            "input.log",
        ],
        other => panic!("fixtures/same-output/inputs: unknown mode {other}"),
    }
}

/// Where `got` and `want` first differ, with a line of context, for a failure message.
fn first_difference(got: &str, want: &str) -> String {
    let (g, w): (Vec<_>, Vec<_>) = (got.lines().collect(), want.lines().collect());
    let at = g
        .iter()
        .zip(&w)
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    format!(
        "line {}: got {:?}, want {:?} ({} lines against {})",
        at + 1,
        g.get(at).unwrap_or(&"<end>"),
        w.get(at).unwrap_or(&"<end>"),
        g.len(),
        w.len()
    )
}

#[test]
fn every_recorded_input_prints_what_it_printed_before() {
    let list = std::fs::read_to_string(fixture("same-output/inputs")).unwrap();
    let mut checked = 0;
    let mut differ = Vec::new();
    for line in list.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (mode, pattern) = line.split_once(char::is_whitespace).unwrap();
        for rel in expand(pattern.trim()) {
            let env = Env::new();
            std::fs::copy(fixture(&rel), env.path().join("input.log")).unwrap();
            let out = env.cmd(args(mode)).output().unwrap();
            let golden =
                Path::new("same-output/golden").join(format!("{}.{mode}", rel.replace('/', "_")));
            let want = std::fs::read_to_string(fixture(golden.to_str().unwrap()))
                .unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
            let got = String::from_utf8_lossy(&out.stdout);
            if got != want {
                differ.push(format!("{mode} {rel}: {}", first_difference(&got, &want)));
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} inputs listed");
    assert!(
        differ.is_empty(),
        "{} of {checked} outputs changed:\n{}",
        differ.len(),
        differ.join("\n")
    );
}
