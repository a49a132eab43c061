//! `ValueError` of `int()`/`float()` given a blank string → the code's own default, or the
//! record skipped.
//!
//! Message forms read (Python 3.11):
//!
//! - `invalid literal for int() with base 10: ''` (and `'  '`, whitespace only);
//! - `could not convert string to float: ''` (and `' '`, `' \t'`).
//!
//! A blank field of a file, a request or the environment is a value nobody gave. Strategies, in
//! order:
//!
//! 1. the default the code base defines for it: the fallback of the `.get(key, default)` on the
//!    line itself (`os.environ.get("WORKERS", "4")` with `WORKERS=` set), a `DEFAULT_KEY`
//!    constant, a defaults table, or the fallback another `.get(key, …)` of the repository gives
//!    the same key; the blank then reads as that default (`int(row["pack"] or DEFAULT_PACK)`);
//! 2. the record skipped, with a log line naming it, in the loop over independent records around
//!    the statement or around its caller.
//!
//! Otherwise nothing: `int(x or 0)` would feed a 0 nobody measured into the output. A literal
//! that is not blank (`'12a'`) is malformed input, not a missing value, and is left alone.

use super::code::{is_ident, Lang, Line};
use super::python::{checked_line, function_name, headline, is_python};
use super::python_flow as flow;
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::{split_top, Source};

/// `ValueError` of a number parsed from a blank string.
pub struct BlankNumber;

impl Generator for BlankNumber {
    fn name(&self) -> String {
        "py-blank-number".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`ValueError: invalid literal for int() with base 10: ''` (and `could not convert string to float: ''`) of a blank field",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("ValueError") {
            return Err(Skip::NotApplicable);
        }
        let Some((func, literal)) = parse(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        // A literal that is not blank (`'12a'`) is malformed input, not a missing value: what it
        // should read as is unknown, and no class of this module covers it.
        if !is_blank(literal) {
            return Err(Skip::NotApplicable);
        }
        let (site, text, shown) = checked_line(cx)?;
        let line = Line::new(text, Lang::Python);
        let calls = calls_of(&line, func);
        let (open, close, at_column) = match shown.span() {
            Some((a, b)) => {
                let under: Vec<_> = calls.iter().filter(|c| a <= c.0 && c.0 < b).collect();
                match under[..] {
                    [&(start, open, close)] => (open, close, start == a),
                    _ => {
                        return decline(format!(
                            "no single {func}() call under the carets at {}:{}: the line \
                             changed since the log was written",
                            site.path, site.line
                        ))
                    }
                }
            }
            None => match calls[..] {
                [(_, open, close)] => (open, close, false),
                _ => {
                    return decline(format!(
                        "{} {func}() calls on {}:{}; which one failed is unknown",
                        if calls.is_empty() { "no" } else { "several" },
                        site.path,
                        site.line
                    ))
                }
            },
        };
        let args = split_top(&text[open + 1..close]);
        let arg = match args[..] {
            [one] => one.trim(),
            _ => return decline(format!("the {func}() call does not take one argument")),
        };
        if !pure(arg) {
            return decline(format!(
                "the argument `{}` of {func}() at {}:{} is not a plain read; testing it would \
                 evaluate it twice",
                excerpt(arg, 40),
                site.path,
                site.line
            ));
        }
        let whitespace = !literal.is_empty();
        let blank = if whitespace {
            "whitespace only"
        } else {
            "empty"
        };
        let src = Source::new(&site.content);
        let key = key_of(arg).or_else(|| assigned_key(&src, site.line, arg));

        // 1. The default the code gives the value.
        if let Some((new_arg, why, import)) = code_default(cx, arg, key.as_deref(), whitespace) {
            let new = format!("{}{new_arg}{}", &text[..open + 1], &text[close..]);
            let mut draft = Draft::on_line(
                site,
                &new,
                format!(
                    "{} at {}:{} in {}: `{arg}` is {blank}, a value nobody gave; {why}, so a \
                     blank reads as that default and a given value is still used.",
                    headline(cx),
                    site.path,
                    site.line,
                    function_name(site),
                ),
                "default-from-code",
                at_column,
            )?;
            if let Some(import) = import {
                draft.edits.push(Edit {
                    file: site.path.clone(),
                    line: src.import_line(),
                    old: String::new(),
                    new: format!("{import}\n"),
                });
            }
            return Ok(draft);
        }

        // 2. The record skipped.
        let what = match &key {
            Some(k) => format!("'{k}' is blank"),
            None => format!("{} is blank", excerpt(arg, 40)),
        };
        let missing = flow::Missing {
            cond: format!("not {arg}.strip()"),
            names: vec![flow::root_name(arg)],
            what,
            args: Vec::new(),
            announce: true,
        };
        let strategies = flow::Strategies::at(cx, site);
        let why_not = match strategies.skip(&missing) {
            Ok(plan) => {
                return Ok(Draft {
                    strategy: crate::fix::factor::strategy(plan.strategy),
                    edits: plan.edits,
                    description: format!(
                        "{} at {}:{} in {}: `{arg}` is {blank}, and no default for it is \
                     defined in the code base; {}.",
                        headline(cx),
                        site.path,
                        site.line,
                        function_name(site),
                        plan.why
                    ),
                    at_column: Some(at_column),
                })
            }
            Err(why) => why,
        };
        decline(format!(
            "nothing in the code says what a blank `{}` stands for (no default for it is \
             defined in the code base), and no record can be skipped: {}",
            excerpt(arg, 40),
            why_not
        ))
    }
}

