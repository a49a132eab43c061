//! Text output for people: incidents as they trip, solutions as colored diffs, a closing summary.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::json::window_text;
use super::{clean, Counts};
use crate::deploy::{DeployPlan, Held};
use crate::fix::verify::Outcome;
use crate::fix::{FixEvent, Solution};
use crate::parse::Level;
use crate::pattern::PatternSummary;
use crate::threshold::Incident;

/// How many lines of an entry's stack trace an incident shows, and how many of them from its start.
const SAMPLE_LINES: usize = 12;
const SAMPLE_HEAD: usize = 4;

/// Files smaller than this get no progress bar: they are done before it would draw.
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// How much text output says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// -1 quiet, 0 normal, 1+ verbose.
    pub verbosity: i8,
}

/// At most this many incident kinds are remembered for shortening repeats; beyond it every
/// incident is shown whole, so memory stays bounded whatever the log holds.
const MAX_KINDS_REMEMBERED: usize = 10_000;

/// Renders events as text on one stream (stdout for `analyze`, stderr for `watch`).
pub struct TextReport<W: Write> {
    out: W,
    style: Style,
    /// Times each incident kind (fingerprint id) has tripped: an error that keeps tripping after
    /// its cooldown is told in full once, then in one line each time.
    tripped: HashMap<String, u64>,
    /// Fixes go to more than one repository: each solution says which.
    name_repos: bool,
}

impl<W: Write> TextReport<W> {
    pub fn new(out: W, style: Style) -> Self {
        TextReport {
            out,
            style,
            tripped: HashMap::new(),
            name_repos: false,
        }
    }

    pub fn incident(&mut self, i: &Incident) -> io::Result<()> {
        let times = self.count_trip(&i.fingerprint.id);
        if times > 1 && self.style.verbosity < 1 {
            return self.incident_again(i, times);
        }
        let out = &mut self.out;
        writeln!(out, "{}", incident_heading(i))?;
        let when = match (i.first, i.last) {
            (Some(first), Some(last)) => format!("{} … {}", first.to_rfc3339(), last.to_rfc3339()),
            _ => "no timestamps in the log (arrival time)".to_owned(),
        };
        writeln!(out, "  {} {}", "when:".dimmed(), when)?;
        writeln!(
            out,
            "  {} {}",
            "where:".dimmed(),
            clean(&i.entry.location())
        )?;
        let who = match (i.entry.service(), i.entry.logger()) {
            (Some(service), Some(logger)) if service != logger => {
                Some(format!("{service} (logger {logger})"))
            }
            (Some(service), _) => Some(service.to_owned()),
            (None, Some(logger)) => Some(format!("logger {logger}")),
            (None, None) => None,
        };
        if let Some(who) = who {
            writeln!(out, "  {} {}", "who:".dimmed(), clean(&who))?;
        }
        writeln!(out, "  {} {}", "pattern:".dimmed(), clean(&i.template))?;
        if let Some(exception) = i.trace.as_ref().and_then(|t| t.primary()) {
            // An entry about its crash already shows the exception as its pattern.
            let headline = exception.headline();
            if headline != i.template {
                writeln!(out, "  {} {}", "error:".dimmed(), clean(&headline))?;
            }
        }
        let mut lines = i.entry.about().lines();
        writeln!(
            out,
            "  {} {}",
            "sample:".dimmed(),
            clean(lines.next().unwrap_or(""))
        )?;
        // Long traces keep their head (where it started) and their tail (the exception line).
        let rest: Vec<&str> = lines.collect();
        let (head, tail) = if rest.len() > SAMPLE_LINES {
            (
                &rest[..SAMPLE_HEAD],
                &rest[rest.len() - (SAMPLE_LINES - SAMPLE_HEAD)..],
            )
        } else {
            (&rest[..], &rest[..0])
        };
        for line in head {
            writeln!(out, "    {}", clean(line).dimmed())?;
        }
        if !tail.is_empty() {
            let skipped = rest.len() - head.len() - tail.len();
            writeln!(out, "    {}", format!("… {skipped} more lines …").dimmed())?;
            for line in tail {
                writeln!(out, "    {}", clean(line).dimmed())?;
            }
        }
        out.flush()
    }

