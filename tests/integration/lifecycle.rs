//! An incident's pull request over time, keyed by its fingerprint: one branch and one pull request
//! per bug, text a reviewer can act on. Real logs (`fixtures/lifecycle/`, made by `make-logs`
//! there), a real git server and a fake forge speaking the documented REST shapes.

use std::path::PathBuf;

use crate::deploy::{World, OWNER, REPO, TOKEN};
use crate::harness::{copy_dir, fixture, json, run, stderr};
use crate::support::forge::Kind;

/// hephaestus.yaml for `w`: its forge and state directory, nothing else.
fn config(w: &World, extra: &str) -> PathBuf {
    let text = format!(
        "state_dir: {state}\nremote_repo:\n  provider: {provider}\n  api_url: {api}\n  owner: {OWNER}\n  repository: {REPO}\n  branch: main\n{extra}",
        state = w.env.path().join("state").display(),
        provider = w.forge.kind.provider(),
        api = w.forge.api_url(),
    );
    w.env.write("hephaestus.yaml", text)
}

/// `analyze LOG --mode deploy` over the world's clone, tripping at the first crash, as JSON.
fn deploy(w: &World, log: &str) -> serde_json::Value {
    deploy_at(w, log, 1)
}

/// `analyze LOG --mode deploy --threshold-count COUNT` over the world's clone, as JSON.
fn deploy_at(w: &World, log: &str, count: u32) -> serde_json::Value {
    let mut cmd = w
        .env
        .cmd(["analyze", "--mode", "deploy", "--format", "json"]);
    cmd.arg("--repo")
        .arg(&w.work)
        .arg("--threshold-count")
        .arg(count.to_string())
        .arg(fixture(log))
        .env("HEPHAESTUS_TOKEN", TOKEN)
        .env("HEPHAESTUS_RETRY_BASE_MS", "5");
    let out = run(cmd, 1);
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
    json(&out)
}

/// What `python3 worker.py TASK` prints with `app/jobs.py` as the tip of `branch` has it.
fn run_worker_on(w: &World, branch: &str, task: &str) -> String {
    let dir = w
        .env
        .path()
        .join(format!("check-{}", branch.replace('/', "_")));
    copy_dir(&fixture("lifecycle/jobs/repo"), &dir);
    let jobs = w.bare_git(&["show", &format!("{branch}:app/jobs.py")]);
    std::fs::write(dir.join("app/jobs.py"), jobs + "\n").unwrap();
    let out = std::process::Command::new("python3")
        .arg("worker.py")
        .arg(task)
        .current_dir(&dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
}

#[test]
fn two_key_errors_in_one_file_get_two_branches_and_two_pull_requests() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        let w = World::seeded(kind, "lifecycle/jobs/repo");
        config(&w, "");
        let report = deploy(&w, "lifecycle/jobs/both.log");
        let sols = report["solutions"].as_array().unwrap();
        assert_eq!(sols.len(), 2, "{kind:?} {report:#}");
        let mut branches = w.branches();
        branches.retain(|b| b != "main");
        assert_eq!(branches.len(), 2, "{branches:?}");
        for b in &branches {
            assert!(b.starts_with("hephaestus/fix/keyerror-jobs-py-"), "{b}");
        }
        let prs = w.forge.prs();
        assert_eq!(prs.len(), 2);
        let mut titles: Vec<&str> = prs.iter().map(|p| p.title.as_str()).collect();
        titles.sort();
        assert_eq!(
            titles,
            [
                "Fix KeyError 'retries' in app/jobs.py (retry)",
                "Fix KeyError 'timeout' in app/jobs.py (send)"
            ]
        );
        // Each branch holds its own fix, and the program does what it should with it.
        for pr in &prs {
            let (task, good, still_broken) = if pr.title.contains("timeout") {
                ("send", "sending 5 digests, timeout=30s", "retry")
            } else {
                ("retry", "retrying 2 sends up to 3 times", "send")
            };
            let out = run_worker_on(&w, &pr.head, task);
            assert!(out.contains(good), "{}: {out}", pr.head);
            // The other fix is not on this branch.
            let other = run_worker_on(&w, &pr.head, still_broken);
            assert!(other.contains("KeyError"), "{}: {other}", pr.head);
            assert_eq!(
                w.bare_git(&["rev-list", "--count", &format!("main..{}", pr.head)]),
                "1"
            );
        }
        w.forge.assert_no_violations();

        // Again: nothing new is sent, the records and the forge answer.
        let pushes = w
            .git
            .requests()
            .iter()
            .filter(|r| r.target.contains("git-receive-pack"))
            .count();
        let report = deploy(&w, "lifecycle/jobs/both.log");
        assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
        assert_eq!(w.forge.prs().len(), 2);
        let pushes_after = w
            .git
            .requests()
            .iter()
            .filter(|r| r.target.contains("git-receive-pack"))
            .count();
        assert_eq!(pushes_after, pushes);
    }
}

