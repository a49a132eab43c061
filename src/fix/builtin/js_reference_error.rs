//! Node.js `ReferenceError: x is not defined` → the reference is renamed to the one close name
//! in scope, or the name is imported from the one repository module that exports it.
//!
//! V8 prints (Node.js 20), the column at the start of the statement, not at the name:
//!
//! ```text
//! /srv/app/src/report.js:2
//!   return itmes.length;
//!   ^
//!
//! ReferenceError: itmes is not defined
//!     at f (/srv/app/src/report.js:2:3)
//! ```
//!
//! (ESM: `file:///srv/app/src/report.mjs:2` and `at f (file:///…:2:3)`.)
//!
//! Strategies, in order: (a) the one name declared in scope (parameters of the enclosing
//! functions, `catch` bindings, locals above the line, module-level declarations, imports)
//! within edit distance 2 (1 for names under 6 characters) is the name meant: every reference
//! of the undefined name in the enclosing function is renamed; (b) the one module of the
//! repository that exports exactly that name is imported, in the file's own style (ESM
//! `import { x } from './m.js'`, CommonJS `const { x } = require('./m')`), next to its other
//! imports (or into its existing import of that module). No change when several names are
//! close, when both strategies apply, when the name is a global the code expected from its
//! environment (`fetch`, `window`, `process`, `__dirname` in ESM…), or when the line no longer
//! references it.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use super::braces::{BlockKind, Source};
use super::code::{Lang, Line};
use super::js::is_node;
use super::js_const_assign::{declarations, ident_at, node_site, scope};
use super::js_not_a_function::{exports_of, resolve};
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, Context, Draft, Generator, Repairs, Skip};

pub struct ReferenceError;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<name>[A-Za-z_$][\w$]*) is not defined\b").expect("valid regex")
});

/// Names a program gets from its runtime (browser, Node.js, test runners) rather than from its
/// own code: undefined there means the code ran somewhere it was not written for.
const GLOBALS: &[&str] = &[
    "window",
    "document",
    "navigator",
    "location",
    "history",
    "localStorage",
    "sessionStorage",
    "self",
    "alert",
    "fetch",
    "XMLHttpRequest",
    "WebSocket",
    "HTMLElement",
    "customElements",
    "requestAnimationFrame",
    "process",
    "require",
    "module",
    "exports",
    "__dirname",
    "__filename",
    "Buffer",
    "global",
    "globalThis",
    "setImmediate",
    "structuredClone",
    "crypto",
    "performance",
    "AbortController",
    "Deno",
    "Bun",
    "describe",
    "it",
    "test",
    "expect",
    "jest",
    "beforeEach",
    "afterEach",
    "$",
    "jQuery",
];

/// The byte spans on `line` where `name` is read as a variable (not as `a.name`).
fn references(line: &Line<'_>, name: &str) -> Vec<(usize, usize)> {
    let text = line.text;
    line.find_code(name)
        .into_iter()
        .filter_map(|i| ident_at(text, i).filter(|&(s, e)| s == i && &text[s..e] == name))
        .filter(|&(s, _)| {
            let before = text[..s].trim_end();
            !before.ends_with('.') || before.ends_with("...")
        })
        .collect()
}

static FUNCTION_DECL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:function\s*\*?|class)\s+([A-Za-z_$][\w$]*)").expect("valid regex")
});
static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*import\s+([^'"]+?)\s+from\s+['"]([^'"]+)['"]"#).expect("valid regex")
});
static ARROW_PARAMS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\(([^()]*)\)\s*=>|([A-Za-z_$][\w$]*)\s*=>").expect("valid regex")
});
static CATCH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"catch\s*\(\s*([A-Za-z_$][\w$]*)").expect("valid regex"));

/// The names of an import clause: `a`, `{ b, c as d }`, `* as e`, `a, { b }`.
fn import_names(clause: &str) -> Vec<String> {
    clause
        .split([',', '{', '}'])
        .map(|p| p.rsplit(" as ").next().unwrap_or(p).trim().to_string())
        .filter(|p| !p.is_empty() && p != "*")
        .collect()
}

