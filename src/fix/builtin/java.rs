//! Java generator: a helpful NullPointerException → a null-safe change that keeps the program
//! right, not only running.
//!
//! The message names what was null: a local or field (`because "name" is null`, `"c.address"`),
//! or a call's result (`because the return value of "com.acme.Invoice.getCustomer()" is null`),
//! and what was done with it (a method call, a field read, an array access). The access is
//! found on the failing line, then the change is chosen by what the code does with the value:
//! - `x.equals("LIT")` → `"LIT".equals(x)`: a null is not equal, always right;
//! - a boolean test whose result is only tested → `(x == null || x.isEmpty())`,
//!   `(x != null && x.startsWith(…))`;
//! - a call that is a statement of its own → skipped when the receiver is null;
//! - a String local or parameter used only as text afterwards → `""` before its first use;
//! - else statement-level: skip the record in this method's or the caller's loop, or return the
//!   method's own "nothing" when the caller tests for it (see [`super::braces`]);
//! - else nothing, with the reason: a neutral value would print `null` or a wrong number.
//!
//! Without a local variable table (`javac` without `-g`) the message says `"<local4>"`, which
//! names nothing in the source: no change then.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{self, callee_name, Missing, Source, UseKind};
use super::code::{is_ident, is_name_chain, Class, Lang, Line};
use crate::fix::edit::Edit;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

/// `NullPointerException` with a helpful message.
pub struct NullPointer;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"^Cannot (?:invoke "(?P<type>[^"(]+)\.(?P<method>[A-Za-z_$][\w$]*)\((?P<params>[^"]*)\)""#,
        r#"|read field "(?P<field>[\w$]+)"|read the array (?P<len>length)|load from \w+ (?P<arr>array))"#,
        r#" because (?:"(?P<recv>[^"]+)"|the return value of "(?P<rtype>[^"(]+)\.(?P<rmethod>[A-Za-z_$][\w$]*)\([^"]*\)") is null"#,
    ))
    .expect("valid regex")
});

/// Methods whose boolean result a null receiver can stand in for.
const TESTS: &[&str] = &[
    "isEmpty",
    "isBlank",
    "equals",
    "equalsIgnoreCase",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "containsKey",
    "containsValue",
];

/// The methods an implicit unboxing calls.
const UNBOX: &[&str] = &[
    "intValue",
    "longValue",
    "doubleValue",
    "floatValue",
    "shortValue",
    "byteValue",
    "booleanValue",
    "charValue",
];

/// String methods after which `""` behaves as "no text": the use is as text.
const TEXT_METHODS: &[&str] = &[
    "length",
    "isEmpty",
    "isBlank",
    "trim",
    "strip",
    "stripLeading",
    "stripTrailing",
    "toUpperCase",
    "toLowerCase",
    "concat",
    "repeat",
];

/// What was null and what was done with it, as found on the failing line.
struct Access {
    /// The null value's expression: a name chain, or a call (`invoice.getCustomer()`).
    expr: String,
    /// The failing access: from the expression's start to the end of the call / field / index.
    start: usize,
    end: usize,
    /// The method called on it, if a call.
    method: Option<String>,
    /// The invoked method's owner type (`String`, `java.util.List`).
    owner: String,
    /// Whether the access is an implicit unboxing (`int n = map.get(k)`).
    unboxed: bool,
}

impl Generator for NullPointer {
    fn name(&self) -> String {
        "java-npe".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Java",
            error: "`NullPointerException` with a helpful message (`Cannot invoke \"…\" because \"x\" is null`, fields, unboxing, arrays)",
        })
    }

    fn prior(&self) -> f64 {
        0.55
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Java) || cx.kind() != Some("NullPointerException") {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = MESSAGE.captures(cx.exception_message().trim()) else {
            return decline(format!(
                "the NullPointerException message '{}' does not name what was null (helpful NPE \
                 messages need Java 14+)",
                excerpt(cx.exception_message(), 80)
            ));
        };
        if caps
            .name("method")
            .is_some_and(|m| m.as_str() == "hashCode")
        {
            // `switch (s)` on a String calls `s.hashCode()` on a synthetic copy: the message
            // names `<localN>` even with `-g`, and the switch on the line is the evidence.
            if let Some(draft) = switch_on_null(cx, &caps)? {
                return Ok(draft);
            }
        }
        if let Some(recv) = caps.name("recv").map(|m| m.as_str()) {
            if recv.starts_with('<') || !is_name_chain(recv) {
                return decline(format!(
                    "the null value \"{recv}\" is not a name in the source (compiled without a \
                     local variable table: `javac -g` makes the message name it)"
                ));
            }
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        site.failed_here()?;
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let line = Line::new(text, Lang::Java);
        let access = find_access(site, &line, &caps)?;
        plan(cx, site, &line, &access)
    }
}

