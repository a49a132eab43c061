//! Rust generator: a panic from indexing past the end of a Vec or slice (`v[i]`).
//!
//! The message form (rustc 1.95; the column is the indexed value's for a slice, the `[` for a
//! Vec):
//!
//! ```text
//! thread 'main' (28185) panicked at src/main.rs:2:13:
//! index out of bounds: the len is 3 but the index is 3
//! ```
//!
//! The index is read as `.get(i)`, and what a missing element means is taken from the code
//! around it, in order:
//! - the function returns Option → `v.get(i)?`: its callers already handle None;
//! - it returns `Result<_, String>` (or a boxed error) → `v.get(i).ok_or_else(|| format!(…))?`,
//!   an error naming the index, through the path its callers already handle;
//! - the line is a statement in a `for` loop over records → the record is skipped with a line
//!   naming it, before the index is read;
//! - else nothing: a clamped index or a default element would be a value the input never had.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::Source;
use super::code::{is_name_chain, Lang, Line};
use super::js::column_byte;
use super::rust::enclosing_fn;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct IndexOutOfBounds;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^index out of bounds: the len is (\d+) but the index is (\d+)$")
        .expect("valid regex")
});

static FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(?:mut\s+)?([a-z_][a-z0-9_]*)\s+in\s").expect("valid regex")
});

/// `for i in 0..=v.len()`: the counter, the start, `=` when inclusive, and the bound's base
/// when the bound is a `.len()`.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+([a-z_][a-z0-9_]*)\s+in\s+\(?(\w+)\s*\.\.(=)?\s*(?:([\w.]+)\.len\(\)|[\w.]+)\)?\s*$")
        .expect("valid regex")
});

/// An index without side effects, which may be evaluated twice.
static PURE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w.\s+\-*/()]+$").expect("valid regex"));

