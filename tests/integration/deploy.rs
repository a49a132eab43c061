//! Deploy mode against real servers on 127.0.0.1: a bare repository behind `git http-backend`
//! with token auth, and a fake API per forge that checks every request's shape.
//!
//! The first group drives the library's `Deployer` with a solution built by hand (the git and
//! forge behaviour in isolation); the second drives the binary end to end from a log.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use hephaestus::deploy::{DeploySettings, Deployer, Mode, RemoteSettings, RetryPolicy, Secret};
use hephaestus::{Solution, SolutionState};
use serde_json::json;

use crate::harness::{git, json, run, stderr, stdout, Env};
use crate::support::forge::{FakeForge, Fault, Kind};
use crate::support::git_server::GitServer;

pub const TOKEN: &str = "s3cr3t-t0ken-4f9a";
pub const OWNER: &str = "acme";
pub const REPO: &str = "shop";
pub const DB_YAML: &str = "pool:\n  max_connections: 10\n  timeout: 5s\n";

/// A remote (bare repo behind the git server), a forge, and the user's clone.
pub struct World {
    pub env: Env,
    pub git: GitServer,
    pub forge: FakeForge,
    pub bare: PathBuf,
    pub work: PathBuf,
}

impl World {
    pub fn new(kind: Kind) -> World {
        World::with_tokens(kind, TOKEN, TOKEN)
    }

    pub fn with_tokens(kind: Kind, git_token: &str, forge_token: &str) -> World {
        World::build(kind, git_token, forge_token, None)
    }

    /// A world whose repository starts as `fixtures/<seed>` instead of the shop's two files.
    pub fn seeded(kind: Kind, seed: &str) -> World {
        World::build(kind, TOKEN, TOKEN, Some(seed))
    }

    fn build(kind: Kind, git_token: &str, forge_token: &str, from: Option<&str>) -> World {
        let env = Env::new();
        let root = env.path().join("remote");
        std::fs::create_dir_all(&root).unwrap();
        let bare = root.join("shop.git");
        git(&root, &["init", "-q", "--bare", "-b", "main", "shop.git"]);
        let seed = env.path().join("seed");
        match from {
            Some(from) => crate::harness::copy_dir(&crate::harness::fixture(from), &seed),
            None => {
                std::fs::create_dir_all(seed.join("config")).unwrap();
                std::fs::write(seed.join("config/database.yaml"), DB_YAML).unwrap();
                std::fs::write(seed.join("app.py"), "print('shop')\n").unwrap();
            }
        }
        git(&seed, &["init", "-q", "-b", "main"]);
        git(&seed, &["add", "-A"]);
        git(&seed, &["commit", "-q", "-m", "init"]);
        git(&seed, &["push", "-q", bare.to_str().unwrap(), "main"]);
        let work = env.path().join("work");
        git(env.path(), &["clone", "-q", bare.to_str().unwrap(), "work"]);
        let server = GitServer::start(&root, git_token);
        git(
            &work,
            &["remote", "set-url", "origin", &server.url("shop.git")],
        );
        let forge = FakeForge::start(kind, OWNER, REPO, forge_token, bare.clone());
        World {
            env,
            git: server,
            forge,
            bare,
            work,
        }
    }

    pub fn remote_settings(&self, token: &str) -> RemoteSettings {
        RemoteSettings {
            provider: self.forge.kind.provider().into(),
            api_url: Some(self.forge.api_url()),
            remote: "origin".into(),
            token: Some(Secret::new(token)),
            owner: OWNER.into(),
            repository: REPO.into(),
            branch: "main".into(),
            author_name: Some("Hephaestus Bot".into()),
            author_email: Some("bot@example.com".into()),
            title_template: "fix: {error_type}".into(),
            branch_template: "hephaestus/fix/{error_type}".into(),
            labels: vec!["hephaestus".into()],
            draft: false,
            ready_confidence: 0.0,
            update_interval: Duration::from_secs(0),
            max_open: 0,
            max_per_day: 0,
        }
    }

    pub fn deployer(&self, token: &str) -> Deployer {
        Deployer::new(DeploySettings {
            mode: Mode::Deploy,
            dry_run: false,
            repo: Some(self.work.clone()),
            remote: self.remote_settings(token),
            state_dir: Some(self.env.path().join("state")),
            min_confidence: 0.0,
            retry: RetryPolicy {
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
        })
    }

    /// `branch` in the bare repository: its tip, or None.
    pub fn remote_tip(&self, branch: &str) -> Option<String> {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&self.bare)
            .args(["rev-parse", "--verify", "--quiet"])
            .arg(format!("refs/heads/{branch}"))
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    pub fn bare_git(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.bare.to_str().unwrap()];
        all.extend_from_slice(args);
        git(self.env.path(), &all)
    }

