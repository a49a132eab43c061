//! The fallback for crashes no built-in class covers: a model behind an OpenAI-compatible
//! endpoint (Ollama, llama.cpp server, vLLM, LM Studio, LiteLLM or a hosted one), asked once per
//! incident when no built-in class produced a solution that passed verification.
//!
//! Everything sent passes through one [`redact::Redactor`]; the answer is a JSON object whose
//! edits Hephaestus applies itself under the rules of every generator ([`answer`]); the change
//! must then compile and pass `fix.verify` or `fix.reproduce` to be proposed. Any failure of the
//! endpoint is one line of the report, never an error of the run.

pub mod answer;
pub mod context;
pub mod redact;
pub mod request;
pub mod store;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::generator::{decline, excerpt, Context, Draft, Generator, Skip};
use super::{verify, FixEvent, Fixer, Solution};

/// `fix.llm`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LlmSettings {
    /// Base URL without its trailing `/`.
    pub url: String,
    pub model: String,
    /// The environment variable holding the bearer token.
    pub api_key_env: Option<String>,
    pub timeout: Duration,
    pub max_calls_per_hour: u32,
    pub context_lines: u32,
    /// Append every request and answer to `llm-audit.jsonl` in the state directory.
    pub audit: bool,
    /// The user's regexes of text never sent, checked by the configuration.
    pub redact: Vec<String>,
    /// Where answers are cached and calls counted (the run's state directory); `None` counts the
    /// calls of this process only.
    pub state_dir: Option<PathBuf>,
    /// Report the request that would be sent instead of sending it (`--show-prompt`).
    pub show_prompt: bool,
}

/// Calls of this process, for the cap when there is no state directory.
static CALLS: AtomicU32 = AtomicU32::new(0);

/// Generator name of every model's change.
pub const NAME: &str = "llm";
/// Below every built-in class: a model's change is a guess until the ladder says otherwise.
pub const PRIOR: f64 = 0.3;
/// The model's own confidence, centred on 0.5, moves the score by at most this much.
const CONFIDENCE_WEIGHT: f64 = 0.2;

/// The model as a generator of the fix framework.
pub struct Llm<'a> {
    pub settings: &'a LlmSettings,
    /// Whether `fix.verify` or `fix.reproduce` is configured: without one, nothing could check
    /// the model's change, so nothing is sent.
    pub checkable: bool,
}

