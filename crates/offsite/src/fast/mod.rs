//! The fast path for report lines: a hand-written, shape-aware scanner that reads a line straight
//! into the [`Report`] view the rules use, borrowing strings from the line (decoding escapes only
//! in strings that have a backslash) and skipping the values of fields no rule reads.
//!
//! It answers only when it is certain: a line that is UTF-8, one JSON object with nothing after
//! it, every known field present once with the right type and a well-formed value — exactly the
//! lines for which the reference parser ([`crate::parse::parse_line`]) yields an `Ok` report —
//! and then it yields the same report. Anything else (a shape problem, a duplicate key, an escape
//! in a key, a surrogate `\u` escape, a number with an exponent or many digits, nesting deeper than
//! [`MAX_DEPTH`]) returns `None` and the caller falls back to the reference parser, which names the
//! problems (OFF-C01) exactly as before. Being stricter than the reference is always safe; being
//! laxer never happens by construction (every skipped value is fully validated JSON).
//!
//! No panics (all indexing is checked), no allocation per field (only per report: the sample and
//! result vectors; strings with escapes are decoded into the batch's arena, [`BatchMemo`]), recursion
//! bounded by [`MAX_DEPTH`].
//!
//! One file of ≈ 860 lines (its tests are in `tests.rs`), past the ~500 the workspace aims for:
//! `Sc` is one scanner — report, sample, result and person readers sharing one cursor, one
//! seen-field mask per object and the batch's memo, calling each other on every line — so split
//! across files it would read as several parsers while being one state machine; and the engine's
//! hot loop was measured laid out as it is (bench/offsite/README.md).

use std::borrow::Cow;

use lianjian_registry::Category;

use crate::decimal::is_decimal;
use crate::index::same_bytes;
use crate::instant::{parse_day, parse_instant_cached, DayCache, Instant};
use crate::parse::{Purpose, Report, ResultRow, Sample, DEPARTMENTS};
use crate::recycle;
use crate::strings::{escape_run, next_special, BatchMemo};

/// Deepest nesting the fast path follows: the reference parser's limit (deeper lines fall back and
/// are refused there, OFF-C01).
const MAX_DEPTH: u32 = crate::parse::MAX_NESTING as u32;

/// Longest number token accepted (digits, sign and point); longer ones fall back.
const MAX_NUMBER: usize = 17;

#[inline(always)]
fn non_blank<'a>(s: Cow<'a, str>) -> Option<Cow<'a, str>> {
    // A first character that cannot be whitespace settles it without a Unicode scan: printable
    // ASCII, or a lead byte no Unicode White_Space character starts with (those start with C2,
    // E1, E2 or E3; Chinese text starts with E4–E9).
    if matches!(s.as_bytes().first(), Some(0x21..=0x7e | 0xc3..=0xe0 | 0xe4..=0xf4)) {
        return Some(s);
    }
    if s.trim().is_empty() {
        None
    } else {
        Some(s)
    }
}

/// What stood in a field read as "any value" (`commissioned_by`).
enum Any<'a> {
    Missing,
    Null,
    Str(Cow<'a, str>),
    Other,
}

/// What the fast path keeps between lines of a worker: the date cache and the vectors of
/// reports already checked (their allocations are reused).
#[derive(Default)]
pub(crate) struct FastState {
    days: DayCache,
    /// For each result field (by [`result_slot`]), the field that followed it in the last result
    /// object read: a writer keeps one key order, so the next key is usually known.
    result_next: [u32; RESULT_SLOTS],
    samples: Vec<Vec<Sample<'static>>>,
    results: Vec<Vec<ResultRow<'static>>>,
    samplers: Vec<Vec<Cow<'static, str>>>,
}

/// Spare vectors kept per kind.
const POOL: usize = 64;

impl FastState {
    /// Takes back the vectors of a report that has been checked.
    pub fn reclaim(&mut self, r: Report<'_>) {
        let mut samples = r.samples;
        for s in samples.drain(..) {
            if self.results.len() < POOL {
                self.results.push(recycle(s.results));
            }
            if self.samplers.len() < POOL {
                self.samplers.push(recycle(s.samplers));
            }
        }
        if self.samples.len() < POOL {
            self.samples.push(recycle(samples));
        }
    }
}

struct Sc<'a, 's> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    st: &'s mut FastState,
    memo: &'s mut BatchMemo<'a>,
}

/// A key not among the fields the rules read.
const OTHER: u32 = u32::MAX;

