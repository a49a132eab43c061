//! Data flow and statement-level strategies for the Python generators.
//!
//! Before a generator turns a failing read into a neutral value (None, a default), it asks
//! [`fate`] what the code does with that value next. When None would crash later or be printed
//! as if it were data, the generator asks [`Strategies::choose`] instead, in order of preference:
//! a default the code base defines, skipping the record in the loop that processes inputs, or the
//! function's existing "nothing" result. Each answer says why it is safe, for the description.

use super::code::{is_ident, Class, Lang, Line};
use crate::fix::edit::Edit;
use crate::fix::repo::Snapshot;
use crate::fix::syntax::python::{fstring_fields, split_top, Function, Logger, Source};

/// What happens to a None value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// The code after it accepts None; the reason says how.
    Accepted(String),
    /// It would crash later or be output as data; the reason says where.
    Breaks(String),
    /// It is only stored (a literal's item, a constructor's argument): None stands for "absent"
    /// there, which is right only where the data already treats the value as optional.
    Stored(String),
}

impl Fate {
    /// Why None is not shown to be right: `Breaks` and `Stored` alike.
    pub fn against(self) -> Result<String, String> {
        match self {
            Fate::Accepted(why) => Err(why),
            Fate::Breaks(why) | Fate::Stored(why) => Ok(why),
        }
    }
}

/// Builtins that print or format their arguments: None there is output, not absence.
const FORMATTERS: &[&str] = &["print", "str", "repr", "format", "f"];
/// Calls that treat None as a value like any other.
const NONE_SAFE: &[&str] = &["bool", "isinstance", "id", "type"];

/// Where a value sits in its file.
pub struct At<'s, 'a> {
    pub src: &'s Source<'a>,
    pub path: &'s str,
    pub function: Option<&'s Function>,
}

/// What happens to the value of the expression `line[start..end]` if it is None.
pub fn fate(
    at: &At<'_, '_>,
    line: u32,
    start: usize,
    end: usize,
    repo: &Snapshot,
    depth: u8,
) -> Fate {
    let Some(text) = at.src.text(line) else {
        return Fate::Breaks("the line is not in the file".into());
    };
    let where_ = format!("{}:{line}", at.path);
    if let Some(&(a, b)) = fstring_fields(text)
        .iter()
        .find(|&&(a, b)| a <= start && end <= b)
    {
        // `f"{fmt_rate(r)}"`: the value is an argument inside the field, not what is printed.
        if let Holder::Call(callee, index) =
            holder(&Line::new(&text[a..b], Lang::Python), start - a)
        {
            return call_fate(&callee, index, &where_, repo, depth);
        }
        let after = text[end..b].trim_start();
        let before = text[a..start].trim_end();
        if after.starts_with("or ")
            || after.starts_with("if ")
            || after.starts_with("is ")
            || before.ends_with(" or")
        {
            return Fate::Accepted(format!("{where_} tests it before it is formatted"));
        }
        return Fate::Breaks(format!("it is formatted into output at {where_}"));
    }
    let l = Line::new(text, Lang::Python);
    let b = l.bytes();
    // What is applied to the value itself.
    match b.get(end) {
        Some(b'.') => return Fate::Breaks(format!("an attribute of it is read at {where_}")),
        Some(b'[') => return Fate::Breaks(format!("it is subscripted at {where_}")),
        Some(b'(') => return Fate::Breaks(format!("it is called at {where_}")),
        _ => {}
    }
    let before = text[..start].trim_end();
    let after = text[end..l.code_end().max(end)].trim_start();
    if is_arith(after, true) || is_arith(before, false) {
        return Fate::Breaks(format!("it is used in arithmetic at {where_}"));
    }
    if after.starts_with("is None")
        || after.starts_with("is not None")
        || after.starts_with("==")
        || after.starts_with("!=")
        || after.starts_with("or ")
        || after.starts_with("and ")
        || before.ends_with(" or")
        || before.ends_with(" and")
        || before.ends_with("not")
    {
        return Fate::Accepted(format!("{where_} tests it before use"));
    }
    let stmt = before.trim_start();
    if (stmt == "if" || stmt == "elif" || stmt == "while") && after.starts_with(':') {
        return Fate::Accepted(format!("{where_} tests it before use"));
    }
    if before.ends_with(" in") || stmt.starts_with("for ") && before.ends_with("in") {
        return Fate::Breaks(format!("it is iterated at {where_}"));
    }
    if stmt == "return" && after.is_empty() {
        let nothing = at
            .function
            .map(|f| at.src.returns(f))
            .unwrap_or_default()
            .iter()
            .any(|(_, v)| v.is_empty() || v == "None");
        return if nothing {
            Fate::Accepted(format!(
                "{} already returns None on another path",
                at.function
                    .map(|f| f.name.as_str())
                    .unwrap_or("the function")
            ))
        } else {
            Fate::Breaks(format!("it is returned to the caller at {where_}"))
        };
    }
    if let Some(var) = assigned_name(stmt) {
        if after.is_empty() {
            return var_fate(at, &var, at.src.statement_end(line), repo, depth);
        }
    }
    let (callee, index) = match holder(&l, start) {
        Holder::Literal => return Fate::Stored(format!("it is stored in a literal at {where_}")),
        Holder::Call(callee, index) => (Some(callee), index),
        Holder::Other => (None, 0),
    };
    if let Some(callee) = callee {
        return call_fate(&callee, index, &where_, repo, depth);
    }
    if stmt.is_empty() && after.is_empty() {
        return Fate::Accepted("the value is not used".into());
    }
    Fate::Breaks(format!(
        "it is used at {where_} in a way not shown to accept None"
    ))
}

/// What happens to a None passed as argument `index` of `callee` at `where_`.
fn call_fate(callee: &str, index: usize, where_: &str, repo: &Snapshot, depth: u8) -> Fate {
    let name = callee.rsplit('.').next().unwrap_or(callee).to_string();
    if NONE_SAFE.contains(&name.as_str()) {
        return Fate::Accepted(format!("{name}() accepts None"));
    }
    if FORMATTERS.contains(&name.as_str()) || callee.ends_with(".format") || is_log_call(callee) {
        return Fate::Breaks(format!("it is formatted into output at {where_}"));
    }
    if depth < 3 {
        if let Some(f) = param_fate(repo, &name, index, depth) {
            return f;
        }
    }
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Fate::Stored(format!(
            "it is passed to the constructor {callee}() at {where_}"
        ));
    }
    Fate::Breaks(format!(
        "it is passed to {callee}() at {where_}, which is not shown to accept None"
    ))
}

