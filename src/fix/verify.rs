//! The verification ladder: every proposed change is compiled, verified and reproduced in a
//! temporary copy of HEAD with the patch applied before anyone is shown it.
//!
//! Rungs, in order; the first that fails stops the ladder and drops the solution:
//! 1. `compile`: each edited file by its language: `python3 -m py_compile`, `node --check`,
//!    `javac` (only for code that needs nothing beyond the JDK and the repository itself), and
//!    `cargo check --offline` (only when the crate's dependencies are already on this machine),
//!    and `go build ./...` (off the network, in the module of the edited files).
//!    The YAML/JSON/TOML re-parse done by [`validate::check`](super::validate::check) is reported
//!    here too.
//! 2. `verify`: the user's `fix.verify` command.
//! 3. `reproduce`: the user's `fix.reproduce` command, the one that crashed: it must now exit 0
//!    without printing the incident's exception.
//!
//! Invariants: nothing runs in the user's tree (the copy and every build output live in one
//! temporary directory, removed afterwards); every command has the `fix.verify_timeout` and is
//! killed with what it started when it overruns; a rung whose tool is absent or cannot run is
//! `skipped`, never `passed`, so a solution never claims a check that did not run.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use wait_timeout::ChildExt;

use super::repo::Snapshot;
use super::validate::Checked;
use super::FixError;

/// How much of a command's output is kept (its start); enough for any exception headline.
const MAX_OUTPUT: u64 = 4 * 1024 * 1024;

/// How long probing a tool (`python3 --version`) may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(30);

/// A rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Compile,
    Verify,
    Reproduce,
}

impl Step {
    /// The name of the rung, as JSON and the report write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Compile => "compile",
            Step::Verify => "verify",
            Step::Reproduce => "reproduce",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a rung ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    Failed,
    /// Not run: no tool for the file, the tool is absent, or no command is configured.
    Skipped,
}

/// One rung as it ran, carried by the solution (`solutions[].verification`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rung {
    pub step: Step,
    /// What ran, e.g. `python3 -m py_compile app/jobs.py`; what would have run when skipped
    /// (empty when nothing could).
    pub command: String,
    pub result: Outcome,
    /// Wall time, in hundredths.
    pub seconds: f64,
    /// Why it was skipped, or the line that says why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The tail of a failed command's output, for `-v`.
    #[serde(skip)]
    pub output: String,
}

impl Rung {
    fn passed(step: Step, command: impl Into<String>, seconds: f64) -> Rung {
        Rung {
            step,
            command: command.into(),
            result: Outcome::Passed,
            seconds: round(seconds),
            reason: None,
            output: String::new(),
        }
    }

    fn skipped(step: Step, command: impl Into<String>, why: impl Into<String>) -> Rung {
        Rung {
            step,
            command: command.into(),
            result: Outcome::Skipped,
            seconds: 0.0,
            reason: Some(why.into()),
            output: String::new(),
        }
    }

    fn failed(step: Step, command: impl Into<String>, run: &Run, why: String) -> Rung {
        Rung {
            step,
            command: command.into(),
            result: Outcome::Failed,
            seconds: round(run.seconds),
            reason: Some(why),
            output: tail(&run.output, 5),
        }
    }
}

/// What the ladder runs besides the compilers.
#[derive(Debug, Clone, Copy)]
pub struct Ladder<'a> {
    /// Whether to compile the edited files (the `compile` rung is skipped otherwise).
    pub compile: bool,
    /// `fix.verify`.
    pub verify: Option<&'a str>,
    /// `fix.reproduce`.
    pub reproduce: Option<&'a str>,
    /// `fix.verify_timeout`, for each command.
    pub timeout: Duration,
    /// What the crash printed (`KeyError: 'timeout'`), which `reproduce` must no longer print.
    pub headline: Option<&'a str>,
}

/// Run the ladder for a checked patch; stops after the first failed rung (the last one returned).
pub fn climb(
    repo: &Snapshot,
    checked: &Checked,
    ladder: &Ladder<'_>,
) -> Result<Vec<Rung>, FixError> {
    let work = Workspace::new(repo, &checked.patched)?;
    let mut rungs = if ladder.compile {
        compile(&work, checked, ladder.timeout)?
    } else {
        vec![Rung::skipped(Step::Compile, "", "compilers are off")]
    };
    if any_failed(&rungs) {
        return Ok(rungs);
    }
    rungs.push(match ladder.verify {
        Some(command) => verify(&work.tree(), command, ladder.timeout)?,
        None => Rung::skipped(Step::Verify, "", "fix.verify is not set"),
    });
    if any_failed(&rungs) {
        return Ok(rungs);
    }
    rungs.push(match ladder.reproduce {
        Some(command) => reproduce(&work.tree(), command, ladder.headline, ladder.timeout)?,
        None => Rung::skipped(Step::Reproduce, "", "fix.reproduce is not set"),
    });
    Ok(rungs)
}

