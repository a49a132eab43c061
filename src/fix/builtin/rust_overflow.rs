//! Rust generator: integer overflow in a debug build (`attempt to subtract with overflow`).
//!
//! The message forms (rustc 1.95, debug profile; the column is the binary expression's start):
//!
//! ```text
//! thread 'main' (4218) panicked at src/stock.rs:12:20:
//! attempt to subtract with overflow
//! ```
//!
//! (also `attempt to add with overflow`, `attempt to multiply with overflow`.) The line must
//! still hold the operation, as `a - b` (or `a -= b`) with operands that can be read twice;
//! what an out-of-range result means is taken from the code, in order:
//! - a subtraction giving what is left of a count, a stock or a time (`remaining`, `left`,
//!   `stock` …), or in a file that already clamps with `saturating_sub` → `a.saturating_sub(b)`:
//!   nothing left is 0, by meaning;
//! - otherwise a result out of range is bad input: the function returns Option → `return None`
//!   before the statement; it returns `Result<_, String>` (or a boxed error) → an `Err` naming
//!   the operands; the statement is in a `for` loop over records → the record is skipped with a
//!   line naming it;
//! - else nothing: a wrapped or clamped number would be a value the program never computed.
//!
//! [`super::rust_divide_by_zero`] uses the same operand reading and guards.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{insert_before, Source};
use super::code::{Lang, Line};
use super::rust::enclosing_fn;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct Overflow;

static FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(?:mut\s+)?(?:&\s*)?([a-z_][a-z0-9_]*)\s+in\s+(.*)$").expect("valid regex")
});

/// An operand without side effects, which may be evaluated twice: a name, a field chain, a
/// literal, an argument-less method call (`v.len()`).
static OPERAND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Za-z_]\w*(?:\.\w+(?:\(\))?)*|\d[\w.]*)$").expect("valid regex")
});

/// Names of what is left of something, which is 0 rather than negative when nothing is left.
const LEFT: &[&str] = &[
    "remaining",
    "left",
    "stock",
    "available",
    "free",
    "quota",
    "budget",
    "ttl",
    "wait",
    "until",
];

impl Generator for Overflow {
    fn name(&self) -> String {
        "rs-arithmetic-overflow".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Rust",
            error: "`attempt to subtract with overflow` (and `add`, `multiply`) in a debug build",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let (op, method) = match cx.exception_message().trim() {
            "attempt to subtract with overflow" => ('-', "sub"),
            "attempt to add with overflow" => ('+', "add"),
            "attempt to multiply with overflow" => ('*', "mul"),
            _ => return Err(Skip::NotApplicable),
        };
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let b = operation(site, op)?;
        let here = format!("{}:{}", site.path, site.line);
        let what = format!(
            "The program panicked at {here}: `{}` went out of the type's range (attempt to {} \
             with overflow)",
            b.expr(),
            match method {
                "sub" => "subtract",
                "add" => "add",
                _ => "multiply",
            }
        );
        if op == '-' {
            let subject = b.target.clone().unwrap_or_else(|| b.left.clone());
            let lower = subject.to_ascii_lowercase();
            let word = LEFT.iter().find(|w| lower.contains(*w));
            let clamps = site.content.contains(".saturating_sub(");
            if word.is_some() || clamps {
                let why = match word {
                    Some(w) => format!(
                        "`{subject}` is what is {}, which is 0 when nothing is left, not \
                         negative",
                        if *w == "left" || *w == "remaining" {
                            "left".to_string()
                        } else {
                            format!("left of a {w}")
                        }
                    ),
                    None => format!(
                        "{} already clamps such differences with saturating_sub elsewhere",
                        site.path
                    ),
                };
                return saturating(site, &b, &what, &why);
            }
        }
        let cond = format!("{}.checked_{method}({}).is_none()", b.left, b.right);
        let reason = format!(
            "\"{} {op} {} is out of range ({{}} {op} {{}})\", {}, {}",
            esc(&b.left),
            esc(&b.right),
            b.left,
            b.right
        );
        guard(site, &b, &cond, &reason, &what)
    }
}

