//! `TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'` → the code's own default
//! for the value, or the record skipped.
//!
//! Message forms read (Python 3.11): `unsupported operand type(s) for OP: 'A' and 'B'`, OP one
//! of `+ - * / // % **` or their augmented forms (`+=`: no carets, the statement is the
//! operation), one of A and B `NoneType` and the other a number (`int`, `float`, `Decimal`).
//! The carets put `^` under the operator; the None operand is the one on the side the message
//! names.
//!
//! Strategies, in order:
//!
//! 1. a default the code gives the value: a `DEFAULT_QTY` constant or defaults table for its key,
//!    the fallback another `.get(key, …)` or `… or 0` of the repository gives the same key, or
//!    the default of the function's own parameter; None then reads as that default on the line;
//! 2. the record skipped, with a log line naming it, in the loop over independent records around
//!    the statement or around its caller.
//!
//! Otherwise nothing: `x or 0` makes a total nobody measured look measured.

use super::code::{is_ident, is_name_chain};
use super::py_index_error::pure;
use super::python::{checked_line, code_line, function_name, headline, is_python};
use super::python_flow as flow;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::Source;

/// Arithmetic with a None operand.
pub struct NoneOperand;

/// Which operand the message says is None.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Left,
    Right,
}

impl Generator for NoneOperand {
    fn name(&self) -> String {
        "py-none-operand".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`TypeError: unsupported operand type(s) for +: 'NoneType' and 'int'` (and `-`, `*`, `/`, `+=`, `float`)",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("TypeError") {
            return Err(Skip::NotApplicable);
        }
        let Some((op, side)) = parse(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let (site, text, shown) = checked_line(cx)?;
        let line = code_line(text);
        let b = line.bytes();
        let (start, end, at_column) = if let Some(bin) = op.strip_suffix('=') {
            // `total += qty`: the statement is the operation.
            let needle = format!("{bin}=");
            let at = match line.find_code(&needle)[..] {
                [one] => one,
                _ => return decline(format!("no single `{op}` on {}:{}", site.path, site.line)),
            };
            if side == Side::Left {
                return decline(format!(
                    "the total `{}` itself is None at {}:{}; where it should have been set is \
                     not on this line",
                    excerpt(text[..at].trim(), 40),
                    site.path,
                    site.line
                ));
            }
            let Some((s, _)) = line.next_non_space(at + needle.len()) else {
                return decline("no right operand");
            };
            let e = line.code_end();
            let e = s + text[s..e].trim_end().len();
            (s, e, false)
        } else {
            let occurrences: Vec<usize> = line
                .find_code(op)
                .into_iter()
                .filter(|&i| {
                    let prev = i.checked_sub(1).map(|k| b[k]);
                    let next = b.get(i + op.len()).copied();
                    // `**`, `//`, `+=`, `->`, `*args`: not this operator.
                    !matches!(next, Some(b'=') | Some(b'*') | Some(b'/') | Some(b'>'))
                        && !matches!(prev, Some(b'*') | Some(b'/'))
                        && line.prev_non_space(i).is_some_and(|(_, c)| {
                            is_ident(c) || matches!(c, b')' | b']' | b'"' | b'\'')
                        })
                })
                .collect();
            let (at, at_column) = match shown.primary() {
                Some((a, z)) => match occurrences
                    .iter()
                    .filter(|&&i| a <= i && i < z)
                    .collect::<Vec<_>>()[..]
                {
                    [&one] => (one, true),
                    _ => {
                        return decline(format!(
                            "no single `{op}` under the carets at {}:{}",
                            site.path, site.line
                        ))
                    }
                },
                None => match occurrences[..] {
                    [one] => (one, false),
                    _ => {
                        return decline(format!(
                            "{} `{op}` operators on {}:{}; which one failed is unknown",
                            if occurrences.is_empty() {
                                "no"
                            } else {
                                "several"
                            },
                            site.path,
                            site.line
                        ))
                    }
                },
            };
            let range = match side {
                Side::Left => line
                    .prev_non_space(at)
                    .and_then(|(k, _)| line.primary_start(k + 1).map(|s| (s, k + 1))),
                Side::Right => line
                    .next_non_space(at + op.len())
                    .and_then(|(k, _)| line.primary_end(k).map(|e| (k, e))),
            };
            let Some((s, e)) = range else {
                return decline(format!(
                    "the operand of `{op}` at {}:{} is not a simple expression",
                    site.path, site.line
                ));
            };
            (s, e, at_column)
        };
        let operand = &text[start..end];
        let get = get_call(operand);
        if !pure(operand) && get.is_none() {
            return decline(format!(
                "the None operand `{}` at {}:{} is not a plain read; a guard would evaluate it \
                 twice",
                excerpt(operand, 40),
                site.path,
                site.line
            ));
        }
        let src = Source::new(&site.content);
        let function = src.function(site.line);
        let key =
            key_of(operand).or_else(|| assigned_key(&src, function.as_ref(), site.line, operand));

        // 1. The default the code gives the value.
        let default = key
            .as_deref()
            .and_then(|k| {
                flow::default_for(k, &site.path, &site.content, cx.repo)
                    .or_else(|| or_fallback(k, cx.repo))
            })
            .or_else(|| param_default(function.as_ref(), operand));
        if let Some((value, why)) = default {
            let guarded = format!("({operand} if {operand} is not None else {value})");
            let new = format!("{}{guarded}{}", &text[..start], &text[end..]);
            return Draft::on_line(
                site,
                &new,
                format!(
                    "{} at {}:{} in {}: `{operand}` is None, a value nobody gave; {why}, so None \
                     reads as that default there and a given value is still used.",
                    headline(cx),
                    site.path,
                    site.line,
                    function_name(site),
                ),
                "default-from-code",
                at_column,
            );
        }

        // 2. The record skipped.
        let missing = flow::Missing::none(operand, key.as_deref());
        let strategies = flow::Strategies::at(cx, site);
        let why_not = match strategies.skip(&missing) {
            Ok(plan) => {
                return Ok(Draft {
                    strategy: crate::fix::factor::strategy(plan.strategy),
                    edits: plan.edits,
                    description: format!(
                        "{} at {}:{} in {}: `{operand}` is None, and no default for it is \
                     defined in the code base; a 0 in its place would be counted as if \
                     measured, so the change does not invent one: {}.",
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
            "nothing in the code says what a None `{}` stands for (no default for it is defined \
             in the code base), and no record can be skipped: {}",
            excerpt(operand, 40),
            why_not
        ))
    }
}

/// The operator and the None side, from the message.
fn parse(msg: &str) -> Option<(&str, Side)> {
    let rest = msg.strip_prefix("unsupported operand type(s) for ")?;
    let (op, types) = rest.split_once(": ")?;
    if !matches!(
        op,
        "+" | "-" | "*" | "/" | "//" | "%" | "**" | "+=" | "-=" | "*=" | "/=" | "//=" | "%="
    ) {
        return None;
    }
    let (a, b) = types.split_once(" and ")?;
    let number = |t: &str| matches!(t, "'int'" | "'float'" | "'decimal.Decimal'");
    match (a, b) {
        ("'NoneType'", t) if number(t) => Some((op, Side::Left)),
        (t, "'NoneType'") if number(t) => Some((op, Side::Right)),
        _ => None,
    }
}

/// `row.get('qty')` with a literal key on a name chain: a read without effects.
fn get_call(operand: &str) -> Option<&str> {
    let (recv, rest) = operand.split_once(".get(")?;
    if !is_name_chain(recv) {
        return None;
    }
    let key = rest.strip_suffix(')')?.trim();
    literal(key)
}

fn literal(text: &str) -> Option<&str> {
    let q = text.chars().next()?;
    if !(q == '\'' || q == '"') || text.len() < 2 || !text.ends_with(q) {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    (!inner.is_empty() && inner.bytes().all(|c| is_ident(c) || c == b'-')).then_some(inner)
}

/// The key an operand reads: `row['qty']`, `row.get('qty')`, `item.qty`.
fn key_of(operand: &str) -> Option<String> {
    if let Some(k) = get_call(operand) {
        return Some(k.to_string());
    }
    if let Some(inner) = operand.strip_suffix(']') {
        let open = inner.rfind('[')?;
        return literal(&inner[open + 1..]).map(str::to_string);
    }
    let (_, attr) = operand.rsplit_once('.')?;
    (!attr.is_empty() && attr.bytes().all(is_ident)).then(|| attr.to_string())
}

/// The key a plain name was read from earlier in the function (`qty = row.get("qty")`), else the
/// name itself.
fn assigned_key(
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
    line: u32,
    name: &str,
) -> Option<String> {
    if !name.bytes().all(is_ident) {
        return None;
    }
    let first = function.map(|f| f.first).unwrap_or(1);
    let prefix = format!("{name} = ");
    for l in (first..line).rev() {
        if !src.starts_statement(l) {
            continue;
        }
        let stmt = src.statement(l);
        if let Some(rhs) = stmt.strip_prefix(&prefix) {
            return key_of(rhs.trim()).or_else(|| Some(name.to_string()));
        }
    }
    Some(name.to_string())
}

/// The fallback the repository gives the key with `or`: `row.get("qty") or 0`, `row["qty"] or 0`.
fn or_fallback(key: &str, repo: &crate::fix::repo::Snapshot) -> Option<(String, String)> {
    let re = regex::Regex::new(&format!(
        r#"(?:\.get\(\s*['"]{k}['"]\s*\)|\[\s*['"]{k}['"]\s*\]|\.{k}\b)\s+or\s+(-?\d+(?:\.\d+)?)\b"#,
        k = regex::escape(key)
    ))
    .ok()?;
    let mut found: Option<(String, String)> = None;
    for p in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(p) else { continue };
        for c in re.captures_iter(&text) {
            let v = c[1].to_string();
            match &found {
                Some((prev, _)) if *prev != v => return None,
                Some(_) => {}
                None => {
                    found = Some((
                        v.clone(),
                        format!("{p} already reads a missing '{key}' as {v}"),
                    ))
                }
            }
        }
    }
    found
}

/// The default of the enclosing function's parameter `name`, when it is a number or a constant:
/// a caller passed None where the function has its own value for "not given".
fn param_default(
    function: Option<&crate::fix::syntax::python::Function>,
    name: &str,
) -> Option<(String, String)> {
    let f = function?;
    if !f.params.iter().any(|p| p == name) {
        return None;
    }
    let re = regex::Regex::new(&format!(
        r"[(,]\s*{}\s*(?::[^=,)]+)?=\s*(-?\d+(?:\.\d+)?|[A-Z][A-Z0-9_]*)\s*[,)]",
        regex::escape(name)
    ))
    .ok()?;
    let c = re.captures(&f.header.text)?;
    Some((
        c[1].to_string(),
        format!(
            "{}() gives `{name}` the default {} when it is not passed",
            f.name, &c[1]
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::{parse, Side};
    use crate::fix::testing::python_added;

    fn run(src: &str, no: u32, msg: &str) -> (Vec<String>, Vec<String>) {
        python_added(&[("app.py", src)], no, &format!("TypeError: {msg}"))
    }

    #[test]
    fn message_forms() {
        assert_eq!(
            parse("unsupported operand type(s) for +: 'NoneType' and 'int'"),
            Some(("+", Side::Left))
        );
        assert_eq!(
            parse("unsupported operand type(s) for +=: 'int' and 'NoneType'"),
            Some(("+=", Side::Right))
        );
        assert_eq!(
            parse("unsupported operand type(s) for *: 'float' and 'NoneType'"),
            Some(("*", Side::Right))
        );
        assert_eq!(
            parse("unsupported operand type(s) for +: 'int' and 'str'"),
            None
        );
    }

    #[test]
    fn the_code_default_is_used() {
        let src = "DEFAULT_QTY = 1\n\n\ndef run(row):\n    return row['price'] * row['qty']\n";
        let (lines, notes) = run(
            src,
            5,
            "unsupported operand type(s) for *: 'float' and 'NoneType'",
        );
        assert_eq!(
            lines,
            vec![
                "    return row['price'] * (row['qty'] if row['qty'] is not None else DEFAULT_QTY)"
            ],
            "{notes:?}"
        );
        let src = "def run(items, tax=0):\n    total = 0\n    for it in items:\n        total += it['net']\n    return total + tax\n";
        let (lines, notes) = run(
            src,
            5,
            "unsupported operand type(s) for +: 'int' and 'NoneType'",
        );
        assert_eq!(
            lines,
            vec!["    return total + (tax if tax is not None else 0)"],
            "{notes:?}"
        );
    }

    #[test]
    fn a_record_is_skipped_or_nothing() {
        let src = "def run(rows):\n    total = 0\n    for row in rows:\n        qty = row.get('qty')\n        total += qty\n    return total\n";
        let (lines, notes) = run(
            src,
            5,
            "unsupported operand type(s) for +=: 'int' and 'NoneType'",
        );
        assert!(
            lines.contains(&"        if qty is None:".to_string()),
            "{lines:?} {notes:?}"
        );
        let src = "def run(cfg):\n    return cfg.get('rate') * 60\n";
        let (lines, notes) = run(
            src,
            2,
            "unsupported operand type(s) for *: 'NoneType' and 'int'",
        );
        assert!(lines.is_empty(), "{lines:?}");
        assert!(
            notes.iter().any(|n| n.contains("nothing in the code")),
            "{notes:?}"
        );
    }
}
