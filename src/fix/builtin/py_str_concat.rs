//! `TypeError` of a string built with `+` from a number → the number converted to text.
//!
//! Message forms read (Python 3.11):
//!
//! - `can only concatenate str (not "int") to str` (also `"float"`): the left operand is text, the
//!   right one a number; `s += n` prints the same, without carets;
//! - `unsupported operand type(s) for +: 'int' and 'str'` (also `'float'`): the number is on the
//!   left.
//!
//! Strategies, in order:
//!
//! 1. the number is formatted elsewhere in the file with one format spec (`f"{total:.2f}"`): the
//!    operand becomes that f-string, so the text reads as the program prints it elsewhere;
//! 2. otherwise `str(operand)`, what an f-string field would print.
//!
//! The text operand must visibly be text built by the code (a literal, an f-string, `str(…)`, a
//! chain holding a literal, or a name assigned one): a str that came from input (`row["qty"]`)
//! next to a number is more likely numeric addition, whose fix (`int(…)`) would be a guess.

use super::code::{is_name_chain, Class, Lang, Line};
use super::python::{checked_line, headline, is_python};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};

/// `TypeError` of `str + number` or `number + str`.
pub struct StrConcat;

/// Which operand of the `+` is the number.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

impl Generator for StrConcat {
    fn name(&self) -> String {
        "py-str-concat".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`TypeError: can only concatenate str (not \"int\") to str` (and `unsupported operand type(s) for +` of a number and text)",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("TypeError") {
            return Err(Skip::NotApplicable);
        }
        let Some((side, ty, augmented)) = parse(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        if augmented && side == Side::Left {
            return decline(format!(
                "`+=` adds text to a {ty} total: the text is meant as a number, and how to \
                 parse it would be a guess"
            ));
        }
        let (site, text, shown) = checked_line(cx)?;
        let line = Line::new(text, Lang::Python);
        let (num, strs, at_column) = operands(&line, shown.primary(), shown.span(), side)?;
        let (a, b) = num;
        let num_text = text[a..b].trim();
        let str_text = strs.trim();
        if literal(num_text).is_some() {
            return decline(format!(
                "the operand `{}` at {}:{} is a string, not the {ty} the error names: the line \
                 changed since the log was written",
                excerpt(num_text, 40),
                site.path,
                site.line
            ));
        }
        if !is_text(str_text, &site.content, site.line, 1) {
            return decline(format!(
                "the str operand `{}` at {}:{} is not text built by the code; it may be parsed \
                 input meant as a number, and int()/float() would be a guess",
                excerpt(str_text, 40),
                site.path,
                site.line
            ));
        }
        let (converted, how) = match format_spec(num_text, &site.content) {
            Some(spec) => (
                format!("f\"{{{num_text}:{spec}}}\""),
                format!("with the format spec `:{spec}` the file prints it with elsewhere"),
            ),
            None => (
                format!("str({num_text})"),
                "with str(), as an f-string field would print it".to_string(),
            ),
        };
        let new = format!("{}{converted}{}", &text[..a], &text[b..]);
        let description = format!(
            "{} at {}:{}: `{}` is a {ty} joined with `+` to the text `{}`; it is converted {how}.",
            headline(cx),
            site.path,
            site.line,
            excerpt(num_text, 40),
            excerpt(str_text, 40),
        );
        Draft::on_line(site, &new, description, "str-conversion", at_column)
    }
}

/// The number's side, its type and whether the operator is `+=`, from the message.
fn parse(msg: &str) -> Option<(Side, String, bool)> {
    let numeric = |t: &str| matches!(t, "int" | "float");
    if let Some(rest) = msg.strip_prefix("can only concatenate str (not \"") {
        let ty = rest.strip_suffix("\") to str")?;
        return numeric(ty).then(|| (Side::Right, ty.to_string(), false));
    }
    for (prefix, augmented) in [
        ("unsupported operand type(s) for +: '", false),
        ("unsupported operand type(s) for +=: '", true),
    ] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let ty = rest.strip_suffix("' and 'str'")?;
            return numeric(ty).then(|| (Side::Left, ty.to_string(), augmented));
        }
    }
    None
}

