//! Go generator: a nil pointer dereferenced where the nil is a lookup's "not found".
//!
//! The message form (go1.19; the signal line comes before the goroutine's trace):
//!
//! ```text
//! panic: runtime error: invalid memory address or nil pointer dereference
//! [signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x48f3b2]
//!
//! goroutine 1 [running]:
//! main.main()
//!     /tmp/srv/go-nil-pointer-map-skip/main.go:31 +0x1d
//! ```
//!
//! The line must still dereference a local (`u.Name`) that the function assigned from a lookup
//! that gives nil when nothing is found: an index of a map of pointers (`u := users[id]`), or a
//! call of a package function returning one pointer with a `return nil` (`u := findUser(id)`).
//! The nil is then handled where the code already handles "nothing", in order:
//! - the line is in a `for` loop → the record is skipped with a warning naming it, right after
//!   the lookup;
//! - the function returns an error last → `return …, ErrNotFound` (the package's own not-found
//!   error, wrapped with the key) or else an error naming the key;
//! - else nothing. A nil that is not a lookup's result (a field never set, a receiver, a
//!   parameter) is a programming error that no guard at this line repairs.

use std::sync::LazyLock;

use regex::Regex;

use super::braces::{insert_before, Source};
use super::code::{is_ident, Lang, Line};
use super::go_index::{go_warning, imports, results, zero_value};
use super::go_nil_map::{func_at, package_files};
use crate::fix::edit::line_text;
use crate::fix::factor::strategy;
use crate::fix::generator::{decline, excerpt, Context, Draft, Generator, Repairs, Site, Skip};
use crate::pattern::Language;

pub struct NilPointer;

/// `x := m[k]` / `x = m[k]`: the name, the map expression, the key.
static MAP_LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([a-zA-Z_]\w*)\s*:?=\s*([A-Za-z_][\w.]*)\[([^\[\]]+)\]\s*(?://.*)?$")
        .expect("valid regex")
});

/// `x := f(a)` / `x := s.f(a)`: the name, the callee (with its receiver), the function name, the
/// arguments.
static CALL_LOOKUP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([a-zA-Z_]\w*)\s*:?=\s*((?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*))\(([^()]*)\)\s*(?://.*)?$")
        .expect("valid regex")
});

/// `for _, o := range orders {` / `for i, o := range …`: the index and the element.
static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^for\s+(\w+)(?:\s*,\s*(\w+))?\s*:?=\s*range\s").expect("valid regex")
});

impl Generator for NilPointer {
    fn name(&self) -> String {
        "go-nil-pointer".into()
    }

    fn repairs(&self) -> Option<Repairs> {
        Some(Repairs {
            language: "Go",
            error: "`panic: runtime error: invalid memory address or nil pointer dereference` on a lookup's nil",
        })
    }

    fn prior(&self) -> f64 {
        0.5
    }

    fn generate(&self, cx: &Context<'_>) -> Result<Draft, Skip> {
        if cx.language != Some(Language::Go)
            || cx.exception_message().trim()
                != "runtime error: invalid memory address or nil pointer dereference"
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
        let Some((start, header, _)) = func_at(&site.content, site.line) else {
            return decline(format!("{here} is not inside a function"));
        };
        let package = package_files(cx, site);
        let line = Line::new(text, Lang::Java);
        // Every local dereferenced on the line (`x.f`, not `p.x.f`), with the lookup it came from.
        let mut derefs: Vec<String> = Vec::new();
        let mut chained: Vec<String> = Vec::new();
        for dot in line.find_code(".") {
            let b = line.bytes();
            let mut s = dot;
            while s > 0 && is_ident(b[s - 1]) {
                s -= 1;
            }
            if s == dot || (s > 0 && (b[s - 1] == b'.' || b[s - 1] == b'"')) {
                continue;
            }
            let name = &text[s..dot];
            // `x.f.g`: the nil may be `x.f`, not `x`.
            let mut e = dot + 1;
            while e < b.len() && is_ident(b[e]) {
                e += 1;
            }
            if b.get(e) == Some(&b'.') {
                chained.push(name.to_string());
            }
            if !derefs.iter().any(|d| d == name) && !name.as_bytes()[0].is_ascii_digit() {
                derefs.push(name.to_string());
            }
        }
        let mut found = Vec::new();
        for name in &derefs {
            if let Some(l) = lookup_of(&site.content, &package, start, site.line, name) {
                found.push(l);
            }
        }
        let lookup = match found.as_slice() {
            [one] => one,
            [] => {
                return decline(format!(
                    "no value dereferenced at {here} was assigned from a map lookup or a \
                     function that returns nil when it finds nothing; a nil anywhere else (a \
                     field never set, a receiver or parameter) is a programming error, not a \
                     record to skip"
                ))
            }
            _ => {
                return decline(format!(
                    "several lookups' results are dereferenced at {here}; not guessing which \
                     was nil"
                ))
            }
        };
        if chained.contains(&lookup.name) {
            return decline(format!(
                "`{}` at {here} is dereferenced through a field (`{}.….…`): the nil may be that \
                 field, not the lookup's result",
                lookup.name, lookup.name
            ));
        }
        let what = format!(
            "The program panicked at {here}: `{}` is nil, as `{}` gives when it finds nothing, \
             and the line dereferences it",
            lookup.name,
            excerpt(&lookup.source, 60)
        );
        let src = Source::new(&site.content, Lang::Java);
        if let Some(block) = src.loop_at(site.line).filter(|b| b.open < lookup.line) {
            return skip_record(site, &package, lookup, &block, &what);
        }
        if let Some(draft) = return_error(site, &package, &header, lookup, &what)? {
            return Ok(draft);
        }
        decline(format!(
            "`{}` at {here} is nil when `{}` finds nothing, and the line is not in a loop over \
             records nor in a function that returns an error; what a missing one should mean is \
             not in the code",
            lookup.name,
            excerpt(&lookup.source, 60)
        ))
    }
}

