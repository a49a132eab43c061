//! The generator trait and what a generator sees.
//!
//! A generator looks at one incident (its primary exception and the innermost frame that maps to a
//! tracked file) and returns structured [`Edit`]s with a description. It must check that the code
//! it edits still holds what the trace says failed: logs outlive the code that wrote them.

use std::borrow::Cow;

use super::edit::Edit;
use super::locate::{self, Located};
use super::repo::Snapshot;
use crate::pattern::trace::Exception;
use crate::pattern::{Frame, Language, StackTrace};
use crate::threshold::Incident;

/// A fix stage plug-in: one class of error, one kind of change.
pub trait Generator {
    /// Slug of the generator (`py-key-error`) or of the rule (`rule:db-pool`).
    fn name(&self) -> String;
    /// How often this kind of change is right when it applies, before any evidence.
    fn prior(&self) -> f64;
    /// The model that wrote the change, for a generator that asks one.
    fn model(&self) -> Option<String> {
        None
    }
    /// The change for `cx`, or why there is none.
    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip>;
    /// What a built-in generator repairs, as the README lists it (a test keeps the two equal);
    /// `None` for the user's rules.
    fn repairs(&self) -> Option<Repairs> {
        None
    }
}

/// A built-in class of crash: the language, and the error with the message forms it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repairs {
    pub language: &'static str,
    /// Markdown: `` `KeyError` on a dict or `os.environ` lookup ``.
    pub error: &'static str,
}

/// Why a generator proposes nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skip {
    /// The incident is not this generator's kind of error: nothing worth saying.
    NotApplicable,
    /// It is, but the change would be a guess; the reason goes to verbose output.
    Declined(String),
}

/// Shorthand for a declined generation.
pub fn decline<T>(why: impl Into<String>) -> Result<T, Skip> {
    Err(Skip::Declined(why.into()))
}

/// A generator's proposal before validation.
#[derive(Debug, Clone)]
pub struct Draft {
    pub edits: Vec<Edit>,
    /// One paragraph: what failed, where, why this change.
    pub description: String,
    /// Whether the failing expression was found where the trace points (column or carets):
    /// `Some(true)` confirmed, `Some(false)` found on the line by elimination only, `None` when
    /// the change does not edit the failing line.
    pub at_column: Option<bool>,
    /// A named contribution of the way the change was chosen, added to the confidence as a
    /// factor (e.g. `("guard at statement level", -0.05)`); `None` when the prior says it all.
    pub strategy: Option<(&'static str, f64)>,
}

impl Draft {
    /// A change of the site's line alone (`new` may hold several lines in its place), written
    /// with the file's own line ending; `how` names the strategy (see `factor::strategy`).
    pub fn on_line(
        site: &Site,
        new: &str,
        description: String,
        how: &'static str,
        at_column: bool,
    ) -> Result<Draft, Skip> {
        let Some(mut edit) = Edit::replace_line(&site.path, &site.content, site.line, new) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        if edit.old.ends_with("\r\n") {
            edit.new = edit.new.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        Ok(Draft {
            edits: vec![edit],
            description,
            at_column: Some(at_column),
            strategy: super::factor::strategy(how),
        })
    }
}

/// The innermost frame of the primary exception that maps to a tracked file.
#[derive(Debug, Clone)]
pub struct Site {
    /// Tracked path, relative to the repository root.
    pub path: String,
    pub line: u32,
    /// 1-based column, when the trace gives one.
    pub column: Option<u32>,
    /// Whether the tracked path is a suffix of the frame's path (see [`locate`]).
    pub exact: bool,
    pub frame: Frame,
    /// The file's contents at HEAD.
    pub content: String,
    /// The function of the innermost library frame inside this one, when the error was raised
    /// in library code the site called (`yaml.load`), not by the site's own expression. Library
    /// dunders (`__getitem__` of `os.environ`) run the site's expression and do not count.
    pub raised_in_library: Option<String>,
}

impl Site {
    /// Declines when the error was raised in code outside the repository that this line called:
    /// the expression that failed is not on the line, so nothing on it is the fix.
    pub fn failed_here(&self) -> Result<(), Skip> {
        match &self.raised_in_library {
            Some(function) => decline(format!(
                "the error was raised in code outside the repository ({}), called from {}:{}; \
                 the expression that failed is not on that line",
                excerpt(function, 60),
                self.path,
                self.line
            )),
            None => Ok(()),
        }
    }

