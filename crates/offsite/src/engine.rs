//! The streaming engine: worker threads read JSON Lines in batches (a stream in turn, a file by
//! position, [`crate::chunks`]) and check them; the calling thread merges them in line order
//! (cross-report rules, output), so the findings are the same byte for byte whatever the number
//! of threads and however the input is read.
//!
//! A little over the ~500 lines the workspace aims for: the engine's configuration, its two readers
//! (a stream, a file by position), the in-memory entry points and the merge share one batch pipeline
//! (`process`, `merge`) and are read together.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::sync::mpsc;

use lianjian_registry::{MethodTable, Snapshot};

use crate::checks::{check_report, Scratch, Sink};
use crate::chunks::FileChunks;
use crate::cross::{Cross, CrossBatch};
use crate::fast::FastState;
use crate::feed::{Batch, Feed, Input, Reader};
use crate::index::{Index, InstIx};
use crate::lines::{place, Deferred, LineProblem};
use crate::parse::{LineError, Report};
use crate::reading::{read_line, LineRead};
use crate::rules::{Summary, N_RULES};
use crate::thresholds::{MAX_BATCH_BYTES, MAX_LINE_BYTES};
use crate::warn::StatsAcc;
use crate::{Finding, Thresholds};

/// Bytes of whole lines checked for UTF-8 at a time on the fast path (then read while in cache).
const CHUNK_BYTES: usize = 64 << 10;

