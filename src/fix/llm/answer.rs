//! The model's answer: one JSON object, `{diagnosis, edits[{file, search, replace}], confidence}`
//! or `{abstain}`, turned into [`Edit`]s under the same rules as every generator's, or dropped
//! with a one-line reason.

use serde::Deserialize;

use super::redact::Redactor;
use crate::fix::edit::Edit;
use crate::fix::repo::Snapshot;

pub const MAX_EDITS: usize = 5;
pub const MAX_CHANGED_LINES: usize = 200;

/// The JSON schema the server is asked to hold its answer to.
pub fn schema() -> serde_json::Value {
    // Strict mode wants every property required: the unused half of the answer is null.
    serde_json::json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "diagnosis": {"type": ["string", "null"]},
            "edits": {
                "type": ["array", "null"],
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "file": {"type": "string"},
                        "search": {"type": "string"},
                        "replace": {"type": "string"}
                    },
                    "required": ["file", "search", "replace"]
                }
            },
            "confidence": {"type": ["number", "null"]},
            "abstain": {"type": ["string", "null"]}
        },
        "required": ["diagnosis", "edits", "confidence", "abstain"]
    })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    diagnosis: Option<String>,
    edits: Option<Vec<RawEdit>>,
    confidence: Option<f64>,
    abstain: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEdit {
    file: String,
    search: String,
    replace: String,
}

/// A change the model proposed, before it is applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub diagnosis: String,
    pub edits: Vec<(String, String, String)>,
    pub confidence: f64,
}

/// What the model said.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Fix(Fix),
    Abstain(String),
}

/// The answer in `content`, or why it is not one. A single Markdown fence around the object is
/// tolerated (servers without `response_format` often add one); nothing else is.
pub fn parse(content: &str) -> Result<Answer, String> {
    let mut text = content.trim();
    if let Some(rest) = text.strip_prefix("```") {
        let rest = rest.strip_prefix("json").unwrap_or(rest);
        text = rest.strip_suffix("```").unwrap_or(rest).trim();
    }
    let raw: Raw = serde_json::from_str(text).map_err(|e| {
        let detail = e.to_string();
        if e.is_data() {
            format!("the answer does not follow the schema: {detail}")
        } else {
            format!("the answer is not valid JSON: {detail}")
        }
    })?;
    if let Some(why) = raw.abstain.filter(|w| !w.trim().is_empty()) {
        if raw.edits.as_ref().is_some_and(|e| !e.is_empty()) {
            return Err("the answer both abstains and edits".into());
        }
        return Ok(Answer::Abstain(why));
    }
    let (Some(diagnosis), Some(edits), Some(confidence)) =
        (raw.diagnosis, raw.edits, raw.confidence)
    else {
        return Err(
            "the answer does not follow the schema: it needs diagnosis, edits and confidence, \
             or abstain"
                .into(),
        );
    };
    if !(0.0..=1.0).contains(&confidence) {
        return Err(format!("confidence {confidence} is not within 0 and 1"));
    }
    if edits.is_empty() {
        return Err("the answer has no edits".into());
    }
    if edits.len() > MAX_EDITS {
        return Err(format!(
            "{} edits, more than the {MAX_EDITS} allowed",
            edits.len()
        ));
    }
    Ok(Answer::Fix(Fix {
        diagnosis,
        edits: edits
            .into_iter()
            .map(|e| (e.file, e.search, e.replace))
            .collect(),
        confidence,
    }))
}

/// Whether `path` may be edited: relative, inside the repository, not in `.git/`, tracked at
/// HEAD as a regular file and not reached through a symlink.
fn check_path(repo: &Snapshot, path: &str) -> Result<(), String> {
    let bad = path.is_empty()
        || path.starts_with('/')
        || path.contains('\\')
        || path.contains('\0')
        || (path.len() > 1 && path.as_bytes()[1] == b':');
    if bad
        || path
            .split('/')
            .any(|p| p == ".." || p == "." || p.is_empty())
    {
        return Err(format!(
            "'{path}' is not a relative path inside the repository"
        ));
    }
    if path == ".git" || path.starts_with(".git/") || path.contains("/.git/") {
        return Err(format!("'{path}' is inside .git"));
    }
    let linked = repo
        .links()
        .iter()
        .any(|(link, _)| path == link || path.starts_with(&format!("{link}/")));
    if linked {
        return Err(format!("'{path}' is reached through a symlink"));
    }
    if !repo.contains(path) {
        return Err(format!("'{path}' is not a file tracked at HEAD"));
    }
    Ok(())
}

