//! Flow facts for brace languages (JavaScript, Java) that the generators need before they choose
//! how to guard a missing value: the enclosing function and loop, found by braces; the caller
//! frame of the trace and the argument a parameter came from; the module's own logger; and what
//! happens to a value after the failing line (tested, formatted into output, used as a number …).
//!
//! A neutral value (undefined, null, 0, "") is only a fix where the code after it accepts it, so
//! the generators ask [`fate`] first and fall back to statement-level changes (skip a record,
//! return the function's own "nothing") that they build from [`Source::loop_at`] and [`caller`].
//!
//! Everything here is text-level and conservative: lines are lexed one at a time (block comments
//! across lines are followed), and whatever does not fit the shapes below yields `None`, which
//! makes a generator decline rather than guess.

use std::sync::LazyLock;

use regex::Regex;

use super::code::{in_substitution, is_ident, is_name_chain, Class, Lang, Line};
use crate::fix::edit::{self, Edit};
use crate::fix::generator::Context;
use crate::fix::locate::{locate, Located};

/// A file's lines, lexed once.
pub struct Source<'a> {
    pub lang: Lang,
    lines: Vec<Line<'a>>,
}

/// What a `{` opens, read from the code before it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlockKind {
    /// A function, method or lambda; `params` are the parameter names (`None` for a pattern).
    Function {
        name: Option<String>,
        params: Vec<Option<String>>,
    },
    /// `for (…)`: the element of `for (const x of xs)` / `for (T x : xs)`, or the counter of a
    /// counting loop; `each` for the callback of `xs.forEach(x => {`, where `return` moves to
    /// the next element.
    For {
        var: Option<String>,
        index: Option<String>,
        each: bool,
    },
    /// `while`, `do`: `continue` there does not move to the next record.
    Loop,
    /// `if`, `else`, `try`, `catch`, `finally`, `switch`, a bare block.
    Control,
    /// A class body, an object literal or anything else statements cannot be inserted into.
    Other,
}

/// A `{…}` block: the 1-based lines of its braces and what opens it.
#[derive(Debug, Clone)]
pub struct Block {
    pub open: u32,
    pub close: u32,
    pub header: String,
    pub kind: BlockKind,
}

impl Block {
    /// The statement that moves a loop to its next element: `continue;`, or `return;` in a
    /// `forEach` callback.
    pub fn next_element(&self) -> &'static str {
        match self.kind {
            BlockKind::For { each: true, .. } => "return;",
            _ => "continue;",
        }
    }

    /// The parameter names of a function block.
    pub fn params(&self) -> &[Option<String>] {
        match &self.kind {
            BlockKind::Function { params, .. } => params,
            _ => &[],
        }
    }
}

impl<'a> Source<'a> {
    /// Lex `content`; a `/* … */` comment that spans lines is a comment on every line it covers.
    pub fn new(content: &'a str, lang: Lang) -> Source<'a> {
        let mut lines = Vec::new();
        let mut in_comment = false;
        for text in content.lines() {
            let text = text.strip_suffix('\r').unwrap_or(text);
            let mut from = 0;
            let mut still = false;
            if in_comment {
                match text.find("*/") {
                    Some(k) => from = k + 2,
                    None => (from, still) = (text.len(), true),
                }
            }
            let rest = Line::new(&text[from..], lang);
            let mut class = vec![Class::Comment; from];
            class.extend_from_slice(&rest.class);
            in_comment = still
                || (rest.text.rfind("/*").is_some_and(|k| {
                    rest.class.get(k) == Some(&Class::Comment) && !rest.text[k..].contains("*/")
                }));
            lines.push(Line { text, class });
        }
        Source { lang, lines }
    }

    /// Line `n` (1-based).
    pub fn line(&self, n: u32) -> Option<&Line<'a>> {
        self.lines.get((n as usize).checked_sub(1)?)
    }

    /// The code of line `n`, trimmed, without a trailing comment.
    pub fn code(&self, n: u32) -> &str {
        self.line(n)
            .map(|l| l.text[..l.code_end()].trim())
            .unwrap_or("")
    }

