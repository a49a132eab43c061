//! `patterns`: templates, per-line JSON, params, id stability, masks and the pattern cap.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::harness::{fixture, json, run, stdout, Env};

const SAMPLE: &str = "patterns/loghub-sample.log";

fn per_line(env: &Env, file: &std::path::Path, extra: &[&str]) -> Vec<Value> {
    let out = run(
        env.cmd(["patterns", "--raw", "--per-line", "--format", "json"])
            .args(extra)
            .arg(file),
        0,
    );
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The template with each `<*>` replaced by its param, in order.
fn fill(template: &str, params: &[Value]) -> String {
    let mut out = String::new();
    let mut parts = template.split("<*>");
    out.push_str(parts.next().unwrap_or(""));
    for (part, param) in parts.zip(params) {
        out.push_str(param.as_str().expect("params are strings"));
        out.push_str(part);
    }
    out
}

#[test]
fn per_line_json_has_one_object_per_line_with_the_documented_shape() {
    let env = Env::new();
    let file = fixture(SAMPLE);
    let lines = std::fs::read_to_string(&file).unwrap();
    let objects = per_line(&env, &file, &[]);
    assert_eq!(objects.len(), lines.lines().count());
    for (i, o) in objects.iter().enumerate() {
        let keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "{o}");
        assert_eq!(o["line"], (i + 1) as u64, "{o}");
        let id = o["pattern"].as_str().unwrap();
        assert!(
            id.len() == 16 && id.bytes().all(|c| c.is_ascii_hexdigit()),
            "{o}"
        );
        assert!(o["template"].is_string() && o["params"].is_array(), "{o}");
    }
}

#[test]
fn params_fill_the_template_back_into_the_message() {
    let env = Env::new();
    let file = fixture(SAMPLE);
    let text = std::fs::read_to_string(&file).unwrap();
    let objects = per_line(&env, &file, &[]);
    for (line, o) in text.lines().zip(&objects) {
        let template = o["template"].as_str().unwrap();
        let params = o["params"].as_array().unwrap();
        assert_eq!(template.matches("<*>").count(), params.len(), "{o}");
        assert_eq!(collapse(&fill(template, params)), collapse(line), "{o}");
    }
}

#[test]
fn lines_of_one_event_share_a_pattern_and_events_differ() {
    let env = Env::new();
    let objects = per_line(&env, &fixture(SAMPLE), &[]);
    let mut by_template: HashMap<&str, HashSet<&str>> = HashMap::new();
    for o in &objects {
        by_template
            .entry(o["template"].as_str().unwrap())
            .or_default()
            .insert(o["pattern"].as_str().unwrap());
    }
    // One id per template and one template per id.
    assert!(by_template.values().all(|ids| ids.len() == 1));
    let ids: HashSet<&str> = objects
        .iter()
        .map(|o| o["pattern"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), by_template.len());

    let template_of = |n: usize| objects[n - 1]["template"].as_str().unwrap();
    // Sample lines 6 and 13 (different users and ports) are one event; 1 and 2 are two.
    assert_eq!(
        template_of(6),
        "Failed password for invalid user <*> from <*> port <*> ssh2"
    );
    assert_eq!(template_of(6), template_of(13));
    assert_eq!(
        template_of(1),
        "reverse mapping checking getaddrinfo for <*> [<*>] failed - POSSIBLE BREAK-IN ATTEMPT!"
    );
    assert_eq!(template_of(2), "Invalid user <*> from <*>");
    let receiving: Vec<&Value> = objects
        .iter()
        .filter(|o| o["template"] == "Receiving block <*> src: <*>:<*> dest: <*>:<*>")
        .collect();
    assert!(
        receiving.len() >= 2,
        "HDFS receiving lines share one template"
    );
}

#[test]
fn ids_are_stable_across_runs_and_stdin_gives_the_same_answer() {
    let env = Env::new();
    let file = fixture(SAMPLE);
    let first = per_line(&env, &file, &[]);
    let second = per_line(&env, &file, &[]);
    assert_eq!(first, second);

    let out = run(
        env.cmd(["patterns", "--raw", "--per-line", "--format", "json", "-"])
            .write_stdin(std::fs::read(&file).unwrap()),
        0,
    );
    let from_stdin: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(from_stdin, first);
}

#[test]
fn every_line_gets_the_final_template_of_its_cluster() {
    let env = Env::new();
    let file = env.write(
        "users.log",
        "session opened for user alice\nsession opened for user bob\nsession opened for user carol\n",
    );
    let objects = per_line(&env, &file, &[]);
    for o in &objects {
        assert_eq!(o["template"], "session opened for user <*>", "{o}");
    }
    assert_eq!(objects[0]["params"], serde_json::json!(["alice"]));
}

#[test]
fn built_in_masks_can_be_turned_off_and_user_masks_added() {
    let env = Env::new();
    let file = fixture("patterns/app.log");
    let masked = per_line(&env, &file, &[]);
    let template =
        |objects: &[Value], n: usize| objects[n - 1]["template"].as_str().unwrap().to_owned();
    assert_eq!(
        template(&masked, 4),
        "connection to <*>:<*> refused (attempt <*>)"
    );
    assert_eq!(template(&masked, 5), "request <*> finished in <*>");
    assert_eq!(template(&masked, 6), "cache miss for key U-<*> at <*>");

    let config = env.write(
        "hephaestus.yaml",
        "patterns:\n  masks: []\n  extra_masks:\n    - name: order\n      regex: 'ORD-[0-9A-Z]+'\n",
    );
    let config = config.to_str().unwrap();
    let custom = per_line(&env, &file, &["--config", config]);
    assert_eq!(
        template(&custom, 4),
        "connection to 10.0.0.7:5432 refused (attempt 3)"
    );
    assert_eq!(template(&custom, 3), "order <*> shipped to bob@example.org");
}

#[test]
fn unknown_mask_names_are_rejected_with_the_list() {
    let env = Env::new();
    env.write("hephaestus.yaml", "patterns:\n  masks: [numbr]\n");
    let out = run(
        env.cmd(["patterns", "--raw"])
            .arg(fixture("patterns/app.log")),
        2,
    );
    let err = crate::harness::stderr(&out);
    assert!(
        err.contains("unknown mask 'numbr'") && err.contains("uuid"),
        "{err}"
    );
}

#[test]
fn the_pattern_cap_bounds_what_is_kept() {
    let env = Env::new();
    let mut text = String::new();
    for i in 0..60 {
        let word: String = (0..5)
            .map(|k| char::from(b'a' + ((i * 7 + k * 3) % 26) as u8))
            .collect();
        text.push_str(&format!("{word} {word} happened here\n"));
    }
    let file = env.write("many.log", text);
    env.write("hephaestus.yaml", "patterns:\n  max_patterns: 5\n");
    let out = run(
        env.cmd(["patterns", "--raw", "--format", "json"])
            .arg(&file),
        0,
    );
    let report = json(&out);
    let patterns = report["patterns"].as_array().unwrap();
    assert!(!patterns.is_empty() && patterns.len() <= 5, "{report:#}");
    // Per-line output still answers for every line, evicted or not.
    assert_eq!(per_line(&env, &file, &[]).len(), 60);
}
