//! Java `ClassCastException` of a loosely typed value (a config map of `Object`, a parsed JSON
//! document) cast to the number type the code wants → the conversion that reads either form.
//!
//! JDK 17 prints, for `(Integer) cfg.get("timeout")` of a `Map<String, Object>` that holds
//! `"30"`, or `30L` from a JSON reader that makes every integer a Long:
//!
//! ```text
//! java.lang.ClassCastException: class java.lang.String cannot be cast to class java.lang.Integer (java.lang.String and java.lang.Integer are in module java.base of loader 'bootstrap')
//! java.lang.ClassCastException: class java.lang.Long cannot be cast to class java.lang.Integer (java.lang.Long and java.lang.Integer are in module java.base of loader 'bootstrap')
//! ```
//!
//! The cast on the failing line must be of a lookup (`m.get(…)`, `getOrDefault`, `opt(…)`) or
//! of a local declared `Object`: a value whose type the code does not fix. Then a number of
//! another boxed type becomes `((Number) v).intValue()` (every boxed number is a `Number`), and
//! text becomes `Integer.parseInt(String.valueOf(v))`, which reads the text and a number alike.
//! Anything else (a String cast to a List, one class of the program to another) is a value of
//! the wrong kind, not of the wrong form, and no conversion is right: no change.

use std::sync::LazyLock;

use regex::Regex;

use super::code::{Lang, Line};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::pattern::Language;

pub struct ClassCast;

static MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^class (?P<from>[\w.$]+) cannot be cast to class (?P<to>[\w.$]+)")
        .expect("valid regex")
});

/// The boxed number types: their primitive, and how a `Number` and a String convert to them.
const NUMBERS: &[(&str, &str, &str, &str)] = &[
    ("Integer", "int", "intValue", "Integer.parseInt"),
    ("Long", "long", "longValue", "Long.parseLong"),
    ("Double", "double", "doubleValue", "Double.parseDouble"),
    ("Float", "float", "floatValue", "Float.parseFloat"),
    ("Short", "short", "shortValue", "Short.parseShort"),
];

/// Number types a JSON or config reader produces, besides the boxed primitives.
const OTHER_NUMBERS: &[&str] = &["java.math.BigDecimal", "java.math.BigInteger"];

impl Generator for ClassCast {
    fn name(&self) -> String {
        "java-class-cast".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Java",
            error: "`ClassCastException: class java.lang.String cannot be cast to class java.lang.Integer` (or `Long` to `Integer`) of a config or JSON value of type `Object`",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Java) || cx.kind() != Some("ClassCastException") {
            return Err(Skip::NotApplicable);
        }
        let Some(m) = MESSAGE.captures(cx.exception_message().trim()) else {
            return decline(format!(
                "the message '{}' does not name the two classes",
                excerpt(cx.exception_message(), 80)
            ));
        };
        let (from, to) = (m["from"].to_string(), m["to"].to_string());
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        site.failed_here()?;
        let short = |c: &str| c.rsplit('.').next().unwrap_or(c).to_string();
        let target = to
            .strip_prefix("java.lang.")
            .and_then(|t| NUMBERS.iter().find(|n| n.0 == t));
        let from_number = from
            .strip_prefix("java.lang.")
            .is_some_and(|f| NUMBERS.iter().any(|n| n.0 == f) || f == "Byte")
            || OTHER_NUMBERS.contains(&from.as_str());
        let from_text = from == "java.lang.String";
        let Some(&(boxed, primitive, value_method, parse)) =
            target.filter(|_| from_number || from_text)
        else {
            return decline(format!(
                "a {} is not a {} in another form: the value is of the wrong kind, and no \
                 conversion makes it right",
                excerpt(&short(&from), 40),
                excerpt(&short(&to), 40)
            ));
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let line = Line::new(text, Lang::Java);
        let mut casts = Vec::new();
        for ty in [boxed, primitive] {
            let cast =
                Regex::new(&format!(r"\(\s*(?:java\.lang\.)?{ty}\s*\)")).expect("valid regex");
            for c in cast.find_iter(text) {
                if line.is_code(c.start()) {
                    casts.push((c.start(), c.end()));
                }
            }
        }
        let [(start, cast_end)] = casts.as_slice() else {
            return decline(format!(
                "{}:{} has {} cast to {boxed} any more",
                site.path,
                site.line,
                if casts.is_empty() {
                    "no"
                } else {
                    "more than one"
                }
            ));
        };
        let Some((op, _)) = line.next_non_space(*cast_end) else {
            return decline("the cast has no operand on its line");
        };
        let Some(end) = line.primary_end(op) else {
            return decline("the cast's operand does not end on its line");
        };
        let operand = &text[op..end];
        if !loosely_typed(&site.content, operand) {
            return decline(format!(
                "`{}` is not a lookup of a loosely typed value (a map of Object, a parsed \
                 document): its type is the program's own, and the cast says the value is wrong",
                excerpt(operand, 60)
            ));
        }
        // `(Integer) x.y` casts `x.y`; a cast wrapped in parentheses stays so.
        let (converted, why) = if from_number {
            (
                format!("((Number) {operand}).{value_method}()"),
                format!(
                    "The value is a number of another boxed type ({}); every boxed number is a \
                     `Number`, whose `{value_method}()` gives the {primitive} the code wants.",
                    short(&from)
                ),
            )
        } else {
            (
                format!("{parse}(String.valueOf({operand}))"),
                format!(
                    "The value is the number written as text; `{parse}(String.valueOf(…))` \
                     reads it, and reads a value that is already a number the same way."
                ),
            )
        };
        let mut new = text.to_string();
        new.replace_range(*start..end, &converted);
        Draft::on_line(
            site,
            &new,
            format!(
                "ClassCastException at {}:{} in {}: `{}` holds a {} where the code casts to {}. \
                 {why}",
                site.path,
                site.line,
                site.frame.function.as_deref().unwrap_or("?"),
                excerpt(operand, 60),
                short(&from),
                boxed
            ),
            "idiomatic",
            true,
        )
    }
}

