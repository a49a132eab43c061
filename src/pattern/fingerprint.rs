//! Fingerprints: the identity of an error that the threshold counts by and branches are named after.

use super::miner::template_id;
use super::trace::StackTrace;

/// The identity of an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Stable hex id.
    pub id: String,
    /// Short lowercase slug, safe in a branch name: `keyerror-settings-py`.
    pub error_type: String,
}

impl Fingerprint {
    /// Fingerprint an entry from its trace when it has one, else from its template.
    pub fn of(_trace: Option<&StackTrace>, template: &str) -> Fingerprint {
        Fingerprint {
            id: template_id(template),
            error_type: slug(template),
        }
    }
}

/// Lowercase ASCII words joined by `-`, at most 48 characters: safe in a branch name.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() + 1 > 48 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("error");
    }
    out
}
