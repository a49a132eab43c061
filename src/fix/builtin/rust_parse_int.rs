//! Rust: input that does not parse as a number, unwrapped (`s.parse::<u32>().unwrap()`).
//!
//! The message forms (rustc 1.95; `.expect("…")` prints its literal, `: ` and the same Debug):
//!
//! ```text
//! thread 'main' (4218) panicked at src/orders.rs:14:49:
//! called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }
//! ```
//!
//! (`kind: Empty` for "", `ParseFloatError { kind: Invalid }` for an f64.) The `unwrap` and
//! `expect` generators hand a failed `.parse()` here; what a value that is not a number means is
//! taken from the code, in order:
//! - the crate's default constant for the bound name (`DEFAULT_RETRIES`), or the literal the
//!   code already falls back to a line above → `.unwrap_or(…)`;
//! - the function returns a `Result` → `?` (its error type converts from the parse error:
//!   `Box<dyn Error>`, the parse error itself or an `impl From<ParseIntError>`), or
//!   `.map_err(|e| format!(…))?` for a `String` error naming the text;
//! - the value is bound by a statement of a `for` loop → the record is skipped with a line
//!   naming it and the text that did not parse;
//! - else nothing: a 0 for a quantity, a price or a count is a value the input never had.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::Source;
use super::code::Lang;
use super::rust::{binding_name, default_const, literal_fallback, Call, RustFn};
use crate::fix::generator::{decline, excerpt, Draft, Site, Skip};

/// `….parse()` / `….parse::<u32>()` at the end of a receiver: the turbofish.
static PARSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\.parse(::<[^<>]+>)?\(\)$").expect("valid regex"));

static FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(?:mut\s+)?(?:&\s*)?([a-z_][a-z0-9_]*)\s+in\s+(.*)$").expect("valid regex")
});

/// `let name[: T] = ` before the receiver.
static LET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*)let\s+(mut\s+)?([a-z_][a-z0-9_]*)\s*(:\s*[^=]+)?=\s*$").expect("valid regex")
});

/// Whether `receiver` is a `.parse()` call, whose Err is the text not being a number.
pub(crate) fn is_parse(receiver: &str) -> bool {
    PARSE.is_match(receiver.trim())
}

/// The change for a failed `receiver.unwrap()` (or `expect`) where `receiver` ends in
/// `.parse()`, or why there is none.
pub(crate) fn repair_parse(
    site: &Site,
    text: &str,
    call: &Call,
    receiver: &str,
    function: Option<&RustFn>,
) -> Result<Draft, Skip> {
    let (at, end) = (call.at, call.at + call.len);
    let here = format!("{}:{}", site.path, site.line);
    let what = call.what.as_str();
    let parse = PARSE
        .find(receiver)
        .map(|m| m.start())
        .unwrap_or(receiver.len());
    let source = receiver[..parse].trim().to_string();
    let shown = excerpt(&source, 60);
    let binding = binding_name(text, at);
    let name = binding.clone().unwrap_or_else(|| "value".into());
    let with = |repl: &str, from: usize| {
        let mut new = text.to_string();
        new.replace_range(from..end, repl);
        new
    };
    // The crate's own default for the value, or the one the code falls back to already.
    let fallback = binding
        .as_deref()
        .and_then(|b| default_const(&site.content, b))
        .map(|c| (c.clone(), format!("{} defines {c} for `{name}`", site.path)))
        .or_else(|| {
            literal_fallback(&site.content, site.line).map(|v| {
                (
                    v.clone(),
                    format!("the code already falls back to {v} for it a line above"),
                )
            })
        });
    if let Some((value, why)) = fallback {
        return Draft::on_line(
            site,
            &with(&format!("unwrap_or({value})"), at),
            format!(
                "The program panicked at {here} with {what}: `{shown}` is not a number. {why}, \
                 so text that does not parse falls back to {value} instead of panicking; a \
                 valid value is still used."
            ),
            "default-from-code",
            call.at_column,
        );
    }
    let returns = function.map(|f| f.returns.as_str()).unwrap_or("");
    let fname = function.map(|f| f.name.as_str()).unwrap_or("");
    let error = returns
        .strip_prefix("Result<")
        .and_then(|r| r.strip_suffix('>'))
        .and_then(|r| r.rsplit_once(','))
        .map(|(_, e)| e.trim().to_string())
        .unwrap_or_default();
    if !error.is_empty() {
        let converts = error.starts_with("Box<dyn")
            || error.ends_with("ParseIntError")
            || error.ends_with("ParseFloatError")
            || converts_from_parse_error(&site.content, &error);
        // The text again in the message, when reading it twice has no side effect.
        let pure = !source.contains("next()")
            && !source.contains("pop(")
            && !source.contains("remove(")
            && !source.contains("read");
        let new = if converts {
            Some(with("?", at - 1))
        } else if error == "String" {
            let message = if pure {
                format!("format!(\"bad {name} {{:?}}: {{e}}\", {source})")
            } else {
                format!("format!(\"bad {name}: {{e}}\")")
            };
            Some(with(&format!(".map_err(|e| {message})?"), at - 1))
        } else {
            None
        };
        if let Some(new) = new {
            return Draft::on_line(
                site,
                &new,
                format!(
                    "The program panicked at {here} with {what}: `{shown}` is not a number. \
                     {fname}() already returns errors as Result<_, {error}>, so the parse error \
                     {} through the path its callers already handle, instead of a panic.",
                    if converts {
                        "is returned with `?`".to_string()
                    } else {
                        format!("becomes an error naming `{name}` and the text")
                    }
                ),
                "return-error",
                call.at_column,
            );
        }
    }
    skip_record(site, text, call, receiver, &source).or_else(|why| {
        decline(format!(
            "`{shown}` at {here} is not a number, and nothing in the code says what `{name}` \
             should be then: no default constant for it, {fname}() has no error result it \
             converts to, and {why}; a 0 would be a value the input never had"
        ))
    })
}

