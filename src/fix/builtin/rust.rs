//! Rust generator: a panic in `.unwrap()` → `.unwrap_or_default()` at the panic's location.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::Source;
use super::code::{Lang, Line};
use super::js::column_byte;
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct Unwrap;

impl Generator for Unwrap {
    fn name(&self) -> String {
        "rs-unwrap".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Rust",
            error: "`` called `Option::unwrap()` on a `None` value `` (and `Result::unwrap()` on an `Err`)",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Rust) {
            return Err(Skip::NotApplicable);
        }
        let msg = cx.exception_message().trim_start();
        let what = if msg.starts_with("called `Option::unwrap()` on a `None` value") {
            "Option::unwrap() on None"
        } else if msg.starts_with("called `Result::unwrap()` on an `Err` value") {
            "Result::unwrap() on an Err"
        } else {
            return Err(Skip::NotApplicable);
        };
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let line = Line::new(text, Lang::Rust);
        let calls: Vec<usize> = line
            .find_code(".unwrap()")
            .into_iter()
            .map(|dot| dot + 1)
            .collect();
        // The location's column is the method name's (track_caller).
        let at_col = site
            .column
            .and_then(|c| column_byte(text, c))
            .filter(|i| calls.contains(i));
        let (at, at_column) = match (at_col, calls.as_slice()) {
            (Some(i), _) => (i, true),
            (None, [one]) => (*one, false),
            (None, _) => {
                return decline(format!(
                    "{} .unwrap() calls on {}:{} and none at the panic's column",
                    if calls.is_empty() { "no" } else { "several" },
                    site.path,
                    site.line
                ))
            }
        };
        let call = Call {
            at,
            len: "unwrap()".len(),
            method: "unwrap()",
            what: what.to_string(),
            option: what.starts_with("Option"),
            at_column,
        };
        repair(site, text, &line, &call)
    }
}

/// The failing call on the panic's line: the method name's byte offset and the call's length.
pub(crate) struct Call {
    pub at: usize,
    pub len: usize,
    /// The call as descriptions name it: `unwrap()`, `expect(…)`.
    pub method: &'static str,
    /// What failed, for the description: `Option::unwrap() on None`.
    pub what: String,
    pub option: bool,
    /// Whether the panic's column pointed at the call (else it is the line's only one).
    pub at_column: bool,
}

