//! Python generators: missing module, KeyError, attribute of None, division by zero.
//!
//! Python prints the failing line under each frame (stripped) and, since 3.11, carets under the
//! failing expression. Both are used: a printed line that differs from HEAD means the code
//! changed since the log was written (decline), and carets pick the expression at the column.

use super::code::{is_name_chain, Class, Lang, Line};
use super::py_dependency;
use super::python_flow as flow;
use crate::fix::edit::{self, Edit};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::fix::syntax::python::Source;

/// What the traceback shows under a frame, mapped onto the HEAD line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// Nothing shown (no source line in the log).
    Nothing,
    /// The log shows a different line: the code changed.
    Differs(String),
    /// Same line; the byte ranges of the carets (all of them, and the `^` part) when present.
    Same {
        span: Option<(usize, usize)>,
        primary: Option<(usize, usize)>,
    },
}

/// Compare what the traceback shows for `site` with HEAD.
pub fn shown(message: &str, site: &Site) -> Shown {
    let Some(head_line) = site.line_text() else {
        return Shown::Nothing;
    };
    let header = format!("File \"{}\", line {}", site.frame.file, site.line);
    let lines: Vec<&str> = message.lines().collect();
    // The innermost occurrence: the same frame can appear twice in a recursive trace.
    let Some(i) = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with(&header))
    else {
        return Shown::Nothing;
    };
    let Some(display) = lines.get(i + 1) else {
        return Shown::Nothing;
    };
    let trimmed = display.trim();
    if trimmed.is_empty()
        || trimmed.starts_with("File \"")
        || lines[i + 1].trim_start().len() == display.len()
    {
        // The next line is not indented source: the log has no source lines.
        return Shown::Nothing;
    }
    if trimmed != head_line.trim() {
        return Shown::Differs(trimmed.to_string());
    }
    let mut span = None;
    let mut primary = None;
    if let Some(carets) = lines.get(i + 2) {
        let only_marks =
            carets.chars().all(|c| matches!(c, ' ' | '~' | '^')) && carets.contains('^');
        if only_marks {
            let display_indent = display.chars().take_while(|c| c.is_whitespace()).count();
            let head_indent = head_line.len() - head_line.trim_start().len();
            let stripped = head_line.trim_start();
            let byte_at = |col: usize| -> Option<usize> {
                let k = col.checked_sub(display_indent)?;
                if k == stripped.chars().count() {
                    return Some(head_indent + stripped.len());
                }
                stripped.char_indices().nth(k).map(|(b, _)| head_indent + b)
            };
            let cols: Vec<(usize, char)> = carets
                .chars()
                .enumerate()
                .filter(|(_, c)| *c != ' ')
                .collect();
            let range = |marks: &[(usize, char)]| -> Option<(usize, usize)> {
                let first = marks.first()?.0;
                let last = marks.last()?.0;
                Some((byte_at(first)?, byte_at(last + 1)?))
            };
            span = range(&cols);
            let hats: Vec<(usize, char)> =
                cols.iter().copied().filter(|(_, c)| *c == '^').collect();
            primary = range(&hats);
        }
    }
    Shown::Same { span, primary }
}

/// The site's line, checked against what the log shows. Declines when the code changed.
pub(crate) fn checked_line<'a>(cx: &'a Context<'_>) -> Result<(&'a Site, &'a str, Shown), Skip> {
    let Some(site) = cx.site.as_ref() else {
        return decline("no frame of the trace maps to a file tracked at HEAD");
    };
    let Some(text) = site.line_text() else {
        return decline(format!("{} has no line {}", site.path, site.line));
    };
    site.failed_here()?;
    let shown = shown(cx.message, site);
    if let Shown::Differs(logged) = &shown {
        return decline(format!(
            "{}:{} changed since the log was written (log shows '{}')",
            site.path,
            site.line,
            excerpt(logged, 80)
        ));
    }
    Ok((site, text, shown))
}

/// `text` lexed with the code inside f-string fields counted as code: `f"{cfg['db']['port']}"`
/// fails at `['port']` like any other subscript.
pub(crate) fn code_line(text: &str) -> Line<'_> {
    let mut line = Line::new(text, Lang::Python);
    for (a, b) in crate::fix::syntax::python::fstring_fields(text) {
        let field = Line::new(&text[a..b], Lang::Python);
        line.class[a..b].copy_from_slice(&field.class);
    }
    line
}

pub(crate) fn is_python(cx: &Context<'_>) -> bool {
    cx.language == Some(crate::pattern::Language::Python)
}

/// A string literal's value when it is a plain one (no escapes, no prefix).
fn literal_value(lit: &str) -> Option<&str> {
    let q = lit.chars().next()?;
    if !(q == '\'' || q == '"') || lit.len() < 2 || !lit.ends_with(q) {
        return None;
    }
    let inner = &lit[1..lit.len() - 1];
    (!inner.contains('\\') && !inner.contains(q)).then_some(inner)
}

impl Shown {
    /// The range all carets cover, when the log shows the HEAD line with carets.
    pub(crate) fn span(&self) -> Option<(usize, usize)> {
        match self {
            Shown::Same { span, .. } => *span,
            _ => None,
        }
    }

    /// The range of the `^` carets, when the log shows the HEAD line with them.
    pub(crate) fn primary(&self) -> Option<(usize, usize)> {
        match self {
            Shown::Same { primary, .. } => *primary,
            _ => None,
        }
    }
}

fn within(range: Option<(usize, usize)>, i: usize) -> bool {
    range.is_some_and(|(a, b)| a <= i && i < b)
}

/// The one candidate whose byte `at` lies under the carets; `None` when no candidate or
/// several do, since then the log does not say which one failed.
fn single_under<T: Copy>(
    found: &[T],
    range: Option<(usize, usize)>,
    at: impl Fn(&T) -> usize,
) -> Option<T> {
    let mut hit = found.iter().filter(|f| within(range, at(f)));
    match (hit.next(), hit.next()) {
        (Some(one), None) => Some(*one),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------

/// `KeyError: 'k'` at `expr['k']` → `expr.get('k')`; `os.environ['X']` → `.get('X', '')`.
pub struct KeyError;

impl Generator for KeyError {
    fn name(&self) -> String {
        "py-key-error".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`KeyError` on a dict, JSON or `os.environ` lookup",
        })
    }

    fn prior(&self) -> f64 {
        0.55
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("KeyError") {
            return Err(Skip::NotApplicable);
        }
        let Some(key) = literal_value(cx.exception_message().trim()) else {
            return decline(format!(
                "KeyError {} is not a plain string key",
                excerpt(cx.exception_message(), 40)
            ));
        };
        let (site, text, shown) = checked_line(cx)?;
        let line = code_line(text);
        let b = line.bytes();
        // Every `[<literal key>]` subscript in code.
        let mut found = Vec::new();
        for open in line.find_code("[") {
            let Some(close) = line.matching_close(open) else {
                continue;
            };
            let inner = &text[open + 1..close];
            let lit_ok = (open + 1..close).all(|i| line.class[i] == Class::Str);
            if !lit_ok || literal_value(inner) != Some(key) {
                continue;
            }
            let Some(start) = line.primary_start(open) else {
                continue;
            };
            found.push((start, open, close));
        }
        let primary = shown.primary();
        let (chosen, at_column) = if primary.is_some() {
            let hit: Vec<_> = found
                .iter()
                .copied()
                .filter(|(_, open, _)| within(primary, *open))
                .collect();
            if hit.len() != 1 {
                return decline(format!(
                    "no ['{key}'] subscript under the carets at {}:{}",
                    site.path, site.line
                ));
            }
            (hit, true)
        } else {
            let bases: std::collections::BTreeSet<&str> =
                found.iter().map(|(s, o, _)| &text[*s..*o]).collect();
            if bases.len() != 1 {
                return decline(format!(
                    "{} ['{key}'] subscripts on {}:{}; which one failed is unknown",
                    if found.is_empty() {
                        "no"
                    } else {
                        "several different"
                    },
                    site.path,
                    site.line
                ));
            }
            (found, false)
        };
        let mut new = text.to_string();
        let mut changes = Vec::new();
        let mut import = None;
        let default = flow::default_for(key, &site.path, &site.content, cx.repo)
            .or_else(|| keyword_default(text, &chosen, cx))
            .or_else(|| {
                let (value, why, imp) = callee_default(text, &chosen, site, cx)?;
                import = imp;
                Some((value, why))
            });
        for &(start, open, close) in chosen.iter().rev() {
            let base = &text[start..open];
            // `d['k'] = v`, `d['k'] += 1`, `del d['k']`: not a read that `.get` can replace.
            let after = line.next_non_space(close + 1);
            let assigns = match after {
                Some((i, b'=')) => b.get(i + 1) != Some(&b'='),
                Some((i, op)) => {
                    b"+-*/%&|^@<>".contains(&op)
                        && text[i..]
                            .trim_start_matches([
                                '+', '-', '*', '/', '%', '&', '|', '^', '@', '<', '>',
                            ])
                            .starts_with('=')
                        && !text[i..].starts_with("==")
                        && !text[i..].starts_with("<=")
                        && !text[i..].starts_with(">=")
                }
                None => false,
            };
            if assigns || text[..start].trim_end().ends_with("del") {
                return decline(format!(
                    "['{key}'] is assigned or deleted at {}:{}, not read",
                    site.path, site.line
                ));
            }
            let lit = &text[open + 1..close];
            let environ = base == "environ" || base.ends_with(".environ");
            // A chain of literal subscripts after it: `cfg['db']['host']` with 'db' missing.
            let mut tail = Vec::new();
            let mut end = close + 1;
            while b.get(end) == Some(&b'[') {
                let Some(c2) = line.matching_close(end) else {
                    break;
                };
                let inner = &text[end + 1..c2];
                if !(end + 1..c2).all(|i| line.class[i] == Class::Str)
                    || literal_value(inner).is_none()
                {
                    tail.clear();
                    break;
                }
                tail.push(inner.to_string());
                end = c2 + 1;
            }
            let replacement = match (&default, tail.is_empty(), environ) {
                (Some((value, _)), true, false) => format!("{base}.get({lit}, {value})"),
                _ if !tail.is_empty() => {
                    let mut r = format!("{base}.get({lit}, {{}})");
                    for (k, lit) in tail.iter().enumerate() {
                        if k + 1 == tail.len() {
                            r.push_str(&format!(".get({lit})"));
                        } else {
                            r.push_str(&format!(".get({lit}, {{}})"));
                        }
                    }
                    r
                }
                (_, _, true) => format!("{base}.get({lit})"),
                _ => format!("{base}.get({lit})"),
            };
            changes.push((start, close + 1, end, base.to_string(), replacement.clone()));
            new.replace_range(start..end, &replacement);
        }
        let &(start, key_end, end, ref base, ref replacement) = &changes[0];
        let read = &text[start..end];
        if let (Some((_, why)), true) = (&default, end == key_end) {
            let mut draft = Draft::on_line(
                site,
                &new,
                format!(
                    "{} at {}:{} in {}: `{read}` reads a key the mapping does not have. {why}, \
                     so `{replacement}` falls back to it and a configured value is still used.",
                    headline(cx),
                    site.path,
                    site.line,
                    function_name(site),
                ),
                "default-from-code",
                at_column,
            )?;
            if let Some(import) = import {
                draft.edits.push(Edit {
                    file: site.path.clone(),
                    line: Source::new(&site.content).import_line(),
                    old: String::new(),
                    new: format!("{import}\n"),
                });
            }
            return Ok(draft);
        }
        // What the code does with None in place of the value.
        let src = Source::new(&site.content);
        let function = src.function(site.line);
        let at = flow::At {
            src: &src,
            path: &site.path,
            function: function.as_ref(),
        };
        let mut fate = flow::fate(&at, site.line, start, end, cx.repo, 0);
        // Stored as-is from a mapping whose other keys the function already treats as optional
        // (`payload.get("qty", 1)`): None is that data's own "absent".
        if let flow::Fate::Stored(why) = &fate {
            if let Some(optional) = optional_sibling(&src, function.as_ref(), base, key) {
                fate = flow::Fate::Accepted(format!(
                    "{why}, and the function already reads `{optional}` from the same mapping, \
                     so a missing key is expected data there"
                ));
            }
        }
        let breaks = match fate {
            flow::Fate::Breaks(breaks) | flow::Fate::Stored(breaks) => breaks,
            flow::Fate::Accepted(why) => {
                return Draft::on_line(
                    site,
                    &new,
                    format!(
                        "{} at {}:{} in {}: `{read}` reads a key the mapping does not have at run \
                     time. `{replacement}` gives None instead of raising, and None is safe there: \
                     {why}.",
                        headline(cx),
                        site.path,
                        site.line,
                        function_name(site),
                    ),
                    "value-guard",
                    at_column,
                );
            }
        };
        let mut why_not = vec![format!("None in place of `{read}` is wrong: {breaks}")];
        // The key that is missing is the first one unless the carets say otherwise; the guard
        // tests the mapping the missing key was read from.
        let pure = super::code::is_name_chain(base.split('[').next().unwrap_or(base))
            && changes.len() == 1
            && end == key_end;
        if pure {
            let strategies = flow::Strategies::at(cx, site);
            let root = base.split(['.', '[']).next().unwrap_or(base).to_string();
            let missing = flow::Missing {
                cond: format!(
                    "{} not in {base}",
                    &text[start + base.len() + 1..key_end - 1]
                ),
                names: vec![root],
                what: format!("no '{key}'"),
                args: Vec::new(),
                announce: true,
            };
            match strategies.choose(&missing) {
                Ok(plan) => {
                    return Ok(Draft {
                        strategy: crate::fix::factor::strategy(plan.strategy),
                        edits: plan.edits,
                        description: format!(
                            "{} at {}:{} in {}: `{read}` reads a key some inputs do not have. \
                             None in its place would be wrong ({breaks}), so the change does not \
                             invent a value: {}.",
                            headline(cx),
                            site.path,
                            site.line,
                            function_name(site),
                            plan.why
                        ),
                        at_column: Some(at_column),
                    })
                }
                Err(reasons) => why_not.extend(reasons),
            }
        }
        let siblings = sibling_keys(&src, function.as_ref(), base, key);
        let configs = flow::config_without(key, &siblings, cx.repo);
        let missing = match configs.as_slice() {
            [] => format!("no default for '{key}' is defined in the repository"),
            files => format!(
                "{} {} no '{key}' and no default is defined",
                files.join(", "),
                if files.len() == 1 { "has" } else { "have" }
            ),
        };
        decline(format!("{missing}; {}", why_not.join("; ")))
    }
}

