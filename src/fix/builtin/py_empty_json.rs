//! `JSONDecodeError` of an empty body or file → the function's "nothing" result, or the record
//! skipped.
//!
//! Message form read (Python 3.11), raised inside the standard library's `json/` modules under
//! the application's `json.loads(body)` / `json.load(f)`:
//!
//! - `json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)`.
//!
//! Only that position is read: an empty input has nothing at char 0. Any other position (and any
//! other message) is malformed JSON, whose content no change of the code can guess.
//!
//! The emptiness is tested before the parse (`not body.strip()`, or `os.path.getsize(path) == 0`
//! for a file opened by the `with` around `json.load(f)`); then, in order (see
//! [`flow::Strategies::choose`]):
//!
//! 1. the record skipped, with a log line naming it, in a loop over independent records around
//!    the parse (returning from the function would drop the other records too);
//! 2. the function's existing "nothing" result (`return None` elsewhere in it, or a caller that
//!    tests what it returns);
//! 3. the record skipped in the caller's loop.
//!
//! Otherwise nothing: `json.loads(body or "{}")` hands on a document with none of the keys the
//! code reads next, or made-up values.

use super::code::{Lang, Line};
use super::py_blank_number::{calls_of, pure};
use super::python::{function_name, headline, is_python, shown, Shown};
use super::python_flow as flow;
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::{split_top, Source};

/// `JSONDecodeError` of an empty input.
pub struct EmptyJson;

