//! The git side of a deploy, with git2: fetch the base branch as the remote has it, build the fix
//! commit on it, push it as the fix branch.
//!
//! The commit is made from trees and blobs in the object database only: the working tree, the
//! index, HEAD and the user's branches are never touched, so a repository with uncommitted work is
//! left exactly as it was. Fetched tips and the commit to push go under private
//! `refs/hephaestus/<digest>-<pid>/…` refs that are removed afterwards.
//!
//! The token is handed to libgit2 through the credentials callback only: it is never in a URL, in
//! `.git/config`, in argv or in a message. Pushes never force: a branch someone else moved is
//! fetched again and compared, which is what makes concurrent deploys of one fix converge.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;

use git2::{
    AutotagOption, Cred, CredentialType, Diff, Direction, ErrorClass, FetchOptions, Oid,
    PushOptions, RemoteCallbacks, Repository, Signature,
};
use serde::Serialize;
use thiserror::Error;

use super::branch::digest;
use super::retry::RetryPolicy;
use super::Secret;

#[derive(Debug, Error)]
pub enum GitError {
    #[error("failed to open the git repository '{}': {message}", path.display())]
    Open {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("the repository has no remote '{0}' (remote_repo.remote)")]
    NoRemote(String),
    #[error("the URL of remote '{remote}' ('{url}') holds credentials; remove them from .git/config and set HEPHAESTUS_TOKEN instead")]
    CredentialsInUrl { remote: String, url: String },
    #[error("'{url}' asks for credentials but no token is set: put one in HEPHAESTUS_TOKEN (or GITHUB_TOKEN)")]
    NoToken { url: String },
    #[error("authentication to '{url}' failed: the token was refused; check that HEPHAESTUS_TOKEN is valid and may push to the repository")]
    Auth { url: String },
    #[error("ssh authentication to '{url}' failed: neither the ssh agent nor ~/.ssh/id_ed25519, id_ecdsa or id_rsa was accepted")]
    SshAuth { url: String },
    #[error("refusing to send the token over plain http to '{url}': use an https:// remote")]
    Insecure { url: String },
    #[error("the remote '{url}' has no branch '{branch}' (remote_repo.branch)")]
    NoBase { url: String, branch: String },
    #[error("the fix does not apply to '{base}' as the remote has it ({tip}): {message}")]
    DoesNotApply {
        base: String,
        tip: String,
        message: String,
    },
    #[error("the push of '{branch}' to '{url}' was rejected: {message}")]
    Rejected {
        branch: String,
        url: String,
        message: String,
    },
    #[error("{what} '{url}' failed: {message}")]
    Remote {
        what: &'static str,
        url: String,
        message: String,
    },
    #[error("git: {0}")]
    Git(String),
}

fn git(e: git2::Error) -> GitError {
    GitError::Git(e.message().to_owned())
}

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    /// The branch is new.
    Created(Oid),
    /// The branch existed with another patch and now has this one on top.
    Updated(Oid),
    /// The branch already holds exactly this patch: nothing was pushed.
    Unchanged(Oid),
}

impl Published {
    pub fn oid(&self) -> Oid {
        match *self {
            Published::Created(o) | Published::Updated(o) | Published::Unchanged(o) => o,
        }
    }
}

/// The commit a deploy makes.
#[derive(Debug, Clone)]
pub struct CommitSpec<'a> {
    pub branch: &'a str,
    pub base: &'a str,
    pub diff: &'a str,
    pub message: &'a str,
}

/// The commit `--dry-run` describes.
#[derive(Debug, Clone, Serialize)]
pub struct CommitPlan {
    pub remote: String,
    pub url: String,
    /// The base as last fetched (`origin/main`), or `None` when it was never fetched.
    pub base: String,
    pub base_commit: Option<String>,
    pub author: String,
    pub message: String,
    /// Whether the patch applies to the base as last fetched.
    pub applies: Option<bool>,
}

/// A repository and the remote fixes are pushed to.
pub struct GitRemote<'a> {
    repo: Repository,
    remote: String,
    url: String,
    push_url: String,
    username: String,
    token: Option<&'a Secret>,
    policy: RetryPolicy,
}

