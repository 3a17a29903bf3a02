//! Splitting an upload 报告报送 into report lines, and deciding whose reports they are.
//!
//! An institution's account may file only its own institution's reports. Whose report a line is
//! is decided by the engine's own reading of the line ([`crate::read_headers`]), the very parse
//! whose findings will name an institution when the stored line is checked — not by a second
//! parser that could read the line differently (issue 15). One other reader still matters: a
//! stored body is shown and exported through serde_json, as other systems reading the export
//! would read it. So with an institution's account a batch is refused as a whole when any line
//!
//! - is read by the engine as naming another institution (any other string: another USCC, the
//!   same one in lower case or with spaces, a blank one), or by serde_json as naming one; or
//! - is read differently by the two: one names the uploader and the other cannot read the line
//!   or names nothing (a lone surrogate, a duplicate field, a number out of range, nesting past
//!   the engine's limit, …) — when two readers disagree, nobody can say whose report it is.
//!
//! A line both read as naming nobody (not JSON to either, a field that is not a string, …) is the
//! uploader's: the check reports it as OFF-C01 against the uploader. Pure: no I/O.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::reading::{read_headers, LineHeader};

/// One report line of an upload, as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    /// 1-based line in the uploaded text.
    pub line_no: i64,
    pub body: String,
    /// What the engine reads in the line (exactly: not trimmed), when it is a report object with
    /// these string fields.
    pub report_no: Option<String>,
    pub institution_uscc: Option<String>,
    pub issued_on: Option<String>,
}

/// A line refused at upload, with the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refused {
    pub line: i64,
    pub reason: String,
}

/// An upload refused as a whole: lines that are, or may be read as, another institution's reports
/// (every one, by line number, with the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message_zh())]
pub struct NotOwn {
    /// The uploading institution.
    pub own: String,
    pub lines: Vec<Refused>,
}

impl NotOwn {
    /// One sentence for a page or a problem's `detail`: the count and the first lines' reasons.
    pub fn message_zh(&self) -> String {
        const SHOWN: usize = 10;
        let mut m = format!(
            "整批未接收:{} 行不是、或不能确认是本机构({})的报告,机构账户只能报送本机构的报告。",
            self.lines.len(),
            self.own
        );
        for r in self.lines.iter().take(SHOWN) {
            m.push_str(&format!("第 {} 行:{};", r.line, r.reason));
        }
        if self.lines.len() > SHOWN {
            m.push_str(&format!("等共 {} 行。", self.lines.len()));
        }
        m.push_str("请删除或改正这些行后重新报送。");
        m
    }
}

/// The UTF-8 byte order mark (Windows editors add one).
const BOM: char = '\u{feff}';

/// What serde_json reads as the line's institution: `None` when it cannot read the line, the line
/// is not an object, or the field is absent or not a string. (The platform shows and exports
/// stored bodies through serde_json; duplicate fields, the last one wins.)
pub fn json_institution(body: &str) -> Option<String> {
    serde_json::from_str::<Value>(body).ok()?.get("institution_uscc")?.as_str().map(str::to_owned)
}

/// Why `line` is not the uploader's, or `None` when it is (or names nobody to either reader).
fn not_own(own: &str, engine: Option<&str>, json: Option<&str>) -> Option<String> {
    let other = |u: &str, by: &str| {
        if u.trim().is_empty() {
            format!("所属机构 institution_uscc 为空{by}")
        } else {
            format!("报告所属机构“{u}”{by}不是本机构 {own}")
        }
    };
    if let Some(u) = engine.filter(|u| *u != own) {
        return Some(other(u, ""));
    }
    if let Some(u) = json.filter(|u| *u != own) {
        return Some(other(u, "(按通用 JSON 读法)"));
    }
    if engine == json {
        return None;
    }
    let said = |u: Option<&str>, none: &str| u.map_or_else(|| none.to_owned(), |u| format!("本机构 {u}"));
    Some(format!(
        "本行不是规范的 JSON,两种读法读出的所属机构不一致(检查引擎:{};通用 JSON 解析:{}),无法确认是本机构的报告;\
         常见原因:孤立的 \\uD800–\\uDFFF 代理项转义、重复的字段名、非法转义、超出范围的数字、嵌套过深",
        said(engine, "未读作报告"),
        said(json, "无法解析")
    ))
}

