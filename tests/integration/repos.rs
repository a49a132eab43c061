//! One process, several services: `repos:` and `--repo SERVICE=DIR` send each service's fixes to
//! its own repository. The logs are the repair cases' real crash logs, each in its own service's
//! log directory; every proposed diff is applied in the repository it names and that case's
//! check runs there, so a fix proposed in the wrong repository fails twice (it does not apply,
//! and the right repository stays broken).

use std::path::Path;

use serde_json::Value;

use crate::harness::{json, run, stderr, Env};
use crate::repair::Repo;
use crate::watch::Watching;

/// The three services: (log directory, repair case).
const SERVICES: [(&str, &str); 3] = [
    ("mailer", "py-key-call-arg"),
    ("tags", "js-null-property"),
    ("billing", "py-zero-logfmt"),
];

struct Fleet {
    cwd: Env,
    repos: Vec<Repo>,
}

impl Fleet {
    /// Each case's repository, and `logs/<service>/app.log` holding its crash log in `cwd`,
    /// which is no git repository: nothing has a default repository.
    fn new() -> Fleet {
        let cwd = Env::new();
        let repos: Vec<Repo> = SERVICES.iter().map(|(_, case)| Repo::new(case)).collect();
        for ((service, _), repo) in SERVICES.iter().zip(&repos) {
            let log = std::fs::read(repo.case.join("crash.log")).unwrap();
            cwd.write(&format!("logs/{service}/app.log"), log);
            std::fs::create_dir_all(cwd.path().join("repos")).unwrap();
            std::os::unix::fs::symlink(repo.root(), cwd.path().join("repos").join(service))
                .unwrap();
        }
        Fleet { cwd, repos }
    }

    fn repo_of(&self, service: &str) -> &Repo {
        let i = SERVICES.iter().position(|(s, _)| *s == service).unwrap();
        &self.repos[i]
    }

    /// Apply each solution in the repository it names, then every case's check must pass.
    fn apply_and_check(&self, solutions: &[Value], named: impl Fn(&str) -> String) {
        for (service, _) in SERVICES {
            let repo = self.repo_of(service);
            let want = named(service);
            let mine: Vec<&Value> = solutions.iter().filter(|s| s["repo"] == want).collect();
            assert_eq!(
                mine.len(),
                1,
                "{service}: one fix in {want}: {solutions:#?}"
            );
            repo.apply(mine[0]["diff"].as_str().unwrap());
            let (fixed, output) = repo.check();
            assert!(fixed, "{service}: check failed after its fix: {output}");
        }
    }
}

#[test]
fn each_service_s_fix_goes_to_its_own_repository() {
    let fleet = Fleet::new();
    // The billing service is named by its logger (`invoice` in its logfmt records), the others by
    // where their logs are.
    fleet.cwd.write(
        "hephaestus.yaml",
        "repos:\n  - service: invoice\n    repo: repos/billing\n  - logs: 'logs/mailer/*.log'\n    \
         repo: repos/mailer\n  - logs: 'logs/tags/*.log'\n    repo: repos/tags\n",
    );
    let out = run(
        fleet.cwd.cmd([
            "analyze",
            "logs/mailer/app.log",
            "logs/tags/app.log",
            "logs/billing/app.log",
            "--format",
            "json",
            "--threshold-count",
            "1",
        ]),
        1,
    );
    let report = json(&out);
    let repos = &report["summary"]["repos"];
    assert_eq!(
        repos,
        &serde_json::json!([
            {"for": "service invoice", "repo": "./repos/billing"},
            {"for": "logs logs/mailer/*.log", "repo": "./repos/mailer"},
            {"for": "logs logs/tags/*.log", "repo": "./repos/tags"},
        ]),
        "{report:#}"
    );
    assert_eq!(report["summary"]["repo"], Value::Null, "{report:#}");
    let solutions = report["solutions"].as_array().unwrap();
    fleet.apply_and_check(solutions, |service| format!("./repos/{service}"));
}

#[test]
fn repo_flags_name_a_service_s_repository_and_come_first() {
    let fleet = Fleet::new();
    // The config sends the invoice logger's fixes elsewhere: the flag wins.
    let elsewhere = Env::new();
    crate::harness::git(elsewhere.path(), &["init", "-q"]);
    fleet.cwd.write(
        "hephaestus.yaml",
        format!(
            "repos:\n  - service: invoice\n    repo: {}\n  - logs: 'logs/*/app.log'\n    repo: repos/mailer\n",
            elsewhere.path().display()
        ),
    );
    let billing = fleet.repo_of("billing").root();
    let tags = fleet.repo_of("tags").root();
    let billing_arg = format!("invoice={}", billing.display());
    // A service is also taken by a path glob written as `logs:`: here `tags` by its own flag
    // first, since flags come before every `repos:` item.
    let out = run(
        fleet.cwd.cmd([
            "analyze",
            "logs/mailer/app.log",
            "logs/tags/app.log",
            "logs/billing/app.log",
            "--format",
            "json",
            "--threshold-count",
            "1",
            "--repo",
            &billing_arg,
            "--config",
            "hephaestus.yaml",
        ]),
        1,
    );
    let report = json(&out);
    let solutions = report["solutions"].as_array().unwrap();
    let billing_fix: Vec<&Value> = solutions
        .iter()
        .filter(|s| s["repo"] == billing.display().to_string())
        .collect();
    assert_eq!(billing_fix.len(), 1, "{report:#}");
    // Everything else matched `logs/*/app.log`: the tags crash was proposed in the mailer
    // repository, where no file of its trace is, so it got no fix there.
    assert!(
        solutions
            .iter()
            .all(|s| s["repo"] != tags.display().to_string()),
        "{report:#}"
    );
    let billing_repo = fleet.repo_of("billing");
    billing_repo.apply(billing_fix[0]["diff"].as_str().unwrap());
    let (fixed, output) = billing_repo.check();
    assert!(fixed, "{output}");
}

