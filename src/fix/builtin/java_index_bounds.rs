//! Java `ArrayIndexOutOfBoundsException` / `StringIndexOutOfBoundsException` (and the
//! `IndexOutOfBoundsException` of a list) → the change the code around the index shows.
//!
//! JDK 17 prints, for `a[5]` of a 5-element array, `list.get(5)`, `s.substring(0, 12)` of a
//! 9-character string, `s.charAt(9)` and `sb.charAt(9)`:
//!
//! ```text
//! java.lang.ArrayIndexOutOfBoundsException: Index 5 out of bounds for length 5
//! java.lang.IndexOutOfBoundsException: Index 5 out of bounds for length 5
//! java.lang.StringIndexOutOfBoundsException: begin 0, end 12, length 9
//! java.lang.StringIndexOutOfBoundsException: String index out of range: 9
//! java.lang.StringIndexOutOfBoundsException: index 9, length 9
//! ```
//!
//! Strategies, in order: (a) the failing line reads `xs[i]` (`s.charAt(i)`, `xs.get(i)`) in a
//! counting loop `for (…; i <= xs.length; …)`, the index is the length: the bound is off by one
//! and becomes `<`; (b) `s.substring(0, W)` where `W` is a literal or a constant (a display
//! width) and the text is shorter: the cut is the intent, so the end becomes
//! `Math.min(W, s.length())`; (c) `parts[K]` of a `String[] parts = line.split(…)` in a loop
//! over lines: the short record is skipped with a warning naming it, before any of its fields
//! is used. Otherwise nothing: a computed index (`indexOf` gave -1, `i + 1`) or a fixed-width
//! field of a short line says the data or the arithmetic is wrong, and no bound is right.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{self, BlockKind, Source, UseKind};
use super::code::{is_ident, is_name_chain, Lang, Line};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct IndexBounds;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:Index (?P<i1>-?\d+) out of bounds for length (?P<l1>\d+)",
        r"|index (?P<i2>-?\d+), ?length (?P<l2>\d+)",
        r"|String index out of range: (?P<i3>-?\d+)",
        r"|begin (?P<begin>-?\d+), end (?P<end>-?\d+), length (?P<l3>\d+))\s*$",
    ))
    .expect("valid regex")
});

/// The JDK code that checks an index the site's own expression passed: a frame of these is
/// the site's `charAt`, `substring` or `get`, not a library of its own.
const CHECKS: &[&str] = &[
    "java.lang.String.",
    "java.lang.StringLatin1.",
    "java.lang.StringUTF16.",
    "java.lang.AbstractStringBuilder.",
    "java.lang.StringBuilder.",
    "java.lang.StringIndexOutOfBoundsException.",
    "jdk.internal.util.Preconditions",
    "java.util.Objects.",
    "java.util.ArrayList.",
    "java.util.ImmutableCollections",
    "java.util.Arrays$ArrayList.",
];

/// What the message says of the index.
struct Bounds {
    index: Option<i64>,
    length: Option<i64>,
    /// `substring`'s begin and end.
    range: Option<(i64, i64)>,
}

fn bounds(message: &str) -> Option<Bounds> {
    let c = MESSAGE.captures(message.trim())?;
    let num = |n: &str| c.name(n).and_then(|m| m.as_str().parse::<i64>().ok());
    Some(Bounds {
        index: num("i1").or(num("i2")).or(num("i3")),
        length: num("l1").or(num("l2")).or(num("l3")),
        range: num("begin").zip(num("end")),
    })
}

