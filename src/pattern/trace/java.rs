//! JVM stack traces as `Throwable.printStackTrace` prints them: a `pkg.Kind: message` header
//! (after `Exception in thread "main"` or a logger's line), `\tat pkg.Class.method(File.java:N)`
//! frames innermost first, `Caused by:` causes, `... N more` (the cause shares its last N frames
//! with the exception above it, so they are filled back in), and indented `Suppressed:` blocks,
//! which are skipped: they are side notes, not the cause.

use std::sync::LazyLock;

use regex::Regex;

use super::{Exception, Frame, Language, StackTrace};

/// `at [loader/][module@version/]pkg.Class.method(Source)` plus logback's `~[app.jar:1.0]`.
static FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*at ([^\s()]+)\(([^()]*)\)(?:\s+~?\[[^\]]*\])?$").expect("static regex")
});

/// `java.lang.IllegalStateException: msg`, with the prefixes the JVM puts before it.
static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^(?:Exception in thread "[^"]*" )?(?:Caused by: )?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)(?::(?: (.*))?)?$"#,
    )
    .expect("static regex")
});

/// A type named inside a logger's line: `… ERROR [main] Checkout - failed: java.io.IOException: x`.
static EMBEDDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s:\[(])((?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error|Throwable))(?::\s?(.*))?$",
    )
    .expect("static regex")
});

static MORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\.\.\. (\d+) (?:more|common frames omitted)$").expect("static regex")
});

/// Names the JVM makes up at run time and numbers per run: hidden lambda classes
/// (`Main$$Lambda$14/0x0000000800c03000`), reflection accessors, proxies.
static GENERATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\$\$Lambda)(?:\$\d+)?(?:/0x[0-9a-f]+)?|(GeneratedMethodAccessor|GeneratedConstructorAccessor|\$Proxy)\d+")
        .expect("static regex")
});

/// JVM packages that are not the program's own code.
const LIBRARY_PACKAGES: &[&str] = &[
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "kotlin.",
    "kotlinx.",
    "scala.",
    "groovy.",
    "jakarta.",
    "org.springframework.",
    "org.apache.",
    "org.hibernate.",
    "org.eclipse.",
    "org.junit.",
    "org.slf4j.",
    "ch.qos.logback.",
    "io.netty.",
    "reactor.",
    "com.fasterxml.",
    "com.google.",
    "okhttp3.",
    "retrofit2.",
];

pub(super) fn parse(text: &str) -> Option<StackTrace> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let first_frame = lines.iter().position(|l| FRAME.is_match(l))?;
    let header_at = find_header(&lines, first_frame)?;
    let base = super::indent(lines[first_frame]);

    let mut chain: Vec<Exception> = Vec::new();
    let mut omitted: Vec<usize> = Vec::new();
    let mut in_frames = false;
    for (i, line) in lines.iter().enumerate().skip(header_at) {
        let depth = super::indent(line);
        let trimmed = line.trim_start();
        if i == header_at || (depth == 0 && trimmed.starts_with("Caused by: ")) {
            let (kind, message) = header(trimmed)
                .or_else(|| embedded_header(trimmed))
                .unwrap_or_else(|| unnamed_cause(trimmed));
            chain.push(Exception {
                kind,
                message,
                frames: Vec::new(),
            });
            omitted.push(0);
            in_frames = false;
        } else if let Some(caps) = FRAME.captures(line) {
            in_frames = true;
            // Deeper than the first frame: a suppressed exception's frames.
            if depth <= base {
                if let Some(current) = chain.last_mut() {
                    current.frames.push(frame(&caps[1], &caps[2]));
                }
            }
        } else if let Some(caps) = MORE.captures(line) {
            if depth <= base {
                if let Some(last) = omitted.last_mut() {
                    *last = caps[1].parse().unwrap_or(0);
                }
            }
        } else if depth > 0
            && (trimmed.starts_with("Suppressed: ") || trimmed.starts_with("Caused by: "))
        {
            in_frames = true;
        } else if !in_frames {
            // A message that spans lines.
            if let Some(current) = chain.last_mut() {
                current.message.push('\n');
                current.message.push_str(line);
            }
        } else {
            break;
        }
    }
    for i in 1..chain.len() {
        let n = omitted[i];
        let outer = &chain[i - 1].frames;
        if n > 0 && n <= outer.len() {
            let shared = outer[outer.len() - n..].to_vec();
            chain[i].frames.extend(shared);
        }
    }
    if chain.iter().all(|e| e.frames.is_empty()) {
        return None;
    }
    Some(StackTrace {
        language: Language::Java,
        chain,
    })
}

