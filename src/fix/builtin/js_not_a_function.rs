//! Node.js `TypeError: x.y is not a function` where `y` is a misspelling of one method the
//! receiver has → the call is renamed.
//!
//! V8 prints (Node.js 20), the column at the property:
//!
//! ```text
//! /srv/app/src/report.js:7
//!   const user = api.getUsr(id);
//!                    ^
//!
//! TypeError: api.getUsr is not a function
//!     at build (/srv/app/src/report.js:7:20)
//! ```
//!
//! What the receiver has is read from where it comes from, in the failing file: a module of the
//! repository (`const api = require('./api')`, `import * as api from './api.js'`: its exported
//! names), an instance of a class of the repository (`const repo = new UserRepo(…)`, or `this`
//! in a class body: its methods, its parents' too), or an array or string literal (the builtin
//! methods). The one candidate within edit distance 2 (1 for names under 6 characters) is the
//! new name. No change when the receiver's origin is unknown, when several names are close,
//! when the close name is data (a field, a getter, an exported constant), or when the receiver
//! already has the name (the object at run time was another one).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::code::{is_ident, Lang, Line};
use super::js::is_node;
use super::js_const_assign::node_site;
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, Context, Draft, Generator, Repairs, Skip};

pub struct NotAFunction;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?P<recv>[A-Za-z_$][\w$]*)\.(?P<prop>[A-Za-z_$][\w$]*) is not a function")
        .expect("valid regex")
});

/// `Object.getOwnPropertyNames(Array.prototype)` of Node.js v20.20.2, the functions only
/// (`node -e`), without `constructor`.
const ARRAY_METHODS: &[&str] = &[
    "at",
    "concat",
    "copyWithin",
    "entries",
    "every",
    "fill",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flat",
    "flatMap",
    "forEach",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "map",
    "pop",
    "push",
    "reduce",
    "reduceRight",
    "reverse",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "toLocaleString",
    "toReversed",
    "toSorted",
    "toSpliced",
    "toString",
    "unshift",
    "values",
    "with",
];

/// The same for `String.prototype`.
const STRING_METHODS: &[&str] = &[
    "anchor",
    "at",
    "big",
    "blink",
    "bold",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "concat",
    "endsWith",
    "fixed",
    "fontcolor",
    "fontsize",
    "includes",
    "indexOf",
    "isWellFormed",
    "italics",
    "lastIndexOf",
    "link",
    "localeCompare",
    "match",
    "matchAll",
    "normalize",
    "padEnd",
    "padStart",
    "repeat",
    "replace",
    "replaceAll",
    "search",
    "slice",
    "small",
    "split",
    "startsWith",
    "strike",
    "sub",
    "substr",
    "substring",
    "sup",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "toLowerCase",
    "toString",
    "toUpperCase",
    "toWellFormed",
    "trim",
    "trimEnd",
    "trimLeft",
    "trimRight",
    "trimStart",
    "valueOf",
];

/// What a receiver has: name → whether it is a function.
pub(crate) type Members = BTreeMap<String, bool>;

/// The tracked file a relative specifier of `from` names (`./api`, `../lib/api.js`).
pub(crate) fn resolve(cx: &Context<'_>, from: &str, spec: &str) -> Option<String> {
    if !spec.starts_with('.') {
        return None;
    }
    let dir = std::path::Path::new(from).parent()?;
    let mut parts: Vec<String> = dir
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    for seg in spec.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s.to_string()),
        }
    }
    let base = parts.join("/");
    [
        base.clone(),
        format!("{base}.js"),
        format!("{base}.cjs"),
        format!("{base}.mjs"),
        format!("{base}/index.js"),
    ]
    .into_iter()
    .find(|p| cx.repo.contains(p))
}

/// Whether `value` (the right side of a binding or export) is a function in `content`.
fn is_function_value(content: &str, value: &str) -> Option<bool> {
    let v = value.trim().trim_end_matches(';').trim();
    if v.starts_with("function") || v.starts_with("async") || v.contains("=>") {
        return Some(true);
    }
    if v.starts_with(['\'', '"', '`', '[', '{']) || v.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(false);
    }
    if !v.bytes().all(is_ident) || v.is_empty() {
        return None;
    }
    let local = Regex::new(&format!(
        r"(?m)^\s*(?:async\s+)?function\s*\*?\s*{0}\s*\(|^\s*(?:const|let|var)\s+{0}\s*=\s*(.*)$",
        regex::escape(v)
    ))
    .ok()?;
    let caps = local.captures(content)?;
    match caps.get(1) {
        Some(rhs) if rhs.as_str().trim() != v => is_function_value(content, rhs.as_str()),
        Some(_) => None,
        None => Some(true),
    }
}