/// What happens to `var`, None from the statement ending at `from`, in the rest of the function.
pub fn var_fate(at: &At<'_, '_>, var: &str, from: u32, repo: &Snapshot, depth: u8) -> Fate {
    let Some(function) = at.function else {
        return Fate::Breaks(format!("`{var}` is a module-level value"));
    };
    for l in from + 1..=function.last {
        let Some(text) = at.src.text(l) else { break };
        let line = Line::new(text, Lang::Python);
        let fields = fstring_fields(text);
        for (i, _) in text.match_indices(var) {
            let end = i + var.len();
            let word = (i == 0
                || !is_ident(text.as_bytes()[i - 1]) && text.as_bytes()[i - 1] != b'.')
                && text.as_bytes().get(end).is_none_or(|c| !is_ident(*c));
            let in_code = line.class.get(i) == Some(&Class::Code)
                || fields.iter().any(|&(a, b)| a <= i && end <= b);
            if !word || !in_code {
                continue;
            }
            // Rebinding before any read: the None is gone.
            let stmt = text.trim_start();
            let rest = text[end..].trim_start();
            if at.src.starts_statement(l)
                && i == text.len() - stmt.len()
                && rest.starts_with('=')
                && !rest.starts_with("==")
            {
                if !word_in(&rest[1..], var) {
                    return Fate::Accepted(format!(
                        "`{var}` is reassigned at {}:{l} before use",
                        at.path
                    ));
                }
                continue;
            }
            return fate(at, l, i, end, repo, depth + 1);
        }
    }
    Fate::Accepted(format!("`{var}` is not used after it is set"))
}

/// `text` with its string literals and comment blanked: names inside quotes are not reads.
fn code_only(text: &str) -> String {
    let line = Line::new(text, Lang::Python);
    text.char_indices()
        .map(|(i, c)| if line.is_code(i) { c } else { ' ' })
        .collect()
}

/// Whether `text` holds `word` as a whole name (not part of a longer name or attribute).
pub fn word_in(text: &str, word: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(word).any(|(i, _)| {
        (i == 0 || !is_ident(b[i - 1]) && b[i - 1] != b'.')
            && b.get(i + word.len()).is_none_or(|c| !is_ident(*c))
    })
}

/// `x = ` / `x: T = ` at the start of `before` (the text before an expression): the name.
fn assigned_name(before: &str) -> Option<String> {
    let b = before.trim();
    let lhs = b.strip_suffix('=')?;
    if lhs.ends_with([
        '=', '!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '@',
    ]) {
        return None;
    }
    let lhs = lhs.split(':').next()?.trim();
    (!lhs.is_empty() && lhs.bytes().all(is_ident) && !lhs.as_bytes()[0].is_ascii_digit())
        .then(|| lhs.to_string())
}

fn is_arith(side: &str, after: bool) -> bool {
    let ops = ["+", "-", "*", "/", "%", "@", "**", "//"];
    if after {
        ops.iter().any(|op| side.starts_with(op))
            && !side.starts_with("*=")
            && !side.starts_with("-=")
    } else {
        let s = side.trim_end();
        ops.iter().any(|op| s.ends_with(op))
            && !s.ends_with("**")
            && !s.ends_with(",*")
            && !s.ends_with("(*")
            || s.ends_with("+=")
            || s.ends_with("-=")
            || s.ends_with("*=")
            || s.ends_with("/=")
    }
}

fn is_log_call(callee: &str) -> bool {
    let last = callee.rsplit('.').next().unwrap_or(callee);
    callee.contains('.')
        && matches!(
            last,
            "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "write"
        )
}

/// What directly holds the expression at byte `at`: the bracket it sits in.
enum Holder {
    /// A call's argument list: the callee and the argument's index.
    Call(String, usize),
    /// A list, dict or set literal.
    Literal,
    /// Something else: a subscript's index, a parenthesised expression, nothing.
    Other,
}

/// The callee whose argument list holds byte `at` of `text` directly.
pub fn callee_at(text: &str, at: usize) -> Option<String> {
    match holder(&Line::new(text, Lang::Python), at) {
        Holder::Call(callee, _) => Some(callee),
        _ => None,
    }
}

/// The callee whose argument list holds byte `at` of `text` directly, and the argument's index.
pub fn call_arg_at(text: &str, at: usize) -> Option<(String, usize)> {
    match holder(&Line::new(text, Lang::Python), at) {
        Holder::Call(callee, index) => Some((callee, index)),
        _ => None,
    }
}

fn holder(line: &Line<'_>, at: usize) -> Holder {
    let b = line.bytes();
    let mut depth = 0;
    let mut commas = 0;
    let mut i = at;
    while i > 0 {
        i -= 1;
        if !line.is_code(i) {
            continue;
        }
        match b[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' if depth == 0 => {
                let callee = line
                    .primary_start(i)
                    .map(|start| line.text[start..i].trim())
                    .unwrap_or("");
                return if callee.is_empty() {
                    Holder::Other
                } else {
                    Holder::Call(callee.to_string(), commas)
                };
            }
            b'{' if depth == 0 => return Holder::Literal,
            b'[' if depth == 0 => {
                let before = line.prev_non_space(i);
                let subscript = before.is_some_and(|(_, c)| is_ident(c) || c == b')' || c == b']');
                return if subscript {
                    Holder::Other
                } else {
                    Holder::Literal
                };
            }
            b'(' | b'[' | b'{' => depth -= 1,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    }
    Holder::Other
}

/// What a function defined in the repository does with its parameter `index` when given None,
/// when exactly one tracked Python file defines a function of that name.
fn param_fate(repo: &Snapshot, name: &str, index: usize, depth: u8) -> Option<Fate> {
    let needle = format!("def {name}(");
    let mut found = None;
    for path in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(path) else {
            continue;
        };
        if !text.contains(&needle) {
            continue;
        }
        if found.is_some() {
            return None;
        }
        found = Some((path.clone(), text));
    }
    let (path, text) = found?;
    let src = Source::new(&text);
    let f = src.functions().into_iter().find(|f| f.name == name)?;
    let skip_self = usize::from(f.params.first().is_some_and(|p| p == "self" || p == "cls"));
    let param = f.params.get(index + skip_self)?.clone();
    let at = At {
        src: &src,
        path: &path,
        function: Some(&f),
    };
    Some(
        match var_fate(&at, &param, f.header.line, repo, depth + 1) {
            Fate::Accepted(why) => {
                Fate::Accepted(format!("{name}() accepts None for `{param}`: {why}"))
            }
            Fate::Breaks(why) | Fate::Stored(why) => Fate::Breaks(format!(
                "{name}() does not accept None for `{param}`: {why}"
            )),
        },
    )
}

// ---------------------------------------------------------------------------------------------

/// A value the failing statement needs and does not have, as a Python condition.
#[derive(Debug, Clone)]
pub struct Missing {
    /// True when the value is missing: `'timeout' not in settings`, `user is None`, `count == 0`.
    pub cond: String,
    /// Names `cond` reads.
    pub names: Vec<String>,
    /// What is missing, for the log line and the description: `no 'timeout'`.
    pub what: String,
    /// Expressions shown by the `{!r}` fields of `what`, evaluated where `cond` is.
    pub args: Vec<String>,
    /// Whether skipping or returning early must be announced in the module's log: a record not
    /// processed is news; an empty average is not.
    pub announce: bool,
}