impl Generator for Llm<'_> {
    fn name(&self) -> String {
        NAME.to_string()
    }

    fn prior(&self) -> f64 {
        PRIOR
    }

    fn model(&self) -> Option<String> {
        Some(clean(&self.settings.model, 80))
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.exception.is_none() {
            return Err(Skip::NotApplicable);
        }
        let extra = self.settings.redact.iter().map(|p| regex::Regex::new(p));
        let Ok(extra) = extra.collect::<Result<Vec<_>, _>>() else {
            return decline("nothing sent: a fix.llm.redact pattern does not compile");
        };
        let mut redactor = redact::Redactor::new(extra);
        let prompt = match context::build(cx, self.settings.context_lines, &mut redactor) {
            Ok(p) => p,
            Err(why) => return decline(format!("nothing sent: {why}")),
        };
        let settings = self.settings;
        if settings.show_prompt {
            let body = request::body(settings, &prompt.system, &prompt.user, true);
            return decline(format!(
                "--show-prompt, nothing sent: POST {}/chat/completions {body}",
                crate::deploy::git::redact(&settings.url)
            ));
        }
        if !self.checkable {
            return decline(
                "a model's change needs fix.verify or fix.reproduce to check it; nothing sent",
            );
        }
        let key = store::key(
            &cx.incident.fingerprint.id,
            &settings.model,
            &prompt.windows,
        );
        let state = settings.state_dir.as_deref();
        let content = match state.and_then(|dir| store::cached(dir, &key)) {
            Some(content) => content,
            None => {
                let made = match state {
                    Some(dir) => store::calls_last_hour(dir) as u32,
                    None => CALLS.load(Ordering::SeqCst),
                };
                if made >= settings.max_calls_per_hour {
                    return decline(format!(
                        "deferred: {made} of fix.llm.max_calls_per_hour = {} calls made in the \
                         last hour; a later run asks for this crash",
                        settings.max_calls_per_hour
                    ));
                }
                CALLS.fetch_add(1, Ordering::SeqCst);
                if let Some(dir) = state {
                    if let Err(err) = store::count_call(dir) {
                        return decline(format!(
                            "nothing sent: the call cannot be counted in {}: {err}",
                            dir.display()
                        ));
                    }
                }
                let result = request::complete(settings, &prompt.system, &prompt.user);
                if let (true, Some(dir)) = (settings.audit, state) {
                    let body = request::body(settings, &prompt.system, &prompt.user, true);
                    store::audit(dir, &cx.incident.fingerprint.id, &body, &result);
                }
                let content = result.or_else(|why| {
                    decline(format!(
                        "{} ({}): {why}",
                        settings.model,
                        crate::deploy::git::redact(&settings.url)
                    ))
                })?;
                if let Some(dir) = state {
                    store::keep(dir, &key, &content);
                }
                content
            }
        };
        let fix = match answer::parse(&content) {
            Ok(answer::Answer::Fix(fix)) => fix,
            Ok(answer::Answer::Abstain(why)) => {
                return decline(format!("the model abstained: {}", clean(&why, 200)))
            }
            Err(why) => return decline(format!("answer dropped: {}", clean(&why, 200))),
        };
        let edits = answer::apply(cx.repo, &fix, &redactor)
            .or_else(|why| decline(format!("answer dropped: {}", clean(&why, 200))))?;
        let description = format!(
            "Proposed by the model {} (generator llm) for {}: {}",
            clean(&self.settings.model, 80),
            clean(&cx.exception.map(|e| e.headline()).unwrap_or_default(), 120),
            clean(&fix.diagnosis, 800)
        );
        Ok(Draft {
            edits,
            description,
            at_column: None,
            strategy: Some((
                "model confidence",
                ((fix.confidence - 0.5) * CONFIDENCE_WEIGHT * 100.0).round() / 100.0,
            )),
        })
    }
}

/// Untrusted text cut to one line of at most `max` characters.
fn clean(text: &str, max: usize) -> String {
    let one: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    excerpt(&one.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

/// Ask the model for `cx` and keep its change only when it compiled and passed `fix.verify` or
/// `fix.reproduce`; every other outcome is one event.
pub(super) fn fallback(
    fixer: &Fixer,
    settings: &LlmSettings,
    cx: &Context<'_>,
    events: &mut Vec<FixEvent>,
) -> Option<Solution> {
    let generator = Llm {
        settings,
        checkable: fixer.settings.verify.is_some() || fixer.settings.reproduce.is_some(),
    };
    let draft = match generator.generate(cx) {
        Ok(draft) => draft,
        Err(Skip::NotApplicable) => return None,
        Err(Skip::Declined(why)) => {
            events.push(FixEvent::Declined {
                generator: NAME.into(),
                why,
            });
            return None;
        }
    };
    let before = events.len();
    let Some(solution) = fixer.finish(&generator, draft, cx, events) else {
        // A model's answer dropped is said at every verbosity, as its other drops are: the notes
        // `finish` gives for a refused edit or a duplicate become the declined line.
        let said = events[before..]
            .iter()
            .any(|e| matches!(e, FixEvent::Dropped { .. }));
        if !said {
            let notes: Vec<String> = events.drain(before..).map(|e| e.to_string()).collect();
            let why = notes.join("; ");
            let why = why.strip_prefix(&format!("{NAME}: ")).unwrap_or(&why);
            let why = why.strip_prefix("dropped: ").unwrap_or(why);
            events.push(FixEvent::Declined {
                generator: NAME.into(),
                why: format!("answer dropped: {why}"),
            });
        }
        return None;
    };
    let rungs = &solution.verification;
    let compiled = verify::passed(rungs, verify::Step::Compile);
    let checked = verify::passed(rungs, verify::Step::Verify)
        || verify::passed(rungs, verify::Step::Reproduce);
    if !compiled || !checked {
        events.push(FixEvent::Declined {
            generator: NAME.into(),
            why: format!(
                "dropped: a model's change must pass the compile rung and fix.verify or \
                 fix.reproduce; {}",
                if compiled {
                    "neither ran"
                } else {
                    "the compile rung did not run"
                }
            ),
        });
        return None;
    }
    Some(solution)
}
