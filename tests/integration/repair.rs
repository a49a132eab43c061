//! Repair cases: real programs' crash logs under `fixtures/repair/<case>/` (repo/, crash.log,
//! check.sh, optional expect = `no-solution`). Each test copies repo/ into a fresh git repository,
//! runs `analyze`, applies every proposed diff with `git apply` and runs the case's check in the
//! patched copy.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, Output};

use crate::harness::{copy_dir, fixture, git, json, run, stderr, Env};

/// A case's repository copied into a fresh git repository with one commit.
pub struct Repo {
    pub env: Env,
    pub case: PathBuf,
}

impl Repo {
    pub fn new(case: &str) -> Repo {
        let env = Env::new();
        // `name` is a case of fixtures/repair/, or a path under fixtures/ (`repair-py/x`).
        let case = if case.contains('/') {
            fixture(case)
        } else {
            fixture(&format!("repair/{case}"))
        };
        copy_dir(&case.join("repo"), &env.path().join("repo"));
        let repo = Repo { env, case };
        repo.git(&["init", "-q"]);
        repo.commit_all("initial");
        repo
    }

    /// Commit everything in the work tree.
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "commit",
            "-qm",
            message,
        ]);
    }

    pub fn root(&self) -> PathBuf {
        self.env.path().join("repo")
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.root(), args)
    }

    /// `analyze crash.log --repo … --format json --threshold-count 1 [--config hephaestus.yaml]`.
    pub fn analyze(&self, extra: &[&str]) -> serde_json::Value {
        let root = self.root();
        let log = self.case.join("crash.log");
        let mut args: Vec<String> = vec![
            "analyze".into(),
            log.display().to_string(),
            "--repo".into(),
            root.display().to_string(),
            "--format".into(),
            "json".into(),
            "--threshold-count".into(),
            "1".into(),
        ];
        if root.join("hephaestus.yaml").exists() && !extra.contains(&"--config") {
            args.push("--config".into());
            args.push(root.join("hephaestus.yaml").display().to_string());
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = run(&mut self.env.cmd(&args), 1);
        json(&out)
    }

    /// `analyze crash.log --repo … --threshold-count 1 -v EXTRA` in the default text form,
    /// expected to exit 1 (solutions found or not, the pattern fired).
    pub fn analyze_verbose(&self, extra: &[&str]) -> Output {
        let mut args: Vec<OsString> = vec![
            "analyze".into(),
            self.case.join("crash.log").into(),
            "--repo".into(),
            self.root().into(),
            "--threshold-count".into(),
            "1".into(),
            "-v".into(),
        ];
        args.extend(extra.iter().map(OsString::from));
        run(&mut self.env.cmd(args), 1)
    }

    /// Apply `diff` with `git apply`; panics with git's message when it does not apply.
    pub fn apply(&self, diff: &str) {
        let patch = self.env.write("fix.patch", diff);
        let out = Command::new("git")
            .arg("apply")
            .arg(&patch)
            .current_dir(self.root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "diff does not apply: {}\n{diff}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Run the case's check.sh in the repository; true iff it exits 0.
    pub fn check(&self) -> (bool, String) {
        let out = Command::new("sh")
            .arg(self.case.join("check.sh"))
            .current_dir(self.root())
            .output()
            .expect("sh runs");
        (
            out.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root().join(rel)).unwrap()
    }
}

fn solutions(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["solutions"]
        .as_array()
        .expect("solutions[] in the report")
        .clone()
}

/// Run a case end to end: positive cases must produce a diff that applies and makes check.sh pass
/// (and check.sh must fail before); negative cases must produce no diff. Returns the solutions.
pub fn case(name: &str) -> Vec<serde_json::Value> {
    let repo = Repo::new(name);
    let negative = std::fs::read_to_string(repo.case.join("expect"))
        .map(|s| s.trim() == "no-solution")
        .unwrap_or(false);
    let report = repo.analyze(&[]);
    let sols = solutions(&report);
    let with_diff: Vec<_> = sols
        .iter()
        .filter(|s| !s["diff"].as_str().unwrap_or("").is_empty())
        .collect();
    if negative {
        assert!(
            with_diff.is_empty(),
            "{name}: expected no solution, got {sols:#?}"
        );
        // Why nothing was proposed is said without -v.
        if let Ok(reason) = std::fs::read_to_string(repo.case.join("reason")) {
            let out = analyze_text(&repo, &[]);
            let text = crate::harness::stdout(&out) + &stderr(&out);
            assert!(
                text.contains(reason.trim()),
                "{name}: no {reason:?} in\n{text}"
            );
        }
        return sols;
    }
    assert!(!with_diff.is_empty(), "{name}: no solution in {report:#}");
    let (before, _) = repo.check();
    assert!(
        !before,
        "{name}: check.sh passes before the fix; it tests nothing"
    );
    for s in &with_diff {
        repo.apply(s["diff"].as_str().unwrap());
    }
    let (fixed, output) = repo.check();
    assert!(
        fixed,
        "{name}: check.sh fails after the fix:\n{output}\n{sols:#?}"
    );
    for s in &sols {
        let c = s["confidence"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&c), "{name}: confidence {c}");
        assert!(!s["description"].as_str().unwrap().is_empty());
    }
    sols
}

#[test]
fn rule_raises_a_limit_with_a_captured_value() {
    let sols = case("rule-queue-depth");
    assert_eq!(sols.len(), 1);
    assert_eq!(sols[0]["generator"], "rule:queue-full");
    // `${depth}0` took the captured 5: the limit became 50.
    let diff = sols[0]["diff"].as_str().unwrap();
    assert!(diff.contains("+  \"max_depth\": 50,"), "{diff}");
    assert_eq!(sols[0]["files"], serde_json::json!(["config/queue.json"]));
}

#[test]
fn rule_whose_file_is_missing_proposes_nothing() {
    let repo = Repo::new("rule-queue-depth");
    let config = repo.env.write(
        "missing.yaml",
        "rules:\n  - name: queue-full\n    match: 'queue full'\n    file: config/absent.json\n    find: 'x'\n    replace: 'y'\n",
    );
    let report = repo.analyze(&["--config", config.to_str().unwrap(), "-v"]);
    assert!(solutions(&report).is_empty(), "{report:#}");
}

#[test]
fn rule_through_a_symlink_out_of_the_repository_is_refused() {
    let repo = Repo::new("rule-queue-depth");
    let outside = repo.env.write("outside.json", "{\"max_depth\": 5}\n");
    std::os::unix::fs::symlink(&outside, repo.root().join("config/link.json")).unwrap();
    repo.commit_all("link");
    let config = repo.env.write(
        "link.yaml",
        "rules:\n  - name: queue-full\n    match: 'queue full'\n    file: config/link.json\n    find: '\"max_depth\": \\d+'\n    replace: '\"max_depth\": 50'\n",
    );
    let report = repo.analyze(&["--config", config.to_str().unwrap()]);
    assert!(solutions(&report).is_empty(), "{report:#}");
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "{\"max_depth\": 5}\n"
    );
}

