//! `watch` through rotation storms, restarts and scarce descriptors: the real binary follows files
//! that a writer rotates logrotate-style (`app.log.1` → `app.log.2`, `app.log` → `app.log.1`, a new
//! `app.log`) faster than any grace period, and every test counts, from `--emit-entries`, the
//! sequence numbers lost and repeated. Each scenario runs with inotify and with `--poll`.

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Env;
use crate::watch::{
    assert_exactly, both_modes, entries_args, scrub, seq_of, seqs, Watching, Writer, PATIENCE, POLL,
};

/// logrotate's scheme: `NAME.(n-1)` → `NAME.n` down to `NAME` → `NAME.1`; the one beyond `keep`
/// is deleted.
fn rotate(log: &Path, keep: usize) {
    let generation = |n: usize| log.with_file_name(format!("{}.{n}", name(log)));
    let _ = fs::remove_file(generation(keep));
    for n in (1..keep).rev() {
        if generation(n).exists() {
            fs::rename(generation(n), generation(n + 1)).unwrap();
        }
    }
    fs::rename(log, generation(1)).unwrap();
}

fn name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// About 2,000 lines/s for `rotations` tenths of a second, rotating every tenth: after each
/// rename the program still writes a few lines to its old file before it reopens the path.
fn storm(app: &mut Writer, rotations: usize, keep: usize) {
    for _ in 0..rotations {
        for _ in 0..10 {
            app.lines(20);
            thread::sleep(Duration::from_millis(8));
        }
        rotate(&app.path.clone(), keep);
        app.lines(5);
        app.reopen();
    }
    app.lines(20);
}

fn rotation_storm(mode: &[&str], input: &str) {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    let mut app = Writer::new(&env.path().join("logs/app.log"));
    let mut watch = Watching::start(&env, &entries_args(&[&[input], mode].concat()));
    watch.wait_ready();
    // Thirty rotations at ten a second; every generation is kept, so every line can be read.
    storm(&mut app, 30, 100);
    watch.wait_seqs(app.written());
    watch.stop_having_read_exactly(app.written());
}

fn rotation_storm_of_a_named_path(mode: &[&str]) {
    rotation_storm(mode, "logs/app.log");
}
both_modes!(rotation_storm_of_a_named_path);

fn rotation_storm_under_a_glob(mode: &[&str]) {
    rotation_storm(mode, "logs/app.log*");
}
both_modes!(rotation_storm_under_a_glob);

/// Generations deleted before anyone read them are gone; the watch goes on and reads the rest
/// once.
fn generations_deleted_unread(mode: &[&str]) {
    let env = Env::new();
    let mut app = Writer::new(&env.path().join("app.log"));
    let mut watch = Watching::start(&env, &entries_args(&[&["app.log"], mode].concat()));
    watch.wait_ready();
    // Only one generation kept, rotated ten times a second.
    storm(&mut app, 20, 1);
    let first = app.next;
    app.lines(100);
    watch.wait_seqs(first..app.next);
    let (objects, status, _) = watch.stop();
    assert!(status.success());
    let repeated: Vec<_> = seqs(&objects).into_iter().filter(|(_, n)| *n > 1).collect();
    assert!(repeated.is_empty(), "read twice: {repeated:?}");
}
both_modes!(generations_deleted_unread);

/// A program writing about 2,000 lines/s to `logs/app.log`, rotated every 300 ms (every
/// generation kept), until `stop`.
struct Busy {
    stop: Arc<AtomicBool>,
    handle: JoinHandle<Writer>,
}

