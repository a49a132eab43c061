//! The model fallback (`fix.llm`) against a fake OpenAI-compatible server: crashes under
//! `fixtures/llm/` that no built-in class covers, answered from per-test scripts.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{json, run};
use crate::repair::Repo;
use crate::support::llm::{LlmServer, Step};

const MODEL: &str = "test-model";
const UNPACK: &str = "llm/py-unpack-split";
const SECRET: &str = "llm/py-setting-secret";
const HEADERS: &str = "llm/py-header-secrets";

/// The right change of both cases: the key ends at the first `=`.
const SPLIT_ONCE: &str = r#"{"diagnosis": "A value holding '=' splits into three parts; split at the first '=' only.", "edits": [{"file": "settings.py", "search": "            key, value = line.split(\"=\")\n", "replace": "            key, value = line.split(\"=\", 1)\n"}], "confidence": 0.9, "abstain": null}"#;

fn answer(file: &str, search: &str, replace: &str) -> String {
    serde_json::json!({
        "diagnosis": "d",
        "edits": [{"file": file, "search": search, "replace": replace}],
        "confidence": 0.8,
        "abstain": null,
    })
    .to_string()
}

/// `fix:` with reproduce and `llm:` pointing at `server`, plus `extra` lines under `llm:`.
fn config(repo: &Repo, server: &LlmServer, extra: &str) -> String {
    let text = format!(
        "fix:\n  reproduce: python3 app.py\n  verify_timeout: 60s\n  llm:\n    url: {}\n    \
         model: {MODEL}\n{extra}",
        server.url()
    );
    repo.env.write("llm.yaml", text).display().to_string()
}

/// `analyze` in JSON with `config`, the key variable set.
fn analyze(repo: &Repo, config: &str) -> Value {
    let log = repo.case.join("crash.log");
    let root = repo.root();
    let mut cmd = repo.env.cmd([
        "analyze",
        log.to_str().unwrap(),
        "--repo",
        root.to_str().unwrap(),
        "--format",
        "json",
        "--threshold-count",
        "1",
        "--config",
        config,
    ]);
    cmd.env("HEPHAESTUS_LLM_KEY", "k-test-0123456789");
    json(&run(&mut cmd, 1))
}

fn solutions(report: &Value) -> Vec<Value> {
    report["solutions"].as_array().cloned().unwrap_or_default()
}