/// Whether `operand` is a value whose static type is `Object`: a map or document lookup, or a
/// local or field the file declares `Object`.
fn loosely_typed(content: &str, operand: &str) -> bool {
    static LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\.(?:get|getOrDefault|opt|getValue|remove)\s*\([^()]*(?:\([^()]*\)[^()]*)*\)$")
            .expect("valid regex")
    });
    if LOOKUP.is_match(operand) {
        return true;
    }
    let name = operand.rsplit('.').next().unwrap_or(operand);
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
        || name.is_empty()
    {
        return false;
    }
    Regex::new(&format!(r"\bObject\s+{}\s*[=;,)]", regex::escape(name)))
        .is_ok_and(|r| r.is_match(content))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn cast(line: &str, from: &str, to: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("package app;\nclass A {{\n  int f(java.util.Map<String, Object> cfg) {{\n{line}\n    return 0;\n  }}\n}}\n");
        let trace = format!(
            "Exception in thread \"main\" java.lang.ClassCastException: class {from} cannot be cast to class {to} ({from} and {to} are in module java.base of loader 'bootstrap')\n\tat app.A.f(A.java:4)\n\tat app.A.main(A.java:99)"
        );
        propose(&[("src/main/java/app/A.java", &src)], &trace)
    }

    #[test]
    fn text_is_parsed_and_numbers_converted() {
        let (sols, notes) = cast(
            "    int t = (Integer) cfg.get(\"timeout\");",
            "java.lang.String",
            "java.lang.Integer",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    int t = Integer.parseInt(String.valueOf(cfg.get(\"timeout\")));"],
            "{notes:?}"
        );
        let (sols, notes) = cast(
            "    long n = (int) cfg.get(\"retries\") * 2L;",
            "java.lang.Long",
            "java.lang.Integer",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    long n = ((Number) cfg.get(\"retries\")).intValue() * 2L;"],
            "{notes:?}"
        );
    }

    #[test]
    fn refusals() {
        let (sols, notes) = cast(
            "    java.util.List<?> h = (java.util.List<?>) cfg.get(\"hosts\");",
            "java.lang.String",
            "java.util.List",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(notes.iter().any(|n| n.contains("wrong kind")), "{notes:?}");
        let (sols, notes) = cast(
            "    int t = (Integer) this.timeout;",
            "java.lang.String",
            "java.lang.Integer",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(
            notes.iter().any(|n| n.contains("loosely typed")),
            "{notes:?}"
        );
        let (sols, notes) = cast(
            "    int t = cfg.size();",
            "java.lang.String",
            "java.lang.Integer",
        );
        assert!(sols.is_empty(), "{}", sols[0].diff);
        assert!(notes.iter().any(|n| n.contains("no cast")), "{notes:?}");
    }
}
