//! JSON lines: one object per line, as structured loggers (pino, bunyan, zap, zerolog, slog's
//! JSON handler, structlog, logstash encoders …) write them.
//!
//! The well-known keys give the timestamp, level and message; an error's text (`error`, `stack`,
//! `exc_info`, `stack_trace` …, as a string or inside a nested object) is appended to the message on
//! its own lines so that a stack trace reads exactly as it would in a text log. Other top-level
//! values become fields (objects and arrays as compact JSON).
//!
//! A trace logged as data, structlog's `dict_tracebacks` (`"exception": [{"exc_type", "exc_value",
//! "frames": [{"filename", "lineno", "name"}]}]`), is written out as the traceback Python prints,
//! so that it reaches trace extraction like any other.

use serde_json::{Map, Value};

use super::format::{Context, Parsed};
use super::{time, Level};

const TIME_KEYS: [&str; 7] = [
    "time",
    "ts",
    "timestamp",
    "@timestamp",
    "t",
    "datetime",
    "asctime",
];
const LEVEL_KEYS: [&str; 7] = [
    "level",
    "lvl",
    "severity",
    "log.level",
    "levelname",
    "loglevel",
    "@level",
];
const MESSAGE_KEYS: [&str; 6] = ["msg", "message", "@message", "event", "text", "@m"];
/// Keys that hold an error's text or a stack trace, appended to the message in this order.
const ERROR_KEYS: [&str; 9] = [
    "error",
    "err",
    "exception",
    "exc_info",
    "exc_text",
    "stack",
    "stack_trace",
    "stacktrace",
    "traceback",
];
/// Where an error object keeps its text (pino's `err`, ECS's `error`).
const NESTED_ERROR_KEYS: [&str; 6] = [
    "stack",
    "stack_trace",
    "stacktrace",
    "message",
    "msg",
    "type",
];

pub fn parse(line: &str, cx: Context) -> Option<Parsed> {
    let trimmed = line.trim_ascii();
    if !trimmed.starts_with('{') || !trimmed.ends_with('}') {
        return None;
    }
    let mut object: Map<String, Value> = serde_json::from_str(trimmed).ok()?;
    let mut parsed = Parsed {
        anchors: true,
        ..Parsed::default()
    };

    if let Some(value) = take_first(&mut object, &TIME_KEYS) {
        parsed.timestamp = match &value {
            Value::String(s) => time::any(s, cx.now),
            Value::Number(n) => n.as_f64().and_then(time::epoch),
            _ => None,
        };
        parsed.bad_timestamp = parsed.timestamp.is_none();
    }
    if let Some(value) = take_first(&mut object, &LEVEL_KEYS) {
        parsed.level = match &value {
            Value::String(s) => Level::parse(s),
            Value::Number(n) => n.as_f64().and_then(Level::from_number),
            _ => None,
        };
    }
    // ECS nests the level: {"log": {"level": "error"}}.
    if parsed.level.is_none() {
        parsed.level = object
            .get("log")
            .and_then(|log| log.get("level"))
            .and_then(Value::as_str)
            .and_then(Level::parse);
    }
    let mut message = match take_first(&mut object, &MESSAGE_KEYS) {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => tracing_message(&mut object).unwrap_or_default(),
    };
    for key in ERROR_KEYS {
        let Some(value) = object.remove(key) else {
            continue;
        };
        let text = match value {
            Value::String(s) => s,
            Value::Object(mut inner) => {
                let frames_only = python_frames_only(&inner);
                // The stack, if any, already starts with the type and message.
                match take_first(&mut inner, &NESTED_ERROR_KEYS) {
                    Some(Value::String(s)) => match frames_only {
                        Some((kind, text)) => python_traceback(&s, &kind, &text),
                        None => s,
                    },
                    _ => Value::Object(inner).to_string(),
                }
            }
            Value::Null | Value::Bool(false) => continue,
            Value::Array(items) => match structured_traceback(&items) {
                Some(traceback) => traceback,
                None if items.iter().all(Value::is_string) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(""),
                None => Value::Array(items).to_string(),
            },
            other => other.to_string(),
        };
        let text = text.trim_end_matches('\n');
        if text.is_empty() || message.contains(text) {
            continue;
        }
        if !message.is_empty() {
            message.push('\n');
        }
        message.push_str(text);
    }
    parsed.message = message;

    for (key, value) in object {
        let text = match value {
            Value::String(s) => s,
            Value::Null => continue,
            other => other.to_string(),
        };
        parsed.fields.insert(key, text);
    }
    Some(parsed)
}

/// tracing-subscriber's JSON formatter nests the event's fields, its message among them:
/// `{"timestamp":…,"level":"INFO","fields":{"message":"starting","port":8080},"target":"app"}`.
/// The message is taken out; the other fields stay in `fields`.
fn tracing_message(object: &mut Map<String, Value>) -> Option<String> {
    let Some(Value::Object(fields)) = object.get_mut("fields") else {
        return None;
    };
    let message = match fields.remove("message")? {
        Value::String(s) => s,
        other => other.to_string(),
    };
    if fields.is_empty() {
        object.remove("fields");
    }
    Some(message)
}

