//! Forges: where pull requests are opened. One trait, one implementation per provider, all over
//! the same retrying [`Http`] client; `api_url` replaces the public API base for every request.
//!
//! Errors that retrying cannot fix (401, 403, 404, 422 …) say what to change: the token, its
//! scopes, or `remote_repo.owner` / `remote_repo.repository`.

mod gitea;
mod github;
mod gitlab;

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};
use thiserror::Error;

use super::retry::{Http, Response, RetryPolicy};
use crate::deploy::{RemoteSettings, Secret};

pub use gitea::Gitea;
pub use github::GitHub;
pub use gitlab::GitLab;

/// A pull (merge) request to open.
#[derive(Debug, Clone, Serialize)]
pub struct PrRequest {
    pub title: String,
    pub body: String,
    /// Branch with the change.
    pub head: String,
    /// Branch it should be merged into.
    pub base: String,
    pub labels: Vec<String>,
    pub draft: bool,
}

/// A pull request as the forge has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub url: String,
    pub state: PrState,
    /// When it was merged (RFC 3339), as the forge says.
    pub merged_at: Option<String>,
    /// The marker the tool left in its body: which fix it proposes.
    pub marker: Option<Marker>,
}

/// One of the repository's pull requests, as a list of them gives it: enough to count what the
/// tool has open and has opened lately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub head: String,
    pub open: bool,
    /// RFC 3339.
    pub created_at: Option<String>,
}

/// Where a pull request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrState {
    Open,
    /// Closed without being merged: a reviewer said no.
    Closed,
    Merged,
}

/// What a pull request body says it proposes, and what it was last told, in a comment line only
/// the tool writes: `<!-- hephaestus fingerprint=FP patch=DIGEST told=TIME seen=TIME -->`.
/// Reading it back from the forge is what lets hosts with their own state directories agree on
/// what was proposed, closed or merged, and on when the pull request last heard of its error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub fingerprint: String,
    pub patch: String,
    /// When the pull request was last commented on (RFC 3339).
    pub told: Option<String>,
    /// The log time of the last occurrence it was told of (RFC 3339).
    pub seen: Option<String>,
}

impl Marker {
    const PREFIX: &'static str = "<!-- hephaestus ";

    /// The marker line for a body.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}fingerprint={} patch={}",
            Self::PREFIX,
            self.fingerprint,
            self.patch
        );
        for (key, value) in [("told", &self.told), ("seen", &self.seen)] {
            if let Some(value) = value {
                line.push_str(&format!(" {key}={value}"));
            }
        }
        line.push_str(" -->");
        line
    }

    /// The last marker in `body`; the tool writes only `[A-Za-z0-9._:+-]` values into it.
    pub fn find(body: &str) -> Option<Marker> {
        let at = body.rfind(Self::PREFIX)?;
        let rest = &body[at + Self::PREFIX.len()..];
        let rest = &rest[..rest.find("-->")?];
        let ok = |v: &str| {
            !v.is_empty()
                && v.len() <= 80
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':' | '+'))
        };
        let mut marker = Marker {
            fingerprint: String::new(),
            patch: String::new(),
            told: None,
            seen: None,
        };
        for pair in rest.split_whitespace() {
            let (key, value) = pair.split_once('=')?;
            if !ok(value) {
                return None;
            }
            match key {
                "fingerprint" => marker.fingerprint = value.to_owned(),
                "patch" => marker.patch = value.to_owned(),
                "told" => marker.told = Some(value.to_owned()),
                "seen" => marker.seen = Some(value.to_owned()),
                _ => {}
            }
        }
        (!marker.fingerprint.is_empty() && !marker.patch.is_empty()).then_some(marker)
    }
}

/// A request as it would be sent, for `--dry-run`.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedRequest {
    pub method: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