/// Whether a rung failed.
pub fn any_failed(rungs: &[Rung]) -> bool {
    rungs.iter().any(|r| r.result == Outcome::Failed)
}

/// Whether `step` ran and passed (and none of its rungs failed).
pub fn passed(rungs: &[Rung], step: Step) -> bool {
    let of_step: Vec<&Rung> = rungs.iter().filter(|r| r.step == step).collect();
    of_step.iter().all(|r| r.result != Outcome::Failed)
        && of_step.iter().any(|r| r.result == Outcome::Passed)
}

/// The compile rungs: one per tool run, or one `skipped` when no edited file has a compiler.
fn compile(work: &Workspace, checked: &Checked, timeout: Duration) -> Result<Vec<Rung>, FixError> {
    let tree = work.tree();
    let mut rungs: Vec<Rung> = checked
        .reparsed
        .iter()
        .map(|file| Rung::passed(Step::Compile, format!("re-parse {file}"), 0.0))
        .collect();
    let by_ext = |exts: &[&str]| -> Vec<&str> {
        checked
            .files
            .iter()
            .map(String::as_str)
            .filter(|f| exts.contains(&extension(f).as_str()))
            .collect()
    };
    let python_files = by_ext(&["py"]);
    if !python_files.is_empty() {
        rungs.push(python(&tree, &python_files, timeout)?);
    }
    for file in by_ext(&["js", "cjs", "mjs"]) {
        if any_failed(&rungs) {
            break;
        }
        rungs.push(node(&tree, file, timeout)?);
    }
    let java_files = by_ext(&["java"]);
    if !java_files.is_empty() && !any_failed(&rungs) {
        rungs.push(java(
            &tree,
            &java_files,
            &work.scratch("javac-out"),
            timeout,
        )?);
    }
    let rust_files = by_ext(&["rs"]);
    if !rust_files.is_empty() && !any_failed(&rungs) {
        rungs.push(rust(
            &tree,
            &rust_files,
            &work.scratch("cargo-target"),
            timeout,
        )?);
    }
    let go_files = by_ext(&["go"]);
    if !go_files.is_empty() && !any_failed(&rungs) {
        rungs.push(go(&tree, &go_files, &work.scratch("go"), timeout)?);
    }
    if rungs.is_empty() {
        rungs.push(Rung::skipped(
            Step::Compile,
            "",
            format!("no compiler for {}", checked.files.join(", ")),
        ));
    }
    Ok(rungs)
}

/// `python3 -m py_compile FILES` in `dir`.
pub fn python(dir: &Path, files: &[&str], timeout: Duration) -> Result<Rung, FixError> {
    let command = format!("python3 -m py_compile {}", files.join(" "));
    if let Some(why) = unavailable(dir, "python3", "--version")? {
        return Ok(Rung::skipped(Step::Compile, command, why));
    }
    let mut cmd = Command::new("python3");
    cmd.args(["-m", "py_compile"]).args(files);
    tool_rung(dir, cmd, command, timeout)
}

/// `node --check FILE` in `dir`.
pub fn node(dir: &Path, file: &str, timeout: Duration) -> Result<Rung, FixError> {
    let command = format!("node --check {file}");
    if let Some(why) = unavailable(dir, "node", "--version")? {
        return Ok(Rung::skipped(Step::Compile, command, why));
    }
    let mut cmd = Command::new("node");
    cmd.arg("--check").arg(file);
    tool_rung(dir, cmd, command, timeout)
}

/// `javac -d OUT -sourcepath ROOTS FILES` in `dir`, when every import of the code javac reaches
/// from `files` is the JDK's or the tree's own: a build tool's dependencies are invisible to plain
/// javac, and a missing one would fail a correct change.
pub fn java(dir: &Path, files: &[&str], out: &Path, timeout: Duration) -> Result<Rung, FixError> {
    let sources = java_sources(dir);
    if let Some(file) = files
        .iter()
        .find(|f| !sources.iter().any(|s| s.path == **f))
    {
        return Ok(Rung::skipped(
            Step::Compile,
            "",
            format!("the package of '{file}' does not match its path"),
        ));
    }
    let command = |roots: &str| format!("javac -d <tmp> -sourcepath {roots} {}", files.join(" "));
    let sourcepath = match reach(&sources, files) {
        Ok(roots) => roots.into_iter().collect::<Vec<_>>().join(":"),
        Err(import) => {
            return Ok(Rung::skipped(
                Step::Compile,
                command("…"),
                format!("'{import}' is neither the JDK's nor in the repository"),
            ))
        }
    };
    let command = command(&sourcepath);
    if let Some(why) = unavailable(dir, "javac", "-version")? {
        return Ok(Rung::skipped(Step::Compile, command, why));
    }
    let mut cmd = Command::new("javac");
    cmd.arg("-d")
        .arg(out)
        .args(["-proc:none", "-implicit:class", "-sourcepath"])
        .arg(&sourcepath)
        .args(files);
    tool_rung(dir, cmd, command, timeout)
}