/// `url` without user information and with the values of credential-like query parameters
/// (`access_token`, `private_token`, `key` …) replaced, for messages and dry-run plans.
pub fn redact(url: &str) -> String {
    let (url, query) = match url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (url, None),
    };
    let mut out = match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let host = authority
                .rsplit_once('@')
                .map_or(authority, |(_, host)| host);
            format!("{scheme}://{host}{path}")
        }
        None => url.to_owned(),
    };
    if let Some(query) = query {
        out.push('?');
        out.push_str(&redact_query(query));
    }
    out
}

/// Placeholder for a secret value in a redacted URL.
const REDACTED: &str = "REDACTED";

/// A query string with the values of parameters that look like credentials replaced.
fn redact_query(query: &str) -> String {
    let (query, fragment) = match query.split_once('#') {
        Some((query, fragment)) => (query, Some(fragment)),
        None => (query, None),
    };
    let mut out = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_credential_name(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&");
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Whether a query parameter's name says its value is a secret. Broad on purpose: hiding a
/// harmless value costs nothing, showing a token costs the token.
fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace("%5f", "_");
    [
        "token",
        "key",
        "secret",
        "pass",
        "auth",
        "sig",
        "credential",
        "session",
    ]
    .iter()
    .any(|word| name.contains(word))
}

/// Whether `url` carries a password (`https://user:pass@host/…`).
fn has_password(url: &str) -> bool {
    url.split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

fn is_loopback(url: &str) -> bool {
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = if host.starts_with('[') {
        host.split(']').next().unwrap_or("").trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or("")
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl<'a> GitRemote<'a> {
    pub fn open(
        dir: &Path,
        remote: &str,
        username: String,
        token: Option<&'a Secret>,
        policy: RetryPolicy,
    ) -> Result<GitRemote<'a>, GitError> {
        let repo = Repository::discover(dir).map_err(|e| GitError::Open {
            path: dir.to_path_buf(),
            message: e.message().to_owned(),
        })?;
        let (url, push_url) = {
            let found = repo
                .find_remote(remote)
                .map_err(|_| GitError::NoRemote(remote.to_owned()))?;
            let url = found
                .url()
                .ok_or_else(|| GitError::NoRemote(remote.to_owned()))?
                .to_owned();
            let push_url = found.pushurl().unwrap_or(&url).to_owned();
            (url, push_url)
        };
        for u in [&url, &push_url] {
            if has_password(u) {
                return Err(GitError::CredentialsInUrl {
                    remote: remote.to_owned(),
                    url: redact(u),
                });
            }
        }
        Ok(GitRemote {
            repo,
            remote: remote.to_owned(),
            url,
            push_url,
            username,
            token: token.filter(|t| !t.is_empty()),
            policy,
        })
    }

    /// Callbacks answering credential requests once; a second request means the first was refused.
    fn callbacks<'c>(
        &'c self,
        url: &'c str,
        failure: &'c RefCell<Option<GitError>>,
    ) -> RemoteCallbacks<'c> {
        let tries = Cell::new(0u32);
        let ssh_tries = Cell::new(0u32);
        let mut callbacks = RemoteCallbacks::new();
        callbacks.credentials(move |_url, username_from_url, allowed| {
            if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
                tries.set(tries.get() + 1);
                let refuse = |e: GitError| {
                    *failure.borrow_mut() = Some(e);
                    Err(git2::Error::from_str("credentials refused"))
                };
                let Some(token) = self.token else {
                    return refuse(GitError::NoToken { url: redact(url) });
                };
                if url.starts_with("http://") && !is_loopback(url) {
                    return refuse(GitError::Insecure { url: redact(url) });
                }
                if tries.get() > 1 {
                    return refuse(GitError::Auth { url: redact(url) });
                }
                return Cred::userpass_plaintext(&self.username, token.expose());
            }
            let user = username_from_url.unwrap_or("git");
            if allowed.contains(CredentialType::USERNAME) {
                return Cred::username(user);
            }
            if allowed.contains(CredentialType::SSH_KEY) {
                // The agent first, then the usual key files; libgit2 asks again after each refusal.
                ssh_tries.set(ssh_tries.get() + 1);
                let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
                let keys: Vec<std::path::PathBuf> = home
                    .iter()
                    .flat_map(|h| {
                        ["id_ed25519", "id_ecdsa", "id_rsa"].map(|k| h.join(".ssh").join(k))
                    })
                    .filter(|k| k.is_file())
                    .collect();
                return match ssh_tries.get() {
                    1 => Cred::ssh_key_from_agent(user),
                    n => match keys.get(n as usize - 2) {
                        Some(key) => Cred::ssh_key(user, None, key, None),
                        None => {
                            *failure.borrow_mut() = Some(GitError::SshAuth { url: redact(url) });
                            Err(git2::Error::from_str("credentials refused"))
                        }
                    },
                };
            }
            Cred::default()
        });
        callbacks
    }

    /// Run `op` against `url`, retrying transport failures with backoff.
    fn with_retries<T>(
        &self,
        what: &'static str,
        url: &str,
        mut op: impl FnMut(&RefCell<Option<GitError>>) -> Result<T, git2::Error>,
    ) -> Result<T, GitError> {
        let mut attempt = 1;
        loop {
            let failure = RefCell::new(None);
            match op(&failure) {
                Ok(value) => return Ok(value),
                Err(err) => {
                    if let Some(reason) = failure.into_inner() {
                        return Err(reason);
                    }
                    let transient = matches!(
                        err.class(),
                        ErrorClass::Net | ErrorClass::Http | ErrorClass::Os | ErrorClass::Ssl
                    ) && !err.message().contains("401")
                        && !err.message().contains("403")
                        && !err.message().contains("404");
                    if !transient || attempt >= self.policy.attempts {
                        return Err(GitError::Remote {
                            what,
                            url: redact(url),
                            // libgit2 may quote the URL it was given.
                            message: err.message().replace(url, &redact(url)),
                        });
                    }
                    std::thread::sleep(self.policy.backoff(attempt));
                    attempt += 1;
                }
            }
        }
    }

    /// The URL pushes go to.
    pub fn push_url(&self) -> &str {
        &self.push_url
    }

    /// Whether the remote has the branch `name`.
    pub fn has_branch(&self, name: &str) -> Result<bool, GitError> {
        Ok(self
            .ls_remote()?
            .contains_key(&format!("refs/heads/{name}")))
    }

    /// The fingerprint trailer (`Hephaestus-Fingerprint: …`) of the tip of the remote's branch
    /// `name`, or `None` when there is no such branch or its tip has none.
    pub fn tip_fingerprint(&self, name: &str) -> Result<Option<String>, GitError> {
        let Some(&tip) = self.ls_remote()?.get(&format!("refs/heads/{name}")) else {
            return Ok(None);
        };
        let private = format!(
            "refs/hephaestus/{}-{}-tip",
            digest(name),
            std::process::id()
        );
        let message = (|| {
            if self.repo.find_commit(tip).is_err() {
                self.fetch(&private, &[name])?;
            }
            let commit = self.repo.find_commit(tip).map_err(git)?;
            Ok(commit.message().unwrap_or("").to_owned())
        })();
        self.remove_private(&private);
        let message: String = message?;
        let key = format!("{}:", super::message::FINGERPRINT_TRAILER);
        Ok(message
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix(&key))
            .map(|v| v.trim().to_owned()))
    }

    /// The remote's branches: `refs/heads/x` → tip.
    fn ls_remote(&self) -> Result<HashMap<String, Oid>, GitError> {
        self.with_retries("listing the branches of", &self.url, |failure| {
            let mut remote = self.repo.remote_anonymous(&self.url)?;
            let connection = remote.connect_auth(
                Direction::Fetch,
                Some(self.callbacks(&self.url, failure)),
                None,
            )?;
            let heads = connection
                .list()?
                .iter()
                .filter(|h| h.name().starts_with("refs/heads/"))
                .map(|h| (h.name().to_owned(), h.oid()))
                .collect();
            Ok(heads)
        })
    }

    /// Fetch `refs/heads/<b>` for each branch into private refs; returns them by branch.
    fn fetch(&self, private: &str, branches: &[&str]) -> Result<(), GitError> {
        let refspecs: Vec<String> = branches
            .iter()
            .enumerate()
            .map(|(i, b)| format!("+refs/heads/{b}:{private}/fetched{i}"))
            .collect();
        self.with_retries("fetching from", &self.url, |failure| {
            let mut remote = self.repo.remote_anonymous(&self.url)?;
            let mut options = FetchOptions::new();
            options
                .remote_callbacks(self.callbacks(&self.url, failure))
                .download_tags(AutotagOption::None)
                .update_fetchhead(false);
            remote.fetch(&refspecs, Some(&mut options), None)
        })
    }

    /// `tree` with `diff` applied, as a tree in the object database.
    fn apply(
        &self,
        base: &str,
        commit: &git2::Commit<'_>,
        diff: &Diff<'_>,
    ) -> Result<Oid, GitError> {
        let fail = |e: git2::Error| GitError::DoesNotApply {
            base: base.to_owned(),
            tip: short(commit.id()),
            message: e.message().to_owned(),
        };
        let tree = commit.tree().map_err(git)?;
        let mut index = self.repo.apply_to_tree(&tree, diff, None).map_err(fail)?;
        index.write_tree_to(&self.repo).map_err(git)
    }

    /// Make sure `spec.branch` on the remote holds the fix; never forces.
    pub fn publish(
        &self,
        spec: &CommitSpec<'_>,
        author: &Signature<'_>,
    ) -> Result<Published, GitError> {
        // A push can lose a race with another host deploying the same fix; the second round sees
        // its branch and compares.
        match self.publish_once(spec, author) {
            Err(GitError::Rejected { .. }) => self.publish_once(spec, author),
            other => other,
        }
    }

    fn publish_once(
        &self,
        spec: &CommitSpec<'_>,
        author: &Signature<'_>,
    ) -> Result<Published, GitError> {
        let patch = git_style(spec.diff);
        let diff = Diff::from_buffer(patch.as_bytes()).map_err(|e| GitError::DoesNotApply {
            base: spec.base.to_owned(),
            tip: "-".into(),
            message: format!("unreadable patch: {}", e.message()),
        })?;
        let heads = self.ls_remote()?;
        let base_ref = format!("refs/heads/{}", spec.base);
        let Some(&base_tip) = heads.get(&base_ref) else {
            return Err(GitError::NoBase {
                url: redact(&self.url),
                branch: spec.base.to_owned(),
            });
        };
        let head_tip = heads.get(&format!("refs/heads/{}", spec.branch)).copied();
        // Per process too: two processes sharing a clone must not fight over these refs.
        let private = format!(
            "refs/hephaestus/{}-{}",
            digest(spec.branch),
            std::process::id()
        );
        let result = (|| {
            let mut wanted = vec![spec.base];
            if head_tip.is_some() {
                wanted.push(spec.branch);
            }
            self.fetch(&private, &wanted)?;
            let base_name = format!("{}/{}", self.remote, spec.base);
            let base_commit = self.repo.find_commit(base_tip).map_err(git)?;
            let (parents, tree_oid) = match head_tip {
                Some(tip) => {
                    let head = self.repo.find_commit(tip).map_err(git)?;
                    let fork_oid = self.repo.merge_base(tip, base_tip).map_err(git)?;
                    let fork = self.repo.find_commit(fork_oid).map_err(git)?;
                    if let Ok(tree) = self.apply(&base_name, &fork, &diff) {
                        if tree == head.tree_id() {
                            return Ok(Published::Unchanged(tip));
                        }
                    }
                    if fork_oid == base_tip {
                        // A new commit on top keeps the push a fast-forward; its tree is the
                        // base plus the new patch, so the pull request shows just this fix.
                        let tree = self.apply(&base_name, &base_commit, &diff)?;
                        (vec![head], tree)
                    } else {
                        // The base moved since the branch was made, and the patch was made
                        // against the base as it is now: a merge of the base's tip keeps the
                        // push a fast-forward and the pull request's diff the patch alone.
                        let tree = self.apply(&base_name, &base_commit, &diff)?;
                        (vec![head, base_commit.clone()], tree)
                    }
                }
                None => {
                    let tree = self.apply(&base_name, &base_commit, &diff)?;
                    (vec![base_commit.clone()], tree)
                }
            };
            let tree = self.repo.find_tree(tree_oid).map_err(git)?;
            let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let oid = self
                .repo
                .commit(None, author, author, spec.message, &tree, &parents)
                .map_err(git)?;
            self.push(&private, spec.branch, oid)?;
            Ok(if head_tip.is_some() {
                Published::Updated(oid)
            } else {
                Published::Created(oid)
            })
        })();
        self.remove_private(&private);
        result
    }

    fn push(&self, private: &str, branch: &str, oid: Oid) -> Result<(), GitError> {
        let source = format!("{private}/push");
        self.repo
            .reference(&source, oid, true, "hephaestus: fix to push")
            .map_err(git)?;
        let refspec = format!("{source}:refs/heads/{branch}");
        let rejected: RefCell<Option<String>> = RefCell::new(None);
        let pushed = self.with_retries("pushing to", &self.push_url, |failure| {
            let mut remote = self.repo.remote_anonymous(&self.push_url)?;
            let mut callbacks = self.callbacks(&self.push_url, failure);
            callbacks.push_update_reference(|_name, status| {
                if let Some(message) = status {
                    *rejected.borrow_mut() = Some(message.to_owned());
                }
                Ok(())
            });
            let mut options = PushOptions::new();
            options.remote_callbacks(callbacks);
            remote.push(&[refspec.as_str()], Some(&mut options))
        });
        let reject = |message: String| GitError::Rejected {
            branch: branch.to_owned(),
            url: redact(&self.push_url),
            message,
        };
        match pushed {
            // libgit2 refuses a non-fast-forward itself, before the server is asked.
            Err(GitError::Remote { message, .. })
                if message.contains("fastforward") || message.contains("not present locally") =>
            {
                Err(reject(message))
            }
            Err(e) => Err(e),
            Ok(()) => match rejected.into_inner() {
                Some(message) => Err(reject(message)),
                None => Ok(()),
            },
        }
    }

    fn remove_private(&self, private: &str) {
        if let Ok(refs) = self.repo.references_glob(&format!("{private}/*")) {
            let names: Vec<String> = refs
                .flatten()
                .filter_map(|r| r.name().map(str::to_owned))
                .collect();
            for name in names {
                if let Ok(mut r) = self.repo.find_reference(&name) {
                    let _ = r.delete();
                }
            }
        }
    }

    /// The commit a deploy would make, from what is known locally; nothing is fetched or written.
    pub fn plan(&self, spec: &CommitSpec<'_>, author: &Signature<'_>) -> CommitPlan {
        let tracking = format!("refs/remotes/{}/{}", self.remote, spec.base);
        let base_commit = self
            .repo
            .find_reference(&tracking)
            .ok()
            .and_then(|r| r.peel_to_commit().ok());
        let applies = base_commit.as_ref().map(|c| {
            Diff::from_buffer(git_style(spec.diff).as_bytes())
                .and_then(|diff| Ok(applies_cleanly(&self.repo, &c.tree()?, &diff)))
                .unwrap_or(false)
        });
        CommitPlan {
            remote: self.remote.clone(),
            url: redact(&self.push_url),
            base: format!("{}/{}", self.remote, spec.base),
            base_commit: base_commit.map(|c| short(c.id())),
            author: format!(
                "{} <{}>",
                author.name().unwrap_or_default(),
                author.email().unwrap_or_default()
            ),
            message: spec.message.to_owned(),
            applies,
        }
    }

    /// Author and committer: the configured ones, else git config, else `hephaestus`.
    pub fn signature(
        &self,
        name: Option<&str>,
        email: Option<&str>,
    ) -> Result<Signature<'static>, GitError> {
        let configured = self.repo.signature().ok();
        let name = name
            .map(str::to_owned)
            .or_else(|| {
                configured
                    .as_ref()
                    .and_then(|s| s.name().map(str::to_owned))
            })
            .unwrap_or_else(|| "hephaestus".to_owned());
        let email = email
            .map(str::to_owned)
            .or_else(|| {
                configured
                    .as_ref()
                    .and_then(|s| s.email().map(str::to_owned))
            })
            .unwrap_or_else(|| "hephaestus@localhost".to_owned());
        Signature::now(&name, &email).map_err(git)
    }
}