impl Generator for IndexOutOfBounds {
    fn name(&self) -> String {
        "rs-index-out-of-bounds".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Rust",
            error: "`index out of bounds: the len is N but the index is M`",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = MESSAGE.captures(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let (len, index) = (&caps[1], &caps[2]);
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let here = format!("{}:{}", site.path, site.line);
        let line = Line::new(text, Lang::Rust);
        // (base start, `[`, `]`)
        let found = line.subscripts();
        let col = site.column.and_then(|c| column_byte(text, c));
        let at_col: Vec<_> = found
            .iter()
            .filter(|f| Some(f.0) == col || Some(f.1) == col)
            .collect();
        let (start, open, close, at_column) = match (at_col.as_slice(), found.as_slice()) {
            ([one], _) => (one.0, one.1, one.2, true),
            ([], [one]) => (one.0, one.1, one.2, false),
            _ => {
                return decline(format!(
                    "{} indexing expressions on {here} and none alone at the panic's column",
                    if found.is_empty() { "no" } else { "several" }
                ))
            }
        };
        let base = text[start..open].trim();
        let idx = text[open + 1..close].trim();
        if idx.contains("..") || base.contains('[') || !PURE.is_match(idx) || idx.contains('=') {
            return decline(format!(
                "`{}` at {here} is not a plain `v[i]` with an index that can be read twice",
                excerpt(&text[start..=close], 60)
            ));
        }
        let after = text[close + 1..].trim_start();
        let before = text[..start].trim_end();
        let assigns = after.starts_with('=') && !after.starts_with("==")
            || ["+=", "-=", "*=", "/=", "%=", "|=", "&=", "^="]
                .iter()
                .any(|op| after.starts_with(op));
        if assigns || before.ends_with("&mut") {
            return decline(format!(
                "`{base}[{idx}]` at {here} is written to, not read; a missing element is not \
                 a value to read around"
            ));
        }
        // `&v[i]` and `v[i].x` take the reference `get` gives; a value read by copy derefs it.
        let (from, deref) = if before.ends_with('&') && !before.ends_with("&&") {
            (text[..start].rfind('&').expect("&"), "")
        } else if after.starts_with('.') {
            (start, "")
        } else {
            (start, "*")
        };
        let replace = |with: String| {
            let mut new = text.to_string();
            new.replace_range(from..close + 1, &with);
            new
        };
        let what = format!(
            "`{base}[{idx}]` read past the end (the len is {len} but the index is {index})"
        );
        // `for i in 0..=v.len()` reading `v[i]`: the bound is one past the end.
        let src = Source::new(&site.content, Lang::Rust);
        let looped = src.loop_at(site.line);
        if let Some((open, c)) = looped
            .as_ref()
            .and_then(|b| RANGE.captures(&b.header).map(|c| (b.open, c)))
            .filter(|(_, c)| c[1] == *idx)
        {
            if &c[2] == "0"
                && c.get(3).is_some()
                && c.get(4).map(|m| m.as_str()) == Some(base)
                && len == index
            {
                return loop_bound(site, open, base, idx, &what);
            }
            return decline(format!(
                "`{base}[{idx}]` at {here} reads past the end with the counter of the range loop \
                 `{}`; the loop counts indices, not records, and which end of the range is off \
                 is not certain",
                excerpt(&c[0], 60)
            ));
        }
        let function = enclosing_fn(&site.content, site.line);
        let returns = function.as_ref().map(|f| f.returns.as_str()).unwrap_or("");
        let fname = function.as_ref().map(|f| f.name.as_str()).unwrap_or("");
        if returns.starts_with("Option<") {
            let new = replace(format!("{deref}{base}.get({idx})?"));
            return Draft::on_line(
                site,
                &new,
                format!(
                    "The program panicked at {here}: {what}. {fname}() already returns an \
                     Option, so `{base}.get({idx})?` returns None from it instead of panicking, \
                     and its callers handle that as they handle any other None."
                ),
                "return-nothing",
                at_column,
            );
        }
        let error = returns
            .strip_prefix("Result<")
            .and_then(|r| r.strip_suffix('>'))
            .and_then(|r| r.rsplit_once(','))
            .map(|(_, e)| e.trim().to_string())
            .unwrap_or_default();
        if error == "String" || (error.starts_with("Box<dyn") && error.contains("Error")) {
            let message = format!(
                "format!(\"{} has no element {{}} (len {{}})\", {idx}, {base}.len())",
                base.replace('{', "{{").replace('}', "}}")
            );
            let new = replace(format!(
                "{deref}{base}.get({idx}).ok_or_else(|| {message})?"
            ));
            return Draft::on_line(
                site,
                &new,
                format!(
                    "The program panicked at {here}: {what}. {fname}() already returns errors \
                     as Result<_, {error}>, so a missing element becomes an Err naming the index \
                     and the length, through the path its callers already handle, instead of a \
                     panic."
                ),
                "return-error",
                at_column,
            );
        }
        skip_record(site, text, base, idx, &what, at_column).or_else(|why| {
            decline(format!(
                "`{base}[{idx}]` at {here} read past the end, and {fname}() has no None or error \
                 result {why}; a clamped index or a default element would be a value the input \
                 never had"
            ))
        })
    }
}

/// `0..=v.len()` → `0..v.len()` in the loop header on line `at`.
fn loop_bound(
    site: &crate::fix::generator::Site,
    at: u32,
    base: &str,
    idx: &str,
    what: &str,
) -> Result<Draft, Skip> {
    let header = crate::fix::edit::line_text(&site.content, at).unwrap_or("");
    let re =
        Regex::new(&format!(r"\.\.=(\s*{}\.len\(\))", regex::escape(base))).expect("valid regex");
    if re.find_iter(header).count() != 1 {
        return decline(format!(
            "the loop bound at {}:{at} is not written `..={base}.len()`",
            site.path
        ));
    }
    let new = re.replace(header, "..$1").to_string();
    let Some(edit) = crate::fix::edit::Edit::replace_line(&site.path, &site.content, at, &new)
    else {
        return decline(format!("{} has no line {at}", site.path));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "The program panicked at {}:{}: {what}. The loop at {}:{at} runs `{idx}` up to \
             `{base}.len()` inclusive, one past the last element; the range is made exclusive \
             (`0..{base}.len()`), so every element is read once and none past the end.",
            site.path, site.line, site.path
        ),
        at_column: None,
        strategy: strategy("idiomatic"),
    })
}

