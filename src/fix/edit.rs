//! Structured edits: what generators return instead of text munging of a diff.
//!
//! An edit replaces whole lines: `old` must be exactly the text of the lines starting at `line`
//! (end-of-line characters included), which is how a generator's assumption about the code is
//! checked once more when the edit is applied.

use super::FixError;

/// Replace the lines starting at `line` (1-based) whose text is `old` by `new`. An empty `old`
/// inserts `new` before `line`; `line` may be one past the last line to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Path relative to the repository root, `/`-separated.
    pub file: String,
    pub line: u32,
    pub old: String,
    pub new: String,
}

impl Edit {
    /// The edit that replaces line `line` of `content` by `new` (`new` without its end of line; the
    /// line's own end of line is kept).
    pub fn replace_line(file: &str, content: &str, line: u32, new: &str) -> Option<Edit> {
        let (body, eol) = line_parts(content, line)?;
        Some(Edit {
            file: file.to_string(),
            line,
            old: format!("{body}{eol}"),
            new: format!("{new}{eol}"),
        })
    }
}

impl Edit {
    /// The one edit that turns `old` into `new`: the lines between their common first and last
    /// lines. `None` when they are equal.
    pub fn between(file: &str, old: &str, new: &str) -> Option<Edit> {
        if old == new {
            return None;
        }
        let a: Vec<&str> = old.split_inclusive('\n').collect();
        let b: Vec<&str> = new.split_inclusive('\n').collect();
        let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
        let suffix = a[prefix..]
            .iter()
            .rev()
            .zip(b[prefix..].iter().rev())
            .take_while(|(x, y)| x == y)
            .count();
        Some(Edit {
            file: file.to_string(),
            line: prefix as u32 + 1,
            old: a[prefix..a.len() - suffix].concat(),
            new: b[prefix..b.len() - suffix].concat(),
        })
    }
}

/// Byte range of line `line` (1-based) including its end of line; one past the last line gives
/// the empty range at the end.
pub fn line_range(content: &str, line: u32) -> Option<std::ops::Range<usize>> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for _ in 1..line {
        let rest = content.get(start..)?;
        if rest.is_empty() {
            return None;
        }
        start += rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    }
    let rest = &content[start..];
    let end = start + rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    Some(start..end)
}

/// Line `line` split into its text and its end of line (`\n`, `\r\n` or nothing).
pub fn line_parts(content: &str, line: u32) -> Option<(&str, &str)> {
    let range = line_range(content, line)?;
    if range.is_empty() {
        return None;
    }
    let text = &content[range];
    let body = text.trim_end_matches(['\n', '\r']);
    Some((body, &text[body.len()..]))
}

/// The text of line `line` without its end of line.
pub fn line_text(content: &str, line: u32) -> Option<&str> {
    line_parts(content, line).map(|(body, _)| body)
}

/// Apply `edits` (all for one file) to `content`.
pub fn apply(content: &str, edits: &[Edit]) -> Result<String, FixError> {
    let mut spans = Vec::new();
    for edit in edits {
        let start = line_range(content, edit.line)
            .ok_or_else(|| FixError::Stale {
                file: edit.file.clone(),
                line: edit.line,
            })?
            .start;
        let end = start + edit.old.len();
        if content.get(start..end) != Some(edit.old.as_str())
            || (end < content.len() && !edit.old.is_empty() && !edit.old.ends_with('\n'))
        {
            return Err(FixError::Stale {
                file: edit.file.clone(),
                line: edit.line,
            });
        }
        spans.push((start, end, edit));
    }
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    if spans.windows(2).any(|w| w[0].1 > w[1].0) {
        return Err(FixError::Overlap(edits[0].file.clone()));
    }
    let mut out = String::with_capacity(content.len() + 64);
    let mut at = 0;
    for (start, end, edit) in spans {
        out.push_str(&content[at..start]);
        out.push_str(&edit.new);
        at = end;
    }
    out.push_str(&content[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(line: u32, old: &str, new: &str) -> Edit {
        Edit {
            file: "f".into(),
            line,
            old: old.into(),
            new: new.into(),
        }
    }

    #[test]
    fn replaces_a_line_and_keeps_crlf() {
        let e = Edit::replace_line("f", "a\r\nb\r\n", 2, "B").unwrap();
        assert_eq!(e.old, "b\r\n");
        assert_eq!(apply("a\r\nb\r\n", &[e]).unwrap(), "a\r\nB\r\n");
    }

    #[test]
    fn appends_after_the_last_line() {
        assert_eq!(apply("a\n", &[edit(2, "", "b\n")]).unwrap(), "a\nb\n");
        assert_eq!(apply("a", &[edit(1, "a", "a\nb\n")]).unwrap(), "a\nb\n");
    }

    #[test]
    fn refuses_stale_and_overlapping_edits() {
        assert!(matches!(
            apply("a\nb\n", &[edit(2, "c\n", "d\n")]),
            Err(FixError::Stale { line: 2, .. })
        ));
        assert!(apply("a\nb\n", &[edit(5, "", "x\n")]).is_err());
        assert!(matches!(
            apply("a\nb\n", &[edit(1, "a\nb\n", "x\n"), edit(2, "b\n", "y\n")]),
            Err(FixError::Overlap(_))
        ));
    }

    #[test]
    fn one_edit_between_two_texts() {
        let e = Edit::between("f", "a\nb\nc\n", "a\nx\ny\nc\n").unwrap();
        assert_eq!(
            (e.line, e.old.as_str(), e.new.as_str()),
            (2, "b\n", "x\ny\n")
        );
        assert_eq!(apply("a\nb\nc\n", &[e]).unwrap(), "a\nx\ny\nc\n");
        let e = Edit::between("f", "a\nc\n", "a\nb\nc\n").unwrap();
        assert_eq!((e.line, e.old.as_str()), (2, ""));
        assert!(Edit::between("f", "a\n", "a\n").is_none());
    }

    #[test]
    fn line_helpers() {
        assert_eq!(line_text("x\ny", 2), Some("y"));
        assert_eq!(line_text("x\ny\n", 3), None);
        assert_eq!(line_text("x", 0), None);
    }
}
