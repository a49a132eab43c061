//! What a notification says, as JSON or as a Slack message. Log text in it is untrusted: it is
//! redacted (credentials), stripped of control characters, cut, and for Slack its `&`, `<` and `>`
//! escaped so that it can make no link, mention (`<!channel>`) or formatting.

use serde_json::{json, Value};

use crate::deploy::message::strip_controls;
use crate::fix::Solution;
use crate::redact::redact;
use crate::threshold::Incident;

/// Longest text of one field.
const MAX_TEXT: usize = 300;

/// Something worth telling a team.
#[derive(Debug, Clone)]
pub struct Event {
    name: &'static str,
    /// One line, log text inside it already cleaned.
    summary: String,
    fields: Vec<(&'static str, String)>,
}

/// `text` fit for a message: redacted, one line, no control characters, cut.
fn clean(text: &str) -> String {
    let one: String = strip_controls(&redact(text, &[]))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if one.chars().count() > MAX_TEXT {
        let mut cut: String = one.chars().take(MAX_TEXT - 1).collect();
        cut.push('…');
        cut
    } else {
        one
    }
}

/// Slack's mrkdwn control characters, escaped as its documentation asks.
fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

impl Event {
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn incident_tripped(incident: &Incident) -> Event {
        // A crash by its exception line, else the entry's first line.
        let what = match incident.trace.as_ref().and_then(|t| t.primary()) {
            Some(exception) => clean(&exception.headline()),
            None => clean(incident.sample()),
        };
        Event {
            name: "incident.tripped",
            summary: format!(
                "Incident: {what} (×{} in {})",
                incident.count,
                humantime::format_duration(incident.window)
            ),
            fields: vec![
                ("fingerprint", clean(&incident.fingerprint.id)),
                ("error_type", clean(&incident.fingerprint.error_type)),
                ("sample", what),
                ("count", incident.count.to_string()),
                ("source", clean(incident.entry.source_name())),
            ],
        }
    }

    fn about(solution: &Solution) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("fingerprint", clean(&solution.fingerprint)),
            ("error_type", clean(&solution.error_type)),
            ("generator", clean(&solution.generator)),
            ("confidence", format!("{:.2}", solution.confidence)),
        ];
        if let Some(url) = &solution.pr_url {
            fields.push(("pr_url", clean(url)));
        }
        fields
    }

    fn headline(solution: &Solution) -> String {
        clean(&solution.headline())
    }

    pub fn solution_proposed(solution: &Solution) -> Event {
        Event {
            name: "solution.proposed",
            summary: format!(
                "Fix proposed for {} ({}, confidence {:.2})",
                Event::headline(solution),
                clean(&solution.generator),
                solution.confidence
            ),
            fields: Event::about(solution),
        }
    }

    pub fn regression(solution: &Solution) -> Event {
        Event {
            name: "incident.regression",
            summary: format!(
                "Regression: {} was logged again after its fix was merged ({})",
                Event::headline(solution),
                clean(solution.pr_url.as_deref().unwrap_or("-"))
            ),
            fields: Event::about(solution),
        }
    }

    pub fn solution_dropped(generator: &str, step: &str, why: &str) -> Event {
        Event {
            name: "solution.dropped",
            summary: format!(
                "Fix dropped: {} failed the {step} check: {}",
                clean(generator),
                clean(why)
            ),
            fields: vec![("generator", clean(generator)), ("step", step.to_owned())],
        }
    }

    /// `kind` is `opened`, `updated` or `closed`.
    pub fn pull_request(kind: &'static str, solution: &Solution, url: &str) -> Event {
        let (name, verb) = match kind {
            "opened" => ("pr.opened", "Pull request opened"),
            "updated" => ("pr.updated", "Pull request updated"),
            _ => (
                "pr.closed",
                "Pull request closed without merging (not proposed again)",
            ),
        };
        let mut fields = Event::about(solution);
        fields.retain(|(k, _)| *k != "pr_url");
        fields.push(("pr_url", clean(url)));
        Event {
            name,
            summary: format!("{verb}: {} for {}", clean(url), Event::headline(solution)),
            fields,
        }
    }

    /// `{"event", "at", "summary", fields…}`.
    pub fn json(&self) -> Value {
        let mut value = json!({
            "event": self.name,
            "at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "summary": self.summary,
        });
        for (k, v) in &self.fields {
            value[*k] = Value::String(v.clone());
        }
        value
    }

    /// Slack's incoming-webhook shape: `text` (the fallback) and one section block.
    pub fn slack(&self) -> Value {
        let text = slack_escape(&format!("hephaestus: {}", self.summary));
        let details: Vec<String> = self
            .fields
            .iter()
            .map(|(k, v)| format!("*{k}:* {}", slack_escape(v)))
            .collect();
        json!({
            "text": text,
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": text}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": details.join("  ")}]},
            ],
        })
    }

    #[cfg(test)]
    pub(crate) fn sample_pr_opened() -> Event {
        Event {
            name: "pr.opened",
            summary: "Pull request opened".into(),
            fields: vec![],
        }
    }

    #[cfg(test)]
    pub(crate) fn sample_dropped() -> Event {
        Event::solution_dropped("py-key-error", "compile", "SyntaxError")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_text_can_neither_mention_nor_link_nor_leak() {
        let e = Event::solution_dropped(
            "gen",
            "verify",
            "<!channel> see <http://e.vil|here> password=hunter2 \x1b[31m\nnext",
        );
        let slack = e.slack();
        let text = slack["text"].as_str().unwrap();
        assert_eq!(
            text,
            "hephaestus: Fix dropped: gen failed the verify check: &lt;!channel&gt; see \
             &lt;http://e.vil|here&gt; password=[redacted] [31m next"
        );
        assert_eq!(slack["blocks"][0]["text"]["text"], text);
        let json = e.json();
        assert_eq!(json["event"], "solution.dropped");
        assert!(!json.to_string().contains("hunter2"));
    }
}
