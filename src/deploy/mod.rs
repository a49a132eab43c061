//! Deploy stage: what happens to a solution. `suggest` prints it (the report layer does); `deploy`
//! commits it on a branch, pushes it and opens a pull request — once per fix, however many runs,
//! processes or hosts see the error.
//!
//! Exactly once, in order: a lock per branch in the state directory (processes of one host take
//! turns), the local record (a fix already deployed is not sent again), the forge's open pull
//! requests for the branch (another host got there first), the remote branch's content (the same
//! patch is not pushed twice), pushes that never force, and a "pull request already exists"
//! answer read as the existing one.
//!
//! Only confident fixes are sent: below `fix.min_confidence` a solution is suggested (printed)
//! instead, and the reason is reported.

pub mod branch;
pub mod forge;
pub mod git;
pub mod message;
pub mod origin;
pub mod preflight;
pub mod retry;
mod secret;
pub mod state;

use std::path::PathBuf;

use anyhow::Context;
use serde::Serialize;

use crate::fix::{Solution, SolutionState};
use forge::{PlannedRequest, PrRequest, PrState};
use git::{CommitPlan, CommitSpec, GitRemote, Published};
pub use retry::RetryPolicy;
pub use secret::Secret;
use state::{Record, Status, Store};

/// How solutions are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Suggest,
    Deploy,
}

/// Remote repository settings for the deploy stage.
#[derive(Debug, Clone, Default)]
pub struct RemoteSettings {
    pub provider: String,
    pub api_url: Option<String>,
    pub remote: String,
    pub token: Option<Secret>,
    pub owner: String,
    pub repository: String,
    pub branch: String,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub title_template: String,
    pub branch_template: String,
    pub labels: Vec<String>,
    /// Every pull request is a draft.
    pub draft: bool,
    /// Below this confidence a pull request is opened as a draft.
    pub ready_confidence: f64,
    /// At most one update comment on a pull request per this long.
    pub update_interval: std::time::Duration,
    /// At most this many of the tool's pull requests open at once; 0: no limit.
    pub max_open: usize,
    /// At most this many of the tool's pull requests opened in 24 hours; 0: no limit.
    pub max_per_day: usize,
}

impl RemoteSettings {
    /// The base branch of the pull requests (`main` when not set).
    pub fn base_branch(&self) -> &str {
        match self.branch.trim() {
            "" => "main",
            base => base,
        }
    }

    /// The git remote fetched from and pushed to (`origin` when not set).
    pub fn remote_name(&self) -> &str {
        match self.remote.trim() {
            "" => "origin",
            name => name,
        }
    }
}

/// What the deploy stage needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct DeploySettings {
    pub mode: Mode,
    /// Describe the branch, commit and requests instead of making them.
    pub dry_run: bool,
    /// The repository whose remote gets the branch (the fix stage's repository).
    pub repo: Option<PathBuf>,
    pub remote: RemoteSettings,
    /// Where records and locks live; `None`: the default state directory.
    pub state_dir: Option<PathBuf>,
    pub retry: RetryPolicy,
    /// Below this confidence a solution is suggested, never committed or pushed.
    pub min_confidence: f64,
}

/// A solution deploy mode kept to a suggestion, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Held {
    /// The solution's id.
    pub solution: String,
    /// The generator (or rule) that produced it.
    pub generator: String,
    /// One line: `confidence 0.75 is below fix.min_confidence 0.80`.
    pub why: String,
}

/// What `--dry-run` would have done for one solution.
#[derive(Debug, Clone, Serialize)]
pub struct DeployPlan {
    pub solution: String,
    pub branch: String,
    pub commit: Option<CommitPlan>,
    /// Why no commit could be described (no repository, no remote …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit_error: Option<String>,
    pub requests: Vec<PlannedRequest>,
    /// Why no request could be described (owner or repository missing …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests_error: Option<String>,
    pub push_refspec: String,
}

