//! How the engine reads one report line, and what the line names 报告表头: its institution, number
//! and issue date as the rules see them.
//!
//! Why this is one function: the platform decides whose report a line is before it stores it
//! (an institution's account may file only its own), and the engine decides it again when it
//! checks the stored line and attributes its findings. Two readers that disagree about one input
//! let a line through the first check as "nobody's" and have the second read it as another
//! institution's report (issue 15: a lone `\ud800` escape that serde_json refuses and this engine
//! skips). So [`read_headers`] is not a second parser: it is [`read_line`], the very code path the
//! engine's per-line reading takes (`Engine::process` calls it for every line its in-place scan
//! of a chunk did not take), and the header is taken from the report or the reference parse that
//! the engine's findings are built from.

use std::borrow::Cow;

use crate::fast::{parse_report, FastState};
use crate::parse::{parse_line, LineError, Parsed, Report};
use crate::strings::BatchMemo;

/// One line as the engine reads it.
pub(crate) enum LineRead<'a, T> {
    /// Only ASCII whitespace: no report.
    Blank,
    /// Read by the fast scanner, every field right, and taken by the caller's `take` (which
    /// answered `T`).
    Fast(Report<'a>, T),
    /// Read by the reference parser: a JSON value, a report with or without shape problems.
    Parsed(Parsed<'a>),
    /// Not UTF-8, not JSON, or nested too deep.
    Failed(LineError),
}

/// Reads one line (its bytes without the `\n`; a `\r` before it is dropped here): blank, else the
/// fast scanner when `fast` is given and `take` accepts its report, else the reference parser.
/// A report the fast scanner read but `take` refused is read again by the reference parser, which
/// names the same fields (the fast path answers only when the reference yields the same report).
pub(crate) fn read_line<'a, T>(
    mut line: &'a [u8],
    fast: Option<(&mut FastState, &mut BatchMemo<'a>)>,
    take: impl FnOnce(&Report<'a>) -> Option<T>,
) -> LineRead<'a, T> {
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    if line.iter().all(u8::is_ascii_whitespace) {
        return LineRead::Blank;
    }
    if let Some((st, memo)) = fast {
        if let Some(report) = parse_report(line, st, memo) {
            if let Some(t) = take(&report) {
                return LineRead::Fast(report, t);
            }
        }
    }
    match parse_line(line) {
        Ok(parsed) => LineRead::Parsed(parsed),
        Err(e) => LineRead::Failed(e),
    }
}

/// How the engine reads a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Only whitespace: not a report.
    Blank,
    /// Not UTF-8: one OFF-C01 finding that names no institution.
    NotUtf8,
    /// Not JSON (a syntax error, a bad escape or surrogate in a string the rules read, a
    /// duplicate field, …): one OFF-C01 finding that names no institution.
    NotJson,
    /// Nested deeper than the engine follows: one OFF-C01 finding that names no institution.
    TooDeep,
    /// JSON, but not an object: one OFF-C01 finding that names no institution.
    NotAnObject,
    /// A report object with shape problems: OFF-C01 findings naming the institution and number
    /// that stood in the line, well-formed or not.
    Malformed,
    /// A report the rules check, its findings naming its institution.
    Report,
}

impl Reading {
    /// Whether the engine reads the line as a report object (whose findings name what it names).
    pub fn is_report(self) -> bool {
        matches!(self, Reading::Malformed | Reading::Report)
    }
}

/// What a line names, as the engine reads it: the strings exactly as the engine's findings carry
/// them (not trimmed, not case-folded). A field that is absent or not a string is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineHeader {
    pub reading: Reading,
    pub institution_uscc: Option<String>,
    pub report_no: Option<String>,
    pub issued_on: Option<String>,
}

impl LineHeader {
    fn unread(reading: Reading) -> LineHeader {
        LineHeader { reading, institution_uscc: None, report_no: None, issued_on: None }
    }
}