#[test]
fn rule_with_a_path_escaping_the_repository_is_rejected_by_the_config() {
    let repo = Repo::new("rule-queue-depth");
    let config = repo.env.write(
        "escape.yaml",
        "rules:\n  - name: queue-full\n    match: 'queue full'\n    file: ../outside.json\n    find: 'x'\n    replace: 'y'\n",
    );
    let log = repo.case.join("crash.log");
    let out = run(
        &mut repo.env.cmd([
            "analyze".as_ref(),
            log.as_os_str(),
            "--repo".as_ref(),
            repo.root().as_os_str(),
            "--config".as_ref(),
            config.as_os_str(),
        ]),
        2,
    );
    assert!(
        stderr(&out).contains("must be a relative path inside the repository"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn working_tree_and_index_are_left_alone_and_head_is_what_is_patched() {
    let repo = Repo::new("rule-queue-depth");
    // An uncommitted edit must neither leak into the patch nor be overwritten.
    let dirty = repo
        .read("config/queue.json")
        .replace("\"workers\": 2", "\"workers\": 3");
    std::fs::write(repo.root().join("config/queue.json"), &dirty).unwrap();
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let index = std::fs::read(repo.root().join(".git/index")).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let report = repo.analyze(&[]);
    let diff = solutions(&report)[0]["diff"].as_str().unwrap().to_string();
    assert!(diff.contains("-  \"max_depth\": 5,"), "{diff}");
    assert!(!diff.contains("\"workers\": 3"), "{diff}");
    assert_eq!(repo.read("config/queue.json"), dirty);
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        status
    );
    assert_eq!(
        std::fs::read(repo.root().join(".git/index")).unwrap(),
        index
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
}

/// A case for which nothing is proposed, and the report says `why`: in JSON `declined[]`, and in
/// the text report without -v.
fn declined(name: &str, why: &str) {
    let repo = Repo::new(name);
    let report = repo.analyze(&[]);
    assert!(solutions(&report).is_empty(), "{name}: {report:#}");
    let reasons = report["declined"].as_array().cloned().unwrap_or_default();
    assert!(
        reasons
            .iter()
            .any(|d| d["why"].as_str().unwrap_or("").contains(why)),
        "{name}: no {why:?} in {report:#}"
    );
    let out = analyze_text(&repo, &[]);
    let text = crate::harness::stdout(&out) + &stderr(&out);
    assert!(text.contains(why), "{name}: no {why:?} in\n{text}");
}

/// Every case's single solution: its generator and the line it adds.
fn fixed_by(name: &str, generator: &str, added: &str) {
    let sols = case(name);
    let with_diff: Vec<_> = sols
        .iter()
        .filter(|s| !s["diff"].as_str().unwrap().is_empty())
        .collect();
    assert_eq!(with_diff.len(), 1, "{name}: {sols:#?}");
    assert_eq!(with_diff[0]["generator"], generator, "{name}");
    let diff = with_diff[0]["diff"].as_str().unwrap();
    assert!(
        diff.lines()
            .any(|l| l.starts_with('+') && l.contains(added)),
        "{name}: no added line with {added:?} in\n{diff}"
    );
}

#[test]
fn py_key_error_in_a_nested_subscript() {
    // The host flows into the connection string: None would be wrong, and no default exists.
    declined("py-key-nested", "no default for 'host' is defined");
}

#[test]
fn py_key_error_of_os_environ_behind_a_frozen_frame() {
    declined(
        "py-key-environ",
        "no default for 'BILLING_API_URL' is defined",
    );
}

#[test]
fn py_key_error_in_a_call_argument_picks_the_subscript_under_the_carets() {
    fixed_by(
        "py-key-call-arg",
        "py-key-error",
        "if 'email' not in extra:",
    );
}

#[test]
fn py_key_error_in_a_comprehension() {
    declined("py-key-comprehension", "no default for 'owner' is defined");
}

#[test]
fn py_key_error_from_a_json_lines_log() {
    // qty is read with .get: the payload's keys are optional, and the coupon is only stored.
    fixed_by(
        "py-key-json-lines",
        "py-key-error",
        "coupon = payload.get('coupon')",
    );
}

#[test]
fn py_zero_division_from_a_logfmt_log() {
    fixed_by("py-zero-logfmt", "py-zero-division", "if units == 0:");
}

#[test]
fn py_zero_division_floor() {
    declined(
        "py-zero-floor-division",
        "no value of `total // per_page` is right",
    );
}

#[test]
fn py_zero_division_modulo_after_a_call() {
    // Shard 0 for every key would be a wrong answer, not a fix.
    declined(
        "py-zero-modulo",
        "no value of `zlib.crc32(key.encode()) % slots` is right",
    );
}

#[test]
fn py_zero_division_inside_a_call_argument() {
    fixed_by(
        "py-zero-float-call-arg",
        "py-zero-division",
        "if total == 0:",
    );
}

#[test]
fn py_none_attribute_at_the_end_of_a_chain() {
    fixed_by(
        "py-none-attribute-chain",
        "py-none-attribute",
        "if order.customer.address is None:",
    );
}

#[test]
fn py_none_from_a_call_is_bound_then_the_record_skipped() {
    fixed_by(
        "py-none-from-call-module-loop",
        "py-none-attribute",
        "found = lookup(uid)",
    );
}

#[test]
fn py_none_attribute_of_a_statement_is_guarded() {
    fixed_by(
        "py-none-attribute-statement",
        "py-none-attribute",
        "if lock is not None:",
    );
}

#[test]
fn py_missing_module_goes_to_pyproject_dependencies() {
    fixed_by(
        "py-missing-module-pyproject",
        "py-missing-module",
        "\"python-slugify\",",
    );
}

#[test]
fn js_undefined_result_formatted_by_the_caller_is_declined() {
    // `findUser(id)?.profile.timezone` would print "tz=undefined" in app.js.
    declined_because(
        "neg-js-undefined-after-call",
        &["`timezoneOf(…)` is formatted into output", "app.js:6"],
    );
}

#[test]
fn js_null_property_after_a_name() {
    // `post.tags?.length` would print "Draft (undefined tags)": the caller skips the draft.
    fixed_by(
        "js-null-property",
        "js-undefined-property",
        "if (post.tags == null) {",
    );
}

#[test]
fn js_missing_module_with_a_subpath_and_no_dependencies_yet() {
    fixed_by(
        "js-missing-module-subpath",
        "js-missing-module",
        "\"dayjs\": \"*\"",
    );
}

#[test]
fn js_missing_package_of_an_es_module() {
    fixed_by(
        "js-missing-module-esm",
        "js-missing-module",
        "\"marked\": \"*\"",
    );
}

#[test]
fn rs_unwrap_of_a_result_with_a_backtrace() {
    fixed_by(
        "rs-unwrap-result-backtrace",
        "rs-unwrap",
        "raw.parse::<u32>().unwrap_or(100)",
    );
}

#[test]
fn rs_unwrap_the_column_picks_one_of_two() {
    fixed_by(
        "rs-unwrap-column",
        "rs-unwrap",
        "(it.next().unwrap(), it.next().unwrap_or_default())",
    );
}

#[test]
fn js_undefined_property_from_a_pino_json_log() {
    fixed_by(
        "js-undefined-pino-json",
        "js-undefined-property",
        "if (cart.shipping == null) {",
    );
}

#[test]
fn java_npe_from_a_logstash_json_log() {
    fixed_by(
        "java-npe-json-lines",
        "java-npe",
        "if (code != null && code.startsWith(\"VIP\")) {",
    );
}

#[test]
fn java_npe_on_a_field() {
    fixed_by(
        "java-npe-field",
        "java-npe",
        "(description == null || description.isEmpty())",
    );
}

#[test]
fn java_npe_on_a_statement_is_skipped_when_null() {
    fixed_by("java-npe-statement", "java-npe", "if (listener != null) {");
}

#[test]
fn two_crashes_of_one_log_get_one_solution_each() {
    let sols = case("py-two-crashes");
    let mut generators: Vec<&str> = sols
        .iter()
        .map(|s| s["generator"].as_str().unwrap())
        .collect();
    generators.sort();
    assert_eq!(generators, vec!["py-key-error", "py-zero-division"]);
    assert_ne!(sols[0]["fingerprint"], sols[1]["fingerprint"]);
}

#[test]
fn negative_cases_propose_nothing() {
    for name in [
        "neg-py-line-changed",
        "neg-py-uncovered",
        "neg-py-local-module",
        "neg-py-variable-key",
        "neg-py-other-service",
        "neg-py-library-only",
        "neg-js-relative-module",
        "neg-rs-expect",
        "neg-java-npe-no-debug-info",
    ] {
        case(name);
    }
}

fn verify_config(repo: &Repo, command: &str, timeout: &str) -> String {
    let path = repo.env.write(
        "verify.yaml",
        format!("fix:\n  verify: '{command}'\n  verify_timeout: {timeout}\n"),
    );
    path.display().to_string()
}

#[test]
fn verify_that_passes_validates_the_solution() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let config = verify_config(&repo, "python3 notify.py", "60s");
    let report = repo.analyze(&["--config", &config]);
    let sols = solutions(&report);
    assert_eq!(sols.len(), 1, "{report:#}");
    assert_eq!(sols[0]["state"], "suggested");
    assert_eq!(sols[0]["factors"]["verify"], 0.15);
    assert_eq!(sols[0]["factors"]["compile"], 0.1);
    let verify = &sols[0]["verification"][1];
    assert_eq!(verify["step"], "verify");
    assert_eq!(verify["command"], "python3 notify.py");
    assert_eq!(verify["result"], "passed");
    // The command ran on a copy: nothing it wrote is in the repository.
    assert!(!repo.root().join("__pycache__").exists());
    assert_eq!(repo.git(&["status", "--porcelain"]), "");
}

#[test]
fn verify_runs_without_the_tokens_in_a_private_copy() {
    let repo = Repo::new("py-none-from-call-module-loop");
    // Passes only when neither token is in the command's environment and the copy it runs in
    // (`tree/` of a temporary directory) is readable by its owner only.
    let config = verify_config(
        &repo,
        r#"test -z "$HEPHAESTUS_TOKEN$GITHUB_TOKEN" && test "$(stat -c %a ..)" = 700 && python3 notify.py"#,
        "60s",
    );
    let log = repo.case.join("crash.log");
    let out = run(
        repo.env
            .cmd([
                "analyze",
                "--format",
                "json",
                "--threshold-count",
                "1",
                "--config",
                &config,
            ])
            .arg(&log)
            .arg("--repo")
            .arg(repo.root())
            .env("HEPHAESTUS_TOKEN", "hx-secret-1")
            .env("GITHUB_TOKEN", "gh-secret-2"),
        1,
    );
    let report = json(&out);
    let sols = solutions(&report);
    assert_eq!(sols.len(), 1, "{report:#}");
    assert_eq!(sols[0]["verification"][1]["result"], "passed", "{report:#}");
}

#[test]
fn verify_that_fails_drops_the_solution_and_says_why() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let config = verify_config(
        &repo,
        "python3 notify.py && grep -q never-there notify.py",
        "60s",
    );
    let out = repo.analyze_verbose(&["--config", &config]);
    let text = crate::harness::stdout(&out) + &stderr(&out);
    assert!(text.contains("0 solutions"), "{text}");
    assert!(text.contains("dropped: verify"), "{text}");
    assert!(text.contains("failed"), "{text}");
}

#[test]
fn verify_that_hangs_is_stopped_at_the_timeout() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let config = verify_config(&repo, "sleep 60", "1s");
    let started = std::time::Instant::now();
    let report = repo.analyze(&["--config", &config]);
    assert!(solutions(&report).is_empty(), "{report:#}");
    // Well under the command's own 60 s: the timeout killed it.
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn verbose_text_shows_factors_diff_and_refusals() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let out = repo.analyze_verbose(&[]);
    let text = crate::harness::stdout(&out);
    for needle in [
        "py-none-attribute",
        "frame resolved exactly",
        "expression found at the column",
        "generator prior",
        "--- a/notify.py",
        "+++ b/notify.py",
        "+    found = lookup(uid)",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from\n{text}");
    }
    let repo = Repo::new("neg-py-line-changed");
    let out = repo.analyze_verbose(&[]);
    let text = crate::harness::stdout(&out) + &stderr(&out);
    assert!(text.contains("changed since the log was written"), "{text}");
    let repo = Repo::new("neg-py-uncovered");
    let out = repo.analyze_verbose(&[]);
    let text = crate::harness::stdout(&out) + &stderr(&out);
    assert!(
        text.contains("no generator or rule covers 'ValueError"),
        "{text}"
    );
}

