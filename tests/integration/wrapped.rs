//! Crashes as real services log them: the output of real servers and loggers (uvicorn,
//! gunicorn, structlog, ecs-logging, winston, pino, log4j2, logback, tracing-subscriber's JSON;
//! see fixtures/formats/README)
//! reaches the incident whole: its level, the exception's type and message, and the repository
//! file the trace ends in. The `wrap-*` cases of fixtures/repair-more carry the same logs on to
//! the fix.

use serde_json::Value;

use crate::harness::{fixture, json, run, Env};

struct Wrapped {
    file: &'static str,
    /// The exception's type and message as the incident reports them.
    exception: (&'static str, &'static str),
    /// The incident's error type, which names the file the trace ends in.
    error_type: &'static str,
    /// Entries whose first line no format reads.
    unparsed: u64,
}

const WRAPPED: &[Wrapped] = &[
    Wrapped {
        file: "uvicorn.log",
        exception: ("KeyError", "'tax_rate'"),
        error_type: "keyerror-pricing-py",
        unparsed: 0,
    },
    Wrapped {
        file: "gunicorn.log",
        exception: ("AttributeError", "'NoneType' object has no attribute 'name'"),
        error_type: "attributeerror-labels-py",
        unparsed: 0,
    },
    Wrapped {
        file: "structlog-json.log",
        exception: ("KeyError", "'timeout_s'"),
        error_type: "keyerror-scrape-py",
        unparsed: 0,
    },
    Wrapped {
        file: "structlog-console.log",
        exception: ("AttributeError", "'NoneType' object has no attribute 'group'"),
        error_type: "attributeerror-readings-py",
        unparsed: 0,
    },
    Wrapped {
        file: "ecs-python.log",
        exception: ("KeyError", "'page_size'"),
        error_type: "keyerror-paging-py",
        unparsed: 0,
    },
    Wrapped {
        file: "winston-json.log",
        exception: (
            "TypeError",
            "Cannot read properties of undefined (reading 'attempts')",
        ),
        error_type: "typeerror-retry-js",
        unparsed: 0,
    },
    Wrapped {
        file: "winston-simple.log",
        exception: (
            "TypeError",
            "Cannot read properties of undefined (reading 'email')",
        ),
        error_type: "typeerror-reminders-js",
        unparsed: 0,
    },
    Wrapped {
        file: "winston-printf.log",
        exception: (
            "TypeError",
            "Cannot read properties of undefined (reading 'reduce')",
        ),
        error_type: "typeerror-winston-printf-js",
        unparsed: 0,
    },
    Wrapped {
        file: "pino.log",
        exception: (
            "TypeError",
            "Cannot read properties of undefined (reading 'maxAge')",
        ),
        error_type: "typeerror-cache-js",
        unparsed: 0,
    },
    Wrapped {
        file: "log4j2-pattern.log",
        exception: (
            "java.lang.NullPointerException",
            "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null",
        ),
        error_type: "nullpointerexception-pools-java",
        unparsed: 0,
    },
    Wrapped {
        file: "logback-default.log",
        exception: (
            "java.lang.NullPointerException",
            "Cannot invoke \"java.lang.Integer.intValue()\" because the return value of \"java.util.Map.get(Object)\" is null",
        ),
        error_type: "nullpointerexception-shipping-java",
        unparsed: 0,
    },
    Wrapped {
        file: "tracing-json.log",
        exception: ("panic", "called `Option::unwrap()` on a `None` value"),
        error_type: "panic-main-rs",
        unparsed: 0,
    },
];

#[test]
fn crashes_logged_through_real_servers_and_loggers_reach_the_incident_whole() {
    let env = Env::new();
    for case in WRAPPED {
        let path = fixture(&format!("formats/{}", case.file));
        let report: Value = json(&run(
            env.cmd(["analyze", "--format", "json", "--threshold-count", "1"])
                .arg(&path),
            1,
        ));
        let file = case.file;
        assert_eq!(
            report["summary"]["unparsed"], case.unparsed,
            "{file}: {report:#}"
        );
        let incidents = report["incidents"].as_array().unwrap();
        assert_eq!(incidents.len(), 1, "{file}: {report:#}");
        let incident = &incidents[0];
        assert_eq!(incident["level"], "error", "{file}: {incident:#}");
        assert_eq!(
            incident["exception"]["type"], case.exception.0,
            "{file}: {incident:#}"
        );
        assert_eq!(
            incident["exception"]["message"], case.exception.1,
            "{file}: {incident:#}"
        );
        assert_eq!(
            incident["error_type"], case.error_type,
            "{file}: {incident:#}"
        );
    }
}
