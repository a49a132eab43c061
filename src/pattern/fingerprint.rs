//! Fingerprints: the identity of an error that the threshold counts by and branches are named after.
//!
//! An entry with a stack trace is fingerprinted like error trackers do: the language, the type of
//! the exception the fix should address ([`StackTrace::primary`]), the first line of its message
//! masked as the pattern stage masks messages ([`Masker::mask`]), and the file and function of its
//! top in-app frames (all frames when none is in-app). The message is in because it tells bugs
//! apart that share a site: `KeyError: 'country'` and `KeyError: 'US'` at one line are two missing
//! keys, two fixes; masked, because what only differs in a number, an id, an address or a path
//! (`user 17 not found`, `user 18 not found`) is one bug. Line and column numbers, addresses and
//! symbol hashes are left out, so the same crash after an unrelated edit, on another host or with
//! another request id keeps its fingerprint. An entry without a trace falls back to its mined
//! template, so its fingerprint id is its pattern id.
//!
//! Invariants: the id is a pure function of those parts (xxh3, hex); `error_type` is at most 48
//! bytes of `[a-z0-9-]`, never empty, never starting or ending with `-`: safe in a branch name.

use std::sync::Arc;

use super::mask::Masker;
use super::miner::template_id;
use super::trace::{Frame, Language, StackTrace};

/// Frames that identify a crash site: more makes refactors split fingerprints, fewer merges
/// different callers of a shared helper.
const FRAMES: usize = 3;

/// The identity of an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    /// Stable hex id.
    pub id: Arc<str>,
    /// Short lowercase slug, safe in a branch name: `keyerror-settings-py`.
    pub error_type: Arc<str>,
}

impl Fingerprint {
    /// Fingerprint an entry from its trace when it has one, else from its template; `masker` is
    /// the pattern stage's, applied to the exception's message.
    pub fn of(trace: Option<&StackTrace>, template: &str, masker: &Masker) -> Fingerprint {
        match trace.and_then(|t| t.primary().map(|e| (t.language, e))) {
            Some((language, exception)) => {
                let kind = short_kind(&exception.kind);
                let frames = top_frames(&exception.frames);
                let message = exception.message.lines().next().unwrap_or("").trim();
                let mut key = format!(
                    "{}\u{0}{}\u{2}{}",
                    language_name(language),
                    kind,
                    masker.mask(message)
                );
                for f in &frames {
                    key.push('\u{0}');
                    key.push_str(&normalise_file(&f.file));
                    key.push('\u{1}');
                    key.push_str(&normalise_function(f.function.as_deref().unwrap_or("")));
                }
                let site = frames.first().map(|f| file_name(&f.file)).unwrap_or("");
                let slug_source = if site.is_empty() {
                    kind.to_owned()
                } else {
                    format!("{kind} {site}")
                };
                Fingerprint {
                    id: template_id(&key).into(),
                    error_type: slug(&slug_source).into(),
                }
            }
            // The slug goes into branch names, titles and notifications: no credential of the
            // line may reach it.
            None => Fingerprint {
                id: template_id(template).into(),
                error_type: template_slug(template).into(),
            },
        }
    }

    /// Whether [`Fingerprint::of`] reads the trace: otherwise the fingerprint is the template's
    /// alone, and a caller may reuse the one it made for the template.
    pub fn from_trace(trace: Option<&StackTrace>) -> bool {
        trace.and_then(StackTrace::primary).is_some()
    }
}

/// The `error_type` of a fingerprint made from a template.
pub fn template_slug(template: &str) -> String {
    slug(&crate::redact::redact(template, &[]))
}

fn language_name(language: Language) -> &'static str {
    match language {
        Language::Python => "python",
        Language::Java => "java",
        Language::Rust => "rust",
        Language::Go => "go",
        Language::Node => "node",
    }
}

/// `java.lang.NullPointerException` → `NullPointerException`, `std::io::Error` → `Error`.
fn short_kind(kind: &str) -> &str {
    let kind = kind.trim();
    let kind = kind.rsplit("::").next().unwrap_or(kind);
    kind.rsplit(['.', '$']).next().unwrap_or(kind)
}

/// The top in-app frames, innermost first; all frames when none is in-app (a crash inside a
/// library called from code we cannot see).
fn top_frames(frames: &[Frame]) -> Vec<&Frame> {
    let in_app: Vec<&Frame> = frames.iter().filter(|f| f.in_app).take(FRAMES).collect();
    if in_app.is_empty() {
        frames.iter().take(FRAMES).collect()
    } else {
        in_app
    }
}

/// The path without scheme, `./` and a `:line:col` suffix some runtimes glue on.
fn normalise_file(file: &str) -> String {
    let mut f = file.trim();
    for scheme in ["file://", "webpack:///", "webpack://"] {
        if let Some(rest) = f.strip_prefix(scheme) {
            f = rest;
        }
    }
    let f = f.strip_prefix("./").unwrap_or(f);
    let mut end = f.len();
    // `app.js:10:5` → `app.js`.
    while let Some(i) = f[..end].rfind(':') {
        if f[i + 1..end].bytes().all(|c| c.is_ascii_digit()) && i + 1 < end {
            end = i;
        } else {
            break;
        }
    }
    f[..end].replace('\\', "/")
}