/// Python's ecs-logging keeps only the frames in `error.stack_trace` (no `Traceback …` header, no
/// exception line) and the exception in `error.type` and `error.message`: (type, message) when
/// `error` is that shape, so that the three are put back together as Python prints them.
fn python_frames_only(error: &Map<String, Value>) -> Option<(String, String)> {
    let stack = error.get("stack_trace")?.as_str()?;
    let kind = error.get("type")?.as_str()?;
    let frames = stack.trim_start_matches('\n').starts_with("  File \"");
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    (frames && !kind.is_empty()).then(|| (kind.to_owned(), message.to_owned()))
}

fn python_traceback(frames: &str, kind: &str, message: &str) -> String {
    let mut out = String::from("Traceback (most recent call last):\n");
    out.push_str(frames.trim_start_matches('\n').trim_end_matches('\n'));
    out.push('\n');
    out.push_str(kind);
    if !message.is_empty() {
        out.push_str(": ");
        out.push_str(message);
    }
    out
}

/// structlog's `dict_tracebacks` as Python prints the traceback: the exceptions are listed from
/// the last raised to its cause or context, each `{"exc_type", "exc_value", "is_cause",
/// "frames": [{"filename", "lineno", "name", "line"?}]}`; Python prints the first raised first.
/// `None` when `items` is not that shape.
fn structured_traceback(items: &[Value]) -> Option<String> {
    let shaped = |v: &Value| {
        v.get("exc_type").is_some_and(Value::is_string)
            && v.get("frames").is_some_and(Value::is_array)
    };
    if items.is_empty() || !items.iter().all(shaped) {
        return None;
    }
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let mut out = String::new();
    for (i, exc) in items.iter().enumerate().rev() {
        if i + 1 < items.len() {
            // The exception printed before this one is its cause (`raise … from …`) or the one
            // being handled when it was raised.
            let caused = items[i + 1].get("is_cause").and_then(Value::as_bool) == Some(true);
            out.push_str(if caused {
                "\nThe above exception was the direct cause of the following exception:\n\n"
            } else {
                "\nDuring handling of the above exception, another exception occurred:\n\n"
            });
        }
        out.push_str("Traceback (most recent call last):\n");
        for frame in exc["frames"].as_array().into_iter().flatten() {
            let file = text(frame.get("filename"));
            let line = text(frame.get("lineno"));
            let name = text(frame.get("name"));
            out.push_str(&format!("  File \"{file}\", line {line}, in {name}\n"));
            let source = text(frame.get("line"));
            if !source.trim().is_empty() {
                out.push_str(&format!("    {}\n", source.trim()));
            }
        }
        let value = text(exc.get("exc_value"));
        out.push_str(&text(exc.get("exc_type")));
        if !value.is_empty() {
            out.push_str(": ");
            out.push_str(&value);
        }
        out.push('\n');
    }
    Some(out)
}