fn esc(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}").replace('"', "'")
}

/// A binary operation on the panic's line.
pub(crate) struct Binary {
    pub left: String,
    pub right: String,
    pub op: char,
    /// The assigned name of `let x = a - b;` / the target of `x -= b;`.
    pub target: Option<String>,
    pub compound: bool,
    /// Byte range of `a - b` (or of `a -= b`) on the line.
    pub range: (usize, usize),
    pub at_column: bool,
}

impl Binary {
    pub fn expr(&self) -> String {
        if self.compound {
            format!("{} {}= {}", self.left, self.op, self.right)
        } else {
            format!("{} {} {}", self.left, self.op, self.right)
        }
    }
}

/// The one `a OP b` (or `a OP= b`) on the site's line whose operands are plain and whose
/// grouping is certain (nothing binds tighter around it), or why there is none.
pub(crate) fn operation(site: &Site, op: char) -> Result<Binary, Skip> {
    let here = format!("{}:{}", site.path, site.line);
    let Some(text) = site.line_text() else {
        return decline(format!("{} has no line {}", site.path, site.line));
    };
    let line = Line::new(text, Lang::Rust);
    let b = text.as_bytes();
    let mut found = Vec::new();
    for pat in [format!(" {op} "), format!(" {op}= ")] {
        let compound = pat.len() == 4;
        for at in line.find_code(&pat) {
            let o = at + 1;
            if !compound && b.get(o + 1) == Some(&b'=') {
                continue;
            }
            if o > 0 && matches!(b[o - 1], b'-' | b'<' | b'>' | b'=' | b'*' | b'/') {
                continue;
            }
            found.push((o, compound));
        }
    }
    let col = site.column.and_then(|c| super::js::column_byte(text, c));
    let mut parsed = Vec::new();
    for (o, compound) in found {
        let Some(start) = line.primary_start(o - 1) else {
            continue;
        };
        let left = text[start..o].trim().to_string();
        let from = o + if compound { 2 } else { 1 };
        let rest = &text[from..];
        let right_start = from + (rest.len() - rest.trim_start().len());
        let Some(end) = line.primary_end(right_start) else {
            continue;
        };
        let right = text[right_start..end].trim().to_string();
        parsed.push((start, end, left, right, compound));
    }
    let at_col: Vec<_> = parsed.iter().filter(|p| Some(p.0) == col).collect();
    let (start, end, left, right, compound, at_column) =
        match (at_col.as_slice(), parsed.as_slice()) {
            ([one], _) => (one.0, one.1, one.2.clone(), one.3.clone(), one.4, true),
            (_, [one]) => (one.0, one.1, one.2.clone(), one.3.clone(), one.4, false),
            _ => {
                return decline(format!(
                "{} `{op}` operations on {here} and none alone at the panic's column; the line \
                 may have changed since the log",
                if parsed.is_empty() { "no" } else { "several" }
            ))
            }
        };
    if !OPERAND.is_match(&left) || !OPERAND.is_match(&right) {
        return decline(format!(
            "`{}` at {here} has an operand that is not a plain name, field or literal",
            excerpt(&text[start..end], 60)
        ));
    }
    // Grouping: nothing binding tighter (or as tight, from the left) next to the operation.
    let before = text[..start].trim_end();
    let after = text[end..].trim_start();
    let tight_before = |c: char| match op {
        '-' | '+' => "*/%+-!&".contains(c) && !before.ends_with("&&") && !before.ends_with("=>"),
        _ => "*/%!".contains(c),
    };
    let tight_after = match op {
        '-' | '+' => {
            after.starts_with(['*', '/', '%', '.', '['])
                || after.starts_with("as ")
                || after.starts_with('?')
        }
        _ => after.starts_with(['*', '/', '%', '.', '[', '?']) || after.starts_with("as "),
    };
    if before.ends_with(|c: char| tight_before(c) && c != '=') || tight_after {
        return decline(format!(
            "`{}` at {here} is part of a longer expression; its grouping is not rewritten",
            excerpt(&text[start..end], 60)
        ));
    }
    let target = if compound {
        Some(left.clone())
    } else {
        let re =
            Regex::new(r"^\s*let\s+(?:mut\s+)?([a-z_]\w*)\s*(?::[^=]+)?=$").expect("valid regex");
        re.captures(before).map(|c| c[1].to_string()).or_else(|| {
            // `self.left = a - b;` / `x = a - b;`
            let re = Regex::new(r"^\s*([A-Za-z_][\w.]*)\s*=$").expect("valid regex");
            re.captures(before)
                .map(|c| c[1].rsplit('.').next().unwrap_or("").to_string())
        })
    };
    Ok(Binary {
        left,
        right,
        op,
        target,
        compound,
        range: (start, end),
        at_column,
    })
}

