//! Traces logged through JSON: a JSON-lines entry whose field holds the trace
//! (`{"level":"error","exc_info":"Traceback …\n  File …"}`), or any text in which a JSON encoder
//! left the newlines and tabs escaped (`\n`, `\t`).

use serde_json::Value;

use super::StackTrace;

/// Cheap shape test before paying for a JSON parse.
pub(super) fn looks_like_json_object(text: &str) -> bool {
    let t = text.trim();
    t.starts_with('{') && t.ends_with('}') && t.contains('\\')
}

/// The first string value of a JSON object that holds a trace, searched depth first in document
/// order.
pub(super) fn extract_from_json(text: &str) -> Option<StackTrace> {
    let value: Value = serde_json::from_str(text.trim()).ok()?;
    search(&value, 0)
}

fn search(value: &Value, depth: usize) -> Option<StackTrace> {
    // Log records are shallow; the bound keeps adversarial nesting cheap.
    if depth > 16 {
        return None;
    }
    match value {
        Value::String(s) if s.contains('\n') => super::extract_plain(s),
        Value::Array(items) => items.iter().find_map(|v| search(v, depth + 1)),
        Value::Object(map) => map.values().find_map(|v| search(v, depth + 1)),
        _ => None,
    }
}

/// Text that is not (only) JSON but carries an escaped trace: decode the escapes and retry.
pub(super) fn extract_escaped(text: &str) -> Option<StackTrace> {
    if !text.contains("\\n") {
        return None;
    }
    if let Some(trace) = text.find('{').and_then(|at| extract_from_json(&text[at..])) {
        return Some(trace);
    }
    super::extract_plain(&unescape(text))
}

/// Decode JSON-style escapes (`\n`, `\t`, `\"`, `\\`, `\uXXXX`); anything else is kept as is.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(decoded) if hex.len() == 4 => {
                        out.push(decoded);
                        for _ in 0..4 {
                            chars.next();
                        }
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescapes_json_escapes() {
        assert_eq!(
            unescape(r#"a\nb\tc \"d\" e\\f \u00e9 \x"#),
            "a\nb\tc \"d\" e\\f é \\x"
        );
        assert_eq!(unescape(r"\u12"), "\\u12");
        assert_eq!(unescape("end\\"), "end\\");
    }
}