    pub fn len(&self) -> u32 {
        self.lines.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The innermost `{` in code that is still open at byte `at` of line `n`.
    fn open_before(&self, n: u32, at: usize) -> Option<(u32, usize)> {
        let mut depth = 0;
        let mut ln = n;
        let mut end = at;
        loop {
            let line = self.line(ln)?;
            for i in (0..end.min(line.text.len())).rev() {
                if !line.is_code(i) {
                    continue;
                }
                match line.bytes()[i] {
                    b'}' => depth += 1,
                    b'{' if depth == 0 => return Some((ln, i)),
                    b'{' => depth -= 1,
                    _ => {}
                }
            }
            ln = ln.checked_sub(1).filter(|&l| l > 0)?;
            end = usize::MAX;
        }
    }

    /// The line of the `}` closing the `{` at byte `at` of line `n`.
    fn close_of(&self, n: u32, at: usize) -> Option<u32> {
        let mut depth = 0;
        for ln in n..=self.len() {
            let line = self.line(ln)?;
            let from = if ln == n { at } else { 0 };
            for i in from..line.text.len() {
                if !line.is_code(i) {
                    continue;
                }
                match line.bytes()[i] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(ln);
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// The code before the `{` at byte `at` of line `n`, joined with earlier lines while its
    /// parentheses are open or it is empty (a brace on a line of its own).
    fn header(&self, n: u32, at: usize) -> String {
        let line = self.line(n).map(|l| &l.text[..at]).unwrap_or("");
        let mut head = line.to_string();
        let mut ln = n;
        let open = |s: &str| s.matches('(').count() as i32 - s.matches(')').count() as i32;
        let incomplete = |h: &str| {
            let h = h.trim();
            h.is_empty() || open(h) < 0 || h.starts_with("throws ")
        };
        while incomplete(&head) && ln > 1 && n - ln < 6 {
            ln -= 1;
            head = format!("{} {head}", self.code(ln));
        }
        head.trim().trim_start_matches('}').trim().to_string()
    }

    /// The blocks around byte `at` of line `n`, innermost first, up to the enclosing function,
    /// class or literal.
    pub fn blocks_at(&self, n: u32, at: usize) -> Vec<Block> {
        let mut out = Vec::new();
        let (mut ln, mut i) = (n, at);
        while let Some((open, byte)) = self.open_before(ln, i) {
            let header = self.header(open, byte);
            let kind = kind_of(&header, self.lang);
            let Some(close) = self.close_of(open, byte) else {
                break;
            };
            let last = matches!(
                kind,
                BlockKind::Function { .. } | BlockKind::Other | BlockKind::For { each: true, .. }
            );
            out.push(Block {
                open,
                close,
                header,
                kind,
            });
            if last {
                break;
            }
            (ln, i) = (open, byte);
        }
        out
    }

    /// The function around line `n`.
    pub fn function_at(&self, n: u32) -> Option<Block> {
        self.blocks_at(n, 0)
            .into_iter()
            .last()
            .filter(|b| matches!(b.kind, BlockKind::Function { .. }))
    }

    /// The `for` loop around line `n` in which `continue` moves to the next element: the
    /// innermost loop, reached through `if`/`try`/`switch` blocks only.
    pub fn loop_at(&self, n: u32) -> Option<Block> {
        for b in self.blocks_at(n, 0) {
            match b.kind {
                BlockKind::For { .. } => return Some(b),
                BlockKind::Control => continue,
                _ => return None,
            }
        }
        None
    }

    /// Whether line `n` starts a statement that ends on it: the code before it ends a
    /// statement or opens a block, and its brackets balance.
    pub fn whole_statement(&self, n: u32) -> bool {
        let Some(line) = self.line(n) else {
            return false;
        };
        if !line.balanced() || !self.code(n).ends_with([';', '{', '}']) {
            return false;
        }
        let prev = (1..n).rev().map(|k| self.code(k)).find(|c| !c.is_empty());
        prev.is_none_or(|c| c.ends_with([';', '{', '}', ':']))
    }

    /// The uses of the local `name` from byte `at` of line `from` to the end of line `to`, in
    /// order; stops after an assignment to it (later uses see another value).
    pub fn uses(&self, name: &str, from: u32, at: usize, to: u32) -> Vec<Use> {
        let mut out = Vec::new();
        for n in from..=to.min(self.len()) {
            let Some(line) = self.line(n) else { break };
            let start = if n == from { at } else { 0 };
            for s in line.find_code(name) {
                let e = s + name.len();
                let b = line.bytes();
                if s < start
                    || (s > 0 && (is_ident(b[s - 1]) || b[s - 1] == b'.'))
                    || b.get(e).is_some_and(|&c| is_ident(c))
                    || is_key(line, s, e)
                {
                    continue;
                }
                let kind = use_at(line, s, e);
                let stop = kind == UseKind::Assigned;
                out.push(Use {
                    line: n,
                    at: s,
                    kind,
                });
                if stop {
                    return out;
                }
            }
        }
        out
    }
}

/// `{ name: …` / `, name: …`: an object literal key, not a use.
fn is_key(line: &Line<'_>, s: usize, e: usize) -> bool {
    let before = line.text[..s].trim_end();
    let after = line.text[e..].trim_start();
    (before.ends_with('{') || before.ends_with(','))
        && after.starts_with(':')
        && !after.starts_with("::")
}

static FOR_OF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s*(?:await\s*)?\(\s*(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s+(?:of|in)\s")
        .expect("valid regex")
});
static FOR_EACH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s*\(\s*(?:final\s+)?[\w$.<>\[\]?, ]+?\s+([A-Za-z_$][\w$]*)\s*:[^:]")
        .expect("valid regex")
});
static FOR_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s*\(\s*(?:let|var|int|long)?\s*([A-Za-z_$][\w$]*)\s*=[^;]*;[^;]*;")
        .expect("valid regex")
});
static EACH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\.forEach\(\s*(?:async\s+)?(?:\(\s*([A-Za-z_$][\w$]*)[^()]*\)|([A-Za-z_$][\w$]*))\s*(?:=>|->)\s*$",
        r"|\.forEach\(\s*(?:async\s+)?function\s*[\w$]*\s*\(\s*([A-Za-z_$][\w$]*)[^()]*\)\s*$",
    ))
    .expect("valid regex")
});
static FUNCTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"function\b\s*\*?\s*([A-Za-z_$][\w$]*)?\s*\(([^()]*)\)\s*$").expect("valid regex")
});
static ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\(([^()]*)\)|([A-Za-z_$][\w$]*))\s*(?:=>|->)\s*$").expect("valid regex")
});
static METHOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\bnew\s+)?([A-Za-z_$][\w$]*)\s*\(([^()]*)\)\s*(?:throws\s+[\w$.,\s]+)?$")
        .expect("valid regex")
});
static TYPE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:class|interface|enum|record)\s+[A-Za-z_$]").expect("valid regex")
});

const CONTROL: &[&str] = &[
    "if",
    "else",
    "try",
    "catch",
    "finally",
    "switch",
    "synchronized",
    "for",
    "while",
    "do",
    "with",
    "return",
    "static",
];

/// What the block whose header is `head` is.
fn kind_of(head: &str, lang: Lang) -> BlockKind {
    let word = head
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("");
    if word == "for" {
        let var = FOR_OF
            .captures(head)
            .or_else(|| {
                (lang == Lang::Java)
                    .then(|| FOR_EACH.captures(head))
                    .flatten()
            })
            .map(|c| c[1].to_string());
        let index = FOR_COUNT
            .captures(head)
            .filter(|_| var.is_none())
            .map(|c| c[1].to_string());
        return BlockKind::For {
            var,
            index,
            each: false,
        };
    }
    if let Some(c) = EACH.captures(head) {
        let var = c
            .get(1)
            .or(c.get(2))
            .or(c.get(3))
            .map(|m| m.as_str().to_string());
        return BlockKind::For {
            var,
            index: None,
            each: true,
        };
    }
    if word == "while" || word == "do" {
        return BlockKind::Loop;
    }
    let control = CONTROL.contains(&word) && (word != "static" || head == word);
    if head.is_empty() || (control && !head.ends_with("=>")) {
        return BlockKind::Control;
    }
    if TYPE.is_match(head) {
        return BlockKind::Other;
    }
    let function = |name: Option<&str>, params: &str| BlockKind::Function {
        name: name.map(str::to_string),
        params: split_top(params)
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| param_name(p, lang))
            .collect(),
    };
    if let Some(c) = ARROW.captures(head) {
        let params = c.get(1).or(c.get(2)).map(|m| m.as_str()).unwrap_or("");
        return function(None, params);
    }
    if lang == Lang::Js {
        if let Some(c) = FUNCTION.captures(head) {
            return function(c.get(1).map(|m| m.as_str()), &c[2]);
        }
    }
    match METHOD.captures(head) {
        Some(c) if c.get(1).is_none() && !CONTROL.contains(&&c[2]) => function(Some(&c[2]), &c[3]),
        _ => BlockKind::Other,
    }
}

/// The name a parameter declares: `a`, `a = 1`, `...rest`, `final String a`, `@X int a`.
fn param_name(param: &str, lang: Lang) -> Option<String> {
    let p = param.trim();
    let name = match lang {
        Lang::Java => p.split_whitespace().last()?.trim_start_matches("..."),
        _ => p.split('=').next()?.trim().trim_start_matches("..."),
    };
    is_name_chain(name)
        .then(|| name.to_string())
        .filter(|n| !n.contains('.'))
}

/// `text` split at its top-level commas, each part trimmed.
pub fn split_top(text: &str) -> Vec<String> {
    let line = Line::new(text, Lang::Js);
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut last = 0;
    for (i, b) in text.bytes().enumerate() {
        if !line.is_code(i) {
            continue;
        }
        match b {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            b',' if depth == 0 => {
                parts.push(text[last..i].trim().to_string());
                last = i + 1;
            }
            _ => {}
        }
    }
    parts.push(text[last..].trim().to_string());
    parts
}

/// What the code does with a value at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseKind {
    /// Tested for truthiness or null, or passed to `?.` / `??`: a neutral value is handled.
    Tested,
    /// A property or method read on it: `x.name` (the name), `x[…]` (`[`).
    Member(String),
    /// Called: `x(…)`.
    Called,
    /// Formatted into output: a template literal, string concatenation, a print or log call.
    Text,
    /// Used as a number.
    Arithmetic,
    /// Returned to the caller.
    Returned,
    /// The whole right-hand side of a declaration or assignment of `name`.
    Bound(String),
    /// The whole expression statement: its value is discarded.
    Discarded,
    /// Overwritten: later uses see another value.
    Assigned,
    /// Passed on or stored; where it goes is not followed.
    Other,
}

