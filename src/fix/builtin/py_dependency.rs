//! What a missing Python module's distribution is, and at which version: the two questions a
//! `ModuleNotFoundError` fix must answer right.
//!
//! - A namespace package (`google`, `azure`) is no distribution of its own: `No module named
//!   'google'` is `protobuf` or a `google-cloud-*` distribution, decided by the submodule in the
//!   message or on the import line. The unrelated `google` distribution is never the answer.
//! - The version is the one a lock file of the project holds (`poetry.lock`, `uv.lock`, or a
//!   `pip freeze` output such as `requirements.lock` / `constraints.txt`); without one the
//!   requirement stays unpinned and the description says so.

use crate::fix::generator::Context;

/// Top-level names that are namespace packages shared by many distributions.
const NAMESPACES: &[&str] = &["google", "azure"];

/// The importable module a fix is about: `module` itself, or for a bare namespace package the
/// `namespace.sub` the import line names. `Err` says why nothing can be told.
pub(crate) fn full_module(module: &str, import_line: &str) -> Result<String, String> {
    let top = module.split('.').next().unwrap_or(module);
    if !NAMESPACES.contains(&top) || module.contains('.') {
        return Ok(module.to_owned());
    }
    // `from google.cloud import storage`, `import google.protobuf.json_format`.
    let prefix = format!("{top}.");
    let mut subs = import_line
        .match_indices(&prefix)
        .filter(|(at, _)| {
            *at == 0
                || !import_line[..*at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
        .map(|(at, _)| {
            let rest = &import_line[at + top.len() + 1..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            format!("{top}.{}", &rest[..end])
        });
    let full = subs.next();
    let mut full = full.ok_or_else(|| {
        format!(
            "'{top}' is a namespace package shared by many distributions and the import names \
             none of its submodules: which one is missing is a guess"
        )
    })?;
    // `from google.cloud import storage`: the distribution is the imported name's.
    if full == format!("{top}.cloud") {
        if let Some(name) = imported_name(import_line) {
            full = format!("{full}.{name}");
        }
    }
    Ok(full)
}

/// The first name after `import` in a `from X import name` line.
fn imported_name(line: &str) -> Option<&str> {
    let (_, after) = line.split_once(" import ")?;
    let name = after.trim_start().trim_start_matches('(').trim_start();
    let end = name
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    (end > 0).then(|| &name[..end])
}

/// The distribution of a namespace package's module, when it follows the namespace's naming
/// (`google.cloud.storage` → `google-cloud-storage`, `google.protobuf` → `protobuf`,
/// `azure.storage.blob` → `azure-storage-blob`); `None` for a module of no namespace.
pub(crate) fn namespace_distribution(module: &str) -> Option<String> {
    let parts: Vec<&str> = module.split('.').collect();
    match parts.as_slice() {
        ["google", "protobuf", ..] => Some("protobuf".into()),
        ["google", "cloud", name, ..] => Some(format!("google-cloud-{}", name.replace('_', "-"))),
        ["google", "api_core", ..] => Some("google-api-core".into()),
        ["google", "auth", ..] | ["google", "oauth2", ..] => Some("google-auth".into()),
        ["google", "genai", ..] => Some("google-genai".into()),
        ["azure", rest @ ..] if !rest.is_empty() => Some(format!("azure-{}", rest.join("-"))),
        _ => None,
    }
}

/// The version of `dist` that a lock file in `dir` (the manifest's directory, `""` for the top)
/// or the repository's top holds, and which file said so.
pub(crate) fn locked_version(cx: &Context<'_>, dir: &str, dist: &str) -> Option<(String, String)> {
    let want = super::python::normalize(dist);
    let dirs: Vec<&str> = if dir.is_empty() {
        vec![""]
    } else {
        vec![dir, ""]
    };
    for d in dirs {
        for name in [
            "poetry.lock",
            "uv.lock",
            "requirements.lock",
            "requirements-lock.txt",
            "constraints.txt",
        ] {
            let file = if d.is_empty() {
                name.to_owned()
            } else {
                format!("{d}/{name}")
            };
            let Some(text) = cx.repo.read(&file) else {
                continue;
            };
            let version = if name.ends_with(".lock") && name != "requirements.lock" {
                toml_lock_version(&text, &want)
            } else {
                freeze_version(&text, &want)
            };
            if let Some(version) = version.filter(|v| plain_version(v)) {
                return Some((version, file));
            }
        }
    }
    None
}

/// `[[package]]` tables with `name` and `version` (poetry.lock, uv.lock).
fn toml_lock_version(text: &str, want: &str) -> Option<String> {
    let lock: toml::Table = toml::from_str(text).ok()?;
    lock.get("package")?.as_array()?.iter().find_map(|p| {
        let name = p.get("name")?.as_str()?;
        (super::python::normalize(name) == want)
            .then(|| p.get("version")?.as_str().map(str::to_owned))
            .flatten()
    })
}

/// `name==version` lines (`pip freeze`).
fn freeze_version(text: &str, want: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.split('#').next()?.trim();
        let (name, version) = line.split_once("==")?;
        let name = name.split('[').next()?.trim();
        (super::python::normalize(name) == want)
            .then(|| version.split(';').next().unwrap_or("").trim().to_owned())
    })
}

/// A release number (`2.31.0`, `1.0rc1`), not a URL, path or local build.
fn plain_version(v: &str) -> bool {
    v.chars().next().is_some_and(|c| c.is_ascii_digit())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '+' | '!'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_packages_are_told_by_their_submodule() {
        let module = |m: &str, line: &str| full_module(m, line).map(|m| namespace_distribution(&m));
        assert_eq!(
            module("google", "from google.cloud import storage"),
            Ok(Some("google-cloud-storage".into()))
        );
        assert_eq!(
            module("google", "from google.protobuf import json_format"),
            Ok(Some("protobuf".into()))
        );
        assert_eq!(
            module("google.protobuf", "import google.protobuf"),
            Ok(Some("protobuf".into()))
        );
        assert_eq!(
            module("azure", "from azure.storage.blob import BlobClient"),
            Ok(Some("azure-storage-blob".into()))
        );
        assert!(module("google", "import google").is_err());
        assert_eq!(module("yaml", "import yaml"), Ok(None));
    }

    #[test]
    fn lock_files_give_the_version() {
        let poetry = "[[package]]\nname = \"PyYAML\"\nversion = \"6.0.1\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n";
        assert_eq!(
            toml_lock_version(poetry, "pyyaml").as_deref(),
            Some("6.0.1")
        );
        assert_eq!(toml_lock_version(poetry, "flask"), None);
        let freeze = "requests==2.31.0\npython-dateutil==2.9.0.post0  # via arrow\n";
        assert_eq!(
            freeze_version(freeze, "python-dateutil").as_deref(),
            Some("2.9.0.post0")
        );
        assert!(!plain_version("file:///wheels/x.whl") && plain_version("1.0rc1"));
    }
}
