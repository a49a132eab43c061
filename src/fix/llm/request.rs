//! One chat completion from an OpenAI-compatible server: `POST {url}/chat/completions`.
//!
//! `temperature: 0` and a strict `response_format`; a server that rejects the format (400 or
//! 422) is asked once more without it, the prompt already asking for the same JSON. 429 and 5xx
//! are retried a bounded number of times, honouring `Retry-After` within the timeout. The bearer
//! token is read from the environment at the time of the call and never appears in a message.

use std::time::{Duration, Instant};

use super::LlmSettings;

/// Retries of a 429 or 5xx before giving up.
const RETRIES: u32 = 2;
/// The longest `Retry-After` waited for.
const MAX_WAIT: Duration = Duration::from_secs(10);
/// Answers larger than this are refused unread.
const MAX_BODY: usize = 1 << 20;

/// The request body for `messages`, with or without the response format.
pub fn body(
    settings: &LlmSettings,
    system: &str,
    user: &str,
    with_format: bool,
) -> serde_json::Value {
    let mut body = serde_json::json!({
        "model": settings.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
    });
    if with_format {
        body["response_format"] = serde_json::json!({
            "type": "json_schema",
            "json_schema": {
                "name": "hephaestus_fix",
                "strict": true,
                "schema": super::answer::schema(),
            }
        });
    }
    body
}

/// The content of the first choice's message, or one line saying why there is none.
pub fn complete(settings: &LlmSettings, system: &str, user: &str) -> Result<String, String> {
    let key = match &settings.api_key_env {
        Some(var) => match std::env::var(var) {
            Ok(v) if !v.is_empty() => Some(v),
            _ => {
                return Err(format!(
                    "the environment variable {var} (fix.llm.api_key_env) is not set"
                ))
            }
        },
        None => None,
    };
    let client = reqwest::blocking::Client::builder()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let url = format!("{}/chat/completions", settings.url);
    let deadline = Instant::now() + settings.timeout;
    let mut with_format = true;
    let mut retries = 0;
    loop {
        let mut request = client
            .post(&url)
            .json(&body(settings, system, user, with_format));
        if let Some(key) = &key {
            request = request.bearer_auth(key);
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(format!("no answer within {}", humane(settings.timeout)));
        }
        let response = request.timeout(left).send().map_err(|e| {
            if e.is_timeout() {
                format!("no answer within {}", humane(settings.timeout))
            } else if e.is_connect() {
                format!(
                    "cannot connect to {}",
                    crate::deploy::git::redact(&settings.url)
                )
            } else {
                format!("the request failed: {}", without_url(&e))
            }
        })?;
        let status = response.status().as_u16();
        if (status == 400 || status == 422) && with_format {
            with_format = false;
            continue;
        }
        if (status == 429 || status >= 500) && retries < RETRIES {
            retries += 1;
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs)
                .unwrap_or(Duration::from_millis(500 * u64::from(retries)))
                .min(MAX_WAIT);
            if Instant::now() + wait >= deadline {
                return Err(format!(
                    "the server answered {status} and asked to wait past the timeout"
                ));
            }
            std::thread::sleep(wait);
            continue;
        }
        if !(200..300).contains(&status) {
            return Err(format!("the server answered HTTP {status}"));
        }
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY as u64)
        {
            return Err("the answer is larger than 1 MiB".into());
        }
        let mut bytes = Vec::new();
        use std::io::Read;
        response
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                if e.to_string().contains("timed out") {
                    format!("no answer within {}", humane(settings.timeout))
                } else {
                    format!("the answer was cut: {e}")
                }
            })?;
        if bytes.len() > MAX_BODY {
            return Err("the answer is larger than 1 MiB".into());
        }
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| format!("the server's reply is not JSON: {e}"))?;
        return value["choices"][0]["message"]["content"]
            .as_str()
            .filter(|c| !c.trim().is_empty())
            .map(str::to_owned)
            .ok_or_else(|| "the server's reply has no message content".into());
    }
}

fn humane(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// A reqwest error's text without the URL it carries (the base URL may hold a key).
fn without_url(e: &reqwest::Error) -> String {
    let text = e.to_string();
    match e.url() {
        Some(url) => text.replace(url.as_str(), "the endpoint"),
        None => text,
    }
}
