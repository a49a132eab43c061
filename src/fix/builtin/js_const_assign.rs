//! Node.js `TypeError: Assignment to constant variable.` → the `const` the function reassigns is
//! declared with `let`.
//!
//! V8 prints (Node.js 20), with the column at the operator (`total += x`, `n++`, `x = …`) or at
//! the name (`++n`, `[a] = …`):
//!
//! ```text
//! /srv/app/src/sum.js:4
//!     total += x;
//!           ^
//!
//! TypeError: Assignment to constant variable.
//!     at sum (/srv/app/src/sum.js:4:11)
//! ```
//!
//! The assigned name is read at the column (else the only assignment on the line), and its
//! binding is the nearest declaration above the line whose block holds it. That declaration's
//! `const` becomes `let`. No change when the binding is an import or a module-level `require`
//! (the module itself is not meant to be replaced), when the name is written as a constant
//! (`MAX_RETRIES`: the assignment is the bug), when the declaration binds several names and not
//! all of them are reassigned (which ones should stay constant is a guess), or when no single
//! declaration is found.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::Source;
use super::code::{is_ident, Lang, Line};
use super::js::{is_node, shown_source};
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};

pub struct ConstAssign;

/// The site of a Node.js error and its line at HEAD, checked against the source line the log
/// shows under `file:line` (logs outlive code).
pub(crate) fn node_site<'c>(cx: &'c Context<'_>) -> Result<(&'c Site, &'c str), Skip> {
    let Some(site) = cx.site.as_ref() else {
        return decline("no frame of the trace maps to a file tracked at HEAD");
    };
    site.failed_here()?;
    if let Some(why) = build_output(cx, site) {
        return decline(why);
    }
    let Some(text) = site.line_text() else {
        return decline(format!("{} has no line {}", site.path, site.line));
    };
    if let Some(logged) = shown_source(cx.message, &site.frame.file, site.line) {
        if logged.trim() != text.trim() {
            return decline(format!(
                "{}:{} changed since the log was written (log shows '{}')",
                site.path,
                site.line,
                excerpt(logged, 80)
            ));
        }
    }
    Ok((site, text))
}