/// Every name visible at byte `at` of line `n`.
fn in_scope(src: &Source<'_>, content: &str, n: u32, at: usize) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let (mut ln, mut i) = (n, at);
    loop {
        let blocks = src.blocks_at(ln, i);
        let Some(last) = blocks.last() else { break };
        for b in &blocks {
            match &b.kind {
                BlockKind::Function { params, .. } => {
                    names.extend(params.iter().flatten().cloned())
                }
                BlockKind::For { var, index, .. } => {
                    names.extend(var.iter().chain(index).cloned());
                }
                _ => {}
            }
            if let Some(c) = CATCH.captures(&b.header) {
                names.insert(c[1].to_string());
            }
        }
        (ln, i) = (last.open, 0);
    }
    if let Some(line) = src.line(n) {
        for c in ARROW_PARAMS.captures_iter(line.text) {
            match (c.get(1), c.get(2)) {
                (Some(list), _) => names.extend(import_names(list.as_str())),
                (_, Some(one)) => {
                    names.insert(one.as_str().to_string());
                }
                _ => {}
            }
        }
    }
    for k in 1..=src.len() {
        let visible = |at: usize| {
            let (open, close) = scope(src, k, at);
            // A block's own declarations below the line are not initialized yet.
            (open..=close).contains(&n) && (open == 1 && close == src.len() || k <= n)
        };
        for d in declarations(src, k, usize::MAX) {
            if visible(d.at) {
                names.extend(d.names.into_iter().filter(|x| !x.is_empty()));
            }
        }
        let Some(line) = src.line(k) else { continue };
        for c in FUNCTION_DECL.captures_iter(line.text) {
            let m = c.get(0).expect("match");
            if line.is_code(m.start()) && visible(m.start()) {
                names.insert(c[1].to_string());
            }
        }
    }
    for c in IMPORT.captures_iter(content) {
        names.extend(import_names(&c[1]));
    }
    names
}

/// `to` as a specifier relative to the directory of `from`.
fn relative(from: &str, to: &str) -> String {
    let dir: Vec<&str> = from.split('/').collect();
    let dir = &dir[..dir.len() - 1];
    let target: Vec<&str> = to.split('/').collect();
    let common = dir.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; dir.len() - common];
    parts.extend(&target[common..]);
    let path = parts.join("/");
    if path.starts_with("..") {
        path
    } else {
        format!("./{path}")
    }
}

