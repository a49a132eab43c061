//! Node.js generators: a missing package, a property read on (or a destructuring of) undefined
//! or null.
//!
//! For the missing value the change follows what the code does with it next (see
//! [`super::braces`]): optional chaining (`a.b?.c`) only where undefined is then only tested,
//! passed to `??` or discarded; else the default the code base defines for that property
//! (`?? DEFAULT_CITY`, or the one literal the repository's `.city ?? …` uses); else the record is
//! skipped with a warning in the loop that processes it (this function's, or the caller frame's,
//! with the parameter mapped to the call's argument); else the function's own "nothing" when its
//! caller tests for it; else no change, with what undefined would have done (print 'undefined',
//! compute NaN, throw further on).

use regex::Regex;
use std::sync::LazyLock;

use super::braces::{self, callee_name, Missing, Source, UseKind};
use super::code::{is_ident, is_name_chain, Lang, Line};
use crate::fix::edit::Edit;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::fix::rules::whole_file_edits;
use crate::pattern::Language;

pub(crate) fn is_node(cx: &Context<'_>) -> bool {
    cx.language == Some(Language::Node)
}

/// Byte offset of 1-based character column `col` in `text`.
pub fn column_byte(text: &str, col: u32) -> Option<usize> {
    let k = (col as usize).checked_sub(1)?;
    if k == text.chars().count() {
        return Some(text.len());
    }
    text.char_indices().nth(k).map(|(b, _)| b)
}

/// The source line Node prints under `file:line` above an uncaught error, if the log has it.
pub(crate) fn shown_source<'m>(message: &'m str, file: &str, line: u32) -> Option<&'m str> {
    let header = format!("{file}:{line}");
    let mut lines = message.lines();
    lines.find(|l| l.trim_end() == header)?;
    lines.next()
}

// ---------------------------------------------------------------------------------------------

/// `TypeError: Cannot read properties of undefined (reading 'p')` and `Cannot destructure
/// property 'p' of 'x' as it is undefined` → a guard chosen by where the value goes.
pub struct UndefinedProperty;

static READING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^Cannot read propert(?:y '(?P<old>[^']+)' of (?:undefined|null)|ies of (?:undefined|null) \(reading '(?P<prop>[^']+)'\))",
    )
    .expect("valid regex")
});

static DESTRUCTURE: LazyLock<Regex> = LazyLock::new(|| {
    // `Cannot destructure 'opts' as it is undefined.` is V8's form for a pattern without a
    // plain property (`{}`, `{ ...rest }`); a parameter's pattern is `'undefined'` (or
    // `'object null'`), having no name of its own.
    Regex::new(r"^Cannot destructure (?:property '(?P<prop>[^']+)' of )?'(?P<of>[^']+)' as it is (?:undefined|null)")
        .expect("valid regex")
});

impl Generator for UndefinedProperty {
    fn name(&self) -> String {
        "js-undefined-property".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`TypeError: Cannot read properties of undefined (reading 'x')` (and of `null`), `Cannot destructure property` (and a destructured parameter its caller leaves out)",
        })
    }

    fn prior(&self) -> f64 {
        0.55
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx) || cx.kind() != Some("TypeError") {
            return Err(Skip::NotApplicable);
        }
        let message = cx.exception_message().trim();
        let destructured = DESTRUCTURE.captures(message).map(|c| c["of"].to_string());
        let caps = READING.captures(message);
        if caps.is_none() && destructured.is_none() {
            return Err(Skip::NotApplicable);
        }
        let prop = caps
            .as_ref()
            .and_then(|c| c.name("prop").or_else(|| c.name("old")))
            .map(|m| m.as_str())
            .unwrap_or("");
        let (site, text) = super::js_const_assign::node_site(cx)?;
        let line = Line::new(text, Lang::Js);
        // A parameter's own pattern: `function f({ a, b })` called without its argument. With
        // defaults in the pattern V8 reports a read (`reading 'a'`) at the property's name.
        if let Some(pattern) = parameter_pattern(site, &line) {
            let of_param = destructured
                .as_deref()
                .is_some_and(|d| d == "undefined" || d == "object null");
            if of_param || (caps.is_some() && pattern.holds(text, prop)) {
                return parameter_default(cx, site, &line, &pattern);
            }
        }
        if let Some(d) = destructured {
            return destructure(cx, site, &line, &d);
        }
        let b = line.bytes();
        let (at, at_column) = find_read(site, &line, prop)?;
        if at > 0 && b[at - 1] == b'?' {
            return decline(format!(
                "{}:{} already uses optional chaining there; the code changed since the log",
                site.path, site.line
            ));
        }
        let Some(start) = line.primary_start(at) else {
            return decline(format!(
                "no object expression before .{prop} at {}:{}",
                site.path, site.line
            ));
        };
        let end = line.primary_end(start).unwrap_or(at + 1);
        let after = line.next_non_space(end);
        let assigned = after.is_some_and(|(i, c)| {
            let rest = &text[i..];
            (c == b'=' && !rest.starts_with("==") && !rest.starts_with("=>"))
                || rest.starts_with("++")
                || rest.starts_with("--")
                || (b"+-*/%&|^".contains(&c) && rest[1..].starts_with('='))
                || rest.starts_with("**=")
                || rest.starts_with("<<=")
                || rest.starts_with(">>=")
                || rest.starts_with("??=")
                || rest.starts_with("||=")
                || rest.starts_with("&&=")
        });
        let before = text[..start].trim_end();
        // An optional chain cannot be assigned to, incremented or constructed.
        let chainable = !(assigned
            || before.ends_with("new")
            || before.ends_with("++")
            || before.ends_with("--")
            || after.is_some_and(|(_, c)| c == b'`'));
        let access = Access {
            at,
            start,
            end,
            at_column,
            prop,
        };
        plan(cx, site, &line, &access, chainable)
    }
}

/// The offset of the failing read (`.prop`'s dot or `[`) on the line, and whether the column
/// pointed at it.
fn find_read(site: &Site, line: &Line<'_>, prop: &str) -> Result<(usize, bool), Skip> {
    let text = line.text;
    let b = line.bytes();
    let is_prop_at = |i: usize| {
        text[i..].starts_with(prop)
            && !b.get(i + prop.len()).is_some_and(|&c| is_ident(c))
            && line.is_code(i)
    };
    // Where the access is: `.prop` (the dot's offset) or `[…]` (the bracket's offset).
    let mut at = None;
    if let Some(i) = site.column.and_then(|c| column_byte(text, c)) {
        if i < b.len() {
            if b[i] == b'.' && line.is_code(i) && is_prop_at(i + 1) {
                // After a call, V8 points at the dot.
                at = Some(i);
            } else if i > 0 && b[i - 1] == b'.' && is_prop_at(i) {
                // After a name, at the property.
                at = Some(i - 1);
            } else if b[i] == b'[' && line.is_code(i) {
                at = Some(i);
            }
        }
    }
    let at_column = at.is_some();
    if at.is_none() {
        let found: Vec<usize> = line
            .find_code(&format!(".{prop}"))
            .into_iter()
            .filter(|&d| is_prop_at(d + 1))
            .collect();
        match found.as_slice() {
            [one] => at = Some(*one),
            _ => {
                return decline(format!(
                    "{} .{prop} reads on {}:{} and the column does not single one out",
                    if found.is_empty() { "no" } else { "several" },
                    site.path,
                    site.line
                ))
            }
        }
    }
    match at {
        Some(at) => Ok((at, at_column)),
        None => decline("no read on the line"),
    }
}

/// Where the failing read is on the line.
struct Access<'p> {
    /// The `.` or `[` of the read.
    at: usize,
    /// Start and end of the whole chain the read is part of.
    start: usize,
    end: usize,
    at_column: bool,
    prop: &'p str,
}

