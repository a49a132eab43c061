//! How far each followed file was read, kept across restarts of `watch`.
//!
//! One versioned JSON file per state directory with one record per file read — the file a path
//! names now and every file read before under a name it no longer has (rotated) — keyed by the
//! file's identity (device, inode, fingerprint of its first bytes), with the position just past the
//! last entry handed to the pipeline and the path it was last seen at. A restart resumes a file
//! whose identity has a record where the record says, whatever its name is now, so that it neither
//! skips nor repeats a line. Version 1 files (one record per path) are read too.
//!
//! Invariants: the file on disk is always whole (written to a temporary file, synced, renamed over
//! the old one); saves happen at most once per [`SAVE_INTERVAL`] plus once at shutdown, so a
//! process killed without a chance to save repeats at most what it read in the last
//! [`SAVE_INTERVAL`]; records this run did not set are kept as they were (another watch may share
//! the directory); records of files that no longer exist are dropped when saving, and at most
//! [`MAX_RECORDS`] are kept (the least recently updated go first).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{DirEntryExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::tail::{FileId, Position};
use crate::state_dir::write_atomically;

/// Format version written. Version 1 (one record per path) is still read.
pub const VERSION: u32 = 2;

/// File name inside the state directory.
pub const FILE_NAME: &str = "watch-checkpoints.json";

/// Checkpoints are written at most this often while running.
pub const SAVE_INTERVAL: Duration = Duration::from_secs(1);

/// Records kept at most; beyond, the least recently updated are dropped (their files, if they
/// still exist, are then read as if new).
pub const MAX_RECORDS: usize = 1024;

/// Identities of files pruned as gone that are remembered, so that their sources (still known to
/// the pipeline) do not bring their records back.
const MAX_GONE: usize = 4096;

/// How long a file must stay unfound before its record is dropped. A directory listing taken
/// while files are being renamed may miss one, and under load two listings a second apart can
/// both miss it; a file missed for this long is gone.
pub const MISSING_GRACE: Duration = Duration::from_secs(10);

/// Where one file was read to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub file: FileId,
    pub at: Position,
}

/// A record as loaded, for the follower to resume from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// Where the file was last seen.
    pub path: PathBuf,
    pub file: FileId,
    /// `None` when the record was damaged: the file is then read from its start.
    pub at: Option<Position>,
}

/// Records by (device, inode).
pub type Resume = HashMap<(u64, u64), Saved>;

#[derive(Debug, Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    files: Vec<Record>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    path: PathBuf,
    #[serde(flatten)]
    checkpoint: Checkpoint,
}

/// The records read from disk, and why the file is damaged if it is.
type Records = (Vec<Loaded>, Option<String>);

/// One record read from disk: `at` is `None` when only its identity could be read.
struct Loaded {
    path: PathBuf,
    file: FileId,
    at: Option<Position>,
}

#[derive(Debug, Error)]
pub enum CheckpointError {
    #[error("ignoring checkpoints '{path}': {reason}; files are read as if new")]
    Unusable { path: PathBuf, reason: String },
    #[error(
        "checkpoints '{path}' are damaged ({reason}); the {files} file(s) still named in them \
         are read from their start"
    )]
    Damaged {
        path: PathBuf,
        reason: String,
        files: usize,
    },
    // The cause is part of the message, not a `source()`, so that it is printed once.
    #[error("failed to save checkpoints '{path}': {cause}")]
    Write { path: PathBuf, cause: io::Error },
}

#[derive(Debug)]
struct Entry {
    record: Record,
    /// A damaged record: its file is to be read from its start.
    damaged: bool,
    /// When this run last updated it (0: loaded), to drop the stalest first.
    touched: u64,
}

/// The checkpoints of one state directory.
#[derive(Debug)]
pub struct Checkpoints {
    path: PathBuf,
    entries: BTreeMap<(u64, u64), Entry>,
    /// Files this run set.
    owned: HashSet<(u64, u64)>,
    /// Files found gone when saving.
    gone: HashSet<FileId>,
    /// Files not found at the last save, and since when: dropped once still not found
    /// `missing_grace` later (a listing taken while files are being renamed may miss one).
    missing: HashMap<(u64, u64), Instant>,
    missing_grace: Duration,
    clock: u64,
    dirty: bool,
    saved: Option<Instant>,
}

