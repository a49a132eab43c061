//! Webhooks (`notify:`) against a local receiver: events delivered exactly once through a
//! failure, the JSON and Slack shapes with log text inert, a webhook that hangs holding nothing
//! up, `--dry-run` sending nothing. The crash log is the lifecycle fixture's real one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{fixture, json, run, stdout, Env};
use crate::support::http::{Reply, Request, Server};

/// A webhook receiver: answers each request with the next of `statuses` (then 200), or holds
/// each request for `stall` first; records every request.
pub struct Receiver {
    pub server: Server,
    seen: Arc<Mutex<Vec<(String, Value)>>>,
}

impl Receiver {
    pub fn start(statuses: &[u16], stall: Option<Duration>) -> Receiver {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let queue = Arc::new(Mutex::new(statuses.to_vec()));
        let log = seen.clone();
        let server = Server::start(move |req: Request| {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            log.lock()
                .unwrap()
                .push((req.header("authorization").unwrap_or("").to_owned(), body));
            if let Some(stall) = stall {
                std::thread::sleep(stall);
            }
            let status = {
                let mut q = queue.lock().unwrap();
                if q.is_empty() {
                    200
                } else {
                    q.remove(0)
                }
            };
            Reply::json(status, &serde_json::json!({"ok": status == 200}))
        });
        Receiver { server, seen }
    }

    pub fn bodies(&self) -> Vec<(String, Value)> {
        self.seen.lock().unwrap().clone()
    }
}

/// `analyze LOG --threshold-count 1` in `env` with `config`, suggest mode, as JSON.
fn analyze(env: &Env, config: &str, log: &std::path::Path, extra: &[&str]) -> Value {
    let config = env.write("hephaestus.yaml", config);
    let mut cmd = env.cmd(["analyze", "--format", "json", "--threshold-count", "1"]);
    cmd.arg("--config")
        .arg(config)
        .arg(log)
        .args(extra)
        .env("HOOK_SECRET", "hook-path-s3cret")
        .env("HOOK_TOKEN", "hook-token-s3cret");
    json(&run(cmd, 1))
}

#[test]
fn a_webhook_that_fails_once_gets_the_event_exactly_once() {
    let env = Env::new();
    let hook = Receiver::start(&[500], None);
    let config = format!(
        "notify:\n  - url: {}/hooks/${{HOOK_SECRET}}\n    events: [incident.tripped]\n    token_env: HOOK_TOKEN\n",
        hook.server.url()
    );
    analyze(&env, &config, &fixture("lifecycle/jobs/send.log"), &[]);
    let seen = hook.bodies();
    // One incident (later trips of the fingerprint rest in its cooldown): the 500, then the
    // retry that was accepted, and nothing more.
    assert_eq!(seen.len(), 2, "{seen:#?}");
    assert_eq!(
        without_at(&seen[0].1),
        without_at(&seen[1].1),
        "one event, sent twice"
    );
    let (auth, body) = &seen[1];
    assert_eq!(auth, "Bearer hook-token-s3cret");
    assert_eq!(body["event"], "incident.tripped");
    assert_eq!(body["error_type"], "keyerror-jobs-py");
    assert!(
        body["summary"]
            .as_str()
            .unwrap()
            .starts_with("Incident: KeyError: 'timeout' (×1 in 5m)"),
        "{body:#}"
    );
}

/// A body without its `at`, which says when each attempt was made.
fn without_at(body: &Value) -> Value {
    let mut body = body.clone();
    body.as_object_mut().unwrap().remove("at");
    body
}

#[test]
fn slack_messages_keep_log_text_inert_and_json_ones_carry_the_fields() {
    let env = Env::new();
    let slack = Receiver::start(&[], None);
    let plain = Receiver::start(&[], None);
    // A crash whose message holds a mention, a link and a password.
    let log = env.write(
        "hostile.log",
        "2026-12-02T07:00:00.000Z ERROR app: <!channel> failed, see <http://e.vil|here> password=hunter2 & more\n",
    );
    let config = format!(
        "notify:\n  - url: {}/slack\n    format: slack\n  - url: {}/json\n    events: [incident.tripped]\n",
        slack.server.url(),
        plain.server.url()
    );
    analyze(&env, &config, &log, &[]);
    let got = slack.bodies();
    assert_eq!(got.len(), 1, "{got:#?}");
    let text = got[0].1["text"].as_str().unwrap();
    assert_eq!(
        text,
        "hephaestus: Incident: &lt;!channel&gt; failed, see &lt;http://e.vil|here&gt; password=[redacted] &amp; more (×1 in 5m)"
    );
    assert_eq!(got[0].1["blocks"][0]["type"], "section");
    assert_eq!(got[0].1["blocks"][0]["text"]["type"], "mrkdwn");
    let got = plain.bodies();
    assert_eq!(got.len(), 1);
    assert!(!got[0].1.to_string().contains("hunter2"));
    assert_eq!(got[0].1["count"], "1");
}

#[test]
fn dry_run_prints_what_would_be_sent_and_sends_nothing() {
    let env = Env::new();
    let hook = Receiver::start(&[], None);
    let config = format!(
        "notify:\n  - url: {}/hooks/${{HOOK_SECRET}}\n",
        hook.server.url()
    );
    let config_path = env.write("hephaestus.yaml", &config);
    let mut cmd = env.cmd(["analyze", "--dry-run", "--threshold-count", "1"]);
    cmd.arg("--config")
        .arg(config_path)
        .arg(fixture("lifecycle/jobs/send.log"))
        .env("HOOK_SECRET", "hook-path-s3cret");
    let out = stdout(&run(cmd, 1));
    let want = format!(
        "DRY RUN notify {}/hooks/${{HOOK_SECRET}} (incident.tripped): Incident: KeyError: 'timeout' (×1 in 5m)",
        hook.server.url()
    );
    assert!(out.contains(&want), "{out}");
    assert!(!out.contains("hook-path-s3cret"), "{out}");
    assert!(hook.bodies().is_empty());
}

#[test]
fn a_hanging_webhook_holds_analyze_up_by_no_more_than_its_timeout() {
    let env = Env::new();
    // 100,000 lines: crashes of 200 kinds among ordinary lines, so many incidents trip.
    let mut text = String::with_capacity(8 << 20);
    for i in 0..100_000u32 {
        if i % 250 == 0 {
            text.push_str(&format!(
                "2026-12-02T07:00:00.000Z ERROR worker: job kind{} failed: disk full\n",
                i / 250 % 200
            ));
        } else {
            text.push_str(&format!(
                "2026-12-02T07:00:00.000Z INFO  worker: job {i} done in {}ms\n",
                i % 97
            ));
        }
    }
    let log = env.write("big.log", text);
    let quiet = Instant::now();
    analyze(&env, "", &log, &[]);
    let baseline = quiet.elapsed();

    let hook = Receiver::start(&[], Some(Duration::from_secs(120)));
    let config = format!(
        "notify:\n  - url: {}/hang\n    timeout: 2s\n",
        hook.server.url()
    );
    let started = Instant::now();
    let report = analyze(&env, &config, &log, &[]);
    let with_hook = started.elapsed();
    assert!(report["summary"]["incidents"].as_u64().unwrap() > 0);
    assert!(!hook.bodies().is_empty(), "the webhook was called");
    // Sent in line it would take 120 s a request; queued, the run ends at most one timeout
    // (2 s) after it would have. The rest is slack for a loaded machine.
    assert!(
        with_hook < baseline + Duration::from_secs(2) + Duration::from_secs(15),
        "{with_hook:?} against {baseline:?} without the webhook"
    );
}