/// Positive cases of fixtures/repair-py/ that no built-in class repairs yet. They must propose
/// nothing rather than a wrong patch.
const PYTHON_PENDING: &[&str] = &[
    // The ratio's None flows through a dict into `pct()`, further than the data flow follows.
    "guard-py-zero-ratio-none",
];

/// Positive cases of fixtures/repair-more/ (shapes written apart from the generators) that no
/// built-in class repairs yet: nothing, rather than a wrong patch.
const MORE_PENDING: &[&str] = &[];

/// Every case of `fixtures/<folder>/` (made by running the programs, see its README): a positive
/// case's check passes after the patch and failed before; a negative proposes nothing and says
/// why (its `reason` file) in the report, without -v; a pending case proposes nothing.
fn folder_cases(folder: &str, pending: &[&str], at_least: usize) {
    let root = fixture(folder);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root.join(n).join("crash.log").exists())
        .collect();
    names.sort();
    assert!(names.len() >= at_least, "{names:?}");
    for name in &names {
        let rel = format!("{folder}/{name}");
        if pending.contains(&name.as_str()) {
            let repo = Repo::new(&rel);
            let report = repo.analyze(&[]);
            assert!(solutions(&report).is_empty(), "{name}: {report:#}");
            continue;
        }
        case(&rel);
    }
}