fn saturating(site: &Site, b: &Binary, what: &str, why: &str) -> Result<Draft, Skip> {
    let text = site.line_text().unwrap_or("");
    let call = format!("{}.saturating_sub({})", b.left, b.right);
    let mut new = text.to_string();
    if b.compound {
        new.replace_range(b.range.0..b.range.1, &format!("{} = {call}", b.left));
    } else {
        new.replace_range(b.range.0..b.range.1, &call);
    }
    Draft::on_line(
        site,
        &new,
        format!(
            "{what}. {why}, so the subtraction stops at 0 with `saturating_sub`; every other \
             result is the same."
        ),
        "idiomatic",
        b.at_column,
    )
}

/// The function's existing "nothing" before the statement when `cond` holds: `return None`,
/// an `Err` made from `reason` (a `format!` argument list), or a skipped loop record.
pub(crate) fn guard(
    site: &Site,
    b: &Binary,
    cond: &str,
    reason: &str,
    what: &str,
) -> Result<Draft, Skip> {
    let here = format!("{}:{}", site.path, site.line);
    let text = site.line_text().unwrap_or("");
    let src = Source::new(&site.content, Lang::Rust);
    if !src.whole_statement(site.line) {
        return decline(format!(
            "the statement at {here} spans several lines; a guard before it is not placed"
        ));
    }
    let indent = &text[..text.len() - text.trim_start().len()];
    let unit = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let function = enclosing_fn(&site.content, site.line);
    let returns = function.as_ref().map(|f| f.returns.as_str()).unwrap_or("");
    let fname = function.as_ref().map(|f| f.name.as_str()).unwrap_or("");
    let error = returns
        .strip_prefix("Result<")
        .and_then(|r| r.strip_suffix('>'))
        .and_then(|r| r.rsplit_once(','))
        .map(|(_, e)| e.trim().to_string())
        .unwrap_or_default();
    let in_loop = src.loop_at(site.line);
    let (body, how, name): (Vec<String>, String, &'static str) = if returns.starts_with("Option<") {
        (
            vec!["return None;".into()],
            format!("{fname}() already returns an Option, so it returns None for such input, and its callers handle that as they handle any other None"),
            "return-nothing",
        )
    } else if error == "String" || (error.starts_with("Box<dyn") && error.contains("Error")) {
        let into = if error == "String" { "" } else { ".into()" };
        (
            vec![format!("return Err(format!({reason}){into});")],
            format!("{fname}() already returns errors as Result<_, {error}>, so such input becomes an Err naming the operands, through the path its callers already handle"),
            "return-error",
        )
    } else if let Some(block) = &in_loop {
        let Some(f) = FOR.captures(&block.header) else {
            return decline(format!(
                "`{}` at {here} is in a loop that does not bind one record by name",
                b.expr()
            ));
        };
        let var = f[1].to_string();
        let body = super::braces::lines_text(&site.content, block.open, block.close);
        let id = [format!("{var}.id"), format!("{var}.name")]
            .into_iter()
            .find(|f| {
                Regex::new(&format!(r"\b{}\b[^(]", regex::escape(f)))
                    .is_ok_and(|r| r.is_match(&body))
            });
        let lines_loop = Regex::new(r"\.(?:lines|split\w*)\(").expect("valid regex");
        let (named, args) = match id {
            Some(id) => ("skipping {}: ".to_string(), format!("{id}, ")),
            None if lines_loop.is_match(&f[2]) => {
                (format!("skipping {{{var}:?}}: "), String::new())
            }
            None => {
                return decline(format!(
                    "`{}` at {here} is in a loop whose record has no id or name to report \
                     a skipped one by",
                    b.expr()
                ))
            }
        };
        let (fmt, rest) = reason.split_once("\", ").unwrap_or((reason, ""));
        let fmt = fmt.trim_matches('"');
        let args: Vec<&str> = [args.trim_end_matches(", "), rest]
            .into_iter()
            .filter(|a| !a.is_empty())
            .collect();
        let args = if args.is_empty() {
            String::new()
        } else {
            format!(", {}", args.join(", "))
        };
        let warn = super::rust_index::warning(&site.content);
        (
            vec![
                format!("{warn}{named}{fmt}\"{args});"),
                "continue;".into(),
            ],
            format!("the line reads one record `{var}` of a `for` loop; a record for which it fails is skipped with a line naming it, and the other records are handled as before"),
            "skip-record",
        )
    } else {
        return decline(format!(
            "`{}` at {here} fails for this input, and {fname}() has no None or error result and \
             no loop over records to skip; a wrapped, clamped or zero result would be a value the \
             program never computed",
            b.expr()
        ));
    };
    let mut lines = vec![format!("{indent}if {cond} {{")];
    lines.extend(body.iter().map(|l| format!("{indent}{unit}{l}")));
    lines.push(format!("{indent}}}"));
    let Some(edit) = insert_before(&site.path, &site.content, site.line, &lines) else {
        return decline(format!("{here} cannot be edited"));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!("{what}. {how}; the check comes before the operation."),
        at_column: Some(b.at_column),
        strategy: strategy(name),
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(
        src: &str,
        line: u32,
        col: usize,
        msg: &str,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!("\nthread 'main' panicked at src/main.rs:{line}:{col}:\n{msg}\n");
        propose(&[("src/main.rs", src)], &trace)
    }

    const SUB: &str = "attempt to subtract with overflow";

    #[test]
    fn what_is_left_saturates() {
        let src = "fn f(stock: u32, qty: u32) {\n    let left = stock - qty;\n    println!(\"{left}\");\n}\n";
        let (sols, notes) = panic(src, 2, 16, SUB);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let left = stock.saturating_sub(qty);"]
        );
        let src = "fn f(s: &mut S, n: u32) {\n    s.remaining -= n;\n}\n";
        let (sols, notes) = panic(src, 2, 5, SUB);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    s.remaining = s.remaining.saturating_sub(n);"]
        );
    }

    #[test]
    fn bad_input_takes_the_function_nothing_or_nothing() {
        let src = "fn age(born: u32, now: u32) -> Option<u32> {\n    let years = now - born;\n    Some(years)\n}\n";
        let (sols, notes) = panic(src, 2, 17, SUB);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "    if now.checked_sub(born).is_none() {",
                "        return None;",
                "    }"
            ]
        );
        let src = "fn main() {\n    let years = now - born;\n    println!(\"{years}\");\n}\n";
        let (sols, notes) = panic(src, 2, 17, SUB);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("never computed")),
            "{notes:?}"
        );
        // Grouping that the rewrite would change.
        let src = "fn f(stock: u32) {\n    let left = stock - a * 2;\n}\n";
        let (sols, _) = panic(src, 2, 16, SUB);
        assert!(sols.is_empty());
    }
}