/// Splits an upload (JSON Lines) into report lines, numbered as in the file. A blank line is not a
/// report and is listed as refused (exchange-formats §2: nothing is silently dropped); the newline
/// that ends the last line does not start another. Each line's number, institution and issue date
/// are the engine's reading of it ([`crate::read_headers`]).
///
/// With `own = Some(uscc)` (an institution's own account) the batch is refused as a whole
/// ([`NotOwn`], every offending line listed) when any line is, or may be read as, another
/// institution's report (see the module docs); a line that names nobody to either reader is kept
/// and the check reports it (OFF-C01) against the uploader. With `own = None` (the supervising
/// departments, the city feed) nothing is refused for its institution.
pub fn split_upload(text: &str, own: Option<&str>) -> Result<(Vec<ReportLine>, Vec<Refused>), NotOwn> {
    let (mut lines, mut refused) = (Vec::new(), Vec::new());
    // A byte order mark is not part of the first report (the engine ignores one too).
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let text = text.strip_suffix('\n').unwrap_or(text);
    let mut bodies = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let body = raw.strip_suffix('\r').unwrap_or(raw);
        let line_no = i as i64 + 1;
        if body.trim().is_empty() {
            refused.push(Refused { line: line_no, reason: "空行,不是一份报告".to_owned() });
        } else {
            bodies.push((line_no, body));
        }
    }
    // The engine reads the stored lines joined again (blank where a line was refused), and ignores
    // a byte order mark opening that text: a second mark opening line 1 is not seen by it.
    let headers = read_headers(bodies.iter().map(|&(no, body)| {
        let seen = if no == 1 { body.strip_prefix(BOM).unwrap_or(body) } else { body };
        seen.as_bytes()
    }));
    let mut foreign = Vec::new();
    for ((line_no, body), header) in bodies.into_iter().zip(headers) {
        let LineHeader { institution_uscc, report_no, issued_on, .. } = header;
        if let Some(own) = own {
            let json = json_institution(body);
            if let Some(reason) = not_own(own, institution_uscc.as_deref(), json.as_deref()) {
                foreign.push(Refused { line: line_no, reason });
                continue;
            }
        }
        lines.push(ReportLine { line_no, body: body.to_owned(), report_no, institution_uscc, issued_on });
    }
    match own {
        Some(own) if !foreign.is_empty() => Err(NotOwn { own: own.to_owned(), lines: foreign }),
        _ => Ok((lines, refused)),
    }
}

/// The text the engine checks for stored lines: each body on its own line number, blank lines
/// where a line was refused (so findings name the upload's line numbers).
pub fn check_text<'l>(lines: impl IntoIterator<Item = (i64, &'l str)>) -> String {
    let mut text = String::new();
    let mut at = 1i64;
    for (line_no, body) in lines {
        while at < line_no {
            text.push('\n');
            at += 1;
        }
        text.push_str(body);
        text.push('\n');
        at += 1;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_lines_keep_their_numbers_and_blank_lines_are_listed() {
        let text = "{\"report_no\":\"A\",\"institution_uscc\":\"U1\"}\r\n\n{\"report_no\":\"B\",\"institution_uscc\":\"U1\"}\nnot json\n";
        let (lines, refused) = split_upload(text, Some("U1")).unwrap();
        assert_eq!(lines.iter().map(|l| l.line_no).collect::<Vec<_>>(), vec![1, 3, 4]);
        assert_eq!(lines[0].report_no.as_deref(), Some("A"));
        assert_eq!(lines[0].body, "{\"report_no\":\"A\",\"institution_uscc\":\"U1\"}");
        // Line 2 is blank (listed, not dropped); line 4 names nobody and stays the uploader's.
        assert_eq!(refused.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2]);
        assert_eq!(lines[2].institution_uscc, None);
        let (all, blank) = split_upload(text, None).unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(blank.len(), 1, "only the blank line: the final newline starts no line");
        let (bom, _) = split_upload(&format!("\u{feff}{text}"), Some("U1")).unwrap();
        assert_eq!(bom[0].report_no.as_deref(), Some("A"), "a byte order mark is not part of line 1");
    }

    #[test]
    fn a_batch_with_any_other_institutions_line_is_refused_whole() {
        let text = "{\"report_no\":\"A\",\"institution_uscc\":\"U1\"}\n{\"report_no\":\"B\",\"institution_uscc\":\"U2\"}\n\
                    {\"report_no\":\"C\",\"institution_uscc\":\"u1\"}\n{\"report_no\":\"D\",\"institution_uscc\":\" \"}\n";
        let e = split_upload(text, Some("U1")).unwrap_err();
        assert_eq!(e.lines.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(e.lines[0].reason.contains("U2") && e.lines[1].reason.contains("u1"), "{e:?}");
        assert!(e.to_string().contains("第 2 行") && e.to_string().contains("整批未接收"), "{e}");
        // The supervising departments and the city feed file anyone's.
        assert_eq!(split_upload(text, None).unwrap().0.len(), 4);
    }

    #[test]
    fn a_line_the_two_readers_read_differently_is_refused() {
        let own = r#"{"report_no":"A","institution_uscc":"U1","project":"\ud800"}"#;
        let other = own.replace("U1", "U2");
        let dup = r#"{"report_no":"A","institution_uscc":"U1","institution_uscc":"U2"}"#;
        let dup_own = r#"{"report_no":"A","institution_uscc":"U1","institution_uscc":"U1"}"#;
        let twice_bom = format!("\u{feff}\u{feff}{}", r#"{"report_no":"A","institution_uscc":"U1"}"#);
        for (text, why) in [
            (other.as_str(), "the engine names U2 (serde_json cannot read it)"),
            (own, "the engine names U1, serde_json nothing"),
            (dup, "serde_json names U2, the engine nothing"),
            (dup_own, "serde_json names U1, the engine nothing"),
            (twice_bom.as_str(), "the engine ignores the second mark too, serde_json does not"),
        ] {
            let e = split_upload(text, Some("U1")).expect_err(why);
            assert_eq!(e.lines.len(), 1, "{why}");
        }
        // Names nobody to either reader: the uploader's (OFF-C01 against it).
        for nobody in ["not json", r#"{"institution_uscc":12}"#, "[1,2]", r#"{"report_no":"\ud800"}"#] {
            assert_eq!(split_upload(nobody, Some("U1")).unwrap().0.len(), 1, "{nobody}");
        }
    }

    #[test]
    fn the_check_text_keeps_line_numbers() {
        assert_eq!(check_text([(1, "a"), (3, "b")]), "a\n\nb\n");
        assert_eq!(check_text([(2, "b")]), "\nb\n");
    }
}
