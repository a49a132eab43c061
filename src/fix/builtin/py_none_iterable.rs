//! `TypeError: 'NoneType' object is not iterable` at `for x in a.b:` → no items where the code
//! already reads a missing collection as empty, else the record skipped.
//!
//! Message form read (Python 3.11): `'NoneType' object is not iterable`, on a `for` statement
//! (the carets, when printed, cover the iterated expression).
//!
//! Strategies, in order:
//!
//! 1. the code base reads the same key as an empty collection elsewhere (`post.get("tags") or
//!    []`, `.get("tags", [])`, `row["tags"] or ()`): a None there means "no items", and the loop
//!    iterates `()`;
//! 2. the record skipped, with a log line naming it, in the loop over independent records around
//!    the `for` statement or around its caller.
//!
//! Otherwise nothing: an empty loop where items were expected (the hosts to deploy to, the lines
//! of an invoice) reports work done on nothing.

use super::code::is_ident;
use super::py_index_error::pure;
use super::python::{checked_line, function_name, headline, is_python};
use super::python_flow as flow;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::Source;

/// A `for` loop over None.
pub struct NoneIterable;

impl Generator for NoneIterable {
    fn name(&self) -> String {
        "py-none-iterable".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`TypeError: 'NoneType' object is not iterable` of a `for` loop's collection",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx)
            || cx.kind() != Some("TypeError")
            || cx.exception_message().trim() != "'NoneType' object is not iterable"
        {
            return Err(Skip::NotApplicable);
        }
        let (site, text, _) = checked_line(cx)?;
        let src = Source::new(&site.content);
        let stmt = src.statement(site.line);
        let header = stmt.strip_prefix("async ").unwrap_or(&stmt);
        let Some(iter) = header
            .strip_prefix("for ")
            .and_then(|r| r.strip_suffix(':'))
            .and_then(|r| r.split_once(" in "))
            .map(|(_, iter)| iter.trim())
        else {
            return decline(format!(
                "{}:{} is not a `for` statement; what was iterated is not on the line",
                site.path, site.line
            ));
        };
        if !pure(iter) {
            return decline(format!(
                "the iterated value `{}` at {}:{} is not a plain read; a guard would evaluate it \
                 twice",
                excerpt(iter, 40),
                site.path,
                site.line
            ));
        }
        let Some(at) = text.find(&format!(" in {iter}:")).map(|i| i + 4) else {
            return decline(format!(
                "the `for` at {}:{} spans several lines",
                site.path, site.line
            ));
        };
        let function = src.function(site.line);
        let key = key_of(iter).or_else(|| assigned_key(&src, function.as_ref(), site.line, iter));

        // 1. The code reads the same key as an empty collection.
        if let Some(why) = key.as_deref().and_then(|k| empty_fallback(k, cx.repo)) {
            let new = format!("{}{iter} or (){}", &text[..at], &text[at + iter.len()..]);
            return Draft::on_line(
                site,
                &new,
                format!(
                    "{} at {}:{} in {}: `{iter}` is None, and the loop has nothing to go over. \
                     {why}, so None means no items here too: the loop runs zero times and the \
                     code after it handles the empty case as it does for an empty collection.",
                    headline(cx),
                    site.path,
                    site.line,
                    function_name(site),
                ),
                "default-from-code",
                true,
            );
        }

        // 2. The record skipped.
        let missing = flow::Missing::none(iter, key.as_deref());
        let strategies = flow::Strategies::at(cx, site);
        let why_not = match strategies.skip(&missing) {
            Ok(plan) => {
                return Ok(Draft {
                    strategy: crate::fix::factor::strategy(plan.strategy),
                    edits: plan.edits,
                    description: format!(
                        "{} at {}:{} in {}: `{iter}` is None, and nothing in the code says \
                     that no items is the right reading of it; {}.",
                        headline(cx),
                        site.path,
                        site.line,
                        function_name(site),
                        plan.why
                    ),
                    at_column: Some(true),
                })
            }
            Err(why) => why,
        };
        decline(format!(
            "nothing in the code says that a None `{}` means no items (it is never read as an \
             empty collection), and no record can be skipped: {}",
            excerpt(iter, 40),
            why_not
        ))
    }
}

