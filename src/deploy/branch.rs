//! Branch names and titles from templates.
//!
//! Placeholder values come from logs, so they are untrusted: each is reduced to `[A-Za-z0-9._-]`
//! before it is put in the template (a value can never add a path component, `..`, `@{` or
//! `refs/`), and the whole name is then brought within `git check-ref-format --branch` rules, so
//! whatever a log held, the result is one safe, valid branch name.

use std::fmt::Write as _;

/// Longest branch name produced; forges and file systems cope badly with very long refs.
const MAX_BRANCH_LEN: usize = 120;
/// Longest value of one placeholder in a branch name.
const MAX_VALUE_LEN: usize = 60;
/// Longest pull request title.
const MAX_TITLE_LEN: usize = 200;

/// The values templates may use.
#[derive(Debug, Clone)]
pub struct Vars<'a> {
    pub error_type: &'a str,
    pub fingerprint: &'a str,
    pub pattern: &'a str,
    /// `YYYY-MM-DD`.
    pub date: &'a str,
    /// The exception and its short message: `KeyError 'timeout'`.
    pub exception: &'a str,
    /// The file it was raised in, relative to the repository root.
    pub file: &'a str,
    /// The function it was raised in.
    pub function: &'a str,
}

/// The default branch template: one branch per fingerprint, so two errors of one kind in one
/// file never share a branch.
pub const DEFAULT_BRANCH: &str = "hephaestus/fix/{error_type}-{fingerprint}";
/// The default branch template of earlier versions, which two errors of one kind in one file
/// shared; branches it made are still recognised by their fingerprint trailer.
pub const LEGACY_BRANCH: &str = "hephaestus/fix/{error_type}";
/// The default title template; parts whose values are missing are left out (see [`title`]).
pub const DEFAULT_TITLE: &str = "Fix {exception} in {file} ({function})";

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        Some(match name {
            "error_type" => self.error_type,
            "fingerprint" => self.fingerprint,
            "pattern" => self.pattern,
            "date" => self.date,
            "exception" => self.exception,
            "file" => self.file,
            "function" => self.function,
            _ => return None,
        })
    }
}

/// The placeholders templates understand.
pub const PLACEHOLDERS: [&str; 7] = [
    "error_type",
    "fingerprint",
    "pattern",
    "date",
    "exception",
    "file",
    "function",
];

/// Expand `{name}` placeholders with `value_of`; unknown placeholders are kept as written.
fn expand(template: &str, vars: &Vars<'_>, value_of: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if vars.get(&after[..end]).is_some() => {
                out.push_str(&value_of(vars.get(&after[..end]).unwrap_or_default()));
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A placeholder value fit for a branch name: `[A-Za-z0-9._-]` only, no leading dot or dash.
fn branch_value(value: &str) -> String {
    let mut out = String::new();
    for c in value.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '_' {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        out.push(c);
    }
    let out: String = out.chars().take(MAX_VALUE_LEN).collect();
    let out = out.trim_matches('-');
    if out.is_empty() {
        "unknown".to_owned()
    } else {
        out.to_owned()
    }
}

/// The branch name for `template` and `vars`, valid per `git check-ref-format --branch`.
pub fn branch_name(template: &str, vars: &Vars<'_>) -> String {
    sanitize_ref(&expand(template, vars, branch_value))
}

/// `name` brought within the ref-format rules: allowed characters only, no empty, dot-led or
/// `.lock` components, no `..`, `@{`, trailing dot or slash, not `@`, not `HEAD`, not `refs/…`.
pub fn sanitize_ref(name: &str) -> String {
    let mut cleaned = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/') {
            c
        } else {
            '-'
        };
        cleaned.push(c);
    }
    let mut parts: Vec<String> = Vec::new();
    for part in cleaned.split('/') {
        let mut part = part.to_owned();
        while part.contains("..") {
            part = part.replace("..", ".");
        }
        while part.contains("--") {
            part = part.replace("--", "-");
        }
        let mut part = part.trim_matches(['.', '-']).to_owned();
        while part.ends_with(".lock") {
            part.truncate(part.len() - ".lock".len());
            part = part.trim_end_matches('.').to_owned();
        }
        if !part.is_empty() {
            parts.push(part);
        }
    }
    // A name under refs/ or called HEAD would be read as something else than a branch.
    while parts.first().is_some_and(|p| p == "refs") {
        parts.remove(0);
    }
    let mut name = parts.join("/");
    if name.len() > MAX_BRANCH_LEN {
        name.truncate(MAX_BRANCH_LEN);
        name = name.trim_end_matches(['/', '.', '-']).to_owned();
    }
    if name.is_empty() || name == "HEAD" || name == "@" {
        name = format!(
            "hephaestus/{}",
            if name.is_empty() { "fix" } else { "head" }
        );
    }
    name
}

