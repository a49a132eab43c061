//! Java generator: a `ConcurrentModificationException` from removing elements of a collection
//! inside a for-each loop over that same collection.
//!
//! The message form (JDK 17, no message; the iterator's `next()` throws, so the top application
//! frame is the for-each line):
//!
//! ```text
//! Exception in thread "main" java.util.ConcurrentModificationException
//!     at java.base/java.util.ArrayList$Itr.checkForComodification(ArrayList.java:1013)
//!     at java.base/java.util.ArrayList$Itr.next(ArrayList.java:967)
//!     at app.Orders.dropCancelled(Orders.java:10)
//! ```
//!
//! (`HashMap$HashIterator.nextNode` / `HashMap$KeyIterator.next` for a map's views.)
//!
//! Strategies, in order:
//! - the body is only `if (cond) xs.remove(x);` → `xs.removeIf(x -> cond);`, which removes the
//!   same elements without an iterator to invalidate;
//! - else one `xs.remove(x);` statement inside the loop's `if`s → an explicit iterator whose
//!   `it.remove()` takes the element out the way the iterator allows; the rest of the body stays;
//! - `for (K k : map.keySet())` with `map.remove(k)` is the same collection (the key set is the
//!   map's view) and gets the same changes.
//!
//! Anything else is declined: a remove of another name (even one that may be a view of the same
//! collection), another change of the collection in the loop, a remove in a nested loop, or a
//! loop body of another shape.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{BlockKind, Source};
use super::code::{is_ident, is_name_chain, Lang};
use crate::fix::edit::Edit;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct ConcurrentModification;

static FOR_EACH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^for\s*\(\s*(?P<mods>(?:final\s+)?)(?P<type>[\w$.]+(?:\s*<.*>)?(?:\[\])*)\s+(?P<var>[A-Za-z_$][\w$]*)\s*:\s*(?P<coll>.+?)\s*\)$",
    )
    .expect("valid regex")
});

/// Methods that change a collection besides `remove`: any of them in the loop fails the same way.
const MUTATORS: &[&str] = &[
    "add",
    "addAll",
    "put",
    "putAll",
    "clear",
    "removeAll",
    "retainAll",
    "removeIf",
    "set",
    "sort",
    "addFirst",
    "addLast",
    "poll",
    "push",
    "pop",
];

const PRIMITIVES: &[&str] = &[
    "int", "long", "short", "byte", "char", "double", "float", "boolean",
];