/// The number operand's byte range and the text operand, and whether the carets placed them.
fn operands<'t>(
    line: &Line<'t>,
    primary: Option<(usize, usize)>,
    span: Option<(usize, usize)>,
    side: Side,
) -> Result<((usize, usize), &'t str, bool), Skip> {
    let text = line.text;
    let end = line.code_end();
    if let (Some((p, q)), Some((s, e))) = (primary, span) {
        if &text[p..q] != "+" {
            return decline(format!(
                "the carets point at `{}`, not at a `+`",
                excerpt(&text[p..q], 40)
            ));
        }
        let (left, right) = ((s, p), (q, e));
        let trim = |(a, b): (usize, usize)| {
            let inner = &text[a..b];
            let a2 = a + (inner.len() - inner.trim_start().len());
            (a2, a2 + inner.trim().len())
        };
        let (left, right) = (trim(left), trim(right));
        return Ok(match side {
            Side::Right => (right, &text[left.0..left.1], true),
            Side::Left => (left, &text[right.0..right.1], true),
        });
    }
    // No carets: `s += n` (Python prints none for it), or a line with a single binary `+`.
    let plus: Vec<usize> = line
        .find_code("+")
        .into_iter()
        .filter(|&i| i < end)
        .collect();
    if let [i] = plus[..] {
        if text.as_bytes().get(i + 1) == Some(&b'=') {
            let target = text[..i].trim();
            let value = line.next_non_space(i + 2).map(|(k, _)| k).unwrap_or(end);
            if side == Side::Right && is_name_chain(target) && value < end {
                return Ok(((value, end), target, false));
            }
            return decline("the `+=` does not add a value to a named text");
        }
        let Some((l_end, _)) = line.prev_non_space(i).map(|(k, b)| (k + 1, b)) else {
            return decline("the `+` on the line has no left operand");
        };
        let Some((r_start, _)) = line.next_non_space(i + 1) else {
            return decline("the `+` on the line has no right operand");
        };
        let (Some(l_start), Some(r_end)) = (line.primary_start(l_end), line.primary_end(r_start))
        else {
            return decline("the operands of the `+` on the line are not plain expressions");
        };
        // Without carets the operands must be whole: nothing binds tighter around them.
        let before = line.prev_non_space(l_start).map(|(_, b)| b);
        let after = line.next_non_space(r_end).filter(|(k, _)| *k < end);
        let before_ok = matches!(before, None | Some(b'(' | b',' | b'=' | b'[' | b'{'))
            || ["return", "yield"]
                .iter()
                .any(|k| text[..l_start].trim_end().ends_with(k));
        let after_ok = matches!(after, None | Some((_, b')' | b',' | b']' | b'}')));
        if !before_ok || !after_ok {
            return decline(
                "the log shows no carets and the operands of the `+` are not whole expressions",
            );
        }
        return Ok(match side {
            Side::Right => ((r_start, r_end), &text[l_start..l_end], false),
            Side::Left => ((l_start, l_end), &text[r_start..r_end], false),
        });
    }
    decline(format!(
        "the log shows no carets and the line has {} `+` operators: which one failed is unknown",
        plus.len()
    ))
}

/// The value of a string literal (`"a"`, `f"…"`, `r'…'`) and whether it is an f-string.
fn literal(op: &str) -> Option<(&str, bool)> {
    let quote = op.find(['"', '\''])?;
    let prefix = &op[..quote];
    if prefix.len() > 2 || !prefix.chars().all(|c| "rRbBuUfF".contains(c)) {
        return None;
    }
    let line = Line::new(op, Lang::Python);
    if !(quote..op.len()).all(|i| line.class[i] == Class::Str) || op.len() < quote + 2 {
        return None;
    }
    let q = op[quote..].chars().next()?;
    let body = op[quote..].trim_start_matches(q).trim_end_matches(q);
    (body.len() + 2 <= op.len() - quote).then_some((body, prefix.contains(['f', 'F'])))
}

/// Whether `op` is visibly text built by the code: a non-numeric literal, an f-string, `str(…)`,
/// `.join(…)`/`.format(…)`, a chain with a literal at its top level, or a name whose last
/// assignment before `line` (`depth` levels deep) is one of those.
fn is_text(op: &str, content: &str, line: u32, depth: u8) -> bool {
    if let Some((value, fstring)) = literal(op) {
        return fstring || value.trim().parse::<f64>().is_err();
    }
    let l = Line::new(op, Lang::Python);
    let whole_call = |name: &str| op.starts_with(name) && l.primary_end(0) == Some(op.len());
    if whole_call("str(") || op.ends_with(')') && (op.contains(".join(") || op.contains(".format("))
    {
        return true;
    }
    let mut level = 0i32;
    for (i, b) in op.bytes().enumerate() {
        match l.class[i] {
            Class::Str if level == 0 => return true,
            Class::Code if matches!(b, b'(' | b'[' | b'{') => level += 1,
            Class::Code if matches!(b, b')' | b']' | b'}') => level -= 1,
            _ => {}
        }
    }
    if depth == 0 || !is_name_chain(op) {
        return false;
    }
    let re = regex::Regex::new(&format!(
        r"^\s*{}\s*(?::[^=]+)?=\s*([^=].*)$",
        regex::escape(op)
    ))
    .expect("valid regex");
    let assigned = content
        .lines()
        .take(line.saturating_sub(1) as usize)
        .filter_map(|t| re.captures(t).map(|c| c[1].trim().to_string()))
        .last();
    assigned.is_some_and(|rhs| is_text(&rhs, content, line, depth - 1))
}

