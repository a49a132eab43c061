//! The command line itself: help, exit codes, completions, init, terminal safety.

use std::process::Command as Process;

use crate::harness::{fixture, git, run, stderr, stdout, Env};

#[test]
fn help_teaches_the_commands() {
    let env = Env::new();
    let out = run(env.cmd(["--help"]), 0);
    let help = stdout(&out);
    for word in [
        "analyze",
        "watch",
        "patterns",
        "init",
        "completions",
        "man",
        "Exit codes",
    ] {
        assert!(help.contains(word), "{word} missing from:\n{help}");
    }
}

#[test]
fn usage_and_io_errors_exit_2() {
    let env = Env::new();
    run(env.cmd(["analyze", "--threshold-count", "many"]), 2);
    run(
        env.cmd(["analyze", "--threshold-window", "soon"])
            .arg(fixture("logs/app.log")),
        2,
    );
    let out = run(env.cmd(["analyze", "missing.log"]), 2);
    assert!(
        stderr(&out).contains("failed to open 'missing.log'"),
        "{}",
        stderr(&out)
    );
    run(env.cmd(["frobnicate"]), 2);
    // A --repo that fixes could not be read from is refused before any log is read.
    env.write("plain/main.py", "print('not in git')\n");
    let out = run(
        env.cmd(["analyze", "--repo", "plain"])
            .arg(fixture("logs/app.log")),
        2,
    );
    assert!(
        stderr(&out).contains("--repo 'plain' is not the top of a git repository"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fixes_without_a_repository_are_announced_once() {
    let env = Env::new();
    let log = fixture("logs/app.log");
    let out = run(env.cmd(["analyze"]).arg(&log), 1);
    assert_eq!(
        stderr(&out).matches("not inside a git repository").count(),
        1,
        "{}",
        stderr(&out)
    );
    git(env.path(), &["init", "-q"]);
    let out = run(env.cmd(["analyze"]).arg(&log), 1);
    assert!(!stderr(&out).contains("git repository"), "{}", stderr(&out));
}

/// Assert that the checked-in file `rel` is what `hephaestus ARGS` prints now; returns it.
fn assert_checked_in_fresh(env: &Env, args: &[&str], rel: &str) -> String {
    let generated = stdout(&run(env.cmd(args), 0));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let checked_in = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{rel} is missing ({e}): run scripts/completions"));
    assert!(
        generated == checked_in,
        "{rel} is stale: run scripts/completions"
    );
    generated
}

#[test]
fn checked_in_completions_are_fresh() {
    let env = Env::new();
    for (shell, file) in [
        ("bash", "hephaestus.bash"),
        ("zsh", "_hephaestus"),
        ("fish", "hephaestus.fish"),
        ("powershell", "_hephaestus.ps1"),
        ("elvish", "hephaestus.elv"),
    ] {
        assert_checked_in_fresh(
            &env,
            &["completions", shell],
            &format!("completions/{file}"),
        );
    }
}

#[test]
fn checked_in_man_pages_are_fresh() {
    let env = Env::new();
    let top = assert_checked_in_fresh(&env, &["man"], "man/hephaestus.1");
    assert!(
        top.starts_with(".ie") && top.contains("\n.TH hephaestus 1"),
        "{top}"
    );
    // The top page lists every command as hephaestus-COMMAND(1); man/ holds exactly those pages.
    let commands: Vec<&str> = top
        .lines()
        .filter_map(|line| line.strip_prefix("hephaestus\\-")?.strip_suffix("(1)"))
        .collect();
    for command in ["init", "analyze", "watch", "patterns", "completions", "man"] {
        assert!(
            commands.contains(&command),
            "{command} missing from:\n{top}"
        );
    }
    let mut expected = vec!["hephaestus.1".to_owned()];
    for command in &commands {
        let page = assert_checked_in_fresh(
            &env,
            &["man", command],
            &format!("man/hephaestus-{command}.1"),
        );
        assert!(
            page.contains(&format!(".TH hephaestus-{command} 1")),
            "{page}"
        );
        expected.push(format!("hephaestus-{command}.1"));
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    let mut present: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    present.sort();
    expected.sort();
    assert_eq!(
        present, expected,
        "man/ has a page of no command: run scripts/completions"
    );

    let out = run(env.cmd(["man", "frobnicate"]), 2);
    assert!(
        stderr(&out).contains("no command named 'frobnicate' (one of: init, analyze,"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn gzip_input_is_read_transparently() {
    let env = Env::new();
    let plain = std::fs::read(fixture("logs/app.log")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &plain).unwrap();
    let path = env.write("app.log.gz", gz.finish().unwrap());
    let out = run(env.cmd(["analyze"]).arg(&path), 1);
    assert!(stdout(&out).contains("7 lines"), "{}", stdout(&out));
}

#[test]
fn stdin_is_read_when_no_file_is_given() {
    let env = Env::new();
    let input = std::fs::read(fixture("logs/app.log")).unwrap();
    run(env.cmd(["analyze"]).write_stdin(input.clone()), 1);
    run(env.cmd(["analyze", "-"]).write_stdin(input), 1);
}

#[test]
fn control_characters_from_logs_never_reach_the_terminal() {
    let env = Env::new();
    let commands: [&[&str]; 2] = [
        &["analyze", "--color", "never"],
        &["watch", "--no-echo", "--color", "never"],
    ];
    for args in commands {
        let input = std::fs::read(fixture("logs/control-chars.log")).unwrap();
        let out = run(env.cmd(args).arg("-").write_stdin(input), 1);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("INCIDENT"), "{text}");
        let raw: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            raw.is_empty(),
            "control characters {raw:?} reached the terminal:\n{text:?}"
        );
        // What the log tried is shown, escaped, not swallowed.
        assert!(
            text.contains("\\x08\\x08 back \\r over \\x07 bell \\x9b c1"),
            "{text:?}"
        );
    }
}

#[test]
fn init_writes_the_example_and_never_overwrites() {
    let env = Env::new();
    run(env.cmd(["init"]), 0);
    let written = std::fs::read_to_string(env.path().join("hephaestus.yaml")).unwrap();
    let example = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hephaestus.example.yaml"),
    )
    .unwrap();
    assert_eq!(written, example);

    env.write("hephaestus.yaml", "mine: true\n");
    let out = run(env.cmd(["init"]), 2);
    assert!(
        stderr(&out).contains("already exists (use --force to overwrite it)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(env.path().join("hephaestus.yaml")).unwrap(),
        "mine: true\n"
    );

    run(env.cmd(["init", "--force"]), 0);
    assert_eq!(
        std::fs::read_to_string(env.path().join("hephaestus.yaml")).unwrap(),
        example
    );

    run(env.cmd(["init", "--output", "conf/other.yaml"]), 2);
    std::fs::create_dir(env.path().join("conf")).unwrap();
    run(env.cmd(["init", "--output", "conf/other.yaml"]), 0);
    // What init writes is a valid config.
    run(
        env.cmd(["analyze", "--config", "conf/other.yaml"])
            .arg(fixture("logs/app.log")),
        1,
    );
}

#[test]
fn init_prefills_owner_and_repository_from_the_git_origin() {
    let env = Env::new();
    let git = |args: &[&str]| {
        let status = Process::new("git")
            .args(args)
            .current_dir(env.path())
            .status()
            .unwrap();
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/shop-api.git",
    ]);
    run(env.cmd(["init"]), 0);
    let written = std::fs::read_to_string(env.path().join("hephaestus.yaml")).unwrap();
    assert!(written.contains("  owner: \"acme\"\n"), "{written}");
    assert!(
        written.contains("  repository: \"shop-api\"\n"),
        "{written}"
    );
}

#[test]
fn init_takes_the_forge_the_project_path_and_the_base_branch_from_the_origin() {
    let env = Env::new();
    let git = |dir: &std::path::Path, args: &[&str]| {
        let out = Process::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    // A real clone of a repository whose default branch is `trunk`: the clone's origin/HEAD names
    // it. Its URL is then the one of a self-hosted GitLab project in nested groups.
    let upstream = env.path().join("upstream");
    std::fs::create_dir_all(&upstream).unwrap();
    git(&upstream, &["init", "-q", "-b", "trunk"]);
    git(
        &upstream,
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.invalid",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "initial",
        ],
    );
    git(env.path(), &["clone", "-q", "upstream", "service"]);
    let service = env.path().join("service");
    git(
        &service,
        &[
            "remote",
            "set-url",
            "origin",
            "git@gitlab.acme.example:acme-group/sub/payments.git",
        ],
    );
    let out = run(env.cmd(["init", "--output", "service/hephaestus.yaml"]), 0);
    let written = std::fs::read_to_string(service.join("hephaestus.yaml")).unwrap();
    for line in [
        "  provider: gitlab\n",
        "  api_url: https://gitlab.acme.example/api/v4\n",
        "  owner: \"acme-group/sub\"\n",
        "  repository: \"payments\"\n",
        "  branch: trunk\n",
    ] {
        assert!(written.contains(line), "{line:?} in {written}");
    }
    let said = stderr(&out);
    assert!(
        said.contains("for gitlab project acme-group/sub/payments (base branch trunk)"),
        "{said}"
    );
    assert!(said.contains("hephaestus analyze"), "{said}");
    assert!(said.contains("HEPHAESTUS_TOKEN"), "{said}");
    // What init wrote loads.
    let log = env.write("service/app.log", "2026-11-20T10:00:00Z INFO app: up\n");
    run(
        env.cmd(["analyze", "--config", "service/hephaestus.yaml"])
            .arg(&log),
        0,
    );

    // A host that does not say which forge it is: the config says what to check.
    git(
        &service,
        &[
            "remote",
            "set-url",
            "origin",
            "https://git.acme.example/acme/shop.git",
        ],
    );
    run(
        env.cmd(["init", "--force", "--output", "service/hephaestus.yaml"]),
        0,
    );
    let written = std::fs::read_to_string(service.join("hephaestus.yaml")).unwrap();
    assert!(
        written.contains("# 'git.acme.example' does not say which forge it is"),
        "{written}"
    );
}

#[test]
fn format_patch_is_for_analyze_only() {
    let env = Env::new();
    let out = run(env.cmd(["watch", "--format", "patch"]), 2);
    assert_eq!(
        stderr(&out),
        "error: --format patch is for analyze; a watch can write its fixes with --patch-out FILE\n"
    );
}

#[test]
fn a_bad_glob_is_said_once() {
    let env = Env::new();
    let out = run(env.cmd(["watch", "logs/[a"]), 2);
    let err = stderr(&out);
    let last = err.lines().last().unwrap_or_default();
    assert_eq!(
        last, "error: invalid glob 'logs/[a': unclosed character class; missing ']'",
        "{err}"
    );
}
