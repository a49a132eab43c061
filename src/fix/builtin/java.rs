//! Java generator: a helpful NullPointerException on a method call → a null-safe rewrite.
//!
//! `Cannot invoke "String.length()" because "name" is null` names the method and the receiver,
//! so the call `name.length()` is found on the line and guarded: `(name == null ? 0 :
//! name.length())`. The value used when null comes from the method (0 for a size, false for a
//! test, null for a String result); for another method the call must be a statement of its own,
//! which is then skipped when the receiver is null.

use std::sync::LazyLock;

use regex::Regex;

use super::code::{is_ident, is_name_chain, Lang, Line};
use crate::fix::edit::{self, Edit};
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Skip};
use crate::pattern::Language;

pub struct NullPointer;

static INVOKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^Cannot invoke "(?P<type>[^"(]+)\.(?P<method>[A-Za-z_$][\w$]*)\((?P<params>[^"]*)\)" because "(?P<recv>[^"]+)" is null"#)
        .expect("valid regex")
});

/// The value a call yields when its receiver is null.
fn default_for(method: &str, owner: &str) -> Option<&'static str> {
    Some(match method {
        "length" | "size" | "hashCode" => "0",
        "indexOf" | "lastIndexOf" => "-1",
        "isEmpty" | "isBlank" => "true",
        "equals" | "equalsIgnoreCase" | "startsWith" | "endsWith" | "contains" | "matches"
        | "containsKey" | "containsValue" => "false",
        "trim" | "strip" | "stripLeading" | "stripTrailing" | "toLowerCase" | "toUpperCase"
        | "substring" | "replace" | "replaceAll" | "concat" | "intern" | "toString"
            if owner.ends_with("String") || method == "toString" =>
        {
            "null"
        }
        _ => return None,
    })
}

impl Generator for NullPointer {
    fn name(&self) -> String {
        "java-npe".into()
    }

