//! The git working tree a directory is in, found the way git finds it (a `.git` directory or
//! `gitdir:` file in the directory or a parent, not across file systems), without libgit2:
//! opening a repository through libgit2 initialises it and OpenSSL, a cost every run would pay
//! before its first line though most runs never fix or deploy anything. Fixes open the repository
//! when they need it.

use std::path::{Path, PathBuf};

/// The top of the working tree containing `dir`, if any.
pub fn discover(dir: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(dir).ok()?;
    let device = device_of(&start);
    let mut at = Some(start.as_path());
    while let Some(d) = at {
        if device_of(d) != device {
            return None;
        }
        if is_top(d) {
            return Some(d.to_path_buf());
        }
        at = d.parent();
    }
    None
}

/// Whether `dir` is the top of a working tree: it holds a git directory (`.git/HEAD`) or a
/// `.git` file pointing at one (a linked worktree, a submodule).
pub fn is_top(dir: &Path) -> bool {
    let git = dir.join(".git");
    if git.is_dir() {
        return git.join("HEAD").is_file();
    }
    std::fs::read(&git).is_ok_and(|text| text.starts_with(b"gitdir:"))
}

#[cfg(unix)]
fn device_of(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| m.dev())
}

#[cfg(not(unix))]
fn device_of(_: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_init(dir: &Path) {
        let ok = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(dir)
            .status()
            .expect("git runs")
            .success();
        assert!(ok);
    }

    #[test]
    fn a_subdirectory_finds_the_top_and_agrees_with_libgit2() {
        let tmp = tempfile::tempdir().unwrap();
        git_init(tmp.path());
        let sub = tmp.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        assert_eq!(discover(&sub).as_deref(), Some(top.as_path()));
        let libgit2 = git2::Repository::discover(&sub).unwrap();
        assert_eq!(
            std::fs::canonicalize(libgit2.workdir().unwrap()).unwrap(),
            top
        );
        assert!(is_top(&top) && !is_top(&sub));
    }

    #[test]
    fn a_linked_worktree_is_a_top_and_a_bare_directory_is_not() {
        let tmp = tempfile::tempdir().unwrap();
        let linked = tmp.path().join("linked");
        std::fs::create_dir_all(&linked).unwrap();
        std::fs::write(
            linked.join(".git"),
            "gitdir: /elsewhere/.git/worktrees/linked\n",
        )
        .unwrap();
        assert!(is_top(&linked));
        let fake = tmp.path().join("fake");
        std::fs::create_dir_all(fake.join(".git")).unwrap();
        assert!(
            !is_top(&fake),
            "a .git directory without HEAD is no repository"
        );
    }
}