fn take_first(object: &mut Map<String, Value>, keys: &[&str]) -> Option<Value> {
    keys.iter().find_map(|&k| object.remove(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::format::test_context as cx;

    #[test]
    fn common_keys() {
        let p = parse(
            r#"{"ts":"2026-11-20T10:15:03.123Z","lvl":"warn","msg":"slow query","took_ms":812,"tags":["db"]}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.timestamp.unwrap().to_rfc3339(),
            "2026-11-20T10:15:03.123+00:00"
        );
        assert_eq!(p.level, Some(Level::Warn));
        assert_eq!(p.message, "slow query");
        assert_eq!(p.fields["took_ms"], "812");
        assert_eq!(p.fields["tags"], r#"["db"]"#);
    }

    #[test]
    fn pino_numbers_and_epoch_millis() {
        let p = parse(
            r#"{"level":50,"time":1795601703123,"pid":7,"hostname":"h","msg":"boom"}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(p.timestamp.unwrap().timestamp_millis(), 1_795_601_703_123);
    }

    #[test]
    fn errors_are_appended_as_lines() {
        let p = parse(
            r#"{"@timestamp":"2026-11-20T10:15:03Z","severity":"ERROR","message":"handler failed","err":{"type":"TypeError","message":"x is undefined","stack":"TypeError: x is undefined\n    at f (/srv/app/a.js:3:9)"}}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.message,
            "handler failed\nTypeError: x is undefined\n    at f (/srv/app/a.js:3:9)"
        );
        let p = parse(
            r#"{"levelname":"ERROR","message":"failed","exc_info":"Traceback (most recent call last):\n  File \"/app/w.py\", line 3, in <module>\nKeyError: 'x'\n"}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.message,
            "failed\nTraceback (most recent call last):\n  File \"/app/w.py\", line 3, in <module>\nKeyError: 'x'"
        );
        assert_eq!(p.timestamp, None);
        assert!(!p.bad_timestamp);
    }

    #[test]
    fn structlog_dict_tracebacks_read_as_the_traceback_python_prints() {
        // Real output of structlog 26.1's JSONRenderer with dict_tracebacks, locals cut.
        let p = parse(
            r#"{"event": "scrape plan failed", "level": "error", "timestamp": "2026-12-02T06:52:28.676285Z", "exception": [{"exc_type": "KeyError", "exc_value": "'timeout_s'", "exc_notes": [], "syntax_error": null, "is_cause": false, "frames": [{"filename": "/srv/main.py", "lineno": 24, "name": "main", "locals": {"cfg": "{}"}}, {"filename": "/srv/exporter/scrape.py", "lineno": 9, "name": "scrape_plan"}], "is_group": false, "exceptions": []}]}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "scrape plan failed\nTraceback (most recent call last):\n  File \"/srv/main.py\", line 24, in main\n  File \"/srv/exporter/scrape.py\", line 9, in scrape_plan\nKeyError: 'timeout_s'"
        );
        // A chain: structlog lists the last raised first; Python prints its cause first.
        let p = parse(
            r#"{"event": "x", "exception": [{"exc_type": "RuntimeError", "exc_value": "bad config", "is_cause": false, "frames": [{"filename": "/srv/a.py", "lineno": 7, "name": "load", "line": "raise RuntimeError('bad config') from e"}]}, {"exc_type": "KeyError", "exc_value": "'port'", "is_cause": true, "frames": [{"filename": "/srv/a.py", "lineno": 5, "name": "load"}]}]}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.message,
            "x\nTraceback (most recent call last):\n  File \"/srv/a.py\", line 5, in load\nKeyError: 'port'\n\nThe above exception was the direct cause of the following exception:\n\nTraceback (most recent call last):\n  File \"/srv/a.py\", line 7, in load\n    raise RuntimeError('bad config') from e\nRuntimeError: bad config"
        );
        // Any other list stays compact JSON.
        let p = parse(r#"{"event": "x", "exception": [{"frames": 1}]}"#, cx()).unwrap();
        assert_eq!(p.message, "x\n[{\"frames\":1}]");
    }

    #[test]
    fn ecs_logging_python_frames_get_their_header_and_exception_line() {
        // Real output of Python's ecs-logging 2.3 StdlibFormatter (process and origin cut).
        let p = parse(
            r#"{"@timestamp":"2026-12-02T06:56:15.132Z","log.level":"error","message":"report build failed","ecs.version":"1.6.0","error":{"message":"'page_size'","stack_trace":"  File \"/srv/main.py\", line 20, in main\n    for line in pages(settings, rows=130):\n  File \"/srv/reports/paging.py\", line 7, in pages\n    size = settings[\"page_size\"]\n           ~~~~~~~~^^^^^^^^^^^^^\n","type":"KeyError"},"log":{"logger":"reports"}}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(p.level, Some(Level::Error));
        assert_eq!(
            p.message,
            "report build failed\nTraceback (most recent call last):\n  File \"/srv/main.py\", line 20, in main\n    for line in pages(settings, rows=130):\n  File \"/srv/reports/paging.py\", line 7, in pages\n    size = settings[\"page_size\"]\n           ~~~~~~~~^^^^^^^^^^^^^\nKeyError: 'page_size'"
        );
        // A stack that already carries its exception (Java, Node.js) is kept as it is.
        let p = parse(
            r#"{"message":"failed","error":{"type":"java.lang.NullPointerException","message":"x","stack_trace":"java.lang.NullPointerException: x\n\tat app.Main.main(Main.java:3)\n"}}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(
            p.message,
            "failed\njava.lang.NullPointerException: x\n\tat app.Main.main(Main.java:3)"
        );
    }

    #[test]
    fn tracing_subscriber_json_nests_the_message_in_fields() {
        // Real output of tracing-subscriber 0.3.23's `fmt().json()`.
        let p = parse(
            r#"{"timestamp":"2026-12-02T07:17:58.993659Z","level":"INFO","fields":{"message":"sweeper starting","version":"0.3.1"},"target":"sweeper"}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(p.level, Some(Level::Info));
        assert_eq!(p.message, "sweeper starting");
        assert_eq!(p.fields["fields"], r#"{"version":"0.3.1"}"#);
        assert_eq!(p.fields["target"], "sweeper");
        let p = parse(
            r#"{"level":"WARN","fields":{"message":"slow"},"target":"app"}"#,
            cx(),
        )
        .unwrap();
        assert_eq!(p.message, "slow");
        assert!(!p.fields.contains_key("fields"));
        // A top-level message wins; `fields` is then left as it is.
        let p = parse(r#"{"msg":"x","fields":{"message":"y"}}"#, cx()).unwrap();
        assert_eq!(p.message, "x");
    }

    #[test]
    fn ecs_nested_level() {
        let p = parse(r#"{"log":{"level":"error"},"message":"x"}"#, cx()).unwrap();
        assert_eq!(p.level, Some(Level::Error));
    }

    #[test]
    fn not_json() {
        assert!(parse("{not json}", cx()).is_none());
        assert!(parse("[1,2]", cx()).is_none());
        assert!(parse(r#"{"a":1} trailing"#, cx()).is_none());
    }
}
