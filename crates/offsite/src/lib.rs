//! Off-site check engine 非现场检查引擎: reads a registry snapshot, the method-standard table and
//! monitoring reports (exchange-formats §1, §5, §2) and writes findings (§3) for every rule of
//! offsite-rules.md. Pure: no I/O beyond the `Read`/`Write` handles it is given.
//!
//! # API
//! ```no_run
//! # use lianjian_offsite::*; use lianjian_registry::*;
//! # fn demo(snapshot: &Snapshot, methods: &MethodTable) -> Result<(), OffsiteError> {
//! let engine = Engine::new(snapshot, methods, Thresholds::default());
//! // CLI: stream a file of reports to a file of findings.
//! let reports = std::fs::File::open("reports.jsonl").map_err(OffsiteError::Read)?;
//! let findings = std::fs::File::create("findings.jsonl").map_err(OffsiteError::Write)?;
//! let summary: Summary = check(&engine, reports, findings, Some(&|bytes| eprintln!("{bytes}")))?;
//! println!("{} errors, {} warnings", summary.errors(), summary.warnings());
//! // Web: an uploaded batch already parsed.
//! let (found, summary): (Vec<Finding>, Summary) = engine.check_reports(&[serde_json::json!({})]);
//! # Ok(()) }
//! ```
//! - [`Engine::new`]`(&Snapshot, &MethodTable, Thresholds) -> Engine`; [`Engine::with_threads`],
//!   [`Engine::with_batch_bytes`], [`Engine::with_fast_path`] (on by default; off = every line
//!   through the reference parser, for equivalence tests).
//! - [`check`]`(&Engine, impl Read + Send, impl Write, Option<&dyn Fn(u64)>) -> Result<Summary, OffsiteError>`
//!   (same as [`Engine::check`]); [`Engine::check_file`]`(&File, …)` for a regular file, read by
//!   position (same findings, no lock between the workers' reads).
//! - [`Engine::check_reports`]`(&[serde_json::Value]) -> (Vec<Finding>, Summary)` and
//!   [`Engine::check_str`]`(&str)` for in-memory batches.
//! - [`Thresholds`] (`from_toml`, `from_json`, `Default` = the catalogue's numbers), [`RuleId`],
//!   [`Severity`], [`Finding`], [`Summary`]. (Test corpora come from the `lianjian-corpus` dev crate.)
//! - [`read_headers`]`(lines) -> Vec<LineHeader>`: what each line names (institution, report
//!   number, issue day) as the engine reads it — its own per-line reading, not a second parser;
//!   [`upload::split_upload`] decides with it whose reports an upload holds.
//!
//! # Output order
//! Line order: each report's own findings (OFF-C01 … in rule order within a report), then its
//! cross-report findings (OFF-T02, OFF-D01, which name the earlier report they clash with), and at
//! the end the warnings (OFF-S01, then S02, then S03; by institution in snapshot order, then
//! parameter). Identical for any number of threads.
//!
//! # Reading lines
//! Well-formed lines are read by a hand-written scanner (`fast`) straight into the view the rules
//! use, borrowing strings from the input and skipping fields no rule reads; any line it cannot
//! read with certainty (a shape problem, a duplicate key, an unusual escape or number, …) goes to
//! the reference parser (`parse`, serde over sonic-rs), which names every OFF-C01 problem. The
//! findings are the same bytes either way (tests and the fuzz target run both). Batches of whole
//! lines (4 MiB) are read and checked by the worker threads themselves — a stream one batch at a
//! time under a lock, a regular file each worker its own stretch by position — so the bytes are
//! still in the cache of the core that reads them; the cross-report rules and the output are
//! merged in line order on the calling thread, which is also where line numbers become known
//! (nobody counts lines ahead of the workers; OFF-C01 findings that name a line are rendered
//! there), and the workers stay at most 2 × threads + 1 batches ahead of it. A line longer than
//! `max_line_bytes` is OFF-C01 (one that runs past its batch by more than that is counted to its
//! end, not held). No line nests deeper than 16 levels into either reader (deeper is OFF-C01), so
//! no input can exhaust a thread's stack.
//!
//! # Readings of the catalogue
//! - OFF-C01: a line that is blank, not UTF-8, not JSON, or not an object yields one finding
//!   with `evidence.line` (§2: nothing is silently dropped; the newline that ends the last line
//!   does not start another); otherwise one finding per problem, `evidence.field` naming it
//!   (`samples[0].results[2].value`). Type errors in optional fields (e.g. a numeric `limit`) are
//!   malformed values. `value` null with `below_detection` false is a missing value (C01);
//!   `below_detection` true with a value is OFF-D02 as the catalogue says. `commissioned_by` must
//!   be a known department code when required, and null (or absent) on other purposes (§2: "else
//!   null"). An unknown institution is one C01 problem among the others. A report with any C01
//!   finding feeds no cross-report index and no statistic.
//! - OFF-Q01 fires only with the CMA mark; OFF-Q02/Q03 apply whenever the named certificate is
//!   the institution's (with or without the mark). Scope methods compare after the §5 code
//!   normalisation; category and parameter exactly.
//! - OFF-Q05: one finding per report: "not a signatory on issued_on at all", or the categories
//!   (of the report's samples) the signatory lacks on that day.
//! - OFF-P01: samplers must be staff on the CST day of `sampled_from` and of `sampled_to`;
//!   analysts on the CST day of `analyzed_at`; roles are not checked (the rule says "registered
//!   staff"). One finding per (sample, sampler) and per (sample, analyst).
//! - OFF-P02 counts distinct sampler ids.
//! - OFF-M01: per result, on the CST day of `analyzed_at`; an unknown bound never fails.
//! - OFF-T01: one finding per broken link (from ≤ to, to ≤ received at sample level; received ≤
//!   analyzed and analysis day ≤ issued_on per result).
//! - OFF-T02: across every report read, of any institution; windows overlap when each starts
//!   strictly before the other ends (touching windows do not), or they are identical. Same person
//!   at the *same* site (exact string) never fires. Samples with from > to are left to T01. Each
//!   pair is reported once, on the later line, per shared sampler. Every sample of the input is
//!   its own (for D01 too), even two samples of one report with the same id and window.
//! - OFF-D01: across all reports and institutions; the set of numeric (parameter, value) pairs of
//!   non-below-detection results, values as reported strings, deduplicated; ≥ 5 pairs. Two samples
//!   differ when site, `sampled_from` or `sampled_to` differ. A copy is reported once, on the later
//!   line, against the earliest earlier sample with the same set that differs from it.
//! - Warnings: see the `warn` module docs (S01's gate counts every result with a limit > 0, below-detection
//!   ones included, a and b the numeric ones; S02 "two
//!   significant digits" counts from the first non-zero digit, trailing zeros included; S03 span
//!   is max ≥ 100 × min over non-zero absolute values, exactly).
//! - Day of an instant = its calendar date in UTC+08:00.