impl Busy {
    fn start(mut app: Writer) -> Busy {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = thread::spawn(move || {
            let mut rotated = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                app.lines(20);
                thread::sleep(Duration::from_millis(8));
                if rotated.elapsed() >= Duration::from_millis(300) {
                    rotate(&app.path.clone(), 1000);
                    app.lines(5);
                    app.reopen();
                    rotated = Instant::now();
                }
            }
            app
        });
        Busy { stop, handle }
    }

    fn finish(self) -> Writer {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

/// Stop with SIGKILL: whatever was printed, without the summary.
fn kill(mut watch: Watching) -> Vec<Value> {
    watch.child.kill().unwrap();
    watch.child.wait().unwrap();
    // The pipe is closed: the reader thread hands over the last lines, then ends. A line cut by
    // the kill is not JSON and is left out.
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match watch.stdout.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                if let Ok(value) = serde_json::from_str(&line) {
                    watch.objects.push(value);
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => continue,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    std::mem::take(&mut watch.objects)
}

/// What a series of restarts printed and left behind.
struct Restarts {
    /// Every entry printed, each with the run that printed it (`"run"`, from 0).
    entries: Vec<Value>,
    /// Sequence numbers written: `1..next`.
    next: u64,
    /// After each run but the last: the offset each file (by inode) was checkpointed at.
    saved: Vec<HashMap<u64, u64>>,
    /// Where each sequence number is: (inode, offset of its line).
    lines: HashMap<u64, (u64, u64)>,
}

/// Restarts of a glob over the rotated names while the program writes and rotates on: `restart`
/// ends each of `runs` runs; then one last run reads what is left.
fn restarts(
    mode: &[&str],
    idle_flush: &str,
    runs: usize,
    run_for: Duration,
    restart: fn(Watching) -> Vec<Value>,
) -> Restarts {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    let flags = ["logs/app.log*", "--state-dir", "state"];
    let args = entries_args(&[&flags[..], &["--idle-flush", idle_flush], mode].concat());
    let app = Writer::new(&env.path().join("logs/app.log"));
    let mut first = Some(Watching::start(&env, &args));
    first.as_mut().unwrap().wait_ready();
    let busy = Busy::start(app);
    let mut entries = Vec::new();
    let mut saved = Vec::new();
    for run in 0..runs {
        let watch = first.take().unwrap_or_else(|| {
            let mut watch = Watching::start(&env, &args);
            watch.wait_ready();
            watch
        });
        thread::sleep(run_for);
        entries.extend(tagged(restart(watch), run));
        saved.push(checkpointed(
            &env.path().join("state/watch-checkpoints.json"),
        ));
    }
    let app = busy.finish();
    let mut watch = Watching::start(&env, &args);
    let before = seqs(&entries);
    watch.wait_seqs(app.written().filter(|n| !before.contains_key(n)));
    // Long enough for every rotated file to be looked at again.
    thread::sleep(Duration::from_millis(1500));
    let (last, status, _) = watch.stop();
    assert!(status.success());
    entries.extend(tagged(last, runs));
    Restarts {
        entries,
        next: app.next,
        saved,
        lines: where_lines_are(&env.path().join("logs")),
    }
}

/// `objects`, each saying which run printed it.
fn tagged(mut objects: Vec<Value>, run: usize) -> Vec<Value> {
    for object in &mut objects {
        object["run"] = run.into();
    }
    objects
}

/// Inode → checkpointed offset, from a checkpoint file.
fn checkpointed(file: &Path) -> HashMap<u64, u64> {
    let value: Value = serde_json::from_str(&fs::read_to_string(file).unwrap()).unwrap();
    value["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let inode = r["file"]["inode"].as_u64().unwrap();
            (inode, r["at"]["offset"].as_u64().unwrap())
        })
        .collect()
}

/// Sequence number → (inode, offset) of its line, over every file in `dir`.
fn where_lines_are(dir: &Path) -> HashMap<u64, (u64, u64)> {
    let mut lines = HashMap::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let inode = fs::metadata(&path).unwrap().ino();
        let text = fs::read_to_string(&path).unwrap();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            if let Some(seq) = seq_of(line) {
                lines.insert(seq, (inode, offset));
            }
            offset += line.len() as u64;
        }
    }
    lines
}