/// The null value's accesses on the line: all must be the same text.
fn find_access(site: &Site, line: &Line<'_>, caps: &regex::Captures<'_>) -> Result<Access, Skip> {
    let text = line.text;
    let b = line.bytes();
    let method = caps.name("method").map(|m| m.as_str().to_string());
    let owner = caps
        .name("type")
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    // `int t = map.get(k);` unboxes without a call in the source.
    let unboxed =
        owner.starts_with("java.lang.") && method.as_deref().is_some_and(|m| UNBOX.contains(&m));
    let tail = match (&method, caps.name("field"), caps.name("len")) {
        _ if unboxed => String::new(),
        (Some(m), _, _) => format!(".{m}("),
        (_, Some(f), _) => format!(".{}", f.as_str()),
        (_, _, Some(_)) => ".length".to_string(),
        _ => "[".to_string(),
    };
    let mut exprs: Vec<(usize, String)> = Vec::new();
    if let Some(recv) = caps.name("recv").map(|m| m.as_str()) {
        let mut names = vec![recv.to_string()];
        if let Some(field) = recv.strip_prefix("this.") {
            names.push(field.to_string());
        }
        for r in names {
            for s in line.find_code(&format!("{r}{tail}")) {
                let next = b.get(s + r.len()).copied().unwrap_or(b';');
                let used = unboxed && (is_ident(next) || b".([".contains(&next));
                if !used && (s == 0 || !(is_ident(b[s - 1]) || b[s - 1] == b'.')) {
                    exprs.push((s, r.clone()));
                }
            }
        }
    } else if let Some(rm) = caps.name("rmethod").map(|m| m.as_str()) {
        for s in line.find_code(&format!("{rm}(")) {
            if s > 0 && is_ident(b[s - 1]) {
                continue;
            }
            let open = s + rm.len();
            let (Some(close), Some(start)) = (line.matching_close(open), line.primary_start(open))
            else {
                continue;
            };
            if text[close + 1..].starts_with(&tail) && line.is_code(close + 1) {
                exprs.push((start, text[start..=close].to_string()));
            }
        }
    }
    let what = caps
        .name("recv")
        .or(caps.name("rmethod"))
        .map(|m| m.as_str())
        .unwrap_or("?");
    let Some((start, expr)) = exprs.first().cloned() else {
        return decline(format!(
            "{}:{} has no {what}{tail}… any more",
            site.path, site.line
        ));
    };
    if exprs.iter().any(|(_, e)| *e != expr) || exprs.len() > 1 {
        return decline(format!(
            "several {what}{tail}… on {}:{}",
            site.path, site.line
        ));
    }
    let after = start + expr.len() + tail.len();
    let end = match tail.as_bytes().last() {
        Some(b'(') | Some(b'[') => line.matching_close(after - 1).map(|c| c + 1),
        _ => Some(after).filter(|&e| !b.get(e).is_some_and(|&c| is_ident(c) || c == b'(')),
    };
    let Some(end) = end else {
        return decline(format!(
            "the access at {}:{} is not on one line",
            site.path, site.line
        ));
    };
    Ok(Access {
        expr,
        start,
        end,
        method,
        owner,
        unboxed,
    })
}

/// Choose the change (see the module docs for the order).
fn plan(cx: &Context<'_>, site: &Site, line: &Line<'_>, a: &Access) -> Result<Draft, Skip> {
    let text = line.text;
    let call = &text[a.start..a.end];
    let when = if a.unboxed {
        "it is unboxed to a primitive".to_string()
    } else {
        format!("`{call}` runs")
    };
    let head = format!(
        "NullPointerException at {}:{} in {}: `{}` is null when {when} (a value the data did \
         not provide).",
        site.path,
        site.line,
        site.frame.function.as_deref().unwrap_or("?"),
        a.expr
    );
    let src = Source::new(&site.content, Lang::Java);
    let callee = site.frame.function.as_deref().and_then(callee_name);
    let caller = braces::caller(cx);
    let flow = braces::fate(
        &site.path,
        &src,
        site.line,
        a.start,
        a.end,
        caller.as_ref().zip(callee),
        "null",
    );
    if let Some((new, why)) = map_default(cx, site, line, a) {
        return Draft::on_line(
            site,
            &new,
            format!("{head} {why}"),
            "default-from-code",
            false,
        );
    }
    // A value-level rewrite that is right whatever the value (`"LIT".equals(x)`) comes
    // before a default for a String; an unboxed number has none.
    let value = value_change(site, line, a, flow.is_ok()).filter(|_| !a.unboxed);
    if let Some((new, why)) = constant_default(site, line, a).filter(|_| value.is_none()) {
        let mut draft = Draft::on_line(
            site,
            &new,
            format!("{head} {why}"),
            "default-from-code",
            false,
        )?;
        if new.contains("Objects.requireNonNullElse(") {
            if let Some(import) = import_edit(&site.path, &site.content, "java.util.Objects") {
                draft.edits.insert(0, import);
            }
        }
        return Ok(draft);
    }
    if let Some((new, why)) = value {
        return Draft::on_line(site, &new, format!("{head} {why}"), "value-guard", false);
    }
    let mut reasons = vec![match &flow {
        Ok(()) => "no neutral value is known for it".to_string(),
        Err(why) => format!("a neutral value is not handled after it: {why}"),
    }];
    match text_default(site, &src, a) {
        Ok((edit, why)) => {
            return Ok(Draft {
                edits: vec![edit],
                description: format!("{head} {why}"),
                at_column: Some(false),
                strategy: strategy("value-guard"),
            })
        }
        Err(why) => reasons.push(why),
    }
    statement_level(site, &src, a, caller.as_ref(), callee, &head, reasons)
}

/// The value-level rewrites that are right whatever follows: the literal's `equals`, a test
/// whose result is only tested (`tested`), a call whose result is discarded. The new line and
/// why it is safe.
fn value_change(
    site: &Site,
    line: &Line<'_>,
    a: &Access,
    tested: bool,
) -> Option<(String, String)> {
    // Whatever the receiver is (`u.role()` too), it is still evaluated once.
    if let Some(new) = literal_equals(line, a) {
        let why = format!(
            "`{}` compares the literal with it instead: a null is simply not equal, which is \
             what the test means.",
            excerpt(new.trim(), 80)
        );
        return Some((new, why));
    }
    if !is_name_chain(&a.expr) {
        return None;
    }
    if let Some(found) = empty_test(site, line, a) {
        return Some(found);
    }
    let text = line.text;
    let call = &text[a.start..a.end];
    let method = a.method.as_deref().unwrap_or("");
    if tested && TESTS.contains(&method) {
        let empty = method == "isEmpty" || method == "isBlank";
        let guarded = if empty {
            format!("{} == null || {call}", a.expr)
        } else {
            format!("{} != null && {call}", a.expr)
        };
        let guarded = if line.sole_item(a.start, a.end) {
            guarded
        } else {
            format!("({guarded})")
        };
        let mut new = text.to_string();
        new.replace_range(a.start..a.end, &guarded);
        let counts = if empty { "empty" } else { "not matching" };
        let why = format!(
            "The result of `{method}` is only tested, so a null `{}` now counts as {counts}.",
            a.expr
        );
        return Some((new, why));
    }
    if braces::use_at(line, a.start, a.end) == UseKind::Discarded && line.balanced() {
        let cond = format!("{} != null", a.expr);
        let lines = braces::guard(
            &site.content,
            line.indent(),
            &cond,
            &[text.trim().to_string()],
        );
        let why = format!(
            "The call is a statement of its own and its result is not used, so it is skipped \
             when `{}` is null (nothing to notify or update).",
            a.expr
        );
        return Some((lines.join("\n"), why));
    }
    None
}

