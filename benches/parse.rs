//! Parser throughput, in lines per second, on the format fixtures.
//!
//! - `homogeneous/<format>`: one source in one format, the usual case (the cached format matches
//!   first time); `homogeneous/level-words.log` is lines no format reads that take a level from
//!   their header, the path every format is tried before;
//! - `service-with-crashes`: ISO-8601 records with real Python/Java/Node/Rust crashes between them
//!   (continuation lines, which must be tried against every format before being joined);
//! - `mixed`: every format interleaved line by line in one source, the worst case for detection;
//! - `raw-baseline`: `LogEntry::raw` per line (what `--raw` does), the floor any parse is measured
//!   against: on a shared machine absolute numbers drift, the ratio to this one much less.
//!
//! Run with `cargo bench --bench parse`; criterion prints `thrpt` in elements (lines) per second.

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hephaestus::parse::{LogEntry, ParseSettings, Parser};
use hephaestus::source::Line;

const TARGET_LINES: usize = 20_000;

fn read(rel: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .map(str::to_owned)
        .collect()
}

/// `lines` repeated until there are about [`TARGET_LINES`] of them, numbered.
fn corpus(lines: &[String]) -> Vec<Line> {
    let mut out = Vec::with_capacity(TARGET_LINES + lines.len());
    let mut offset = 0;
    while out.len() < TARGET_LINES {
        for text in lines {
            out.push(Line {
                text: text.clone(),
                number: out.len() as u64 + 1,
                offset,
                truncated: false,
                lossy: false,
            });
            offset += text.len() as u64 + 1;
        }
    }
    out
}

fn parse_all(lines: &[Line]) -> u64 {
    let settings = ParseSettings {
        formats: Vec::new(),
    };
    let mut parser = Parser::new(Arc::from("bench.log"), &settings);
    let mut entries = 0u64;
    for line in lines {
        entries += u64::from(parser.push(line).is_some());
    }
    entries + parser.finish().len() as u64
}

fn bench(c: &mut Criterion) {
    const FORMATS: [&str; 9] = [
        "iso8601.log",
        "json.log",
        "logfmt.log",
        "python-space.log",
        "syslog-rfc3164.log",
        "tracing.log",
        "log4j.log",
        "nginx-access.log",
        "go-log.log",
    ];
    let mut group = c.benchmark_group("parse");
    let source: Arc<str> = Arc::from("bench.log");
    let lines = corpus(&read("multiline/python.log"));
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("raw-baseline", |b| {
        b.iter(|| {
            black_box(&lines)
                .iter()
                .map(|l| LogEntry::raw(source.clone(), l).message.len())
                .sum::<usize>()
        })
    });
    // Benched alone only, so that `mixed` stays comparable with earlier runs.
    const ALONE: [&str; 5] = [
        "android-logcat.log",
        "log4j-spark.log",
        "oslo-log.log",
        "postgres.log",
        "level-words.log",
    ];
    for name in FORMATS.into_iter().chain(ALONE) {
        let lines = corpus(&read(&format!("formats/{name}")));
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(format!("homogeneous/{name}"), |b| {
            b.iter(|| parse_all(black_box(&lines)))
        });
    }

    let mut crashes = Vec::new();
    for name in ["python.log", "java.log", "node.log", "rust-backtrace.log"] {
        crashes.extend(read(&format!("multiline/{name}")));
    }
    let lines = corpus(&crashes);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("service-with-crashes", |b| {
        b.iter(|| parse_all(black_box(&lines)))
    });

    let files: Vec<Vec<String>> = FORMATS
        .iter()
        .map(|n| read(&format!("formats/{n}")))
        .collect();
    let longest = files.iter().map(Vec::len).max().unwrap_or(0);
    let interleaved: Vec<String> = (0..longest)
        .flat_map(|i| files.iter().filter_map(move |f| f.get(i).cloned()))
        .collect();
    let lines = corpus(&interleaved);
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("mixed", |b| b.iter(|| parse_all(black_box(&lines))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