impl Generator for IndexBounds {
    fn name(&self) -> String {
        "java-index-bounds".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Java",
            error: "`ArrayIndexOutOfBoundsException` / `StringIndexOutOfBoundsException` (`Index 5 out of bounds for length 5`, `begin 0, end 12, length 9`): a loop bound off by one, a display-width cut, a short split record in a loop",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        let kinds = [
            "ArrayIndexOutOfBoundsException",
            "StringIndexOutOfBoundsException",
            "IndexOutOfBoundsException",
        ];
        if cx.language != Some(Language::Java) || !cx.kind().is_some_and(|k| kinds.contains(&k)) {
            return Err(Skip::NotApplicable);
        }
        let Some(b) = bounds(cx.exception_message()) else {
            return decline(format!(
                "the message '{}' gives no index and length",
                excerpt(cx.exception_message(), 80)
            ));
        };
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        if let Some(f) = &site.raised_in_library {
            if !CHECKS.iter().any(|c| f.starts_with(c)) {
                site.failed_here()?;
            }
        }
        if b.index.is_some_and(|i| i < 0) || b.range.is_some_and(|(s, e)| s < 0 || e < s) {
            return decline(format!(
                "the index at {}:{} is negative or the range reversed: a search found nothing \
                 (indexOf gave -1) or the arithmetic is wrong, and no bound makes it right",
                site.path, site.line
            ));
        }
        let src = Source::new(&site.content, Lang::Java);
        let Some(line) = src.line(site.line) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let mut reasons = Vec::new();
        for attempt in [loop_bound, display_width, short_record] {
            match attempt(site, &src, line, &b) {
                Ok(draft) => return Ok(draft),
                Err(Skip::Declined(why)) => reasons.push(why),
                Err(Skip::NotApplicable) => {}
            }
        }
        let head = format!(
            "{} at {}:{}",
            cx.kind().unwrap_or("IndexOutOfBoundsException"),
            site.path,
            site.line
        );
        if reasons.is_empty() {
            return decline(format!(
                "{head}: no loop bound, display width or split record explains the index the \
                 line reads (or the line changed since): a computed index is wrong arithmetic or \
                 wrong data, and no bound makes it right"
            ));
        }
        decline(format!("{head}: no fix: {}", reasons.join("; ")))
    }
}

/// `i <= xs.length` in the header of the counting loop around the failing `xs[i]`.
fn loop_bound(site: &Site, src: &Source<'_>, line: &Line<'_>, b: &Bounds) -> Result<Draft, Skip> {
    let lp = src.loop_at(site.line).ok_or(Skip::NotApplicable)?;
    let BlockKind::For { index: Some(i), .. } = &lp.kind else {
        return Err(Skip::NotApplicable);
    };
    let header = Regex::new(&format!(
        r"^(.*;\s*){}\s*<=\s*([A-Za-z_$][\w$.]*?)\.(length\b(?:\(\))?|size\(\))\s*;",
        regex::escape(i)
    ))
    .expect("valid regex");
    let head_line = src.line(lp.open).ok_or(Skip::NotApplicable)?;
    let Some(c) = header.captures(head_line.text) else {
        return Err(Skip::NotApplicable);
    };
    // From 0: a loop from 1 to the length inclusive counts from 1, and its body, not its
    // bound, is off by one (`xs[i - 1]`).
    let from_zero = Regex::new(&format!(
        r"for\s*\(\s*(?:int\s+|var\s+|long\s+)?{}\s*=\s*0\s*;",
        regex::escape(i)
    ))
    .expect("valid regex");
    if !from_zero.is_match(head_line.text) {
        return decline(format!(
            "the loop at {}:{} does not count from 0: its bound may be meant, and the index in \
             its body wrong",
            site.path, lp.open
        ));
    }
    let xs = c[2].to_string();
    let at = c.get(1).map(|m| m.end()).unwrap_or(0) + i.len();
    let le = head_line.text[at..]
        .find("<=")
        .map(|k| at + k)
        .ok_or(Skip::NotApplicable)?;
    let accesses = [
        format!("{xs}[{i}]"),
        format!("{xs}.charAt({i})"),
        format!("{xs}.get({i})"),
    ];
    let bt = line.bytes();
    let read = accesses.iter().any(|a| {
        line.find_code(a)
            .into_iter()
            .any(|s| s == 0 || !(is_ident(bt[s - 1]) || bt[s - 1] == b'.'))
    });
    if !read {
        return decline(format!(
            "{}:{} does not read `{xs}[{i}]` of the loop `{}`",
            site.path,
            site.line,
            excerpt(&lp.header, 60)
        ));
    }
    if b.index.zip(b.length).is_some_and(|(k, n)| k != n) || b.range.is_some() {
        return decline(format!(
            "the index is not the length at {}:{}: it is not the loop's last turn",
            site.path, site.line
        ));
    }
    // A body that handles the turn at the length on purpose (`i == xs.length`) keeps it.
    let last = Regex::new(&format!(
        r"\b{}\s*==|==\s*{}\b",
        regex::escape(i),
        regex::escape(i)
    ))
    .expect("valid regex");
    if (lp.open + 1..lp.close).any(|n| last.is_match(src.code(n))) {
        return decline(format!(
            "the loop at {}:{} tests `{i}` against a value of its own: the last turn may be meant",
            site.path, lp.open
        ));
    }
    let mut new = head_line.text.to_string();
    new.replace_range(le..le + 2, "<");
    let here = Site {
        line: lp.open,
        ..site.clone()
    };
    Draft::on_line(
        &here,
        &new,
        format!(
            "Index out of bounds at {}:{}: the loop at line {} runs `{i}` up to `{xs}.{}` \
             inclusive, one past the last element, and its last turn reads `{xs}` at `{i}`. The \
             bound is off by one: `{i} < {xs}.{}` visits every element once and stops.",
            site.path, site.line, lp.open, &c[3], &c[3]
        ),
        "idiomatic",
        true,
    )
}