/// The deploy stage.
pub struct Deployer {
    settings: DeploySettings,
    /// What happened to pull requests since the last call: (`opened` | `updated` | `closed`, URL).
    pr_events: Vec<(&'static str, String)>,
    plans: Vec<DeployPlan>,
    notes: Vec<String>,
    held: Vec<Held>,
}

/// The text of one deploy: names, messages and the request, from the templates.
struct Draft {
    /// The pull request body without its marker line, and the marker.
    text: String,
    marker: forge::Marker,
    branch: String,
    /// The branch the default template made before it held the fingerprint: a pull request of
    /// an earlier version may be open there.
    legacy: Option<String>,
    message: String,
    request: PrRequest,
    patch: String,
}

impl Deployer {
    pub fn new(settings: DeploySettings) -> Deployer {
        Deployer {
            settings,
            pr_events: Vec::new(),
            plans: Vec::new(),
            notes: Vec::new(),
            held: Vec::new(),
        }
    }

    /// Deliver one solution, advancing its state.
    pub fn deliver(&mut self, solution: &mut Solution) -> anyhow::Result<()> {
        match self.settings.mode {
            Mode::Suggest => solution.state = SolutionState::Suggested,
            Mode::Deploy if solution.confidence < self.settings.min_confidence => {
                solution.state = SolutionState::Suggested;
                self.held.push(Held {
                    solution: solution.id.clone(),
                    generator: solution.generator.clone(),
                    why: format!(
                        "confidence {:.2} is below fix.min_confidence {:.2}",
                        solution.confidence, self.settings.min_confidence
                    ),
                });
            }
            Mode::Deploy if self.settings.dry_run => {
                let plan = self.plan(solution);
                self.plans.push(plan);
            }
            Mode::Deploy => self.deploy(solution)?,
        }
        Ok(())
    }

    /// What the deploys since the last call did, for `-v`.
    pub fn take_notes(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notes)
    }

    /// The solutions kept to a suggestion by `fix.min_confidence` since the last call.
    pub fn take_held(&mut self) -> Vec<Held> {
        std::mem::take(&mut self.held)
    }