fn key(file: &FileId) -> (u64, u64) {
    (file.dev, file.inode)
}

impl Checkpoints {
    /// Load the checkpoints kept in `state_dir` (none yet is fine). An unreadable or foreign file
    /// gives empty checkpoints and the reason, so that the watch still starts; damaged records of
    /// a readable file keep their identity (the file is then read from its start).
    pub fn load(state_dir: &Path) -> (Checkpoints, Option<CheckpointError>) {
        let path = state_dir.join(FILE_NAME);
        let mut checkpoints = Checkpoints {
            path: path.clone(),
            entries: BTreeMap::new(),
            owned: HashSet::new(),
            gone: HashSet::new(),
            missing: HashMap::new(),
            missing_grace: MISSING_GRACE,
            clock: 0,
            dirty: false,
            saved: None,
        };
        let mut problem = None;
        match read(&path) {
            Ok(Some((records, damage))) => {
                if let Some(reason) = damage {
                    problem = Some(CheckpointError::Damaged {
                        path: path.clone(),
                        reason,
                        files: records.len(),
                    });
                }
                for loaded in records {
                    let damaged = loaded.at.is_none();
                    let record = Record {
                        path: loaded.path,
                        checkpoint: Checkpoint {
                            file: loaded.file,
                            at: loaded.at.unwrap_or_default(),
                        },
                    };
                    checkpoints.entries.insert(
                        key(&loaded.file),
                        Entry {
                            record,
                            damaged,
                            touched: 0,
                        },
                    );
                }
            }
            Ok(None) => {}
            Err(reason) => {
                return (
                    checkpoints,
                    Some(CheckpointError::Unusable { path, reason }),
                )
            }
        }
        (checkpoints, problem)
    }

    pub fn file_path(&self) -> &Path {
        &self.path
    }

    /// Every record, by (device, inode).
    pub fn snapshot(&self) -> Resume {
        self.entries
            .iter()
            .map(|(key, entry)| {
                let saved = Saved {
                    path: entry.record.path.clone(),
                    file: entry.record.checkpoint.file,
                    at: (!entry.damaged).then_some(entry.record.checkpoint.at),
                };
                (*key, saved)
            })
            .collect()
    }

    /// The record of the file last seen at `path` (the most recently updated if several were).
    pub fn get(&self, path: &Path) -> Option<Checkpoint> {
        self.entries
            .values()
            .filter(|e| e.record.path == path)
            .max_by_key(|e| e.touched)
            .map(|e| e.record.checkpoint)
    }

