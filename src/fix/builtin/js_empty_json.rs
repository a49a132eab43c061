//! Node.js `SyntaxError: Unexpected end of JSON input` from `JSON.parse` of an empty body or
//! file → the function's own "nothing" when its caller tests for it, else the record is skipped.
//!
//! V8 prints (Node.js 20), uncaught, the JSON text's last line under `<anonymous_script>:N`
//! (empty for an empty input), and the frame of `JSON.parse` above the application's:
//!
//! ```text
//! <anonymous_script>:1
//!
//!
//! SyntaxError: Unexpected end of JSON input
//!     at JSON.parse (<anonymous>)
//!     at load (/srv/app/src/cache.js:5:15)
//! ```
//!
//! The same message ends a JSON text cut short (`{"a":`); when the log shows that text, it is
//! not empty and nothing changes. Strategies, in order (see [`super::braces`]): skip the record
//! of a `for` loop of the function whose body read the text, with a warning naming it; return
//! the function's existing "nothing" (`return null;` on another path) when the caller frame's
//! line tests the result; skip the record in the caller's loop. The parsed text must be a plain
//! name (`text`, `res.body`) to test it first; else no change.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{self, callee_name, Missing, Source};
use super::code::{is_ident, is_name_chain, Lang};
use super::js::is_node;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};

pub struct EmptyJson;

static SHOWN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^<anonymous_script>:(\d+)\r?\n(.*)$").expect("valid regex"));

impl Generator for EmptyJson {
    fn name(&self) -> String {
        "js-empty-json".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`SyntaxError: Unexpected end of JSON input` from `JSON.parse` of an empty body or file, with a \"nothing\" the caller tests or a loop over records",
        })
    }

    fn prior(&self) -> f64 {
        0.7
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx)
            || cx.kind() != Some("SyntaxError")
            || !cx
                .exception_message()
                .trim()
                .starts_with("Unexpected end of JSON input")
        {
            return Err(Skip::NotApplicable);
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        if let Some(why) = super::js_const_assign::build_output(cx, site) {
            return decline(why);
        }
        if site.raised_in_library.as_deref() != Some("JSON.parse") {
            return decline(format!(
                "the error was not raised by a JSON.parse that {}:{} calls",
                site.path, site.line
            ));
        }
        if let Some(c) = SHOWN.captures(cx.message) {
            if !c[2].trim().is_empty() {
                return decline(format!(
                    "the JSON text is not empty but cut short (the log shows '{}'): what is \
                     missing from it is not known",
                    excerpt(&c[2], 40)
                ));
            }
        }
        let here = format!("{}:{}", site.path, site.line);
        let src = Source::new(&site.content, Lang::Js);
        let Some(line) = src.line(site.line) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let b = line.bytes();
        let calls: Vec<(usize, usize)> = line
            .find_code("JSON.parse(")
            .into_iter()
            .filter(|&i| i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b'.'))
            .filter_map(|i| Some((i, line.matching_close(i + "JSON.parse".len())?)))
            .collect();
        let (open, close) = match calls.as_slice() {
            [one] => *one,
            [] => {
                return decline(format!(
                    "{here} no longer calls JSON.parse: the code changed since the log"
                ))
            }
            _ => {
                return decline(format!(
                    "{here} calls JSON.parse several times: which text was empty is unknown"
                ))
            }
        };
        let arg = line.text[open + "JSON.parse(".len()..close].trim();
        if !is_name_chain(arg) {
            return decline(format!(
                "the text JSON.parse reads at {here} (`{}`) is not a plain name to test first",
                excerpt(arg, 50)
            ));
        }
        let head = format!("`JSON.parse({arg})` at {here} throws when `{arg}` is empty.");
        let missing = Missing {
            path: &site.path,
            content: &site.content,
            src: &src,
            line: site.line,
            expr: arg.to_string(),
            what: arg.to_string(),
            neutral: "empty",
            bind: None,
        };
        let caller = braces::caller(cx);
        let callee = site.frame.function.as_deref().and_then(callee_name);
        braces::statement_draft(&missing, caller.as_ref(), callee, &head, Vec::new(), false)
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn trace(shown: &str, line: usize) -> String {
        format!(
            "<anonymous_script>:1\n{shown}\n\nSyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at load (/srv/app/lib/x.js:{line}:15)\n    at main (/srv/app/main.js:3:15)\n    at Object.<anonymous> (/srv/app/main.js:9:1)"
        )
    }

    #[test]
    fn the_function_s_nothing_or_the_record_is_skipped() {
        let x = "const fs = require('fs');\nfunction load(p) {\n  if (!fs.existsSync(p)) return null;\n  const text = fs.readFileSync(p, 'utf8');\n  return JSON.parse(text);\n}\nmodule.exports = { load };\n";
        let main = "const { load } = require('./lib/x');\nfunction main() {\n  const cache = load('c.json');\n  if (cache === null) {\n    return 'rebuilt';\n  }\n  return cache.n;\n}\nmain();\n";
        let (sols, notes) = propose(&[("lib/x.js", x), ("main.js", main)], &trace("", 5));
        assert_eq!(
            added(&sols[0].diff),
            vec!["  if (text.trim() === '') {", "    return null;", "  }"],
            "{notes:?}"
        );
        let x = "const fs = require('fs');\nfunction load(files) {\n  const out = [];\n  for (const f of files) {\n    const text = fs.readFileSync(f, 'utf8');\n    out.push(JSON.parse(text));\n  }\n  return out;\n}\nmodule.exports = { load };\n";
        let (sols, notes) = propose(&[("lib/x.js", x), ("main.js", "f()\n")], &trace("", 6));
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "    if (text.trim() === '') {",
                "      console.error(`skipping f ${f}: text is empty`);",
                "      continue;",
                "    }"
            ],
            "{notes:?}"
        );
    }

    #[test]
    fn refusals_say_why() {
        let x = "const fs = require('fs');\nfunction load(files) {\n  const out = [];\n  for (const f of files) {\n    const text = fs.readFileSync(f, 'utf8');\n    out.push(JSON.parse(text));\n  }\n  return out;\n}\nmodule.exports = { load };\n";
        let (sols, notes) = propose(
            &[("lib/x.js", x), ("main.js", "f()\n")],
            &trace("{\"a\":", 6),
        );
        assert!(sols.is_empty());
        assert!(notes.iter().any(|n| n.contains("cut short")), "{notes:?}");
        let x = "const fs = require('fs');\nfunction load(p) {\n  return JSON.parse(fs.readFileSync(p, 'utf8'));\n}\nmodule.exports = { load };\n";
        let (sols, notes) = propose(&[("lib/x.js", x), ("main.js", "f()\n")], &trace("", 3));
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("not a plain name")),
            "{notes:?}"
        );
    }
}
