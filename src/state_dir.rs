//! The state directory: where `watch` keeps its checkpoints and the deploy stage its records and
//! locks, and the one place that creates files in it.
//!
//! The directory may sit where others can write (a shared volume, a `/tmp` path given by
//! `--state-dir`), so no file in it is opened by a name someone could have planted first: the
//! directory is created private (0700), new files are temporary files with unpredictable names
//! opened exclusively (0600) and renamed over their final name, and lock files are opened without
//! following a symbolic link. A rename replaces a link planted at the final name instead of
//! writing through it.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;
    use std::os::unix::fs::{symlink, PermissionsExt};

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
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
}