/// Choose the change: optional chaining where undefined is handled after it, else the code
/// base's own default, else skip the record (in this loop or the caller's), else the function's
/// own "nothing", else none.
fn plan(
    cx: &Context<'_>,
    site: &Site,
    line: &Line<'_>,
    a: &Access<'_>,
    chainable: bool,
) -> Result<Draft, Skip> {
    let text = line.text;
    let object = &text[a.start..a.at];
    let head = headline(site, text, a);
    let src = Source::new(&site.content, Lang::Js);
    let callee = site.frame.function.as_deref().and_then(callee_name);
    let caller = braces::caller(cx);
    let pair = caller.as_ref().zip(callee);
    let flow = braces::fate(
        &site.path,
        &src,
        site.line,
        a.start,
        a.end,
        pair,
        "undefined",
    );
    // `xs.map((x) => x.a.b).filter(Boolean)`: the element the callback answers is dropped when
    // it is undefined, so optional chaining leaves that element out and nothing else.
    let dropped = filtered_map(text, a.start, a.end);
    let flow = if dropped { Ok(()) } else { flow };
    let mut reasons = Vec::new();
    // `row?.a || row.b`: the same missing object is read again, so `?.` only moves the crash.
    let flow = match (flow, used_again(text, object, a.end)) {
        (Ok(()), Some(at)) => Err(format!(
            "`{object}` is read again at {}:{}:{} (`{}`)",
            site.path,
            site.line,
            at + 1,
            excerpt(&text[at..], 40)
        )),
        (flow, _) => flow,
    };
    match (&flow, chainable) {
        (Ok(()), true) => {
            let optional = if text.as_bytes()[a.at] == b'[' {
                "?."
            } else {
                "?"
            };
            let mut new = text.to_string();
            new.insert_str(a.at, optional);
            let why = if dropped {
                "Optional chaining (`?.`) makes the read yield undefined instead of throwing, \
                 and the `.filter` right after the `.map` drops undefined elements: the \
                 element without it is left out of the list, as the code already does for an \
                 empty one."
            } else {
                "Optional chaining (`?.`) makes the read yield undefined instead of \
                 throwing, and the code after it handles undefined: the value is only \
                 tested or discarded."
            };
            let description = format!("{head} {why}");
            return Draft::on_line(site, &new, description, "value-guard", a.at_column);
        }
        (Err(why), _) => reasons.push(format!("undefined is not handled after it: {why}")),
        (Ok(()), false) => reasons.push("optional chaining is not allowed there".into()),
    }
    if chainable {
        match with_default(cx, site, line, a) {
            Some((new, why)) => {
                let description = format!("{head} {why}");
                return Draft::on_line(site, &new, description, "default-from-code", a.at_column);
            }
            None => reasons.push("the code base defines no default for it".into()),
        }
        if let Some((edit, why)) = binding_default(cx, site, object) {
            return Ok(Draft {
                edits: vec![edit],
                description: format!("{head} {why}"),
                at_column: Some(a.at_column),
                strategy: strategy("default-from-code"),
            });
        }
    }
    let missing = Missing {
        path: &site.path,
        content: &site.content,
        src: &src,
        line: site.line,
        expr: object.to_string(),
        what: object.to_string(),
        neutral: missing_as(cx),
        bind: None,
    };
    if !is_name_chain(object) {
        reasons.push(format!("`{object}` is not a plain name to test first"));
        return decline(format!("{head} No fix: {}", reasons.join("; ")));
    }
    braces::statement_draft(
        &missing,
        caller.as_ref(),
        callee,
        &head,
        reasons,
        a.at_column,
    )
}

/// `const { a, b } = x.y;` with `x.y` missing: `x.y ?? {}` when the pattern gives every name a
/// default or each name is only tested after; else a statement-level change; else none.
fn destructure(cx: &Context<'_>, site: &Site, line: &Line<'_>, of: &str) -> Result<Draft, Skip> {
    let text = line.text;
    let place = format!("{}:{}", site.path, site.line);
    if !is_name_chain(of) {
        return decline(format!(
            "the destructured value '{of}' at {place} is not a name in the source"
        ));
    }
    let b = line.bytes();
    let found: Vec<usize> = line
        .find_code(of)
        .into_iter()
        .filter(|&s| s == 0 || !(is_ident(b[s - 1]) || b[s - 1] == b'.'))
        .filter(|&s| {
            !b.get(s + of.len())
                .is_some_and(|&c| is_ident(c) || c == b'.')
        })
        .collect();
    let [s] = found.as_slice() else {
        return decline(format!("{place} does not destructure `{of}` once"));
    };
    let (s, e) = (*s, *s + of.len());
    let head = format!(
        "TypeError at {place}: `{of}` is undefined or null where it is destructured (data \
         without that part)."
    );
    let before = text[..s].trim_end();
    let pattern = before
        .strip_suffix('=')
        .filter(|p| !p.ends_with(['=', '!', '<', '>']))
        .map(str::trim_end)
        .and_then(|p| p.strip_suffix('}'))
        .and_then(|p| p.rfind('{').map(|o| &p[o + 1..]));
    let Some(pattern) = pattern else {
        return decline(format!(
            "{head} The pattern is not `{{ … }} = {of}` on one line."
        ));
    };
    let src = Source::new(&site.content, Lang::Js);
    let end = src
        .function_at(site.line)
        .map(|f| f.close)
        .unwrap_or(src.len());
    let mut reasons = Vec::new();
    for part in braces::split_top(pattern).iter().filter(|p| !p.is_empty()) {
        if part.contains('=') {
            continue;
        }
        let name = part.rsplit(':').next().unwrap_or(part).trim();
        let name = name.trim_start_matches("...");
        let first = src.uses(name, site.line, e, end).into_iter().next();
        if let Some(h) =
            first.and_then(|u| braces::harm(&u.kind, name, "undefined").map(|h| (h, u.line)))
        {
            reasons.push(format!("{} (at {}:{})", h.0, site.path, h.1));
        }
    }
    if reasons.is_empty() {
        let mut new = text.to_string();
        new.replace_range(s..e, &format!("{of} ?? {{}}"));
        let why = "Every name the pattern takes has a default of its own or is only tested \
                   afterwards, so an empty object stands in for the missing one.";
        return Draft::on_line(site, &new, format!("{head} {why}"), "value-guard", false);
    }
    let missing = Missing {
        path: &site.path,
        content: &site.content,
        src: &src,
        line: site.line,
        expr: of.to_string(),
        what: of.to_string(),
        neutral: missing_as(cx),
        bind: None,
    };
    let caller = braces::caller(cx);
    let callee = site.frame.function.as_deref().and_then(callee_name);
    braces::statement_draft(&missing, caller.as_ref(), callee, &head, reasons, false)
}

/// A destructuring pattern that is a parameter of a function whose header is on the failing
/// line: `function f(a, { b, c })`, `m({ b })`, `({ b = 1 }) =>`.
struct ParamPattern {
    /// The pattern's `{` and `}`.
    open: usize,
    close: usize,
    /// The index of the parameter.
    index: usize,
    /// The parameter list's `)`.
    params_end: usize,
}

impl ParamPattern {
    /// Whether `prop` is one of the names the pattern takes (its key, before any `:` or `=`).
    fn holds(&self, text: &str, prop: &str) -> bool {
        braces::split_top(&text[self.open + 1..self.close])
            .iter()
            .any(|p| p.split([':', '=']).next().map(str::trim) == Some(prop))
    }
}

