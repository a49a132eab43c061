//! Rust generator: a panic in `.unwrap()` → `.unwrap_or_default()` at the panic's location.

use super::code::{Lang, Line};
use super::js::column_byte;
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, Context, Draft, Generator, Skip};
use crate::pattern::Language;

pub struct Unwrap;

impl Generator for Unwrap {
    fn name(&self) -> String {
        "rs-unwrap".into()
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim_start();
        let what = if msg.starts_with("called `Option::unwrap()` on a `None` value") {
            "Option::unwrap() on None"
        } else if msg.starts_with("called `Result::unwrap()` on an `Err` value") {
            "Result::unwrap() on an Err"
        } else {
            return Err(Skip::NotApplicable);
        };
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let line = Line::new(text, Lang::Rust);
        let calls: Vec<usize> = line
            .find_code(".unwrap()")
            .into_iter()
            .map(|dot| dot + 1)
            .collect();
        // The location's column is the method name's (track_caller).
        let at_col = site
            .column
            .and_then(|c| column_byte(text, c))
            .filter(|i| calls.contains(i));
        let (at, at_column) = match (at_col, calls.as_slice()) {
            (Some(i), _) => (i, true),
            (None, [one]) => (*one, false),
            (None, _) => {
                return decline(format!(
                    "{} .unwrap() calls on {}:{} and none at the panic's column",
                    if calls.is_empty() { "no" } else { "several" },
                    site.path,
                    site.line
                ))
            }
        };
        let mut new = text.to_string();
        new.replace_range(at..at + "unwrap()".len(), "unwrap_or_default()");
        let edit = Edit::replace_line(&site.path, &site.content, site.line, &new).expect("line");
        let receiver = line
            .primary_start(at - 1)
            .map(|s| text[s..at - 1].trim().to_string())
            .unwrap_or_default();
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "The program panicked at {}:{}{} with {what}: `{receiver}` had no value at run \
                 time and `.unwrap()` turned that into a crash. `.unwrap_or_default()` uses the \
                 type's default (0, \"\", empty) instead, so the program keeps running; it needs \
                 the type to implement Default, which `cargo check` confirms.",
                site.path,
                site.line,
                site.column.map(|c| format!(":{c}")).unwrap_or_default(),
            ),
            at_column: Some(at_column),
            strategy: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(line: &str, col: usize, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("fn main() {{\n{line}\n}}\n");
        let trace = format!(
            "\nthread 'main' (4218) panicked at src/main.rs:2:{col}:\n{msg}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
        );
        propose(
            &[
                ("src/main.rs", &src),
                ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ],
            &trace,
        )
    }

    const NONE: &str = "called `Option::unwrap()` on a `None` value";

    #[test]
    fn unwrap_at_the_column() {
        let l = "    let x = a.get(0).unwrap() + b.get(1).unwrap();";
        let col = l.rfind("unwrap").unwrap() + 1;
        let (sols, notes) = panic(l, col, NONE);
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let x = a.get(0).unwrap() + b.get(1).unwrap_or_default();"],
            "{notes:?}"
        );
        let (sols, _) = panic(l, 1, NONE);
        assert!(
            sols.is_empty(),
            "two unwraps and the column matches neither"
        );
        let (sols, _) = panic("    let x = a.get(0).expect(\"x\");", 24, "x");
        assert!(sols.is_empty());
        let (sols, _) = panic("    let x = a.get(0).unwrap_or(1);", 24, NONE);
        assert!(sols.is_empty(), "the line changed");
        let l = "    let n: u32 = s.parse().unwrap(); // \".unwrap()\"";
        let (sols, _) = panic(
            l,
            1,
            "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: Empty }",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![l.replacen("unwrap()", "unwrap_or_default()", 1)]
        );
    }
}