/// The change for a panicking `call` on line `text` of `site`: `?` where the function returns
/// Option, the crate's own default for a value where 0 or "" is wrong, else the type's default
/// when nothing after it makes that wrong; otherwise why not.
pub(crate) fn repair(site: &Site, text: &str, line: &Line<'_>, call: &Call) -> Result<Draft, Skip> {
    let (at, at_column, what) = (call.at, call.at_column, call.what.as_str());
    let end = at + call.len;
    if text[..at - 1].trim().is_empty() {
        // `.parse()\n.expect(…)`: the value, its binding and what follows are on other lines.
        return decline(format!(
            "the `.{}` at {}:{} continues a method chain begun on an earlier line; what the \
             value is and becomes is not on that line",
            call.method, site.path, site.line
        ));
    }
    if let Some(draft) = env_chain(site, text, call)? {
        return Ok(draft);
    }
    let receiver = line
        .primary_start(at - 1)
        .map(|s| text[s..at - 1].trim().to_string())
        .filter(|r| r.len() > 2)
        .unwrap_or_else(|| {
            // A turbofish (`s.parse::<u32>()`) is beyond the lexer: the statement's text.
            let before = text[..at - 1].trim();
            before
                .rsplit(['=', '('])
                .next()
                .unwrap_or(before)
                .trim()
                .to_string()
        });
    let option = call.option;
    let function = enclosing_fn(&site.content, site.line);
    // The function's own "nothing": `?` in a function returning Option hands the None to
    // callers that must already handle it.
    if option
        && function
            .as_ref()
            .is_some_and(|f| f.returns.starts_with("Option<"))
    {
        let mut new = text.to_string();
        new.replace_range(at - 1..end, "?");
        let f = function.as_ref().map(|f| f.name.as_str()).unwrap_or("");
        return Ok(Draft {
            strategy: crate::fix::factor::strategy("return-nothing"),
            edits: vec![
                Edit::replace_line(&site.path, &site.content, site.line, &new).expect("line"),
            ],
            description: format!(
                "The program panicked at {}:{} with {what}: `{receiver}` had no value. \
                 {f}() already returns an Option, so `?` returns None from it instead of \
                 panicking, and its callers handle that as they handle any other None.",
                site.path, site.line
            ),
            at_column: Some(at_column),
        });
    }
    if last_call(&receiver).is_some_and(|m| ["get", "first", "last", "get_mut"].contains(&m))
        || receiver.ends_with(".iter().next()")
            && !receiver.contains(".copied()")
            && !receiver.contains(".cloned()")
    {
        return reference(site, text, call, &receiver, function.as_ref()).or_else(|why| {
            decline(format!(
                "`{receiver}` is a reference into a collection (Option<&T>), which has no \
                 default; what a missing entry should mean is not in the code at {}:{} ({why})",
                site.path, site.line
            ))
        });
    }
    // Text that is not a number: what that means is the code's, not the type's default.
    if !option && super::rust_parse_int::is_parse(&receiver) {
        return super::rust_parse_int::repair_parse(site, text, call, &receiver, function.as_ref());
    }
    // What the default would become: a port, a size or a name of 0/"" is a wrong value.
    let binding = binding_name(text, at);
    let subject = binding
        .clone()
        .or_else(|| function.as_ref().map(|f| f.name.clone()))
        .unwrap_or_default();
    let wrong = WRONG_WHEN_EMPTY
        .iter()
        .find(|w| subject.to_ascii_lowercase().contains(*w));
    // A constant the crate defines for it (`DEFAULT_PORT` for `port`, `DEFAULT_RETENTION_DAYS`
    // for `retention_days`) is what the program means by "not set", whatever the name: it beats
    // the type's default.
    if wrong.is_some() || default_const(&site.content, &subject).is_some() {
        let word = wrong.copied().unwrap_or("value");
        if let Some(constant) = default_const(&site.content, &subject) {
            let mut new = text.to_string();
            new.replace_range(at..end, &format!("unwrap_or({constant})"));
            return Ok(Draft {
                edits: vec![
                    Edit::replace_line(&site.path, &site.content, site.line, &new).expect("line"),
                ],
                description: format!(
                    "The program panicked at {}:{} with {what}: `{receiver}` had no value. \
                     {} defines {constant} for it, so the change falls back to {constant} \
                     instead of panicking or using a {word} of 0; a configured value is still \
                     used.",
                    site.path, site.line, site.path
                ),
                at_column: Some(at_column),
                strategy: crate::fix::factor::strategy("default-from-code"),
            });
        }
        // A literal fallback the code already gives the same value: `.unwrap_or("100")`.
        if let Some(value) = literal_fallback(&site.content, site.line) {
            let mut new = text.to_string();
            new.replace_range(at..end, &format!("unwrap_or({value})"));
            return Ok(Draft {
                strategy: crate::fix::factor::strategy("default-from-code"),
                edits: vec![
                    Edit::replace_line(&site.path, &site.content, site.line, &new).expect("line"),
                ],
                description: format!(
                    "The program panicked at {}:{} with {what}: `{receiver}` failed. The \
                     code already falls back to {value} for this value a line above, so the \
                     change falls back to the same {value} instead of panicking; a valid \
                     setting is still used.",
                    site.path, site.line
                ),
                at_column: Some(at_column),
            });
        }
        return decline(format!(
            "`{receiver}` gives `{subject}`, and a default of 0 or \"\" is not a valid {word}; \
             no default for it is defined in the code at {}",
            site.path
        ));
    }
    let rest = &text[end..];
    if rest.trim_start().starts_with(".parse") || rest.trim_start().starts_with(".unwrap") {
        return decline(format!(
            "the value of `{receiver}` is parsed at once at {}:{}; an empty default would \
             fail there the same way",
            site.path, site.line
        ));
    }
    let mut new = text.to_string();
    new.replace_range(at..end, "unwrap_or_default()");
    let edit = Edit::replace_line(&site.path, &site.content, site.line, &new).expect("line");
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "The program panicked at {}:{}{} with {what}: `{receiver}` had no value at run \
             time and `.{}` turned that into a crash. `.unwrap_or_default()` uses the \
             type's default (0, \"\", empty) instead; `{}` is not a port, size, limit, \
             path or name, where that default would be wrong. It needs the type to \
             implement Default.",
            site.path,
            site.line,
            site.column.map(|c| format!(":{c}")).unwrap_or_default(),
            call.method,
            if subject.is_empty() {
                receiver.as_str()
            } else {
                subject.as_str()
            },
        ),
        at_column: Some(at_column),
        strategy: crate::fix::factor::strategy("value-guard"),
    })
}

