//! Go generator: an index past the end of a slice, array or string (`xs[i]`).
//!
//! The message form (go1.19; a function inlined into its caller shows `(...)` and no offset):
//!
//! ```text
//! panic: runtime error: index out of range [3] with length 3
//!
//! goroutine 1 [running]:
//! main.total(...)
//!     /tmp/srv/go-index-loop-bound/main.go:14
//! main.main()
//!     /tmp/srv/go-index-loop-bound/main.go:30 +0x1d
//! ```
//!
//! The line must still index the value; what a missing element means is taken from the code
//! around it, in order:
//! - the counter of `for i := 0; i <= len(xs); i++` indexes `xs` and the index is the length:
//!   the bound is off by one → `i < len(xs)`, and every element is still read;
//! - the value is a field list split from one record of a loop (`parts := strings.Split(line,
//!   ",")`) → a record with too few fields is skipped with a line naming it, before the index;
//! - the function returns an error last → `return …, fmt.Errorf(…)` naming the index and the
//!   length, through the path its callers already handle;
//! - else nothing: a clamped index or a zero element would be a value the input never had.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{insert_before, split_top, Source};
use super::code::{is_ident, Lang, Line};
use super::go_nil_map::{func_at, package_files};
use crate::fix::edit::{line_text, Edit};
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct IndexOutOfRange;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^runtime error: index out of range \[(-?\d+)\] with length (\d+)$")
        .expect("valid regex")
});

/// An index without side effects, which may be evaluated twice.
static PURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w.\s+\-*/]+$").expect("valid regex"));

/// `for i := 0; i <= len(xs); i++`: counter, bound's counter, the slice, the incremented name.
static COUNTING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(\w+)\s*:=\s*0\s*;\s*(\w+)\s*<=\s*len\(([\w.]+)\)\s*;\s*(\w+)\+\+$")
        .expect("valid regex")
});

impl Generator for IndexOutOfRange {
    fn name(&self) -> String {
        "go-index-out-of-range".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Go",
            error: "`panic: runtime error: index out of range [M] with length N`",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Go) {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = MESSAGE.captures(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let (index, len) = (&caps[1], &caps[2]);
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let here = format!("{}:{}", site.path, site.line);
        let line = Line::new(text, Lang::Java);
        let mut found = Vec::new();
        for (start, open, close) in line.subscripts() {
            let base = text[start..open].trim();
            let idx = text[open + 1..close].trim();
            if base == "map" || base.ends_with(".map") || idx.contains(':') || base.contains('[') {
                continue;
            }
            found.push((base.to_string(), idx.to_string(), start));
        }
        // A literal index the message names singles out its expression.
        let named: Vec<_> = found.iter().filter(|f| f.1 == index).collect();
        let (base, idx) = match (named.as_slice(), found.as_slice()) {
            ([one], _) => (one.0.clone(), one.1.clone()),
            (_, [one]) => (one.0.clone(), one.1.clone()),
            _ => {
                return decline(format!(
                    "{} index expressions on {here} and the message's index [{index}] names none \
                     of them",
                    if found.is_empty() { "no" } else { "several" }
                ))
            }
        };
        if !PURE.is_match(&idx) || !super::code::is_name_chain(&base) {
            return decline(format!(
                "`{}[{}]` at {here} is not a plain `xs[i]` with an index that can be read twice",
                excerpt(&base, 40),
                excerpt(&idx, 40)
            ));
        }
        let what = format!(
            "The program panicked at {here}: `{base}[{idx}]` read past the end (index {index}, \
             length {len})"
        );
        let src = Source::new(&site.content, Lang::Java);
        let looped = src.loop_at(site.line);
        if let Some(block) = &looped {
            if let Some(c) = COUNTING.captures(&block.header) {
                if c[1] == c[2] && c[1] == c[4] && c[1] == *idx && c[3] == *base && index == len {
                    return loop_bound(site, block.open, &base, &idx, &what);
                }
            }
            if let Some(record) = split_from(&site.content, block.open, site.line, &base) {
                let package = package_files(cx, site);
                return skip_record(site, text, &package, &base, &idx, &record, &what);
            }
        }
        let package = package_files(cx, site);
        if let Some(draft) = return_error(site, text, &package, &base, &idx, &what)? {
            return Ok(draft);
        }
        decline(format!(
            "`{base}[{idx}]` at {here} read past the end, and the line is not a loop bound off \
             by one, a field of a split record in a loop, or in a function that returns an \
             error; a clamped index or a zero element would be a value the input never had"
        ))
    }
}

/// `i <= len(xs)` → `i < len(xs)` in the loop's header on line `at`.
fn loop_bound(site: &Site, at: u32, base: &str, idx: &str, what: &str) -> Result<Draft, Skip> {
    let header = line_text(&site.content, at).unwrap_or("");
    let old = format!("{idx} <= len({base})");
    if header.matches(&old).count() != 1 {
        return decline(format!(
            "the loop bound at {}:{at} is not written `{old}`",
            site.path
        ));
    }
    let new = header.replacen(&old, &format!("{idx} < len({base})"), 1);
    let Some(edit) = Edit::replace_line(&site.path, &site.content, at, &new) else {
        return decline(format!("{} has no line {at}", site.path));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: the loop at {}:{at} runs `{idx}` up to `len({base})` inclusive, one past \
             the last element. The bound is `{idx} < len({base})`, so the loop reads every \
             element once and stops at the last one.",
            site.path
        ),
        at_column: None,
        strategy: strategy("idiomatic"),
    })
}