/// The names a module of the repository exports, CommonJS or ESM; `None` when something it
/// exports cannot be read (a spread, a computed export).
pub(crate) fn exports_of(content: &str) -> Option<Members> {
    let mut out = Members::new();
    if let Some(at) = content.find("module.exports = {") {
        let open = at + "module.exports = ".len();
        let close = open + matching(&content[open..])?;
        for item in split_items(&content[open + 1..close]) {
            if item.starts_with("...") {
                return None;
            }
            if let Some(name) = method_name(item) {
                out.insert(name, true);
                continue;
            }
            let (name, value) = match item.split_once(':') {
                Some((n, v)) => (n.trim(), v.trim()),
                None => (item, item),
            };
            let name = name.trim_matches(['\'', '"']);
            out.insert(name.to_string(), is_function_value(content, value)?);
        }
    }
    static PROP_EXPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:module\.)?exports\.([A-Za-z_$][\w$]*)\s*=\s*(.*)$")
            .expect("valid regex")
    });
    for c in PROP_EXPORT.captures_iter(content) {
        out.insert(c[1].to_string(), is_function_value(content, &c[2])?);
    }
    static ESM_DECL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^\s*export\s+(?:(?:async\s+)?function\s*\*?|const|let|var|class)\s+([A-Za-z_$][\w$]*)\s*(=\s*(.*))?",
        )
        .expect("valid regex")
    });
    for c in ESM_DECL.captures_iter(content) {
        let f = match c.get(3) {
            Some(v) => is_function_value(content, v.as_str())?,
            None => !c[0].contains("class"),
        };
        out.insert(c[1].to_string(), f);
    }
    static ESM_LIST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?m)^\s*export\s*\{([^}]*)\}").expect("valid regex"));
    for c in ESM_LIST.captures_iter(content) {
        for item in split_items(&c[1]) {
            let (local, name) = match item.split_once(" as ") {
                Some((l, n)) => (l.trim(), n.trim()),
                None => (item, item),
            };
            out.insert(name.to_string(), is_function_value(content, local)?);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The non-empty items of a `{ … }` or `[ … ]` body, at its top-level commas.
fn split_items(text: &str) -> Vec<&str> {
    let mut parts = super::js_const_assign::split_commas(text);
    parts.retain(|p| !p.is_empty());
    parts
}

/// The offset of the `}` (or `)`/`]`) closing the bracket `text` starts with.
fn matching(text: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (n, l) in text.split_inclusive('\n').scan(0, |off, l| {
        let at = *off;
        *off += l.len();
        Some((at, l))
    }) {
        let line = Line::new(l, Lang::Js);
        for (i, c) in l.bytes().enumerate() {
            if !line.is_code(i) {
                continue;
            }
            match c {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(n + i);
                    }
                }
                _ => {}
            }
        }
    }
    None
}

/// `name(…) {` / `async name(…) {` as an object or class member: the method's name.
fn method_name(item: &str) -> Option<String> {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?:async\s+)?\*?\s*([A-Za-z_$][\w$]*)\s*\([^)]*\)\s*\{").expect("valid regex")
    });
    let name = METHOD.captures(item.trim())?[1].to_string();
    (!["if", "for", "while", "switch", "catch", "function"].contains(&name.as_str()))
        .then_some(name)
}

