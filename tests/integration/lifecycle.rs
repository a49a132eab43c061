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
    let w = World::seeded(Kind::GitHub, "lifecycle/jobs/repo");
    config(&w, "");
    let report = deploy(&w, "lifecycle/jobs/both.log");
    let sols = report["solutions"].as_array().unwrap();
    assert_eq!(sols.len(), 2, "{report:#}");
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
