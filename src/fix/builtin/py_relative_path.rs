//! `FileNotFoundError` of a relative path that is the module's own data file → the path taken
//! relative to the module, not to the working directory.
//!
//! Message form read (Python 3.11):
//!
//! - `FileNotFoundError: [Errno 2] No such file or directory: 'data/rates.csv'`.
//!
//! The one strategy: the path is a string literal passed to `open(…)` on the failing line, and
//! the repository tracks it next to the module (`pricing/data/rates.csv` for
//! `pricing/convert.py`): the program only worked when started from the module's directory. The
//! literal becomes `Path(__file__).parent / "data/rates.csv"` (`pathlib` as the file imports it,
//! else `from pathlib import Path` is added), or `os.path.join(os.path.dirname(__file__), …)` in
//! a file that already uses `os.path` and not `pathlib`.
//!
//! Declined: a path built from input or held in a name (where it comes from is not on the line),
//! an absolute path, or one the repository does not track next to the module (a file made or
//! provided at run time, or one relative to another directory: which one is meant is unknown).

use super::code::{Class, Lang, Line};
use super::py_blank_number::calls_of;
use super::python::{checked_line, function_name, headline, is_python};
use crate::fix::edit::Edit;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Skip};
use crate::fix::syntax::python::{split_top, Source};

/// `FileNotFoundError` of a module's data file opened by a path relative to the cwd.
pub struct RelativePath;

impl Generator for RelativePath {
    fn name(&self) -> String {
        "py-relative-path".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`FileNotFoundError: [Errno 2] No such file or directory: 'data/rates.csv'` of a data file tracked next to the module",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("FileNotFoundError") {
            return Err(Skip::NotApplicable);
        }
        let Some(missing) = parse(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        if missing.starts_with(['/', '~']) || missing.contains('\\') || missing.is_empty() {
            return decline(format!(
                "'{}' is not a plain relative path: no directory of the repository explains it",
                excerpt(missing, 60)
            ));
        }
        let (site, text, shown) = checked_line(cx)?;
        let line = Line::new(text, Lang::Python);
        let calls = calls_of(&line, "open");
        let under: Vec<_> = match shown.span() {
            Some((a, b)) => calls.iter().filter(|c| a <= c.0 && c.0 < b).collect(),
            None => calls.iter().collect(),
        };
        let &[&(start, open, close)] = &under[..] else {
            return decline(format!(
                "no single open() call at {}:{}; which one failed is unknown",
                site.path, site.line
            ));
        };
        let at_column = shown.span().is_some_and(|(a, _)| a == start);
        let args = split_top(&text[open + 1..close]);
        let first = args.first().copied().unwrap_or("");
        let lit = first.trim();
        let lit_at = open + 1 + (first.len() - first.trim_start().len());
        let plain = lit.len() >= 2
            && (lit.starts_with('"') && lit.ends_with('"')
                || lit.starts_with('\'') && lit.ends_with('\''))
            && (lit_at..lit_at + lit.len()).all(|i| line.class[i] == Class::Str);
        if !plain {
            return decline(format!(
                "the path `{}` opened at {}:{} is not a string literal: it is built from input \
                 or held elsewhere, and where it should point is not on the line",
                excerpt(lit, 40),
                site.path,
                site.line
            ));
        }
        if &lit[1..lit.len() - 1] != missing {
            return decline(format!(
                "{}:{} opens {lit}, not the '{missing}' the error names: the line changed since \
                 the log was written",
                site.path, site.line
            ));
        }
        let dir = site.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
        let Some(tracked) = normalize(dir, missing) else {
            return decline(format!("'{missing}' leaves the repository"));
        };
        if !cx.repo.files().contains(&tracked) {
            let elsewhere: Vec<&String> = cx
                .repo
                .files()
                .iter()
                .filter(|f| f.ends_with(&format!("/{missing}")) || **f == missing)
                .collect();
            return decline(match elsewhere.first() {
                Some(other) => format!(
                    "'{missing}' is tracked as {other}, not next to {}: which directory the \
                     program is meant to run from is unknown",
                    site.path
                ),
                None => format!(
                    "'{missing}' is tracked nowhere in the repository: the file is made or \
                     provided at run time, and no path in the code is wrong"
                ),
            });
        }
        let src = Source::new(&site.content);
        let from_import = regex::Regex::new(r"(?m)^from pathlib import .*\bPath\b")
            .expect("valid regex")
            .is_match(&site.content);
        let mut import = None;
        let path = if from_import {
            format!("Path(__file__).parent / {lit}")
        } else if src.imports("pathlib") {
            format!("pathlib.Path(__file__).parent / {lit}")
        } else if src.imports("os") && site.content.contains("os.path.") {
            format!("os.path.join(os.path.dirname(__file__), {lit})")
        } else {
            import = Some("from pathlib import Path\n");
            format!("Path(__file__).parent / {lit}")
        };
        let new = format!("{}{path}{}", &text[..lit_at], &text[lit_at + lit.len()..]);
        let mut draft = Draft::on_line(
            site,
            &new,
            format!(
                "{} at {}:{} in {}: '{missing}' is opened relative to the working directory, but \
                 the repository tracks it as {tracked}, next to the module; it is opened relative \
                 to the module, so the program finds it from any directory.",
                headline(cx),
                site.path,
                site.line,
                function_name(site),
            ),
            "idiomatic",
            at_column,
        )?;
        if let Some(import) = import {
            draft.edits.push(Edit {
                file: site.path.clone(),
                line: src.import_line(),
                old: String::new(),
                new: import.into(),
            });
        }
        Ok(draft)
    }
}

