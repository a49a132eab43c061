//! Rust generator: a panic in `.expect("msg")`, repaired as [`super::rust`] repairs `.unwrap()`.
//!
//! The message forms (rustc 1.95): the panic message is the literal itself for an Option, and
//! the literal, `: ` and the error's Debug form for a Result:
//!
//! ```text
//! thread 'main' (11318) panicked at src/main.rs:10:40:
//! DATABASE_URL must be set: NotPresent
//! ```
//!
//! The call is the `.expect("…")` at the location's column (track_caller points at the method
//! name), or else the line's only one, and its literal must match the message: a line whose
//! literal differs is not the code that panicked. Then the strategies are those of unwrap, in
//! order: `?` where the function returns Option, the crate's own default constant or fallback
//! for a value where 0 or "" is wrong, the type's default where nothing makes it wrong; else the
//! reason there is no change.

use super::code::{Lang, Line};
use super::js::column_byte;
use super::rust::{repair, Call};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct Expect;

impl Generator for Expect {
    fn name(&self) -> String {
        "rs-expect".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Rust",
            error: "a panic in `.expect(\"…\")`, as `unwrap()`",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        if msg.is_empty() || msg.starts_with("called `") {
            return Err(Skip::NotApplicable);
        }
        let Some(site) = cx.site.as_ref() else {
            return Err(Skip::NotApplicable);
        };
        let Some(text) = site.line_text() else {
            return Err(Skip::NotApplicable);
        };
        let line = Line::new(text, Lang::Rust);
        // (method offset, call length, literal)
        let calls: Vec<(usize, usize, Option<String>)> = line
            .find_code(".expect(")
            .into_iter()
            .map(|dot| {
                let open = dot + ".expect".len();
                let close = line.matching_close(open);
                let literal = close.and_then(|c| literal(&text[open + 1..c]));
                let len = close.map_or(0, |c| c + 1 - (dot + 1));
                (dot + 1, len, literal)
            })
            .collect();
        if calls.is_empty() {
            return Err(Skip::NotApplicable);
        }
        let matches = |lit: &Option<String>| {
            lit.as_deref().and_then(|l| {
                if msg == l {
                    Some(true)
                } else if msg.starts_with(&format!("{l}: ")) {
                    Some(false)
                } else {
                    None
                }
            })
        };
        let at_col = site.column.and_then(|c| column_byte(text, c));
        let here = format!("{}:{}", site.path, site.line);
        let (call, at_column) = match calls.iter().find(|c| Some(c.0) == at_col) {
            Some(c) => (c, true),
            None => {
                let matching: Vec<_> = calls.iter().filter(|c| matches(&c.2).is_some()).collect();
                match matching.as_slice() {
                    [one] => (*one, false),
                    _ => return Err(Skip::NotApplicable),
                }
            }
        };
        let Some(option) = matches(&call.2) else {
            return decline(format!(
                "the `.expect(…)` at {here} says {}, not the panic's message '{}': the line no \
                 longer holds the code that panicked",
                call.2.as_deref().map_or(
                    "something other than a string literal".into(),
                    |l| format!("'{}'", excerpt(l, 60))
                ),
                excerpt(msg, 60)
            ));
        };
        let call = Call {
            at: call.0,
            len: call.1,
            method: "expect(…)",
            what: format!(
                "`.expect(\"{}\")` on {}",
                excerpt(call.2.as_deref().unwrap_or(""), 60),
                if option { "None" } else { "an Err" }
            ),
            option,
            at_column,
        };
        repair(site, text, &line, &call)
    }
}

/// The value of a plain string literal argument (`"no port"`), with its simple escapes decoded.
fn literal(arg: &str) -> Option<String> {
    let inner = arg.trim().strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return None,
            '\\' => out.push(match chars.next()? {
                'n' => '\n',
                't' => '\t',
                c @ ('\\' | '"' | '\'') => c,
                _ => return None,
            }),
            c => out.push(c),
        }
    }
    Some(out)
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
        let trace = format!(
            "\nthread 'main' (4218) panicked at src/main.rs:{line}:{col}:\n{msg}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
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
    fn question_mark_in_a_function_returning_option() {
        let src = "fn first_word(s: &str) -> Option<String> {\n    let w = s.split(' ').next().expect(\"a word\");\n    Some(w.to_string())\n}\n";
        let (sols, notes) = panic(src, 2, 33, "a word");
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let w = s.split(' ').next()?;"]
        );
        // Another literal on the line: the code changed since the log.
        let (sols, notes) = panic(src, 2, 33, "no word");
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("no longer holds")),
            "{notes:?}"
        );
    }

    #[test]
    fn the_crate_default_or_nothing() {
        let src = "const DEFAULT_PORT: u16 = 8080;\nfn main() {\n    let port = cfg.port.expect(\"config has no port\");\n}\n";
        let (sols, notes) = panic(src, 3, 25, "config has no port");
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let port = cfg.port.unwrap_or(DEFAULT_PORT);"]
        );
        let src = "fn main() {\n    let port = cfg.port.expect(\"config has no port\");\n}\n";
        let (sols, notes) = panic(src, 2, 25, "config has no port");
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("not a valid port")),
            "{notes:?}"
        );
        // A Result's message carries the error after the literal.
        let src =
            "fn main() {\n    let url = std::env::var(\"DB\").expect(\"DB must be set\");\n}\n";
        let (sols, notes) = panic(src, 2, 35, "DB must be set: NotPresent");
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("not a valid url")),
            "{notes:?}"
        );
        // A chain over several lines: the binding and the parse are on lines above.
        let src = "fn main() {\n    let port: u16 = raw\n        .parse()\n        .expect(\"PORT must be a number\");\n}\n";
        let (sols, notes) = panic(
            src,
            4,
            10,
            "PORT must be a number: ParseIntError { kind: InvalidDigit }",
        );
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("continues a method chain")),
            "{notes:?}"
        );
    }
}