/// Why a run stopped. Bad report lines never stop a run (they are OFF-C01 findings); only the
/// handles can.
#[derive(Debug, thiserror::Error)]
pub enum OffsiteError {
    #[error("读取报告数据失败:{0}")]
    Read(#[source] std::io::Error),
    #[error("写出问题线索失败:{0}")]
    Write(#[source] std::io::Error),
    #[error("检查线程异常退出")]
    Worker,
}

/// The off-site check engine 非现场检查引擎: registry and method table compiled for look-ups,
/// plus the rule parameters. Cheap to share across threads and runs.
pub struct Engine {
    idx: Index,
    thresholds: Thresholds,
    usccs: Vec<String>,
    threads: usize,
    batch_bytes: usize,
    /// Read well-formed lines with the fast scanner (`crate::fast`); off = reference parser only.
    fast: bool,
    /// Blank lines are OFF-C01 findings (the default); off for callers that already listed them.
    blank_findings: bool,
}

struct BatchOut {
    /// The input buffer, handed back for reuse.
    buf: Vec<u8>,
    out: Vec<u8>,
    cross: CrossBatch,
    counts: [u64; N_RULES],
    stats: StatsAcc,
    lines: u64,
    reports_read: u64,
    checked: u64,
    rows: u64,
    /// Lines in the batch (blank ones included), for the file line numbers of the next batches.
    line_count: u64,
    /// OFF-C01 findings naming their line, rendered at merge time ([`crate::lines`]).
    deferred: Vec<Deferred>,
}

struct Merger {
    /// Input buffers to reuse (saves zeroing fresh pages for every batch).
    pool: Vec<Vec<u8>>,
    cross: Cross,
    stats: StatsAcc,
    counts: [u64; N_RULES],
    summary: Summary,
    scratch: Vec<u8>,
    /// File line number of the next batch's first line.
    next_line: u64,
}

impl Engine {
    /// Compiles the registry snapshot and method table. Threads default to the machine's
    /// available parallelism.
    /// `thresholds.max_line_bytes` above 1 GiB is taken as 1 GiB (as [`Thresholds::from_toml`] requires).
    pub fn new(snapshot: &Snapshot, methods: &MethodTable, mut thresholds: Thresholds) -> Engine {
        thresholds.max_line_bytes = thresholds.max_line_bytes.min(MAX_LINE_BYTES);
        Engine {
            idx: Index::new(snapshot, methods),
            thresholds,
            usccs: snapshot.institutions.iter().map(|i| i.uscc.clone()).collect(),
            threads: std::thread::available_parallelism().map_or(2, usize::from),
            batch_bytes: 4 << 20,
            fast: true,
            blank_findings: true,
        }
    }

    /// Whether well-formed lines are read by the fast scanner (default on). Off, every line goes
    /// through the reference parser; the findings are the same byte for byte either way (the
    /// equivalence tests run both).
    pub fn with_fast_path(mut self, on: bool) -> Engine {
        self.fast = on;
        self
    }

    /// Whether a blank line is an OFF-C01 finding (default: yes, §2 "nothing is silently dropped").
    /// The platform turns it off: it lists blank lines as refused when a batch is uploaded and
    /// hands the engine the stored lines with blank lines where the refused ones were, to keep the
    /// file's line numbers.
    pub fn with_blank_line_findings(mut self, on: bool) -> Engine {
        self.blank_findings = on;
        self
    }

    /// Worker threads for [`Engine::check`] (1 = everything on the calling thread).
    pub fn with_threads(mut self, threads: usize) -> Engine {
        self.threads = threads.max(1);
        self
    }

    /// Bytes per batch handed to a worker (default 4 MiB; between 4 KiB and 1 GiB).
    pub fn with_batch_bytes(mut self, bytes: usize) -> Engine {
        self.batch_bytes = bytes.clamp(4096, MAX_BATCH_BYTES);
        self
    }

    /// A view of this engine with another thread count (shares nothing mutable; cheap to make
    /// per run).
    pub fn clone_with_threads(&self, threads: usize) -> EngineRef<'_> {
        EngineRef { engine: self, threads: threads.max(1) }
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Streams reports (JSON Lines) from `reader`, writes findings (JSON Lines) to `writer` in
    /// line order — each report's own findings, then its cross-report findings — and the warnings
    /// at the end; `progress` is called with the bytes read so far after each batch.
    pub fn check<R: Read + Send, W: Write>(
        &self,
        reader: R,
        writer: W,
        progress: Option<&dyn Fn(u64)>,
    ) -> Result<Summary, OffsiteError> {
        self.run(reader, writer, progress, self.threads)
    }

    fn run<R: Read + Send, W: Write>(
        &self,
        mut reader: R,
        mut writer: W,
        progress: Option<&dyn Fn(u64)>,
        threads: usize,
    ) -> Result<Summary, OffsiteError> {
        let mut m = self.merger();
        let mut read = Reader::new(self.batch_bytes, self.thresholds.max_line_bytes);
        if threads <= 1 {
            while let Some(b) = read.next(&mut reader, &mut m.pool).map_err(OffsiteError::Read)? {
                if let Some(p) = progress {
                    p(read.bytes);
                }
                let out = self.process(b);
                self.merge(&mut m, out, &mut writer)?;
            }
        } else {
            let input = Input::Stream { reader: &mut reader, read: &mut read };
            self.run_parallel(input, &mut writer, progress, &mut m, threads)?;
        }
        m.summary.bytes = read.bytes;
        self.finish(m, &mut writer)
    }

    /// [`Engine::check`] of a regular file: each worker reads its own stretch of the file by
    /// position, holding no lock while it reads (a stream has to be read in turn, one batch at a
    /// time under a lock, which leaves a worker waiting whenever another is reading). The
    /// findings are the same bytes as [`Engine::check`] gives for the file's contents.
    pub fn check_file<W: Write>(
        &self,
        file: &File,
        mut writer: W,
        progress: Option<&dyn Fn(u64)>,
    ) -> Result<Summary, OffsiteError> {
        if self.threads <= 1 {
            return self.check(file, writer, progress);
        }
        let mut m = self.merger();
        let chunks = FileChunks { file, stretch: self.batch_bytes, max_line: self.thresholds.max_line_bytes };
        self.run_parallel(
            Input::<std::io::Empty>::File(chunks),
            &mut writer,
            progress,
            &mut m,
            self.threads,
        )?;
        self.finish(m, &mut writer)
    }

    /// Workers read their own batches ([`Feed::next_batch`]: a stream in turn under the lock, a
    /// file by position) and check them, so the copy out of the kernel lands in the cache of the core
    /// that reads the lines (handing batches from a reading thread to the workers cost ≈ 10 %
    /// more CPU, mostly cache misses in the first pass over each batch). The calling thread
    /// merges in line order; workers read at most `2 × threads + 1` batches ahead of it, which
    /// bounds memory.
    fn run_parallel<R: Read + Send, W: Write>(
        &self,
        input: Input<'_, R>,
        writer: &mut W,
        progress: Option<&dyn Fn(u64)>,
        m: &mut Merger,
        threads: usize,
    ) -> Result<(), OffsiteError> {
        let feed = Feed::new(input, std::mem::take(&mut m.pool), threads as u64 * 2 + 1);
        let (merged, panicked) = std::thread::scope(|scope| {
            let (done_tx, done_rx) = mpsc::channel::<(u64, u64, BatchOut)>();
            let mut handles = Vec::new();
            for _ in 0..threads {
                let done_tx = done_tx.clone();
                let feed = &feed;
                handles.push(scope.spawn(move || {
                    while let Some((seq, bytes, batch)) = feed.next_batch() {
                        let Ok(out) =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.process(batch)))
                        else {
                            return feed.halt(true, None);
                        };
                        if done_tx.send((seq, bytes, out)).is_err() {
                            return;
                        }
                    }
                }));
            }
            drop(done_tx);
            // Batches come back in any order and are merged in sequence.
            let merged = (|| {
                let mut pending: BTreeMap<u64, (u64, BatchOut)> = BTreeMap::new();
                let mut next = 0u64;
                for (seq, bytes, out) in done_rx.iter() {
                    pending.insert(seq, (bytes, out));
                    let before = next;
                    while let Some((bytes, out)) = pending.remove(&next) {
                        if let Some(p) = progress {
                            p(bytes);
                        }
                        m.summary.bytes = m.summary.bytes.max(bytes);
                        self.merge(m, out, writer)?;
                        next += 1;
                    }
                    if next > before {
                        feed.merged(next, &mut m.pool);
                    }
                }
                Ok(next)
            })();
            if merged.is_err() {
                feed.halt(false, None);
            }
            let panicked = handles.into_iter().fold(false, |p, h| h.join().is_err() | p);
            (merged, panicked)
        });
        let ending = feed.ending();
        m.pool.extend(ending.pool);
        let merged = merged?;
        if let Some(e) = ending.error {
            return Err(OffsiteError::Read(e));
        }
        if ending.worker_failed || panicked || merged != ending.batches {
            return Err(OffsiteError::Worker);
        }
        Ok(())
    }

