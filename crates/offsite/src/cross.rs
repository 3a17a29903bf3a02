//! Cross-report rules, applied in line order on one thread so that output is deterministic:
//! OFF-T02 (one person sampling at two sites at once) and OFF-D01 (copied results).
//!
//! Memory is bounded by these indexes — one entry per (sampler, sample) and one per sample
//! with enough numeric results — never by the size of the input.
//!
//! The per-report stage (on the workers) writes what these rules need into a [`CrossBatch`]: flat
//! vectors and one text arena per batch, so that a report costs no allocation. The merge keeps
//! the batch's arena (strings are referenced, not copied again) and indexes known people (the
//! registry's) by number, so the serial stage does little hashing.

use std::collections::BTreeMap;

use serde_json::json;

use crate::checks::Sink;
use crate::finding::{ev, F};
use crate::index::Map;
use crate::instant::Instant;
use crate::rules::RuleId;

/// A string in a batch's text arena. 32-bit offsets keep the kept samples and reports small: a
/// batch's text is a part of its bytes, and a batch is at most 1 GiB plus one line of at most
/// 1 GiB ([`crate::Engine::with_batch_bytes`], [`crate::Thresholds`]`::max_line_bytes`).
#[derive(Clone, Copy, Default)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

/// A person not in the registry (looked up by string in the serial stage).
pub(crate) const UNKNOWN_PERSON: u32 = u32::MAX;

/// What one batch of checked reports hands to the cross-report stage.
#[derive(Default)]
pub(crate) struct CrossBatch {
    text: String,
    pub reports: Vec<ReportCross>,
    samples: Vec<SampleX>,
    windows: Vec<WindowX>,
    prints: Vec<PrintX>,
}

/// One checked report: where its own findings end in the batch output, and where its samples,
/// windows and fingerprints end in the batch vectors.
pub(crate) struct ReportCross {
    pub out_end: usize,
    report_no: Span,
    uscc: Span,
    samples_end: usize,
    windows_end: usize,
    prints_end: usize,
}

struct SampleX {
    sample_id: Span,
    site: Span,
    from: Instant,
    to: Instant,
}

/// A sampler's presence at a site (the sample's window).
struct WindowX {
    person: Span,
    person_id: u32,
    sample: u32,
}

/// A sample's set of numeric (parameter, value) pairs, hashed (the 128-bit hash as two words: a
/// `u128` would align the fingerprint map's entries to 32 bytes instead of 24).
struct PrintX {
    key: [u64; 2],
    pairs: u32,
    sample: u32,
}

fn text(t: &str, s: Span) -> &str {
    let start = s.start as usize;
    t.get(start..start + s.len as usize).unwrap_or("")
}

impl CrossBatch {
    /// Empty, with room for what a batch of `bytes` of reports usually needs (a generated corpus
    /// has a report per ≈ 3.3 kB, a sample per ≈ 2.2 kB, a sampler window per ≈ 1.1 kB and one
    /// byte of kept text per ≈ 34), so the vectors are not regrown and copied several times per
    /// batch. The text is kept for the whole run: its room is not overestimated.
    pub fn for_batch(bytes: usize) -> CrossBatch {
        CrossBatch {
            text: String::with_capacity(bytes / 32),
            reports: Vec::with_capacity(bytes / 2048),
            samples: Vec::with_capacity(bytes / 1024),
            windows: Vec::with_capacity(bytes / 512),
            prints: Vec::with_capacity(bytes / 1024),
        }
    }

    fn span(&mut self, s: &str) -> Span {
        // Cannot saturate within the caps above; if it did, the span would read as "" (never a
        // wrong string, never a panic).
        let start = u32::try_from(self.text.len()).unwrap_or(u32::MAX);
        self.text.push_str(s);
        Span { start, len: u32::try_from(s.len()).unwrap_or(u32::MAX) }
    }

    /// Starts a report; its windows and prints follow, then [`CrossBatch::end_report`].
    pub fn begin_report(&mut self, report_no: &str, uscc: &str) {
        let report_no = self.span(report_no);
        let uscc = self.span(uscc);
        self.reports.push(ReportCross {
            out_end: 0,
            report_no,
            uscc,
            samples_end: 0,
            windows_end: 0,
            prints_end: 0,
        });
    }