    /// Record that the file `checkpoint.file`, seen at `path`, was read to `checkpoint.at`.
    pub fn set(&mut self, path: &Path, checkpoint: Checkpoint) {
        if self.gone.contains(&checkpoint.file) {
            return;
        }
        let key = key(&checkpoint.file);
        // The path is where the pipeline saw the file; where it is now is found when saving, so a
        // different path alone is no change.
        let unchanged = self
            .entries
            .get(&key)
            .is_some_and(|e| !e.damaged && e.record.checkpoint == checkpoint);
        self.clock += 1;
        if unchanged {
            return;
        }
        self.entries.insert(
            key,
            Entry {
                record: Record {
                    path: path.to_path_buf(),
                    checkpoint,
                },
                damaged: false,
                touched: self.clock,
            },
        );
        self.owned.insert(key);
        self.dirty = true;
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

    /// Save now if something changed. Records this run did not set are taken from the file as it
    /// is now, so that two watches sharing a state directory keep each other's.
    pub fn save(&mut self) -> Result<(), CheckpointError> {
        if !self.dirty {
            return Ok(());
        }
        if let Ok(Some((on_disk, _))) = read(&self.path) {
            for loaded in on_disk {
                let key = key(&loaded.file);
                if self.owned.contains(&key) {
                    continue;
                }
                let damaged = loaded.at.is_none();
                self.entries.insert(
                    key,
                    Entry {
                        record: Record {
                            path: loaded.path,
                            checkpoint: Checkpoint {
                                file: loaded.file,
                                at: loaded.at.unwrap_or_default(),
                            },
                        },
                        damaged,
                        touched: 0,
                    },
                );
            }
        }
        self.prune();
        let on_disk = OnDisk {
            version: VERSION,
            files: self.entries.values().map(|e| e.record.clone()).collect(),
        };
        let json = serde_json::to_vec_pretty(&on_disk).expect("checkpoints serialise");
        write_atomically(&self.path, &json).map_err(|cause| CheckpointError::Write {
            path: self.path.clone(),
            cause,
        })?;
        self.dirty = false;
        Ok(())
    }

    /// Drop the records of files not found at two saves in a row at least [`MISSING_GRACE`]
    /// apart (a file renamed within its directory is found under its new name), then the
    /// stalest beyond [`MAX_RECORDS`].
    fn prune(&mut self) {
        let mut listings: HashMap<PathBuf, HashMap<u64, PathBuf>> = HashMap::new();
        let mut gone = Vec::new();
        for (key, entry) in &mut self.entries {
            let path = &entry.record.path;
            if fs::metadata(path).is_ok_and(|m| (m.dev(), m.ino()) == *key) {
                continue;
            }
            let dir = path.parent().unwrap_or(Path::new("/")).to_path_buf();
            let listing = listings.entry(dir.clone()).or_insert_with(|| list(&dir));
            // The same inode under another name is this file only if it starts as it did (the
            // inode of a deleted file is soon given to a new one).
            let file = entry.record.checkpoint.file;
            let same = |moved: &Path| {
                File::open(moved).is_ok_and(|f| {
                    f.metadata().is_ok_and(|m| m.dev() == key.0)
                        && file.same_start(&f).unwrap_or(false)
                })
            };
            match listing.get(&key.1) {
                Some(moved) if same(moved) => entry.record.path = moved.clone(),
                _ => gone.push(*key),
            }
        }
        let now = Instant::now();
        let since: HashMap<(u64, u64), Instant> = gone
            .iter()
            .map(|key| (*key, self.missing.get(key).copied().unwrap_or(now)))
            .collect();
        gone.retain(|key| {
            self.missing
                .get(key)
                .is_some_and(|first| now.duration_since(*first) >= self.missing_grace)
        });
        self.missing = since;
        if self.gone.len() + gone.len() > MAX_GONE {
            self.gone.clear();
        }
        for key in gone {
            if let Some(entry) = self.entries.remove(&key) {
                self.gone.insert(entry.record.checkpoint.file);
            }
            self.owned.remove(&key);
        }
        if self.entries.len() > MAX_RECORDS {
            let mut by_age: Vec<((u64, u64), u64)> =
                self.entries.iter().map(|(k, e)| (*k, e.touched)).collect();
            by_age.sort_by_key(|(_, touched)| *touched);
            let excess = self.entries.len() - MAX_RECORDS;
            for (key, _) in by_age.into_iter().take(excess) {
                self.entries.remove(&key);
                self.owned.remove(&key);
            }
        }
    }
}

/// Inode → path of the entries of `dir`.
fn list(dir: &Path) -> HashMap<u64, PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return HashMap::new();
    };
    entries
        .flatten()
        .map(|entry| (entry.ino(), entry.path()))
        .collect()
}

/// The records in `path` and, if it is damaged, why: `Ok(None)` when there is no file, `Err` with
/// the reason it is unusable. A record whose position is damaged keeps its identity; one without
/// a readable identity is dropped.
fn read(path: &Path) -> Result<Option<Records>, String> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.to_string()),
    };
    let value: serde_json::Value = match serde_json::from_slice(&text) {
        Ok(value) => value,
        Err(e) => {
            let salvaged = salvage(&String::from_utf8_lossy(&text));
            if salvaged.is_empty() {
                return Err(format!("not valid JSON: {e}"));
            }
            return Ok(Some((salvaged, Some(format!("not valid JSON: {e}")))));
        }
    };
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    match version {
        Some(1) | Some(2) => {}
        Some(other) => return Err(format!("version {other} is not {VERSION}")),
        None => return Err("no version".into()),
    }
    let Some(files) = value.get("files").and_then(serde_json::Value::as_array) else {
        return Err("no list of files".into());
    };
    let mut records = Vec::new();
    for file in files {
        if let Ok(record) = serde_json::from_value::<Record>(file.clone()) {
            records.push(Loaded {
                path: record.path,
                file: record.checkpoint.file,
                at: Some(record.checkpoint.at),
            });
            continue;
        }
        let identity = file
            .get("file")
            .and_then(|f| serde_json::from_value::<FileId>(f.clone()).ok());
        let path = file
            .get("path")
            .and_then(|p| serde_json::from_value::<PathBuf>(p.clone()).ok());
        if let (Some(file), Some(path)) = (identity, path) {
            records.push(Loaded {
                path,
                file,
                at: None,
            });
        }
    }
    let damaged = records.iter().filter(|r| r.at.is_none()).count();
    let damage = (damaged > 0).then(|| format!("{damaged} record(s) without a usable position"));
    Ok(Some((records, damage)))
}