/// The instance members of class `name` in `content` (and of its parents in the repository):
/// methods are functions; getters, setters, fields and `this.x =` assignments are data.
/// `None` when the class or a parent is not found.
fn class_members(cx: &Context<'_>, path: &str, content: &str, name: &str) -> Option<Members> {
    let head = Regex::new(&format!(
        r"(?m)^[ \t]*(?:export\s+)?(?:default\s+)?class\s+{}\b(?:\s+extends\s+([A-Za-z_$][\w$]*))?\s*\{{",
        regex::escape(name)
    ))
    .ok()?;
    let caps = head.captures(content)?;
    let open = caps.get(0)?.end() - 1;
    let close = open + matching(&content[open..])?;
    let body = &content[open + 1..close];
    let mut out = match caps.get(1) {
        Some(parent) => {
            let (p, text) = origin_file(cx, path, content, parent.as_str())?;
            class_members(cx, &p, &text, parent.as_str())?
        }
        None => Members::new(),
    };
    static MEMBER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(?P<static>static\s+)?(?P<acc>(?:get|set)\s+)?(?:async\s+)?\*?\s*#?(?P<name>[A-Za-z_$][\w$]*)\s*(?P<kind>\(|=|;)",
        )
        .expect("valid regex")
    });
    static THIS_FIELD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"this\.([A-Za-z_$][\w$]*)\s*=[^=>]").expect("valid regex"));
    let mut depth = 0i32;
    for l in body.lines() {
        let line = Line::new(l, Lang::Js);
        if depth == 0 {
            if let Some(m) = MEMBER.captures(l.trim()) {
                let n = m["name"].to_string();
                if m.name("static").is_none() && n != "constructor" {
                    let f = match &m["kind"] {
                        "(" => m.name("acc").is_none(),
                        "=" => l.contains("=>") || l.contains("function"),
                        _ => false,
                    };
                    out.insert(n, f);
                }
            }
        }
        for c in THIS_FIELD.captures_iter(l) {
            out.entry(c[1].to_string()).or_insert(false);
        }
        for (i, c) in l.bytes().enumerate() {
            if line.is_code(i) {
                match c {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    _ => {}
                }
            }
        }
    }
    Some(out)
}

/// The file that defines `name` as seen from `path`: `path` itself when it has the class, else
/// the repository module it is required or imported from.
fn origin_file(
    cx: &Context<'_>,
    path: &str,
    content: &str,
    name: &str,
) -> Option<(String, String)> {
    let here = Regex::new(&format!(
        r"(?m)^[ \t]*(?:export\s+)?(?:default\s+)?class\s+{}\b",
        regex::escape(name)
    ))
    .ok()?;
    if here.is_match(content) {
        return Some((path.to_string(), content.to_string()));
    }
    let n = regex::escape(name);
    let import = Regex::new(&format!(
        r#"(?m)(?:(?:const|let|var)\s+(?:\{{[^}}]*\b{n}\b[^}}]*\}}|{n})\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)|import\s+(?:\{{[^}}]*\b{n}\b[^}}]*\}}|{n})\s+from\s+['"]([^'"]+)['"])"#
    ))
    .ok()?;
    let caps = import.captures(content)?;
    let spec = caps.get(1).or_else(|| caps.get(2))?.as_str();
    let file = resolve(cx, path, spec)?;
    let text = cx.repo.read(&file)?;
    Some((file, text))
}

