//! The engine's input and output: a read or write error ends the run with that error, on the
//! calling thread and with workers (no hang, no panic), and workers — who take turns reading the
//! input — stay a bounded number of batches ahead of the merge, so memory does not grow with the
//! input.

use std::io::{self, Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use lianjian_offsite::{Engine, OffsiteError, Thresholds};
use proptest::prelude::*;

use super::{methods, snapshot};

const BATCH: usize = 4096;

/// Lines that are not JSON: each is one OFF-C01 finding, so every batch writes something.
fn broken_lines(n: usize) -> Vec<u8> {
    (0..n)
        .flat_map(|i| {
            format!("not a report, line {i:06} ......................................\n").into_bytes()
        })
        .collect()
}

fn engine(threads: usize) -> Engine {
    Engine::new(&snapshot(), &methods(), Thresholds::default()).with_threads(threads).with_batch_bytes(BATCH)
}

/// Reads `data`, counting the bytes handed out; fails once `fail_at` bytes are read.
struct Source {
    data: Vec<u8>,
    pos: usize,
    fail_at: usize,
    read: Arc<AtomicU64>,
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.fail_at {
            return Err(io::Error::other("磁盘已移除"));
        }
        let n = buf.len().min(self.fail_at - self.pos).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.read.fetch_add(n as u64, Ordering::SeqCst);
        Ok(n)
    }
}

fn source(data: Vec<u8>, fail_at: usize) -> (Source, Arc<AtomicU64>) {
    let read = Arc::new(AtomicU64::new(0));
    (Source { data, pos: 0, fail_at, read: Arc::clone(&read) }, read)
}

#[test]
fn a_read_error_ends_the_run_with_that_error() {
    let data = broken_lines(2000);
    for threads in [1, 2, 3] {
        let (src, _) = source(data.clone(), data.len() / 2);
        let result = engine(threads).check(src, Vec::new(), None);
        assert!(matches!(result, Err(OffsiteError::Read(_))), "{threads} threads: {result:?}");
    }
}

struct BrokenPipe;

impl Write for BrokenPipe {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::BrokenPipe))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_write_error_ends_the_run_with_that_error() {
    let data = broken_lines(2000);
    for threads in [1, 2, 3] {
        let result = engine(threads).check(&data[..], BrokenPipe, None);
        assert!(matches!(result, Err(OffsiteError::Write(_))), "{threads} threads: {result:?}");
    }
}

/// Records, at each write (one per merged batch here), how far the input has been read.
struct Probe {
    read: Arc<AtomicU64>,
    writes: u64,
    worst: i64,
}

impl Write for Probe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes += 1;
        let read = self.read.load(Ordering::SeqCst) as i64;
        self.worst = self.worst.max(read - (self.writes as i64) * BATCH as i64);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn workers_stay_a_bounded_number_of_batches_ahead_of_the_merge() {
    let data = broken_lines(20_000);
    for threads in [2, 3] {
        let (src, read) = source(data.clone(), usize::MAX);
        let mut probe = Probe { read, writes: 0, worst: 0 };
        let summary = engine(threads).check(src, &mut probe, None).unwrap();
        assert_eq!(summary.lines, 20_000);
        assert!(probe.writes > 100, "{} writes", probe.writes);
        // At most 2 × threads + 1 batches read and not yet merged, plus the one being merged.
        let bound = (2 * threads as i64 + 2) * BATCH as i64;
        assert!(
            probe.worst <= bound,
            "{threads} threads: read {} bytes ahead of the merge (bound {bound})",
            probe.worst
        );
    }
}

/// A report line, a broken line, a blank one, or a long one (over the 1,024-byte limit set below,
/// or far over it), joined with `\n` or `\r\n`, with or without a final newline or a byte order
/// mark: a file read by stretches gives the same findings as the same bytes read as a stream.
fn arbitrary_lines() -> impl Strategy<Value = Vec<u8>> {
    let report = super::report("R1", "甲地", super::T0, super::T1, vec![super::result("化学需氧量", "23")])
        .to_string();
    let line = prop_oneof![
        4 => Just(report.into_bytes()),
        2 => proptest::collection::vec(any::<u8>().prop_filter("no newline", |b| *b != b'\n'), 0..40),
        1 => Just(Vec::new()),
        1 => (1000usize..1100).prop_map(|n| vec![b'x'; n]),
        1 => (5_000usize..90_000).prop_map(|n| vec![b'{'; n]),
    ];
    (proptest::collection::vec((line, any::<bool>()), 0..40), any::<bool>(), any::<bool>()).prop_map(
        |(lines, last_newline, bom)| {
            let mut out = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            for (i, (l, crlf)) in lines.iter().enumerate() {
                out.extend_from_slice(l);
                if i + 1 < lines.len() || last_newline {
                    out.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
                }
            }
            out
        },
    )
}

fn limited(threads: usize, batch: usize) -> Engine {
    let thresholds = Thresholds { max_line_bytes: 1024, ..Thresholds::default() };
    Engine::new(&snapshot(), &methods(), thresholds).with_threads(threads).with_batch_bytes(batch)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn a_file_read_by_stretches_gives_the_findings_of_the_stream(data in arbitrary_lines(), stretch in 1usize..6000, threads in 2usize..4) {
        let path = std::env::temp_dir().join(format!("lianjian-offsite-stretches-{}-{threads}-{stretch}.jsonl", std::process::id()));
        std::fs::write(&path, &data).unwrap();
        let file = std::fs::File::open(&path).unwrap();
        let mut from_file = Vec::new();
        let a = limited(threads, stretch).check_file(&file, &mut from_file, None).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut from_stream = Vec::new();
        let b = limited(1, 4096).check(&data[..], &mut from_stream, None).unwrap();
        prop_assert_eq!(String::from_utf8_lossy(&from_file), String::from_utf8_lossy(&from_stream));
        prop_assert_eq!(a.lines, b.lines);
        prop_assert_eq!(a.reports_checked, b.reports_checked);
        prop_assert_eq!(a.bytes, data.len() as u64);
    }
}
