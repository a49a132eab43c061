//! Go panics and goroutine dumps: `panic: msg` (or `fatal error: msg`, `SIGQUIT: quit`, net/http's
//! `http: panic serving ADDR: msg`), then `goroutine N [running]:` and pairs of lines — the
//! function with its argument words, `\t/path/file.go:12 +0x1d`. Only the first goroutine is
//! read: Go prints the panicking one first. `created by …` is where the goroutine was started,
//! not a caller, so it ends the frames.

use std::sync::LazyLock;

use regex::Regex;

use super::{Exception, Frame, Language, StackTrace};

static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|: )(panic|fatal error)(?: serving \S+?)?: (.*)$|^(SIG[A-Z]+): (.*)$")
        .expect("static regex")
});

static GOROUTINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^goroutine \d+ (?:[^\[]* )?\[[^\]]*\]:$").expect("static regex"));

/// `\t/app/main.go:12 +0x1d`, with `GOTRACEBACK=system|crash` also ` fp=0x… sp=0x… pc=0x…`.
static LOCATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+(.+?):(\d+)(?: \+0x[0-9a-f]+)?(?: [a-z]+=0x[0-9a-f]+)*$")
        .expect("static regex")
});

pub(super) fn parse(text: &str) -> Option<StackTrace> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let (at, kind, message) = lines.iter().enumerate().find_map(|(i, l)| {
        let caps = HEADER.captures(l)?;
        let (kind, message) = match (caps.get(1), caps.get(2)) {
            (Some(k), Some(m)) => (k.as_str(), m.as_str()),
            _ => (caps.get(3)?.as_str(), caps.get(4)?.as_str()),
        };
        Some((i, kind.to_string(), message.to_string()))
    })?;
    let goroutine = lines[at + 1..]
        .iter()
        .take(24)
        .position(|l| GOROUTINE.is_match(l))?
        + at
        + 1;
    let mut frames = Vec::new();
    let mut i = goroutine + 1;
    while i + 1 < lines.len() {
        let function = lines[i];
        if function.is_empty() || function.starts_with("created by ") {
            break;
        }
        let Some(caps) = LOCATION.captures(lines[i + 1]) else {
            break;
        };
        let function = strip_arguments(function);
        let file = caps[1].to_string();
        frames.push(Frame {
            in_app: in_app(&file, function),
            line: super::number(&caps[2]),
            column: None,
            function: Some(function.to_string()),
            file,
        });
        i += 2;
    }
    if frames.is_empty() {
        return None;
    }
    let message = message
        .trim_end_matches(" [recovered, repanicked]")
        .trim_end_matches(" [recovered]")
        .to_string();
    Some(StackTrace {
        language: Language::Go,
        chain: vec![Exception {
            kind,
            message,
            frames,
        }],
    })
}

/// `main.(*Server).handle(0xc000010000, {0x4b2f20, 0x5})` → `main.(*Server).handle`; argument
/// words are addresses that change from run to run.
fn strip_arguments(line: &str) -> &str {
    let line = line.trim();
    if !line.ends_with(')') {
        return line;
    }
    let mut depth = 0usize;
    for (i, c) in line.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &line[..i];
                }
            }
            _ => {}
        }
    }
    line
}

/// Library code: GOROOT, the module cache, vendored code, the runtime.
fn in_app(file: &str, function: &str) -> bool {
    let lib = [
        "/usr/local/go/",
        "/usr/lib/go",
        "/go/pkg/mod/",
        "/pkg/mod/",
        "/src/runtime/",
        "/libexec/src/",
        "/vendor/",
        "$GOROOT/",
    ]
    .iter()
    .any(|m| file.contains(m))
        || file.starts_with('<')
        || function.starts_with("runtime.")
        || function.starts_with("runtime/")
        || (file.to_ascii_lowercase().contains("/go/src/") && is_std_package(function));
    !lib
}

/// Standard-library import paths have no dot in their first element (`net/http`, `fmt`); module
/// paths do (`github.com/acme/shop`). `main` is the program's own package. This tells a GOROOT
/// under `…/go/src/` (Windows `C:/Go/src/`) from an app in a GOPATH `/go/src/github.com/…`.
fn is_std_package(function: &str) -> bool {
    match function.split_once('/') {
        Some((first, _)) => !first.contains('.'),
        None => !function.starts_with("main."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_stripped() {
        assert_eq!(
            strip_arguments("main.(*Server).handle(0xc000010000, {0x4b2f20, 0x5})"),
            "main.(*Server).handle"
        );
        assert_eq!(strip_arguments("main.main()"), "main.main");
        assert_eq!(
            strip_arguments("panic({0x4a0ee0?, 0xc000012018?})"),
            "panic"
        );
        assert_eq!(strip_arguments("main.main.func1(...)"), "main.main.func1");
    }

    #[test]
    fn gotraceback_system_details() {
        let text = "panic: boom\n\ngoroutine 1 gp=0xc000002380 m=0 mp=0x55e2a0 [running]:\n\
                    panic({0x4a5e40?, 0xc000014070?})\n\
                    \t/usr/local/go/src/runtime/panic.go:779 +0x158 fp=0xc000067f38 sp=0xc000067e88 pc=0x434f58\n\
                    main.main()\n\
                    \t/app/main.go:9 +0x25 fp=0xc000067f50 sp=0xc000067f38 pc=0x4880a5\n";
        let trace = parse(text).expect("a trace");
        let frames = &trace.chain[0].frames;
        assert_eq!(frames.len(), 2);
        assert_eq!(
            (frames[1].file.as_str(), frames[1].line),
            ("/app/main.go", Some(9))
        );
        assert!(frames[1].in_app && !frames[0].in_app);
    }

    #[test]
    fn library_frames() {
        assert!(!in_app("/usr/local/go/src/runtime/panic.go", "panic"));
        assert!(!in_app(
            "/usr/local/go/src/net/http/server.go",
            "net/http.(*conn).serve"
        ));
        assert!(!in_app(
            "/go/pkg/mod/github.com/go-chi/chi/v5@v5.0.12/mux.go",
            "github.com/go-chi/chi/v5.(*Mux).ServeHTTP"
        ));
        assert!(!in_app("<autogenerated>", "main.(*T).String"));
        assert!(in_app("/app/main.go", "main.main"));
        assert!(in_app(
            "/go/src/github.com/acme/api/handler.go",
            "github.com/acme/api.Handle"
        ));
    }
}
