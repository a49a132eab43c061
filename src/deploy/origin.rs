//! What a repository's remote says of where its pull requests go: the host, the project's
//! owner and name, the default branch. `init` prefills the config from it, the preflight compares
//! the forge with it, and a repository named per service (`repos:`) takes its project from it.

/// A remote URL read as a forge project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    /// As written, port included (`host:2222`).
    pub host: String,
    /// `owner`, or `group/sub` for a GitLab project in nested groups.
    pub owner: String,
    pub repo: String,
}

/// `git@github.com:owner/repo.git`, `ssh://git@host:22/owner/repo`, `https://host/group/sub/repo.git`
/// → host, `owner` or `group/sub`, `repo`: a GitLab project in nested groups keeps its whole
/// path, owner and repository joined. Credentials in the URL are ignored, never kept.
pub fn parse(url: &str) -> Option<RemoteUrl> {
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        rest.split_once('/')?
    } else if let Some((host, path)) = url.split_once(':') {
        if host.contains('/') {
            return None;
        }
        (host, path)
    } else {
        return None;
    };
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.rsplit_once('/')?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']'));
    (host_ok && safe_name(owner) && safe_name(repo)).then(|| RemoteUrl {
        host: host.to_owned(),
        owner: owner.to_owned(),
        repo: repo.to_owned(),
    })
}

/// The project the remote `name` of `repo` points at.
pub fn project(repo: &git2::Repository, name: &str) -> Option<RemoteUrl> {
    let remote = repo.find_remote(name).ok()?;
    parse(remote.pushurl().or(remote.url())?)
}

/// The remote's default branch (`refs/remotes/<name>/HEAD`), else the upstream of the branch
/// checked out, if it is on that remote.
pub fn base_branch(repo: &git2::Repository, name: &str) -> Option<String> {
    let prefix = format!("refs/remotes/{name}/");
    let from_head = repo
        .find_reference(&format!("{prefix}HEAD"))
        .ok()
        .and_then(|r| r.symbolic_target().map(str::to_owned))
        .and_then(|t| t.strip_prefix(&prefix).map(str::to_owned));
    let branch = from_head.or_else(|| {
        let head = repo.head().ok()?;
        let local = repo
            .find_branch(head.shorthand()?, git2::BranchType::Local)
            .ok()?;
        let upstream = local.upstream().ok()?;
        let upstream = upstream.name().ok()??.to_owned();
        upstream
            .strip_prefix(&format!("{name}/"))
            .map(str::to_owned)
    })?;
    safe_name(&branch).then_some(branch)
}

/// Characters a name taken from a remote may hold: it is written into a config file between
/// double quotes and into API paths.
pub fn safe_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

/// The host of a URL (`https://host:port/…`, `ssh://user@host/…`, `user@host:path`), lowercased
/// and without its port; `None` for a local path.
pub fn host_of(url: &str) -> Option<String> {
    let rest = match url.split_once("://") {
        Some((scheme, rest)) if scheme != "file" => rest,
        Some(_) => return None,
        None => {
            let (host, _) = url.split_once(':')?;
            if host.contains('/') {
                return None;
            }
            host
        }
    };
    let authority = rest.split('/').next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        host.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_remote_urls() {
        let three = |h: &str, o: &str, r: &str| {
            Some(RemoteUrl {
                host: h.to_owned(),
                owner: o.to_owned(),
                repo: r.to_owned(),
            })
        };
        assert_eq!(
            parse("git@github.com:acme/shop.git"),
            three("github.com", "acme", "shop")
        );
        assert_eq!(
            parse("https://github.com/acme/shop"),
            three("github.com", "acme", "shop")
        );
        assert_eq!(
            parse("https://x:secret@gitlab.com/g/sub/p.git"),
            three("gitlab.com", "g/sub", "p")
        );
        assert_eq!(
            parse("ssh://git@host:2222/acme/shop.git"),
            three("host:2222", "acme", "shop")
        );
        assert_eq!(parse("/srv/git/shop.git"), None);
        assert_eq!(parse("https://host/a\"b/c"), None);
    }

    #[test]
    fn hosts_of_urls() {
        assert_eq!(
            host_of("https://github.com/a/b.git").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            host_of("git@gitlab.com:g/s/p.git").as_deref(),
            Some("gitlab.com")
        );
        assert_eq!(
            host_of("ssh://git@Host.example:2222/a/b").as_deref(),
            Some("host.example")
        );
        assert_eq!(
            host_of("http://127.0.0.1:8080/shop.git").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(host_of("/srv/git/shop.git"), None);
        assert_eq!(host_of("file:///srv/git/shop.git"), None);
    }
}