    /// The remote's branches.
    pub fn branches(&self) -> Vec<String> {
        self.bare_git(&["for-each-ref", "--format=%(refname:short)", "refs/heads"])
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

pub fn pool_diff(to: u32) -> String {
    format!(
        "diff --git a/config/database.yaml b/config/database.yaml\n--- a/config/database.yaml\n+++ b/config/database.yaml\n@@ -1,3 +1,3 @@\n pool:\n-  max_connections: 10\n+  max_connections: {to}\n   timeout: 5s\n"
    )
}

pub fn solution(to: u32) -> Solution {
    Solution {
        id: "fp-pool:rules".into(),
        pattern: "p1".into(),
        fingerprint: "fp-pool".into(),
        error_type: "PoolExhausted".into(),
        generator: "rule:db-pool".into(),
        model: None,
        description: "The connection pool ran out (max=10); raise max_connections.".into(),
        confidence: 0.9,
        factors: vec![],
        state: SolutionState::Validated,
        repo: None,
        files: vec!["config/database.yaml".into()],
        diff: pool_diff(to),
        verification: vec![],
        pr_url: None,
        regression: false,
        evidence: Default::default(),
    }
}

/// The forge's requests since the `from`th: one look at the branch's pull requests (the forge
/// says what became of the fix), and no write.
pub fn assert_only_read(w: &World, from: usize) {
    let since: Vec<String> = w.forge.log()[from..]
        .iter()
        .map(|l| format!("{} {}", l.method, l.target))
        .collect();
    assert_eq!(since.len(), 1, "{since:?}");
    assert!(since[0].starts_with("GET "), "{since:?}");
}

/// Everything about a working tree that a deploy must not change.
fn snapshot(work: &Path) -> (String, String, String, Vec<u8>, Vec<u8>, Vec<u8>) {
    (
        git(
            work,
            &[
                "status",
                "--porcelain=v2",
                "--branch",
                "--untracked-files=all",
            ],
        ),
        git(work, &["rev-parse", "HEAD"]),
        git(work, &["symbolic-ref", "HEAD"]),
        std::fs::read(work.join(".git/index")).unwrap(),
        std::fs::read(work.join("app.py")).unwrap(),
        std::fs::read(work.join("notes.txt")).unwrap(),
    )
}

#[test]
fn github_deploy_pushes_one_branch_and_opens_one_pull_request() {
    let w = World::new(Kind::GitHub);
    // Uncommitted work of every kind: modified, staged, untracked.
    std::fs::write(w.work.join("app.py"), "print('work in progress')\n").unwrap();
    std::fs::write(
        w.work.join("config/database.yaml"),
        "pool:\n  max_connections: 3\n",
    )
    .unwrap();
    git(&w.work, &["add", "config/database.yaml"]);
    std::fs::write(w.work.join("notes.txt"), "untracked\n").unwrap();
    let before = snapshot(&w.work);
    let main_tip = w.remote_tip("main").unwrap();

    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();

    assert_eq!(s.state, SolutionState::Deployed);
    assert_eq!(
        s.pr_url.as_deref(),
        Some("https://github.example/acme/shop/pull/1")
    );
    let branch = "hephaestus/fix/PoolExhausted";
    assert_eq!(w.branches(), [branch, "main"]);
    let tip = w.remote_tip(branch).expect("branch pushed");
    assert_eq!(w.bare_git(&["rev-parse", &format!("{tip}^")]), main_tip);
    assert_eq!(
        w.bare_git(&["show", &format!("{tip}:config/database.yaml")]),
        "pool:\n  max_connections: 50\n  timeout: 5s"
    );
    let message = w.bare_git(&["log", "-1", "--format=%B", &tip]);
    assert!(
        message.starts_with("fix: PoolExhausted\n\nThe connection pool ran out"),
        "{message}"
    );
    assert!(
        message.ends_with("Hephaestus-Fingerprint: fp-pool"),
        "{message}"
    );
    assert_eq!(
        w.bare_git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>", &tip]),
        "Hephaestus Bot <bot@example.com>|Hephaestus Bot <bot@example.com>"
    );
    assert_eq!(
        w.bare_git(&[
            "log",
            "-1",
            "--format=%(trailers:key=Hephaestus-Fingerprint,valueonly)",
            &tip
        ]),
        "fp-pool"
    );

    // The user's repository: untouched, no token anywhere, no leftover refs.
    assert_eq!(snapshot(&w.work), before);
    let config = std::fs::read_to_string(w.work.join(".git/config")).unwrap();
    assert!(!config.contains(TOKEN), "{config}");
    assert_eq!(
        git(&w.work, &["for-each-ref", "refs/hephaestus"]),
        "",
        "private refs are cleaned up"
    );

    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].head, branch);
    assert_eq!(prs[0].base, "main");
    assert_eq!(prs[0].title, "fix: PoolExhausted");
    assert_eq!(prs[0].labels, ["hephaestus"]);
    assert!(prs[0].body.contains("```diff\n"), "{}", prs[0].body);
    w.forge.assert_no_violations();
    // The git server saw the token only as the password of x-access-token.
    let reqs = w.git.requests();
    assert!(reqs.iter().any(|r| r.target.contains("git-receive-pack")));
    assert!(reqs
        .iter()
        .filter_map(|r| r.user.as_deref())
        .all(|u| u == "x-access-token"));
    assert!(reqs.iter().all(|r| !r.target.contains(TOKEN)));

    // Again, from a fresh deployer sharing the state directory: the forge is asked, nothing
    // is written anywhere.
    let requests_before = w.forge.log().len();
    let mut again = solution(50);
    w.deployer(TOKEN).deliver(&mut again).unwrap();
    assert_eq!(again.pr_url, s.pr_url);
    assert_only_read(&w, requests_before);
    assert_eq!(w.remote_tip(branch).unwrap(), tip);
}

#[test]
fn another_host_with_the_same_fix_finds_the_branch_and_the_pull_request() {
    let w = World::new(Kind::GitHub);
    let mut first = solution(50);
    w.deployer(TOKEN).deliver(&mut first).unwrap();
    let tip = w.remote_tip("hephaestus/fix/PoolExhausted").unwrap();

    // A second host: its own clone and its own state directory.
    git(
        w.env.path(),
        &["clone", "-q", w.bare.to_str().unwrap(), "host2"],
    );
    let host2 = w.env.path().join("host2");
    git(
        &host2,
        &["remote", "set-url", "origin", &w.git.url("shop.git")],
    );
    let mut settings = DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(host2),
        remote: w.remote_settings(TOKEN),
        state_dir: Some(w.env.path().join("state2")),
        min_confidence: 0.0,
        retry: RetryPolicy {
            base: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    };
    let mut second = solution(50);
    Deployer::new(settings.clone())
        .deliver(&mut second)
        .unwrap();
    assert_eq!(second.pr_url, first.pr_url);
    assert_eq!(w.forge.prs().len(), 1);
    assert_eq!(
        w.remote_tip("hephaestus/fix/PoolExhausted").unwrap(),
        tip,
        "same patch: nothing pushed"
    );

    // A changed fix updates the branch (fast-forward, no force) under the same pull request.
    settings.state_dir = Some(w.env.path().join("state3"));
    let mut changed = solution(80);
    Deployer::new(settings).deliver(&mut changed).unwrap();
    assert_eq!(changed.pr_url, first.pr_url);
    assert_eq!(w.forge.prs().len(), 1);
    let new_tip = w.remote_tip("hephaestus/fix/PoolExhausted").unwrap();
    assert_ne!(new_tip, tip);
    assert_eq!(w.bare_git(&["rev-parse", &format!("{new_tip}^")]), tip);
    assert!(w
        .bare_git(&["diff", "main", &new_tip])
        .contains("+  max_connections: 80"));
    w.forge.assert_no_violations();
}

