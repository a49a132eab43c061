//! Go generator: a write into a map that was never made (the zero value of a map type is nil).
//!
//! The message form (go1.19, a method inlined into main; the location lines start with a tab):
//!
//! ```text
//! panic: assignment to entry in nil map
//!
//! goroutine 1 [running]:
//! main.(*Stock).Receive(...)
//!     /tmp/srv/go-nil-map-constructor-stock/stock.go:16
//! main.main()
//!     /tmp/srv/go-nil-map-constructor-stock/main.go:29 +0x327
//! ```
//!
//! The line must still write `m[k] = v` (or `m[k]++`, `m[k] += v`); the map is made where the
//! code that owns it would make it, in order:
//! - `m` is a struct field and the package's constructor `NewX` builds the only `X{…}` literal
//!   of the package → `m: make(map[K]V)` in that literal;
//! - `m` is a field of a `*X` receiver or parameter → `if s.m == nil { s.m = make(map[K]V) }`
//!   right before the write (every `X` built elsewhere, the zero value included, is covered);
//! - `m` is a variable declared `var m map[K]V` in the function or the package → that
//!   declaration makes it;
//! - else nothing: a map passed in by the caller, or a field whose type the package does not
//!   declare, is not this line's to make.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::insert_before;
use crate::fix::edit::{line_text, Edit};
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct NilMap;

/// `s.counts[k] = v`, `m[k]++`, `seen[k] |= f`: the map expression and the index.
static WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\[(.+)\]\s*(?:=[^=]|\+\+|--|[-+*/%|&^]=|<<=|>>=)",
    )
    .expect("valid regex")
});

static STRUCT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^type\s+([A-Za-z_]\w*)\s+struct\s*\{\s*$").expect("valid regex"));

/// A field line of a struct: name and map type, before a tag or a comment.
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+([A-Za-z_]\w*)\s+(map\[[^`]*?)\s*(?:`[^`]*`)?\s*(?://.*)?$")
        .expect("valid regex")
});

impl Generator for NilMap {
    fn name(&self) -> String {
        "go-nil-map".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Go",
            error: "`panic: assignment to entry in nil map`",
        })
    }

    fn prior(&self) -> f64 {
        0.6
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Go)
            || cx.exception_message().trim() != "assignment to entry in nil map"
        {
            return Err(Skip::NotApplicable);
        }
        let Some(site) = cx.site.as_ref() else {
            return decline("the panic location is not a file tracked at HEAD");
        };
        let here = format!("{}:{}", site.path, site.line);
        let Some(text) = site.line_text() else {
            return decline(format!("{} has no line {}", site.path, site.line));
        };
        let Some(caps) = WRITE.captures(text) else {
            return decline(format!(
                "{here} no longer writes an entry of a map (`{}`)",
                excerpt(text, 60)
            ));
        };
        let target = caps[1].to_string();
        let package = package_files(cx, site);
        let what = format!(
            "The program panicked at {here}: `{target}[{}]` is written while `{target}` is a nil map",
            &caps[2]
        );
        match target.rsplit_once('.') {
            Some((base, field)) => field_map(site, &package, base, field, &what),
            None => variable_map(site, &package, &target, &what),
        }
    }
}

/// The tracked non-test `.go` files of the site's directory (its package), with their text.
pub(crate) fn package_files(cx: &Context<'_>, site: &Site) -> Vec<(String, String)> {
    let dir = site.path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    cx.repo
        .files()
        .iter()
        .filter(|f| f.ends_with(".go") && !f.ends_with("_test.go"))
        .filter(|f| f.rsplit_once('/').map(|(d, _)| d).unwrap_or("") == dir)
        .filter_map(|f| Some((f.clone(), cx.repo.read(f)?)))
        .collect()
}

fn field_map(
    site: &Site,
    package: &[(String, String)],
    base: &str,
    field: &str,
    what: &str,
) -> Result<Draft, Skip> {
    // (struct, map type) of every struct of the package declaring `field` as a map.
    let mut owners = Vec::new();
    for (_, content) in package {
        let mut current = None;
        for line in content.lines() {
            if let Some(c) = STRUCT.captures(line) {
                current = Some(c[1].to_string());
            } else if line.starts_with('}') {
                current = None;
            } else if let (Some(s), Some(c)) = (&current, FIELD.captures(line)) {
                if &c[1] == field {
                    owners.push((s.clone(), c[2].trim().to_string()));
                }
            }
        }
    }
    let (ty, map) = match owners.as_slice() {
        [one] => one.clone(),
        [] => {
            return decline(format!(
                "no struct of the package declares a map field `{field}`; the map's type is not \
                 in the repository"
            ))
        }
        _ => {
            return decline(format!(
                "{} structs of the package declare a map field `{field}`; not guessing which",
                owners.len()
            ))
        }
    };
    let make = format!("make({map})");
    if let Some(draft) = in_constructor(package, &ty, field, &make, what)? {
        return Ok(draft);
    }
    let Some((_, header, _)) = func_at(&site.content, site.line) else {
        return decline(format!(
            "{}:{} is not inside a function",
            site.path, site.line
        ));
    };
    let pointer = Regex::new(&format!(
        r"[(,]\s*{}\s+\*{}\s*[,)]",
        regex::escape(base),
        ty
    ))
    .expect("valid regex");
    if !pointer.is_match(&header) {
        return decline(format!(
            "`{base}` is not a `*{ty}` receiver or parameter of the function; a map made on a \
             copy would be lost"
        ));
    }
    let text = site.line_text().unwrap_or("");
    let indent = &text[..text.len() - text.trim_start().len()];
    let unit = if indent.starts_with('\t') {
        "\t"
    } else {
        "    "
    };
    let target = format!("{base}.{field}");
    let lines = vec![
        format!("{indent}if {target} == nil {{"),
        format!("{indent}{unit}{target} = {make}"),
        format!("{indent}}}"),
    ];
    let Some(edit) = insert_before(&site.path, &site.content, site.line, &lines) else {
        return decline(format!("{}:{} cannot be edited", site.path, site.line));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: a `{ty}` built without it (its zero value, or a literal that leaves the \
             field out) holds no map. The map is made right before the first write, so every \
             `{ty}` gets one however it was built, and the entries written before are kept."
        ),
        at_column: Some(false),
        strategy: strategy("idiomatic"),
    })
}