/// The reasons the model's generator gave for proposing nothing.
fn llm_reasons(report: &Value) -> Vec<String> {
    report["declined"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|d| d["generator"] == "llm")
        .map(|d| d["why"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Runs `case` with `script` and returns the report and the server.
fn scripted(case: &str, script: Vec<Step>, extra: &str) -> (Repo, Value, LlmServer) {
    let repo = Repo::new(case);
    let server = LlmServer::start(MODEL, script);
    let config = config(&repo, &server, extra);
    let report = analyze(&repo, &config);
    assert_eq!(server.problems(), Vec::<String>::new(), "request shape");
    (repo, report, server)
}

#[test]
fn a_crash_no_built_in_class_covers_is_repaired_from_the_model_s_answer() {
    let (repo, report, server) = scripted(
        UNPACK,
        vec![Step::Answer(SPLIT_ONCE.into())],
        "    api_key_env: HEPHAESTUS_LLM_KEY\n",
    );
    let sols = solutions(&report);
    assert_eq!(sols.len(), 1, "{report:#}");
    let sol = &sols[0];
    assert_eq!(sol["generator"], "llm");
    assert_eq!(sol["model"], MODEL);
    assert!(
        sol["description"].as_str().unwrap().contains(MODEL),
        "{sol:#}"
    );
    assert_eq!(sol["factors"]["reproduce"], 0.15, "{sol:#}");
    assert_eq!(sol["factors"]["model confidence"], 0.08, "{sol:#}");
    // One request, with the strict format and the bearer token of api_key_env.
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].get("response_format").is_some());
    assert_eq!(
        server.authorization(),
        [Some("Bearer k-test-0123456789".to_string())]
    );
    let user = requests[0]["messages"][1]["content"].as_str().unwrap();
    assert!(
        user.contains("ValueError: too many values to unpack"),
        "{user}"
    );
    assert!(user.contains("key, value = line.split(\"=\")"), "{user}");
    // The patched program reads the URL whole.
    assert!(!repo.check().0, "the check passes before the patch");
    repo.apply(sol["diff"].as_str().unwrap());
    let (ok, out) = repo.check();
    assert!(ok, "{out}");
}

#[test]
fn malformed_and_hostile_answers_are_dropped_with_their_reason() {
    let search = "            key, value = line.split(\"=\")\n";
    for (content, why) in [
        (
            r#"{"diagnosis": null, "edits": null, "confidence": null, "abstain": "the config format is unknown"}"#.to_string(),
            "the model abstained: the config format is unknown",
        ),
        ("Sure! Here is the fix: split once.".to_string(), "not valid JSON"),
        (
            r#"{"diagnosis": "d", "edits": [], "confidence": 2}"#.to_string(),
            "confidence 2 is not within 0 and 1",
        ),
        (
            answer("settings.py", "settings", "config"),
            "the search text occurs 3 times in 'settings.py'",
        ),
        (
            answer("config.py", "x", "y"),
            "'config.py' is not a file tracked at HEAD",
        ),
        (
            answer("../../etc/passwd", "root", "toor"),
            "is not a relative path inside the repository",
        ),
        (
            answer("/etc/hosts", "localhost", "x"),
            "is not a relative path inside the repository",
        ),
        (
            answer(".git/config", "x", "y"),
            "'.git/config' is inside .git",
        ),
        (
            answer("settings.py", "key, value = line.split(':')", "x"),
            "the search text does not occur in 'settings.py'",
        ),
        (
            // Said at every verbosity, as every other reason.
            answer("settings.py", search, search),
            "answer dropped: the change changes nothing",
        ),
        (
            // The fix would do, but nothing checks it: a change that breaks the program.
            answer("settings.py", search, "            key, value = line.split(\"=\", 2)\n"),
            "reproduce",
        ),
    ] {
        let (_repo, report, server) = scripted(UNPACK, vec![Step::Answer(content.clone())], "");
        assert!(solutions(&report).is_empty(), "{content}: {report:#}");
        assert_eq!(server.requests().len(), 1);
        let reasons = llm_reasons(&report);
        let dropped_by_ladder = report["dropped"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["generator"] == "llm"));
        assert!(
            reasons.iter().any(|r| r.contains(why)) || (why == "reproduce" && dropped_by_ladder),
            "{content}: no {why:?} in {report:#}"
        );
    }
}

#[test]
fn secrets_of_the_log_never_reach_the_server_nor_the_code() {
    let leak = answer(
        "settings.py",
        "            key, value = line.split(\"=\")\n",
        "            key, value = line.split(\"=\", 1)  # ⟨SECRET_1⟩\n",
    );
    // The user's patterns add to the built-in shapes.
    let (_repo, report, server) = scripted(
        SECRET,
        vec![Step::Answer(leak)],
        "    redact: ['db_[a-z]+']\n",
    );
    let body = serde_json::to_string(&server.requests()).unwrap();
    for secret in [
        "hunter2",
        "10.20.30.40",
        "ops@example.com",
        "k-test-0123456789",
        "db_url",
    ] {
        assert!(!body.contains(secret), "{secret} sent in {body}");
    }
    assert!(body.contains("⟨SECRET_1⟩"), "{body}");
    assert!(solutions(&report).is_empty(), "{report:#}");
    let reasons = llm_reasons(&report);
    assert!(
        reasons.iter().any(|r| r.contains("a secret from the log")),
        "{report:#}"
    );
}