#[test]
fn the_pull_request_body_tells_a_reviewer_what_happened() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "");
    // Trips at the third crash: the body tells of all three.
    deploy_at(&w, "lifecycle/jobs/send.log", 3);
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    let body = &prs[0].body;
    let log = std::fs::read_to_string(fixture("lifecycle/jobs/send.log")).unwrap();
    // The log's own times of the first and the last crash.
    let times: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("task send started"))
        .map(|l| &l[..24])
        .collect();
    assert_eq!(times.len(), 3);
    for want in [
        "Hephaestus saw ` KeyError 'timeout' ` 3 times between ".to_owned(),
        "### Where\n\n- ` app/jobs.py:14 in send ` (raised here)\n- ` worker.py:14 in main `\n- ` worker.py:21 in <module> `\n".to_owned(),
        "### What failed and why this change\n\n```text\nKeyError: 'timeout' at app/jobs.py:14 in send".to_owned(),
        "- compile passed in ".to_owned(),
        ": ` python3 -m py_compile app/jobs.py `".to_owned(),
        "- verify skipped".to_owned(),
        "**Confidence:** 0.95".to_owned(),
        "| ` generator prior ` | +".to_owned(),
        "### How to reproduce\n\nNo reproduction ran".to_owned(),
        "### Sample from the log (credentials masked)\n\n```text\nTraceback (most recent call last):".to_owned(),
        "KeyError: 'timeout'\n```".to_owned(),
        "### Diff\n\n```diff\n".to_owned(),
        "+    timeout = settings.get('timeout', DEFAULT_TIMEOUT)".to_owned(),
    ] {
        assert!(body.contains(&want), "missing {want:?} in\n{body}");
    }
    assert!(
        body.contains(&times[0][..19]) && body.contains(&times[2][..19]),
        "{times:?} in\n{body}"
    );
    assert!(!prs[0].draft, "0.95 is above pr.ready_confidence");
}

#[test]
fn below_ready_confidence_the_pull_request_is_a_draft() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "  pr:\n    ready_confidence: 0.99\n");
    deploy(&w, "lifecycle/jobs/send.log");
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1);
    assert!(prs[0].draft, "0.95 is below 0.99");
    w.forge.assert_no_violations();
}