/// The record `base` was split from in the loop's body before `line`: `parts :=
/// strings.Split(line, ",")` → `line`.
fn split_from(content: &str, open: u32, line: u32, base: &str) -> Option<String> {
    let re = Regex::new(&format!(
        r"^\s*{}\s*:?=\s*strings\.(?:Split|SplitN|Fields|FieldsFunc|SplitAfter)\(\s*([\w.]+(?:\(\))?)\s*[,)]",
        regex::escape(base)
    ))
    .ok()?;
    (open + 1..line).rev().find_map(|n| {
        re.captures(line_text(content, n)?)
            .map(|c| c[1].to_string())
    })
}

fn skip_record(
    site: &Site,
    text: &str,
    package: &[(String, String)],
    base: &str,
    idx: &str,
    record: &str,
    what: &str,
) -> Result<Draft, Skip> {
    let here = format!("{}:{}", site.path, site.line);
    if !Line::new(text, Lang::Java).balanced() {
        return decline(format!("the statement at {here} spans several lines"));
    }
    let Some(warn) = go_warning(&site.content, package) else {
        return decline(format!(
            "{} has no way to print a warning (no log, fmt and os import, no warn helper) to \
             name the skipped record",
            site.path
        ));
    };
    let indent = &text[..text.len() - text.trim_start().len()];
    let want = match idx.parse::<u64>().ok().map(|n| n + 1) {
        Some(n) => format!("want at least {n}"),
        None => format!("no field {idx}"),
    };
    let message = format!("skipping %q: %d fields, {want}");
    let lines = vec![
        format!("{indent}if {idx} >= len({base}) {{"),
        format!(
            "{indent}\t{}",
            warn.call(&message, &format!("{record}, len({base})"))
        ),
        format!("{indent}\tcontinue"),
        format!("{indent}}}"),
    ];
    let Some(edit) = insert_before(&site.path, &site.content, site.line, &lines) else {
        return decline(format!("{here} cannot be edited"));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: `{base}` is split from the loop's record `{record}`, and a record with too \
             few fields has no element {idx}. Such a record is skipped with a line naming it, \
             before the field is read, and the other records are handled as before."
        ),
        at_column: Some(false),
        strategy: strategy("skip-record"),
    })
}