    pub fn end_report(&mut self, out_end: usize) {
        let (x, w, p) = (self.samples.len(), self.windows.len(), self.prints.len());
        if let Some(r) = self.reports.last_mut() {
            r.out_end = out_end;
            r.samples_end = x;
            r.windows_end = w;
            r.prints_end = p;
        }
    }

    /// A sample referenced by windows or prints (made only for those, so the cross stage keeps
    /// every one); returns its index.
    pub fn sample(&mut self, sample_id: &str, site: &str, from: Instant, to: Instant) -> u32 {
        let sample_id = self.span(sample_id);
        let site = self.span(site);
        self.samples.push(SampleX { sample_id, site, from, to });
        self.samples.len() as u32 - 1
    }

    pub fn window(&mut self, person: &str, person_id: u32, sample: u32) {
        let person = self.span(person);
        self.windows.push(WindowX { person, person_id, sample });
    }

    pub fn print(&mut self, hash: u128, pairs: u32, sample: u32) {
        self.prints.push(PrintX { key: [hash as u64, (hash >> 64) as u64], pairs, sample });
    }
}

/// A string kept by the cross stage: an arena and a span in it.
#[derive(Clone, Copy)]
struct Str {
    arena: u32,
    span: Span,
}

fn get(arenas: &[String], s: Str) -> &str {
    arenas.get(s.arena as usize).map_or("", |t| text(t, s.span))
}

/// A sample as referenced from the indexes.
struct SampleRef {
    report: u32,
    sample_id: Str,
    site: Str,
    from: Instant,
    to: Instant,
}

/// One person's windows, ordered by (from, arrival): in arrival order most of the time (a sorted
/// vector), the rest in a tree.
#[derive(Default)]
struct PersonWindows {
    sorted: Vec<(Instant, u32, u32)>,
    late: BTreeMap<(Instant, u32), u32>,
    /// Longest window seen, in seconds (bounds the backwards scan).
    max_len: i64,
}

/// An empty slot of a fingerprint entry (a kept sample's index never reaches it: that would take
/// four billion samples, 256 GiB of kept state).
const NO_SAMPLE: u32 = u32::MAX;

/// Cross-report state.
#[derive(Default)]
pub(crate) struct Cross {
    arenas: Vec<String>,
    reports: Vec<(Str, Str)>,
    samples: Vec<SampleRef>,
    known: Vec<PersonWindows>,
    unknown: Map<Box<str>, PersonWindows>,
    /// fingerprint → up to two samples with different (site, window), [`NO_SAMPLE`] for none:
    /// enough to always find one that differs from a new sample, if any does.
    prints: Map<[u64; 2], [u32; 2]>,
    seq: u32,
    hits: Vec<((Instant, u32), u32)>,
}

/// Closed windows overlap when each starts before the other ends; windows that only touch do not,
/// except two identical windows (which covers two instants at the same moment).
fn overlaps(a: (Instant, Instant), b: (Instant, Instant)) -> bool {
    (a.0 < b.1 && b.0 < a.1) || a == b
}

/// `v.partition_point(pred)`, found by galloping back from the end (O(log distance from the end),
/// touching only the tail).
fn partition_from_end<T>(v: &[T], pred: impl Fn(&T) -> bool) -> usize {
    let mut end = v.len();
    let mut step = 1;
    while end > 0 {
        let probe = end.saturating_sub(step);
        if v.get(probe).is_some_and(&pred) {
            return probe + 1 + v.get(probe + 1..end).map_or(0, |r| r.partition_point(&pred));
        }
        end = probe;
        step = step.saturating_mul(2);
    }
    0
}

fn describe(arenas: &[String], reports: &[(Str, Str)], samples: &[SampleRef], i: u32) -> serde_json::Value {
    let Some(s) = samples.get(i as usize) else { return serde_json::Value::Null };
    let (rn, u) =
        reports.get(s.report as usize).map_or(("", ""), |(r, u)| (get(arenas, *r), get(arenas, *u)));
    json!({
        "report_no": rn, "institution_uscc": u, "sample_id": get(arenas, s.sample_id),
        "site": get(arenas, s.site),
        "sampled_from": s.from.to_cst_string(), "sampled_to": s.to.to_cst_string(),
    })
}

