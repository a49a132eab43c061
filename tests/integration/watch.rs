//! `watch`: the real binary follows real files in a temp dir while the test appends numbered lines
//! and rotates, truncates, deletes and recreates them. Every test checks, from `--emit-entries`,
//! that the set of sequence numbers seen is exactly the set written: no gap, no duplicate. Each
//! scenario runs with inotify and with `--poll`.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::{fixture, Env};

/// How long any expected output may take on a loaded machine; tests finish far sooner normally.
pub(crate) const PATIENCE: Duration = Duration::from_secs(15);

pub(crate) const POLL: &str = "--poll=100ms";

/// A running `hephaestus watch`, its stdout as parsed JSON lines and its stderr as text.
pub(crate) struct Watching {
    pub(crate) child: Child,
    pub(crate) stdin: Option<ChildStdin>,
    pub(crate) stdout: Receiver<String>,
    pub(crate) stderr: Arc<Mutex<String>>,
    /// Every JSON object printed so far.
    pub(crate) objects: Vec<Value>,
}

impl Watching {
    pub(crate) fn start(env: &Env, args: &[&str]) -> Watching {
        Watching::spawn(command(env, args))
    }

    pub(crate) fn spawn(mut cmd: Command) -> Watching {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("binary runs");
        let (tx, stdout) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().unwrap();
        let sink = stderr.clone();
        thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let stdin = child.stdin.take();
        Watching {
            child,
            stdin,
            stdout,
            stderr,
            objects: Vec::new(),
        }
    }

    /// A follower started with `-v` says when it has opened its files.
    pub(crate) fn wait_ready(&mut self) {
        self.wait_stderr("following");
    }