#[test]
fn a_wrong_token_is_a_clear_error_that_does_not_show_it() {
    let wrong = "wrong-token-7c1e";
    let w = World::with_tokens(Kind::GitHub, TOKEN, wrong);
    let mut s = solution(50);
    let err = format!("{:#}", w.deployer(wrong).deliver(&mut s).unwrap_err());
    assert!(
        err.contains("authentication to 'http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.contains("token was refused"), "{err}");
    assert!(!err.contains(wrong), "{err}");
    assert_eq!(s.state, SolutionState::Validated);
    assert!(w.remote_tip("hephaestus/fix/PoolExhausted").is_none());
    assert!(w.forge.prs().is_empty());
    // libgit2 was stopped after one refused answer instead of replaying credentials.
    let refused = w
        .git
        .requests()
        .iter()
        .filter(|r| r.authorization.is_some() && r.user.is_none())
        .count();
    assert_eq!(refused, 1);
}

#[test]
fn forge_errors_say_what_to_fix() {
    let w = World::new(Kind::GitHub);
    // 401: the forge refuses the token.
    let mut s = solution(50);
    let err = format!("{:#}", w.deployer("nope-nope").deliver(&mut s).unwrap_err());
    assert!(err.contains("GitHub refused the token"), "{err}");
    assert!(err.contains("HEPHAESTUS_TOKEN"), "{err}");
    assert!(!err.contains("nope-nope"), "{err}");

    // 404: a wrong owner.
    let mut settings = DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(w.work.clone()),
        remote: RemoteSettings {
            owner: "acmee".into(),
            ..w.remote_settings(TOKEN)
        },
        state_dir: Some(w.env.path().join("state")),
        min_confidence: 0.0,
        retry: RetryPolicy {
            base: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    };
    let err = format!(
        "{:#}",
        Deployer::new(settings.clone())
            .deliver(&mut solution(50))
            .unwrap_err()
    );
    assert!(err.contains("has no repository 'acmee/shop'"), "{err}");
    assert!(err.contains("remote_repo.owner"), "{err}");
    let attempts_404 = w.forge.log().iter().filter(|l| l.status == 404).count();
    assert_eq!(attempts_404, 1, "404 is not retried");

    // 403 without rate limiting: a missing scope, not retried.
    settings.remote.owner = OWNER.into();
    w.forge.fault(
        "GET",
        "/pulls",
        Fault::status(
            403,
            json!({"message": "Resource not accessible by personal access token"}),
        ),
    );
    let err = format!(
        "{:#}",
        Deployer::new(settings)
            .deliver(&mut solution(50))
            .unwrap_err()
    );
    assert!(err.contains("forbids this"), "{err}");
    assert!(err.contains("Resource not accessible"), "{err}");
    assert!(w.forge.prs().is_empty());
}

#[test]
fn transient_forge_failures_are_retried() {
    let w = World::new(Kind::GitHub);
    // 429 with Retry-After on the lookup, a dropped connection and a 500 on the create, then
    // a secondary rate limit on the labels.
    w.forge.fault(
        "GET",
        "/pulls",
        Fault::status(429, json!({"message": "API rate limit exceeded"}))
            .with_header("Retry-After", "1"),
    );
    w.forge.fault("POST", "/pulls", Fault::Drop);
    w.forge.fault(
        "POST",
        "/pulls",
        Fault::status(500, json!({"message": "Server Error"})),
    );
    w.forge.fault(
        "POST",
        "/labels",
        Fault::status(
            403,
            json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}),
        ),
    );
    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();
    assert_eq!(s.state, SolutionState::Deployed);
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1, "the dropped create did not open a second one");
    assert_eq!(prs[0].labels, ["hephaestus"]);
    let log = w.forge.log();
    let statuses: Vec<(String, u16)> = log.iter().map(|l| (l.method.clone(), l.status)).collect();
    assert_eq!(
        statuses,
        [
            ("GET".into(), 429),
            ("GET".into(), 200),
            ("POST".into(), 0),
            ("POST".into(), 500),
            ("POST".into(), 201),
            ("POST".into(), 403),
            ("POST".into(), 200),
        ]
    );
    // Retry-After: 1 was honoured.
    assert!(log[1].at - log[0].at >= Duration::from_secs(1));
    w.forge.assert_no_violations();
}

#[test]
fn an_existing_pull_request_is_reported_not_duplicated() {
    let w = World::new(Kind::GitHub);
    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();
    // Another host, mid-race: its lookup saw nothing, its create gets 422 "already exists".
    w.forge
        .fault("GET", "/pulls", Fault::status(200, json!([])));
    let mut settings_other = solution(50);
    let other = Deployer::new(DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(w.work.clone()),
        remote: w.remote_settings(TOKEN),
        state_dir: Some(w.env.path().join("other-state")),
        min_confidence: 0.0,
        retry: RetryPolicy {
            base: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    });
    let mut other = other;
    other.deliver(&mut settings_other).unwrap();
    assert_eq!(settings_other.pr_url, s.pr_url);
    assert_eq!(w.forge.prs().len(), 1);
    assert!(w.forge.log().iter().any(|l| l.status == 422));
}