/// The identities still legible in a file that is not JSON any more (cut short, overwritten in
/// part): their files are read from the start rather than skipped.
fn salvage(text: &str) -> Vec<Loaded> {
    static RECORD: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#""path"\s*:\s*("(?:[^"\\]|\\.)*")\s*,\s*"file"\s*:\s*\{\s*"dev"\s*:\s*(\d+)\s*,\s*"inode"\s*:\s*(\d+)\s*,\s*"fingerprint_len"\s*:\s*(\d+)\s*,\s*"fingerprint"\s*:\s*(\d+)"#,
        )
        .expect("record pattern")
    });
    RECORD
        .captures_iter(text)
        .filter_map(|c| {
            let path: PathBuf = serde_json::from_str(&c[1]).ok()?;
            Some(Loaded {
                path,
                file: FileId {
                    dev: c[2].parse().ok()?,
                    inode: c[3].parse().ok()?,
                    fingerprint_len: c[4].parse().ok()?,
                    fingerprint: c[5].parse().ok()?,
                },
                at: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real file at `dir/name` and a checkpoint of it at `offset`.
    fn checkpoint(dir: &Path, name: &str, offset: u64) -> (PathBuf, Checkpoint) {
        let path = dir.join(name);
        if !path.exists() {
            fs::write(&path, name).unwrap();
        }
        let file = FileId::of(&File::open(&path).unwrap()).unwrap();
        let at = Position { offset, line: 7 };
        (path, Checkpoint { file, at })
    }

    #[test]
    fn round_trips_and_rate_limits() {
        let dir = tempfile::tempdir().unwrap();
        let (mut cps, err) = Checkpoints::load(dir.path());
        assert!(err.is_none());
        let now = Instant::now();
        let (log, ten) = checkpoint(dir.path(), "a.log", 10);
        let (_, twenty) = checkpoint(dir.path(), "a.log", 20);
        cps.set(&log, ten);
        cps.save_if_due(now).unwrap();
        cps.set(&log, twenty);
        cps.save_if_due(now + Duration::from_millis(10)).unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(loaded.get(&log), Some(ten));
        cps.save().unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(loaded.get(&log), Some(twenty));
    }

    #[test]
    fn keeps_the_records_of_another_watch_sharing_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let (mut one, _) = Checkpoints::load(dir.path());
        let (mut two, _) = Checkpoints::load(dir.path());
        let (a, a1) = checkpoint(dir.path(), "a.log", 1);
        let (b, b2) = checkpoint(dir.path(), "b.log", 2);
        let (_, a3) = checkpoint(dir.path(), "a.log", 3);
        one.set(&a, a1);
        one.save().unwrap();
        two.set(&b, b2);
        two.save().unwrap();
        one.set(&a, a3);
        one.save().unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        assert_eq!(loaded.get(&a), Some(a3));
        assert_eq!(loaded.get(&b), Some(b2));
    }

    #[test]
    fn keeps_one_record_per_file_and_reads_version_1() {
        let dir = tempfile::tempdir().unwrap();
        let live = dir.path().join("a.log");
        let rotated = dir.path().join("a.log.1");
        fs::write(&live, "new\n").unwrap();
        fs::write(&rotated, "old\n").unwrap();
        let id = |path: &Path| FileId::of(&File::open(path).unwrap()).unwrap();
        let at = Position { offset: 4, line: 1 };
        let v1 = serde_json::json!({"version": 1, "files": [
            {"path": live, "file": id(&rotated), "at": at},
        ]});
        fs::write(dir.path().join(FILE_NAME), v1.to_string()).unwrap();
        let (mut cps, err) = Checkpoints::load(dir.path());
        assert!(err.is_none());
        // The path now names another file: both are kept, each by its identity.
        cps.set(
            &live,
            Checkpoint {
                file: id(&live),
                at,
            },
        );
        cps.save().unwrap();
        let (loaded, _) = Checkpoints::load(dir.path());
        let resume = loaded.snapshot();
        assert_eq!(resume.len(), 2);
        let old = &resume[&key(&id(&rotated))];
        assert_eq!((old.path.as_path(), old.at), (rotated.as_path(), Some(at)));
        // Deleted: its record goes once two saves in a row did not find it (no grace here).
        fs::remove_file(&rotated).unwrap();
        let (mut cps, _) = Checkpoints::load(dir.path());
        cps.missing_grace = Duration::ZERO;
        for offset in [0, 4] {
            let at = Position { offset, line: 0 };
            cps.set(
                &live,
                Checkpoint {
                    file: id(&live),
                    at,
                },
            );
            cps.save().unwrap();
            let kept = Checkpoints::load(dir.path()).0.snapshot().len();
            assert_eq!(kept, if offset == 0 { 2 } else { 1 });
        }
    }

    #[test]
    fn a_file_missed_for_less_than_the_grace_keeps_its_record() {
        let dir = tempfile::tempdir().unwrap();
        let (gone, gone_at) = checkpoint(dir.path(), "b.log", 1);
        let (live, _) = checkpoint(dir.path(), "a.log", 1);
        let (mut cps, _) = Checkpoints::load(dir.path());
        cps.set(&gone, gone_at);
        cps.save().unwrap();
        fs::remove_file(&gone).unwrap();
        // Two saves a moment apart both miss it, as listings during renames may: it stays.
        for offset in [2, 3] {
            let (_, at) = checkpoint(dir.path(), "a.log", offset);
            cps.set(&live, at);
            cps.save().unwrap();
        }
        assert_eq!(Checkpoints::load(dir.path()).0.snapshot().len(), 2);
    }

    #[test]
    fn a_damaged_record_keeps_its_identity() {
        let dir = tempfile::tempdir().unwrap();
        let text = r#"{"version":2,"files":[
            {"path":"/a.log","file":{"dev":1,"inode":2,"fingerprint_len":3,"fingerprint":4},"at":"x"},
            {"path":"/b.log"}]}"#;
        fs::write(dir.path().join(FILE_NAME), text).unwrap();
        let (cps, err) = Checkpoints::load(dir.path());
        assert!(err
            .unwrap()
            .to_string()
            .contains("1 record(s) without a usable position"));
        let resume = cps.snapshot();
        assert_eq!(resume.len(), 1);
        assert_eq!(resume[&(1, 2)].at, None);
    }

    #[test]
    fn salvages_identities_from_a_file_cut_short() {
        let dir = tempfile::tempdir().unwrap();
        let (log, checkpoint) = checkpoint(dir.path(), "a.log", 2);
        let (mut cps, _) = Checkpoints::load(dir.path());
        cps.set(&log, checkpoint);
        cps.save().unwrap();
        let text = fs::read_to_string(dir.path().join(FILE_NAME)).unwrap();
        let cut = text.find("\"at\"").unwrap();
        fs::write(dir.path().join(FILE_NAME), &text[..cut]).unwrap();
        let (cps, err) = Checkpoints::load(dir.path());
        assert!(matches!(
            err,
            Some(CheckpointError::Damaged { files: 1, .. })
        ));
        let saved = &cps.snapshot()[&key(&checkpoint.file)];
        assert_eq!((saved.path.as_path(), saved.at), (log.as_path(), None));
    }

    #[test]
    fn ignores_other_versions_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(FILE_NAME), r#"{"version":99,"files":[]}"#).unwrap();
        let (_, err) = Checkpoints::load(dir.path());
        assert!(err.unwrap().to_string().contains("version 99"));
    }
}
