//! Parses every line of a reports file (exchange-formats §2) with several JSON readers on N
//! threads, the file already in memory, and prints the median wall time of each. No rules run and
//! nothing is written: these are lower bounds for an engine that would use the reader.
//!
//! Usage: offsite-parser-floor REPORTS.jsonl [--threads N] [--runs N]

use std::time::Instant;

mod report;

/// One way of reading a line; returns whether the line was accepted.
type ParseFn = fn(&[u8], &mut Scratch) -> bool;

#[derive(Default)]
struct Scratch {
    copy: Vec<u8>,
    buffers: simd_json::Buffers,
}

fn utf8_only(line: &[u8], _: &mut Scratch) -> bool {
    simdutf8::basic::from_utf8(line).is_ok()
}

fn serde_json_typed(line: &[u8], _: &mut Scratch) -> bool {
    serde_json::from_slice::<report::Report<'_>>(line).is_ok()
}

fn sonic_typed(line: &[u8], _: &mut Scratch) -> bool {
    sonic_rs::from_slice::<report::Report<'_>>(line).is_ok()
}

fn sonic_value(line: &[u8], _: &mut Scratch) -> bool {
    sonic_rs::from_slice::<sonic_rs::Value>(line).is_ok()
}

/// simd-json parses in place, so each line is first copied into a reused buffer (a memcpy, a few
/// per cent of the time); the tape's scratch buffers are reused across lines too.
fn simd_json_tape(line: &[u8], s: &mut Scratch) -> bool {
    s.copy.clear();
    s.copy.extend_from_slice(line);
    let mut tape = simd_json::Tape::null();
    simd_json::fill_tape(&mut s.copy, &mut s.buffers, &mut tape).is_ok()
}

const PARSERS: [(&str, ParseFn); 5] = [
    ("UTF-8 validation only (simdutf8)", utf8_only),
    ("simd-json 0.14 tape", simd_json_tape),
    ("sonic-rs 0.5 Value", sonic_value),
    ("sonic-rs 0.5 typed (serde, borrowed)", sonic_typed),
    ("serde_json 1 typed (serde, borrowed)", serde_json_typed),
];

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut path, mut threads, mut runs) = (None, 2usize, 5usize);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(threads),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: offsite-parser-floor REPORTS.jsonl [--threads N] [--runs N]");
        std::process::exit(2);
    };
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let chunks = split(&data, threads.max(1));
    println!("{path}: {:.1} MB, {threads} threads, median of {runs} runs", data.len() as f64 / 1e6);
    println!("{:<40} {:>9} {:>9} {:>10}", "reader", "seconds", "MB/s", "lines ok");
    for (name, parse) in PARSERS {
        let mut times = Vec::new();
        let mut ok = 0;
        for _ in 0..runs.max(1) {
            let t = Instant::now();
            ok = parse_all(&chunks, parse);
            times.push(t.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let median = times[times.len() / 2];
        let mbs = data.len() as f64 / 1e6 / median;
        println!("{name:<40} {median:>9.3} {mbs:>9.0} {ok:>10}");
    }
}

/// Splits `data` into `n` pieces that end at line ends.
fn split(data: &[u8], n: usize) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(n);
    let mut start = 0;
    for i in 1..=n {
        let want = (data.len() * i / n).max(start);
        let end = if i == n {
            data.len()
        } else {
            memchr::memchr(b'\n', &data[want..]).map_or(data.len(), |p| want + p + 1)
        };
        out.push(&data[start..end]);
        start = end;
    }
    out
}

fn parse_all(chunks: &[&[u8]], parse: ParseFn) -> usize {
    std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                scope.spawn(move || {
                    let mut scratch = Scratch::default();
                    chunk
                        .split(|&b| b == b'\n')
                        .filter(|line| !line.is_empty())
                        .filter(|line| parse(line, &mut scratch))
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    })
}