/// `env::var("X").unwrap().parse::<T>().unwrap()` (either call may be an `.expect("…")`).
static ENV_CHAIN: LazyLock<Regex> = LazyLock::new(|| {
    let call = r#"\.(?:unwrap\(\)|expect\("[^"\\]*"\))"#;
    Regex::new(&format!(
        r#"\b(?:std::)?env::var\("([A-Za-z_][A-Za-z0-9_]*)"\)({call})\s*\.parse(::<[^<>]+>)?\(\)({call})"#
    ))
    .expect("valid regex")
});

/// The whole chain when the panic is in either link of `env::var("X").unwrap().parse().unwrap()`:
/// an unset variable and one that does not parse both mean "not configured", and the crate's
/// default constant for it (`DEFAULT_X`, or one named like the binding) is what the program
/// would run with. Without such a constant the setting is required and there is no change.
fn env_chain(site: &Site, text: &str, call: &Call) -> Result<Option<Draft>, Skip> {
    let Some(c) = ENV_CHAIN
        .captures_iter(text)
        .find(|c| (c.get(2).unwrap().start()..c.get(0).unwrap().end()).contains(&call.at))
    else {
        return Ok(None);
    };
    let var = &c[1];
    let here = format!("{}:{}", site.path, site.line);
    let binding = binding_name(text, call.at);
    let constant = default_const(&site.content, var).or_else(|| {
        binding
            .as_deref()
            .and_then(|b| default_const(&site.content, b))
    });
    let which = if call.at < c.get(4).unwrap().start() {
        format!("{var} is not set")
    } else {
        format!("{var} does not hold a number")
    };
    let Some(constant) = constant else {
        return decline(format!(
            "the panic at {here} is the startup read of {var} ({which}); the code defines no \
             default for it, so it is a required setting and the environment must set it"
        ));
    };
    let turbofish = c.get(3).map_or("", |m| m.as_str());
    let mut new = text.to_string();
    new.replace_range(
        c.get(2).unwrap().start()..c.get(0).unwrap().end(),
        &format!(".ok().and_then(|v| v.parse{turbofish}().ok()).unwrap_or({constant})"),
    );
    Draft::on_line(
        site,
        &new,
        format!(
            "The program panicked at {here} with {}: {which}. The line reads {var} with \
             `env::var(…)` and parses it, panicking at either step; {} defines {constant} for \
             it, so an unset or unparsable {var} now falls back to {constant}, and a valid \
             value is still used.",
            call.what, site.path
        ),
        "default-from-code",
        call.at_column,
    )
    .map(Some)
}