/// The name an expression starts from: `row` of `row['qty'].strip()`.
pub fn root_name(expr: &str) -> String {
    expr.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or(expr)
        .to_string()
}

impl Missing {
    /// `expr` is None (it has no `key`, when it reads one): the condition, the name it reads and
    /// what the log line says, for skipping the record that holds it.
    pub fn none(expr: &str, key: Option<&str>) -> Missing {
        Missing {
            cond: format!("{expr} is None"),
            names: vec![root_name(expr)],
            what: match key {
                Some(k) => format!("no '{k}'"),
                None => format!("{} is None", crate::fix::generator::excerpt(expr, 40)),
            },
            args: Vec::new(),
            announce: true,
        }
    }
}

/// A statement-level change and why it is safe.
#[derive(Debug, Clone)]
pub struct Plan {
    pub edits: Vec<Edit>,
    /// Strategy name, for the confidence factors: `skip-record`, `return-nothing`.
    pub strategy: &'static str,
    pub why: String,
}

/// The trace's caller frame, mapped to a tracked file.
pub struct Caller {
    pub path: String,
    pub line: u32,
    pub content: String,
}

/// The next frame out from the site that maps to a tracked file: the code that called the failing
/// function, with the record it was processing.
pub fn caller_of(cx: &crate::fix::generator::Context<'_>) -> Option<Caller> {
    let site = cx.site.as_ref()?;
    let exception = cx.exception?;
    let at = exception.frames.iter().position(|f| *f == site.frame)?;
    for frame in &exception.frames[at + 1..] {
        match crate::fix::locate::locate(frame, cx.language, cx.repo.files()) {
            crate::fix::locate::Located::Repo { path, .. } => {
                let line = frame.line?;
                let content = cx.repo.read(&path)?;
                return Some(Caller {
                    path,
                    line,
                    content,
                });
            }
            crate::fix::locate::Located::Library | crate::fix::locate::Located::Absent => continue,
            crate::fix::locate::Located::Ambiguous(_) => return None,
        }
    }
    None
}

/// The statement-level strategies for one failing statement.
pub struct Strategies<'a> {
    pub path: &'a str,
    pub content: &'a str,
    /// First line of the failing statement.
    pub line: u32,
    pub caller: Option<Caller>,
    pub repo: &'a Snapshot,
}