/// `field: make(map[K]V)` in the literal of the constructor `New…` returning `ty`, when that
/// literal is the package's only `ty{…}`; `Ok(None)` when there is no such constructor.
fn in_constructor(
    package: &[(String, String)],
    ty: &str,
    field: &str,
    make: &str,
    what: &str,
) -> Result<Option<Draft>, Skip> {
    let header =
        Regex::new(&format!(r"^func\s+(New\w*)\(.*\)\s*\(?\*?{ty}\b")).expect("valid regex");
    let literal = Regex::new(&format!(r"(?:^|[^\w.]){ty}\{{")).expect("valid regex");
    let mut found = None;
    let mut literals = 0;
    for (path, content) in package {
        for (i, line) in content.lines().enumerate() {
            let n = i as u32 + 1;
            if literal.is_match(line) && !line.starts_with("type ") {
                literals += 1;
            }
            if let Some(c) = header.captures(line) {
                found = Some((path.clone(), content.clone(), n, c[1].to_string()));
            }
        }
    }
    let Some((path, content, start, name)) = found else {
        return Ok(None);
    };
    let Some((_, _, end)) = func_at(&content, start) else {
        return Ok(None);
    };
    let at = (start..=end).find(|&n| line_text(&content, n).is_some_and(|l| literal.is_match(l)));
    let Some(at) = at.filter(|_| literals == 1) else {
        return Ok(None);
    };
    let text = line_text(&content, at).unwrap_or("");
    let open = literal.find(text).map(|m| m.end()).unwrap_or(0);
    let rest = &text[open..];
    let body = (at + 1..end).map(|n| line_text(&content, n).unwrap_or(""));
    let names = Regex::new(&format!(r"(?:^|[{{,\s]){field}\s*:")).expect("valid regex");
    if names.is_match(rest) || body.clone().any(|l| names.is_match(l)) && rest.trim().is_empty() {
        return decline(format!(
            "{name}() already sets `{field}`; the nil map comes from somewhere else"
        ));
    }
    let edit = if rest.trim().is_empty() {
        let next = line_text(&content, at + 1).unwrap_or("");
        let indent = &next[..next.len() - next.trim_start().len()];
        Edit {
            file: path.clone(),
            line: at + 1,
            old: String::new(),
            new: format!("{indent}{field}: {make},\n"),
        }
    } else {
        let Some(close) = rest.find('}') else {
            return Ok(None);
        };
        let inside = rest[..close].trim();
        if !inside.is_empty() && !inside.contains(':') {
            return decline(format!(
                "{name}() builds `{ty}` with a positional literal; not rewriting it"
            ));
        }
        let add = if inside.is_empty() {
            format!("{field}: {make}")
        } else {
            format!(", {field}: {make}")
        };
        let mut new = text.to_string();
        new.insert_str(open + rest[..close].trim_end().len(), &add);
        let Some(edit) = Edit::replace_line(&path, &content, at, &new) else {
            return Ok(None);
        };
        edit
    };
    Ok(Some(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: {name}() builds the package's only `{ty}` and leaves `{field}` out, so it \
             is nil. The constructor makes it, as the code that owns the struct would."
        ),
        at_column: None,
        strategy: strategy("idiomatic"),
    }))
}