    /// The text of the failing line at HEAD, without its end of line.
    pub fn line_text(&self) -> Option<&str> {
        super::edit::line_text(&self.content, self.line)
    }
}

/// What a generator sees.
pub struct Context<'a> {
    pub incident: &'a Incident,
    /// The whole entry: first line and continuation lines.
    pub message: &'a str,
    pub language: Option<Language>,
    /// The exception the fix addresses (see `StackTrace::primary`).
    pub exception: Option<&'a Exception>,
    pub site: Option<Site>,
    pub repo: &'a Snapshot,
}

impl<'a> Context<'a> {
    /// Build the context for `incident`, whose `trace` was found in `text` (see [`trace_of`]);
    /// `notes` gets why no site was found, when that is worth saying.
    pub fn new(
        incident: &'a Incident,
        trace: Option<&'a StackTrace>,
        text: &'a str,
        repo: &'a Snapshot,
        notes: &mut Vec<String>,
    ) -> Self {
        let language = trace.map(|t| t.language);
        let exception = trace.and_then(|t| t.primary());
        let mut site = None;
        if let Some(exception) = exception {
            site = find_site(exception, language, repo, notes);
        }
        Context {
            incident,
            message: text,
            language,
            exception,
            site,
            repo,
        }
    }

    /// The primary exception's kind without its package (`java.lang.NullPointerException` →
    /// `NullPointerException`).
    pub fn kind(&self) -> Option<&str> {
        self.exception
            .map(|e| e.kind.rsplit(['.', ':']).next().unwrap_or(&e.kind))
    }

    pub fn exception_message(&self) -> &str {
        self.exception.map(|e| e.message.as_str()).unwrap_or("")
    }
}

/// The incident's trace and the text it came from: the entry's message, or else a field of a
/// structured entry (`exc="Traceback…"` in logfmt, `"exception": "…"` in JSON) that holds one.
///
/// A trace kept on one line with `\n` escapes (a JSON string inside a text log) is unescaped,
/// so that generators can read the source lines and carets printed under each frame.
pub fn trace_of(incident: &Incident) -> (Option<StackTrace>, Cow<'_, str>) {
    let message = &incident.entry.message;
    if incident.trace.is_some() {
        return (incident.trace.clone(), unescape(message));
    }
    for value in incident.entry.fields.values() {
        if let Some(trace) = crate::pattern::trace::extract(value) {
            return (Some(trace), unescape(value));
        }
    }
    (None, Cow::Borrowed(message))
}

/// `text` with its JSON-style escapes decoded, when it has escapes and no newline.
fn unescape(text: &str) -> Cow<'_, str> {
    if text.contains('\n') || !text.contains("\\n") {
        return Cow::Borrowed(text);
    }
    Cow::Owned(crate::pattern::trace::unescape(text))
}

fn find_site(
    exception: &Exception,
    language: Option<Language>,
    repo: &Snapshot,
    notes: &mut Vec<String>,
) -> Option<Site> {
    for (i, frame) in exception.frames.iter().enumerate() {
        match locate::locate(frame, language, repo.files()) {
            Located::Library | Located::Absent => continue,
            Located::Ambiguous(candidates) => {
                // The innermost application frame is unknown: editing an outer one would guess.
                notes.push(format!(
                    "frame '{}' matches {} tracked files ({}); not guessing",
                    frame.file,
                    candidates.len(),
                    candidates.join(", ")
                ));
                return None;
            }
            Located::Repo { path, exact } => {
                let line = frame.line?;
                let content = repo.read(&path)?;
                let raised_in_library = exception.frames[..i].iter().find_map(|f| {
                    let name = f.function.as_deref().unwrap_or("?");
                    let last = name.rsplit(['.', ':']).next().unwrap_or(name);
                    let dunder = last.starts_with("__") && last.ends_with("__");
                    (!dunder).then(|| name.to_string())
                });
                return Some(Site {
                    path,
                    line,
                    column: frame.column,
                    exact,
                    frame: frame.clone(),
                    content,
                    raised_in_library,
                });
            }
        }
    }
    None
}

/// `text` cut to `max` characters for a description, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max).collect();
    out.push('…');
    out
}