#[derive(Debug, Error)]
pub enum ForgeError {
    #[error("failed to build the HTTP client: {0}")]
    Client(String),
    #[error("{forge} refused the token ({what}: 401 {message}): set a valid token in HEPHAESTUS_TOKEN (or GITHUB_TOKEN)")]
    Unauthorized {
        forge: &'static str,
        what: String,
        message: String,
    },
    #[error("{forge} forbids this ({what}: 403 {message}): the token needs permission to open pull requests and push to '{repo}' (GitHub: `repo` scope or `pull_requests: write`; GitLab: `api` scope)")]
    Forbidden {
        forge: &'static str,
        what: String,
        message: String,
        repo: String,
    },
    #[error("{forge} has no repository '{repo}' ({what}: 404): check remote_repo.owner, remote_repo.repository and remote_repo.api_url, and that the token can see the repository")]
    NotFound {
        forge: &'static str,
        what: String,
        repo: String,
    },
    #[error("{forge} rejected {what} ({status}): {message}")]
    Rejected {
        forge: &'static str,
        what: String,
        status: u16,
        message: String,
    },
    #[error("{forge} answered {what} with something unexpected: {detail}")]
    Unexpected {
        forge: &'static str,
        what: String,
        detail: String,
    },
    #[error("{forge} rate limit on {what} lasts another {}; try again later", humantime::format_duration(*wait))]
    RateLimited {
        forge: &'static str,
        what: String,
        wait: Duration,
    },
    #[error("{forge} did not answer {what} after {attempts} attempts: {last}")]
    GaveUp {
        forge: &'static str,
        what: String,
        attempts: u32,
        last: String,
    },
    #[error("remote_repo.{0} is empty: set it in hephaestus.yaml")]
    Missing(&'static str),
    #[error("remote_repo.api_url '{0}' is not an http(s) URL")]
    BadApiUrl(String),
}

/// What every forge does.
pub trait Forge {
    /// The provider's name, for messages.
    fn name(&self) -> &'static str;
    /// The user name that goes with the token when pushing over HTTPS.
    fn push_username(&self) -> String;
    /// The newest pull request from `head` into `base`, in any state.
    fn find_latest(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError>;
    /// The open pull request from `head` into `base`, if any.
    fn find_open(&self, head: &str, base: &str) -> Result<Option<PullRequest>, ForgeError> {
        Ok(self
            .find_latest(head, base)?
            .filter(|pr| pr.state == PrState::Open))
    }
    /// The repository's newest pull requests (up to a hundred), in any state.
    fn recent(&self) -> Result<Vec<Listed>, ForgeError>;
    /// Add a comment to `pr`'s conversation.
    fn comment(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError>;
    /// Replace `pr`'s description (a changed fix changes what it says).
    fn set_body(&self, pr: &PullRequest, body: &str) -> Result<(), ForgeError>;
    /// Open `pr` (labels included). One that already exists for the head is looked up and
    /// returned instead.
    fn create(&self, pr: &PrRequest) -> Result<PullRequest, ForgeError>;
    /// The requests [`Forge::find_latest`] and [`Forge::create`] would send.
    fn plan(&self, pr: &PrRequest) -> Vec<PlannedRequest>;
}

/// The forge `remote.provider` names.
pub fn build(remote: &RemoteSettings, policy: RetryPolicy) -> Result<Box<dyn Forge>, ForgeError> {
    if remote.owner.trim().is_empty() {
        return Err(ForgeError::Missing("owner"));
    }
    if remote.repository.trim().is_empty() {
        return Err(ForgeError::Missing("repository"));
    }
    let token = remote.token.clone().unwrap_or_else(|| Secret::new(""));
    let api = |default: &str| -> Result<String, ForgeError> {
        let url = remote.api_url.clone().unwrap_or_else(|| default.to_owned());
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(ForgeError::BadApiUrl(url));
        }
        Ok(url.trim_end_matches('/').to_owned())
    };
    Ok(match remote.provider.as_str() {
        "gitlab" => Box::new(GitLab::new(
            api("https://gitlab.com/api/v4")?,
            remote,
            &token,
            policy,
        )?),
        "gitea" => {
            if remote.api_url.is_none() {
                return Err(ForgeError::Missing("api_url (Gitea has no public default)"));
            }
            Box::new(Gitea::new(api("")?, remote, &token, policy)?)
        }
        _ => Box::new(GitHub::new(
            api("https://api.github.com")?,
            remote,
            &token,
            policy,
        )?),
    })
}

/// Percent-encode one path segment (owner, repository, branch).
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The configured repository and the API base every request goes to.
pub(crate) struct Repo {
    pub api: String,
    pub owner: String,
    pub name: String,
}

impl Repo {
    pub fn new(api: String, remote: &RemoteSettings) -> Repo {
        Repo {
            api,
            owner: remote.owner.clone(),
            name: remote.repository.clone(),
        }
    }