/// A guard before the statement that skips the loop's record when the index is past the end.
fn skip_record(
    site: &crate::fix::generator::Site,
    text: &str,
    base: &str,
    idx: &str,
    what: &str,
    at_column: bool,
) -> Result<Draft, String> {
    let src = Source::new(&site.content, Lang::Rust);
    let Some(block) = src.loop_at(site.line) else {
        return Err("and is not in a `for` loop over records".into());
    };
    let Some(var) = FOR.captures(&block.header).map(|c| c[1].to_string()) else {
        return Err("and its loop does not bind one record by name".into());
    };
    if !src.whole_statement(site.line) || !is_name_chain(base) {
        return Err("and the statement cannot be guarded on its own".into());
    }
    let warn = warning(&site.content);
    let indent = &text[..text.len() - text.trim_start().len()];
    let lines = vec![
        format!("{indent}if {idx} >= {base}.len() {{"),
        format!(
            "{indent}    {}skipping {{{var}:?}}: no element {{}} in {} (len {{}})\", {idx}, {base}.len());",
            warn,
            base.replace('{', "{{").replace('}', "}}")
        ),
        format!("{indent}    continue;"),
        format!("{indent}}}"),
    ];
    let Some(edit) = super::braces::insert_before(&site.path, &site.content, site.line, &lines)
    else {
        return Err("and the line cannot be edited".into());
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "The program panicked at {}:{}: {what}. The line reads one record `{var}` of a \
             `for` loop; a record without that element is skipped with a line naming it, \
             before the index is read, and the other records are handled as before.",
            site.path, site.line
        ),
        at_column: Some(at_column),
        strategy: strategy("skip-record"),
    })
}

/// How the file prints a warning: `println!("WARN  svc: ` when it has such lines, the same with
/// `WARN` when it prints `INFO  svc: ` lines only, else `eprintln!("`.
pub(crate) fn warning(content: &str) -> String {
    let re = Regex::new(r#"(e?println!\("WARN\s+[\w.-]+: )"#).expect("valid regex");
    if let Some(c) = re.captures(content) {
        return c[1].to_string();
    }
    let info = Regex::new(r#"(e?println!\(")INFO(\s+[\w.-]+: )"#).expect("valid regex");
    info.captures(content)
        .map(|c| format!("{}WARN{}", &c[1], &c[2]))
        .unwrap_or_else(|| "eprintln!(\"".into())
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(src: &str, line: u32, col: usize) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "\nthread 'main' (4218) panicked at src/main.rs:{line}:{col}:\nindex out of bounds: the len is 3 but the index is 3\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
        );
        propose(
            &[
                ("src/main.rs", src),
                ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ],
            &trace,
        )
    }

    #[test]
    fn the_function_none_or_error() {
        let src = "fn third(v: &[u32]) -> Option<u32> {\n    let x = v[2] + 1;\n    Some(x)\n}\n";
        let (sols, notes) = panic(src, 2, 13);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(added(&sols[0].diff), vec!["    let x = *v.get(2)? + 1;"]);
        let src = "fn name(f: &[&str]) -> Result<String, String> {\n    Ok(f[3].to_string())\n}\n";
        let (sols, notes) = panic(src, 2, 8);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    Ok(f.get(3).ok_or_else(|| format!(\"f has no element {} (len {})\", 3, f.len()))?.to_string())"]
        );
    }

    #[test]
    fn an_inclusive_range_is_made_exclusive_and_a_counted_loop_not_skipped() {
        let src =
            "fn main() {\n    for i in 0..=v.len() {\n        println!(\"{}\", v[i]);\n    }\n}\n";
        let (sols, notes) = panic(src, 3, 24);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(added(&sols[0].diff), vec!["    for i in 0..v.len() {"]);
        let src =
            "fn main() {\n    for i in 1..=v.len() {\n        println!(\"{}\", v[i]);\n    }\n}\n";
        let (sols, notes) = panic(src, 3, 24);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("counts indices")),
            "{notes:?}"
        );
    }

    #[test]
    fn skip_the_record_or_nothing() {
        let src = "fn main() {\n    for row in rows() {\n        let qty = row[2];\n        println!(\"{qty}\");\n    }\n}\n";
        let (sols, notes) = panic(src, 3, 19);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "        if 2 >= row.len() {",
                "            eprintln!(\"skipping {row:?}: no element {} in row (len {})\", 2, row.len());",
                "            continue;",
                "        }"
            ]
        );
        let src = "fn main() {\n    let primary = replicas[0];\n}\n";
        let (sols, notes) = panic(src, 2, 19);
        assert!(sols.is_empty());
        assert!(notes.iter().any(|n| n.contains("never had")), "{notes:?}");
        let src = "fn main() {\n    slots[3] = 1;\n}\n";
        let (sols, notes) = panic(src, 2, 5);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("written to")),
            "{notes:?}"
        );
    }
}