#[test]
fn python_cases_behave_after_the_patch() {
    folder_cases("repair-py", PYTHON_PENDING, 30);
}

#[test]
fn unseen_shapes_behave_after_the_patch_or_get_nothing() {
    folder_cases("repair-more", MORE_PENDING, 30);
}

/// `analyze crash.log --repo … --threshold-count 1 EXTRA` in the default text form, not verbose.
fn analyze_text(repo: &Repo, extra: &[&str]) -> Output {
    let mut args: Vec<OsString> = vec![
        "analyze".into(),
        repo.case.join("crash.log").into(),
        "--repo".into(),
        repo.root().into(),
        "--threshold-count".into(),
        "1".into(),
    ];
    args.extend(extra.iter().map(OsString::from));
    run(&mut repo.env.cmd(args), 1)
}

/// The lines of `text` that tell of a dropped solution.
fn dropped_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.contains(": dropped: ")).collect()
}

#[test]
fn a_rule_that_breaks_python_is_dropped_by_the_compile_rung_in_one_line() {
    let repo = Repo::new("rule-queue-depth");
    let config = repo.env.write(
        "broken.yaml",
        "rules:\n  - name: queue-full\n    match: 'queue full'\n    file: enqueue.py\n    find: 'depth = \\[\\]'\n    replace: 'depth = ['\n",
    );
    let config = config.to_str().unwrap();
    let out = analyze_text(&repo, &["--config", config]);
    let text = crate::harness::stdout(&out);
    assert!(text.contains("0 solutions"), "{text}");
    let dropped = dropped_lines(&text);
    assert_eq!(dropped.len(), 1, "{text}");
    assert!(
        dropped[0].starts_with(
            "rule:queue-full: dropped: compile 'python3 -m py_compile enqueue.py' failed: "
        ),
        "{text}"
    );
    assert!(dropped[0].contains("SyntaxError"), "{text}");
    assert!(!dropped[0].contains("\\n"), "{text}");
    // JSON says the same, with structure.
    let report = repo.analyze(&["--config", config]);
    assert!(solutions(&report).is_empty(), "{report:#}");
    assert_eq!(report["dropped"][0]["step"], "compile", "{report:#}");
    assert_eq!(report["dropped"][0]["generator"], "rule:queue-full");
    // Nothing was left behind in the repository.
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}

