//! Rule triggers: a user rule trips on the entries it matches, by its own `level` and `count`
//! within the global window, whatever the global threshold says. A rule is written for one known
//! message (`pool near capacity` at WARN), so waiting for three errors of it would miss the point.
//!
//! The threshold stage knows a rule only as a matcher (name, regex, level, count): what the rule
//! changes is the fix stage's business, which finds the rule again by its name in
//! [`Incident::rules`](super::Incident::rules).
//!
//! Invariant: the text a rule is matched against is [`rule_text`], here and in the fix stage alike,
//! so the captures the fix substitutes are those of the match that tripped.

use std::borrow::Cow;

use regex::Regex;

use crate::parse::{Level, LogEntry};

/// One rule as the threshold stage sees it.
#[derive(Debug, Clone)]
pub struct RuleTrigger {
    /// The rule's name, unique among the rules.
    pub name: String,
    /// Searched in [`rule_text`] of each entry.
    pub matcher: Regex,
    /// Lowest level that counts; `None`: every level does. Entries without a level never count,
    /// as for the global threshold.
    pub level: Option<Level>,
    /// Matching entries within the window that trip the rule; at least 1.
    pub count: u32,
}

impl RuleTrigger {
    /// Whether an entry of `level` whose [`rule_text`] is `text` counts for this rule.
    pub fn matches(&self, level: Level, text: &str) -> bool {
        self.level.is_none_or(|min| level >= min) && self.matcher.is_match(text)
    }
}

/// What a rule's `match` is searched in: the message (all its lines), then ` key=value` for each
/// field of the entry (JSON keys, logfmt pairs, a format's other named groups) in key order:
/// `pool near capacity db=main used=95`.
pub fn rule_text(entry: &LogEntry) -> Cow<'_, str> {
    if entry.fields.is_empty() {
        return Cow::Borrowed(&entry.message);
    }
    let mut text = entry.message.clone();
    for (key, value) in &entry.fields {
        text.push(' ');
        text.push_str(key);
        text.push('=');
        text.push_str(value);
    }
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn fields_follow_the_message_as_key_value_pairs() {
        let mut entry = LogEntry {
            source: Arc::from("-"),
            line: 1,
            offset: 0,
            timestamp: None,
            level: Some(Level::Warn),
            message: "pool near capacity".into(),
            fields: Default::default(),
            format: None,
            level_from_crash: false,
        };
        assert_eq!(rule_text(&entry), "pool near capacity");
        entry.fields.insert("used".into(), "95".into());
        entry.fields.insert("db".into(), "main".into());
        assert_eq!(rule_text(&entry), "pool near capacity db=main used=95");
    }
}
