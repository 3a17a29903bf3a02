//! OFF-C01 findings that name their line. Workers read batches without knowing how many lines came
//! before (nobody counts lines ahead of the workers), so these findings are kept as data with the
//! line's index in its batch and rendered when the batch is merged in order, where the file line
//! number is known — no worker ever waits for another.

use crate::checks::Sink;
use crate::cross::CrossBatch;
use crate::finding::{ev, F};
use crate::parse::{ShapeProblem, MAX_NESTING};
use crate::rules::RuleId;

/// Why a line was not read as a report (or what is wrong with the report it holds).
pub(crate) enum LineProblem {
    /// Longer than the limit: skipped without being held.
    Oversized {
        bytes: u64,
        limit: usize,
    },
    Blank,
    NotUtf8,
    TooDeep {
        column: usize,
        error: String,
    },
    NotJson {
        column: usize,
        error: String,
    },
    /// A JSON object with shape problems (one finding each).
    Shape {
        uscc: Option<String>,
        report_no: Option<String>,
        problems: Vec<ShapeProblem>,
    },
}

/// A [`LineProblem`] at byte `pos` of a batch's output, on the batch's line `rel_line` (0-based).
pub(crate) struct Deferred {
    pub pos: usize,
    pub rel_line: u64,
    pub problem: LineProblem,
}

fn c01(sink: &mut Sink<'_>, message: String, evidence: serde_json::Map<String, serde_json::Value>) {
    sink.emit(F {
        rule: RuleId::C01,
        uscc: None,
        report_no: None,
        sample_id: None,
        parameter: None,
        message,
        evidence,
    });
}

/// Writes the findings of `problem`, on file line `line`.
pub(crate) fn render(line: u64, problem: LineProblem, sink: &mut Sink<'_>) {
    match problem {
        LineProblem::Oversized { bytes, limit } => c01(
            sink,
            format!("第 {line} 行长度 {bytes} 字节,超过上限 {limit} 字节,未作为报告读取"),
            ev! {"line" => line, "field" => "$", "bytes" => bytes},
        ),
        // §2: nothing is silently dropped, and a blank line is not a report.
        LineProblem::Blank => c01(
            sink,
            format!("第 {line} 行是空行,不是一份报告(JSON Lines 文件每行应为一份报告)"),
            ev! {"line" => line, "field" => "$", "error" => "blank line"},
        ),
        LineProblem::NotUtf8 => c01(
            sink,
            format!("第 {line} 行不是有效的 UTF-8 文本,无法读取为报告"),
            ev! {"line" => line, "field" => "$", "error" => "invalid UTF-8"},
        ),
        LineProblem::TooDeep { column, error } => c01(
            sink,
            format!("第 {line} 行嵌套超过 {MAX_NESTING} 层(第 {column} 列),不作为报告读取"),
            ev! {"line" => line, "field" => "$", "column" => column, "error" => error},
        ),
        LineProblem::NotJson { column, error } => c01(
            sink,
            format!("第 {line} 行不是有效的 JSON,无法读取为报告(第 {column} 列附近)"),
            ev! {"line" => line, "field" => "$", "column" => column, "error" => error},
        ),
        LineProblem::Shape { uscc, report_no, problems } => {
            for p in &problems {
                let message = match &report_no {
                    Some(rn) => format!("报告 {rn}(第 {line} 行):{}", p.reason),
                    None => format!("第 {line} 行报告:{}", p.reason),
                };
                sink.emit(F {
                    rule: RuleId::C01,
                    uscc: uscc.as_deref(),
                    report_no: report_no.as_deref(),
                    sample_id: p.sample_id.as_deref(),
                    parameter: p.parameter.as_deref(),
                    message,
                    evidence: ev! {"line" => line, "field" => p.field.as_str()},
                });
            }
        }
    }
}

/// Renders a batch's deferred findings into its output at their places, the batch's first line
/// being file line `first`, and moves the report ends the cross-report merge uses accordingly. A
/// finding placed exactly where a report's own findings end comes after that report's cross-report
/// findings (its line is later).
pub(crate) fn place(
    first: u64,
    deferred: Vec<Deferred>,
    out: &mut Vec<u8>,
    cross: &mut CrossBatch,
    counts: &mut [u64; crate::rules::N_RULES],
) {
    if deferred.is_empty() {
        return;
    }
    let mut merged = Vec::with_capacity(out.len() + 320 * deferred.len());
    // (position in the old output, bytes inserted there)
    let mut shifts: Vec<(usize, usize)> = Vec::with_capacity(deferred.len());
    let mut at = 0;
    for d in deferred {
        let pos = d.pos.clamp(at, out.len());
        merged.extend_from_slice(&out[at..pos]);
        at = pos;
        let before = merged.len();
        render(first + d.rel_line, d.problem, &mut Sink { out: &mut merged, counts });
        shifts.push((pos, merged.len() - before));
    }
    merged.extend_from_slice(&out[at..]);
    *out = merged;
    let (mut i, mut shift) = (0, 0);
    for r in &mut cross.reports {
        while shifts.get(i).is_some_and(|&(pos, _)| pos < r.out_end) {
            shift += shifts[i].1;
            i += 1;
        }
        r.out_end += shift;
    }
}