fn return_error(
    site: &Site,
    text: &str,
    package: &[(String, String)],
    base: &str,
    idx: &str,
    what: &str,
) -> Result<Option<Draft>, Skip> {
    let Some((_, header, _)) = func_at(&site.content, site.line) else {
        return Ok(None);
    };
    let Some(results) = results(&header) else {
        return Ok(None);
    };
    if results.last().map(String::as_str) != Some("error") {
        return Ok(None);
    }
    let here = format!("{}:{}", site.path, site.line);
    let zeros: Option<Vec<String>> = results[..results.len() - 1]
        .iter()
        .map(|t| zero_value(t, package))
        .collect();
    let Some(zeros) = zeros else {
        return decline(format!(
            "the function at {here} returns an error, but the zero value of one of its results \
             ({}) is not known",
            excerpt(&results.join(", "), 60)
        ));
    };
    if !imports(&site.content, "fmt") {
        return decline(format!(
            "{} does not import fmt to build the error",
            site.path
        ));
    }
    if !Line::new(text, Lang::Java).balanced() {
        return decline(format!("the statement at {here} spans several lines"));
    }
    let indent = &text[..text.len() - text.trim_start().len()];
    let mut values = zeros;
    values.push(format!(
        "fmt.Errorf(\"{} has no element %d (length %d)\", {idx}, len({base}))",
        base.replace('"', "'")
    ));
    let lines = vec![
        format!("{indent}if {idx} >= len({base}) {{"),
        format!("{indent}\treturn {}", values.join(", ")),
        format!("{indent}}}"),
    ];
    let Some(edit) = insert_before(&site.path, &site.content, site.line, &lines) else {
        return decline(format!("{here} cannot be edited"));
    };
    let fname = header
        .trim_start_matches("func ")
        .split('(')
        .find(|p| !p.trim().is_empty() && !p.contains(')'))
        .unwrap_or("")
        .trim()
        .to_string();
    Ok(Some(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: the function {} already returns an error, so a missing element becomes an \
             error naming the index and the length, through the path its callers already \
             handle, instead of a panic.",
            if fname.is_empty() {
                String::new()
            } else {
                format!("{fname}()")
            }
        ),
        at_column: Some(false),
        strategy: strategy("return-error"),
    }))
}

/// The result types of a gofmt'd function header (`func (s *S) f(a int) (int, error) {`).
pub(crate) fn results(header: &str) -> Option<Vec<String>> {
    let head = header.trim().strip_suffix('{')?.trim_end();
    let line = Line::new(head, Lang::Java);
    let mut at = "func".len();
    let rest = head[at..].trim_start();
    at = head.len() - rest.len();
    if rest.starts_with('(') {
        at = line.matching_close(at)? + 1;
    }
    let open = at + head[at..].find('(')?;
    let close = line.matching_close(open)?;
    let out = head[close + 1..].trim();
    if out.is_empty() {
        return Some(Vec::new());
    }
    let inner = out
        .strip_prefix('(')
        .and_then(|o| o.strip_suffix(')'))
        .unwrap_or(out);
    Some(
        split_top(inner)
            .into_iter()
            .map(|r| {
                // A named result `n int`: its type.
                match r.split_once(' ') {
                    Some((name, ty)) if name.bytes().all(is_ident) => ty.trim().to_string(),
                    _ => r,
                }
            })
            .collect(),
    )
}

/// The zero value of the Go type `ty`, when it is one of the builtins or a struct of the package.
pub(crate) fn zero_value(ty: &str, package: &[(String, String)]) -> Option<String> {
    let ty = ty.trim();
    if ty == "error"
        || ty == "any"
        || ["*", "[]", "map[", "chan ", "func(", "interface{"]
            .iter()
            .any(|p| ty.starts_with(p))
    {
        return Some("nil".into());
    }
    if ty == "string" {
        return Some("\"\"".into());
    }
    if ty == "bool" {
        return Some("false".into());
    }
    let number = Regex::new(r"^(?:u?int(?:8|16|32|64)?|uintptr|float(?:32|64)|byte|rune)$")
        .expect("valid regex");
    if number.is_match(ty) {
        return Some("0".into());
    }
    let declared = Regex::new(&format!(r"(?m)^type\s+{}\s+struct\b", regex::escape(ty))).ok()?;
    package
        .iter()
        .any(|(_, c)| declared.is_match(c))
        .then(|| format!("{ty}{{}}"))
}

/// Whether the Go file imports `path` (in a single import or an import block).
pub(crate) fn imports(content: &str, path: &str) -> bool {
    let quoted = format!("\"{path}\"");
    let mut block = false;
    for line in content.lines() {
        let l = line.trim();
        if l.starts_with("import (") {
            block = true;
        } else if block && l.starts_with(')') {
            block = false;
        } else if (block || l.starts_with("import ")) && l.split_whitespace().any(|w| w == quoted) {
            return true;
        }
    }
    false
}

/// How the package prints a warning.
pub(crate) enum Warn {
    /// `warn("…", args)` or `logf("warn", "…", args)`: a helper of the package.
    Helper { name: String, level: Option<String> },
    /// `log.Printf("…", args)`.
    Log,
    /// `fmt.Fprintf(os.Stderr, "…\n", args)`.
    Stderr,
}