static SOURCE_MAP_URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^//# sourceMappingURL=\S+\s*$").expect("valid regex"));
static OUT_DIR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""outDir"\s*:\s*"([^"]+)""#).expect("valid regex"));

/// Why the site's file is a compiler's output (tsc, Babel, a bundler) rather than source: it
/// names its source map, or lies under the `outDir` of a tracked tsconfig.json. An edit there is
/// overwritten by the next build, and the line the trace names is not a line anyone wrote.
pub(crate) fn build_output(cx: &Context<'_>, site: &Site) -> Option<String> {
    let generated = |reason: String| {
        format!(
            "{} is a build output ({reason}); the change belongs in its source, and the trace \
             names the compiled line (run with `node --enable-source-maps` so it names the \
             source's)",
            site.path
        )
    };
    if SOURCE_MAP_URL.is_match(&site.content) {
        return Some(generated("it names its source map".into()));
    }
    for config in cx.repo.files() {
        let dir = match config.strip_suffix("tsconfig.json") {
            Some(d) if d.is_empty() || d.ends_with('/') => d,
            _ => continue,
        };
        let text = cx.repo.read(config).unwrap_or_default();
        let Some(out) = OUT_DIR.captures(&text).map(|c| c[1].to_string()) else {
            continue;
        };
        let out = out.trim_start_matches("./").trim_end_matches('/');
        if !out.is_empty()
            && !out.starts_with("..")
            && site.path.starts_with(&format!("{dir}{out}/"))
        {
            return Some(generated(format!("{config} compiles into {dir}{out}/")));
        }
    }
    None
}

/// The identifier around byte `i` of `text`, as (start, end).
pub(crate) fn ident_at(text: &str, i: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    if i >= b.len() || !is_ident(b[i]) {
        return None;
    }
    let start = (0..=i).rev().take_while(|&k| is_ident(b[k])).last()?;
    let end = (i..b.len()).find(|&k| !is_ident(b[k])).unwrap_or(b.len());
    (!b[start].is_ascii_digit()).then_some((start, end))
}

const OPS: &[&str] = &[
    "**=", "<<=", ">>>=", ">>=", "&&=", "||=", "??=", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
    "^=", "++", "--",
];

/// The names assigned on `line` (`x = …`, `x += …`, `x++`, `++x`), as (start, end) of the name;
/// property writes (`a.x = …`) are not bindings and are left out.
fn assignments(line: &Line<'_>) -> Vec<(usize, usize)> {
    let text = line.text;
    let b = line.bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let Some((s, e)) = ident_at(text, i).filter(|_| line.is_code(i)) else {
            i += 1;
            continue;
        };
        i = e;
        let before = text[..s].trim_end();
        if before.ends_with('.') || before.ends_with("?.") {
            continue;
        }
        let after = text[e..].trim_start();
        let op = after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>")
            || OPS.iter().any(|o| after.starts_with(o));
        if op || before.ends_with("++") || before.ends_with("--") {
            out.push((s, e));
        }
    }
    out
}

/// A `const` / `let` / `var` declaration: its line, the keyword's byte and the names it binds.
pub(crate) struct Decl {
    pub(crate) line: u32,
    pub(crate) at: usize,
    keyword: String,
    pub(crate) names: Vec<String>,
    init: String,
}

static DECL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(const|let|var)\s+").expect("valid regex"));

/// Split at top-level commas (brackets only: `=>` is no bracket here).
pub(crate) fn split_commas(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut last) = (0i32, 0);
    let line = Line::new(text, Lang::Js);
    for (i, c) in text.bytes().enumerate() {
        if !line.is_code(i) {
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(text[last..i].trim());
                last = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[last..].trim());
    parts
}

/// The names a binding pattern declares (`x`, `{ a, b: c, d = 1, ...rest }`, `[a, , b]`);
/// `None` for a nested pattern.
fn pattern_names(pattern: &str) -> Option<Vec<String>> {
    let p = pattern.trim();
    let plain = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(is_ident) && !s.as_bytes()[0].is_ascii_digit())
            .then(|| s.to_string())
    };
    let inner = p
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .map(|r| (r, true))
        .or_else(|| {
            p.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .map(|r| (r, false))
        });
    let Some((inner, object)) = inner else {
        return plain(p).map(|n| vec![n]);
    };
    let mut names = Vec::new();
    for item in split_commas(inner) {
        if item.is_empty() {
            continue;
        }
        let item = item.trim_start_matches("...");
        let item = item.split('=').next().unwrap_or(item);
        let item = if object {
            item.rsplit(':').next().unwrap_or(item)
        } else {
            item
        };
        names.push(plain(item)?);
    }
    Some(names)
}

/// The declarations in code on line `n` of `src` that start before byte `before`.
pub(crate) fn declarations(src: &Source<'_>, n: u32, before: usize) -> Vec<Decl> {
    let Some(line) = src.line(n) else {
        return Vec::new();
    };
    let text = line.text;
    let mut out = Vec::new();
    for m in DECL.captures_iter(text) {
        let kw = m.get(1).expect("group");
        if kw.start() >= before || !line.is_code(kw.start()) {
            continue;
        }
        let rest = &text[m.get(0).expect("match").end()..];
        // The statement ends at `;` or at the `)` closing a `for (` header.
        let (mut depth, mut end) = (0i32, rest.len());
        for (i, c) in rest.bytes().enumerate() {
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' if depth == 0 => {
                    end = i;
                    break;
                }
                b')' | b']' | b'}' => depth -= 1,
                b';' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let mut names = Vec::new();
        let mut init = String::new();
        for declarator in split_commas(&rest[..end]) {
            let d = Line::new(declarator, Lang::Js);
            let eq = (0..declarator.len()).find(|&i| {
                d.is_code(i)
                    && declarator[i..].starts_with('=')
                    && !declarator[i..].starts_with("==")
                    && !declarator[i..].starts_with("=>")
                    && !declarator[..i].ends_with(['=', '!', '<', '>'])
                    && {
                        let head = &declarator[..i];
                        head.matches(['{', '[']).count() == head.matches(['}', ']']).count()
                    }
            });
            let pattern = match eq {
                Some(i) => {
                    init = declarator[i + 1..].trim().to_string();
                    &declarator[..i]
                }
                None => declarator
                    .split(" of ")
                    .next()
                    .and_then(|p| p.split(" in ").next())
                    .unwrap_or(declarator),
            };
            match pattern_names(pattern) {
                Some(n) => names.extend(n),
                None => names.push(String::new()),
            }
        }
        out.push(Decl {
            line: n,
            at: kw.start(),
            keyword: kw.as_str().to_string(),
            names,
            init,
        });
    }
    out
}