fn owned(s: Option<Cow<'_, str>>) -> Option<String> {
    s.map(Cow::into_owned)
}

/// The headers of `lines` (each without its `\n`), read in turn as one batch of the engine reads
/// them: the fast scanner with one batch's state, then the reference parser. A line longer than
/// the engine's `max_line_bytes` is not read by the engine at all (OFF-C01 naming no
/// institution); its header here is what it would name if it were read.
pub fn read_headers<'t>(lines: impl IntoIterator<Item = &'t [u8]>) -> Vec<LineHeader> {
    read_headers_with(lines, true)
}

/// [`read_headers`] of one line.
pub fn read_header(line: &[u8]) -> LineHeader {
    read_headers_with([line], true).pop().unwrap_or_else(|| LineHeader::unread(Reading::Blank))
}

/// [`read_headers`], the fast scanner on or off (off, as `Engine::with_fast_path(false)` reads).
pub(crate) fn read_headers_with<'t>(
    lines: impl IntoIterator<Item = &'t [u8]>,
    fast: bool,
) -> Vec<LineHeader> {
    let arena = bumpalo::Bump::new();
    let mut memo = BatchMemo::new(&arena);
    let mut st = FastState::default();
    let mut out = Vec::new();
    for line in lines {
        let scanner = fast.then_some((&mut st, &mut memo));
        let header = match read_line(line, scanner, |_| Some(())) {
            LineRead::Blank => LineHeader::unread(Reading::Blank),
            LineRead::Failed(LineError::Utf8) => LineHeader::unread(Reading::NotUtf8),
            LineRead::Failed(LineError::TooDeep { .. }) => LineHeader::unread(Reading::TooDeep),
            LineRead::Failed(LineError::Json(_)) => LineHeader::unread(Reading::NotJson),
            LineRead::Fast(report, ()) => {
                let header = LineHeader {
                    reading: Reading::Report,
                    institution_uscc: Some(report.uscc.to_string()),
                    report_no: Some(report.report_no.to_string()),
                    // The engine keeps the day; it parsed a strict `YYYY-MM-DD`, which this writes back.
                    issued_on: Some(crate::instant::day_string(report.issued_on)),
                };
                st.reclaim(report);
                header
            }
            LineRead::Parsed(p) => LineHeader {
                reading: match (&p.outcome, p.object) {
                    (Ok(_), _) => Reading::Report,
                    (Err(_), true) => Reading::Malformed,
                    (Err(_), false) => Reading::NotAnObject,
                },
                institution_uscc: owned(p.uscc),
                report_no: owned(p.report_no),
                issued_on: owned(p.issued_on),
            },
        };
        out.push(header);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"report_no":"R1","institution_uscc":"U1","cma_mark":true,"purpose":"commissioned","issued_on":"2025-03-04","signatory":{"id":"S"},"samples":[{"sample_id":"S1","category":"water","site":"a","sampled_from":"2025-03-01T09:00:00+08:00","sampled_to":"2025-03-01T10:00:00+08:00","received_at":"2025-03-01T14:00:00+08:00","samplers":[],"results":[{"parameter":"p","method":"m","value":null,"below_detection":true,"unit":"u","analyzed_at":"2025-03-02T10:00:00+08:00","analyst":{"id":"A"}}]}]}"#;

    #[test]
    fn a_report_names_its_institution_number_and_day_by_either_path() {
        for fast in [true, false] {
            let h = read_headers_with([OK.as_bytes()], fast).pop().unwrap();
            assert_eq!(h.reading, Reading::Report);
            assert_eq!(h.institution_uscc.as_deref(), Some("U1"));
            assert_eq!(h.report_no.as_deref(), Some("R1"));
            assert_eq!(h.issued_on.as_deref(), Some("2025-03-04"));
        }
    }

    fn corpus_lines() -> Vec<Vec<u8>> {
        let spec =
            lianjian_corpus::CorpusSpec { seed: 5, reports: 300, plant_every: 4, ..Default::default() };
        let mut out = Vec::new();
        lianjian_corpus::generate(&spec, &mut out).unwrap();
        out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect()
    }

    /// The header is the same whichever of the engine's readers reads the line — one batch's
    /// fast-path state carried from line to line, as a worker carries it — on the corpus with
    /// planted problems, as written and with every non-ASCII character `\u`-escaped.
    #[test]
    fn the_fast_path_and_the_reference_name_the_same_header() {
        let lines = corpus_lines();
        let escaped: Vec<Vec<u8>> = lines
            .iter()
            .map(|l| {
                let mut out = String::new();
                for c in String::from_utf8_lossy(l).chars() {
                    if c.is_ascii() {
                        out.push(c);
                    } else {
                        for u in c.encode_utf16(&mut [0u16; 2]) {
                            out.push_str(&format!("\\u{u:04x}"));
                        }
                    }
                }
                out.into_bytes()
            })
            .collect();
        for set in [&lines, &escaped] {
            let fast = read_headers_with(set.iter().map(Vec::as_slice), true);
            let reference = read_headers_with(set.iter().map(Vec::as_slice), false);
            assert_eq!(fast, reference);
            let named = fast.iter().filter(|h| h.institution_uscc.is_some()).count();
            assert!(named * 10 >= set.len() * 9, "{named} of {}", set.len());
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 1000, ..Default::default() })]

        /// Corpus lines with bytes dropped in: both readers give the same header.
        #[test]
        fn mutated_lines_get_the_same_header_from_either_reader(
            which in 0usize..300,
            edits in proptest::collection::vec((0usize..4000, 0usize..12), 1..4),
        ) {
            const TOKENS: [&str; 12] =
                ["\"", "\\", "{", "}", ",", ":", " ", "\\ud800", "1e400", "\"institution_uscc\":\"X\",", "é", "\u{0}"];
            static LINES: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(corpus_lines);
            let mut line = LINES[which % LINES.len()].clone();
            for (pos, tok) in edits {
                let p = pos % (line.len() + 1);
                line.splice(p..p, TOKENS[tok].bytes());
            }
            let fast = read_headers_with([line.as_slice()], true);
            let reference = read_headers_with([line.as_slice()], false);
            proptest::prop_assert_eq!(fast, reference, "{}", String::from_utf8_lossy(&line));
        }
    }

    #[test]
    fn what_the_engine_reads_past_is_not_what_it_names() {
        // Issue 15: a lone surrogate in a field no rule reads. serde_json refuses the line; the
        // engine reads it, as U2's report.
        let line = OK.replace(r#""site":"a""#, r#""site":"a","project":"\ud800""#).replace("U1", "U2");
        assert!(serde_json::from_str::<serde_json::Value>(&line).is_err());
        let h = read_header(line.as_bytes());
        assert_eq!((h.reading, h.institution_uscc.as_deref()), (Reading::Report, Some("U2")));
        // A malformed report still names what stood in the field, untrimmed.
        let h = read_header(
            OK.replace(r#""U1""#, r#"" U1 ""#)
                .replace(r#""cma_mark":true"#, r#""cma_mark":"yes""#)
                .as_bytes(),
        );
        assert_eq!((h.reading, h.institution_uscc.as_deref()), (Reading::Malformed, Some(" U1 ")));
        // A duplicate field is not JSON to the engine, and names nothing.
        let h = read_header(
            OK.replace(r#""report_no":"R1""#, r#""institution_uscc":"U2","report_no":"R1""#).as_bytes(),
        );
        assert_eq!((h.reading, h.institution_uscc), (Reading::NotJson, None));
        assert_eq!(read_header(b"[1]").reading, Reading::NotAnObject);
        assert_eq!(read_header(b" \t\r").reading, Reading::Blank);
        assert_eq!(read_header(b"{\"a\":\"\xff\"}").reading, Reading::NotUtf8);
        assert_eq!(read_header(&[b'['; 40]).reading, Reading::TooDeep);
    }
}
