//! How far each followed file was read, kept across restarts of `watch`.
//!
//! One versioned JSON file per state directory, keyed by the absolute path followed. Each record
//! names the file (device, inode, fingerprint of its first bytes) and the position just past the
//! last entry handed to the pipeline, so that a restart neither skips nor repeats a line, and finds
//! the file again under its rotated name if it was rotated meanwhile.
//!
//! Invariants: the file on disk is always whole (written to a temporary file, synced, renamed over
//! the old one); saves happen at most once per [`SAVE_INTERVAL`] plus once at shutdown; records for
//! paths not followed in this run are kept as they were.

use std::collections::{BTreeMap, HashSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::tail::{FileId, Position};
use crate::state_dir::write_atomically;

/// Format version written; files of another version are ignored (with a warning).
pub const VERSION: u32 = 1;

/// File name inside the state directory.
pub const FILE_NAME: &str = "watch-checkpoints.json";

/// Checkpoints are written at most this often while running.
pub const SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// Where one followed path was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub file: FileId,
    pub at: Position,
}

#[derive(Debug, Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    files: Vec<Record>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    path: PathBuf,
    #[serde(flatten)]
    checkpoint: Checkpoint,
}

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("ignoring checkpoints '{path}': {reason}; files are read as if new")]
    Unusable { path: PathBuf, reason: String },
    #[error("failed to save checkpoints '{path}': {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// The checkpoints of one state directory.
#[derive(Debug)]
pub struct Checkpoints {
    path: PathBuf,
    entries: BTreeMap<PathBuf, Checkpoint>,
    /// Paths this run set.
    owned: HashSet<PathBuf>,
    dirty: bool,
    saved: Option<Instant>,
}

impl Checkpoints {
    /// Load the checkpoints kept in `state_dir` (none yet is fine). An unreadable or foreign file
    /// gives empty checkpoints and the reason, so that the watch still starts.
    pub fn load(state_dir: &Path) -> (Checkpoints, Option<CheckpointError>) {
        let path = state_dir.join(FILE_NAME);
        let mut checkpoints = Checkpoints {
            path: path.clone(),
            entries: BTreeMap::new(),
            owned: HashSet::new(),
            dirty: false,
            saved: None,
        };
        match read(&path) {
            Ok(Some(entries)) => checkpoints.entries = entries,
            Ok(None) => {}
            Err(reason) => {
                return (
                    checkpoints,
                    Some(CheckpointError::Unusable { path, reason }),
                )
            }
        }
        (checkpoints, None)
    }

    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// Every checkpoint, by absolute path.
    pub fn snapshot(&self) -> std::collections::HashMap<PathBuf, Checkpoint> {
        self.entries.iter().map(|(p, c)| (p.clone(), *c)).collect()
    }

    pub fn get(&self, path: &Path) -> Option<Checkpoint> {
        self.entries.get(path).copied()
    }

    pub fn set(&mut self, path: &Path, checkpoint: Checkpoint) {
        if self.entries.get(path) != Some(&checkpoint) {
            self.entries.insert(path.to_path_buf(), checkpoint);
            self.owned.insert(path.to_path_buf());
            self.dirty = true;
        }
    }

    /// Save if something changed and the last save is at least [`SAVE_INTERVAL`] old.
    pub fn save_if_due(&mut self, now: Instant) -> Result<(), CheckpointError> {
        if self.dirty
            && self
                .saved
                .is_none_or(|t| now.duration_since(t) >= SAVE_INTERVAL)
        {
            self.save()?;
            self.saved = Some(now);
        }
        Ok(())
    }

    /// Save now if something changed. Records of paths this run did not set are taken from the
    /// file as it is now, so that two watches sharing a state directory keep each other's.
    pub fn save(&mut self) -> Result<(), CheckpointError> {
        if !self.dirty {
            return Ok(());
        }
        if let Ok(Some(on_disk)) = read(&self.path) {
            for (path, checkpoint) in on_disk {
                if !self.owned.contains(&path) {
                    self.entries.insert(path, checkpoint);
                }
            }
        }
        let on_disk = OnDisk {
            version: VERSION,
            files: self
                .entries
                .iter()
                .map(|(path, checkpoint)| Record {
                    path: path.clone(),
                    checkpoint: *checkpoint,
                })
                .collect(),
        };
        let json = serde_json::to_vec_pretty(&on_disk).expect("checkpoints serialise");
        write_atomically(&self.path, &json).map_err(|source| CheckpointError::Write {
            path: self.path.clone(),
            source,
        })?;
        self.dirty = false;
        Ok(())
    }
}

/// The records in `path`: `Ok(None)` when there is no file, `Err` with the reason it is unusable.
fn read(path: &Path) -> Result<Option<BTreeMap<PathBuf, Checkpoint>>, String> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let on_disk: OnDisk =
        serde_json::from_slice(&text).map_err(|e| format!("not valid JSON: {e}"))?;
    if on_disk.version != VERSION {
        return Err(format!("version {} is not {VERSION}", on_disk.version));
    }
    Ok(Some(
        on_disk
            .files
            .into_iter()
            .map(|r| (r.path, r.checkpoint))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint(offset: u64) -> Checkpoint {
        Checkpoint {
            file: FileId {
                dev: 1,
                inode: 2,
                fingerprint_len: 3,
                fingerprint: 4,
            },
            at: Position { offset, line: 7 },
        }
    }

    #[test]
    fn round_trips_and_rate_limits() {
        let dir = tempfile::tempdir().unwrap();
        let (mut cps, err) = Checkpoints::load(dir.path());
        assert!(err.is_none());
        let now = Instant::now();
        cps.set(Path::new("/var/log/a.log"), checkpoint(10));
        cps.save_if_due(now).unwrap();
        cps.set(Path::new("/var/log/a.log"), checkpoint(20));
        cps.save_if_due(now + Duration::from_millis(10)).unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(
            loaded.get(Path::new("/var/log/a.log")),
            Some(checkpoint(10))
        );
        cps.save().unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(
            loaded.get(Path::new("/var/log/a.log")),
            Some(checkpoint(20))
        );
    }

    #[test]
    fn keeps_the_records_of_another_watch_sharing_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (mut one, _) = Checkpoints::load(dir.path());
        let (mut two, _) = Checkpoints::load(dir.path());
        one.set(Path::new("/a.log"), checkpoint(1));
        one.save().unwrap();
        two.set(Path::new("/b.log"), checkpoint(2));
        two.save().unwrap();
        one.set(Path::new("/a.log"), checkpoint(3));
        one.save().unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(loaded.get(Path::new("/a.log")), Some(checkpoint(3)));
        assert_eq!(loaded.get(Path::new("/b.log")), Some(checkpoint(2)));
    }

    #[test]
    fn ignores_other_versions_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), r#"{"version":99,"files":[]}"#).unwrap();
        let (_, err) = Checkpoints::load(dir.path());
        assert!(err.unwrap().to_string().contains("version 99"));
    }
}