    pub(crate) fn wait_stderr(&mut self, needle: &str) {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            if self.stderr.lock().unwrap().contains(needle) {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.fail(&format!("no {needle:?} on stderr"));
    }

    pub(crate) fn take_stdout(&mut self) {
        while let Ok(line) = self.stdout.try_recv() {
            let value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            self.objects.push(value);
        }
    }

    /// Wait until `done` holds of the objects printed so far. Fixes are verified (compiled) before
    /// they are printed, so this waits longer than for lines.
    pub(crate) fn wait_for(&mut self, done: impl Fn(&[Value]) -> bool) {
        let deadline = Instant::now() + PATIENCE * 4;
        loop {
            self.take_stdout();
            if done(&self.objects) {
                return;
            }
            if Instant::now() > deadline {
                self.fail("the awaited output never came");
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Wait until every sequence number in `expected` was seen (more may have been seen).
    pub(crate) fn wait_seqs(&mut self, expected: impl IntoIterator<Item = u64>) {
        let expected: Vec<u64> = expected.into_iter().collect();
        let deadline = Instant::now() + PATIENCE;
        loop {
            self.take_stdout();
            let seen = seqs(&self.objects);
            if expected.iter().all(|n| seen.contains_key(n)) {
                return;
            }
            if Instant::now() > deadline {
                let missing: Vec<_> = expected.iter().filter(|n| !seen.contains_key(n)).collect();
                self.fail(&format!("sequence numbers never seen: {missing:?}"));
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for the exit; returns every JSON object printed and the status.
    pub(crate) fn stop(self) -> (Vec<Value>, ExitStatus, String) {
        let killed = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        self.finish()
    }

    /// [`Watching::stop`], which must end cleanly, having printed each of `expected`'s sequence
    /// numbers exactly once and no other; returns what it printed.
    pub(crate) fn stop_having_read_exactly(
        self,
        expected: impl IntoIterator<Item = u64>,
    ) -> Vec<Value> {
        let (objects, status, _) = self.stop();
        assert!(status.success());
        assert_exactly(&objects, expected);
        objects
    }

    /// Wait for the exit (after a signal was sent); returns every JSON object printed and the
    /// status.
    pub(crate) fn finish(mut self) -> (Vec<Value>, ExitStatus, String) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                self.fail("did not exit after the signal");
            }
            thread::sleep(Duration::from_millis(20));
        };
        // The reader threads end with the pipes; give them the last lines.
        let until = Instant::now() + Duration::from_secs(2);
        loop {
            self.take_stdout();
            let summary = self.objects.iter().any(|o| o["type"] == "summary");
            if summary || Instant::now() > until {
                break;
            }
            thread::sleep(Duration::from_millis(10));
        }
        let stderr = self.stderr.lock().unwrap().clone();
        (std::mem::take(&mut self.objects), status, stderr)
    }

    pub(crate) fn fail(&mut self, why: &str) -> ! {
        self.take_stdout();
        let _ = self.child.kill();
        let tail: Vec<String> = self
            .objects
            .iter()
            .rev()
            .take(20)
            .map(|o| {
                let mut s = o.to_string();
                s.truncate(300);
                s
            })
            .collect();
        let head: Vec<String> = self
            .objects
            .iter()
            .take(5)
            .map(|o| {
                let mut s = o.to_string();
                s.truncate(300);
                s
            })
            .collect();
        panic!(
            "{why}\n--- first stdout objects ---\n{}\n--- last stdout objects (newest first) ---\n{}\n--- stderr ---\n{}",
            head.join("\n"),
            tail.join("\n"),
            self.stderr.lock().unwrap()
        );
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `hephaestus watch ARGS` in the test's dir with a clean environment.
pub(crate) fn command(env: &Env, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hephaestus"));
    scrub(&mut cmd, env);
    cmd.arg("watch").args(args);
    cmd
}

pub(crate) fn scrub(cmd: &mut Command, env: &Env) {
    cmd.current_dir(env.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", env.path())
        .env("NO_COLOR", "1");
}

/// Sequence number → how many times an entry carried it.
pub(crate) fn seqs(objects: &[Value]) -> BTreeMap<u64, usize> {
    let mut seen = BTreeMap::new();
    for object in objects.iter().filter(|o| o["type"] == "entry") {
        let message = object["message"].as_str().unwrap_or("");
        if let Some(n) = seq_of(message) {
            *seen.entry(n).or_insert(0) += 1;
        }
    }
    seen
}

pub(crate) fn seq_of(message: &str) -> Option<u64> {
    let rest = &message[message.find("seq=")? + 4..];
    rest.get(..6)?.parse().ok()
}

/// Exactly `expected`, each once.
pub(crate) fn assert_exactly(objects: &[Value], expected: impl IntoIterator<Item = u64>) {
    let seen = seqs(objects);
    let expected: Vec<u64> = expected.into_iter().collect();
    let duplicated: Vec<_> = seen.iter().filter(|(_, &c)| c > 1).collect();
    assert!(duplicated.is_empty(), "read twice: {duplicated:?}");
    let missing: Vec<_> = expected.iter().filter(|n| !seen.contains_key(n)).collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    let extra: Vec<_> = seen.keys().filter(|n| !expected.contains(n)).collect();
    assert!(extra.is_empty(), "never written: {extra:?}");
}

/// An application appending numbered lines to its log, holding the file open like a real one.
pub(crate) struct Writer {
    pub(crate) path: PathBuf,
    pub(crate) file: File,
    pub(crate) next: u64,
}

impl Writer {
    pub(crate) fn new(path: &Path) -> Writer {
        Writer {
            path: path.to_path_buf(),
            file: open_append(path),
            next: 1,
        }
    }

    /// Append `n` lines, a few at a time, as a program would.
    pub(crate) fn lines(&mut self, n: u64) {
        for i in 0..n {
            let seq = self.next;
            self.next += 1;
            writeln!(self.file, "seq={seq:06} worker did step {seq}").unwrap();
            if i % 20 == 19 {
                thread::sleep(Duration::from_millis(2));
            }
        }
    }

    pub(crate) fn raw(&mut self, bytes: &[u8]) {
        self.file.write_all(bytes).unwrap();
    }

    /// Reopen the path (after logrotate renamed or deleted the file).
    pub(crate) fn reopen(&mut self) {
        self.file = open_append(&self.path);
    }

    pub(crate) fn written(&self) -> std::ops::Range<u64> {
        1..self.next
    }
}

pub(crate) fn open_append(path: &Path) -> File {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

pub(crate) fn entries_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--format", "json", "--emit-entries", "-v"];
    args.extend_from_slice(extra);
    args
}

/// One test per watch mode.
macro_rules! both_modes {
    ($scenario:ident) => {
        mod $scenario {
            #[test]
            fn inotify() {
                super::$scenario(&[]);
            }
            #[test]
            fn poll() {
                super::$scenario(&[super::POLL]);
            }
        }
    };
}
pub(crate) use both_modes;

fn rename_and_create(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let mut app = Writer::new(&log);
    app.lines(100);
    let mut watch = Watching::start(
        &env,
        &entries_args(&[&["app.log", "--from-start"], mode].concat()),
    );
    watch.wait_ready();
    app.lines(200);
    fs::rename(&log, env.path().join("app.log.1")).unwrap();
    // Written to the old file after the rename, before the app reopens: still this file's lines.
    app.lines(5);
    app.reopen();
    app.lines(200);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
}
both_modes!(rename_and_create);

fn copytruncate(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &entries_args(&[&["app.log"], mode].concat()));
    watch.wait_ready();
    app.lines(300);
    // copytruncate loses what was written between the copy and the truncation, for every
    // reader: the test lets the watch catch up first, as it would in the quiet moment logrotate
    // is usually scheduled for.
    watch.wait_seqs(app.written());
    fs::copy(&log, env.path().join("app.log.1")).unwrap();
    app.file.set_len(0).unwrap();
    app.lines(300);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
}
both_modes!(copytruncate);

/// A copy seen while it is written (created empty, filled in pieces, as `cp` of a large file
/// is) is neither a new file nor read again once complete.
fn copytruncate_seen_mid_copy(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &entries_args(&[&["app.log"], mode].concat()));
    watch.wait_ready();
    app.lines(300);
    watch.wait_seqs(app.written());
    let content = fs::read(&log).unwrap();
    let mut copy = File::create(env.path().join("app.log.1")).unwrap();
    // Longer than a sweep and the settling time between pieces: the watch looks at each stage.
    for piece in [
        &content[..0],
        &content[..100],
        &content[100..3000],
        &content[3000..],
    ] {
        copy.write_all(piece).unwrap();
        thread::sleep(Duration::from_millis(300));
    }
    drop(copy);
    app.file.set_len(0).unwrap();
    app.lines(300);
    watch.wait_seqs(app.written());
    // Time for the copy to settle and be decided on.
    thread::sleep(Duration::from_millis(2500));
    watch.stop_having_read_exactly(app.written());
}
both_modes!(copytruncate_seen_mid_copy);

fn delete_and_recreate(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let mut watch = Watching::start(&env, &entries_args(&[&["app.log"], mode].concat()));
    watch.wait_ready();
    watch.wait_stderr("'app.log' does not exist yet; waiting for it");
    // The file does not exist yet: it is waited for and read whole when it appears.
    let mut app = Writer::new(&log);
    app.lines(200);
    // Deleted once it was seen (a file deleted before anyone opened it is gone for every reader).
    watch.wait_seqs(1..=1);
    app.lines(100);
    fs::remove_file(&log).unwrap();
    app.lines(3);
    app.reopen();
    app.lines(200);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
}
both_modes!(delete_and_recreate);

fn glob_picks_up_new_files(mode: &[&str]) {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    let mut a = Writer::new(&env.path().join("logs/a.log"));
    let mut watch = Watching::start(
        &env,
        &entries_args(&[&["logs/*.log", "--exclude", "*.skip.log"], mode].concat()),
    );
    watch.wait_ready();
    a.lines(100);
    let mut b = Writer::new(&env.path().join("logs/b.log"));
    b.next = 1001;
    b.lines(100);
    let mut skipped = Writer::new(&env.path().join("logs/c.skip.log"));
    skipped.next = 5001;
    skipped.lines(10);
    let mut other = Writer::new(&env.path().join("logs/d.txt"));
    other.next = 6001;
    other.lines(10);
    a.lines(100);
    let expected: Vec<u64> = a.written().chain(1001..b.next).collect();
    watch.wait_seqs(expected.clone());
    let objects = watch.stop_having_read_exactly(expected);
    let sources: std::collections::BTreeSet<&str> = objects
        .iter()
        .filter_map(|o| o["source"].as_str())
        .collect();
    assert_eq!(
        sources.into_iter().collect::<Vec<_>>(),
        ["logs/a.log", "logs/b.log"]
    );
}
both_modes!(glob_picks_up_new_files);

fn awkward_lines(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let mut app = Writer::new(&log);
    app.lines(3);
    let skipped = fs::metadata(&log).unwrap().len();
    let mut watch = Watching::start(
        &env,
        &entries_args(&[&["app.log", "--idle-flush", "2s"], mode].concat()),
    );
    watch.wait_ready();
    // Start at the end: the 3 lines before are not read.
    let first = app.next;
    app.lines(10);
    // A line in two writes is one line.
    let split = app.next;
    app.next += 1;
    app.raw(format!("seq={split:06} first half").as_bytes());
    thread::sleep(Duration::from_millis(300));
    app.raw(b" second half\n");
    // Invalid UTF-8, then a 5 MB line (cut at the 1 MiB default), then more lines.
    let bad = app.next;
    app.next += 1;
    let mut invalid = format!("seq={bad:06} bytes ").into_bytes();
    invalid.extend_from_slice(b"\xff\xfe here\n");
    app.raw(&invalid);
    let long = app.next;
    app.next += 1;
    let mut big = format!("seq={long:06} ").into_bytes();
    big.resize(5 * 1024 * 1024, b'x');
    big.push(b'\n');
    app.raw(&big);
    app.lines(10);
    // A last line without its newline (the program crashed) is handed on after the idle time.
    let last = app.next;
    app.next += 1;
    app.raw(format!("seq={last:06} no newline").as_bytes());
    watch.wait_seqs(first..app.next);
    let objects = watch.stop_having_read_exactly(first..app.next);
    let message = |seq: u64| -> String {
        objects
            .iter()
            .find(|o| o["type"] == "entry" && seq_of(o["message"].as_str().unwrap()) == Some(seq))
            .map(|o| o["message"].as_str().unwrap().to_owned())
            .unwrap()
    };
    assert_eq!(
        message(split),
        format!("seq={split:06} first half second half")
    );
    assert_eq!(
        message(bad),
        format!("seq={bad:06} bytes \u{fffd}\u{fffd} here")
    );
    let long_message = message(long);
    assert!(long_message.ends_with("[…truncated]"));
    assert!(long_message.len() < 1024 * 1024 + 100);
    assert_eq!(message(last), format!("seq={last:06} no newline"));
    // Entry lines are where they are in the file, counting the 3 skipped at the start.
    let entry = objects
        .iter()
        .find(|o| o["type"] == "entry" && seq_of(o["message"].as_str().unwrap()) == Some(first))
        .unwrap();
    assert_eq!(entry["line"], 4);
    assert_eq!(entry["source"], "app.log");
    assert_eq!(entry["offset"], skipped);
}
both_modes!(awkward_lines);

/// Stop mid-stream, rotate while stopped, start again: the two runs together saw every line once.
fn restart_resumes_exactly(mode: &[&str]) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let args = entries_args(&[&["app.log", "--state-dir", "state"], mode].concat());
    let mut app = Writer::new(&log);
    app.lines(50);
    let mut watch = Watching::start(&env, &args);
    watch.wait_ready();
    // Lines keep coming while the watch is stopped: a writer thread appends throughout.
    let writer = thread::spawn(move || {
        for _ in 0..40 {
            app.lines(10);
            thread::sleep(Duration::from_millis(10));
        }
        app
    });
    watch.wait_seqs(51..=80);
    let (first, status, _) = watch.stop();
    assert!(status.success());
    let mut app = writer.join().unwrap();
    assert!(env.path().join("state/watch-checkpoints.json").is_file());
    // Rotated while nobody watched: the rest of the old file is under its new name.
    app.lines(20);
    fs::rename(&log, env.path().join("app.log.1")).unwrap();
    app.reopen();
    app.lines(30);
    let mut watch = Watching::start(&env, &args);
    let before = seqs(&first);
    watch.wait_seqs((51..app.next).filter(|n| !before.contains_key(n)));
    let (second, status, _) = watch.stop();
    assert!(status.success());
    let all: Vec<Value> = first.into_iter().chain(second).collect();
    assert_exactly(&all, 51..app.next);
}
both_modes!(restart_resumes_exactly);

/// A multi-line entry still waiting for more lines at shutdown is handed on then, and the
/// checkpoint is behind it: the restart neither repeats nor splits it. A line still being written
/// is left for the restart, which reads it whole.
#[test]
fn pending_multiline_entry_is_flushed_before_checkpointing() {
    let env = Env::new();
    let log = env.path().join("app.log");
    let args = entries_args(&["app.log", "--state-dir", "state", "--idle-flush", "10s"]);
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &args);
    watch.wait_ready();
    app.lines(5);
    app.raw(b"seq=000006 Traceback (most recent call last):\n  File \"app.py\", line 3\n");
    // Being written when the watch stops: left for the next run, not cut in two.
    app.raw(b"seq=000007 first");
    watch.wait_seqs(1..=5);
    let (first, status, _) = watch.stop();
    assert!(status.success());
    let flushed: Vec<&Value> = first
        .iter()
        .filter(|o| o["type"] == "entry" && seq_of(o["message"].as_str().unwrap()) == Some(6))
        .collect();
    assert_eq!(flushed.len(), 1, "{first:?}");
    assert!(flushed[0]["message"].as_str().unwrap().contains("line 3"));
    app.raw(b" second\n");
    app.next = 8;
    app.lines(2);
    let mut watch = Watching::start(&env, &args);
    watch.wait_seqs(7..=9);
    let (second, _, _) = watch.stop();
    let whole = second
        .iter()
        .find(|o| o["type"] == "entry" && seq_of(o["message"].as_str().unwrap()) == Some(7))
        .unwrap();
    assert_eq!(whole["message"], "seq=000007 first second");
    let all: Vec<Value> = first.into_iter().chain(second).collect();
    assert_exactly(&all, 1..=9);
}

#[test]
fn follows_a_thousand_files_with_one_thread() {
    let env = Env::new();
    let dir = env.path().join("many");
    fs::create_dir(&dir).unwrap();
    let mut writers: Vec<Writer> = (0..1000)
        .map(|i| {
            let mut w = Writer::new(&dir.join(format!("f{i:04}.log")));
            w.next = i + 1;
            w
        })
        .collect();
    let mut watch = Watching::start(&env, &entries_args(&["many/*.log"]));
    watch.wait_stderr("following 1000 file(s)");
    for w in &mut writers {
        w.lines(1);
    }
    watch.wait_seqs(1..=1000);
    let status = fs::read_to_string(format!("/proc/{}/status", watch.child.id())).unwrap();
    let threads: u32 = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(threads < 10, "{threads} threads for 1000 files");
    watch.stop_having_read_exactly(1..=1000);
}

/// `app | hephaestus watch`: the incident shows while the pipe is still open.
#[test]
fn stdin_pipe_reports_incidents_live() {
    let env = Env::new();
    let mut watch = Watching::start(&env, &[]);
    let log = fs::read_to_string(fixture("logs/app.log")).unwrap();
    let mut stdin = watch.stdin.take().unwrap();
    for line in log.lines() {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        thread::sleep(Duration::from_millis(50));
    }
    watch.wait_stderr("INCIDENT error ×3");
    // Echoed as it came, while still open.
    let mut echoed = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while echoed.len() < 7 && Instant::now() < deadline {
        if let Ok(line) = watch.stdout.recv_timeout(Duration::from_millis(100)) {
            echoed.push(line);
        }
    }
    assert_eq!(echoed.join("\n"), log.trim_end());
    drop(stdin);
    let status = loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "watch did not end with its input"
        );
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
}

#[test]
fn interrupt_stops_cleanly_with_the_summary() {
    let env = Env::new();
    env.write("app.log", "");
    let mut watch = Watching::start(&env, &["app.log", "-v"]);
    watch.wait_ready();
    let pid = watch.child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    let deadline = Instant::now() + PATIENCE;
    let status = loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit after SIGINT");
        thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    thread::sleep(Duration::from_millis(100));
    let stderr = watch.stderr.lock().unwrap().clone();
    assert!(stderr.contains("0 incidents"), "{stderr}");
}

/// A glob that also matches the rotated name (`logs/*`): the renamed file is the same file, not a
/// new one, so nothing is read twice.
fn glob_matching_rotated_names(mode: &[&str]) {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    let log = env.path().join("logs/app.log");
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &entries_args(&[&["logs/*"], mode].concat()));
    watch.wait_ready();
    app.lines(200);
    watch.wait_seqs(1..=1);
    fs::rename(&log, env.path().join("logs/app.log.1")).unwrap();
    app.lines(5);
    app.reopen();
    app.lines(200);
    watch.wait_seqs(app.written());
    // Long enough for the rotated file to be matched by the glob and looked at.
    thread::sleep(Duration::from_millis(2500));
    watch.stop_having_read_exactly(app.written());
}
both_modes!(glob_matching_rotated_names);

/// With too few file descriptors for inotify's event loop, the watcher cannot be made: the watch
/// says so, polls instead, and still follows the file.
#[test]
fn falls_back_to_polling_when_no_watcher_can_be_made() {
    let env = Env::new();
    env.write("app.log", "");
    let mut cmd = Command::new("sh");
    scrub(&mut cmd, &env);
    cmd.arg("-c")
        .arg("ulimit -n 5 && exec \"$0\" watch \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("hephaestus"))
        .args(entries_args(&["app.log", "--state-dir", "state"]));
    let mut watch = Watching::spawn(cmd);
    watch.wait_stderr("polling every 1s instead");
    watch.wait_ready();
    let mut app = Writer::new(&env.path().join("app.log"));
    app.lines(20);
    watch.wait_seqs(app.written());
    let (objects, status, stderr) = watch.stop();
    assert!(status.success());
    assert!(stderr.contains("max_user_instances"), "{stderr}");
    assert_exactly(&objects, app.written());
}

/// Replaced while nobody watched and the old file gone: the new file (even on a recycled inode,
/// told apart by its first bytes) is read from its start, and the user is told.
#[test]
fn file_replaced_while_away_is_read_from_its_start() {
    let env = Env::new();
    let log = env.path().join("app.log");
    let args = entries_args(&["app.log", "--state-dir", "state"]);
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &args);
    watch.wait_ready();
    app.lines(10);
    watch.wait_seqs(1..=10);
    let (first, status, _) = watch.stop();
    assert!(status.success());
    drop(app);
    fs::remove_file(&log).unwrap();
    let mut app = Writer::new(&log);
    app.next = 101;
    app.lines(30);
    let mut watch = Watching::start(&env, &args);
    watch.wait_seqs(101..=130);
    let (second, status, stderr) = watch.stop();
    assert!(status.success());
    assert!(
        stderr.contains("'app.log' was replaced while not watched"),
        "{stderr}"
    );
    let all: Vec<Value> = first.into_iter().chain(second).collect();
    assert_exactly(&all, (1..=10).chain(101..=130));
}
