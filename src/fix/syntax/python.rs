//! Python source structure, read from a file at HEAD: logical lines (a statement continued over
//! brackets, backslashes or triple-quoted strings is one), blocks by indentation, the function and
//! loop enclosing a line, a function's parameters and returns, the code inside f-string fields,
//! and how the module logs.
//!
//! It is a scanner, not a parser: what it cannot place (a line inside a multi-line statement, a
//! header it does not know) comes back as `None`, and the generators then decline.

use regex::Regex;
use std::sync::OnceLock;

/// One physical line.
#[derive(Debug, Clone)]
struct Physical<'a> {
    text: &'a str,
    /// First physical line of a logical line (not a continuation, not blank, not a comment).
    starts: bool,
    /// Line number (1-based) of the logical line this physical line belongs to.
    logical: u32,
}

/// A Python file split into logical lines.
pub struct Source<'a> {
    lines: Vec<Physical<'a>>,
}

/// A block header enclosing a line: `def`, `for`, `if` …
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// 1-based line of the header.
    pub line: u32,
    pub indent: usize,
    /// The header's whole logical line, trimmed, continuation lines joined with a space.
    pub text: String,
}

impl Header {
    /// The keyword the header starts with (`def` for `async def`).
    pub fn keyword(&self) -> &str {
        let t = self.text.strip_prefix("async ").unwrap_or(&self.text);
        t.split(|c: char| !c.is_alphanumeric() && c != '_')
            .next()
            .unwrap_or("")
    }
}

/// A function definition.
#[derive(Debug, Clone)]
pub struct Function {
    pub header: Header,
    pub name: String,
    pub params: Vec<String>,
    /// Lines of the body: `first..=last` (1-based), nested definitions included.
    pub first: u32,
    pub last: u32,
}

/// A `for` loop.
#[derive(Debug, Clone)]
pub struct Loop {
    pub header: Header,
    /// The loop's target names (`for n, row in …` → `n`, `row`).
    pub targets: Vec<String>,
    /// What it iterates, as written.
    pub iter: String,
}