    fn prior(&self) -> f64 {
        0.55
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Java) || cx.kind() != Some("NullPointerException") {
            return Err(Skip::NotApplicable);
        }
        let Some(caps) = INVOKE.captures(cx.exception_message().trim()) else {
            return decline(format!(
                "the NullPointerException message '{}' does not name a receiver (helpful NPE \
                 messages need Java 14+ and a local variable table, `javac -g`)",
                excerpt(cx.exception_message(), 80)
            ));
        };
        let method = &caps["method"];
        let owner = &caps["type"];
        let recv = &caps["recv"];
        if recv.starts_with('<') || !is_name_chain(recv) {
            return decline(format!(
                "the null receiver \"{recv}\" is not a name in the source"
            ));
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("no frame of the trace maps to a file tracked at HEAD");
        };
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let line = Line::new(text, Lang::Java);
        let b = line.bytes();
        // `this.name` may be written `name`.
        let mut receivers = vec![recv.to_string()];
        if let Some(field) = recv.strip_prefix("this.") {
            receivers.push(field.to_string());
        }
        let mut calls = Vec::new();
        for r in &receivers {
            let needle = format!("{r}.{method}(");
            for start in line.find_code(&needle) {
                if start > 0 && (is_ident(b[start - 1]) || b[start - 1] == b'.') {
                    continue;
                }
                let open = start + needle.len() - 1;
                let Some(close) = line.matching_close(open) else {
                    continue;
                };
                calls.push((start, close + 1, r.clone()));
            }
        }
        if calls.is_empty() {
            return decline(format!(
                "{}:{} has no call {recv}.{method}(…) any more",
                site.path, site.line
            ));
        }
        let (start, end, r) = calls[0].clone();
        let call = &text[start..end];
        if calls.iter().any(|(s, e, _)| &text[*s..*e] != call) {
            return decline(format!(
                "several different {recv}.{method}(…) calls on {}:{}",
                site.path, site.line
            ));
        }
        // The whole chain after the call: its last call decides the type of the value.
        let chain_end = line.primary_end(start).unwrap_or(end);
        if chain_end != end {
            return decline(format!(
                "the result of {recv}.{method}() is used further at {}:{}; a guard would need \
                 its type",
                site.path, site.line
            ));
        }
        let code_end = line.code_end();
        let stmt = text[..code_end].trim_start();
        let (new_text, how) = if stmt == format!("{call};") && line.balanced() {
            let indent = line.indent();
            let unit = if indent.contains('\t') { "\t" } else { "    " };
            (
                format!(
                    "{indent}if ({r} != null) {{\n{indent}{unit}{stmt}{}\n{indent}}}",
                    &text[code_end..]
                ),
                "skips the call when it is null".to_string(),
            )
        } else {
            let Some(default) = default_for(method, owner) else {
                return decline(format!(
                    "the value of {owner}.{method}() is used at {}:{} and no neutral value is \
                     known for it",
                    site.path, site.line
                ));
            };
            let mut t = text.to_string();
            for (s, e, _) in calls.iter().rev() {
                let guarded = format!("{r} == null ? {default} : {call}");
                let guarded = if line.sole_item(*s, *e) {
                    guarded
                } else {
                    format!("({guarded})")
                };
                t.replace_range(*s..*e, &guarded);
            }
            (t, format!("uses {default} when it is null"))
        };
        let (_, eol) = edit::line_parts(&site.content, site.line).expect("line");
        let edit = Edit {
            file: site.path.clone(),
            line: site.line,
            old: format!("{text}{eol}"),
            new: format!("{}{eol}", new_text.replace('\n', eol)),
        };
        Ok(Draft {
            edits: vec![edit],
            description: format!(
                "NullPointerException at {}:{} in {}: `{r}` is null when `{call}` runs (a value \
                 the caller did not provide). The rewrite checks `{r}` first and {how}, so one \
                 missing value no longer stops the program.",
                site.path,
                site.line,
                site.frame.function.as_deref().unwrap_or("?"),
            ),
            at_column: Some(false),
            strategy: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn npe(line: &str, msg: &str) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let src = format!("package app;\nclass A {{\n  int f(String s, java.util.List<String> l) {{\n{line}\n  }}\n}}\n");
        let trace = format!(
            "Exception in thread \"main\" java.lang.NullPointerException: {msg}\n\tat app.A.f(A.java:4)\n\tat app.A.main(A.java:9)"
        );
        propose(&[("src/main/java/app/A.java", &src)], &trace)
    }

    #[test]
    fn null_safe_calls() {
        let (sols, notes) = npe(
            "    return s.length() + l.size();",
            "Cannot invoke \"String.length()\" because \"s\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    return (s == null ? 0 : s.length()) + l.size();"],
            "{notes:?}"
        );
        let (sols, _) = npe(
            "    if (s.equals(\"x\")) return 1;",
            "Cannot invoke \"String.equals(Object)\" because \"s\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (s == null ? false : s.equals(\"x\")) return 1;"]
        );
        let (sols, _) = npe(
            "    l.clear();",
            "Cannot invoke \"java.util.List.clear()\" because \"l\" is null",
        );
        assert_eq!(
            added(&sols[0].diff),
            vec!["    if (l != null) {", "        l.clear();", "    }"]
        );
    }

    #[test]
    fn refusals() {
        for (line, msg) in [
            ("    return s.trim().length();", "Cannot invoke \"String.trim()\" because \"s\" is null"),
            ("    return l.get(0).length();", "Cannot invoke \"java.util.List.get(int)\" because \"l\" is null"),
            ("    return s.length();", "Cannot invoke \"String.length()\" because \"<local1>\" is null"),
            ("    return s.length();", "Cannot invoke \"String.length()\" because the return value of \"app.A.g()\" is null"),
            ("    return t.length();", "Cannot invoke \"String.length()\" because \"s\" is null"),
            ("    return s.length();", "Cannot read field \"x\" because \"s\" is null"),
        ] {
            let (sols, _) = npe(line, msg);
            assert!(sols.is_empty(), "{line} / {msg}: {:?}", sols[0].diff);
        }
    }
}