    /// Checks reports already in memory (the web platform's uploaded batches) on the calling
    /// thread. Each value is one report; `evidence.line` is its 1-based position in the slice.
    pub fn check_reports(&self, reports: &[serde_json::Value]) -> (Vec<Finding>, Summary) {
        let mut text = String::new();
        for r in reports {
            // A `Value` always serialises, and on one line.
            text.push_str(&serde_json::to_string(r).unwrap_or_default());
            text.push('\n');
        }
        self.check_str(&text)
    }

    /// Checks JSON Lines text on the calling thread and returns the findings as values, in the
    /// same order as the streaming output.
    pub fn check_str(&self, text: &str) -> (Vec<Finding>, Summary) {
        let mut out = Vec::new();
        // Reading from a slice and writing to a Vec cannot fail.
        let summary = self.run(text.as_bytes(), &mut out, None, 1).unwrap_or_default();
        let findings = out
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .filter_map(|l| serde_json::from_slice(l).ok())
            .collect();
        (findings, summary)
    }

    fn merger(&self) -> Merger {
        Merger {
            pool: Vec::new(),
            cross: Cross::default(),
            stats: StatsAcc::new(&self.thresholds),
            counts: [0; N_RULES],
            summary: Summary::default(),
            scratch: Vec::new(),
            next_line: 1,
        }
    }

    fn merge<W: Write>(&self, m: &mut Merger, mut b: BatchOut, w: &mut W) -> Result<(), OffsiteError> {
        if !b.buf.is_empty() && m.pool.len() < 16 {
            m.pool.push(std::mem::take(&mut b.buf));
        }
        place(m.next_line, std::mem::take(&mut b.deferred), &mut b.out, &mut b.cross, &mut m.counts);
        m.next_line += b.line_count;
        m.scratch.clear();
        let mut sink = Sink { out: &mut m.scratch, counts: &mut m.counts };
        m.cross.apply_batch(std::mem::take(&mut b.cross), &b.out, &mut sink);
        w.write_all(&m.scratch).map_err(OffsiteError::Write)?;
        for i in 0..N_RULES {
            m.counts[i] += b.counts[i];
        }
        m.stats.merge(b.stats);
        m.summary.lines += b.lines;
        m.summary.reports += b.reports_read;
        m.summary.reports_checked += b.checked;
        m.summary.result_rows += b.rows;
        Ok(())
    }