/// `map.get(key)` unboxed → `map.getOrDefault(key, d)` where the code base defines `d` for
/// that key: a `getOrDefault(key, d)` elsewhere in the repository, or a `DEFAULT_KEY` constant
/// of the failing file.
fn map_default(
    cx: &Context<'_>,
    site: &Site,
    line: &Line<'_>,
    a: &Access,
) -> Option<(String, String)> {
    if !a.unboxed {
        return None;
    }
    let open = a.expr.find(".get(")?;
    let (receiver, key) = (&a.expr[..open], &a.expr[open + 5..a.expr.len() - 1]);
    if braces::split_top(key).len() != 1 || !is_name_chain(receiver) {
        return None;
    }
    let uses = Regex::new(&format!(
        r"getOrDefault\(\s*{}\s*,\s*([^()]+?)\s*\)",
        regex::escape(key)
    ))
    .ok()?;
    let mut found: Vec<(String, String)> = Vec::new();
    for path in cx.repo.files().iter().filter(|p| p.ends_with(".java")) {
        let content = cx.repo.read(path).unwrap_or_default();
        for (n, l) in content.lines().enumerate() {
            for c in uses.captures_iter(l) {
                found.push((
                    c[1].to_string(),
                    format!("the same key's fallback at {path}:{}", n + 1),
                ));
            }
        }
    }
    let word = super::code::constant_case(key.trim_matches('"'));
    let constant = format!("DEFAULT_{word}");
    let defined = Regex::new(&format!(
        r"\bstatic\s+final\s+[\w<>]+\s+{}\s*=",
        regex::escape(&constant)
    ))
    .ok()?;
    if found.is_empty() && key.starts_with('"') && defined.is_match(&site.content) {
        found.push((
            constant.clone(),
            format!("{constant}, which {} defines", site.path),
        ));
    }
    let (value, source) = found.first()?.clone();
    if found.iter().any(|(v, _)| *v != value) {
        return None;
    }
    let mut new = line.text.to_string();
    new.replace_range(
        a.start..a.end,
        &format!("{receiver}.getOrDefault({key}, {value})"),
    );
    let why = format!(
        "The map has no entry for {key}; the code base's default for it is `{value}` \
         ({source}), so the lookup falls back to it instead of unboxing null."
    );
    Some((new, why))
}

/// An unboxed null whose default the file defines as a constant named after the value or the
/// local it goes to (`int workers = pools.get(region)` with `DEFAULT_WORKERS`, `s.retries` with
/// `DEFAULT_RETRIES`): `map.getOrDefault(k, D)` for a lookup, else
/// `Objects.requireNonNullElse(x, D)`.
fn constant_default(site: &Site, line: &Line<'_>, a: &Access) -> Option<(String, String)> {
    // A null String gets a String constant (`user.getTimezone()` → `DEFAULT_TIMEZONE`).
    let text = !a.unboxed && (a.owner == "String" || a.owner == "java.lang.String");
    if !a.unboxed && !text {
        return None;
    }
    static LOCAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:final\s+)?(?:int|long|double|float|short)\s+([A-Za-z_$][\w$]*)\s*=\s*")
            .expect("valid regex")
    });
    let mut words = Vec::new();
    if is_name_chain(&a.expr) {
        words.push(a.expr.rsplit('.').next().unwrap_or(&a.expr).to_string());
    }
    static GETTER: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\.(?:(?:get|find|load|read)(?P<word>[A-Z][\w$]*)\(\)|get\(\s*"(?P<key>[\w.-]+)"\s*\))$"#)
            .expect("valid regex")
    });
    if let Some(c) = GETTER.captures(&a.expr) {
        if let Some(w) = c.name("word").or(c.name("key")) {
            words.push(w.as_str().to_string());
        }
    }
    if let Some(c) = LOCAL.captures(line.text).filter(|_| a.unboxed) {
        // Only when the unboxed value is the whole initializer: `int n = m.get(k);`.
        let rest = line.text[a.end..].trim();
        if c.get(0).is_some_and(|m| m.end() == a.start) && rest == ";" {
            words.push(c[1].to_string());
        }
    }
    let mut found: Vec<String> = Vec::new();
    for word in &words {
        let constant = format!("DEFAULT_{}", super::code::constant_case(word));
        let defined = Regex::new(&format!(
            r"\bstatic\s+final\s+{}\s+{}\s*=",
            if text {
                "(?:java\\.lang\\.)?String"
            } else {
                "(?:int|long|double|float|short|Integer|Long|Double)"
            },
            regex::escape(&constant)
        ))
        .ok()?;
        if defined.is_match(&site.content) && !found.contains(&constant) {
            found.push(constant);
        }
    }
    let [constant] = found.as_slice() else {
        return None;
    };
    let replaced = match a.expr.find(".get(") {
        Some(open) if a.expr.ends_with(')') => {
            let (receiver, key) = (&a.expr[..open], &a.expr[open + 5..a.expr.len() - 1]);
            if braces::split_top(key).len() != 1 || !is_name_chain(receiver) {
                return None;
            }
            format!("{receiver}.getOrDefault({key}, {constant})")
        }
        _ if is_name_chain(&a.expr) || text => {
            format!("Objects.requireNonNullElse({}, {constant})", a.expr)
        }
        _ => return None,
    };
    let mut new = line.text.to_string();
    new.replace_range(a.start..a.start + a.expr.len(), &replaced);
    let why =
        format!(
        "{} defines `{constant}` as the value to use when none is given, so `{}` falls back to \
         it instead of {}.",
        site.path,
        a.expr,
        if text { "being used as null" } else { "unboxing null" }
    );
    Some((new, why))
}

