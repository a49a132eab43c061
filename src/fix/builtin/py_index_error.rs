//! `IndexError: list index out of range` (and `tuple …`, `string …`) → the record without items
//! skipped, the function's existing "nothing" returned, or a loop bound that runs one past the
//! end put back.
//!
//! Message forms read (Python 3.11): `list index out of range`, `tuple index out of range`,
//! `string index out of range`. The carets (`xs[0]` as `~~^^^`) say which subscript failed.
//!
//! - `xs[0]` / `xs[-1]` of a sequence that is empty for some input: there is no first or last
//!   item, and no value stands for one. The statement-level strategies of the Python generators
//!   apply (skip the record in a loop over independent records, with a message naming it; return
//!   the function's existing None when it has one or its caller tests the result).
//! - `xs[i]` in `for i in range(len(xs) + 1)` (or `range(1, len(xs) + 1)`): the bound runs one
//!   past the end, and every input fails; the bound is put back where the loop's own reads say
//!   it belongs.
//!
//! A literal index beyond 0 / -1 (`parts[2]`) says a record has fewer fields than expected,
//! which is malformed input of unknown shape: nothing is proposed.

use super::code::is_ident;
use super::python::{checked_line, code_line, function_name, headline, is_python};
use super::python_flow as flow;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::fix::syntax::python::Source;

/// `IndexError` of a subscript.
pub struct IndexError;

impl Generator for IndexError {
    fn name(&self) -> String {
        "py-index-error".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`IndexError: list index out of range` (and `tuple`, `string`) at `xs[0]`, `xs[-1]` or a loop bound one past the end",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("IndexError") {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        if !matches!(
            msg,
            "list index out of range" | "tuple index out of range" | "string index out of range"
        ) {
            return Err(Skip::NotApplicable);
        }
        let (site, text, shown) = checked_line(cx)?;
        let found = subscripts(text);
        let (sub, at_column) = match shown.primary() {
            Some((a, b)) => {
                let under: Vec<&Subscript> =
                    found.iter().filter(|s| a <= s.open && s.open < b).collect();
                match under[..] {
                    [one] => (one.clone(), true),
                    _ => {
                        return decline(format!(
                            "no single subscript under the carets at {}:{}",
                            site.path, site.line
                        ))
                    }
                }
            }
            None => match &found[..] {
                [one] => (one.clone(), false),
                // `xs[i] - xs[i - 1]`: of a counted loop's reads, the one at the counter itself
                // runs past the end first.
                several
                    if several
                        .iter()
                        .filter(|s| is_counter(text[s.open + 1..s.close].trim()))
                        .count()
                        == 1 =>
                {
                    let one = several
                        .iter()
                        .find(|s| is_counter(text[s.open + 1..s.close].trim()))
                        .expect("one counter read");
                    (one.clone(), false)
                }
                _ => {
                    return decline(format!(
                        "{} subscripts on {}:{}; which one failed is unknown",
                        if found.is_empty() { "no" } else { "several" },
                        site.path,
                        site.line
                    ))
                }
            },
        };
        let base = &text[sub.start..sub.open];
        let index = text[sub.open + 1..sub.close].trim();
        if !pure(base) {
            return decline(format!(
                "the sequence `{}` at {}:{} is not a plain read; testing it would evaluate it twice",
                excerpt(base, 40),
                site.path,
                site.line
            ));
        }
        match index {
            "0" | "-1" => empty_sequence(cx, site, base, index, at_column),
            i if is_counter(i) => loop_bound(site, base, i, at_column),
            _ => decline(format!(
                "`{}[{}]` at {}:{}: a sequence shorter than the code expects is malformed input, \
                 and nothing in the code says what it should hold",
                excerpt(base, 40),
                excerpt(index, 20),
                site.path,
                site.line
            )),
        }
    }
}

/// A plain name (not a number) as an index: a loop's counter.
fn is_counter(index: &str) -> bool {
    !index.is_empty() && index.bytes().all(is_ident) && !index.as_bytes()[0].is_ascii_digit()
}

/// A subscript `base[…]` of a line: byte offsets of the base's start, `[` and `]`.
#[derive(Debug, Clone)]
pub(crate) struct Subscript {
    pub(crate) start: usize,
    pub(crate) open: usize,
    pub(crate) close: usize,
}

