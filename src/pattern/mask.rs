//! Tokenising and masking of a message before clustering, so that `job 17 failed` and `job 18 failed`
//! are one template from the first line on.
//!
//! A message becomes a sequence of [`Token`]s: maximal runs of characters that are not delimiters
//! (whitespace and punctuation such as `= : , ( ) [ ] " '`). The text between two tokens is their
//! *gap*, kept verbatim so that a template re-assembles exactly like the message it came from.
//! Each token is either constant or a variable (`<*>` in templates).
//!
//! Masking is one hand-written left-to-right scan (no sequence of regex replace passes): first, on
//! every whitespace-separated word, whole-word kinds that contain delimiters themselves (URLs,
//! paths, e-mails, UUIDs, IP addresses and ports, timestamps, code locations), on the value alone
//! when a name comes first (`file=/etc/x`, `chdir(/p/q)`); then, on the pieces of the other words,
//! numbers, durations and sizes, booleans, hex values, and identifiers with digits in them. User
//! masks (regexes) run first and their matches are single variables.
//!
//! Separators between values are constants (`1,2,3`, `a##b##c`), as are units after a space
//! (`took 12 ms`) unless the size was formatted (`5.2 KB`), and empty lists (`[]`); variables
//! separated by whitespace alone are one variable of varying length.
//!
//! Invariants: tokens are in order, never overlap, and lie on `char` boundaries; only a variable
//! can be empty (the value of `()` or `""`).

use regex::Regex;

/// Built-in masks, by name. All are on by default.
pub const BUILTIN: &[&str] = &[
    "url",
    "path",
    "email",
    "uuid",
    "ip",
    "timestamp",
    "hex",
    "number",
    "bool",
    "id",
];

/// One token of a message: `message[start..end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    /// Masked: the token is a variable.
    pub var: bool,
}

impl Token {
    pub fn text<'a>(&self, message: &'a str) -> &'a str {
        &message[self.start as usize..self.end as usize]
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Enabled {
    url: bool,
    path: bool,
    email: bool,
    uuid: bool,
    ip: bool,
    timestamp: bool,
    hex: bool,
    number: bool,
    bool: bool,
    id: bool,
}

/// Splits messages into tokens and marks the variable ones.
#[derive(Debug, Clone)]
pub struct Masker {
    on: Enabled,
    extra: Vec<Regex>,
}

impl Masker {
    /// `names`: the built-in masks to apply (unknown names are ignored: the config rejects them);
    /// `extra`: user masks, whose matches become variables before anything else is looked at.
    pub fn new(names: &[String], extra: &[(String, Regex)]) -> Masker {
        let mut on = Enabled::default();
        for name in names {
            match name.as_str() {
                "url" => on.url = true,
                "path" => on.path = true,
                "email" => on.email = true,
                "uuid" => on.uuid = true,
                "ip" => on.ip = true,
                "timestamp" => on.timestamp = true,
                "hex" => on.hex = true,
                "number" => on.number = true,
                "bool" => on.bool = true,
                "id" => on.id = true,
                _ => {}
            }
        }
        Masker {
            on,
            extra: extra.iter().map(|(_, re)| re.clone()).collect(),
        }
    }

    /// Tokens of `message` into `out` (cleared first). Messages longer than 4 GiB are cut.
    pub fn tokenize(&self, message: &str, out: &mut Vec<Token>) {
        out.clear();
        let message = if message.len() > u32::MAX as usize {
            let mut end = u32::MAX as usize;
            while !message.is_char_boundary(end) {
                end -= 1;
            }
            &message[..end]
        } else {
            message
        };
        // A fresh buffer is sized once for a typical message rather than grown token by token.
        if out.capacity() == 0 {
            out.reserve(message.len() / 5 + 4);
        }
        let mut at = 0;
        if !self.extra.is_empty() {
            for (start, end) in user_spans(&self.extra, message) {
                self.scan(message, at, start, out);
                out.push(Token {
                    start: start as u32,
                    end: end as u32,
                    var: true,
                });
                at = end;
            }
        }
        self.scan(message, at, message.len(), out);
        join_variable_runs(message, out);
    }

    /// The message with every variable token replaced by `<*>`.
    pub fn mask(&self, message: &str) -> String {
        let mut tokens = Vec::new();
        self.tokenize(message, &mut tokens);
        let mut out = String::with_capacity(message.len());
        let mut at = 0;
        for t in &tokens {
            out.push_str(&message[at..t.start as usize]);
            out.push_str(if t.var { "<*>" } else { t.text(message) });
            at = t.end as usize;
        }
        out.push_str(&message[at..]);
        out
    }

    /// Tokens of `message[from..to]`, word by word.
    fn scan(&self, message: &str, from: usize, to: usize, out: &mut Vec<Token>) {
        let bytes = message.as_bytes();
        let mut i = from;
        while i < to {
            while i < to && CLASS[usize::from(bytes[i])] & SPACE != 0 {
                i += 1;
            }
            // The word's end and its byte classes in one pass.
            let start = i;
            let mut class = 0;
            while i < to {
                let c = CLASS[usize::from(bytes[i])];
                if c & SPACE != 0 {
                    break;
                }
                class |= c;
                i += 1;
            }
            if start < i {
                self.word(message, start, i, class, out);
            }
        }
    }