/// The parameter pattern the column of `site` points into, when the failing line is a function
/// header and the pattern has no default of its own.
fn parameter_pattern(site: &Site, line: &Line<'_>) -> Option<ParamPattern> {
    let text = line.text;
    let b = line.bytes();
    let at = site.column.and_then(|c| column_byte(text, c))?.min(b.len());
    // The innermost `{` open at the column, and the `(` of the list it is a member of.
    let unopened = |from: usize, want: u8| {
        let mut depth = 0i32;
        (0..from).rev().find(|&i| {
            if !line.is_code(i) {
                return false;
            }
            match b[i] {
                b')' | b']' | b'}' => depth += 1,
                c @ (b'(' | b'[' | b'{') => {
                    if depth == 0 {
                        return c == want || {
                            depth = -1;
                            false
                        };
                    }
                    depth -= 1;
                }
                _ => {}
            }
            false
        })
    };
    let open = if b.get(at) == Some(&b'{') {
        at
    } else {
        unopened(at, b'{')?
    };
    let close = line.matching_close(open)?;
    let before = text[..open].trim_end();
    if !(before.ends_with('(') || before.ends_with(',')) {
        return None;
    }
    let list = unopened(open, b'(')?;
    let params_end = line.matching_close(list)?;
    let after = text[params_end + 1..].trim_start();
    if !(after.starts_with('{') || after.starts_with("=>")) {
        return None;
    }
    // A call's argument list is not a parameter list: the header names a function or method.
    let head = text[..list].trim_end();
    let name_end = head.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '$');
    let named = name_end.len() < head.len();
    let is_header = head.is_empty()
        || head.ends_with('=')
        || head.ends_with("function")
        || head.ends_with("async")
        || (named
            && (name_end.trim_end().ends_with("function")
                || name_end.trim_end().is_empty()
                || name_end.trim_end().ends_with("async")
                || name_end.trim_end().ends_with("static")
                || name_end.trim_end().ends_with('*')));
    if !is_header {
        return None;
    }
    let rest = text[close + 1..params_end + 1].trim_start();
    if !(rest.starts_with(',') || rest.starts_with(')')) {
        return None;
    }
    let index = braces::split_top(&text[list + 1..open]).len() - 1;
    Some(ParamPattern {
        open,
        close,
        index,
        params_end,
    })
}

/// `function f({ a = 1, b })` called with no argument there: `= {}` gives the pattern an empty
/// object when every name it takes has a default of its own or is only tested afterwards, and
/// the caller frame's call leaves the argument out (so "no options" is a way it is called).
fn parameter_default(
    cx: &Context<'_>,
    site: &Site,
    line: &Line<'_>,
    p: &ParamPattern,
) -> Result<Draft, Skip> {
    let text = line.text;
    let place = format!("{}:{}", site.path, site.line);
    let pattern = &text[p.open + 1..p.close];
    let head = format!(
        "TypeError at {place}: the destructured parameter `{{ {} }}` got undefined or null, \
         not an object.",
        excerpt(pattern, 60)
    );
    let src = Source::new(&site.content, Lang::Js);
    let end = src
        .function_at(site.line)
        .map(|f| f.close)
        .unwrap_or(src.len());
    let mut reasons = Vec::new();
    for part in braces::split_top(pattern).iter().filter(|p| !p.is_empty()) {
        if part.contains(['{', '[']) {
            reasons.push(format!("`{}` is a nested pattern", excerpt(part, 40)));
            continue;
        }
        if part.contains('=') {
            continue;
        }
        let name = part.rsplit(':').next().unwrap_or(part).trim();
        let name = name.trim_start_matches("...");
        let first = src
            .uses(name, site.line, p.params_end, end)
            .into_iter()
            .next();
        if let Some(h) =
            first.and_then(|u| braces::harm(&u.kind, name, "undefined").map(|h| (h, u.line)))
        {
            reasons.push(format!("{} (at {}:{})", h.0, site.path, h.1));
        }
    }
    // The caller's call must leave the argument out: an explicit argument that is undefined is
    // the caller's missing data, not a call without options.
    let callee = site.frame.function.as_deref().and_then(callee_name);
    let caller = braces::caller(cx);
    match (caller.as_ref(), callee) {
        (Some(c), Some(f)) => {
            let csrc = Source::new(&c.content, Lang::Js);
            let at = format!("{}:{}", c.path, c.line);
            match csrc.line(c.line).and_then(|l| braces::call_on(l, f)) {
                Some((_, _, args)) if args.len() <= p.index => {}
                Some((_, _, args)) => reasons.push(format!(
                    "the call at {at} passes `{}` there: the caller's value is missing, not \
                     the argument",
                    excerpt(&args[p.index], 40)
                )),
                None => reasons.push(format!("{at} has no single call of {f}()")),
            }
        }
        (None, _) => reasons.push("no caller frame maps to a tracked file".into()),
        (_, None) => reasons.push("the function has no name to find its call by".into()),
    }
    if !reasons.is_empty() {
        return decline(format!("{head} No fix: {}", reasons.join("; ")));
    }
    let mut new = text.to_string();
    new.insert_str(p.close + 1, " = {}");
    let why = "Its callers may leave the options out, and every name the pattern takes has a \
               default of its own or is only tested afterwards, so `= {}` makes a call without \
               them behave as one with no options set.";
    Draft::on_line(
        site,
        &new,
        format!("{head} {why}"),
        "default-from-code",
        true,
    )
}

/// How the message says the value was missing: `null` (a lookup's or `match`'s "nothing")
/// or `undefined`, for the warning a skipped record gets.
fn missing_as(cx: &Context<'_>) -> &'static str {
    let m = cx.exception_message();
    if m.contains("of null") || m.contains("as it is null") {
        "null"
    } else {
        "undefined"
    }
}

/// The description's first sentences: what was missing where.
fn headline(site: &Site, text: &str, a: &Access<'_>) -> String {
    let read = if text.as_bytes()[a.at] == b'[' {
        "[…]".to_string()
    } else {
        format!(".{}", a.prop)
    };
    format!(
        "TypeError at {}:{}{}: `{}` is undefined or null when `{read}` is read (data without \
         that part, e.g. an optional field left out).",
        site.path,
        site.line,
        site.column.map(|c| format!(":{c}")).unwrap_or_default(),
        &text[a.start..a.at]
    )
}

static MAP_ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\.(?:map|flatMap)\(\s*(?:\(\s*[A-Za-z_$][\w$]*\s*\)|[A-Za-z_$][\w$]*)\s*=>\s*$")
        .expect("valid regex")
});

static FILTER_TRUTHY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\)\s*\.filter\(\s*(?:Boolean|\(?\s*(?P<p>[A-Za-z_$][\w$]*)\s*\)?\s*=>\s*(?P<b>[A-Za-z_$][\w$]*)(?P<cmp>\s*!=\s*null)?)\s*\)")
        .expect("valid regex")
});

/// Whether `s..e` of `text` is the whole body of an arrow passed to `.map(` whose result is
/// filtered to truthy (`.filter(Boolean)`, `.filter((x) => x)`) or present
/// (`.filter((x) => x != null)`) elements right after.
fn filtered_map(text: &str, s: usize, e: usize) -> bool {
    if !MAP_ARROW.is_match(&text[..s]) {
        return false;
    }
    FILTER_TRUTHY
        .captures(text[e..].trim_start())
        .is_some_and(|c| match (c.name("p"), c.name("b")) {
            (Some(p), Some(b)) => p.as_str() == b.as_str(),
            _ => true,
        })
}

/// Where `object` is read again (`object.x`, `object[…]`) on `text` after byte `from`.
fn used_again(text: &str, object: &str, from: usize) -> Option<usize> {
    if !is_name_chain(object) {
        return None;
    }
    let b = text.as_bytes();
    text[from..]
        .match_indices(object)
        .map(|(i, _)| from + i)
        .find(|&i| {
            let before_ok = i == 0 || !(super::code::is_ident(b[i - 1]) || b[i - 1] == b'.');
            let after = b.get(i + object.len());
            before_ok && matches!(after, Some(b'.') | Some(b'['))
        })
}

/// `const limits = cfg.limits[name];` a line above, and the code base defines `DEFAULT_LIMITS`:
/// the binding falls back to it (`?? DEFAULT_LIMITS`), so every later read has a real value.
fn binding_default(cx: &Context<'_>, site: &Site, object: &str) -> Option<(Edit, String)> {
    if !object.bytes().all(super::code::is_ident) {
        return None;
    }
    let re = Regex::new(&format!(
        r"^(\s*(?:const|let|var)\s+{}\s*=\s*)([^;]+?)(;?\s*)$",
        regex::escape(object)
    ))
    .ok()?;
    let first = site.line.saturating_sub(20).max(1);
    let (line, caps) = (first..site.line).rev().find_map(|l| {
        Some((
            l,
            re.captures(crate::fix::edit::line_text(&site.content, l)?)?,
        ))
    })?;
    let (value, source) = default_of(cx, site, object)?;
    let rhs = caps[2].trim();
    if rhs.contains("??") || rhs.contains("||") {
        return None;
    }
    let new = format!("{}{rhs} ?? {value}{}", &caps[1], &caps[3]);
    let edit = Edit::replace_line(&site.path, &site.content, line, &new)?;
    Some((
        edit,
        format!(
            "`{object}` is set at {}:{line} from a lookup that can find nothing; it now falls \
             back to `{value}`, the default {source}, so every read of it has a real value.",
            site.path
        ),
    ))
}

