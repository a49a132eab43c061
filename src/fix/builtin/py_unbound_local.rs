//! `UnboundLocalError` of a module-level name a function updates → `global name` in it.
//!
//! Message forms read:
//!
//! - `cannot access local variable 'processed' where it is not associated with a value` (3.11);
//! - `local variable 'processed' referenced before assignment` (3.10 and older).
//!
//! The one strategy: when the file defines the name at module level and every binding of it in
//! the function is an augmented assignment (`processed += 1`), the function is meant to update
//! the module's value: `global processed` goes first in its body (after a docstring). A plain
//! `name = …`, a `for`/`with`/`except … as` target, a nested function (where `nonlocal` could be
//! meant) or a name the module does not define is declined: the local looks meant, or which
//! scope was meant is a guess.

use super::braces::insert_before;
use super::python::{checked_line, headline, is_python};
use crate::fix::generator::{decline, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::{strip_comment, Source};

/// `UnboundLocalError` of a counter or total kept at module level.
pub struct UnboundLocal;

impl Generator for UnboundLocal {
    fn name(&self) -> String {
        "py-unbound-local".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`UnboundLocalError` on a module-level name the function updates in place (`global`)",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("UnboundLocalError") {
            return Err(Skip::NotApplicable);
        }
        let re = regex::Regex::new(
            r"^(?:cannot access local variable '(\w+)' where it is not associated with a value|local variable '(\w+)' referenced before assignment)$",
        )
        .expect("valid regex");
        let msg = cx.exception_message().trim();
        let Some(name) = re
            .captures(msg)
            .and_then(|c| c.get(1).or(c.get(2)))
            .map(|m| m.as_str().to_string())
        else {
            return Err(Skip::NotApplicable);
        };
        let (site, text, _) = checked_line(cx)?;
        if !super::python_flow::word_in(text, &name) {
            return decline(format!(
                "{}:{} does not use '{name}': the line changed since the log was written",
                site.path, site.line
            ));
        }
        let src = Source::new(&site.content);
        let Some(function) = src.function(site.line) else {
            return decline(format!(
                "{}:{} is not inside a function",
                site.path, site.line
            ));
        };
        if src
            .enclosing(function.header.line)
            .iter()
            .any(|h| h.keyword() == "def")
        {
            return decline(format!(
                "{}() is nested in another function: `nonlocal {name}` or `global {name}` is a guess",
                function.name
            ));
        }
        let module_def =
            regex::Regex::new(&format!(r"^{}\s*(?::[^=]+)?=[^=]", regex::escape(&name)))
                .expect("valid regex");
        if !site.content.lines().any(|l| module_def.is_match(l)) {
            return decline(format!(
                "'{name}' is not assigned at module level in {}: there is no module value for {}() to update",
                site.path, function.name
            ));
        }
        let n = regex::escape(&name);
        let augmented = regex::Regex::new(&format!(
            r"^\s*{n}\s*(?:\+|-|\*|/|//|%|\||&|\^|<<|>>|\*\*|@)="
        ))
        .expect("valid regex");
        let plain = regex::Regex::new(&format!(
            r"^\s*(?:[\w\s,*]*,\s*)?\*?{n}\s*(?:,[\w\s,*]*)?(?::[^=]+)?=[^=]|\bfor\s+[^:]*\b{n}\b[^:]*\bin\b|\bas\s+{n}\b|\b{n}\s*:=|^\s*(?:import|def|class)\s+{n}\b|^\s*(?:global|nonlocal)\s+.*\b{n}\b"
        ))
        .expect("valid regex");
        let mut updates = Vec::new();
        for l in function.first..=function.last {
            let code = strip_comment(src.text(l).unwrap_or(""));
            if augmented.is_match(&code) {
                updates.push(l);
            } else if plain.is_match(&code) {
                return decline(format!(
                    "{}() binds '{name}' at line {l} (`{}`): it looks meant as a local, and \
                     `global` would change the module's value",
                    function.name,
                    code.trim()
                ));
            }
        }
        if updates.is_empty() {
            return decline(format!(
                "{}() never updates '{name}' in place: why it is local is not in the code",
                function.name
            ));
        }
        // After a docstring, so that it stays the function's docstring.
        let mut at = function.first;
        let first = src.text(at).unwrap_or("").trim_start();
        if first.starts_with(['"', '\'']) || first.starts_with("r\"") {
            at = src.statement_end(at) + 1;
        }
        let indent = src.indent_str(function.first);
        let Some(edit) = insert_before(
            &site.path,
            &site.content,
            at,
            &[format!("{indent}global {name}")],
        ) else {
            return decline(format!("{} has no line {at}", site.path));
        };
        let lines: Vec<String> = updates.iter().map(u32::to_string).collect();
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "{} at {}:{}: {}() updates the module-level '{name}' in place (line {}), which \
                 makes it local to the function; `global {name}` makes the update reach the \
                 module's value.",
                headline(cx),
                site.path,
                site.line,
                function.name,
                lines.join(", ")
            ),
            at_column: None,
            strategy: crate::fix::factor::strategy("global-declaration"),
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(src: &str, no: u32, msg: &str) -> (Vec<String>, Vec<String>) {
        let line = src.lines().nth(no as usize - 1).unwrap().trim();
        let trace = format!(
            "Traceback (most recent call last):\n  File \"/srv/app.py\", line {no}, in f\n    {line}\nUnboundLocalError: {msg}\n"
        );
        let (sols, notes) = propose(&[("app.py", src)], &trace);
        (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
    }

    #[test]
    fn a_module_counter_updated_in_place_gets_global() {
        let src =
            "seen = 0\n\n\ndef f(x):\n    \"\"\"Count x.\"\"\"\n    seen += 1\n    return x\n";
        for msg in [
            "cannot access local variable 'seen' where it is not associated with a value",
            "local variable 'seen' referenced before assignment",
        ] {
            let (sols, notes) = propose(
                &[("app.py", src)],
                &format!("Traceback (most recent call last):\n  File \"/srv/app.py\", line 6, in f\n    seen += 1\nUnboundLocalError: {msg}\n"),
            );
            assert_eq!(sols.len(), 1, "{notes:?}");
            assert_eq!(added(&sols[0].diff), vec!["    global seen"]);
            assert!(
                sols[0]
                    .diff
                    .contains("\"\"\"Count x.\"\"\"\n+    global seen"),
                "{}",
                sols[0].diff
            );
        }
    }

    #[test]
    fn a_local_meant_or_no_module_value_is_declined() {
        let msg = "cannot access local variable 'label' where it is not associated with a value";
        let src = "label = 'x'\n\ndef f(rows):\n    print(label)\n    label = 'y'\n";
        let (lines, notes) = run(src, 4, msg);
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("looks meant as a local")),
            "{notes:?}"
        );
        let src = "def f(rows):\n    label += 1\n";
        let (lines, notes) = run(src, 2, msg);
        assert!(lines.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("not assigned at module level")),
            "{notes:?}"
        );
    }
}