#[test]
fn a_failed_deploy_is_recorded_and_retried_next_time() {
    let w = World::new(Kind::GitHub);
    for _ in 0..5 {
        w.forge.fault(
            "POST",
            "/pulls",
            Fault::status(502, json!({"message": "Bad Gateway"})),
        );
    }
    let mut s = solution(50);
    let err = format!("{:#}", w.deployer(TOKEN).deliver(&mut s).unwrap_err());
    assert!(err.contains("did not answer POST"), "{err}");
    assert!(err.contains("after 5 attempts"), "{err}");
    let records: Vec<_> = std::fs::read_dir(w.env.path().join("state/deploy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    assert_eq!(records.len(), 1);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[0]).unwrap()).unwrap();
    assert_eq!(record["status"], "failed");
    assert_eq!(record["branch"], "hephaestus/fix/PoolExhausted");

    // Next run: the pushed branch is found as is and the pull request opened once.
    let mut again = solution(50);
    w.deployer(TOKEN).deliver(&mut again).unwrap();
    assert_eq!(again.state, SolutionState::Deployed);
    assert_eq!(w.forge.prs().len(), 1);
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&records[0]).unwrap()).unwrap();
    assert_eq!(record["status"], "deployed");
    assert_eq!(record["attempts"], 2);
}

#[test]
fn gitlab_merge_requests() {
    let w = World::new(Kind::GitLab);
    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();
    assert_eq!(
        s.pr_url.as_deref(),
        Some("https://gitlab.example/acme/shop/-/merge_requests/1")
    );
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].labels, ["hephaestus"]);
    // Pushed as oauth2.
    assert!(w
        .git
        .requests()
        .iter()
        .filter_map(|r| r.user.as_deref())
        .all(|u| u == "oauth2"));
    // A lookup that misses (a race) meets 409 and reports the existing one.
    w.forge
        .fault("GET", "/merge_requests", Fault::status(200, json!([])));
    let mut other = solution(50);
    let mut settings = DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(w.work.clone()),
        remote: w.remote_settings(TOKEN),
        state_dir: Some(w.env.path().join("other")),
        min_confidence: 0.0,
        retry: RetryPolicy::default(),
    };
    settings.retry.base = Duration::from_millis(5);
    Deployer::new(settings).deliver(&mut other).unwrap();
    assert_eq!(other.pr_url, s.pr_url);
    assert!(w.forge.log().iter().any(|l| l.status == 409));
    assert_eq!(w.forge.prs().len(), 1);
    w.forge.assert_no_violations();
}

#[test]
fn gitea_pull_requests_with_label_ids() {
    let w = World::new(Kind::Gitea);
    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();
    assert_eq!(
        s.pr_url.as_deref(),
        Some("https://gitea.example/acme/shop/pulls/1")
    );
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    assert_eq!(prs[0].labels, ["hephaestus"]);
    assert_eq!(prs[0].head, "hephaestus/fix/PoolExhausted");
    assert!(w
        .git
        .requests()
        .iter()
        .filter_map(|r| r.user.as_deref())
        .all(|u| u == OWNER));
    w.forge.assert_no_violations();
}

// ---- The binary, end to end: log → incident → rule fix → branch, commit, pull request. ----

const POOL_LINE: &str = "ERROR db: connection pool exhausted (max=10)";

/// hephaestus.yaml for `w`, with a rule raising max_connections (the mode comes from the flag).
fn config(w: &World, extra: &str) -> PathBuf {
    let text = format!(
        "state_dir: {state}\nremote_repo:\n  provider: {provider}\n  api_url: {api}\n  owner: {OWNER}\n  repository: {REPO}\n  branch: main\n{extra}rules:\n  - name: db-pool\n    match: 'connection pool exhausted \\(max=(?P<max>\\d+)\\)'\n    file: config/database.yaml\n    find: 'max_connections: \\d+'\n    replace: 'max_connections: ${{max}}0'\n",
        state = w.env.path().join("state").display(),
        provider = w.forge.kind.provider(),
        api = w.forge.api_url(),
    );
    w.env.write("hephaestus.yaml", text)
}

fn log(w: &World, lines: &[&str]) -> PathBuf {
    let text: String = lines
        .iter()
        .enumerate()
        .map(|(i, l)| format!("2026-11-24T07:0{}:00Z {l}\n", i % 10))
        .collect();
    w.env.write("app.log", text)
}

fn analyze(w: &World, token: &str, extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = w.env.cmd(["analyze", "--mode", "deploy", "--repo"]);
    cmd.arg(&w.work)
        .arg(w.env.path().join("app.log"))
        .args(extra)
        .env("HEPHAESTUS_TOKEN", token)
        .env("HEPHAESTUS_RETRY_BASE_MS", "5");
    cmd
}

/// The default branch of the pool rule's fix: its error type and fingerprint.
const POOL_BRANCH: &str = "hephaestus/fix/connection-pool-exhausted-max-";

/// The one remote branch of the pool fix.
fn pool_branch(w: &World) -> String {
    let found: Vec<String> = w
        .branches()
        .into_iter()
        .filter(|b| b.starts_with(POOL_BRANCH))
        .collect();
    assert_eq!(found.len(), 1, "{:?}", w.branches());
    assert_eq!(found[0].len(), POOL_BRANCH.len() + 16, "{found:?}");
    found[0].clone()
}

#[test]
fn analyze_in_deploy_mode_opens_a_pull_request_and_reports_it() {
    let w = World::new(Kind::GitHub);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let out = run(&mut analyze(&w, TOKEN, &["-v"]), 1);
    let text = stdout(&out);
    let branch = pool_branch(&w);
    assert!(
        stderr(&out).contains(&format!("note: pushed new branch '{branch}' (")),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("; pull request #1 is open"));
    assert!(
        text.contains("(confidence 0.90, deployed)"),
        "{text}\n{}",
        stderr(&out)
    );
    assert!(
        text.contains("pull request: https://github.example/acme/shop/pull/1"),
        "{text}"
    );
    let tip = w.remote_tip(&branch).expect("branch pushed");
    assert_eq!(
        w.bare_git(&["show", &format!("{tip}:config/database.yaml")]),
        "pool:\n  max_connections: 100\n  timeout: 5s"
    );
    // No author configured, none in git config: `hephaestus`.
    assert_eq!(
        w.bare_git(&["log", "-1", "--format=%an <%ae>", &tip]),
        "hephaestus <hephaestus@localhost>"
    );
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    // A rule's incident has no exception: the error type names it.
    assert_eq!(prs[0].title, "Fix connection-pool-exhausted-max");
    assert!(!prs[0].draft, "confidence 0.90 is ready");
    w.forge.assert_no_violations();
    assert!(!format!("{}{}", text, stderr(&out)).contains(TOKEN));

    // JSON, second run: the record answers, nothing is sent again.
    let sent = w.forge.log().len();
    let out = run(&mut analyze(&w, TOKEN, &["--format", "json"]), 1);
    let report = json(&out);
    assert_eq!(report["solutions"][0]["state"], "deployed");
    assert_eq!(
        report["solutions"][0]["pr_url"],
        "https://github.example/acme/shop/pull/1"
    );
    assert_only_read(&w, sent);
}