/// `a.b?.c ?? DEFAULT_C` when the chain ends in `.c` and the code base defines its default:
/// a `DEFAULT_C` constant in scope, or one literal every `.c ?? x` / `.c || x` of the repo uses.
fn with_default(
    cx: &Context<'_>,
    site: &Site,
    line: &Line<'_>,
    a: &Access<'_>,
) -> Option<(String, String)> {
    let text = line.text;
    let tail = &text[a.at..a.end];
    if !tail.starts_with('.') || !is_name_chain(&tail[1..]) {
        return None;
    }
    let last = tail.rsplit('.').next()?;
    let (value, source) = default_of(cx, site, last)?;
    let object = &text[a.start..a.at];
    let chain = format!("{object}?{tail} ?? {value}");
    let whole = matches!(
        braces::use_at(line, a.start, a.end),
        UseKind::Bound(_) | UseKind::Returned | UseKind::Discarded
    ) || line.sole_item(a.start, a.end)
        || (text[..a.start].ends_with("${") && text[a.end..].starts_with('}'));
    let chain = if whole { chain } else { format!("({chain})") };
    let mut new = text.to_string();
    new.replace_range(a.start..a.end, &chain);
    Some((
        new,
        format!(
            "When it is missing, `.{last}` falls back to `{value}`, the default {source}, \
             instead of throwing or handing undefined on."
        ),
    ))
}

/// The code base's default for property `prop`: a `DEFAULT_PROP` constant in the failing file,
/// or the one literal the repo's JavaScript uses as `.prop`'s fallback.
fn default_of(cx: &Context<'_>, site: &Site, prop: &str) -> Option<(String, String)> {
    let constant = format!("DEFAULT_{}", super::code::constant_case(prop));
    let name = regex::escape(&constant);
    let defined = Regex::new(&format!(
        r"(?m)^\s*(?:export\s+)?(?:const|let|var)\s+{name}\s*=|(?:const|let|var|import)\s*\{{[^}}]*\b{name}\b[^}}]*\}}"
    ))
    .ok()?;
    if defined.is_match(&site.content) {
        return Some((constant, format!("{} defines", site.path)));
    }
    let fallback = Regex::new(&format!(
        r#"\.{}\s*(?:\?\?|\|\|)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?)"#,
        regex::escape(prop)
    ))
    .ok()?;
    let mut found: Vec<(String, String)> = Vec::new();
    for path in cx.repo.files() {
        let js = [".js", ".mjs", ".cjs", ".jsx", ".ts", ".tsx"];
        if path.contains("node_modules/") || !js.iter().any(|e| path.ends_with(e)) {
            continue;
        }
        let content = cx.repo.read(path).unwrap_or_default();
        for (n, l) in content.lines().enumerate() {
            for c in fallback.captures_iter(l) {
                found.push((c[1].to_string(), format!("{path}:{}", n + 1)));
            }
        }
    }
    let first = found.first()?.clone();
    if found.iter().any(|(v, _)| *v != first.0) {
        return None;
    }
    Some((first.0, format!("the code base uses for it at {}", first.1)))
}

// ---------------------------------------------------------------------------------------------

/// `Error: Cannot find module 'x'` (a bare package name) → package.json `dependencies`.
pub struct MissingModule;

const BUILTINS: &[&str] = &[
    "assert",
    "async_hooks",
    "buffer",
    "child_process",
    "cluster",
    "console",
    "constants",
    "crypto",
    "dgram",
    "diagnostics_channel",
    "dns",
    "domain",
    "events",
    "fs",
    "http",
    "http2",
    "https",
    "inspector",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "punycode",
    "querystring",
    "readline",
    "repl",
    "stream",
    "string_decoder",
    "sys",
    "timers",
    "tls",
    "trace_events",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "wasi",
    "worker_threads",
    "zlib",
    "test",
];

static PACKAGE_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$").expect("valid regex")
});

/// The package a bare specifier names (`lodash/fp` → `lodash`, `@a/b/c` → `@a/b`).
pub fn package_of(spec: &str) -> Option<&str> {
    if spec.starts_with(['.', '/', '\\']) || spec.starts_with("node:") || spec.contains(':') {
        return None;
    }
    let mut parts = spec.splitn(3, '/');
    let first = parts.next()?;
    let name = if first.starts_with('@') {
        let second = parts.next()?;
        &spec[..first.len() + 1 + second.len()]
    } else {
        first
    };
    PACKAGE_NAME.is_match(name).then_some(name)
}

static CANNOT_FIND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^Cannot find (?:module|package) '(?P<spec>[^']+)'(?: imported from (?P<from>\S+))?",
    )
    .expect("valid regex")
});

impl Generator for MissingModule {
    fn name(&self) -> String {
        "js-missing-module".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "JavaScript",
            error: "`Cannot find module 'x'` / `ERR_MODULE_NOT_FOUND` of an npm package (added at the lock file's version, or moved out of devDependencies)",
        })
    }

    fn prior(&self) -> f64 {
        0.7
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_node(cx) || !cx.kind().is_some_and(|k| k.starts_with("Error")) {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = CANNOT_FIND.captures(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let spec = &caps["spec"];
        let Some(package) = package_of(spec) else {
            return decline(format!(
                "'{}' is a path, not a package: a file is missing, not a dependency",
                excerpt(spec, 80)
            ));
        };
        if BUILTINS.contains(&package) {
            return decline(format!("'{package}' is a Node.js built-in module"));
        }
        let quoted = [
            format!("'{spec}'"),
            format!("\"{spec}\""),
            format!("`{spec}`"),
        ];
        let mentions = |text: &str| {
            (text.contains("require") || text.contains("import"))
                && quoted.iter().any(|q| text.contains(q.as_str()))
        };
        // CommonJS: the innermost application frame is the `require` call. ESM: the loader's
        // frames are all internal, and the message names the importing file instead.
        let (requirer, at) = if let Some(site) = cx.site.as_ref() {
            let text = site.line_text().unwrap_or("");
            if !mentions(text) {
                return decline(format!(
                    "{}:{} does not require '{spec}' any more",
                    site.path, site.line
                ));
            }
            (site.path.clone(), format!("{}:{}", site.path, site.line))
        } else if let Some(from) = caps.name("from") {
            let frame = crate::pattern::Frame {
                file: from.as_str().to_string(),
                line: None,
                column: None,
                function: None,
                in_app: true,
            };
            let crate::fix::locate::Located::Repo { path, .. } =
                crate::fix::locate::locate(&frame, cx.language, cx.repo.files())
            else {
                return decline(format!(
                    "the importing file '{}' is not tracked at HEAD",
                    excerpt(from.as_str(), 80)
                ));
            };
            let content = cx.repo.read(&path).unwrap_or_default();
            if !content.lines().any(mentions) {
                return decline(format!("{path} does not import '{spec}' any more"));
            }
            (path.clone(), path)
        } else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        // The package.json nearest to the requiring file.
        let mut dir = std::path::Path::new(&requirer).parent();
        let manifest = loop {
            let Some(d) = dir else { break None };
            let candidate = if d.as_os_str().is_empty() {
                "package.json".to_string()
            } else {
                format!("{}/package.json", d.display())
            };
            if cx.repo.contains(&candidate) {
                break Some(candidate);
            }
            dir = d.parent();
        };
        let Some(manifest) = manifest else {
            return decline("no package.json tracked above the requiring file");
        };
        let content = cx.repo.read(&manifest).unwrap_or_default();
        let parsed: serde_json::Value = serde_json::from_str(&content)
            .map_err(|_| Skip::Declined(format!("{manifest} does not parse")))?;
        // A production install (`npm ci --omit=dev`, `NODE_ENV=production`) leaves out
        // devDependencies: a package the program itself requires belongs in dependencies, with
        // the version it was developed against. One only tests require stays where it is.
        let dev_version = parsed["devDependencies"][package]
            .as_str()
            .map(str::to_owned);
        for section in ["dependencies", "optionalDependencies", "peerDependencies"]
            .into_iter()
            .chain(dev_version.is_none().then_some("devDependencies"))
        {
            if parsed[section].get(package).is_some() {
                return decline(format!(
                    "{manifest} already lists '{package}' in {section}: the install, not the \
                     manifest, is at fault"
                ));
            }
        }
        if dev_version.is_some() && is_test_path(&requirer) {
            return decline(format!(
                "{manifest} lists '{package}' in devDependencies and only the test file \
                 {requirer} requires it: the install, not the manifest, is at fault"
            ));
        }
        let locked = locked_version(cx, &manifest, package);
        let (version, what) = match (&dev_version, &locked) {
            (Some(v), _) => (
                v.clone(),
                format!("moves it there from devDependencies ({v})"),
            ),
            (None, Some(v)) => (
                v.clone(),
                format!("adds it at {v}, the version the lock file holds"),
            ),
            (None, None) => (
                "*".to_owned(),
                "adds it unpinned (\"*\"): no lock file names a version, so pin the one you \
                 test with"
                    .to_owned(),
            ),
        };
        let moved = match &dev_version {
            Some(_) => remove_dependency(&content, "devDependencies", package),
            None => Some(content.clone()),
        };
        let Some(new) = moved.and_then(|text| add_dependency(&text, package, &version)) else {
            return decline(format!("{manifest} has a layout the change cannot keep"));
        };
        let check: serde_json::Value = serde_json::from_str(&new)
            .map_err(|_| Skip::Declined(format!("adding to {manifest} would break it")))?;
        if check["dependencies"][package] != version.as_str()
            || check["devDependencies"].get(package).is_some()
        {
            return decline(format!("adding to {manifest} did not take"));
        }
        let listed = if dev_version.is_some() {
            "lists it only under devDependencies, which a production install leaves out"
        } else {
            "does not list it under dependencies, so `npm ci` never installs it"
        };
        Ok(Draft {
            edits: whole_file_edits(&manifest, &content, &new),
            description: format!(
                "Cannot find module '{spec}' at {at}: the program requires the package \
                 '{package}', but {manifest} {listed}. The change {what}."
            ),
            at_column: Some(true),
            strategy: None,
        })
    }
}

/// Whether `path` is test code: under a `test`/`tests`/`__tests__`/`spec` directory, or named
/// `*.test.js` / `*.spec.js` (and the other extensions).
fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/')
        .rev()
        .skip(1)
        .any(|dir| matches!(dir, "test" | "tests" | "__tests__" | "spec" | "__mocks__"))
        || name.contains(".test.")
        || name.contains(".spec.")
}

