//! Java `NumberFormatException` of blank input (an empty CSV cell, `key=` in a properties
//! file) → the program's own default for that value, else the record is skipped.
//!
//! JDK 17 prints, for `Integer.parseInt` / `Long.parseLong` / `valueOf` of `""` or `" "`, and for
//! `Double.parseDouble` / `Float.parseFloat` of either:
//!
//! ```text
//! Exception in thread "main" java.lang.NumberFormatException: For input string: ""
//!     at java.base/java.lang.NumberFormatException.forInputString(NumberFormatException.java:67)
//!     at java.base/java.lang.Integer.parseInt(Integer.java:678)
//!     at java.base/java.lang.Integer.parseInt(Integer.java:786)
//!     at app.Config.load(Config.java:14)
//! java.lang.NumberFormatException: For input string: " "
//! java.lang.NumberFormatException: empty String
//! ```
//!
//! Strategies, in order: (a) the default the code base gives that value: the line's own
//! `raw == null ? D : Integer.parseInt(raw)` (the blank test joins the null test), a
//! `getProperty("key", "N")` of the same key elsewhere, or a numeric `DEFAULT_KEY` constant of
//! the file (named after the key or the local the value goes to) → `raw.isBlank() ? D :
//! Integer.parseInt(raw)`; (b) the parse is a statement of a `for` loop over records and its
//! input comes from the record → the record is skipped with a warning naming it. No change for
//! input that is not blank (`"12a"`: the data is wrong, not the code), for `Cannot parse null
//! string` (null is another bug than a blank field), or when the input is not an expression that
//! can be read twice.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{self, BlockKind, Source};
use super::code::{constant_case, is_ident, Lang, Line};
use crate::fix::edit::Edit;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct NumberFormat;

static BLANK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^(?:For input string: "(?P<input>[^"]*)"(?: under radix \d+)?|(?P<empty>empty String))\s*$"#)
        .expect("valid regex")
});

static PARSE_FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"java\.lang\.(Integer|Long|Double|Float|Short)\.(parse\w+|valueOf)$")
        .expect("valid regex")
});

/// An input expression that reads the same twice: names, fields, array cells and getter-like
/// calls (`parts[2].trim()`, `props.getProperty("port")`, `row.get("qty")`).
fn repeatable(expr: &str) -> bool {
    static CALL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\.([A-Za-z_$][\w$]*)\s*\(").expect("valid regex"));
    let pure = |m: &str| {
        matches!(m, "trim" | "strip" | "get" | "substring" | "toString") || m.starts_with("get")
    };
    !expr.is_empty()
        && !expr.contains("new ")
        && !expr.contains("++")
        && !expr.contains("--")
        && !expr.contains(['=', '?'])
        && CALL.captures_iter(expr).all(|c| pure(&c[1]))
        && !expr
            .trim_start()
            .starts_with(|c: char| c.is_ascii_digit() || c == '"')
}

/// The parse call on `line`: (start, end, argument).
fn parse_call(line: &Line<'_>, class: &str, method: &str) -> Vec<(usize, usize, String)> {
    let needle = format!("{class}.{method}(");
    let b = line.bytes();
    line.find_code(&needle)
        .into_iter()
        .filter(|&i| i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b'.'))
        .filter_map(|i| {
            let open = i + needle.len() - 1;
            let close = line.matching_close(open)?;
            let arg = line.text[open + 1..close].trim();
            (braces::split_top(arg).len() == 1).then(|| (i, close + 1, arg.to_string()))
        })
        .collect()
}