/// `Reading(unit=doc["unit"])`: the default the constructed class gives that keyword.
fn keyword_default(
    text: &str,
    chosen: &[(usize, usize, usize)],
    cx: &Context<'_>,
) -> Option<(String, String)> {
    let &[(start, _, _)] = chosen else {
        return None;
    };
    let before = text[..start].trim_end().strip_suffix('=')?;
    if before.ends_with(['=', '!', '<', '>']) {
        return None;
    }
    let kw: String = before
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let callee = flow::callee_at(text, start)?;
    let class = callee.rsplit('.').next()?;
    if kw.is_empty() || !class.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    flow::constructor_default(class, &kw, cx.repo)
}

/// `send(msg, cfg["channel"])` where the repository defines `def send(text, channel=DEFAULT_CHANNEL)`:
/// the callee's own default for that parameter, why, and the import the site's file needs for
/// it. A default of None is left to the data flow (whether the callee handles None).
fn callee_default(
    text: &str,
    chosen: &[(usize, usize, usize)],
    site: &Site,
    cx: &Context<'_>,
) -> Option<(String, String, Option<String>)> {
    let &[(start, _, close)] = chosen else {
        return None;
    };
    let line = code_line(text);
    if line.primary_end(start) != Some(close + 1) {
        return None;
    }
    let (callee, index) = flow::call_arg_at(text, start)?;
    let name = callee.rsplit('.').next().unwrap_or(&callee).to_string();
    if !name.bytes().all(super::code::is_ident) {
        return None;
    }
    // `f(x, to=cfg["to"])`: the keyword names the parameter.
    let before = text[..start].trim_end();
    let kw = before
        .strip_suffix('=')
        .filter(|b| !b.ends_with(['=', '!', '<', '>']))
        .map(|b| {
            let b = b.trim_end();
            let n = b
                .bytes()
                .rev()
                .take_while(|&c| super::code::is_ident(c))
                .count();
            b[b.len() - n..].to_string()
        })
        .filter(|k| !k.is_empty());
    let needle = format!("def {name}(");
    let mut found = None;
    for p in cx.repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(t) = cx.repo.read(p) else { continue };
        if !t.contains(&needle) {
            continue;
        }
        if found.is_some() {
            return None;
        }
        found = Some((p.clone(), t));
    }
    let (path, content) = found?;
    let src = Source::new(&content);
    let f = src.functions().into_iter().find(|f| f.name == name)?;
    let param = match kw {
        Some(kw) => f.params.iter().find(|p| **p == kw)?.clone(),
        None => {
            let skip_self =
                usize::from(f.params.first().is_some_and(|p| p == "self" || p == "cls"));
            f.params.get(index + skip_self)?.clone()
        }
    };
    let re = regex::Regex::new(&format!(
        r#"[(,]\s*{}\s*(?::[^=,)]+)?=\s*(-?\d+(?:\.\d+)?|'[^'\\]*'|"[^"\\]*"|True|False|[A-Z][A-Z0-9_]*)\s*[,)]"#,
        regex::escape(&param)
    ))
    .ok()?;
    let value = re.captures(&f.header.text)?[1].to_string();
    let constant =
        value.starts_with(|c: char| c.is_ascii_uppercase()) && value != "True" && value != "False";
    let mut import = None;
    if constant {
        let defined = regex::Regex::new(&format!(r"(?m)^{}\s*(?::[^=]+)?=", regex::escape(&value)))
            .ok()?
            .is_match(&content);
        if !defined {
            return None;
        }
        let here = path == site.path
            || regex::Regex::new(&format!(
                r"(?m)^(?:from .* import .*{v}|{v}\s*=)",
                v = regex::escape(&value)
            ))
            .ok()?
            .is_match(&site.content);
        if !here {
            let module = path
                .trim_end_matches(".py")
                .trim_end_matches("/__init__")
                .replace('/', ".");
            import = Some(format!("from {module} import {value}"));
        }
    }
    Some((
        value.clone(),
        format!("{path}: {name}() gives `{param}` the default {value} when it is not passed"),
        import,
    ))
}

/// The headline of the exception, cut for a description.
pub(crate) fn headline(cx: &Context<'_>) -> String {
    excerpt(
        &cx.exception
            .map(|e| e.headline())
            .unwrap_or_else(|| "the error".into()),
        60,
    )
}

pub(crate) fn function_name(site: &Site) -> &str {
    site.frame.function.as_deref().unwrap_or("<module>")
}

/// Another key `function` reads from `base` with `.get(…)`: the mapping's keys are optional by
/// the code's own account.
fn optional_sibling(
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
    base: &str,
    key: &str,
) -> Option<String> {
    let f = function?;
    let re = regex::Regex::new(&format!(
        r#"{}\.get\(\s*['"]([\w.-]+)['"]"#,
        regex::escape(base)
    ))
    .expect("valid regex");
    (f.first..=f.last).find_map(|l| {
        let c = re.captures(src.text(l)?)?;
        (&c[1] != key).then(|| format!("{base}.get('{}')", &c[1]))
    })
}

