//! User rules from the config: when the rule's own trigger tripped on an entry (the threshold
//! stage names it in [`Incident::rules`]), replace what `find` matches in `file` by `replace`.
//!
//! `match` is searched in [`rule_text`], the message and the entry's fields, as the trigger did.
//! `$name` and `${name}` in `replace` are the `match` regex's named groups (values taken
//! literally); what is left (`$1`, `$$`, names of `find`'s own groups) is expanded against each
//! `find` match as the regex crate does; a reference to a group neither regex has is a config
//! error ([`undefined_groups`]). The file must be a tracked regular file at HEAD, named by a
//! relative path without `..`: a rule never writes outside the repository. A rule whose file is
//! not tracked is reported once without `-v` ([`Warnings`]): the user's rule is broken, not the
//! incident unfixable.

use std::collections::HashSet;

use std::path::{Component, Path};

use regex::{Captures, Regex};

use super::edit::{self, Edit};
use super::generator::{decline, excerpt, Context, Draft, Generator, Skip};
use super::repo::Snapshot;
use super::RuleSpec;
use crate::threshold::{rule_text, Incident};

/// One user rule as a generator.
pub struct Rule<'a> {
    pub spec: &'a RuleSpec,
}

impl Generator for Rule<'_> {
    fn name(&self) -> String {
        format!("rule:{}", self.spec.name)
    }

    fn prior(&self) -> f64 {
        // The user wrote it for exactly this message: trust it more than any heuristic.
        0.8
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        let spec = self.spec;
        if !cx.incident.rules.contains(&spec.name) {
            return Err(Skip::NotApplicable);
        }
        let text = rule_text(&cx.incident.entry);
        let Some(caps) = spec.matcher.captures(&text) else {
            return Err(Skip::NotApplicable);
        };
        if !inside_repo(&spec.file) {
            return decline(format!(
                "rule '{}': file '{}' is not a relative path inside the repository",
                spec.name, spec.file
            ));
        }
        let Some(content) = cx.repo.read(&spec.file) else {
            return decline(format!(
                "rule '{}': file '{}' is not a tracked text file at HEAD",
                spec.name, spec.file
            ));
        };
        let matched: String = spec.find.find_iter(&content).map(|m| m.as_str()).collect();
        let replacement = match substitute(&spec.replace, &spec.matcher, &caps, &matched) {
            Ok(replacement) => replacement,
            Err(why) => return decline(format!("rule '{}': {why}", spec.name)),
        };
        let new = spec.find.replace_all(&content, replacement.as_str());
        if new == content {
            return decline(format!(
                "rule '{}': '{}' does not match in '{}' or changes nothing",
                spec.name,
                spec.find.as_str(),
                spec.file
            ));
        }
        let edits = whole_file_edits(&spec.file, &content, &new);
        let first = spec.find.find(&content).map(|m| m.as_str()).unwrap_or("");
        let description = format!(
            "The log entry '{}' matched rule '{}'. The rule edits {}: '{}' becomes '{}' \
             (every match of /{}/), the change the rule's author prescribes for this error.",
            excerpt(cx.incident.entry.first_line(), 120),
            spec.name,
            spec.file,
            excerpt(first, 80),
            excerpt(&spec.find.replace(first, replacement.as_str()), 80),
            excerpt(spec.find.as_str(), 60),
        );
        Ok(Draft {
            edits,
            description,
            at_column: None,
            strategy: None,
        })
    }
}