impl Generator for EmptyJson {
    fn name(&self) -> String {
        "py-empty-json".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)` of an empty body or file",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("JSONDecodeError") {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        if msg != "Expecting value: line 1 column 1 (char 0)" {
            return decline(format!(
                "'{}' is malformed JSON, not an empty input: what it should have held is unknown",
                excerpt(msg, 60)
            ));
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        // The error is raised in json's own modules; any other library code between them and
        // the site means the site did not hand its input to json directly.
        let frames = cx.exception.map(|e| &e.frames[..]).unwrap_or(&[]);
        let inner = frames.iter().take_while(|f| **f != site.frame);
        if inner
            .clone()
            .any(|f| !f.file.replace('\\', "/").contains("/json/"))
        {
            site.failed_here()?;
        }
        let shown = shown(cx.message, site);
        if let Shown::Differs(logged) = &shown {
            return decline(format!(
                "{}:{} changed since the log was written (log shows '{}')",
                site.path,
                site.line,
                excerpt(logged, 80)
            ));
        }
        let line = Line::new(text, Lang::Python);
        let mut calls: Vec<(usize, usize, usize, bool)> = Vec::new();
        for (func, file) in [("json.loads", false), ("json.load", true)] {
            calls.extend(
                calls_of(&line, func)
                    .into_iter()
                    .map(|(s, o, c)| (s, o, c, file)),
            );
        }
        let under: Vec<_> = match shown.span() {
            Some((a, b)) => calls
                .iter()
                .filter(|c| a <= c.0 && c.0 < b)
                .copied()
                .collect(),
            None => calls.clone(),
        };
        let &[(start, open, close, file)] = &under[..] else {
            return decline(format!(
                "no single json.load()/json.loads() call at {}:{}: the line changed since the log \
                 was written, or which call failed is unknown",
                site.path, site.line
            ));
        };
        let at_column = shown.span().is_some_and(|(a, _)| a == start);
        let args = split_top(&text[open + 1..close]);
        let arg = args.first().map(|a| a.trim()).unwrap_or("");
        if arg.contains('=') || !pure(arg) {
            return decline(format!(
                "the input `{}` at {}:{} is not a plain name or read; testing it for emptiness \
                 would evaluate it twice",
                excerpt(arg, 40),
                site.path,
                site.line
            ));
        }
        let src = Source::new(&site.content);
        let mut edits = Vec::new();
        let (cond, what, shown_args, tested) = if file {
            let Some(path) = opened_as(&src, site.line, arg) else {
                return decline(format!(
                    "`{arg}` at {}:{} is not a file opened by a `with open(…) as {arg}` around \
                     it: its emptiness cannot be tested before it is read",
                    site.path, site.line
                ));
            };
            if !src.imports("os") {
                edits.push(Edit {
                    file: site.path.clone(),
                    line: src.import_line(),
                    old: String::new(),
                    new: "import os\n".into(),
                });
            }
            (
                format!("os.path.getsize({path}) == 0"),
                "{!r} is empty".to_string(),
                vec![path.clone()],
                path,
            )
        } else {
            (
                format!("not {arg}.strip()"),
                "the JSON input is empty".to_string(),
                Vec::new(),
                arg.to_string(),
            )
        };
        let root = tested
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .next()
            .unwrap_or("")
            .to_string();
        let missing = flow::Missing {
            cond,
            names: vec![root],
            what,
            args: shown_args,
            announce: true,
        };
        match flow::Strategies::at(cx, site).choose(&missing) {
            Ok(plan) => {
                edits.extend(plan.edits);
                Ok(Draft {
                    edits,
                    description: format!(
                        "{} at {}:{} in {}: {} is empty, so there is no JSON document to \
                         parse and no value to invent for one; {}.",
                        headline(cx),
                        site.path,
                        site.line,
                        function_name(site),
                        if file {
                            format!("the file `{tested}` names")
                        } else {
                            format!("`{tested}`")
                        },
                        plan.why.replace("{!r}", &format!("`{tested}`"))
                    ),
                    at_column: Some(at_column),
                    strategy: crate::fix::factor::strategy(plan.strategy),
                })
            }
            Err(why_not) => decline(format!(
                "an empty JSON input at {}:{} has no value the code could go on with, and no \
                 statement-level change applies: {}",
                site.path,
                site.line,
                why_not.join("; ")
            )),
        }
    }
}

/// The path opened by the `with open(path…) as name:` around `line`, when it is a plain read.
fn opened_as(src: &Source<'_>, line: u32, name: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(
        r"^with\s+open\((.+)\)\s+as\s+{}\s*:$",
        regex::escape(name)
    ))
    .ok()?;
    let header = src
        .enclosing(line)
        .into_iter()
        .find(|h| h.keyword() == "with")?;
    let args = re.captures(&header.text)?[1].to_string();
    let path = split_top(&args).first()?.trim().to_string();
    pure(&path).then_some(path)
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn tb(src: &str, no: u32, msg: &str) -> String {
        let line = src.lines().nth(no as usize - 1).unwrap();
        format!(
            "Traceback (most recent call last):\n  File \"/srv/app.py\", line {no}, in run\n    {}\n  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n    return _default_decoder.decode(s)\n  File \"/usr/lib/python3.11/json/decoder.py\", line 355, in raw_decode\n    raise JSONDecodeError(\"Expecting value\", s, err.value) from None\njson.decoder.JSONDecodeError: {msg}\n",
            line.trim()
        )
    }

    fn run(src: &str, no: u32, msg: &str) -> (Vec<String>, Vec<String>) {
        let (sols, notes) = propose(&[("app.py", src)], &tb(src, no, msg));
        (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
    }

    const EMPTY: &str = "Expecting value: line 1 column 1 (char 0)";

    #[test]
    fn an_empty_file_gives_the_existing_none() {
        let src = "import json\nimport os\n\n\ndef run(path):\n    if not os.path.exists(path):\n        return None\n    with open(path) as f:\n        return json.load(f)\n";
        let (lines, notes) = run(src, 9, EMPTY);
        assert!(
            lines.contains(&"        if os.path.getsize(path) == 0:".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(
            lines.contains(&"            return None".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn an_empty_body_in_a_loop_is_skipped() {
        let src = "import json\n\n\ndef run(bodies):\n    out = []\n    for body in bodies:\n        doc = json.loads(body)\n        out.append(doc)\n    return out\n";
        let (lines, notes) = run(src, 7, EMPTY);
        assert!(
            lines.contains(&"        if not body.strip():".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(lines.iter().any(|l| l.contains("continue")), "{lines:?}");
    }

    #[test]
    fn malformed_or_lone_documents_are_declined() {
        let src = "import json\n\n\ndef run(body):\n    doc = json.loads(body)\n    return doc[\"rate\"]\n";
        let (lines, notes) = run(src, 5, EMPTY);
        assert!(lines.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("no value the code could go on with")),
            "{notes:?}"
        );
        let src = "import json\n\n\ndef run(bodies):\n    for body in bodies:\n        print(json.loads(body))\n";
        let (lines, notes) = run(src, 6, "Expecting ',' delimiter: line 1 column 9 (char 8)");
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("malformed JSON")),
            "{notes:?}"
        );
    }
}
