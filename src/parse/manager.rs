//! Process managers' line prefixes: what `pm2 logs` puts before each line of the programs it runs
//! (`0|labels | …`, its own lines as `PM2      | …`). The program's text is read after it, as if
//! the program had written its own file; the prefix names who wrote the line (so that one
//! program's lines never continue another's entry) and the service. An app started with
//! `pm2 start --time` has pm2's time after the prefix (`2026-12-02T01:21:15: `): it is part of the
//! prefix, and the time of lines that carry none of their own.

use std::sync::LazyLock;

use regex::Regex;

static PM2: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?P<id>\d+)\|(?P<app>[^|\s]+)|PM2) *\| ?(?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}: )?",
    )
    .expect("pm2 prefix compiles")
});

/// A process manager's prefix on a line.
#[derive(Debug, PartialEq, Eq)]
pub struct Prefix<'a> {
    /// Where the program's text begins.
    pub len: usize,
    /// Who wrote the line: `0|labels`, or `PM2` for the manager itself.
    pub origin: &'a str,
    /// The service's name (`labels`; `pm2` for the manager's own lines).
    pub service: &'a str,
    /// pm2's time for the line (`--time`).
    pub time: Option<&'a str>,
}

/// The prefix `pm2 logs` put on `line`, if any (terminal colors already removed).
pub fn prefix(line: &str) -> Option<Prefix<'_>> {
    let first = *line.as_bytes().first()?;
    // Every line is looked at: only one with a `|` early on (`0|app`, `PM2      |`) gets the regex.
    let head = &line.as_bytes()[..line.len().min(128)];
    if !(first.is_ascii_digit() || first == b'P') || memchr::memchr(b'|', head).is_none() {
        return None;
    }
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
}
