//! Finding the line of a key path in YAML text, so that validation problems point at a line.
//!
//! serde_yaml gives positions only for syntax and type errors; semantic checks (a count below 1, a
//! regex that does not compile) know the path, and this maps the path back to block-style YAML.

/// One step of a path: a mapping key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// `a.b[2].c` as text.
pub fn display_path(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// 1-based line of the deepest step of `path` that can be found; `None` if not even the first.
pub fn line_of(text: &str, path: &[Step]) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    // The block we search in: [start, end) line indices, and the indentation of its parent.
    let (mut start, mut end, mut parent_indent) = (0usize, lines.len(), -1isize);
    let mut found = None;
    for step in path {
        let mut hit = None;
        let mut index = 0usize;
        let mut i = start;
        while i < end {
            let line = lines[i];
            let body = line.trim_start();
            let indent = (line.len() - body.len()) as isize;
            if body.is_empty() || body.starts_with('#') || indent <= parent_indent {
                i += 1;
                continue;
            }
            match step {
                Step::Key(key) => {
                    let body = body.strip_prefix("- ").unwrap_or(body);
                    if body
                        .strip_prefix(key.as_str())
                        .is_some_and(|rest| rest.trim_start().starts_with(':'))
                    {
                        hit = Some((i, indent));
                        break;
                    }
                }
                Step::Index(n) => {
                    if body.starts_with("- ") || body == "-" {
                        if index == *n {
                            hit = Some((i, indent));
                            break;
                        }
                        index += 1;
                    }
                }
            }
            i += 1;
        }
        let Some((at, indent)) = hit else { break };
        found = Some(at + 1);
        // The child block runs until the next line indented at or left of this one.
        let child_end = (at + 1..end)
            .find(|&j| {
                let l = lines[j];
                let b = l.trim_start();
                !b.is_empty() && !b.starts_with('#') && ((l.len() - b.len()) as isize) <= indent
            })
            .unwrap_or(end);
        end = child_end;
        // A list item's first key shares the `- ` line, so its block starts on that line and
        // counts as indented deeper than the dash.
        (start, parent_indent) = match step {
            Step::Index(_) => (at, indent - 1),
            Step::Key(_) => (at + 1, indent),
        };
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "log:\n  threshold_count: 0\n  threshold_level: error\nrules:\n  - name: a\n    match: x\n  - name: b\n    match: '('\n";

    fn key(k: &str) -> Step {
        Step::Key(k.into())
    }

    #[test]
    fn finds_nested_keys_and_list_items() {
        assert_eq!(
            line_of(TEXT, &[key("log"), key("threshold_count")]),
            Some(2)
        );
        assert_eq!(
            line_of(TEXT, &[key("rules"), Step::Index(1), key("match")]),
            Some(8)
        );
        assert_eq!(
            line_of(TEXT, &[key("rules"), Step::Index(0), key("name")]),
            Some(5)
        );
        assert_eq!(line_of(TEXT, &[key("log"), key("nope")]), Some(1));
    }
}
