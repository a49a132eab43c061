//! `AttributeError` of a misspelt attribute → the one close name the object has.
//!
//! Message forms read (Python 3.11):
//!
//! - `'str' object has no attribute 'startwith'. Did you mean: 'startswith'?` (the hint is
//!   printed by the interpreter's own traceback only: `logging.exception` and
//!   `traceback.print_exc` drop it, so the names are computed here);
//! - `'Invoice' object has no attribute 'recipent'`, `type object 'Invoice' has no attribute …`;
//! - `module 'rates' has no attribute 'convrt'`.
//!
//! `'NoneType' object …` is a missing value, not a typo (see `py-none-attribute`).
//!
//! The names come from the class defined in the repository (its `def`s, class-level names and
//! `self.<name> =` assignments, and those of its bases in the repository), from the module's file
//! (top-level `def`, `class`, assignments and imports), or for str, list, dict, bytes and set from
//! the lists below. The one strategy: the attribute is renamed to the unique name within
//! Damerau-Levenshtein distance 2 (1 for names of 4 letters or fewer); a tie, a class whose
//! attributes are set dynamically or inherited from outside the repository, or a name that is
//! assigned somewhere (so not a typo) is declined.

use super::python::{checked_line, code_line, headline, is_python};
use crate::fix::generator::{decline, Context, Draft, Generator, Repairs, Skip};
use crate::fix::repo::Snapshot;

// The public names of `dir(t)` for each type, pasted from Python 3.11.7:
// python3 -c 'for t in (str, list, dict, bytes, set): print(t.__name__, " ".join(n for n in dir(t) if not n.startswith("_")))'
const BUILTIN: &[(&str, &str)] = &[
    ("str", "capitalize casefold center count encode endswith expandtabs find format format_map index isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable isspace istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title translate upper zfill"),
    ("list", "append clear copy count extend index insert pop remove reverse sort"),
    ("dict", "clear copy fromkeys get items keys pop popitem setdefault update values"),
    ("bytes", "capitalize center count decode endswith expandtabs find fromhex hex index isalnum isalpha isascii isdigit islower isspace istitle isupper join ljust lower lstrip maketrans partition removeprefix removesuffix replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip swapcase title translate upper zfill"),
    ("set", "add clear copy difference difference_update discard intersection intersection_update isdisjoint issubset issuperset pop remove symmetric_difference symmetric_difference_update union update"),
];

/// `AttributeError` of a name one or two edits away from one the object has.
pub struct AttributeTypo;

/// What the message says has no such attribute.
enum Owner {
    Instance(String),
    Class(String),
    Module(String),
}