/// Whether every hunk of `diff` finds its old lines where it says, in `tree`: the check
/// `apply_to_tree` makes, without writing the new blobs it would (a dry run writes nothing).
fn applies_cleanly(repo: &Repository, tree: &git2::Tree<'_>, diff: &Diff<'_>) -> bool {
    (0..diff.deltas().len()).all(|i| {
        let Ok(Some(patch)) = git2::Patch::from_diff(diff, i) else {
            return false;
        };
        let delta = patch.delta();
        let old: Vec<u8> = match delta.old_file().path() {
            Some(path) if delta.status() != git2::Delta::Added => {
                let Ok(entry) = tree.get_path(path) else {
                    return false;
                };
                match repo.find_blob(entry.id()) {
                    Ok(blob) => blob.content().to_vec(),
                    Err(_) => return false,
                }
            }
            _ => Vec::new(),
        };
        let lines: Vec<&[u8]> = old.split_inclusive(|b| *b == b'\n').collect();
        (0..patch.num_hunks()).all(|h| {
            let Ok((hunk, count)) = patch.hunk(h) else {
                return false;
            };
            let mut at = (hunk.old_start() as usize).saturating_sub(1);
            (0..count).all(|l| {
                let Ok(line) = patch.line_in_hunk(h, l) else {
                    return false;
                };
                match line.origin() {
                    ' ' | '-' => {
                        let ok = lines.get(at).is_some_and(|have| {
                            have.strip_suffix(b"\n").unwrap_or(have)
                                == line.content().strip_suffix(b"\n").unwrap_or(line.content())
                        });
                        at += 1;
                        ok
                    }
                    _ => true,
                }
            })
        })
    })
}