/// Relative, no `..`, no root or prefix.
pub fn inside_repo(file: &str) -> bool {
    let path = Path::new(file);
    !file.is_empty()
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Collects, once per rule, the rules that cannot run because their file is not tracked, for the
/// report to show without `-v`.
#[derive(Debug, Default)]
pub struct Warnings {
    warned: HashSet<String>,
    pending: Vec<String>,
}

impl Warnings {
    /// Whether `spec` can run for `incident` in `repo`: false, with a warning the first time,
    /// when the rule tripped on the incident and its file is not a tracked file of `repo`.
    pub fn usable(&mut self, spec: &RuleSpec, incident: &Incident, repo: &Snapshot) -> bool {
        if !incident.rules.contains(&spec.name) || repo.contains(&spec.file) {
            return true;
        }
        if self.warned.insert(spec.name.clone()) {
            self.pending.push(format!(
                "rule '{}': file '{}' is not tracked in the repository; rule skipped",
                spec.name, spec.file
            ));
        }
        false
    }

    /// The warnings collected since the last call.
    pub fn take(&mut self) -> Vec<String> {
        std::mem::take(&mut self.pending)
    }
}

/// The group reference at the start of `after` (the text after a `$` that is not `$$`): its name
/// and length, or `None` when the `$` stands for itself. `${name}` and `$name` (the longest run
/// of `[A-Za-z0-9_]`), as the regex crate reads them.
fn reference(after: &str) -> Option<(&str, usize)> {
    let (name, len) = if let Some(inner) = after.strip_prefix('{') {
        let end = inner.find('}')?;
        (&inner[..end], end + 2)
    } else {
        let end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        (&after[..end], end)
    };
    (len > 0).then_some((name, len))
}

/// Every reference of `template` with its text as written: (`${db}` or `$db`, `db`).
fn references(template: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            rest = stripped;
            continue;
        }
        match reference(after) {
            Some((name, len)) => {
                found.push((&rest[i..i + 1 + len], name));
                rest = &after[len..];
            }
            None => rest = after,
        }
    }
    found
}

/// One message per reference in `replace` to a group that neither `matcher` (named groups) nor
/// `find` (named or numbered groups, `$0` the whole match) has: it would expand to nothing.
pub fn undefined_groups(replace: &str, matcher: &Regex, find: &Regex) -> Vec<String> {
    let named: Vec<&str> = matcher.capture_names().flatten().collect();
    let find_named: Vec<&str> = find.capture_names().flatten().collect();
    let mut problems = Vec::new();
    for (written, name) in references(replace) {
        let defined = match name.parse::<usize>() {
            Ok(index) => index < find.captures_len(),
            Err(_) => named.contains(&name) || find_named.contains(&name),
        };
        if !defined {
            let groups = if named.is_empty() {
                "match has no named groups, e.g. (?P<name>...)".to_string()
            } else {
                format!("named groups of match: {}", named.join(", "))
            };
            problems.push(format!(
                "'{written}' is not a group of match or find ({groups})"
            ));
        }
    }
    problems
}

/// Characters that give a line structure in YAML, JSON, TOML or INI files.
const STRUCTURE: &[char] = &[
    ':', '{', '}', '[', ']', ',', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', '=', ';',
];

/// Why a value captured from a log may not go into the file, if it may not: it comes from
/// untrusted text, so it must stay one plain value. No line break or other control character
/// (a capture across a continuation line could add a key), and no structure character that the
/// text `find` matched does not already hold (a URL may keep its `:` where the old value had one).
fn unsafe_value(value: &str, matched: &str) -> Option<String> {
    let shown = || excerpt(&value.escape_debug().to_string(), 60);
    if let Some(c) = value
        .chars()
        .find(|&c| c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}'))
    {
        let what = if matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}') {
            "a line break"
        } else {
            "a control character"
        };
        return Some(format!("'{}' holds {what}", shown()));
    }
    let c = value
        .chars()
        .find(|c| STRUCTURE.contains(c) && !matched.contains(*c))?;
    Some(format!(
        "'{}' holds '{c}', which the text find matched does not",
        shown()
    ))
}

