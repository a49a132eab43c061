//! Frame → repository file.
//!
//! Paths in logs are deploy paths (`/srv/app/svc/handlers.py`, `file:///…`, `webpack://…`), so a
//! frame is matched against the files git tracks at HEAD by path suffix, whole components only:
//! - a tracked path that is a suffix of the frame's path is an exact match; the longest wins (two
//!   different paths of one length cannot both be suffixes of the same path);
//! - else, for relative frame paths (`src/main.rs`, `Greeter.java`), a tracked path that ends
//!   with the frame's path is a match when it is the only one; several make it ambiguous.
//!
//! Library frames (site-packages, node_modules, ~/.cargo/registry, the standard libraries, the JDK)
//! are never mapped: they are not ours to edit, even when a vendored copy is tracked.

use crate::pattern::{Frame, Language};

/// Where a frame points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    /// A tracked file; `exact` when the tracked path is a suffix of the frame's path.
    Repo { path: String, exact: bool },
    /// A library or runtime frame.
    Library,
    /// Several tracked files fit.
    Ambiguous(Vec<String>),
    /// No tracked file fits.
    Absent,
}

/// Path markers of code that is not the application's.
const LIBRARY_MARKERS: &[&str] = &[
    "/site-packages/",
    "/dist-packages/",
    "/node_modules/",
    "/.cargo/registry/",
    "/.cargo/git/",
    "/.rustup/",
    "/rustc/",
    "/usr/lib/",
    "/usr/local/lib/",
    "/usr/share/",
    "/jdk/",
    "/jre/",
    "/go/pkg/mod/",
    "/usr/local/go/src/",
];

/// Whether `frame` is library or runtime code.
pub fn is_library(frame: &Frame) -> bool {
    if !frame.in_app {
        return true;
    }
    let file = normalize(&frame.file);
    if file.is_empty()
        || file.starts_with('<')
        || file.starts_with("node:")
        || file.starts_with("internal/")
        || file.starts_with("java.base/")
    {
        return true;
    }
    let padded = format!("/{file}");
    LIBRARY_MARKERS.iter().any(|m| padded.contains(m)) || python_stdlib(&padded)
}

