//! Validation: apply a draft's edits to the HEAD contents in memory, check the result and render
//! the diff. What runs on a copy of the patched tree (compilers, `fix.verify`, `fix.reproduce`) is
//! the ladder in [`verify`](super::verify).
//!
//! Invariants: the working tree and the index are never touched (contents come from the HEAD
//! tree); an edit of a file that is not a tracked regular file is refused, so a patch cannot reach
//! outside the repository (trees hold no `..` and symlinks are not listed).

use std::collections::BTreeMap;
use std::path::Path;

use super::diff;
use super::edit::{self, Edit};
use super::repo::Snapshot;
use super::FixError;

/// A patch that applies to HEAD and keeps structured files parseable.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Changed files, sorted, relative to the repository root.
    pub files: Vec<String>,
    /// New contents by file.
    pub patched: BTreeMap<String, String>,
    pub diff: String,
    /// Files re-parsed after the change (YAML, JSON, TOML).
    pub reparsed: Vec<String>,
}

/// Apply `edits` to HEAD in memory and check the result.
pub fn check(repo: &Snapshot, edits: &[Edit]) -> Result<Checked, FixError> {
    let mut by_file: BTreeMap<&str, Vec<Edit>> = BTreeMap::new();
    for e in edits {
        by_file.entry(e.file.as_str()).or_default().push(e.clone());
    }
    let mut patched = BTreeMap::new();
    let mut diff_text = String::new();
    let mut reparsed = Vec::new();
    for (file, edits) in by_file {
        if !super::rules::inside_repo(file) || !repo.contains(file) {
            return Err(FixError::NotTracked(file.to_string()));
        }
        let old = repo
            .read(file)
            .ok_or_else(|| FixError::NotTracked(file.to_string()))?;
        let new = edit::apply(&old, &edits)?;
        if new == old {
            continue;
        }
        if let Some(kind) = structured(file) {
            // A file that did not parse before is not made worse by the change; one that did must
            // still parse.
            if parse(kind, &old).is_ok() {
                parse(kind, &new).map_err(|reason| FixError::Unparseable {
                    file: file.to_string(),
                    reason,
                })?;
                reparsed.push(file.to_string());
            }
        }
        diff_text.push_str(&diff::unified(file, &old, &new));
        patched.insert(file.to_string(), new);
    }
    if patched.is_empty() {
        return Err(FixError::NoChange);
    }
    Ok(Checked {
        files: patched.keys().cloned().collect(),
        patched,
        diff: diff_text,
        reparsed,
    })
}

#[derive(Clone, Copy)]
enum Structured {
    Json,
    Yaml,
    Toml,
}

fn structured(file: &str) -> Option<Structured> {
    let ext = Path::new(file).extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "json" => Some(Structured::Json),
        "yaml" | "yml" => Some(Structured::Yaml),
        "toml" => Some(Structured::Toml),
        _ => None,
    }
}

fn parse(kind: Structured, text: &str) -> Result<(), String> {
    match kind {
        Structured::Json => serde_json::from_str::<serde_json::Value>(text)
            .map(drop)
            .map_err(|e| e.to_string()),
        Structured::Yaml => {
            use serde::Deserialize;
            // Multi-document files are valid YAML too.
            for doc in serde_yaml::Deserializer::from_str(text) {
                serde_yaml::Value::deserialize(doc).map_err(|e| e.to_string())?;
            }
            Ok(())
        }
        Structured::Toml => toml::from_str::<toml::Table>(text)
            .map(drop)
            .map_err(|e| e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::repo;

    fn edit(file: &str, line: u32, old: &str, new: &str) -> Edit {
        Edit {
            file: file.into(),
            line,
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn structured_files_must_still_parse() {
        let dir = repo(&[
            ("a.yaml", "max: 10\nname: x\n"),
            ("b.json", "{\"max\": 10}\n"),
            ("c.toml", "max = 10\n"),
        ]);
        let snap = Snapshot::open(dir.path()).unwrap();
        let ok = check(&snap, &[edit("a.yaml", 1, "max: 10\n", "max: 50\n")]).unwrap();
        assert_eq!(ok.reparsed, vec!["a.yaml"]);
        assert!(ok.diff.contains("-max: 10\n+max: 50\n"));
        for (file, old, new) in [
            ("a.yaml", "max: 10\n", "max: [50\n"),
            ("b.json", "{\"max\": 10}\n", "{\"max\": 10,}\n"),
            ("c.toml", "max = 10\n", "max = = 10\n"),
        ] {
            assert!(
                matches!(
                    check(&snap, &[edit(file, 1, old, new)]),
                    Err(FixError::Unparseable { .. })
                ),
                "{file}"
            );
        }
    }

    #[test]
    fn refuses_untracked_files_stale_lines_and_no_ops() {
        let dir = repo(&[("a.py", "x = 1\n")]);
        std::fs::write(dir.path().join("new.py"), "y = 2\n").unwrap();
        let snap = Snapshot::open(dir.path()).unwrap();
        assert!(matches!(
            check(&snap, &[edit("new.py", 1, "y = 2\n", "y = 3\n")]),
            Err(FixError::NotTracked(_))
        ));
        assert!(matches!(
            check(&snap, &[edit("../a.py", 1, "x = 1\n", "x = 2\n")]),
            Err(FixError::NotTracked(_))
        ));
        assert!(matches!(
            check(&snap, &[edit("a.py", 1, "x = 9\n", "x = 2\n")]),
            Err(FixError::Stale { .. })
        ));
        assert!(matches!(
            check(&snap, &[edit("a.py", 1, "x = 1\n", "x = 1\n")]),
            Err(FixError::NoChange)
        ));
    }
}