/// Pushes to the world's `main` a change of `app/jobs.py` next to the crash site (the fix's
/// context), as a teammate would: the same crash now gets another patch.
fn move_code_at_the_site(w: &World) {
    let path = w.work.join("app/jobs.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let moved = text.replace("digests, timeout=", "digests with timeout=");
    assert_ne!(moved, text);
    std::fs::write(&path, moved).unwrap();
    crate::harness::git(&w.work, &["commit", "-qam", "Say 'with timeout'"]);
    crate::harness::git(&w.work, &["push", "-q", w.bare.to_str().unwrap(), "main"]);
}

/// Every push the git server saw so far.
fn pushes(w: &World) -> usize {
    w.git
        .requests()
        .iter()
        .filter(|r| r.target.contains("git-receive-pack") && r.method == "POST")
        .count()
}

#[test]
fn a_changed_fix_is_one_new_commit_and_one_comment_on_the_open_pull_request() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        let w = World::seeded(kind, "lifecycle/jobs/repo");
        config(&w, "");
        deploy(&w, "lifecycle/jobs/send.log");
        let first = w.forge.prs()[0].clone();
        let first_tip = w.remote_tip(&first.head).unwrap();

        move_code_at_the_site(&w);
        let report = deploy(&w, "lifecycle/jobs/send.log");
        assert_eq!(
            report["solutions"][0]["state"], "deployed",
            "{kind:?} {report:#}"
        );
        let prs = w.forge.prs();
        assert_eq!(prs.len(), 1, "{kind:?}: the same pull request");
        assert_ne!(
            prs[0].body, first.body,
            "{kind:?}: its description tells the new fix"
        );
        let comments = w.forge.comments();
        assert_eq!(comments.len(), 1, "{kind:?} {comments:?}");
        assert_eq!(comments[0].0, first.number);
        assert!(
            comments[0]
                .1
                .starts_with("The proposed fix changed (commit "),
            "{comments:?}"
        );
        assert!(
            comments[0]
                .1
                .contains("+    timeout = settings.get('timeout', DEFAULT_TIMEOUT)"),
            "{comments:?}"
        );
        // Never forced: the first commit is still on the branch, under the new one.
        let tip = w.remote_tip(&first.head).unwrap();
        w.bare_git(&["merge-base", "--is-ancestor", &first_tip, &tip]);
        // The branch is the new main plus the fix, and the worker does what it should.
        let out = run_worker_on(&w, &first.head, "send");
        assert!(
            out.contains("sending 5 digests with timeout=30s"),
            "{kind:?}: {out}"
        );
        assert_eq!(
            w.bare_git(&["diff", "--stat", &format!("main...{}", first.head)]),
            w.bare_git(&["diff", "--stat", "main", &first.head]),
            "{kind:?}: the pull request's diff is the fix alone"
        );
        // A third run: the open pull request already says all of it.
        let pushed = pushes(&w);
        deploy(&w, "lifecycle/jobs/send.log");
        assert_eq!(pushes(&w), pushed, "{kind:?}");
        assert_eq!(w.forge.comments().len(), 1, "{kind:?}");
        w.forge.assert_no_violations();
    }
}

#[test]
fn a_pull_request_closed_unmerged_is_not_proposed_again_until_the_site_changes() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        let w = World::seeded(kind, "lifecycle/jobs/repo");
        config(&w, "");
        deploy(&w, "lifecycle/jobs/send.log");
        w.forge.close(1);

        let pushed = pushes(&w);
        let report = deploy(&w, "lifecycle/jobs/send.log");
        assert_eq!(w.forge.prs().len(), 1, "not reopened, not proposed again");
        assert_eq!(pushes(&w), pushed);
        assert_eq!(report["solutions"][0]["state"], "suggested", "{report:#}");
        let why = report["held"][0]["why"].as_str().unwrap_or_default();
        assert!(
            why.starts_with("pull request #1 proposed this change and was closed without merging"),
            "{report:#}"
        );
        // From another host with its own state directory: the forge says the same.
        let other = w.env.write(
            "other.yaml",
            std::fs::read_to_string(w.env.path().join("hephaestus.yaml"))
                .unwrap()
                .replace("/state\n", "/state-other\n"),
        );
        let mut cmd = w
            .env
            .cmd(["analyze", "--mode", "deploy", "--format", "json"]);
        cmd.arg("--config")
            .arg(&other)
            .arg("--repo")
            .arg(&w.work)
            .args(["--threshold-count", "1"])
            .arg(fixture("lifecycle/jobs/send.log"))
            .env("HEPHAESTUS_TOKEN", TOKEN);
        let report = json(&run(cmd, 1));
        assert_eq!(report["solutions"][0]["state"], "suggested", "{report:#}");
        assert_eq!(w.forge.prs().len(), 1);

        // The code at the site changes: that is a new patch, and a new pull request.
        move_code_at_the_site(&w);
        let report = deploy(&w, "lifecycle/jobs/send.log");
        assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
        let prs = w.forge.prs();
        assert_eq!(prs.len(), 2);
        assert!(prs[1].open && !prs[0].open);
        let out = run_worker_on(&w, &prs[1].head, "send");
        assert!(out.contains("sending 5 digests with timeout=30s"), "{out}");
        w.forge.assert_no_violations();
    }
}