/// `…/lib/python3.11/…`, `…/lib64/python2.7/…`: an interpreter's standard library.
fn python_stdlib(path: &str) -> bool {
    path.match_indices("/python").any(|(i, m)| {
        let before = &path[..i];
        (before.ends_with("/lib") || before.ends_with("/lib64"))
            && path[i + m.len()..].starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The frame's path without scheme, bundler prefix or `./`, `/`-separated.
pub fn normalize(path: &str) -> String {
    let mut p = path.trim().replace('\\', "/");
    for scheme in [
        "file://",
        "webpack-internal:///",
        "webpack:///",
        "webpack://",
    ] {
        if let Some(rest) = p.strip_prefix(scheme) {
            p = rest.to_string();
            if scheme.starts_with("webpack") {
                // `webpack://app-name/./src/x.js`: the first component names the bundle.
                if let Some((_, rest)) = p.split_once("/./") {
                    p = rest.to_string();
                }
            }
        }
    }
    // Windows drive letters (`C:/app/x.py`) are not path components of the repository.
    if p.len() > 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic() {
        p = p[2..].to_string();
    }
    let parts: Vec<&str> = p
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let mut out = parts.join("/");
    if p.starts_with('/') && !out.is_empty() {
        out.insert(0, '/');
    }
    out
}

/// Map `frame` to a tracked file of `files`.
pub fn locate(frame: &Frame, language: Option<Language>, files: &[String]) -> Located {
    if is_library(frame) {
        return Located::Library;
    }
    let path = normalize(&frame.file);
    if language == Some(Language::Java) && !path.contains('/') {
        // Java frames name only the file; the package in the function gives its directories.
        if let Some(qualified) = java_path(frame) {
            if let found @ Located::Repo { .. } = by_suffix(&qualified, files) {
                return found;
            }
        }
    }
    by_suffix(&path, files)
}

/// `app.Greeter$Inner.run` + `Greeter.java` → `app/Greeter.java`.
fn java_path(frame: &Frame) -> Option<String> {
    let function = frame.function.as_deref()?;
    let mut parts: Vec<&str> = function.split('.').collect();
    parts.pop()?; // method
    parts.pop()?; // class
    if parts.is_empty() {
        return None;
    }
    Some(format!("{}/{}", parts.join("/"), frame.file.trim()))
}

fn components(path: &str) -> Vec<&str> {
    path.split('/').filter(|c| !c.is_empty()).collect()
}

fn by_suffix(path: &str, files: &[String]) -> Located {
    let frame_parts = components(path);
    if frame_parts.is_empty() || frame_parts.contains(&"..") {
        return Located::Absent;
    }
    let mut best: Option<(&String, usize)> = None;
    let mut loose = Vec::new();
    for file in files {
        let file_parts = components(file);
        if file_parts.last() != frame_parts.last() {
            continue;
        }
        if file_parts.len() <= frame_parts.len()
            && frame_parts.ends_with(&file_parts)
            && best.is_none_or(|(_, n)| file_parts.len() > n)
        {
            best = Some((file, file_parts.len()));
        } else if !path.starts_with('/') && file_parts.ends_with(&frame_parts) {
            loose.push(file.clone());
        }
    }
    if let Some((file, _)) = best {
        return Located::Repo {
            path: file.clone(),
            exact: true,
        };
    }
    match loose.len() {
        0 => Located::Absent,
        // A relative path of several components (`src/main.rs` of a workspace member, a JVM
        // package path) that only one tracked file ends with is as good as exact; a bare file
        // name is not.
        1 => Located::Repo {
            path: loose.remove(0),
            exact: frame_parts.len() > 1,
        },
        _ => Located::Ambiguous(loose),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(file: &str) -> Frame {
        Frame {
            file: file.into(),
            line: Some(1),
            column: None,
            function: None,
            in_app: true,
        }
    }

    fn files(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn repo(path: &str, exact: bool) -> Located {
        Located::Repo {
            path: path.into(),
            exact,
        }
    }

    #[test]
    fn longest_suffix_of_a_deploy_path_wins() {
        let fs = files(&["worker.py", "app/jobs.py", "tools/app/jobs.py", "jobs.py"]);
        assert_eq!(
            locate(&frame("/home/app/service/app/jobs.py"), None, &fs),
            repo("app/jobs.py", true)
        );
        assert_eq!(
            locate(&frame("/srv/svc/worker.py"), None, &fs),
            repo("worker.py", true)
        );
        assert_eq!(
            locate(&frame("/srv/tools/app/jobs.py"), None, &fs),
            repo("tools/app/jobs.py", true)
        );
    }

    #[test]
    fn whole_components_only() {
        let fs = files(&["myjobs.py", "b/app/jobs.py"]);
        assert_eq!(locate(&frame("/srv/jobs.py"), None, &fs), Located::Absent);
        assert_eq!(
            locate(&frame("/srv/a/app/jobs.py"), None, &fs),
            Located::Absent
        );
    }

    #[test]
    fn relative_paths_match_when_unique() {
        let fs = files(&["crates/a/src/main.rs", "crates/b/src/lib.rs"]);
        assert_eq!(
            locate(&frame("src/main.rs"), Some(Language::Rust), &fs),
            repo("crates/a/src/main.rs", true)
        );
        let fs = files(&["crates/a/src/main.rs", "crates/b/src/main.rs"]);
        assert!(matches!(
            locate(&frame("src/main.rs"), Some(Language::Rust), &fs),
            Located::Ambiguous(v) if v.len() == 2
        ));
    }

    #[test]
    fn schemes_and_bundler_prefixes() {
        let fs = files(&["src/labels.js"]);
        for f in [
            "file:///srv/app/src/labels.js",
            "webpack://label-printer/./src/labels.js",
            "webpack:///src/labels.js",
            "./src/labels.js",
            "C:\\app\\src\\labels.js",
        ] {
            assert!(
                matches!(locate(&frame(f), None, &fs), Located::Repo { ref path, .. } if path == "src/labels.js"),
                "{f}"
            );
        }
    }

    #[test]
    fn library_frames_are_never_mapped() {
        // Even a vendored copy of the library in the repository is not edited.
        let fs = files(&["statsflush/client.py", "node_modules/x/index.js", "os.py"]);
        for f in [
            "/usr/local/lib/python3.11/site-packages/statsflush/client.py",
            "/srv/app/node_modules/x/index.js",
            "<frozen os>",
            "node:internal/modules/cjs/loader",
            "/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.0/src/de.rs",
            "/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/option.rs",
            "/usr/lib/python3.11/os.py",
        ] {
            assert_eq!(locate(&frame(f), None, &fs), Located::Library, "{f}");
        }
        let mut f = frame("/srv/app/os.py");
        f.in_app = false;
        assert_eq!(locate(&f, None, &fs), Located::Library);
    }

    #[test]
    fn java_frames_use_the_package() {
        let fs = files(&[
            "src/main/java/app/Greeter.java",
            "src/test/java/other/Greeter.java",
        ]);
        let mut f = frame("Greeter.java");
        f.function = Some("app.Greeter.badge".into());
        assert_eq!(
            locate(&f, Some(Language::Java), &fs),
            repo("src/main/java/app/Greeter.java", true)
        );
        assert_eq!(
            locate(&frame("app/Greeter.java"), Some(Language::Java), &fs),
            repo("src/main/java/app/Greeter.java", true)
        );
        let solo = files(&["src/Solo.java"]);
        assert_eq!(
            locate(&frame("Solo.java"), Some(Language::Java), &solo),
            repo("src/Solo.java", false)
        );
        f.function = Some("Greeter.badge".into());
        assert!(matches!(
            locate(&f, Some(Language::Java), &fs),
            Located::Ambiguous(_)
        ));
    }
}