/// Byte ranges where `search` occurs in `content`.
fn occurrences(content: &str, search: &str) -> Vec<usize> {
    content.match_indices(search).map(|(i, _)| i).collect()
}

/// The whole lines of `content` from the one holding byte `start` to the one holding byte
/// `end - 1`, as a byte range.
fn whole_lines(content: &str, start: usize, end: usize) -> (usize, usize) {
    let from = content[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let last = end.max(start + 1).min(content.len());
    let to = content[last - 1..]
        .find('\n')
        .map(|i| last - 1 + i + 1)
        .unwrap_or(content.len());
    (from, to)
}

/// Where `search` sits in `content` once, as a byte range: exactly, else as whole lines once
/// trailing whitespace is ignored on both sides.
fn locate(content: &str, search: &str, file: &str) -> Result<(usize, usize), String> {
    let exact = occurrences(content, search);
    match exact.len() {
        1 => return Ok((exact[0], exact[0] + search.len())),
        0 => {}
        n => return Err(format!("the search text occurs {n} times in '{file}'")),
    }
    let want: Vec<&str> = search
        .trim_end_matches('\n')
        .lines()
        .map(str::trim_end)
        .collect();
    let lines: Vec<(usize, &str)> = {
        let mut at = 0;
        content
            .split_inclusive('\n')
            .map(|l| {
                let start = at;
                at += l.len();
                (start, l)
            })
            .collect()
    };
    if want.is_empty() || want.len() > lines.len() {
        return Err(format!("the search text does not occur in '{file}'"));
    }
    let found: Vec<usize> = (0..=lines.len() - want.len())
        .filter(|&i| (0..want.len()).all(|k| lines[i + k].1.trim_end() == want[k]))
        .collect();
    match found.as_slice() {
        [i] => {
            let (start, _) = lines[*i];
            let (last_start, last) = lines[i + want.len() - 1];
            // The lines' trailing whitespace goes with them; their end of line only when the
            // search text ends with one, as an exact match would.
            let body = last.trim_end_matches(['\n', '\r']);
            let end = if search.ends_with('\n') {
                last_start + last.len()
            } else {
                last_start + body.len()
            };
            Ok((start, end))
        }
        [] => Err(format!("the search text does not occur in '{file}'")),
        many => Err(format!(
            "the search text occurs {} times in '{file}' once trailing whitespace is ignored",
            many.len()
        )),
    }
}

/// The model's edits as line edits of files at HEAD, with placeholders of the code put back.
pub fn apply(repo: &Snapshot, fix: &Fix, redactor: &Redactor) -> Result<Vec<Edit>, String> {
    let mut edits = Vec::new();
    let mut changed = 0;
    for (file, search, replace) in &fix.edits {
        check_path(repo, file)?;
        let search = redactor.restore(search)?;
        let replace = redactor.restore(replace)?;
        if search.is_empty() {
            return Err(format!("an edit of '{file}' has an empty search text"));
        }
        let content = repo
            .read(file)
            .ok_or_else(|| format!("'{file}' is not a text file"))?;
        let (start, end) = locate(&content, &search, file)?;
        let (from, to) = whole_lines(&content, start, end);
        let old = &content[from..to];
        let mut new = format!("{}{}{}", &content[from..start], replace, &content[end..to]);
        if old.ends_with('\n') && !new.ends_with('\n') && !new.is_empty() {
            new.push('\n');
        }
        if old.contains("\r\n") {
            new = new.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        changed += similar::TextDiff::from_lines(old, new.as_str())
            .iter_all_changes()
            .filter(|c| c.tag() != similar::ChangeTag::Equal)
            .count();
        let line = content[..from].matches('\n').count() as u32 + 1;
        edits.push(Edit {
            file: file.clone(),
            line,
            old: old.to_string(),
            new,
        });
    }
    if changed > MAX_CHANGED_LINES {
        return Err(format!(
            "the edits change {changed} lines, more than the {MAX_CHANGED_LINES} allowed"
        ));
    }
    Ok(edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_and_what_is_not_one() {
        let fix = parse(
            r#"{"diagnosis": "d", "edits": [{"file": "a.py", "search": "x", "replace": "y"}], "confidence": 0.7}"#,
        )
        .unwrap();
        assert!(matches!(fix, Answer::Fix(f) if f.edits.len() == 1));
        assert_eq!(
            parse("```json\n{\"abstain\": \"no idea\"}\n```").unwrap(),
            Answer::Abstain("no idea".into())
        );
        assert!(parse("not json").unwrap_err().contains("not valid JSON"));
        assert!(parse(r#"{"diagnosis": "d"}"#)
            .unwrap_err()
            .contains("schema"));
        assert!(parse(r#"{"abstain": "x", "extra": 1}"#)
            .unwrap_err()
            .contains("schema"));
        let many = format!(
            r#"{{"diagnosis": "d", "edits": [{}], "confidence": 0.5}}"#,
            [r#"{"file": "a", "search": "b", "replace": "c"}"#; 6].join(",")
        );
        assert!(parse(&many).unwrap_err().contains("6 edits"));
    }

    #[test]
    fn search_once_exactly_then_once_without_trailing_whitespace() {
        let content = "a = 1\nb = 2   \nc = 3\nb = 2\n";
        assert_eq!(locate(content, "a = 1", "f"), Ok((0, 5)));
        assert!(locate(content, "b = 2\n", "f").is_ok());
        assert!(locate(content, "b = 2", "f")
            .unwrap_err()
            .contains("2 times"));
        assert!(locate("x  \ny\n", "x\ny", "f").is_ok());
        assert!(locate(content, "d = 4", "f")
            .unwrap_err()
            .contains("does not occur"));
        assert_eq!(whole_lines(content, 2, 3), (0, 6));
    }

    fn fix(edits: &[(&str, &str, &str)]) -> Fix {
        Fix {
            diagnosis: "d".into(),
            edits: edits
                .iter()
                .map(|(f, a, b)| (f.to_string(), a.to_string(), b.to_string()))
                .collect(),
            confidence: 0.5,
        }
    }

    #[test]
    fn edits_become_whole_line_edits_of_tracked_files_with_code_secrets_kept() {
        use super::super::redact::Origin;
        let dir = crate::fix::testing::repo(&[
            (
                "app.py",
                "URL = 'https://ops:pw1234@db.internal/x'\nn = int(s)  \nprint(n)\n",
            ),
            ("big.py", &"x = 1\n".repeat(300)),
        ]);
        let repo = Snapshot::open(dir.path()).unwrap();
        let mut redactor = Redactor::default();
        let window = redactor
            .redact("URL = 'https://ops:pw1234@db.internal/x'", Origin::Code)
            .unwrap();
        assert!(!window.contains("pw1234"), "{window}");
        // A change of a line that holds a code secret keeps it; the partial search becomes the
        // whole line, and trailing spaces of the file are tolerated once.
        let edits = apply(
            &repo,
            &fix(&[
                ("app.py", &window, &format!("{window}  # the orders db")),
                ("app.py", "n = int(s)\n", "n = int(s or DEFAULT)\n"),
            ]),
            &redactor,
        )
        .unwrap();
        assert_eq!(edits[0].line, 1);
        assert_eq!(
            edits[0].new,
            "URL = 'https://ops:pw1234@db.internal/x'  # the orders db\n"
        );
        assert_eq!(
            (edits[1].line, edits[1].new.as_str()),
            (2, "n = int(s or DEFAULT)\n")
        );
        let whole = "x = 1\n".repeat(300);
        let err = apply(
            &repo,
            &fix(&[("big.py", &whole, &"y = 2\n".repeat(300))]),
            &redactor,
        )
        .unwrap_err();
        assert!(err.contains("more than the 200 allowed"), "{err}");
        for (file, why) in [
            ("missing.py", "not a file tracked at HEAD"),
            ("./app.py", "not a relative path"),
            ("a//app.py", "not a relative path"),
            ("C:/app.py", "not a relative path"),
        ] {
            let err = apply(&repo, &fix(&[(file, "print(n)", "x")]), &redactor).unwrap_err();
            assert!(err.contains(why), "{file}: {err}");
        }
        let err = apply(&repo, &fix(&[("app.py", "", "x")]), &redactor).unwrap_err();
        assert!(err.contains("empty search"), "{err}");
    }
}