/// One use of a local.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Use {
    pub line: u32,
    /// Byte offset of the use on its line.
    pub at: usize,
    pub kind: UseKind,
}

static DECL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[;{]\s*)(?:(?:const|let|var|final)\s+)?(?:[\w$.<>\[\]?, ]+\s+)?([A-Za-z_$][\w$]*)\s*=$")
        .expect("valid regex")
});

const PRINTERS: &[&str] = &[
    "console.log",
    "console.info",
    "console.warn",
    "console.error",
    "console.debug",
    "System.out.println",
    "System.out.print",
    "System.out.printf",
    "System.err.println",
    "String.format",
    "String.valueOf",
    ".append",
    ".print",
    ".println",
    ".printf",
    ".format",
    ".write",
    ".info",
    ".warn",
    ".warning",
    ".error",
    ".debug",
    ".log",
    ".join",
];

/// What the expression at `s..e` of `line` is used for.
pub fn use_at(line: &Line<'_>, s: usize, e: usize) -> UseKind {
    let before = line.text[..s].trim_end();
    let code_end = line.code_end();
    let after = line.text[e.min(code_end)..code_end].trim_start();
    access_or_test(before, after)
        .or_else(|| operator_use(line, s, before, after))
        .unwrap_or_else(|| statement_use(line, s, before, after))
}

/// A member read, a call, or a test of the value (`!x`, `x == null`, `x ?? d`, `if (x)`).
fn access_or_test(before: &str, after: &str) -> Option<UseKind> {
    let not = before.ends_with('!') && !before.ends_with("!=");
    if after.starts_with("?.") || after.starts_with("??") || not {
        return Some(UseKind::Tested);
    }
    if let Some(rest) = after.strip_prefix('.') {
        let name = rest.bytes().take_while(|&c| is_ident(c)).map(char::from);
        return Some(UseKind::Member(name.collect()));
    }
    if after.starts_with('[') {
        return Some(UseKind::Member("[".into()));
    }
    if after.starts_with('(') {
        return Some(UseKind::Called);
    }
    let cmp = ["==", "!=", "&&", "||"];
    let ternary = after.starts_with('?') || (after.starts_with(')') && before.ends_with('?'));
    let condition = after.starts_with(')')
        && ["if", "while"].iter().any(|k| {
            before
                .strip_suffix('(')
                .is_some_and(|b| b.trim_end().ends_with(k))
        });
    let compared = cmp
        .iter()
        .any(|c| after.starts_with(c) || before.ends_with(c));
    (compared || ternary || condition).then_some(UseKind::Tested)
}

/// Formatted into text, used in arithmetic, or assigned to.
fn operator_use(line: &Line<'_>, s: usize, before: &str, after: &str) -> Option<UseKind> {
    if in_substitution(line, s) {
        return Some(UseKind::Text);
    }
    // A string literal on the line makes `+` a concatenation.
    let quoted = line.class.contains(&Class::Str);
    let text_or_number = |text: bool| {
        Some(if text {
            UseKind::Text
        } else {
            UseKind::Arithmetic
        })
    };
    let compound = ["+=", "-=", "*=", "/=", "%="];
    if compound.iter().any(|op| before.ends_with(op)) {
        return text_or_number(before.ends_with("+=") && quoted);
    }
    let plus = (before.ends_with('+') && !before.ends_with("++"))
        || (after.starts_with('+') && !after.starts_with("++"));
    if plus {
        return text_or_number(quoted);
    }
    let ops = ['-', '*', '/', '%', '<', '>'];
    let arrow = before.ends_with("=>") || before.ends_with("->");
    if (after.starts_with(ops) && !after.starts_with("->")) || (before.ends_with(ops) && !arrow) {
        return Some(UseKind::Arithmetic);
    }
    let assigned = after.starts_with('=') && !after.starts_with("==") && !after.starts_with("=>");
    assigned.then_some(UseKind::Assigned)
}

/// Returned, discarded, bound to a local, printed, or passed on.
fn statement_use(line: &Line<'_>, s: usize, before: &str, after: &str) -> UseKind {
    let end = after.is_empty() || after == ";";
    if end && (before == "return" || before.ends_with(" return")) {
        return UseKind::Returned;
    }
    if end && (before.is_empty() || before.ends_with([';', '{', '}'])) {
        return UseKind::Discarded;
    }
    if let Some(c) = DECL.captures(before).filter(|_| end) {
        return UseKind::Bound(c[1].to_string());
    }
    match enclosing_call(line, s) {
        Some(callee) if PRINTERS.iter().any(|p| callee.ends_with(p)) => UseKind::Text,
        _ => UseKind::Other,
    }
}

/// The name of the call whose argument list holds byte `s` directly (`console.log` for
/// `console.log(a, b)` at `b`).
fn enclosing_call<'t>(line: &Line<'t>, s: usize) -> Option<&'t str> {
    let b = line.bytes();
    let mut depth = 0;
    for i in (0..s).rev() {
        if !line.is_code(i) {
            continue;
        }
        match b[i] {
            b')' | b']' => depth += 1,
            b'[' if depth > 0 => depth -= 1,
            b'(' if depth > 0 => depth -= 1,
            b'(' => {
                let head = &line.text[..i];
                let start = head
                    .bytes()
                    .rposition(|c| !(is_ident(c) || c == b'.'))
                    .map(|k| k + 1)
                    .unwrap_or(0);
                return Some(&line.text[start..i]).filter(|n| !n.is_empty());
            }
            b'[' | b'{' => return None,
            _ => {}
        }
    }
    None
}

/// How a use of a missing value ends, in words for a description (`None` when it is handled).
pub fn harm(kind: &UseKind, what: &str, neutral: &str) -> Option<String> {
    Some(match kind {
        UseKind::Tested | UseKind::Discarded => return None,
        UseKind::Member(m) if m == "[" => {
            format!("`{what}` is indexed; {neutral} would throw there")
        }
        UseKind::Member(m) => format!("`{what}.{m}` is read next; {neutral} would throw there"),
        UseKind::Called => format!("`{what}` is called; {neutral} would throw there"),
        UseKind::Text => {
            format!("`{what}` is formatted into output; {neutral} would print '{neutral}'")
        }
        UseKind::Arithmetic => {
            format!("`{what}` is used as a number; {neutral} would compute a wrong result")
        }
        UseKind::Returned => format!("`{what}` is returned to a caller that does not test it"),
        UseKind::Bound(n) => format!("`{what}` is stored in `{n}`, which is not followed"),
        UseKind::Assigned => format!("`{what}` is assigned to"),
        UseKind::Other => {
            format!("`{what}` is passed on; {neutral} is not known to be accepted there")
        }
    })
}

/// The next frame out from the site that maps to a tracked file: its path, line and contents.
#[derive(Debug, Clone)]
pub struct Caller {
    pub path: String,
    pub line: u32,
    pub content: String,
    /// The frame's function as the trace names it (`Invoicer.render`), when it has one.
    pub function: Option<String>,
    /// The next frame out that maps to a tracked file, for a record loop further up.
    pub outer: Option<Box<Caller>>,
}

/// How many frames out from the site a record loop is looked for.
const CALLER_DEPTH: usize = 4;