    fn finish<W: Write>(&self, mut m: Merger, w: &mut W) -> Result<Summary, OffsiteError> {
        m.scratch.clear();
        let usccs: Vec<&str> = self.usccs.iter().map(String::as_str).collect();
        let mut sink = Sink { out: &mut m.scratch, counts: &mut m.counts };
        m.stats.finish(&self.thresholds, &usccs, &self.idx.param_names, &mut sink);
        w.write_all(&m.scratch).map_err(OffsiteError::Write)?;
        w.flush().map_err(OffsiteError::Write)?;
        m.summary.findings = Summary::from_counts(&m.counts);
        Ok(m.summary)
    }

    /// The per-report rules on a report read from the batch (by either reader); the caller counts
    /// it as read.
    fn check_read(&self, o: &mut BatchOut, inst: &InstIx, report: &Report<'_>, scratch: &mut Scratch) {
        o.checked += 1;
        o.rows += report.samples.iter().map(|s| s.results.len() as u64).sum::<u64>();
        let mut sink = Sink { out: &mut o.out, counts: &mut o.counts };
        check_report(
            &self.idx,
            &self.thresholds,
            inst,
            report,
            &mut sink,
            &mut o.stats,
            &mut o.cross,
            scratch,
        );
        o.cross.end_report(o.out.len());
    }