impl Generator for ConcurrentModification {
    fn name(&self) -> String {
        "java-concurrent-modification".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Java",
            error: "`ConcurrentModificationException` from a remove inside a for-each over the same collection",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Java)
            || cx.kind() != Some("ConcurrentModificationException")
        {
            return Err(Skip::NotApplicable);
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        // An iterator's next() threw: the loop on the site's line iterates the collection.
        let by_next = site.raised_in_library.as_deref().is_some_and(|f| {
            f.ends_with(".next")
                || f.ends_with(".nextNode")
                || f.ends_with("checkForComodification")
        });
        if !by_next {
            return decline(format!(
                "the ConcurrentModificationException at {}:{} was not thrown by an iterator's \
                 next() under a for-each loop",
                site.path, site.line
            ));
        }
        let src = Source::new(&site.content, Lang::Java);
        let code = src.code(site.line);
        let here = format!("{}:{}", site.path, site.line);
        let Some(text) = src.line(site.line).map(|l| l.text) else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        if !code.starts_with("for") || !code.ends_with('{') {
            return decline(format!(
                "{here} is not a for-each loop opening a block (`{}`)",
                excerpt(code, 60)
            ));
        }
        let brace = text[..src
            .line(site.line)
            .map(|l| l.code_end())
            .unwrap_or(text.len())]
            .rfind('{')
            .unwrap_or(0);
        let Some(block) = src
            .blocks_at(site.line, brace + 1)
            .into_iter()
            .next()
            .filter(|b| b.open == site.line && matches!(b.kind, BlockKind::For { .. }))
        else {
            return decline(format!(
                "the loop at {here} has no block found by its braces"
            ));
        };
        let Some(caps) = FOR_EACH.captures(&block.header) else {
            return decline(format!(
                "`{}` at {here} is not a for-each loop",
                excerpt(&block.header, 60)
            ));
        };
        let (mods, ty, var, coll) = (&caps["mods"], &caps["type"], &caps["var"], &caps["coll"]);
        if PRIMITIVES.contains(&ty) {
            // `remove(int)` removes by index: another bug than the iterator's.
            return decline(format!(
                "the loop at {here} iterates `{ty}` values, for which `remove` may take an index"
            ));
        }
        let target = if is_name_chain(coll) {
            coll
        } else if let Some(map) = coll.strip_suffix(".keySet()").filter(|m| is_name_chain(m)) {
            map
        } else {
            return decline(format!(
                "the loop at {here} iterates `{}`, not a named collection or a map's keySet()",
                excerpt(coll, 60)
            ));
        };
        if src.code(block.close) != "}" {
            return decline(format!(
                "the loop's closing brace at {}:{} shares its line",
                site.path, block.close
            ));
        }
        let body: Vec<u32> = (block.open + 1..block.close).collect();
        let mut removes = Vec::new();
        for &n in &body {
            let line = src.line(n).expect("body line");
            for at in line.find_code(".remove(") {
                let start = line.primary_start(at).unwrap_or(at);
                let receiver = line.text[start..at].trim();
                removes.push((n, receiver.to_string(), at));
            }
            for m in MUTATORS {
                let call = format!("{target}.{m}(");
                if line.find_code(&call).into_iter().any(|i| {
                    i == 0 || !is_ident(line.bytes()[i - 1]) && line.bytes()[i - 1] != b'.'
                }) {
                    return decline(format!(
                        "the loop at {here} also calls `{target}.{m}(…)` at {}:{n}, which changes \
                         the collection under its iterator too",
                        site.path
                    ));
                }
            }
        }
        let ours: Vec<&(u32, String, usize)> = removes.iter().filter(|r| r.1 == target).collect();
        let [(rn, _, rat)] = ours.as_slice() else {
            if let Some((n, other, _)) = removes.first().filter(|_| ours.is_empty()) {
                return decline(format!(
                    "the loop at {here} removes from `{other}`, not from `{coll}`, the collection \
                     it iterates ({}:{n}); whether that is the same collection is not in the \
                     loop's code",
                    site.path
                ));
            }
            return decline(format!(
                "the loop at {here} has {} removes of `{target}`; only one remove of the element \
                 is rewritten",
                if ours.is_empty() { "no" } else { "several" }
            ));
        };
        let (rn, rat) = (*rn, *rat);
        let rline = src.line(rn).expect("body line");
        let close = rline.matching_close(rat + ".remove".len());
        let arg = close.map(|c| rline.text[rat + ".remove(".len()..c].trim());
        if arg != Some(var) {
            return decline(format!(
                "the remove at {}:{rn} takes `{}`, not the loop's element `{var}`",
                site.path,
                arg.unwrap_or("?")
            ));
        }
        // The remove must run once per element: reached through `if`s only, not a nested loop.
        let path_ok = src
            .blocks_at(rn, rat)
            .iter()
            .find(|b| b.kind != BlockKind::Control)
            .is_some_and(|b| b.open == block.open);
        if !path_ok {
            return decline(format!(
                "the remove at {}:{rn} is inside a nested loop or lambda of the loop at {here}",
                site.path
            ));
        }
        let lines: Vec<&str> = site.content.lines().collect();
        let indent = &text[..text.len() - text.trim_start().len()];
        let stmt = format!("{target}.remove({var});");
        let mut new: Vec<String>;
        let description;
        let how;
        if let Some(cond) = only_conditional_remove(&src, &body, &stmt) {
            let call = format!("{indent}{coll}.removeIf({var} -> {cond});");
            new = lines[..block.open as usize - 1]
                .iter()
                .map(|s| s.to_string())
                .collect();
            new.push(call);
            new.extend(lines[block.close as usize..].iter().map(|s| s.to_string()));
            description = format!(
                "The for-each loop at {here} removed elements of `{target}` while iterating it, \
                 so the iterator's next() threw ConcurrentModificationException after the first \
                 removal. The loop only removes the elements for which `{cond}` holds, which is \
                 what `{coll}.removeIf({var} -> …)` does without an iterator to invalidate: every \
                 matching element goes, the others stay in order."
            );
            how = "idiomatic";
        } else {
            if src.code(rn) != stmt {
                return decline(format!(
                    "the remove at {}:{rn} is not a statement of its own (`{}`); the loop body's \
                     shape is not one that is rewritten",
                    site.path,
                    excerpt(src.code(rn), 60)
                ));
            }
            let Some(function) = src.function_at(site.line) else {
                return decline(format!("no method found around {here}"));
            };
            let used = |name: &str| {
                (function.open..=function.close).any(|n| {
                    let l = src.line(n).expect("line");
                    l.find_code(name).into_iter().any(|i| {
                        let b = l.bytes();
                        (i == 0 || !is_ident(b[i - 1]))
                            && b.get(i + name.len()).is_none_or(|&c| !is_ident(c))
                    })
                })
            };
            let Some(it) = ["it", "iter", "iterator"].into_iter().find(|n| !used(n)) else {
                return decline(format!(
                    "no free name for an iterator in the method at {here}"
                ));
            };
            let inner = body
                .iter()
                .map(|&n| lines[n as usize - 1])
                .find(|l| !l.trim().is_empty())
                .map(|l| &l[..l.len() - l.trim_start().len()])
                .unwrap_or(indent);
            let declared = if ty == "var" {
                format!("{indent}var {it} = {coll}.iterator();")
            } else {
                format!("{indent}Iterator<{ty}> {it} = {coll}.iterator();")
            };
            new = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                let n = i as u32 + 1;
                if n == block.open {
                    new.push(declared.clone());
                    new.push(format!("{indent}while ({it}.hasNext()) {{"));
                    new.push(format!("{inner}{mods}{ty} {var} = {it}.next();"));
                } else if n == rn {
                    let ri = &l[..l.len() - l.trim_start().len()];
                    new.push(format!("{ri}{it}.remove();"));
                } else {
                    new.push(l.to_string());
                }
            }
            if ty != "var" {
                add_import(&mut new, "java.util.Iterator");
            }
            description = format!(
                "The for-each loop at {here} removed `{var}` from `{target}` while iterating it, \
                 so the iterator's next() threw ConcurrentModificationException after the first \
                 removal. The loop now holds its iterator and removes through `{it}.remove()`, \
                 the one way to take out the current element while iterating; the rest of the \
                 loop body runs as before, for every element."
            );
            how = "idiomatic";
        }
        let mut out = new.join("\n");
        if site.content.ends_with('\n') {
            out.push('\n');
        }
        let Some(edit) = Edit::between(&site.path, &site.content, &out) else {
            return decline(format!("nothing to change at {here}"));
        };
        Ok(Draft {
            edits: vec![edit],
            description,
            at_column: None,
            strategy: strategy(how),
        })
    }
}