/// How a module writes its own log lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Logger {
    /// A module-level `name = logging.getLogger(…)` (or structlog's `get_logger`).
    Logging(String),
    /// `print(f"INFO  name: …")` lines: the level word's width and the name after it.
    Print { width: usize, name: String },
    /// Neither.
    None,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        let mut lines = Vec::new();
        let mut depth = 0i32;
        let mut triple: Option<&'static str> = None;
        let mut continued = false;
        let mut logical = 0;
        for (n, raw) in text.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = line.trim_start();
            let inside = depth > 0 || triple.is_some() || continued;
            let starts = !inside && !trimmed.is_empty() && !trimmed.starts_with('#');
            if starts {
                logical = n as u32 + 1;
            }
            lines.push(Physical {
                text: line,
                starts,
                logical: if inside || starts {
                    logical
                } else {
                    n as u32 + 1
                },
            });
            let (d, t, c) = scan(line, depth, triple);
            depth = d.max(0);
            triple = t;
            continued = c;
        }
        Source { lines }
    }

    fn get(&self, line: u32) -> Option<&Physical<'a>> {
        self.lines.get(line.checked_sub(1)? as usize)
    }

    /// The text of line `line` (1-based), without its end of line.
    pub fn text(&self, line: u32) -> Option<&'a str> {
        self.get(line).map(|p| p.text)
    }

    /// Whether `line` starts a logical line.
    pub fn starts_statement(&self, line: u32) -> bool {
        self.get(line).is_some_and(|p| p.starts)
    }

    /// The last physical line of the logical line starting at `line`.
    pub fn statement_end(&self, line: u32) -> u32 {
        let mut end = line;
        while let Some(p) = self.get(end + 1) {
            if p.starts || p.logical != line {
                break;
            }
            end += 1;
        }
        // Trailing blank lines belong to nothing.
        while end > line && self.text(end).is_some_and(|t| t.trim().is_empty()) {
            end -= 1;
        }
        end
    }

    /// The whole logical line starting at `line`, joined with spaces and trimmed.
    pub fn statement(&self, line: u32) -> String {
        let end = self.statement_end(line);
        (line..=end)
            .filter_map(|l| self.text(l))
            .map(str::trim)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Indentation width of `line` (a tab counts as one column: files mixing tabs and spaces are
    /// rare, and then an edit keeps the line's own indentation string anyway).
    pub fn indent(&self, line: u32) -> usize {
        self.text(line)
            .map(|t| t.len() - t.trim_start().len())
            .unwrap_or(0)
    }

    /// The indentation string of `line`.
    pub fn indent_str(&self, line: u32) -> &'a str {
        self.text(line)
            .map(|t| &t[..t.len() - t.trim_start().len()])
            .unwrap_or("")
    }

    /// Logical lines starting in `first..=last`, in order.
    pub fn statements(&self, first: u32, last: u32) -> impl Iterator<Item = u32> + '_ {
        (first..=last).filter(move |&l| self.starts_statement(l))
    }

    /// The headers of the blocks enclosing the statement at `line`, innermost first.
    pub fn enclosing(&self, line: u32) -> Vec<Header> {
        let mut out = Vec::new();
        let mut indent = self.indent(line);
        let mut l = line;
        while indent > 0 && l > 1 {
            l -= 1;
            if !self.starts_statement(l) {
                continue;
            }
            let i = self.indent(l);
            if i < indent {
                let text = self.statement(l);
                if text.ends_with(':') || text.contains(": #") {
                    out.push(Header {
                        line: l,
                        indent: i,
                        text,
                    });
                }
                indent = i;
            }
        }
        out
    }

    /// The innermost function around `line`.
    pub fn function(&self, line: u32) -> Option<Function> {
        let header = self
            .enclosing(line)
            .into_iter()
            .find(|h| h.keyword() == "def")?;
        let sig = header.text.strip_prefix("async ").unwrap_or(&header.text);
        let sig = sig.strip_prefix("def ")?;
        let open = sig.find('(')?;
        let name = sig[..open].trim().to_string();
        let close = sig.rfind(')')?;
        let params = split_top(&sig[open + 1..close])
            .into_iter()
            .filter_map(|p| {
                let p = p.trim().trim_start_matches('*');
                let p = p.split([':', '=']).next()?.trim();
                (!p.is_empty() && p != "/" && p.chars().all(|c| c.is_alphanumeric() || c == '_'))
                    .then(|| p.to_string())
            })
            .collect();
        let first = self.statement_end(header.line) + 1;
        let mut last = first;
        let mut l = first;
        while let Some(p) = self.get(l) {
            if p.starts && self.indent(l) <= header.indent {
                break;
            }
            if !p.text.trim().is_empty() {
                last = l;
            }
            l += 1;
        }
        Some(Function {
            header,
            name,
            params,
            first,
            last,
        })
    }

    /// The innermost `for` loop around `line` inside `function` (a loop outside the function is
    /// not this call's business).
    pub fn for_loop(&self, line: u32, function: Option<&Function>) -> Option<Loop> {
        let floor = function.map(|f| f.header.line).unwrap_or(0);
        // The innermost loop: a `continue` belongs to it, so a `while` inside the `for` wins.
        let header = self
            .enclosing(line)
            .into_iter()
            .take_while(|h| h.line > floor)
            .find(|h| h.keyword() == "for" || h.keyword() == "while")?;
        if header.keyword() != "for" {
            return None;
        }
        let text = header.text.clone();
        let body = text.strip_prefix("async ").unwrap_or(&text);
        let body = body.strip_prefix("for ")?.strip_suffix(':')?;
        let (targets, iter) = split_in(body)?;
        let targets = targets
            .split(',')
            .map(|t| t.trim().trim_matches(['(', ')']).trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        Some(Loop {
            header,
            targets,
            iter: iter.trim().to_string(),
        })
    }

    /// The innermost `while` loop around `line` inside `function` that takes one record per
    /// turn before `line` (`job = queue.popleft()`): its target is that record. A `while` loop
    /// that takes nothing is not a loop over records, and `continue` in it could spin forever.
    pub fn while_loop(&self, line: u32, function: Option<&Function>) -> Option<Loop> {
        static TAKE: OnceLock<Regex> = OnceLock::new();
        let take = TAKE.get_or_init(|| {
            Regex::new(r"^([A-Za-z_]\w*)\s*=\s*(?:[\w.]+\.(?:popleft|pop|get_nowait|get|readline|recv)\(|next\()")
                .expect("valid regex")
        });
        let floor = function.map(|f| f.header.line).unwrap_or(0);
        let header = self
            .enclosing(line)
            .into_iter()
            .take_while(|h| h.line > floor)
            .find(|h| h.keyword() == "while" || h.keyword() == "for")?;
        if header.keyword() != "while" {
            return None;
        }
        let body = self.statement_end(header.line) + 1;
        let target = self
            .statements(body, line.saturating_sub(1))
            .filter(|&l| self.indent(l) == self.indent(body))
            .find_map(|l| {
                take.captures(self.statement(l).as_str())
                    .map(|c| c[1].to_string())
            })?;
        let cond = header
            .text
            .strip_prefix("while ")?
            .strip_suffix(':')?
            .trim()
            .to_string();
        Some(Loop {
            header,
            targets: vec![target],
            iter: cond,
        })
    }

    /// The values of the `return` statements in `function`'s own body (nested definitions
    /// excluded): `""` for a bare `return`.
    pub fn returns(&self, function: &Function) -> Vec<(u32, String)> {
        let mut out = Vec::new();
        let mut nested: Option<usize> = None;
        for l in self.statements(function.first, function.last) {
            let indent = self.indent(l);
            if let Some(n) = nested {
                if indent > n {
                    continue;
                }
                nested = None;
            }
            let stmt = self.statement(l);
            if stmt.starts_with("def ")
                || stmt.starts_with("async def ")
                || stmt.starts_with("class ")
            {
                nested = Some(indent);
                continue;
            }
            let code = strip_comment(&stmt);
            if code == "return" {
                out.push((l, String::new()));
            } else if let Some(v) = code.strip_prefix("return ") {
                out.push((l, v.trim().to_string()));
            } else if let Some(v) = inline_return(&code) {
                out.push((l, v));
            }
        }
        out
    }

    /// Every function defined in the file, outermost first.
    pub fn functions(&self) -> Vec<Function> {
        let mut out = Vec::new();
        for (i, p) in self.lines.iter().enumerate() {
            let t = p.text.trim_start();
            if p.starts && (t.starts_with("def ") || t.starts_with("async def ")) {
                let first = self.statement_end(i as u32 + 1) + 1;
                if let Some(f) = self.function(first) {
                    if f.header.line == i as u32 + 1 {
                        out.push(f);
                    }
                }
            }
        }
        out
    }

    /// How the module logs.
    pub fn logger(&self) -> Logger {
        static LOGGING: OnceLock<Regex> = OnceLock::new();
        static PRINT: OnceLock<Regex> = OnceLock::new();
        let logging = LOGGING.get_or_init(|| {
            Regex::new(
                r"^([A-Za-z_]\w*)\s*=\s*(?:logging\.getLogger|structlog\.get_logger|getLogger)\(",
            )
            .expect("valid regex")
        });
        let print = PRINT.get_or_init(|| {
            Regex::new(r#"print\(f?["'](DEBUG|INFO|WARN|WARNING|ERROR)( +)([\w.-]+): "#)
                .expect("valid regex")
        });
        for p in &self.lines {
            if let Some(c) = logging.captures(p.text) {
                return Logger::Logging(c[1].to_string());
            }
        }
        for p in &self.lines {
            if let Some(c) = print.captures(p.text) {
                return Logger::Print {
                    width: c[1].len() + c[2].len(),
                    name: c[3].to_string(),
                };
            }
        }
        Logger::None
    }

    /// Whether the module imports `module` at top level (`import sys`, `import os, sys`).
    pub fn imports(&self, module: &str) -> bool {
        self.lines.iter().any(|p| {
            p.starts
                && p.text
                    .strip_prefix("import ")
                    .is_some_and(|r| r.split(',').any(|m| m.trim() == module))
        })
    }

    /// The line before which a new top-level `import` goes: after a module docstring and the
    /// imports that open the file, before the first other statement.
    pub fn import_line(&self) -> u32 {
        let mut l = 1;
        for (i, p) in self.lines.iter().enumerate() {
            let t = p.text.trim_start();
            if !p.starts {
                continue;
            }
            let docstring = i == 0 && (t.starts_with("\"\"\"") || t.starts_with("'''"));
            let import = p.text.starts_with("import ") || p.text.starts_with("from ");
            if docstring || import {
                l = self.statement_end(i as u32 + 1) + 1;
                continue;
            }
            break;
        }
        l
    }

    /// Number of physical lines.
    pub fn len(&self) -> u32 {
        self.lines.len() as u32
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// The bracket depth, open triple quote and backslash continuation after `line`.
fn scan(
    line: &str,
    mut depth: i32,
    mut triple: Option<&'static str>,
) -> (i32, Option<&'static str>, bool) {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if let Some(q) = triple {
            match line[i..].find(q) {
                Some(k) => {
                    i += k + 3;
                    triple = None;
                    continue;
                }
                None => return (depth, triple, false),
            }
        }
        match b[i] {
            b'#' => return (depth, None, false),
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            q @ (b'\'' | b'"') => {
                if line[i..].starts_with("'''") || line[i..].starts_with("\"\"\"") {
                    let t = if q == b'\'' { "'''" } else { "\"\"\"" };
                    triple = Some(t);
                    i += 3;
                    continue;
                }
                let mut j = i + 1;
                while j < b.len() && b[j] != q {
                    j += if b[j] == b'\\' { 2 } else { 1 };
                }
                i = j + 1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    (depth, triple, line.ends_with('\\'))
}

/// `a, b = c if d else e` is not a return; `if x: return y` is.
fn inline_return(code: &str) -> Option<String> {
    let (head, rest) = code.split_once(": return")?;
    let kw = head.split_whitespace().next()?;
    matches!(kw, "if" | "elif" | "else" | "else:").then(|| rest.trim().to_string())
}

/// `code` without a trailing `# comment` (outside strings).
pub fn strip_comment(code: &str) -> String {
    let line =
        super::super::builtin::code::Line::new(code, super::super::builtin::code::Lang::Python);
    code[..line.code_end()].to_string()
}

/// Split `s` on commas outside brackets and strings.
pub fn split_top(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut quote: Option<u8> = None;
    let mut start = 0;
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == b'\\' {
                i += 2;
                continue;
            }
            if c == q {
                quote = None;
            }
        } else {
            match c {
                b'\'' | b'"' => quote = Some(c),
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => {
                    out.push(&s[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        i += 1;
    }
    if !s[start..].trim().is_empty() {
        out.push(&s[start..]);
    }
    out
}

/// `targets in iter` split at the first top-level ` in `.
fn split_in(s: &str) -> Option<(&str, &str)> {
    let mut depth = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ' ' if depth == 0 && s[i..].starts_with(" in ") => return Some((&s[..i], &s[i + 4..])),
            _ => {}
        }
    }
    None
}

/// Byte ranges of the code inside the replacement fields of the f-strings on `line`
/// (`f"{cfg['db']}"` → the range of `cfg['db']`).
pub fn fstring_fields(line: &str) -> Vec<(usize, usize)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'#' {
            break;
        }
        if c != b'\'' && c != b'"' {
            i += 1;
            continue;
        }
        let prefix_f = line[..i]
            .bytes()
            .rev()
            .take_while(|x| x.is_ascii_alphabetic())
            .any(|x| x == b'f' || x == b'F');
        let triple = line[i..].starts_with(if c == b'\'' { "'''" } else { "\"\"\"" });
        let q = &line[i..i + if triple { 3 } else { 1 }];
        let mut j = i + q.len();
        let mut depth = 0usize;
        let mut field_start = 0;
        while j < b.len() {
            if depth == 0 && line[j..].starts_with(q) {
                break;
            }
            let x = b[j];
            if prefix_f && x == b'{' {
                if depth == 0 && b.get(j + 1) == Some(&b'{') {
                    j += 2;
                    continue;
                }
                if depth == 0 {
                    field_start = j + 1;
                }
                depth += 1;
            } else if prefix_f && x == b'}' && depth > 0 {
                depth -= 1;
                if depth == 0 {
                    let inner = &line[field_start..j];
                    // `{x!r}`, `{x:>8}`: the expression ends before the conversion or spec.
                    let end = field_end(inner);
                    out.push((field_start, field_start + end));
                }
            } else if x == b'\\' && depth == 0 {
                j += 2;
                continue;
            } else if depth > 0 && (x == b'\'' || x == b'"') {
                // A string inside a field: skip it.
                let mut k = j + 1;
                while k < b.len() && b[k] != x {
                    k += 1;
                }
                j = k + 1;
                continue;
            }
            j += 1;
        }
        i = (j + q.len()).min(b.len().max(j));
        if i <= j {
            i = j + 1;
        }
    }
    out
}

/// Where a replacement field's expression ends: before a top-level `!r`, `:spec` or `=`.
fn field_end(inner: &str) -> usize {
    let mut depth = 0;
    let b = inner.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            b'!' if depth == 0 && b.get(i + 1) != Some(&b'=') => return i,
            b':' if depth == 0 => return i,
            b'=' if depth == 0 && b.get(i + 1).is_none_or(|n| *n == b'!' || *n == b':') => {
                return i
            }
            _ => {}
        }
    }
    inner.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JOBS: &str = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef run(items, limit=3):\n    total = 0\n    for n, item in enumerate(items):\n        if item is None:\n            return None\n        total += compute(\n            item['a'],\n        )\n    return total\n";

    #[test]
    fn blocks_functions_and_loops() {
        let src = Source::new(JOBS);
        assert!(src.starts_statement(11));
        assert!(!src.starts_statement(12));
        assert_eq!(src.statement_end(11), 13);
        let f = src.function(11).unwrap();
        assert_eq!(f.name, "run");
        assert_eq!(f.params, vec!["items", "limit"]);
        assert_eq!((f.first, f.last), (7, 14));
        let l = src.for_loop(11, Some(&f)).unwrap();
        assert_eq!(l.targets, vec!["n", "item"]);
        assert_eq!(l.iter, "enumerate(items)");
        assert!(src.for_loop(7, Some(&f)).is_none());
        assert!(src.while_loop(11, Some(&f)).is_none());
        let queue = Source::new("def f(q):\n    for batch in q:\n        while batch:\n            job = batch.pop()\n            send(job)\n");
        let qf = queue.function(5).unwrap();
        assert!(
            queue.for_loop(5, Some(&qf)).is_none(),
            "the while is the loop `continue` leaves"
        );
        assert_eq!(queue.while_loop(5, Some(&qf)).unwrap().targets, vec!["job"]);
        assert_eq!(
            src.returns(&f),
            vec![(10, "None".to_string()), (14, "total".to_string())]
        );
        assert_eq!(src.logger(), Logger::Logging("log".into()));
        assert!(!src.imports("sys"));
        assert_eq!(src.import_line(), 2);
        assert_eq!(src.functions().len(), 1);
    }

    #[test]
    fn print_style_logger() {
        let src = Source::new("def f(e):\n    print(f\"INFO  notify: {e['kind']} sent\")\n");
        assert_eq!(
            src.logger(),
            Logger::Print {
                width: 6,
                name: "notify".into()
            }
        );
    }

    #[test]
    fn fields_of_fstrings() {
        let line = r#"print(f"{cfg['db']['port']} {{x}} {n!r:>4} {a.b}", "{not}")"#;
        let fields: Vec<&str> = fstring_fields(line)
            .into_iter()
            .map(|(a, b)| &line[a..b])
            .collect();
        assert_eq!(fields, vec!["cfg['db']['port']", "n", "a.b"]);
    }
}