    /// Tokens of one whitespace-free word `message[start..end]`, whose bytes' [`CLASS`]es are
    /// `class` together.
    fn word(&self, message: &str, start: usize, end: usize, class: u16, out: &mut Vec<Token>) {
        let bytes = message.as_bytes();
        let first = out.len();
        // Which punctuation the word holds decides which detectors can match at all; the classes
        // also tell a plain word (no digit, no delimiter, no `.` or `-`), the most common kind,
        // which is one piece and can only be a boolean or a date's name.
        if class & NOT_PLAIN == 0 {
            out.push(Token {
                start: start as u32,
                end: end as u32,
                var: (self.on.bool && is_bool(&bytes[start..end]))
                    || (self.on.timestamp && is_date_word(bytes, start, end)),
            });
            return;
        }
        let seen = class as u8;
        if seen & COMMA == 0 {
            self.segment(message, start, end, seen, out);
        } else {
            // Comma-joined values (`10.0.0.1,10.0.0.2`, `a=1,b=2`) are looked at one by one.
            let mut at = start;
            for comma in memchr::memchr_iter(b',', &bytes[start..end]) {
                self.segment(message, at, start + comma, seen, out);
                at = start + comma + 1;
            }
            self.segment(message, at, end, seen, out);
        }
        // A compound identifier with several variable parts is one value as a whole:
        // `Package_for_KB3121255~31bf3856ad364e35~amd64~~6.1.1.0`, `0000:02:0e.0[A]`.
        // Values joined by list separators (`1514038440000##6993##548365`, `1,2,3,4`) are several
        // values: the separators are constants, as between words.
        let pieces = &out[first..];
        let vars = pieces.iter().filter(|t| t.var).count();
        if self.on.id
            && pieces.len() >= 4
            && vars >= 2
            && memchr::memchr(b'=', &bytes[start..end]).is_none()
            && !pieces.windows(2).any(|w| {
                bytes[w[0].end as usize..w[1].start as usize]
                    .iter()
                    .any(|c| matches!(c, b'#' | b'|' | b';' | b','))
            })
        {
            let s = pieces[0].start;
            let e = close_brackets(
                bytes,
                s as usize,
                pieces[pieces.len() - 1].end as usize,
                end,
            );
            out.truncate(first);
            out.push(Token {
                start: s,
                end: e as u32,
                var: true,
            });
        }
    }

    /// Tokens of `message[start..end]`, a word or a comma-separated part of one.
    fn segment(&self, message: &str, start: usize, end: usize, seen: u8, out: &mut Vec<Token>) {
        if start >= end {
            return;
        }
        if seen & (WHOLE | EQUALS) == 0 {
            return self.pieces(message, start, end, out);
        }
        // Whole-word kinds are looked for inside brackets and quotes, on the whole segment
        // (`/a?b=c` is a path), then on the value of a `key=value`.
        let (s, e) = self.core(message, start, end);
        let b = message.as_bytes();
        // A name before the value (`file=/etc/x.conf`, `Path:/home/x`, `chdir(/p/q/r)`) is a
        // constant: only the value is looked at whole.
        // `=`, `(`, or `:` with `/` (bits 4 and 1).
        let key = if seen & (EQUALS | PAREN) != 0 || seen & 5 == 5 {
            key_end(&b[s..e])
        } else {
            None
        };
        if let Some(k) = key {
            let (vs, ve) = self.core(message, s + k + 1, end);
            let whole = vs < ve && self.whole(&message[vs..ve]);
            if whole {
                return self.single(message, start, (vs, ve), end, true, out);
            }
            if b[s + k] == b'=' {
                return self.keyed(message, start, end, s + k, (vs, ve), whole, out);
            }
        }
        if seen & WHOLE != 0 && s < e && self.whole(&message[s..e]) {
            // `10.0.0.1:8080` is an address and a port: two values.
            if let Some(colon) = memchr::memrchr(b':', &b[s..e]) {
                let colon = s + colon;
                let host =
                    || is_host_port(&b[s..e]) && !(self.on.path && is_code_location(&b[s..e]));
                if is_ipv4(&b[s..e]) || host() {
                    self.pieces(message, start, s, out);
                    out.push(Token {
                        start: s as u32,
                        end: colon as u32,
                        var: true,
                    });
                    out.push(Token {
                        start: colon as u32 + 1,
                        end: e as u32,
                        var: true,
                    });
                    return self.pieces(message, e, end, out);
                }
            }
            return self.single(message, start, (s, e), end, true, out);
        }
        if seen & EQUALS == 0 {
            return self.pieces(message, start, end, out);
        }
        let Some(eq) = memchr::memchr(b'=', &b[start..end]) else {
            return self.pieces(message, start, end, out);
        };
        let (s, e) = self.core(message, start + eq + 1, end);
        let whole = s < e && self.whole(&message[s..e]);
        self.keyed(message, start, end, start + eq, (s, e), whole, out);
    }

    /// `message[start..end]` as a `key=value` with `=` at `eq`, the value at `value` (without the
    /// brackets and quotes around it), `whole` if the value is of a whole-word kind.
    #[allow(clippy::too_many_arguments)]
    fn keyed(
        &self,
        message: &str,
        start: usize,
        end: usize,
        eq: usize,
        value: (usize, usize),
        whole: bool,
        out: &mut Vec<Token>,
    ) {
        let bytes = message.as_bytes();
        let (s, e) = value;
        if s >= e {
            return self.pieces(message, start, end, out);
        }
        // The value of a `key=value` is one token whatever it holds (`name=com.android.phone`),
        // so that values of any shape keep the message's shape.
        let value = &message[s..e];
        let var = whole || self.variable_piece(value.as_bytes());
        let brackets = value.bytes().any(|c| {
            matches!(
                c,
                b'(' | b')' | b'[' | b']' | b'{' | b'}' | b'<' | b'>' | b'"' | b'\''
            )
        });
        if brackets && (!var || !whole && !balanced(value.as_bytes())) {
            // A structured value (`Rect(0`, `Token{78af589`) is split as usual; a closed one
            // (`WorkSource{10113}`) is one value.
            return self.pieces(message, start, end, out);
        }
        // A quote after an unquoted value that closes nothing (`name=android",`) is part of the
        // value as written: a constant gap would set the message apart from its siblings.
        let mut e = e;
        if e < end
            && matches!(bytes[e], b'"' | b'\'')
            && !matches!(bytes[eq + 1], b'"' | b'\'')
            && !bytes[start..eq].contains(&bytes[e])
        {
            e += 1;
        }
        self.single(message, start, (s, e), end, var, out);
    }