#[test]
fn a_server_that_rejects_response_format_is_asked_once_more_without_it() {
    let (_repo, report, server) = scripted(
        UNPACK,
        vec![Step::RejectFormat, Step::Answer(SPLIT_ONCE.into())],
        "",
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(requests[0].get("response_format").is_some());
    assert!(requests[1].get("response_format").is_none());
    assert_eq!(solutions(&report).len(), 1, "{report:#}");
}

#[test]
fn a_server_error_is_retried_then_answered() {
    let (_repo, report, server) = scripted(
        UNPACK,
        vec![Step::Status(500, true), Step::Answer(SPLIT_ONCE.into())],
        "",
    );
    assert_eq!(server.requests().len(), 2);
    assert_eq!(solutions(&report).len(), 1, "{report:#}");
}

#[test]
fn server_faults_and_timeouts_give_no_solution_and_one_line_why() {
    // A server that hangs for 20 s delays the run by the 1 s timeout, not by its 20 s.
    let started = Instant::now();
    let (_repo, report, _server) = scripted(
        UNPACK,
        vec![Step::Slow(Duration::from_secs(20))],
        "    timeout: 1s\n",
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(solutions(&report).is_empty());
    let reasons = llm_reasons(&report);
    assert!(
        reasons.iter().any(|r| r.contains("no answer within 1s")),
        "{report:#}"
    );
    let (_repo, report, server) = scripted(UNPACK, vec![Step::Status(401, false)], "");
    assert_eq!(server.requests().len(), 1);
    assert!(
        llm_reasons(&report).iter().any(|r| r.contains("HTTP 401")),
        "{report:#}"
    );
    let (_repo, report, server) = scripted(UNPACK, vec![Step::Status(503, true); 5], "");
    assert_eq!(
        server.requests().len(),
        3,
        "two retries, then the run goes on"
    );
    assert!(
        llm_reasons(&report).iter().any(|r| r.contains("HTTP 503")),
        "{report:#}"
    );
}

#[test]
fn nothing_is_sent_without_a_check_of_the_change() {
    let repo = Repo::new(UNPACK);
    let server = LlmServer::start(MODEL, vec![Step::Answer(SPLIT_ONCE.into())]);
    let config = repo.env.write(
        "llm.yaml",
        format!(
            "fix:\n  llm:\n    url: {}\n    model: {MODEL}\n",
            server.url()
        ),
    );
    let report = analyze(&repo, config.to_str().unwrap());
    assert!(server.requests().is_empty());
    assert!(
        llm_reasons(&report)
            .iter()
            .any(|r| r.contains("needs fix.verify or fix.reproduce")),
        "{report:#}"
    );
}

#[test]
fn a_built_in_class_that_verifies_means_no_request() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let server = LlmServer::start(MODEL, vec![Step::Answer(SPLIT_ONCE.into())]);
    let config = repo.env.write(
        "llm.yaml",
        format!(
            "fix:\n  verify: python3 notify.py\n  llm:\n    url: {}\n    model: {MODEL}\n",
            server.url()
        ),
    );
    let report = analyze(&repo, config.to_str().unwrap());
    assert_eq!(solutions(&report).len(), 1, "{report:#}");
    assert_ne!(solutions(&report)[0]["generator"], "llm");
    assert!(server.requests().is_empty());
}

#[test]
fn the_cache_makes_the_second_run_call_nothing() {
    let repo = Repo::new(UNPACK);
    let server = LlmServer::start(MODEL, vec![Step::Answer(SPLIT_ONCE.into())]);
    let config = config(&repo, &server, "");
    let first = analyze(&repo, &config);
    assert_eq!(solutions(&first).len(), 1, "{first:#}");
    let second = analyze(&repo, &config);
    assert_eq!(server.requests().len(), 1, "the second run asked again");
    assert_eq!(solutions(&second)[0]["diff"], solutions(&first)[0]["diff"]);
}

#[test]
fn over_the_hourly_cap_the_incident_is_deferred() {
    let shared = tempfile::tempdir().unwrap();
    let server = LlmServer::start(
        MODEL,
        vec![
            Step::Answer(SPLIT_ONCE.into()),
            Step::Answer(SPLIT_ONCE.into()),
        ],
    );
    let extra = format!(
        "    max_calls_per_hour: 1\nstate_dir: {}\n",
        shared.path().display()
    );
    let first = Repo::new(UNPACK);
    let report = analyze(&first, &config(&first, &server, &extra));
    assert_eq!(solutions(&report).len(), 1, "{report:#}");
    let second = Repo::new(SECRET);
    let report = analyze(&second, &config(&second, &server, &extra));
    assert_eq!(server.requests().len(), 1);
    assert!(solutions(&report).is_empty());
    assert!(
        llm_reasons(&report)
            .iter()
            .any(|r| r.starts_with("deferred: 1 of fix.llm.max_calls_per_hour = 1 calls")),
        "{report:#}"
    );
}

#[test]
fn show_prompt_prints_the_redacted_request_and_sends_nothing() {
    let repo = Repo::new(SECRET);
    let server = LlmServer::start(MODEL, vec![Step::Answer(SPLIT_ONCE.into())]);
    let config = config(&repo, &server, "");
    let log = repo.case.join("crash.log");
    let root = repo.root();
    let args = [
        "analyze",
        log.to_str().unwrap(),
        "--repo",
        root.to_str().unwrap(),
        "--threshold-count",
        "1",
        "--config",
        &config,
        "--show-prompt",
    ];
    let out = run(&mut repo.env.cmd(args), 1);
    assert!(server.requests().is_empty(), "a request was sent");
    let text = crate::harness::stdout(&out) + &crate::harness::stderr(&out);
    let line = text
        .lines()
        .find(|l| l.contains("--show-prompt, nothing sent: POST "))
        .unwrap_or_else(|| panic!("no request shown in\n{text}"));
    let body: Value = serde_json::from_str(&line[line.find(" {").unwrap()..]).unwrap();
    assert_eq!(body["model"], MODEL);
    assert_eq!(body["temperature"], 0);
    let user = body["messages"][1]["content"].as_str().unwrap();
    assert!(user.contains("ValueError: malformed setting"), "{user}");
    for secret in ["hunter2", "10.20.30.40", "ops@example.com"] {
        assert!(!line.contains(secret), "{secret} shown in\n{line}");
    }
    // Without fix.llm there is nothing to show.
    let bare = repo
        .env
        .write("bare.yaml", "fix:\n  reproduce: python3 app.py\n");
    let args = [
        "analyze",
        log.to_str().unwrap(),
        "--repo",
        root.to_str().unwrap(),
        "--config",
        bare.to_str().unwrap(),
        "--show-prompt",
    ];
    let out = run(&mut repo.env.cmd(args), 2);
    assert!(crate::harness::stderr(&out).contains("--show-prompt needs fix.llm"));
}

#[test]
fn audit_keeps_every_request_and_answer_and_a_refused_connection_is_one_line() {
    let state = tempfile::tempdir().unwrap();
    let extra = format!("    audit: true\nstate_dir: {}\n", state.path().display());
    let (_repo, report, _server) = scripted(UNPACK, vec![Step::Answer(SPLIT_ONCE.into())], &extra);
    assert_eq!(solutions(&report).len(), 1, "{report:#}");
    let audit = std::fs::read_to_string(state.path().join("llm-audit.jsonl")).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["request"]["model"], MODEL);
    assert_eq!(lines[0]["answer"], SPLIT_ONCE);
    assert!(!audit.contains("k-test-0123456789"));

    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let repo = Repo::new(UNPACK);
    let config = repo.env.write(
        "llm.yaml",
        format!(
            "fix:\n  reproduce: python3 app.py\n  llm:\n    url: http://127.0.0.1:{port}/v1\n    \
             model: {MODEL}\n"
        ),
    );
    let report = analyze(&repo, config.to_str().unwrap());
    assert!(solutions(&report).is_empty());
    let reasons = llm_reasons(&report);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("cannot connect to http://127.0.0.1")),
        "{report:#}"
    );
}

