//! The one choke point every byte sent to a model passes through.
//!
//! Secrets become stable placeholders (`⟨SECRET_1⟩`: the same value gets the same number
//! wherever it appears), and the redactor remembers where each came from. A placeholder of a
//! value read from the *code* windows is put back into the model's edits (its search must match
//! the file and the code it keeps must stay intact); a placeholder of a value that only the *log*
//! held, found in an edit, drops the answer: log data is never written into code.
//!
//! The shapes follow [`crate::redact`] (credentials assigned to a named key, authorization
//! schemes, URL userinfo, token shapes) and add what a prompt must not carry either: private
//! keys, e-mail addresses, IPv4 and IPv6 addresses, GCP and Slack keys.

use std::sync::LazyLock;

use regex::Regex;

/// Where a redacted value was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Log,
    Code,
}

/// Each pattern and the group holding the secret (0: the whole match).
static PATTERNS: LazyLock<Vec<(Regex, usize)>> = LazyLock::new(|| {
    use crate::redact::{CREDENTIAL_NAMES, PRIVATE_KEY, SHAPED_TOKENS};
    [
        (PRIVATE_KEY.to_string(), 0),
        (r"[a-zA-Z][a-zA-Z0-9+.-]*://([^/\s:@]*:[^/\s@]*)@".into(), 1),
        (SHAPED_TOKENS.to_string(), 0),
        (
            r"(?i)\b(?:bearer|basic|token)\s+([A-Za-z0-9._~+/=-]{8,})".into(),
            1,
        ),
        (
            format!(
                r#"(?i)["']?\b[\w.-]*(?:{CREDENTIAL_NAMES})[\w.-]*["']?\s*[:=]\s*["']?([^\s,;&"'}}\])]{{3,}})"#
            ),
            1,
        ),
        (
            r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b".into(),
            0,
        ),
        (
            r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\b".into(),
            0,
        ),
        (
            r"(?i)(?:\b[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b|\b(?:[0-9a-f]{1,4}:){1,6}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?\b|::(?:ffff:)?[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){1,6}\b".into(),
            0,
        ),
    ]
    .into_iter()
    .map(|(p, g): (String, usize)| (Regex::new(&p).expect("valid regex"), g))
    .collect()
});

/// Placeholders in text the model wrote.
static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"⟨SECRET_(\d+)⟩").expect("valid regex"));

/// Redacts every text of one request, numbering secrets across all of them.
#[derive(Debug, Default)]
pub struct Redactor {
    /// The users' `redact:` patterns, added to the built-in shapes.
    extra: Vec<Regex>,
    /// Secret values in order of first sight, with where each was seen (code wins: a value the
    /// code holds may be written back into it).
    secrets: Vec<(String, Origin)>,
}

impl Redactor {
    pub fn new(extra: Vec<Regex>) -> Redactor {
        Redactor {
            extra,
            secrets: Vec::new(),
        }
    }