/// The parsing function and the repr's content, from the message.
fn parse(msg: &str) -> Option<(&'static str, &str)> {
    let (func, repr) = if let Some(r) = msg.strip_prefix("invalid literal for int() with base 10: ")
    {
        ("int", r)
    } else {
        (
            "float",
            msg.strip_prefix("could not convert string to float: ")?,
        )
    };
    let q = repr.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let inner = repr.strip_prefix(q)?.strip_suffix(q)?;
    Some((func, inner))
}

/// Whether a repr's content is empty or only whitespace (escaped as `\t`, `\n`, … by repr).
fn is_blank(inner: &str) -> bool {
    let mut rest = inner.to_string();
    for esc in ["\\t", "\\n", "\\r", "\\x0b", "\\x0c"] {
        rest = rest.replace(esc, " ");
    }
    rest.chars().all(char::is_whitespace)
}

/// The `func(` calls on the line: start, the `(` and its `)`.
pub(crate) fn calls_of(line: &Line<'_>, func: &str) -> Vec<(usize, usize, usize)> {
    let b = line.bytes();
    line.find_code(&format!("{func}("))
        .into_iter()
        .filter(|&i| i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b'.'))
        .filter_map(|i| {
            let open = i + func.len();
            Some((i, open, line.matching_close(open)?))
        })
        .collect()
}

/// A read with no side effects: names, attributes, literal subscripts, `.get(…)` with literal
/// arguments, `.strip()`.
pub(crate) fn pure(arg: &str) -> bool {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    RE.get_or_init(|| {
        let lit = r#"(?:'[^'\\]*'|"[^"\\]*"|-?\d+(?:\.\d+)?|[A-Z][A-Z0-9_]*)"#;
        regex::Regex::new(&format!(
            r"^[A-Za-z_]\w*(?:\.\w+|\[{lit}\]|\.get\(\s*{lit}\s*(?:,\s*{lit}\s*)?\)|\.strip\(\))*$"
        ))
        .expect("valid regex")
    })
    .is_match(arg)
}

/// The key `arg` reads (`row["pack"]`, `os.environ.get("WORKERS", "4")`).
fn key_of(arg: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(r#"(?:\[|\.get\(\s*)['"]([\w.-]+)['"]"#).expect("valid regex")
    });
    re.captures_iter(arg).last().map(|c| c[1].to_string())
}