#[test]
fn an_empty_or_huge_answer_is_one_line_why() {
    let empty = serde_json::to_vec(&crate::support::llm::completion(MODEL, "")).unwrap();
    let huge = crate::support::llm::completion(MODEL, &"x".repeat(10 << 20));
    for (body, why) in [
        (empty, "the server's reply has no message content"),
        (serde_json::to_vec(&huge).unwrap(), "larger than 1 MiB"),
        (
            b"<html>502 Bad Gateway</html>".to_vec(),
            "the server's reply is not JSON",
        ),
    ] {
        let (_repo, report, _server) = scripted(UNPACK, vec![Step::Raw(body)], "");
        assert!(solutions(&report).is_empty());
        assert!(
            llm_reasons(&report).iter().any(|r| r.contains(why)),
            "{why}: {report:#}"
        );
    }
}

#[test]
fn two_edits_of_one_file_repair_the_second_crash() {
    let content = serde_json::json!({
        "diagnosis": "A URL value holds '='; require one and split at the first.",
        "edits": [
            {"file": "settings.py", "search": "if line.count(\"=\") != 1:", "replace": "if \"=\" not in line:"},
            {"file": "settings.py", "search": "key, value = line.split(\"=\")", "replace": "key, value = line.split(\"=\", 1)"},
        ],
        "confidence": 0.7,
        "abstain": null,
    })
    .to_string();
    let (repo, report, _server) = scripted(SECRET, vec![Step::Answer(content)], "");
    the_one_solution_repairs(&repo, &report);
}

