//! What the model is told about one incident, every piece through the [`Redactor`]: the
//! exception and its message, the in-app frames, a window of source at HEAD around each (never a
//! whole file beyond it, never the environment), the incident's template and at most 3 lines of
//! its entry, the language and the kind of manifest.

use super::redact::{Origin, Redactor};
use crate::fix::locate::{self, Located};
use crate::fix::Context;

/// Lines of the entry sent besides the template.
const SAMPLE_LINES: usize = 3;
/// Frames whose windows are sent, innermost first.
const MAX_FRAMES: usize = 4;

/// The instructions, the same for every incident.
pub const SYSTEM: &str = "You repair crashes in a code base. You are given an exception, the \
application frames of its stack trace with the source around each, and a sample of the log. \
Answer with one JSON object and nothing else: either {\"diagnosis\": \"one paragraph: what \
failed, where, and why the change is right\", \"edits\": [{\"file\": \"path as given\", \
\"search\": \"exact lines copied from the source shown\", \"replace\": \"the lines that replace \
them\"}], \"confidence\": 0.0 to 1.0, \"abstain\": null} or {\"diagnosis\": null, \"edits\": \
null, \"confidence\": null, \"abstain\": \"why no change is safe\"}. The search text must occur \
exactly once in the file. At most 5 edits. Fix the cause so that good inputs still give the right \
output; do not hide the error by returning a made-up value such as None, 0 or an empty string, \
and abstain when the fix would be a guess. Text like ⟨SECRET_1⟩ stands for a redacted value: \
keep it as it is, and never write one taken from the log into code.";

/// The prompt of one incident, and the files whose windows it holds.
#[derive(Debug, Clone)]
pub struct Prompt {
    pub system: String,
    pub user: String,
    /// Each file sent with the window sent of it, for the cache's key.
    pub windows: Vec<(String, String)>,
}

/// The prompt for `cx`, with `context_lines` of source around each in-app frame.
pub fn build(
    cx: &Context<'_>,
    context_lines: u32,
    redactor: &mut Redactor,
) -> Result<Prompt, String> {
    let exception = cx
        .exception
        .ok_or("the incident has no stack trace to show a model")?;
    let mut frames = Vec::new();
    // Path, first and last line, the frame's line, the text.
    let mut windows: Vec<(String, usize, usize, u32, String)> = Vec::new();
    for frame in &exception.frames {
        let Located::Repo { path, .. } = locate::locate(frame, cx.language, cx.repo.files()) else {
            continue;
        };
        let Some(line) = frame.line else { continue };
        frames.push(format!(
            "{path}:{line}{}",
            frame
                .function
                .as_deref()
                .map(|f| format!(" in {f}"))
                .unwrap_or_default()
        ));
        let shown = windows
            .iter()
            .any(|w| w.0 == path && (w.1..=w.2).contains(&(line as usize)));
        if windows.len() >= MAX_FRAMES || shown {
            continue;
        }
        let Some(content) = cx.repo.read(&path) else {
            continue;
        };
        let lines: Vec<&str> = content.lines().collect();
        let (from, to) = window(&path, &content, line, context_lines, lines.len());
        let text = lines[from - 1..to].join("\n");
        windows.push((path, from, to, line, text));
    }
    if windows.is_empty() {
        return Err("no frame of the trace is in a file tracked at HEAD".into());
    }
    // Code first: a value that the code and the log both hold is the code's, and may be kept.
    let mut code = String::new();
    let mut sent = Vec::new();
    for (path, from, to, line, text) in &windows {
        let text = redactor.redact(text, Origin::Code)?;
        code.push_str(&format!(
            "\n{path}, lines {from}-{to} (the frame is line {line}):\n```\n{text}\n```\n"
        ));
        sent.push((path.clone(), text));
    }
    let headline = redactor.redact(&exception.headline(), Origin::Log)?;
    let frames = redactor.redact(&frames.join("\n"), Origin::Log)?;
    let template = redactor.redact(&cx.incident.template, Origin::Log)?;
    let sample: Vec<&str> = cx.message.lines().take(SAMPLE_LINES).collect();
    let sample = redactor.redact(&sample.join("\n"), Origin::Log)?;
    let language = cx
        .language
        .map(|l| format!("{l:?}"))
        .unwrap_or_else(|| "unknown".into());
    let user = format!(
        "Language: {language}\nManifest: {}\n\nException: {headline}\n\nApplication frames, \
         innermost first:\n{frames}\n\nLog template: {template}\nLog sample:\n{sample}\n\nSource \
         at HEAD:\n{code}",
        manifest(cx)
    );
    Ok(Prompt {
        system: SYSTEM.to_string(),
        user,
        windows: sent,
    })
}