#[test]
fn dry_run_prints_branch_commit_and_request_and_changes_nothing() {
    let w = World::new(Kind::GitHub);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    git(
        &w.work,
        &[
            "fetch",
            "-q",
            w.bare.to_str().unwrap(),
            "main:refs/remotes/origin/main",
        ],
    );
    let refs_before = git(&w.work, &["for-each-ref"]);
    let objects_before = git(&w.work, &["count-objects", "-v"]);
    let out = run(&mut analyze(&w, TOKEN, &["--dry-run"]), 1);
    let text = stdout(&out);
    let branch = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("branch: "))
        .unwrap_or_else(|| panic!("no branch in:\n{text}"))
        .to_owned();
    assert!(branch.starts_with(POOL_BRANCH), "{text}");
    let fingerprint = &branch[POOL_BRANCH.len()..];
    for want in [
        "DRY RUN nothing was changed".to_owned(),
        "base: origin/main (".to_owned(),
        "commit message:".to_owned(),
        "    Fix connection-pool-exhausted-max".to_owned(),
        format!("    Hephaestus-Fingerprint: {fingerprint}"),
        "request: GET http://127.0.0.1:".to_owned(),
        format!("/api/v3/repos/acme/shop/pulls?head=acme%3Ahephaestus%2Ffix%2Fconnection-pool-exhausted-max-{fingerprint}&state=all"),
        "request: POST http://127.0.0.1:".to_owned(),
        format!("\"head\": \"{branch}\""),
    ] {
        assert!(text.contains(&want), "missing {want:?} in:\n{text}");
    }
    assert!(!text.contains(TOKEN));
    assert!(w.forge.log().is_empty());
    // The preflight only asked the remote for its branches; nothing was pushed.
    assert!(w
        .git
        .requests()
        .iter()
        .all(|r| !r.target.contains("git-receive-pack")));
    assert_eq!(w.branches(), ["main"]);
    assert_eq!(git(&w.work, &["for-each-ref"]), refs_before);
    assert_eq!(git(&w.work, &["count-objects", "-v"]), objects_before);
    assert!(!w.env.path().join("state").exists());

    let out = run(
        &mut analyze(&w, TOKEN, &["--dry-run", "--format", "json"]),
        1,
    );
    let report = json(&out);
    let plan = &report["plans"][0];
    assert_eq!(plan["branch"], branch.as_str());
    assert_eq!(plan["requests"][1]["method"], "POST");
    assert_eq!(plan["requests"][1]["body"]["base"], "main");
    assert_eq!(plan["commit"]["applies"], true);
    assert!(w.forge.log().is_empty());
}

#[test]
fn below_min_confidence_deploy_mode_only_suggests_and_says_why() {
    let w = World::new(Kind::GitHub);
    config(&w, "fix:\n  min_confidence: 0.99\n");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let out = run(&mut analyze(&w, TOKEN, &[]), 1);
    let text = stdout(&out);
    assert!(text.contains("(confidence 0.90, suggested)"), "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("not deployed"))
            .collect::<Vec<_>>(),
        ["rule:db-pool: not deployed, suggested only: confidence 0.90 is below fix.min_confidence 0.99"],
        "{text}"
    );
    assert!(text.contains("+  max_connections: 100"), "{text}");
    assert_eq!(w.branches(), ["main"]);
    assert!(w.forge.log().is_empty());
    // The preflight only asked the remote for its branches; nothing was pushed.
    assert!(w
        .git
        .requests()
        .iter()
        .all(|r| !r.target.contains("git-receive-pack")));

    // JSON: the solution is suggested, and the reason is in `held`.
    let report = json(&run(&mut analyze(&w, TOKEN, &["--format", "json"]), 1));
    assert_eq!(report["solutions"][0]["state"], "suggested");
    assert!(report["solutions"][0].get("pr_url").is_none());
    assert_eq!(report["held"][0]["generator"], "rule:db-pool");
    assert_eq!(
        report["held"][0]["why"],
        "confidence 0.90 is below fix.min_confidence 0.99"
    );
    // A dry run plans nothing for it either.
    let report = json(&run(
        &mut analyze(&w, TOKEN, &["--dry-run", "--format", "json"]),
        1,
    ));
    assert!(report.get("plans").is_none(), "{report:#}");
    assert_eq!(w.branches(), ["main"]);
}