/// The other literal keys `function` reads from `base` (`settings["batch_size"]`).
fn sibling_keys(
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
    base: &str,
    key: &str,
) -> Vec<String> {
    let Some(f) = function else {
        return Vec::new();
    };
    let re = regex::Regex::new(&format!(r#"{}\[['"]([\w.-]+)['"]\]"#, regex::escape(base)))
        .expect("valid regex");
    let mut out = Vec::new();
    for l in f.first..=f.last {
        for c in re.captures_iter(src.text(l).unwrap_or("")) {
            if &c[1] != key && !out.contains(&c[1].to_string()) {
                out.push(c[1].to_string());
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------

/// `AttributeError: 'NoneType' object has no attribute 'a'` → a None guard.
pub struct NoneAttribute;

impl Generator for NoneAttribute {
    fn name(&self) -> String {
        "py-none-attribute".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`AttributeError: 'NoneType' object has no attribute 'x'`",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("AttributeError") {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        let Some(attr) = msg
            .strip_prefix("'NoneType' object has no attribute '")
            .and_then(|r| r.strip_suffix('\''))
        else {
            return Err(Skip::NotApplicable);
        };
        let (site, text, shown) = checked_line(cx)?;
        let line = code_line(text);
        let b = line.bytes();
        let needle = format!(".{attr}");
        let mut found = Vec::new();
        for dot in line.find_code(&needle) {
            let after = dot + needle.len();
            if b.get(after).is_some_and(|&c| super::code::is_ident(c)) {
                continue;
            }
            let Some(start) = line.primary_start(dot) else {
                continue;
            };
            found.push((start, dot));
        }
        let span = shown.span();
        let (start, dot, at_column) = if span.is_some() {
            // The carets cover `base.attr` (and a call's arguments): the access whose dot is
            // under them and ends last is the one that failed.
            match single_under(&found, span, |&(_, d)| d) {
                Some((start, dot)) => (start, dot, true),
                None => {
                    return decline(format!(
                        "no single .{attr} under the carets at {}:{}",
                        site.path, site.line
                    ))
                }
            }
        } else {
            let bases: std::collections::BTreeSet<&str> =
                found.iter().map(|(s, d)| &text[*s..*d]).collect();
            if bases.len() != 1 {
                return decline(format!(
                    "{} .{attr} accesses on {}:{}; which one failed is unknown",
                    if found.is_empty() {
                        "no"
                    } else {
                        "several different"
                    },
                    site.path,
                    site.line
                ));
            }
            (found[0].0, found[0].1, false)
        };
        let base = &text[start..dot];
        if !is_name_chain(base) && base.ends_with(')') {
            let end = line.primary_end(start).unwrap_or(dot + needle.len());
            return bind_and_guard(cx, site, start, dot, end, at_column);
        }
        if !is_name_chain(base) {
            return decline(format!(
                "the None value at {}:{} comes from `{}`, which a guard would evaluate twice",
                site.path,
                site.line,
                excerpt(base, 60)
            ));
        }
        let end = line.primary_end(start).unwrap_or(dot + needle.len());
        let access = &text[start..end];
        let guard = format!("{base} is not None");
        let code_end = line.code_end();
        let stmt = text[..code_end].trim_start();
        let indent = line.indent();
        let rest = &text[code_end..];
        let simple_statement = line.balanced()
            && !stmt.ends_with(':')
            && !stmt.ends_with('\\')
            && !STATEMENT_KEYWORDS
                .iter()
                .any(|k| stmt == *k || stmt.starts_with(&format!("{k} ")));
        let assigns_to_access = line
            .next_non_space(end)
            .is_some_and(|(i, c)| c == b'=' && b.get(i + 1) != Some(&b'='))
            || line
                .next_non_space(end)
                .is_some_and(|(i, c)| b"+-*/%&|^@".contains(&c) && b.get(i + 1) == Some(&b'='));
        let new_lines: String;
        let how: &str;
        // Skipping a whole statement on a missing object is right for letting go of something
        // that is not there (`lock.release()`); skipping the work itself (`conn.execute(…)`)
        // would report success for nothing done.
        let letting_go = RELEASES.contains(&attr);
        if (stmt == access && letting_go || (assigns_to_access && stmt.starts_with(access)))
            && simple_statement
        {
            // A statement on the None value: run it only when there is a value.
            let unit = if indent.contains('\t') { "\t" } else { "    " };
            new_lines = format!("{indent}if {guard}:\n{indent}{unit}{stmt}{rest}");
            how = "runs the statement only when the value is not None";
        } else if assigns_to_access {
            return decline(format!(
                "the attribute is assigned inside a compound statement at {}:{}",
                site.path, site.line
            ));
        } else {
            let src = Source::new(&site.content);
            let function = src.function(site.line);
            let at = flow::At {
                src: &src,
                path: &site.path,
                function: function.as_ref(),
            };
            let mut fate = flow::fate(&at, site.line, start, end, cx.repo, 0).against();
            if stmt == access && access.ends_with(')') {
                fate = Ok(format!(
                    "the call is the statement's whole work at {}:{}; not making it would report \
                     success for nothing done",
                    site.path, site.line
                ));
            }
            // `node.size and not node.children`: the same None is read again after the guard.
            let again = base_used_again(&at, text, base, end, site.line, cx.repo);
            if again.is_none() && TEXT_METHODS.contains(&attr) && trailing_field(text, start, end) {
                // `f"{items} {note.strip()}".rstrip()`: optional text at the end of a line that
                // is trimmed anyway; an empty text prints the line without it.
                let new = format!("{}({base} or ''){}", &text[..start], &text[dot..]);
                return Draft::on_line(
                    site,
                    &new,
                    format!(
                        "AttributeError at {}:{} in {}: `{base}` is None when `{access}` runs. \
                         `{base}` is text (`.{attr}()`), formatted last into a line that is \
                         stripped afterwards, so an empty text prints the line without it: the \
                         change reads `({base} or '')`.",
                        site.path,
                        site.line,
                        function_name(site),
                    ),
                    "value-guard",
                    at_column,
                );
            }
            if let Some(breaks) = fate.ok().or(again) {
                return none_strategy(
                    cx,
                    site,
                    &src,
                    function.as_ref(),
                    base,
                    access,
                    &breaks,
                    at_column,
                );
            }
            let before = &text[..start];
            let tail = text[end..code_end].trim();
            let whole_rhs = tail.is_empty()
                && line.balanced()
                && !stmt.ends_with(':')
                && (assigns_whole(before) || before.trim() == "return");
            let guarded = if whole_rhs || line.sole_item(start, end) {
                format!("{access} if {guard} else None")
            } else {
                format!("({access} if {guard} else None)")
            };
            new_lines = format!("{before}{guarded}{}", &text[end..]);
            how = "yields None instead of raising when the value is None";
        }
        let (_, eol) = edit::line_parts(&site.content, site.line).expect("line exists");
        let new_lines = new_lines.replace('\n', eol);
        let edit = Edit {
            file: site.path.clone(),
            line: site.line,
            old: format!("{text}{eol}"),
            new: format!("{new_lines}{eol}"),
        };
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "AttributeError at {}:{} in {}: `{base}` is None when `{access}` runs (a lookup \
                 that found nothing, or a value never set). The change guards the access with \
                 `{guard}`, which {how}, so one missing value no longer stops the program; \
                 whether None should be possible there is worth a look.",
                site.path,
                site.line,
                site.frame.function.as_deref().unwrap_or("<module>"),
            ),
            at_column: Some(at_column),
            strategy: crate::fix::factor::strategy("value-guard"),
        })
    }
}

/// Methods of `str` that give text back: the value they are called on is text.
const TEXT_METHODS: &[&str] = &[
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "title",
    "capitalize",
    "casefold",
];

/// Whether `text[start..end]` is the whole of the last field of an f-string, with only spaces
/// after it, and the string is stripped right after (`f"{a} {x.strip()}".rstrip()`).
fn trailing_field(text: &str, start: usize, end: usize) -> bool {
    let Some(&(a, b)) = crate::fix::syntax::python::fstring_fields(text)
        .iter()
        .find(|&&(a, b)| a <= start && end <= b)
    else {
        return false;
    };
    if text[a..start].trim() != "" || text[end..b].trim() != "" {
        return false;
    }
    let rest = text[b..].strip_prefix('}').unwrap_or("");
    let rest = rest.trim_start_matches(' ');
    let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    let rest = &rest[q.len_utf8()..];
    rest.starts_with(".rstrip()") || rest.starts_with(".strip()")
}

/// Where the None `base` is read again after byte `end` of the failing line, or later in the
/// function before it is rebound: a guard on one read would only move the crash there.
pub(crate) fn base_used_again(
    at: &flow::At<'_, '_>,
    text: &str,
    base: &str,
    end: usize,
    line: u32,
    repo: &crate::fix::repo::Snapshot,
) -> Option<String> {
    let line_view = code_line(text);
    let b = text.as_bytes();
    for (i, _) in text[end..].match_indices(base) {
        let i = end + i;
        let starts = i == 0 || !(super::code::is_ident(b[i - 1]) || b[i - 1] == b'.');
        let read = matches!(b.get(i + base.len()), Some(b'.') | Some(b'['));
        if starts && read && line_view.is_code(i) {
            return Some(format!(
                "`{base}` is read again at {}:{line} (`{}`)",
                at.path,
                excerpt(&text[i..], 40)
            ));
        }
    }
    if !base.bytes().all(super::code::is_ident) {
        return None;
    }
    flow::var_fate(at, base, at.src.statement_end(line), repo, 0)
        .against()
        .ok()
}

/// `f(x).attr` where `f(x)` returned None: a `.get(key)` gets the fallback the code base uses for
/// that key; otherwise the call's result is bound to a local first (it must not run twice), and
/// the local is guarded like a name would be.
pub(crate) fn bind_and_guard(
    cx: &Context<'_>,
    site: &Site,
    start: usize,
    dot: usize,
    end: usize,
    at_column: bool,
) -> Result<Draft, Skip> {
    let text = site.line_text().unwrap_or("");
    let base = &text[start..dot];
    let access = &text[start..end];
    let src = Source::new(&site.content);
    if !src.starts_statement(site.line) || src.statement_end(site.line) != site.line {
        return decline(format!(
            "the None value at {}:{} comes from `{}` inside a longer statement",
            site.path,
            site.line,
            excerpt(base, 60)
        ));
    }
    // `mapping.get('KEY')` with a fallback for the same key elsewhere in the code.
    if let Some((callee, args)) = call_parts(base) {
        if callee.ends_with(".get") && args.len() == 1 {
            if let Some(key) = literal_value(&args[0]) {
                if let Some((value, why)) =
                    flow::default_for(key, &site.path, &site.content, cx.repo)
                {
                    let new = format!(
                        "{}{callee}({}, {value}){}",
                        &text[..start],
                        args[0],
                        &text[dot..]
                    );
                    return Draft::on_line(
                        site,
                        &new,
                        format!(
                            "{} at {}:{} in {}: `{base}` is None when '{key}' is not \
                             set, and `{access}` fails. {why}, so the same fallback is used here; \
                             a value that is set is still used.",
                            kind(cx),
                            site.path,
                            site.line,
                            function_name(site)
                        ),
                        "default-from-code",
                        at_column,
                    );
                }
            }
        }
    }
    let function = src.function(site.line);
    let name = local_name(base, &src, function.as_ref());
    let indent = src.indent_str(site.line);
    let eol = if site.content.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let bound_stmt = format!("{}{name}{}", &text[..start], &text[dot..]);
    let virtual_content = edit::apply(
        &site.content,
        &[Edit::replace_line(
            &site.path,
            &site.content,
            site.line,
            &format!("{indent}{name} = {base}{eol}{bound_stmt}"),
        )
        .expect("the site line exists")],
    )
    .map_err(|e| Skip::Declined(e.to_string()))?;
    let bound = Site {
        line: site.line + 1,
        content: virtual_content,
        ..site.clone()
    };
    let vsrc = Source::new(&bound.content);
    let vfunction = vsrc.function(bound.line);
    let vend = start + name.len() + (end - dot);
    let at = flow::At {
        src: &vsrc,
        path: &site.path,
        function: vfunction.as_ref(),
    };
    // What is said of the bound copy (one line longer from the site on) names the file's lines.
    let own_lines = |text: &str| unbound_lines(text, &site.path, site.line);
    let draft = match flow::fate(&at, bound.line, start, vend, cx.repo, 0) {
        flow::Fate::Accepted(why) => {
            let why = own_lines(&why);
            let vaccess = &bound_stmt[start..vend];
            let before = &bound_stmt[..start];
            let after = &bound_stmt[vend..];
            let guarded = if after.trim().is_empty() && assigns_whole(before) {
                format!("{vaccess} if {name} is not None else None")
            } else {
                format!("({vaccess} if {name} is not None else None)")
            };
            let stmt = format!("{before}{guarded}{after}");
            let new = edit::apply(
                &bound.content,
                &[
                    Edit::replace_line(&site.path, &bound.content, bound.line, &stmt)
                        .expect("the bound line exists"),
                ],
            )
            .map_err(|e| Skip::Declined(e.to_string()))?;
            Draft {
                strategy: crate::fix::factor::strategy("value-guard"),
                edits: vec![new_content_edit(site, &new)],
                description: format!(
                    "{} at {}:{} in {}: `{base}` returned None and `{access}` failed. \
                     The change keeps the call's result in `{name}` (so it runs once) and reads \
                     the attribute only when there is one; None is safe there: {why}.",
                    kind(cx),
                    site.path,
                    site.line,
                    function_name(site)
                ),
                at_column: Some(at_column),
            }
        }
        flow::Fate::Breaks(breaks) | flow::Fate::Stored(breaks) => {
            let mut draft = none_strategy(
                cx,
                &bound,
                &vsrc,
                vfunction.as_ref(),
                &name,
                &bound_stmt[start..vend],
                &breaks,
                at_column,
            )
            .map_err(|skip| match skip {
                Skip::Declined(why) => Skip::Declined(own_lines(&why)),
                other => other,
            })?;
            let new = edit::apply(&bound.content, &draft.edits)
                .map_err(|e| Skip::Declined(e.to_string()))?;
            draft.edits = vec![new_content_edit(site, &new)];
            draft.description = own_lines(&draft.description);
            draft
        }
    };
    Ok(draft)
}

/// `text`, which names lines of `path` with a line inserted before `line` (`path:N`), with the
/// file's own line numbers: those after the insertion are one lower.
fn unbound_lines(text: &str, path: &str, line: u32) -> String {
    let prefix = format!("{path}:");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&prefix) {
        let (before, after) = rest.split_at(at + prefix.len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        match after[..digits].parse::<u32>() {
            Ok(n) if n > line => out.push_str(&(n - 1).to_string()),
            _ => out.push_str(&after[..digits]),
        }
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// The edit from the site file at HEAD to `new`.
fn new_content_edit(site: &Site, new: &str) -> Edit {
    Edit::between(&site.path, &site.content, new).unwrap_or_else(|| Edit {
        file: site.path.clone(),
        line: site.line,
        old: String::new(),
        new: String::new(),
    })
}

/// A local name for the result of `call`, not used in `function` yet: `match` for a regex
/// match, the method's noun (`latest_tag()` → `tag`, `section()` → `section`), else `found`.
fn local_name(
    call: &str,
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
) -> String {
    // The last call of a chain names the result: `q.filter(…).first()` → `first`.
    let line = Line::new(call, Lang::Python);
    let callee = call
        .strip_suffix(')')
        .and_then(|_| line.matching_open(call.len() - 1))
        .map(|open| &call[..open])
        .unwrap_or_else(|| call.split('(').next().unwrap_or(call));
    let method = callee.rsplit('.').next().unwrap_or(callee);
    let noun = match method {
        "match" | "search" | "fullmatch" => "match".to_string(),
        "get" | "find" | "lookup" | "first" | "one_or_none" | "get_or_none" => "found".to_string(),
        m => {
            let m = [
                "get_", "find_", "fetch_", "load_", "latest_", "lookup_", "read_",
            ]
            .iter()
            .find_map(|p| m.strip_prefix(p))
            .unwrap_or(m);
            let last = m.rsplit('_').next().unwrap_or(m);
            if last.is_empty() || !last.chars().all(|c| c.is_ascii_alphanumeric()) {
                "found".to_string()
            } else {
                last.to_string()
            }
        }
    };
    let used = |n: &str| {
        let (first, last) = function
            .map(|f| (f.header.line, f.last))
            .unwrap_or((1, src.len()));
        (first..=last).any(|l| src.text(l).is_some_and(|t| flow::word_in(t, n)))
    };
    // Keywords, and builtins a local must not shadow (`filter = …` breaks a later `filter(…)`).
    let keywords = [
        "match", "from", "import", "class", "def", "return", "in", "is", "not", "filter", "map",
        "list", "dict", "set", "id", "type", "input", "open", "format", "len", "max", "min", "sum",
        "all", "any", "next", "iter", "object", "str", "int", "float", "print", "range", "sorted",
        "zip", "hash", "vars", "dir",
    ];
    let mut name = if keywords.contains(&noun.as_str()) && noun != "match" {
        format!("{noun}_value")
    } else {
        noun
    };
    while used(&name) {
        name.push_str("_value");
    }
    name
}

/// The statement-level change for a None `base` whose None would break the code after it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn none_strategy(
    cx: &Context<'_>,
    site: &Site,
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
    base: &str,
    access: &str,
    breaks: &str,
    at_column: bool,
) -> Result<Draft, Skip> {
    // A default the code base defines for this attribute: `DEFAULT_CHANNEL` for `.channel`.
    // … or for the key of a subscript: `DEFAULT_TZ` for `['tz']`.
    let attr = access.strip_prefix(base).and_then(|a| {
        a.strip_prefix('.').or_else(|| {
            ["'", "\""].iter().find_map(|q| {
                a.strip_prefix(&format!("[{q}"))
                    .and_then(|k| k.strip_suffix(&format!("{q}]")))
                    .filter(|k| k.bytes().all(super::code::is_ident))
            })
        })
    });
    if let Some(attr) = attr {
        let text = site.line_text().unwrap_or("");
        let at = text.find(access);
        let flow_at = flow::At {
            src,
            path: &site.path,
            function,
        };
        let again = at.and_then(|start| {
            base_used_again(
                &flow_at,
                text,
                base,
                start + access.len(),
                site.line,
                cx.repo,
            )
        });
        if let (Some(start), Some((value, why)), None) = (
            at,
            flow::default_for(attr, &site.path, &site.content, cx.repo),
            again,
        ) {
            let end = start + access.len();
            let new = format!(
                "{}({access} if {base} is not None else {value}){}",
                &text[..start],
                &text[end..]
            );
            return Draft::on_line(
                site,
                &new,
                format!(
                    "{} at {}:{} in {}: `{base}` is None when `{access}` runs. None \
                     in its place would be wrong ({breaks}); {why}, so that default is used \
                     when there is no `{base}`.",
                    kind(cx),
                    site.path,
                    site.line,
                    function_name(site)
                ),
                "default-from-code",
                at_column,
            );
        }
    }
    let root = base.split(['.', '[']).next().unwrap_or(base).to_string();
    // Where the None came from: `user = repo.find(event["user_id"])` earlier in the function.
    let first = function.map(|f| f.first).unwrap_or(1);
    let source = Some(()).and_then(|_| {
        (first..site.line).rev().find_map(|l| {
            let stmt = src.statement(l);
            let rhs = stmt.strip_prefix(&format!("{base} = "))?;
            rhs.ends_with(')').then(|| rhs.to_string())
        })
    });
    let (what, args) = match source.as_deref().and_then(call_parts) {
        Some((callee, args)) if !args.is_empty() => (
            format!(
                "{callee}({}) found nothing",
                vec!["{!r}"; args.len()].join(", ")
            ),
            args,
        ),
        _ => (
            format!("no {}", base.rsplit('.').next().unwrap_or(base)),
            Vec::new(),
        ),
    };
    let strategies = flow::Strategies::at(cx, site);
    let missing = flow::Missing {
        cond: format!("{base} is None"),
        names: vec![root],
        what,
        args,
        announce: true,
    };
    match strategies.choose(&missing) {
        Ok(plan) => Ok(Draft {
            strategy: crate::fix::factor::strategy(plan.strategy),
            edits: plan.edits,
            description: format!(
                "{} at {}:{} in {}: `{base}` is None when `{access}` runs{}. A None \
                 in place of `{access}` would be wrong ({breaks}), so the change does not \
                 invent a value: {}.",
                kind(cx),
                site.path,
                site.line,
                function_name(site),
                source
                    .map(|s| format!(" (`{}` found nothing)", excerpt(&s, 60)))
                    .unwrap_or_default(),
                plan.why
            ),
            at_column: Some(at_column),
        }),
        Err(reasons) => decline(format!(
            "None in place of `{access}` is wrong: {breaks}; {}",
            reasons.join("; ")
        )),
    }
}

/// The exception's kind for a description (`AttributeError`, `TypeError`).
fn kind<'c>(cx: &'c Context<'_>) -> &'c str {
    cx.kind().unwrap_or("the error")
}

/// `callee(a, b)` → `callee` and its arguments, when the arguments are plain expressions.
fn call_parts(call: &str) -> Option<(String, Vec<String>)> {
    let open = call.find('(')?;
    let callee = call[..open].trim();
    if !is_name_chain(callee) {
        return None;
    }
    let inner = call[open + 1..].strip_suffix(')')?;
    let args: Vec<String> = crate::fix::syntax::python::split_top(inner)
        .into_iter()
        .map(|a| a.trim().to_string())
        .collect();
    args.iter()
        .all(|a| !a.contains('=') && !a.starts_with('*'))
        .then(|| (callee.to_string(), args))
}

/// Methods that let go of a resource: on a missing object there is nothing to let go of.
const RELEASES: &[&str] = &[
    "release",
    "close",
    "unlock",
    "cancel",
    "stop",
    "shutdown",
    "disconnect",
    "terminate",
    "kill",
    "cleanup",
    "dispose",
    "unsubscribe",
    "remove_listener",
    "detach",
    "join",
];

/// Whether `before` ends an assignment whose right-hand side is everything after it (`x =`,
/// `x +=`), as opposed to a comparison (`==`, `!=`, `<=`, `>=`) that binds tighter than a
/// conditional expression.
fn assigns_whole(before: &str) -> bool {
    let b = before.trim_end();
    b.ends_with('=') && !["==", "!=", "<=", ">="].iter().any(|op| b.ends_with(op))
}

const STATEMENT_KEYWORDS: &[&str] = &[
    "if", "elif", "else", "for", "while", "with", "def", "class", "try", "except", "finally",
    "return", "yield", "raise", "del", "assert", "import", "from", "global", "nonlocal", "lambda",
    "async", "await", "match", "case", "pass", "break", "continue",
];

// ---------------------------------------------------------------------------------------------

/// `ZeroDivisionError` at `a / b`, `a // b`, `a % b` → a guard on the divisor.
pub struct ZeroDivision;

impl Generator for ZeroDivision {
    fn name(&self) -> String {
        "py-zero-division".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`ZeroDivisionError` (`/`, `//`, `%`)",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("ZeroDivisionError") {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        // The message names the operator, by type and version.
        let ops: &[&str] = match msg {
            "division by zero" | "float division by zero" => &["/"],
            "integer division or modulo by zero" => &["//", "%"],
            "float floor division by zero" => &["//"],
            "integer modulo by zero" | "float modulo" | "float modulo by zero" => &["%"],
            _ => {
                return decline(format!(
                    "ZeroDivisionError '{}' does not come from an operator",
                    excerpt(msg, 60)
                ))
            }
        };
        let (site, text, shown) = checked_line(cx)?;
        let line = code_line(text);
        let b = line.bytes();
        let mut found = Vec::new();
        let mut augmented = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let op = if b[i] == b'/' && b.get(i + 1) == Some(&b'/') {
                "//"
            } else if b[i] == b'/' {
                "/"
            } else if b[i] == b'%' {
                "%"
            } else {
                i += 1;
                continue;
            };
            let at = i;
            i += op.len();
            if !line.is_code(at) {
                continue;
            }
            if b.get(at + op.len()) == Some(&b'=') {
                if ops.contains(&op) {
                    augmented.push((at, op));
                }
                continue;
            }
            if ops.contains(&op) {
                found.push((at, op));
            }
        }
        // `x /= d` as the whole statement: the divisor is everything after the operator.
        if found.is_empty() {
            if let [(at, op)] = augmented.as_slice() {
                let divisor = text[at + op.len() + 1..line.code_end()].trim();
                let target = text[..*at].trim();
                if pure_divisor(divisor) && is_name_chain(target) {
                    let expr = format!("{target} {op}= {divisor}");
                    return zero_strategy(cx, site, msg, &expr, divisor, shown.primary().is_some());
                }
            }
        }
        let primary = shown.primary();
        let (at, op, at_column) = if primary.is_some() {
            match single_under(&found, primary, |&(a, _)| a) {
                Some((at, op)) => (at, op, true),
                None => {
                    return decline(format!(
                        "no single {} under the carets at {}:{}",
                        ops.join(" or "),
                        site.path,
                        site.line
                    ))
                }
            }
        } else {
            match found.as_slice() {
                [one] => (one.0, one.1, false),
                _ => {
                    return decline(format!(
                        "{} {} operators on {}:{}; which one failed is unknown",
                        if found.is_empty() { "no" } else { "several" },
                        ops.join(" or "),
                        site.path,
                        site.line
                    ))
                }
            }
        };
        let Some((lend, _)) = line.prev_non_space(at) else {
            return decline("no left operand");
        };
        let Some(lstart) = line.primary_start(lend + 1) else {
            return decline(format!(
                "the left operand at {}:{} is not a simple expression",
                site.path, site.line
            ));
        };
        if line.class[lstart] == Class::Str {
            return decline("the left operand is a string: % formats, it does not divide");
        }
        // Operators binding as tightly as the division, or tighter, before the left operand
        // would change meaning once the division is wrapped.
        if let Some((p, c)) = line.prev_non_space(lstart) {
            let unary = matches!(c, b'-' | b'+' | b'~') && starts_operand(line.prev_non_space(p));
            if matches!(c, b'*' | b'/' | b'%' | b'@')
                || unary
                || (c == b'*' && p > 0 && b[p - 1] == b'*')
            {
                return decline(format!(
                    "the division at {}:{} is part of a longer product",
                    site.path, site.line
                ));
            }
        }
        let Some((rstart, _)) = line.next_non_space(at + op.len()) else {
            return decline("no right operand");
        };
        let Some(rend) = line.primary_end(rstart) else {
            return decline(format!(
                "the divisor at {}:{} is not a simple expression",
                site.path, site.line
            ));
        };
        let divisor = &text[rstart..rend];
        if !pure_divisor(divisor) {
            return decline(format!(
                "the divisor `{}` at {}:{} may have side effects; a guard would evaluate it twice",
                excerpt(divisor, 60),
                site.path,
                site.line
            ));
        }
        if let Some((k, c)) = line.next_non_space(rend) {
            if c == b'*' && b.get(k + 1) == Some(&b'*') {
                return decline("the divisor is raised to a power");
            }
        }
        let expr = &text[lstart..rend];
        if let Some(draft) = divisor_default(cx, site, divisor, at_column) {
            return Ok(draft);
        }
        zero_strategy(cx, site, msg, expr, divisor, at_column)
    }
}

/// `per_page = cfg.get("per_page", 0)` earlier in the function, and another file of the
/// repository falls back to a module constant for the same key: that constant replaces the 0.
fn divisor_default(cx: &Context<'_>, site: &Site, divisor: &str, at_column: bool) -> Option<Draft> {
    if !divisor.bytes().all(super::code::is_ident) {
        return None;
    }
    let src = Source::new(&site.content);
    let function = src.function(site.line)?;
    let re = regex::Regex::new(&format!(
        r#"^(\s*{d}\s*=\s*[\w.]+\.get\(\s*['"]([\w.-]+)['"]\s*,\s*)(0|0\.0|None)(\s*\).*)$"#,
        d = regex::escape(divisor)
    ))
    .ok()?;
    let (line, caps) = (function.first..site.line)
        .rev()
        .find_map(|l| Some((l, re.captures(src.text(l)?)?)))?;
    let key = caps[2].to_string();
    let (name, why, import) = flow::named_default(&key, &site.path, &site.content, cx.repo)?;
    let new = format!("{}{name}{}", &caps[1], &caps[4]);
    let mut edits = vec![Edit::replace_line(&site.path, &site.content, line, &new)?];
    if let Some(import) = &import {
        edits.push(Edit {
            file: site.path.clone(),
            line: src.import_line(),
            old: String::new(),
            new: format!("{import}\n"),
        });
    }
    Some(Draft {
        edits,
        description: format!(
            "ZeroDivisionError at {}:{} in {}: `{divisor}` is 0 because the '{key}' setting is \
             missing and {}:{line} falls back to {}. {why}, so the same default is used here; a \
             configured '{key}' is still used.",
            site.path,
            site.line,
            function_name(site),
            site.path,
            &caps[3],
        ),
        at_column: Some(at_column),
        strategy: crate::fix::factor::strategy("default-from-code"),
    })
}

/// The statement-level change for a division by a zero `divisor`.
fn zero_strategy(
    cx: &Context<'_>,
    site: &Site,
    msg: &str,
    expr: &str,
    divisor: &str,
    at_column: bool,
) -> Result<Draft, Skip> {
    // No neutral number is right for a quotient nobody measured: 0 pages, shard 0 and an
    // average of 0.0 are all wrong answers. Only a statement-level change is proposed.
    let names: Vec<String> = divisor
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
        .filter(|w| !w.is_empty() && !w.as_bytes()[0].is_ascii_digit())
        .filter(|w| !["len", "float", "int", "abs", "sum", "max", "min", "round"].contains(w))
        .map(|w| w.split('.').next().unwrap_or(w).to_string())
        .collect();
    let strategies = flow::Strategies::at(cx, site);
    let missing = flow::Missing {
        cond: format!("{divisor} == 0"),
        names,
        what: format!("{divisor} is 0"),
        args: Vec::new(),
        announce: false,
    };
    match strategies.choose(&missing) {
        Ok(plan) => Ok(Draft {
            strategy: crate::fix::factor::strategy(plan.strategy),
            edits: plan.edits,
            description: format!(
                "ZeroDivisionError ({msg}) at {}:{} in {}: `{expr}` divides by `{divisor}`, \
                     which is 0 for some inputs. No number is the right answer for a quotient of \
                     nothing (a 0 would be reported as if measured), so the change does not \
                     invent one: {}.",
                site.path,
                site.line,
                function_name(site),
                plan.why
            ),
            at_column: Some(at_column),
        }),
        Err(reasons) => decline(format!(
            "no value of `{expr}` is right when `{divisor}` is 0, and no statement-level \
                 change applies: {}",
            reasons.join("; ")
        )),
    }
}

/// Names, attribute chains, literal subscripts and calls of side-effect-free builtins.
fn pure_divisor(text: &str) -> bool {
    static CHAIN: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let chain = CHAIN.get_or_init(|| {
        regex::Regex::new(r#"^[A-Za-z_]\w*(?:\.\w+|\[(?:'[^'\\]*'|"[^"\\]*"|\d+)\])*$"#)
            .expect("valid regex")
    });
    if is_name_chain(text) || chain.is_match(text) {
        return true;
    }
    for f in [
        "len(", "float(", "int(", "abs(", "sum(", "max(", "min(", "round(",
    ] {
        if let Some(inner) = text.strip_prefix(f).and_then(|r| r.strip_suffix(')')) {
            return is_name_chain(inner.trim());
        }
    }
    false
}

/// Whether what precedes a `-`/`+`/`~` makes it unary: nothing, an operator or an opening
/// bracket.
fn starts_operand(prev: Option<(usize, u8)>) -> bool {
    match prev {
        None => true,
        Some((_, c)) => b"=([{,:+-*/%<>!&|^~".contains(&c),
    }
}

// ---------------------------------------------------------------------------------------------

/// `ModuleNotFoundError: No module named 'yaml'` → declare the distribution.
pub struct MissingModule;

/// Import names whose distribution is named differently.
const DISTRIBUTIONS: &[(&str, &str)] = &[
    ("yaml", "PyYAML"),
    ("cv2", "opencv-python"),
    ("PIL", "Pillow"),
    ("sklearn", "scikit-learn"),
    ("bs4", "beautifulsoup4"),
    ("dateutil", "python-dateutil"),
    ("dotenv", "python-dotenv"),
    ("jwt", "PyJWT"),
    ("Crypto", "pycryptodome"),
    ("OpenSSL", "pyOpenSSL"),
    ("magic", "python-magic"),
    ("docx", "python-docx"),
    ("pptx", "python-pptx"),
    ("serial", "pyserial"),
    ("usb", "pyusb"),
    ("zmq", "pyzmq"),
    ("google.protobuf", "protobuf"),
    ("attr", "attrs"),
    ("psycopg2", "psycopg2-binary"),
    ("MySQLdb", "mysqlclient"),
    ("ldap", "python-ldap"),
    ("multipart", "python-multipart"),
    ("slugify", "python-slugify"),
    ("jose", "python-jose"),
    ("git", "GitPython"),
    ("fitz", "PyMuPDF"),
    ("skimage", "scikit-image"),
    ("Levenshtein", "python-Levenshtein"),
    ("websocket", "websocket-client"),
    ("telegram", "python-telegram-bot"),
    ("discord", "discord.py"),
    ("win32api", "pywin32"),
];

/// Standard-library modules that are missing only from broken or minimal interpreters: adding a
/// requirement would not help.
const STDLIB: &[&str] = &[
    "abc",
    "argparse",
    "array",
    "ast",
    "asyncio",
    "base64",
    "bisect",
    "bz2",
    "calendar",
    "cmath",
    "collections",
    "concurrent",
    "configparser",
    "contextlib",
    "copy",
    "csv",
    "ctypes",
    "curses",
    "dataclasses",
    "datetime",
    "dbm",
    "decimal",
    "difflib",
    "dis",
    "distutils",
    "email",
    "encodings",
    "enum",
    "errno",
    "fcntl",
    "fnmatch",
    "fractions",
    "functools",
    "gc",
    "getpass",
    "gettext",
    "glob",
    "gzip",
    "hashlib",
    "heapq",
    "hmac",
    "html",
    "http",
    "imaplib",
    "imp",
    "importlib",
    "inspect",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "logging",
    "lzma",
    "math",
    "mimetypes",
    "multiprocessing",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "pprint",
    "queue",
    "random",
    "re",
    "readline",
    "secrets",
    "select",
    "shelve",
    "shlex",
    "shutil",
    "signal",
    "smtplib",
    "socket",
    "sqlite3",
    "ssl",
    "stat",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tarfile",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "timeit",
    "tkinter",
    "tomllib",
    "traceback",
    "types",
    "typing",
    "unittest",
    "urllib",
    "uuid",
    "venv",
    "warnings",
    "weakref",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

/// PEP 503 normalised name.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::new();
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

fn requirement_name(line: &str) -> Option<&str> {
    let line = line.split('#').next()?.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    let end = line
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        .unwrap_or(line.len());
    (end > 0).then(|| &line[..end])
}

impl Generator for MissingModule {
    fn name(&self) -> String {
        "py-missing-module".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`ModuleNotFoundError: No module named 'x'` of a PyPI distribution (namespace packages by their submodule; pinned to the lock file's version)",
        })
    }

    fn prior(&self) -> f64 {
        0.7
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || !matches!(cx.kind(), Some("ModuleNotFoundError" | "ImportError")) {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim();
        let Some(module) = msg
            .strip_prefix("No module named '")
            .and_then(|r| r.strip_suffix('\''))
        else {
            return Err(Skip::NotApplicable);
        };
        let top = module.split('.').next().unwrap_or(module);
        if top.is_empty() || top.starts_with('_') || STDLIB.contains(&top) {
            return decline(format!(
                "'{module}' is part of the standard library: the interpreter is incomplete, no \
                 requirement would fix it"
            ));
        }
        let files = cx.repo.files();
        let local = files.iter().any(|f| {
            f == &format!("{top}.py")
                || f.ends_with(&format!("/{top}.py"))
                || f.starts_with(&format!("{top}/"))
                || f.contains(&format!("/{top}/"))
        });
        if local {
            return decline(format!(
                "'{top}' is a module of the repository: the import path is wrong, not a dependency"
            ));
        }
        let (site, text, _) = checked_line(cx)?;
        let line = Line::new(text, Lang::Python);
        let imports = line.find_code("import").into_iter().next().is_some()
            || text.contains("import_module(")
            || text.contains("__import__(");
        let names = text.contains(top);
        if !imports || !names {
            return decline(format!(
                "{}:{} does not import '{top}' any more",
                site.path, site.line
            ));
        }
        let module = &py_dependency::full_module(module, text).or_else(decline)?;
        let dist = py_dependency::namespace_distribution(module).unwrap_or_else(|| {
            DISTRIBUTIONS
                .iter()
                .find(|(m, _)| *m == module || *m == top)
                .map_or(top, |(_, d)| *d)
                .to_owned()
        });
        let dist = dist.as_str();
        // The manifest nearest to the importing file: a monorepo declares per service. A
        // pyproject.toml without `[project].dependencies` (tool settings only) does not count.
        let mut found = None;
        let mut dir = std::path::Path::new(&site.path).parent();
        'search: while let Some(d) = dir {
            for name in ["requirements.txt", "pyproject.toml"] {
                let file = if d.as_os_str().is_empty() {
                    name.to_string()
                } else {
                    format!("{}/{name}", d.display())
                };
                let Some(content) = cx.repo.read(&file) else {
                    continue;
                };
                let locked = py_dependency::locked_version(cx, &d.display().to_string(), dist);
                let requirement = match &locked {
                    Some((version, _)) => format!("{dist}=={version}"),
                    None => dist.to_owned(),
                };
                let edit = if name == "requirements.txt" {
                    requirements_edit(&file, &content, dist, &requirement)?
                } else {
                    match pyproject_edit(&file, &content, dist, &requirement)? {
                        Some(edit) => edit,
                        None => continue,
                    }
                };
                found = Some((file, edit, locked));
                break 'search;
            }
            dir = d.parent();
        }
        let Some((file, edit, locked)) = found else {
            return decline(
                "no requirements.txt or pyproject.toml with [project] dependencies above the \
                 importing file",
            );
        };
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "ModuleNotFoundError at {}:{}: the program imports '{module}' but the \
                 distribution that provides it, {dist}, is not declared in {file}, so a fresh \
                 install does not have it. The change declares {dist} {pin}.",
                site.path,
                site.line,
                pin = match &locked {
                    Some((version, lock)) => format!("at {version}, the version {lock} holds"),
                    None =>
                        "unpinned (no lock file names it: pin the version you test with)".to_owned(),
                }
            ),
            at_column: Some(true),
            strategy: crate::fix::factor::strategy("declare-dependency"),
        })
    }
}

/// Append `dist` to a requirements file, unless it declares it already.
fn requirements_edit(
    file: &str,
    content: &str,
    dist: &str,
    requirement: &str,
) -> Result<Edit, Skip> {
    let declared = content
        .lines()
        .filter_map(requirement_name)
        .any(|n| normalize(n) == normalize(dist));
    if declared {
        return decline(format!(
            "{file} already declares {dist}: the environment, not the repository, lacks it"
        ));
    }
    let count = content.lines().count() as u32;
    Ok(if content.is_empty() || content.ends_with('\n') {
        Edit {
            file: file.to_string(),
            line: count + 1,
            old: String::new(),
            new: format!("{requirement}\n"),
        }
    } else {
        let last = edit::line_text(content, count).unwrap_or("");
        Edit {
            file: file.to_string(),
            line: count,
            old: last.to_string(),
            new: format!("{last}\n{requirement}\n"),
        }
    })
}

/// Add `dist` to `[project].dependencies` of a pyproject.toml, keeping its layout.
fn pyproject_edit(
    file: &str,
    content: &str,
    dist: &str,
    requirement: &str,
) -> Result<Option<Edit>, Skip> {
    let parsed: toml::Table =
        toml::from_str(content).map_err(|_| Skip::Declined(format!("{file} does not parse")))?;
    let Some(deps) = parsed
        .get("project")
        .and_then(|p| p.get("dependencies"))
        .and_then(|d| d.as_array())
    else {
        return Ok(None);
    };
    if deps
        .iter()
        .filter_map(|d| d.as_str())
        .filter_map(requirement_name)
        .any(|n| normalize(n) == normalize(dist))
    {
        return Err(Skip::Declined(format!(
            "{file} already declares {dist}: the environment, not the repository, lacks it"
        )));
    }
    let lines: Vec<&str> = content.lines().collect();
    let mut in_project = false;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.starts_with('[') {
            in_project = t == "[project]";
            continue;
        }
        if !in_project || !t.starts_with("dependencies") {
            continue;
        }
        let Some(rest) = t.strip_prefix("dependencies").map(str::trim_start) else {
            continue;
        };
        if !rest.starts_with('=') {
            continue;
        }
        let no = i as u32 + 1;
        if t.ends_with(']') {
            // One line: `dependencies = ["a", "b"]`.
            let close = l.rfind(']').expect("ends with ]");
            let inner = l[..close].trim_end();
            let sep = if inner.ends_with('[') {
                ""
            } else if inner.ends_with(',') {
                " "
            } else {
                ", "
            };
            let new = format!("{inner}{sep}\"{requirement}\"{}", &l[close..]);
            return Ok(Edit::replace_line(file, content, no, &new));
        }
        // Multi-line: insert before the closing bracket, indented like the entries.
        let close = lines[i + 1..]
            .iter()
            .position(|l| l.trim_start().starts_with(']'))
            .map(|k| i + 1 + k);
        let Some(close) = close else { return Ok(None) };
        let indent = lines[i + 1..close]
            .iter()
            .find(|l| !l.trim().is_empty())
            .map(|l| &l[..l.len() - l.trim_start().len()])
            .unwrap_or("    ");
        // The entry before the bracket needs a trailing comma.
        let prev = (i + 1..close).rev().find(|&k| !lines[k].trim().is_empty());
        if let Some(prev) = prev {
            let p = lines[prev];
            if !p.trim_end().ends_with(',') && !p.trim_start().starts_with('#') {
                let (body, eol) = edit::line_parts(content, prev as u32 + 1).expect("line");
                return Ok(Some(Edit {
                    file: file.into(),
                    line: prev as u32 + 1,
                    old: format!("{body}{eol}"),
                    new: format!("{},{eol}{indent}\"{requirement}\",{eol}", body.trim_end()),
                }));
            }
        }
        return Ok(Some(Edit {
            file: file.into(),
            line: close as u32 + 1,
            old: String::new(),
            new: format!("{indent}\"{requirement}\",\n"),
        }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    const JOBS: &str = "from app import settings as settings_mod\n\nDEFAULT_TIMEOUT = 30\n\ndef run(recipients):\n    settings = settings_mod.load()\n    batch_size = settings[\"batch_size\"]\n    timeout = settings['timeout']\n    return timeout\n";

    const KEY_TRACE: &str = "Traceback (most recent call last):
  File \"/home/app/service/worker.py\", line 9, in main
    done = jobs.run(recipients)
           ^^^^^^^^^^^^^^^^^^^^
  File \"/home/app/service/app/jobs.py\", line 8, in run
    timeout = settings['timeout']
              ~~~~~~~~^^^^^^^^^^^
KeyError: 'timeout'";

    #[test]
    fn key_error_becomes_get() {
        let (sols, notes) = propose(&[("app/jobs.py", JOBS), ("worker.py", "x\n")], KEY_TRACE);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(sols[0].generator, "py-key-error");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    timeout = settings.get('timeout', DEFAULT_TIMEOUT)"]
        );
        assert_eq!(sols[0].files, vec!["app/jobs.py"]);
        // Without the constant nothing says what the timeout should be.
        let bare = JOBS.replace("DEFAULT_TIMEOUT = 30", "");
        let (sols, notes) = propose(&[("app/jobs.py", &bare), ("worker.py", "x\n")], KEY_TRACE);
        assert!(sols.is_empty());
        assert!(
            notes[0].contains("no default for 'timeout' is defined in the repository")
                && notes[0].contains("returned to the caller"),
            "{notes:?}"
        );
    }

    /// A Python 3.10-style traceback (no carets) for `line` of `/srv/app/{file}`.
    fn tb(file: &str, no: u32, line: &str, exc: &str) -> String {
        format!(
            "Traceback (most recent call last):\n  File \"/srv/app/{file}\", line {no}, in f\n    {}\n{exc}",
            line.trim()
        )
    }

    /// Solutions for a one-file repo `m.py` whose line 2 is `line`.
    fn on_line(line: &str, exc: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("def f(d, a, b, n):\n{line}\n    return 1\n");
        propose(&[("m.py", &src)], &tb("m.py", 2, line, exc))
    }

    fn one(line: &str, exc: &str) -> Vec<String> {
        let (sols, notes) = on_line(line, exc);
        assert_eq!(sols.len(), 1, "{line}: {notes:?}");
        added(&sols[0].diff)
    }

    fn none(line: &str, exc: &str) -> Vec<String> {
        let (sols, notes) = on_line(line, exc);
        assert!(
            sols.is_empty(),
            "{line}: {:?}",
            sols.iter().map(|s| &s.diff).collect::<Vec<_>>()
        );
        notes
    }

    #[test]
    fn key_error_shapes() {
        let k = "KeyError: 'k'";
        assert_eq!(
            one("    x = d['k'] or d['k']", k),
            vec!["    x = d.get('k') or d.get('k')"]
        );
        assert_eq!(one("    x = d[\"k\"]", k), vec!["    x = d.get(\"k\")"]);
        assert_eq!(
            one("    x = d['k']['j']['i']", k),
            vec!["    x = d.get('k', {}).get('j', {}).get('i')"]
        );
        assert_eq!(
            one("    x = self.cfg['k']  # ['k'] here", k),
            vec!["    x = self.cfg.get('k')  # ['k'] here"]
        );
        assert_eq!(
            one("    x = environ['k']", k),
            vec!["    x = environ.get('k')"]
        );
        assert_eq!(one("    if d['k']:", k), vec!["    if d.get('k'):"]);
        // Written to, deleted, used at once, in arithmetic, ambiguous, not a literal: nothing.
        none("    d['k'] += 1", k);
        none("    d['k'] = 1", k);
        none("    del d['k']", k);
        none("    x = d['k'].strip()", k);
        none("    x = d['k'] * 2", k);
        none("    x = a['k'] + b['k']", k);
        none("    x = d[key]", k);
        none("    x = d['k']", "KeyError: 3");
        none("    x = \"d['k']\"", k);
    }

    #[test]
    fn carets_are_read_from_an_escaped_trace() {
        // Two `['k']` reads on different mappings: only the carets say which one failed.
        let src = "def f(a, b):\n    x = a['k'] or b['k']\n";
        let tb = "Traceback (most recent call last):\n  File \"/srv/app/m.py\", line 2, in f\n    x = a['k'] or b['k']\n                  ~^^^^^\nKeyError: 'k'";
        let escaped = format!(
            "worker crashed exc=\"{}\"",
            // As `traceback.format_exception` ends it: with a newline.
            format!("{tb}\n").replace('"', "\\\"").replace('\n', "\\n")
        );
        assert!(!escaped.contains('\n'));
        let (sols, notes) = propose(&[("m.py", src)], &escaped);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(added(&sols[0].diff), vec!["    x = a['k'] or b.get('k')"]);
        let (sols, _) = propose(
            &[("m.py", src)],
            &tb.replace("                  ~^^^^^\n", ""),
        );
        assert!(sols.is_empty(), "without carets the read is ambiguous");
    }

    #[test]
    fn zero_division_shapes() {
        let div = "ZeroDivisionError: division by zero";
        // No number stands in for a quotient of nothing.
        let notes = none("    return a / n", div);
        assert!(
            notes[0].contains("no value of `a / n` is right"),
            "{notes:?}"
        );
        // In a loop over records, the record is skipped and logged.
        let src = "def f(rows, out):\n    for row in rows:\n        x = row['total'] / row['n']\n        out.append(x)\n";
        let (sols, notes) = propose(
            &[("m.py", src)],
            &tb("m.py", 3, "        x = row['total'] / row['n']", div),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "import sys",
                "        if row['n'] == 0:",
                "            print(f\"warning: skipping row total={row['total']!r}: row['n'] is 0\", file=sys.stderr)",
                "            continue",
            ]
        );
        // A function that already returns None for no data returns None again.
        let src =
            "def avg(xs):\n    if xs is None:\n        return None\n    return sum(xs) / len(xs)\n";
        let (sols, notes) = propose(
            &[("m.py", src)],
            &tb("m.py", 4, "    return sum(xs) / len(xs)", div),
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if len(xs) == 0:", "        return None"]
        );
        // Operators the message rules out, a product, a power, side effects, two candidates,
        // an augmented assignment, string formatting: nothing.
        none("    x = a // n", div);
        none("    x = b * a / n", div);
        none("    x = a / n ** 2", div);
        none("    x = a / d.pop()", div);
        none("    x = a / n + b / d", div);
        // `a /= n` outside a loop: nothing applies either.
        none("    a /= n", div);
        none(
            "    x = '%d' % n",
            "ZeroDivisionError: integer modulo by zero",
        );
        none(
            "    x = divmod(a, n)",
            "ZeroDivisionError: integer division or modulo by zero",
        );
    }

    #[test]
    fn none_attribute_shapes() {
        let e = "AttributeError: 'NoneType' object has no attribute 'name'";
        // None is fine where the code after it tests it, or never uses it.
        assert_eq!(
            one("    if a.name:", e),
            vec!["    if (a.name if a is not None else None):"]
        );
        assert_eq!(
            one("    a.name = 'x'", e),
            vec!["    if a is not None:", "        a.name = 'x'"]
        );
        // Returned, printed, called: None would be wrong, and nothing else applies.
        let notes = none("    return a.name", e);
        assert!(notes[0].contains("returned to the caller"), "{notes:?}");
        let notes = none("    print(a.user.name.upper())", e);
        assert!(notes[0].contains("formatted into output"), "{notes:?}");
        none("    print(a.name.upper() + '!')", e);
        // A call's result, two different receivers, a compound statement's target: nothing.
        // A call's None result is bound once and guarded.
        assert_eq!(
            one("    x = d.get('u').name", e),
            vec![
                "    found = d.get('u')",
                "    x = found.name if found is not None else None"
            ]
        );
        none("    x = a.name + b.name", e);
        none("    x = a.title", e);
        assert_eq!(
            one("    x = f(a).name", e),
            vec![
                "    f_value = f(a)",
                "    x = f_value.name if f_value is not None else None"
            ]
        );
        // Inside a longer statement the call cannot be bound before it.
        let notes = none(
            "    x = (f(a).name,
         1)",
            e,
        );
        assert!(
            notes
                .iter()
                .any(|n| n.contains("longer statement") || n.contains("no single")),
            "{notes:?}"
        );
    }

    #[test]
    fn missing_module_shapes() {
        let trace = |m: &str| {
            tb(
                "app.py",
                1,
                &format!("import {m}"),
                &format!("ModuleNotFoundError: No module named '{m}'"),
            )
        };
        let (sols, _) = propose(
            &[
                ("app.py", "import cv2\n"),
                ("requirements.txt", "numpy==1.26"),
            ],
            &trace("cv2"),
        );
        assert_eq!(sols.len(), 1);
        assert_eq!(added(&sols[0].diff), vec!["numpy==1.26", "opencv-python"]);
        // Declared already (PEP 503 names), standard library, local, no manifest: nothing.
        let (sols, notes) = propose(
            &[
                ("app.py", "import yaml\n"),
                ("requirements.txt", "pyyaml>=6\n"),
            ],
            &trace("yaml"),
        );
        assert!(sols.is_empty() && notes.iter().any(|n| n.contains("already declares")));
        let (sols, _) = propose(
            &[("app.py", "import tomllib\n"), ("requirements.txt", "")],
            &trace("tomllib"),
        );
        assert!(sols.is_empty());
        let (sols, _) = propose(
            &[
                ("app.py", "import util\n"),
                ("util/__init__.py", ""),
                ("requirements.txt", ""),
            ],
            &trace("util"),
        );
        assert!(sols.is_empty());
        let (sols, _) = propose(&[("app.py", "import yaml\n")], &trace("yaml"));
        assert!(sols.is_empty());
        // The nearest manifest: the service's own, not the root's.
        let (sols, _) = propose(
            &[
                ("app.py", "import yaml\n"),
                ("svc/api/app.py", "import yaml\n"),
                ("svc/api/requirements.txt", "flask\n"),
                ("requirements.txt", "black\n"),
            ],
            &tb(
                "svc/api/app.py",
                1,
                "import yaml",
                "ModuleNotFoundError: No module named 'yaml'",
            ),
        );
        assert_eq!(sols[0].files, vec!["svc/api/requirements.txt"]);
        // A pyproject.toml holding only tool settings is not where dependencies go.
        let (sols, _) = propose(
            &[
                ("svc/app.py", "import yaml\n"),
                ("svc/pyproject.toml", "[tool.black]\nline-length = 100\n"),
                ("requirements.txt", "black\n"),
            ],
            &tb(
                "svc/app.py",
                1,
                "import yaml",
                "ModuleNotFoundError: No module named 'yaml'",
            ),
        );
        assert_eq!(sols[0].files, vec!["requirements.txt"]);
        // A one-line pyproject array.
        let pyproject = "[project]\nname = \"x\"\ndependencies = [\"requests\"]\n";
        let (sols, _) = propose(
            &[("app.py", "import jwt\n"), ("pyproject.toml", pyproject)],
            &trace("jwt"),
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["dependencies = [\"requests\", \"PyJWT\"]"]
        );
    }

    #[test]
    fn crlf_files_keep_their_line_endings() {
        let crlf = JOBS.replace('\n', "\r\n");
        let (sols, notes) = propose(&[("app/jobs.py", &crlf)], KEY_TRACE);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert!(
            sols[0]
                .diff
                .contains("+    timeout = settings.get('timeout', DEFAULT_TIMEOUT)\r\n"),
            "{:?}",
            sols[0].diff
        );
    }

    /// The call's result is bound to a local on a line of its own before the rest is judged:
    /// what the fix stage then says names the file's lines, not those of that longer copy.
    #[test]
    fn a_bound_call_s_decline_names_the_lines_of_the_file() {
        let src = "import re\n\n\ndef total(line):\n    n = re.match(r\"(\\d+)\", line).group(1)\n    print(\"total: \" + n)\n    return n\n";
        let trace = crate::fix::testing::python_trace(
            src,
            5,
            "AttributeError: 'NoneType' object has no attribute 'group'",
        );
        let (sols, notes) = propose(&[("app.py", src)], &trace);
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes
                .iter()
                .any(|n| n.contains("used in arithmetic at app.py:6;")),
            "{notes:#?}"
        );
    }

    #[test]
    fn nothing_is_returned_when_the_caller_hands_the_result_to_code_that_accepts_none() {
        let stats = "def avg(xs):\n    return sum(xs) / len(xs)\n\n\ndef fmt(v):\n    if v is None:\n        return 'n/a'\n    return f'{v:.1f}'\n";
        let main = "from stats import avg, fmt\n\nprint(fmt(avg([])))\n";
        let trace = "Traceback (most recent call last):\n  File \"/srv/app/main.py\", line 3, in <module>\n    print(fmt(avg([])))\n  File \"/srv/app/stats.py\", line 2, in avg\n    return sum(xs) / len(xs)\nZeroDivisionError: division by zero";
        let (sols, notes) = propose(&[("stats.py", stats), ("main.py", main)], trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            crate::fix::testing::added(&sols[0].diff),
            vec!["    if len(xs) == 0:", "        return None"]
        );
        // A caller that drops the result would go on as if the work were done.
        let main = "from stats import avg\n\navg([])\n";
        let trace = trace.replace("print(fmt(avg([])))", "avg([])");
        let (sols, _) = propose(&[("stats.py", stats), ("main.py", main)], &trace);
        assert!(sols.is_empty());
    }

    #[test]
    fn a_keyword_gets_the_default_its_class_gives_it() {
        let src = "from dataclasses import dataclass\n\n\n@dataclass\nclass Reading:\n    value: float\n    unit: str = \"C\"\n\n\ndef parse(doc):\n    return Reading(value=doc[\"value\"], unit=doc[\"unit\"])\n";
        let trace = tb(
            "m.py",
            11,
            "    return Reading(value=doc[\"value\"], unit=doc[\"unit\"])",
            "KeyError: 'unit'",
        );
        let (sols, notes) = propose(&[("m.py", src)], &trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            crate::fix::testing::added(&sols[0].diff),
            vec!["    return Reading(value=doc[\"value\"], unit=doc.get(\"unit\", \"C\"))"]
        );
    }

    #[test]
    fn optional_text_last_in_a_stripped_line_reads_as_empty() {
        let src = "def slip(o, notes):\n    note = notes.get(o)\n    return f\"{o} {note.strip()}\".rstrip()\n";
        let trace = tb(
            "m.py",
            3,
            "    return f\"{o} {note.strip()}\".rstrip()",
            "AttributeError: 'NoneType' object has no attribute 'strip'",
        );
        let (sols, notes) = propose(&[("m.py", src)], &trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            crate::fix::testing::added(&sols[0].diff),
            vec!["    return f\"{o} {(note or '').strip()}\".rstrip()"]
        );
        // Not stripped, or not last: the empty text would show.
        let src = "def slip(o, notes):\n    note = notes.get(o)\n    return f\"{note.strip()} {o}\".rstrip()\n";
        let trace = tb(
            "m.py",
            3,
            "    return f\"{note.strip()} {o}\".rstrip()",
            "AttributeError: 'NoneType' object has no attribute 'strip'",
        );
        let (sols, _) = propose(&[("m.py", src)], &trace);
        assert!(sols.is_empty());
    }

    #[test]
    fn a_value_passed_on_gets_the_default_of_the_callees_parameter() {
        let alerts = "DEFAULT_CHANNEL = \"#ops\"\n\n\ndef send_alert(text, channel=DEFAULT_CHANNEL):\n    print(channel, text)\n";
        let src = "from app.alerts import send_alert\n\n\ndef run(cfg, msg):\n    send_alert(msg, cfg[\"channel\"])\n";
        let trace = tb(
            "m.py",
            5,
            "    send_alert(msg, cfg[\"channel\"])",
            "KeyError: 'channel'",
        );
        let (sols, notes) = propose(&[("m.py", src), ("app/alerts.py", alerts)], &trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            crate::fix::testing::added(&sols[0].diff),
            vec![
                "from app.alerts import DEFAULT_CHANNEL",
                "    send_alert(msg, cfg.get(\"channel\", DEFAULT_CHANNEL))"
            ]
        );
        let src = "def connect(host, port=5432):\n    return (host, port)\n\n\ndef run(cfg):\n    return connect(host=cfg[\"host\"], port=cfg[\"port\"])\n";
        let trace = tb(
            "m.py",
            6,
            "    return connect(host=cfg[\"host\"], port=cfg[\"port\"])",
            "KeyError: 'port'",
        );
        let (sols, notes) = propose(&[("m.py", src)], &trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            crate::fix::testing::added(&sols[0].diff),
            vec!["    return connect(host=cfg[\"host\"], port=cfg.get(\"port\", 5432))"]
        );
    }

    #[test]
    fn an_error_raised_inside_a_library_is_not_fixed_on_the_calling_line() {
        let src = "import yaml\n\n\ndef load(d):\n    return yaml.safe_load(d['k'])\n";
        let trace = "Traceback (most recent call last):\n  File \"/srv/app/m.py\", line 5, in load\n    return yaml.safe_load(d['k'])\n  File \"/usr/lib/python3/dist-packages/yaml/__init__.py\", line 125, in safe_load\n    return load(stream, SafeLoader)\nKeyError: 'k'";
        let (sols, notes) = propose(&[("m.py", src)], trace);
        assert!(sols.is_empty());
        assert!(
            notes[0].contains("raised in code outside the repository (safe_load)"),
            "{notes:?}"
        );
    }

    #[test]
    fn key_error_on_a_changed_line_proposes_nothing() {
        let changed = JOBS.replace("settings['timeout']", "settings.get('timeout', 30)");
        let (sols, notes) = propose(&[("app/jobs.py", &changed)], KEY_TRACE);
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("changed since")),
            "{notes:?}"
        );
    }
}