/// `s.substring(0, W)` with `W` a literal or constant: a cut to a width.
fn display_width(
    site: &Site,
    src: &Source<'_>,
    line: &Line<'_>,
    b: &Bounds,
) -> Result<Draft, Skip> {
    let Some((begin, end)) = b.range else {
        return Err(Skip::NotApplicable);
    };
    let text = line.text;
    let mut found = Vec::new();
    for s in line.find_code(".substring(") {
        let open = s + ".substring".len();
        let Some(close) = line.matching_close(open) else {
            continue;
        };
        let args = braces::split_top(&text[open + 1..close]);
        let Some(start) = line.primary_start(s) else {
            continue;
        };
        if args.len() == 2 {
            found.push((start, s, open, close, args));
        }
    }
    let [(start, dot, open, close, args)] = found.as_slice() else {
        return if found.is_empty() {
            Err(Skip::NotApplicable)
        } else {
            decline(format!(
                "several substring calls on {}:{}",
                site.path, site.line
            ))
        };
    };
    let receiver = &text[*start..*dot];
    let width = &args[1];
    let literal = width.parse::<i64>().ok();
    let constant = width.len() > 1
        && width
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        && width.starts_with(|c: char| c.is_ascii_uppercase());
    if args[0] != "0" || begin != 0 {
        return decline(format!(
            "`{}` cuts a field at a fixed offset: a line too short for it is wrong data, and a \
             shorter field is not the value",
            excerpt(&text[*start..=*close], 60)
        ));
    }
    // A width: a constant named for one, or a cut whose result is only shown (printed,
    // concatenated, formatted). A prefix the code goes on to parse is not a width.
    static WIDTH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"WIDTH|MAX|LIMIT|COLUMN|COLS|CHARS|PREVIEW|TRUNC|SHORT|LABEL")
            .expect("valid regex")
    });
    let shown = {
        let end_at = *close + 1;
        let f_end = src
            .function_at(site.line)
            .map(|f| f.close)
            .unwrap_or(src.len());
        match braces::use_at(line, *start, end_at) {
            UseKind::Text => true,
            UseKind::Bound(v) => {
                let uses = src.uses(&v, site.line, end_at, f_end);
                !uses.is_empty() && uses.iter().all(|u| u.kind == UseKind::Text)
            }
            _ => false,
        }
    };
    if !(constant && WIDTH.is_match(width) || shown) {
        return decline(format!(
            "`{}` at {}:{} is not shown as it is cut (printed or formatted), and `{}` is not \
             named for a width: a shorter piece may be parsed as a wrong value",
            excerpt(&text[*start..=*close], 60),
            site.path,
            site.line,
            excerpt(width, 40)
        ));
    }
    if !(constant || literal == Some(end)) {
        return decline(format!(
            "the end `{}` of the substring at {}:{} is computed, not a width: where it comes \
             from is the bug",
            excerpt(width, 40),
            site.path,
            site.line
        ));
    }
    // Names and argument-less accessors (`m.name()` of a record) read the same twice.
    static ACCESSORS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*(?:\(\))?)*$").expect("valid regex")
    });
    if !(is_name_chain(receiver) || ACCESSORS.is_match(receiver)) {
        return decline(format!(
            "`{}` cannot be read twice for its length",
            excerpt(receiver, 40)
        ));
    }
    let mut new = text.to_string();
    new.replace_range(
        open + 1..*close,
        &format!("0, Math.min({width}, {receiver}.length())"),
    );
    Draft::on_line(
        site,
        &new,
        format!(
            "StringIndexOutOfBoundsException at {}:{} in {}: `{}` cuts the text to a width of \
             {width}, and this one is shorter ({} characters). The cut is a truncation, so the \
             end is the width or the text's own length, whichever is less: a short text is \
             kept whole.",
            site.path,
            site.line,
            site.frame.function.as_deref().unwrap_or("?"),
            excerpt(&text[*start..=*close], 60),
            b.length.unwrap_or(0)
        ),
        "value-guard",
        true,
    )
}