    /// What happened to pull requests since the last call, for notifications: (`opened`,
    /// `updated` or `closed`, its URL).
    pub fn take_pr_events(&mut self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut self.pr_events)
    }

    /// The dry-run plans made since the last call.
    pub fn take_plans(&mut self) -> Vec<DeployPlan> {
        std::mem::take(&mut self.plans)
    }

    fn draft(&self, solution: &Solution) -> Draft {
        let remote = &self.settings.remote;
        let date = chrono::Utc::now().format("%Y-%m-%d").to_string();
        let evidence = &solution.evidence;
        let exception = solution.headline();
        let vars = branch::Vars {
            error_type: &solution.error_type,
            fingerprint: &solution.fingerprint,
            pattern: &solution.pattern,
            date: &date,
            exception: &exception,
            file: evidence.file.as_deref().unwrap_or(""),
            function: evidence.function.as_deref().unwrap_or(""),
        };
        let template = |t: &str, default: &str| {
            if t.trim().is_empty() {
                default.to_owned()
            } else {
                t.to_owned()
            }
        };
        let branch_template = template(&remote.branch_template, branch::DEFAULT_BRANCH);
        let branch = branch::branch_name(&branch_template, &vars);
        let legacy = (branch_template == branch::DEFAULT_BRANCH)
            .then(|| branch::branch_name(branch::LEGACY_BRANCH, &vars));
        let title = branch::title(
            &template(&remote.title_template, branch::DEFAULT_TITLE),
            &vars,
        );
        let message = message::commit_message(&title, solution);
        let secrets: Vec<&str> = remote.token.iter().map(|t| t.expose()).collect();
        let patch = branch::digest(&solution.diff);
        let marker = forge::Marker {
            fingerprint: message::token(&solution.fingerprint),
            patch: patch.clone(),
            told: None,
            seen: None,
        };
        let text = message::pr_body(solution, &secrets);
        let request = PrRequest {
            title,
            body: format!("{text}\n{}\n", marker.line()),
            head: branch.clone(),
            base: self.base().to_owned(),
            labels: remote.labels.clone(),
            // Confident enough to deploy, not enough to ask for a merge: a draft says "look".
            draft: remote.draft || solution.confidence < remote.ready_confidence,
        };
        Draft {
            branch,
            legacy,
            message,
            request,
            patch,
            text,
            marker,
        }
    }

    fn base(&self) -> &str {
        self.settings.remote.base_branch()
    }

    fn remote_name(&self) -> &str {
        self.settings.remote.remote_name()
    }

    fn plan(&self, solution: &Solution) -> DeployPlan {
        let draft = self.draft(solution);
        let (requests, requests_error) =
            match forge::build(&self.settings.remote, self.settings.retry) {
                // An api_url may carry a token in its query; a plan is printed.
                Ok(forge) => (
                    forge
                        .plan(&draft.request)
                        .into_iter()
                        .map(|r| PlannedRequest {
                            url: git::redact(&r.url),
                            ..r
                        })
                        .collect(),
                    None,
                ),
                Err(e) => (Vec::new(), Some(e.to_string())),
            };
        let spec = CommitSpec {
            branch: &draft.branch,
            base: self.base(),
            diff: &solution.diff,
            message: &draft.message,
        };
        let (commit, commit_error) = match self.open_git(None) {
            Ok(git) => {
                let author = git.signature(
                    self.settings.remote.author_name.as_deref(),
                    self.settings.remote.author_email.as_deref(),
                );
                match author {
                    Ok(author) => (Some(git.plan(&spec, &author)), None),
                    Err(e) => (None, Some(e.to_string())),
                }
            }
            Err(e) => (None, Some(format!("{e:#}"))),
        };
        DeployPlan {
            solution: solution.id.clone(),
            push_refspec: format!("<new commit>:refs/heads/{}", draft.branch),
            branch: draft.branch,
            commit,
            commit_error,
            requests,
            requests_error,
        }
    }

    fn open_git(&self, username: Option<String>) -> anyhow::Result<GitRemote<'_>> {
        let dir = self.settings.repo.as_ref().context(
            "deploy mode needs the git repository of the code: run inside it or pass --repo",
        )?;
        Ok(GitRemote::open(
            dir,
            self.remote_name(),
            username.unwrap_or_default(),
            self.settings.remote.token.as_ref(),
            self.settings.retry,
        )?)
    }

    /// The forge and repository deploys go to, as recorded.
    fn target(&self) -> String {
        let remote = &self.settings.remote;
        format!(
            "{} {} {}/{}",
            remote.provider,
            remote.api_url.as_deref().unwrap_or("-"),
            remote.owner,
            remote.repository
        )
    }

    fn store(&self) -> anyhow::Result<Store> {
        let state_dir = self
            .settings
            .state_dir
            .clone()
            .context("no state directory: set state_dir in hephaestus.yaml, or HOME")?;
        Ok(Store::open(&state_dir)?)
    }

    /// Deploy again the solutions whose deploy failed or was cut short in an earlier run, so a
    /// fix is not lost when its error does not come back. Deploy mode only.
    pub fn retry_pending(&mut self) -> Vec<(Solution, anyhow::Result<()>)> {
        if self.settings.mode != Mode::Deploy || self.settings.dry_run {
            return Vec::new();
        }
        let Ok(store) = self.store() else {
            return Vec::new();
        };
        let target = self.target();
        let pending: Vec<Solution> = store
            .records()
            .into_iter()
            .filter(|(_, r)| {
                matches!(
                    r.status,
                    Status::Pending | Status::Failed | Status::Deferred
                ) && r.target == target
            })
            .filter_map(|(_, r)| r.saved.as_ref().and_then(restore))
            .collect();
        pending
            .into_iter()
            .map(|mut solution| {
                let result = self.deploy(&mut solution);
                (solution, result)
            })
            .collect()
    }

    fn deploy(&mut self, solution: &mut Solution) -> anyhow::Result<()> {
        let mut draft = self.draft(solution);
        let remote = &self.settings.remote;
        let forge = forge::build(remote, self.settings.retry)?;
        if remote.token.as_ref().is_none_or(|t| t.is_empty()) {
            anyhow::bail!(
                "deploy mode needs a token: set HEPHAESTUS_TOKEN (or GITHUB_TOKEN) in the environment"
            );
        }
        if let Some(legacy) = draft.legacy.take() {
            // Keep to the branch an earlier version opened for this very fingerprint.
            let fingerprint = message::token(&solution.fingerprint);
            let git = self.open_git(Some(forge.push_username()))?;
            if git.tip_fingerprint(&legacy)?.as_deref() == Some(fingerprint.as_str()) {
                self.notes.push(format!(
                    "branch '{legacy}' (the earlier default name) holds this fingerprint's fix; \
                     keeping to it"
                ));
                draft.request.head.clone_from(&legacy);
                draft.branch = legacy;
            }
        }
        let store = self.store()?;
        let target = self.target();
        let key = branch::digest(&format!("{target}\n{}", draft.branch));
        let _lock = store.lock(&key)?;
        let mut record = match store.load(&key) {
            Some(mut r) => {
                r.solution.clone_from(&solution.id);
                r
            }
            // Nothing known here yet: no patch, so only the forge can say this one was proposed.
            None => Record::new(&draft.branch, &solution.fingerprint, &solution.id, ""),
        };
        record.target = target;

        // The forge says what became of an earlier proposal; the record only remembers.
        let latest = forge
            .find_latest(&draft.branch, self.base())
            .map_err(anyhow::Error::from)
            .and_then(|pr| self.settle(pr, &draft, solution, &mut record, forge.as_ref()));
        match latest {
            Ok(Settled::Done) => {
                store.save(&key, &mut record)?;
                Ok(())
            }
            Ok(Settled::Propose(None)) if self.over_budget(forge.as_ref(), solution)? => {
                record.status = Status::Deferred;
                record.saved = serde_json::to_value(&*solution).ok();
                store.save(&key, &mut record)?;
                Ok(())
            }
            Ok(Settled::Propose(open)) => {
                record.patch.clone_from(&draft.patch);
                record.status = Status::Pending;
                record.attempts += 1;
                record.saved = serde_json::to_value(&*solution).ok();
                store.save(&key, &mut record)?;
                let result = self.push_and_open(&draft, solution, forge.as_ref(), open);
                self.finish(result, &draft, solution, &store, &key, &mut record)
            }
            Err(err) => {
                record.status = Status::Failed;
                record.error = Some(format!("{err:#}"));
                record.saved = serde_json::to_value(&*solution).ok();
                store.save(&key, &mut record)?;
                Err(err.context(format!(
                    "failed to deploy the fix on branch '{}'",
                    draft.branch
                )))
            }
        }
    }

    /// What to do given the branch's newest pull request: nothing more (a reviewer closed the
    /// same change, or it was merged), or propose (again, or on the open one).
    fn settle(
        &mut self,
        latest: Option<forge::PullRequest>,
        draft: &Draft,
        solution: &mut Solution,
        record: &mut Record,
        forge: &dyn forge::Forge,
    ) -> anyhow::Result<Settled> {
        let Some(pr) = latest else {
            return Ok(Settled::Propose(None));
        };
        let same = pr.marker.as_ref().is_some_and(|m| m.patch == draft.patch)
            || (pr.marker.is_none() && record.patch == draft.patch);
        // What the pull request was last told, as it says itself: every host keeps one cadence.
        if let Some(m) = &pr.marker {
            if let Some(told) = &m.told {
                if record
                    .commented
                    .as_deref()
                    .is_none_or(|mine| later(told, mine))
                {
                    record.commented = Some(told.clone());
                }
            }
            if let Some(seen) = &m.seen {
                if record
                    .reported_seen
                    .as_deref()
                    .is_none_or(|mine| later(seen, mine))
                {
                    record.reported_seen = Some(seen.clone());
                }
            }
        }
        match pr.state {
            PrState::Closed if same => {
                if record.status != Status::Declined {
                    self.pr_events.push(("closed", pr.url.clone()));
                }
                solution.state = SolutionState::Suggested;
                record.status = Status::Declined;
                record.pr_url = Some(pr.url.clone());
                self.held.push(Held {
                    solution: solution.id.clone(),
                    generator: solution.generator.clone(),
                    why: format!(
                        "pull request #{} proposed this change and was closed without merging; it \
                         is not proposed again until the code at the site changes",
                        pr.number
                    ),
                });
                Ok(Settled::Done)
            }
            PrState::Merged if same => {
                solution.pr_url = Some(pr.url.clone());
                solution.state = SolutionState::Deployed;
                record.status = Status::Deployed;
                record.pr_url = Some(pr.url.clone());
                if seen_after(&solution.evidence, pr.merged_at.as_deref()) {
                    solution.regression = true;
                    if self.due(record, &solution.evidence) {
                        forge.comment(&pr, &message::regression_comment(solution, &pr))?;
                        self.noted(record, &solution.evidence);
                        self.mark_told(forge, &pr, draft, record)?;
                        self.notes.push(format!(
                            "pull request #{} was merged and the error came back; said so on it",
                            pr.number
                        ));
                    }
                } else {
                    self.notes.push(format!(
                        "pull request #{} with this fix was merged; not proposed again",
                        pr.number
                    ));
                }
                Ok(Settled::Done)
            }
            PrState::Open if same => {
                // The open pull request already proposes this change: at most tell it the error
                // keeps happening.
                solution.pr_url = Some(pr.url.clone());
                solution.state = SolutionState::Deployed;
                record.status = Status::Deployed;
                record.pr_url = Some(pr.url.clone());
                if record.commented.is_none() {
                    // First sight of it from here: what it already says is the baseline.
                    self.noted(record, &solution.evidence);
                } else if self.due(record, &solution.evidence) {
                    forge.comment(&pr, &message::occurrences_comment(solution))?;
                    self.pr_events.push(("updated", pr.url.clone()));
                    self.noted(record, &solution.evidence);
                    self.mark_told(forge, &pr, draft, record)?;
                    self.notes.push(format!(
                        "pull request #{} already proposes this fix; told it the error is still seen",
                        pr.number
                    ));
                } else {
                    self.notes.push(format!(
                        "pull request #{} already proposes this fix; nothing pushed",
                        pr.number
                    ));
                }
                Ok(Settled::Done)
            }
            PrState::Open => Ok(Settled::Propose(Some(pr))),
            // Closed or merged with another change: the code moved, this is a new proposal.
            PrState::Closed | PrState::Merged => Ok(Settled::Propose(None)),
        }
    }

    /// Whether a new pull request would spend more than the budget; if so the solution is
    /// deferred and the reason held.
    fn over_budget(
        &mut self,
        forge: &dyn forge::Forge,
        solution: &mut Solution,
    ) -> anyhow::Result<bool> {
        let remote = &self.settings.remote;
        if remote.max_open == 0 && remote.max_per_day == 0 {
            return Ok(false);
        }
        // The tool's pull requests are those whose branch has the template's fixed prefix.
        let template = if remote.branch_template.trim().is_empty() {
            branch::DEFAULT_BRANCH
        } else {
            remote.branch_template.as_str()
        };
        let fixed = &template[..template.find('{').unwrap_or(template.len())];
        let prefix = &fixed[..fixed.rfind('/').map_or(0, |i| i + 1)];
        let ours: Vec<forge::Listed> = forge
            .recent()?
            .into_iter()
            .filter(|pr| pr.head.starts_with(prefix))
            .collect();
        let open = ours.iter().filter(|pr| pr.open).count();
        let day_ago = chrono::Utc::now() - chrono::Duration::hours(24);
        let today = ours
            .iter()
            .filter(|pr| {
                pr.created_at
                    .as_deref()
                    .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .is_some_and(|t| t > day_ago)
            })
            .count();
        let why = if remote.max_open > 0 && open >= remote.max_open {
            format!(
                "deferred: {open} of its pull requests are open (pr.max_open {}); deployed by a \
                 later run when one is closed or merged",
                remote.max_open
            )
        } else if remote.max_per_day > 0 && today >= remote.max_per_day {
            format!(
                "deferred: {today} of its pull requests were opened in the last 24 hours \
                 (pr.max_per_day {}); deployed by a later run",
                remote.max_per_day
            )
        } else {
            return Ok(false);
        };
        solution.state = SolutionState::Deferred;
        self.held.push(Held {
            solution: solution.id.clone(),
            generator: solution.generator.clone(),
            why,
        });
        Ok(true)
    }

    /// Whether an update comment may be posted now: the error was seen after what was last
    /// said, and `pr.update_interval` has passed since the last comment.
    fn due(&self, record: &Record, evidence: &crate::fix::Evidence) -> bool {
        let newer = match (&evidence.last_seen, &record.reported_seen) {
            (Some(seen), Some(reported)) => later(seen, reported),
            (Some(_), None) => true,
            (None, _) => false,
        };
        let rested = record.commented.as_deref().is_none_or(|at| {
            chrono::DateTime::parse_from_rfc3339(at).map_or(true, |at| {
                let since = chrono::Utc::now().signed_duration_since(at);
                since.to_std().unwrap_or_default() >= self.settings.remote.update_interval
            })
        });
        newer && rested
    }

    /// Write into `pr`'s marker when it was told and of what, so other hosts keep to the same
    /// cadence; the description is brought up to date with it.
    fn mark_told(
        &self,
        forge: &dyn forge::Forge,
        pr: &forge::PullRequest,
        draft: &Draft,
        record: &Record,
    ) -> anyhow::Result<()> {
        let marker = forge::Marker {
            told: record.commented.clone(),
            seen: record.reported_seen.clone(),
            ..draft.marker.clone()
        };
        forge.set_body(pr, &format!("{}\n{}\n", draft.text, marker.line()))?;
        Ok(())
    }

    fn noted(&self, record: &mut Record, evidence: &crate::fix::Evidence) {
        record.commented = Some(state::now());
        record.reported_seen.clone_from(&evidence.last_seen);
    }

    fn finish(
        &mut self,
        result: anyhow::Result<(String, String, String)>,
        draft: &Draft,
        solution: &mut Solution,
        store: &Store,
        key: &str,
        record: &mut Record,
    ) -> anyhow::Result<()> {
        match result {
            Ok((url, commit, note)) => {
                self.notes.push(note);
                // What the pull request says now counts as told.
                self.noted(record, &solution.evidence);
                record.status = Status::Deployed;
                record.commit = Some(commit);
                record.pr_url = Some(url.clone());
                record.error = None;
                store.save(key, record)?;
                solution.pr_url = Some(url);
                solution.state = SolutionState::Deployed;
                Ok(())
            }
            Err(err) => {
                record.status = Status::Failed;
                record.error = Some(format!("{err:#}"));
                store.save(key, record)?;
                Err(err.context(format!(
                    "failed to deploy the fix on branch '{}'",
                    draft.branch
                )))
            }
        }
    }

    fn push_and_open(
        &mut self,
        draft: &Draft,
        solution: &Solution,
        forge: &dyn forge::Forge,
        open: Option<forge::PullRequest>,
    ) -> anyhow::Result<(String, String, String)> {
        let git = self.open_git(Some(forge.push_username()))?;
        let author = git.signature(
            self.settings.remote.author_name.as_deref(),
            self.settings.remote.author_email.as_deref(),
        )?;
        let spec = CommitSpec {
            branch: &draft.branch,
            base: self.base(),
            diff: &solution.diff,
            message: &draft.message,
        };
        let published: Published = git.publish(&spec, &author)?;
        let branch = &draft.branch;
        let mut note = match published {
            Published::Created(oid) => format!("pushed new branch '{branch}' ({oid})"),
            Published::Updated(oid) => {
                format!("pushed the changed fix to branch '{branch}' ({oid})")
            }
            Published::Unchanged(oid) => {
                format!("branch '{branch}' already holds this fix ({oid}); nothing pushed")
            }
        };
        let pr = match open {
            Some(pr) => {
                note.push_str(&format!("; pull request #{} was already open", pr.number));
                let stale = pr.marker.as_ref().is_some_and(|m| m.patch != draft.patch);
                if matches!(published, Published::Updated(_)) {
                    // Say what changed where the reviewer looks, and keep the body true. Only
                    // the process whose push landed says it: a push is the one step that cannot
                    // be won twice, so hosts racing on one change comment once.
                    forge.set_body(&pr, &draft.request.body)?;
                    forge.comment(&pr, &message::changed_comment(solution, published.oid()))?;
                    self.pr_events.push(("updated", pr.url.clone()));
                    note.push_str(" (its description and a comment tell of the change)");
                } else if stale {
                    // Another host pushed this change and has not rewritten the body yet.
                    forge.set_body(&pr, &draft.request.body)?;
                }
                pr
            }
            None => {
                let pr = forge.create(&draft.request)?;
                note.push_str(&format!("; pull request #{} is open", pr.number));
                self.pr_events.push(("opened", pr.url.clone()));
                pr
            }
        };
        Ok((pr.url, published.oid().to_string(), note))
    }
}