#[test]
fn a_passing_case_carries_its_compile_rung_in_json() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let sols = solutions(&repo.analyze(&[]));
    assert_eq!(sols.len(), 1, "{sols:#?}");
    let rungs = sols[0]["verification"].as_array().unwrap();
    assert_eq!(rungs[0]["step"], "compile");
    assert_eq!(rungs[0]["command"], "python3 -m py_compile notify.py");
    assert_eq!(rungs[0]["result"], "passed");
    assert!(rungs[0]["seconds"].as_f64().unwrap() >= 0.0);
    // Not configured: skipped, and worth nothing.
    assert_eq!(rungs[1]["step"], "verify");
    assert_eq!(rungs[1]["result"], "skipped");
    assert_eq!(rungs[2]["step"], "reproduce");
    assert_eq!(rungs[2]["result"], "skipped");
    assert_eq!(sols[0]["factors"]["compile"], 0.1);
    assert_eq!(sols[0]["factors"]["verify"], 0.0);
    assert_eq!(sols[0]["factors"]["reproduce"], 0.0);
    assert_eq!(sols[0]["state"], "suggested");
    // A structured file's re-parse is a compile rung too.
    let sols = solutions(&Repo::new("rule-queue-depth").analyze(&[]));
    assert_eq!(
        sols[0]["verification"][0]["command"],
        "re-parse config/queue.json"
    );
    assert_eq!(sols[0]["verification"][0]["result"], "passed");
    // A Rust fix is compiled with the crate: `cargo check` runs, it is not skipped.
    let sols = solutions(&Repo::new("repair-more/rs-index-row-result-error").analyze(&[]));
    let compile = &sols[0]["verification"][0];
    assert_eq!(
        compile["command"], "cargo check --offline --quiet",
        "{sols:#?}"
    );
    assert_eq!(compile["result"], "passed", "{sols:#?}");
}