/// The key an expression reads: `row['tags']`, `post.tags`.
fn key_of(expr: &str) -> Option<String> {
    if let Some(inner) = expr.strip_suffix(']') {
        let open = inner.rfind('[')?;
        let lit = &inner[open + 1..];
        let q = lit.chars().next()?;
        return (q == '\'' || q == '"')
            .then(|| lit.trim_matches(q).to_string())
            .filter(|k| !k.is_empty() && k.bytes().all(is_ident));
    }
    let (_, attr) = expr.rsplit_once('.')?;
    (!attr.is_empty() && attr.bytes().all(is_ident)).then(|| attr.to_string())
}

/// For a plain name, the key it was read from earlier in the function (`tags = post.get("tags")`),
/// else the name itself.
fn assigned_key(
    src: &Source<'_>,
    function: Option<&crate::fix::syntax::python::Function>,
    line: u32,
    name: &str,
) -> Option<String> {
    if !name.bytes().all(is_ident) {
        return None;
    }
    let first = function.map(|f| f.first).unwrap_or(1);
    let re = regex::Regex::new(r#"\.get\(\s*['"](\w+)['"]\s*\)$"#).expect("valid regex");
    for l in (first..line).rev() {
        if let Some(rhs) = src.statement(l).strip_prefix(&format!("{name} = ")) {
            return re
                .captures(rhs.trim())
                .map(|c| c[1].to_string())
                .or_else(|| key_of(rhs.trim()))
                .or_else(|| Some(name.to_string()));
        }
    }
    Some(name.to_string())
}

/// Where the repository reads `key` as an empty collection when it is missing or None.
fn empty_fallback(key: &str, repo: &crate::fix::repo::Snapshot) -> Option<String> {
    let k = regex::escape(key);
    let empty = r"(?:\[\]|\(\)|set\(\)|\{\})";
    let re = regex::Regex::new(&format!(
        r#"\.get\(\s*['"]{k}['"]\s*,\s*{empty}\s*\)|(?:\.get\(\s*['"]{k}['"]\s*\)|\[\s*['"]{k}['"]\s*\]|\.{k}\b)\s+or\s+{empty}|\b{k}\s*:[^=\n]*=\s*field\(\s*default_factory\s*=\s*(?:list|tuple|set)\s*\)"#
    ))
    .ok()?;
    for p in repo.files().iter().filter(|p| p.ends_with(".py")) {
        let Some(text) = repo.read(p) else { continue };
        if let Some(m) = re.find(&text) {
            return Some(format!(
                "{p} already reads a missing '{key}' as empty (`{}`)",
                excerpt(m.as_str(), 50)
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::python_added;

    fn run(files: &[(&str, &str)], no: u32) -> (Vec<String>, Vec<String>) {
        python_added(files, no, "TypeError: 'NoneType' object is not iterable")
    }

    #[test]
    fn a_collection_the_code_reads_as_empty_elsewhere_gives_no_items() {
        let src = "def run(post):\n    names = []\n    for tag in post['tags']:\n        names.append(tag)\n    return ', '.join(names) or '(none)'\n";
        let index = "def index(post):\n    return set(post.get('tags') or [])\n";
        let (lines, notes) = run(&[("app.py", src), ("index.py", index)], 3);
        assert_eq!(
            lines,
            vec!["    for tag in post['tags'] or ():"],
            "{notes:?}"
        );
    }

    #[test]
    fn a_record_is_skipped_or_nothing() {
        let src = "def run(orders):\n    for order in orders:\n        for line in order['lines']:\n            print(line)\n";
        let (lines, notes) = run(&[("app.py", src)], 3);
        assert!(
            lines.contains(&"        if order['lines'] is None:".to_string()),
            "{lines:?} {notes:?}"
        );
        let src = "def run(cfg):\n    for host in cfg['hosts']:\n        print(host)\n";
        let (lines, notes) = run(&[("app.py", src)], 2);
        assert!(lines.is_empty(), "{lines:?}");
        assert!(
            notes.iter().any(|n| n.contains("means no items")),
            "{notes:?}"
        );
    }
}