impl<'a> Strategies<'a> {
    /// The strategies for the failing statement at `site`, with the trace's caller frame.
    pub fn at(
        cx: &'a crate::fix::generator::Context<'_>,
        site: &'a crate::fix::generator::Site,
    ) -> Strategies<'a> {
        Strategies {
            path: &site.path,
            content: &site.content,
            line: site.line,
            caller: caller_of(cx),
            repo: cx.repo,
        }
    }

    /// The first strategy that applies, with the reasons the others did not.
    pub fn choose(&self, missing: &Missing) -> Result<Plan, Vec<String>> {
        let mut why_not = Vec::new();
        match self.skip_in_loop(missing) {
            Ok(p) => return Ok(p),
            Err(w) => why_not.push(w),
        }
        match self.return_nothing(missing) {
            Ok(p) => return Ok(p),
            Err(w) => why_not.push(w),
        }
        match self.skip_in_caller(missing) {
            Ok(p) => return Ok(p),
            Err(w) => why_not.push(w),
        }
        Err(why_not)
    }

    fn src(&self) -> Source<'_> {
        Source::new(self.content)
    }

    /// The record skipped: in the loop around the statement, else in the caller's loop; the
    /// reasons neither fits, joined.
    pub(crate) fn skip(&self, missing: &Missing) -> Result<Plan, String> {
        let in_loop = self.skip_in_loop(missing);
        let Err(here) = in_loop else {
            return in_loop;
        };
        self.skip_in_caller(missing)
            .map_err(|caller| format!("{here}; {caller}"))
    }

    /// `if cond: log; continue` in the loop around the statement that processes records.
    pub(crate) fn skip_in_loop(&self, missing: &Missing) -> Result<Plan, String> {
        let src = self.src();
        let function = src.function(self.line);
        let lp = src
            .for_loop(self.line, function.as_ref())
            .or_else(|| src.while_loop(self.line, function.as_ref()));
        let Some(lp) = lp else {
            return Err("the statement is not inside a loop over records".into());
        };
        if lp.iter.starts_with("range(") {
            return Err(format!(
                "the loop at {}:{} counts, it does not go over records",
                self.path, lp.header.line
            ));
        }
        if let Some(chained) = carried(&src, &lp.header, &lp.targets, self.line) {
            return Err(format!(
                "the records of the loop at {}:{} depend on each other (`{chained}` carries a value from one to the next); skipping one would change the rest",
                self.path, lp.header.line
            ));
        }
        if !of_record(&src, lp.header.line, self.line, &lp.targets, &missing.names) {
            return Err(format!(
                "what is missing ({}) does not come from the record of the loop at {}:{}; it \
                 would be missing for every record, and skipping them all is not handling one",
                missing.what, self.path, lp.header.line
            ));
        }
        let at = insertion_point(&src, self.line, lp.header.line, &lp.targets, missing)
            .ok_or_else(|| format!(
                "the loop at {}:{} does other work for the record before {}:{}; skipping there would leave it half done",
                self.path, lp.header.line, self.path, self.line
            ))?;
        let record = record_name(
            &src,
            function.as_ref(),
            &lp.targets,
            &lp.iter,
            &missing.cond,
        );
        let indent = src.indent_str(at).to_string();
        let mut edits = Vec::new();
        let args: Vec<String> = record.1.iter().chain(&missing.args).cloned().collect();
        let log = log_line(
            &src,
            self.path,
            &indent,
            &format!("skipping {}: {}", record.0, missing.what),
            &args,
            &mut edits,
        );
        let unit = indent_unit(&src);
        let body = format!(
            "{indent}if {}:\n{indent}{unit}{log}\n{indent}{unit}continue\n",
            missing.cond
        );
        edits.push(insert(self.path, self.content, at, &body));
        Ok(Plan {
            edits,
            strategy: "skip-record",
            why: format!(
                "the loop at {}:{} processes independent records (`for {} in {}`), so the record \
                 without the value is skipped and logged, and the others are processed as before",
                self.path,
                lp.header.line,
                lp.targets.join(", "),
                lp.iter
            ),
        })
    }

    /// `if cond: return None` when the function already returns None (or another nothing) on
    /// another path, or its caller tests what it returns.
    pub(crate) fn return_nothing(&self, missing: &Missing) -> Result<Plan, String> {
        let src = self.src();
        let Some(function) = src.function(self.line) else {
            return Err("the statement is not inside a function".into());
        };
        let returns = src.returns(&function);
        let existing = returns.iter().find_map(|(_, v)| match v.as_str() {
            "" | "None" => Some("None"),
            "[]" => Some("[]"),
            "{}" => Some("{}"),
            "()" => Some("()"),
            _ => None,
        });
        let caller_tests = self.caller.as_ref().and_then(|c| {
            caller_tests(c, &function.name).or_else(|| caller_accepts(c, &function.name, self.repo))
        });
        let sibling = if existing.is_none() && caller_tests.is_none() {
            self.sibling_returns_none(&src, &function)
        } else {
            None
        };
        let (value, why) = match (existing, caller_tests, sibling) {
            (Some(v), _, _) => (
                v,
                format!("{}() already returns {v} on another path", function.name),
            ),
            (None, Some(why), _) => ("None", why),
            (None, None, Some(why)) => ("None", why),
            (None, None, None) => {
                return Err(format!(
                    "{}() never returns None and its caller does not test its result",
                    function.name
                ))
            }
        };
        if !src.starts_statement(self.line) {
            return Err(format!(
                "{}:{} continues a longer statement",
                self.path, self.line
            ));
        }
        let indent = src.indent_str(self.line).to_string();
        let unit = indent_unit(&src);
        let mut edits = Vec::new();
        let mut body = format!("{indent}if {}:\n", missing.cond);
        if missing.announce {
            let log = log_line(
                &src,
                self.path,
                &indent,
                &format!("{}(): skipped, {}", function.name, missing.what),
                &missing.args,
                &mut edits,
            );
            body.push_str(&format!("{indent}{unit}{log}\n"));
        }
        let ret = if value == "None" {
            "return None".to_string()
        } else {
            format!("return {value}")
        };
        body.push_str(&format!("{indent}{unit}{ret}\n"));
        edits.push(insert(self.path, self.content, self.line, &body));
        Ok(Plan {
            edits,
            strategy: "return-nothing",
            why: format!(
                "{}() returns {value} when {}: {why}",
                function.name, missing.what
            ),
        })
    }

    /// A function of the same module, called in the same caller statement, that returns None for
    /// its own empty case: the module's convention for "no value".
    fn sibling_returns_none(&self, src: &Source<'_>, function: &Function) -> Option<String> {
        let caller = self.caller.as_ref()?;
        let stmt = Source::new(&caller.content).statement(caller.line);
        for f in src.functions() {
            if f.name == function.name || !stmt.contains(&format!("{}(", f.name)) {
                continue;
            }
            if src.returns(&f).iter().any(|(_, v)| v == "None") {
                return Some(format!(
                    "{}(), called beside it at {}:{}, returns None for its empty case",
                    f.name, caller.path, caller.line
                ));
            }
        }
        None
    }

    /// The guard in the caller's loop, with the callee's parameters replaced by the arguments.
    pub(crate) fn skip_in_caller(&self, missing: &Missing) -> Result<Plan, String> {
        let Some(caller) = &self.caller else {
            return Err("no caller frame in the repository".into());
        };
        let src = self.src();
        let function = src
            .function(self.line)
            .ok_or("the statement is not inside a function")?;
        if missing.names.iter().any(|n| n == "self" || n == "cls") {
            return Err(format!(
                "what is missing belongs to the object {}() runs on, not to a record its caller passes",
                function.name
            ));
        }
        if !missing.names.iter().all(|n| function.params.contains(n)) {
            return Err(format!(
                "what is missing is not one of {}()'s parameters",
                function.name
            ));
        }
        let csrc = Source::new(&caller.content);
        let cfunction = csrc.function(caller.line);
        let Some(lp) = csrc.for_loop(caller.line, cfunction.as_ref()) else {
            return Err(format!(
                "the caller {}:{} is not inside a loop over records",
                caller.path, caller.line
            ));
        };
        let stmt = csrc.statement(caller.line);
        let args = call_args(&stmt, &function.name).ok_or_else(|| {
            format!(
                "no call of {}() at {}:{}",
                function.name, caller.path, caller.line
            )
        })?;
        let mut cond = missing.cond.clone();
        let mut what_args = missing.args.clone();
        let mut names = Vec::new();
        for n in &missing.names {
            let i = function.params.iter().position(|p| p == n).unwrap_or(0);
            let skip_self = usize::from(function.params.first().is_some_and(|p| p == "self"));
            let arg = args
                .get(i.wrapping_sub(skip_self))
                .ok_or("the call passes fewer arguments")?;
            if !super::code::is_name_chain(arg) {
                return Err(format!("the argument `{arg}` is not a plain name"));
            }
            cond = replace_word(&cond, n, arg);
            for a in &mut what_args {
                *a = replace_word(a, n, arg);
            }
            names.push(arg.split('.').next().unwrap_or(arg).to_string());
        }
        // A shown value that still names the callee's locals cannot be evaluated in the caller.
        let mut what = missing.what.clone();
        let mut shown = Vec::new();
        for (a, original) in what_args.iter().zip(&missing.args) {
            if a == original && !missing.names.iter().any(|n| a.starts_with(n.as_str())) {
                what = what.replacen("{!r}", "…", 1);
            } else {
                shown.push(a.clone());
            }
        }
        let m = Missing {
            cond,
            names,
            what,
            args: shown,
            announce: true,
        };
        if !of_record(&csrc, lp.header.line, caller.line, &lp.targets, &m.names) {
            return Err(format!(
                "what is missing ({}) does not come from the record of the loop at {}:{}; it \
                 would be missing for every record",
                m.what, caller.path, lp.header.line
            ));
        }
        let at = insertion_point(&csrc, caller.line, lp.header.line, &lp.targets, &m).ok_or_else(
            || {
                format!(
                    "the loop at {}:{} does other work for the record first",
                    caller.path, lp.header.line
                )
            },
        )?;
        let record = record_name(&csrc, cfunction.as_ref(), &lp.targets, &lp.iter, &m.cond);
        let indent = csrc.indent_str(at).to_string();
        let unit = indent_unit(&csrc);
        let mut edits = Vec::new();
        let args: Vec<String> = record.1.iter().chain(&m.args).cloned().collect();
        let log = log_line(
            &csrc,
            &caller.path,
            &indent,
            &format!("skipping {}: {}", record.0, m.what),
            &args,
            &mut edits,
        );
        let body = format!(
            "{indent}if {}:\n{indent}{unit}{log}\n{indent}{unit}continue\n",
            m.cond
        );
        edits.push(insert(&caller.path, &caller.content, at, &body));
        Ok(Plan {
            edits,
            strategy: "skip-record",
            why: format!(
                "{}() is called for each record by the loop at {}:{} (`for {} in {}`), so the \
                 record without the value is skipped there and logged, and the others are \
                 processed as before",
                function.name,
                caller.path,
                lp.header.line,
                lp.targets.join(", "),
                lp.iter
            ),
        })
    }
}

