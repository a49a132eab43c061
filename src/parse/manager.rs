//! Process managers' line prefixes: what `pm2 logs` puts before each line of the programs it runs
//! (`0|labels | …`, its own lines as `PM2      | …`), and what `docker compose logs` / `up` put
//! before each line of a service's containers (`api-1     | …`, compose v1's `api_1 | …`). The
//! program's text is read after it, as if the program had written its own file; the prefix names
//! who wrote the line (so that one program's lines never continue another's entry) and the
//! service. An app started with `pm2 start --time` has pm2's time after the prefix
//! (`2026-12-02T01:21:15: `), and `docker compose logs --timestamps` the engine's
//! (`2026-12-02T03:25:24.380123456Z `): it is part of the prefix, and the time of lines that carry
//! none of their own.

use std::sync::LazyLock;

use regex::Regex;

static PM2: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?P<id>\d+)\|(?P<app>[^|\s]+)|PM2) *\| ?(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: )?",
    )
    .expect("pm2 prefix compiles")
});

/// Compose pads the container's name (`<service>-<n>`, v1 `<service>_<n>`) to the widest one and
/// adds ` | `: at least one space before the bar (v1's widest name; v2 always has two), one after
/// unless the line is empty. The name must end in the replica number, so that an ordinary
/// `word | word` line is not taken for a prefix. `--timestamps` adds the engine's time in Go's
/// `RFC3339NanoFixed` (always nine digits): a program's own time after the bar (milliseconds,
/// or a zone of its own) stays the program's text.
static COMPOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<name>(?P<service>[A-Za-z0-9][A-Za-z0-9_.-]*?)[-_]\d+) +\|(?: (?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}(?:Z|[+-]\d{2}:\d{2}) )?|$)",
    )
    .expect("compose prefix compiles")
});

/// A process manager's prefix on a line.
#[derive(Debug, PartialEq, Eq)]
pub struct Prefix<'a> {
    /// Where the program's text begins.
    pub len: usize,
    /// Who wrote the line: `0|labels`, or `PM2` for the manager itself; compose's container
    /// (`api-1`).
    pub origin: &'a str,
    /// The service's name (`labels`; `pm2` for the manager's own lines; `api`).
    pub service: &'a str,
    /// The manager's time for the line (pm2's `--time`, compose's `--timestamps`).
    pub time: Option<&'a str>,
}

/// The prefix `pm2 logs` or `docker compose` put on `line`, if any (terminal colors already
/// removed).
pub fn prefix(line: &str) -> Option<Prefix<'_>> {
    let first = *line.as_bytes().first()?;
    // Every line is looked at: only one with a `|` early on (`0|app`, `PM2      |`, `api-1  |`)
    // gets a regex.
    let head = &line.as_bytes()[..line.len().min(128)];
    let bar = memchr::memchr(b'|', head)?;
    if first.is_ascii_digit() || first == b'P' {
        if let Some(found) = pm2(line) {
            return Some(found);
        }
    }
    // Compose's bar follows one word and its padding (`api-1     |`): a line with a space
    // before that (`a b | c`, a record's date and time) is not looked at further.
    let name = head[..bar].trim_ascii_end();
    if first.is_ascii_alphanumeric() && name.len() < bar && !name.contains(&b' ') {
        return compose(line);
    }
    None
}

fn pm2(line: &str) -> Option<Prefix<'_>> {
    let caps = PM2.captures(line)?;
    let len = caps.get(0)?.end();
    let time = caps.name("time").map(|t| &t.as_str()[..19]);
    Some(match (caps.name("id"), caps.name("app")) {
        (Some(id), Some(app)) => Prefix {
            len,
            origin: &line[id.start()..app.end()],
            service: app.as_str(),
            time,
        },
        _ => Prefix {
            len,
            origin: "PM2",
            service: "pm2",
            time,
        },
    })
}

fn compose(line: &str) -> Option<Prefix<'_>> {
    let caps = COMPOSE.captures(line)?;
    Some(Prefix {
        len: caps.get(0)?.end(),
        origin: caps.name("name")?.as_str(),
        service: caps.name("service")?.as_str(),
        time: caps.name("time").map(|t| t.as_str().trim_end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pm2_prefixes() {
        assert_eq!(
            prefix("0|labels | TypeError: x"),
            Some(Prefix {
                len: 11,
                origin: "0|labels",
                service: "labels",
                time: None,
            })
        );
        let timed = prefix("0|labels | 2026-12-02T01:21:15:     at f (/srv/a.js:1:2)").unwrap();
        assert_eq!((timed.len, timed.time), (32, Some("2026-12-02T01:21:15")));
        assert_eq!(
            prefix("12|api-gateway  |     at f (/srv/a.js:1:2)").map(|p| p.len),
            Some(18)
        );
        assert_eq!(
            prefix("PM2      | App [labels:0] online").unwrap().service,
            "pm2"
        );
        for not in [
            "2026-12-02T01:21:54Z INFO x: y",
            "0|labels",
            "PM2 is a Production Process Manager",
        ] {
            assert_eq!(prefix(not), None, "{not}");
        }
    }

    #[test]
    fn compose_prefixes() {
        // v2: the name padded to the widest container's plus one, then ` | `.
        assert_eq!(
            prefix("api-1     | Traceback (most recent call last):"),
            Some(Prefix {
                len: 12,
                origin: "api-1",
                service: "api",
                time: None,
            })
        );
        let widest = prefix("worker-1  |     at f (node:net:1611:16)").unwrap();
        assert_eq!((widest.len, widest.service), (12, "worker"));
        // A service whose name has dashes keeps them; only the replica number goes.
        let dashed = prefix("order-sync-12  | x").unwrap();
        assert_eq!(
            (dashed.origin, dashed.service),
            ("order-sync-12", "order-sync")
        );
        let numbered = prefix("redis-6-1 | Ready to accept connections").unwrap();
        assert_eq!(numbered.service, "redis-6");
        // `--timestamps`: the engine's RFC 3339 time with nanoseconds, after the bar.
        let timed =
            prefix("api-1     | 2026-12-02T03:25:24.482560461Z   File \"/app/api.py\", line 29")
                .unwrap();
        assert_eq!(timed.time, Some("2026-12-02T03:25:24.482560461Z"));
        assert_eq!(timed.len, 43);
        assert!(crate::parse::time::iso8601(timed.time.unwrap()).is_some());
        // An empty line is the prefix alone (its trailing space sometimes trimmed).
        assert_eq!(prefix("api-1     | ").map(|p| p.len), Some(12));
        assert_eq!(prefix("api-1     |").map(|p| p.len), Some(11));
        // v1: `<service>_<n>`, the widest name with a single space.
        let v1 = prefix("worker_1 | 2026-12-02T03:25:24.380Z INFO worker: up").unwrap();
        assert_eq!((v1.origin, v1.service, v1.len), ("worker_1", "worker", 11));
        for not in [
            "| api-1 | b |",
            "name | value",
            "step 1 | done",
            "api-1| x",
            "api-1 |x",
            "api-x     | y",
            "-api-1  | y",
            "2026-12-02 03:25:24,482 INFO api: a | b",
            "GET /a?x=1 | 200",
        ] {
            assert_eq!(prefix(not), None, "{not}");
        }
        // pm2's own prefixes are still pm2's.
        assert_eq!(prefix("0|labels | x").unwrap().origin, "0|labels");
        assert_eq!(prefix("PM2      | App online").unwrap().service, "pm2");
    }
}