    /// `text` with its secrets replaced by placeholders. Text already holding something shaped
    /// like a placeholder is refused: it could not be told apart from one when restoring.
    pub fn redact(&mut self, text: &str, origin: Origin) -> Result<String, String> {
        if PLACEHOLDER.is_match(text) {
            return Err("the text to send already holds a placeholder".into());
        }
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let groups = PATTERNS
            .iter()
            .map(|(r, g)| (r, *g))
            .chain(self.extra.iter().map(|r| (r, 0)));
        for (regex, group) in groups {
            for caps in regex.captures_iter(text) {
                let Some(m) = caps.get(group).or_else(|| caps.get(0)) else {
                    continue;
                };
                // `db::add` in Rust or C++ has the shape of an IPv6 address; an address has digits.
                let ipv6 = std::ptr::eq(regex, &PATTERNS[PATTERNS.len() - 1].0);
                if ipv6 && !m.as_str().contains(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                if m.start() < m.end() {
                    spans.push((m.start(), m.end()));
                }
            }
        }
        // Overlapping matches are merged so that no part of either leaks.
        spans.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (s, e) in spans {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e) in merged {
            out.push_str(&text[at..s]);
            out.push_str(&self.placeholder(&text[s..e], origin));
            at = e;
        }
        out.push_str(&text[at..]);
        Ok(out)
    }

    fn placeholder(&mut self, value: &str, origin: Origin) -> String {
        let n = match self.secrets.iter().position(|(v, _)| v == value) {
            Some(i) => {
                if origin == Origin::Code {
                    self.secrets[i].1 = Origin::Code;
                }
                i
            }
            None => {
                self.secrets.push((value.to_string(), origin));
                self.secrets.len() - 1
            }
        };
        format!("⟨SECRET_{}⟩", n + 1)
    }

    /// `text` from the model with the code's placeholders put back; an error when it holds a
    /// placeholder of a log secret or one never handed out.
    pub fn restore(&self, text: &str) -> Result<String, String> {
        let mut problem = None;
        let out = PLACEHOLDER.replace_all(text, |c: &regex::Captures<'_>| {
            let n: usize = c[1].parse().unwrap_or(0);
            match n.checked_sub(1).and_then(|i| self.secrets.get(i)) {
                Some((value, Origin::Code)) => value.clone(),
                Some((_, Origin::Log)) => {
                    problem.get_or_insert(format!(
                        "the edit writes {} (a secret from the log) into code",
                        &c[0]
                    ));
                    String::new()
                }
                None => {
                    problem.get_or_insert(format!("the edit holds {}, never sent", &c[0]));
                    String::new()
                }
            }
        });
        match problem {
            Some(why) => Err(why),
            None => Ok(out.into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(text: &str) -> String {
        Redactor::default().redact(text, Origin::Log).unwrap()
    }

    #[test]
    fn every_shape_becomes_a_placeholder() {
        for (raw, secret) in [
            ("db postgres://app:hunter2@db:5432/x", "hunter2"),
            ("Authorization: Bearer abcdef0123456789", "abcdef0123456789"),
            ("login password=hunter22 user=bob", "hunter22"),
            (r#"{"api_key": "k-123456"}"#, "k-123456"),
            ("push ghp_0123456789abcdefghijABCDEFGHIJ012345", "ghp_0123"),
            ("key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
            ("gcp AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSy"),
            ("slack xoxb-1234567890-abcdefghij", "xoxb-"),
            (
                "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
                "eyJ",
            ),
            ("mail ada@example.com failed", "ada@example.com"),
            ("from 10.1.2.3 port 80", "10.1.2.3"),
            ("from 2001:db8::8a2e:370:7334 now", "2001:db8"),
            ("from fe80:0:0:0:202:b3ff:fe1e:8329", "fe80"),
            (
                "-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----",
                "MIIEabc",
            ),
            ("key:\n-----BEGIN PRIVATE KEY-----\nMIIEcut", "MIIEcut"),
        ] {
            let out = log(raw);
            assert!(!out.contains(secret), "{raw} → {out}");
            assert!(out.contains("⟨SECRET_1⟩"), "{raw} → {out}");
        }
        for plain in ["plain text 12:30 v1.2.3", "use db::add; cache::dead"] {
            assert_eq!(log(plain), plain);
        }
    }

    #[test]
    fn placeholders_are_stable_and_restored_only_for_code() {
        let mut r = Redactor::default();
        let a = r.redact("to ada@example.com and bob@example.com", Origin::Log);
        assert_eq!(a.unwrap(), "to ⟨SECRET_1⟩ and ⟨SECRET_2⟩");
        let code = r.redact("ADMIN = 'bob@example.com'", Origin::Code).unwrap();
        assert_eq!(code, "ADMIN = '⟨SECRET_2⟩'");
        assert_eq!(r.restore(&code).unwrap(), "ADMIN = 'bob@example.com'");
        assert!(r.restore("x = '⟨SECRET_1⟩'").unwrap_err().contains("log"));
        assert!(r.restore("x = '⟨SECRET_9⟩'").is_err());
        let extra = Regex::new("cust-[0-9]+").unwrap();
        let mut r = Redactor::new(vec![extra]);
        assert_eq!(
            r.redact("id cust-42", Origin::Log).unwrap(),
            "id ⟨SECRET_1⟩"
        );
        assert!(r.redact("⟨SECRET_1⟩", Origin::Log).is_err());
    }
}