/// The exact version of `package` in the lock file beside `manifest` (`package-lock.json`'s
/// `packages["node_modules/x"]`, or its version-1 `dependencies`), if one is tracked.
fn locked_version(cx: &Context<'_>, manifest: &str, package: &str) -> Option<String> {
    let lock = match manifest.rsplit_once('/') {
        Some((dir, _)) => format!("{dir}/package-lock.json"),
        None => "package-lock.json".to_owned(),
    };
    let text = cx.repo.read(&lock)?;
    let lock: serde_json::Value = serde_json::from_str(&text).ok()?;
    let version = lock["packages"][format!("node_modules/{package}")]["version"]
        .as_str()
        .or_else(|| lock["dependencies"][package]["version"].as_str())?;
    // Only a plain release: a lock may hold a path, a git URL or a tarball for a package.
    let plain = version
        .split(['.', '-', '+'])
        .next()
        .is_some_and(|major| !major.is_empty() && major.bytes().all(|b| b.is_ascii_digit()));
    plain.then(|| version.to_owned())
}

/// `text` without the member `name` of its top-level object `section` (one member per line), if
/// its layout allows.
fn remove_dependency(text: &str, section: &str, name: &str) -> Option<String> {
    let (_, at) = top_level_keys(text)
        .into_iter()
        .find(|(k, _)| k == section)?;
    if text.as_bytes().get(at) != Some(&b'{') {
        return None;
    }
    let close = at + matching_brace(&text[at..])?;
    let body = &text[at + 1..close];
    let mut lines: Vec<String> = body.split('\n').map(str::to_owned).collect();
    let key = format!("\"{name}\":");
    let index = lines
        .iter()
        .position(|l| l.trim_start().replace("\" :", "\":").starts_with(&key))?;
    if lines[index].matches("\":").count() != 1 {
        return None;
    }
    let had_comma = lines[index].trim_end().ends_with(',');
    lines.remove(index);
    if !had_comma {
        // It was the last member: the one before it loses its comma.
        if let Some(previous) = lines[..index].iter_mut().rfind(|l| !l.trim().is_empty()) {
            if let Some(stripped) = previous.trim_end().strip_suffix(',') {
                *previous = stripped.to_owned();
            }
        }
    }
    let body = lines.join("\n");
    let body = if body.trim().is_empty() {
        String::new()
    } else {
        body
    };
    Some(format!("{}{}{}", &text[..at + 1], body, &text[close..]))
}

/// Top-level key spans of a JSON object text: (key, offset of the value's first byte).
fn top_level_keys(text: &str) -> Vec<(String, usize)> {
    let b = text.as_bytes();
    let mut keys = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                if depth == 1 {
                    let rest = text[i + 1..].trim_start();
                    if let Some(value) = rest.strip_prefix(':') {
                        let at = text.len() - value.trim_start().len();
                        keys.push((text[start + 1..i].to_string(), at));
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    keys
}

/// `text` with `"name": "version"` in the top-level `dependencies`, in alphabetical order, in the
/// file's own indentation. `None` when the layout is not one entry per line.
pub fn add_dependency(text: &str, name: &str, version: &str) -> Option<String> {
    let entry = format!("\"{name}\": \"{version}\"");
    let keys = top_level_keys(text);
    if let Some((_, at)) = keys.iter().find(|(k, _)| k == "dependencies") {
        let at = *at;
        if text.as_bytes().get(at) != Some(&b'{') {
            return None;
        }
        let close = at + matching_brace(&text[at..])?;
        let body = &text[at + 1..close];
        let owner_indent = indent_of(text, at);
        if body.trim().is_empty() {
            let unit = guess_unit(text);
            return Some(format!(
                "{}{{\n{owner_indent}{unit}{entry}\n{owner_indent}}}{}",
                &text[..at],
                &text[close + 1..]
            ));
        }
        // One entry per line.
        let lines: Vec<&str> = body.split('\n').collect();
        let entries: Vec<(usize, &str)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i, *l))
            .collect();
        if entries
            .iter()
            .any(|(_, l)| !l.trim_start().starts_with('"') || l.matches("\":").count() != 1)
        {
            return None;
        }
        let indent = &entries[0].1[..entries[0].1.len() - entries[0].1.trim_start().len()];
        let key_of = |l: &str| {
            l.trim_start()
                .trim_start_matches('"')
                .split('"')
                .next()
                .unwrap_or("")
                .to_string()
        };
        let mut out_lines: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
        match entries.iter().find(|(_, l)| key_of(l).as_str() > name) {
            Some((i, _)) => out_lines.insert(*i, format!("{indent}{entry},")),
            None => {
                let (last, l) = *entries.last()?;
                let trimmed = l.trim_end();
                let trailing = &l[trimmed.len()..];
                out_lines[last] = format!("{trimmed},{trailing}");
                out_lines.insert(last + 1, format!("{indent}{entry}"));
            }
        }
        return Some(format!(
            "{}{}{}",
            &text[..at + 1],
            out_lines.join("\n"),
            &text[close..]
        ));
    }
    // No dependencies yet: a new member before the object's closing brace.
    let close = text.rfind('}')?;
    let last = text[..close].trim_end().len();
    let unit = guess_unit(text);
    let sep = if text[..last].trim_end().ends_with('{') {
        ""
    } else {
        ","
    };
    Some(format!(
        "{}{sep}\n{unit}\"dependencies\": {{\n{unit}{unit}{entry}\n{unit}}}\n{}",
        &text[..last],
        &text[close..]
    ))
}