/// The condition of a body that is only `if (cond) stmt` (braced or not), without an `else`,
/// when the condition has no side effect a lambda would change.
fn only_conditional_remove(src: &Source<'_>, body: &[u32], stmt: &str) -> Option<String> {
    let mut code = Vec::new();
    for &n in body {
        let l = src.line(n)?;
        if l.text.trim().is_empty() {
            continue;
        }
        // A comment would be lost with the loop.
        if src.code(n) != l.text.trim() {
            return None;
        }
        code.push(n);
    }
    let first = src.line(*code.first()?)?;
    let start = first.text.len() - first.text.trim_start().len();
    if !first.text[start..].starts_with("if") {
        return None;
    }
    let open = start + first.text[start..].find('(')?;
    let close = first.matching_close(open)?;
    let cond = first.text[open + 1..close].trim();
    let rest = first.text[close + 1..first.code_end()].trim();
    let shape = match code.len() {
        1 => rest == stmt,
        3 => rest == "{" && src.code(code[1]) == stmt && src.code(code[2]) == "}",
        _ => false,
    };
    let effects = Regex::new(r"\+\+|--|[^=!<>]=[^=]").expect("valid regex");
    (shape && !cond.is_empty() && !effects.is_match(cond)).then(|| cond.to_string())
}

