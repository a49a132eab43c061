//! Deploy records under the state directory: one JSON file per (repository, branch), and a lock
//! file beside it.
//!
//! The lock makes deploys of one branch from processes sharing the state directory run one after
//! the other, so the second finds the first's record (or its pull request) instead of racing it.
//! A record is written `pending` before anything leaves the machine and `deployed` once the pull
//! request exists; a deploy that fails stays `failed` with its error and is tried again next time
//! the same fix comes up. Records are written to a new private temporary file and renamed, so a
//! crash never leaves half a record; the directory is private and lock files are never opened
//! through a symbolic link (see `state_dir`).

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::state_dir;

/// Format version of the records; a record of another version is ignored.
const VERSION: u32 = 1;

#[derive(Debug, Error)]
pub enum StateError {
    // Each cause is part of its message, not a `source()`, so that it is printed once.
    #[error("failed to create the state directory '{}': {cause}", path.display())]
    Dir {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("failed to lock '{}': {cause}", path.display())]
    Lock {
        path: PathBuf,
        cause: std::io::Error,
    },
    #[error("failed to write the deploy record '{}': {cause}", path.display())]
    Write {
        path: PathBuf,
        cause: std::io::Error,
    },
}

/// Where a deploy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pending,
    Failed,
    Deployed,
    /// Its pull request was closed without merging: not proposed again.
    Declined,
    /// Over the pull request budget: tried again by a later run.
    Deferred,
}

/// What is known about one branch's deploy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    pub branch: String,
    pub fingerprint: String,
    pub solution: String,
    /// Digest of the diff: a changed fix is deployed again.
    pub patch: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pr_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// RFC 3339.
    pub updated: String,
    /// Attempts so far.
    pub attempts: u32,
    /// Which forge and repository the branch belongs to (provider, API, owner, repository).
    #[serde(default)]
    pub target: String,
    /// The commit the branch holds, once pushed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The solution itself, so a failed deploy can be tried again without the error recurring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saved: Option<serde_json::Value>,
    /// When the pull request was last told something (opened, updated, commented on), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commented: Option<String>,
    /// The log time of the last occurrence it was told of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_seen: Option<String>,
}

impl Record {
    pub fn new(branch: &str, fingerprint: &str, solution: &str, patch: &str) -> Record {
        Record {
            version: VERSION,
            branch: branch.to_owned(),
            fingerprint: fingerprint.to_owned(),
            solution: solution.to_owned(),
            patch: patch.to_owned(),
            status: Status::Pending,
            pr_url: None,
            error: None,
            updated: now(),
            attempts: 0,
            target: String::new(),
            commit: None,
            saved: None,
            commented: None,
            reported_seen: None,
        }
    }
}

pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The records of one state directory.
pub struct Store {
    dir: PathBuf,
}

/// Held while a branch is being deployed; dropping it releases the lock.
pub struct Lock {
    _file: File,
}

impl Store {
    /// Open (creating) `<state_dir>/deploy`.
    pub fn open(state_dir: &Path) -> Result<Store, StateError> {
        let dir = state_dir.join("deploy");
        state_dir::create_dir(&dir).map_err(|source| StateError::Dir {
            path: dir.clone(),
            cause: source,
        })?;
        Ok(Store { dir })
    }

    fn path(&self, key: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{key}.{ext}"))
    }

    /// Wait for, then hold, the lock of `key`. The OS releases it if the process dies.
    pub fn lock(&self, key: &str) -> Result<Lock, StateError> {
        let path = self.path(key, "lock");
        let file = state_dir::open_lock_file(&path).map_err(|source| StateError::Lock {
            path: path.clone(),
            cause: source,
        })?;
        file.lock()
            .map_err(|cause| StateError::Lock { path, cause })?;
        Ok(Lock { _file: file })
    }

    /// The record of `key`; an unreadable or foreign one counts as none.
    pub fn load(&self, key: &str) -> Option<Record> {
        let text = fs::read_to_string(self.path(key, "json")).ok()?;
        serde_json::from_str::<Record>(&text)
            .ok()
            .filter(|r| r.version == VERSION)
    }

    /// Every readable record, with its key.
    pub fn records(&self) -> Vec<(String, Record)> {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<(String, Record)> = entries
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let key = name.strip_suffix(".json")?.to_owned();
                let record = self.load(&key)?;
                Some((key, record))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Write `record` as the record of `key`.
    pub fn save(&self, key: &str, record: &mut Record) -> Result<(), StateError> {
        record.updated = now();
        let path = self.path(key, "json");
        let write = || -> std::io::Result<()> {
            let mut text = serde_json::to_vec_pretty(record)?;
            text.push(b'\n');
            state_dir::write_atomically(&path, &text)
        };
        write().map_err(|source| StateError::Write {
            path: path.clone(),
            cause: source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(store.load("k").is_none());
        let mut rec = Record::new("hephaestus/fix/E", "fp", "s", "abc");
        rec.status = Status::Deployed;
        rec.pr_url = Some("http://x/1".into());
        store.save("k", &mut rec).unwrap();
        let again = Store::open(dir.path()).unwrap().load("k").unwrap();
        assert_eq!(again, rec);
        // Nothing else is left behind.
        let names: Vec<_> = fs::read_dir(dir.path().join("deploy"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["k.json"]);
    }

    /// Names a planted link could be waiting at: the temporary name earlier versions used, and a
    /// lock file's.
    #[test]
    fn writes_nothing_through_a_planted_link() {
        use std::os::unix::fs::{symlink, PermissionsExt};
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::write(&outside, "precious").unwrap();
        let store = Store::open(dir.path()).unwrap();
        let deploy = dir.path().join("deploy");
        let old_tmp = deploy.join(format!("k.json.{}.tmp", std::process::id()));
        symlink(&outside, &old_tmp).unwrap();
        symlink(&outside, deploy.join("k.lock")).unwrap();
        assert!(store.lock("k").is_err());
        let mut rec = Record::new("hephaestus/fix/E", "fp", "s", "abc");
        store.save("k", &mut rec).unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
        assert_eq!(store.load("k"), Some(rec));
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&deploy.join("k.json")), 0o600);
        assert_eq!(mode(&deploy), 0o700);
    }

    #[test]
    fn the_lock_is_exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let held = store.lock("k").unwrap();
        let path = dir.path().join("deploy").join("k.lock");
        let other = File::options().write(true).open(&path).unwrap();
        assert!(other.try_lock().is_err());
        drop(held);
        assert!(other.try_lock().is_ok());
    }
}