fn clean_restarts_under_a_glob_repeat_nothing(mode: &[&str]) {
    let stop = |watch: Watching| {
        let (objects, status, _) = watch.stop();
        assert!(status.success());
        objects
    };
    let restarts = restarts(mode, "1s", 5, Duration::from_millis(800), stop);
    assert_exactly(&restarts.entries, 1..restarts.next);
}
both_modes!(clean_restarts_under_a_glob_repeat_nothing);

/// Killed without a chance to save: nothing is lost, and what is read again lies past where the
/// last save before the kill had checkpointed its file.
fn killed_restarts_under_a_glob_repeat_only_what_was_not_saved(mode: &[&str]) {
    let run_for = Duration::from_millis(2000);
    let restarts = restarts(mode, "1s", 4, run_for, kill);
    let seen = seqs(&restarts.entries);
    let missing: Vec<u64> = (1..restarts.next)
        .filter(|n| !seen.contains_key(n))
        .collect();
    assert!(missing.is_empty(), "lost: {missing:?}");
    // Where each repeated line was first printed, and whether its file's checkpoint was past it.
    let mut first_run: HashMap<u64, usize> = HashMap::new();
    for entry in restarts.entries.iter().filter(|o| o["type"] == "entry") {
        if let Some(seq) = seq_of(entry["message"].as_str().unwrap_or("")) {
            let run = entry["run"].as_u64().unwrap() as usize;
            first_run.entry(seq).or_insert(run);
        }
    }
    let repeated: Vec<u64> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(s, _)| *s)
        .collect();
    let saved_past: Vec<String> = repeated
        .iter()
        .filter_map(|seq| {
            let run = first_run[seq];
            let (inode, offset) = restarts.lines[seq];
            let saved = restarts.saved.get(run)?.get(&inode).copied();
            // The last run is stopped cleanly: it must repeat nothing at all.
            (run == restarts.saved.len() || saved.is_some_and(|s| s > offset))
                .then(|| format!("seq {seq} (run {run}, offset {offset}, saved {saved:?})"))
        })
        .collect();
    assert!(
        saved_past.is_empty(),
        "read again though checkpointed as read: {saved_past:?}"
    );
}
both_modes!(killed_restarts_under_a_glob_repeat_only_what_was_not_saved);

/// More files than descriptors: idle files are closed and reopened when they grow, every line is
/// read, and the user is told how to raise the limit.
fn more_files_than_descriptors(mode: &[&str]) {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    let mut writers: Vec<Writer> = (0..200)
        .map(|i| {
            let mut w = Writer::new(&env.path().join(format!("logs/f{i:03}.log")));
            w.next = 1 + i * 1000;
            w
        })
        .collect();
    let mut cmd = Command::new("sh");
    scrub(&mut cmd, &env);
    cmd.arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" watch \"$@\"")
        .arg(assert_cmd::cargo::cargo_bin("hephaestus"))
        .args(entries_args(&[&["logs/*.log"], mode].concat()));
    let mut watch = Watching::spawn(cmd);
    watch.wait_ready();
    for _ in 0..3 {
        for w in &mut writers {
            w.lines(2);
        }
        thread::sleep(Duration::from_millis(300));
    }
    let expected: Vec<u64> = writers
        .iter()
        .enumerate()
        .flat_map(|(i, w)| 1 + i as u64 * 1000..w.next)
        .collect();
    watch.wait_seqs(expected.clone());
    let (objects, status, stderr) = watch.stop();
    assert!(status.success());
    assert_exactly(&objects, expected);
    assert!(stderr.contains("open-file limit of 64"), "{stderr}");
    assert!(stderr.contains("`ulimit -n`"), "{stderr}");
}
both_modes!(more_files_than_descriptors);