fn variable_map(
    site: &Site,
    package: &[(String, String)],
    name: &str,
    what: &str,
) -> Result<Draft, Skip> {
    let var = Regex::new(&format!(
        r"^(\s*)var\s+{}\s+(map\[.*?)\s*(?://.*)?$",
        regex::escape(name)
    ))
    .expect("valid regex");
    let here = format!("{}:{}", site.path, site.line);
    if let Some((start, header, _)) = func_at(&site.content, site.line) {
        let param =
            Regex::new(&format!(r"[(,]\s*{}\s+map\[", regex::escape(name))).expect("valid regex");
        if param.is_match(&header) {
            return decline(format!(
                "`{name}` at {here} is a parameter: the nil map comes from the caller"
            ));
        }
        for n in (start..site.line).rev() {
            let line = line_text(&site.content, n).unwrap_or("");
            if let Some(c) = var.captures(line) {
                let new = format!("{}{name} := make({})", &c[1], &c[2]);
                return made(site.path.clone(), &site.content, n, &new, what, name);
            }
        }
    }
    for (path, content) in package {
        for (i, line) in content.lines().enumerate() {
            if let Some(c) = var.captures(line).filter(|c| c[1].is_empty()) {
                let new = format!("var {name} = make({})", &c[2]);
                return made(path.clone(), content, i as u32 + 1, &new, what, name);
            }
        }
    }
    decline(format!(
        "no `var {name} map[…]` declaration in the function or the package; the map's type is \
         not in the repository"
    ))
}

fn made(
    path: String,
    content: &str,
    n: u32,
    new: &str,
    what: &str,
    name: &str,
) -> Result<Draft, Skip> {
    let Some(edit) = Edit::replace_line(&path, content, n, new) else {
        return decline(format!("{path} has no line {n}"));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "{what}: `var {name} map[…]` declares a nil map (the zero value), which can be read \
             but not written. The declaration at {path}:{n} makes the map instead."
        ),
        at_column: None,
        strategy: strategy("idiomatic"),
    })
}

/// The gofmt'd function around line `n`: its first line, its header (to the `{`), its last line.
pub(crate) fn func_at(content: &str, n: u32) -> Option<(u32, String, u32)> {
    let start = (1..=n)
        .rev()
        .find(|&k| line_text(content, k).is_some_and(|l| l.starts_with("func ")))?;
    let end = (start..)
        .take_while(|&k| line_text(content, k).is_some())
        .find(|&k| line_text(content, k).is_some_and(|l| l.starts_with('}')))?;
    if end < n {
        return None;
    }
    let header = line_text(content, start)?.to_string();
    Some((start, header, end))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(
        files: &[(&str, &str)],
        file: &str,
        line: u32,
    ) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\nmain.f(...)\n\t/srv/app/{file}:{line}\nmain.main()\n\t/srv/app/main.go:30 +0x85\n"
        );
        let mut all = vec![("go.mod", "module app\n\ngo 1.19\n")];
        all.extend_from_slice(files);
        propose(&all, &trace)
    }

    const TALLY: &str = "package main\n\ntype Tally struct {\n\tname   string\n\tcounts map[string]int // by word\n}\n\nfunc (t *Tally) Add(w string) {\n\tt.counts[w]++\n}\n";

    #[test]
    fn the_constructor_makes_the_field() {
        let ctor =
            "package main\n\nfunc NewTally(name string) *Tally {\n\treturn &Tally{name: name}\n}\n";
        let (sols, notes) = panic(&[("tally.go", TALLY), ("new.go", ctor)], "tally.go", 9);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["\treturn &Tally{name: name, counts: make(map[string]int)}"]
        );
        let ctor = "package main\n\nfunc NewTally(name string) *Tally {\n\treturn &Tally{\n\t\tname: name,\n\t}\n}\n";
        let (sols, notes) = panic(&[("tally.go", TALLY), ("new.go", ctor)], "tally.go", 9);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec!["\t\tcounts: make(map[string]int),"]
        );
    }

    #[test]
    fn lazily_before_the_write_without_a_constructor() {
        let main = format!("{TALLY}\nfunc main() {{\n\tt := &Tally{{}}\n\tt.Add(\"a\")\n}}\n");
        let (sols, notes) = panic(&[("main.go", &main)], "main.go", 9);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "\tif t.counts == nil {",
                "\t\tt.counts = make(map[string]int)",
                "\t}"
            ]
        );
        // A value receiver: a map made on the copy would be lost.
        let value = main.replace("(t *Tally)", "(t Tally)");
        let (sols, notes) = panic(&[("main.go", &value)], "main.go", 9);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("copy")),
            "{notes:?}"
        );
    }

    #[test]
    fn a_var_declaration_or_nothing() {
        let src = "package main\n\nfunc count(ws []string) map[string]int {\n\tvar seen map[string]int\n\tfor _, w := range ws {\n\t\tseen[w] += 1\n\t}\n\treturn seen\n}\n";
        let (sols, notes) = panic(&[("main.go", src)], "main.go", 6);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(added(&sols[0].diff), vec!["\tseen := make(map[string]int)"]);
        let src = "package main\n\nfunc count(seen map[string]int, w string) {\n\tseen[w] = 1\n}\n";
        let (sols, notes) = panic(&[("main.go", src)], "main.go", 4);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("caller")),
            "{notes:?}"
        );
        let src = "package main\n\nfunc f(c *Config) {\n\tc.Labels[\"a\"] = \"b\"\n}\n";
        let (sols, notes) = panic(&[("main.go", src)], "main.go", 4);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("not in the repository")),
            "{notes:?}"
        );
    }
}