/// An early exit for "no elements": `if (xs.length == 0) { return null; }`, `if (xs.isEmpty())
/// continue;`. A missing array or collection has no elements either, so `xs == null || ` in
/// front of the test sends it down the same path, the method's own answer for "none".
fn empty_test(site: &Site, line: &Line<'_>, a: &Access) -> Option<(String, String)> {
    let text = line.text;
    let access = &text[a.start..a.end];
    let rest = &text[a.end..];
    let test_end = match access.strip_prefix(a.expr.as_str())? {
        ".length" | ".size()" | ".length()" => {
            let zero = EMPTY_COMPARISON.find(rest)?;
            a.end + zero.end()
        }
        ".isEmpty()" | ".isBlank()" => a.end,
        _ => return None,
    };
    let cond = IF_HEAD.captures(text)?;
    let (c0, c1) = (cond.get(1)?.start(), cond.get(1)?.end());
    if a.start < c0 || test_end > c1 || !line.is_code(a.start) {
        return None;
    }
    // Only a disjunction of tests: `a || xs.length == 0`, never under `&&` or `!`.
    let inside = &text[c0..c1];
    if inside.contains("&&") || inside.contains('!') && !inside.contains("!=") {
        return None;
    }
    let before = text[c0..a.start].trim_end();
    let after = text[test_end..c1].trim_start();
    if !(before.is_empty() || before.ends_with("||"))
        || !(after.is_empty() || after.starts_with("||"))
    {
        return None;
    }
    let body = match cond.get(2).map(|m| m.as_str().trim()) {
        Some(b) if !b.is_empty() && b != "{" => b.to_string(),
        _ => {
            // The block's one statement, then its closing brace.
            let src = Source::new(&site.content, Lang::Java);
            let next = src.line(site.line + 1)?.text.trim().to_string();
            let close = src.line(site.line + 2)?.text.trim().to_string();
            if close != "}" {
                return None;
            }
            next
        }
    };
    if !EXIT_FOR_NONE.is_match(&body) {
        return None;
    }
    let mut new = text.to_string();
    new.insert_str(a.start, &format!("{} == null || ", a.expr));
    let why = format!(
        "The test `{}` already sends \"no elements\" to `{}`; a missing `{}` has none either, so \
         it takes the same path instead of failing.",
        excerpt(&text[a.start..test_end], 60),
        excerpt(&body, 40),
        a.expr
    );
    Some((new, why))
}

static EMPTY_COMPARISON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:==\s*0|<\s*1|<=\s*0)\b").expect("valid regex"));

/// `if (COND) {` or `if (COND) STATEMENT`: the condition and what follows it.
static IF_HEAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:\}\s*)?(?:else\s+)?if\s*\((.*)\)\s*(\{|[^{}]*;)\s*$").expect("valid regex")
});

/// The answers for "none" a method already gives: `return null;`, an empty Optional or
/// collection, or the next record of a loop.
static EXIT_FOR_NONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:return\s*(?:null|Optional\.empty\(\)|Collections\.empty\w*\(\)|List\.of\(\)|Map\.of\(\)|Set\.of\(\))?\s*;|continue\s*;)$")
        .expect("valid regex")
});

/// `switch (sel)` on a String that is null: the switch's `default` is already the answer for a
/// value none of its cases names, so the selector becomes `Objects.requireNonNullElse(sel, "")`
/// (Java 17 has no `case null`) when `""` is no case label and the default does not read the
/// selector. `None` when the line holds no switch (the message is then read as usual).
fn switch_on_null(cx: &Context<'_>, caps: &regex::Captures<'_>) -> Result<Option<Draft>, Skip> {
    let owner = caps.name("type").map(|m| m.as_str()).unwrap_or("");
    if owner != "String" && owner != "java.lang.String" {
        return Ok(None);
    }
    let Some(site) = cx.site.as_ref() else {
        return Ok(None);
    };
    let Some(text) = site.line_text() else {
        return Ok(None);
    };
    let line = Line::new(text, Lang::Java);
    let b = line.bytes();
    let Some(at) = line
        .find_code("switch")
        .into_iter()
        .find(|&s| (s == 0 || !is_ident(b[s - 1])) && !b.get(s + 6).is_some_and(|&c| is_ident(c)))
    else {
        return Ok(None);
    };
    site.failed_here()?;
    let Some((open, _)) = line.next_non_space(at + 6).filter(|&(_, c)| c == b'(') else {
        return decline(format!(
            "the switch at {}:{} has no selector on its line",
            site.path, site.line
        ));
    };
    let Some(close) = line.matching_close(open) else {
        return decline(format!(
            "the switch selector at {}:{} is not on one line",
            site.path, site.line
        ));
    };
    if line.next_non_space(close + 1).map(|(_, c)| c) != Some(b'{') {
        return decline(format!(
            "the switch block at {}:{} does not open on its line",
            site.path, site.line
        ));
    }
    let selector = text[open + 1..close].trim().to_string();
    let src = Source::new(&site.content, Lang::Java);
    let mut depth = 0i32;
    let mut labels: Vec<String> = Vec::new();
    let mut default: Option<Vec<String>> = None;
    let mut in_default = false;
    let mut n = site.line;
    'lines: while let Some(l) = src.line(n) {
        let from = if n == site.line { close + 1 } else { 0 };
        let at_depth_one = depth == 1;
        let code = l.text.trim();
        if n > site.line && at_depth_one {
            if let Some(label) = code.strip_prefix("case ") {
                in_default = false;
                labels.push(label.to_string());
            } else if code.starts_with("default:") || code.starts_with("default ->") {
                in_default = true;
                default = Some(Vec::new());
            }
        }
        if in_default {
            if let Some(d) = default.as_mut() {
                d.push(code.to_string());
            }
        }
        for (i, &c) in l.bytes().iter().enumerate().skip(from) {
            if !l.is_code(i) {
                continue;
            }
            match c {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        break 'lines;
                    }
                }
                _ => {}
            }
        }
        n += 1;
    }
    let Some(default) = default else {
        return decline(format!(
            "the switch on `{}` at {}:{} has no `default`: nothing in it says what a missing value means",
            excerpt(&selector, 40),
            site.path,
            site.line
        ));
    };
    if labels.iter().any(|l| l.contains("\"\"")) {
        return decline(format!(
            "the switch at {}:{} has a case for \"\"",
            site.path, site.line
        ));
    }
    if !labels.iter().all(|l| l.trim_start().starts_with('"')) {
        return decline(format!(
            "the switch at {}:{} is not on String literals",
            site.path, site.line
        ));
    }
    let body = default.join("\n");
    let reads = Regex::new(&format!(r"(^|[^\w.]){}\b", regex::escape(&selector)))
        .is_ok_and(|r| r.is_match(&body));
    if body.contains("throw ") || reads {
        return decline(format!(
            "the `default` of the switch at {}:{} {}: it is not an answer for a missing value",
            site.path,
            site.line,
            if body.contains("throw ") {
                "throws"
            } else {
                "uses the selector"
            }
        ));
    }
    let mut new = text.to_string();
    new.replace_range(
        open + 1..close,
        &format!("Objects.requireNonNullElse({selector}, \"\")"),
    );
    let mut draft = Draft::on_line(
        site,
        &new,
        format!(
            "NullPointerException at {}:{} in {}: the String switch on `{}` got null (a String \
             switch calls hashCode() on its selector). The switch's `default` already answers for \
             values none of its cases names, and no case is \"\", so the selector falls back to \
             \"\" and a missing value takes the default path instead of failing.",
            site.path,
            site.line,
            site.frame.function.as_deref().unwrap_or("?"),
            excerpt(&selector, 60)
        ),
        "value-guard",
        true,
    )?;
    if let Some(import) = import_edit(&site.path, &site.content, "java.util.Objects") {
        draft.edits.insert(0, import);
    }
    Ok(Some(draft))
}

