//! Rust generator: an integer division (or remainder) by zero.
//!
//! The message forms (rustc 1.95, any profile; the column is the division's start):
//!
//! ```text
//! thread 'main' (4218) panicked at src/report.rs:9:19:
//! attempt to divide by zero
//! ```
//!
//! (`attempt to calculate the remainder with a divisor of zero` for `%`.) The line must still
//! hold `a / b` (or `a /= b`, `a % b`) with plain operands. A zero divisor means there is
//! nothing to divide, never a result of 0 (an average of 0 pages is a number the input never
//! had), so the division is guarded before the statement with the code's own "nothing", in the
//! order of [`super::rust_overflow::guard`]: `return None` where the function returns Option, an
//! `Err` where it returns `Result<_, String>` (or a boxed error), the loop's record skipped with
//! a line naming it; else nothing.

use super::rust_overflow::{guard, operation};
use crate::fix::generator::{decline, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct DivideByZero;

impl Generator for DivideByZero {
    fn name(&self) -> String {
        "rs-divide-by-zero".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Rust",
            error: "`attempt to divide by zero` (and the remainder with a divisor of zero)",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let op = match cx.exception_message().trim() {
            "attempt to divide by zero" => '/',
            "attempt to calculate the remainder with a divisor of zero" => '%',
            _ => return Err(Skip::NotApplicable),
        };
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let b = operation(site, op)?;
        let what = format!(
            "The program panicked at {}:{}: `{}` divided by zero",
            site.path,
            site.line,
            b.expr()
        );
        let cond = format!("{} == 0", b.right);
        let reason = format!(
            "\"{} is 0, nothing to divide {} by\"",
            b.right
                .replace('{', "{{")
                .replace('}', "}}")
                .replace('"', "'"),
            b.left
                .replace('{', "{{")
                .replace('}', "}}")
                .replace('"', "'")
        );
        guard(site, &b, &cond, &reason, &what)
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(src: &str, line: u32, col: usize) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "\nthread 'main' panicked at src/main.rs:{line}:{col}:\nattempt to divide by zero\n"
        );
        propose(&[("src/main.rs", src)], &trace)
    }

    #[test]
    fn the_function_nothing_or_the_record_skipped() {
        let src = "fn avg(total: u64, n: u64) -> Result<u64, String> {\n    let a = total / n;\n    Ok(a)\n}\n";
        let (sols, notes) = panic(src, 2, 13);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "    if n == 0 {",
                "        return Err(format!(\"n is 0, nothing to divide total by\"));",
                "    }"
            ]
        );
        let src = "fn main() {\n    for line in text.lines() {\n        let per = total / line.len();\n    }\n}\n";
        let (sols, notes) = panic(src, 3, 19);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "        if line.len() == 0 {",
                "            eprintln!(\"skipping {line:?}: line.len() is 0, nothing to divide total by\");",
                "            continue;",
                "        }"
            ]
        );
        let src = "fn main() {\n    let per = total / n;\n}\n";
        let (sols, notes) = panic(src, 2, 15);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("never computed")),
            "{notes:?}"
        );
    }
}