fn matching_brace(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn indent_of(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line = &text[start..];
    &line[..line.len() - line.trim_start().len()]
}

fn guess_unit(text: &str) -> String {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .filter(|i| !i.is_empty())
        .min_by_key(|i| i.len())
        .unwrap_or("  ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_specifiers() {
        assert_eq!(package_of("lodash"), Some("lodash"));
        assert_eq!(package_of("lodash/fp"), Some("lodash"));
        assert_eq!(
            package_of("@aws-sdk/client-s3/dist"),
            Some("@aws-sdk/client-s3")
        );
        for bad in [
            "./x",
            "../x",
            "/srv/x.js",
            "node:fs",
            "C:\\x",
            "Lodash",
            "@scope",
        ] {
            assert_eq!(package_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn dependencies_stay_sorted_and_valid() {
        let pkg = "{\n  \"name\": \"x\",\n  \"dependencies\": {\n    \"commander\": \"^11.0.0\",\n    \"zod\": \"^3.0.0\"\n  }\n}\n";
        let out = add_dependency(pkg, "lodash", "*").unwrap();
        assert!(
            out.contains("    \"commander\": \"^11.0.0\",\n    \"lodash\": \"*\",\n    \"zod\""),
            "{out}"
        );
        let out = add_dependency(pkg, "zzz", "*").unwrap();
        assert!(
            out.contains("\"zod\": \"^3.0.0\",\n    \"zzz\": \"*\"\n  }"),
            "{out}"
        );
        let none = "{\n  \"name\": \"x\"\n}\n";
        let out = add_dependency(none, "lodash", "*").unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["dependencies"]["lodash"], "*");
        let empty = "{\n  \"dependencies\": {}\n}\n";
        let v: serde_json::Value =
            serde_json::from_str(&add_dependency(empty, "a", "*").unwrap()).unwrap();
        assert_eq!(v["dependencies"]["a"], "*");
        // A nested "dependencies" is not the top-level one.
        let nested = "{\n  \"overrides\": {\"dependencies\": {}},\n  \"name\": \"x\"\n}\n";
        let v: serde_json::Value =
            serde_json::from_str(&add_dependency(nested, "a", "*").unwrap()).unwrap();
        assert_eq!(v["dependencies"]["a"], "*");
        assert_eq!(v["overrides"]["dependencies"], serde_json::json!({}));
    }
}

#[cfg(test)]
mod generator_tests {
    use super::{is_test_path, remove_dependency};
    use crate::fix::testing::{added, propose};

    fn node(line: &str, col: usize, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("function f(a, b) {{\n{line}\n}}\n");
        let trace = format!(
            "/srv/app/lib/x.js:2\n{line}\n\n{msg}\n    at f (/srv/app/lib/x.js:2:{col})\n    at Object.<anonymous> (/srv/app/index.js:1:1)\n    at Module._compile (node:internal/modules/cjs/loader:1521:14)"
        );
        propose(&[("lib/x.js", &src), ("index.js", "f()\n")], &trace)
    }

    fn col_of(line: &str, needle: &str) -> usize {
        line.find(needle).unwrap() + 1
    }

    #[test]
    fn an_error_raised_inside_a_library_is_not_fixed_on_the_calling_line() {
        let src = "const fmt = require('fmt-lite');\nfunction f(a) {\n  if (fmt.city(a.b.c)) return 1;\n}\n";
        let trace = "TypeError: Cannot read properties of undefined (reading 'city')\n    at city (/srv/app/node_modules/fmt-lite/index.js:4:20)\n    at f (/srv/app/lib/x.js:3:11)\n    at Object.<anonymous> (/srv/app/index.js:1:1)";
        let (sols, notes) = propose(&[("lib/x.js", src), ("index.js", "f()\n")], trace);
        assert!(sols.is_empty());
        assert!(
            notes[0].contains("raised in code outside the repository (city)"),
            "{notes:?}"
        );
    }

    #[test]
    fn optional_chaining_where_undefined_is_handled() {
        let read =
            |p: &str| format!("TypeError: Cannot read properties of undefined (reading '{p}')");
        let l = "  if (a.b.c) return 1;";
        let (sols, notes) = node(l, col_of(l, "c)"), &read("c"));
        assert_eq!(
            added(&sols[0].diff),
            vec!["  if (a.b?.c) return 1;"],
            "{notes:?}"
        );
        // After a call the column is the dot's.
        let l = "  return g(a).c ?? 0;";
        let (sols, _) = node(l, col_of(l, ".c"), &read("c"));
        assert_eq!(added(&sols[0].diff), vec!["  return g(a)?.c ?? 0;"]);
        // Computed access and the old message form.
        let l = "  if (!a.list[b]) return;";
        let (sols, _) = node(
            l,
            col_of(l, "[b]"),
            "TypeError: Cannot read property '0' of null",
        );
        assert_eq!(added(&sols[0].diff), vec!["  if (!a.list?.[b]) return;"]);
        // A column that points elsewhere: the only `.c` on the line, with less confidence; the
        // local is never used.
        let l = "  const x = a.b.c;";
        let (sols, _) = node(l, 1, &read("c"));
        assert_eq!(added(&sols[0].diff), vec!["  const x = a.b?.c;"]);
        assert!(sols[0]
            .factors
            .iter()
            .any(|(k, v)| k.contains("column") && *v == 0.0));
    }

    #[test]
    fn optional_chaining_where_a_filter_drops_the_element() {
        let read = "TypeError: Cannot read properties of undefined (reading 'email')";
        for (l, want) in [
            (
                "  return a.map((m) => m.contact.email).filter(Boolean);",
                "  return a.map((m) => m.contact?.email).filter(Boolean);",
            ),
            (
                "  const to = a.map(m => m.contact.email).filter((x) => x != null);",
                "  const to = a.map(m => m.contact?.email).filter((x) => x != null);",
            ),
        ] {
            let (sols, notes) = node(l, col_of(l, ".email") + 1, read);
            assert_eq!(added(&sols[0].diff), vec![want], "{notes:?}");
            assert!(sols[0].description.contains("`.filter`"));
        }
        // Mapped and then joined, or filtered on something else: undefined would be printed.
        for l in [
            "  return a.map((m) => m.contact.email).join(', ');",
            "  return a.map((m) => m.contact.email).filter((x) => x.length);",
            "  return a.map((m) => `<${m.contact.email}>`).filter(Boolean);",
        ] {
            let (sols, _) = node(l, col_of(l, ".email") + 1, read);
            assert!(sols.is_empty(), "{l}: {}", sols[0].diff);
        }
    }

    #[test]
    fn band_aids_are_refused_with_the_reason() {
        let read = "TypeError: Cannot read properties of undefined (reading 'c')";
        for (l, why) in [
            ("  return a.b.c + 1;", "used as a number"),
            ("  return `#${a.b.c}`;", "formatted into output"),
            (
                "  const n = a.b.c;\n  return n.length;",
                "`n.length` is read",
            ),
            ("  send(a.b.c);", "passed on"),
            // `?.` yields undefined, which a strict test of null does not catch.
            (
                "  if (a.b.c === null) return;",
                "compared with null strictly",
            ),
            (
                "  const n = a.b.c;\n  if (null !== n) send(n);",
                "compared with null strictly",
            ),
        ] {
            let first = l.lines().next().unwrap();
            let (sols, notes) = node(l, col_of(first, ".c") + 1, read);
            assert!(sols.is_empty(), "{l}: {}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{l}: {notes:?}");
        }
    }

    fn trace(file: &str, line: usize, col: usize, caller: &str) -> String {
        format!(
            "TypeError: Cannot read properties of undefined (reading 'city')\n    at label (/srv/app/{file}:{line}:{col})\n    at Object.<anonymous> (/srv/app/{caller})\n    at Module._compile (node:internal/modules/cjs/loader:1521:14)"
        )
    }

    #[test]
    fn a_default_the_code_base_defines() {
        let lib = "const DEFAULT_CITY = 'unknown';\nfunction label(o) {\n  const city = o.addr.city;\n  return `${o.id} ${city}`;\n}\nmodule.exports = { label };\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "label(o);\n")],
            &trace("lib/x.js", 3, 23, "index.js:1:1"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  const city = o.addr?.city ?? DEFAULT_CITY;"],
            "{notes:?}"
        );
        // The same property's fallback elsewhere in the repository.
        let lib = "function label(o) {\n  return 'to ' + (o.addr.city);\n}\n";
        let other = "const c = cfg.home.city ?? 'Paris';\n";
        let (sols, notes) = propose(
            &[
                ("lib/x.js", lib),
                ("lib/y.js", other),
                ("index.js", "label(o);\n"),
            ],
            &trace("lib/x.js", 2, 26, "index.js:1:1"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  return 'to ' + (o.addr?.city ?? 'Paris');"],
            "{notes:?}"
        );
        assert!(
            sols[0].description.contains("lib/y.js:1"),
            "{}",
            sols[0].description
        );
    }

    #[test]
    fn the_record_is_skipped_in_the_callers_loop() {
        let lib = "function label(o) {\n  return `${o.id} ${o.addr.city}`;\n}\nmodule.exports = { label };\n";
        let index = "const { label } = require('./lib/x');\nlet n = 0;\nfor (const o of list) {\n  console.log(label(o));\n  n++;\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace("lib/x.js", 2, 27, "index.js:4:15"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "  if (o.addr == null) {",
                "    console.error(`skipping o ${o.id}: o.addr is missing`);",
                "    continue;",
                "  }"
            ],
            "{notes:?}"
        );
        assert_eq!(sols[0].files, vec!["index.js"]);
        // A forEach callback moves on with `return`.
        let index = "const { label } = require('./lib/x');\nlist.forEach((o) => {\n  console.log(label(o));\n});\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace("lib/x.js", 2, 27, "index.js:3:15"),
        );
        assert_eq!(added(&sols[0].diff)[2], "    return;", "{notes:?}");
        // Not from a loop: nothing, and why.
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "console.log(label(o));\n")],
            &trace("lib/x.js", 2, 27, "index.js:1:15"),
        );
        assert!(sols.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("formatted into output") && n.contains("in no `for` loop")),
            "{notes:?}"
        );
    }

    #[test]
    fn the_record_is_skipped_in_a_loop_two_calls_out() {
        let lib = "class Invoicer {\n  total(invoice) {\n    const net = invoice.lines.reduce((s, l) => s + l, 0);\n    return net * 2;\n  }\n  render(invoice) {\n    return `${invoice.number}: ${this.total(invoice)}`;\n  }\n}\n";
        let index = "for (const inv of invoices) {\n  log.info(`send ${invoicer.render(inv)}`);\n  sent += 1;\n}\n";
        let trace = |render: &str| {
            format!("TypeError: Cannot read properties of undefined (reading 'reduce')\n    at Invoicer.total (/srv/app/lib/inv.js:3:31)\n    at Invoicer.{render} (/srv/app/lib/inv.js:7:35)\n    at Object.<anonymous> (/srv/app/index.js:2:29)")
        };
        let (sols, notes) = propose(
            &[("lib/inv.js", lib), ("index.js", index)],
            &trace("render"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "  if (inv.lines == null) {",
                "    console.error(`skipping inv ${JSON.stringify(inv)}: inv.lines is missing`);",
                "    continue;",
                "  }"
            ],
            "{notes:?}"
        );
        assert!(sols[0].description.contains("through render()"));
        // A frame that is not the function around its line: no hop.
        let (sols, notes) = propose(&[("lib/inv.js", lib), ("index.js", index)], &trace("show"));
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("is not render()")),
            "{notes:?}"
        );
        // What the middle function passes on is not its parameter: no hop.
        let lib = lib.replace("this.total(invoice)", "this.total(this.current)");
        let (sols, _) = propose(
            &[("lib/inv.js", &lib), ("index.js", index)],
            &trace("render"),
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
    }

    #[test]
    fn the_functions_own_nothing_when_the_caller_tests_it() {
        let lib = "function label(u) {\n  if (!u) {\n    return null;\n  }\n  const city = u.addr.city;\n  return city.toUpperCase();\n}\n";
        let index = "const c = label(user) ?? 'UTC';\nconsole.log(c);\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace("lib/x.js", 5, 23, "index.js:1:11"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  if (u.addr == null) {", "    return null;", "  }"],
            "{notes:?}"
        );
        // A caller that formats the result: no.
        let index = "console.log(`${label(user)}`);\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace("lib/x.js", 5, 23, "index.js:1:16"),
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("does not handle it")),
            "{notes:?}"
        );
        // The one-line early exit, and an awaited call whose result the caller tests.
        let lib = "async function label(u) {\n  if (!u) return null;\n  return u.addr.city;\n}\n";
        let index = "async function main() {\n  const c = await label(user);\n  if (c === null) return;\n  console.log(c);\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace("lib/x.js", 3, 17, "index.js:2:19"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  if (u.addr == null) {", "    return null;", "  }"],
            "{notes:?}"
        );
    }

    #[test]
    fn destructuring_a_missing_object() {
        let msg = "TypeError: Cannot destructure property 'city' of 'o.addr' as it is undefined.";
        let trace = |line: usize, caller: &str| {
            format!("{msg}\n    at label (/srv/app/lib/x.js:{line}:11)\n    at Object.<anonymous> (/srv/app/{caller})")
        };
        let lib = "function label(o) {\n  const { city = 'unknown', zip = '' } = o.addr;\n  return `${city} ${zip}`;\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "label(o);\n")],
            &trace(2, "index.js:1:1"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["  const { city = 'unknown', zip = '' } = o.addr ?? {};"],
            "{notes:?}"
        );
        // Without defaults the names are printed: the caller's loop skips the record.
        let lib = "function label(o) {\n  const { city } = o.addr;\n  return `${city}`;\n}\n";
        let index = "for (const o of list) {\n  console.log(label(o));\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", index)],
            &trace(2, "index.js:2:15"),
        );
        assert_eq!(
            added(&sols[0].diff)[0],
            "  if (o.addr == null) {",
            "{notes:?}"
        );
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "label(o);\n")],
            &trace(2, "index.js:1:1"),
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("`city` is formatted into output")),
            "{notes:?}"
        );
        // V8's form for a pattern without a plain property: the rest is followed like a name.
        let msg = "TypeError: Cannot destructure 'o.addr' as it is undefined.";
        let lib = "function label(o) {\n  const { ...rest } = o.addr;\n  if (rest) return 1;\n}\n";
        let tr = format!("{msg}\n    at label (/srv/app/lib/x.js:2:11)\n    at Object.<anonymous> (/srv/app/index.js:1:1)");
        let (sols, notes) = propose(&[("lib/x.js", lib), ("index.js", "label(o);\n")], &tr);
        assert_eq!(
            added(&sols[0].diff),
            vec!["  const { ...rest } = o.addr ?? {};"],
            "{notes:?}"
        );
    }

    #[test]
    fn a_parameter_pattern_called_without_its_argument() {
        let trace = |msg: &str, col: usize, caller: &str| {
            format!("TypeError: {msg}\n    at search (/srv/app/lib/x.js:1:{col})\n    at Object.<anonymous> (/srv/app/{caller})")
        };
        let reading = "Cannot read properties of undefined (reading 'limit')";
        let lib = "function search({ limit = 10, offset = 0 }) {\n  return rows.slice(offset, offset + limit);\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "console.log(search());\n")],
            &trace(reading, 19, "index.js:1:13"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["function search({ limit = 10, offset = 0 } = {}) {"],
            "{notes:?}"
        );
        // Without defaults, a name only tested afterwards; the method form.
        let msg = "Cannot destructure property 'verbose' of 'undefined' as it is undefined.";
        let lib = "class S {\n  search(q, { verbose }) {\n    if (verbose) log(q);\n    return q;\n  }\n}\n";
        let tr = format!("TypeError: {msg}\n    at S.search (/srv/app/lib/x.js:2:16)\n    at Object.<anonymous> (/srv/app/index.js:1:3)");
        let (sols, notes) = propose(&[("lib/x.js", lib), ("index.js", "s.search('a');\n")], &tr);
        assert_eq!(
            added(&sols[0].diff),
            vec!["  search(q, { verbose } = {}) {"],
            "{notes:?}"
        );
        // A name without a default that is printed: no.
        let msg = "Cannot destructure property 'host' of 'undefined' as it is undefined.";
        let lib = "function search({ host, port = 5432 }) {\n  return `${host}:${port}`;\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "search();\n")],
            &trace(msg, 19, "index.js:1:1"),
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("`host` is formatted into output")),
            "{notes:?}"
        );
        // The caller passes a value that is undefined: its data is missing, not the options.
        let lib = "function search({ limit = 10, offset = 0 }) {\n  return rows.slice(offset, offset + limit);\n}\n";
        let (sols, notes) = propose(
            &[("lib/x.js", lib), ("index.js", "search(req.query);\n")],
            &trace(reading, 19, "index.js:1:1"),
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("passes `req.query` there")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_build_output_is_not_edited() {
        let trace = "TypeError: Cannot read properties of undefined (reading 'city')\n    at label (/srv/app/dist/x.js:3:23)\n    at Object.<anonymous> (/srv/app/dist/index.js:1:1)";
        let lib = "function label(o) {\n  if (!o) return null;\n  const city = o.addr.city;\n  return city ?? null;\n}\n";
        let mapped = format!("{lib}//# sourceMappingURL=x.js.map\n");
        let tsconfig = "{\n  \"compilerOptions\": { \"outDir\": \"./dist\" }\n}\n";
        for files in [
            vec![
                ("dist/x.js", mapped.as_str()),
                ("dist/index.js", "label(o);\n"),
            ],
            vec![
                ("dist/x.js", lib),
                ("dist/index.js", "label(o);\n"),
                ("tsconfig.json", tsconfig),
            ],
        ] {
            let (sols, notes) = propose(&files, trace);
            assert!(sols.is_empty(), "{}", sols[0].diff);
            assert!(
                notes
                    .iter()
                    .any(|n| n.contains("dist/x.js is a build output")),
                "{notes:?}"
            );
        }
        // The same file without either sign is source.
        let (sols, notes) = propose(
            &[("dist/x.js", lib), ("dist/index.js", "label(o);\n")],
            trace,
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
    }

    #[test]
    fn a_line_changed_since_the_log_is_left_alone() {
        let trace = "/srv/app/lib/x.js:2\n  return a.b.c;\n             ^\n\nTypeError: Cannot read properties of undefined (reading 'c')\n    at f (/srv/app/lib/x.js:2:14)\n    at Object.<anonymous> (/srv/app/index.js:1:1)";
        let now = "function f(a) {\n  return a.b.c || a.d;\n}\n";
        let (sols, notes) = propose(&[("lib/x.js", now), ("index.js", "f()\n")], trace);
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("changed since")),
            "{notes:?}"
        );
    }

    #[test]
    fn no_optional_chaining_where_it_is_invalid_or_ambiguous() {
        let read = "TypeError: Cannot read properties of undefined (reading 'c')";
        for l in [
            "  a.b.c = 1;",
            "  a.b.c++;",
            "  new a.b.c();",
            "  x = a.b?.c;",
            "  x = a.c + b.c;",
        ] {
            let col = if l.contains("a.c +") {
                1
            } else {
                l.find(".c").unwrap() + 2
            };
            let (sols, _) = node(l, col, read);
            assert!(sols.is_empty(), "{l}: {:?}", sols[0].diff);
        }
    }

    #[test]
    fn a_dev_dependency_the_program_requires_moves_and_a_locked_version_is_kept() {
        let trace = |spec: &str| {
            format!("Error: Cannot find module '{spec}'\nRequire stack:\n- /srv/app/index.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n    at Object.<anonymous> (/srv/app/index.js:1:11)")
        };
        let pkg = "{\n  \"name\": \"a\",\n  \"dependencies\": {\n    \"chalk\": \"^5.3.0\"\n  },\n  \"devDependencies\": {\n    \"dayjs\": \"^1.11.10\",\n    \"jest\": \"^29.0.0\"\n  }\n}\n";
        let (sols, notes) = propose(
            &[
                ("index.js", "const dayjs = require('dayjs');\n"),
                ("package.json", pkg),
            ],
            &trace("dayjs"),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        let removed: Vec<&str> = sols[0]
            .diff
            .lines()
            .filter(|l| l.starts_with('-') && !l.starts_with("---"))
            .collect();
        assert!(
            removed.contains(&"-    \"dayjs\": \"^1.11.10\","),
            "{}",
            sols[0].diff
        );
        assert!(
            sols[0].diff.contains("+    \"dayjs\": \"^1.11.10\""),
            "{}",
            sols[0].diff
        );
        let lock = "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {},\n    \"node_modules/marked\": {\"version\": \"12.0.2\"}\n  }\n}\n";
        let (sols, notes) = propose(
            &[
                ("index.js", "const marked = require('marked');\n"),
                ("package.json", pkg),
                ("package-lock.json", lock),
            ],
            &trace("marked"),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert!(
            sols[0].diff.contains("+    \"marked\": \"12.0.2\""),
            "{}",
            sols[0].diff
        );
        assert!(sols[0]
            .description
            .contains("the version the lock file holds"));
        // The last member of devDependencies: the one before it loses its comma.
        let moved = remove_dependency(pkg, "devDependencies", "jest").unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&moved).unwrap();
        assert_eq!(
            parsed["devDependencies"],
            serde_json::json!({"dayjs": "^1.11.10"})
        );
        assert!(is_test_path("src/__tests__/a.js") && is_test_path("lib/a.spec.ts"));
        assert!(!is_test_path("src/testing.js") && !is_test_path("index.js"));
    }

    #[test]
    fn missing_module_refusals() {
        let trace = |spec: &str| {
            format!("Error: Cannot find module '{spec}'\nRequire stack:\n- /srv/app/index.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n    at Object.<anonymous> (/srv/app/index.js:1:11)")
        };
        let pkg =
            "{\n  \"name\": \"a\",\n  \"devDependencies\": {\n    \"jest\": \"^29.0.0\"\n  }\n}\n";
        let (sols, _) = propose(
            &[
                ("index.js", "const x = require('fs');\n"),
                ("package.json", pkg),
            ],
            &trace("fs"),
        );
        assert!(sols.is_empty());
        let test_trace = "Error: Cannot find module 'jest'\nRequire stack:\n- /srv/app/test/app.test.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n    at Object.<anonymous> (/srv/app/test/app.test.js:1:11)";
        let (sols, notes) = propose(
            &[
                ("test/app.test.js", "const x = require('jest');\n"),
                ("package.json", pkg),
            ],
            test_trace,
        );
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("only the test file")),
            "{notes:?}"
        );
        let (sols, _) = propose(
            &[
                ("index.js", "const x = require('other');\n"),
                ("package.json", pkg),
            ],
            &trace("axios"),
        );
        assert!(sols.is_empty(), "the line requires something else now");
        let (sols, _) = propose(
            &[
                ("index.js", "const x = require('axios');\n"),
                ("package.json", pkg),
            ],
            &trace("axios"),
        );
        assert_eq!(sols.len(), 1);
        assert!(
            sols[0].diff.contains("+  \"dependencies\": {"),
            "{}",
            sols[0].diff
        );
        // The package.json nearest to the requiring file, in a workspace.
        let trace = "Error: Cannot find module 'axios'\nRequire stack:\n- /srv/repo/packages/api/src/x.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)\n    at Object.<anonymous> (/srv/repo/packages/api/src/x.js:1:11)";
        let (sols, notes) = propose(
            &[
                ("packages/api/src/x.js", "const a = require('axios');\n"),
                ("packages/api/package.json", "{\n  \"name\": \"api\"\n}\n"),
                ("package.json", pkg),
            ],
            trace,
        );
        assert_eq!(
            sols[0].files,
            vec!["packages/api/package.json"],
            "{notes:?}"
        );
    }
}