fn file_name(file: &str) -> &str {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    name.split(':').next().unwrap_or(name)
}

/// Function names without what changes between builds and runs: Rust symbol hashes
/// (`::h1a2b…`), Go argument words (`(0xc000…)`), addresses, and numbered closures (`$0`,
/// `{{closure}}#2`, `.func1`) keep their stem.
fn normalise_function(function: &str) -> String {
    let mut f = function.trim();
    if let Some(i) = f.find('(') {
        f = &f[..i];
    }
    if let Some(i) = f.rfind("::h") {
        let hash = &f[i + 3..];
        if hash.len() == 16 && hash.bytes().all(|c| c.is_ascii_hexdigit()) {
            f = &f[..i];
        }
    }
    let mut f: String = f
        .split(|c: char| c.is_whitespace())
        .filter(|w| !w.starts_with("0x"))
        .collect::<Vec<_>>()
        .join(" ");
    // Numbered closures: `lambda$main$0`, `{{closure}}#2`, Go's `.func1`.
    let stem = f.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if stem < f.len() {
        let head = &f[..stem];
        if head.ends_with('$') || head.ends_with('#') || head.ends_with(".func") {
            f.truncate(stem);
        }
    }
    f
}

/// Lowercase ASCII words joined by `-`, at most 48 characters: safe in a branch name.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() + 1 > 48 {
            if out.is_empty() {
                out.push_str(&word[..48].to_ascii_lowercase());
            }
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("error");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::mask::BUILTIN;
    use crate::pattern::trace::Exception;

    /// Fingerprint with the pattern stage's default masks.
    fn of(trace: Option<&StackTrace>, template: &str) -> Fingerprint {
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        Fingerprint::of(trace, template, &Masker::new(&names, &[]))
    }

    fn frame(file: &str, line: u32, function: &str, in_app: bool) -> Frame {
        Frame {
            file: file.into(),
            line: Some(line),
            column: None,
            function: Some(function.into()),
            in_app,
        }
    }

    fn python(kind: &str, message: &str, frames: Vec<Frame>) -> StackTrace {
        StackTrace {
            language: Language::Python,
            chain: vec![Exception {
                kind: kind.into(),
                message: message.into(),
                frames,
            }],
        }
    }

    fn crash(line: u32, message: &str) -> StackTrace {
        python(
            "KeyError",
            message,
            vec![
                frame("/srv/app/settings.py", line, "load", true),
                frame("/srv/app/main.py", line + 40, "main", true),
                frame(
                    "/usr/lib/python3.11/site-packages/click/core.py",
                    1078,
                    "invoke",
                    false,
                ),
            ],
        )
    }

    #[test]
    fn same_crash_with_other_lines_and_values_keeps_its_fingerprint() {
        let a = of(Some(&crash(12, "'user-17' (request 8d1f0a2b)")), "ignored");
        let b = of(Some(&crash(19, "'user-18' (request 3c9e7d41)")), "other");
        assert_eq!(a, b);
        assert_eq!(&*a.error_type, "keyerror-settings-py");
    }

    #[test]
    fn the_masked_message_tells_bugs_at_one_site_apart() {
        let id = |message: &str| of(Some(&crash(12, message)), "").id;
        let names: Vec<String> = BUILTIN.iter().map(|s| s.to_string()).collect();
        let masker = Masker::new(&names, &[]);
        for word in ["'country'", "'US'", "'timeout'"] {
            assert_eq!(masker.mask(word), word);
        }
        assert_eq!(masker.mask("'user-17'"), "'user-<*>'");
        // Two missing keys are two bugs: the quoted key is a word, not a value.
        assert_ne!(id("'country'"), id("'US'"));
        assert_ne!(id("'timeout'"), id("'retries'"));
        // What only differs in a masked number, address or id is one bug.
        assert_eq!(id("user 17 not found"), id("user 18 not found"));
        assert_eq!(
            id("Connection refused: 10.0.0.3:5432"),
            id("Connection refused: 10.0.0.3:5433")
        );
        assert_eq!(id("'user-17'"), id("'user-18'"));
        assert_eq!(
            id("no such file: /srv/data/a.csv"),
            id("no such file: /srv/data/b.csv")
        );
        // The first line only: a multi-line message's detail does not split it.
        assert_eq!(id("bad value\n  got 3"), id("bad value\n  got 4, then 5"));
        // The id keeps its shape: 16 hex digits, like a template id.
        let one = id("'country'");
        assert_eq!(one.len(), template_id("x").len());
        assert!(one.bytes().all(|c| c.is_ascii_hexdigit()), "{one}");
    }

    #[test]
    fn java_helpful_npe_messages_name_the_null_variable() {
        let npe = |variable: &str| StackTrace {
            language: Language::Java,
            chain: vec![Exception {
                kind: "java.lang.NullPointerException".into(),
                message: format!(
                    "Cannot invoke \"String.length()\" because \"{variable}\" is null"
                ),
                frames: vec![frame("Greeter.java", 7, "com.acme.Greeter.badge", true)],
            }],
        };
        assert_ne!(of(Some(&npe("name")), "").id, of(Some(&npe("city")), "").id);
        assert_eq!(of(Some(&npe("name")), ""), of(Some(&npe("name")), "x"));
    }

    #[test]
    fn other_exception_or_other_frame_is_another_fingerprint() {
        let base = of(Some(&crash(12, "x")), "");
        let mut other_kind = crash(12, "x");
        other_kind.chain[0].kind = "ValueError".into();
        let mut other_frame = crash(12, "x");
        other_frame.chain[0].frames[0].function = Some("save".into());
        let mut other_file = crash(12, "x");
        other_file.chain[0].frames[1].file = "/srv/app/cli.py".into();
        for t in [other_kind, other_frame, other_file] {
            assert_ne!(of(Some(&t), "").id, base.id);
        }
    }

    #[test]
    fn library_frames_do_not_count_when_app_frames_exist() {
        let a = crash(12, "x");
        let mut b = crash(12, "x");
        b.chain[0].frames[2].file = "/opt/venv/lib/site-packages/click/core.py".into();
        b.chain[0].frames[2].function = Some("main".into());
        assert_eq!(of(Some(&a), ""), of(Some(&b), ""));
    }

    #[test]
    fn addresses_and_symbol_hashes_are_ignored() {
        let rust = |hash: &str, line: u32| StackTrace {
            language: Language::Rust,
            chain: vec![Exception {
                kind: "panic".into(),
                message: "index out of bounds".into(),
                frames: vec![frame(
                    "src/parser.rs",
                    line,
                    &format!("app::parser::next::{hash}"),
                    true,
                )],
            }],
        };
        let a = of(Some(&rust("h0123456789abcdef", 10)), "");
        let b = of(Some(&rust("hfedcba9876543210", 99)), "");
        assert_eq!(a, b);
        assert_eq!(&*a.error_type, "panic-parser-rs");

        let go = |arg: &str| StackTrace {
            language: Language::Go,
            chain: vec![Exception {
                kind: "panic".into(),
                message: String::new(),
                frames: vec![frame(
                    "/src/app/handler.go",
                    42,
                    &format!("main.handle({arg})"),
                    true,
                )],
            }],
        };
        assert_eq!(
            of(Some(&go("0xc000012345, 0x1")), ""),
            of(Some(&go("0xc000098765, 0x2")), "")
        );
    }

    #[test]
    fn java_kind_is_shortened_in_the_slug() {
        let t = StackTrace {
            language: Language::Java,
            chain: vec![Exception {
                kind: "java.lang.NullPointerException".into(),
                message: String::new(),
                frames: vec![frame(
                    "UserService.java",
                    42,
                    "com.acme.UserService.find",
                    true,
                )],
            }],
        };
        assert_eq!(
            &*of(Some(&t), "").error_type,
            "nullpointerexception-userservice-java"
        );
    }

    #[test]
    fn without_trace_the_template_is_the_fingerprint() {
        let f = of(None, "connection to <*> refused");
        assert_eq!(&*f.id, template_id("connection to <*> refused"));
        assert_eq!(&*f.error_type, "connection-to-refused");
    }

    /// Real traces, extracted by the trace stage.
    fn real(text: &str) -> Fingerprint {
        let trace = crate::pattern::trace::extract(text).expect("a trace");
        of(Some(&trace), "")
    }

    #[test]
    fn real_traces_keep_their_fingerprint_across_versions_lines_and_addresses() {
        let py312 = include_str!("../../fixtures/traces/python/versions/key_error_py312.txt");
        let py313 = include_str!("../../fixtures/traces/python/versions/key_error_py313.txt");
        let a = real(py312);
        assert_eq!(a, real(py313));
        assert_eq!(
            a,
            real(
                &py312
                    .replace("line 2,", "line 9,")
                    .replace("line 7,", "line 30,")
            )
        );
        assert_eq!(&*a.error_type, "keyerror-jobs-py");

        let npe = include_str!("../../fixtures/traces/java/npe.txt");
        let b = real(npe);
        assert_eq!(&*b.error_type, "nullpointerexception-greeter-java");
        assert_eq!(b, real(&npe.replace("Greeter.java:7", "Greeter.java:70")));
        assert_ne!(b, real(&npe.replace("Greeter.badge", "Greeter.title")));
        assert_ne!(a, b);

        let rust = include_str!("../../fixtures/traces/rust/unwrap_none_backtrace.txt");
        let r = real(rust);
        let moved = rust.replace(":1", ":9").replace("0x", "0x1");
        assert_eq!(r, real(&moved));
    }

    #[test]
    fn slugs_are_branch_safe() {
        for text in [
            "",
            "<*>",
            "ÄÖÜ ☃",
            "x".repeat(200).as_str(),
            "a/../b; rm -rf ~ `x`",
        ] {
            let s = slug(text);
            assert!(!s.is_empty() && s.len() <= 48, "{s}");
            assert!(s
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-'));
            assert!(!s.starts_with('-') && !s.ends_with('-'));
        }
    }
}
