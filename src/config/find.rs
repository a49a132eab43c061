//! Which configuration file a run reads: `--config`, else `HEPHAESTUS_CONFIG`, else
//! `hephaestus.yaml` (or `.hephaestus.yaml`) in the current directory or a parent up to the top
//! of the git repository it is in, else the same in the `--repo` directory, else none (the
//! built-in defaults). A file named explicitly must exist; one looked up is used only if it does.

use std::path::{Path, PathBuf};

use super::DEFAULT_CONFIG_FILE;

/// The environment variable naming a config file when `--config` is not given.
pub const CONFIG_VAR: &str = "HEPHAESTUS_CONFIG";

/// The names looked up in each directory, in order.
const NAMES: [&str; 2] = [DEFAULT_CONFIG_FILE, ".hephaestus.yaml"];

/// The config file for a run started in `cwd` with `--config explicit` and `--repo repo`, if any.
pub fn find(explicit: Option<&Path>, repo: Option<&Path>, cwd: &Path) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return Some(path.to_path_buf());
    }
    if let Some(path) = std::env::var_os(CONFIG_VAR).filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(path));
    }
    let top = super::worktree::discover(cwd);
    let here = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    // Outside a repository only the current directory is looked in: a parent's config belongs to
    // whatever lives there.
    let mut dir = Some(here.as_path());
    while let Some(d) = dir {
        if let Some(found) = in_dir(d) {
            return Some(relative_to(&found, &here, cwd));
        }
        if top.as_deref().is_none_or(|top| d == top) {
            break;
        }
        dir = d.parent();
    }
    repo.and_then(in_dir)
}

fn in_dir(dir: &Path) -> Option<PathBuf> {
    NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|p| p.is_file())
}

/// `found` as the user would name it from `cwd`: `hephaestus.yaml`, `../../hephaestus.yaml`.
fn relative_to(found: &Path, here: &Path, cwd: &Path) -> PathBuf {
    let Some(dir) = found.parent() else {
        return found.to_path_buf();
    };
    let Ok(down) = here.strip_prefix(dir) else {
        return found.to_path_buf();
    };
    let mut path = if cwd.is_absolute() {
        return found.to_path_buf();
    } else {
        PathBuf::new()
    };
    for _ in down.components() {
        path.push("..");
    }
    path.join(found.file_name().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git_init(dir: &Path) {
        git2::Repository::init(dir).unwrap();
    }

    #[test]
    fn looks_up_to_the_repository_top_then_in_the_repo() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("svc");
        let deep = repo.join("src/app");
        std::fs::create_dir_all(&deep).unwrap();
        git_init(&repo);
        assert_eq!(find(None, None, &deep), None);
        std::fs::write(repo.join(".hephaestus.yaml"), "").unwrap();
        assert_eq!(
            find(None, None, &deep),
            Some(repo.canonicalize().unwrap().join(".hephaestus.yaml"))
        );
        std::fs::write(repo.join("hephaestus.yaml"), "").unwrap();
        assert_eq!(
            find(None, None, &deep),
            Some(repo.canonicalize().unwrap().join("hephaestus.yaml"))
        );
        // Above the repository's top is not looked in.
        std::fs::write(root.path().join("hephaestus.yaml"), "").unwrap();
        let other = root.path().join("other");
        std::fs::create_dir_all(&other).unwrap();
        git_init(&other);
        assert_eq!(find(None, None, &other), None);
        assert_eq!(
            find(None, Some(&repo), &other),
            Some(repo.join("hephaestus.yaml"))
        );
        assert_eq!(
            find(Some(Path::new("x.yaml")), Some(&repo), &other),
            Some(PathBuf::from("x.yaml"))
        );
    }

    #[test]
    fn a_relative_start_gives_a_relative_name() {
        let here = Path::new("/srv/svc/src/app");
        assert_eq!(
            relative_to(Path::new("/srv/svc/hephaestus.yaml"), here, Path::new(".")),
            PathBuf::from("../../hephaestus.yaml")
        );
        assert_eq!(
            relative_to(
                Path::new("/srv/svc/src/app/hephaestus.yaml"),
                here,
                Path::new(".")
            ),
            PathBuf::from("hephaestus.yaml")
        );
    }
}
