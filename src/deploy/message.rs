//! Commit messages and pull request bodies.
//!
//! Everything taken from a log (error type, description, diff) is untrusted. In the pull request
//! body it only ever appears inside code spans and fenced code blocks whose fences are longer than
//! any run of backticks in the text, so nothing in it can become HTML, markdown, a link, an
//! `@mention` or an issue reference. Control characters never reach either text.

use crate::fix::verify::{Outcome, Step};
use crate::fix::Solution;
use crate::redact::redact;

/// Trailer naming the fingerprint a commit fixes; also how a branch is recognised as ours.
pub const FINGERPRINT_TRAILER: &str = "Hephaestus-Fingerprint";

pub use crate::redact::strip_controls;

/// `[A-Za-z0-9._-]` only, for identifiers that come from logs (fingerprints, pattern ids).
pub fn token(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    if t.is_empty() {
        "unknown".into()
    } else {
        t
    }
}

/// The commit message: title, description, confidence, and the fingerprint trailer last.
pub fn commit_message(title: &str, solution: &Solution) -> String {
    let description = strip_controls(&solution.description);
    let description = description.trim();
    let mut out = String::new();
    out.push_str(title);
    out.push_str("\n\n");
    if !description.is_empty() {
        out.push_str(description);
        out.push_str("\n\n");
    }
    let generator: String = strip_controls(&solution.generator_label())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    out.push_str(&format!(
        "Confidence: {:.2} ({generator})\n\n",
        solution.confidence
    ));
    // Which run made the commit. It also makes two hosts' commits of one change differ, so
    // that of two pushes racing to update a branch exactly one lands and the other learns it
    // lost (identical commits would both "succeed", and both would say so on the pull request).
    out.push_str(&format!("{RUN_TRAILER}: {}\n", run_id()));
    out.push_str(&format!(
        "{FINGERPRINT_TRAILER}: {}\n",
        token(&solution.fingerprint)
    ));
    out
}

/// Trailer naming the run (process) that made a commit.
pub const RUN_TRAILER: &str = "Hephaestus-Run";

/// This process's run id: random, fixed for its life.
fn run_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| format!("{:016x}", fastrand::u64(..)))
}

/// Longest run of `c` in `text`.
fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// `text` as an inline code span that no backtick inside can close; one line.
pub fn code_span(text: &str) -> String {
    let line: String = strip_controls(text)
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .take(200)
        .collect();
    let ticks = "`".repeat(longest_run(&line, '`') + 1);
    // Padding keeps a leading or trailing backtick from joining the delimiter.
    format!("{ticks} {line} {ticks}")
}

/// `text` as a fenced code block that no line inside can close.
pub fn code_block(info: &str, text: &str) -> String {
    let text = strip_controls(text);
    let fence = "`".repeat((longest_run(&text, '`') + 1).max(3));
    let mut out = format!("{fence}{info}\n{}", text.trim_end_matches('\n'));
    out.push('\n');
    out.push_str(&fence);
    out.push('\n');
    out
}

/// The pull request body: what failed and where, how often and when, one sample of the log
/// (credentials and `secrets` masked), how the change was checked, how sure the tool is, how to
/// reproduce, and the diff. Every text from a log sits in a code span or block.
pub fn pr_body(solution: &Solution, secrets: &[&str]) -> String {
    let evidence = &solution.evidence;
    let mut out = String::new();
    out.push_str(&format!(
        "Hephaestus saw {} in the logs and proposes this change.\n\n",
        seen(solution)
    ));
    if !evidence.frames.is_empty() {
        out.push_str("### Where\n\n");
        for (i, frame) in evidence.frames.iter().enumerate() {
            let role = if i == 0 { " (raised here)" } else { "" };
            out.push_str(&format!("- {}{role}\n", code_span(frame)));
        }
        out.push('\n');
    }
    out.push_str("### What failed and why this change\n\n");
    out.push_str(&code_block("text", &solution.description));
    out.push_str("\n### How it was checked\n\n");
    if solution.verification.is_empty() {
        out.push_str("- nothing was run\n");
    }
    for rung in &solution.verification {
        let how = match rung.result {
            Outcome::Passed => format!("passed in {:.2} s", rung.seconds),
            Outcome::Failed => "failed".to_owned(),
            Outcome::Skipped => "skipped".to_owned(),
        };
        let command = if rung.command.is_empty() {
            String::new()
        } else {
            format!(": {}", code_span(&rung.command))
        };
        let reason = match (&rung.reason, rung.result) {
            (Some(reason), Outcome::Skipped) => format!(" ({})", code_span(reason)),
            _ => String::new(),
        };
        out.push_str(&format!("- {} {how}{command}{reason}\n", rung.step));
    }
    out.push_str(&format!(
        "\n**Confidence:** {:.2} · **generator:** {} · **fingerprint:** {}\n\n",
        solution.confidence,
        code_span(&solution.generator_label()),
        code_span(&token(&solution.fingerprint))
    ));
    if !solution.factors.is_empty() {
        out.push_str("| factor | contribution |\n|---|---|\n");
        for (name, value) in &solution.factors {
            out.push_str(&format!("| {} | {value:+.2} |\n", code_span(name)));
        }
        out.push('\n');
    }
    out.push_str("### How to reproduce\n\n");
    match solution
        .verification
        .iter()
        .find(|r| r.step == Step::Reproduce && r.result == Outcome::Passed)
    {
        Some(rung) => out.push_str(&format!(
            "{} failed with this error before the change and no longer does after it.\n\n",
            code_span(&rung.command)
        )),
        None => out.push_str(
            "No reproduction ran (`fix.reproduce` is not set): run the code path of the sample \
             below, with the input it names, on the base branch and on this one.\n\n",
        ),
    }
    if !evidence.sample.trim().is_empty() {
        out.push_str("### Sample from the log (credentials masked)\n\n");
        out.push_str(&code_block("text", &redact(&evidence.sample, secrets)));
        out.push('\n');
    }
    out.push_str("### Diff\n\n");
    out.push_str(&code_block("diff", &solution.diff));
    out.push_str(
        "\n<sub>Opened by hephaestus. Review it like any other change before merging.</sub>\n",
    );
    out
}