/// Where a dereferenced local came from.
struct Lookup {
    name: String,
    /// Its assignment's line.
    line: u32,
    /// `users[id]`, `findUser(id)`.
    source: String,
    /// What finds nothing, for messages: `users`, `findUser`.
    what: String,
    /// The key looked up, when it is one simple expression.
    key: Option<String>,
}

/// The nearest assignment of `name` above `line` in the function starting at `start`, when it is
/// a lookup that gives nil for "not found".
fn lookup_of(
    content: &str,
    package: &[(String, String)],
    start: u32,
    line: u32,
    name: &str,
) -> Option<Lookup> {
    let assigns = Regex::new(&format!(
        r"^\s*(?:var\s+)?{}\b(?:\s*,\s*\w+)?\s*(?::=|=[^=])",
        regex::escape(name)
    ))
    .ok()?;
    let simple = |k: &str| {
        let k = k.trim();
        (!k.is_empty() && k.bytes().all(|c| is_ident(c) || c == b'.')).then(|| k.to_string())
    };
    for n in (start + 1..line).rev() {
        let text = line_text(content, n)?;
        if !assigns.is_match(text) {
            continue;
        }
        if let Some(c) = MAP_LOOKUP.captures(text) {
            let map = &c[2];
            let field = map.rsplit('.').next().unwrap_or(map);
            let pointer_map = Regex::new(&format!(
                r"\b{}\s*(?::=\s*|=\s*|\s+)(?:make\()?map\[[^\]]+\]\*",
                regex::escape(field)
            ))
            .ok()?;
            if package.iter().any(|(_, c)| pointer_map.is_match(c))
                || made_by_pointer_map_func(content, package, start, n, field)
            {
                return Some(Lookup {
                    name: name.to_string(),
                    line: n,
                    source: format!("{map}[{}]", &c[3]),
                    what: map.to_string(),
                    key: simple(&c[3]),
                });
            }
            return None;
        }
        if let Some(c) = CALL_LOOKUP.captures(text) {
            let function = &c[3];
            if returns_nil(package, function) {
                let args = c[4].to_string();
                return Some(Lookup {
                    name: name.to_string(),
                    line: n,
                    source: format!("{}({args})", &c[2]),
                    what: c[2].to_string(),
                    key: (!args.contains(',')).then(|| simple(&args)).flatten(),
                });
            }
        }
        return None;
    }
    None
}

/// Whether the local `map` was assigned, in the function from line `start` to `line`, the result
/// of a package function returning a map of pointers (`byID := loadCustomers(path)`).
fn made_by_pointer_map_func(
    content: &str,
    package: &[(String, String)],
    start: u32,
    line: u32,
    map: &str,
) -> bool {
    let assign = Regex::new(&format!(
        r"^\s*{}\s*:?=\s*(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\(",
        regex::escape(map)
    ))
    .expect("valid regex");
    let Some(function) = (start..line).rev().find_map(|n| {
        assign
            .captures(line_text(content, n)?)
            .map(|c| c[1].to_string())
    }) else {
        return false;
    };
    let header = Regex::new(&format!(
        r"(?m)^func\s+(?:\([^)]*\)\s*)?{}\(.*\)\s*map\[[^\]]+\]\*[\w.]+\s*\{{\s*$",
        regex::escape(&function)
    ))
    .expect("valid regex");
    package.iter().any(|(_, c)| header.is_match(c))
}