    /// `owner/repository`, for messages.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// `API/repos/OWNER/REPO`, the root GitHub and Gitea share.
    pub fn repos_url(&self) -> String {
        format!(
            "{}/repos/{}/{}",
            self.api,
            segment(&self.owner),
            segment(&self.name)
        )
    }
}

/// An authentication header value; marked sensitive so it never shows in debug output.
pub(crate) fn token_header(value: String) -> Result<HeaderValue, ForgeError> {
    let mut header = HeaderValue::from_str(&value).map_err(|_| {
        ForgeError::Client("the token holds characters not allowed in an HTTP header".into())
    })?;
    header.set_sensitive(true);
    Ok(header)
}

/// Send `method url` and map any status but `expected` to an error naming what to fix.
pub(crate) fn send_expecting(
    http: &Http,
    method: Method,
    url: &str,
    body: Option<&Value>,
    expected: &[u16],
    repo: &Repo,
) -> Result<Response, ForgeError> {
    let what = what(&method, url);
    let response = http.send(method, url, body)?;
    expect(http, response, expected, &what, &repo.full_name())
}

/// Where a forge's list of open pull requests keeps the fields read from each item.
pub(crate) struct ListFields {
    /// What the items are called, for messages.
    pub noun: &'static str,
    /// JSON pointer to an item's head branch.
    pub head: &'static str,
    pub number: &'static str,
    pub url: &'static str,
}

/// `GET url`, a list of pull requests already filtered by the server to `branch`: the newest one
/// whose head is `branch`.
pub(crate) fn newest(
    http: &Http,
    repo: &Repo,
    url: &str,
    branch: &str,
    fields: &ListFields,
) -> Result<Option<PullRequest>, ForgeError> {
    let what = what(&Method::GET, url);
    let response = send_expecting(http, Method::GET, url, None, &[200], repo)?;
    let Some(items) = response.body.as_array() else {
        return Err(ForgeError::Unexpected {
            forge: http.forge,
            what,
            detail: format!("expected an array of {}", fields.noun),
        });
    };
    // The filter is the server's; check the head anyway so a lax server cannot fool us.
    items
        .iter()
        .filter(|item| {
            item.pointer(fields.head)
                .and_then(Value::as_str)
                .is_none_or(|head| head == branch)
        })
        .max_by_key(|item| item[fields.number].as_u64().unwrap_or(0))
        .map(|item| pull_request(http.forge, &what, item, fields.number, fields.url))
        .transpose()
}

/// `GET url`, a list of pull requests: each one's head branch (at the JSON pointer `head`), whether
/// it is open, and when it was made.
pub(crate) fn listed(
    http: &Http,
    repo: &Repo,
    url: &str,
    head: &str,
) -> Result<Vec<Listed>, ForgeError> {
    let what = what(&Method::GET, url);
    let response = send_expecting(http, Method::GET, url, None, &[200], repo)?;
    let Some(items) = response.body.as_array() else {
        return Err(ForgeError::Unexpected {
            forge: http.forge,
            what,
            detail: "expected an array of pull requests".into(),
        });
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            Some(Listed {
                head: item.pointer(head)?.as_str()?.to_owned(),
                open: matches!(item["state"].as_str(), Some("open" | "opened" | "locked")),
                created_at: item["created_at"].as_str().map(str::to_owned),
            })
        })
        .collect())
}

/// `POST url` with `{"body": text}`, expecting 201: a comment on GitHub, Gitea and GitLab alike.
pub(crate) fn post_comment(
    http: &Http,
    repo: &Repo,
    url: &str,
    text: &str,
) -> Result<(), ForgeError> {
    std::thread::sleep(http.policy().write_gap());
    send_expecting(
        http,
        Method::POST,
        url,
        Some(&json!({ "body": text })),
        &[201],
        repo,
    )?;
    Ok(())
}