/// The header of the exception whose first frame is at `first_frame`: the nearest line above it
/// that reads like one (messages can span lines).
fn find_header(lines: &[&str], first_frame: usize) -> Option<usize> {
    (first_frame.saturating_sub(16)..first_frame)
        .rev()
        .find(|&i| header(lines[i]).is_some())
        .or_else(|| {
            // A logger that put the exception on its own line's tail; only trusted right above
            // the frames, where nothing else can be.
            let above = first_frame.checked_sub(1)?;
            embedded_header(lines[above]).map(|_| above)
        })
}

/// A `Caused by:` whose type is not named like one (`Caused by: Boom: x`): still a link of the
/// chain, so it is kept with the type as printed.
fn unnamed_cause(line: &str) -> (String, String) {
    let rest = line.strip_prefix("Caused by: ").unwrap_or(line);
    match rest.split_once(": ") {
        Some((kind, message)) => (kind.to_string(), message.to_string()),
        None => (rest.to_string(), String::new()),
    }
}

fn embedded_header(line: &str) -> Option<(String, String)> {
    let caps = EMBEDDED.captures(line)?;
    Some((
        caps[1].to_string(),
        caps.get(2).map_or("", |m| m.as_str()).to_string(),
    ))
}

fn header(line: &str) -> Option<(String, String)> {
    let caps = HEADER.captures(line)?;
    let kind = &caps[1];
    // A bare word is only a type when the JVM says so or it is named like one.
    let plausible = kind.contains('.')
        || line.starts_with("Exception in thread ")
        || kind.ends_with("Exception")
        || kind.ends_with("Error")
        || kind.ends_with("Throwable");
    plausible.then(|| {
        (
            kind.to_string(),
            caps.get(2).map_or("", |m| m.as_str()).to_string(),
        )
    })
}

/// `qualified` is `[loader/][module/]pkg.Class.method`, `source` what the parentheses hold.
fn frame(qualified: &str, source: &str) -> Frame {
    let name = GENERATED.replace_all(strip_module(qualified), "$1$2");
    let name = name.as_ref();
    let (class, method) = name.rsplit_once('.').unwrap_or(("", name));
    let package = class.rsplit_once('.').map_or("", |(p, _)| p);
    let (file_name, line) = match source.rsplit_once(':') {
        Some((file, line)) => (file, super::number(line)),
        None => (source, None),
    };
    let file =
        if file_name.is_empty() || file_name == "Native Method" || file_name == "Unknown Source" {
            String::new()
        } else if package.is_empty() {
            file_name.to_string()
        } else {
            format!("{}/{}", package.replace('.', "/"), file_name)
        };
    let in_app = !LIBRARY_PACKAGES.iter().any(|p| class.starts_with(p));
    Frame {
        file,
        line,
        column: None,
        function: Some(if class.is_empty() {
            method.to_string()
        } else {
            format!("{class}.{method}")
        }),
        in_app,
    }
}