impl Cross {
    /// Applies a batch's reports in order: before each report's cross-report findings, its own
    /// findings (`out[..out_end]`) are copied to the sink.
    pub fn apply_batch(&mut self, b: CrossBatch, out: &[u8], sink: &mut Sink<'_>) {
        let arena = self.arenas.len() as u32;
        self.arenas.push(b.text);
        let s = |span: Span| Str { arena, span };
        // The batch's sample k is kept as sample `base + k`: each sample of the input once.
        let base = self.samples.len() as u32;
        let (mut pos, mut xi, mut wi, mut pi) = (0, 0, 0, 0);
        for rc in &b.reports {
            sink.out.extend_from_slice(out.get(pos..rc.out_end).unwrap_or_default());
            pos = rc.out_end;
            let report = self.reports.len() as u32;
            self.reports.push((s(rc.report_no), s(rc.uscc)));
            for x in b.samples.get(xi..rc.samples_end).unwrap_or_default() {
                let (sample_id, site) = (s(x.sample_id), s(x.site));
                self.samples.push(SampleRef { report, sample_id, site, from: x.from, to: x.to });
            }
            let kept = self.samples.len() as u32;
            for w in b.windows.get(wi..rc.windows_end).unwrap_or_default() {
                if base + w.sample < kept {
                    self.window(s(w.person), w.person_id, base + w.sample, sink);
                }
            }
            for p in b.prints.get(pi..rc.prints_end).unwrap_or_default() {
                if base + p.sample < kept {
                    self.print(p, base + p.sample, sink);
                }
            }
            (xi, wi, pi) = (rc.samples_end, rc.windows_end, rc.prints_end);
        }
        sink.out.extend_from_slice(out.get(pos..).unwrap_or_default());
    }

    /// A sampler's window on the kept sample `me`.
    fn window(&mut self, person: Str, person_id: u32, me: u32, sink: &mut Sink<'_>) {
        let arenas = &self.arenas;
        let samples = &self.samples;
        let mine = &samples[me as usize];
        let (from, to, my_site) = (mine.from, mine.to, get(arenas, mine.site));
        let person_str = get(arenas, person);
        let pw = if person_id == UNKNOWN_PERSON {
            match self.unknown.get_mut(person_str) {
                Some(pw) => pw,
                None => self.unknown.entry(person_str.into()).or_default(),
            }
        } else {
            let i = person_id as usize;
            if i >= self.known.len() {
                self.known.resize_with(i + 1, PersonWindows::default);
            }
            &mut self.known[i]
        };
        let lo = (Instant { secs: from.secs.saturating_sub(pw.max_len).saturating_sub(1), nanos: 0 }, 0);
        let hi = (to, u32::MAX);
        let hits = &mut self.hits;
        hits.clear();
        let mut consider = |key: (Instant, u32), other: u32| {
            let o = &samples[other as usize];
            if get(arenas, o.site) != my_site && overlaps((key.0, o.to), (from, to)) {
                hits.push((key, other));
            }
        };
        // Windows mostly arrive in time order, so the range is at the tail: search from there.
        let z = partition_from_end(&pw.sorted, |&(f, q, _)| (f, q) <= hi);
        let a = partition_from_end(pw.sorted.get(..z).unwrap_or_default(), |&(f, q, _)| (f, q) < lo);
        for &(f, q, other) in pw.sorted.get(a..z).unwrap_or_default() {
            consider((f, q), other);
        }
        let mut sort = false;
        if lo <= hi && !pw.late.is_empty() {
            for (&key, &other) in pw.late.range(lo..=hi) {
                consider(key, other);
                sort = true;
            }
        }
        if sort {
            hits.sort_unstable_by_key(|h| h.0);
        }
        pw.max_len = pw.max_len.max(to.secs - from.secs + 1);
        let seq = self.seq;
        if pw.sorted.last().is_none_or(|l| (l.0, l.1) <= (from, seq)) {
            pw.sorted.push((from, seq, me));
        } else {
            pw.late.insert((from, seq), me);
        }
        self.seq = self.seq.wrapping_add(1);
        if hits.is_empty() {
            return;
        }
        let mut done: Vec<u32> = Vec::new();
        let (rn, uscc) = self.reports[mine.report as usize];
        let (rn, uscc) = (get(arenas, rn), get(arenas, uscc));
        let sample_id = get(arenas, mine.sample_id);
        for &(_, other) in hits.iter() {
            if done.contains(&other) {
                continue;
            }
            done.push(other);
            let o = &samples[other as usize];
            let msg = format!(
                "人员 {} 在重叠时段内于两地采样:本报告样品 {}({},{} 至 {})与报告 {} 样品 {}({},{} 至 {})",
                person_str,
                sample_id,
                my_site,
                from.to_cst_string(),
                to.to_cst_string(),
                get(arenas, self.reports[o.report as usize].0),
                get(arenas, o.sample_id),
                get(arenas, o.site),
                o.from.to_cst_string(),
                o.to.to_cst_string()
            );
            let evidence = ev! {"person_id" => person_str, "this" => describe(arenas, &self.reports, samples, me),
            "other" => describe(arenas, &self.reports, samples, other)};
            sink.emit(F {
                rule: RuleId::T02,
                uscc: Some(uscc),
                report_no: Some(rn),
                sample_id: Some(sample_id),
                parameter: None,
                message: msg,
                evidence,
            });
        }
    }

