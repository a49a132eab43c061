//! Throughput of the pattern stage alone: tokenising, masking and mining messages, and matching
//! them against mined templates (the second pass of `patterns --per-line`).
//!
//! The corpus is the Loghub sample of `fixtures/patterns/`, its numbers varied per copy so that the
//! exact-message cache does not answer everything.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hephaestus::pattern::{PatternEngine, PatternSettings};

fn corpus() -> Vec<String> {
    let sample = include_str!("../fixtures/patterns/loghub-sample.log");
    let mut lines = Vec::new();
    for copy in 0..200u32 {
        for line in sample.lines() {
            let varied: String = line
                .chars()
                .map(|c| match c.to_digit(10) {
                    Some(d) => char::from_digit((d + copy) % 10, 10).unwrap_or(c),
                    None => c,
                })
                .collect();
            lines.push(varied);
        }
    }
    lines
}

/// Free text of one shape and one first word (`note` and five random words): the worst case for
/// clustering by shape, where nothing merges and buckets fill up.
fn free_text() -> Vec<String> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let words: Vec<String> = (0..5000)
        .map(|_| {
            let n = 3 + next() % 6;
            (0..n)
                .map(|_| char::from(b'a' + (next() % 26) as u8))
                .collect()
        })
        .collect();
    (0..20_000)
        .map(|_| {
            let mut line = String::from("note");
            for _ in 0..5 {
                line.push(' ');
                line.push_str(&words[(next() % words.len() as u64) as usize]);
            }
            line
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lines = corpus();
    let mut group = c.benchmark_group("miner");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function("mine", |b| {
        b.iter(|| {
            let mut engine = PatternEngine::new(&PatternSettings::default());
            for line in &lines {
                black_box(engine.mine(line));
            }
        })
    });
    let mut mined = PatternEngine::new(&PatternSettings::default());
    for line in &lines {
        mined.mine(line);
    }
    group.bench_function("lookup", |b| {
        b.iter(|| {
            for line in &lines {
                black_box(mined.lookup(line));
            }
        })
    });
    let free = free_text();
    group.throughput(Throughput::Elements(free.len() as u64));
    group.bench_function("mine_free_text", |b| {
        b.iter(|| {
            let mut engine = PatternEngine::new(&PatternSettings::default());
            for line in &free {
                black_box(engine.mine(line));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
