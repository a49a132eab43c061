//! Notifications: what happened, sent to webhooks (`notify:` in the config), for teams that want
//! to hear of an incident without a pull request, or of a pull request where they chat.
//!
//! Delivery never holds the pipeline up: events go to a bounded queue that one thread drains, so a
//! slow or hanging webhook delays nothing but its own messages. Each webhook is sent at most
//! `max_per_minute` messages (the rest are dropped and counted), a failed request is retried with
//! backoff (a `Retry-After` is honoured, up to a bound), and at the end of a run the queue gets at
//! most the webhook's `timeout` to drain. Log text in a message is redacted and cut, and for Slack
//! escaped, as in pull request bodies; a webhook URL is printed with its `${VAR}` parts unexpanded.

mod message;

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::deploy::Secret;
pub use message::Event;

/// The events a webhook may subscribe to.
pub const EVENTS: [&str; 7] = [
    "incident.tripped",
    "incident.regression",
    "solution.proposed",
    "solution.dropped",
    "pr.opened",
    "pr.updated",
    "pr.closed",
];

/// How a message is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `{"event", "at", "summary", ...}`.
    Json,
    /// Slack's incoming-webhook `{"text", "blocks"}` (Mattermost and Rocket.Chat accept it).
    Slack,
}

/// One webhook, resolved from the config.
#[derive(Debug, Clone)]
pub struct Hook {
    /// The URL with its `${VAR}` parts expanded: never printed.
    pub url: Secret,
    /// The URL as written, `${VAR}` parts kept: what messages and `--dry-run` show.
    pub shown: String,
    pub format: Format,
    /// Subscribed events; every event when empty.
    pub events: Vec<String>,
    /// Sent as `Authorization: Bearer …` when set.
    pub token: Option<Secret>,
    pub timeout: Duration,
    pub max_per_minute: u32,
}

impl Hook {
    fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event)
    }
}

/// What the notify stage needs from the configuration.
#[derive(Debug, Clone, Default)]
pub struct NotifySettings {
    pub hooks: Vec<Hook>,
    /// Describe what would be sent instead of sending it.
    pub dry_run: bool,
}

/// A message as it would be sent, for `--dry-run`.
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub event: String,
    /// The webhook's URL as written.
    pub url: String,
    pub body: serde_json::Value,
}

/// Counts of a run's deliveries, for the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Delivered {
    pub sent: u64,
    pub failed: u64,
    /// Over a webhook's `max_per_minute`, or the queue was full.
    pub dropped: u64,
}

/// Messages waiting for the sender thread; beyond this they are dropped and counted.
const QUEUE: usize = 256;
/// Attempts per message.
const ATTEMPTS: u32 = 3;
/// Longest wait a `Retry-After` may ask for.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The notify stage.
pub struct Notifier {
    settings: NotifySettings,
    queue: Option<SyncSender<(usize, String, serde_json::Value)>>,
    worker: Option<(JoinHandle<()>, Receiver<()>)>,
    counts: Arc<Mutex<Delivered>>,
    planned: Vec<Planned>,
    /// Send times per hook in the last minute, for `max_per_minute`.
    recent: Vec<VecDeque<Instant>>,
    /// Messages handed to the sender thread.
    queued: u64,
}

impl Notifier {
    pub fn new(settings: NotifySettings) -> Notifier {
        let counts = Arc::new(Mutex::new(Delivered::default()));
        let (queue, worker) = if settings.hooks.is_empty() || settings.dry_run {
            (None, None)
        } else {
            let (tx, rx) = mpsc::sync_channel(QUEUE);
            let (done_tx, done_rx) = mpsc::channel();
            let hooks = settings.hooks.clone();
            let shared = counts.clone();
            let handle = std::thread::spawn(move || {
                deliver_all(&hooks, rx, &shared);
                let _ = done_tx.send(());
            });
            (Some(tx), Some((handle, done_rx)))
        };
        Notifier {
            recent: vec![VecDeque::new(); settings.hooks.len()],
            settings,
            queue,
            worker,
            counts,
            planned: Vec::new(),
            queued: 0,
        }
    }

    /// Whether any webhook is configured.
    pub fn is_active(&self) -> bool {
        !self.settings.hooks.is_empty()
    }