    /// One line for an incident already shown in full.
    fn incident_again(&mut self, i: &Incident, times: u64) -> io::Result<()> {
        let when = match i.last {
            Some(last) => format!(", {}", last.to_rfc3339()),
            None => String::new(),
        };
        let again = format!(
            "again (#{times}) at {}:{}{when}",
            i.entry.source, i.entry.line
        );
        writeln!(
            self.out,
            "{}  {}",
            incident_heading(i),
            clean(&again).dimmed()
        )?;
        self.out.flush()
    }

    /// How many times the kind `id` has tripped, this time included.
    fn count_trip(&mut self, id: &str) -> u64 {
        if let Some(times) = self.tripped.get_mut(id) {
            *times += 1;
            return *times;
        }
        if self.tripped.len() < MAX_KINDS_REMEMBERED {
            self.tripped.insert(id.to_owned(), 1);
        }
        1
    }

    /// Say each solution's repository from now on.
    pub fn name_repos(&mut self) {
        self.name_repos = true;
    }

    pub fn solution(&mut self, s: &Solution) -> io::Result<()> {
        let out = &mut self.out;
        writeln!(
            out,
            "{} {} {} (confidence {:.2}, {})",
            "FIX".bold().green(),
            clean(&s.error_type).bold(),
            clean(&s.generator_label()),
            s.confidence,
            serde_json::to_value(s.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        )?;
        writeln!(out, "  {}", clean(&s.description))?;
        if s.regression {
            writeln!(
                out,
                "  {} this fix was merged ({}) and the error was logged again after it",
                "regression:".bold().red(),
                clean(s.pr_url.as_deref().unwrap_or("-"))
            )?;
        }
        if let Some(repo) = s.repo.as_deref().filter(|_| self.name_repos) {
            writeln!(out, "  repository: {}", clean(repo))?;
        }
        if self.style.verbosity > 0 {
            for (name, value) in &s.factors {
                writeln!(out, "    {} {:+.2}", clean(name).dimmed(), value)?;
            }
            for rung in &s.verification {
                let command = if rung.command.is_empty() {
                    String::new()
                } else {
                    format!(" '{}'", rung.command)
                };
                let result = match rung.result {
                    Outcome::Passed => format!("passed in {:.2}s", rung.seconds),
                    Outcome::Failed => "failed".to_owned(),
                    Outcome::Skipped => "skipped".to_owned(),
                };
                let reason = rung
                    .reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default();
                let line = format!("{}{command} {result}{reason}", rung.step);
                writeln!(out, "    {}", clean(&line).dimmed())?;
            }
        }
        if let Some(url) = &s.pr_url {
            writeln!(out, "  pull request: {}", clean(url))?;
        }
        for line in s.diff.lines() {
            let line = clean(line);
            let line = if line.starts_with("+++") || line.starts_with("---") {
                line.bold()
            } else if line.starts_with('+') {
                line.green()
            } else if line.starts_with('-') {
                line.red()
            } else if line.starts_with("@@") {
                line.cyan()
            } else {
                line.normal()
            };
            writeln!(out, "{line}")?;
        }
        out.flush()
    }

    /// A solution the verification ladder dropped, or a class's reason to propose nothing, in one
    /// line; `-v` adds the tail of what the
    /// failing command printed.
    pub fn dropped(&mut self, e: &FixEvent) -> io::Result<()> {
        if self.style.verbosity < 0 {
            return Ok(());
        }
        writeln!(self.out, "{}", clean(&e.to_string()).yellow())?;
        if let (FixEvent::Dropped { output, .. }, true) = (e, self.style.verbosity > 0) {
            for line in output.lines() {
                writeln!(self.out, "    {}", clean(line).dimmed())?;
            }
        }
        self.out.flush()
    }

    /// A solution deploy mode only suggested, and why, in one line.
    pub fn held(&mut self, h: &Held) -> io::Result<()> {
        if self.style.verbosity < 0 {
            return Ok(());
        }
        let line = format!("{}: not deployed, suggested only: {}", h.generator, h.why);
        writeln!(self.out, "{}", clean(&line).yellow())?;
        self.out.flush()
    }

    /// What a `--dry-run` deploy would do: branch, commit, requests.
    /// A notification `--dry-run` would have sent: where (the URL as written), which event, and
    /// what it says.
    pub fn notification(&mut self, n: &crate::notify::Planned) -> io::Result<()> {
        let summary = n.body["summary"]
            .as_str()
            .or_else(|| n.body["text"].as_str())
            .unwrap_or("");
        writeln!(
            self.out,
            "{} notify {} ({}): {}",
            "DRY RUN".bold().yellow(),
            clean(&n.url),
            clean(&n.event),
            clean(summary)
        )
    }

    pub fn plan(&mut self, p: &DeployPlan) -> io::Result<()> {
        let out = &mut self.out;
        writeln!(out, "{} nothing was changed", "DRY RUN".bold().yellow())?;
        writeln!(out, "  {} {}", "branch:".dimmed(), clean(&p.branch))?;
        match (&p.commit, &p.commit_error) {
            (Some(c), _) => {
                let base = match &c.base_commit {
                    Some(oid) => format!("{} ({oid}, as last fetched)", c.base),
                    None => format!("{} (never fetched here)", c.base),
                };
                writeln!(out, "  {} {}", "base:".dimmed(), clean(&base))?;
                writeln!(out, "  {} {}", "author:".dimmed(), clean(&c.author))?;
                if c.applies == Some(false) {
                    writeln!(
                        out,
                        "  {} the patch does not apply to {}",
                        "warning:".yellow(),
                        clean(&c.base)
                    )?;
                }
                writeln!(
                    out,
                    "  {} {} → {}",
                    "push:".dimmed(),
                    clean(&p.push_refspec),
                    clean(&c.url)
                )?;
                writeln!(out, "  {}", "commit message:".dimmed())?;
                for line in c.message.lines() {
                    writeln!(out, "    {}", clean(line))?;
                }
            }
            (None, Some(e)) => writeln!(out, "  {} {}", "commit:".dimmed(), clean(e))?,
            (None, None) => {}
        }
        if let Some(e) = &p.requests_error {
            writeln!(out, "  {} {}", "requests:".dimmed(), clean(e))?;
        }
        for r in &p.requests {
            writeln!(
                out,
                "  {} {} {}",
                "request:".dimmed(),
                r.method,
                clean(&r.url)
            )?;
            if let Some(body) = &r.body {
                let text = serde_json::to_string_pretty(body).unwrap_or_default();
                for line in text.lines() {
                    writeln!(out, "    {}", clean(line))?;
                }
            }
        }
        out.flush()
    }

    pub fn patterns(&mut self, patterns: &[PatternSummary]) -> io::Result<()> {
        writeln!(
            self.out,
            "{:>8}  {:<8}  {}",
            "COUNT".bold(),
            "LEVEL".bold(),
            "TEMPLATE".bold()
        )?;
        for p in patterns {
            let level = p.level.map(level_colored).unwrap_or_else(|| "-".normal());
            // Pad before coloring: escape codes would throw the column off.
            let level = format!("{:<8}", level.to_string());
            writeln!(
                self.out,
                "{:>8}  {}  {}",
                p.count,
                level,
                clean(&p.template)
            )?;
        }
        self.out.flush()
    }

    pub fn summary(&mut self, c: &Counts, elapsed: Duration) -> io::Result<()> {
        if self.style.verbosity < 0 {
            return Ok(());
        }
        let mut incidents = format!("{} incident{}", c.incidents, plural(c.incidents));
        let kinds = self.tripped.len() as u64;
        if kinds > 0 && kinds < c.incidents {
            incidents.push_str(&format!(" of {kinds} kind{}", plural(kinds)));
        }
        let incidents = if c.incidents > 0 {
            incidents.red().bold()
        } else {
            incidents.green().bold()
        };
        let mut parts = vec![
            format!("{} solution{}", c.solutions, plural(c.solutions)),
            format!("{} lines", c.lines),
            format!("{} entries", c.entries),
            if c.unparsed_with_level > 0 {
                format!(
                    "{} unparsed ({} with a level word)",
                    c.unparsed, c.unparsed_with_level
                )
            } else {
                format!("{} unparsed", c.unparsed)
            },
        ];
        if c.ignored > 0 {
            parts.push(format!("{} ignored", c.ignored));
        }
        if c.truncated > 0 {
            parts.push(format!("{} lines cut at the length limit", c.truncated));
        }
        if c.dropped_lines > 0 {
            parts.push(format!(
                "{} continuation lines dropped (entry too large)",
                c.dropped_lines
            ));
        }
        if c.bad_timestamps > 0 {
            parts.push(format!(
                "{} bad timestamps (unreadable or far ahead)",
                c.bad_timestamps
            ));
        }
        if c.invalid_utf8 > 0 {
            parts.push(format!("{} lines with invalid UTF-8", c.invalid_utf8));
        }
        if c.inputs_stopped > 0 {
            parts.push(format!(
                "{} input{} read only up to {} byte budget",
                c.inputs_stopped,
                plural(c.inputs_stopped),
                if c.inputs_stopped == 1 {
                    "its"
                } else {
                    "their"
                }
            ));
        }
        if c.inputs_failed > 0 {
            parts.push(format!(
                "{} input{} not read to the end (error)",
                c.inputs_failed,
                plural(c.inputs_failed)
            ));
        }
        writeln!(
            self.out,
            "{incidents}, {} in {:.1?}",
            parts.join(", "),
            elapsed
        )?;
        self.out.flush()
    }

    /// A line saying what a command did (`wrote hephaestus.yaml`); quiet mode leaves it out.
    pub fn done(&mut self, message: &str) -> io::Result<()> {
        if self.style.verbosity >= 0 {
            writeln!(self.out, "{}", clean(message))?;
        }
        Ok(())
    }

    /// A warning, unless `-q` asked for results and errors only.
    pub fn warning(&mut self, message: &str) -> io::Result<()> {
        if self.style.verbosity < 0 {
            return Ok(());
        }
        writeln!(
            self.out,
            "{} {}",
            "warning:".yellow().bold(),
            clean(message)
        )
    }

    pub fn error(&mut self, message: &str) -> io::Result<()> {
        writeln!(self.out, "{} {}", "error:".red().bold(), clean(message))
    }

    pub fn note(&mut self, message: &str) -> io::Result<()> {
        if self.style.verbosity > 0 {
            writeln!(self.out, "{} {}", "note:".dimmed(), clean(message))?;
        }
        Ok(())
    }
}

/// `INCIDENT error ×3 in 5m  error-type`: the first line of an incident, whole or repeated.
fn incident_heading(i: &Incident) -> String {
    format!(
        "{} {} {} in {}  {}",
        "INCIDENT".bold().red(),
        level_colored(i.level),
        format!("×{}", i.count).bold(),
        window_text(i.window),
        clean(&i.fingerprint.error_type).bold()
    )
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn level_colored(level: Level) -> colored::ColoredString {
    let text = level.as_str();
    match level {
        Level::Critical => text.red().bold(),
        Level::Error => text.red(),
        Level::Warn => text.yellow(),
        Level::Notice | Level::Info => text.normal(),
        Level::Debug | Level::Trace => text.dimmed(),
    }
}

/// A byte progress bar on stderr for a file of `len` bytes: hidden for small files, when stderr is
/// not a terminal, or when quiet.
pub fn progress_bar(len: Option<u64>, stderr_is_tty: bool, style: Style) -> ProgressBar {
    let show =
        stderr_is_tty && style.verbosity >= 0 && len.is_some_and(|l| l >= PROGRESS_MIN_BYTES);
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(len, ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta}) {wide_msg}",
        )
        .expect("progress template is valid")
        .progress_chars("=> "),
    );
    bar
}