impl Warn {
    /// The call printing `format` (no newline) with `args`.
    pub fn call(&self, format: &str, args: &str) -> String {
        match self {
            Warn::Helper { name, level: None } => format!("{name}(\"{format}\", {args})"),
            Warn::Helper {
                name,
                level: Some(l),
            } => format!("{name}(\"{l}\", \"{format}\", {args})"),
            Warn::Log => format!("log.Printf(\"{format}\", {args})"),
            Warn::Stderr => format!("fmt.Fprintf(os.Stderr, \"{format}\\n\", {args})"),
        }
    }
}

static WARN_HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^func\s+((?i:warn|warnf|warning|logwarn))\(\w+\s+string,\s*\w+\s+\.\.\.(?:any|interface\{\})\)")
        .expect("valid regex")
});
static LEVEL_HELPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^func\s+(\w+)\(level,\s*\w+\s+string,\s*\w+\s+\.\.\.(?:any|interface\{\})\)")
        .expect("valid regex")
});

/// The package's way to print a warning: its own helper, else the log package when the file
/// imports it, else fmt to stderr when it imports fmt and os.
pub(crate) fn go_warning(content: &str, package: &[(String, String)]) -> Option<Warn> {
    for (_, c) in package {
        if let Some(m) = WARN_HELPER.captures(c) {
            return Some(Warn::Helper {
                name: m[1].to_string(),
                level: None,
            });
        }
        if let Some(m) = LEVEL_HELPER.captures(c) {
            // The level word the package already passes it.
            let used = Regex::new(&format!(r#"\b{}\("(warn(?:ing)?|WARN(?:ING)?)""#, &m[1]))
                .expect("valid regex");
            let level = package
                .iter()
                .find_map(|(_, c)| used.captures(c).map(|u| u[1].to_string()))
                .unwrap_or_else(|| "warn".into());
            return Some(Warn::Helper {
                name: m[1].to_string(),
                level: Some(level),
            });
        }
    }
    if imports(content, "log") {
        return Some(Warn::Log);
    }
    (imports(content, "fmt") && imports(content, "os")).then_some(Warn::Stderr)
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(
        src: &str,
        line: u32,
        index: u32,
        len: u32,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "panic: runtime error: index out of range [{index}] with length {len}\n\ngoroutine 1 [running]:\nmain.f(...)\n\t/srv/app/main.go:{line}\nmain.main()\n\t/srv/app/main.go:40 +0x85\n"
        );
        propose(
            &[("go.mod", "module app\n\ngo 1.19\n"), ("main.go", src)],
            &trace,
        )
    }

    #[test]
    fn an_inclusive_loop_bound_is_made_exclusive() {
        let src = "package main\n\nfunc sum(xs []int) int {\n\tt := 0\n\tfor i := 0; i <= len(xs); i++ {\n\t\tt += xs[i]\n\t}\n\treturn t\n}\n";
        let (sols, notes) = panic(src, 6, 3, 3);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["\tfor i := 0; i < len(xs); i++ {"]
        );
    }

    #[test]
    fn a_short_record_is_skipped_or_the_error_returned() {
        let src = "package main\n\nimport (\n\t\"log\"\n\t\"strings\"\n)\n\nfunc main() {\n\tfor _, line := range lines {\n\t\tparts := strings.Split(line, \",\")\n\t\tname := parts[2]\n\t\tuse(name)\n\t}\n}\n";
        let (sols, notes) = panic(src, 11, 2, 2);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "\t\tif 2 >= len(parts) {",
                "\t\t\tlog.Printf(\"skipping %q: %d fields, want at least 3\", line, len(parts))",
                "\t\t\tcontinue",
                "\t\t}"
            ]
        );
        let src = "package main\n\nimport \"fmt\"\n\ntype Rec struct{ a string }\n\nfunc parse(f []string) (Rec, error) {\n\treturn Rec{a: f[1]}, nil\n}\n";
        let (sols, notes) = panic(src, 8, 1, 1);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "\tif 1 >= len(f) {",
                "\t\treturn Rec{}, fmt.Errorf(\"f has no element %d (length %d)\", 1, len(f))",
                "\t}"
            ]
        );
        // No loop and no error result: nothing says what a missing element means.
        let src = "package main\n\nfunc main() {\n\tprimary := replicas[0]\n\tuse(primary)\n}\n";
        let (sols, notes) = panic(src, 4, 0, 0);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("never had")),
            "{notes:?}"
        );
    }
}
