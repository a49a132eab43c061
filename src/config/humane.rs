//! serde_yaml's messages, said the way a person editing the file needs them: what was expected in
//! words, what was found, and an example; and the empty-list-then-items slip named as such.

/// `message` (serde_yaml's, without its position) about line `line` of `text`, rewritten.
pub fn rewrite(message: &str, text: &str, line: Option<usize>) -> String {
    if let Some(better) = line.and_then(|l| items_after_empty_collection(text, l)) {
        return better;
    }
    type_mismatch(message).unwrap_or_else(|| message.to_owned())
}

/// `key: []` (or `{}`) followed by indented items: YAML reads the items as a syntax error.
fn items_after_empty_collection(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.get(line.checked_sub(1)?)?;
    let indent = |l: &str| l.len() - l.trim_start().len();
    let before = lines[..line - 1]
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    let trimmed = before.trim_end();
    let (key, empty) = trimmed
        .strip_suffix("[]")
        .map(|k| (k, "list"))
        .or_else(|| trimmed.strip_suffix("{}").map(|k| (k, "mapping")))?;
    let key = key.trim().strip_suffix(':')?.trim_end();
    if indent(at) <= indent(before) {
        return None;
    }
    Some(format!(
        "'{}' is an empty {empty}, so the indented lines below it are not part of it: write \
         '{key}:' alone on its line, then the items",
        trimmed.trim_start()
    ))
}

/// `log.threshold_count: invalid type: string "three", expected i64` →
/// `log.threshold_count: expected a number, not the text "three" (e.g. threshold_count: 3)`.
fn type_mismatch(message: &str) -> Option<String> {
    let (path, rest) = match message.split_once(": invalid type: ") {
        Some((path, rest)) => (Some(path), rest),
        None => (None, message.strip_prefix("invalid type: ")?),
    };
    let (found, expected) = rest.rsplit_once(", expected ")?;
    let found = match found.split_once(' ') {
        Some(("string", value)) => format!("the text {value}"),
        Some(("integer" | "floating", value)) => format!("the number {}", value.trim_matches('`')),
        Some(("boolean", value)) => value.trim_matches('`').to_string(),
        _ => match found {
            "sequence" => "a list".to_owned(),
            "map" => "a mapping of keys".to_owned(),
            "unit value" => "nothing".to_owned(),
            other => other.to_owned(),
        },
    };
    let key = path.and_then(|p| p.rsplit('.').next()).map(|k| {
        // `rules[0].count` → `count`; `rules` stays.
        k.split('[').next().unwrap_or(k).to_owned()
    });
    let (what, example) = match expected {
        "i64" | "u64" | "u32" | "i32" | "usize" => ("a whole number", Some("3".to_owned())),
        "f64" | "f32" => ("a number", Some("0.8".to_owned())),
        "a string" => ("text", Some("\"…\"".to_owned())),
        "a boolean" => ("true or false", Some("true".to_owned())),
        "a sequence" => (
            "a list",
            key.as_ref().map(|k| format!("\n    {k}:\n      - …")),
        ),
        e if e.starts_with("struct ") || e == "a map" => ("a mapping of keys", None),
        _ => return None,
    };
    let example = match (key.as_deref(), example) {
        (Some(_), Some(example)) if example.starts_with('\n') => format!(", e.g.{example}"),
        (Some(key), Some(example)) => format!(" (e.g. {key}: {example})"),
        _ => String::new(),
    };
    let path = path.map(|p| format!("{p}: ")).unwrap_or_default();
    Some(format!("{path}expected {what}, not {found}{example}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_mismatches_say_what_and_show_how() {
        assert_eq!(
            rewrite(
                r#"log.threshold_count: invalid type: string "three", expected i64"#,
                "",
                None
            ),
            r#"log.threshold_count: expected a whole number, not the text "three" (e.g. threshold_count: 3)"#
        );
        assert_eq!(
            rewrite(
                "log.threshold_level: invalid type: sequence, expected a string",
                "",
                None
            ),
            r#"log.threshold_level: expected text, not a list (e.g. threshold_level: "…")"#
        );
        assert_eq!(
            rewrite("rules: invalid type: map, expected a sequence", "", None),
            "rules: expected a list, not a mapping of keys, e.g.\n    rules:\n      - …"
        );
        assert_eq!(rewrite("something else", "", None), "something else");
    }

    #[test]
    fn items_after_an_empty_list_are_named() {
        let text = "formats: []\n  - name: x\n    regex: y\n";
        assert_eq!(
            rewrite("did not find expected key", text, Some(2)),
            "'formats: []' is an empty list, so the indented lines below it are not part of it: \
             write 'formats:' alone on its line, then the items"
        );
        assert_eq!(
            rewrite("did not find expected key", "a: 1\nb c\n", Some(2)),
            "did not find expected key"
        );
    }
}