impl Generator for AttributeTypo {
    fn name(&self) -> String {
        "py-attribute-typo".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Python",
            error: "`AttributeError: 'X' object has no attribute 'y'` with one close name on the class, module or builtin type",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if !is_python(cx) || cx.kind() != Some("AttributeError") {
            return Err(Skip::NotApplicable);
        }
        let Some((owner, attr, hint)) = parse(cx.exception_message().trim()) else {
            return Err(Skip::NotApplicable);
        };
        let (site, text, shown) = checked_line(cx)?;
        let (what, names) = match &owner {
            Owner::Instance(c) | Owner::Class(c) => match BUILTIN.iter().find(|(t, _)| t == c) {
                Some((_, list)) => (c.clone(), list.split(' ').map(String::from).collect()),
                None => (
                    format!("class {c}"),
                    class_names(c, cx.repo, matches!(owner, Owner::Instance(_)), 0)?,
                ),
            },
            Owner::Module(m) => (format!("module {m}"), module_names(m, cx.repo)?),
        };
        if names.iter().any(|n| n == &attr) {
            return decline(format!(
                "'{attr}' is defined in {what}: it was not set on the path taken, not misspelt"
            ));
        }
        if assigned_anywhere(&attr, cx.repo) {
            return decline(format!(
                "'{attr}' is assigned as an attribute elsewhere in the repository: it is set \
                 dynamically, not misspelt"
            ));
        }
        let best = closest(&attr, &names, &what)?;
        if hint.as_ref().is_some_and(|h| h != &best) {
            return decline(format!(
                "Python suggests '{}' but {what} defines '{best}'",
                hint.unwrap_or_default()
            ));
        }
        // The `.attr` the carets cover, or the only one on the line.
        let line = code_line(text);
        let needle = format!(".{attr}");
        let found: Vec<usize> = line
            .find_code(&needle)
            .into_iter()
            .filter(|&i| {
                !text[i + needle.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
            .collect();
        let under: Vec<usize> = match shown.span() {
            Some((a, b)) => found.iter().copied().filter(|&i| a <= i && i < b).collect(),
            None => found.clone(),
        };
        let at = match (&under[..], &found[..]) {
            ([one], _) => *one,
            ([], [one]) => *one,
            _ => {
                return decline(format!(
                    "{} `.{attr}` on {}:{}: which one failed is unknown",
                    found.len(),
                    site.path,
                    site.line
                ))
            }
        };
        let new = format!("{}.{best}{}", &text[..at], &text[at + needle.len()..]);
        let description = format!(
            "{} at {}:{}: {what} has no '{attr}'; its one close name is '{best}'.",
            headline(cx),
            site.path,
            site.line
        );
        Draft::on_line(
            site,
            &new,
            description,
            "rename-attribute",
            under.len() == 1 && shown.span().is_some(),
        )
    }
}

/// The owner, the missing name and Python's hint, from the message.
fn parse(msg: &str) -> Option<(Owner, String, Option<String>)> {
    let re = regex::Regex::new(
        r"^(?:'(\w+)' object|type object '(\w+)'|module '([\w.]+)') has no attribute '(\w+)'(?:\. Did you mean: '(\w+)'\?)?$",
    )
    .expect("valid regex");
    let c = re.captures(msg)?;
    let owner = match (c.get(1), c.get(2), c.get(3)) {
        (Some(t), _, _) if t.as_str() == "NoneType" => return None,
        (Some(t), _, _) => Owner::Instance(t.as_str().into()),
        (_, Some(t), _) => Owner::Class(t.as_str().into()),
        (_, _, Some(m)) => Owner::Module(m.as_str().into()),
        _ => return None,
    };
    Some((owner, c[4].to_string(), c.get(5).map(|h| h.as_str().into())))
}

/// The unique name of `names` close to `attr`.
fn closest(attr: &str, names: &[String], what: &str) -> Result<String, Skip> {
    let max = if attr.chars().count() <= 4 { 1 } else { 2 };
    let mut near: Vec<(usize, &String)> = names
        .iter()
        .filter(|n| !n.starts_with("__"))
        .map(|n| (strsim::damerau_levenshtein(attr, n), n))
        .filter(|(d, _)| *d <= max)
        .collect();
    near.sort();
    near.dedup();
    match &near[..] {
        [] => decline(format!(
            "no name of {what} is within {max} edits of '{attr}'"
        )),
        [(d, a), (e, b), ..] if d == e => decline(format!(
            "'{attr}' is as close to '{a}' as to '{b}' in {what}: which was meant is a guess"
        )),
        [(_, best), ..] => Ok(best.to_string()),
    }
}

/// Whether any Python file of the repository assigns `.attr` (`obj.attr = …`, `setattr`-free).
fn assigned_anywhere(attr: &str, repo: &Snapshot) -> bool {
    let re = regex::Regex::new(&format!(r"\.{}\s*(?::[^=]+)?=[^=]", regex::escape(attr)))
        .expect("valid regex");
    py_files(repo).any(|(_, text)| text.lines().any(|l| re.is_match(l)))
}

fn py_files(repo: &Snapshot) -> impl Iterator<Item = (String, String)> + '_ {
    repo.files()
        .iter()
        .filter(|f| f.ends_with(".py"))
        .filter_map(|f| Some((f.clone(), repo.read(f)?)))
}

/// The names an instance (or the class object) of `class` defined in the repository has.
fn class_names(
    class: &str,
    repo: &Snapshot,
    instance: bool,
    depth: u8,
) -> Result<Vec<String>, Skip> {
    let header = regex::Regex::new(&format!(
        r"^(\s*)class\s+{}\s*(?:\((.*)\))?\s*:",
        regex::escape(class)
    ))
    .expect("valid regex");
    let mut defs = Vec::new();
    for (path, text) in py_files(repo) {
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if let Some(c) = header.captures(l) {
                defs.push((
                    path.clone(),
                    lines[i..]
                        .iter()
                        .map(|l| l.to_string())
                        .collect::<Vec<String>>(),
                    c[1].len(),
                    c.get(2).map(|b| b.as_str().to_string()),
                ));
            }
        }
    }
    let (path, lines, indent, bases) = match defs.len() {
        1 => defs.remove(0),
        0 => return decline(format!("class {class} is not defined in the repository")),
        n => {
            return decline(format!(
                "class {class} is defined {n} times in the repository"
            ))
        }
    };
    let body: Vec<&str> = lines[1..]
        .iter()
        .map(String::as_str)
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .collect();
    let dynamic = ["setattr(", "__getattr__", "__getattribute__", "__dict__"];
    if let Some(d) = dynamic.iter().find(|d| body.iter().any(|l| l.contains(*d))) {
        return decline(format!(
            "class {class} ({path}) sets or looks up attributes dynamically ({d}): its names are not all in the code"
        ));
    }
    let member_indent = body
        .iter()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(indent + 4);
    let member =
        regex::Regex::new(r"^(?:async\s+)?def\s+(\w+)|^class\s+(\w+)|^(\w+)\s*(?::[^=]+)?(?:=|$)")
            .expect("valid regex");
    let self_attr =
        regex::Regex::new(r"\bself\.(\w+)\s*(?::[^=]+)?(?:=[^=]|\+=|-=)").expect("valid regex");
    let mut names = Vec::new();
    for l in &body {
        let ind = l.len() - l.trim_start().len();
        if ind == member_indent {
            if let Some(c) = member.captures(l.trim_start()) {
                if let Some(n) = c.get(1).or(c.get(2)).or(c.get(3)) {
                    names.push(n.as_str().to_string());
                }
            }
        }
        if instance {
            names.extend(self_attr.captures_iter(l).map(|c| c[1].to_string()));
        }
    }
    for base in bases
        .iter()
        .flat_map(|b| b.split(','))
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        if base == "object" {
            continue;
        }
        let base_name = base.rsplit('.').next().unwrap_or(base);
        if depth >= 3 || !base_name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return decline(format!(
                "class {class} inherits from {base}, whose names are not followed"
            ));
        }
        match class_names(base_name, repo, instance, depth + 1) {
            Ok(more) => names.extend(more),
            Err(_) => {
                return decline(format!(
                    "class {class} inherits from {base}, whose attributes are not in the repository"
                ))
            }
        }
    }
    Ok(names)
}