    /// A fingerprint of the kept sample `me`.
    fn print(&mut self, p: &PrintX, me: u32, sink: &mut Sink<'_>) {
        let arenas = &self.arenas;
        let samples = &self.samples;
        let mine = &samples[me as usize];
        let (site, from, to) = (get(arenas, mine.site), mine.from, mine.to);
        let differs = |o: &SampleRef| get(arenas, o.site) != site || o.from != from || o.to != to;
        let entry = self.prints.entry(p.key).or_insert([NO_SAMPLE; 2]);
        let mut stored = entry.iter().copied().take_while(|&o| o != NO_SAMPLE);
        let other = stored.find(|&o| differs(&samples[o as usize]));
        match other {
            Some(o) => {
                // A second distinct variant is kept so later copies of the first variant are found.
                if entry[1] == NO_SAMPLE {
                    entry[1] = me;
                }
                let os = &samples[o as usize];
                let (rn, uscc) = self.reports[mine.report as usize];
                let (rn, uscc) = (get(arenas, rn), get(arenas, uscc));
                let sample_id = get(arenas, mine.sample_id);
                let msg = format!(
                    "样品 {}({})与报告 {} 的样品 {}({})的 {} 项数值结果完全相同,疑似复制数据",
                    sample_id,
                    site,
                    get(arenas, self.reports[os.report as usize].0),
                    get(arenas, os.sample_id),
                    get(arenas, os.site),
                    p.pairs
                );
                let evidence = ev! {"identical_pairs" => p.pairs, "this" => describe(arenas, &self.reports, samples, me),
                "other" => describe(arenas, &self.reports, samples, o)};
                sink.emit(F {
                    rule: RuleId::D01,
                    uscc: Some(uscc),
                    report_no: Some(rn),
                    sample_id: Some(sample_id),
                    parameter: None,
                    message: msg,
                    evidence,
                });
            }
            None if entry[0] == NO_SAMPLE => entry[0] = me,
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::partition_from_end;

    #[test]
    fn partition_from_end_is_partition_point() {
        let v: Vec<u32> = (0..200).map(|x| x / 3).collect();
        for t in 0..80 {
            assert_eq!(partition_from_end(&v, |&x| x < t), v.partition_point(|&x| x < t), "{t}");
            assert_eq!(partition_from_end(&v, |&x| x <= t), v.partition_point(|&x| x <= t), "{t}");
        }
        assert_eq!(partition_from_end(&[] as &[u32], |_| true), 0);
    }
}