/// Whether one of `names` is the loop's record: a target of the loop at `header`, or a name
/// the loop body binds before `line` (`parts = line.split()`). A condition on anything else
/// (a setting, a parameter) holds for every record alike.
fn of_record(
    src: &Source<'_>,
    header: u32,
    line: u32,
    targets: &[String],
    names: &[String],
) -> bool {
    if names.iter().any(|n| targets.contains(n)) {
        return true;
    }
    let body = src.statement_end(header) + 1;
    src.statements(body, line.saturating_sub(1)).any(|l| {
        let stmt = src.statement(l);
        let Some((lhs, _)) = stmt.split_once('=') else {
            return false;
        };
        if lhs.ends_with(['!', '<', '>', '=']) {
            return false;
        }
        let lhs = lhs.trim_end_matches(['+', '-', '*', '/', '%', ':']);
        names.iter().any(|n| {
            lhs.split(',')
                .any(|t| t.trim().trim_matches(['(', ')']).trim() == n)
        })
    }) || src.statements(body, line.saturating_sub(1)).any(|l| {
        // A nested loop's target: `for item in order["items"]:` binds per record too.
        let stmt = src.statement(l);
        stmt.strip_prefix("for ")
            .and_then(|r| r.split_once(" in "))
            .is_some_and(|(t, _)| names.iter().any(|n| t.split(',').any(|x| x.trim() == n)))
    })
}

/// Where in the loop the guard goes: right before the statement when nothing before it in the
/// loop body has an effect, else at the top of the body when the condition reads only the loop
/// targets; `None` when neither.
fn insertion_point(
    src: &Source<'_>,
    line: u32,
    header: u32,
    targets: &[String],
    missing: &Missing,
) -> Option<u32> {
    if !src.starts_statement(line) {
        return None;
    }
    let body = src.statement_end(header) + 1;
    let effects = src
        .statements(body, line.saturating_sub(1))
        .any(|l| has_effect(&src.statement(l)));
    if !effects {
        return Some(line);
    }
    missing
        .names
        .iter()
        .all(|n| targets.contains(n))
        .then_some(body)
        .filter(|&b| src.starts_statement(b))
}

/// A statement of the loop body that computes a variable from its own previous value
/// (`chain = sha256(chain + sql)`): each record then depends on the ones before it. Counters and
/// sums (`n += 1`, `total += x`) do not: a skipped record just is not counted.
fn carried(
    src: &Source<'_>,
    header: &crate::fix::syntax::python::Header,
    targets: &[String],
    line: u32,
) -> Option<String> {
    let body = src.statement_end(header.line) + 1;
    let mut l = body;
    while l <= src.len() {
        if src.starts_statement(l) {
            if src.indent(l) <= header.indent {
                break;
            }
            let stmt = src.statement(l);
            if let Some((lhs, rhs)) = stmt.split_once(" = ") {
                let lhs = lhs.trim();
                // `line = line.strip()` on the loop's own target: the loop rebinds it each turn.
                let plain = !lhs.is_empty()
                    && lhs.bytes().all(is_ident)
                    && !targets.iter().any(|t| t == lhs);
                if plain && word_in(&code_only(rhs), lhs) && l != line {
                    return Some(super::super::generator::excerpt(&stmt, 60));
                }
            }
        }
        l += 1;
    }
    None
}

/// Whether a statement does something a skipped record must not have done: output, counting,
/// appending, writing, yielding.
fn has_effect(stmt: &str) -> bool {
    let s = stmt.trim();
    s.starts_with("print(")
        || s.starts_with("yield")
        || s.contains("+=")
        || s.contains("-=")
        || [
            ".append(", ".add(", ".write(", ".send(", ".put(", ".extend(", ".update(", ".insert(",
            "log.", "logger.", "logging.",
        ]
        .iter()
        .any(|m| s.contains(m))
}

/// How the log line names the record: text with `{}` placeholders and their expressions.
fn record_name(
    src: &Source<'_>,
    function: Option<&Function>,
    targets: &[String],
    iter: &str,
    missing: &str,
) -> (String, Vec<String>) {
    // `for name, cents, units in rows`: the first target is the record's key.
    let record = targets.first().cloned().unwrap_or_else(|| "record".into());
    if targets.len() == 2 && iter.starts_with("enumerate(") {
        // `for n, line in enumerate(lines, 1)`: the record's number names it best.
        return (format!("{} {{!r}}", targets[1]), vec![targets[0].clone()]);
    }
    if let Some(f) = function {
        for key in ID_KEYS {
            for form in [format!("{record}['{key}']"), format!("{record}[\"{key}\"]")] {
                if (f.first..=f.last).any(|l| src.text(l).is_some_and(|t| t.contains(&form))) {
                    return (
                        format!("{record} {key}={{!r}}"),
                        vec![form.replace('"', "'")],
                    );
                }
            }
            let attr = format!("{record}.{key}");
            if (f.first..=f.last).any(|l| {
                src.text(l)
                    .is_some_and(|t| t.contains(&attr) && !t.contains(&format!("{attr}(")))
            }) {
                return (format!("{record} {key}={{!r}}"), vec![attr]);
            }
        }
    }
    // Else the first plain field of the record the function reads.
    if let Some(f) = function {
        let re = regex::Regex::new(&format!(
            r#"\b{}(?:\.([A-Za-z_]\w*)\b[^.(\[]|\[['"](\w+)['"]\])"#,
            regex::escape(&record)
        ))
        .expect("valid regex");
        for l in f.first..=f.last {
            for c in re.captures_iter(src.text(l).unwrap_or("")) {
                // The field the condition tests is the one missing or blank: it names nothing.
                let tested = c.get(2).is_some_and(|k| {
                    let k = k.as_str();
                    missing.contains(&format!("'{k}'")) || missing.contains(&format!("\"{k}\""))
                });
                if tested {
                    continue;
                }
                if let Some(attr) = c.get(1) {
                    return (
                        format!("{record} {}={{!r}}", attr.as_str()),
                        vec![format!("{record}.{}", attr.as_str())],
                    );
                }
                if let Some(key) = c.get(2) {
                    return (
                        format!("{record} {}={{!r}}", key.as_str()),
                        vec![format!("{record}['{}']", key.as_str())],
                    );
                }
            }
        }
    }
    (format!("{record} {{!r}}"), vec![record])
}

/// Field names that identify a record, most telling first.
const ID_KEYS: &[&str] = &[
    "id",
    "uid",
    "number",
    "order_id",
    "user_id",
    "invoice_id",
    "key",
    "sku",
    "code",
    "ref",
    "name",
    "email",
];

