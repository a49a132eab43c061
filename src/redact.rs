//! Log text that leaves the machine (a pull request body, a notification, a branch name made
//! from a log's words): secrets out of it, and with [`strip_controls`] the characters that would
//! make it read as something else.
//!
//! Logs carry what a program was handed: passwords in connection URLs, bearer tokens in request
//! dumps, API keys in settings. Before a sample of one goes to a forge, the values that look like
//! credentials are replaced by `[redacted]`, and so is every secret the tool itself holds (its
//! forge token), wherever it appears. The rules err on the side of hiding: a reviewer loses little
//! when an id looks like a key and is masked.

use std::sync::LazyLock;

use regex::Regex;

const MASK: &str = "[redacted]";

/// Tokens whose shape gives them away: GitHub, GitLab, Slack (tokens and webhook URLs), AWS,
/// Google (API keys, OAuth tokens), OpenAI-style keys, JWTs. Every redactor of the tool uses this
/// list (and [`PRIVATE_KEY`], [`CREDENTIAL_NAMES`]): a shape learnt once is hidden everywhere.
pub const SHAPED_TOKENS: &str = r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abposr]-[A-Za-z0-9-]{10,}|hooks\.slack\.com/services/[A-Za-z0-9/]+|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|ya29\.[0-9A-Za-z_-]{20,}|sk-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+)";

/// A PEM private key; to the end of the text when its end was cut off (a sample of a few lines).
pub const PRIVATE_KEY: &str =
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----|[\s\S]*)";

/// Words in a key that names a credential (`db_password`, `X-Api-Key`, `session_cookie`).
/// A pull request's sample also hides `auth…` keys; the model's prompt keeps them, since
/// `author` and `OAuth` name code there more often than secrets.
pub const CREDENTIAL_NAMES: &str = "password|passwd|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|credential|session|cookie";

/// `key=value`, `key: value`, `"key": "value"` where the key names a credential.
static ASSIGNED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r#"(?i)(["']?\b[\w.-]*(?:{CREDENTIAL_NAMES}|auth)[\w.-]*["']?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;&"'}}\]]+)"#
    ))
    .expect("valid regex")
});

/// `Bearer …`, `Basic …`, `token …` in an authorization header or message.
static SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}").expect("valid regex")
});

/// `scheme://user:password@host`.
static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s:@]*:[^/\s@]*@").expect("valid regex")
});

static SHAPED: LazyLock<Regex> = LazyLock::new(|| Regex::new(SHAPED_TOKENS).expect("valid regex"));

static KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(PRIVATE_KEY).expect("valid regex"));

/// `text` without control characters other than newlines; carriage returns and tabs become
/// spaces so a terminal or a diff viewer shows what is there.
pub fn strip_controls(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' => Some('\n'),
            '\t' | '\r' => Some(' '),
            c if c.is_control() => None,
            // Bidirectional overrides make text read differently from what it is.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => None,
            c => Some(c),
        })
        .collect()
}

/// `text` with credentials masked; `secrets` (values the tool holds, such as its token) are
/// masked wherever they appear. Secrets shorter than 4 characters are ignored: masking every `a`
/// would hide the text, not a secret.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        if secret.chars().count() >= 4 {
            out = out.replace(secret, MASK);
        }
    }
    let out = KEY.replace_all(&out, MASK);
    let out = USERINFO.replace_all(&out, format!("${{1}}{MASK}@"));
    let out = SHAPED.replace_all(&out, MASK);
    let out = SCHEME.replace_all(&out, format!("${{1}} {MASK}"));
    let out = ASSIGNED.replace_all(&out, |c: &regex::Captures<'_>| {
        let value = &c[2];
        let quote = value
            .chars()
            .next()
            .filter(|q| (*q == '"' || *q == '\'') && value.len() >= 2);
        match quote {
            Some(q) => format!("{}{q}{MASK}{q}", &c[1]),
            None => format!("{}{MASK}", &c[1]),
        }
    });
    out.into_owned()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn credentials_in_the_shapes_logs_print_them() {
        for (raw, want) in [
            (
                "connecting to postgres://app:hunter2@db:5432/orders",
                "connecting to postgres://[redacted]@db:5432/orders",
            ),
            (
                "headers={'Authorization': 'Bearer abcdef0123456789'}",
                "headers={'Authorization': '[redacted]'}",
            ),
            (
                "maps key AIzaSyA1234567890abcdefghijklmnopqrstuv rejected",
                "maps key [redacted] rejected",
            ),
            (
                "alert via https://hooks.slack.com/services/T000/B000/XXXX failed",
                "alert via https://[redacted] failed",
            ),
            (
                "bad key -----BEGIN PRIVATE KEY----- MIIEcut",
                "bad key [redacted]",
            ),
            (
                "login password=hunter2 user=bob",
                "login password=[redacted] user=bob",
            ),
            (
                r#"{"api_key": "k-123456", "user": "bob"}"#,
                r#"{"api_key": "[redacted]", "user": "bob"}"#,
            ),
            ("DB_PASSWORD: s3cr3t!", "DB_PASSWORD: [redacted]"),
            (
                "push with ghp_0123456789abcdefghijABCDEFGHIJ012345",
                "push with [redacted]",
            ),
            ("key AKIAIOSFODNN7EXAMPLE used", "key [redacted] used"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
                "jwt [redacted]",
            ),
            ("session_id=af31bc; path=/", "session_id=[redacted]; path=/"),
        ] {
            assert_eq!(redact(raw, &[]), want, "{raw}");
        }
    }

    #[test]
    fn the_tool_s_own_secrets_anywhere() {
        assert_eq!(
            redact(
                "retrying with hx-secret-1 now (hx-secret-1)",
                &["hx-secret-1"]
            ),
            "retrying with [redacted] now ([redacted])"
        );
        // Too short to be told apart from text.
        assert_eq!(redact("a b c", &["a"]), "a b c");
    }

    #[test]
    fn ordinary_log_text_is_kept() {
        for text in [
            "KeyError: 'timeout'",
            "  File \"/srv/app/jobs.py\", line 11, in run",
            "    timeout = settings['timeout']",
            "GET /orders/7 200 12ms",
            "token count 12 exceeded",
        ] {
            assert_eq!(redact(text, &[]), text);
        }
    }
}