/// The edit that imports `class` into a Java file, in order among its imports; `None` when it
/// is imported already (or through `pkg.*`).
pub(super) fn import_edit(path: &str, content: &str, class: &str) -> Option<Edit> {
    let pkg = &class[..class.rfind('.')?];
    let lines: Vec<&str> = content.lines().collect();
    let imports: Vec<(usize, &str)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| {
            l.trim()
                .strip_prefix("import ")
                .map(|r| (i, r.trim_end_matches(';').trim()))
        })
        .collect();
    if imports
        .iter()
        .any(|(_, i)| *i == class || *i == format!("{pkg}.*"))
    {
        return None;
    }
    let decl = format!("import {class};");
    let at = match imports
        .iter()
        .find(|(_, i)| !i.starts_with("static ") && *i > class)
    {
        Some((i, _)) => *i + 1,
        None => match imports.last() {
            Some((i, _)) => *i + 2,
            None => {
                let package = lines
                    .iter()
                    .position(|l| l.trim_start().starts_with("package "));
                return match package {
                    Some(p) => {
                        braces::insert_before(path, content, p as u32 + 2, &["".into(), decl])
                    }
                    None => braces::insert_before(path, content, 1, &[decl, "".into()]),
                };
            }
        },
    };
    braces::insert_before(path, content, at as u32, &[decl])
}

/// `x.equals("LIT")` / `x.equalsIgnoreCase("LIT")` → `"LIT".equals(x)`.
fn literal_equals(line: &Line<'_>, a: &Access) -> Option<String> {
    let method = a.method.as_deref()?;
    if method != "equals" && method != "equalsIgnoreCase" {
        return None;
    }
    let open = a.start + a.expr.len() + method.len() + 1;
    let arg = &line.text[open + 1..a.end - 1];
    let literal = arg.len() >= 2
        && arg.starts_with('"')
        && (open + 1..a.end - 1).all(|i| line.class[i] == Class::Str);
    if !literal {
        return None;
    }
    let mut new = line.text.to_string();
    new.replace_range(a.start..a.end, &format!("{arg}.{method}({})", a.expr));
    Some(new)
}

/// A null String local or parameter used only as text from its first use on becomes `""`
/// there: `""` has length 0 and prints nothing, so the output keeps its shape.
fn text_default(site: &Site, src: &Source<'_>, a: &Access) -> Result<(Edit, String), String> {
    let name = a.expr.as_str();
    let string = a.owner == "String" || a.owner == "java.lang.String";
    if !string || name.contains('.') || !is_name_chain(name) {
        return Err(format!("`{name}` is not a String local or parameter"));
    }
    let f = src
        .function_at(site.line)
        .ok_or("the failing line is in no method")?;
    let declared = Regex::new(&format!(
        r"(^|[(,]\s*|\s)(final\s+)?(java\.lang\.)?String\s+{name}\s*([=,);:]|$)"
    ))
    .map_err(|e| e.to_string())?;
    let decl = (f.open..site.line)
        .find(|&n| declared.is_match(src.code(n)) || (n == f.open && declared.is_match(&f.header)))
        .ok_or_else(|| format!("`{name}` is not declared as a String in the method"))?;
    let is_final = declared
        .captures(src.code(decl))
        .or_else(|| declared.captures(&f.header))
        .is_some_and(|c| c.get(2).is_some());
    if is_final {
        return Err(format!("`{name}` is final"));
    }
    let from = if decl == f.open { f.open + 1 } else { decl + 1 };
    let uses = src.uses(name, from, 0, f.close);
    let upto: Vec<_> = uses
        .iter()
        .take_while(|u| u.kind != UseKind::Assigned)
        .collect();
    for u in &upto {
        let why = match &u.kind {
            UseKind::Text => continue,
            UseKind::Member(m) if TEXT_METHODS.contains(&m.as_str()) => match text_result(src, u) {
                None => continue,
                Some(k) => format!("`{name}.{m}(…)` is {}", describe(&k)),
            },
            k => format!("`{name}` is {}", describe(k)),
        };
        return Err(format!("{why}, not text (at {}:{})", site.path, u.line));
    }
    let first = upto.first().map(|u| u.line).unwrap_or(site.line);
    let block = |n: u32| src.blocks_at(n, 0).first().map(|b| b.open);
    let at = if block(first) == block(site.line) && src.whole_statement(first) {
        first
    } else {
        site.line
    };
    if at != first || !src.whole_statement(at) {
        return Err(format!(
            "`{name}` is first used at {}:{} in another block",
            site.path, first
        ));
    }
    let indent = src.line(at).map(|l| l.indent()).unwrap_or("").to_string();
    let lines = braces::guard(
        &site.content,
        &indent,
        &format!("{name} == null"),
        &[format!("{name} = \"\";")],
    );
    let edit =
        braces::insert_before(&site.path, &site.content, at, &lines).ok_or("the line is gone")?;
    Ok((
        edit,
        format!(
            "Every use of `{name}` from {}:{at} on is as text (its length, appended, \
             concatenated or printed), so a missing one becomes \"\" there: it has length 0 and \
             prints nothing, and the output keeps its shape instead of showing 'null'.",
            site.path
        ),
    ))
}