/// `let name = map.get(k).unwrap();`: the statement's binding and where its `.unwrap()` ends.
static REF_BINDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\s*)let\s+(mut\s+)?([a-z_][a-z0-9_]*)\s*(?::\s*&[^=]+)?=\s*$")
        .expect("valid regex")
});

static FOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(?:mut\s+)?(?:&\s*)?([a-z_][a-z0-9_]*)\s+in\s").expect("valid regex")
});

/// What a missing entry of an `Option<&T>` lookup means, from the code around it: the crate's
/// own default constant for the bound name (`.copied().unwrap_or(DEFAULT_RATE)`), the
/// function's error result (`.ok_or_else(|| format!(…))?` in a `Result<_, String>` function),
/// or the loop's record skipped with a line naming it (`let Some(x) = … else { continue }`);
/// otherwise why none of them holds.
fn reference(
    site: &Site,
    text: &str,
    call: &Call,
    receiver: &str,
    function: Option<&RustFn>,
) -> Result<Draft, String> {
    let (at, end) = (call.at, call.at + call.len);
    let here = format!("{}:{}", site.path, site.line);
    let start = text[..at - 1].len().saturating_sub(receiver.len());
    let Some(b) = text.get(..start).and_then(|t| REF_BINDING.captures(t)) else {
        return Err("the value is not bound by a `let` of its own".into());
    };
    if text.get(start..at - 1).map(str::trim) != Some(receiver) || text[end..].trim() != ";" {
        return Err("the statement does more than bind the entry".into());
    }
    let (indent, name) = (b[1].to_string(), b[3].to_string());
    let what = call.what.as_str();
    let lookup = format!("`{}`", excerpt(receiver, 80));
    if let Some(constant) = default_const(&site.content, &name).filter(|_| b.get(2).is_none()) {
        let mut new = text.to_string();
        new.replace_range(at - 1..end, &format!(".copied().unwrap_or({constant})"));
        return Draft::on_line(
            site,
            &new,
            format!(
                "The program panicked at {here} with {what}: {lookup} found no entry. {} \
                 defines {constant} for `{name}`, so a missing entry falls back to {constant} \
                 (the entry is copied out of the collection) instead of panicking; entries that \
                 exist are used as before.",
                site.path
            ),
            "default-from-code",
            call.at_column,
        )
        .map_err(|_| "the line cannot be edited".into());
    }
    let returns = function.map(|f| f.returns.as_str()).unwrap_or("");
    let error = returns
        .strip_prefix("Result<")
        .and_then(|r| r.strip_suffix('>'))
        .and_then(|r| r.rsplit_once(','))
        .map(|(_, e)| e.trim().to_string())
        .unwrap_or_default();
    if error == "String" || (error.starts_with("Box<dyn") && error.contains("Error")) {
        let fname = function.map(|f| f.name.as_str()).unwrap_or("");
        let (collection, key) = lookup_parts(receiver);
        let message = match &key {
            Some(k) => format!(
                "format!(\"{} has no entry {{:?}}\", {k})",
                brace_escape(&collection)
            ),
            None => format!(
                "String::from(\"{} is empty\")",
                brace_escape(&collection).replace('"', "'")
            ),
        };
        let into = if error == "String" { "" } else { ".into()" };
        let mut new = text.to_string();
        let message = if into.is_empty() {
            message
        } else {
            format!("{message}{into}")
        };
        new.replace_range(at - 1..end, &format!(".ok_or_else(|| {message})?"));
        return Draft::on_line(
            site,
            &new,
            format!(
                "The program panicked at {here} with {what}: {lookup} found no entry. {fname}() \
                 already returns errors as Result<_, {error}>, so a missing entry becomes an Err \
                 naming the key, through the path its callers already handle, instead of a panic."
            ),
            "return-error",
            call.at_column,
        )
        .map_err(|_| "the line cannot be edited".into());
    }
    let src = Source::new(&site.content, Lang::Rust);
    let Some(block) = src.loop_at(site.line) else {
        return Err("no default constant for it, no error result, and no loop over records".into());
    };
    let Some(var) = FOR.captures(&block.header).map(|c| c[1].to_string()) else {
        return Err("its loop does not bind one record by name".into());
    };
    if !src.whole_statement(site.line) {
        return Err("the statement spans several lines".into());
    }
    let body = super::braces::lines_text(&site.content, block.open, block.close);
    let id = [format!("{var}.id"), format!("{var}.name")]
        .into_iter()
        .find(|f| {
            Regex::new(&format!(r"\b{}\b[^(]", regex::escape(f))).is_ok_and(|r| r.is_match(&body))
        });
    let (collection, key) = lookup_parts(receiver);
    let mut args = Vec::new();
    let mut named = String::from("skipping");
    if let Some(id) = &id {
        named.push_str(" {}");
        args.push(id.clone());
    }
    match &key {
        Some(k) => {
            named.push_str(&format!(
                ": {} has no entry {{:?}}",
                brace_escape(&collection)
            ));
            args.push(k.clone());
        }
        None => named.push_str(&format!(": {} is empty", brace_escape(&collection))),
    }
    if id.is_none() && key.is_none() {
        return Err("nothing names the record in a message".into());
    }
    let warn = super::rust_index::warning(&site.content);
    let unit = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let mutable = b.get(2).map_or("", |m| m.as_str());
    let lines = [
        format!("{indent}let Some({mutable}{name}) = {receiver} else {{"),
        format!("{indent}{unit}{warn}{named}\", {});", args.join(", ")),
        format!("{indent}{unit}continue;"),
        format!("{indent}}};"),
    ];
    Draft::on_line(
        site,
        &lines.join("\n"),
        format!(
            "The program panicked at {here} with {what}: {lookup} found no entry. The line reads \
             one record `{var}` of a `for` loop; a record without that entry is skipped with a \
             line naming it, and the other records are handled as before."
        ),
        "skip-record",
        call.at_column,
    )
    .map_err(|_| "the line cannot be edited".into())
}