/// The caller frame of `cx`'s site: the first frame after the site's that maps to a repo file,
/// with the frames out from it (up to [`CALLER_DEPTH`]) as its `outer` chain.
pub fn caller(cx: &Context<'_>) -> Option<Caller> {
    let exception = cx.exception?;
    let mut seen_site = false;
    let mut chain = Vec::new();
    for frame in &exception.frames {
        let Located::Repo { path, .. } = locate(frame, cx.language, cx.repo.files()) else {
            continue;
        };
        if !seen_site {
            seen_site = true;
            continue;
        }
        let (Some(content), Some(line)) = (cx.repo.read(&path), frame.line) else {
            break;
        };
        chain.push(Caller {
            content,
            path,
            line,
            function: frame.function.clone(),
            outer: None,
        });
        if chain.len() == CALLER_DEPTH {
            break;
        }
    }
    chain.into_iter().rev().fold(None, |outer, mut c| {
        c.outer = outer.map(Box::new);
        Some(c)
    })
}

/// The function name of a frame as written in the source: `app.Greeter.badge` → `badge`,
/// `Object.shippingLabel` → `shippingLabel`; `None` for anonymous functions and lambdas.
pub fn callee_name(function: &str) -> Option<&str> {
    let f = function
        .trim()
        .trim_start_matches("async ")
        .trim_start_matches("new ");
    let f = f.split(" [as ").next().unwrap_or(f);
    let name = f.rsplit('.').next()?;
    (is_name_chain(name) && !name.contains('$') && !name.starts_with('<')).then_some(name)
}

/// The one call `callee(…)` on `line`: its span and its arguments.
pub fn call_on(line: &Line<'_>, callee: &str) -> Option<(usize, usize, Vec<String>)> {
    let needle = format!("{callee}(");
    let b = line.bytes();
    let found: Vec<usize> = line
        .find_code(&needle)
        .into_iter()
        .filter(|&s| s == 0 || !is_ident(b[s - 1]))
        .collect();
    let [s] = found.as_slice() else {
        return None;
    };
    let open = s + needle.len() - 1;
    let close = line.matching_close(open)?;
    let start = line.primary_start(open).unwrap_or(*s);
    let args = split_top(&line.text[open + 1..close]);
    let args = if args == [""] { Vec::new() } else { args };
    Some((start, close + 1, args))
}

/// Whether `expr` is names and argument-less getters (`o.getCustomer().name`, `u.isActive()`):
/// by convention evaluating it again has no side effect.
pub fn is_getter_chain(expr: &str) -> bool {
    let mut parts = expr.split('.');
    let first = parts.next().unwrap_or("");
    is_name_chain(first)
        && parts.all(|p| match p.strip_suffix("()") {
            Some(call) => {
                let rest = call
                    .strip_prefix("get")
                    .or_else(|| call.strip_prefix("is"))
                    .unwrap_or("");
                rest.starts_with(|c: char| c.is_ascii_uppercase()) && is_name_chain(call)
            }
            None => is_name_chain(p),
        })
}

/// `expr` with its first name replaced: `order.customer` with `order` → `o` is `o.customer`.
/// `None` when `expr` does not start with `name`.
pub fn rebase(expr: &str, name: &str, with: &str) -> Option<String> {
    let rest = expr.strip_prefix(name)?;
    (rest.is_empty() || rest.starts_with('.')).then(|| format!("{with}{rest}"))
}

static JS_LOGGER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Za-z_$][\w$]*)\.(warn|error)\(").expect("valid regex"));
static JAVA_LOGGER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\bstatic\s+(?:final\s+)?(?:[\w.]+\.)?(?:Logger|Log)\s+([A-Za-z_$][\w$]*)\s*=\s*([\w.]+)\.get(?:Logger)?\(")
        .expect("valid regex")
});

/// The call a warning goes through in `content`: its logger object when it has one that takes a
/// single message (`log.warn`, `LOG.warning`), else `console.error` / `System.err.println`.
pub fn logger(content: &str, lang: Lang) -> String {
    if lang == Lang::Java {
        return match JAVA_LOGGER.captures(content) {
            Some(c) if c[2].ends_with("Logger") && !c[2].contains("Factory") => {
                format!("{}.warning", &c[1])
            }
            Some(c) => format!("{}.warn", &c[1]),
            None => "System.err.println".into(),
        };
    }
    let mut best: Option<String> = None;
    for c in JS_LOGGER.captures_iter(content) {
        let object = &c[1];
        let declared = Regex::new(&format!(
            r"\b(?:const|let|var)\s+{}\s*=",
            regex::escape(object)
        ))
        .is_ok_and(|r| r.is_match(content));
        let whole = c.get(0).map(|m| m.end()).unwrap_or(0);
        let line = Line::new(&content[whole - 1..], Lang::Js);
        let single = line
            .matching_close(0)
            .is_some_and(|close| split_top(&line.text[1..close]).len() == 1);
        if object != "console" && declared && single && (best.is_none() || &c[2] == "warn") {
            best = Some(format!("{object}.{}", &c[2]));
        }
    }
    best.unwrap_or_else(|| "console.error".into())
}

/// An edit that inserts `lines` before line `n` of `content`, in the file's end of line.
pub fn insert_before(path: &str, content: &str, n: u32, lines: &[String]) -> Option<Edit> {
    let (_, eol) = edit::line_parts(content, n)?;
    let eol = if eol.is_empty() { "\n" } else { eol };
    Some(Edit {
        file: path.to_string(),
        line: n,
        old: String::new(),
        new: lines.iter().map(|l| format!("{l}{eol}")).collect(),
    })
}

/// `if (cond) {` … `}` at `indent`, the body one unit deeper (the file's own unit).
pub fn guard(content: &str, indent: &str, cond: &str, body: &[String]) -> Vec<String> {
    let unit = indent_unit(content);
    let mut out = vec![format!("{indent}if ({cond}) {{")];
    out.extend(body.iter().map(|b| format!("{indent}{unit}{b}")));
    out.push(format!("{indent}}}"));
    out
}

/// The smallest indentation in `content` (a tab when it indents with tabs).
fn indent_unit(content: &str) -> String {
    content
        .lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .min_by_key(|i| i.len())
        .unwrap_or("  ")
        .to_string()
}

/// How to name the record a loop is on in a message: its `id` when the code reads one, else
/// the loop's counter, else the element itself; `None` for a loop without either.
pub fn record_id(loop_block: &Block, body: &str, lang: Lang) -> Option<String> {
    let BlockKind::For { var, index, .. } = &loop_block.kind else {
        return None;
    };
    if let Some(v) = var {
        for id in [
            format!("{v}.id"),
            format!("{v}.getId()"),
            format!("{v}.id()"),
        ] {
            let line = Line::new(body, lang);
            let hit = line.find_code(&id).into_iter().any(|s| {
                let b = line.bytes();
                (s == 0 || !is_ident(b[s - 1]))
                    && !b
                        .get(s + id.len())
                        .is_some_and(|&c| is_ident(c) || c == b'(')
            });
            if hit {
                return Some(id);
            }
        }
        return Some(v.clone());
    }
    index.clone()
}