/// What [`Deployer::settle`] decided.
enum Settled {
    /// Nothing to push: the answer is already on the forge.
    Done,
    /// Push, then open a pull request, or update the open one.
    Propose(Option<forge::PullRequest>),
}

/// Whether the error was seen, in the log's time, after `merged_at`.
fn seen_after(evidence: &crate::fix::Evidence, merged_at: Option<&str>) -> bool {
    match (evidence.last_seen.as_deref(), merged_at) {
        (Some(seen), Some(merged)) => later(seen, merged),
        _ => false,
    }
}

/// `a` is after `b` (RFC 3339 both); unreadable times are never later.
fn later(a: &str, b: &str) -> bool {
    match (
        chrono::DateTime::parse_from_rfc3339(a),
        chrono::DateTime::parse_from_rfc3339(b),
    ) {
        (Ok(a), Ok(b)) => a > b,
        _ => false,
    }
}

/// A solution back from its record (as `serde_json::to_value` wrote it).
fn restore(value: &serde_json::Value) -> Option<Solution> {
    let text = |k: &str| value[k].as_str().map(str::to_owned);
    Some(Solution {
        id: text("id")?,
        pattern: text("pattern")?,
        fingerprint: text("fingerprint")?,
        error_type: text("error_type")?,
        generator: text("generator")?,
        model: text("model"),
        description: text("description")?,
        confidence: value["confidence"].as_f64()?,
        factors: value["factors"]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter_map(|f| Some((f[0].as_str()?.to_owned(), f[1].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        state: SolutionState::Validated,
        repo: text("repo"),
        files: value["files"]
            .as_array()
            .map(|f| {
                f.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default(),
        diff: text("diff")?,
        verification: serde_json::from_value(value["verification"].clone()).unwrap_or_default(),
        pr_url: None,
        regression: false,
        evidence: serde_json::from_value(value["evidence"].clone()).unwrap_or_default(),
    })
}