/// `impl From<ParseIntError> for E` (or `ParseFloatError`, with any path) in the file.
fn converts_from_parse_error(content: &str, error: &str) -> bool {
    let ty = error.rsplit("::").next().unwrap_or(error);
    Regex::new(&format!(
        r"impl\s+From<(?:[\w:]+::)?Parse(?:Int|Float)Error>\s+for\s+{}\b",
        regex::escape(ty)
    ))
    .is_ok_and(|r| r.is_match(content))
}

fn skip_record(
    site: &Site,
    text: &str,
    call: &Call,
    receiver: &str,
    source: &str,
) -> Result<Draft, String> {
    let (at, end) = (call.at, call.at + call.len);
    let start = text[..at - 1].len().saturating_sub(receiver.len());
    if text.get(start..at - 1).map(str::trim) != Some(receiver) {
        return Err("the value is not read on that line alone".into());
    }
    let Some(b) = text.get(..start).and_then(|t| LET.captures(t)) else {
        return Err("the value is not bound by a `let` of its own".into());
    };
    if text[end..].trim() != ";" {
        return Err("the statement does more than bind the number".into());
    }
    let src = Source::new(&site.content, Lang::Rust);
    let Some(block) = src.loop_at(site.line) else {
        return Err("the line is not in a `for` loop over records".into());
    };
    let Some(f) = FOR.captures(&block.header) else {
        return Err("its loop does not bind one record by name".into());
    };
    if !src.whole_statement(site.line) {
        return Err("the statement spans several lines".into());
    }
    let var = f[1].to_string();
    let body = super::braces::lines_text(&site.content, block.open, block.close);
    let id = [format!("{var}.id"), format!("{var}.name")]
        .into_iter()
        .find(|f| {
            Regex::new(&format!(r"\b{}\b[^(]", regex::escape(f))).is_ok_and(|r| r.is_match(&body))
        });
    // A line of text is named as it is; another record by its id, else by the text alone.
    let lines = Regex::new(r"\.(?:lines|split\w*)\(").expect("valid regex");
    let (indent, name) = (b[1].to_string(), b[3].to_string());
    let (named, args) = match id {
        Some(id) => ("skipping {}: ".to_string(), format!("{id}, {source}")),
        None if lines.is_match(&f[2]) => (format!("skipping {{{var}:?}}: "), source.to_string()),
        None => ("skipping a record: ".to_string(), source.to_string()),
    };
    let warn = super::rust_index::warning(&site.content);
    let unit = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let head = &text[..start];
    let lines = [
        format!("{head}match {receiver} {{"),
        format!("{indent}{unit}Ok(v) => v,"),
        format!("{indent}{unit}Err(e) => {{"),
        format!("{indent}{unit}{unit}{warn}{named}bad {name} {{:?}}: {{e}}\", {args});"),
        format!("{indent}{unit}{unit}continue;"),
        format!("{indent}{unit}}}"),
        format!("{indent}}};"),
    ];
    Draft::on_line(
        site,
        &lines.join("\n"),
        format!(
            "The program panicked at {}:{} with {}: `{}` is not a number. The line reads one \
             record `{var}` of a `for` loop; a record whose {name} does not parse is skipped \
             with a line naming it and the text, and the other records are handled as before.",
            site.path,
            site.line,
            call.what,
            excerpt(source, 60)
        ),
        "skip-record",
        call.at_column,
    )
    .map_err(|_| "the line cannot be edited".into())
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    const INVALID: &str =
        "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }";

    fn panic(src: &str, line: u32, col: usize) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!("\nthread 'main' panicked at src/main.rs:{line}:{col}:\n{INVALID}\n");
        propose(&[("src/main.rs", src)], &trace)
    }

    #[test]
    fn the_function_error_through_question_mark() {
        let src = "fn qty(s: &str) -> Result<u32, Box<dyn std::error::Error>> {\n    let n: u32 = s.trim().parse().unwrap();\n    Ok(n)\n}\n";
        let (sols, notes) = panic(src, 2, 36);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let n: u32 = s.trim().parse()?;"]
        );
        let src = "fn qty(s: &str) -> Result<u32, String> {\n    let n: u32 = s.trim().parse().unwrap();\n    Ok(n)\n}\n";
        let (sols, notes) = panic(src, 2, 36);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let n: u32 = s.trim().parse().map_err(|e| format!(\"bad n {:?}: {e}\", s.trim()))?;"]
        );
    }

    #[test]
    fn a_record_of_a_loop_is_skipped_else_nothing() {
        let src = "fn main() {\n    for line in text.lines() {\n        let qty: u32 = line.parse().unwrap();\n        println!(\"{qty}\");\n    }\n}\n";
        let (sols, notes) = panic(src, 3, 37);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "        let qty: u32 = match line.parse() {",
                "            Ok(v) => v,",
                "            Err(e) => {",
                "                eprintln!(\"skipping {line:?}: bad qty {:?}: {e}\", line);",
                "                continue;",
                "            }",
                "        };"
            ]
        );
        let src =
            "fn main() {\n    let qty: u32 = arg.parse().unwrap();\n    println!(\"{qty}\");\n}\n";
        let (sols, notes) = panic(src, 2, 32);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("never had")),
            "{notes:?}"
        );
    }
}