/// The text of lines `from..=to` of `content`.
pub fn lines_text(content: &str, from: u32, to: u32) -> String {
    content
        .lines()
        .skip(from.saturating_sub(1) as usize)
        .take((to + 1).saturating_sub(from) as usize)
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value missing at a failing line, for the statement-level changes: skip the record it
/// belongs to, or return the function's own "nothing".
pub struct Missing<'a> {
    pub path: &'a str,
    pub content: &'a str,
    pub src: &'a Source<'a>,
    pub line: u32,
    /// The missing value, a name chain (`order.customer.address`, `name`).
    pub expr: String,
    /// How messages name it: `expr`, or the call a bound local holds (`inv.getCustomer()`).
    pub what: String,
    /// How the language says it is missing: `undefined`, `null`; `empty` for text without
    /// content.
    pub neutral: &'static str,
    /// A call result bound to a local first: the declaration and the failing line's new text.
    pub bind: Option<(String, String)>,
}

/// A statement-level change and why it is safe, in words for the description.
pub struct Change {
    pub edits: Vec<Edit>,
    pub why: String,
    /// Whether the failing line itself is edited (else a caller's line is).
    pub at_site: bool,
    /// The strategy's name for the confidence (`skip-record`, `return-nothing`).
    pub strategy: &'static str,
}

impl Missing<'_> {
    fn root(&self) -> &str {
        self.expr.split('.').next().unwrap_or("")
    }

    /// The missing value as a caller can test it: the name chain, or the getter chain a bound
    /// local holds (`o.getCustomer()`: getters are read twice without harm).
    fn in_caller(&self) -> Option<&str> {
        match &self.bind {
            None => Some(&self.expr),
            Some(_) => is_getter_chain(&self.what).then_some(self.what.as_str()),
        }
    }

    /// The guard (and a binding) in front of the failing line.
    fn at_site(&self, guard_lines: Vec<String>) -> Option<Edit> {
        match &self.bind {
            None => insert_before(self.path, self.content, self.line, &guard_lines),
            Some((decl, new)) => {
                let mut all = vec![decl.clone()];
                all.extend(guard_lines);
                all.push(new.clone());
                Edit::replace_line(self.path, self.content, self.line, &all.join("\n")).map(
                    |mut e| {
                        let eol = if e.old.ends_with("\r\n") {
                            "\r\n"
                        } else {
                            "\n"
                        };
                        e.new = e.new.replace('\n', eol).replace("\r\r", "\r");
                        e
                    },
                )
            }
        }
    }
}

/// The test that `expr` is missing: `== null` (undefined too in JavaScript), or for text that
/// is there but holds nothing (`neutral` "empty": an empty body or file), a blank test.
fn missing_test(expr: &str, neutral: &str) -> String {
    match neutral {
        "empty" => format!("{expr}.trim() === ''"),
        _ => format!("{expr} == null"),
    }
}

/// The warning a skipped record gets, through `logger`, naming it by `id`.
fn warning(logger: &str, lang: Lang, noun: &str, id: &str, expr: &str, neutral: &str) -> String {
    let missing = match neutral {
        "null" => "is null",
        "empty" => "is empty",
        _ => "is missing",
    };
    match lang {
        Lang::Java => format!("{logger}(\"skipping {noun} \" + {id} + \": {expr} {missing}\");"),
        _ => {
            let shown = if id.contains('.') || id.len() <= 2 {
                id.to_string()
            } else {
                format!("JSON.stringify({id})")
            };
            format!("{logger}(`skipping {noun} ${{{shown}}}: {expr} {missing}`);")
        }
    }
}

/// The guard that skips the record of `loop_block` when `cond_expr` is missing.
fn skip_guard(
    content: &str,
    indent: &str,
    loop_block: &Block,
    body: &str,
    lang: Lang,
    expr: &str,
    neutral: &str,
) -> Option<Vec<String>> {
    let id = record_id(loop_block, body, lang)?;
    let noun = match &loop_block.kind {
        BlockKind::For { var: Some(v), .. } => v.clone(),
        _ => "record".into(),
    };
    let shown = expr.replace("?.", ".");
    let warn = warning(&logger(content, lang), lang, &noun, &id, &shown, neutral);
    Some(guard(
        content,
        indent,
        &missing_test(expr, neutral),
        &[warn, loop_block.next_element().into()],
    ))
}

/// Skip the record when the failing line is in a loop over records of its own function and the
/// missing value comes from the loop's element or a local of the loop body.
pub fn skip_in_own_loop(m: &Missing<'_>) -> Result<Change, String> {
    let lp = m
        .src
        .loop_at(m.line)
        .ok_or("the failing line is in no `for` loop of its function")?;
    let root = m.root();
    let from_element = matches!(&lp.kind, BlockKind::For { var: Some(v), .. } if v == root);
    let decl =
        Regex::new(&format!(r"\b{}\s*=[^=]", regex::escape(root))).map_err(|e| e.to_string())?;
    let local = (lp.open + 1..m.line).any(|n| decl.is_match(m.src.code(n)));
    if !(from_element || local || m.bind.is_some()) {
        return Err(format!("`{}` does not come from the loop's record", m.expr));
    }
    if !m.src.whole_statement(m.line) {
        return Err(format!("{}:{} is not a whole statement", m.path, m.line));
    }
    let indent = m.src.line(m.line).map(|l| l.indent()).unwrap_or("");
    let body = lines_text(m.content, lp.open, lp.close);
    let id = record_id(&lp, &body, m.src.lang).ok_or("the loop names no record")?;
    let noun = match &lp.kind {
        BlockKind::For { var: Some(v), .. } => v.clone(),
        _ => "record".into(),
    };
    let lang = m.src.lang;
    let warn = warning(
        &logger(m.content, lang),
        lang,
        &noun,
        &id,
        &m.what,
        m.neutral,
    );
    let cond = missing_test(&m.expr, m.neutral);
    let lines = guard(m.content, indent, &cond, &[warn, lp.next_element().into()]);
    let edit = m.at_site(lines).ok_or("the line is gone")?;
    Ok(Change {
        edits: vec![edit],
        why: format!(
            "The loop at {}:{} processes one record at a time, so the record without `{}` is \
             skipped with a warning and the others are still processed.",
            m.path, lp.open, m.what
        ),
        at_site: true,
        strategy: "skip-record",
    })
}

/// Skip the record in the caller's loop: the missing value is (a part of) a parameter, and the
/// caller frame's line passes it from the record it is processing.
/// The failing function and the index of the parameter the missing value comes from.
fn parameter_of(m: &Missing<'_>, callee: &str) -> Result<(Block, usize), String> {
    let f = m
        .src
        .function_at(m.line)
        .ok_or("the failing line is in no function")?;
    let BlockKind::Function {
        name: Some(name),
        params,
    } = &f.kind
    else {
        return Err("the failing function has no name to find its call by".into());
    };
    let expr = m
        .in_caller()
        .ok_or_else(|| format!("`{}` is not a getter chain", m.what))?;
    let root = expr.split('.').next().unwrap_or("");
    let k = params.iter().position(|p| p.as_deref() == Some(root));
    let Some(k) = k.filter(|_| name == callee) else {
        return Err(format!("`{expr}` is not a parameter of {callee}()"));
    };
    let uses = m.src.uses(root, f.open + 1, 0, m.line);
    if uses.iter().any(|u| u.kind == UseKind::Assigned) {
        return Err(format!(
            "the parameter `{root}` is reassigned before the failing line"
        ));
    }
    Ok((f, k))
}