#[test]
fn a_refused_token_is_reported_without_showing_it() {
    // The git server takes the token, the forge's API refuses it.
    let w = World::with_tokens(Kind::GitHub, "ghp_wrongwrongwrong", TOKEN);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let out = run(&mut analyze(&w, "ghp_wrongwrongwrong", &[]), 1);
    let err = stderr(&out);
    assert!(err.contains("GitHub refused the token"), "{err}");
    assert!(!err.contains("ghp_wrongwrongwrong"), "{err}");
    assert!(!stdout(&out).contains("ghp_wrongwrongwrong"));
    assert!(
        stdout(&out).contains("(confidence 0.90, validated)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn deploy_mode_checks_what_it_needs_before_reading_any_log() {
    let w = World::new(Kind::GitHub);
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let first_error = |out: &std::process::Output| {
        let err = stderr(out);
        assert!(stdout(out).is_empty(), "nothing analysed: {}", stdout(out));
        err
    };
    // No token (dry run too).
    config(&w, "");
    let mut cmd = w
        .env
        .cmd(["analyze", "--mode", "deploy", "--dry-run", "--repo"]);
    cmd.arg(&w.work).arg(w.env.path().join("app.log"));
    let err = first_error(&run(&mut cmd, 2));
    assert_eq!(
        err,
        "error: deploy mode cannot deliver fixes: no token: set HEPHAESTUS_TOKEN (or GITHUB_TOKEN) in the environment\n"
    );
    // A token the remote refuses.
    let err = first_error(&run(&mut analyze(&w, "ghp_refused", &[]), 2));
    assert!(err.contains("the token was refused"), "{err}");
    assert!(!err.contains("ghp_refused"), "{err}");
    // A forge that is not where the code is pushed.
    let elsewhere = w.forge.api_url().replace("127.0.0.1", "localhost");
    let text = std::fs::read_to_string(config(&w, ""))
        .unwrap()
        .replace(&w.forge.api_url(), &elsewhere);
    w.env.write("hephaestus.yaml", text);
    let err = first_error(&run(&mut analyze(&w, TOKEN, &["--dry-run"]), 2));
    assert!(
        err.contains("remote_repo.provider github at http://localhost:")
            && err.contains("is not the forge of remote 'origin', which pushes to '127.0.0.1'"),
        "{err}"
    );
    // A base branch the remote does not have.
    let text = std::fs::read_to_string(config(&w, ""))
        .unwrap()
        .replace("  branch: main\n", "  branch: trunk\n");
    w.env.write("hephaestus.yaml", text);
    let err = first_error(&run(&mut analyze(&w, TOKEN, &["--dry-run"]), 2));
    assert!(
        err.contains("the base branch 'trunk' is not on remote 'origin'"),
        "{err}"
    );
    assert_eq!(w.branches(), ["main"]);
    assert!(w.forge.log().is_empty());
}

/// Several processes at once on the same incident.
fn race(w: &World, processes: usize, separate_hosts: bool) -> Vec<std::process::Output> {
    // Everything is prepared first so that the processes start together.
    let mut commands = Vec::new();
    for i in 0..processes {
        let (repo, state) = if separate_hosts {
            let name = format!("host{i}");
            git(
                w.env.path(),
                &["clone", "-q", w.bare.to_str().unwrap(), &name],
            );
            let repo = w.env.path().join(&name);
            git(
                &repo,
                &["remote", "set-url", "origin", &w.git.url("shop.git")],
            );
            (repo, Some(w.env.path().join(format!("state{i}"))))
        } else {
            (w.work.clone(), None)
        };
        let config = match &state {
            Some(dir) => {
                let text = std::fs::read_to_string(w.env.path().join("hephaestus.yaml")).unwrap();
                let text = text.replace(
                    &format!("state_dir: {}", w.env.path().join("state").display()),
                    &format!("state_dir: {}", dir.display()),
                );
                w.env.write(&format!("host{i}.yaml"), text)
            }
            None => w.env.path().join("hephaestus.yaml"),
        };
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("hephaestus"));
        cmd.current_dir(w.env.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", w.env.path())
            .env("NO_COLOR", "1")
            .env("HEPHAESTUS_TOKEN", TOKEN)
            .env("HEPHAESTUS_RETRY_BASE_MS", "5")
            .arg("--config")
            .arg(config)
            .args(["analyze", "--mode", "deploy", "--format", "json", "--repo"])
            .arg(repo)
            .arg(w.env.path().join("app.log"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        commands.push(cmd);
    }
    let children: Vec<_> = commands.iter_mut().map(|c| c.spawn().unwrap()).collect();
    children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect()
}

fn assert_one_branch_one_pr(w: &World, outputs: &[std::process::Output]) {
    for out in outputs {
        assert_eq!(
            out.status.code(),
            Some(1),
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report["solutions"][0]["pr_url"],
            "https://github.example/acme/shop/pull/1",
            "stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let branch = pool_branch(w);
    assert_eq!(w.branches(), [branch.as_str(), "main"]);
    let branch_commits = w.bare_git(&["rev-list", "--count", &format!("main..{branch}")]);
    assert_eq!(branch_commits, "1");
    assert_eq!(w.forge.prs().len(), 1);
    w.forge.assert_no_violations();
}

#[test]
fn concurrent_deploys_on_one_host_make_one_branch_and_one_pull_request() {
    let w = World::new(Kind::GitHub);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let outputs = race(&w, 6, false);
    assert_one_branch_one_pr(&w, &outputs);
    let creates = w
        .forge
        .log()
        .iter()
        .filter(|l| l.method == "POST" && l.target.ends_with("/pulls"))
        .count();
    assert_eq!(creates, 1, "the lock let one process do the work");
}

#[test]
fn concurrent_deploys_from_separate_hosts_make_one_branch_and_one_pull_request() {
    let w = World::new(Kind::GitHub);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    let outputs = race(&w, 5, true);
    assert_one_branch_one_pr(&w, &outputs);
}

/// The body with fenced code blocks and code spans taken out: what markdown would interpret.
fn outside_code(body: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<String> = None;
    for line in body.lines() {
        match &fence {
            Some(f) if line.trim_end() == f => fence = None,
            Some(_) => {}
            None if line.starts_with("```") => {
                fence = Some(line.chars().take_while(|c| *c == '`').collect());
            }
            None => {
                // Drop code spans: text between matching backtick runs.
                let mut rest = line;
                while let Some(start) = rest.find('`') {
                    out.push_str(&rest[..start]);
                    let run: String = rest[start..].chars().take_while(|c| *c == '`').collect();
                    let after = &rest[start + run.len()..];
                    match after.find(run.as_str()) {
                        Some(end) => rest = &after[end + run.len()..],
                        None => {
                            rest = after;
                        }
                    }
                }
                out.push_str(rest);
                out.push('\n');
            }
        }
    }
    out
}

#[test]
fn a_hostile_log_line_gives_a_safe_branch_and_an_inert_pull_request() {
    let w = World::new(Kind::GitHub);
    config(
        &w,
        "  pr:\n    branch_template: 'hephaestus/{error_type}/{pattern}'\n    title_template: 'fix: {error_type}'\n",
    );
    // The continuation line joins the entry: a newline inside the message.
    let hostile = "ERROR ../../refs/heads/main; $(touch pwned) `id` | rm -rf ~ && echo \x1b[31m @octocat #1 <img src=x onerror=alert(1)> [click](javascript:alert(1)) ``` connection pool exhausted (max=10)\n    # injected heading\r\x1b]0;title\x07 <script>x</script>";
    log(&w, &[hostile, hostile, hostile]);
    let out = run(&mut analyze(&w, TOKEN, &["--format", "json"]), 1);
    let report = json(&out);
    assert_eq!(
        report["solutions"][0]["state"],
        "deployed",
        "{}",
        stderr(&out)
    );
    assert!(!w.env.path().join("pwned").exists());
    assert!(!w.work.join("pwned").exists());

    let branches = w.branches();
    assert_eq!(branches.len(), 2, "{branches:?}");
    let branch = branches.iter().find(|b| *b != "main").unwrap();
    assert!(branch.starts_with("hephaestus/"), "{branch}");
    assert_eq!(branch.matches('/').count(), 2, "{branch}");
    assert!(
        branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c)),
        "{branch}"
    );
    let check = Command::new("git")
        .args(["check-ref-format", "--branch", branch])
        .output()
        .unwrap();
    assert!(check.status.success(), "{branch}");
    // main was not touched.
    assert_eq!(
        w.bare_git(&["rev-list", "--count", "main"]),
        "1",
        "main has only its first commit"
    );

    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    assert!(!prs[0].title.contains('\n') && !prs[0].title.contains('\x1b'));
    let body = &prs[0].body;
    assert!(!body.contains('\x1b'), "{body}");
    let live = outside_code(body);
    for bad in [
        "<img",
        "<script",
        "@octocat",
        "#1",
        "javascript:",
        "[click]",
        "rm -rf",
        "# injected",
    ] {
        assert!(
            !live.contains(bad),
            "{bad:?} outside code in:\n{live}\n--- body ---\n{body}"
        );
    }
    assert!(
        body.contains("<img src=x onerror=alert(1)>"),
        "kept, inside code: {body}"
    );
    let message = w.bare_git(&["log", "-1", "--format=%B", branch]);
    assert!(!message.contains('\x1b'), "{message:?}");
    w.forge.assert_no_violations();
}

#[test]
fn a_failed_deploy_is_retried_by_the_next_run_even_if_the_error_is_gone() {
    let w = World::new(Kind::GitHub);
    config(&w, "");
    log(&w, &[POOL_LINE, POOL_LINE, POOL_LINE]);
    for _ in 0..5 {
        w.forge.fault(
            "POST",
            "/pulls",
            Fault::status(503, json!({"message": "Service Unavailable"})),
        );
    }
    let out = run(&mut analyze(&w, TOKEN, &[]), 1);
    assert!(
        stderr(&out).contains("GitHub did not answer POST"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("(confidence 0.90, validated)"),
        "{}",
        stdout(&out)
    );
    assert!(w.forge.prs().is_empty());

    // The next run reads a quiet log: the recorded fix is deployed anyway, once.
    log(&w, &["INFO db: all good"]);
    let out = run(&mut analyze(&w, TOKEN, &["--format", "json"]), 0);
    let report = json(&out);
    assert_eq!(report["summary"]["incidents"], 0);
    assert_eq!(report["solutions"][0]["state"], "deployed");
    assert_eq!(
        report["solutions"][0]["pr_url"],
        "https://github.example/acme/shop/pull/1"
    );
    assert_eq!(w.forge.prs().len(), 1);

    // And a third run has nothing left to retry.
    let sent = w.forge.log().len();
    let out = run(&mut analyze(&w, TOKEN, &["--format", "json"]), 0);
    assert_eq!(json(&out)["solutions"].as_array().unwrap().len(), 0);
    assert_eq!(w.forge.log().len(), sent);
}

#[test]
fn rate_limit_reset_is_honoured() {
    let w = World::new(Kind::GitHub);
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 1;
    w.forge.fault(
        "GET",
        "/pulls",
        Fault::status(
            403,
            json!({"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest"}),
        )
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-reset", &reset.to_string()),
    );
    let mut s = solution(50);
    w.deployer(TOKEN).deliver(&mut s).unwrap();
    let log = w.forge.log();
    assert_eq!((log[0].status, log[1].status), (403, 200));
    // Waited until the reset time (whole seconds, so at least one).
    assert!(log[1].at - log[0].at >= Duration::from_millis(1000));
    assert_eq!(w.forge.prs().len(), 1);
}

#[test]
fn author_falls_back_to_git_config() {
    let w = World::new(Kind::GitHub);
    git(&w.work, &["config", "user.name", "Repo Person"]);
    git(&w.work, &["config", "user.email", "person@example.com"]);
    let mut deployer = Deployer::new(DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(w.work.clone()),
        remote: RemoteSettings {
            author_name: None,
            author_email: None,
            ..w.remote_settings(TOKEN)
        },
        state_dir: Some(w.env.path().join("state")),
        min_confidence: 0.0,
        retry: RetryPolicy {
            base: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    });
    deployer.deliver(&mut solution(50)).unwrap();
    assert_eq!(
        w.bare_git(&[
            "log",
            "-1",
            "--format=%an <%ae>",
            "hephaestus/fix/PoolExhausted"
        ]),
        "Repo Person <person@example.com>"
    );
}

#[test]
fn ssh_remotes_are_supported_and_failures_name_the_remote() {
    let w = World::new(Kind::GitHub);
    // Nothing listens on port 1: the ssh transport is tried (not "unsupported protocol").
    git(
        &w.work,
        &[
            "remote",
            "set-url",
            "origin",
            "ssh://git@127.0.0.1:1/shop.git",
        ],
    );
    let err = format!(
        "{:#}",
        w.deployer(TOKEN).deliver(&mut solution(50)).unwrap_err()
    );
    assert!(
        err.contains("listing the branches of 'ssh://127.0.0.1:1/shop.git' failed"),
        "{err}"
    );
    assert!(!err.contains("unsupported URL protocol"), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
}

#[test]
fn a_remote_url_with_credentials_is_refused_and_not_shown() {
    let w = World::new(Kind::GitHub);
    let url = w
        .git
        .url("shop.git")
        .replace("http://", "http://x-access-token:leaked-pass@");
    git(&w.work, &["remote", "set-url", "origin", &url]);
    let err = format!(
        "{:#}",
        w.deployer(TOKEN).deliver(&mut solution(50)).unwrap_err()
    );
    assert!(err.contains("holds credentials"), "{err}");
    assert!(!err.contains("leaked-pass"), "{err}");
    assert!(w.git.requests().is_empty());
}

#[test]
fn every_forge_retries_what_is_transient_and_names_what_is_not() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        let w = World::new(kind);
        let (lookup, create) = match kind {
            Kind::GitHub => (("GET", "/pulls"), ("POST", "/pulls")),
            Kind::GitLab => (("GET", "/merge_requests"), ("POST", "/merge_requests")),
            Kind::Gitea => (("GET", "PoolExhausted"), ("POST", "/pulls")),
        };
        let name = match kind {
            Kind::GitHub => "GitHub",
            Kind::GitLab => "GitLab",
            Kind::Gitea => "Gitea",
        };

        // 401 and 404 are not retried and say what to fix.
        let err = format!(
            "{:#}",
            w.deployer("bad").deliver(&mut solution(50)).unwrap_err()
        );
        assert!(err.contains(&format!("{name} refused the token")), "{err}");
        let mut wrong_repo = Deployer::new(DeploySettings {
            mode: Mode::Deploy,
            dry_run: false,
            repo: Some(w.work.clone()),
            remote: RemoteSettings {
                repository: "shopp".into(),
                ..w.remote_settings(TOKEN)
            },
            state_dir: Some(w.env.path().join("state-wrong")),
            min_confidence: 0.0,
            retry: RetryPolicy {
                base: Duration::from_millis(5),
                ..RetryPolicy::default()
            },
        });
        let err = format!("{:#}", wrong_repo.deliver(&mut solution(50)).unwrap_err());
        assert!(
            err.contains("has no repository 'acme/shopp'"),
            "{name}: {err}"
        );
        let log = w.forge.log();
        let count = |status: u16| log.iter().filter(|l| l.status == status).count();
        // Gitea answers 404 for "no pull request" too, so it asks about the repository next.
        let expected_404 = if kind == Kind::Gitea { 2 } else { 1 };
        assert_eq!(
            (count(401), count(404)),
            (1, expected_404),
            "{name}: {log:?}"
        );
        assert!(
            w.remote_tip("hephaestus/fix/PoolExhausted").is_none(),
            "{name}: pushed anyway"
        );

        // 429 + Retry-After on the lookup, a dropped connection then a 500 on the create.
        w.forge.fault(
            lookup.0,
            lookup.1,
            Fault::status(429, json!({"message": "slow down"})).with_header("Retry-After", "1"),
        );
        w.forge.fault(create.0, create.1, Fault::Drop);
        w.forge.fault(
            create.0,
            create.1,
            Fault::status(500, json!({"message": "oops"})),
        );
        let mut s = solution(50);
        w.deployer(TOKEN).deliver(&mut s).unwrap();
        assert_eq!(s.state, SolutionState::Deployed, "{name}");
        assert_eq!(w.forge.prs().len(), 1, "{name}");
        let log = w.forge.log();
        let limited = log.iter().position(|l| l.status == 429).unwrap();
        assert!(
            log[limited + 1].at - log[limited].at >= Duration::from_secs(1),
            "{name}"
        );
        let statuses: Vec<u16> = log.iter().map(|l| l.status).collect();
        assert!(
            statuses.windows(3).any(|w| w == [0, 500, 201]),
            "{name}: {statuses:?}"
        );
        w.forge.assert_no_violations();
    }
}

#[test]
fn a_hanging_forge_times_out_and_is_retried_and_a_422_is_not() {
    let w = World::new(Kind::GitHub);
    w.forge
        .fault("GET", "/pulls", Fault::Stall(Duration::from_secs(20)));
    let settings = |state: &str| DeploySettings {
        mode: Mode::Deploy,
        dry_run: false,
        repo: Some(w.work.clone()),
        remote: w.remote_settings(TOKEN),
        state_dir: Some(w.env.path().join(state)),
        min_confidence: 0.0,
        retry: RetryPolicy {
            base: Duration::from_millis(5),
            timeout: Duration::from_millis(300),
            ..RetryPolicy::default()
        },
    };
    let started = std::time::Instant::now();
    let mut s = solution(50);
    Deployer::new(settings("state")).deliver(&mut s).unwrap();
    assert_eq!(s.state, SolutionState::Deployed);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "did not wait for the hung request"
    );

    // A validation error other than "already exists" is the caller's to fix: one try, its words.
    let w = World::new(Kind::GitHub);
    w.forge.fault(
        "POST",
        "/pulls",
        Fault::status(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": "PullRequest", "field": "base", "code": "invalid"}],
                   "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}),
        ),
    );
    let err = format!(
        "{:#}",
        w.deployer(TOKEN).deliver(&mut solution(50)).unwrap_err()
    );
    assert!(
        err.contains("GitHub rejected POST http://127.0.0.1:"),
        "{err}"
    );
    assert!(
        err.contains("(422): Validation Failed; base invalid"),
        "{err}"
    );
    let posts = w.forge.log().iter().filter(|l| l.method == "POST").count();
    assert_eq!(posts, 1);
}