#[test]
fn watch_over_a_glob_of_services_proposes_each_fix_in_its_repository() {
    let fleet = Fleet::new();
    let config: String = SERVICES
        .iter()
        .map(|(service, _)| {
            format!("  - logs: 'logs/{service}/*.log'\n    repo: repos/{service}\n")
        })
        .collect();
    fleet
        .cwd
        .write("hephaestus.yaml", format!("repos:\n{config}"));
    let mut watch = Watching::start(
        &fleet.cwd,
        &[
            "logs/*/*.log",
            "--from-start",
            "--format",
            "json",
            "--threshold-count",
            "1",
            "--state-dir",
            "state",
        ],
    );
    watch.wait_for(|objects| objects.iter().filter(|o| o["type"] == "solution").count() >= 3);
    let (objects, _, err) = watch.stop();
    let solutions: Vec<Value> = objects
        .into_iter()
        .filter(|o| o["type"] == "solution")
        .collect();
    assert_eq!(solutions.len(), 3, "{err}");
    fleet.apply_and_check(&solutions, |service| format!("./repos/{service}"));
}

#[test]
fn a_service_without_a_repository_is_said_once() {
    let fleet = Fleet::new();
    let mailer = fleet.repo_of("mailer").root();
    let arg = format!("invoice={}", fleet.repo_of("billing").root().display());
    let out = run(
        fleet.cwd.cmd([
            "analyze",
            "logs/mailer/app.log",
            "logs/billing/app.log",
            "--threshold-count",
            "1",
            "--repo",
            &arg,
        ]),
        1,
    );
    let err = stderr(&out);
    assert!(!err.contains("not inside a git repository"), "{err}");
    let said = "no repository is named for 'logs/mailer/app.log' (repos:, --repo SERVICE=DIR): \
                its incidents are reported, but no fix is proposed";
    assert_eq!(err.matches(said).count(), 1, "{err}");
    assert!(!Path::new(&mailer).join("fix.patch").exists());
    // `-q` is results and errors only: no warning, the incidents still reported.
    let mut quiet = fleet.cwd.cmd([
        "analyze",
        "logs/mailer/app.log",
        "--threshold-count",
        "1",
        "-q",
    ]);
    let out = run(&mut quiet, 1);
    assert_eq!(stderr(&out), "", "-q");
    assert!(crate::harness::stdout(&out).contains("INCIDENT"));
}

#[test]
fn repo_flags_and_entries_are_checked_before_any_log_is_read() {
    let env = Env::new();
    env.write("app.log", "x\n");
    env.write("plain/readme", "x\n");
    let out = run(env.cmd(["analyze", "app.log", "--repo", "api=plain"]), 2);
    assert_eq!(
        stderr(&out).trim_end(),
        "error: --repo: service api: repository 'plain' is not the top of a git repository \
         (`git init` it, or name the repository's top directory)"
    );
    let out = run(
        env.cmd(["analyze", "app.log", "--repo", "a", "--repo", "b"]),
        2,
    );
    assert!(
        stderr(&out).contains("--repo DIR is given more than once"),
        "{}",
        stderr(&out)
    );
    let out = run(env.cmd(["analyze", "app.log", "--repo", "api="]), 2);
    assert!(
        stderr(&out).contains("'api=' names no directory after 'api='"),
        "{}",
        stderr(&out)
    );
    env.write(
        "hephaestus.yaml",
        "repos:\n  - service: api\n    logs: '*.log'\n    repo: x\n  - service: worker\n  - logs: '[a'\n    repo: y\n",
    );
    let out = run(env.cmd(["analyze", "app.log"]), 2);
    let err = stderr(&out);
    for line in [
        "hephaestus.yaml:2: repos[0]: needs exactly one of service and logs",
        "hephaestus.yaml:5: repos[1]: needs repo: the repository's top directory",
        "hephaestus.yaml:6: repos[2].logs: invalid glob",
    ] {
        assert!(err.contains(line), "{line:?} in {err}");
    }
    env.write(
        "hephaestus.yaml",
        "repos:\n  - service: api\n    repo: missing\n",
    );
    let out = run(env.cmd(["analyze", "app.log"]), 2);
    assert_eq!(
        stderr(&out).trim_end(),
        "error: hephaestus.yaml:3: service api: repository './missing' is not a directory"
    );
}
