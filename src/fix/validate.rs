//! Validation: apply a draft's edits to the HEAD contents in memory, check the result, render the
//! diff, and optionally run the user's `fix.verify` command on a copy of HEAD with the patch.
//!
//! Invariants: the working tree and the index are never touched (contents come from the HEAD
//! tree, the verify copy lives in a temporary directory that is removed afterwards); an edit of a
//! file that is not a tracked regular file is refused, so a patch cannot reach outside the
//! repository (trees hold no `..` and symlinks are not listed).

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

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

/// How a verify run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// Non-zero exit (or killed by a signal); the tail of its output.
    Failed {
        status: String,
        output: String,
    },
    TimedOut,
}

/// Run `command` with `sh -c` in a fresh copy of HEAD with `patched` written over it.
pub fn verify(
    repo: &Snapshot,
    patched: &BTreeMap<String, String>,
    command: &str,
    timeout: Duration,
) -> Result<Verdict, FixError> {
    let io = |what: &str, source: std::io::Error| FixError::Verify {
        what: what.to_string(),
        source,
    };
    let tree = tempfile::Builder::new()
        .prefix("hephaestus-verify-")
        .tempdir()
        .map_err(|e| io("create a temporary directory", e))?;
    for file in repo.files() {
        let Some(bytes) = repo.read_bytes(file) else {
            continue;
        };
        let bytes = match patched.get(file) {
            Some(text) => text.as_bytes().to_vec(),
            None => bytes,
        };
        let path = tree.path().join(file);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io("write the verify copy", e))?;
        }
        fs::write(&path, bytes).map_err(|e| io("write the verify copy", e))?;
        if repo.executable(file) {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                .map_err(|e| io("write the verify copy", e))?;
        }
    }
    for (link, target) in repo.links() {
        let path = tree.path().join(link);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| io("write the verify copy", e))?;
        }
        // A link the copy cannot hold (a path through another link) is left out.
        let _ = std::os::unix::fs::symlink(target, &path);
    }
    // Output goes to a file: a pipe nobody drains could block the command.
    let mut log = tempfile::tempfile().map_err(|e| io("create the verify log", e))?;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(tree.path())
        .stdin(Stdio::null())
        .stdout(
            log.try_clone()
                .map_err(|e| io("create the verify log", e))?,
        )
        .stderr(
            log.try_clone()
                .map_err(|e| io("create the verify log", e))?,
        );
    {
        use std::os::unix::process::CommandExt;
        // Its own process group, so that a timeout kills what the command started too.
        cmd.process_group(0);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| io(&format!("run '{command}'"), e))?;
    let status = child
        .wait_timeout(timeout)
        .map_err(|e| io(&format!("wait for '{command}'"), e))?;
    let Some(status) = status else {
        let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
        let _ = child.wait();
        return Ok(Verdict::TimedOut);
    };
    if status.success() {
        return Ok(Verdict::Passed);
    }
    use std::io::Seek;
    let mut output = String::new();
    let _ = log.rewind();
    let _ = log.read_to_string(&mut output);
    let tail: Vec<&str> = output.lines().rev().take(5).collect();
    Ok(Verdict::Failed {
        status: status.to_string(),
        output: tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    })
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

    #[test]
    fn verify_runs_on_a_copy_with_the_patch() {
        let dir = repo(&[
            ("a.txt", "old\n"),
            ("run.sh", "#!/bin/sh\ngrep -q new a.txt\n"),
        ]);
        let snap = Snapshot::open(dir.path()).unwrap();
        let mut patched = BTreeMap::new();
        patched.insert("a.txt".to_string(), "new\n".to_string());
        let t = Duration::from_secs(30);
        assert_eq!(
            verify(&snap, &patched, "sh run.sh && touch made", t).unwrap(),
            Verdict::Passed
        );
        assert!(!dir.path().join("made").exists(), "ran in the repository");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "old\n"
        );
        let failed = verify(
            &snap,
            &BTreeMap::new(),
            "sh run.sh || { echo nope; exit 3; }",
            t,
        );
        assert!(
            matches!(failed, Ok(Verdict::Failed { ref output, .. }) if output == "nope"),
            "{failed:?}"
        );
        let slow = verify(&snap, &patched, "sleep 30", Duration::from_millis(200)).unwrap();
        assert_eq!(slow, Verdict::TimedOut);
        // Symlinks are recreated in the copy (the verify command may rely on them).
        std::os::unix::fs::symlink("a.txt", dir.path().join("link.txt")).unwrap();
        let git = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["add", "link.txt"]);
        git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "link",
        ]);
        let snap = Snapshot::open(dir.path()).unwrap();
        assert!(
            !snap.contains("link.txt"),
            "a symlink is never an edit target"
        );
        assert_eq!(
            verify(&snap, &patched, "grep -q new link.txt", t).unwrap(),
            Verdict::Passed
        );
    }
}