/// The top-level names of module `module` when its file is in the repository.
fn module_names(module: &str, repo: &Snapshot) -> Result<Vec<String>, Skip> {
    let rel = module.replace('.', "/");
    let file = repo.files().iter().find(|f| {
        let f = f.as_str();
        [format!("{rel}.py"), format!("{rel}/__init__.py")]
            .iter()
            .any(|p| f == p || f.ends_with(&format!("/{p}")))
    });
    let Some(text) = file.and_then(|f| repo.read(f)) else {
        return decline(format!("module {module} is not in the repository"));
    };
    if text.contains("import *") || text.contains("def __getattr__") || text.contains("globals()") {
        return decline(format!("module {module} defines names dynamically"));
    }
    let def = regex::Regex::new(r"^(?:async\s+)?(?:def|class)\s+(\w+)|^(\w+)\s*(?::[^=]+)?=[^=]")
        .expect("valid regex");
    let import = regex::Regex::new(r"^(?:from\s+\S+\s+)?import\s+(.+)$").expect("valid regex");
    let mut names = Vec::new();
    for l in text.lines() {
        if let Some(c) = def.captures(l) {
            names.push(c.get(1).or(c.get(2)).unwrap().as_str().to_string());
        } else if let Some(c) = import.captures(l) {
            for item in c[1].trim_matches(['(', ')']).split(',') {
                let item = item.trim();
                let name = item
                    .rsplit(" as ")
                    .next()
                    .unwrap_or(item)
                    .split('.')
                    .next()
                    .unwrap_or("");
                if !name.is_empty() {
                    names.push(name.to_string());
                }
            }
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn run(files: &[(&str, &str)], no: u32, shown: &str, msg: &str) -> (Vec<String>, Vec<String>) {
        let trace = format!(
            "Traceback (most recent call last):\n  File \"/srv/app.py\", line {no}, in run\n    {shown}\nAttributeError: {msg}\n"
        );
        let (sols, notes) = propose(files, &trace);
        (sols.iter().flat_map(|s| added(&s.diff)).collect(), notes)
    }

    #[test]
    fn a_builtin_method_is_respelt() {
        let src = "def run(line):\n    return line.startwith('#')\n";
        for msg in [
            "'str' object has no attribute 'startwith'",
            "'str' object has no attribute 'startwith'. Did you mean: 'startswith'?",
        ] {
            let (lines, notes) = run(&[("app.py", src)], 2, "return line.startwith('#')", msg);
            assert_eq!(lines, vec!["    return line.startswith('#')"], "{notes:?}");
        }
        // `push` is no typo of a list method.
        let src = "def run(xs):\n    xs.push(1)\n";
        let (lines, notes) = run(
            &[("app.py", src)],
            2,
            "xs.push(1)",
            "'list' object has no attribute 'push'",
        );
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("within 1 edits")),
            "{notes:?}"
        );
    }

    const CLASS: &str = "class Invoice:\n    def __init__(self, to):\n        self.recipient = to\n        self.weight_kg = 1\n        self.weight_lb = 2\n\n    def total(self):\n        return 1\n";

    #[test]
    fn a_class_of_the_repository_gives_its_names() {
        let src = "def run(inv):\n    print(inv.recipent)\n";
        let files = [("app.py", src), ("model.py", CLASS)];
        let msg = "'Invoice' object has no attribute 'recipent'";
        let (lines, notes) = run(&files, 2, "print(inv.recipent)", msg);
        assert_eq!(lines, vec!["    print(inv.recipient)"], "{notes:?}");
        // Two names as close: a guess.
        let src = "def run(inv):\n    print(inv.weight_kb)\n";
        let files = [("app.py", src), ("model.py", CLASS)];
        let msg = "'Invoice' object has no attribute 'weight_kb'";
        let (lines, notes) = run(&files, 2, "print(inv.weight_kb)", msg);
        assert!(lines.is_empty());
        assert!(notes.iter().any(|n| n.contains("as close to")), "{notes:?}");
        // None is another class.
        let (_, notes) = run(
            &files,
            2,
            "print(inv.weight_kb)",
            "'NoneType' object has no attribute 'weight_kb'",
        );
        assert!(
            notes.iter().all(|n| !n.contains("as close to")),
            "{notes:?}"
        );
    }

    #[test]
    fn dynamic_and_inherited_attributes_are_declined() {
        let model = "class Cfg(dict):\n    def load(self):\n        pass\n";
        let src = "def run(c):\n    c.lod()\n";
        let (lines, notes) = run(
            &[("app.py", src), ("model.py", model)],
            2,
            "c.lod()",
            "'Cfg' object has no attribute 'lod'",
        );
        assert!(lines.is_empty());
        assert!(
            notes.iter().any(|n| n.contains("inherits from dict")),
            "{notes:?}"
        );
        let model = "class Cfg:\n    def __init__(self, d):\n        for k, v in d.items():\n            setattr(self, k, v)\n        self.retries = 1\n";
        let src = "def run(c):\n    c.retrie\n";
        let (lines, notes) = run(
            &[("app.py", src), ("model.py", model)],
            2,
            "c.retrie",
            "'Cfg' object has no attribute 'retrie'",
        );
        assert!(lines.is_empty());
        assert!(notes.iter().any(|n| n.contains("dynamically")), "{notes:?}");
    }

    #[test]
    fn a_module_of_the_repository_gives_its_names() {
        let rates = "import json\n\nRATE = 2\n\ndef convert(x):\n    return x * RATE\n";
        let src = "import rates\n\ndef run(x):\n    return rates.convrt(x)\n";
        let (lines, notes) = run(
            &[("app.py", src), ("rates.py", rates)],
            4,
            "return rates.convrt(x)",
            "module 'rates' has no attribute 'convrt'",
        );
        assert_eq!(lines, vec!["    return rates.convert(x)"], "{notes:?}");
    }
}