/// `import <class>;` among the file's imports, unless it or its package's `*` is imported.
fn add_import(lines: &mut Vec<String>, class: &str) {
    let package = class.rsplit_once('.').map(|(p, _)| p).unwrap_or("");
    let wanted = format!("import {class};");
    if lines
        .iter()
        .any(|l| l.trim() == wanted || l.trim() == format!("import {package}.*;"))
    {
        return;
    }
    let imports: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("import ") && !lines[i].starts_with("import static "))
        .collect();
    let at = imports
        .iter()
        .find(|&&i| lines[i].as_str() > wanted.as_str())
        .copied()
        .or_else(|| imports.last().map(|i| i + 1));
    match at {
        Some(i) => lines.insert(i, wanted),
        None => {
            let i = lines
                .iter()
                .position(|l| l.starts_with("package "))
                .map_or(0, |p| p + 1);
            lines.insert(i, String::new());
            lines.insert(i + 1, wanted);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn trace(file: &str, line: u32) -> String {
        format!(
            "Exception in thread \"main\" java.util.ConcurrentModificationException\n\tat java.base/java.util.ArrayList$Itr.checkForComodification(ArrayList.java:1013)\n\tat java.base/java.util.ArrayList$Itr.next(ArrayList.java:967)\n\tat app.Jobs.run({file}:{line})\n\tat app.Main.main(Main.java:9)\n"
        )
    }

    fn run(body: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!(
            "package app;\n\nimport java.util.List;\n\nclass Jobs {{\n    static int run(List<String> jobs) {{\n        int kept = 0;\n{body}        return kept;\n    }}\n}}\n"
        );
        propose(&[("src/app/Jobs.java", &src)], &trace("Jobs.java", 8))
    }

    #[test]
    fn conditional_remove_becomes_remove_if() {
        let (sols, notes) = run("        for (String j : jobs) {\n            if (j.isEmpty()) {\n                jobs.remove(j);\n            }\n        }\n");
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["        jobs.removeIf(j -> j.isEmpty());"]
        );
        let (sols, notes) =
            run("        for (String j : jobs) {\n            if (j.isEmpty()) jobs.remove(j);\n        }\n");
        assert_eq!(
            added(&sols[0].diff),
            vec!["        jobs.removeIf(j -> j.isEmpty());"],
            "{notes:?}"
        );
    }

    #[test]
    fn other_statements_get_an_iterator() {
        let (sols, notes) = run("        for (String j : jobs) {\n            if (j.isEmpty()) {\n                jobs.remove(j);\n            } else {\n                kept++;\n            }\n        }\n");
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "import java.util.Iterator;",
                "        Iterator<String> it = jobs.iterator();",
                "        while (it.hasNext()) {",
                "            String j = it.next();",
                "                it.remove();"
            ],
            "{}",
            sols[0].diff
        );
    }

    #[test]
    fn declined_shapes() {
        let (sols, notes) = run("        for (String j : jobs) {\n            if (j.isEmpty()) {\n                done.remove(j);\n            }\n        }\n");
        assert!(sols.is_empty());
        assert!(
            notes
                .iter()
                .any(|n| n.contains("removes from `done`, not from `jobs`")),
            "{notes:?}"
        );
        let (sols, notes) = run("        for (String j : jobs) {\n            if (j.isEmpty()) {\n                jobs.remove(0);\n            }\n        }\n");
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("takes `0`")),
            "{notes:?}"
        );
        let (sols, notes) = run("        for (String j : jobs) {\n            for (String t : j.split(\",\")) {\n                jobs.remove(j);\n            }\n        }\n");
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("nested loop")),
            "{notes:?}"
        );
        let (sols, notes) = run("        for (String j : jobs) {\n            if (j.isEmpty()) {\n                jobs.remove(j);\n                jobs.add(\"x\");\n            }\n        }\n");
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("jobs.add")),
            "{notes:?}"
        );
        // The line no longer holds the loop.
        let (sols, notes) = run("        jobs.removeIf(String::isEmpty);\n\n\n\n\n");
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("not a for-each")),
            "{notes:?}"
        );
    }
}
