//! What the fallback keeps in the state directory: answers by (fingerprint, hash of the code
//! sent), so that the same crash on the next run, or on another host sharing the directory, costs
//! no call; and the time of each call, for the hourly cap.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use xxhash_rust::xxh3::xxh3_128;

/// Subdirectory of the state directory.
const DIR: &str = "llm";
const CALLS: &str = "calls";

/// The cache key of an incident's request: its fingerprint, the model and the code windows sent
/// (the log sample, whose timestamps change from run to run, is left out).
pub fn key(fingerprint: &str, model: &str, windows: &[(String, String)]) -> String {
    let mut text = format!("{fingerprint}\0{model}\0");
    for (path, window) in windows {
        text.push_str(path);
        text.push('\0');
        text.push_str(window);
        text.push('\0');
    }
    format!("{:032x}", xxh3_128(text.as_bytes()))
}

fn answer_path(state: &Path, key: &str) -> PathBuf {
    state.join(DIR).join(format!("answer-{key}.txt"))
}

/// The answer kept for `key`, if any.
pub fn cached(state: &Path, key: &str) -> Option<String> {
    std::fs::read_to_string(answer_path(state, key)).ok()
}

/// Keep `content` as the answer for `key`; a failure to write only costs a call next time.
pub fn keep(state: &Path, key: &str, content: &str) {
    let _ = crate::state_dir::write_atomically(&answer_path(state, key), content.as_bytes());
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Calls made in the last hour, by every host sharing the directory.
pub fn calls_last_hour(state: &Path) -> usize {
    let since = now().saturating_sub(3600);
    std::fs::read_to_string(state.join(DIR).join(CALLS))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .filter(|&t| t > since)
        .count()
}

/// Count a call now; the file keeps only the last hour's.
pub fn count_call(state: &Path) -> std::io::Result<()> {
    let dir = state.join(DIR);
    crate::state_dir::create_dir(&dir)?;
    let path = dir.join(CALLS);
    let since = now().saturating_sub(3600);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let stale = old
        .lines()
        .filter_map(|l| l.trim().parse::<u64>().ok())
        .any(|t| t <= since);
    if stale {
        let kept: String = old
            .lines()
            .filter(|l| l.trim().parse::<u64>().is_ok_and(|t| t > since))
            .map(|l| format!("{l}\n"))
            .collect();
        crate::state_dir::write_atomically(&path, kept.as_bytes())?;
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    writeln!(file, "{}", now())
}

/// Append the request sent for `fingerprint` and what came back to `llm-audit.jsonl`; the key
/// is never in it (it travels in a header). A failure to write is not the run's failure.
pub fn audit(
    state: &Path,
    fingerprint: &str,
    request: &serde_json::Value,
    answer: &Result<String, String>,
) {
    let line = serde_json::json!({
        "time": now(),
        "fingerprint": fingerprint,
        "request": request,
        "answer": answer.as_ref().ok(),
        "error": answer.as_ref().err(),
    });
    let _ = crate::state_dir::create_dir(state).and_then(|()| {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(state.join("llm-audit.jsonl"))?;
        writeln!(file, "{line}")
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_by_key_and_calls_by_hour() {
        let dir = tempfile::tempdir().unwrap();
        let windows = vec![("a.py".to_string(), "x = 1".to_string())];
        let k = key("fp", "m", &windows);
        assert_ne!(k, key("fp", "m", &[("a.py".into(), "x = 2".into())]));
        assert_ne!(k, key("fp2", "m", &windows));
        assert_eq!(cached(dir.path(), &k), None);
        keep(dir.path(), &k, "{\"abstain\": \"x\"}");
        assert_eq!(
            cached(dir.path(), &k).as_deref(),
            Some("{\"abstain\": \"x\"}")
        );
        assert_eq!(calls_last_hour(dir.path()), 0);
        count_call(dir.path()).unwrap();
        count_call(dir.path()).unwrap();
        assert_eq!(calls_last_hour(dir.path()), 2);
        std::fs::write(dir.path().join("llm/calls"), "5\n").unwrap();
        count_call(dir.path()).unwrap();
        assert_eq!(calls_last_hour(dir.path()), 1);
    }
}