pub(crate) fn subscripts(text: &str) -> Vec<Subscript> {
    let line = code_line(text);
    let b = line.bytes();
    let mut out = Vec::new();
    for open in line.find_code("[") {
        let glued = open > 0 && (is_ident(b[open - 1]) || matches!(b[open - 1], b')' | b']'));
        if !glued {
            continue;
        }
        let (Some(close), Some(start)) = (line.matching_close(open), line.primary_start(open))
        else {
            continue;
        };
        out.push(Subscript { start, open, close });
    }
    out
}

/// Names, attribute chains and literal subscripts: read twice, they give the same value.
pub(crate) fn pure(text: &str) -> bool {
    static CHAIN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    CHAIN
        .get_or_init(|| {
            regex::Regex::new(
                r#"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*|\[(?:'[^'\\]*'|"[^"\\]*"|-?\d+)\])*$"#,
            )
            .expect("valid regex")
        })
        .is_match(text)
}

/// `xs[0]` / `xs[-1]` of an empty `xs`: the record skipped or the function's nothing returned.
fn empty_sequence(
    cx: &Context<'_>,
    site: &Site,
    base: &str,
    index: &str,
    at_column: bool,
) -> Result<Draft, Skip> {
    let which = if index == "0" { "first" } else { "last" };
    let root = base
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or(base)
        .to_string();
    let missing = flow::Missing {
        cond: format!("not {base}"),
        names: vec![root],
        what: format!("{base} is empty"),
        args: Vec::new(),
        announce: true,
    };
    match flow::Strategies::at(cx, site).choose(&missing) {
        Ok(plan) => Ok(Draft {
            strategy: crate::fix::factor::strategy(plan.strategy),
            edits: plan.edits,
            description: format!(
                "{} at {}:{} in {}: `{base}` is empty for some input, so `{base}[{index}]` has \
                 no {which} item to read. No value stands for an item that is not there, so the \
                 change does not invent one: {}.",
                headline(cx),
                site.path,
                site.line,
                function_name(site),
                plan.why
            ),
            at_column: Some(at_column),
        }),
        Err(reasons) => decline(format!(
            "no {which} item of an empty `{base}` is right, and no statement-level change \
             applies: {}",
            reasons.join("; ")
        )),
    }
}

/// `xs[i]` in `for i in range(len(xs) + 1)`: the bound put back to `len(xs)`.
fn loop_bound(site: &Site, base: &str, var: &str, at_column: bool) -> Result<Draft, Skip> {
    let src = Source::new(&site.content);
    let function = src.function(site.line);
    let Some(lp) = src.for_loop(site.line, function.as_ref()) else {
        return decline(format!(
            "`{base}[{var}]` at {}:{} is not in a loop over `{var}`; where `{var}` went past the \
             end is unknown",
            site.path, site.line
        ));
    };
    if lp.targets != [var] {
        return decline(format!(
            "the loop at {}:{} does not count `{var}`",
            site.path, lp.header.line
        ));
    }
    let re = regex::Regex::new(&format!(
        r"^range\(\s*(?:(\d+)\s*,\s*)?len\(\s*{}\s*\)\s*\+\s*1\s*\)$",
        regex::escape(base)
    ))
    .expect("valid regex");
    let Some(caps) = re.captures(&lp.iter) else {
        return decline(format!(
            "the loop at {}:{} (`for {var} in {}`) does not run one past the end of `{base}` by \
             its bound; why `{var}` is out of range is unknown",
            site.path,
            lp.header.line,
            excerpt(&lp.iter, 40)
        ));
    };
    let from = caps.get(1).map(|m| m.as_str()).unwrap_or("0");
    let body: Vec<String> = (src.statement_end(lp.header.line) + 1..=last_line(&src, &lp.header))
        .filter_map(|l| src.text(l).map(str::to_string))
        .collect();
    let prev = regex::Regex::new(&format!(
        r"{}\[\s*{}\s*-\s*1\s*\]",
        regex::escape(base),
        regex::escape(var)
    ))
    .expect("valid regex");
    let pairwise = body.iter().any(|t| prev.is_match(t));
    let new_iter = match from {
        "0" => format!("range(len({base}))"),
        // `xs[i] - xs[i - 1]`: pairs of neighbours, from the second item on.
        "1" if pairwise => format!("range(1, len({base}))"),
        "1" => {
            // Counting from 1 with `xs[i]` skips the first item as well: the positions are
            // 1-based. When `i` is read only as an index, counting from 0 is all it means.
            let only_index = body.iter().all(|t| {
                let plain = t.replace(&format!("{base}[{var}]"), "");
                !flow::word_in(&plain, var)
            });
            if !only_index {
                return decline(format!(
                    "`{var}` of the loop at {}:{} is also used as a number (1-based positions?); \
                     whether the bound or the index is wrong is for a person to say",
                    site.path, lp.header.line
                ));
            }
            format!("range(len({base}))")
        }
        _ => {
            return decline(format!(
                "the loop at {}:{} starts at {from}; which bound is meant is unknown",
                site.path, lp.header.line
            ))
        }
    };
    let Some(header) = src.text(lp.header.line) else {
        return decline("the loop header is not in the file");
    };
    let Some(at) = header.find(&lp.iter) else {
        return decline(format!(
            "the loop at {}:{} spans several lines",
            site.path, lp.header.line
        ));
    };
    let new = format!(
        "{}{new_iter}{}",
        &header[..at],
        &header[at + lp.iter.len()..]
    );
    let loop_site = Site {
        line: lp.header.line,
        ..site.clone()
    };
    let mut draft = Draft::on_line(
        &loop_site,
        &new,
        format!(
            "IndexError at {}:{} in {}: the loop at {}:{} runs `{var}` over `{}`, one past the \
             last index of `{base}`, so `{base}[{var}]` fails on every input. The bound is put \
             back to `{new_iter}`, which visits every item once.",
            site.path,
            site.line,
            function_name(site),
            site.path,
            lp.header.line,
            excerpt(&lp.iter, 40),
        ),
        "loop-bound",
        at_column,
    )?;
    // The change is on the loop's header, not the failing line.
    draft.at_column = None;
    Ok(draft)
}