    /// `message[start..end]` with `core` as one token and the rest split into pieces.
    fn single(
        &self,
        message: &str,
        start: usize,
        core: (usize, usize),
        end: usize,
        var: bool,
        out: &mut Vec<Token>,
    ) {
        self.pieces(message, start, core.0, out);
        out.push(Token {
            start: core.0 as u32,
            end: core.1 as u32,
            var,
        });
        self.pieces(message, core.1, end, out);
    }

    /// `message[start..end]` without the brackets, quotes and punctuation around it.
    fn core(&self, message: &str, start: usize, end: usize) -> (usize, usize) {
        let bytes = message.as_bytes();
        let mut s = start;
        while s < end && matches!(bytes[s], b'(' | b'[' | b'{' | b'<' | b'"' | b'\'' | b'`') {
            s += 1;
        }
        let mut e = end;
        while e > s
            && matches!(
                bytes[e - 1],
                b')' | b']'
                    | b'}'
                    | b'>'
                    | b'"'
                    | b'\''
                    | b'`'
                    | b','
                    | b';'
                    | b'.'
                    | b':'
                    | b'!'
                    | b'?'
            )
        {
            // `WorkSource{10113}` keeps its closing brace: it opened inside.
            let opener = match bytes[e - 1] {
                b')' => b'(',
                b']' => b'[',
                b'}' => b'{',
                b'>' => b'<',
                _ => 0,
            };
            if opener != 0 {
                let inside = &bytes[s..e];
                let opened = inside.iter().filter(|c| **c == opener).count();
                let closed = inside.iter().filter(|c| **c == bytes[e - 1]).count();
                if opened >= closed {
                    break;
                }
            }
            e -= 1;
        }
        // `{guid}rest` keeps its opening brace: it closes inside.
        while s > start {
            let closer = match bytes[s - 1] {
                b'(' => b')',
                b'[' => b']',
                b'{' => b'}',
                b'<' => b'>',
                _ => break,
            };
            if !bytes[s..e].contains(&closer) {
                break;
            }
            s -= 1;
        }
        (s, e)
    }

    /// Is `core` one variable of a whole-word kind?
    fn whole(&self, core: &str) -> bool {
        let b = core.as_bytes();
        // One pass over the bytes tells which kinds are possible at all: most words are plain
        // words and skip every detector.
        let seen = b.iter().fold(0u8, |seen, c| seen | MARKS[usize::from(*c)]);
        let (slash, dot, colon, at, dash) = (
            seen & 1 != 0,
            seen & 2 != 0,
            seen & 4 != 0,
            seen & 8 != 0,
            seen & 16 != 0,
        );
        (slash && ((self.on.url && is_url(b)) || (self.on.path && is_path(b))))
            || (at && self.on.email && is_email(b))
            || (dash && self.on.uuid && is_uuid(b))
            || (self.on.ip
                && ((dot && is_ipv4(b))
                    || (colon && (is_colon_hex(b) || is_host_port(b)))
                    || (dot && is_domain(b))))
            || (dot && colon && self.on.path && is_code_location(b))
            || (self.on.timestamp && b.len() >= 10 && b[0].is_ascii_digit() && is_timestamp(b))
    }

    /// Split `message[start..end]` (no whitespace) at delimiters and classify the pieces.
    fn pieces(&self, message: &str, start: usize, end: usize, out: &mut Vec<Token>) {
        let b = message.as_bytes();
        let mut i = start;
        while i < end {
            while i < end && is_delimiter(b, i, start, end) {
                if i + 1 < end && is_empty_pair(b, i, start) {
                    // `()` and `""` hold an empty value: an empty variable keeps the message the
                    // same shape as its siblings with `(host)` or `"x"` (`f()` is a call: left alone).
                    out.push(Token {
                        start: i as u32 + 1,
                        end: i as u32 + 1,
                        var: true,
                    });
                }
                i += 1;
            }
            let s = i;
            let mut digits = false;
            while i < end && !is_delimiter(b, i, start, end) {
                digits |= b[i].is_ascii_digit();
                i += 1;
            }
            if s < i {
                // Without a digit a piece can only be a boolean (or a date's name): numbers, hex
                // values and identifiers with numbers all hold one.
                let p = &b[s..i];
                let var = if digits {
                    self.variable_piece(p)
                } else {
                    self.on.bool && is_bool(p)
                };
                out.push(Token {
                    start: s as u32,
                    end: i as u32,
                    var: var || (self.on.timestamp && is_date_word(b, s, i)),
                });
            }
        }
    }

    fn variable_piece(&self, p: &[u8]) -> bool {
        (self.on.number && is_number(p))
            || (self.on.bool && is_bool(p))
            || (self.on.hex && is_hex(p))
            || (self.on.id && is_digit_id(p))
    }
}