/// Whether the package's function (or method) `name` returns one pointer and has a `return nil`.
fn returns_nil(package: &[(String, String)], name: &str) -> bool {
    let header = Regex::new(&format!(
        r"^func\s+(?:\([^)]*\)\s*)?{}\(.*\)\s*\*[\w.]+\s*\{{\s*$",
        regex::escape(name)
    ))
    .expect("valid regex");
    package.iter().any(|(_, content)| {
        content.lines().enumerate().any(|(i, l)| {
            if !header.is_match(l) {
                return false;
            }
            let Some((_, _, end)) = func_at(content, i as u32 + 1) else {
                return false;
            };
            (i as u32 + 2..end)
                .any(|n| line_text(content, n).is_some_and(|t| t.trim() == "return nil"))
        })
    })
}

fn skip_record(
    site: &Site,
    package: &[(String, String)],
    lookup: &Lookup,
    block: &super::braces::Block,
    what: &str,
) -> Result<Draft, Skip> {
    let Some(warn) = go_warning(&site.content, package) else {
        return decline(format!(
            "{} has no way to print a warning (no log, fmt and os import, no warn helper) to \
             name the skipped record",
            site.path
        ));
    };
    let body = super::braces::lines_text(&site.content, block.open, block.close);
    let record = RANGE.captures(&block.header).and_then(|c| {
        let var = c.get(2).map_or(&c[1], |m| m.as_str());
        if var == "_" {
            return None;
        }
        // The record's ID when the loop reads one, else the record.
        ["ID", "Id", "Name"]
            .iter()
            .map(|f| format!("{var}.{f}"))
            .find(|f| {
                Regex::new(&format!(r"\b{}\b", regex::escape(f))).is_ok_and(|r| r.is_match(&body))
            })
            .or_else(|| Some(var.to_string()))
    });
    let (format, args) = match (&record, &lookup.key) {
        (Some(r), Some(k)) if r != k => (
            format!(
                "skipping %v: {} found nothing for %v",
                lookup.what.replace('"', "'")
            ),
            format!("{r}, {k}"),
        ),
        (_, Some(k)) => (
            format!(
                "skipping %v: {} found nothing",
                lookup.what.replace('"', "'")
            ),
            k.clone(),
        ),
        (Some(r), None) => (
            format!(
                "skipping %v: {} found nothing",
                lookup.what.replace('"', "'")
            ),
            r.clone(),
        ),
        (None, None) => {
            return decline(format!(
                "nothing names the record of the loop at {}:{} in a warning",
                site.path, block.open
            ))
        }
    };
    let assign = line_text(&site.content, lookup.line).unwrap_or("");
    let indent = &assign[..assign.len() - assign.trim_start().len()];
    let lines = vec![
        format!("{indent}if {} == nil {{", lookup.name),
        format!("{indent}\t{}", warn.call(&format, &args)),
        format!("{indent}\tcontinue"),
        format!("{indent}}}"),
    ];
    let Some(edit) = insert_before(&site.path, &site.content, lookup.line + 1, &lines) else {
        return decline(format!("{}:{} cannot be edited", site.path, lookup.line));
    };
    Ok(Draft {
        edits: vec![edit],
        description: format!(
            "{what}. The lookup is made for one record of a `for` loop; a record it finds \
             nothing for is skipped with a line naming it, right after the lookup, and the other \
             records are handled as before."
        ),
        at_column: None,
        strategy: strategy("skip-record"),
    })
}

/// `var ErrNotFound = errors.New(…)` (or `ErrUserNotFound`, `ErrNoSuchUser`, `ErrUnknown…`).
static NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:var\s+)?(Err\w*(?:NotFound|Unknown|NoSuch)\w*)\s*=\s*(?:errors\.New|fmt\.Errorf)\(")
        .expect("valid regex")
});