#[test]
fn a_merged_fix_whose_error_comes_back_gets_a_regression_comment_not_a_new_pull_request() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        let w = World::seeded(kind, "lifecycle/jobs/repo");
        config(&w, "  pr:\n    update_interval: 1ms\n");
        deploy(&w, "lifecycle/jobs/send.log");
        // Merged after every crash of send.log and before those of send-again.log.
        let log = std::fs::read_to_string(fixture("lifecycle/jobs/send.log")).unwrap();
        let again = std::fs::read_to_string(fixture("lifecycle/jobs/send-again.log")).unwrap();
        let last = log.lines().last().unwrap()[..24].to_owned();
        let next = again.lines().next().unwrap()[..24].to_owned();
        assert!(last < next);
        w.forge.merge(1, &last);

        // The old log again: nothing after the merge, nothing said.
        let report = deploy(&w, "lifecycle/jobs/send.log");
        assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
        assert!(
            report["solutions"][0].get("regression").is_none(),
            "{report:#}"
        );
        assert!(w.forge.comments().is_empty());

        // Logs written after the merge: a regression, said once on the merged pull request.
        let pushed = pushes(&w);
        let report = deploy(&w, "lifecycle/jobs/send-again.log");
        assert_eq!(report["solutions"][0]["regression"], true, "{report:#}");
        let comments = w.forge.comments();
        assert_eq!(comments.len(), 1, "{comments:?}");
        assert_eq!(comments[0].0, 1);
        assert!(
            comments[0].1.starts_with(&format!(
                "Seen again after this fix was merged (merged ` {last} `): ` KeyError 'timeout' ` once at ` {next} `"
            )),
            "{comments:?}"
        );
        assert_eq!(
            w.forge.prs().len(),
            1,
            "no new pull request for the same patch"
        );
        assert_eq!(pushes(&w), pushed);
        // The same log once more: already said.
        deploy(&w, "lifecycle/jobs/send-again.log");
        assert_eq!(w.forge.comments().len(), 1);
        // The text report says it too.
        let mut cmd = w.env.cmd(["analyze", "--mode", "deploy"]);
        cmd.arg("--repo")
            .arg(&w.work)
            .args(["--threshold-count", "1"])
            .arg(fixture("lifecycle/jobs/send-again.log"))
            .env("HEPHAESTUS_TOKEN", TOKEN);
        let out = crate::harness::stdout(&run(cmd, 1));
        let url = report["solutions"][0]["pr_url"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(
            out.contains(&format!(
                "  regression: this fix was merged ({url}) and the error was logged again after it"
            )),
            "{out}"
        );
        w.forge.assert_no_violations();
    }
}

#[test]
fn an_open_pull_request_hears_of_new_occurrences_at_most_once_per_interval() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "  pr:\n    update_interval: 1ms\n");
    deploy(&w, "lifecycle/jobs/send.log");
    // The same occurrences again: nothing new to say.
    deploy(&w, "lifecycle/jobs/send.log");
    assert!(w.forge.comments().is_empty());
    let again = std::fs::read_to_string(fixture("lifecycle/jobs/send-again.log")).unwrap();
    let next = &again.lines().next().unwrap()[..24];
    deploy(&w, "lifecycle/jobs/send-again.log");
    let comments = w.forge.comments();
    assert_eq!(comments.len(), 1, "{comments:?}");
    assert_eq!(
        comments[0].1,
        format!("Still happening: ` KeyError 'timeout' ` once at ` {next} ` (log time).\n")
    );
    deploy(&w, "lifecycle/jobs/send-again.log");
    assert_eq!(w.forge.comments().len(), 1);

    // With the default interval (24h), newer occurrences wait for the next day.
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "");
    deploy(&w, "lifecycle/jobs/send.log");
    deploy(&w, "lifecycle/jobs/send-again.log");
    assert!(w.forge.comments().is_empty());
    w.forge.assert_no_violations();
}

