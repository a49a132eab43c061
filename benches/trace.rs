//! Cost of `pattern::trace::extract`, which runs on every entry. Most entries hold no trace, so
//! the figure that matters is ns per ordinary line; a single `memchr` pass over the same lines is
//! the floor it is compared against. Traces themselves are rarer and allowed to cost more.
//!
//! `cargo bench --bench trace`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hephaestus::pattern::trace::extract;

fn fixture(rel: &str) -> String {
    let path = format!("{}/fixtures/traces/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn no_trace(c: &mut Criterion) {
    // 1,600 lines, 100 from each of the 16 Loghub datasets.
    let text = fixture("bench/loghub_no_trace.log");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.iter().all(|l| extract(l).is_none()));
    let mut group = c.benchmark_group("no_trace");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("extract", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(extract(black_box(line)));
            }
        })
    });
    group.bench_function("memchr_baseline", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(memchr::memchr(b'\x07', black_box(line).as_bytes()));
            }
        })
    });
    // Multi-line entries without a trace (a message continued on the next line) pay for the
    // full marker search.
    let pairs: Vec<String> = lines.chunks(2).map(|p| p.join("\n")).collect();
    assert!(pairs.iter().all(|p| extract(p).is_none()));
    group.throughput(Throughput::Elements(pairs.len() as u64));
    group.bench_function("extract_two_line_entries", |b| {
        b.iter(|| {
            for entry in &pairs {
                black_box(extract(black_box(entry)));
            }
        })
    });
    group.finish();
}

fn traces(c: &mut Criterion) {
    let mut group = c.benchmark_group("trace");
    for rel in [
        "python/key_error.txt",
        "python/requests_error.txt",
        "java/caused.txt",
        "java/json_logged.txt",
        "node/undefined_property.txt",
        "rust/unwrap_none_backtrace.txt",
        "go/http_handler_nil_map.txt",
    ] {
        let text = fixture(rel);
        assert!(extract(&text).is_some(), "{rel}");
        group.throughput(Throughput::Elements(1));
        group.bench_with_input(BenchmarkId::from_parameter(rel), &text, |b, text| {
            b.iter(|| black_box(extract(black_box(text))))
        });
    }
    group.finish();
}

criterion_group!(benches, no_trace, traces);
criterion_main!(benches);