/// A one-line title from `template`: control characters and line breaks become spaces. A part
/// left empty by a missing value goes with its words: ` in ` before an empty file, `()` around
/// an empty function.
pub fn title(template: &str, vars: &Vars<'_>) -> String {
    let raw = expand(template, vars, |v| v.to_owned());
    let raw = raw.replace(" ()", "").replace(" ( )", "");
    let raw = raw.trim_end();
    let raw = raw.strip_suffix(" in").unwrap_or(raw);
    let raw = raw.replace(" in  (", " (").replace(" in (", " (");
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = if c.is_control() { ' ' } else { c };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    if out.chars().count() > MAX_TITLE_LEN {
        let mut cut: String = out.chars().take(MAX_TITLE_LEN - 1).collect();
        cut.push('…');
        cut
    } else {
        out.to_owned()
    }
}

/// A short hex digest of `text`, for file and ref names derived from untrusted values.
pub fn digest(text: &str) -> String {
    let mut out = String::new();
    let _ = write!(out, "{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(error_type: &str) -> Vars<'_> {
        Vars {
            error_type,
            fingerprint: "fp1234",
            pattern: "p42",
            date: "2026-11-24",
            exception: "KeyError 'timeout'",
            file: "app/jobs.py",
            function: "run",
        }
    }

    #[test]
    fn expands_every_placeholder() {
        let name = branch_name(
            "hephaestus/{date}/{error_type}-{fingerprint}-{pattern}",
            &vars("KeyError"),
        );
        assert_eq!(name, "hephaestus/2026-11-24/KeyError-fp1234-p42");
        assert_eq!(
            title("fix: {error_type} ({unknown})", &vars("KeyError")),
            "fix: KeyError ({unknown})"
        );
    }

    #[test]
    fn hostile_values_cannot_escape_their_component() {
        for hostile in [
            "../../etc/passwd",
            "refs/heads/main",
            "a;rm -rf /;$(reboot)`id`|x&y",
            "line\nbreak\r\x1b[31m",
            "x.lock",
            "@{-1}",
            "..",
            "",
            "~^:?*[\\ ",
            "<script>alert(1)</script>",
        ] {
            let name = branch_name("hephaestus/fix/{error_type}", &vars(hostile));
            assert!(name.starts_with("hephaestus/fix/"), "{hostile:?} → {name}");
            assert_eq!(name.matches('/').count(), 2, "{hostile:?} → {name}");
            assert!(git2::Reference::is_valid_name(&format!(
                "refs/heads/{name}"
            )));
        }
    }

    #[test]
    fn hostile_templates_still_give_valid_refs() {
        for template in [
            "refs/heads/main",
            "/a//b/",
            ".hidden/x.lock",
            "a..b",
            "@",
            "HEAD",
            "",
            "x/@{y}",
            "-lead",
        ] {
            let name = branch_name(template, &vars("E"));
            assert!(
                git2::Reference::is_valid_name(&format!("refs/heads/{name}")),
                "{template:?} → {name:?}"
            );
            assert!(!name.starts_with("refs/"), "{template:?} → {name:?}");
            assert!(!name.starts_with('-'), "{template:?} → {name:?}");
        }
        assert_eq!(branch_name("refs/heads/main", &vars("E")), "heads/main");
    }

    #[test]
    fn the_default_title_reads_as_a_sentence_and_drops_missing_parts() {
        assert_eq!(
            title(DEFAULT_TITLE, &vars("keyerror-jobs-py")),
            "Fix KeyError 'timeout' in app/jobs.py (run)"
        );
        let mut v = vars("E");
        v.function = "";
        assert_eq!(
            title(DEFAULT_TITLE, &v),
            "Fix KeyError 'timeout' in app/jobs.py"
        );
        v.file = "";
        assert_eq!(title(DEFAULT_TITLE, &v), "Fix KeyError 'timeout'");
        let mut v = vars("E");
        v.file = "";
        assert_eq!(title(DEFAULT_TITLE, &v), "Fix KeyError 'timeout' (run)");
        assert_eq!(
            branch_name(DEFAULT_BRANCH, &vars("keyerror-jobs-py")),
            "hephaestus/fix/keyerror-jobs-py-fp1234"
        );
    }

    #[test]
    fn titles_are_one_line() {
        assert_eq!(
            title("fix: {error_type}", &vars("Bad\nthing\r\x1b[0m  here")),
            "fix: Bad thing [0m here"
        );
        let long = "x".repeat(500);
        assert_eq!(title("{error_type}", &vars(&long)).chars().count(), 200);
    }
}
