//! `TypeError: 'NoneType' object is not subscriptable` → the same data flow as an attribute of
//! None: a guard where the code after it accepts None, else a default the code base defines, the
//! record skipped, or the function's existing "nothing" returned.
//!
//! Message form read (Python 3.11): `'NoneType' object is not subscriptable`; the carets
//! (`row['a']` as `~~~^^^^^`) say which subscript got the None.
//!
//! A None that comes from a call (`cache.get(k)['name']`, `find(x)[0]`) is bound to a local
//! first, so that the call runs once, and the local is guarded like a name. When the value flows
//! into output or arithmetic and no statement-level change applies, nothing is proposed: a None
//! printed as data, or a 0 in a total, is a wrong answer that no longer crashes.

use super::code::is_name_chain;
use super::py_index_error::{pure, subscripts};
use super::python::{
    base_used_again, bind_and_guard, checked_line, code_line, function_name, is_python,
    none_strategy,
};
use super::python_flow as flow;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::Source;

/// A subscript of None.
pub struct NoneSubscript;

impl Generator for NoneSubscript {
    fn name(&self) -> String {
        "py-none-subscript".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`TypeError: 'NoneType' object is not subscriptable`",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx)
            || cx.kind() != Some("TypeError")
            || cx.exception_message().trim() != "'NoneType' object is not subscriptable"
        {
            return Err(Skip::NotApplicable);
        }
        let (site, text, shown) = checked_line(cx)?;
        let found = subscripts(text);
        let (sub, at_column) = match shown.primary() {
            Some((a, b)) => {
                let under: Vec<_> = found.iter().filter(|s| a <= s.open && s.open < b).collect();
                match under[..] {
                    [one] => (one.clone(), true),
                    _ => {
                        return decline(format!(
                            "no single subscript under the carets at {}:{}",
                            site.path, site.line
                        ))
                    }
                }
            }
            None => {
                // Without carets, only one subscripted value on the line says which was None
                // (`row['a'] + row['b']` reads one value twice).
                let bases: std::collections::BTreeSet<&str> =
                    found.iter().map(|s| &text[s.start..s.open]).collect();
                if bases.len() != 1 {
                    return decline(format!(
                        "{} subscripted values on {}:{}; which one was None is unknown",
                        if found.is_empty() { "no" } else { "several" },
                        site.path,
                        site.line
                    ));
                }
                (found[0].clone(), false)
            }
        };
        let line = code_line(text);
        let base = &text[sub.start..sub.open];
        let end = line.primary_end(sub.start).unwrap_or(sub.close + 1);
        if !pure(base) && base.ends_with(')') {
            return bind_and_guard(cx, site, sub.start, sub.open, end, at_column);
        }
        if !pure(base) {
            return decline(format!(
                "the None value at {}:{} comes from `{}`, which a guard would evaluate twice",
                site.path,
                site.line,
                excerpt(base, 60)
            ));
        }
        let access = &text[sub.start..end];
        let src = Source::new(&site.content);
        let function = src.function(site.line);
        let at = flow::At {
            src: &src,
            path: &site.path,
            function: function.as_ref(),
        };
        let code_end = line.code_end();
        let stmt = text[..code_end].trim_start();
        // `row['n'] = 1`, `row['n'] += 1`: a store into None has no neutral value at all.
        let stores = line
            .next_non_space(end)
            .is_some_and(|(i, c)| c == b'=' && line.bytes().get(i + 1) != Some(&b'='))
            || line.next_non_space(end).is_some_and(|(i, c)| {
                b"+-*/%&|^@".contains(&c) && line.bytes().get(i + 1) == Some(&b'=')
            });
        let mut fate = flow::fate(&at, site.line, sub.start, end, cx.repo, 0).against();
        if stores {
            fate = Ok(format!(
                "`{access}` is assigned at {}:{}; the store would be lost",
                site.path, site.line
            ));
        } else if stmt == access && access.ends_with(')') {
            fate = Ok(format!(
                "the call is the statement's whole work at {}:{}",
                site.path, site.line
            ));
        }
        let again = if is_name_chain(base) {
            base_used_again(&at, text, base, end, site.line, cx.repo)
        } else {
            None
        };
        if let Some(breaks) = fate.ok().or(again) {
            return none_strategy(
                cx,
                site,
                &src,
                function.as_ref(),
                base,
                access,
                &breaks,
                at_column,
            );
        }
        let before = &text[..sub.start];
        let tail = text[end..code_end].trim();
        let whole_rhs = tail.is_empty()
            && line.balanced()
            && !stmt.ends_with(':')
            && (assigns(before) || before.trim() == "return");
        let guard = format!("{base} is not None");
        let guarded = if whole_rhs || line.sole_item(sub.start, end) {
            format!("{access} if {guard} else None")
        } else {
            format!("({access} if {guard} else None)")
        };
        let new = format!("{before}{guarded}{}", &text[end..]);
        let why = match flow::fate(&at, site.line, sub.start, end, cx.repo, 0) {
            flow::Fate::Accepted(why) => why,
            _ => String::new(),
        };
        Draft::on_line(
            site,
            &new,
            format!(
                "TypeError at {}:{} in {}: `{base}` is None when `{access}` runs. The change \
                 reads it only when there is a value and yields None otherwise; None is safe \
                 there: {why}.",
                site.path,
                site.line,
                function_name(site),
            ),
            "value-guard",
            at_column,
        )
    }
}

/// Whether `before` ends an assignment whose right-hand side is everything after it.
fn assigns(before: &str) -> bool {
    let b = before.trim_end();
    b.ends_with('=') && !["==", "!=", "<=", ">="].iter().any(|op| b.ends_with(op))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose, python_added};

    fn run(src: &str, no: u32) -> (Vec<String>, Vec<String>) {
        python_added(
            &[("app.py", src)],
            no,
            "TypeError: 'NoneType' object is not subscriptable",
        )
    }

    #[test]
    fn a_record_without_the_mapping_is_skipped() {
        let src = "def run(users):\n    out = []\n    for user in users:\n        city = user['address']['city']\n        out.append(city.upper())\n    return out\n";
        let trace = "Traceback (most recent call last):\n  File \"/srv/app.py\", line 4, in run\n    city = user['address']['city']\n           ~~~~~~~~~~~~~~~^^^^^^^^\nTypeError: 'NoneType' object is not subscriptable\n";
        let (sols, notes) = propose(&[("app.py", src)], trace);
        let lines: Vec<String> = sols.iter().flat_map(|s| added(&s.diff)).collect();
        assert!(
            lines.contains(&"        if user['address'] is None:".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(lines.iter().any(|l| l.contains("continue")), "{lines:?}");
    }

    #[test]
    fn a_call_is_bound_then_guarded() {
        let src = "def run(cache, keys):\n    for k in keys:\n        name = cache.get(k)['name']\n        print(name)\n";
        let (lines, notes) = run(src, 3);
        assert!(
            lines.contains(&"        found = cache.get(k)".to_string()),
            "{lines:?} {notes:?}"
        );
        assert!(
            lines.contains(&"        if found is None:".to_string()),
            "{lines:?}"
        );
    }

    #[test]
    fn none_into_arithmetic_outside_a_loop_gets_nothing() {
        let src = "def run(cfg):\n    rate = cfg['limits']['rate']\n    return rate * 60\n";
        let (lines, notes) = run(src, 2);
        assert!(lines.is_empty(), "{lines:?}");
        assert!(!notes.is_empty());
    }
}