#[test]
fn an_edit_through_a_symlink_or_beyond_five_edits_is_dropped() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("util.py"), "SPLIT = '='\n").unwrap();
    let six: Vec<Value> = (0..6)
        .map(|_| serde_json::json!({"file": "settings.py", "search": "x", "replace": "y"}))
        .collect();
    let too_many = serde_json::json!({
        "diagnosis": "d", "edits": six, "confidence": 0.8, "abstain": null,
    })
    .to_string();
    for (content, why) in [
        (
            answer("shared/util.py", "SPLIT = '='\n", "SPLIT = ':'\n"),
            "'shared/util.py' is reached through a symlink",
        ),
        (
            answer("util-link.py", "SPLIT = '='\n", "SPLIT = ':'\n"),
            "'util-link.py' is reached through a symlink",
        ),
        (too_many, "6 edits, more than the 5 allowed"),
    ] {
        let repo = Repo::new(UNPACK);
        // Tracked symlinks out of the repository: a directory and a file.
        std::os::unix::fs::symlink(outside.path(), repo.root().join("shared")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("util.py"),
            repo.root().join("util-link.py"),
        )
        .unwrap();
        repo.commit_all("links");
        let server = LlmServer::start(MODEL, vec![Step::Answer(content.clone())]);
        let report = analyze(&repo, &config(&repo, &server, ""));
        assert!(solutions(&report).is_empty(), "{content}: {report:#}");
        assert!(
            llm_reasons(&report).iter().any(|r| r.contains(why)),
            "{content}: no {why:?} in {report:#}"
        );
        assert_eq!(
            std::fs::read_to_string(outside.path().join("util.py")).unwrap(),
            "SPLIT = '='\n",
            "the file outside is untouched"
        );
    }
}

#[test]
fn every_secret_shape_of_the_log_is_redacted_in_the_request_and_the_fix_still_lands() {
    let fix = answer(
        "request.py",
        "        name, value = line.split(\":\")\n",
        "        name, value = line.split(\":\", 1)\n",
    );
    let (repo, report, server) = scripted(HEADERS, vec![Step::Answer(fix)], "");
    let body = serde_json::to_string(&server.requests()).unwrap();
    for (shape, secret) in [
        ("bearer token", "tok9f8e7d6c5b4a3f2e1d0c"),
        ("AWS key", "AKIAIOSFODNN7EXAMPLE"),
        ("GCP key", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        ("GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"),
        ("Slack token", "xoxb-123456789012-abcdefghijkl"),
        ("JWT", "eyJhbGciOiJIUzI1NiJ9"),
        ("IPv4 address", "192.168.7.21"),
        ("IPv6 address", "2001:db8:0:0:1:0:0:7"),
        ("e-mail address", "oncall@example.com"),
        ("password=", "hunter2"),
        ("secret=", "mellon-1234"),
        ("token=", "t0k3n-5678"),
        ("credentials in a URL", "pa55w0rd"),
        ("private key", "MIIEowIBAAKCAQEAsecretkeymaterial"),
    ] {
        assert!(
            !body.contains(secret),
            "the {shape} {secret} was sent: {body}"
        );
    }
    let user = server.requests()[0]["messages"][1]["content"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(user.contains("cannot send"), "the sample is sent: {user}");
    assert!(
        user.contains("⟨SECRET_14⟩"),
        "one placeholder a secret: {user}"
    );
    // The code window went whole, and the edit of it applies.
    assert!(user.contains("name, value = line.split(\":\")"), "{user}");
    the_one_solution_repairs(&repo, &report);
}

/// The report's one solution makes the case's check pass, which failed before it.
fn the_one_solution_repairs(repo: &Repo, report: &Value) {
    let sols = solutions(report);
    assert_eq!(sols.len(), 1, "{report:#}");
    assert!(!repo.check().0, "the check passes before the patch");
    repo.apply(sols[0]["diff"].as_str().unwrap());
    let (ok, out) = repo.check();
    assert!(ok, "{out}");
}