/// `rates.get(p.zone.as_str())` → (`rates`, `Some(p.zone.as_str())`); `v.first()` → (`v`, None).
fn lookup_parts(receiver: &str) -> (String, Option<String>) {
    let head = receiver.trim_end_matches(".iter().next()");
    if let Some(open) = head.rfind(".get(").or_else(|| head.rfind(".get_mut(")) {
        let args = &head[open..];
        let args = &args[args.find('(').unwrap_or(0) + 1..args.len().saturating_sub(1)];
        let key = args.trim().trim_start_matches('&').to_string();
        return (head[..open].to_string(), (!key.is_empty()).then_some(key));
    }
    let cut = head.rfind('.').unwrap_or(head.len());
    (head[..cut].to_string(), None)
}

fn brace_escape(s: &str) -> String {
    s.replace('{', "{{").replace('}', "}}").replace('"', "'")
}

/// Words in a value's name (or its function's) that make 0 or "" a wrong value rather than an
/// absent one.
const WRONG_WHEN_EMPTY: &[&str] = &[
    "port",
    "size",
    "batch",
    "worker",
    "thread",
    "slot",
    "shard",
    "capacity",
    "interval",
    "timeout",
    "limit",
    "max",
    "rate",
    "divisor",
    "host",
    "url",
    "addr",
    "path",
    "dir",
    "file",
    "token",
    "secret",
    "password",
    "key",
    "days",
    "ttl",
    "retention",
    "period",
    "window",
    "delay",
    "expiry",
    "deadline",
];

