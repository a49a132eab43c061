//! A fake forge API per provider. Every request is checked against the documented shape (method,
//! path, headers, JSON body fields and their types, unknown fields refused); what does not fit is
//! recorded as a violation and answered 422, so a test fails on any drift. Answers follow the
//! forges' documented bodies, including "already exists" for a second pull request on a head,
//! and a head branch that does not exist in the bare repository is refused as GitHub does.
//! Faults (status codes, dropped connections) can be queued per route.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::{json, Value};

use super::http::{percent_decode, Reply, Request, Server};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    GitHub,
    GitLab,
    Gitea,
}

impl Kind {
    pub fn provider(self) -> &'static str {
        match self {
            Kind::GitHub => "github",
            Kind::GitLab => "gitlab",
            Kind::Gitea => "gitea",
        }
    }

    /// API base path, as on self-hosted instances.
    pub fn base(self) -> &'static str {
        match self {
            Kind::GitHub => "/api/v3",
            Kind::GitLab => "/api/v4",
            Kind::Gitea => "/api/v1",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Pr {
    pub number: u64,
    pub head: String,
    pub base: String,
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub draft: bool,
    pub open: bool,
    /// When it was merged (closed and merged), RFC 3339.
    pub merged_at: Option<String>,
    /// When it was opened, RFC 3339.
    pub created_at: String,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A canned answer served instead of the normal one.
#[derive(Debug, Clone)]
pub enum Fault {
    Status {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    Drop,
    /// Say nothing for this long, then close: a server that hangs.
    Stall(std::time::Duration),
}

impl Fault {
    pub fn status(status: u16, body: Value) -> Fault {
        Fault::Status {
            status,
            headers: Vec::new(),
            body,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Fault {
        if let Fault::Status { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }
}

#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub target: String,
    pub status: u16,
    pub at: Instant,
}

#[derive(Default)]
pub struct State {
    pub prs: Vec<Pr>,
    pub log: Vec<Logged>,
    pub violations: Vec<String>,
    /// (method, path suffix, fault), served once each, in order.
    pub faults: VecDeque<(String, String, Fault)>,
    /// (pull request number, text) of every comment posted.
    pub comments: Vec<(u64, String)>,
}

pub struct FakeForge {
    pub kind: Kind,
    pub server: Server,
    pub state: Arc<Mutex<State>>,
}

pub const LABELS: [(u64, &str); 2] = [(7, "hephaestus"), (8, "bug")];

struct Ctx {
    kind: Kind,
    owner: String,
    repo: String,
    token: String,
    /// The bare repository whose branches are the heads PRs may name.
    bare: PathBuf,
}

impl FakeForge {
    pub fn start(kind: Kind, owner: &str, repo: &str, token: &str, bare: PathBuf) -> FakeForge {
        let state = Arc::new(Mutex::new(State::default()));
        let ctx = Ctx {
            kind,
            owner: owner.into(),
            repo: repo.into(),
            token: token.into(),
            bare,
        };
        let shared = state.clone();
        let server = Server::start(move |req| handle(&ctx, &shared, req));
        FakeForge {
            kind,
            server,
            state,
        }
    }

    pub fn api_url(&self) -> String {
        format!("{}{}", self.server.url(), self.kind.base())
    }

    /// Serve `fault` to the next `method` request whose path ends with `suffix`.
    pub fn fault(&self, method: &str, suffix: &str, fault: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .push_back((method.into(), suffix.into(), fault));
    }

    pub fn prs(&self) -> Vec<Pr> {
        self.state.lock().unwrap().prs.clone()
    }

    /// Every comment posted, as (pull request number, text).
    pub fn comments(&self) -> Vec<(u64, String)> {
        self.state.lock().unwrap().comments.clone()
    }

    /// A reviewer closes pull request `number` without merging it.
    pub fn close(&self, number: u64) {
        let mut st = self.state.lock().unwrap();
        let pr = st.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.open = false;
    }

    /// Pull request `number`'s description becomes `body`, as a person editing it would make it.
    pub fn edit_body(&self, number: u64, body: &str) {
        let mut st = self.state.lock().unwrap();
        let pr = st.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.body = body.to_owned();
    }

    /// Pull request `number` was opened at `at` (RFC 3339), not now.
    pub fn opened_at(&self, number: u64, at: &str) {
        let mut st = self.state.lock().unwrap();
        let pr = st.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.created_at = at.to_owned();
    }

    /// A reviewer merges pull request `number` at `at` (RFC 3339).
    pub fn merge(&self, number: u64, at: &str) {
        let mut st = self.state.lock().unwrap();
        let pr = st.prs.iter_mut().find(|p| p.number == number).unwrap();
        pr.open = false;
        pr.merged_at = Some(at.to_owned());
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    /// Panics with every request that did not match the documented shape.
    pub fn assert_no_violations(&self) {
        let v = self.state.lock().unwrap().violations.clone();
        assert!(
            v.is_empty(),
            "requests off the documented shape:\n{}",
            v.join("\n")
        );
    }
}

fn handle(ctx: &Ctx, state: &Mutex<State>, req: Request) -> Reply {
    let path = req.path().to_owned();
    let fault = {
        let mut st = state.lock().unwrap();
        let i = st
            .faults
            .iter()
            .position(|(m, s, _)| *m == req.method && path.ends_with(s.as_str()));
        i.and_then(|i| st.faults.remove(i)).map(|(_, _, f)| f)
    };
    let (reply, status) = match fault {
        Some(Fault::Drop) => (Reply::Drop, 0),
        Some(Fault::Stall(d)) => {
            std::thread::sleep(d);
            (Reply::Drop, 0)
        }
        Some(Fault::Status {
            status,
            headers,
            body,
        }) => {
            let mut headers = headers;
            headers.push(("Content-Type".into(), "application/json".into()));
            (
                Reply::Send {
                    status,
                    headers,
                    body: serde_json::to_vec(&body).unwrap(),
                },
                status,
            )
        }
        None => {
            let (status, body) = answer(ctx, state, &req);
            (Reply::json(status, &body), status)
        }
    };
    state.lock().unwrap().log.push(Logged {
        method: req.method.clone(),
        target: req.target.clone(),
        status,
        at: Instant::now(),
    });
    reply
}

fn violation(state: &Mutex<State>, req: &Request, what: String) -> (u16, Value) {
    state
        .lock()
        .unwrap()
        .violations
        .push(format!("{} {}: {what}", req.method, req.target));
    (
        422,
        json!({"message": "Validation Failed", "errors": [{"code": "invalid", "message": what}],
               "documentation_url": "https://docs.example/fake"}),
    )
}

/// Check `body` is an object whose fields have the given JSON types; `required` must be there and
/// nothing outside `fields` may be.
fn check_fields(body: &Value, fields: &[(&str, &str)], required: &[&str]) -> Result<(), String> {
    let Some(map) = body.as_object() else {
        return Err(format!("body is not a JSON object: {body}"));
    };
    for r in required {
        if !map.contains_key(*r) {
            return Err(format!("missing required field `{r}`"));
        }
    }
    for (k, v) in map {
        let Some((_, ty)) = fields.iter().find(|(name, _)| name == k) else {
            return Err(format!("unknown field `{k}`"));
        };
        let ok = match *ty {
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => v.is_u64() || v.is_i64(),
            "string[]" => v.as_array().is_some_and(|a| a.iter().all(Value::is_string)),
            "integer[]" => v.as_array().is_some_and(|a| a.iter().all(Value::is_u64)),
            _ => false,
        };
        if !ok {
            return Err(format!("field `{k}` should be {ty}, got {v}"));
        }
    }
    Ok(())
}

fn branch_exists(ctx: &Ctx, branch: &str) -> bool {
    std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&ctx.bare)
        .args(["rev-parse", "--verify", "--quiet"])
        .arg(format!("refs/heads/{branch}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn answer(ctx: &Ctx, state: &Mutex<State>, req: &Request) -> (u16, Value) {
    match ctx.kind {
        Kind::GitHub => github(ctx, state, req),
        Kind::GitLab => gitlab(ctx, state, req),
        Kind::Gitea => gitea(ctx, state, req),
    }
}

fn body_json(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

fn gh_pr(ctx: &Ctx, pr: &Pr) -> Value {
    let url = format!(
        "https://github.example/{}/{}/pull/{}",
        ctx.owner, ctx.repo, pr.number
    );
    json!({
        "id": 1000 + pr.number, "number": pr.number, "state": if pr.open {"open"} else {"closed"},
        "merged_at": pr.merged_at, "merge_commit_sha": pr.merged_at.as_ref().map(|_| "1".repeat(40)),
        "created_at": pr.created_at,
        "html_url": url, "url": format!("https://api.github.example/repos/{}/{}/pulls/{}", ctx.owner, ctx.repo, pr.number),
        "title": pr.title, "body": pr.body, "draft": pr.draft, "locked": false,
        "head": {"ref": pr.head, "label": format!("{}:{}", ctx.owner, pr.head), "sha": "0".repeat(40)},
        "base": {"ref": pr.base, "label": format!("{}:{}", ctx.owner, pr.base), "sha": "0".repeat(40)},
        "labels": pr.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "user": {"login": "hephaestus-bot"},
    })
}

fn github(ctx: &Ctx, state: &Mutex<State>, req: &Request) -> (u16, Value) {
    let doc = "https://docs.github.com/rest";
    if req.header("authorization") != Some(&format!("Bearer {}", ctx.token)) {
        return (
            401,
            json!({"message": "Bad credentials", "documentation_url": doc, "status": "401"}),
        );
    }
    if req.header("accept") != Some("application/vnd.github+json") {
        return violation(state, req, format!("Accept is {:?}", req.header("accept")));
    }
    if req.header("x-github-api-version") != Some("2022-11-28") {
        return violation(state, req, "X-GitHub-Api-Version is not 2022-11-28".into());
    }
    if req.header("user-agent").is_none_or(str::is_empty) {
        return (
            403,
            json!({"message": "Request forbidden by administrative rules. Please make sure your request has a User-Agent header"}),
        );
    }
    let prefix = format!("/api/v3/repos/{}/{}/", ctx.owner, ctx.repo);
    let Some(rest) = req.path().strip_prefix(&prefix) else {
        return (
            404,
            json!({"message": "Not Found", "documentation_url": doc, "status": "404"}),
        );
    };
    match (req.method.as_str(), rest) {
        ("GET", "pulls") => {
            let q = req.query();
            let allowed = [
                "state",
                "head",
                "base",
                "sort",
                "direction",
                "per_page",
                "page",
            ];
            if let Some((k, _)) = q.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
                return violation(state, req, format!("unknown query parameter `{k}`"));
            }
            let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            let head = get("head");
            let want_state = get("state").unwrap_or_else(|| "open".into());
            if !["open", "closed", "all"].contains(&want_state.as_str()) {
                return violation(state, req, format!("state {want_state:?}"));
            }
            if let Some(h) = &head {
                if !h.contains(':') {
                    return violation(state, req, format!("head {h:?} is not user:ref-name"));
                }
            }
            let st = state.lock().unwrap();
            let items: Vec<Value> = st
                .prs
                .iter()
                .filter(|p| {
                    head.as_ref()
                        .is_none_or(|h| *h == format!("{}:{}", ctx.owner, p.head))
                })
                .filter(|p| want_state == "all" || p.open == (want_state == "open"))
                .map(|p| gh_pr(ctx, p))
                .collect();
            (200, Value::Array(items))
        }
        ("POST", "pulls") => {
            let body = body_json(req);
            let fields = [
                ("title", "string"),
                ("head", "string"),
                ("head_repo", "string"),
                ("base", "string"),
                ("body", "string"),
                ("maintainer_can_modify", "boolean"),
                ("draft", "boolean"),
                ("issue", "integer"),
            ];
            if let Err(e) = check_fields(&body, &fields, &["head", "base", "title"]) {
                return violation(state, req, e);
            }
            let head = body["head"].as_str().unwrap().to_owned();
            let base = body["base"].as_str().unwrap().to_owned();
            let mut st = state.lock().unwrap();
            if st
                .prs
                .iter()
                .any(|p| p.open && p.head == head && p.base == base)
            {
                return (
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "code": "custom",
                    "message": format!("A pull request already exists for {}:{head}.", ctx.owner)}],
                    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}),
                );
            }
            if !branch_exists(ctx, &head) {
                return (
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": "head", "code": "invalid"}],
                    "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}),
                );
            }
            let pr = Pr {
                number: st.prs.len() as u64 + 1,
                head,
                base,
                title: body["title"].as_str().unwrap().to_owned(),
                body: body["body"].as_str().unwrap_or("").to_owned(),
                labels: Vec::new(),
                draft: body["draft"].as_bool().unwrap_or(false),
                open: true,
                merged_at: None,
                created_at: now(),
            };
            st.prs.push(pr.clone());
            (201, gh_pr(ctx, &pr))
        }
        ("POST", r) if r.starts_with("issues/") && r.ends_with("/comments") => {
            let number: Option<u64> = r["issues/".len()..r.len() - "/comments".len()].parse().ok();
            comment(state, req, number, doc)
        }
        ("PATCH", r) if r.starts_with("pulls/") => {
            let number: Option<u64> = r["pulls/".len()..].parse().ok();
            let fields = [
                ("title", "string"),
                ("body", "string"),
                ("state", "string"),
                ("base", "string"),
                ("maintainer_can_modify", "boolean"),
            ];
            let body = body_json(req);
            if let Err(e) = check_fields(&body, &fields, &[]) {
                return violation(state, req, e);
            }
            let mut st = state.lock().unwrap();
            let Some(pr) = st.prs.iter_mut().find(|p| Some(p.number) == number) else {
                return (
                    404,
                    json!({"message": "Not Found", "documentation_url": doc}),
                );
            };
            if let Some(text) = body["body"].as_str() {
                pr.body = text.to_owned();
            }
            let pr = pr.clone();
            (200, gh_pr(ctx, &pr))
        }
        ("POST", r) if r.starts_with("issues/") && r.ends_with("/labels") => {
            let number: Option<u64> = r["issues/".len()..r.len() - "/labels".len()].parse().ok();
            let body = body_json(req);
            if let Err(e) = check_fields(&body, &[("labels", "string[]")], &["labels"]) {
                return violation(state, req, e);
            }
            let labels: Vec<String> = body["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_owned())
                .collect();
            if labels.is_empty() {
                return violation(state, req, "labels needs at least one item".into());
            }
            let mut st = state.lock().unwrap();
            let Some(pr) = st.prs.iter_mut().find(|p| Some(p.number) == number) else {
                return (
                    404,
                    json!({"message": "Not Found", "documentation_url": doc}),
                );
            };
            pr.labels.extend(labels);
            let out: Vec<Value> = pr
                .labels
                .iter()
                .enumerate()
                .map(|(i, l)| json!({"id": i, "node_id": "x", "url": "https://x", "name": l, "description": null, "color": "ededed", "default": false}))
                .collect();
            (200, Value::Array(out))
        }
        _ => (
            404,
            json!({"message": "Not Found", "documentation_url": doc}),
        ),
    }
}

fn gl_mr(ctx: &Ctx, pr: &Pr) -> Value {
    json!({
        "id": 500 + pr.number, "iid": pr.number,
        "state": if pr.open {"opened"} else if pr.merged_at.is_some() {"merged"} else {"closed"},
        "merged_at": pr.merged_at, "merge_commit_sha": pr.merged_at.as_ref().map(|_| "1".repeat(40)),
        "created_at": pr.created_at,
        "web_url": format!("https://gitlab.example/{}/{}/-/merge_requests/{}", ctx.owner, ctx.repo, pr.number),
        "title": pr.title, "description": pr.body, "source_branch": pr.head, "target_branch": pr.base,
        "labels": pr.labels, "draft": pr.draft,
    })
}

fn gitlab(ctx: &Ctx, state: &Mutex<State>, req: &Request) -> (u16, Value) {
    if req.header("private-token") != Some(ctx.token.as_str()) {
        return (401, json!({"message": "401 Unauthorized"}));
    }
    // The project id is the URL-encoded path: owner%2Frepo, never a raw slash.
    let prefix = format!("/api/v4/projects/{}%2F{}/", ctx.owner, ctx.repo);
    let Some(rest) = req.path().strip_prefix(&prefix) else {
        return (404, json!({"message": "404 Project Not Found"}));
    };
    match (req.method.as_str(), rest) {
        ("GET", "merge_requests") => {
            let q = req.query();
            let get = |n: &str| q.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
            let want = get("state");
            if want
                .as_deref()
                .is_some_and(|w| !["opened", "closed", "locked", "merged", "all"].contains(&w))
            {
                return violation(state, req, format!("state {want:?}"));
            }
            let source = get("source_branch");
            let st = state.lock().unwrap();
            let items: Vec<Value> = st
                .prs
                .iter()
                .filter(|p| {
                    let s = if p.open {
                        "opened"
                    } else if p.merged_at.is_some() {
                        "merged"
                    } else {
                        "closed"
                    };
                    want.as_deref().is_none_or(|w| w == "all" || w == s)
                })
                .filter(|p| source.as_ref().is_none_or(|s| *s == p.head))
                .map(|p| gl_mr(ctx, p))
                .collect();
            (200, Value::Array(items))
        }
        ("POST", "merge_requests") => {
            let body = body_json(req);
            let fields = [
                ("source_branch", "string"),
                ("target_branch", "string"),
                ("title", "string"),
                ("description", "string"),
                ("labels", "string"),
                ("remove_source_branch", "boolean"),
                ("assignee_id", "integer"),
                ("squash", "boolean"),
            ];
            if let Err(e) =
                check_fields(&body, &fields, &["source_branch", "target_branch", "title"])
            {
                return violation(state, req, e);
            }
            let head = body["source_branch"].as_str().unwrap().to_owned();
            let mut st = state.lock().unwrap();
            if let Some(p) = st.prs.iter().find(|p| p.open && p.head == head) {
                return (
                    409,
                    json!({"message": [format!("Another open merge request already exists for this source branch: !{}", p.number)]}),
                );
            }
            if !branch_exists(ctx, &head) {
                return (422, json!({"message": ["Source branch does not exist"]}));
            }
            let pr = Pr {
                number: st.prs.len() as u64 + 1,
                head,
                base: body["target_branch"].as_str().unwrap().to_owned(),
                title: body["title"].as_str().unwrap().to_owned(),
                body: body["description"].as_str().unwrap_or("").to_owned(),
                labels: body["labels"]
                    .as_str()
                    .map(|l| l.split(',').map(str::to_owned).collect())
                    .unwrap_or_default(),
                draft: false,
                open: true,
                merged_at: None,
                created_at: now(),
            };
            st.prs.push(pr.clone());
            (201, gl_mr(ctx, &pr))
        }
        ("POST", r) if r.starts_with("merge_requests/") && r.ends_with("/notes") => {
            let number: Option<u64> = r["merge_requests/".len()..r.len() - "/notes".len()]
                .parse()
                .ok();
            comment(state, req, number, "404 Not found")
        }
        ("PUT", r) if r.starts_with("merge_requests/") => {
            let number: Option<u64> = r["merge_requests/".len()..].parse().ok();
            let fields = [
                ("title", "string"),
                ("description", "string"),
                ("state_event", "string"),
                ("target_branch", "string"),
                ("labels", "string"),
            ];
            let body = body_json(req);
            if let Err(e) = check_fields(&body, &fields, &[]) {
                return violation(state, req, e);
            }
            let mut st = state.lock().unwrap();
            let Some(pr) = st.prs.iter_mut().find(|p| Some(p.number) == number) else {
                return (404, json!({"message": "404 Not found"}));
            };
            if let Some(text) = body["description"].as_str() {
                pr.body = text.to_owned();
            }
            let pr = pr.clone();
            (200, gl_mr(ctx, &pr))
        }
        _ => (404, json!({"message": "404 Not Found"})),
    }
}

/// A comment (`{"body": "..."}`, the same shape on every forge) on pull request `number`: 201.
fn comment(
    state: &Mutex<State>,
    req: &Request,
    number: Option<u64>,
    missing: &str,
) -> (u16, Value) {
    let body = body_json(req);
    if let Err(e) = check_fields(&body, &[("body", "string")], &["body"]) {
        return violation(state, req, e);
    }
    let mut st = state.lock().unwrap();
    let Some(number) = number.filter(|n| st.prs.iter().any(|p| p.number == *n)) else {
        return (404, json!({"message": missing}));
    };
    let text = body["body"].as_str().unwrap().to_owned();
    st.comments.push((number, text.clone()));
    let id = st.comments.len();
    (
        201,
        json!({"id": id, "body": text, "html_url": format!("https://forge.example/comment/{id}")}),
    )
}

fn gt_pr(ctx: &Ctx, pr: &Pr) -> Value {
    json!({
        "id": 900 + pr.number, "number": pr.number, "state": if pr.open {"open"} else {"closed"},
        "merged": pr.merged_at.is_some(), "merged_at": pr.merged_at, "created_at": pr.created_at,
        "html_url": format!("https://gitea.example/{}/{}/pulls/{}", ctx.owner, ctx.repo, pr.number),
        "title": pr.title, "body": pr.body,
        "head": {"ref": pr.head, "label": pr.head}, "base": {"ref": pr.base, "label": pr.base},
        "labels": pr.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
    })
}

fn gitea(ctx: &Ctx, state: &Mutex<State>, req: &Request) -> (u16, Value) {
    if req.header("authorization") != Some(&format!("token {}", ctx.token)) {
        return (
            401,
            json!({"message": "user does not exist [uid: 0, name: ]", "url": "https://gitea.example/api/swagger"}),
        );
    }
    let prefix = format!("/api/v1/repos/{}/{}/", ctx.owner, ctx.repo);
    if req.method == "GET" && req.path() == prefix.trim_end_matches('/') {
        return (
            200,
            json!({"id": 1, "name": ctx.repo, "full_name": format!("{}/{}", ctx.owner, ctx.repo),
                   "owner": {"login": ctx.owner}, "default_branch": "main"}),
        );
    }
    let Some(rest) = req.path().strip_prefix(&prefix) else {
        return (
            404,
            json!({"errors": null, "message": "The target couldn't be found.", "url": "https://gitea.example/api/swagger"}),
        );
    };
    match (req.method.as_str(), rest) {
        ("GET", "labels") => (
            200,
            Value::Array(
                LABELS
                    .iter()
                    .map(|(id, name)| json!({"id": id, "name": name, "color": "ededed", "description": ""}))
                    .collect(),
            ),
        ),
        ("GET", "pulls") => {
            let q = req.query();
            let allowed = ["state", "sort", "milestone", "labels", "poster", "page", "limit"];
            if let Some((k, _)) = q.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
                return violation(state, req, format!("unknown query parameter `{k}`"));
            }
            let want = q.iter().find(|(k, _)| k == "state").map(|(_, v)| v.clone());
            let want = want.unwrap_or_else(|| "open".into());
            if !["open", "closed", "all"].contains(&want.as_str()) {
                return violation(state, req, format!("state {want:?}"));
            }
            let st = state.lock().unwrap();
            // Newest first, as Gitea lists them.
            let items: Vec<Value> = st
                .prs
                .iter()
                .rev()
                .filter(|p| want == "all" || p.open == (want == "open"))
                .map(|p| gt_pr(ctx, p))
                .collect();
            (200, Value::Array(items))
        }
        ("GET", r) if r.starts_with("pulls/") => {
            // pulls/{base}/{head}: each a single, encoded path segment.
            let parts: Vec<&str> = r["pulls/".len()..].split('/').collect();
            if parts.len() != 2 {
                return violation(state, req, "expected pulls/{base}/{head} with encoded segments".into());
            }
            let (base, head) = (percent_decode(parts[0]), percent_decode(parts[1]));
            let st = state.lock().unwrap();
            match st.prs.iter().rev().find(|p| p.base == base && p.head == head) {
                Some(p) => (200, gt_pr(ctx, p)),
                None => (404, json!({"errors": null, "message": "The target couldn't be found.", "url": "https://gitea.example/api/swagger"})),
            }
        }
        ("POST", "pulls") => {
            let body = body_json(req);
            let fields = [
                ("head", "string"),
                ("base", "string"),
                ("title", "string"),
                ("body", "string"),
                ("labels", "integer[]"),
                ("assignees", "string[]"),
                ("milestone", "integer"),
            ];
            if let Err(e) = check_fields(&body, &fields, &["head", "base", "title"]) {
                return violation(state, req, e);
            }
            let ids: Vec<u64> = body["labels"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            if let Some(bad) = ids.iter().find(|id| !LABELS.iter().any(|(l, _)| l == *id)) {
                return (422, json!({"message": format!("label {bad} does not exist")}));
            }
            let head = body["head"].as_str().unwrap().to_owned();
            let base = body["base"].as_str().unwrap().to_owned();
            let mut st = state.lock().unwrap();
            if let Some(p) = st.prs.iter().find(|p| p.open && p.head == head && p.base == base) {
                return (409, json!({"message": format!("pull request already exists for these targets [id: {}, issue_id: {}, head_repo_id: 1, base_repo_id: 1, head_branch: {head}, base_branch: {base}]", 900 + p.number, p.number)}));
            }
            if !branch_exists(ctx, &head) {
                return (404, json!({"message": "The target couldn't be found."}));
            }
            let pr = Pr {
                number: st.prs.len() as u64 + 1,
                head,
                base,
                title: body["title"].as_str().unwrap().to_owned(),
                body: body["body"].as_str().unwrap_or("").to_owned(),
                labels: ids
                    .iter()
                    .filter_map(|id| LABELS.iter().find(|(l, _)| l == id).map(|(_, n)| n.to_string()))
                    .collect(),
                draft: false,
                open: true,
                merged_at: None,
                created_at: now(),
            };
            st.prs.push(pr.clone());
            (201, gt_pr(ctx, &pr))
        }
        ("POST", r) if r.starts_with("issues/") && r.ends_with("/comments") => {
            let number: Option<u64> = r["issues/".len()..r.len() - "/comments".len()].parse().ok();
            comment(state, req, number, "The target couldn't be found.")
        }
        ("PATCH", r) if r.starts_with("pulls/") && !r["pulls/".len()..].contains('/') => {
            let number: Option<u64> = r["pulls/".len()..].parse().ok();
            let fields = [
                ("title", "string"),
                ("body", "string"),
                ("state", "string"),
                ("base", "string"),
                ("labels", "integer[]"),
            ];
            let body = body_json(req);
            if let Err(e) = check_fields(&body, &fields, &[]) {
                return violation(state, req, e);
            }
            let mut st = state.lock().unwrap();
            let Some(pr) = st.prs.iter_mut().find(|p| Some(p.number) == number) else {
                return (404, json!({"message": "The target couldn't be found."}));
            };
            if let Some(text) = body["body"].as_str() {
                pr.body = text.to_owned();
            }
            let pr = pr.clone();
            (201, gt_pr(ctx, &pr))
        }
        _ => (404, json!({"message": "The target couldn't be found."})),
    }
}