/// What the receiver `recv` of line `n` has, read from its origin in the file, with a word on
/// where that came from; `Err` says why it is unknown.
fn members_of(cx: &Context<'_>, recv: &str, n: u32) -> Result<(Members, String), String> {
    let site = cx.site.as_ref().ok_or("no site")?;
    let content = &site.content;
    if recv == "this" {
        // The class whose body holds the line.
        static CLASS: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?m)^[ \t]*(?:export\s+)?(?:default\s+)?class\s+([A-Za-z_$][\w$]*)[^{]*\{")
                .expect("valid regex")
        });
        let offset = crate::fix::edit::line_range(content, n)
            .map(|r| r.start)
            .unwrap_or(0);
        for c in CLASS.captures_iter(content) {
            let open = c.get(0).expect("match").end() - 1;
            let close = matching(&content[open..]).map(|k| open + k).unwrap_or(0);
            if (open..close).contains(&offset) {
                return class_members(cx, &site.path, content, &c[1])
                    .map(|m| (m, format!("the methods of class {}", &c[1])))
                    .ok_or(format!(
                        "a parent of class {} is not in the repository",
                        &c[1]
                    ));
            }
        }
        return Err("`this` is not inside a class body".into());
    }
    let r = regex::escape(recv);
    let decl = Regex::new(&format!(r#"(?m)(?:\b(?:const|let|var)\s+|import\s+\*\s+as\s+|import\s+){r}\s*(=\s*(?P<init>[^;\n]*)|from\s+['"](?P<esm>[^'"]+)['"])"#)).expect("valid regex");
    let found: Vec<_> = decl.captures_iter(content).collect();
    let [caps] = found.as_slice() else {
        return Err(format!(
            "`{recv}` is declared {} times in {}; where it comes from is unknown",
            found.len(),
            site.path
        ));
    };
    if let Some(spec) = caps.name("esm") {
        let file = resolve(cx, &site.path, spec.as_str()).ok_or(format!(
            "`{recv}` is imported from '{}', not a module of the repository",
            spec.as_str()
        ))?;
        let text = cx.repo.read(&file).unwrap_or_default();
        return exports_of(&text)
            .map(|m| (m, format!("the exports of {file}")))
            .ok_or(format!("the exports of {file} cannot all be read"));
    }
    let init = caps.name("init").map(|m| m.as_str().trim()).unwrap_or("");
    static REQUIRE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^require\(\s*['"]([^'"]+)['"]\s*\)$"#).expect("valid regex")
    });
    static NEW: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^new\s+([A-Za-z_$][\w$]*)\s*\(").expect("valid regex"));
    if let Some(c) = REQUIRE.captures(init) {
        let file = resolve(cx, &site.path, &c[1]).ok_or(format!(
            "`{recv}` is the package '{}', not a module of the repository",
            &c[1]
        ))?;
        let text = cx.repo.read(&file).unwrap_or_default();
        return exports_of(&text)
            .map(|m| (m, format!("the exports of {file}")))
            .ok_or(format!("the exports of {file} cannot all be read"));
    }
    if let Some(c) = NEW.captures(init) {
        let class = &c[1];
        let (file, text) = origin_file(cx, &site.path, content, class)
            .ok_or(format!("class {class} is not defined in the repository"))?;
        return class_members(cx, &file, &text, class)
            .map(|m| (m, format!("the methods of class {class} ({file})")))
            .ok_or(format!(
                "a parent of class {class} is not in the repository"
            ));
    }
    let builtin = |names: &[&str]| names.iter().map(|n| (n.to_string(), true)).collect();
    if init.starts_with('[') || init.ends_with(".split(',')") || init.starts_with("Array.from(") {
        return Ok((
            builtin(ARRAY_METHODS),
            "the methods of Array.prototype".into(),
        ));
    }
    if init.starts_with(['\'', '"', '`']) {
        return Ok((
            builtin(STRING_METHODS),
            "the methods of String.prototype".into(),
        ));
    }
    Err(format!(
        "where `{recv}` comes from (`{}`) says nothing of what it has",
        crate::fix::generator::excerpt(init, 50)
    ))
}