/// The lines sent around `line` (1-based, inclusive): the whole function when it is no longer
/// than `context_lines`, else `context_lines` centred on the line.
fn window(
    path: &str,
    content: &str,
    line: u32,
    context_lines: u32,
    count: usize,
) -> (usize, usize) {
    let function = if path.ends_with(".py") {
        let source = crate::fix::syntax::python::Source::new(content);
        source
            .function(line)
            .map(|f| (f.header.line as usize, f.last as usize))
    } else {
        braced_function(path, content, line)
    };
    if let Some((first, last)) = function {
        if first <= line as usize && last >= line as usize && last - first < context_lines as usize
        {
            return (first, last.min(count));
        }
    }
    let half = (context_lines / 2).max(1) as usize;
    let at = (line as usize).clamp(1, count.max(1));
    (at.saturating_sub(half).max(1), (at + half).min(count))
}

/// The lines of the function around `line` in a language of braces: from its signature's first
/// line to its closing brace.
fn braced_function(path: &str, content: &str, line: u32) -> Option<(usize, usize)> {
    use crate::fix::builtin::braces::{BlockKind, Source};
    use crate::fix::builtin::code::Lang;
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    let lang = match ext {
        "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => Lang::Js,
        "java" | "kt" | "scala" | "cs" | "go" | "c" | "cc" | "cpp" | "h" | "hpp" => Lang::Java,
        "rs" => Lang::Rust,
        _ => return None,
    };
    static SIGNATURE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+\S+\s+)?fn\s|^func\s",
        )
        .expect("valid regex")
    });
    let source = Source::new(content, lang);
    let block = source.blocks_at(line, 0).into_iter().last()?;
    let is_function =
        matches!(block.kind, BlockKind::Function { .. }) || SIGNATURE.is_match(&block.header);
    if !is_function {
        return None;
    }
    // The signature may span lines above its `{`: back to the line that starts it.
    let first_word = block.header.split_whitespace().next().unwrap_or("");
    let starts = (block.open.saturating_sub(5).max(1)..=block.open)
        .rev()
        .find(|&n| source.code(n).starts_with(first_word) && !first_word.is_empty())
        .unwrap_or(block.open);
    Some((starts as usize, block.close as usize))
}

/// The kind of manifest at the repository's top, `none` when there is none.
fn manifest(cx: &Context<'_>) -> &'static str {
    [
        ("pyproject.toml", "pyproject.toml"),
        ("requirements.txt", "requirements.txt"),
        ("package.json", "package.json"),
        ("Cargo.toml", "Cargo.toml"),
        ("go.mod", "go.mod"),
        ("pom.xml", "pom.xml"),
        ("build.gradle", "build.gradle"),
    ]
    .into_iter()
    .find(|(file, _)| cx.repo.contains(file))
    .map(|(_, kind)| kind)
    .unwrap_or("none")
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn the_whole_function_when_shorter_than_the_window() {
        let src =
            "import os\n\n\ndef load(p):\n    x = 1\n    return x\n\n\ndef other():\n    pass\n";
        assert_eq!(window("a.py", src, 5, 40, 10), (4, 6));
        // A function longer than the window: the window, centred.
        assert_eq!(window("a.py", src, 5, 1, 10), (4, 6));
        assert_eq!(window("a.js", src, 5, 4, 10), (3, 7));
        assert_eq!(window("a.py", src, 1, 4, 10), (1, 3));
    }

    #[test]
    fn the_whole_function_in_the_languages_of_braces() {
        let count = |s: &str| s.lines().count();
        let js = "const x = 1;\n\nfunction load(p) {\n  const c = read(p);\n  return c.port;\n}\n\nmodule.exports = { load };\n";
        assert_eq!(window("app/load.js", js, 5, 40, count(js)), (3, 6));
        let java = "package a;\n\nclass Loader {\n    int port(Map<String, Object> c) {\n        Object v = c.get(\"port\");\n        return (Integer) v;\n    }\n\n    void other() {\n    }\n}\n";
        assert_eq!(window("src/Loader.java", java, 6, 40, count(java)), (4, 7));
        let rust = "use std::env;\n\npub fn port(\n    name: &str,\n) -> u16 {\n    let v = env::var(name).unwrap();\n    v.parse().unwrap()\n}\n\nfn main() {}\n";
        assert_eq!(window("src/main.rs", rust, 7, 40, count(rust)), (3, 8));
        let go = "package main\n\nfunc pick(xs []int, i int) int {\n\tif i < 0 {\n\t\treturn 0\n\t}\n\treturn xs[i]\n}\n\nfunc main() {}\n";
        assert_eq!(window("main.go", go, 7, 40, count(go)), (3, 8));
        // Longer than the window: the window, centred on the line.
        assert_eq!(window("main.go", go, 7, 2, count(go)), (6, 8));
        // Top-level code is no function.
        assert_eq!(window("app/load.js", js, 8, 2, count(js)), (7, 8));
    }
}
