//! Just enough lexing of one source line for the generators: which bytes are code (not string or
//! comment), balanced brackets, and the extent of a primary expression (`a.b[c](d)`).
//!
//! This is deliberately line-local and conservative: whatever it cannot classify makes a
//! generator decline rather than guess.

/// The languages the generators edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Python,
    Js,
    Rust,
    Java,
}

/// What a byte of a line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Code,
    /// Inside a string literal, quotes included.
    Str,
    Comment,
}

/// A source line with its byte classes.
pub struct Line<'a> {
    pub text: &'a str,
    pub class: Vec<Class>,
}

impl<'a> Line<'a> {
    pub fn new(text: &'a str, lang: Lang) -> Line<'a> {
        Line {
            text,
            class: classify(text, lang),
        }
    }

    pub fn bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    pub fn is_code(&self, i: usize) -> bool {
        self.class.get(i) == Some(&Class::Code)
    }

    /// Offsets where `needle` starts entirely in code.
    pub fn find_code(&self, needle: &str) -> Vec<usize> {
        self.text
            .match_indices(needle)
            .map(|(i, _)| i)
            .filter(|&i| (i..i + needle.len()).all(|j| self.is_code(j)))
            .collect()
    }

    /// The end of the code on this line (before a trailing comment), trailing spaces trimmed.
    pub fn code_end(&self) -> usize {
        let end = self
            .class
            .iter()
            .position(|c| *c == Class::Comment)
            .unwrap_or(self.text.len());
        self.text[..end].trim_end().len()
    }

    /// Whether brackets in code balance on this line (a statement not continued elsewhere).
    pub fn balanced(&self) -> bool {
        let mut depth = 0i32;
        for (i, b) in self.bytes().iter().enumerate() {
            if !self.is_code(i) {
                continue;
            }
            match b {
                b'(' | b'[' | b'{' => depth += 1,
                b')' | b']' | b'}' => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                return false;
            }
        }
        depth == 0
    }

    /// The offset of the bracket matching the one at `open`, in code.
    pub fn matching_close(&self, open: usize) -> Option<usize> {
        let (o, c) = match self.bytes().get(open)? {
            b'(' => (b'(', b')'),
            b'[' => (b'[', b']'),
            b'{' => (b'{', b'}'),
            _ => return None,
        };
        let mut depth = 0;
        for i in open..self.text.len() {
            if !self.is_code(i) {
                continue;
            }
            let b = self.bytes()[i];
            if b == o {
                depth += 1;
            } else if b == c {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
        None
    }

    /// The offset of the bracket that the one at `close` closes.
    pub fn matching_open(&self, close: usize) -> Option<usize> {
        let (o, c) = match self.bytes().get(close)? {
            b')' => (b'(', b')'),
            b']' => (b'[', b']'),
            b'}' => (b'{', b'}'),
            _ => return None,
        };
        let mut depth = 0;
        for i in (0..=close).rev() {
            if !self.is_code(i) {
                continue;
            }
            let b = self.bytes()[i];
            if b == c {
                depth += 1;
            } else if b == o {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
        None
    }

    /// Start of the primary expression (`a.b[0](x)`, `"s"`, `(…)`) that ends right before `end`.
    /// `None` when nothing expression-like ends there.
    pub fn primary_start(&self, end: usize) -> Option<usize> {
        let b = self.bytes();
        let mut i = end;
        let mut any = false;
        loop {
            if i == 0 {
                break;
            }
            let prev = b[i - 1];
            if !self.is_code(i - 1) {
                // A string literal operand: the whole literal.
                if self.class[i - 1] == Class::Str {
                    while i > 0 && self.class[i - 1] == Class::Str {
                        i -= 1;
                    }
                    any = true;
                    // A string prefix (f, b, r …) is code glued to the literal.
                    while i > 0 && b[i - 1].is_ascii_alphabetic() && self.is_code(i - 1) {
                        i -= 1;
                    }
                    continue;
                }
                break;
            }
            if is_ident(prev) {
                while i > 0 && self.is_code(i - 1) && is_ident(b[i - 1]) {
                    i -= 1;
                }
                any = true;
                if i > 0 && b[i - 1] == b'.' && self.is_code(i - 1) {
                    i -= 1;
                    // `?.` in JS chains.
                    if i > 0 && b[i - 1] == b'?' {
                        i -= 1;
                    }
                    continue;
                }
                break;
            }
            if matches!(prev, b')' | b']') {
                i = self.matching_open(i - 1)?;
                any = true;
                // `f(x)`, `a[0]`: keep going into the callee or the subscripted value; a bare
                // parenthesised group or list display ends here.
                if i > 0
                    && self.is_code(i - 1)
                    && (is_ident(b[i - 1]) || matches!(b[i - 1], b')' | b']'))
                {
                    continue;
                }
                if i > 0 && self.class[i - 1] == Class::Str && b[i] == b'[' {
                    continue;
                }
                break;
            }
            break;
        }
        if !any {
            return None;
        }
        // A keyword is not an operand (`return x`, `not x`).
        let word = &self.text[i..end];
        if KEYWORDS.contains(&word) {
            return None;
        }
        Some(i)
    }

    /// End of the primary expression starting at `start`: an identifier, number, string or
    /// bracketed group, followed by any `.name`, `(…)`, `[…]`.
    pub fn primary_end(&self, start: usize) -> Option<usize> {
        let b = self.bytes();
        let mut i = start;
        if i >= b.len() {
            return None;
        }
        if !self.is_code(i) {
            if self.class[i] != Class::Str {
                return None;
            }
            while i < b.len() && self.class[i] == Class::Str {
                i += 1;
            }
        } else if is_ident(b[i]) {
            while i < b.len() && self.is_code(i) && is_ident(b[i]) {
                i += 1;
            }
            if i < b.len() && self.class[i] == Class::Str {
                // A string prefix.
                while i < b.len() && self.class[i] == Class::Str {
                    i += 1;
                }
            }
        } else if matches!(b[i], b'(' | b'[' | b'{') {
            i = self.matching_close(i)? + 1;
        } else {
            return None;
        }
        loop {
            if i >= b.len() || !self.is_code(i) {
                break;
            }
            match b[i] {
                b'.' if i + 1 < b.len() && is_ident(b[i + 1]) && !b[i + 1].is_ascii_digit() => {
                    i += 1;
                    while i < b.len() && self.is_code(i) && is_ident(b[i]) {
                        i += 1;
                    }
                }
                b'(' | b'[' => i = self.matching_close(i)? + 1,
                _ => break,
            }
        }
        let word = &self.text[start..i];
        if KEYWORDS.contains(&word) {
            return None;
        }
        Some(i)
    }

    /// The subscripts on the line, `(start of the indexed expression, '[', ']')`: every `[` in
    /// code that follows a name, a `)` or a `]` (not an array literal) and closes on the line.
    pub fn subscripts(&self) -> Vec<(usize, usize, usize)> {
        self.find_code("[")
            .into_iter()
            .filter(|&open| {
                self.prev_non_space(open)
                    .is_some_and(|(_, prev)| is_ident(prev) || prev == b')' || prev == b']')
            })
            .filter_map(|open| Some((self.primary_start(open)?, open, self.matching_close(open)?)))
            .collect()
    }

    /// The previous non-space byte before `i` and its offset.
    pub fn prev_non_space(&self, i: usize) -> Option<(usize, u8)> {
        self.text[..i]
            .bytes()
            .enumerate()
            .rev()
            .find(|(_, b)| !b.is_ascii_whitespace())
    }

    /// The next non-space byte at or after `i` and its offset.
    pub fn next_non_space(&self, i: usize) -> Option<(usize, u8)> {
        self.text
            .get(i..)?
            .bytes()
            .enumerate()
            .find(|(_, b)| !b.is_ascii_whitespace())
            .map(|(k, b)| (i + k, b))
    }

    /// Whether `start..end` is a whole item of a bracketed list: an argument, or the condition of
    /// `if (…)`. A conditional expression needs no parentheses of its own there.
    pub fn sole_item(&self, start: usize, end: usize) -> bool {
        let before = self.prev_non_space(start);
        let after = self.next_non_space(end);
        matches!(before, Some((i, b'(' | b',')) if self.is_code(i))
            && matches!(after, Some((i, b')' | b',')) if self.is_code(i))
    }

    /// The leading whitespace.
    pub fn indent(&self) -> &str {
        let n = self.text.len() - self.text.trim_start().len();
        &self.text[..n]
    }
}

const KEYWORDS: &[&str] = &[
    "return", "not", "and", "or", "in", "is", "if", "else", "elif", "await", "yield", "lambda",
    "typeof", "new", "delete", "void", "throw", "case", "let", "const", "var", "mut", "ref",
];

/// The constant-case form of a key or name, as a code base names its default for it:
/// `timeout` → `TIMEOUT`, `perPage` → `PER_PAGE`, `smtp-port` → `SMTP_PORT`.
pub fn constant_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            '_'
        });
    }
    out
}

pub fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Whether `text` is a plain name or dotted chain of names (`self.user`, `order.customer`):
/// evaluating it twice has no side effect.
pub fn is_name_chain(text: &str) -> bool {
    !text.is_empty()
        && text.split('.').all(|part| {
            !part.is_empty() && part.bytes().all(is_ident) && !part.as_bytes()[0].is_ascii_digit()
        })
        && !KEYWORDS.contains(&text)
}

fn classify(text: &str, lang: Lang) -> Vec<Class> {
    let b = text.as_bytes();
    let mut class = vec![Class::Code; b.len()];
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let comment = match lang {
            Lang::Python => c == b'#',
            _ => c == b'/' && b.get(i + 1) == Some(&b'/'),
        };
        if comment {
            for k in class.iter_mut().skip(i) {
                *k = Class::Comment;
            }
            break;
        }
        if lang != Lang::Python && c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = text[i + 2..]
                .find("*/")
                .map(|k| i + 2 + k + 2)
                .unwrap_or(b.len());
            for k in &mut class[i..end] {
                *k = Class::Comment;
            }
            i = end;
            continue;
        }
        let quote = match (lang, c) {
            (_, b'"') => true,
            (Lang::Python | Lang::Js, b'\'') => true,
            (Lang::Js, b'`') => true,
            // Rust and Java: `'x'`, `'\n'` are char literals; a Rust lifetime `'a` is code.
            (Lang::Rust | Lang::Java, b'\'') => {
                b.get(i + 2) == Some(&b'\'') || (b.get(i + 1) == Some(&b'\\'))
            }
            _ => false,
        };
        if quote {
            let triple =
                lang == Lang::Python && b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
            let close_len = if triple { 3 } else { 1 };
            let mut j = i + close_len;
            let mut end = b.len();
            while j < b.len() {
                if b[j] == b'\\' {
                    j += 2;
                    continue;
                }
                if lang == Lang::Js && c == b'`' && text[j..].starts_with("${") {
                    j = substitution_end(text, j + 2)
                        .map(|e| e + 1)
                        .unwrap_or(b.len());
                    continue;
                }
                if b[j] == c && (!triple || text[j..].starts_with(&text[i..i + 3])) {
                    end = j + close_len;
                    break;
                }
                j += 1;
            }
            for k in &mut class[i..end.min(b.len())] {
                *k = Class::Str;
            }
            if lang == Lang::Js && c == b'`' {
                mark_substitutions(text, i + 1, end.min(b.len()), &mut class);
            }
            i = end;
            continue;
        }
        i += 1;
    }
    class
}