    /// Send `event` to every webhook subscribed to it, without waiting for any.
    pub fn send(&mut self, event: &Event) {
        let name = event.name();
        for (i, hook) in self.settings.hooks.iter().enumerate() {
            if !hook.wants(name) {
                continue;
            }
            let body = match hook.format {
                Format::Json => event.json(),
                Format::Slack => event.slack(),
            };
            if self.settings.dry_run {
                self.planned.push(Planned {
                    event: name.to_owned(),
                    url: hook.shown.clone(),
                    body,
                });
                continue;
            }
            let now = Instant::now();
            let recent = &mut self.recent[i];
            while recent
                .front()
                .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
            {
                recent.pop_front();
            }
            if recent.len() >= hook.max_per_minute as usize {
                self.counts.lock().expect("counts").dropped += 1;
                continue;
            }
            recent.push_back(now);
            if let Some(queue) = &self.queue {
                match queue.try_send((i, name.to_owned(), body)) {
                    Ok(()) => self.queued += 1,
                    Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                        self.counts.lock().expect("counts").dropped += 1;
                    }
                }
            }
        }
    }

    /// What `--dry-run` would have sent since the last call.
    pub fn take_planned(&mut self) -> Vec<Planned> {
        std::mem::take(&mut self.planned)
    }

    /// Let the queue drain for at most the longest webhook timeout, then give up on the rest;
    /// returns what was delivered.
    pub fn finish(&mut self) -> Delivered {
        self.queue = None;
        if let Some((handle, done)) = self.worker.take() {
            let wait = self
                .settings
                .hooks
                .iter()
                .map(|h| h.timeout)
                .max()
                .unwrap_or_default();
            match done.recv_timeout(wait) {
                Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                    let _ = handle.join();
                }
                // Still sending: the thread is left to die with the process, and what it has
                // not delivered yet counts as dropped.
                Err(RecvTimeoutError::Timeout) => {
                    let mut counts = self.counts.lock().expect("counts");
                    let done = counts.sent + counts.failed;
                    counts.dropped += self.queued.saturating_sub(done);
                    self.queued = done;
                }
            }
        }
        *self.counts.lock().expect("counts")
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        self.finish();
    }
}

fn deliver_all(
    hooks: &[Hook],
    rx: Receiver<(usize, String, serde_json::Value)>,
    counts: &Mutex<Delivered>,
) {
    let clients: Vec<Option<reqwest::blocking::Client>> = hooks
        .iter()
        .map(|h| {
            reqwest::blocking::Client::builder()
                .timeout(h.timeout)
                .user_agent(concat!("hephaestus/", env!("CARGO_PKG_VERSION")))
                .build()
                .ok()
        })
        .collect();
    for (i, _event, body) in rx {
        let (Some(hook), Some(Some(client))) = (hooks.get(i), clients.get(i)) else {
            continue;
        };
        let ok = deliver(client, hook, &body);
        let mut counts = counts.lock().expect("counts");
        if ok {
            counts.sent += 1;
        } else {
            counts.failed += 1;
        }
    }
}

/// POST `body` to `hook`, retrying what may pass later (a dropped connection, 429, 5xx).
fn deliver(client: &reqwest::blocking::Client, hook: &Hook, body: &serde_json::Value) -> bool {
    let mut backoff = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        let mut request = client.post(hook.url.expose()).json(body);
        if let Some(token) = &hook.token {
            request = request.bearer_auth(token.expose());
        }
        let wait = match request.send() {
            Ok(response) if response.status().is_success() => return true,
            Ok(response)
                if response.status().as_u16() == 429 || response.status().is_server_error() =>
            {
                response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(|s| Duration::from_secs(s).min(MAX_RETRY_AFTER))
                    .unwrap_or(backoff)
            }
            // Refused for good: a wrong URL or token does not get better by asking again.
            Ok(_) => return false,
            Err(_) => backoff,
        };
        if attempt < ATTEMPTS {
            std::thread::sleep(wait);
            backoff *= 2;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(url: &str, events: &[&str]) -> Hook {
        Hook {
            url: Secret::new(url),
            shown: url.to_owned(),
            format: Format::Json,
            events: events.iter().map(|e| e.to_string()).collect(),
            token: None,
            timeout: Duration::from_secs(1),
            max_per_minute: 2,
        }
    }

    #[test]
    fn dry_run_plans_only_what_each_webhook_subscribed_to() {
        let mut n = Notifier::new(NotifySettings {
            hooks: vec![hook("http://a/${X}", &["pr.opened"]), hook("http://b", &[])],
            dry_run: true,
        });
        n.send(&Event::sample_pr_opened());
        n.send(&Event::sample_dropped());
        let planned = n.take_planned();
        let got: Vec<(&str, &str)> = planned
            .iter()
            .map(|p| (p.event.as_str(), p.url.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("pr.opened", "http://a/${X}"),
                ("pr.opened", "http://b"),
                ("solution.dropped", "http://b")
            ]
        );
    }

    #[test]
    fn more_than_max_per_minute_is_dropped_and_counted() {
        // Nothing listens on port 9: deliveries fail fast, the limit is what is tested.
        let mut refused = hook("http://127.0.0.1:9/", &[]);
        // Long enough for both retried deliveries to fail before the end.
        refused.timeout = Duration::from_secs(10);
        let mut n = Notifier::new(NotifySettings {
            hooks: vec![refused],
            dry_run: false,
        });
        for _ in 0..5 {
            n.send(&Event::sample_dropped());
        }
        let counts = n.finish();
        assert_eq!((counts.sent, counts.failed, counts.dropped), (0, 2, 3));
    }
}