/// Whether `path` is an ES module: an `import`/`export` statement, `.mjs`, or a package.json
/// of the repository that says `"type": "module"`.
fn is_esm(cx: &Context<'_>, path: &str, content: &str) -> bool {
    static STMT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*(?:import\s|export\s)").expect("valid regex"));
    static REQUIRE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\brequire\(\s*['\x22]").expect("valid regex"));
    static TYPE_MODULE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""type"\s*:\s*"module""#).expect("valid regex"));
    if path.ends_with(".mjs") || STMT.is_match(content) {
        return true;
    }
    if path.ends_with(".cjs") || REQUIRE.is_match(content) {
        return false;
    }
    let mut dir = std::path::Path::new(path).parent();
    while let Some(d) = dir {
        let pkg = d.join("package.json").to_string_lossy().into_owned();
        let pkg = pkg.trim_start_matches("./").to_string();
        if let Some(text) = cx.repo.read(&pkg) {
            return TYPE_MODULE.is_match(&text);
        }
        dir = d.parent();
    }
    false
}

/// The edit that makes `name` of module `module` visible in the site's file.
fn import_edit(
    cx: &Context<'_>,
    path: &str,
    content: &str,
    name: &str,
    module: &str,
) -> Option<Edit> {
    let esm = is_esm(cx, path, content);
    static TOP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^(?:import\s.*\bfrom\s+|import\s+|(?:const|let|var)\s.*=\s*require\(\s*)(['"])([^'"]+)['"]\)?;?\s*$"#)
            .expect("valid regex")
    });
    let lines: Vec<&str> = content.lines().collect();
    let mut last = None;
    let mut quote = "'";
    let mut semi = true;
    let mut with_ext = esm;
    for (k, l) in lines.iter().enumerate() {
        let Some(c) = TOP.captures(l) else { continue };
        last = Some(k);
        quote = if &c[1] == "\"" { "\"" } else { "'" };
        semi = l.trim_end().ends_with(';');
        let spec = &c[2];
        if spec.starts_with('.') {
            with_ext = spec.ends_with(".js") || spec.ends_with(".mjs") || spec.ends_with(".cjs");
            // An import of that module already: the name joins its braces.
            if resolve(cx, path, spec).as_deref() == Some(module) {
                if let (Some(open), Some(close)) = (l.find('{'), l.find('}')) {
                    let inner = l[open + 1..close].trim().trim_end_matches(',');
                    let new = format!("{}{{ {inner}, {name} }}{}", &l[..open], &l[close + 1..]);
                    return Edit::replace_line(path, content, k as u32 + 1, &new);
                }
            }
        }
    }
    let mut spec = relative(path, module);
    if !with_ext {
        spec = spec.trim_end_matches(".js").to_string();
    }
    let end = if semi { ";" } else { "" };
    let line = if esm {
        format!("import {{ {name} }} from {quote}{spec}{quote}{end}")
    } else {
        format!("const {{ {name} }} = require({quote}{spec}{quote}){end}")
    };
    // After the last import, else after a shebang / 'use strict', else first.
    let at = match last {
        Some(k) => k + 1,
        None => lines
            .iter()
            .take_while(|l| {
                l.starts_with("#!")
                    || l.trim().trim_end_matches(';') == "'use strict'"
                    || l.trim().trim_end_matches(';') == "\"use strict\""
            })
            .count(),
    };
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out.insert(at, line);
    let mut new = out.join("\n");
    if content.ends_with('\n') {
        new.push('\n');
    }
    Edit::between(path, content, &new)
}

impl Generator for ReferenceError {
    fn name(&self) -> String {
        "js-reference-error".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`ReferenceError: x is not defined` with one close name in scope, or one repository module exporting `x`",
        })
    }

    fn prior(&self) -> f64 {
        0.75
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx) || cx.kind() != Some("ReferenceError") {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = MESSAGE.captures(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let name = &caps["name"];
        let (site, _) = node_site(cx)?;
        let here = format!("{}:{}", site.path, site.line);
        let src = Source::new(&site.content, Lang::Js);
        let Some(line) = src.line(site.line) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let refs = references(line, name);
        let Some(&(at, _)) = refs.first() else {
            return decline(format!(
                "{here} no longer references `{name}`: the code changed since the log"
            ));
        };
        if GLOBALS.contains(&name) {
            return decline(format!(
                "`{name}` is a global the code expected from its environment (a browser, \
                 Node.js CommonJS, a test runner): it ran where it was not written for"
            ));
        }
        let names = in_scope(&src, &site.content, site.line, at);
        if names.contains(name) {
            return decline(format!(
                "`{name}` is declared in scope at {here}: the code changed since the log"
            ));
        }
        let limit = if name.len() < 6 { 1 } else { 2 };
        let close: Vec<&String> = names
            .iter()
            .filter(|n| {
                strsim::damerau_levenshtein(name, n) <= limit || n.eq_ignore_ascii_case(name)
            })
            .collect();
        let exporters: Vec<&String> = cx
            .repo
            .files()
            .iter()
            .filter(|f| {
                *f != &site.path
                    && [".js", ".mjs", ".cjs"].iter().any(|e| f.ends_with(e))
                    && !f.split('/').any(|p| p == "node_modules")
            })
            .filter(|f| {
                cx.repo
                    .read(f)
                    .and_then(|t| exports_of(&t))
                    .is_some_and(|m| m.contains_key(name))
            })
            .collect();
        let list = |xs: &[&String]| {
            xs.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match (close.as_slice(), exporters.as_slice()) {
            ([meant], []) => {
                // Every reference in the enclosing function (or the line, at module level).
                let (from, to) = match src.function_at(site.line) {
                    Some(f) => (f.open, f.close),
                    None => (site.line, site.line),
                };
                let mut new = String::new();
                for (k, l) in site.content.split_inclusive('\n').enumerate() {
                    let k = k as u32 + 1;
                    let mut l = l.to_string();
                    if (from..=to).contains(&k) {
                        if let Some(lx) = src.line(k) {
                            for (s, e) in references(lx, name).into_iter().rev() {
                                l.replace_range(s..e, meant);
                            }
                        }
                    }
                    new.push_str(&l);
                }
                let Some(edit) = Edit::between(&site.path, &site.content, &new) else {
                    return decline(format!("nothing to rename at {here}"));
                };
                Ok(Draft {
                    edits: vec![edit],
                    description: format!(
                        "`{name}` at {here} is not defined: nothing in scope has that name. The \
                         one close name in scope is `{meant}`: the reference is renamed to it."
                    ),
                    at_column: Some(false),
                    strategy: None,
                })
            }
            ([], [module]) => {
                let Some(edit) = import_edit(cx, &site.path, &site.content, name, module) else {
                    return decline(format!("no place for an import of {module} in {}", site.path));
                };
                Ok(Draft {
                    edits: vec![edit],
                    description: format!(
                        "`{name}` at {here} is not defined: {} does not import it. {module}, a \
                         module of the repository, is the one that exports `{name}`: it is \
                         imported.",
                        site.path
                    ),
                    at_column: None,
                    strategy: None,
                })
            }
            ([], []) => decline(format!(
                "nothing in scope is close to `{name}` and no module of the repository exports it"
            )),
            ([], many) => decline(format!(
                "several modules of the repository export `{name}` ({}): which one is meant is a guess",
                list(many)
            )),
            (close, []) => decline(format!(
                "several names in scope are close to `{name}` ({}): which one is meant is a guess",
                list(close)
            )),
            (close, modules) => decline(format!(
                "`{name}` is close to {} in scope and exported by {}: which one is meant is a guess",
                list(close),
                list(modules)
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(
        files: &[(&str, &str)],
        line: usize,
        name: &str,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let shown = files[0].1.lines().nth(line - 1).unwrap();
        let path = files[0].0;
        let col = shown.len() - shown.trim_start().len() + 1;
        let trace = format!(
            "/srv/app/{path}:{line}\n{shown}\n\nReferenceError: {name} is not defined\n    at f (/srv/app/{path}:{line}:{col})\n    at Object.<anonymous> (/srv/app/main.js:1:1)"
        );
        let mut all = files.to_vec();
        all.push(("main.js", "f()\n"));
        propose(&all, &trace)
    }

    #[test]
    fn a_close_name_in_scope_or_the_one_exporting_module() {
        // A parameter, every reference in the function.
        let src = "function f(items) {\n  const n = itmes.length;\n  return itmes[n - 1];\n}\nmodule.exports = { f };\n";
        let (sols, notes) = run(&[("lib/x.js", src)], 2, "itmes");
        assert_eq!(
            added(&sols[0].diff),
            vec!["  const n = items.length;", "  return items[n - 1];"],
            "{notes:?}"
        );
        // A module-level constant declared below the function.
        let src = "function f(xs) {\n  return xs.map((x) => x * TAX_RAT);\n}\nconst TAX_RATE = 2;\nmodule.exports = { f };\n";
        let (sols, notes) = run(&[("lib/x.js", src)], 2, "TAX_RAT");
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return xs.map((x) => x * TAX_RATE);"],
            "{notes:?}"
        );
        // CommonJS: a require of the one module that exports it, after the other requires.
        let util = "function money(n) { return n.toFixed(2); }\nmodule.exports = { money };\n";
        let src = "'use strict';\nconst fs = require('fs');\n\nfunction f(n) {\n  return money(n);\n}\nmodule.exports = { f };\n";
        let (sols, notes) = run(&[("lib/x.js", src), ("lib/util.js", util)], 5, "money");
        assert_eq!(
            added(&sols[0].diff),
            vec!["const { money } = require('./util');"],
            "{notes:?}"
        );
        assert!(sols[0]
            .diff
            .contains(" const fs = require('fs');\n+const { money }"));
        // ESM: joins the existing import of that module.
        let util = "export function money(n) { return n.toFixed(2); }\nexport const EUR = 'EUR';\n";
        let src = "import { EUR } from '../util.js';\n\nexport function f(n) {\n  return money(n) + EUR;\n}\n";
        let (sols, notes) = run(&[("lib/x.mjs", src), ("util.js", util)], 4, "money");
        assert_eq!(
            added(&sols[0].diff),
            vec!["import { EUR, money } from '../util.js';"],
            "{notes:?}"
        );
        // ESM without an import of it.
        let src = "import fs from 'node:fs';\n\nexport function f(n) {\n  return money(n);\n}\n";
        let (sols, notes) = run(&[("lib/x.mjs", src), ("util.js", util)], 4, "money");
        assert_eq!(
            added(&sols[0].diff),
            vec!["import { money } from '../util.js';"],
            "{notes:?}"
        );
    }

    #[test]
    fn refusals_say_why() {
        let a = "export function money(n) { return n; }\n";
        for (src, line, name, why) in [
            (
                "function f(item, items) {\n  return iteme;\n}\n",
                2,
                "iteme",
                "several names in scope",
            ),
            (
                "async function f(u) {\n  return fetch(u);\n}\n",
                2,
                "fetch",
                "global the code expected",
            ),
            (
                "function f(items) {\n  return items.length;\n}\n",
                2,
                "itmes",
                "no longer references",
            ),
            (
                "function g(items) {}\nfunction f() {\n  return itmes.length;\n}\n",
                3,
                "itmes",
                "nothing in scope is close",
            ),
            (
                "function f(n) {\n  return money(n);\n}\n",
                2,
                "money",
                "several modules",
            ),
        ] {
            let (sols, notes) = run(
                &[("lib/x.js", src), ("lib/a.js", a), ("lib/b.js", a)],
                line,
                name,
            );
            assert!(sols.is_empty(), "{src}: {}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{src}: {notes:?}");
        }
    }
}
