//! How a `watch` ends and what it leaves behind: signals (one request to stop however many arrive
//! together, exit 0 with the summary and the checkpoints), stdin passed through unchanged, one
//! watch per state directory, and state files nobody can redirect.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde_json::Value;

use crate::harness::{fixture, run, stderr, Env};
use crate::watch::{assert_exactly, command, entries_args, Watching, Writer, PATIENCE};

fn signal(watch: &Watching, signal: Signal) {
    let pid = Pid::from_raw(i32::try_from(watch.child.id()).unwrap());
    kill(pid, signal).unwrap();
}

/// Wait until a JSON object of `kind` was printed.
fn wait_object(watch: &mut Watching, kind: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        watch.take_stdout();
        if watch.objects.iter().any(|o| o["type"] == kind) {
            return;
        }
        if Instant::now() > deadline {
            watch.fail(&format!("no {kind:?} object on stdout"));
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn wait_exit(watch: &mut Watching, why: &str) -> ExitStatus {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            watch.fail(why);
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// The checkpointed offset of the one followed file.
fn checkpointed_offset(state: &Path) -> u64 {
    let text = fs::read_to_string(state.join("watch-checkpoints.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["files"][0]["at"]["offset"].as_u64().unwrap()
}

fn mode(path: &Path) -> u32 {
    fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
}

/// After an incident, a stop by signal is still a clean stop: exit 0, the summary, the
/// checkpoint at the end of what was read. Two SIGTERMs 10 ms apart (what `timeout(1)` sends: to
/// the child, then to its group) are one stop, not a stop cut short.
#[test]
fn a_signal_after_an_incident_stops_cleanly_with_exit_0() {
    let log = fs::read(fixture("logs/app.log")).unwrap();
    for round in 0..6 {
        let env = Env::new();
        env.write("app.log", &log);
        let mut watch = Watching::start(
            &env,
            &[
                "app.log",
                "--from-start",
                "--state-dir",
                "state",
                "--format",
                "json",
            ],
        );
        wait_object(&mut watch, "incident");
        if round % 2 == 0 {
            signal(&watch, Signal::SIGTERM);
            thread::sleep(Duration::from_millis(10));
            signal(&watch, Signal::SIGTERM);
        } else {
            signal(&watch, Signal::SIGINT);
        }
        let (objects, status, stderr) = watch.finish();
        assert_eq!(status.code(), Some(0), "round {round}: {stderr}");
        let summary = objects
            .iter()
            .find(|o| o["type"] == "summary")
            .unwrap_or_else(|| panic!("round {round}: no summary in {objects:?}"));
        assert_eq!(summary["incidents"], 1, "round {round}");
        assert_eq!(summary["lines"], 7, "round {round}");
        assert_eq!(
            checkpointed_offset(&env.path().join("state")),
            log.len() as u64,
            "round {round}"
        );
    }
}

/// A stop that cannot finish (nobody reads stdout, so the pending output cannot be written) is
/// not cut short by a second signal right behind the first, and is by one that comes later.
#[test]
fn a_later_signal_cuts_a_slow_stop_short_with_130() {
    let env = Env::new();
    let mut big = String::new();
    for seq in 1..=100_000 {
        big.push_str(&format!("seq={seq:06} worker did step {seq}\n"));
    }
    env.write("app.log", big);
    let mut child = command(&env, &entries_args(&["app.log", "--from-start"]))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Output has started; from now on nothing reads it, so the pipe fills and writing blocks.
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.contains("seq=000001"), "{first}");
    let mut watch = Watching {
        child,
        stdin: None,
        stdout: mpsc::channel().1,
        stderr: Arc::default(),
        objects: Vec::new(),
    };
    signal(&watch, Signal::SIGINT);
    thread::sleep(Duration::from_millis(10));
    signal(&watch, Signal::SIGINT);
    // Well past the second after which a further signal is a new request.
    thread::sleep(Duration::from_secs(2));
    assert!(
        watch.child.try_wait().unwrap().is_none(),
        "two signals 10 ms apart cut the stop short"
    );
    signal(&watch, Signal::SIGINT);
    let status = wait_exit(&mut watch, "no exit after the later SIGINT");
    assert_eq!(status.code(), Some(130));
}

/// Bytes no line reader would pass on unchanged: CR LF, invalid UTF-8, NUL, a line three times
/// the length limit, no newline at the end.
fn awkward_bytes() -> Vec<u8> {
    let mut input = b"first\r\nsecond \xff\xfe invalid\n\0nul\0 bytes\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 3 * 1024 * 1024));
    input.extend_from_slice(b"\nlast line, no newline");
    input
}

#[test]
fn stdin_is_echoed_byte_for_byte() {
    let env = Env::new();
    let input = awkward_bytes();
    let out = run(env.cmd(["watch"]).write_stdin(input.clone()), 0);
    assert!(out.stdout == input, "stdout differs from stdin");
    assert!(
        stderr(&out).contains("5 lines, 5 entries"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn no_echo_and_json_print_no_input() {
    let env = Env::new();
    let out = run(
        env.cmd(["watch", "--no-echo"]).write_stdin(awkward_bytes()),
        0,
    );
    assert_eq!(out.stdout, b"");
    let out = run(
        env.cmd(["watch", "--format", "json"])
            .write_stdin(awkward_bytes()),
        0,
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let kinds: Vec<String> = text
        .lines()
        .map(|line| {
            let json: Value = serde_json::from_str(line).unwrap();
            json["type"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(kinds, ["summary"], "{text}");
}

/// `app | hephaestus watch | head`: once `head` is gone the echo stops, and the watch still
/// analyses everything, reports and exits as it would have.
#[test]
fn a_closed_stdout_stops_the_echo_not_the_watch() {
    let env = Env::new();
    let mut child = command(&env, &["-v"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(&fs::read(fixture("logs/app.log")).unwrap())
        .unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("stdout is closed: no longer echoing stdin, still watching it"),
        "{stderr}"
    );
    assert!(stderr.contains("INCIDENT error ×3"), "{stderr}");
    assert!(
        stderr.contains("1 incident, 0 solutions, 7 lines, 7 entries"),
        "{stderr}"
    );
}

/// Two watches writing checkpoints to one directory would lose lines: the second is refused,
/// naming the first. The lock dies with its process, so after a `kill -9` a new watch starts.
#[test]
fn one_watch_per_state_directory() {
    let env = Env::new();
    env.write("app.log", "");
    env.write("other.log", "");
    let mut first = Watching::start(&env, &entries_args(&["app.log", "--state-dir", "state"]));
    first.wait_ready();
    let pid = first.child.id();
    let refused = run(env.cmd(["watch", "other.log", "--state-dir", "state"]), 2);
    assert_eq!(
        stderr(&refused),
        format!(
            "error: the state directory 'state' is in use by another watch (pid {pid}); stop \
             it, or give this watch its own --state-dir\n"
        )
    );
    // Deploy records go to the state directory too.
    run(
        env.cmd(["watch", "--mode", "deploy", "--state-dir", "state"])
            .write_stdin(""),
        2,
    );
    // A watch of stdin that writes nothing there does not need it.
    run(
        env.cmd(["watch", "--state-dir", "state"]).write_stdin(""),
        0,
    );

    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let mut second = Watching::start(&env, &entries_args(&["app.log", "--state-dir", "state"]));
    second.wait_ready();
    let mut app = Writer::new(&env.path().join("app.log"));
    app.lines(10);
    second.wait_seqs(app.written());
    let (objects, status, _) = second.stop();
    assert!(status.success());
    assert_exactly(&objects, app.written());
}

/// A link planted at the temporary name earlier versions wrote checkpoints through is not
/// followed, and what the watch creates is its owner's alone.
#[test]
fn checkpoints_are_private_and_written_through_no_planted_link() {
    let env = Env::new();
    let outside = env.write("outside.txt", "precious");
    env.write("app.log", "");
    let mut watch = Watching::start(&env, &entries_args(&["app.log", "--state-dir", "state"]));
    watch.wait_ready();
    let state = env.path().join("state");
    let checkpoints = state.join("watch-checkpoints.json");
    let mut app = Writer::new(&env.path().join("app.log"));
    app.lines(10);
    watch.wait_seqs(app.written());
    // Planted once the directory exists (the first save made it); every later save would go
    // through it.
    let deadline = Instant::now() + PATIENCE;
    while !checkpoints.exists() {
        assert!(Instant::now() < deadline, "no checkpoint saved");
        thread::sleep(Duration::from_millis(20));
    }
    let old_tmp = state.join(format!(".watch-checkpoints.json.{}.tmp", watch.child.id()));
    symlink(&outside, &old_tmp).unwrap();
    app.lines(10);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
    assert!(fs::symlink_metadata(&checkpoints).unwrap().is_file());
    assert_eq!(
        checkpointed_offset(&state),
        fs::metadata(env.path().join("app.log")).unwrap().len()
    );
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&checkpoints), 0o600);
    assert_eq!(mode(&state.join("watch.lock")), 0o600);
}

#[test]
fn a_link_at_the_lock_name_is_refused() {
    let env = Env::new();
    let outside = env.write("outside.txt", "precious");
    env.write("app.log", "");
    fs::create_dir(env.path().join("state")).unwrap();
    symlink(&outside, env.path().join("state/watch.lock")).unwrap();
    let out = run(env.cmd(["watch", "app.log", "--state-dir", "state"]), 2);
    assert_eq!(
        stderr(&out),
        "error: 'state/watch.lock' is a symbolic link, not the state directory's lock file \
         (remove it)\n"
    );
    assert_eq!(fs::read_to_string(&outside).unwrap(), "precious");
}

/// A state directory that cannot be made (here: under a file) is not a reason to stop watching:
/// the watch says so, runs, and keeps nothing.
#[test]
fn an_unusable_state_directory_is_a_warning() {
    let env = Env::new();
    env.write("app.log", "");
    let mut watch = Watching::start(
        &env,
        &entries_args(&["app.log", "--state-dir", "app.log/state"]),
    );
    watch.wait_stderr(
        "warning: failed to create the state directory 'app.log/state': Not a directory (os \
         error 20); nothing is kept across restarts",
    );
    watch.wait_ready();
    let mut app = Writer::new(&env.path().join("app.log"));
    app.lines(5);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
}