#[test]
fn a_compiler_absent_from_path_is_skipped_never_passed() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let bin = repo.env.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let git = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    std::os::unix::fs::symlink(git.trim(), bin.join("git")).unwrap();
    let root = repo.root();
    let log = repo.case.join("crash.log");
    let mut cmd = repo.env.cmd([
        "analyze".as_ref(),
        log.as_os_str(),
        "--repo".as_ref(),
        root.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
        "--threshold-count".as_ref(),
        "1".as_ref(),
    ]);
    cmd.env("PATH", &bin);
    let report = json(&run(&mut cmd, 1));
    let sols = solutions(&report);
    assert_eq!(sols.len(), 1, "{report:#}");
    let compile = &sols[0]["verification"][0];
    assert_eq!(compile["step"], "compile");
    assert_eq!(compile["result"], "skipped", "{compile:#}");
    assert_eq!(compile["reason"], "python3 is not on PATH");
    assert_eq!(sols[0]["factors"]["compile"], 0.0);
}

fn reproduce_config(repo: &Repo, command: &str) -> String {
    let path = repo.env.write(
        "reproduce.yaml",
        format!("fix:\n  reproduce: >-\n    {command}\n  verify_timeout: 60s\n"),
    );
    path.display().to_string()
}

#[test]
fn reproduce_passes_once_the_crash_is_gone() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let config = reproduce_config(&repo, "python3 notify.py");
    let report = repo.analyze(&["--config", &config]);
    let sols = solutions(&report);
    assert_eq!(sols.len(), 1, "{report:#}");
    let reproduce = &sols[0]["verification"][2];
    assert_eq!(reproduce["step"], "reproduce");
    assert_eq!(reproduce["command"], "python3 notify.py");
    assert_eq!(reproduce["result"], "passed");
    assert_eq!(sols[0]["factors"]["reproduce"], 0.15);
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
}