/// `diff` with a `diff --git` header before each file that lacks one: libgit2 parses only git-style
/// patches, while a plain unified diff (`--- a/x`, `+++ b/x`) is what `git apply` and people accept.
pub fn git_style(diff: &str) -> String {
    let lines: Vec<&str> = diff.split_inclusive('\n').collect();
    let mut out = String::with_capacity(diff.len() + 64);
    let mut in_header = false;
    // Lines left in the current hunk (old side, new side): inside a hunk nothing is a header.
    let mut left = (0usize, 0usize);
    for (i, line) in lines.iter().enumerate() {
        if left != (0, 0) {
            match line.as_bytes().first() {
                Some(b' ') | Some(b'\n') => {
                    left = (left.0.saturating_sub(1), left.1.saturating_sub(1))
                }
                Some(b'-') => left.0 = left.0.saturating_sub(1),
                Some(b'+') => left.1 = left.1.saturating_sub(1),
                _ => {}
            }
            out.push_str(line);
            continue;
        }
        if line.starts_with("diff --git ") {
            in_header = true;
        } else if line.starts_with("@@") {
            in_header = false;
            left = hunk_lengths(line);
        } else if !in_header && line.starts_with("--- ") {
            let next = lines.get(i + 1).copied().unwrap_or("");
            if let Some(new) = next.strip_prefix("+++ ") {
                let old = line[4..].trim_end();
                let new = new.trim_end();
                let strip = |p: &str| {
                    p.strip_prefix("a/")
                        .or_else(|| p.strip_prefix("b/"))
                        .unwrap_or(p)
                        .to_owned()
                };
                let path = if new == "/dev/null" {
                    strip(old)
                } else {
                    strip(new)
                };
                out.push_str(&format!("diff --git a/{path} b/{path}\n"));
                if old == "/dev/null" {
                    out.push_str("new file mode 100644\n");
                } else if new == "/dev/null" {
                    out.push_str("deleted file mode 100644\n");
                }
                in_header = true;
            }
        }
        out.push_str(line);
    }
    out
}

