//! What a deploy needs, checked before any log is read: `--mode deploy` (dry run included) fails
//! at once, one line per problem, instead of at the first incident, minutes or days later.
//!
//! - a token in the environment (or the config);
//! - the repository and its remote;
//! - a forge that matches where the code is pushed: the push URL's host is the API's host (less
//!   `api.`), or the provider's public host when no `api_url` is set;
//! - the base branch on the remote.
//!
//! A remote that cannot be reached now (no network yet, a DNS hiccup) is a warning, not a
//! problem: it says nothing of whether deploys will work once it can.

use super::git::{GitError, GitRemote};
use super::origin::host_of;
use super::DeploySettings;

/// What the preflight found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// What would make every deploy fail.
    pub problems: Vec<String>,
    /// What could not be checked.
    pub warnings: Vec<String>,
}

/// Check `settings`; see the module docs.
pub fn check(settings: &DeploySettings) -> Findings {
    let mut warnings = Vec::new();
    let problems = problems(settings, &mut warnings);
    Findings { problems, warnings }
}

fn problems(settings: &DeploySettings, warnings: &mut Vec<String>) -> Vec<String> {
    let mut problems = Vec::new();
    let remote = &settings.remote;
    if remote.token.as_ref().is_none_or(|t| t.is_empty()) {
        problems
            .push("no token: set HEPHAESTUS_TOKEN (or GITHUB_TOKEN) in the environment".to_owned());
    }
    let Some(dir) = &settings.repo else {
        problems.push("no repository: run inside the code's git repository or pass --repo".into());
        return problems;
    };
    let name = remote.remote_name();
    let git = match GitRemote::open(
        dir,
        name,
        String::new(),
        remote.token.as_ref(),
        settings.retry,
    ) {
        Ok(git) => git,
        Err(e) => {
            problems.push(e.to_string());
            return problems;
        }
    };
    if let Some(problem) = forge_mismatch(
        &remote.provider,
        remote.api_url.as_deref(),
        git.push_url(),
        name,
    ) {
        problems.push(problem);
    }
    if !problems.is_empty() {
        // Without a token the remote cannot be asked; the lines above say what to fix first.
        return problems;
    }
    let base = remote.base_branch();
    match git.has_branch(base) {
        Ok(true) => {}
        Ok(false) => problems.push(format!(
            "the base branch '{base}' is not on remote '{name}' ({}): set remote_repo.branch",
            super::git::redact(git.push_url())
        )),
        Err(e @ GitError::Remote { .. }) => warnings.push(format!(
            "deploy mode could not check the base branch '{base}' on remote '{name}': {e}"
        )),
        Err(e) => problems.push(e.to_string()),
    }
    problems
}

/// Why `provider`/`api_url` cannot be the forge of `push_url`, if they cannot.
fn forge_mismatch(
    provider: &str,
    api_url: Option<&str>,
    push_url: &str,
    remote: &str,
) -> Option<String> {
    // A local path or file:// remote names no host: nothing to compare.
    let pushed = host_of(push_url)?;
    let expected = match api_url {
        Some(api) => {
            let host = host_of(api)?;
            host.strip_prefix("api.").map(str::to_owned).unwrap_or(host)
        }
        None => match provider {
            "github" => "github.com".to_owned(),
            "gitlab" => "gitlab.com".to_owned(),
            // Gitea has no public default; the forge reports a missing api_url itself.
            _ => return None,
        },
    };
    let pushed_bare = pushed.strip_prefix("ssh.").unwrap_or(&pushed);
    (pushed_bare != expected).then(|| {
        format!(
            "remote_repo.provider {provider}{} is not the forge of remote '{remote}', which pushes \
             to '{pushed}': set provider and api_url to the forge that hosts it",
            api_url.map(|a| format!(" at {}", super::git::redact(a))).unwrap_or_default()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_forge_must_be_where_the_code_is_pushed() {
        assert_eq!(
            forge_mismatch("github", None, "git@github.com:a/b.git", "origin"),
            None
        );
        assert_eq!(
            forge_mismatch(
                "github",
                Some("https://api.github.com"),
                "https://github.com/a/b",
                "origin"
            ),
            None
        );
        assert_eq!(
            forge_mismatch(
                "gitlab",
                Some("https://git.acme.io/api/v4"),
                "git@git.acme.io:g/p.git",
                "origin"
            ),
            None
        );
        let wrong = forge_mismatch("github", None, "git@gitlab.com:g/p.git", "origin").unwrap();
        assert_eq!(
            wrong,
            "remote_repo.provider github is not the forge of remote 'origin', which pushes to \
             'gitlab.com': set provider and api_url to the forge that hosts it"
        );
        assert_eq!(
            forge_mismatch("github", None, "/srv/git/x.git", "origin"),
            None
        );
    }
}