/// The same crashes as printed by Python 2.7, 3.8, 3.12 and 3.13 (real captures from the trace
/// fixtures), against the programs that printed them.
#[cfg(test)]
mod versions {
    use crate::fix::testing::propose;

    fn fixture(rel: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/traces/python")
            .join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn every_interpreter_version_gets_the_same_fix() {
        let files = [
            ("frozen_os.py", fixture("src/frozen_os.py")),
            ("key_error.py", fixture("src/key_error.py")),
            ("shop/jobs.py", fixture("src/shop/jobs.py")),
            ("shop/__init__.py", String::new()),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        // Every version prints enough for the same decision: no value is right for either.
        for v in ["py27", "py38", "py312", "py313"] {
            let (sols, notes) = propose(&files, &fixture(&format!("versions/key_error_{v}.txt")));
            assert!(sols.is_empty(), "{v}");
            assert!(
                notes[0].contains("no default for 'timeout' is defined"),
                "{v}: {notes:?}"
            );
            let (sols, notes) = propose(&files, &fixture(&format!("versions/frozen_os_{v}.txt")));
            assert!(sols.is_empty(), "{v}");
            assert!(
                notes[0].contains("`os.environ['DATABASE_URL']`")
                    && notes[0].contains("returned to the caller"),
                "{v}: {notes:?}"
            );
        }
    }
}