/// A log line through the module's own logger; `text` has `{}` where each of `args` goes.
/// Adds an `import sys` edit to `edits` when printing to stderr needs it.
fn log_line(
    src: &Source<'_>,
    path: &str,
    _indent: &str,
    text: &str,
    args: &[String],
    edits: &mut Vec<Edit>,
) -> String {
    match src.logger() {
        Logger::Logging(name) => {
            let fmt = escape(&text.replace("{!r}", "%r"), '"')
                .replace('%', "%%")
                .replace("%%r", "%r");
            let mut call = format!("{name}.warning(\"{fmt}\"");
            for a in args {
                call.push_str(", ");
                call.push_str(a);
            }
            call.push(')');
            call
        }
        Logger::Print { width, name } => {
            let level = if width >= 9 { "WARNING" } else { "WARN" };
            let pad = " ".repeat(width.saturating_sub(level.len()).max(1));
            format!(
                "print({})",
                fstring(&format!("{level}{pad}{name}: {text}"), args)
            )
        }
        Logger::None => {
            if !src.imports("sys") {
                let content_line = src.import_line();
                let eol = "\n";
                edits.push(Edit {
                    file: path.to_string(),
                    line: content_line,
                    old: String::new(),
                    new: format!("import sys{eol}"),
                });
            }
            format!(
                "print({}, file=sys.stderr)",
                fstring(&format!("warning: {text}"), args)
            )
        }
    }
}

/// An f-string (or plain string) of `text` with `{!r}` fields for `args`, quoted so that the
/// expressions' own quotes need no escapes on any Python 3.
fn fstring(text: &str, args: &[String]) -> String {
    // Python before 3.12 takes no quote of the f-string's own kind inside a field: a plain
    // `"key"` of a field is written `'key'`, so that fields of both kinds can share one string.
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains('"') && !a.contains('\'') && !a.contains('\\') {
                a.replace('"', "'")
            } else {
                a.clone()
            }
        })
        .collect();
    let q = if args.iter().any(|a| a.contains('"')) {
        '\''
    } else {
        '"'
    };
    let mut out = String::new();
    let mut parts = text.split("{!r}");
    out.push_str(&escape_f(parts.next().unwrap_or(""), q, !args.is_empty()));
    for (a, part) in args.iter().zip(parts) {
        out.push('{');
        out.push_str(a);
        out.push_str("!r}");
        out.push_str(&escape_f(part, q, true));
    }
    if args.is_empty() {
        format!("{q}{out}{q}")
    } else {
        format!("f{q}{out}{q}")
    }
}

fn escape(s: &str, q: char) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == q => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out
}

fn escape_f(s: &str, q: char, f: bool) -> String {
    let e = escape(s, q);
    if f {
        e.replace('{', "{{").replace('}', "}}")
    } else {
        e
    }
}

/// The module's indentation unit: the first indented line's indentation, else four spaces.
fn indent_unit(src: &Source<'_>) -> String {
    for l in 1..=src.len() {
        if src.starts_statement(l) && src.indent(l) > 0 {
            return src.indent_str(l).to_string();
        }
    }
    "    ".into()
}

/// An edit inserting `body` (lines ending in `\n`) before `line`, in the file's end of line.
fn insert(path: &str, content: &str, line: u32, body: &str) -> Edit {
    let eol = if content.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    Edit {
        file: path.to_string(),
        line,
        old: String::new(),
        new: body.replace('\n', eol),
    }
}

/// Whether the caller's statement tests what `name(...)` returns: `if name(…):`, `if not name(…)`,
/// `while name(…)`, `… = name(…) or …`.
fn caller_tests(caller: &Caller, name: &str) -> Option<String> {
    let stmt = Source::new(&caller.content).statement(caller.line);
    let call = format!("{name}(");
    let at = stmt.find(&call)?;
    // Without a receiver (`self.`, `module.`) in front of the call.
    let before = stmt[..at].trim_end_matches(|c: char| c == '.' || c == '_' || c.is_alphanumeric());
    let before = before.trim();
    let tested = [
        "if",
        "if not",
        "elif",
        "elif not",
        "while",
        "while not",
        "assert",
    ]
    .contains(&before);
    tested.then(|| {
        format!(
            "the caller at {}:{} tests its result (`{}`)",
            caller.path,
            caller.line,
            super::super::generator::excerpt(&stmt, 60)
        )
    })
}

/// Whether the caller's statement hands what `name(…)` returns to code that accepts None
/// (`fmt_rate(hit_rate(h, n))` where `fmt_rate` prints None as n/a), by the same data flow.
fn caller_accepts(caller: &Caller, name: &str, repo: &Snapshot) -> Option<String> {
    let src = Source::new(&caller.content);
    let text = src.text(caller.line)?;
    let b = text.as_bytes();
    let call = format!("{name}(");
    let start = text
        .match_indices(&call)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || !is_ident(b[i - 1]))?;
    let line = Line::new(text, Lang::Python);
    let close = line.matching_close(start + name.len())?;
    // With its receiver (`stats.hit_rate(…)`).
    let start = line.primary_start(start + name.len()).unwrap_or(start);
    // A caller that drops the result does not handle "nothing": it would go on as if the work
    // were done.
    if src.statement(caller.line) == text[start..=close].trim() {
        return None;
    }
    let function = src.function(caller.line);
    let at = At {
        src: &src,
        path: &caller.path,
        function: function.as_ref(),
    };
    let accepted = match fate(&at, caller.line, start, close + 1, repo, 0) {
        Fate::Accepted(why) => Some(why),
        Fate::Breaks(_) | Fate::Stored(_) => element_fate(&at, caller.line, start, repo),
    };
    accepted.map(|why| {
        format!(
            "its caller at {}:{} accepts None: {why}",
            caller.path, caller.line
        )
    })
}