/// Slots of [`FastState::result_next`]: the ten result fields, any other key, and the start of
/// the object.
const RESULT_SLOTS: usize = 12;
const RESULT_START: usize = 11;

fn result_slot(field: u32) -> usize {
    (field as usize).min(RESULT_START - 1)
}

/// Known-field bookkeeping: each field once.
#[inline(always)]
fn once(seen: &mut u32, bit: u32) -> Option<()> {
    let m = 1u32 << bit;
    if *seen & m != 0 {
        return None;
    }
    *seen |= m;
    Some(())
}

impl<'a> Sc<'a, '_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// JSON whitespace except `\n`, which ends a line (and so never occurs inside one).
    #[inline(always)]
    fn ws(&mut self) {
        // Compact JSON has no whitespace: one comparison settles the usual case (every byte that
        // can follow is above b' '), and keeps the compiler from building a jump table here.
        while let Some(&c) = self.b.get(self.i) {
            if c > b' ' || !matches!(c, b' ' | b'\t' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// Scans a string body (`self.i` just after the opening quote) to its closing quote; returns
    /// the body's range and whether it has escapes (all validated).
    #[inline(always)]
    fn scan_str(&mut self) -> Option<(usize, usize, bool)> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        let mut esc = false;
        loop {
            i = next_special(b, i);
            match *b.get(i)? {
                b'"' => {
                    self.i = i + 1;
                    return Some((start, i, esc));
                }
                b'\\' => {
                    esc = true;
                    i = escape_run(b, i)?;
                }
                0..=0x1f => return None,
                _ => i += 1,
            }
        }
    }

    /// A string value (the cursor at its opening quote).
    #[inline(always)]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let (s, e, esc) = self.scan_str()?;
        let raw = self.s.get(s..e)?;
        if esc {
            self.memo.decoded(raw).map(Cow::Borrowed)
        } else {
            Some(Cow::Borrowed(raw))
        }
    }

    /// A required, non-blank string.
    #[inline(always)]
    fn req(&mut self) -> Option<Cow<'a, str>> {
        non_blank(self.string()?)
    }

    /// `null` or a string.
    #[inline(always)]
    fn opt(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.peek()? == b'n' {
            self.lit(b"null")?;
            Some(None)
        } else {
            self.string().map(Some)
        }
    }

    /// `null` or a decimal string.
    #[inline(always)]
    fn opt_decimal(&mut self) -> Option<Option<Cow<'a, str>>> {
        match self.opt()? {
            Some(s) if !is_decimal(&s) => None,
            v => Some(v),
        }
    }

    #[inline(always)]
    fn boolean(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.lit(b"true").map(|()| true),
            b'f' => self.lit(b"false").map(|()| false),
            _ => None,
        }
    }

    #[inline(always)]
    fn instant(&mut self) -> Option<Instant> {
        // The usual `"YYYY-MM-DDTHH:MM:SS+08:00"`: parsed in place. Its 25 characters, once they
        // parse, are digits and separators only, so the quote after them closes the string (no
        // scan needed); anything else takes the string path below.
        if self.b.get(self.i) == Some(&b'"') && self.b.get(self.i + 26) == Some(&b'"') {
            if let Some(t) =
                self.s.get(self.i + 1..self.i + 26).and_then(|x| parse_instant_cached(x, &mut self.st.days))
            {
                self.i += 27;
                return Some(t);
            }
        }
        let s = self.req()?;
        parse_instant_cached(&s, &mut self.st.days)
    }

    /// Consumes the bytes `w` if they are at the cursor (compared as arrays: inline, no `memcmp`).
    #[inline(always)]
    fn lit<const N: usize>(&mut self, w: &[u8; N]) -> Option<()> {
        if self.b.get(self.i..self.i + N).and_then(|x| <&[u8; N]>::try_from(x).ok()) == Some(w) {
            self.i += N;
            Some(())
        } else {
            None
        }
    }

    fn number(&mut self) -> Option<()> {
        let b = self.b;
        let start = self.i;
        let mut i = start;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match *b.get(i)? {
            b'0' => i += 1,
            b'1'..=b'9' => {
                while matches!(b.get(i), Some(b'0'..=b'9')) {
                    i += 1;
                }
            }
            _ => return None,
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let f = i;
            while matches!(b.get(i), Some(b'0'..=b'9')) {
                i += 1;
            }
            if i == f {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) || i - start > MAX_NUMBER {
            return None;
        }
        self.i = i;
        Some(())
    }

    /// After a member or element: `,` (then the next one follows) → true, `close` → false.
    #[inline(always)]
    fn next(&mut self, close: u8) -> Option<bool> {
        let mut c = self.peek()?;
        if c <= b' ' {
            self.ws();
            c = self.peek()?;
        }
        self.i += 1;
        if c == b',' {
            self.ws();
            Some(true)
        } else if c == close {
            Some(false)
        } else {
            None
        }
    }

    /// Opens an object or array; `Some(false)` when it is empty (and already closed).
    #[inline(always)]
    fn open(&mut self, open: u8, close: u8) -> Option<bool> {
        self.eat(open)?;
        self.ws();
        if self.peek()? == close {
            self.i += 1;
            return Some(false);
        }
        Some(true)
    }

    #[inline(always)]
    fn colon(&mut self) -> Option<()> {
        if self.b.get(self.i) == Some(&b':') {
            self.i += 1;
        } else {
            self.ws();
            self.eat(b':')?;
        }
        self.ws();
        Some(())
    }

    /// Whether the key body at the cursor is `k` (given with its closing quote); consumes it if so.
    #[inline(always)]
    fn kw<const N: usize>(&mut self, k: &[u8; N]) -> bool {
        self.lit(k).is_some()
    }

    /// Reads a key (and its colon) and names it by `pick`, which tries the known keys with
    /// [`Sc::kw`] at the key's first byte; anything else is [`OTHER`] (escaped keys fall back).
    #[inline(always)]
    fn field(&mut self, pick: impl FnOnce(&mut Self, u8) -> u32) -> Option<u32> {
        self.eat(b'"')?;
        let first = self.peek()?;
        let f = pick(self, first);
        if f == OTHER {
            let (_, _, esc) = self.scan_str()?;
            if esc {
                return None;
            }
        }
        self.colon()?;
        Some(f)
    }

    /// Skips the value of a field no rule reads: most often a string (scanned in line) or a person
    /// object such as `compiled_by` (read straight through by [`Sc::person_compact`], which
    /// accepts only valid JSON; anything else it leaves to the validating skipper).
    #[inline(always)]
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.scan_str().map(|_| ())
            }
            b'{' if depth < MAX_DEPTH => {
                let start = self.i;
                if self.person_compact().is_some() {
                    return Some(());
                }
                self.i = start;
                self.skip(depth)
            }
            _ => self.skip(depth),
        }
    }

    /// Skips any JSON value, validating it.
    fn skip(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.i += 1;
                self.scan_str()?;
            }
            b'{' => {
                if depth >= MAX_DEPTH || !self.open(b'{', b'}')? {
                    return (depth < MAX_DEPTH).then_some(());
                }
                loop {
                    self.eat(b'"')?;
                    self.scan_str()?;
                    self.ws();
                    self.eat(b':')?;
                    self.ws();
                    self.skip(depth + 1)?;
                    if !self.next(b'}')? {
                        break;
                    }
                }
            }
            b'[' => {
                if depth >= MAX_DEPTH || !self.open(b'[', b']')? {
                    return (depth < MAX_DEPTH).then_some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    if !self.next(b']')? {
                        break;
                    }
                }
            }
            b't' => self.lit(b"true")?,
            b'f' => self.lit(b"false")?,
            b'n' => self.lit(b"null")?,
            b'-' | b'0'..=b'9' => self.number()?,
            _ => return None,
        }
        Some(())
    }

    /// Any value, noting only whether it is a string (and which).
    fn any(&mut self, depth: u32) -> Option<Any<'a>> {
        if self.peek()? == b'"' {
            self.string().map(Any::Str)
        } else if self.peek()? == b'n' {
            self.lit(b"null").map(|()| Any::Null)
        } else {
            self.skip(depth).map(|()| Any::Other)
        }
    }

    /// A person object `{id, …}`: its non-blank id.
    #[inline]
    fn person(&mut self, depth: u32) -> Option<Cow<'a, str>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let start = self.i;
        if let Some(id) = self.person_compact() {
            return Some(id);
        }
        self.i = start;
        if !self.open(b'{', b'}')? {
            return None;
        }
        let mut id = None;
        loop {
            if self.field(|sc, c| if c == b'i' && sc.kw(b"id\"") { 0 } else { OTHER })? == 0 {
                if id.is_some() {
                    return None;
                }
                id = Some(self.req()?);
            } else {
                self.skip_value(depth + 1)?;
            }
            if !self.next(b'}')? {
                break;
            }
        }
        id
    }

    /// A result's analyst: a [`Sc::person`], compared with the last analyst object read first.
    /// What `person` reads depends on the object's bytes alone (at an analyst's fixed depth), and
    /// they end with its closing brace, so the same bytes are the same id; and one analyst usually
    /// does every result of a sample. Samplers and signatories change from one to the next, so
    /// they are read, not compared.
    #[inline(always)]
    fn analyst(&mut self, depth: u32) -> Option<Cow<'a, str>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let start = self.i;
        let (last, last_id) = self.memo.analyst;
        if !last.is_empty()
            && self.b.get(start..start + last.len()).is_some_and(|b| same_bytes(b, last.as_bytes()))
        {
            self.i = start + last.len();
            return Some(Cow::Borrowed(last_id));
        }
        let id = self.person(depth)?;
        if let (Cow::Borrowed(borrowed), Some(text)) = (&id, self.s.get(start..self.i)) {
            self.memo.analyst = (text, borrowed);
        }
        Some(id)
    }

    /// The person shape compact writers produce, `{"id":"…","name":"…"}` (a person in every
    /// result), or with Python's separators, `{"id": "…", "name": "…"}`: read straight through.
    /// `None` — and the caller starts again on the general path, which decides — for anything
    /// else, an escaped or blank id included.
    #[inline(always)]
    fn person_compact(&mut self) -> Option<Cow<'a, str>> {
        let spaced = if self.lit(b"{\"id\":\"").is_some() {
            false
        } else {
            self.lit(b"{\"id\": \"")?;
            true
        };
        let (s, e, esc) = self.scan_str()?;
        if esc {
            return None;
        }
        let id = non_blank(Cow::Borrowed(self.s.get(s..e)?))?;
        if spaced {
            self.lit(b", \"name\": \"")?;
        } else {
            self.lit(b",\"name\":\"")?;
        }
        self.scan_str()?;
        self.eat(b'}')?;
        Some(id)
    }

    fn report(&mut self) -> Option<Report<'a>> {
        const D: u32 = 1;
        if !self.open(b'{', b'}')? {
            return None;
        }
        let mut seen = 0u32;
        let (mut report_no, mut uscc, mut cma_mark, mut certificate_no) = (None, None, None, None);
        let (mut purpose, mut commissioned_by, mut issued_on, mut signatory) =
            (None, Any::Missing, None, None);
        let mut samples = None;
        let pick = |sc: &mut Self, c: u8| match c {
            b'r' if sc.kw(b"report_no\"") => 0,
            b'i' if sc.kw(b"institution_uscc\"") => 1,
            b'c' if sc.kw(b"cma_mark\"") => 2,
            b'c' if sc.kw(b"certificate_no\"") => 3,
            b'p' if sc.kw(b"purpose\"") => 4,
            b'c' if sc.kw(b"commissioned_by\"") => 5,
            b'i' if sc.kw(b"issued_on\"") => 6,
            b's' if sc.kw(b"signatory\"") => 7,
            b's' if sc.kw(b"samples\"") => 8,
            _ => OTHER,
        };
        loop {
            match self.field(pick)? {
                0 => {
                    once(&mut seen, 0)?;
                    report_no = Some(self.req()?);
                }
                1 => {
                    once(&mut seen, 1)?;
                    uscc = Some(self.req()?);
                }
                2 => {
                    once(&mut seen, 2)?;
                    cma_mark = Some(self.boolean()?);
                }
                3 => {
                    once(&mut seen, 3)?;
                    certificate_no = self.opt()?;
                }
                4 => {
                    once(&mut seen, 4)?;
                    purpose = Some(Purpose::parse(&self.req()?)?);
                }
                5 => {
                    once(&mut seen, 5)?;
                    commissioned_by = self.any(D)?;
                }
                6 => {
                    once(&mut seen, 6)?;
                    issued_on = Some(parse_day(&self.req()?)?);
                }
                7 => {
                    once(&mut seen, 7)?;
                    signatory = Some(self.person(D)?);
                }
                8 => {
                    once(&mut seen, 8)?;
                    samples = Some(self.samples(D)?);
                }
                _ => self.skip_value(D)?,
            }
            if !self.next(b'}')? {
                break;
            }
        }
        let purpose = purpose?;
        match commissioned_by {
            Any::Str(d) if purpose.is_public() && !d.trim().is_empty() && DEPARTMENTS.contains(&&*d) => {}
            Any::Missing | Any::Null if !purpose.is_public() => {}
            _ => return None,
        }
        Some(Report {
            report_no: report_no?,
            uscc: uscc?,
            cma_mark: cma_mark?,
            certificate_no,
            purpose,
            issued_on: issued_on?,
            signatory: signatory?,
            samples: samples?,
        })
    }

    fn samples(&mut self, depth: u32) -> Option<Vec<Sample<'a>>> {
        if depth >= MAX_DEPTH || !self.open(b'[', b']')? {
            return None;
        }
        let mut v = self.st.samples.pop().map_or_else(|| Vec::with_capacity(2), recycle);
        loop {
            v.push(self.sample(depth + 1)?);
            if !self.next(b']')? {
                break;
            }
        }
        Some(v)
    }

    fn sample(&mut self, depth: u32) -> Option<Sample<'a>> {
        if depth >= MAX_DEPTH || !self.open(b'{', b'}')? {
            return None;
        }
        let mut seen = 0u32;
        let (mut sample_id, mut category, mut site) = (None, None, None);
        let (mut from, mut to, mut received) = (None, None, None);
        let (mut samplers, mut results) = (None, None);
        let pick = |sc: &mut Self, c: u8| match c {
            b's' if sc.kw(b"sample_id\"") => 0,
            b'c' if sc.kw(b"category\"") => 1,
            b's' if sc.kw(b"site\"") => 2,
            b's' if sc.kw(b"sampled_from\"") => 3,
            b's' if sc.kw(b"sampled_to\"") => 4,
            b'r' if sc.kw(b"received_at\"") => 5,
            b's' if sc.kw(b"samplers\"") => 6,
            b'r' if sc.kw(b"results\"") => 7,
            _ => OTHER,
        };
        loop {
            match self.field(pick)? {
                0 => {
                    once(&mut seen, 0)?;
                    sample_id = Some(self.req()?);
                }
                1 => {
                    once(&mut seen, 1)?;
                    category = Some(Category::parse(&self.req()?)?);
                }
                2 => {
                    once(&mut seen, 2)?;
                    site = Some(self.req()?);
                }
                3 => {
                    once(&mut seen, 3)?;
                    from = Some(self.instant()?);
                }
                4 => {
                    once(&mut seen, 4)?;
                    to = Some(self.instant()?);
                }
                5 => {
                    once(&mut seen, 5)?;
                    received = Some(self.instant()?);
                }
                6 => {
                    once(&mut seen, 6)?;
                    samplers = Some(self.samplers(depth + 1)?);
                }
                7 => {
                    once(&mut seen, 7)?;
                    results = Some(self.results(depth + 1)?);
                }
                _ => self.skip_value(depth + 1)?,
            }
            if !self.next(b'}')? {
                break;
            }
        }
        Some(Sample {
            sample_id: sample_id?,
            category: category?,
            site: site?,
            from: from?,
            to: to?,
            received: received?,
            samplers: samplers?,
            results: results?,
        })
    }

    fn samplers(&mut self, depth: u32) -> Option<Vec<Cow<'a, str>>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let mut v = self.st.samplers.pop().map_or_else(|| Vec::with_capacity(2), recycle);
        if !self.open(b'[', b']')? {
            return Some(v);
        }
        loop {
            v.push(self.person(depth + 1)?);
            if !self.next(b']')? {
                break;
            }
        }
        Some(v)
    }

    fn results(&mut self, depth: u32) -> Option<Vec<ResultRow<'a>>> {
        if depth >= MAX_DEPTH || !self.open(b'[', b']')? {
            return None;
        }
        let mut v = self.st.results.pop().map_or_else(|| Vec::with_capacity(8), recycle);
        loop {
            v.push(self.result(depth + 1)?);
            if !self.next(b']')? {
                break;
            }
        }
        Some(v)
    }

    /// Whether the key at the cursor is result field `f` (a known one), written as the last
    /// object's writer wrote it — quote, name, quote, colon — and if so consumes it and the
    /// space after the colon. Anything else leaves the cursor for [`Sc::field`].
    #[inline(always)]
    fn result_key(&mut self, f: u32) -> bool {
        let hit = match f {
            0 => self.lit(b"\"parameter\":"),
            1 => self.lit(b"\"method\":"),
            2 => self.lit(b"\"value\":"),
            3 => self.lit(b"\"below_detection\":"),
            4 => self.lit(b"\"detection_limit\":"),
            5 => self.lit(b"\"unit\":"),
            6 => self.lit(b"\"limit\":"),
            7 => self.lit(b"\"analyzed_at\":"),
            8 => self.lit(b"\"analyst\":"),
            9 => self.lit(b"\"instrument_id\":"),
            _ => None,
        };
        if hit.is_some() {
            self.ws();
        }
        hit.is_some()
    }

    fn result(&mut self, depth: u32) -> Option<ResultRow<'a>> {
        if depth >= MAX_DEPTH || !self.open(b'{', b'}')? {
            return None;
        }
        let mut seen = 0u32;
        let (mut parameter, mut method, mut value, mut below) = (None, None, None, None);
        let (mut detection_limit, mut limit, mut unit_ok) = (None, None, false);
        let (mut analyzed, mut analyst, mut instrument_id) = (None, None, None);
        let pick = |sc: &mut Self, c: u8| match c {
            b'p' if sc.kw(b"parameter\"") => 0,
            b'm' if sc.kw(b"method\"") => 1,
            b'v' if sc.kw(b"value\"") => 2,
            b'b' if sc.kw(b"below_detection\"") => 3,
            b'd' if sc.kw(b"detection_limit\"") => 4,
            b'u' if sc.kw(b"unit\"") => 5,
            b'l' if sc.kw(b"limit\"") => 6,
            b'a' if sc.kw(b"analyzed_at\"") => 7,
            b'a' if sc.kw(b"analyst\"") => 8,
            b'i' if sc.kw(b"instrument_id\"") => 9,
            _ => OTHER,
        };
        let mut prev = RESULT_START;
        loop {
            let guess = self.st.result_next[prev];
            let field = if self.result_key(guess) { guess } else { self.field(pick)? };
            self.st.result_next[prev] = field;
            prev = result_slot(field);
            match field {
                0 => {
                    once(&mut seen, 0)?;
                    parameter = Some(self.req()?);
                }
                1 => {
                    once(&mut seen, 1)?;
                    method = Some(self.req()?);
                }
                2 => {
                    once(&mut seen, 2)?;
                    value = self.opt_decimal()?;
                }
                3 => {
                    once(&mut seen, 3)?;
                    below = Some(self.boolean()?);
                }
                4 => {
                    once(&mut seen, 4)?;
                    detection_limit = self.opt_decimal()?;
                }
                5 => {
                    once(&mut seen, 5)?;
                    self.req()?;
                    unit_ok = true;
                }
                6 => {
                    once(&mut seen, 6)?;
                    limit = self.opt_decimal()?;
                }
                7 => {
                    once(&mut seen, 7)?;
                    analyzed = Some(self.instant()?);
                }
                8 => {
                    once(&mut seen, 8)?;
                    analyst = Some(self.analyst(depth + 1)?);
                }
                9 => {
                    once(&mut seen, 9)?;
                    instrument_id = self.opt()?;
                }
                _ => self.skip_value(depth + 1)?,
            }
            if !self.next(b'}')? {
                break;
            }
        }
        let below_detection = below?;
        if !below_detection && value.is_none() || !unit_ok {
            return None;
        }
        Some(ResultRow {
            parameter: parameter?,
            method: method?,
            value,
            below_detection,
            detection_limit,
            limit,
            analyzed: analyzed?,
            analyst: analyst?,
            instrument_id,
        })
    }
}

/// Reads a line whose every field is right into a [`Report`]; `None` when the reference parser
/// must decide (see the module docs).
pub(crate) fn parse_report<'a>(
    line: &'a [u8],
    st: &mut FastState,
    memo: &mut BatchMemo<'a>,
) -> Option<Report<'a>> {
    let s = simdutf8::basic::from_utf8(line).ok()?;
    parse_report_at(s, 0, st, memo).and_then(|(r, end)| (end == s.len()).then_some(r))
}

/// [`parse_report`] for the line starting at `start` in `text` (lines end at `\n`): the report and
/// the end of its line (the index of its `\n`, or the end of `text`). The scanner never steps over
/// a `\n` (it is neither whitespace here nor allowed in a string), so what it reads is exactly the
/// line the reference parser would be given.
pub(crate) fn parse_report_at<'a>(
    text: &'a str,
    start: usize,
    st: &mut FastState,
    memo: &mut BatchMemo<'a>,
) -> Option<(Report<'a>, usize)> {
    let mut sc = Sc { s: text, b: text.as_bytes(), i: start, st, memo };
    sc.ws();
    let r = sc.report()?;
    sc.ws();
    match sc.b.get(sc.i) {
        None | Some(b'\n') => Some((r, sc.i)),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
