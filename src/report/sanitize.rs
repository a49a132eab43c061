//! Logs are untrusted: before any of their text reaches a terminal, control characters (escape
//! sequences that could move the cursor, rewrite the title, hide text …) are made visible, and so
//! are the characters that change how text reads without being seen (bidirectional overrides,
//! zero-width and invisible formatting characters).

use std::borrow::Cow;

/// `text` with every control character except tab, and every invisible formatting character, shown
/// as an escape (`\x1b`, `\r`, `\x9b`, `\u{200b}`).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            match c {
                '\r' => out.push_str("\\r"),
                '\n' => out.push_str("\\n"),
                c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        // Bidirectional overrides can make text read differently from what it is.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        // Zero-width spaces and joiners, direction marks, the word joiner and invisible operators,
        // the byte order mark: a line can hide a word or look like another one with them.
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences() {
        assert_eq!(clean("a\x1b[31mred\x07"), "a\\x1b[31mred\\x07");
        assert_eq!(clean("tab\tok"), "tab\tok");
        assert_eq!(clean("c1 \u{9b}"), "c1 \\x9b");
        assert_eq!(clean("bidi \u{202e}"), "bidi \\u{202e}");
    }

    #[test]
    fn escapes_invisible_characters() {
        assert_eq!(
            clean("pass\u{200b}word \u{200d}\u{200f} \u{2060}\u{2064} \u{feff}end"),
            "pass\\u{200b}word \\u{200d}\\u{200f} \\u{2060}\\u{2064} \\u{feff}end"
        );
        // Neighbours that are visible stay as they are.
        assert_eq!(
            clean("\u{2010}\u{2065}\u{2070}"),
            "\u{2010}\u{2065}\u{2070}"
        );
    }
}