/// Whether the String method chain starting at use `u` (`s.trim().length()`) ends in a number or
/// test, or in text that is formatted into output, where `""` is as good as no text: `None`,
/// else what is done with it.
fn text_result(src: &Source<'_>, u: &braces::Use) -> Option<UseKind> {
    let line = src.line(u.line)?;
    let Some(end) = line.primary_end(u.at) else {
        return Some(UseKind::Other);
    };
    let chain = &line.text[u.at..end];
    let last = chain
        .trim_end_matches(|c| c != '(')
        .trim_end_matches('(')
        .rsplit('.')
        .next()
        .unwrap_or("");
    match braces::use_at(line, u.at, end) {
        _ if matches!(last, "length" | "isEmpty" | "isBlank") => None,
        UseKind::Text | UseKind::Tested => None,
        k => Some(k),
    }
}

/// What a use does, in words.
fn describe(kind: &UseKind) -> &'static str {
    match kind {
        UseKind::Tested => "tested",
        UseKind::Member(_) => "read from",
        UseKind::Called => "called",
        UseKind::Text => "printed",
        UseKind::Arithmetic => "used as a number",
        UseKind::Returned => "returned",
        UseKind::Bound(_) => "stored",
        UseKind::Discarded => "discarded",
        UseKind::Assigned => "assigned",
        UseKind::Other => "passed on (as a key or argument)",
    }
}

/// Skip the record or return the method's own "nothing"; a call result is bound to a local first.
fn statement_level(
    site: &Site,
    src: &Source<'_>,
    a: &Access,
    caller: Option<&braces::Caller>,
    callee: Option<&str>,
    head: &str,
    mut reasons: Vec<String>,
) -> Result<Draft, Skip> {
    let text = src.line(site.line).map(|l| l.text).unwrap_or("");
    let mut expr = a.expr.clone();
    let mut bind = None;
    if !is_name_chain(&a.expr) {
        let Some(local) = local_for(src, site.line, &a.expr) else {
            reasons.push(format!("no free local name to hold `{}`", a.expr));
            return decline(format!("{head} No fix: {}", reasons.join("; ")));
        };
        let indent = src.line(site.line).map(|l| l.indent()).unwrap_or("");
        let mut new = text.to_string();
        new.replace_range(a.start..a.start + a.expr.len(), &local);
        bind = Some((format!("{indent}var {local} = {};", a.expr), new));
        expr = local;
    }
    let missing = Missing {
        path: &site.path,
        content: &site.content,
        src,
        line: site.line,
        expr,
        what: a.expr.clone(),
        neutral: "null",
        bind,
    };
    braces::statement_draft(&missing, caller, callee, head, reasons, false)
}