/// `()`, `""`, `''` at `b[i..i + 2]`, opening a word or after punctuation. An empty list or map
/// (`[]`, `{}`) is a value of its own, written the same every time: it stays constant.
fn is_empty_pair(b: &[u8], i: usize, word_start: usize) -> bool {
    let pair = (b[i], b[i + 1]);
    matches!(pair, (b'(', b')') | (b'"', b'"') | (b'\'', b'\''))
        && (i == word_start || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_')
}

/// Month and weekday names of a date (`Fri Jul  1 07:57:30 2005`): a month before a number, a
/// weekday before a month.
fn is_date_word(b: &[u8], s: usize, e: usize) -> bool {
    const MONTHS: &[&[u8]] = &[
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    const DAYS: &[&[u8]] = &[b"Mon", b"Tue", b"Wed", b"Thu", b"Fri", b"Sat", b"Sun"];
    let word = &b[s..e];
    if word.len() != 3 {
        return false;
    }
    let mut next = e;
    while next < b.len() && b[next] == b' ' {
        next += 1;
    }
    let following = &b[next..];
    if MONTHS.contains(&word) {
        return next > e && following.first().is_some_and(u8::is_ascii_digit);
    }
    DAYS.contains(&word) && next > e && MONTHS.iter().any(|m| following.starts_with(m))
}

/// Variables separated only by whitespace are one variable of varying length (`IRQs 3 4 5 7`,
/// `names an14 an15 an16`), so that such messages keep one shape.
fn join_variable_runs(message: &str, tokens: &mut Vec<Token>) {
    let b = message.as_bytes();
    let mut kept = 0;
    for i in 0..tokens.len() {
        let t = tokens[i];
        if kept > 0 {
            let last = &mut tokens[kept - 1];
            let gap = &b[last.end as usize..t.start as usize];
            // A unit after a space is a word of its own (`took 12 ms`, `memory 512 MB`), unless
            // the number has a fraction: `5.2 KB`, `93.0 B` come from a formatter that picks the
            // unit by magnitude, so the unit is part of the value. The time zone of a time
            // (`08:16:53 PDT 2005`) is part of the timestamp.
            if last.var && !t.var && gap == b" " && t.end - t.start <= 4 {
                let value = &b[last.start as usize..last.end as usize];
                let word = t.text(message);
                let formatted = || {
                    value.contains(&b'.') && value.iter().all(|c| c.is_ascii_digit() || *c == b'.')
                };
                let time = || value.contains(&b':') && value.last().is_some_and(u8::is_ascii_digit);
                if (is_unit(word) && formatted()) || (is_time_zone(word) && time()) {
                    last.end = t.end;
                    continue;
                }
            }
            // A comma between values (`time=1,2,3`) is a constant like any other separator.
            let joins = last.var
                && t.var
                && last.end > last.start
                && t.end > t.start
                && !gap.is_empty()
                && gap.iter().all(u8::is_ascii_whitespace);
            if joins {
                last.end = t.end;
                continue;
            }
        }
        tokens[kept] = t;
        kept += 1;
    }
    tokens.truncate(kept);
}

/// A place in code: a qualified method and a line, `com.example.Store.save:2060`. A class name
/// (capitalised) tells it from a host and port.
fn is_code_location(b: &[u8]) -> bool {
    if !b[0].is_ascii_alphabetic() || !b[b.len() - 1].is_ascii_digit() {
        return false;
    }
    let Some(colon) = memchr::memrchr(b':', b) else {
        return false;
    };
    if !b[colon + 1..].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // One pass over the name: its labels, and whether one is a class.
    let (mut labels, mut class, mut label_start) = (1, false, true);
    for &c in &b[..colon] {
        if c == b'.' {
            if label_start {
                return false;
            }
            labels += 1;
            label_start = true;
            continue;
        }
        if label_start && !(c.is_ascii_alphabetic() || c == b'_') {
            return false;
        }
        if !(c.is_ascii_alphanumeric() || c == b'_' || c == b'$') {
            return false;
        }
        class |= (label_start && c.is_ascii_uppercase()) || c == b'$';
        label_start = false;
    }
    labels >= 3 && class && !label_start
}

/// Every bracket opened in `b` is closed in it.
fn balanced(b: &[u8]) -> bool {
    let count = |c: u8| b.iter().filter(|x| **x == c).count();
    count(b'(') == count(b')') && count(b'[') == count(b']') && count(b'{') == count(b'}')
}

/// Where the name before a value ends in `b`: at `=` (`file=/etc/x`), at `:` before a rooted path
/// (`Path:/home/x`, but not `http://`), at `(` when `b` ends with `)` (`chdir(/p/q)`).
fn key_end(b: &[u8]) -> Option<usize> {
    let k = b.iter().position(|c| !NAME[usize::from(*c)])?;
    if k == 0 || !b[0].is_ascii_alphabetic() {
        return None;
    }
    let next = b.get(k + 1).copied();
    match b[k] {
        b'=' => Some(k),
        b':' if next == Some(b'/') && b.get(k + 2) != Some(&b'/') => Some(k),
        b'(' if b.ends_with(b")") => Some(k),
        _ => None,
    }
}

fn is_time_zone(word: &str) -> bool {
    matches!(
        word,
        "UTC"
            | "GMT"
            | "Z"
            | "EST"
            | "EDT"
            | "CST"
            | "CDT"
            | "MST"
            | "MDT"
            | "PST"
            | "PDT"
            | "CET"
            | "CEST"
            | "EET"
            | "EEST"
            | "WET"
            | "WEST"
            | "BST"
            | "IST"
            | "JST"
            | "KST"
            | "HKT"
            | "AEST"
            | "AEDT"
    )
}

/// Units of sizes and durations written after a number (`12 ms`, `5.2 KB`).
pub fn is_unit(word: &str) -> bool {
    matches!(
        word,
        "B" | "KB"
            | "MB"
            | "GB"
            | "TB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "kB"
            | "sec"
            | "secs"
            | "ms"
    )
}

/// `end` moved over the closing brackets, up to `limit`, of the brackets opened in `b[start..end]`:
/// a value that opens a bracket (`0000:00:02.0[A]`) also closes it.
fn close_brackets(b: &[u8], start: usize, mut end: usize, limit: usize) -> usize {
    if memchr::memchr3(b'(', b'[', b'{', &b[start..end]).is_none() {
        return end;
    }
    // The closers still awaited, innermost last; deeper nesting than this is not looked at.
    let mut open = [0u8; 8];
    let mut depth = 0;
    for &c in &b[start..end] {
        match c {
            b'(' | b'[' | b'{' if depth < open.len() => {
                open[depth] = if c == b'(' { c + 1 } else { c + 2 };
                depth += 1;
            }
            b')' | b']' | b'}' if depth > 0 && open[depth - 1] == c => depth -= 1,
            _ => {}
        }
    }
    while depth > 0 && end < limit && b[end] == open[depth - 1] {
        end += 1;
        depth -= 1;
    }
    end
}

/// Non-overlapping matches of the user masks, in order; the earliest (then longest) wins.
fn user_spans(extra: &[Regex], message: &str) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = extra
        .iter()
        .flat_map(|re| re.find_iter(message).map(|m| (m.start(), m.end())))
        .filter(|(s, e)| s < e)
        .collect();
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut kept: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for span in spans {
        if kept.last().is_none_or(|last| span.0 >= last.1) {
            kept.push(span);
        }
    }
    kept
}

/// Is `b[i]` a delimiter within the word `b[start..end]`? `.` and `-` are delimiters only where they
/// do not belong to a number (`1.5`, `10.0.0.1`, `-3`), so that `core.45943` keeps `core` constant.
fn is_delimiter(b: &[u8], i: usize, start: usize, end: usize) -> bool {
    match b[i] {
        b'.' => {
            let before = i > start && b[i - 1].is_ascii_digit();
            let after = i + 1 < end && b[i + 1].is_ascii_digit();
            !(before && after)
        }
        b'-' => {
            // A sign: at the start of a piece, followed by a digit.
            let sign = (i == start || !b[i - 1].is_ascii_alphanumeric())
                && i + 1 < end
                && b[i + 1].is_ascii_digit();
            !sign
        }
        c => DELIMITERS[usize::from(c)],
    }
}

/// Bytes whose presence makes a whole-word kind possible: `/` and `\\` 1, `.` 2, `:` 4, `@` 8,
/// `-` 16 (together [`WHOLE`]); and [`COMMA`], [`EQUALS`], [`PAREN`] (`(`).
const MARKS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b',' as usize] = COMMA;
    table[b'=' as usize] = EQUALS;
    table[b'(' as usize] = PAREN;
    table[b'/' as usize] = 1;
    table[b'\\' as usize] = 1;
    table[b'.' as usize] = 2;
    table[b':' as usize] = 4;
    table[b'@' as usize] = 8;
    table[b'-' as usize] = 16;
    table
};