/// Replace `$name` / `${name}` naming a group of `matcher` by its captured text, escaped so that
/// the `find` expansion leaves it as it is. Refused (with the reason) when a value used is not a
/// plain value for a file whose `find` matches read `matched` ([`unsafe_value`]).
pub fn substitute(
    template: &str,
    matcher: &Regex,
    caps: &Captures<'_>,
    matched: &str,
) -> Result<String, String> {
    let names: Vec<&str> = matcher.capture_names().flatten().collect();
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.push_str("$$");
            rest = stripped;
            continue;
        }
        let (name, len) = reference(after).unwrap_or(("", 0));
        if len > 0 && names.contains(&name) {
            let value = caps.name(name).map(|m| m.as_str()).unwrap_or("");
            if let Some(why) = unsafe_value(value, matched) {
                return Err(format!(
                    "the value captured for '{name}' from the log, {why}; not written"
                ));
            }
            out.push_str(&value.replace('$', "$$"));
            rest = &after[len..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Line edits turning `old` into `new`, one per changed run of lines.
pub fn whole_file_edits(file: &str, old: &str, new: &str) -> Vec<Edit> {
    use similar::{DiffOp, TextDiff};
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut edits = Vec::new();
    for op in diff.ops() {
        let (o, n) = match *op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        edits.push(Edit {
            file: file.to_string(),
            line: o.start as u32 + 1,
            old: old_lines[o].concat(),
            new: new_lines[n].concat(),
        });
    }
    debug_assert_eq!(
        edit::apply(old, &edits).ok().as_deref(),
        Some(new),
        "line edits reproduce the change"
    );
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_groups_are_substituted_literally() {
        let m = Regex::new(r"pool exhausted \(max=(?P<max>\d+)\) on (?P<db>\w+)").unwrap();
        let caps = m.captures("pool exhausted (max=10) on main").unwrap();
        assert_eq!(
            substitute("max: ${max}0 # $db", &m, &caps, "max: 1").unwrap(),
            "max: 100 # main"
        );
        assert_eq!(
            substitute("cost: $$5 $other $1", &m, &caps, "").unwrap(),
            "cost: $$5 $other $1"
        );
        let m = Regex::new(r"v=(?P<v>\S+)").unwrap();
        let caps = m.captures("v=$1").unwrap();
        let out = substitute("x: $v", &m, &caps, "x: 0").unwrap();
        assert_eq!(out, "x: $$1");
        let find = Regex::new("x: .*").unwrap();
        assert_eq!(find.replace("x: 0", out.as_str()), "x: $1");
    }

    #[test]
    fn captured_values_stay_one_plain_value() {
        let m = Regex::new(r"(?s)limit=(?P<v>[^ ]+)").unwrap();
        let refused = |log: &str, matched: &str| {
            let caps = m.captures(log).unwrap();
            substitute("max: $v", &m, &caps, matched).unwrap_err()
        };
        assert_eq!(
            refused("limit=10\nadmin: true", "max: 1"),
            "the value captured for 'v' from the log, '10\\nadmin:' holds a line break; \
             not written"
        );
        assert!(refused("limit=1\u{1b}[2J", "max: 1").contains("a control character"));
        assert!(refused("limit={\"a\":1}", "max: 1").contains("holds '{'"));
        assert!(refused("limit=1,2", "max: 1").contains("holds ','"));
        // A character the replaced text already had is the value's own.
        let caps = m.captures("limit=http://db:5432").unwrap();
        assert_eq!(
            substitute("url: $v", &m, &caps, "url: http://old:5432").unwrap(),
            "url: http://db:5432"
        );
    }

    #[test]
    fn references_to_groups_no_regex_has_are_found() {
        let m = Regex::new(r"pool exhausted \(max=(?P<max>\d+)\)").unwrap();
        let find = Regex::new(r"(max_size): (?P<old>\d+)").unwrap();
        let ok = "$1: ${max}0 # was $old, $0 $$cost $ {x} ${";
        assert_eq!(undefined_groups(ok, &m, &find), Vec::<String>::new());
        assert_eq!(
            undefined_groups("${maks}0 $db_name $3 $2 ${max}", &m, &find),
            [
                "'${maks}' is not a group of match or find (named groups of match: max)",
                "'$db_name' is not a group of match or find (named groups of match: max)",
                "'$3' is not a group of match or find (named groups of match: max)",
            ]
        );
        let plain = Regex::new("pool exhausted").unwrap();
        assert_eq!(
            undefined_groups("$size", &plain, &plain),
            ["'$size' is not a group of match or find (match has no named groups, e.g. (?P<name>...))"]
        );
    }

    #[test]
    fn paths_outside_the_repository_are_refused() {
        assert!(inside_repo("config/database.yaml"));
        assert!(inside_repo("./a.yaml"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a/.."] {
            assert!(!inside_repo(bad), "{bad}");
        }
    }

    #[test]
    fn whole_file_edits_reproduce_the_change() {
        let old = "a\nb\nc\nd\n";
        let new = "a\nB\nc\nd\ne\n";
        let edits = whole_file_edits("f", old, new);
        assert_eq!(edits.len(), 2);
        assert_eq!(edit::apply(old, &edits).unwrap(), new);
    }
}