/// The default the code base gives the value: (expression, where it comes from).
fn code_default(
    cx: &Context<'_>,
    path: &str,
    content: &str,
    text: &str,
    arg: &str,
) -> Option<(String, String)> {
    let key = Regex::new(r#"\.(?:getProperty|get|getString)\(\s*"([^"]+)"\s*\)"#)
        .expect("valid regex")
        .captures(arg)
        .map(|c| c[1].to_string());
    let mut found: Vec<(String, String)> = Vec::new();
    if let Some(k) = &key {
        let with = Regex::new(&format!(
            r#"getProperty\(\s*"{}"\s*,\s*"(-?[0-9][0-9._]*)"\s*\)"#,
            regex::escape(k)
        ))
        .ok()?;
        for f in cx.repo.files().iter().filter(|p| p.ends_with(".java")) {
            let c = cx.repo.read(f).unwrap_or_default();
            for (n, l) in c.lines().enumerate() {
                for m in with.captures_iter(l) {
                    found.push((
                        m[1].to_string(),
                        format!("the same key's fallback at {f}:{}", n + 1),
                    ));
                }
            }
        }
    }
    if found.is_empty() {
        // `DEFAULT_<KEY>` or `DEFAULT_<LOCAL>`: a numeric constant of the file.
        let local = Regex::new(r"^\s*(?:final\s+)?(?:int|long|double|float|short|Integer|Long|Double)\s+([A-Za-z_$][\w$]*)\s*=")
            .expect("valid regex")
            .captures(text)
            .map(|c| c[1].to_string());
        for word in key.iter().chain(local.iter()) {
            let constant = format!("DEFAULT_{}", constant_case(word));
            let defined = Regex::new(&format!(
                r"\bstatic\s+final\s+(?:int|long|double|float|short)\s+{}\s*=",
                regex::escape(&constant)
            ))
            .ok()?;
            if defined.is_match(content) && !found.iter().any(|(v, _)| *v == constant) {
                found.push((
                    constant.clone(),
                    format!("{constant}, which {path} defines"),
                ));
            }
        }
    }
    let (value, source) = found.first()?.clone();
    if found.iter().any(|(v, _)| *v != value) {
        return None;
    }
    Some((value, source))
}

impl Generator for NumberFormat {
    fn name(&self) -> String {
        "java-number-format".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Java",
            error: "`NumberFormatException: For input string: \"\"` (and `empty String`) of blank input, with the code's own default or a loop over records",
        })
    }

    fn prior(&self) -> f64 {
        0.7
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Java) || cx.kind() != Some("NumberFormatException") {
            return Err(Skip::NotApplicable);
        }
        let message = cx.exception_message().trim();
        if message.starts_with("Cannot parse null string") {
            return decline(
                "the input was null, not a blank field: where the null comes from is the bug",
            );
        }
        let Some(m) = BLANK.captures(message) else {
            return Err(Skip::NotApplicable);
        };
        if let Some(input) = m.name("input").filter(|i| !i.as_str().trim().is_empty()) {
            return decline(format!(
                "the input \"{}\" is not blank: the data is wrong, and no value for it is right",
                excerpt(input.as_str(), 40)
            ));
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        let frames = cx.exception.map(|e| e.frames.as_slice()).unwrap_or(&[]);
        let Some((class, method)) = frames.iter().find_map(|f| {
            let name = f.function.as_deref()?;
            PARSE_FRAME
                .captures(name)
                .map(|c| (c[1].to_string(), c[2].to_string()))
        }) else {
            return decline("the trace shows no Integer/Long/Double parse call");
        };
        let here = format!("{}:{}", site.path, site.line);
        let src = Source::new(&site.content, Lang::Java);
        let Some(line) = src.line(site.line) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let text = line.text;
        let calls = parse_call(line, &class, &method);
        let call = format!("{class}.{method}");
        let (start, end, arg) = match calls.as_slice() {
            [one] => one.clone(),
            [] => {
                return decline(format!(
                    "{here} no longer calls `{call}`: the code changed since the log"
                ))
            }
            _ => {
                return decline(format!(
                    "{here} calls `{call}` several times: which input was blank is unknown"
                ))
            }
        };
        if !repeatable(&arg) {
            return decline(format!(
                "the input of `{call}` at {here} (`{}`) cannot be read twice to test it",
                excerpt(&arg, 50)
            ));
        }
        let head = format!(
            "`{call}({arg})` at {here} throws on a blank field (NumberFormatException: {message})."
        );
        // (a) The line's own fallback for a missing value also covers a blank one.
        let null_test = format!("{arg} == null ?");
        if let Some(k) = line.find_code(&null_test).into_iter().find(|&k| k < start) {
            let mut new = text.to_string();
            new.replace_range(
                k..k + null_test.len(),
                &format!("{arg} == null || {arg}.isBlank() ?"),
            );
            return Draft::on_line(site, &new, format!("{head} The line already falls back to its default when `{arg}` is missing; a blank `{arg}` is missing too."), "default-from-code", false);
        }
        if let Some((value, source)) = code_default(cx, &site.path, &site.content, text, &arg) {
            let whole = text[..start].trim_end().ends_with(['=', '('])
                || text[..start].trim_end().ends_with("return");
            let tail = text[end..].trim_start();
            let bare = whole && (tail.starts_with(';') || tail.starts_with(')'));
            let expr = format!("{arg}.isBlank() ? {value} : {call}({arg})");
            let mut new = text.to_string();
            new.replace_range(start..end, &if bare { expr } else { format!("({expr})") });
            return Draft::on_line(site, &new, format!("{head} The code base's default for it is `{value}` ({source}): a blank field gets it."), "default-from-code", false);
        }
        // (b) Skip the record in the loop over records.
        match skip_record(&site.path, &site.content, &src, site.line, &arg) {
            Ok((edit, why)) => Ok(Draft {
                edits: vec![edit],
                description: format!("{head} {why}"),
                at_column: None,
                strategy: strategy("skip-record"),
            }),
            Err(why) => decline(format!(
                "{head} No fix: the code base defines no default for it, and {why}"
            )),
        }
    }
}

