//! HTTP with timeouts and retries for the forge APIs.
//!
//! Retried: connection errors and timeouts, 5xx, 429, and rate-limit 403s (primary: the
//! `x-ratelimit-remaining: 0` header; secondary: GitHub's message). Waits follow `Retry-After`,
//! else `x-ratelimit-reset`, else exponential backoff with jitter. Everything else (401, other
//! 403s, 404, 409, 422 …) comes back to the caller at once, which knows what it means.
//!
//! The token only ever travels in request headers; no URL, log line or error here contains it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::blocking::{Client, RequestBuilder};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

use super::forge::ForgeError;

/// Environment variable overriding [`RetryPolicy::base`] in milliseconds (tests use a few ms).
pub const BASE_DELAY_VAR: &str = "HEPHAESTUS_RETRY_BASE_MS";

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts per request, the first included.
    pub attempts: u32,
    /// First backoff delay; doubles per attempt. Other waits scale with it.
    pub base: Duration,
    /// Longest wait accepted from a rate limit before giving up with an error.
    pub max_wait: Duration,
    /// Per-request timeout (connect + response).
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(500),
            max_wait: Duration::from_secs(15 * 60),
            timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The default policy, with the base delay from [`BASE_DELAY_VAR`] when set.
    pub fn from_env() -> RetryPolicy {
        let mut policy = RetryPolicy::default();
        if let Some(ms) = std::env::var(BASE_DELAY_VAR)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            policy.base = Duration::from_millis(ms);
        }
        policy
    }

    /// Backoff before attempt `n` (1-based retries): base·2ⁿ⁻¹, half of it random.
    pub fn backoff(&self, n: u32) -> Duration {
        let full = self.base.saturating_mul(1 << n.saturating_sub(1).min(10));
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Pause between two writes: GitHub asks for writes at least a second apart.
    pub fn write_gap(&self) -> Duration {
        self.base.saturating_mul(2)
    }

    /// Wait for a secondary rate limit that names no time (GitHub: at least a minute).
    fn secondary_wait(&self) -> Duration {
        self.base.saturating_mul(120)
    }
}

/// A response the caller has to interpret.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    /// The body as text when it was not JSON (cut short).
    pub text: String,
}

impl Response {
    /// The forge's own words about an error: `message` plus `errors[].message`, one line.
    pub fn message(&self) -> String {
        let mut parts = Vec::new();
        match &self.body["message"] {
            Value::String(s) => parts.push(s.clone()),
            Value::Array(items) => {
                parts.extend(items.iter().filter_map(|v| v.as_str()).map(str::to_owned))
            }
            _ => {}
        }
        if let Some(errors) = self.body["errors"].as_array() {
            for e in errors {
                if let Some(m) = e["message"].as_str() {
                    parts.push(m.to_owned());
                } else if let (Some(field), Some(code)) = (e["field"].as_str(), e["code"].as_str())
                {
                    parts.push(format!("{field} {code}"));
                }
            }
        }
        if parts.is_empty() && !self.text.is_empty() {
            parts.push(self.text.clone());
        }
        let joined = parts.join("; ");
        let one_line: String = joined
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(300)
            .collect();
        one_line
    }
}

/// A JSON-over-HTTP client for one forge.
pub struct Http {
    client: Client,
    policy: RetryPolicy,
    headers: HeaderMap,
    /// Forge name for messages.
    pub forge: &'static str,
}

enum Verdict {
    Done(Response),
    Retry { wait: Duration, why: String },
}

impl Http {
    pub fn new(
        forge: &'static str,
        headers: HeaderMap,
        policy: RetryPolicy,
    ) -> Result<Http, ForgeError> {
        let client = Client::builder()
            .timeout(policy.timeout)
            .connect_timeout(policy.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("hephaestus/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ForgeError::Client(e.to_string()))?;
        Ok(Http {
            client,
            policy,
            headers,
            forge,
        })
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Send `method url` with an optional JSON body, retrying what is worth retrying.
    pub fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Response, ForgeError> {
        let what = format!("{method} {}", redact_query(url));
        let mut last = String::new();
        for attempt in 1..=self.policy.attempts {
            let mut request: RequestBuilder = self
                .client
                .request(method.clone(), url)
                .headers(self.headers.clone());
            if let Some(body) = body {
                request = request.json(body);
            }
            let verdict = match request.send() {
                Ok(response) => self.judge(response, attempt)?,
                Err(err) => Verdict::Retry {
                    wait: self.policy.backoff(attempt),
                    why: transport_error(&err),
                },
            };
            match verdict {
                Verdict::Done(response) => return Ok(response),
                Verdict::Retry { wait, why } => {
                    last = why;
                    if attempt == self.policy.attempts {
                        break;
                    }
                    if wait > self.policy.max_wait {
                        return Err(ForgeError::RateLimited {
                            forge: self.forge,
                            what,
                            wait,
                        });
                    }
                    std::thread::sleep(wait);
                }
            }
        }
        Err(ForgeError::GaveUp {
            forge: self.forge,
            what,
            attempts: self.policy.attempts,
            last,
        })
    }

    fn judge(
        &self,
        response: reqwest::blocking::Response,
        attempt: u32,
    ) -> Result<Verdict, ForgeError> {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = match response.text() {
            Ok(text) => text,
            // The connection dropped mid-body: as good as no answer.
            Err(err) => {
                return Ok(Verdict::Retry {
                    wait: self.policy.backoff(attempt),
                    why: transport_error(&err),
                })
            }
        };
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let text: String = if body.is_null() {
            text.chars().take(300).collect()
        } else {
            String::new()
        };
        let response = Response {
            status,
            headers,
            body,
            text,
        };
        let header = |name: &str| {
            response
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
        };
        let retry_after = header("retry-after")
            .and_then(|v| v.parse::<u64>().ok())
            .map(Duration::from_secs);
        let exhausted = header("x-ratelimit-remaining") == Some("0");
        let reset = header("x-ratelimit-reset")
            .and_then(|v| v.parse::<u64>().ok())
            .map(|at| {
                let now = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs();
                Duration::from_secs(at.saturating_sub(now) + 1)
            });
        let secondary = response
            .message()
            .to_lowercase()
            .contains("secondary rate limit");
        let rate_limited = status == 429 || (status == 403 && (exhausted || secondary));
        Ok(if rate_limited {
            let wait = retry_after
                .or(if exhausted { reset } else { None })
                .unwrap_or_else(|| {
                    if secondary {
                        self.policy
                            .secondary_wait()
                            .max(self.policy.backoff(attempt))
                    } else {
                        self.policy.backoff(attempt)
                    }
                });
            Verdict::Retry {
                wait,
                why: format!("rate limited ({status})"),
            }
        } else if (500..600).contains(&status) {
            Verdict::Retry {
                wait: retry_after.unwrap_or_else(|| self.policy.backoff(attempt)),
                why: format!("server error {status}: {}", response.message()),
            }
        } else {
            Verdict::Done(response)
        })
    }
}

/// A transport error in words, without the URL's query (reqwest includes the URL).
fn transport_error(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    let mut detail = String::new();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {detail}")
    }
}

/// `url` without its query string, for messages.
fn redact_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_in_the_upper_half() {
        let p = RetryPolicy {
            base: Duration::from_millis(100),
            ..RetryPolicy::default()
        };
        for n in 1..=4u32 {
            let full = Duration::from_millis(100 * (1 << (n - 1)));
            for _ in 0..50 {
                let d = p.backoff(n);
                assert!(d >= full / 2 && d <= full, "attempt {n}: {d:?}");
            }
        }
    }
}