/// [`MARKS`] in the low byte, [`NOT_PLAIN`] on the bytes a plain word has none of (digits,
/// delimiters, `.` and `-`), and [`SPACE`].
const CLASS: [u16; 256] = {
    let mut table = [0u16; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let plain = !DELIMITERS[c] && b != b'.' && b != b'-' && !b.is_ascii_digit();
        table[c] = MARKS[c] as u16
            | if plain { 0 } else { NOT_PLAIN }
            | if b.is_ascii_whitespace() { SPACE } else { 0 };
        c += 1;
    }
    table
};

const NOT_PLAIN: u16 = 256;
/// ASCII whitespace, between words.
const SPACE: u16 = 512;

const WHOLE: u8 = 31;
const COMMA: u8 = 32;
const EQUALS: u8 = 64;
const PAREN: u8 = 128;

/// Bytes of a key's name: letters, digits, `_`, `-`, `.`.
const NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        table[c] = b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.';
        c += 1;
    }
    table
};

/// Bytes that always end a token.
const DELIMITERS: [bool; 256] = {
    let mut table = [false; 256];
    let set = b"=:,;()[]{}\"'`<>|@/\\#!?*&^~+$ \t\n\r\x0b\x0c";
    let mut i = 0;
    while i < set.len() {
        table[set[i] as usize] = true;
        i += 1;
    }
    table
};

/// `12`, `-3`, `1.5`, `10.0.0.1`, `1,024`, and with a short unit: `12ms`, `3.5s`, `64KB`, `80%`.
fn is_number(p: &[u8]) -> bool {
    let p = p.strip_prefix(b"-").unwrap_or(p);
    let digits = p
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.' || **c == b',')
        .count();
    if digits == 0 || !p[0].is_ascii_digit() {
        return false;
    }
    let unit = &p[digits..];
    unit.len() <= 3 && unit.iter().all(|c| c.is_ascii_alphabetic() || *c == b'%')
}

/// `true` and `false` (as written by most languages' formatters).
fn is_bool(p: &[u8]) -> bool {
    matches!(
        p,
        b"true" | b"false" | b"True" | b"False" | b"TRUE" | b"FALSE"
    )
}

/// `0x1f`, or four or more hex digits with at least one decimal digit (`cba5`, `2d4b0c4`).
fn is_hex(p: &[u8]) -> bool {
    if let Some(rest) = p.strip_prefix(b"0x").or_else(|| p.strip_prefix(b"0X")) {
        return !rest.is_empty() && rest.iter().all(u8::is_ascii_hexdigit);
    }
    p.len() >= 4 && p.iter().all(u8::is_ascii_hexdigit) && p.iter().any(u8::is_ascii_digit)
}

/// Identifiers carrying a number: `blk_-1608`, `attempt_2017_0024_m_44`, `core2014`. A single digit
/// (`ssh2`, `jk2_init`, `SOCKS5`) is usually part of a name and stays constant.
fn is_digit_id(p: &[u8]) -> bool {
    let mut runs = 0;
    let mut longest = 0;
    let mut run = 0;
    for c in p {
        if c.is_ascii_digit() {
            run += 1;
            if run == 1 {
                runs += 1;
            }
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest >= 2 || runs >= 2
}

fn is_url(b: &[u8]) -> bool {
    // Built once: `memmem::find` builds its searcher on every call.
    static SCHEME_END: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"://"));
    SCHEME_END
        .find(b)
        .is_some_and(|i| i > 0 && b[..i].iter().all(u8::is_ascii_alphanumeric))
}