/// The key of the read last assigned to the name `arg` before `line` in its function.
fn assigned_key(src: &Source<'_>, line: u32, arg: &str) -> Option<String> {
    if !arg.bytes().all(is_ident) {
        return None;
    }
    let function = src.function(line)?;
    let re = regex::Regex::new(&format!(r"^\s*{}\s*=\s*([^=].*)$", regex::escape(arg))).ok()?;
    let rhs = (function.first..line)
        .rev()
        .find_map(|l| Some(re.captures(src.text(l)?)?[1].trim().to_string()))?;
    pure(&rhs).then(|| key_of(&rhs)).flatten()
}

/// The argument rewritten to fall back to the code's default, why, and an import it needs.
fn code_default(
    cx: &Context<'_>,
    arg: &str,
    key: Option<&str>,
    whitespace: bool,
) -> Option<(String, String, Option<String>)> {
    let site = cx.site.as_ref()?;
    let usable = |d: &str| !matches!(d.trim(), "''" | "\"\"" | "None" | "0" | "0.0");
    // `X.get("k", d)`: the line's own fallback, for a key that is there but blank.
    let own = regex::Regex::new(r#"^(.*\.get\(\s*(['"][\w.-]+['"]))\s*,\s*(.+?)\s*\)$"#)
        .expect("valid regex");
    if let Some(c) = own.captures(arg) {
        let (base, d) = (&c[1], &c[3]);
        if usable(d) && !d.contains('(') {
            let read = if whitespace {
                format!("{base}, \"\").strip()")
            } else {
                format!("{base})")
            };
            return Some((
                format!("{read} or {d}"),
                format!(
                    "the line already falls back to {d} when '{}' is not set",
                    &c[2][1..c[2].len() - 1]
                ),
                None,
            ));
        }
    }
    let key = key?;
    let (name, why, import) = flow::default_for(key, &site.path, &site.content, cx.repo)
        .map(|(n, w)| (n, w, None))
        .or_else(|| flow::named_default(key, &site.path, &site.content, cx.repo))?;
    if !usable(&name) {
        return None;
    }
    let read = if whitespace {
        format!("{arg}.strip()")
    } else {
        arg.to_string()
    };
    Some((format!("{read} or {name}"), why, import))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::python_added;

    fn run(src: &str, no: u32, msg: &str) -> (Vec<String>, Vec<String>) {
        python_added(&[("app.py", src)], no, &format!("ValueError: {msg}"))
    }

    const INT: &str = "invalid literal for int() with base 10: ''";

    #[test]
    fn the_code_default_fills_a_blank() {
        let src =
            "DEFAULT_PACK = 6\n\n\ndef run(row):\n    pack = int(row[\"pack\"])\n    return pack\n";
        let (lines, notes) = run(src, 5, INT);
        assert_eq!(
            lines,
            vec!["    pack = int(row[\"pack\"] or DEFAULT_PACK)"],
            "{notes:?}"
        );
        let src = "import os\n\n\ndef run():\n    return int(os.environ.get(\"WORKERS\", \"4\"))\n";
        let (lines, notes) = run(src, 5, "invalid literal for int() with base 10: '  '");
        assert_eq!(
            lines,
            vec!["    return int(os.environ.get(\"WORKERS\", \"\").strip() or \"4\")"],
            "{notes:?}"
        );
    }

    #[test]
    fn a_blank_record_is_skipped() {
        let src = "def run(rows):\n    out = []\n    for row in rows:\n        t = float(row[\"t\"])\n        out.append(t)\n    return out\n";
        let (lines, notes) = run(src, 4, "could not convert string to float: ' '");
        assert!(
            lines.contains(&"        if not row[\"t\"].strip():".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(lines.iter().any(|l| l.contains("continue")), "{lines:?}");
    }

    #[test]
    fn malformed_or_lone_values_are_declined() {
        let src = "def run(req):\n    return float(req[\"amount\"])\n";
        let (lines, notes) = run(src, 2, "could not convert string to float: ''");
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("nothing in the code says")),
            "{notes:?}"
        );
        let src = "def run(rows):\n    for row in rows:\n        print(int(row[\"n\"]))\n";
        let (lines, notes) = run(src, 3, "invalid literal for int() with base 10: '12a'");
        assert!(lines.is_empty());
        assert!(
            notes.iter().all(|n| !n.contains("py-blank-number")),
            "{notes:?}"
        );
    }
}