/// Run once over 10 lines with checkpoints, let `damage` edit the checkpoint file, write 10 more
/// lines, run again: the second run reads the file whole, each line once and none in pieces, and
/// says why.
fn damaged_checkpoint(damage: fn(&str) -> String, warning: &str) {
    let env = Env::new();
    let log = env.path().join("app.log");
    let args = entries_args(&["app.log", "--state-dir", "state"]);
    let mut app = Writer::new(&log);
    let mut watch = Watching::start(&env, &args);
    watch.wait_ready();
    app.lines(10);
    watch.wait_seqs(1..=10);
    let (_, status, _) = watch.stop();
    assert!(status.success());
    let file = env.path().join("state/watch-checkpoints.json");
    let text = fs::read_to_string(&file).unwrap();
    fs::write(&file, damage(&text)).unwrap();
    app.lines(10);
    let mut watch = Watching::start(&env, &args);
    watch.wait_seqs(1..=20);
    let (second, status, stderr) = watch.stop();
    assert!(status.success());
    assert!(stderr.contains(warning), "{stderr}");
    assert_exactly(&second, 1..=20);
    let fragments: Vec<&Value> = second
        .iter()
        .filter(|o| o["type"] == "entry")
        .filter(|o| !o["message"].as_str().unwrap_or("").starts_with("seq="))
        .collect();
    assert!(fragments.is_empty(), "pieces of lines: {fragments:?}");
}

fn set_offset(text: &str, offset: u64) -> String {
    let mut value: Value = serde_json::from_str(text).unwrap();
    for record in value["files"].as_array_mut().unwrap() {
        record["at"]["offset"] = offset.into();
    }
    value.to_string()
}

#[test]
fn checkpoint_inside_a_line_reads_the_file_from_its_start() {
    damaged_checkpoint(
        |text| set_offset(text, 5),
        "reading 'app.log' from its start: its checkpoint (offset 5) is past its end or inside a line",
    );
}

#[test]
fn checkpoint_past_the_end_reads_the_file_from_its_start() {
    damaged_checkpoint(
        |text| set_offset(text, 1_000_000),
        "its checkpoint (offset 1000000) is past its end or inside a line",
    );
}

#[test]
fn checkpoints_that_are_no_json_read_their_files_from_the_start() {
    damaged_checkpoint(
        |text| text[..text.find("\"at\"").unwrap()].to_string(),
        "are damaged (not valid JSON",
    );
}

/// A link planted among the followed files, to a file elsewhere, is not read unless asked for.
fn symbolic_links(follow: bool) {
    let env = Env::new();
    fs::create_dir(env.path().join("logs")).unwrap();
    fs::create_dir(env.path().join("elsewhere")).unwrap();
    let mut a = Writer::new(&env.path().join("logs/a.log"));
    let mut secret = Writer::new(&env.path().join("elsewhere/secret.log"));
    secret.next = 1001;
    let mut other = Writer::new(&env.path().join("elsewhere/other.log"));
    other.next = 2001;
    std::os::unix::fs::symlink("../elsewhere/secret.log", env.path().join("logs/link.log"))
        .unwrap();
    std::os::unix::fs::symlink("elsewhere/other.log", env.path().join("named.log")).unwrap();
    let mut args = vec!["logs/*.log", "named.log"];
    if follow {
        args.push("--follow-symlinks");
    }
    let mut watch = Watching::start(&env, &entries_args(&args));
    watch.wait_ready();
    secret.lines(10);
    other.lines(10);
    a.lines(10);
    let mut expected: Vec<u64> = a.written().collect();
    if follow {
        expected.extend((1001..secret.next).chain(2001..other.next));
    }
    watch.wait_seqs(expected.clone());
    // A sweep later, a link would have been read too.
    thread::sleep(Duration::from_millis(1500));
    let (objects, status, stderr) = watch.stop();
    assert!(status.success());
    assert_exactly(&objects, expected);
    let warned = [
        "not following 'logs/link.log': it is a symbolic link",
        "not following 'named.log': it is a symbolic link",
    ];
    for warning in warned {
        assert_eq!(stderr.contains(warning), !follow, "{stderr}");
        assert!(
            stderr.matches(warning).count() <= 1,
            "said more than once: {stderr}"
        );
    }
}

#[test]
fn symbolic_links_are_skipped_with_a_warning() {
    symbolic_links(false);
}

#[test]
fn symbolic_links_are_read_with_follow_symlinks() {
    symbolic_links(true);
}