/// `/a/b`, `./a`, `~/a`, `C:\a`, `\\?\a`, `\a\b`, or two or more `/` between names (`a/b/c`).
fn is_path(b: &[u8]) -> bool {
    if b.len() < 2 {
        return false;
    }
    let rooted = (b[0] == b'/' && b[1] != b'/')
        || (b[0] == b'\\' && (b[1] == b'\\' || b[1].is_ascii_alphanumeric() || b[1] == b'_'))
        || b.starts_with(b"./")
        || b.starts_with(b"../")
        || b.starts_with(b"~/")
        || (b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\');
    // A date (`2017/7/1`) has no name in it.
    rooted
        || (memchr::memchr_iter(b'/', b).count() >= 2
            && b[0] != b'/'
            && !b.ends_with(b"/")
            && b.iter().any(u8::is_ascii_alphabetic))
}

fn is_email(b: &[u8]) -> bool {
    let Some(at) = memchr::memchr(b'@', b) else {
        return false;
    };
    at > 0
        && b[..at]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-'))
        && is_domain_like(&b[at + 1..])
}

fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `10.0.0.1`, `10.0.0.1:8080`, `/10.0.0.1:8080`.
fn is_ipv4(b: &[u8]) -> bool {
    let b = b.strip_prefix(b"/").unwrap_or(b);
    let (addr, port) = match memchr::memchr(b':', b) {
        Some(i) => (&b[..i], Some(&b[i + 1..])),
        None => (b, None),
    };
    let mut parts = 0;
    for part in addr.split(|c| *c == b'.') {
        if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
            return false;
        }
        parts += 1;
    }
    parts == 4 && port.is_none_or(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
}

/// IPv6 addresses and MAC addresses: hex groups joined by two or more `:`.
fn is_colon_hex(b: &[u8]) -> bool {
    let colons = memchr::memchr_iter(b':', b).count();
    colons >= 2
        && b.iter().all(|c| c.is_ascii_hexdigit() || *c == b':')
        && b.iter().any(u8::is_ascii_digit)
        && !b.split(|c| *c == b':').any(|g| g.len() > 4)
}

/// `host.example.com:443`, `localhost:8080`.
fn is_host_port(b: &[u8]) -> bool {
    let Some(i) = memchr::memrchr(b':', b) else {
        return false;
    };
    let (host, port) = (&b[..i], &b[i + 1..]);
    !port.is_empty()
        && port.len() <= 5
        && port.iter().all(u8::is_ascii_digit)
        && !host.is_empty()
        && host
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'-')
        && host[0].is_ascii_alphanumeric()
        // A dotted name ending in a lowercase label, or a lowercase name with a port of two or
        // more digits (`wpad:80`): `state.clipTopAmount:180` and `index:0` are not hosts.
        && (port.len() >= 2 && host.iter().all(|c| c.is_ascii_lowercase() || *c == b'-')
            || host.contains(&b'.')
                && host
                    .rsplit(|c| *c == b'.')
                    .next()
                    .is_some_and(|tld| !tld.is_empty() && tld.iter().all(u8::is_ascii_lowercase)))
}

/// A domain name ending in a common top-level domain: `www.example.com`, `n219.netvigator.com`.
/// Dotted names in general are left alone: `org.apache.Foo` and `NameSystem.addStoredBlock` are code.
/// Three or more lowercase labels ending in a short alphabetic one, one of them with a digit or
/// a dash, are taken for a host too: `customer-187-141.uninet-ide.com.mx` (but `mapred.job.id`
/// is a property name).
fn is_domain(b: &[u8]) -> bool {
    if is_domain_like(b) {
        return true;
    }
    // One pass over the labels, nothing collected: this runs on every dotted word.
    let (mut labels, mut numbered, mut last): (usize, bool, &[u8]) = (0, false, &[]);
    for l in b.split(|c| *c == b'.') {
        if l.is_empty()
            || !l
                .iter()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        {
            return false;
        }
        numbered |= l.iter().any(|c| c.is_ascii_digit() || *c == b'-');
        labels += 1;
        last = l;
    }
    labels >= 3
        && (2..=3).contains(&last.len())
        && numbered
        && last.iter().all(u8::is_ascii_lowercase)
}

fn is_domain_like(b: &[u8]) -> bool {
    const TLDS: &[&[u8]] = &[
        b"com",
        b"net",
        b"org",
        b"edu",
        b"gov",
        b"io",
        b"info",
        b"biz",
        b"local",
        b"internal",
        b"lan",
        b"cn",
        b"hk",
        b"uk",
        b"de",
        b"fr",
        b"jp",
        b"ru",
        b"us",
        b"eu",
        b"au",
        b"ca",
        b"in",
        b"br",
        b"nl",
        b"it",
        b"es",
        b"ch",
        b"se",
        b"kr",
        b"tw",
        b"dev",
        b"app",
        b"cloud",
    ];
    let labels = b.split(|c| *c == b'.');
    let mut count = 0;
    let mut last: &[u8] = &[];
    for label in labels {
        if label.is_empty()
            || !label
                .iter()
                .all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        {
            return false;
        }
        count += 1;
        last = label;
    }
    count >= 2 && TLDS.iter().any(|t| last.eq_ignore_ascii_case(t))
}

/// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.123+02:00`, `2024/05/01`, `2024-05-01`.
fn is_timestamp(b: &[u8]) -> bool {
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && (b[4] == b'-' || b[4] == b'/')
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b[4]
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10..].iter().all(|c| {
            c.is_ascii_digit() || matches!(c, b'T' | b':' | b'.' | b',' | b'+' | b'-' | b'Z')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the Loghub sample, each of its words alone and 20,000 random strings give,
    /// with every mask on, none, a user mask besides or the first six, the tokens the masker gave
    /// before its single-pass rewrite: their digest was recorded from that masker (the rewrite
    /// was checked token for token against it). A change meant to change tokens re-records the
    /// digest and says why.
    #[test]
    fn tokens_are_those_recorded_before_the_single_pass_rewrite() {
        let all: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        let user = vec![(
            "request".to_owned(),
            Regex::new(r"\b(?:req|blk)[-_][0-9a-zA-Z-]+").unwrap(),
        )];
        // Built-in mask names and user masks.
        type Config<'a> = (&'a [String], &'a [(String, Regex)]);
        let configs: [Config<'_>; 4] = [(&all, &[]), (&[], &[]), (&all, &user), (&all[..6], &[])];
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/same-output/loghub-sample.log"
        );
        let text = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
        let mut messages: Vec<String> = text.lines().map(str::to_owned).collect();
        // Each whitespace-separated part of a line on its own too: words at the start and end.
        let words: Vec<String> = messages
            .iter()
            .flat_map(|l| l.split(' ').map(str::to_owned).collect::<Vec<_>>())
            .collect();
        messages.extend(words);
        messages.extend(odd_messages(
            "ab.Z9:0=/()[]{}<>\"'-_#,;| \\$@~é€12 MB ms PDT Jul Fri true x%",
            0x2545_f491_4f6c_dd1d,
        ));
        let mut tokens = Vec::new();
        let mut digest = Vec::new();
        for (names, extra) in configs {
            let masker = Masker::new(names, extra);
            for message in &messages {
                masker.tokenize(message, &mut tokens);
                for t in &tokens {
                    digest.extend_from_slice(&t.start.to_le_bytes());
                    digest.extend_from_slice(&t.end.to_le_bytes());
                    digest.push(u8::from(t.var));
                }
                digest.push(0xff);
            }
        }
        assert_eq!(messages.len(), 82_836);
        assert_eq!(
            format!("{:016x}", xxhash_rust::xxh3::xxh3_64(&digest)),
            "cd6e1b31d42becae"
        );
    }

    fn masked(message: &str) -> String {
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        Masker::new(&names, &[]).mask(message)
    }

    #[test]
    fn each_kind_is_masked() {
        let cases = [
            ("job 17 failed", "job <*> failed"),
            ("took 3.5s and 12ms", "took <*> and <*>"),
            ("err=-16020", "err=<*>"),
            ("addr 0x7ffd1a2b", "addr <*>"),
            ("object 2d4b0c4 freed", "object <*> freed"),
            (
                "id 3f2a9c1e-8b7d-4e5f-a6b7-c8d9e0f1a2b3 done",
                "id <*> done",
            ),
            ("from 10.1.2.3:8080 to /10.1.2.4", "from <*>:<*> to <*>"),
            ("via fe80::1ff:fe23:4567:890a", "via <*>"),
            ("host proxy.example.com:5070 ok", "host <*>:<*> ok"),
            ("rhost=n219.netvigator.com user", "rhost=<*> user"),
            ("mail bob.smith@example.org now", "mail <*> now"),
            ("open /var/log/app.log", "open <*>"),
            ("saved to hdfs://10.0.0.1:9000/tmp/x", "saved to <*>"),
            ("at 2024-05-01T12:00:00.123Z start", "at <*> start"),
            ("block blk_-1608999687919862906 ok", "block <*> ok"),
            ("generating core.45943", "generating core.<*>"),
            (
                "setLightsOn(true) visible=False",
                "setLightsOn(<*>) visible=<*>",
            ),
            (
                "ws=WorkSource{10113} bounds=Rect(0, 0)",
                "ws=<*> bounds=Rect(<*>, <*>)",
            ),
            (
                "[instance: faf974ea-cba5-4e1b-93f4-3a3bc606006f]",
                "[instance: <*>]",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(masked(message), want, "{message}");
        }
    }

    #[test]
    fn names_with_one_digit_and_code_stay_constant() {
        for message in [
            "Failed password for root port ssh2",
            "jk2_init() Found child",
            "NameSystem.addStoredBlock: blockMap updated",
            "open through proxy SOCKS5",
            "org.apache.hadoop.Foo started",
        ] {
            assert_eq!(masked(message), message);
        }
    }

    #[test]
    fn masks_can_be_turned_off_and_added() {
        let none = Masker::new(&[], &[]);
        assert_eq!(none.mask("job 17 failed"), "job 17 failed");
        let order = Regex::new(r"ORD-[0-9A-Z]+").unwrap();
        let user = Masker::new(&[], &[("order".into(), order)]);
        assert_eq!(user.mask("order ORD-7X2 shipped"), "order <*> shipped");
    }

    #[test]
    fn a_unit_after_a_space_is_a_word_unless_the_size_is_formatted() {
        let cases = [
            ("request took 12 ms", "request took <*> ms"),
            (
                "claim: memory 512 MB, disk 20 GB",
                "claim: memory <*> MB, disk <*> GB",
            ),
            ("lifetime <1 sec", "lifetime <<*> sec"),
            // One decimal: a formatter chose the unit by magnitude.
            (
                "cached (size 5.2 KB, free 93.0 B)",
                "cached (size <*>, free <*>)",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(masked(message), want, "{message}");
        }
    }

    #[test]
    fn list_separators_between_values_are_constants() {
        let cases = [
            (
                "steps = 1514038440000##6993##548365##8661",
                "steps = <*>##<*>##<*>##<*>",
            ),
            (
                "upload time=25233975,0,93,0,20002",
                "upload time=<*>,<*>,<*>,<*>,<*>",
            ),
            ("ports 0x60,0x64 irq 12", "ports <*>,<*> irq <*>"),
            // Joined by `:` and `.`, the parts are one address.
            ("bridge - 0000:00:1e.0", "bridge - <*>"),
        ];
        for (message, want) in cases {
            assert_eq!(masked(message), want, "{message}");
        }
    }

    #[test]
    fn a_compound_value_closes_the_brackets_it_opens() {
        assert_eq!(
            masked("interrupt 0000:00:02.0[A] -> GSI 16"),
            "interrupt <*> -> GSI <*>"
        );
        assert_eq!(masked("slot (0000:00:02.0[B])"), "slot (<*>)");
    }

    #[test]
    fn a_name_before_a_value_stays_constant() {
        let cases = [
            (
                "reading x.conf [file=/etc/app.conf] [line=15]",
                "reading x.conf [file=<*>] [line=<*>]",
            ),
            ("error Path:/home/u/.cache done", "error Path:<*> done"),
            ("LOGIN chdir(/p/q/r) failed", "LOGIN chdir(<*>) failed"),
            (
                "card mLp(FF:F2:9F:16:CF:0F), mIp(10.2.2.80)",
                "card mLp(<*>), mIp(<*>)",
            ),
        ];
        for (message, want) in cases {
            assert_eq!(masked(message), want, "{message}");
        }
    }

    #[test]
    fn empty_lists_and_maps_stay_constant() {
        assert_eq!(masked("stats=[] opts={} ok"), "stats=[] opts={} ok");
        assert_eq!(masked("user \"\" from ()"), "user \"<*>\" from (<*>)");
    }

    #[test]
    fn a_quote_that_closes_nothing_belongs_to_the_value() {
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        let masker = Masker::new(&names, &[]);
        let mut tokens = Vec::new();
        let message = r#"release tag="a b", name=app", uid=3"#;
        masker.tokenize(message, &mut tokens);
        let texts: Vec<&str> = tokens.iter().map(|t| t.text(message)).collect();
        assert_eq!(
            texts,
            ["release", "tag", "a", "b", "name", "app\"", "uid", "3"]
        );
    }

    #[test]
    fn paths_of_every_kind_and_dates_that_are_not() {
        let cases = [
            (
                "hive '{bf1a281b-ad7b-4476-ac95-f47682990ce7}ROOT/Device/Volume2/config' loaded",
                "hive '<*>' loaded",
            ),
            (r"from '\\?\ROOT\Device\Volume2\config'.", "from '<*>'."),
            (r"Routing Table [\_SB_.PCI0._PRT]", "Routing Table [<*>]"),
            ("sleep 2017/7/1 done", "sleep <*>/<*>/<*> done"),
        ];
        for (message, want) in cases {
            assert_eq!(masked(message), want, "{message}");
        }
    }

    #[test]
    fn a_time_zone_belongs_to_its_time() {
        assert_eq!(
            masked("status changed: M Fri Jul 01 08:16:53 PDT 2005"),
            "status changed: M <*>"
        );
        // Not after a time: a word like any other.
        assert_eq!(masked("zone 3 EST only"), "zone <*> EST only");
    }

    #[test]
    fn code_locations_are_values() {
        assert_eq!(
            masked("called by com.example.Store.save:2060 com.example.Api.put$1:88 ok"),
            "called by <*> ok"
        );
        // Without a line it is a name, and a two-part one is a key and value.
        assert_eq!(
            masked("via com.example.Store.save"),
            "via com.example.Store.save"
        );
        assert_eq!(masked("state.clipTop:180"), "state.clipTop:<*>");
    }

    #[test]
    fn an_open_structure_after_a_key_is_split() {
        assert_eq!(
            masked("skip token=Token{78af589 Record{3b04890 u0}} now"),
            "skip token=Token{<*> Record{<*> u0}} now"
        );
        assert_eq!(masked("ws=WorkSource{10113} uid=3"), "ws=<*> uid=<*>");
    }

    #[test]
    fn tokens_cover_the_message_in_order() {
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        let masker = Masker::new(&names, &[]);
        let mut tokens = Vec::new();
        let message = "été: (a=1, b=[x y]) «ü» /p/q.";
        masker.tokenize(message, &mut tokens);
        let mut at = 0;
        for t in &tokens {
            assert!(t.start as usize >= at && t.end > t.start);
            assert!(message.is_char_boundary(t.start as usize));
            assert!(message.is_char_boundary(t.end as usize));
            at = t.end as usize;
        }
    }

    #[test]
    fn tokens_stay_in_order_on_odd_input() {
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        let masker = Masker::new(&names, &[]);
        let mut tokens = Vec::new();
        let odd = odd_messages(
            "ab.Z9:0=/()[]{}<>\"'-_#,;| \\$@~é€12 MB ms PDT",
            0x9e37_79b9_7f4a_7c15,
        );
        for message in odd {
            masker.tokenize(&message, &mut tokens);
            let mut at = 0;
            for t in &tokens {
                assert!(t.start as usize >= at && t.end >= t.start, "{message:?}");
                assert!(t.end > t.start || t.var, "{message:?}");
                assert!(message.is_char_boundary(t.start as usize), "{message:?}");
                assert!(message.is_char_boundary(t.end as usize), "{message:?}");
                at = t.end as usize;
            }
        }
    }

    /// 20,000 strings of 1 to 64 characters of `alphabet`, the same for a `seed` every time.
    fn odd_messages(alphabet: &str, mut seed: u64) -> Vec<String> {
        let alphabet: Vec<char> = alphabet.chars().collect();
        let mut next = move || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            seed
        };
        (0..20_000)
            .map(|_| {
                let len = (next() >> 58) + 1;
                (0..len)
                    .map(|_| alphabet[(next() >> 33) as usize % alphabet.len()])
                    .collect()
            })
            .collect()
    }
}
