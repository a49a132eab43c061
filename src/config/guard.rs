//! Checks on configuration text before the YAML parser sees it. The parser's cost grows with the
//! file's size, its nesting and its aliases, and a config can come from anywhere (a checkout, a CI
//! variable): a 50 MB file or a 100 000-level `[[[[…` would take seconds and hundreds of MB, and a
//! few lines of anchors and aliases expand to billions of nodes ("billion laughs"). The schema is
//! a few levels deep and never needs an alias, so the limits below refuse only hostile files.
//!
//! The depth is measured by a pre-pass that knows just enough YAML to count levels: block
//! indentation, compact `- ` / `? ` entries, flow brackets outside quotes, comments and block
//! scalars. It may count a level too many, never one too few.

use thiserror::Error;

/// Largest configuration file read, in bytes.
pub const MAX_CONFIG_BYTES: usize = 1 << 20;

/// Deepest nesting accepted (mappings, sequences and flow collections together).
pub const MAX_CONFIG_DEPTH: usize = 64;

/// Why configuration text is refused before parsing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    #[error("it is larger than {}", crate::config::format_size(MAX_CONFIG_BYTES as u64))]
    TooLarge,
    #[error("line {line}: nesting deeper than {MAX_CONFIG_DEPTH} levels")]
    TooDeep { line: usize },
    #[error("line {line}: YAML aliases (*name) are not supported; write the value out")]
    Alias { line: usize },
}

/// Refuse `text` if it is too large, too deeply nested, or uses an alias.
pub fn check(text: &str) -> Result<(), Refusal> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(Refusal::TooLarge);
    }
    let mut scan = Scan::default();
    for (i, line) in text.lines().enumerate() {
        scan.line(line, i + 1)?;
    }
    Ok(())
}

#[derive(Default)]
struct Scan {
    /// Indentation of the open block collections.
    indents: Vec<usize>,
    /// Open `[` and `{`.
    flow: usize,
    /// Inside a quoted scalar spanning lines: its quote.
    quote: Option<u8>,
    /// Inside a block scalar (`|`, `>`): the indentation of the line that opened it.
    block_scalar: Option<usize>,
}

impl Scan {
    fn line(&mut self, line: &str, number: usize) -> Result<(), Refusal> {
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|&&b| b == b' ').count();
        let rest = &bytes[indent..];
        if let Some(owner) = self.block_scalar {
            if rest.iter().all(u8::is_ascii_whitespace) || indent > owner {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let in_block = self.quote.is_none() && self.flow == 0;
        if in_block {
            if rest.is_empty() || rest[0] == b'#' {
                return Ok(());
            }
            if indent == 0 && (rest.starts_with(b"---") || rest.starts_with(b"...")) {
                self.indents.clear();
                return Ok(());
            }
            while self.indents.last().is_some_and(|&top| top > indent) {
                self.indents.pop();
            }
            if self.indents.last() != Some(&indent) {
                self.indents.push(indent);
            }
        }
        let mut compact = 0;
        let too_deep = |compact: usize, flow: usize, indents: usize| {
            indents + compact + flow > MAX_CONFIG_DEPTH
        };
        let mut i = 0;
        // At the start of a node: where an indicator, a bracket, an alias may stand.
        let mut node_start = self.quote.is_none();
        while i < rest.len() {
            let b = rest[i];
            let next = rest.get(i + 1).copied();
            let spaced = next.is_none_or(|n| n == b' ' || n == b'\t');
            if let Some(quote) = self.quote {
                match (b, quote) {
                    (b'\\', b'"') => i += 1,
                    (b'\'', b'\'') if next == Some(b'\'') => i += 1,
                    _ if b == quote => {
                        self.quote = None;
                        node_start = false;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            if b == b' ' || b == b'\t' {
                if next == Some(b'#') {
                    break;
                }
                i += 1;
                continue;
            }
            if node_start {
                match b {
                    b'-' | b'?' | b':' if spaced => {
                        if self.flow == 0 {
                            compact += 1;
                        }
                    }
                    b'[' | b'{' => self.flow += 1,
                    b']' | b'}' => self.flow = self.flow.saturating_sub(1),
                    b'*' => return Err(Refusal::Alias { line: number }),
                    b'&' | b'!' => {
                        while i < rest.len() && rest[i] != b' ' {
                            i += 1;
                        }
                        continue;
                    }
                    b'\'' | b'"' => self.quote = Some(b),
                    b'|' | b'>' if self.flow == 0 => {
                        self.block_scalar = Some(indent);
                        break;
                    }
                    b'#' => break,
                    b',' => {}
                    _ => node_start = false,
                }
            } else {
                match b {
                    b':' if spaced => node_start = true,
                    b',' if self.flow > 0 => node_start = true,
                    b']' | b'}' if self.flow > 0 => self.flow -= 1,
                    _ => {}
                }
            }
            if too_deep(compact, self.flow, self.indents.len()) {
                return Err(Refusal::TooDeep { line: number });
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_passes() {
        assert_eq!(check(crate::config::EXAMPLE_CONFIG), Ok(()));
    }

    #[test]
    fn ordinary_yaml_passes() {
        let text = "a:\n  b: [1, {c: 'x*[y'}, \"q\\\"[\"]\n  d: foo*bar [x]\n  e: |\n    *not an alias [[[[\n  f: >-\n    also text\nrules:\n  - name: x # [comment\n    match: '\\[(\\d+)\\]'\n";
        assert_eq!(check(text), Ok(()));
    }

    #[test]
    fn refuses_deep_nesting_in_every_form() {
        let flow = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(check(&flow), Err(Refusal::TooDeep { line: 1 }));
        let maps: String = (0..100)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert!(matches!(check(&maps), Err(Refusal::TooDeep { line: 65 })));
        let dashes = format!("a:\n  {}x\n", "- ".repeat(100));
        assert!(matches!(check(&dashes), Err(Refusal::TooDeep { line: 2 })));
        let multiline: String = (0..100).map(|_| "[\n").collect();
        assert!(matches!(check(&multiline), Err(Refusal::TooDeep { .. })));
        // 30 levels are fine.
        let ok = format!("a: {}{}", "[".repeat(30), "]".repeat(30));
        assert_eq!(check(&ok), Ok(()));
    }

    #[test]
    fn refuses_aliases_but_not_stars_in_text() {
        let laughs = "a: &a [x, x]\nb: &b [*a, *a]\n";
        assert_eq!(check(laughs), Err(Refusal::Alias { line: 2 }));
        assert_eq!(
            check("base: &b {x: 1}\nother:\n  <<: *b\n"),
            Err(Refusal::Alias { line: 3 })
        );
        assert_eq!(check("- *a\n"), Err(Refusal::Alias { line: 1 }));
        assert_eq!(check("a: 'x *y'\nb: x *y\nc: \"*\"\n"), Ok(()));
    }

    #[test]
    fn refuses_large_text() {
        let big = "# padding\n".repeat(MAX_CONFIG_BYTES / 10 + 1);
        assert_eq!(check(&big), Err(Refusal::TooLarge));
    }
}