/// `` `KeyError 'timeout'` 3 times between `A` and `B` (log time) ``: what the logs showed.
fn seen(solution: &Solution) -> String {
    let evidence = &solution.evidence;
    let what = solution.headline();
    let times = match evidence.count {
        0 | 1 => "once".to_owned(),
        n => format!("{n} times"),
    };
    let when = match (&evidence.first_seen, &evidence.last_seen) {
        (Some(first), Some(last)) if first != last => format!(
            " between {} and {} (log time)",
            code_span(first),
            code_span(last)
        ),
        (Some(at), _) | (_, Some(at)) => format!(" at {} (log time)", code_span(at)),
        (None, None) => String::new(),
    };
    format!("{} {times}{when}", code_span(&what))
}

/// A comment on a merged pull request whose error came back after the merge.
pub fn regression_comment(solution: &Solution, pr: &super::forge::PullRequest) -> String {
    let merged = pr
        .merged_at
        .as_deref()
        .map(|at| format!(" (merged {})", code_span(at)))
        .unwrap_or_default();
    format!(
        "Seen again after this fix was merged{merged}: {} in logs written since. The fix did not \
         cover every path to this error; Hephaestus will not propose the same change again.\n",
        seen(solution)
    )
}

/// A comment on an open pull request whose error keeps being logged.
pub fn occurrences_comment(solution: &Solution) -> String {
    format!("Still happening: {}.\n", seen(solution))
}

/// A comment on an open pull request whose fix was replaced by a new commit.
pub fn changed_comment(solution: &Solution, commit: impl std::fmt::Display) -> String {
    format!(
        "The proposed fix changed (commit {}): the code at the site moved or a better change was \
         found. The description above is updated; the new change:\n\n{}",
        code_span(&commit.to_string()),
        code_block("diff", &solution.diff)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::SolutionState;

    pub(crate) fn solution(description: &str, error_type: &str) -> Solution {
        Solution {
            id: "s1".into(),
            pattern: "p1".into(),
            fingerprint: "fp1".into(),
            error_type: error_type.into(),
            generator: "rules:db-pool".into(),
            model: None,
            description: description.into(),
            confidence: 0.875,
            factors: vec![],
            state: SolutionState::Validated,
            repo: None,
            files: vec!["config/database.yaml".into()],
            diff: "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n".into(),
            verification: vec![],
            pr_url: None,
            regression: false,
            evidence: Default::default(),
        }
    }

    #[test]
    fn commit_message_ends_with_the_trailer() {
        let msg = commit_message("fix: E", &solution("pool\x1b[2J ran\rout", "E"));
        assert_eq!(
            msg,
            format!(
                "fix: E\n\npool[2J ran out\n\nConfidence: 0.88 (rules:db-pool)\n\nHephaestus-Run: {}\nHephaestus-Fingerprint: fp1\n",
                run_id()
            )
        );
    }

    #[test]
    fn log_text_cannot_leave_its_code_block() {
        let hostile =
            "```\n# Heading\n<img src=x onerror=alert(1)> @octocat #1 [x](http://e.vil)\n````";
        let body = pr_body(&solution(hostile, "E`` @x"), &[]);
        // The description's fence is longer than the longest backtick run inside it.
        assert!(body.contains("`````text\n```\n# Heading"), "{body}");
        assert!(body.contains("\n````\n`````\n"), "{body}");
        assert!(body.contains("``` E`` @x ```"), "{body}");
    }
}