/// The test of `expr` in a caller: it runs before the callee's own checks, so in JavaScript
/// the parts between the record and the missing value may be missing too (`a.b?.c`).
fn caller_test(expr: &str, lang: Lang) -> String {
    let parts: Vec<&str> = expr.split('.').collect();
    match (lang, parts.len()) {
        (Lang::Js, 3..) => format!("{}.{}?.{}", parts[0], parts[1], parts[2..].join("?.")),
        _ => expr.to_string(),
    }
}

/// The function of `caller`'s frame, when it is the frame's named function and `arg` (what it
/// passes on) is one of its parameters or a part of one, not reassigned before the call: that
/// function and the parameter's index.
fn passed_through(csrc: &Source<'_>, caller: &Caller, arg: &str) -> Result<(Block, usize), String> {
    let at = format!("{}:{}", caller.path, caller.line);
    let f = csrc
        .function_at(caller.line)
        .ok_or_else(|| format!("{at} is in no function"))?;
    let name = caller.function.as_deref().and_then(callee_name);
    let BlockKind::Function {
        name: Some(fname),
        params,
    } = &f.kind
    else {
        return Err(format!(
            "the function at {at} has no name to find its call by"
        ));
    };
    if name != Some(fname.as_str()) {
        return Err(format!("the frame at {at} is not {fname}()"));
    }
    let root = arg.split('.').next().unwrap_or("");
    let k = params
        .iter()
        .position(|p| p.as_deref() == Some(root))
        .ok_or_else(|| format!("`{arg}` at {at} is not a parameter of {fname}()"))?;
    let uses = csrc.uses(root, f.open + 1, 0, caller.line);
    if uses.iter().any(|u| u.kind == UseKind::Assigned) {
        return Err(format!(
            "the parameter `{root}` of {fname}() is reassigned before {at}"
        ));
    }
    Ok((f, k))
}

pub fn skip_in_caller(m: &Missing<'_>, caller: &Caller, callee: &str) -> Result<Change, String> {
    let (f, k) = parameter_of(m, callee)?;
    let csrc = Source::new(&caller.content, m.src.lang);
    let at = format!("{}:{}", caller.path, caller.line);
    let cline = csrc
        .line(caller.line)
        .ok_or_else(|| format!("{at} is gone"))?;
    let (_, _, args) =
        call_on(cline, callee).ok_or_else(|| format!("{at} has no single call of {callee}()"))?;
    let arg = args
        .get(k)
        .filter(|a| is_name_chain(a))
        .ok_or_else(|| format!("the argument at {at} is not a plain name"))?;
    let missing = m.in_caller().unwrap_or(&m.expr);
    let root = missing.split('.').next().unwrap_or("");
    let mut expr = rebase(missing, root, arg).ok_or("no argument")?;
    // The functions between the loop and the failing one, with the name each one's record
    // goes by there: their reads of the record (`inv.number`) can name it in the warning.
    let mut passed = vec![(lines_text(m.content, f.open, f.close), root.to_string())];
    let mut via: Vec<String> = Vec::new();
    let (mut caller, mut csrc, mut at, mut arg) = (caller, csrc, at, arg.clone());
    let lp = loop {
        if let Some(lp) = csrc.loop_at(caller.line) {
            break lp;
        }
        let no_loop = format!("the call at {at} is in no `for` loop");
        let Some(outer) = caller.outer.as_deref() else {
            return Err(no_loop);
        };
        // Not in a loop: the record may come from further out, when what this function
        // passes on is its own parameter, unchanged.
        let (through, k) =
            passed_through(&csrc, caller, &arg).map_err(|why| format!("{no_loop}, and {why}"))?;
        let osrc = Source::new(&outer.content, m.src.lang);
        let oat = format!("{}:{}", outer.path, outer.line);
        let oline = osrc
            .line(outer.line)
            .ok_or_else(|| format!("{oat} is gone"))?;
        let name = caller
            .function
            .as_deref()
            .and_then(callee_name)
            .unwrap_or("");
        let (_, _, oargs) = call_on(oline, name)
            .ok_or_else(|| format!("{no_loop}, and {oat} has no single call of {name}()"))?;
        let oarg = oargs
            .get(k)
            .filter(|a| is_name_chain(a))
            .ok_or_else(|| format!("{no_loop}, and the argument at {oat} is not a plain name"))?
            .clone();
        let croot = arg.split('.').next().unwrap_or("").to_string();
        passed.push((
            lines_text(&caller.content, through.open, through.close),
            croot.clone(),
        ));
        via.push(format!("{name}()"));
        expr = rebase(&expr, &croot, &oarg).ok_or("no argument")?;
        (caller, csrc, at, arg) = (outer, osrc, oat, oarg);
    };
    let cline = csrc
        .line(caller.line)
        .ok_or_else(|| format!("{at} is gone"))?;
    if !csrc.whole_statement(caller.line) {
        return Err(format!("the call at {at} is not a whole statement"));
    }
    let arg = arg.as_str();
    let mut body = lines_text(&caller.content, lp.open, lp.close);
    if let BlockKind::For { var: Some(v), .. } = &lp.kind {
        if arg == v {
            for (own, name) in &passed {
                body.push('\n');
                body.push_str(&own.replace(&format!("{name}."), &format!("{v}.")));
            }
        }
    }
    let tested = caller_test(&expr, m.src.lang);
    let lines = skip_guard(
        &caller.content,
        cline.indent(),
        &lp,
        &body,
        m.src.lang,
        &tested,
        m.neutral,
    )
    .ok_or("the caller's loop names no record")?;
    let edit = insert_before(&caller.path, &caller.content, caller.line, &lines).ok_or("gone")?;
    Ok(Change {
        edits: vec![edit],
        why: format!(
            "{callee}() gets `{}`{} from the loop over records at {}:{}, so the caller skips \
             the record whose `{expr}` is missing, with a warning naming it, before the call; \
             the rest of that loop body (counting it as done) is skipped too, and the other \
             records are still processed.",
            root,
            if via.is_empty() {
                String::new()
            } else {
                format!(" (through {})", via.join(", "))
            },
            caller.path,
            lp.open
        ),
        at_site: false,
        strategy: "skip-record",
    })
}

static NOTHING: LazyLock<Regex> = LazyLock::new(|| {
    // Also the one-line form of an early exit: `if (!id) return null;`.
    Regex::new(r"^(?:(?:\}\s*)?(?:else\s+)?if\s*\(.*\)\s*\{?\s*|else\s+)?return\s*(null|undefined|\[\]|Optional\.empty\(\)|Collections\.empty\w*\(\)|List\.of\(\))?\s*;\s*\}?$")
        .expect("valid regex")
});

