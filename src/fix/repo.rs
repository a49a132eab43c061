//! The repository as git has it at HEAD: the tracked files and their contents.
//!
//! Everything the fix stage reads comes from here, never from the working tree: uncommitted edits
//! must not leak into a proposed patch, and nothing here writes to the working tree or the index.
//! Only regular files (modes 100644 and 100755) are listed: a symlink could point outside the
//! repository, and a submodule is another repository.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Repository, TreeWalkMode, TreeWalkResult};

use super::FixError;

/// A read-only view of HEAD.
pub struct Snapshot {
    repo: Repository,
    root: PathBuf,
    /// Tracked regular files, `/`-separated, relative to the root, sorted.
    files: Vec<String>,
    /// Blob id and mode of every tracked regular file.
    blobs: HashMap<String, (git2::Oid, i32)>,
    /// Tracked symlinks and their targets: never edited, only recreated in a verify copy.
    links: Vec<(String, String)>,
    /// The tree of the commit HEAD named when this was made.
    tree: git2::Oid,
}

impl Snapshot {
    /// Open the repository at `root` and list what HEAD tracks.
    pub fn open(root: &Path) -> Result<Snapshot, FixError> {
        let git = |source: git2::Error| FixError::Git {
            repo: root.display().to_string(),
            cause: source,
        };
        let repo = Repository::open(root).map_err(git)?;
        let (tree, (blobs, link_ids)) = {
            let tree = repo.head().and_then(|h| h.peel_to_tree()).map_err(git)?;
            (tree.id(), tracked(&tree).map_err(git)?)
        };
        let mut links = Vec::new();
        for (path, oid) in link_ids {
            let blob = repo.find_blob(oid).map_err(git)?;
            if let Ok(target) = std::str::from_utf8(blob.content()) {
                links.push((path, target.to_string()));
            }
        }
        let mut files: Vec<String> = blobs.keys().cloned().collect();
        files.sort();
        let root = repo
            .workdir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.to_path_buf());
        Ok(Snapshot {
            repo,
            root,
            files,
            blobs,
            links,
            tree,
        })
    }

    /// Whether HEAD still names the tree listed here: a watch outlives commits.
    pub fn is_current(&self) -> bool {
        self.repo
            .head()
            .and_then(|h| h.peel_to_tree())
            .is_ok_and(|tree| tree.id() == self.tree)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Tracked regular files, sorted.
    pub fn files(&self) -> &[String] {
        &self.files
    }

    pub fn contains(&self, path: &str) -> bool {
        self.blobs.contains_key(path)
    }

    /// Contents of `path` at HEAD; `None` when it is not a tracked regular file or not UTF-8.
    pub fn read(&self, path: &str) -> Option<String> {
        self.read_bytes(path)
            .and_then(|bytes| String::from_utf8(bytes).ok())
    }

    pub fn read_bytes(&self, path: &str) -> Option<Vec<u8>> {
        let (oid, _) = self.blobs.get(path)?;
        let blob = self.repo.find_blob(*oid).ok()?;
        Some(blob.content().to_vec())
    }

    /// Tracked symlinks: (path, target as stored).
    pub fn links(&self) -> &[(String, String)] {
        &self.links
    }

    /// Whether `path` is executable at HEAD.
    pub fn executable(&self, path: &str) -> bool {
        self.blobs
            .get(path)
            .is_some_and(|(_, mode)| *mode == 0o100755)
    }
}

type Tracked = (HashMap<String, (git2::Oid, i32)>, Vec<(String, git2::Oid)>);

fn tracked(tree: &git2::Tree<'_>) -> Result<Tracked, git2::Error> {
    let mut blobs = HashMap::new();
    let mut links = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        let mode = entry.filemode();
        if entry.kind() == Some(ObjectType::Blob) {
            if let Some(name) = entry.name() {
                let path = format!("{dir}{name}");
                if mode == 0o100644 || mode == 0o100755 {
                    blobs.insert(path, (entry.id(), mode));
                } else if mode == 0o120000 {
                    links.push((path, entry.id()));
                }
            }
        }
        TreeWalkResult::Ok
    })?;
    Ok((blobs, links))
}