/// The lines a declaration at byte `at` of line `n` is visible in: its innermost block, or the
/// whole module.
pub(crate) fn scope(src: &Source<'_>, n: u32, at: usize) -> (u32, u32) {
    match src.blocks_at(n, at).first() {
        Some(b) => (b.open, b.close),
        None => (1, src.len()),
    }
}

fn is_constant_case(name: &str) -> bool {
    name.bytes().any(|b| b.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

impl Generator for ConstAssign {
    fn name(&self) -> String {
        "js-const-assign".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`TypeError: Assignment to constant variable.` (a `const` the code reassigns)",
        })
    }

    fn prior(&self) -> f64 {
        0.8
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx)
            || cx.kind() != Some("TypeError")
            || !cx
                .exception_message()
                .trim()
                .starts_with("Assignment to constant variable")
        {
            return Err(Skip::NotApplicable);
        }
        let (site, text) = node_site(cx)?;
        let line = Line::new(text, Lang::Js);
        let found = assignments(&line);
        let at_col = site
            .column
            .and_then(|c| super::js::column_byte(text, c))
            .and_then(|i| {
                let b = line.bytes();
                if ident_at(text, i).is_some() {
                    return ident_at(text, i);
                }
                // At the operator: the name just before it.
                let k = (0..i.min(b.len())).rev().find(|&k| b[k] != b' ')?;
                ident_at(text, k)
            })
            .filter(|span| found.contains(span));
        let ((start, end), at_column) = match (at_col, found.as_slice()) {
            (Some(span), _) => (span, true),
            (None, [one]) => (*one, false),
            (None, many) => {
                return decline(format!(
                    "{} assignments on {}:{} and the column does not single one out",
                    if many.is_empty() { "no" } else { "several" },
                    site.path,
                    site.line
                ))
            }
        };
        let name = &text[start..end];
        let src = Source::new(&site.content, Lang::Js);
        // The nearest declaration above the assignment whose block holds it.
        let decl = (1..=site.line).rev().find_map(|n| {
            let before = if n == site.line { start } else { usize::MAX };
            declarations(&src, n, before)
                .into_iter()
                .rev()
                .filter(|d| d.names.iter().any(|x| x == name))
                .find(|d| {
                    let (open, close) = scope(&src, d.line, d.at);
                    (open..=close).contains(&site.line)
                })
        });
        let Some(decl) = decl else {
            let import = Regex::new(&format!(
                r"(?m)^\s*import\b[^;]*\b{}\b[^;]*\bfrom\b",
                regex::escape(name)
            ))
            .expect("valid regex");
            if import.is_match(&site.content) {
                return decline(format!(
                    "`{name}` is an import binding of {}: assigning to it is the bug, not its \
                     declaration",
                    site.path
                ));
            }
            return decline(format!(
                "no declaration of `{name}` found above {}:{} in its scope",
                site.path, site.line
            ));
        };
        let here = format!("{}:{}", site.path, decl.line);
        if decl.keyword != "const" {
            return decline(format!(
                "`{name}` is declared with `{}` at {here}: the code changed since the log",
                decl.keyword
            ));
        }
        if is_constant_case(name) {
            return decline(format!(
                "`{name}` is named as a constant ({here}): the assignment at {}:{} is the bug, \
                 not the declaration",
                site.path, site.line
            ));
        }
        let (open, close) = scope(&src, decl.line, decl.at);
        if open == 1 && close == src.len() && decl.init.starts_with("require(") {
            return decline(format!(
                "`{name}` is the module required at {here}: assigning to it is the bug, not its \
                 declaration"
            ));
        }
        if decl.names.iter().any(String::is_empty) {
            return decline(format!(
                "the declaration at {here} is a nested pattern; which names may change is a guess"
            ));
        }
        if decl.names.len() > 1 {
            let assigned = |n: &str| {
                (decl.line..=close).any(|l| {
                    let Some(line) = src.line(l) else {
                        return false;
                    };
                    assignments(line)
                        .iter()
                        .any(|&(s, e)| &line.text[s..e] == n)
                })
            };
            let fixed: Vec<&str> = decl
                .names
                .iter()
                .map(String::as_str)
                .filter(|n| !assigned(n))
                .collect();
            if !fixed.is_empty() {
                return decline(format!(
                    "the declaration at {here} also binds {}, which nothing reassigns: splitting \
                     it is a guess",
                    fixed
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        let decl_text = src.line(decl.line).map(|l| l.text).unwrap_or("");
        let mut new = decl_text.to_string();
        new.replace_range(decl.at..decl.at + "const".len(), "let");
        let Some(edit) = Edit::replace_line(&site.path, &site.content, decl.line, &new) else {
            return decline(format!("{} has no line {}", site.path, decl.line));
        };
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "`{name}` is declared `const` at {here} but the code reassigns it at {}:{} \
                 (`{}`), so every run throws there. The binding is meant to change: it is \
                 declared with `let`.",
                site.path,
                site.line,
                excerpt(text, 60)
            ),
            at_column: Some(at_column),
            strategy: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(src: &str, line: usize, col: usize) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let shown = src.lines().nth(line - 1).unwrap();
        let trace = format!(
            "/srv/app/lib/x.js:{line}\n{shown}\n\nTypeError: Assignment to constant variable.\n    at f (/srv/app/lib/x.js:{line}:{col})\n    at Object.<anonymous> (/srv/app/index.js:1:1)"
        );
        propose(&[("lib/x.js", src), ("index.js", "f()\n")], &trace)
    }

    #[test]
    fn the_reassigned_const_becomes_let() {
        let src = "function f(xs) {\n  const total = 0;\n  for (const x of xs) {\n    total += x;\n  }\n  return total;\n}\n";
        let (sols, notes) = run(src, 4, 11);
        assert_eq!(added(&sols[0].diff), vec!["  let total = 0;"], "{notes:?}");
        // `++n` (the column at the name) and a for header.
        let src = "function f(xs) {\n  for (const i = 0; i < xs.length; ++i) {}\n}\n";
        let (sols, notes) = run(src, 2, 38);
        assert_eq!(
            added(&sols[0].diff),
            vec!["  for (let i = 0; i < xs.length; ++i) {}"],
            "{notes:?}"
        );
        // The nearest declaration in scope, not one of a sibling block.
        let src = "function f(a) {\n  if (a) {\n    let n = 1;\n  }\n  const n = 2;\n  n = 3;\n}\n";
        let (sols, notes) = run(src, 6, 5);
        assert_eq!(added(&sols[0].diff), vec!["  let n = 2;"], "{notes:?}");
        // Every name of the pattern is reassigned.
        let src = "function f(p) {\n  const { a, b } = p;\n  a = 1;\n  b = 2;\n}\n";
        let (sols, _) = run(src, 3, 5);
        assert_eq!(added(&sols[0].diff), vec!["  let { a, b } = p;"]);
    }

    #[test]
    fn refusals_say_why() {
        for (src, line, col, why) in [
            (
                "const fs = require('fs');\nfunction f() {\n  fs = null;\n}\n",
                3,
                6,
                "module required",
            ),
            (
                "import { x } from './y.js';\nexport function f() {\n  x = 1;\n}\n",
                3,
                5,
                "import binding",
            ),
            (
                "const MAX_RETRIES = 3;\nfunction f() {\n  MAX_RETRIES = 5;\n}\n",
                3,
                15,
                "named as a constant",
            ),
            (
                "function f(p) {\n  const { a, b } = p;\n  a = 1;\n  return b;\n}\n",
                3,
                5,
                "also binds `b`",
            ),
            (
                "function f() {\n  let n = 0;\n  n++;\n}\n",
                3,
                4,
                "code changed",
            ),
        ] {
            let (sols, notes) = run(src, line, col);
            assert!(sols.is_empty(), "{src}: {}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{src}: {notes:?}");
        }
    }
}
