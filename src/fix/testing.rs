//! Test support: a real git repository in a temp dir and incidents built from real trace text.

use std::sync::Arc;
use std::time::Duration;

use tempfile::TempDir;

use super::{FixSettings, Fixer, Solution};
use crate::parse::{Level, LogEntry};
use crate::pattern::{trace, Fingerprint};
use crate::threshold::Incident;

/// A git repository with `files` committed at HEAD.
pub fn repo(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path()).unwrap();
    commit(&dir, files);
    dir
}

/// Write `files` into the repository at `dir` and commit everything on top of HEAD.
pub fn commit(dir: &TempDir, files: &[(&str, &str)]) {
    let repo = git2::Repository::open(dir.path()).unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let mut index = repo.index().unwrap();
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .unwrap();
    index.write().unwrap();
    let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
    let sig = git2::Signature::now("t", "t@example.invalid").unwrap();
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(Some("HEAD"), &sig, &sig, "change", &tree, &parents)
        .unwrap();
}

/// An incident whose entry is `message`, with the trace the pattern stage extracts from it.
pub fn incident(message: &str) -> Incident {
    let entry = LogEntry {
        source: Arc::from("test.log"),
        line: 1,
        offset: 0,
        timestamp: None,
        level: Some(Level::Error),
        message: message.to_string(),
        fields: Default::default(),
        format: None,
        level_from_crash: false,
    };
    Incident {
        fingerprint: Fingerprint {
            id: "f00d".into(),
            error_type: "test-error".into(),
        },
        pattern: "p".into(),
        template: message.lines().next().unwrap_or("").into(),
        level: Level::Error,
        count: 1,
        window: Duration::from_secs(300),
        first: None,
        last: None,
        trace: trace::extract(message),
        entry,
        rules: Vec::new(),
    }
}

/// Run the fix stage on `message` against a repository holding `files`.
pub fn propose(files: &[(&str, &str)], message: &str) -> (Vec<Solution>, Vec<String>) {
    propose_with(files, message, |_| {})
}

pub fn propose_with(
    files: &[(&str, &str)],
    message: &str,
    tweak: impl FnOnce(&mut FixSettings),
) -> (Vec<Solution>, Vec<String>) {
    let dir = repo(files);
    let mut settings = settings(&dir);
    tweak(&mut settings);
    let mut fixer = Fixer::new(settings);
    let solutions = fixer.propose(&incident(message));
    (solutions, fixer.take_notes())
}

/// The fix stage's settings of the tests, on the repository at `dir`.
pub fn settings(dir: &TempDir) -> FixSettings {
    FixSettings {
        repo: Some(dir.path().to_path_buf()),
        verify_timeout: Duration::from_secs(30),
        ..FixSettings::default()
    }
}

/// The `+` lines of a diff, without the `+++` header.
pub fn added(diff: &str) -> Vec<String> {
    diff.lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(|l| l[1..].to_string())
        .collect()
}

/// A one-frame Python traceback at line `no` of `app.py` (in `run`), showing that line of `src`
/// and ending in `exception` (`TypeError: …`).
pub fn python_trace(src: &str, no: u32, exception: &str) -> String {
    let line = src.lines().nth(no as usize - 1).expect("the line exists");
    format!(
        "Traceback (most recent call last):\n  File \"/srv/app.py\", line {no}, in run\n    {}\n{exception}\n",
        line.trim()
    )
}

/// The lines each solution adds for `python_trace(files[0], no, exception)`, and the notes.
pub fn python_added(
    files: &[(&str, &str)],
    no: u32,
    exception: &str,
) -> (Vec<String>, Vec<String>) {
    let (sols, notes) = propose(files, &python_trace(files[0].1, no, exception));
    (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
}