/// Return the function's existing "nothing" when it has one on another path and the caller
/// frame's line tests the result.
pub fn return_nothing(
    m: &Missing<'_>,
    caller: Option<&Caller>,
    callee: Option<&str>,
) -> Result<Change, String> {
    let callee = callee.ok_or("the failing function has no name to find its call by")?;
    let f = m
        .src
        .function_at(m.line)
        .ok_or("the failing line is in no function")?;
    let nothing = (f.open + 1..f.close)
        .filter(|&n| n != m.line)
        .find_map(|n| {
            NOTHING
                .captures(m.src.code(n))
                .map(|c| c.get(1).map(|v| v.as_str().to_string()))
        })
        .ok_or_else(|| format!("{callee}() returns no \"nothing\" value on another path"))?;
    let caller = caller.ok_or("no caller frame maps to a tracked file")?;
    let at = format!("{}:{}", caller.path, caller.line);
    let csrc = Source::new(&caller.content, m.src.lang);
    let cline = csrc
        .line(caller.line)
        .ok_or_else(|| format!("{at} is gone"))?;
    let (s, e, _) =
        call_on(cline, callee).ok_or_else(|| format!("{at} has no single call of {callee}()"))?;
    // `await f(…)` is the value of `f(…)`, not an argument it is passed to.
    let before = cline.text[..s].trim_end();
    let s = match before.strip_suffix("await") {
        Some(head) if !head.ends_with(|c: char| c.is_alphanumeric() || c == '_') => head.len(),
        _ => s,
    };
    let end = csrc
        .function_at(caller.line)
        .map(|b| b.close)
        .unwrap_or(csrc.len());
    let kind = match use_at(cline, s, e) {
        UseKind::Bound(v) => csrc
            .uses(&v, caller.line, e, end)
            .into_iter()
            .next()
            .map(|u| u.kind)
            .unwrap_or(UseKind::Discarded),
        k => k,
    };
    if let Some(h) = harm(
        &kind,
        &format!("{callee}()"),
        nothing.as_deref().unwrap_or(m.neutral),
    ) {
        return Err(format!("the caller at {at} does not handle it: {h}"));
    }
    if !m.src.whole_statement(m.line) {
        return Err(format!("{}:{} is not a whole statement", m.path, m.line));
    }
    let ret = match &nothing {
        Some(v) => format!("return {v};"),
        None => "return;".into(),
    };
    let indent = m.src.line(m.line).map(|l| l.indent()).unwrap_or("");
    let lines = guard(
        m.content,
        indent,
        &missing_test(&m.expr, m.neutral),
        std::slice::from_ref(&ret),
    );
    let edit = m.at_site(lines).ok_or("the line is gone")?;
    Ok(Change {
        edits: vec![edit],
        why: format!(
            "{callee}() already answers `{ret}` on another path and its caller at {at} tests the \
             result, so it now does the same when `{}` is missing.",
            m.expr
        ),
        at_site: true,
        strategy: "return-nothing",
    })
}

/// [`statement_change`] as the generator's draft: `head` opens the description, `reasons` (why
/// the value-level changes did not fit) are joined to the strategies' when none applies, and
/// `at_column` is the evidence for the site when the change is made there.
pub fn statement_draft(
    m: &Missing<'_>,
    caller: Option<&Caller>,
    callee: Option<&str>,
    head: &str,
    mut reasons: Vec<String>,
    at_column: bool,
) -> Result<crate::fix::Draft, crate::fix::Skip> {
    match statement_change(m, caller, callee) {
        Ok(c) => Ok(crate::fix::Draft {
            edits: c.edits,
            description: format!("{head} {}", c.why),
            at_column: c.at_site.then_some(at_column),
            strategy: crate::fix::factor::strategy(c.strategy),
        }),
        Err(why) => {
            reasons.extend(why);
            crate::fix::generator::decline(format!("{head} No fix: {}", reasons.join("; ")))
        }
    }
}

/// The statement-level changes in order: a loop of the function's own first; then the
/// function's own "nothing", which keeps the caller's handling of missing data; then the
/// caller's loop. `Err` has why each one does not fit.
pub fn statement_change(
    m: &Missing<'_>,
    caller: Option<&Caller>,
    callee: Option<&str>,
) -> Result<Change, Vec<String>> {
    let mut reasons = Vec::new();
    let tries: [&dyn Fn() -> Result<Change, String>; 3] = [
        &|| skip_in_own_loop(m),
        &|| return_nothing(m, caller, callee),
        &|| match (caller, callee) {
            (Some(c), Some(f)) => skip_in_caller(m, c, f),
            _ => Err("no caller frame maps to a tracked file".into()),
        },
    ];
    for attempt in tries {
        match attempt() {
            Ok(change) => return Ok(change),
            Err(why) => reasons.push(why),
        }
    }
    Err(reasons)
}

/// Where a value computed at `s..e` of line `n` goes: `Ok` when a neutral value is handled
/// there (tested, discarded, or stored in a local whose first use tests it, or returned to a
/// caller frame whose line tests it), else why not.
pub fn fate(
    path: &str,
    src: &Source<'_>,
    n: u32,
    s: usize,
    e: usize,
    caller: Option<(&Caller, &str)>,
    neutral: &str,
) -> Result<(), String> {
    let line = src.line(n).ok_or("the line is gone")?;
    let what = line.text[s..e].to_string();
    let end = src.function_at(n).map(|b| b.close).unwrap_or(src.len());
    // Where the value is used, to tell a strict `=== null` test (which undefined fails).
    let strict;
    let (kind, what, at) = match use_at(line, s, e) {
        UseKind::Bound(v) => match src.uses(&v, n, e, end).into_iter().next() {
            Some(u) => {
                strict = src
                    .line(u.line)
                    .is_some_and(|l| strict_null_test(l.text, u.at, u.at + v.len()));
                (u.kind, v, format!("{path}:{}", u.line))
            }
            None => return Ok(()),
        },
        UseKind::Returned => {
            let (c, callee) =
                caller.ok_or("it is returned and no caller frame maps to a tracked file")?;
            let csrc = Source::new(&c.content, src.lang);
            let at = format!("{}:{}", c.path, c.line);
            let cline = csrc.line(c.line).ok_or_else(|| format!("{at} is gone"))?;
            let (cs, ce, _) = call_on(cline, callee).ok_or_else(|| {
                format!("it is returned and {at} has no single call of {callee}()")
            })?;
            let cend = csrc
                .function_at(c.line)
                .map(|b| b.close)
                .unwrap_or(csrc.len());
            let name = format!("{callee}(…)");
            match use_at(cline, cs, ce) {
                UseKind::Bound(v) => match csrc.uses(&v, c.line, ce, cend).into_iter().next() {
                    Some(u) => {
                        strict = csrc
                            .line(u.line)
                            .is_some_and(|l| strict_null_test(l.text, u.at, u.at + v.len()));
                        (u.kind, v, format!("{}:{}", c.path, u.line))
                    }
                    None => return Ok(()),
                },
                k => {
                    strict = strict_null_test(cline.text, cs, ce);
                    (k, name, at)
                }
            }
        }
        k => {
            strict = strict_null_test(line.text, s, e);
            (k, what, format!("{path}:{n}"))
        }
    };
    if strict && kind == UseKind::Tested && neutral == "undefined" {
        return Err(format!(
            "`{what}` is compared with null strictly (`=== null`), which undefined fails (at {at})"
        ));
    }
    match harm(&kind, &what, neutral) {
        None => Ok(()),
        Some(h) => Err(format!("{h} (at {at})")),
    }
}