#[test]
fn over_budget_a_fix_is_deferred_and_deployed_by_a_later_run() {
    for kind in [Kind::GitHub, Kind::GitLab, Kind::Gitea] {
        // One open at a time.
        let w = World::seeded(kind, "lifecycle/jobs/repo");
        config(&w, "  pr:\n    max_open: 1\n");
        let report = deploy(&w, "lifecycle/jobs/both.log");
        let states: Vec<&str> = report["solutions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["state"].as_str().unwrap())
            .collect();
        assert_eq!(states, ["deployed", "deferred"], "{kind:?} {report:#}");
        assert!(
            report["held"][0]["why"]
                .as_str()
                .unwrap()
                .starts_with("deferred: 1 of its pull requests are open (pr.max_open 1)"),
            "{kind:?} {report:#}"
        );
        assert_eq!(w.forge.prs().len(), 1, "{kind:?}");
        // Still spent: a quiet log defers it again, nothing is opened.
        w.env
            .write("quiet.log", "2026-12-02T08:00:00.000Z INFO  worker: idle\n");
        let quiet = |w: &World| {
            let mut cmd = w
                .env
                .cmd(["analyze", "--mode", "deploy", "--format", "json"]);
            cmd.arg("--repo")
                .arg(&w.work)
                .arg(w.env.path().join("quiet.log"))
                .env("HEPHAESTUS_TOKEN", TOKEN);
            json(&run(cmd, 0))
        };
        let report = quiet(&w);
        assert_eq!(
            report["solutions"][0]["state"], "deferred",
            "{kind:?} {report:#}"
        );
        assert_eq!(w.forge.prs().len(), 1);
        // The first is merged: the budget frees up and the next run delivers the other.
        w.forge.merge(1, "2026-12-02T07:59:00Z");
        let report = quiet(&w);
        assert_eq!(
            report["solutions"][0]["state"], "deployed",
            "{kind:?} {report:#}"
        );
        let prs = w.forge.prs();
        assert_eq!(prs.len(), 2, "{kind:?}");
        assert!(prs[1].title.contains("'retries'"), "{kind:?} {prs:?}");
        w.forge.assert_no_violations();
    }

    // One a day: the second waits until the first is a day old.
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "  pr:\n    max_per_day: 1\n");
    let report = deploy(&w, "lifecycle/jobs/both.log");
    assert_eq!(report["solutions"][1]["state"], "deferred", "{report:#}");
    assert!(
        report["held"][0]["why"].as_str().unwrap().starts_with(
            "deferred: 1 of its pull requests were opened in the last 24 hours (pr.max_per_day 1)"
        ),
        "{report:#}"
    );
    w.forge.opened_at(1, "2026-11-30T08:00:00Z");
    let report = deploy(&w, "lifecycle/jobs/retry.log");
    assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
    assert_eq!(w.forge.prs().len(), 2);
}

#[test]
fn branches_of_the_earlier_default_name_are_still_recognised_by_their_trailer() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    // As an earlier version deployed it: one branch per error type and file, no marker.
    config(
        &w,
        "  pr:\n    branch_template: 'hephaestus/fix/{error_type}'\n",
    );
    deploy(&w, "lifecycle/jobs/send.log");
    let old = w.forge.prs()[0].clone();
    assert_eq!(old.head, "hephaestus/fix/keyerror-jobs-py");
    let unmarked = old.body[..old.body.find("<!-- hephaestus").unwrap()].to_owned();
    w.forge.edit_body(1, &unmarked);

    // Now with the default template, from a host with a fresh state directory.
    config(&w, "");
    std::fs::remove_dir_all(w.env.path().join("state")).unwrap();
    let pushed = pushes(&w);
    let report = deploy(&w, "lifecycle/jobs/both.log");
    assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
    assert_eq!(
        report["solutions"][0]["pr_url"],
        "https://github.example/acme/shop/pull/1"
    );
    let prs = w.forge.prs();
    // The send fix kept to its old branch; the retry fix, another fingerprint, has its own.
    assert_eq!(prs.len(), 2, "{prs:?}");
    assert_eq!(prs[0].head, old.head);
    assert!(
        prs[1].head.starts_with("hephaestus/fix/keyerror-jobs-py-"),
        "{prs:?}"
    );
    assert!(prs[1].title.contains("'retries'"));
    assert_eq!(pushes(&w), pushed + 1, "only the retry fix was pushed");
    assert!(w.forge.comments().is_empty());
    w.forge.assert_no_violations();
}

