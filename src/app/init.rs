//! `hephaestus init`: write the annotated configuration, prefilled from the git origin.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::cli::InitArgs;
use crate::config::EXAMPLE_CONFIG;
use crate::report::{Style, TextReport};
use crate::ExitStatus;

pub fn run(args: &InitArgs, style: Style) -> Result<ExitStatus> {
    let dir = args
        .output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = match origin_owner_repo(dir) {
        Some((owner, repo)) => prefill(EXAMPLE_CONFIG, &owner, &repo),
        None => EXAMPLE_CONFIG.to_owned(),
    };
    let mut options = OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        // create_new: the existence check and the write are one step, so nothing is clobbered.
        options.create_new(true);
    }
    let mut file = match options.open(&args.output) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {
            bail!(
                "'{}' already exists (use --force to overwrite it)",
                args.output.display()
            )
        }
        Err(e) => {
            return Err(e).with_context(|| format!("failed to create '{}'", args.output.display()))
        }
    };
    file.write_all(text.as_bytes())
        .with_context(|| format!("failed to write '{}'", args.output.display()))?;
    TextReport::new(std::io::stderr(), style).done(&format!("wrote {}", args.output.display()))?;
    Ok(ExitStatus::Clean)
}

/// Owner and repository named by the `origin` remote of the repository containing `dir`.
fn origin_owner_repo(dir: &Path) -> Option<(String, String)> {
    let repo = git2::Repository::discover(dir).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    parse_remote_url(remote.url()?)
}

/// `git@github.com:owner/repo.git`, `ssh://git@host:22/owner/repo`, `https://host/group/sub/repo.git`
/// → (`owner` or `group/sub`, `repo`). Credentials in the URL are ignored, never kept.
pub(crate) fn parse_remote_url(url: &str) -> Option<(String, String)> {
    let path = if let Some((_, rest)) = url.split_once("://") {
        rest.split_once('/')?.1
    } else if let Some((host, path)) = url.split_once(':') {
        if host.contains('/') {
            return None;
        }
        path
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.rsplit_once('/')?;
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    (safe(owner) && safe(repo)).then(|| (owner.to_owned(), repo.to_owned()))
}

fn prefill(template: &str, owner: &str, repo: &str) -> String {
    template
        .replacen("  owner: \"\"", &format!("  owner: \"{owner}\""), 1)
        .replacen(
            "  repository: \"\"",
            &format!("  repository: \"{repo}\""),
            1,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_remote_urls() {
        let pair = |o: &str, r: &str| Some((o.to_owned(), r.to_owned()));
        assert_eq!(
            parse_remote_url("git@github.com:acme/shop.git"),
            pair("acme", "shop")
        );
        assert_eq!(
            parse_remote_url("https://github.com/acme/shop"),
            pair("acme", "shop")
        );
        assert_eq!(
            parse_remote_url("https://x:secret@gitlab.com/g/sub/p.git"),
            pair("g/sub", "p")
        );
        assert_eq!(
            parse_remote_url("ssh://git@host:2222/acme/shop.git"),
            pair("acme", "shop")
        );
        assert_eq!(parse_remote_url("/srv/git/shop.git"), None);
        assert_eq!(parse_remote_url("https://host/a\"b/c"), None);
    }

    #[test]
    fn prefill_fills_both_fields() {
        let text = prefill(EXAMPLE_CONFIG, "acme", "shop");
        assert!(text.contains("  owner: \"acme\""));
        assert!(text.contains("  repository: \"shop\""));
    }
}