mod checks;
mod chunks;
mod cross;
pub mod decimal;
mod engine;
mod fast;
mod feed;
mod finding;
mod index;
pub mod instant;
mod lines;
mod parse;
mod reading;
mod rules;
pub mod stats;
mod strings;
mod thresholds;
pub mod upload;
mod warn;

pub use engine::{Engine, EngineRef, OffsiteError};
pub use finding::Finding;
pub use reading::{read_header, read_headers, LineHeader, Reading};
pub use rules::{RuleId, Severity, Summary};
pub use thresholds::{Thresholds, ThresholdsError};

/// Streams reports from `reader` and writes findings to `writer`; see [`Engine::check`].
pub fn check<R: std::io::Read + Send, W: std::io::Write>(
    engine: &Engine,
    reader: R,
    writer: W,
    progress: Option<&dyn Fn(u64)>,
) -> Result<Summary, OffsiteError> {
    engine.check(reader, writer, progress)
}

/// An empty vector with `v`'s allocation, for the same element type at another lifetime (the
/// in-place `collect` keeps the allocation when the layouts match, as they do for every use here):
/// scratch vectors of borrowed views are reused from one report to the next.
// `filter_map` (not `filter`): it changes the element type, which is the point.
#[allow(clippy::unnecessary_filter_map)]
pub(crate) fn recycle<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter().filter_map(|_| None).collect()
}