/// Drop `java.base/`, `app//`, `app/mod@1.2/` prefixes, but keep the `/0x…` of hidden classes
/// (`Main$$Lambda$14/0x0000000800c03000.run`), which is part of the class name.
fn strip_module(qualified: &str) -> &str {
    let mut cut = 0;
    for (i, _) in qualified.match_indices('/') {
        if !qualified[i + 1..].starts_with("0x") {
            cut = i + 1;
        }
    }
    &qualified[cut..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_and_loader_prefixes_are_dropped() {
        assert_eq!(
            strip_module("java.base/java.lang.Thread.run"),
            "java.lang.Thread.run"
        );
        assert_eq!(
            strip_module("app//com.acme.Main.main"),
            "com.acme.Main.main"
        );
        assert_eq!(
            strip_module("app/acme.core@1.2/com.acme.A.b"),
            "com.acme.A.b"
        );
        assert_eq!(
            strip_module("com.acme.Main$$Lambda$14/0x0000000800c03000.run"),
            "com.acme.Main$$Lambda$14/0x0000000800c03000.run"
        );
    }

    #[test]
    fn frame_file_is_package_directory_plus_file_name() {
        let f = frame("app.Caused$Service.start", "Caused.java:25");
        assert_eq!(f.file, "app/Caused.java");
        assert_eq!(f.line, Some(25));
        assert_eq!(f.function.as_deref(), Some("app.Caused$Service.start"));
        assert!(f.in_app);
        let f = frame("Main.main", "Main.java:3");
        assert_eq!(f.file, "Main.java");
        let f = frame("com.acme.billing.InvoiceKt.total", "Invoice.kt:12");
        assert_eq!(f.file, "com/acme/billing/Invoice.kt");
        let f = frame("java.base/java.io.FileInputStream.open0", "Native Method");
        assert_eq!((f.file.as_str(), f.line, f.in_app), ("", None, false));
        let f = frame(
            "org.springframework.web.servlet.DispatcherServlet.doDispatch",
            "DispatcherServlet.java:1067",
        );
        assert!(!f.in_app);
    }

    #[test]
    fn exception_at_the_end_of_a_logger_line() {
        let text = "2026-11-20 10:15:03,347 ERROR [http-nio-8080-exec-1] c.a.CheckoutController - \
                    checkout failed: java.lang.IllegalStateException: cart 42 is empty\n\
                    \tat com.acme.shop.Cart.total(Cart.java:31)\n\
                    \tat com.acme.shop.CheckoutController.checkout(CheckoutController.java:18)\n";
        let trace = parse(text).expect("a trace");
        let e = &trace.chain[0];
        assert_eq!(e.kind, "java.lang.IllegalStateException");
        assert_eq!(e.message, "cart 42 is empty");
        assert_eq!(e.frames[0].file, "com/acme/shop/Cart.java");
        assert_eq!(e.frames.len(), 2);
    }

    #[test]
    fn cause_with_an_unusual_type_name_keeps_the_chain() {
        let text = "java.lang.RuntimeException: wrapped\n\tat a.B.c(B.java:1)\n\
                    Caused by: Boom: inner\n\tat a.B.d(B.java:2)\n\t... 1 more\n";
        let trace = parse(text).expect("a trace");
        assert_eq!(trace.chain.len(), 2);
        assert_eq!(
            (
                trace.chain[1].kind.as_str(),
                trace.chain[1].message.as_str()
            ),
            ("Boom", "inner")
        );
        assert_eq!(trace.chain[1].frames.len(), 2);
    }

    #[test]
    fn run_time_class_names_are_normalised() {
        let f = frame(
            "app//com.acme.Main$$Lambda$14/0x0000000800c03000.run",
            "Unknown Source",
        );
        assert_eq!(f.function.as_deref(), Some("com.acme.Main$$Lambda.run"));
        let f = frame(
            "com.acme.Main$$Lambda/0x00007f3c2c00a000.accept",
            "Unknown Source",
        );
        assert_eq!(f.function.as_deref(), Some("com.acme.Main$$Lambda.accept"));
        let f = frame(
            "jdk.internal.reflect.GeneratedMethodAccessor12.invoke",
            "Unknown Source",
        );
        assert_eq!(
            f.function.as_deref(),
            Some("jdk.internal.reflect.GeneratedMethodAccessor.invoke")
        );
        let f = frame("jdk.proxy2.$Proxy45.handle", "Unknown Source");
        assert_eq!(f.function.as_deref(), Some("jdk.proxy2.$Proxy.handle"));
    }

    #[test]
    fn logback_jar_suffix_is_accepted() {
        let caps = FRAME
            .captures("\tat com.acme.Api.get(Api.java:31) ~[classes/:na]")
            .unwrap();
        assert_eq!((&caps[1], &caps[2]), ("com.acme.Api.get", "Api.java:31"));
    }

    #[test]
    fn node_frames_are_not_jvm_frames() {
        for line in [
            "    at shippingLabel (/srv/x/src/labels.js:5:39)",
            "    at /srv/x/index.js:7:15",
            "    at Object.<anonymous> (/srv/x/index.js:7:15)",
        ] {
            assert!(!FRAME.is_match(line), "{line}");
        }
    }
}