/// (old, new) line counts of a `@@ -a,b +c,d @@` header; a missing count is 1.
fn hunk_lengths(header: &str) -> (usize, usize) {
    let mut parts = header.split_whitespace().skip(1);
    let count = |part: Option<&str>| {
        part.and_then(|p| p.get(1..))
            .and_then(|p| p.split_once(',').map_or(Some(1), |(_, n)| n.parse().ok()))
            .unwrap_or(0)
    };
    let old = count(parts.next());
    let new = count(parts.next());
    (old, new)
}

fn short(oid: Oid) -> String {
    oid.to_string()[..12].to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_in_messages() {
        assert_eq!(
            redact("https://x-access-token:ghp_1@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(redact("git@github.com:o/r.git"), "git@github.com:o/r.git");
        assert_eq!(
            redact("https://example.invalid/x.git?access_token=SECRET"),
            "https://example.invalid/x.git?access_token=REDACTED"
        );
        assert_eq!(
            redact("https://u:p@h/r?ref=main&private_token=S&API_KEY=S&sig=S#top"),
            "https://h/r?ref=main&private_token=REDACTED&API_KEY=REDACTED&sig=REDACTED#top"
        );
        assert_eq!(redact("https://h?token=S"), "https://h?token=REDACTED");
        assert!(has_password("https://u:p@h/r"));
        assert!(!has_password("https://u@h/r"));
        assert!(!has_password("git@github.com:o/r.git"));
    }

    #[test]
    fn plain_unified_diffs_get_git_headers() {
        let plain = "--- a/c/d.yaml\n+++ b/c/d.yaml\n@@ -1 +1 @@\n-a\n+b\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n";
        assert_eq!(
            git_style(plain),
            "diff --git a/c/d.yaml b/c/d.yaml\n--- a/c/d.yaml\n+++ b/c/d.yaml\n@@ -1 +1 @@\n-a\n+b\n\
             diff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1 @@\n+x\n"
        );
        // A removed line that looks like a header inside a hunk stays as it is.
        let tricky =
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n--- a/y\n+++ b/y\n ctx\n";
        assert_eq!(git_style(tricky), tricky);
        for d in [plain, tricky] {
            Diff::from_buffer(git_style(d).as_bytes()).unwrap();
        }
    }

    #[test]
    fn the_dry_run_check_agrees_with_apply_and_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let tree_with = |text: &str| {
            let blob = repo.blob(text.as_bytes()).unwrap();
            let mut builder = repo.treebuilder(None).unwrap();
            builder.insert("db.yaml", blob, 0o100644).unwrap();
            repo.find_tree(builder.write().unwrap()).unwrap()
        };
        let good = tree_with("pool:\n  max: 10\n  timeout: 5s\n");
        let moved = tree_with("pool:\n  max: 20\n  timeout: 5s\n");
        let patch = "--- a/db.yaml\n+++ b/db.yaml\n@@ -1,3 +1,3 @@\n pool:\n-  max: 10\n+  max: 100\n   timeout: 5s\n";
        let diff = Diff::from_buffer(git_style(patch).as_bytes()).unwrap();
        let objects = || {
            let mut n = 0;
            repo.odb()
                .unwrap()
                .foreach(|_| {
                    n += 1;
                    true
                })
                .unwrap();
            n
        };
        let before = objects();
        assert!(applies_cleanly(&repo, &good, &diff));
        assert!(!applies_cleanly(&repo, &moved, &diff));
        assert_eq!(objects(), before);
        assert!(repo.apply_to_tree(&good, &diff, None).is_ok());
        assert!(repo.apply_to_tree(&moved, &diff, None).is_err());
    }

    #[test]
    fn only_loopback_may_see_a_token_over_http() {
        assert!(is_loopback("http://127.0.0.1:8080/r.git"));
        assert!(is_loopback("http://localhost/r.git"));
        assert!(is_loopback("http://[::1]:80/r.git"));
        assert!(!is_loopback("http://example.com/r.git"));
        assert!(!is_loopback("http://127.0.0.1.evil.com/r.git"));
    }
}