#[test]
fn five_hosts_with_their_own_state_agree_on_one_pull_request_and_one_update() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "");
    let text = std::fs::read_to_string(w.env.path().join("hephaestus.yaml")).unwrap();
    let race = |w: &World| -> Vec<std::process::Output> {
        let children: Vec<std::process::Child> = (0..5)
            .map(|i| {
                let config = w.env.write(
                    &format!("host{i}.yaml"),
                    text.replace("/state\n", &format!("/state-host{i}\n")),
                );
                let mut cmd =
                    std::process::Command::new(assert_cmd::cargo::cargo_bin("hephaestus"));
                cmd.current_dir(w.env.path())
                    .env_clear()
                    .env("PATH", std::env::var_os("PATH").unwrap())
                    .env("HOME", w.env.path())
                    .env("HEPHAESTUS_TOKEN", TOKEN)
                    .env("HEPHAESTUS_RETRY_BASE_MS", "5")
                    .args(["analyze", "--mode", "deploy", "--format", "json"])
                    .arg("--config")
                    .arg(config)
                    .arg("--repo")
                    .arg(&w.work)
                    .args(["--threshold-count", "1"])
                    .arg(fixture("lifecycle/jobs/send.log"))
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped());
                cmd.spawn().unwrap()
            })
            .collect();
        children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect()
    };
    for out in race(&w) {
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let prs = w.forge.prs();
    assert_eq!(prs.len(), 1, "{prs:?}");
    let first_tip = w.remote_tip(&prs[0].head).unwrap();

    // The code moves; all five see the new fix at once.
    move_code_at_the_site(&w);
    for out in race(&w) {
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
    }
    assert_eq!(w.forge.prs().len(), 1);
    let comments = w.forge.comments();
    assert_eq!(comments.len(), 1, "one update said once: {comments:?}");
    let tip = w.remote_tip(&prs[0].head).unwrap();
    assert_eq!(
        w.bare_git(&[
            "rev-list",
            "--count",
            "--first-parent",
            &format!("{first_tip}..{tip}")
        ]),
        "1",
        "one new commit"
    );
    let out = run_worker_on(&w, &prs[0].head, "send");
    assert!(out.contains("sending 5 digests with timeout=30s"), "{out}");
    w.forge.assert_no_violations();
}

#[test]
fn hosts_with_their_own_state_tell_a_pull_request_of_an_occurrence_once() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    let a = config(&w, "  pr:\n    update_interval: 1ms\n");
    let text = std::fs::read_to_string(&a).unwrap();
    let b = w
        .env
        .write("host-b.yaml", text.replace("/state\n", "/state-b\n"));
    let on = |config: &std::path::Path, log: &str| {
        let mut cmd = w
            .env
            .cmd(["analyze", "--mode", "deploy", "--format", "json"]);
        cmd.arg("--config")
            .arg(config)
            .arg("--repo")
            .arg(&w.work)
            .args(["--threshold-count", "1"])
            .arg(fixture(log))
            .env("HEPHAESTUS_TOKEN", TOKEN);
        json(&run(cmd, 1))
    };
    on(&a, "lifecycle/jobs/send.log");
    on(&b, "lifecycle/jobs/send.log");
    on(&a, "lifecycle/jobs/send-again.log");
    assert_eq!(w.forge.comments().len(), 1);
    // Host B has not told it of send-again.log's crash, but the pull request says it was told.
    let report = on(&b, "lifecycle/jobs/send-again.log");
    assert_eq!(report["solutions"][0]["state"], "deployed", "{report:#}");
    assert_eq!(w.forge.comments().len(), 1, "{:?}", w.forge.comments());
    assert!(
        w.forge.prs()[0].body.contains(" told="),
        "{}",
        w.forge.prs()[0].body
    );
    w.forge.assert_no_violations();
}

#[test]
fn webhooks_hear_of_pull_requests_opened_updated_and_closed() {
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    let hook = crate::notify::Receiver::start(&[], None);
    config(
        &w,
        &format!(
            "notify:\n  - url: {}/hook\n    events: [pr.opened, pr.updated, pr.closed, incident.regression]\n",
            hook.server.url()
        ),
    );
    let events = || -> Vec<String> {
        hook.bodies()
            .iter()
            .map(|(_, b)| {
                format!(
                    "{} {}",
                    b["event"].as_str().unwrap(),
                    b["pr_url"].as_str().unwrap_or("-")
                )
            })
            .collect()
    };
    let url = "https://github.example/acme/shop/pull/1";
    deploy(&w, "lifecycle/jobs/send.log");
    assert_eq!(events(), [format!("pr.opened {url}")]);
    move_code_at_the_site(&w);
    deploy(&w, "lifecycle/jobs/send.log");
    assert_eq!(events()[1..], [format!("pr.updated {url}")]);
    w.forge.close(1);
    deploy(&w, "lifecycle/jobs/send.log");
    deploy(&w, "lifecycle/jobs/send.log");
    assert_eq!(events()[2..], [format!("pr.closed {url}")], "said once");
    let body = &hook.bodies()[0].1;
    assert_eq!(
        body["summary"],
        format!("Pull request opened: {url} for KeyError 'timeout'")
    );
}