impl Generator for NotAFunction {
    fn name(&self) -> String {
        "js-not-a-function".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`TypeError: x.y is not a function` with one close name on the repository module, class or literal",
        })
    }

    fn prior(&self) -> f64 {
        0.7
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx) || cx.kind() != Some("TypeError") {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = MESSAGE.captures(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let (recv, prop) = (&caps["recv"], &caps["prop"]);
        let (site, text) = node_site(cx)?;
        let line = Line::new(text, Lang::Js);
        let b = line.bytes();
        let call = format!("{recv}.{prop}");
        let calls: Vec<usize> = line
            .find_code(&call)
            .into_iter()
            .filter(|&i| {
                (i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b'.'))
                    && !b.get(i + call.len()).is_some_and(|&c| is_ident(c))
                    && text[i + call.len()..].trim_start().starts_with('(')
            })
            .collect();
        let col = site.column.and_then(|c| super::js::column_byte(text, c));
        let at_column = col.is_some_and(|c| calls.iter().any(|&i| i + recv.len() + 1 == c));
        if calls.is_empty() {
            return decline(format!(
                "{}:{} no longer calls `{call}`: the code changed since the log",
                site.path, site.line
            ));
        }
        let (members, from) = members_of(cx, recv, site.line).or_else(decline)?;
        if let Some(&f) = members.get(prop) {
            return decline(if f {
                format!("{from} include `{prop}`: the object at run time was another one")
            } else {
                format!("`{prop}` is data in {from}, not a method: calling it is the bug")
            });
        }
        let limit = if prop.len() < 6 { 1 } else { 2 };
        let close: Vec<(&String, bool)> = members
            .iter()
            .filter(|(n, _)| strsim::damerau_levenshtein(prop, n) <= limit)
            .map(|(n, &f)| (n, f))
            .collect();
        let (name, function) = match close.as_slice() {
            [one] => *one,
            [] => return decline(format!("nothing in {from} is close to `{prop}`")),
            many => {
                return decline(format!(
                "several names in {from} are close to `{prop}` ({}): which one is meant is a guess",
                many.iter()
                    .map(|(n, _)| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            }
        };
        if !function {
            return decline(format!(
                "`{name}`, the name close to `{prop}` in {from}, is data, not a method"
            ));
        }
        let mut new = text.to_string();
        for &i in calls.iter().rev() {
            let s = i + recv.len() + 1;
            new.replace_range(s..s + prop.len(), name);
        }
        let Some(edit) = Edit::replace_line(&site.path, &site.content, site.line, &new) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "`{call}` at {}:{} is not a function: `{recv}` has no `{prop}`. The one close \
                 name among {from} is `{name}`, a method: the call is renamed to it.",
                site.path, site.line
            ),
            at_column: Some(at_column),
            strategy: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(
        files: &[(&str, &str)],
        line: usize,
        col: usize,
        msg: &str,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let shown = files[0].1.lines().nth(line - 1).unwrap();
        let path = files[0].0;
        let trace = format!(
            "/srv/app/{path}:{line}\n{shown}\n\nTypeError: {msg} is not a function\n    at f (/srv/app/{path}:{line}:{col})\n    at Object.<anonymous> (/srv/app/main.js:1:1)"
        );
        let mut all = files.to_vec();
        all.push(("main.js", "f()\n"));
        propose(&all, &trace)
    }

    #[test]
    fn a_module_export_a_class_method_a_builtin() {
        let api = "function getUser(id) { return id; }\nconst VERSION = 2;\nmodule.exports = { getUser, VERSION, listUsers: () => [] };\n";
        let src = "const api = require('./api');\nfunction f() {\n  return api.getUsr(1);\n}\n";
        let (sols, notes) = run(
            &[("lib/x.js", src), ("lib/api.js", api)],
            3,
            14,
            "api.getUsr",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return api.getUser(1);"],
            "{notes:?}"
        );
        // ESM namespace import.
        let api = "export async function fetchUser(id) { return id; }\nexport const LIMIT = 5;\n";
        let src = "import * as api from './api.js';\nexport async function f() {\n  return api.fetchUsr(1);\n}\n";
        let (sols, notes) = run(
            &[("lib/x.mjs", src), ("lib/api.js", api)],
            3,
            14,
            "api.fetchUsr",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return api.fetchUser(1);"],
            "{notes:?}"
        );
        // A class instance, the class imported.
        let repo = "class Repo {\n  constructor() {\n    this.rows = [];\n  }\n  findAll() {\n    return this.rows;\n  }\n}\nmodule.exports = { Repo };\n";
        let src = "const { Repo } = require('./repo');\nconst repo = new Repo();\nfunction f() {\n  return repo.findAl();\n}\n";
        let (sols, notes) = run(
            &[("lib/x.js", src), ("lib/repo.js", repo)],
            4,
            15,
            "repo.findAl",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return repo.findAll();"],
            "{notes:?}"
        );
        // An array literal.
        let src = "const xs = [];\nfunction f() {\n  xs.pussh(1);\n}\n";
        let (sols, notes) = run(&[("lib/x.js", src)], 3, 6, "xs.pussh");
        assert_eq!(added(&sols[0].diff), vec!["  xs.push(1);"], "{notes:?}");
    }

    #[test]
    fn refusals_say_why() {
        let api = "function getUser(id) { return id; }\nfunction getUsers() { return []; }\nconst user = {};\nmodule.exports = { getUser, getUsers, user };\n";
        for (src, col, msg, why) in [
            (
                "const api = require('./api');\nfunction f() {\n  return api.getUsr(1);\n}\n",
                14,
                "api.getUsr",
                "several names",
            ),
            (
                "const api = require('./api');\nfunction f() {\n  return api.usr(1);\n}\n",
                14,
                "api.usr",
                "is data",
            ),
            (
                "const api = require('./api');\nfunction f() {\n  return api.user(1);\n}\n",
                14,
                "api.user",
                "is data",
            ),
            (
                "const api = load();\nfunction f() {\n  return api.getUsr(1);\n}\n",
                14,
                "api.getUsr",
                "says nothing",
            ),
            (
                "const api = require('axios');\nfunction f() {\n  return api.gett(1);\n}\n",
                14,
                "api.gett",
                "not a module of the repository",
            ),
        ] {
            let (sols, notes) = run(&[("lib/x.js", src), ("lib/api.js", api)], 3, col, msg);
            assert!(sols.is_empty(), "{src}: {}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{src}: {notes:?}");
        }
    }
}