#[test]
fn reproduce_that_still_prints_the_exception_drops_the_solution() {
    let repo = Repo::new("py-none-from-call-module-loop");
    let config = reproduce_config(
        &repo,
        "python3 notify.py && echo \"AttributeError: 'NoneType' object has no attribute 'email'\"",
    );
    let out = analyze_text(&repo, &["--config", &config]);
    let text = crate::harness::stdout(&out);
    assert!(text.contains("0 solutions"), "{text}");
    assert_eq!(
        dropped_lines(&text),
        ["py-none-attribute: dropped: reproduce 'python3 notify.py && echo \"AttributeError: 'NoneType' object has no attribute 'email'\"' exited 0 but still printed 'AttributeError: 'NoneType' object has no attribute 'email''"],
        "{text}"
    );
    // And a command that still crashes fails the rung by its exit status.
    let config = reproduce_config(&repo, "python3 notify.py && exit 4");
    let report = repo.analyze(&["--config", &config]);
    assert!(solutions(&report).is_empty(), "{report:#}");
    assert_eq!(report["dropped"][0]["step"], "reproduce");
}

// JavaScript and Java: the change follows what the code does with the missing value; a neutral
// value only where it is handled, else a default, a skipped record, the function's own "nothing",
// or no change and why.

/// A negative case proposes nothing, and `-v` says why.
fn declined_because(name: &str, why: &[&str]) {
    case(name);
    let repo = Repo::new(name);
    let out = repo.analyze_verbose(&[]);
    let text = crate::harness::stdout(&out) + &stderr(&out);
    for w in why {
        assert!(text.contains(w), "{name}: {w:?} missing from\n{text}");
    }
}

#[test]
fn js_default_the_module_defines_inside_a_template_literal() {
    fixed_by(
        "js-default-in-template",
        "js-undefined-property",
        "timeout=${svc.http?.timeout ?? DEFAULT_TIMEOUT}s`;",
    );
}