/// Whether the expression at `s..e` of `text` is compared with `null` by `===` / `!==`: a test
/// that `undefined` (what optional chaining yields) does not pass.
fn strict_null_test(text: &str, s: usize, e: usize) -> bool {
    let after = text.get(e..).unwrap_or("").trim_start();
    let before = text.get(..s).unwrap_or("").trim_end();
    let strict = |t: &str| t.starts_with("===") || t.starts_with("!==");
    let null_after = |t: &str| {
        t.get(3..).map(str::trim_start).is_some_and(|r| {
            r.starts_with("null") && !r[4..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
        })
    };
    (strict(after) && null_after(after))
        || ((before.ends_with("===") || before.ends_with("!=="))
            && before[..before.len() - 3].trim_end().ends_with("null"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: &str = "'use strict';
/* helpers { not code
   still a comment } */
function label(order, opts) {
  const name = order.customer.name;
  for (const item of order.items) {
    if (item.qty) {
      total += item.price;
    }
  }
  return `#${order.id} ${name}`;
}
module.exports = { label };
";

    #[test]
    fn functions_and_loops_by_braces() {
        let src = Source::new(JS, Lang::Js);
        let f = src.function_at(5).unwrap();
        assert_eq!((f.open, f.close), (4, 12));
        assert_eq!(
            f.kind,
            BlockKind::Function {
                name: Some("label".into()),
                params: vec![Some("order".into()), Some("opts".into())]
            }
        );
        let l = src.loop_at(8).unwrap();
        assert_eq!((l.open, l.close), (6, 10));
        assert_eq!(
            l.kind,
            BlockKind::For {
                var: Some("item".into()),
                index: None,
                each: false
            }
        );
        assert!(src.loop_at(5).is_none());
        assert!(src.function_at(13).is_none());
        assert!(src.whole_statement(5));
        assert!(!src.whole_statement(2));
    }

    #[test]
    fn for_each_callbacks_are_loops_whose_next_is_return() {
        let js = "orders.forEach((order, i) => {\n  print(order);\n});\nlist.forEach(function (x) {\n  print(x);\n});\nitems.forEach(c -> {\n  print(c);\n});\n";
        for (n, var) in [(2, "order"), (5, "x"), (8, "c")] {
            let lang = if n == 8 { Lang::Java } else { Lang::Js };
            let src = Source::new(js, lang);
            let l = src.loop_at(n).unwrap();
            assert!(
                matches!(&l.kind, BlockKind::For { var: Some(v), each: true, .. } if v == var),
                "{l:?}"
            );
            assert_eq!(l.next_element(), "return;");
        }
    }

    #[test]
    fn java_methods_loops_and_lambdas() {
        let java = "class A {\n    static int f(final String s, java.util.List<String> l)\n        throws java.io.IOException {\n        for (String x : l) {\n            run(() -> {\n                use(x);\n            });\n        }\n        for (int i = 0; i < 3; i++) {\n            while (s.isEmpty()) {\n                g(i);\n            }\n        }\n        return 0;\n    }\n}\n";
        let src = Source::new(java, Lang::Java);
        let f = src.function_at(4).unwrap();
        assert_eq!(f.params(), &[Some("s".into()), Some("l".into())]);
        assert_eq!(f.open, 3);
        assert!(
            matches!(src.loop_at(5), Some(Block { kind: BlockKind::For { var: Some(v), .. }, .. }) if v == "x")
        );
        assert!(src.loop_at(6).is_none(), "inside a lambda");
        assert!(src.loop_at(11).is_none(), "inside a while");
        assert!(
            matches!(src.loop_at(10), Some(Block { kind: BlockKind::For { index: Some(i), .. }, .. }) if i == "i")
        );
        assert!(src.function_at(1).is_none());
    }

    #[test]
    fn uses_of_a_local() {
        let src = Source::new(JS, Lang::Js);
        let uses = src.uses("name", 5, 9, 12);
        assert_eq!(uses.len(), 1);
        assert_eq!(uses[0].kind, UseKind::Text);
        assert_eq!(uses[0].line, 11);
        let kinds = |line: &str, name: &str| {
            let src = Source::new(line, Lang::Js);
            src.uses(name, 1, 0, 1)
                .into_iter()
                .map(|u| u.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(kinds("if (!x) return;", "x"), vec![UseKind::Tested]);
        assert_eq!(kinds("const y = x ?? 1;", "x"), vec![UseKind::Tested]);
        assert_eq!(kinds("if (x == null) {", "x"), vec![UseKind::Tested]);
        assert_eq!(kinds("if (x) {", "x"), vec![UseKind::Tested]);
        assert_eq!(
            kinds("return x.length;", "x"),
            vec![UseKind::Member("length".into())]
        );
        assert_eq!(kinds("total = total + x;", "x"), vec![UseKind::Arithmetic]);
        assert_eq!(kinds("console.log('a', x);", "x"), vec![UseKind::Text]);
        assert_eq!(kinds("sb.append(x);", "x"), vec![UseKind::Text]);
        assert_eq!(kinds("return x;", "x"), vec![UseKind::Returned]);
        assert_eq!(kinds("send(x);", "x"), vec![UseKind::Other]);
        assert_eq!(kinds("x = 2; x.y;", "x"), vec![UseKind::Assigned]);
        assert_eq!(kinds("o.x + { x: 1 }", "x"), Vec::<UseKind>::new());
        let line = Line::new("  const n = a.b.c;", Lang::Js);
        assert_eq!(use_at(&line, 12, 17), UseKind::Bound("n".into()));
        let line = Line::new("  String n = a.b();", Lang::Java);
        assert_eq!(use_at(&line, 13, 18), UseKind::Bound("n".into()));
    }

    #[test]
    fn calls_callees_and_loggers() {
        let line = Line::new("  console.log(Greeter.badge(e.login, e.name));", Lang::Java);
        let (s, e, args) = call_on(&line, "badge").unwrap();
        assert_eq!(&line.text[s..e], "Greeter.badge(e.login, e.name)");
        assert_eq!(args, vec!["e.login", "e.name"]);
        assert_eq!(callee_name("app.Greeter.badge"), Some("badge"));
        assert_eq!(callee_name("Object.<anonymous>"), None);
        assert_eq!(callee_name("app.Main.lambda$main$0"), None);
        assert_eq!(
            rebase("order.customer", "order", "o").as_deref(),
            Some("o.customer")
        );
        assert_eq!(rebase("orders.x", "order", "o"), None);
        assert!(is_getter_chain("o.getCustomer().name"));
        assert!(is_getter_chain("o.isActive()"));
        assert!(!is_getter_chain("o.load()"));
        assert!(!is_getter_chain("o.getX(1)"));
        assert_eq!(logger("console.log(1);\n", Lang::Js), "console.error");
        let pino = "const log = require('./log');\nlog.error(err, 'x');\n";
        assert_eq!(logger(pino, Lang::Js), "console.error");
        let own = "const logger = makeLogger();\nlogger.error('x');\nlogger.warn(`y`);\n";
        assert_eq!(logger(own, Lang::Js), "logger.warn");
        let jul = "private static final Logger LOG = Logger.getLogger(A.class.getName());";
        assert_eq!(logger(jul, Lang::Java), "LOG.warning");
        let slf = "private static final Logger log = LoggerFactory.getLogger(A.class);";
        assert_eq!(logger(slf, Lang::Java), "log.warn");
        assert_eq!(logger("class A {}", Lang::Java), "System.err.println");
    }

    #[test]
    fn records_are_named_by_their_id() {
        let src = Source::new(JS, Lang::Js);
        let l = src.loop_at(8).unwrap();
        assert_eq!(
            record_id(&l, "x(item.id)", Lang::Js).as_deref(),
            Some("item.id")
        );
        assert_eq!(
            record_id(&l, "x(item.idx)", Lang::Js).as_deref(),
            Some("item")
        );
        let edit = insert_before(
            "a.js",
            JS,
            5,
            &guard(JS, "  ", "a == null", &["continue;".into()]),
        )
        .unwrap();
        assert_eq!(edit.new, "  if (a == null) {\n    continue;\n  }\n");
    }
}