/// The path of the message (`[Errno 2] No such file or directory: 'data/rates.csv'`).
fn parse(msg: &str) -> Option<&str> {
    let repr = msg.strip_prefix("[Errno 2] No such file or directory: ")?;
    let q = repr.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    repr.strip_prefix(q)?.strip_suffix(q)
}

/// `rel` joined to the repository directory `dir`, `.` and `..` resolved; `None` above the root.
fn normalize(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(files: &[(&str, &str)], no: u32, missing: &str) -> (Vec<String>, Vec<String>) {
        let (path, src) = files[0];
        let line = src.lines().nth(no as usize - 1).unwrap();
        let tb = format!(
            "Traceback (most recent call last):\n  File \"/srv/{path}\", line {no}, in load\n    {}\nFileNotFoundError: [Errno 2] No such file or directory: '{missing}'\n",
            line.trim()
        );
        let (sols, notes) = propose(files, &tb);
        (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
    }

    #[test]
    fn a_data_file_next_to_the_module_is_opened_from_there() {
        let src = "import csv\n\n\ndef load():\n    with open(\"data/rates.csv\") as f:\n        return list(csv.reader(f))\n";
        let files = [("fx/rates.py", src), ("fx/data/rates.csv", "EUR,1\n")];
        let (lines, notes) = run(&files, 5, "data/rates.csv");
        assert_eq!(
            lines,
            vec![
                "from pathlib import Path",
                "    with open(Path(__file__).parent / \"data/rates.csv\") as f:"
            ],
            "{notes:?}"
        );
        let src = "import os\n\n\ndef load():\n    p = os.path.exists(\"x\")\n    return open('t.txt').read()\n";
        let files = [("tools/show.py", src), ("tools/t.txt", "hi\n")];
        let (lines, notes) = run(&files, 6, "t.txt");
        assert_eq!(
            lines,
            vec!["    return open(os.path.join(os.path.dirname(__file__), 't.txt')).read()"],
            "{notes:?}"
        );
    }

    #[test]
    fn built_or_untracked_paths_are_declined() {
        let src = "def load(name):\n    return open(name + \".csv\").read()\n";
        let (lines, notes) = run(&[("app.py", src), ("a.csv", "")], 2, "a.csv");
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("not a string literal")),
            "{notes:?}"
        );
        let src = "def load():\n    return open(\"out/report.csv\").read()\n";
        let (lines, notes) = run(&[("app/x.py", src)], 2, "out/report.csv");
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("tracked nowhere")),
            "{notes:?}"
        );
    }
}