#[test]
fn js_record_skipped_in_its_own_loop_through_the_modules_logger() {
    fixed_by(
        "js-skip-own-loop",
        "js-undefined-property",
        "logger.warn(`skipping item ${JSON.stringify(item)}: item.price is missing`);",
    );
}

#[test]
fn js_function_returns_its_own_null_when_the_caller_tests_it() {
    fixed_by(
        "js-return-nothing",
        "js-undefined-property",
        "if (user.profile.address == null) {",
    );
}

#[test]
fn js_value_formatted_into_output_without_a_loop_is_declined() {
    declined_because(
        "neg-js-undefined-formatted",
        &[
            "`config.owner.name` is formatted into output",
            "report.js:8 is in no `for` loop",
        ],
    );
}

#[test]
fn java_call_result_is_bound_to_a_local_and_its_record_skipped() {
    fixed_by(
        "java-return-value-skip",
        "java-npe",
        "LOG.warning(\"skipping inv \" + inv.getId() + \": inv.getCustomer() is null\");",
    );
    fixed_by(
        "java-return-value-skip",
        "java-npe",
        "var customer = inv.getCustomer();",
    );
}

#[test]
fn java_record_skipped_in_the_callers_loop() {
    fixed_by(
        "java-caller-loop-skip",
        "java-npe",
        "System.err.println(\"skipping c \" + c.id + \": c.address is null\");",
    );
}

#[test]
fn java_method_returns_its_own_null_when_the_caller_tests_it() {
    fixed_by(
        "java-return-nothing",
        "java-npe",
        "if (e.team.lead == null) {",
    );
}

#[test]
fn java_string_used_as_a_key_is_declined() {
    declined_because(
        "neg-java-npe-string-key",
        &["`sku.toUpperCase(…)` is passed on (as a key or argument), not text"],
    );
}

#[test]
fn java_npe_without_debug_info_is_declined_with_the_reason() {
    declined_because("neg-java-npe-no-debug-info", &["javac -g"]);
}

#[test]
fn java_unboxed_map_lookup_gets_the_default_the_code_base_uses() {
    fixed_by(
        "java-map-default",
        "java-npe",
        "int timeout = settings.getOrDefault(\"timeout\", 30);",
    );
}

#[test]
fn js_destructured_record_skipped_in_the_callers_for_each() {
    fixed_by(
        "js-destructure-foreach",
        "js-undefined-property",
        "console.error(`skipping user ${user.id}: user.name is missing`);",
    );
}

#[test]
fn format_patch_prints_every_fix_as_one_patch_git_applies() {
    let repo = Repo::new("py-two-crashes");
    let log = repo.case.join("crash.log");
    let out = run(
        repo.env
            .cmd([
                "analyze",
                "--format",
                "patch",
                "--threshold-count",
                "1",
                "--repo",
            ])
            .arg(repo.root())
            .arg(&log),
        1,
    );
    let patch = crate::harness::stdout(&out);
    // Only the patch is on stdout; the report is on stderr.
    assert!(patch.starts_with("--- a/"), "{patch}");
    assert!(stderr(&out).contains("2 solutions"), "{}", stderr(&out));
    // The same fixes as the JSON report's, both in one patch.
    let patch_file = repo.env.path().join("fixes.patch");
    let report = json(&run(
        repo.env
            .cmd([
                "analyze",
                "--format",
                "json",
                "--threshold-count",
                "1",
                "--repo",
            ])
            .arg(repo.root())
            .arg("--patch-out")
            .arg(&patch_file)
            .arg(&log),
        1,
    ));
    let diffs: String = solutions(&report)
        .iter()
        .map(|s| s["diff"].as_str().unwrap())
        .collect();
    assert_eq!(patch, diffs);
    assert_eq!(std::fs::read_to_string(&patch_file).unwrap(), diffs);
    std::fs::write(repo.env.path().join("stdout.patch"), &patch).unwrap();
    let applied = Command::new("git")
        .args(["apply", "--check", "../stdout.patch"])
        .current_dir(repo.root())
        .output()
        .unwrap();
    assert!(applied.status.success(), "{applied:?}");
    repo.git(&["apply", "../stdout.patch"]);
    let changed = repo.git(&["diff", "--stat"]);
    assert!(changed.contains("etl_job.py"), "{changed}");
}