/// The last line of the block that `header` opens.
fn last_line(src: &Source<'_>, header: &crate::fix::syntax::python::Header) -> u32 {
    let mut last = src.statement_end(header.line);
    for l in last + 1..=src.len() {
        let blank = src.text(l).is_none_or(|t| t.trim().is_empty());
        if blank {
            continue;
        }
        if src.starts_statement(l) && src.indent(l) <= header.indent {
            break;
        }
        last = l;
    }
    last
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::python_added;

    fn run(src: &str, no: u32, msg: &str) -> (Vec<String>, Vec<String>) {
        python_added(&[("app.py", src)], no, &format!("IndexError: {msg}"))
    }

    #[test]
    fn an_empty_record_is_skipped() {
        let src = "def run(lines):\n    out = []\n    for line in lines:\n        parts = line.split()\n        head = parts[0]\n        out.append(head)\n    return out\n";
        let (lines, notes) = run(src, 5, "list index out of range");
        assert!(
            lines.contains(&"        if not parts:".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(lines.iter().any(|l| l.contains("continue")), "{lines:?}");
    }

    #[test]
    fn the_functions_nothing_is_returned() {
        let src = "def run(order):\n    if order is None:\n        return None\n    items = order['items']\n    return items[-1]\n";
        let (lines, notes) = run(src, 5, "list index out of range");
        assert!(
            lines.contains(&"    if not items:".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(
            lines.contains(&"        return None".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn a_bound_one_past_the_end_is_put_back() {
        let src = "def run(xs):\n    total = 0\n    for i in range(len(xs) + 1):\n        total += xs[i]\n    return total\n";
        let (lines, notes) = run(src, 4, "list index out of range");
        assert_eq!(lines, vec!["    for i in range(len(xs)):"], "{notes:?}");
        let src = "def run(xs):\n    out = []\n    for i in range(1, len(xs) + 1):\n        out.append(xs[i] - xs[i - 1])\n    return out\n";
        let (lines, notes) = run(src, 4, "list index out of range");
        assert_eq!(lines, vec!["    for i in range(1, len(xs)):"], "{notes:?}");
        // `i` printed as a position: the index or the bound, a person says which.
        let src = "def run(xs):\n    for i in range(1, len(xs) + 1):\n        print(i, xs[i])\n";
        let (lines, _) = run(src, 3, "list index out of range");
        assert!(lines.is_empty(), "{lines:?}");
    }

    #[test]
    fn a_literal_index_beyond_the_ends_is_left_alone() {
        let src = "def run(lines):\n    for line in lines:\n        parts = line.split(',')\n        print(parts[2])\n";
        let (lines, notes) = run(src, 4, "list index out of range");
        assert!(lines.is_empty(), "{lines:?}");
        assert!(notes.iter().any(|n| n.contains("malformed")), "{notes:?}");
    }
}