/// The offset of the `}` closing a template substitution whose code starts at `from`, skipping
/// brackets and string literals inside it.
fn substitution_end(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < b.len() && b[i] != q {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Template literal substitutions (`${a.b}`) between `from` and `to` are code: their insides are
/// classified again, the `${` and `}` stay part of the string.
fn mark_substitutions(text: &str, from: usize, to: usize, class: &mut [Class]) {
    let b = text.as_bytes();
    let mut j = from;
    while j < to {
        if b[j] == b'\\' {
            j += 2;
            continue;
        }
        if text[j..].starts_with("${") {
            let Some(close) = substitution_end(text, j + 2).filter(|&e| e < to) else {
                return;
            };
            let inner = classify(&text[j + 2..close], Lang::Js);
            class[j + 2..close].copy_from_slice(&inner);
            j = close + 1;
            continue;
        }
        j += 1;
    }
}

/// Whether offset `i` of `line` is code inside a template literal substitution (`${…}`).
pub fn in_substitution(line: &Line<'_>, i: usize) -> bool {
    if !line.is_code(i) {
        return false;
    }
    let mut depth = 0i32;
    let pairs = line.class[..=i].windows(2).zip(&line.bytes()[1..=i]);
    for (k, (pair, &byte)) in pairs.enumerate() {
        let (prev, here) = (pair[0], pair[1]);
        if here == Class::Code && prev == Class::Str && line.text[..k + 1].ends_with("${") {
            depth += 1;
        } else if here == Class::Str && prev == Class::Code && byte == b'}' {
            depth -= 1;
        }
    }
    depth > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_are_not_code() {
        let l = Line::new(r#"x = d['a#b'] # d['k']"#, Lang::Python);
        assert_eq!(l.find_code("d["), vec![4]);
        assert_eq!(l.code_end(), 12);
        let l = Line::new(r#"let s = "a.b" + t.c; // u.v"#, Lang::Js);
        assert_eq!(l.find_code("."), vec![17]);
        let l = Line::new("fn f<'a>(x: &'a str) -> char { 'x' }", Lang::Rust);
        assert!(l.is_code(5));
        assert!(!l.is_code(31));
    }

    #[test]
    fn template_substitutions_are_code() {
        let l = Line::new("  return `#${o.id} ${n} / ${a.b.c}` + `x.y`;", Lang::Js);
        assert_eq!(l.find_code("a.b.c").len(), 1);
        assert!(l.find_code("x.y").is_empty());
        assert!(l.balanced());
        let at = l.text.find("a.b").unwrap();
        assert!(in_substitution(&l, at));
        assert!(!in_substitution(&l, l.text.find("+ `").unwrap()));
        let start = l.text.find(".c").unwrap();
        assert_eq!(&l.text[l.primary_start(start).unwrap()..start], "a.b");
        // A string inside a substitution, and a nested template.
        let l = Line::new("`${m['k'] + `${q.r}`}` + s.t", Lang::Js);
        assert_eq!(l.find_code("q.r").len(), 1);
        assert_eq!(l.find_code("s.t").len(), 1);
        assert!(l.find_code("'k'").is_empty());
    }

    #[test]
    fn primary_expressions() {
        let l = Line::new("y = cfg['db']['host'] + f(a, b).c[0]", Lang::Python);
        let end = l.text.find(" +").unwrap();
        assert_eq!(
            &l.text[l.primary_start(end).unwrap()..end],
            "cfg['db']['host']"
        );
        let start = l.text.find("f(").unwrap();
        assert_eq!(
            &l.text[start..l.primary_end(start).unwrap()],
            "f(a, b).c[0]"
        );
        let l = Line::new("return total / count", Lang::Python);
        assert_eq!(l.primary_start(6), None);
        assert_eq!(l.primary_start(12), Some(7));
    }

    #[test]
    fn constant_case_names() {
        assert_eq!(constant_case("timeout"), "TIMEOUT");
        assert_eq!(constant_case("perPage"), "PER_PAGE");
        assert_eq!(constant_case("smtp-port"), "SMTP_PORT");
        assert_eq!(constant_case("batch_size"), "BATCH_SIZE");
        assert_eq!(constant_case("HTTPPort"), "HTTPPORT");
    }

    #[test]
    fn name_chains() {
        assert!(is_name_chain("self.user"));
        assert!(!is_name_chain("get().x"));
        assert!(!is_name_chain("a[0]"));
        assert!(!is_name_chain("return"));
    }
}