fn return_error(
    site: &Site,
    package: &[(String, String)],
    header: &str,
    lookup: &Lookup,
    what: &str,
) -> Result<Option<Draft>, Skip> {
    let Some(results) = results(header) else {
        return Ok(None);
    };
    if results.last().map(String::as_str) != Some("error") {
        return Ok(None);
    }
    let zeros: Option<Vec<String>> = results[..results.len() - 1]
        .iter()
        .map(|t| zero_value(t, package))
        .collect();
    let Some(mut values) = zeros else {
        return decline(format!(
            "the function at {}:{} returns an error, but the zero value of one of its results \
             ({}) is not known",
            site.path,
            site.line,
            excerpt(&results.join(", "), 60)
        ));
    };
    let not_found: Vec<String> = package
        .iter()
        .flat_map(|(_, c)| NOT_FOUND.captures_iter(c).map(|m| m[1].to_string()))
        .collect();
    let fmt = imports(&site.content, "fmt");
    let key = lookup.key.as_deref();
    let (error, how) = match (not_found.as_slice(), key) {
        ([one], Some(k)) if fmt => (
            format!("fmt.Errorf(\"%w: %v\", {one}, {k})"),
            format!("the package's own {one}, with the key"),
        ),
        ([one], _) => (one.clone(), format!("the package's own {one}")),
        ([], Some(k)) if fmt => (
            format!(
                "fmt.Errorf(\"{} found nothing for %v\", {k})",
                lookup.what.replace('"', "'")
            ),
            "an error naming the key".to_string(),
        ),
        _ => {
            return decline(format!(
                "the function at {}:{} returns an error, but no single not-found error of the \
                 package or key to name fits it",
                site.path, site.line
            ))
        }
    };
    values.push(error);
    let assign = line_text(&site.content, lookup.line).unwrap_or("");
    let indent = &assign[..assign.len() - assign.trim_start().len()];
    let lines = vec![
        format!("{indent}if {} == nil {{", lookup.name),
        format!("{indent}\treturn {}", values.join(", ")),
        format!("{indent}}}"),
    ];
    let Some(edit) = insert_before(&site.path, &site.content, lookup.line + 1, &lines) else {
        return decline(format!("{}:{} cannot be edited", site.path, lookup.line));
    };
    Ok(Some(Draft {
        edits: vec![edit],
        description: format!(
            "{what}. The function already returns an error, so finding nothing now returns \
             {how} right after the lookup, through the path its callers already handle, \
             instead of a panic."
        ),
        at_column: None,
        strategy: strategy("return-error"),
    }))
}

#[cfg(test)]
mod tests {
    use crate::fix::testing::{added, propose};

    fn panic(src: &str, line: u32) -> (Vec<crate::fix::Solution>, Vec<String>) {
        let trace = format!(
            "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x10 pc=0x48f3b2]\n\ngoroutine 1 [running]:\nmain.f(...)\n\t/srv/app/main.go:{line}\nmain.main()\n\t/srv/app/main.go:40 +0x85\n"
        );
        propose(
            &[("go.mod", "module app\n\ngo 1.19\n"), ("main.go", src)],
            &trace,
        )
    }

    const HEAD: &str = "package main\n\nimport (\n\t\"errors\"\n\t\"fmt\"\n\t\"log\"\n)\n\ntype User struct{ Name string }\n\nvar users map[string]*User\n";

    #[test]
    fn a_map_lookup_in_a_loop_skips_the_record() {
        let src = format!("{HEAD}\nfunc main() {{\n\tfor _, o := range orders {{\n\t\tu := users[o.UserID]\n\t\tfmt.Println(o.ID, u.Name)\n\t}}\n}}\n");
        let (sols, notes) = panic(&src, 16);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "\t\tif u == nil {",
                "\t\t\tlog.Printf(\"skipping %v: users found nothing for %v\", o.ID, o.UserID)",
                "\t\t\tcontinue",
                "\t\t}"
            ]
        );
    }

    #[test]
    fn a_finder_returning_nil_returns_the_package_not_found_error() {
        let src = format!("{HEAD}\nvar ErrNotFound = errors.New(\"not found\")\n\nfunc find(id string) *User {{\n\tif id == \"\" {{\n\t\treturn nil\n\t}}\n\treturn users[id]\n}}\n\nfunc greet(id string) (string, error) {{\n\tu := find(id)\n\treturn \"hi \" + u.Name, nil\n}}\n");
        let (sols, notes) = panic(&src, 24);
        assert_eq!(sols.len(), 1, "{notes:?}");
        assert_eq!(
            added(&sols[0].diff),
            vec![
                "\tif u == nil {",
                "\t\treturn \"\", fmt.Errorf(\"%w: %v\", ErrNotFound, id)",
                "\t}"
            ]
        );
    }

    #[test]
    fn a_field_never_set_is_not_a_lookup() {
        let src = format!("{HEAD}\ntype S struct{{ db *DB }}\n\nfunc (s *S) run() error {{\n\treturn s.db.Ping()\n}}\n");
        let (sols, notes) = panic(&src, 16);
        assert!(
            sols.is_empty() && notes.iter().any(|n| n.contains("programming error")),
            "{notes:?}"
        );
    }
}