/// `if (arg.isBlank()) { warn; continue; }` before line `n`, when it is a statement of a `for`
/// loop of its method and `arg` comes from the loop's record.
fn skip_record(
    path: &str,
    content: &str,
    src: &Source<'_>,
    n: u32,
    arg: &str,
) -> Result<(Edit, String), String> {
    let lp = src
        .loop_at(n)
        .ok_or("the parse is in no `for` loop over records")?;
    let root: String = arg
        .bytes()
        .take_while(|&b| is_ident(b))
        .map(char::from)
        .collect();
    let from_element = matches!(&lp.kind, BlockKind::For { var: Some(v), .. } if *v == root);
    let decl =
        Regex::new(&format!(r"\b{}\s*=[^=]", regex::escape(&root))).map_err(|e| e.to_string())?;
    if !from_element && !(lp.open + 1..n).any(|k| decl.is_match(src.code(k))) {
        return Err(format!("`{arg}` does not come from the loop's record"));
    }
    if !src.whole_statement(n) {
        return Err(format!("{path}:{n} is not a whole statement"));
    }
    let body = braces::lines_text(content, lp.open, lp.close);
    let id = braces::record_id(&lp, &body, Lang::Java).ok_or("the loop names no record")?;
    let noun = match &lp.kind {
        BlockKind::For { var: Some(v), .. } => v.clone(),
        _ => "record".into(),
    };
    let indent = src.line(n).map(|l| l.indent()).unwrap_or("");
    let warn = format!(
        "{}(\"skipping {noun} \" + {id} + \": {} is blank\");",
        braces::logger(content, Lang::Java),
        arg.replace('"', "\\\"")
    );
    let lines = braces::guard(
        content,
        indent,
        &format!("{arg}.isBlank()"),
        &[warn, lp.next_element().into()],
    );
    let edit = braces::insert_before(path, content, n, &lines).ok_or("the line is gone")?;
    Ok((
        edit,
        format!(
            "The loop at {path}:{} processes one record at a time, so the record with a blank \
             field is skipped with a warning naming it and the others are still processed.",
            lp.open
        ),
    ))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(src: &str, line: usize, input: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"{input}\"\n\tat java.base/java.lang.NumberFormatException.forInputString(NumberFormatException.java:67)\n\tat java.base/java.lang.Integer.parseInt(Integer.java:678)\n\tat java.base/java.lang.Integer.parseInt(Integer.java:786)\n\tat app.A.f(A.java:{line})\n\tat app.A.main(A.java:40)"
        );
        propose(&[("src/app/A.java", src)], &trace)
    }

    #[test]
    fn a_default_of_the_code_base_or_the_record_is_skipped() {
        let src = "package app;\nclass A {\n  static int f(java.util.Properties p) {\n    String raw = p.getProperty(\"port\");\n    int port = raw == null ? 8080 : Integer.parseInt(raw);\n    return port;\n  }\n}\n";
        let (sols, notes) = run(src, 5, "");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int port = raw == null || raw.isBlank() ? 8080 : Integer.parseInt(raw);"],
            "{notes:?}"
        );
        let src = "package app;\nclass A {\n  static final int DEFAULT_RETRIES = 3;\n  static int f(java.util.Properties p) {\n    int retries = Integer.parseInt(p.getProperty(\"retries\"));\n    return retries;\n  }\n}\n";
        let (sols, notes) = run(src, 5, " ");
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int retries = p.getProperty(\"retries\").isBlank() ? DEFAULT_RETRIES : Integer.parseInt(p.getProperty(\"retries\"));"],
            "{notes:?}"
        );
        let src = "package app;\nclass A {\n  static int f(java.util.List<String> lines) {\n    int total = 0;\n    for (String row : lines) {\n      String[] f = row.split(\",\");\n      int qty = Integer.parseInt(f[1].trim());\n      total += qty;\n    }\n    return total;\n  }\n}\n";
        let (sols, notes) = run(src, 7, "");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "      if (f[1].trim().isBlank()) {",
                "        System.err.println(\"skipping row \" + row + \": f[1].trim() is blank\");",
                "        continue;",
                "      }"
            ],
            "{notes:?}"
        );
    }

    #[test]
    fn refusals_say_why() {
        let src = "package app;\nclass A {\n  static int f(String s) {\n    return Integer.parseInt(s);\n  }\n}\n";
        for (input, why) in [("12a", "not blank"), ("", "no default")] {
            let (sols, notes) = run(src, 4, input);
            assert!(sols.is_empty(), "{}", sols[0].diff);
            assert!(notes.iter().any(|n| n.contains(why)), "{notes:?}");
        }
        let (sols, notes) = run("package app;\nclass A {\n  static int f(java.io.BufferedReader r) throws Exception {\n    return Integer.parseInt(r.readLine());\n  }\n}\n", 4, "");
        assert!(sols.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("cannot be read twice")),
            "{notes:?}"
        );
        let trace = "Exception in thread \"main\" java.lang.NumberFormatException: Cannot parse null string\n\tat java.base/java.lang.Integer.parseInt(Integer.java:630)\n\tat java.base/java.lang.Integer.parseInt(Integer.java:786)\n\tat app.A.f(A.java:4)";
        let (sols, notes) = crate::fix::testing::propose(&[("src/app/A.java", src)], trace);
        assert!(sols.is_empty());
        assert!(notes.iter().any(|n| n.contains("was null")), "{notes:?}");
    }
}