/// The one format spec `content` gives `name` in f-string fields (`{total:.2f}`).
fn format_spec(name: &str, content: &str) -> Option<String> {
    if !is_name_chain(name) {
        return None;
    }
    let re = regex::Regex::new(&format!(
        r"\{{\s*{}\s*:([^{{}}'\x22]+)\}}",
        regex::escape(name)
    ))
    .expect("valid regex");
    let mut specs: Vec<String> = re
        .captures_iter(content)
        .map(|c| c[1].trim().to_string())
        .collect();
    specs.dedup();
    match &specs[..] {
        [one] => Some(one.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn tb(src: &str, no: u32, carets: &str, msg: &str) -> String {
        let line = src.lines().nth(no as usize - 1).unwrap();
        let mut t = format!(
            "Traceback (most recent call last):\n  File \"/srv/app.py\", line {no}, in run\n    {}\n",
            line.trim()
        );
        // `carets` is the failing binary expression; its `+` that failed is the last one
        // before the text after `|`, or the only one.
        if !carets.is_empty() {
            let (span, rest) = carets.split_once('|').unwrap_or((carets, ""));
            let whole = format!("{span}{rest}");
            let at = line.trim().find(&whole).unwrap();
            let op = span.rfind('+').unwrap();
            let marks: String = (0..whole.len())
                .map(|i| if i == op { '^' } else { '~' })
                .collect();
            t.push_str(&format!("    {}{marks}\n", " ".repeat(at)));
        }
        t.push_str(&format!("TypeError: {msg}\n"));
        t
    }

    fn run(src: &str, no: u32, carets: &str, msg: &str) -> (Vec<String>, Vec<String>) {
        let (sols, notes) = propose(&[("app.py", src)], &tb(src, no, carets, msg));
        (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
    }

    const RIGHT: &str = "can only concatenate str (not \"int\") to str";

    #[test]
    fn the_number_is_converted_with_str() {
        let src = "def run(sku, qty):\n    print(sku + \": \" + qty + \" left\")\n";
        let (lines, notes) = run(src, 2, "sku + \": \" +| qty", RIGHT);
        assert_eq!(
            lines,
            vec!["    print(sku + \": \" + str(qty) + \" left\")"],
            "{notes:?}"
        );
        // Python prints no carets for `+=`.
        let src = "def run(n):\n    out = \"n=\"\n    out += n\n    return out\n";
        let (lines, notes) = run(src, 3, "", RIGHT);
        assert_eq!(lines, vec!["    out += str(n)"], "{notes:?}");
        // A number on the left, and the whole operand under the carets.
        let src = "def run(a, b):\n    return a * b + \" items\"\n";
        let msg = "unsupported operand type(s) for +: 'int' and 'str'";
        let (lines, notes) = run(src, 2, "a * b +| \" items\"", msg);
        assert_eq!(
            lines,
            vec!["    return str(a * b) + \" items\""],
            "{notes:?}"
        );
    }

    #[test]
    fn a_format_spec_of_the_file_is_kept() {
        let src = "def run(total):\n    print(f\"{total:.2f}\")\n    log(total + \" EUR\")\n";
        let msg = "unsupported operand type(s) for +: 'float' and 'str'";
        let (lines, notes) = run(src, 3, "total +| \" EUR\"", msg);
        assert_eq!(
            lines,
            vec!["    log(f\"{total:.2f}\" + \" EUR\")"],
            "{notes:?}"
        );
    }

    #[test]
    fn input_text_and_changed_lines_are_declined() {
        let src = "def run(row):\n    qty = row[\"qty\"]\n    return qty + 1\n";
        let (lines, notes) = run(src, 3, "qty +| 1", RIGHT);
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("parsed input")),
            "{notes:?}"
        );
        // The number side holds a string: the code is not what failed.
        let src = "def run(n):\n    return \"a\" + \"b\"\n";
        let (lines, notes) = run(src, 2, "\"a\" +| \"b\"", RIGHT);
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("line changed")),
            "{notes:?}"
        );
        // `"3" + n`: numeric text.
        let src = "def run(n):\n    return \"3\" + n\n";
        let (lines, _) = run(src, 2, "\"3\" +| n", RIGHT);
        assert!(lines.is_empty());
        // None is another class.
        let (lines, notes) = run(
            "def run(n):\n    return \"a\" + n\n",
            2,
            "\"a\" +| n",
            "can only concatenate str (not \"NoneType\") to str",
        );
        assert!(lines.is_empty() && notes.iter().all(|n| !n.contains("py-str-concat")));
    }
}