/// `rows = [(name, n, CALL) for …]` and later `for name, n, r in rows`: what the matching target
/// meets, on the line of that loop (a comprehension's element) and after it. `Some(why)` only
/// when every read of it accepts None.
fn element_fate(at: &At<'_, '_>, line: u32, start: usize, repo: &Snapshot) -> Option<String> {
    let text = at.src.text(line)?;
    let l = Line::new(text, Lang::Python);
    let b = l.bytes();
    // The tuple around the call and the call's place in it.
    let (mut depth, mut commas, mut i) = (0, 0, start);
    let open = loop {
        if i == 0 {
            return None;
        }
        i -= 1;
        if !l.is_code(i) {
            continue;
        }
        match b[i] {
            b')' | b']' | b'}' => depth += 1,
            b'(' if depth == 0 => break i,
            b'[' | b'{' if depth == 0 => return None,
            b'(' | b'[' | b'{' => depth -= 1,
            b',' if depth == 0 => commas += 1,
            _ => {}
        }
    };
    let close = l.matching_close(open)?;
    let (before, bracket) = l.prev_non_space(open)?;
    if bracket != b'[' || !text[close + 1..].trim_start().starts_with("for ") {
        return None;
    }
    let list = assigned_name(&text[..before])?;
    let function = at.function?;
    let re = regex::Regex::new(&format!(
        r"\bfor\s+\(?([\w\s,]+?)\)?\s+in\s+{}\b",
        regex::escape(&list)
    ))
    .ok()?;
    for l2 in line + 1..=function.last {
        let t = at.src.text(l2)?;
        let Some(c) = re.captures(t) else { continue };
        let targets: Vec<&str> = c[1].split(',').map(str::trim).collect();
        let target = (*targets.get(commas)?).to_string();
        if targets.len() != split_top(&text[open + 1..close]).len() {
            return None;
        }
        let loop_at = c.get(0)?.start();
        let lt = Line::new(t, Lang::Python);
        let fields = fstring_fields(t);
        let mut why = None;
        for (k, _) in t[..loop_at].match_indices(target.as_str()) {
            let end = k + target.len();
            let word = (k == 0 || !is_ident(t.as_bytes()[k - 1]) && t.as_bytes()[k - 1] != b'.')
                && t.as_bytes().get(end).is_none_or(|c| !is_ident(*c));
            let in_code = lt.is_code(k) || fields.iter().any(|&(a, z)| a <= k && end <= z);
            if !word || !in_code {
                continue;
            }
            match fate(at, l2, k, end, repo, 1) {
                Fate::Accepted(w) => why = Some(w),
                Fate::Breaks(_) | Fate::Stored(_) => return None,
            }
        }
        if !t.trim_start().starts_with("for ") {
            // A comprehension: its element is all that reads the target.
            return why;
        }
        return match var_fate(at, &target, l2, repo, 1) {
            Fate::Accepted(w) => Some(w),
            Fate::Breaks(_) | Fate::Stored(_) => None,
        };
    }
    None
}

/// The arguments of the first call of `name` in `stmt`.
fn call_args(stmt: &str, name: &str) -> Option<Vec<String>> {
    let mut from = 0;
    while let Some(k) = stmt[from..].find(&format!("{name}(")) {
        let at = from + k;
        let ok = at == 0 || !is_ident(stmt.as_bytes()[at - 1]) || stmt.as_bytes()[at - 1] == b'.';
        let open = at + name.len();
        if ok {
            let line = Line::new(stmt, Lang::Python);
            let close = line.matching_close(open)?;
            return Some(
                split_top(&stmt[open + 1..close])
                    .into_iter()
                    .map(|a| a.trim().to_string())
                    .collect(),
            );
        }
        from = open;
    }
    None
}

/// `text` with the whole word `word` replaced by `with`.
pub fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(word)
            && (i == 0 || !is_ident(b[i - 1]) && b[i - 1] != b'.')
            && b.get(i + word.len()).is_none_or(|c| !is_ident(*c))
        {
            out.push_str(with);
            i += word.len();
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// A constant the code base defines as the default for `key`: `DEFAULT_TIMEOUT`,
/// `TIMEOUT_DEFAULT`, `DEFAULT_TIMEOUT_S` … at the top level of `content`, or a literal fallback
/// given for the same key elsewhere in the repository (`.get('timeout', 30)`).
pub fn default_for(
    key: &str,
    path: &str,
    content: &str,
    repo: &Snapshot,
) -> Option<(String, String)> {
    let upper = super::code::constant_case(key);
    if upper.is_empty() {
        return None;
    }
    let re = regex::Regex::new(&format!(
        r"(?m)^((?:DEFAULT_{u}(?:_[A-Z]+)?|{u}_DEFAULT|DEFAULT_{u}S?))\s*(?::\s*\w+\s*)?=\s*\S",
        u = regex::escape(&upper)
    ))
    .ok()?;
    if let Some(c) = re.captures(content) {
        return Some((
            c[1].to_string(),
            format!("{path} defines {} as the default", &c[1]),
        ));
    }
    // A module-level table of defaults holding the key: `DEFAULTS = {"timeout": 30, …}`.
    let table = regex::Regex::new(r"(?m)^([A-Z_]*DEFAULTS?[A-Z_]*)\s*(?::[^=]+)?=\s*\{").ok()?;
    for c in table.captures_iter(content) {
        let start = c.get(0).map(|m| m.end()).unwrap_or(0);
        let body = &content[start..];
        let end = body
            .find("\n}")
            .or_else(|| body.find('}'))
            .unwrap_or(body.len());
        let body = &body[..end];
        for q in ['"', '\''] {
            if body.contains(&format!("{q}{key}{q}:")) || body.contains(&format!("{q}{key}{q} :")) {
                let name = &c[1];
                return Some((
                    format!("{name}[{q}{key}{q}]"),
                    format!("{path} lists '{key}' in its {name}"),
                ));
            }
        }
    }
    let lit = r#"(-?\d+(?:\.\d+)?|'[^'\\]*'|"[^"\\]*"|True|False)"#;
    let get = regex::Regex::new(&format!(
        r#"\.get\(\s*['"]{k}['"]\s*,\s*{lit}\s*\)"#,
        k = regex::escape(key)
    ))
    .ok()?;
    let mut found: Option<(String, String)> = None;
    for p in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(p) else { continue };
        for c in get.captures_iter(&text) {
            let v = c[1].to_string();
            match &found {
                Some((prev, _)) if *prev != v => return None,
                Some(_) => {}
                None => {
                    found = Some((
                        v.clone(),
                        format!("{p} already falls back to {v} for '{key}'"),
                    ))
                }
            }
        }
    }
    found
}

/// A module constant another file of the repository falls back to for the same key
/// (`cfg.get("per_page", DEFAULT_PER_PAGE)` in export/settings.py, which defines it): the
/// constant, why, and the import the file at `path` needs for it (`None` when it has it).
pub fn named_default(
    key: &str,
    path: &str,
    content: &str,
    repo: &Snapshot,
) -> Option<(String, String, Option<String>)> {
    let get = regex::Regex::new(&format!(
        r#"\.get\(\s*['"]{k}['"]\s*,\s*([A-Z][A-Z0-9_]*)\s*\)"#,
        k = regex::escape(key)
    ))
    .ok()?;
    let mut found: Option<(String, String, Option<String>)> = None;
    for p in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(p) else { continue };
        for c in get.captures_iter(&text) {
            let name = c[1].to_string();
            let defined =
                regex::Regex::new(&format!(r"(?m)^{}\s*(?::[^=]+)?=", regex::escape(&name)))
                    .ok()?
                    .is_match(&text);
            if !defined {
                continue;
            }
            if found.as_ref().is_some_and(|(n, _, _)| *n != name) {
                return None;
            }
            let module = p
                .trim_end_matches(".py")
                .trim_end_matches("/__init__")
                .replace('/', ".");
            let here = p == path
                || regex::Regex::new(&format!(
                    r"(?m)^(?:from .* import .*\b{n}\b|{n}\s*=)",
                    n = regex::escape(&name)
                ))
                .ok()?
                .is_match(content);
            found = Some((
                name.clone(),
                format!("{p} defines {name} and already falls back to it for '{key}'"),
                (!here).then(|| format!("from {module} import {name}")),
            ));
        }
    }
    found
}