/// A local name for the result of `call` (`invoice.getCustomer()` → `customer`) that the
/// method does not use yet.
fn local_for(src: &Source<'_>, line: u32, call: &str) -> Option<String> {
    // The argument list that closes the call: `get(s.country())` holds calls of its own.
    let mut depth = 0;
    let open = call.char_indices().rev().find_map(|(i, c)| {
        match c {
            ')' => depth += 1,
            '(' => depth -= 1,
            _ => {}
        }
        (depth == 0).then_some(i)
    })?;
    let method = call[..open].rsplit('.').next()?;
    // `ZONES.get(k)` holds a zone, `byUser.get(u)` / `cache.get(k)` what the map holds.
    if method == "get" && !call[open + 1..call.len() - 1].trim().is_empty() {
        let receiver = call[..open].strip_suffix(".get")?;
        let last = receiver.rsplit('.').next()?;
        let lower = if last.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            // `ZONE_NAMES` → `zoneNames`.
            let mut out = String::new();
            for (i, part) in last.split('_').filter(|p| !p.is_empty()).enumerate() {
                let part = part.to_ascii_lowercase();
                match i {
                    0 => out.push_str(&part),
                    _ => {
                        out.push_str(&part[..1].to_ascii_uppercase());
                        out.push_str(&part[1..]);
                    }
                }
            }
            out
        } else {
            let mut l: String = last.chars().take(1).flat_map(char::to_lowercase).collect();
            l.push_str(&last[last.chars().next()?.len_utf8()..]);
            l
        };
        let name = match lower.strip_suffix('s') {
            Some(one) if one.len() > 2 && !one.ends_with('s') => one.to_string(),
            _ => format!("{lower}Value"),
        };
        let f = src.function_at(line)?;
        let used = Regex::new(&format!(r"\b{}\b", regex::escape(&name))).ok()?;
        let taken = (f.open..=f.close).any(|n| used.is_match(src.code(n)));
        return (!taken && is_name_chain(&name) && !name.contains('.')).then_some(name);
    }
    let base = ["get", "find", "load", "fetch", "lookup", "read"]
        .iter()
        .find_map(|p| {
            method
                .strip_prefix(p)
                .filter(|r| r.starts_with(|c: char| c.is_ascii_uppercase()))
        })
        .unwrap_or(method);
    let mut name: String = base.chars().take(1).flat_map(char::to_lowercase).collect();
    name.push_str(&base[base.chars().next()?.len_utf8()..]);
    let f = src.function_at(line)?;
    let used = Regex::new(&format!(r"\b{}\b", regex::escape(&name))).ok()?;
    let taken = (f.open..=f.close).any(|n| used.is_match(src.code(n)));
    (!taken && is_name_chain(&name) && name != method).then_some(name)
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    /// `lines` as the body of a method; the trace points at its last line.
    fn npe(lines: &str, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("package app;\nclass A {{\n  int f(String s, java.util.List<String> l) {{\n{lines}\n  }}\n}}\n");
        let at = 3 + lines.lines().count();
        let trace = format!(
            "Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:{at})\n\tat app.A.main(A.java:99)"
        );
        propose(&[("src/main/java/app/A.java", &src)], &trace)
    }

    #[test]
    fn null_safe_calls_where_the_value_is_only_tested() {
        let (sols, notes) = npe(
            "    if (s.equals(\"x\")) return 1;",
            "Cannot invoke \"String.equals(Object)\" because \"s\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (\"x\".equals(s)) return 1;"],
            "{notes:?}"
        );
        // A method's null result compared with a literal: the same idiom.
        let (sols, notes) = npe(
            "    if (u.role().equals(\"admin\")) return 1;",
            "Cannot invoke \"String.equals(Object)\" because the return value of \"app.User.role()\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (\"admin\".equals(u.role())) return 1;"],
            "{notes:?}"
        );
        let (sols, _) = npe(
            "    if (s.startsWith(\"x\")) return 1;",
            "Cannot invoke \"String.startsWith(String)\" because \"s\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (s != null && s.startsWith(\"x\")) return 1;"]
        );
        let (sols, _) = npe(
            "    if (!s.isEmpty()) return 1;",
            "Cannot invoke \"String.isEmpty()\" because \"s\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (!(s == null || s.isEmpty())) return 1;"]
        );
        let (sols, _) = npe(
            "    l.clear();",
            "Cannot invoke \"java.util.List.clear()\" because \"l\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (l != null) {", "      l.clear();", "    }"]
        );
    }

    #[test]
    fn a_string_used_only_as_text_becomes_empty() {
        let (sols, notes) = npe(
            "    return s.length() + l.size();",
            "Cannot invoke \"String.length()\" because \"s\" is null",
        );
        assert!(!sols.is_empty(), "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (s == null) {", "      s = \"\";", "    }"],
            "{notes:?}"
        );
        // Before its first use, when that is earlier in the same block.
        let (sols, _) = npe(
            "    String t = \"[\" + s + \"]\";\n    return t.length() - s.trim().length();",
            "Cannot invoke \"String.trim()\" because \"s\" is null",
        );
        let diff = &sols[0].diff;
        assert!(
            diff.contains("+    if (s == null) {\n+      s = \"\";\n+    }\n     String t"),
            "{diff}"
        );
    }

    fn loop_npe(body: &str, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("package app;\nclass A {{\n  void f(java.util.List<Inv> l) {{\n    for (Inv i : l) {{\n{body}\n    }}\n  }}\n}}\n");
        let trace = format!(
            "Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:5)\n\tat app.A.main(A.java:20)"
        );
        propose(&[("src/main/java/app/A.java", &src)], &trace)
    }

    #[test]
    fn statement_level_skips_in_a_loop() {
        let (sols, notes) = loop_npe(
            "      System.out.println(i.getCustomer().getName());",
            "Cannot invoke \"app.Customer.getName()\" because the return value of \"app.Inv.getCustomer()\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "      var customer = i.getCustomer();",
                "      if (customer == null) {",
                "        System.err.println(\"skipping i \" + i + \": i.getCustomer() is null\");",
                "        continue;",
                "      }",
                "      System.out.println(customer.getName());",
            ],
            "{notes:?}"
        );
        let (sols, notes) = loop_npe(
            "      System.out.println(i.id + i.address.city);",
            "Cannot read field \"city\" because \"i.address\" is null",
        );
        assert_eq!(
            added(&sols[0].diff)[..3],
            [
                "      if (i.address == null) {",
                "        System.err.println(\"skipping i \" + i.id + \": i.address is null\");",
                "        continue;",
            ],
            "{notes:?}"
        );
    }

    #[test]
    fn an_unboxed_map_lookup_gets_the_code_bases_default() {
        let msg = "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null";
        let src = "package app;\nclass A {\n  static final int DEFAULT_TIMEOUT = 30;\n  int f(java.util.Map<String, Integer> cfg) {\n    int t = cfg.get(\"timeout\");\n    return t * 2;\n  }\n}\n";
        let trace = format!("Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:5)\n\tat app.A.main(A.java:99)");
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], &trace);
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int t = cfg.getOrDefault(\"timeout\", DEFAULT_TIMEOUT);"],
            "{notes:?}"
        );
        let other = "class B { int g(java.util.Map<String, Integer> m) { return m.getOrDefault(\"timeout\", 15); } }\n";
        let src = src.replace("DEFAULT_TIMEOUT = 30", "LIMIT = 30");
        let (sols, notes) = propose(
            &[
                ("src/main/java/app/A.java", &src),
                ("src/main/java/app/B.java", other),
            ],
            &trace,
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int t = cfg.getOrDefault(\"timeout\", 15);"],
            "{notes:?}"
        );
        assert!(
            sols[0].description.contains("B.java:1"),
            "{}",
            sols[0].description
        );
        // No default anywhere: the number is not made up.
        let (sols, notes) = propose(&[("src/main/java/app/A.java", &src)], &trace);
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("used as a number")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_getter_chain_is_tested_in_the_callers_loop() {
        let src = "package app;\nclass A {\n  static String f(Inv o) {\n    return o.getCustomer().getName();\n  }\n  static void g(java.util.List<Inv> l) {\n    for (Inv i : l) {\n      System.out.println(f(i));\n    }\n  }\n}\n";
        let trace = "Exception in thread \"main\" java.lang.NullPointerException: Cannot invoke \"app.Customer.getName()\" because the return value of \"app.Inv.getCustomer()\" is null\n\tat app.A.f(A.java:4)\n\tat app.A.g(A.java:8)";
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], trace);
        assert_eq!(
            added(&sols[0].diff)[0],
            "      if (i.getCustomer() == null) {",
            "{notes:?}"
        );
        assert!(added(&sols[0].diff)[1].contains("i.getCustomer() is null"));
    }

    #[test]
    fn a_string_switch_on_null_takes_its_default() {
        let src = "package app;\n\nimport java.util.List;\n\nclass A {\n  static int f(String k) {\n    switch (k) {\n      case \"a\":\n        return 1;\n      default:\n        return 0;\n    }\n  }\n}\n";
        let trace = "Exception in thread \"main\" java.lang.NullPointerException: Cannot invoke \"String.hashCode()\" because \"<local1>\" is null\n\tat app.A.f(A.java:7)\n\tat app.A.main(A.java:99)";
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], trace);
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "import java.util.Objects;",
                "    switch (Objects.requireNonNullElse(k, \"\")) {"
            ],
            "{notes:?}"
        );
        // A default that throws, or a case for "", is no answer for a missing value.
        for (from, to, why) in [
            ("return 0;", "throw new IllegalStateException();", "throws"),
            ("case \"a\":", "case \"\":", "a case for"),
            ("return 0;", "return k.length();", "uses the selector"),
        ] {
            let (sols, notes) = propose(
                &[("src/main/java/app/A.java", &src.replace(from, to))],
                trace,
            );
            assert!(sols.is_empty(), "{}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{notes:?}");
        }
    }

    #[test]
    fn an_emptiness_test_takes_a_null_array_to_its_early_exit() {
        let (sols, notes) = npe(
            "    String[] a = l.toArray(new String[0]);\n    if (a.length == 0) {\n      return 0;\n    }",
            "Cannot read the array length because \"a\" is null",
        );
        // `return 0` is not one of the method's "nothing" answers: nothing is said for null.
        assert!(sols.is_empty(), "{}", sols[0].diff);
        let src = "package app;\nclass A {\n  String f(java.util.Map<String, String[]> m, String k) {\n    String[] a = m.get(k);\n    if (a.length == 0) {\n      return null;\n    }\n    return a[0];\n  }\n}\n";
        let trace = "Exception in thread \"main\" java.lang.NullPointerException: Cannot read the array length because \"a\" is null\n\tat app.A.f(A.java:5)\n\tat app.A.main(A.java:99)";
        let (sols, _) = propose(&[("src/main/java/app/A.java", src)], trace);
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (a == null || a.length == 0) {"],
            "{notes:?}"
        );
        // Under `&&` the null would not take the exit.
        let src = src.replace("a.length == 0", "k.isEmpty() && a.length == 0");
        let (sols, _) = propose(&[("src/main/java/app/A.java", &src)], trace);
        assert!(sols.iter().all(|s| !s.diff.contains("a == null ||")));
    }

    #[test]
    fn an_unboxed_null_takes_the_constant_named_for_it() {
        let msg = "Cannot invoke \"java.lang.Integer.intValue()\" because \"s.retries\" is null";
        let src = "package app;\n\nimport java.util.List;\n\nclass A {\n  static final int DEFAULT_RETRIES = 3;\n  static int f(S s) {\n    int retries = s.retries;\n    return retries + 1;\n  }\n}\n";
        let trace = format!("Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:8)\n\tat app.A.main(A.java:99)");
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], &trace);
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "import java.util.Objects;",
                "    int retries = Objects.requireNonNullElse(s.retries, DEFAULT_RETRIES);"
            ],
            "{notes:?}"
        );
        let msg = "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null";
        let src = "package app;\nclass A {\n  static final int DEFAULT_WORKERS = 2;\n  int f(java.util.Map<String, Integer> m, String r) {\n    int workers = m.get(r);\n    return workers;\n  }\n}\n";
        let trace = format!("Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:5)\n\tat app.A.main(A.java:99)");
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], &trace);
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int workers = m.getOrDefault(r, DEFAULT_WORKERS);"],
            "{notes:?}"
        );
    }

    #[test]
    fn a_null_string_takes_the_files_default_for_it() {
        let msg = "Cannot invoke \"String.trim()\" because the return value of \"app.User.getTimezone()\" is null";
        let src = "package app;\n\nclass A {\n  static final String DEFAULT_TIMEZONE = \"UTC\";\n  static String f(User u) {\n    String tz = u.getTimezone().trim();\n    return tz;\n  }\n}\n";
        let trace = format!("Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:6)\n\tat app.A.main(A.java:99)");
        let (sols, notes) = propose(&[("src/main/java/app/A.java", src)], &trace);
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "import java.util.Objects;",
                "",
                "    String tz = Objects.requireNonNullElse(u.getTimezone(), DEFAULT_TIMEZONE).trim();"
            ],
            "{notes:?}"
        );
        // A numeric constant is no default for text.
        let src = src.replace(
            "String DEFAULT_TIMEZONE = \"UTC\"",
            "int DEFAULT_TIMEZONE = 0",
        );
        let (sols, _) = propose(&[("src/main/java/app/A.java", &src)], &trace);
        assert!(sols.iter().all(|s| !s.diff.contains("DEFAULT_TIMEZONE)")));
    }

    #[test]
    fn a_map_lookup_is_bound_to_a_local_named_for_the_map() {
        let (sols, notes) = loop_npe(
            "      System.out.println(ZONES.get(i.country()).trim());",
            "Cannot invoke \"String.trim()\" because the return value of \"java.util.Map.get(Object)\" is null",
        );
        assert_eq!(
            added(&sols[0].diff)[0],
            "      var zone = ZONES.get(i.country());",
            "{notes:?}"
        );
    }

    #[test]
    fn refusals() {
        for (line, msg, why) in [
            ("    return s.trim();", "Cannot invoke \"String.trim()\" because \"s\" is null", "returned"),
            ("    return l.get(0).length();", "Cannot invoke \"java.util.List.get(int)\" because \"l\" is null", "No fix"),
            ("    return s.length();", "Cannot invoke \"String.length()\" because \"<local1>\" is null", "javac -g"),
            ("    return s.length();", "Cannot invoke \"String.length()\" because the return value of \"app.A.g()\" is null", "any more"),
            ("    return t.length();", "Cannot invoke \"String.length()\" because \"s\" is null", "any more"),
            ("    return s.length();", "Cannot read field \"x\" because \"s\" is null", "any more"),
            ("    return s.length() + 1;", "Cannot invoke \"String.length()\" because \"s\" is null\n", ""),
        ] {
            if why.is_empty() {
                continue;
            }
            let (sols, notes) = npe(line, msg);
            assert!(sols.is_empty(), "{line} / {msg}: {:?}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{line}: {notes:?}");
        }
        // A final String is not rewritten, and a number from it is not made up.
        let (sols, notes) = npe(
            "    final String u = s;\n    return u.length();",
            "Cannot invoke \"String.length()\" because \"u\" is null",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(notes.iter().any(|n| n.contains("final")), "{notes:?}");
    }
}