/// `cargo check --offline --quiet` in the crate of the edited files, with its own target
/// directory `target`, when the crate's dependencies are already on this machine.
pub fn rust(
    dir: &Path,
    files: &[&str],
    target: &Path,
    timeout: Duration,
) -> Result<Rung, FixError> {
    let command = "cargo check --offline --quiet";
    let Some(krate) = files.iter().find_map(|f| crate_of(dir, f)) else {
        return Ok(Rung::skipped(
            Step::Compile,
            command,
            format!("no Cargo.toml above {}", files.join(", ")),
        ));
    };
    if let Some(why) = unavailable(&krate, "cargo", "--version")? {
        return Ok(Rung::skipped(Step::Compile, command, why));
    }
    let mut fetch = Command::new("cargo");
    fetch.args(["fetch", "--offline", "--quiet"]);
    fetch.env("CARGO_TARGET_DIR", target);
    let fetched = run(&krate, fetch, timeout)?;
    if !fetched.status.is_some_and(|s| s.success()) {
        return Ok(Rung::skipped(
            Step::Compile,
            command,
            format!(
                "the crate's dependencies are not available offline: {}",
                first_error(&fetched.output)
            ),
        ));
    }
    let mut cmd = Command::new("cargo");
    cmd.args(["check", "--offline", "--quiet"]);
    cmd.env("CARGO_TARGET_DIR", target);
    tool_rung(&krate, cmd, command.to_string(), timeout)
}

/// `go build ./...` in the module of the edited files (the nearest go.mod), off the network: no
/// proxy, no toolchain download, and a build cache, GOPATH and output of its own under `scratch`.
/// A module whose dependencies are not in that empty module cache is skipped, not failed.
pub fn go(dir: &Path, files: &[&str], scratch: &Path, timeout: Duration) -> Result<Rung, FixError> {
    let command = "go build ./...";
    let Some(module) = files.iter().find_map(|f| nearest(dir, f, "go.mod")) else {
        return Ok(Rung::skipped(
            Step::Compile,
            command,
            format!("no go.mod above {}", files.join(", ")),
        ));
    };
    if let Some(why) = unavailable(&module, "go", "version")? {
        return Ok(Rung::skipped(Step::Compile, command, why));
    }
    let env = |cmd: &mut Command| {
        cmd.env("GOFLAGS", "-mod=mod")
            .env("GOPROXY", "off")
            .env("GOTOOLCHAIN", "local")
            .env("GOWORK", "off")
            .env("GOCACHE", scratch.join("cache"))
            .env("GOPATH", scratch.join("path"))
            .env("GOMODCACHE", scratch.join("path/pkg/mod"));
    };
    let mut fetch = Command::new("go");
    fetch.args(["mod", "download"]);
    env(&mut fetch);
    let fetched = run(&module, fetch, timeout)?;
    if !fetched.status.is_some_and(|s| s.success()) {
        return Ok(Rung::skipped(
            Step::Compile,
            command,
            format!(
                "the module's dependencies are not available offline: {}",
                first_error(&fetched.output)
            ),
        ));
    }
    let mut out = scratch.join("out").into_os_string();
    out.push("/");
    let mut cmd = Command::new("go");
    cmd.arg("build").arg("-o").arg(out).arg("./...");
    env(&mut cmd);
    tool_rung(&module, cmd, command.to_string(), timeout)
}

/// The user's `fix.verify` command with `sh -c` in `dir`: passes iff it exits 0.
pub fn verify(dir: &Path, command: &str, timeout: Duration) -> Result<Rung, FixError> {
    let run = run(dir, shell(command), timeout)?;
    Ok(match ended(&run, timeout) {
        Ok(()) => Rung::passed(Step::Verify, command, run.seconds),
        Err(why) => Rung::failed(Step::Verify, command, &run, why),
    })
}

/// The user's `fix.reproduce` command with `sh -c` in `dir`: passes iff it exits 0 and its output
/// no longer holds `headline`, the exception the crash printed.
pub fn reproduce(
    dir: &Path,
    command: &str,
    headline: Option<&str>,
    timeout: Duration,
) -> Result<Rung, FixError> {
    let run = run(dir, shell(command), timeout)?;
    if let Err(why) = ended(&run, timeout) {
        return Ok(Rung::failed(Step::Reproduce, command, &run, why));
    }
    if let Some(headline) = headline.filter(|h| !h.is_empty() && run.output.contains(*h)) {
        let why = format!("exited 0 but still printed '{headline}'");
        return Ok(Rung::failed(Step::Reproduce, command, &run, why));
    }
    Ok(Rung::passed(Step::Reproduce, command, run.seconds))
}

