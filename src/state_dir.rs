//! The state directory: where `watch` keeps its checkpoints and the deploy stage its records and
//! locks, and the one place that creates files in it.
//!
//! The directory may sit where others can write (a shared volume, a `/tmp` path given by
//! `--state-dir`), so no file in it is opened by a name someone could have planted first: the
//! directory is created private (0700), new files are temporary files with unpredictable names
//! opened exclusively (0600) and renamed over their final name, and lock files are opened without
//! following a symbolic link. A rename replaces a link planted at the final name instead of
//! writing through it.
//!
//! [`DirLock`] makes a watch the only writer of its directory: two watches sharing one would save
//! their checkpoints over each other's and lose or repeat lines. The lock is an OS lock on an open
//! file, so it ends with the process, however it ends; a `kill -9` leaves nothing to clean up.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Name of the watch lock inside the state directory.
pub const LOCK_FILE: &str = "watch.lock";

/// `$XDG_STATE_HOME/hephaestus`, else `~/.local/state/hephaestus`. Relative values are ignored,
/// as the XDG specification asks: they would name a different directory from every working
/// directory.
pub fn default_dir() -> Option<PathBuf> {
    let from_env = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    from_env("XDG_STATE_HOME")
        .or_else(|| from_env("HOME").map(|home| home.join(".local/state")))
        .map(|dir| dir.join("hephaestus"))
}

/// Create `dir` and its missing parents, each readable by its owner only. An existing directory
/// is left as it is.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Replace `path` with `bytes`: written to a new temporary file beside it, synced, renamed over
/// it. A crash leaves either the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_dir(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // Random name, O_EXCL, mode 0600: nothing planted in the directory is written through.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable once the directory is synced. Some filesystems cannot sync a
    // directory; the file is whole either way, so that is not worth failing the save for.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Open (creating, mode 0600) the lock file `path` for reading and writing. A symbolic link at
/// `path` is refused (`ELOOP`) rather than followed.
pub fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(nix::libc::O_NOFOLLOW)
        .open(path)
}

#[derive(Debug, Error)]
pub enum LockError {
    #[error(
        "the state directory '{}' is in use by another watch{}; stop it, or give this watch \
         its own --state-dir",
        dir.display(),
        holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    Busy { dir: PathBuf, holder: Option<u32> },
    #[error(
        "'{}' is a symbolic link, not the state directory's lock file (remove it)",
        path.display()
    )]
    Link { path: PathBuf },
    // Causes are part of the messages, not `source()`s, so that each is printed once.
    #[error("failed to create the state directory '{}': {cause}", dir.display())]
    Dir { dir: PathBuf, cause: io::Error },
    #[error("failed to lock '{}': {cause}", path.display())]
    Io { path: PathBuf, cause: io::Error },
}

/// Held by the one watch that writes into a state directory; released when dropped or when the
/// process ends. The lock file holds the holder's pid, so that a refused watch can name it.
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Create `dir` if needed and take its lock, or say who holds it.
    pub fn acquire(dir: &Path) -> Result<DirLock, LockError> {
        create_dir(dir).map_err(|source| LockError::Dir {
            dir: dir.to_path_buf(),
            cause: source,
        })?;
        let path = dir.join(LOCK_FILE);
        let io_error = |source: io::Error| {
            if source.raw_os_error() == Some(nix::libc::ELOOP) {
                LockError::Link { path: path.clone() }
            } else {
                LockError::Io {
                    path: path.clone(),
                    cause: source,
                }
            }
        };
        let mut file = open_lock_file(&path).map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                return Err(LockError::Busy {
                    dir: dir.to_path_buf(),
                    holder: text.trim().parse().ok(),
                });
            }
            Err(fs::TryLockError::Error(source)) => return Err(io_error(source)),
        }
        // The previous holder's pid, if any, is stale now.
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        writeln!(file, "{}", std::process::id()).map_err(io_error)?;
        remove_leftovers(dir);
        Ok(DirLock { _file: file })
    }
}

/// Temporary files a killed holder left in `dir` (a save cut short after its temporary file was
/// made): only the lock holder writes directly in the directory, so none is in use now. Regular
/// files named as [`write_atomically`] names them only; anything else is left alone.
fn remove_leftovers(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(middle) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
            continue;
        };
        // `.<name>.<six random characters>.tmp`
        let random = middle.rsplit('.').next().unwrap_or("");
        let ours = middle.len() > random.len() + 1
            && random.len() == 6
            && random.chars().all(|c| c.is_ascii_alphanumeric());
        if ours && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn the_lock_holder_removes_temporary_files_a_killed_holder_left() {
        let dir = tempfile::tempdir().unwrap();
        let left = dir.path().join(".watch-checkpoints.json.a1B2c3.tmp");
        let kept = [
            dir.path().join("watch-checkpoints.json"),
            dir.path().join(".notes.tmp"),
            dir.path().join(".x.toolong7.tmp"),
        ];
        fs::write(&left, "{").unwrap();
        for k in &kept {
            fs::write(k, "x").unwrap();
        }
        let _lock = DirLock::acquire(dir.path()).unwrap();
        assert!(!left.exists());
        for k in &kept {
            assert!(k.exists(), "{}", k.display());
        }
    }

    #[test]
    fn writes_whole_private_files_in_a_private_directory() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("state/deep");
        let path = dir.join("x.json");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&top.path().join("state")), 0o700);
        assert_eq!(mode(&path), 0o600);
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["x.json"]);
    }

    #[test]
    fn replaces_a_link_at_the_final_name_instead_of_writing_through_it() {
        let top = tempfile::tempdir().unwrap();
        let outside = top.path().join("outside");
        fs::write(&outside, "precious").unwrap();
        fs::create_dir(top.path().join("state")).unwrap();
        let path = top.path().join("state/x.json");
        symlink(&outside, &path).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert!(!fs::symlink_metadata(&path).unwrap().is_symlink());
    }

    #[test]
    fn the_lock_is_exclusive_names_its_holder_and_ends_with_its_file() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("state");
        let held = DirLock::acquire(&dir).unwrap();
        assert_eq!(mode(&dir.join(LOCK_FILE)), 0o600);
        let refused = DirLock::acquire(&dir).unwrap_err().to_string();
        assert_eq!(
            refused,
            format!(
                "the state directory '{}' is in use by another watch (pid {}); stop it, or give \
                 this watch its own --state-dir",
                dir.display(),
                std::process::id()
            )
        );
        drop(held);
        DirLock::acquire(&dir).unwrap();
    }

    #[test]
    fn a_link_at_the_lock_name_is_refused() {
        let top = tempfile::tempdir().unwrap();
        let outside = top.path().join("outside");
        fs::write(&outside, "precious").unwrap();
        let dir = top.path().join("state");
        fs::create_dir(&dir).unwrap();
        symlink(&outside, dir.join(LOCK_FILE)).unwrap();
        let error = DirLock::acquire(&dir).unwrap_err();
        assert!(matches!(error, LockError::Link { .. }), "{error}");
        assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
    }
}