/// The default a class of the repository gives the keyword `kw` of its constructor: a
/// dataclass field `kw: T = <literal>` or an `__init__(…, kw=<literal>)` parameter, when exactly
/// one tracked class is named `class_name`.
pub fn constructor_default(
    class_name: &str,
    kw: &str,
    repo: &Snapshot,
) -> Option<(String, String)> {
    let lit = r#"(-?\d+(?:\.\d+)?|'[^'\\]*'|"[^"\\]*"|True|False|None)"#;
    let class =
        regex::Regex::new(&format!(r"(?m)^class\s+{}\b", regex::escape(class_name))).ok()?;
    let field = regex::Regex::new(&format!(
        r"(?m)^\s+{k}\s*:\s*[^=\n]+=\s*{lit}\s*$",
        k = regex::escape(kw)
    ))
    .ok()?;
    let param = regex::Regex::new(&format!(
        r"def __init__\([^)]*\b{k}\s*(?::[^=,)]+)?=\s*{lit}",
        k = regex::escape(kw)
    ))
    .ok()?;
    let mut found = None;
    for p in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(p) else { continue };
        let Some(m) = class.find(&text) else { continue };
        if found.is_some() {
            return None;
        }
        // The class body: up to the next top-level statement.
        let body = &text[m.end()..];
        let end = body
            .match_indices('\n')
            .map(|(i, _)| i + 1)
            .find(|&i| body[i..].starts_with(|c: char| !c.is_whitespace()))
            .unwrap_or(body.len());
        let body = &body[..end];
        let c = field.captures(body).or_else(|| param.captures(body))?;
        if &c[1] == "None" {
            return None;
        }
        found = Some((
            c[1].to_string(),
            format!("{p}: {class_name} gives `{kw}` the default {}", &c[1]),
        ));
    }
    found
}

/// Tracked JSON/YAML/TOML files that hold the other keys `function` reads from the same mapping
/// but not `key`: where the value was expected to come from.
pub fn config_without(key: &str, siblings: &[String], repo: &Snapshot) -> Vec<String> {
    if siblings.is_empty() {
        return Vec::new();
    }
    repo.files()
        .iter()
        .filter(|p| {
            [".json", ".yaml", ".yml", ".toml", ".ini", ".cfg"]
                .iter()
                .any(|e| p.ends_with(e))
        })
        .filter(|p| {
            repo.read(p).is_some_and(|t| {
                siblings.iter().all(|s| t.contains(s.as_str()))
                    && !t.contains(&format!("\"{key}\""))
                    && !t.contains(&format!("{key}:"))
                    && !t.contains(&format!("{key} ="))
            })
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::testing::repo;

    fn flow(src_text: &str, line: u32, expr: &str) -> Fate {
        let dir = repo(&[("m.py", src_text)]);
        let snap = Snapshot::open(dir.path()).unwrap();
        let src = Source::new(src_text);
        let f = src.function(line);
        let at = At {
            src: &src,
            path: "m.py",
            function: f.as_ref(),
        };
        let text = src.text(line).unwrap();
        let start = text.find(expr).unwrap();
        fate(&at, line, start, start + expr.len(), &snap, 0)
    }

    #[test]
    fn none_that_is_printed_or_used_breaks() {
        let src = "def f(d):\n    v = d.get('k')\n    print(f\"k={v}\")\n";
        assert!(matches!(flow(src, 2, "d.get('k')"), Fate::Breaks(w) if w.contains("formatted")));
        let src = "def f(d):\n    v = d.get('k')\n    return v + 1\n";
        assert!(matches!(flow(src, 2, "d.get('k')"), Fate::Breaks(w) if w.contains("arithmetic")));
        let src =
            "def f(d):\n    v = d.get('k')\n    if v is None:\n        return 0\n    return v\n";
        assert!(matches!(flow(src, 2, "d.get('k')"), Fate::Accepted(_)));
        let src = "def f(d):\n    v = d.get('k')\n    for x in v:\n        pass\n";
        assert!(matches!(flow(src, 2, "d.get('k')"), Fate::Breaks(w) if w.contains("iterated")));
    }

    #[test]
    fn none_passed_to_a_repo_function_follows_the_parameter() {
        let src = "def send(name, email=None):\n    if email:\n        mail(email)\n\n\ndef f(d):\n    send(d['n'], d.get('e'))\n";
        assert!(matches!(flow(src, 7, "d.get('e')"), Fate::Accepted(_)));
        let src = "def send(name, email):\n    mail(email.lower())\n\n\ndef f(d):\n    send(d['n'], d.get('e'))\n";
        assert!(matches!(flow(src, 6, "d.get('e')"), Fate::Breaks(_)));
    }

    #[test]
    fn defaults_the_code_defines() {
        let dir = repo(&[("m.py", "x = 1\n")]);
        let snap = Snapshot::open(dir.path()).unwrap();
        let src = "DEFAULTS = {\n    \"timeout\": 30,\n}\nDEFAULT_RETRIES = 3\n";
        assert_eq!(
            default_for("timeout", "m.py", src, &snap).unwrap().0,
            "DEFAULTS[\"timeout\"]"
        );
        assert_eq!(
            default_for("retries", "m.py", src, &snap).unwrap().0,
            "DEFAULT_RETRIES"
        );
        assert!(default_for("port", "m.py", src, &snap).is_none());
    }

    #[test]
    fn words_are_replaced_whole() {
        assert_eq!(
            replace_word("user is None and users", "user", "u.x"),
            "u.x is None and users"
        );
    }

    #[test]
    fn log_lines_follow_the_module() {
        let src = Source::new("import logging\nlog = logging.getLogger(__name__)\n");
        let mut edits = Vec::new();
        assert_eq!(
            log_line(
                &src,
                "m.py",
                "",
                "skipping row {!r}: no 'k'",
                &["row['id']".into()],
                &mut edits
            ),
            "log.warning(\"skipping row %r: no 'k'\", row['id'])"
        );
        let src = Source::new("def f():\n    pass\n");
        let line = log_line(
            &src,
            "m.py",
            "",
            "skipping row {!r}: no 'k'",
            &["row['id']".into()],
            &mut edits,
        );
        assert_eq!(
            line,
            "print(f\"warning: skipping row {row['id']!r}: no 'k'\", file=sys.stderr)"
        );
        assert_eq!(edits.len(), 1);
    }
}