fn shell(command: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(command);
    cmd
}

/// Run a compiler: passes iff it exits 0.
fn tool_rung(
    dir: &Path,
    cmd: Command,
    command: String,
    timeout: Duration,
) -> Result<Rung, FixError> {
    let run = run(dir, cmd, timeout)?;
    Ok(match ended(&run, timeout) {
        Ok(()) => Rung::passed(Step::Compile, command, run.seconds),
        Err(why) => Rung::failed(Step::Compile, command, &run, why),
    })
}

/// `Ok` when `run` exited 0, else the one line that says why not.
fn ended(run: &Run, timeout: Duration) -> Result<(), String> {
    match run.status {
        None => Err(format!(
            "did not finish within {}",
            humantime::format_duration(timeout)
        )),
        Some(s) if s.success() => Ok(()),
        Some(s) => {
            let line = first_error(&run.output);
            Err(if line.is_empty() {
                format!("failed ({s})")
            } else {
                format!("failed: {line}")
            })
        }
    }
}

/// Why `tool` cannot be used in `dir` (absent from PATH, or it does not run), or `None`.
fn unavailable(dir: &Path, tool: &str, version_flag: &str) -> Result<Option<String>, FixError> {
    let mut cmd = Command::new(tool);
    cmd.arg(version_flag);
    match run(dir, cmd, PROBE_TIMEOUT) {
        Ok(r) if r.status.is_some_and(|s| s.success()) => Ok(None),
        Ok(r) => Ok(Some(format!(
            "{tool} does not run: {}",
            first_error(&r.output)
        ))),
        Err(FixError::Verify { cause: source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            Ok(Some(format!("{tool} is not on PATH")))
        }
        Err(e) => Err(e),
    }
}

/// How a command ended: its status (`None` when killed at the timeout), the start of its
/// combined output, and its wall time.
struct Run {
    status: Option<ExitStatus>,
    output: String,
    seconds: f64,
}

/// Run `cmd` in `dir`, stdin closed, stdout and stderr to one file, in its own process group so
/// that a timeout kills what it started too, and without the tokens in its environment.
fn run(dir: &Path, mut cmd: Command, timeout: Duration) -> Result<Run, FixError> {
    let shown = format!("{cmd:?}");
    let io = |what: String, cause: std::io::Error| FixError::Verify { what, cause };
    // A file, not a pipe: a pipe nobody drains could block the command.
    let mut log = tempfile::tempfile().map_err(|e| io("create the verify log".into(), e))?;
    let out = log
        .try_clone()
        .map_err(|e| io("create the verify log".into(), e))?;
    let err = log
        .try_clone()
        .map_err(|e| io("create the verify log".into(), e))?;
    for var in crate::config::SECRET_VARS {
        cmd.env_remove(var);
    }
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| io(format!("run {shown}"), e))?;
    let status = child
        .wait_timeout(timeout)
        .map_err(|e| io(format!("wait for {shown}"), e))?;
    if status.is_none() {
        let pgid = nix::unistd::Pid::from_raw(child.id() as i32);
        let _ = nix::sys::signal::killpg(pgid, nix::sys::signal::Signal::SIGKILL);
        let _ = child.wait();
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut bytes = Vec::new();
    let _ = log.rewind();
    let _ = log.take(MAX_OUTPUT).read_to_end(&mut bytes);
    // Paths inside the copy read as paths of the repository.
    let prefix = format!("{}/", dir.display());
    let output = String::from_utf8_lossy(&bytes).replace(&prefix, "");
    Ok(Run {
        status,
        output,
        seconds,
    })
}

/// The line of `output` that says what went wrong: the first that mentions an error, else the
/// last non-empty one.
fn first_error(output: &str) -> String {
    let lines = || output.lines().map(str::trim).filter(|l| !l.is_empty());
    let line = lines()
        .find(|l| l.to_ascii_lowercase().contains("error"))
        .or_else(|| lines().next_back())
        .unwrap_or("");
    super::generator::excerpt(line, 200)
}

fn tail(output: &str, n: usize) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn round(seconds: f64) -> f64 {
    (seconds * 100.0).round() / 100.0
}

fn extension(file: &str) -> String {
    Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The directory of the crate holding `file`: the nearest with a Cargo.toml.
fn crate_of(dir: &Path, file: &str) -> Option<PathBuf> {
    nearest(dir, file, "Cargo.toml")
}

/// The nearest directory above `file`, inside `dir`, that holds `manifest`.
fn nearest(dir: &Path, file: &str, manifest: &str) -> Option<PathBuf> {
    let mut at = dir.join(file);
    while at.pop() {
        if !at.starts_with(dir) {
            return None;
        }
        if at.join(manifest).is_file() {
            return Some(at);
        }
    }
    None
}

/// A Java source of the tree: where it is, the root its package starts from, what it imports.
struct JavaSource {
    /// Relative to the tree.
    path: String,
    /// `src/main/java`, or `.` for the default package at the top.
    root: String,
    /// `com.shop.Product`.
    class: String,
    package: String,
    imports: Vec<String>,
}

/// Every `.java` file of the tree whose package matches its path.
fn java_sources(dir: &Path) -> Vec<JavaSource> {
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    files
        .into_iter()
        .filter(|f| f.ends_with(".java"))
        .filter_map(|path| {
            let text = fs::read_to_string(dir.join(&path)).ok()?;
            let (package, imports) = java_header(&text);
            let (parent, name) = match path.rsplit_once('/') {
                Some((parent, name)) => (parent, name),
                None => ("", path.as_str()),
            };
            let package_dir = package.replace('.', "/");
            let root = if package.is_empty() {
                parent
            } else if parent == package_dir {
                ""
            } else {
                parent.strip_suffix(&format!("/{package_dir}"))?
            };
            let stem = name.strip_suffix(".java")?;
            let class = if package.is_empty() {
                stem.to_string()
            } else {
                format!("{package}.{stem}")
            };
            Some(JavaSource {
                root: if root.is_empty() {
                    ".".into()
                } else {
                    root.into()
                },
                path,
                class,
                package,
                imports,
            })
        })
        .collect()
}

/// A file's `package` and its imports (static ones by their class), from the lines that start
/// with those words.
fn java_header(text: &str) -> (String, Vec<String>) {
    let mut package = String::new();
    let mut imports = Vec::new();
    for line in text.lines().map(str::trim) {
        let statement = |word: &str| {
            line.strip_prefix(word)
                .filter(|rest| rest.starts_with(char::is_whitespace))
                .map(|rest| rest.trim().trim_end_matches(';').trim().to_string())
        };
        if let Some(p) = statement("package") {
            package = p;
        } else if let Some(i) = statement("import") {
            let i = i.strip_prefix("static ").map(str::trim).unwrap_or(&i);
            imports.push(i.trim_end_matches(".*").to_string());
        }
    }
    (package, imports)
}

/// The source roots of the code reachable from `files`, or the first import of that code that is
/// neither the JDK's nor a class or package of the tree. Reachable: the files, the classes and
/// packages they import from the tree, the classes of their own package under the same root (used
/// without an import), and so on; code javac never reaches (tests importing JUnit under another
/// root, say) does not matter.
fn reach(sources: &[JavaSource], files: &[&str]) -> Result<BTreeSet<String>, String> {
    let is_class = |name: &str| sources.iter().any(|s| s.class == name);
    let is_package = |name: &str| sources.iter().any(|s| s.package == name);
    // The tree's class an import names (`a.B`, `a.B.Inner`, `a.B.member`), or its package.
    let resolve = |import: &str| -> Option<String> {
        if is_package(import) {
            return Some(import.to_string());
        }
        let mut prefix = import;
        loop {
            if is_class(prefix) {
                return Some(prefix.to_string());
            }
            prefix = prefix.rsplit_once('.')?.0;
        }
    };
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut roots = BTreeSet::new();
    let mut todo: Vec<&JavaSource> = sources
        .iter()
        .filter(|s| files.contains(&s.path.as_str()))
        .collect();
    while let Some(source) = todo.pop() {
        if !seen.insert(&source.path) {
            continue;
        }
        roots.insert(source.root.clone());
        todo.extend(
            sources
                .iter()
                .filter(|s| s.root == source.root && s.package == source.package),
        );
        let mut reached = Vec::new();
        for import in &source.imports {
            if import.starts_with("java.") || import.starts_with("javax.") {
                continue;
            }
            match resolve(import) {
                Some(found) => reached.push(found),
                None => return Err(import.clone()),
            }
        }
        todo.extend(
            sources
                .iter()
                .filter(|s| reached.iter().any(|r| s.class == *r || s.package == *r))
                .filter(|s| !seen.contains(s.path.as_str())),
        );
    }
    Ok(roots)
}

/// Regular files under `dir`, relative to `root`, `/`-separated.
fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(root, &path, out);
        } else if kind.is_file() {
            if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
}

/// A temporary copy of HEAD with the patch written over it (`tree/`), and room for build outputs
/// beside it; removed when dropped.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new(repo: &Snapshot, patched: &BTreeMap<String, String>) -> Result<Workspace, FixError> {
        let io = |what: &str, source: std::io::Error| FixError::Verify {
            what: what.to_string(),
            cause: source,
        };
        let dir = tempfile::Builder::new()
            .prefix("hephaestus-verify-")
            .tempdir()
            .map_err(|e| io("create a temporary directory", e))?;
        // The copy holds the repository's code and whatever its build writes: its owner's only.
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700))
                .map_err(|e| io("create a temporary directory", e))?;
        }
        let tree = dir.path().join("tree");
        fs::create_dir_all(&tree).map_err(|e| io("write the verify copy", e))?;
        for file in repo.files() {
            let Some(bytes) = repo.read_bytes(file) else {
                continue;
            };
            let bytes = match patched.get(file) {
                Some(text) => text.as_bytes().to_vec(),
                None => bytes,
            };
            let path = tree.join(file);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io("write the verify copy", e))?;
            }
            fs::write(&path, bytes).map_err(|e| io("write the verify copy", e))?;
            if repo.executable(file) {
                use std::os::unix::fs::PermissionsExt;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o755))
                    .map_err(|e| io("write the verify copy", e))?;
            }
        }
        for (link, target) in repo.links() {
            let path = tree.join(link);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).map_err(|e| io("write the verify copy", e))?;
            }
            // A link the copy cannot hold (a path through another link) is left out.
            let _ = std::os::unix::fs::symlink(target, &path);
        }
        Ok(Workspace { dir })
    }

    fn tree(&self) -> PathBuf {
        self.dir.path().join("tree")
    }

    /// A directory beside the tree for a tool's output.
    fn scratch(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::repo;

    const T: Duration = Duration::from_secs(60);

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn python_compile_fails_on_a_syntax_error_and_says_where() {
        let dir = tree(&[
            ("app/ok.py", "x = {'a': 1}\n"),
            ("app/jobs.py", "def run(cfg):\n    return cfg.get('a'\n"),
        ]);
        let ok = python(dir.path(), &["app/ok.py"], T).unwrap();
        assert_eq!(ok.result, Outcome::Passed, "{ok:?}");
        assert_eq!(ok.command, "python3 -m py_compile app/ok.py");
        let bad = python(dir.path(), &["app/jobs.py"], T).unwrap();
        assert_eq!(bad.result, Outcome::Failed, "{bad:?}");
        let why = bad.reason.unwrap();
        assert!(
            why.starts_with("failed: ") && why.contains("SyntaxError"),
            "{why}"
        );
        assert!(!why.contains('\n'), "{why}");
    }

    #[test]
    fn node_check_fails_on_a_syntax_error() {
        let dir = tree(&[
            ("lib/ok.mjs", "export const f = (a) => a?.b;\n"),
            ("lib/x.js", "function f(a) {\n  return a.b?.;\n}\n"),
        ]);
        assert_eq!(
            node(dir.path(), "lib/ok.mjs", T).unwrap().result,
            Outcome::Passed
        );
        let bad = node(dir.path(), "lib/x.js", T).unwrap();
        assert_eq!(bad.command, "node --check lib/x.js");
        assert_eq!(bad.result, Outcome::Failed, "{bad:?}");
        assert!(bad.reason.unwrap().contains("SyntaxError"));
        // The path reads as the repository's, not the temporary copy's.
        assert!(!bad.output.contains(&dir.path().display().to_string()));
    }

    #[test]
    fn javac_compiles_from_the_source_root_and_fails_on_a_type_error() {
        let product = "package com.shop;\n\nimport java.util.List;\n\npublic class Product {\n    public List<String> tags() { return List.of(); }\n}\n";
        let main_ok = "package com.shop.app;\n\nimport com.shop.Product;\n\npublic class Main {\n    public static void main(String[] a) { System.out.println(new Product().tags().size()); }\n}\n";
        let main_bad = main_ok.replace(".size()", ".sizes()");
        let out = tempfile::tempdir().unwrap();
        let dir = tree(&[
            ("src/main/java/com/shop/Product.java", product),
            ("src/main/java/com/shop/app/Main.java", main_ok),
        ]);
        let ok = java(
            dir.path(),
            &["src/main/java/com/shop/app/Main.java"],
            out.path(),
            T,
        )
        .unwrap();
        assert_eq!(ok.result, Outcome::Passed, "{ok:?}");
        assert!(
            ok.command.contains("-sourcepath src/main/java "),
            "{}",
            ok.command
        );
        fs::write(
            dir.path().join("src/main/java/com/shop/app/Main.java"),
            &main_bad,
        )
        .unwrap();
        let bad = java(
            dir.path(),
            &["src/main/java/com/shop/app/Main.java"],
            out.path(),
            T,
        )
        .unwrap();
        assert_eq!(bad.result, Outcome::Failed, "{bad:?}");
        assert!(bad.reason.unwrap().contains("error"));
        // A dependency javac cannot see: skipped, not failed.
        let dir = tree(&[(
            "src/main/java/com/shop/Product.java",
            "package com.shop;\n\nimport com.google.gson.Gson;\n\npublic class Product {}\n",
        )]);
        let skipped = java(
            dir.path(),
            &["src/main/java/com/shop/Product.java"],
            out.path(),
            T,
        )
        .unwrap();
        assert_eq!(skipped.result, Outcome::Skipped, "{skipped:?}");
        assert!(skipped.reason.unwrap().contains("com.google.gson.Gson"));
        // Code javac never reaches from the edited file does not matter: a test importing JUnit.
        let dir = tree(&[
            ("src/main/java/com/shop/Product.java", product),
            (
                "src/main/java/com/shop/Price.java",
                "package com.shop;\n\nimport com.shop.app.Main;\n\nclass Price {}\n",
            ),
            ("src/main/java/com/shop/app/Main.java", main_ok),
            (
                "src/test/java/com/shop/ProductTest.java",
                "package com.shop;\n\nimport org.junit.Test;\n\npublic class ProductTest {}\n",
            ),
        ]);
        let ok = java(
            dir.path(),
            &["src/main/java/com/shop/app/Main.java"],
            out.path(),
            T,
        )
        .unwrap();
        assert_eq!(ok.result, Outcome::Passed, "{ok:?}");
        // But a class of the same package is reached without an import.
        fs::write(
            dir.path().join("src/main/java/com/shop/Price.java"),
            "package com.shop;\n\nimport com.google.gson.Gson;\n\nclass Price {}\n",
        )
        .unwrap();
        let skipped = java(
            dir.path(),
            &["src/main/java/com/shop/app/Main.java"],
            out.path(),
            T,
        )
        .unwrap();
        assert_eq!(skipped.result, Outcome::Skipped, "{skipped:?}");
    }

    #[test]
    fn cargo_check_fails_on_a_type_error() {
        let manifest =
            "[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n";
        let ok = "fn main() {\n    let v: Vec<u32> = vec![1];\n    println!(\"{}\", v.first().copied().unwrap_or_default());\n}\n";
        let out = tempfile::tempdir().unwrap();
        let dir = tree(&[("Cargo.toml", manifest), ("src/main.rs", ok)]);
        let rung = rust(dir.path(), &["src/main.rs"], out.path(), T).unwrap();
        if rung.result == Outcome::Skipped {
            // No toolchain reachable from this environment: the rung says so, never "passed".
            assert!(rung.reason.is_some(), "{rung:?}");
            return;
        }
        assert_eq!(rung.result, Outcome::Passed, "{rung:?}");
        // `Option<&u32>` has no default: the band-aid does not compile.
        let bad = ok.replace(".copied().unwrap_or_default()", ".unwrap_or_default()");
        fs::write(dir.path().join("src/main.rs"), bad).unwrap();
        let rung = rust(dir.path(), &["src/main.rs"], out.path(), T).unwrap();
        assert_eq!(rung.result, Outcome::Failed, "{rung:?}");
        assert!(rung.reason.unwrap().contains("error"));
    }

    #[test]
    fn rust_outside_a_crate_is_skipped() {
        let dir = tree(&[("tools/gen.rs", "fn main() {}\n")]);
        let out = tempfile::tempdir().unwrap();
        let rung = rust(dir.path(), &["tools/gen.rs"], out.path(), T).unwrap();
        assert_eq!(rung.result, Outcome::Skipped);
        assert_eq!(
            rung.reason.as_deref(),
            Some("no Cargo.toml above tools/gen.rs")
        );
        let dir = tree(&[
            ("Cargo.toml", "[package]\n"),
            ("src/main.rs", "fn main() {}\n"),
        ]);
        assert_eq!(
            crate_of(dir.path(), "src/main.rs"),
            Some(dir.path().to_path_buf())
        );
    }

    #[test]
    fn go_build_fails_on_a_type_error_and_skips_outside_a_module() {
        let ok = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tm := map[string]int{}\n\tm[\"a\"]++\n\tfmt.Println(m)\n}\n";
        let scratch = tempfile::tempdir().unwrap();
        let dir = tree(&[("go.mod", "module x\n\ngo 1.19\n"), ("cmd/x/main.go", ok)]);
        let rung = go(dir.path(), &["cmd/x/main.go"], scratch.path(), T).unwrap();
        if rung.result == Outcome::Skipped {
            // No Go toolchain here: the rung says so, never "passed".
            assert!(rung.reason.is_some(), "{rung:?}");
            return;
        }
        assert_eq!(rung.result, Outcome::Passed, "{rung:?}");
        assert!(
            !dir.path().join("x").exists(),
            "a binary was written into the tree"
        );
        fs::write(
            dir.path().join("cmd/x/main.go"),
            ok.replace(
                "m := map[string]int{}",
                "var m map[string]int = nil\n\tm = 1",
            ),
        )
        .unwrap();
        let rung = go(dir.path(), &["cmd/x/main.go"], scratch.path(), T).unwrap();
        assert_eq!(rung.result, Outcome::Failed, "{rung:?}");
        let dir = tree(&[("main.go", ok)]);
        let rung = go(dir.path(), &["main.go"], scratch.path(), T).unwrap();
        assert_eq!(rung.result, Outcome::Skipped);
        assert_eq!(rung.reason.as_deref(), Some("no go.mod above main.go"));
    }

    #[test]
    fn an_absent_tool_is_skipped_never_passed() {
        let dir = tree(&[("a.txt", "x\n")]);
        let why = unavailable(dir.path(), "hephaestus-no-such-tool", "--version").unwrap();
        assert_eq!(
            why.as_deref(),
            Some("hephaestus-no-such-tool is not on PATH")
        );
        let why = unavailable(dir.path(), "false", "--version").unwrap();
        assert!(why.is_some_and(|w| w.starts_with("false does not run")));
    }

    #[test]
    fn reproduce_must_exit_zero_and_no_longer_print_the_exception() {
        let dir = tree(&[("a.txt", "x\n")]);
        let h = Some("KeyError: 'host'");
        assert_eq!(
            reproduce(dir.path(), "echo started", h, T).unwrap().result,
            Outcome::Passed
        );
        let still = reproduce(dir.path(), "echo \"KeyError: 'host'\"", h, T).unwrap();
        assert_eq!(still.result, Outcome::Failed);
        assert_eq!(
            still.reason.as_deref(),
            Some("exited 0 but still printed 'KeyError: 'host''")
        );
        let exit = reproduce(dir.path(), "echo boom >&2; exit 3", h, T).unwrap();
        assert_eq!(exit.reason.as_deref(), Some("failed: boom"));
    }

    #[test]
    fn the_ladder_runs_on_a_copy_with_the_patch() {
        let dir = repo(&[
            ("a.txt", "old\n"),
            ("run.sh", "#!/bin/sh\ngrep -q new a.txt\n"),
        ]);
        let snap = Snapshot::open(dir.path()).unwrap();
        let mut patched = BTreeMap::new();
        patched.insert("a.txt".to_string(), "new\n".to_string());
        let checked = Checked {
            files: vec!["a.txt".into()],
            patched: patched.clone(),
            diff: String::new(),
            reparsed: Vec::new(),
        };
        let ladder = Ladder {
            compile: true,
            verify: Some("sh run.sh && touch made"),
            reproduce: None,
            timeout: T,
            headline: None,
        };
        let rungs = climb(&snap, &checked, &ladder).unwrap();
        let results: Vec<_> = rungs.iter().map(|r| (r.step, r.result)).collect();
        assert_eq!(
            results,
            [
                (Step::Compile, Outcome::Skipped),
                (Step::Verify, Outcome::Passed),
                (Step::Reproduce, Outcome::Skipped),
            ]
        );
        assert!(passed(&rungs, Step::Verify) && !passed(&rungs, Step::Compile));
        assert!(!dir.path().join("made").exists(), "ran in the repository");
        assert_eq!(
            fs::read_to_string(dir.path().join("a.txt")).unwrap(),
            "old\n"
        );

        let work = Workspace::new(&snap, &BTreeMap::new()).unwrap();
        let failed = verify(&work.tree(), "sh run.sh || { echo nope; exit 3; }", T).unwrap();
        assert_eq!(failed.result, Outcome::Failed);
        assert_eq!(failed.reason.as_deref(), Some("failed: nope"));
        let slow = verify(&work.tree(), "sleep 30", Duration::from_millis(200)).unwrap();
        assert_eq!(slow.reason.as_deref(), Some("did not finish within 200ms"));

        // Symlinks are recreated in the copy (the verify command may rely on them).
        std::os::unix::fs::symlink("a.txt", dir.path().join("link.txt")).unwrap();
        let git = |args: &[&str]| {
            let ok = Command::new("git")
                .args(args)
                .current_dir(dir.path())
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["add", "link.txt"]);
        git(&[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@e",
            "commit",
            "-qm",
            "link",
        ]);
        let snap = Snapshot::open(dir.path()).unwrap();
        assert!(
            !snap.contains("link.txt"),
            "a symlink is never an edit target"
        );
        let work = Workspace::new(&snap, &patched).unwrap();
        assert_eq!(
            verify(&work.tree(), "grep -q new link.txt", T)
                .unwrap()
                .result,
            Outcome::Passed
        );
    }
}