/// Map a response that is not `expected` to an error naming what to fix.
pub(crate) fn expect(
    http: &Http,
    response: Response,
    expected: &[u16],
    what: &str,
    repo: &str,
) -> Result<Response, ForgeError> {
    if expected.contains(&response.status) {
        return Ok(response);
    }
    let forge = http.forge;
    let what = what.to_owned();
    let message = response.message();
    Err(match response.status {
        401 => ForgeError::Unauthorized {
            forge,
            what,
            message,
        },
        403 => ForgeError::Forbidden {
            forge,
            what,
            message,
            repo: repo.to_owned(),
        },
        404 => ForgeError::NotFound {
            forge,
            what,
            repo: repo.to_owned(),
        },
        status => ForgeError::Rejected {
            forge,
            what,
            status,
            message,
        },
    })
}

/// The pull request in a JSON object: its number and web URL fields, its state (`open`,
/// `opened`, `locked`, `closed`, `merged`, Gitea's `merged: true`), when it was merged, and the
/// marker in its body (`body`, GitLab's `description`).
pub(crate) fn pull_request(
    forge: &'static str,
    what: &str,
    value: &Value,
    number_key: &str,
    url_key: &str,
) -> Result<PullRequest, ForgeError> {
    let merged_at = value["merged_at"].as_str().map(str::to_owned);
    let state = match value["state"].as_str() {
        Some("open" | "opened" | "locked") | None => PrState::Open,
        Some("merged") => PrState::Merged,
        Some(_) if value["merged"].as_bool() == Some(true) || merged_at.is_some() => {
            PrState::Merged
        }
        Some(_) => PrState::Closed,
    };
    let body = value["body"]
        .as_str()
        .or_else(|| value["description"].as_str())
        .unwrap_or("");
    match (value[number_key].as_u64(), value[url_key].as_str()) {
        (Some(number), Some(url)) => Ok(PullRequest {
            number,
            url: url.to_owned(),
            state,
            merged_at,
            marker: Marker::find(body),
        }),
        _ => Err(ForgeError::Unexpected {
            forge,
            what: what.to_owned(),
            detail: format!("no `{number_key}` and `{url_key}` in the answer"),
        }),
    }
}

/// `method url` for messages.
pub(crate) fn what(method: &Method, url: &str) -> String {
    format!("{method} {}", url.split('?').next().unwrap_or(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_refuse_what_the_tool_never_writes() {
        let m = Marker {
            fingerprint: "36322aa24ba73ea5".into(),
            patch: "0011aabbccddeeff".into(),
            told: None,
            seen: None,
        };
        let body = format!("text\n\n{}\n", m.line());
        assert_eq!(Marker::find(&body), Some(m.clone()));
        // The last one counts: a quoted older body above it does not.
        let older = Marker {
            patch: "ffff".into(),
            ..m.clone()
        };
        assert_eq!(
            Marker::find(&format!("{}\n{}", older.line(), m.line())),
            Some(m)
        );
        for bad in [
            "<!-- hephaestus fingerprint=a b patch=c -->",
            "<!-- hephaestus fingerprint=a patch=<script> -->",
            "<!-- hephaestus fingerprint= patch=c -->",
            "<!-- hephaestus fingerprint=a patch=c",
        ] {
            assert_eq!(Marker::find(bad), None, "{bad}");
        }
    }

    #[test]
    fn states_of_every_forge() {
        let pr = |v: Value| {
            pull_request("X", "GET x", &v, "number", "url")
                .unwrap()
                .state
        };
        assert_eq!(
            pr(json!({"number": 1, "url": "u", "state": "open"})),
            PrState::Open
        );
        assert_eq!(
            pr(json!({"number": 1, "url": "u", "state": "closed", "merged_at": null})),
            PrState::Closed
        );
        assert_eq!(
            pr(
                json!({"number": 1, "url": "u", "state": "closed", "merged_at": "2026-12-01T10:00:00Z"})
            ),
            PrState::Merged
        );
        assert_eq!(
            pr(json!({"number": 1, "url": "u", "state": "closed", "merged": true})),
            PrState::Merged
        );
        assert_eq!(
            pr(json!({"number": 1, "url": "u", "state": "merged"})),
            PrState::Merged
        );
        assert_eq!(
            pr(json!({"number": 1, "url": "u", "state": "opened"})),
            PrState::Open
        );
    }
}
