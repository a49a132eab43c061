//! Masker throughput, in lines per second, on real lines from the fixtures.
//!
//! - `tokenize/<corpus>`: `Masker::tokenize` with every built-in mask on and the token buffer
//!   reused, the path the miner takes for every message;
//! - `tokenize-no-masks/<corpus>`: the same with no mask on, the floor of splitting into tokens that
//!   every mask is measured against (on a shared machine the ratio drifts less than the absolute);
//! - `user-mask/<corpus>`: built-in masks plus one user regex, what a config's `masks:` costs;
//! - `mask-string/<corpus>`: `Masker::mask`, which allocates the masked text.
//!
//! Corpora: `loghub` is the Loghub sample of `fixtures/patterns/` (whole lines, as `--raw` masks
//! them); `loghub-same-output` is the Loghub sample of `fixtures/same-output/`, the lines the
//! differential test of the masker runs on; `formats` is every line of the format fixtures (headers, JSON, logfmt, access logs).
//! Numbers are varied per copy, as in the miner bench, so that equal lines do not repeat exactly.
//!
//! Run with `cargo bench --bench mask`; criterion prints `thrpt` in elements (lines) per second.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hephaestus::pattern::mask::{Masker, Token, BUILTIN};
use regex::Regex;

const TARGET_LINES: usize = 20_000;

fn fixture_lines(rel: &str) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// `lines` copied until there are about [`TARGET_LINES`], every digit shifted by the copy number.
fn varied(lines: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(TARGET_LINES + lines.len());
    let mut copy = 0u32;
    while out.len() < TARGET_LINES && !lines.is_empty() {
        for line in lines {
            out.push(
                line.chars()
                    .map(|c| match c.to_digit(10) {
                        Some(d) => char::from_digit((d + copy) % 10, 10).unwrap_or(c),
                        None => c,
                    })
                    .collect(),
            );
        }
        copy += 1;
    }
    out
}

fn corpora() -> Vec<(&'static str, Vec<String>)> {
    let mut formats = Vec::new();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/formats");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".log"))
        .collect();
    names.sort();
    for name in names {
        formats.extend(fixture_lines(&format!("formats/{name}")));
    }
    vec![
        (
            "loghub",
            varied(&fixture_lines("patterns/loghub-sample.log")),
        ),
        ("formats", varied(&formats)),
        (
            "loghub-same-output",
            varied(&fixture_lines("same-output/loghub-sample.log")),
        ),
    ]
}

fn tokenize_all(masker: &Masker, lines: &[String], tokens: &mut Vec<Token>) -> usize {
    let mut vars = 0;
    for line in lines {
        masker.tokenize(line, tokens);
        vars += tokens.iter().filter(|t| t.var).count();
    }
    vars
}

fn bench(c: &mut Criterion) {
    let all: Vec<String> = BUILTIN.iter().map(|s| (*s).to_owned()).collect();
    let masker = Masker::new(&all, &[]);
    let bare = Masker::new(&[], &[]);
    let user = Masker::new(
        &all,
        &[(
            "request".to_owned(),
            Regex::new(r"\b(?:req|blk)[-_][0-9a-zA-Z-]+").expect("valid regex"),
        )],
    );
    let mut group = c.benchmark_group("mask");
    let mut tokens = Vec::new();
    for (name, lines) in corpora() {
        group.throughput(Throughput::Elements(lines.len() as u64));
        group.bench_function(format!("tokenize/{name}"), |b| {
            b.iter(|| tokenize_all(&masker, black_box(&lines), &mut tokens))
        });
        group.bench_function(format!("tokenize-no-masks/{name}"), |b| {
            b.iter(|| tokenize_all(&bare, black_box(&lines), &mut tokens))
        });
        group.bench_function(format!("user-mask/{name}"), |b| {
            b.iter(|| tokenize_all(&user, black_box(&lines), &mut tokens))
        });
        group.bench_function(format!("mask-string/{name}"), |b| {
            b.iter(|| {
                black_box(&lines)
                    .iter()
                    .map(|l| masker.mask(l).len())
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