/// The name of the last method called in `receiver` (`m.get(k)` → `get`), if it ends in a call.
fn last_call(receiver: &str) -> Option<&str> {
    let line = Line::new(receiver, Lang::Rust);
    let b = receiver.as_bytes();
    if !receiver.ends_with(')') {
        return None;
    }
    // The `(` matching the final `)`.
    let mut depth = 0;
    let mut open = None;
    for i in (0..b.len()).rev() {
        if !line.is_code(i) {
            continue;
        }
        match b[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    open = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let head = &receiver[..open?];
    let dot = head.rfind('.')?;
    let name = &head[dot + 1..];
    name.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_')
        .then_some(name)
}

/// A `const DEFAULT_<NAME>` (or `<NAME>_DEFAULT`) the file defines for `name`.
pub(crate) fn default_const(content: &str, name: &str) -> Option<String> {
    let upper = super::code::constant_case(name);
    let re = regex::Regex::new(&format!(
        r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const|static)\s+(DEFAULT_{u}|{u}_DEFAULT)\s*:",
        u = regex::escape(&upper)
    ))
    .ok()?;
    if let Some(c) = re.captures(content) {
        return Some(c[1].to_string());
    }
    // Or one the file imports: `use config::{Config, DEFAULT_PORT};`.
    let imported = regex::Regex::new(&format!(
        r"(?m)^\s*(?:pub\s+)?use\s[^;]*\b(DEFAULT_{u}|{u}_DEFAULT)\b[^;]*;",
        u = regex::escape(&upper)
    ))
    .ok()?;
    imported.captures(content).map(|c| c[1].to_string())
}

/// The function around `line`: its name and return type.
pub(crate) struct RustFn {
    pub name: String,
    pub returns: String,
}

pub(crate) fn enclosing_fn(content: &str, line: u32) -> Option<RustFn> {
    let lines: Vec<&str> = content.lines().collect();
    let re = regex::Regex::new(
        r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(\w+)",
    )
    .expect("valid regex");
    let mut i = (line as usize)
        .checked_sub(1)?
        .min(lines.len().saturating_sub(1));
    loop {
        if let Some(c) = re.captures(lines[i]) {
            let mut sig = String::new();
            for l in &lines[i..] {
                sig.push_str(l);
                sig.push(' ');
                if l.contains('{') {
                    break;
                }
            }
            let head = sig.split('{').next().unwrap_or("");
            let returns = head
                .rsplit_once("->")
                .map(|(_, r)| r.split(" where ").next().unwrap_or(r).trim().to_string())
                .unwrap_or_default();
            return Some(RustFn {
                name: c[1].to_string(),
                returns,
            });
        }
        if i == 0 {
            return None;
        }
        i -= 1;
    }
}

/// `let name = …` / `let name: T = …` before byte `at` of `text`.
pub(crate) fn binding_name(text: &str, at: usize) -> Option<String> {
    let before = text[..at].trim_start();
    let rest = before.strip_prefix("let ")?;
    let rest = rest.strip_prefix("mut ").unwrap_or(rest);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// A numeric string fallback on the line above (`.unwrap_or("100")`): the code's own default.
pub(crate) fn literal_fallback(content: &str, line: u32) -> Option<String> {
    let above = crate::fix::edit::line_text(content, line.checked_sub(1)?)?;
    let re = regex::Regex::new(r#"\.unwrap_or\("(-?\d+(?:\.\d+)?)"\)"#).expect("valid regex");
    re.captures(above).map(|c| c[1].to_string())
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(line: &str, col: usize, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("fn main() {{\n{line}\n}}\n");
        let trace = format!(
            "\nthread 'main' (4218) panicked at src/main.rs:2:{col}:\n{msg}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace"
        );
        propose(
            &[
                ("src/main.rs", &src),
                ("Cargo.toml", "[package]\nname = \"x\"\n"),
            ],
            &trace,
        )
    }

    const NONE: &str = "called `Option::unwrap()` on a `None` value";

    #[test]
    fn unwrap_at_the_column() {
        let l = "    let x = a.next().unwrap() + b.next().unwrap();";
        let col = l.rfind("unwrap").unwrap() + 1;
        let (sols, notes) = panic(l, col, NONE);
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let x = a.next().unwrap() + b.next().unwrap_or_default();"],
            "{notes:?}"
        );
        let (sols, _) = panic(l, 1, NONE);
        assert!(
            sols.is_empty(),
            "two unwraps and the column matches neither"
        );
        let (sols, _) = panic("    let x = a.get(0).expect(\"x\");", 24, "x");
        assert!(sols.is_empty());
        let (sols, _) = panic("    let x = a.get(0).unwrap_or(1);", 24, NONE);
        assert!(sols.is_empty(), "the line changed");
        // Text that is not a number has no type default: 0 is a value the input never had.
        let l = "    let n: u32 = s.parse().unwrap(); // \".unwrap()\"";
        let (sols, notes) = panic(
            l,
            1,
            "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: Empty }",
        );
        assert!(
            sols.is_empty() && notes[0].contains("never had"),
            "{notes:?}"
        );
    }

    #[test]
    fn no_default_where_zero_or_empty_is_wrong() {
        // A reference into a map has no default; a port of 0 is not a port.
        let (sols, notes) = panic("    let v = map.get(\"k\").unwrap();", 21, NONE);
        assert!(
            sols.is_empty() && notes[0].contains("Option<&T>"),
            "{notes:?}"
        );
        let (sols, notes) = panic("    let port = cfg.get_u16(\"port\").unwrap();", 37, NONE);
        assert!(
            sols.is_empty() && notes[0].contains("not a valid port"),
            "{notes:?}"
        );
        // A parse right after: an empty default fails there too.
        let l = "    let n = s.get_str(\"n\").unwrap().parse::<u8>().unwrap();";
        let (sols, notes) = panic(l, l.find("unwrap").unwrap() + 1, NONE);
        assert!(
            sols.is_empty() && notes[0].contains("parsed at once"),
            "{notes:?}"
        );
        // An environment variable read and parsed without a default is a required setting.
        let l = "    let n = std::env::var(\"N\").unwrap().parse::<u8>().unwrap();";
        let (sols, notes) = panic(l, l.find("unwrap").unwrap() + 1, NONE);
        assert!(
            sols.is_empty() && notes[0].contains("required setting"),
            "{notes:?}"
        );
    }

    fn file(
        src: &str,
        line: u32,
        col: usize,
        msg: &str,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!("\nthread 'main' panicked at src/main.rs:{line}:{col}:\n{msg}\n");
        propose(&[("src/main.rs", src)], &trace)
    }

    /// 0 days of retention deletes every session: the crate's own constant, not the type's 0,
    /// whatever the value is called; without one, a duration-like name gets nothing.
    #[test]
    fn a_default_the_crate_defines_beats_the_type_s_default_for_any_name() {
        let l = "    let retention_days = cfg.get_u32(\"retention_days\").unwrap();";
        let col = l.find("unwrap").unwrap() + 1;
        let msg = "called `Option::unwrap()` on a `None` value";
        let src = format!("const DEFAULT_RETENTION_DAYS: u32 = 30;\nfn main() {{\n{l}\n}}\n");
        let (sols, notes) = file(&src, 3, col, msg);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let retention_days = cfg.get_u32(\"retention_days\").unwrap_or(DEFAULT_RETENTION_DAYS);"]
        );
        let src = format!("fn main() {{\n{l}\n}}\n");
        let (sols, notes) = file(&src, 2, col, msg);
        assert!(sols.is_empty(), "{:?}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("not a valid days")),
            "{notes:?}"
        );
    }

    #[test]
    fn either_link_of_an_env_parse_chain_falls_back_to_the_constant() {
        let l = "    let workers: usize = env::var(\"APP_WORKERS\").unwrap().parse().unwrap();";
        let src = format!("const DEFAULT_WORKERS: usize = 4;\nfn main() {{\n{l}\n}}\n");
        let want = "    let workers: usize = env::var(\"APP_WORKERS\").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_WORKERS);";
        for (col, msg) in [
            (
                l.find("unwrap").unwrap() + 1,
                "called `Result::unwrap()` on an `Err` value: NotPresent",
            ),
            (
                l.rfind("unwrap").unwrap() + 1,
                "called `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }",
            ),
        ] {
            let (sols, notes) = file(&src, 3, col, msg);
            assert_eq!(sols.len(), 1, "{notes:?}");
            assert_eq!(added(&sols[0].diff), vec![want]);
        }
        // Named after the variable, not the binding.
        let src = format!("const DEFAULT_APP_WORKERS: usize = 4;\nfn main() {{\n{l}\n}}\n");
        let (sols, notes) = file(&src, 3, l.find("unwrap").unwrap() + 1, "x");
        assert!(sols.is_empty(), "{notes:?}: the message is not an unwrap's");
        let (sols, notes) = file(
            &src,
            3,
            l.find("unwrap").unwrap() + 1,
            "called `Result::unwrap()` on an `Err` value: NotPresent",
        );
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert!(added(&sols[0].diff)[0].ends_with("unwrap_or(DEFAULT_APP_WORKERS);"));
    }

    #[test]
    fn a_map_lookup_takes_the_constant_the_error_or_skips_the_record() {
        let none = NONE;
        let src = "const DEFAULT_LIMIT: u32 = 9;\nfn f(m: &M, t: &str) -> u32 {\n    let limit = m.get(t).unwrap();\n    limit * 2\n}\n";
        let (sols, notes) = file(src, 3, 26, none);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let limit = m.get(t).copied().unwrap_or(DEFAULT_LIMIT);"]
        );
        let src = "fn f(m: &M, t: &str) -> Result<u32, String> {\n    let cents = m.get(t).unwrap();\n    Ok(*cents)\n}\n";
        let (sols, notes) = file(src, 2, 26, none);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let cents = m.get(t).ok_or_else(|| format!(\"m has no entry {:?}\", t))?;"]
        );
        let src = "fn main() {\n    for p in ps {\n        let rate = rates.get(&p.zone).unwrap();\n        println!(\"INFO  tariff: {} {}\", p.id, rate);\n    }\n}\n";
        let (sols, notes) = file(src, 3, 39, none);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "        let Some(rate) = rates.get(&p.zone) else {",
                "            println!(\"WARN  tariff: skipping {}: rates has no entry {:?}\", p.id, p.zone);",
                "            continue;",
                "        };"
            ]
        );
        // Used inside an expression: nothing says what a missing entry is there.
        let src = "fn main() {\n    for p in ps {\n        total += rates.get(&p.zone).unwrap() * 2;\n    }\n}\n";
        let (sols, notes) = file(src, 3, 37, none);
        assert!(
            sols.is_empty() && notes[0].contains("Option<&T>"),
            "{notes:?}"
        );
    }

    #[test]
    fn the_code_own_fallback_or_the_function_none() {
        let src = "fn size(raw: Option<&str>) -> u32 {\n    let raw = raw.unwrap_or(\"100\");\n    raw.parse::<u32>().unwrap()\n}\n";
        let trace = "\nthread 'main' panicked at src/main.rs:3:24:\ncalled `Result::unwrap()` on an `Err` value: ParseIntError { kind: InvalidDigit }\n";
        let (sols, notes) = propose(&[("src/main.rs", src)], trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    raw.parse::<u32>().unwrap_or(100)"]
        );
        let src = "fn first_word(s: &str) -> Option<String> {\n    let w = s.split(' ').next().unwrap();\n    Some(w.to_string())\n}\n";
        let trace = "\nthread 'main' panicked at src/main.rs:2:32:\ncalled `Option::unwrap()` on a `None` value\n";
        let (sols, notes) = propose(&[("src/main.rs", src)], trace);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    let w = s.split(' ').next()?;"]
        );
    }
}