    /// Per-report work for one batch (runs on a worker).
    fn process(&self, b: Batch) -> BatchOut {
        let Batch { data: buf, start: first, len, oversized } = b;
        let mut o = BatchOut {
            buf: Vec::new(),
            out: Vec::new(),
            cross: CrossBatch::for_batch(len.saturating_sub(first)),
            counts: [0; N_RULES],
            stats: StatsAcc::new(&self.thresholds),
            lines: 0,
            reports_read: 0,
            checked: 0,
            rows: 0,
            line_count: 0,
            deferred: Vec::new(),
        };
        let data = &buf[..len.min(buf.len())];
        let mut scratch = Scratch::default();
        let mut fast = FastState::default();
        let arena = bumpalo::Bump::new();
        let mut memo = crate::strings::BatchMemo::new(&arena);
        // The fast path checks UTF-8 a chunk of whole lines at a time (just before reading them, so
        // they are still in cache) and then reads lines in place, finding each line's end as it
        // goes; a chunk that is not UTF-8 is read line by line.
        let (mut chunk, mut chunk_start, mut chunk_end): (Option<&str>, usize, usize) = (None, 0, 0);
        let mut start = first;
        // Lines of this batch read so far (file line numbers are assigned at merge, `crate::lines`).
        let mut line_no = 0u64;
        while start < data.len() {
            if self.fast && start >= chunk_end {
                let want = start + CHUNK_BYTES;
                chunk_end = match data.get(want..) {
                    Some(rest) => memchr::memchr(b'\n', rest).map_or(data.len(), |p| want + p + 1),
                    None => data.len(),
                };
                chunk_start = start;
                chunk = simdutf8::basic::from_utf8(&data[start..chunk_end]).ok();
            }
            // The fast scanner in place, finding the line's end as it reads: the scanner
            // `read_line` runs on a line alone (`fast::parse_report` is this on a one-line text).
            if let Some(text) = chunk {
                if let Some((report, end)) =
                    crate::fast::parse_report_at(text, start - chunk_start, &mut fast, &mut memo)
                {
                    let end = chunk_start + end;
                    let fits = end - start <= self.thresholds.max_line_bytes;
                    if let Some(inst) = self.idx.insts.get(&*report.uscc).filter(|_| fits) {
                        o.lines += 1;
                        o.reports_read += 1;
                        self.check_read(&mut o, inst, &report, &mut scratch);
                        fast.reclaim(report);
                        start = end + 1;
                        line_no += 1;
                        continue;
                    }
                }
            }
            let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |p| start + p);
            let line = &data[start..end];
            start = end + 1;
            let rel_line = line_no;
            line_no += 1;
            // A line's problems go where its findings would: before anything later lines write.
            let pos = o.out.len();
            // Longer than the limit, whichever reader met it (a stream's reader skips only the
            // lines that overflow its buffer; a file's stretches, those that run on past them).
            if line.len() > self.thresholds.max_line_bytes {
                o.lines += 1;
                let problem = LineProblem::Oversized {
                    bytes: line.len() as u64,
                    limit: self.thresholds.max_line_bytes,
                };
                o.deferred.push(Deferred { pos, rel_line, problem });
                continue;
            }
            // The engine's reading of a line ([`read_line`], which the platform's ownership check
            // at upload shares): blank, the fast scanner (when the chunk was not UTF-8 as a whole,
            // so the in-place scan above could not try it), else the reference parser.
            let scanner = (self.fast && chunk.is_none()).then_some((&mut fast, &mut memo));
            let parsed = match read_line(line, scanner, |r| self.idx.insts.get(&*r.uscc)) {
                LineRead::Blank => {
                    if self.blank_findings {
                        o.lines += 1;
                        o.deferred.push(Deferred { pos, rel_line, problem: LineProblem::Blank });
                    }
                    continue;
                }
                LineRead::Fast(report, inst) => {
                    o.lines += 1;
                    o.reports_read += 1;
                    self.check_read(&mut o, inst, &report, &mut scratch);
                    fast.reclaim(report);
                    continue;
                }
                LineRead::Failed(e) => {
                    o.lines += 1;
                    let problem = match e {
                        LineError::Utf8 => LineProblem::NotUtf8,
                        LineError::TooDeep { column } => {
                            LineProblem::TooDeep { column, error: e.to_string() }
                        }
                        LineError::Json(_) => {
                            LineProblem::NotJson { column: e.column(), error: e.to_string() }
                        }
                    };
                    o.deferred.push(Deferred { pos, rel_line, problem });
                    continue;
                }
                LineRead::Parsed(parsed) => parsed,
            };
            o.lines += 1;
            o.reports_read += 1;
            let uscc_known = parsed.uscc.as_deref().and_then(|u| self.idx.insts.get(u));
            let unknown_inst = parsed.uscc.is_some() && uscc_known.is_none();
            match parsed.outcome {
                Ok(report) if !unknown_inst => {
                    let Some(inst) = uscc_known else { continue };
                    self.check_read(&mut o, inst, &report, &mut scratch);
                }
                outcome => {
                    let mut problems = outcome.err().unwrap_or_default();
                    if unknown_inst {
                        let u = parsed.uscc.as_deref().unwrap_or("");
                        problems.push(crate::parse::ShapeProblem {
                            field: "institution_uscc".into(),
                            sample_id: None,
                            parameter: None,
                            reason: format!("出具机构 {u} 不在机构名录中"),
                        });
                    }
                    let problem = LineProblem::Shape {
                        uscc: parsed.uscc.map(|u| u.into_owned()),
                        report_no: parsed.report_no.map(|r| r.into_owned()),
                        problems,
                    };
                    o.deferred.push(Deferred { pos, rel_line, problem });
                }
            }
        }
        if let Some(bytes) = oversized {
            let problem = LineProblem::Oversized { bytes, limit: self.thresholds.max_line_bytes };
            o.deferred.push(Deferred { pos: o.out.len(), rel_line: line_no, problem });
            o.lines += 1;
            line_no += 1;
        }
        o.line_count = line_no;
        o.buf = buf;
        o
    }
}

/// An [`Engine`] borrowed with its own thread count.
pub struct EngineRef<'e> {
    engine: &'e Engine,
    threads: usize,
}

impl EngineRef<'_> {
    /// [`Engine::check`] with this view's thread count.
    pub fn check<R: Read + Send, W: Write>(
        &self,
        reader: R,
        writer: W,
        progress: Option<&dyn Fn(u64)>,
    ) -> Result<Summary, OffsiteError> {
        self.engine.run(reader, writer, progress, self.threads)
    }
}