/// `parts[K]` of a split line in a loop over records: skip the short record.
fn short_record(site: &Site, src: &Source<'_>, line: &Line<'_>, b: &Bounds) -> Result<Draft, Skip> {
    let (Some(k), Some(n)) = (b.index, b.length) else {
        return Err(Skip::NotApplicable);
    };
    if b.range.is_some() || k < n {
        return Err(Skip::NotApplicable);
    }
    let access = Regex::new(&format!(r"\b([A-Za-z_$][\w$]*)\[\s*{k}\s*\]")).expect("valid regex");
    let names: Vec<String> = access
        .captures_iter(line.text)
        .filter(|c| c.get(0).is_some_and(|m| line.is_code(m.start())))
        .map(|c| c[1].to_string())
        .collect();
    let Some(parts) = names.first().cloned() else {
        return Err(Skip::NotApplicable);
    };
    if names.iter().any(|p| *p != parts) {
        return decline(format!(
            "several arrays read at [{k}] on {}:{}",
            site.path, site.line
        ));
    }
    let lp = src.loop_at(site.line).ok_or_else(|| {
        Skip::Declined(format!(
            "`{parts}[{k}]` at {}:{} is in no loop over records: a short input there is an \
             error to report, not a record to skip",
            site.path, site.line
        ))
    })?;
    let decl = Regex::new(&format!(
        r"^(?:final\s+)?(?:String\s*\[\]|var)\s+{}\s*=.*\.split\(",
        regex::escape(&parts)
    ))
    .expect("valid regex");
    let Some(at) = (lp.open + 1..=site.line).find(|&n| decl.is_match(src.code(n))) else {
        return decline(format!(
            "`{parts}` is not a split line declared in the loop at {}:{}",
            site.path, lp.open
        ));
    };
    if !src.whole_statement(at) {
        return decline(format!("{}:{at} is not a whole statement", site.path));
    }
    // Every field the loop reads, so that the guard covers all of them.
    let any =
        Regex::new(&format!(r"\b{}\[\s*(\d+)\s*\]", regex::escape(&parts))).expect("valid regex");
    let need = (lp.open + 1..lp.close)
        .flat_map(|n| {
            any.captures_iter(src.code(n))
                .filter_map(|c| c[1].parse::<i64>().ok())
                .collect::<Vec<_>>()
        })
        .max()
        .unwrap_or(k)
        + 1;
    let body = braces::lines_text(&site.content, lp.open, lp.close);
    let Some(id) = braces::record_id(&lp, &body, Lang::Java) else {
        return decline("the loop names no record");
    };
    let noun = match &lp.kind {
        BlockKind::For { var: Some(v), .. } => v.clone(),
        _ => "record".into(),
    };
    let logger = braces::logger(&site.content, Lang::Java);
    let warn = format!(
        "{logger}(\"skipping {noun} \" + {id} + \": expected {need} fields, got \" + {parts}.length);"
    );
    let indent = src.line(at).map(|l| l.indent()).unwrap_or("");
    let lines = braces::guard(
        &site.content,
        indent,
        &format!("{parts}.length < {need}"),
        &[warn, lp.next_element().into()],
    );
    let Some(edit) = braces::insert_before(&site.path, &site.content, at + 1, &lines) else {
        return decline("the line is gone");
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "ArrayIndexOutOfBoundsException at {}:{}: `{parts}[{k}]` of a record split into {n} \
             fields. The loop at line {} reads the records one at a time and uses {need} fields \
             of each, so a shorter record is skipped with a warning naming it, right after the \
             split and before any of its fields is used; the other records are still processed.",
            site.path, site.line, lp.open
        ),
        at_column: Some(false),
        strategy: crate::fix::factor::strategy("skip-record"),
    })
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(
        body: &str,
        at: usize,
        kind: &str,
        msg: &str,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("package app;\nclass A {{\n  static final int NAME_WIDTH = 12;\n  void f(java.util.List<String> lines, int[] a, String s) {{\n{body}\n  }}\n}}\n");
        let trace = format!(
            "Exception in thread \"main\" java.lang.{kind}: {msg}\n\tat app.A.f(A.java:{at})\n\tat app.A.main(A.java:99)"
        );
        propose(&[("src/main/java/app/A.java", &src)], &trace)
    }

    #[test]
    fn an_inclusive_loop_bound_becomes_exclusive() {
        let (sols, notes) = run(
            "    int t = 0;\n    for (int i = 0; i <= a.length; i++) {\n      t += a[i];\n    }\n    System.out.println(t);",
            7,
            "ArrayIndexOutOfBoundsException",
            "Index 3 out of bounds for length 3",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    for (int i = 0; i < a.length; i++) {"],
            "{notes:?}"
        );
        let (sols, notes) = run(
            "    int t = 0;\n    for (int i = 1; i <= a.length; i++) {\n      t += a[i];\n    }",
            7,
            "ArrayIndexOutOfBoundsException",
            "Index 3 out of bounds for length 3",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("count from 0")),
            "{notes:?}"
        );
        // `a[i + 1]` is another bug than the bound.
        let (sols, notes) = run(
            "    int t = 0;\n    for (int i = 0; i <= a.length; i++) {\n      t += a[i + 1];\n    }",
            7,
            "ArrayIndexOutOfBoundsException",
            "Index 3 out of bounds for length 3",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("does not read")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_width_cut_keeps_a_short_text_whole() {
        let (sols, notes) = run(
            "    System.out.println(s.substring(0, NAME_WIDTH) + \"|\");",
            5,
            "StringIndexOutOfBoundsException",
            "begin 0, end 12, length 9",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "    System.out.println(s.substring(0, Math.min(NAME_WIDTH, s.length())) + \"|\");"
            ],
            "{notes:?}"
        );
        let (sols, notes) = run(
            "    System.out.println(s.substring(0, s.indexOf(':')));",
            5,
            "StringIndexOutOfBoundsException",
            "begin 0, end -1, length 9",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(notes.iter().any(|n| n.contains("negative")), "{notes:?}");
        let (sols, notes) = run(
            "    int cc = Integer.parseInt(s.substring(0, 3));\n    System.out.println(cc);",
            5,
            "StringIndexOutOfBoundsException",
            "begin 0, end 3, length 2",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(notes.iter().any(|n| n.contains("not shown")), "{notes:?}");
        let (sols, _) = run(
            "    System.out.println(s.substring(4, 8));",
            5,
            "StringIndexOutOfBoundsException",
            "begin 4, end 8, length 6",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
    }

    #[test]
    fn a_short_split_record_is_skipped() {
        let (sols, notes) = run(
            "    for (String line : lines) {\n      String[] parts = line.split(\",\");\n      String id = parts[0];\n      int qty = Integer.parseInt(parts[2]);\n      System.out.println(id + qty);\n    }",
            8,
            "ArrayIndexOutOfBoundsException",
            "Index 2 out of bounds for length 2",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "      if (parts.length < 3) {",
                "        System.err.println(\"skipping line \" + line + \": expected 3 fields, got \" + parts.length);",
                "        continue;",
                "      }",
            ],
            "{notes:?}"
        );
        assert!(sols[0].diff.contains("split(\",\");\n+      if"));
        // Outside a loop the input is one, and skipping it is no answer.
        let (sols, notes) = run(
            "    String[] hp = s.split(\":\");\n    System.out.println(hp[1]);",
            6,
            "ArrayIndexOutOfBoundsException",
            "Index 1 out of bounds for length 1",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("no loop over records")),
            "{notes:?}"
        );
    }
}
