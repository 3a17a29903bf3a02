//! Uploaded sheets as grids of raw cells, located by Chinese header, read cell by cell into
//! typed values while every problem is collected.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use time::{Date, Month};

use crate::SheetProblem;

/// One cell as the file holds it, before a column gives it a meaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Empty,
    Text(String),
    Number(f64),
    Date(Date),
    /// An Excel error value (`#N/A`) or a duration: never valid data.
    Bad(String),
}

/// A sheet: its name and its rows, each with the row number Excel shows (1-based).
#[derive(Debug)]
pub(crate) struct Grid {
    pub name: String,
    pub rows: Vec<(usize, Vec<Raw>)>,
}

/// An opened workbook.
pub(crate) type Book<'a> = Xlsx<Cursor<&'a [u8]>>;

/// Opens XLSX bytes; a file that is not a workbook is one whole-file problem.
pub(crate) fn open_xlsx(bytes: &[u8]) -> Result<Book<'_>, SheetProblem> {
    calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: calamine::XlsxError| {
        SheetProblem::new(
            "",
            0,
            "",
            format!("文件不是可读取的 Excel 工作簿(.xlsx),请在 Excel 或 WPS 中另存为 .xlsx 后重试({e})"),
        )
    })
}

/// Reads one sheet by name; `None` when the workbook has no such sheet.
pub(crate) fn xlsx_grid(book: &mut Book<'_>, name: &str) -> Option<Result<Grid, SheetProblem>> {
    if !book.sheet_names().iter().any(|n| n == name) {
        return None;
    }
    Some(match book.worksheet_range(name) {
        Ok(range) => {
            let first = range.start().map_or(0, |(r, _)| r as usize);
            // Cells are relative to the range's top-left corner; keep columns aligned by padding.
            let first_col = range.start().map_or(0, |(_, c)| c as usize);
            let rows = range
                .rows()
                .enumerate()
                .map(|(i, cells)| {
                    let mut row = vec![Raw::Empty; first_col];
                    row.extend(cells.iter().map(raw_of));
                    (first + i + 1, row)
                })
                .collect();
            Ok(Grid { name: name.to_owned(), rows })
        }
        Err(e) => Err(SheetProblem::new(name, 0, "", format!("工作表无法读取:{e}"))),
    })
}

fn raw_of(d: &Data) -> Raw {
    match d {
        Data::Empty => Raw::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Raw::Empty
            } else {
                Raw::Text(s.clone())
            }
        }
        Data::Int(i) => Raw::Number(*i as f64),
        Data::Float(f) => Raw::Number(*f),
        Data::Bool(b) => Raw::Text(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Month::try_from(m)
                .ok()
                .and_then(|m| Date::from_calendar_date(i32::from(y), m, d).ok())
                .map_or_else(|| Raw::Bad(format!("无效的日期序号 {}", dt.as_f64())), Raw::Date)
        }
        Data::DateTime(dt) => Raw::Bad(format!("时长 {} 不是日期", dt.as_f64())),
        Data::DateTimeIso(s) => match s.get(..10).and_then(parse_date_text) {
            Some(d) => Raw::Date(d),
            None => Raw::Text(s.clone()),
        },
        Data::DurationIso(s) => Raw::Bad(format!("时长 {s} 不是日期")),
        Data::Error(e) => Raw::Bad(format!("单元格是错误值 {e}")),
    }
}

/// Reads UTF-8 CSV (byte-order mark accepted, ragged rows allowed) into a grid of text cells.
pub(crate) fn csv_grid(bytes: &[u8], name: &str) -> Result<Grid, SheetProblem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        return Err(SheetProblem::new(
            "",
            0,
            "",
            format!(
                "CSV 文件不是 UTF-8 编码(第 {} 个字节起无法识别),请在 Excel 中另存为“CSV UTF-8(逗号分隔)”或直接上传 .xlsx",
                e.valid_up_to() + 1
            ),
        ));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    // The reader skips blank lines without counting them; count line breaks up to each record's
    // first byte instead, so row numbers match what Excel shows for the same file.
    let breaks: Vec<usize> = bytes.iter().enumerate().filter(|(_, &b)| b == b'\n').map(|(i, _)| i).collect();
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| SheetProblem::new("", 0, "", format!("CSV 文件格式错误:{e}")))?;
        let line = rec.position().map_or(rows.len() + 1, |p| {
            // A record's position is where the reader began, before the blank lines it skipped.
            let start = p.byte() as usize;
            let skipped =
                bytes.get(start..).map_or(0, |r| r.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count());
            breaks.partition_point(|&b| b < start + skipped) + 1
        });
        let cells = rec
            .iter()
            .map(|s| if s.trim().is_empty() { Raw::Empty } else { Raw::Text(s.to_owned()) })
            .collect();
        rows.push((line, cells));
    }
    Ok(Grid { name: name.to_owned(), rows })
}

/// A date typed as text: `YYYY-MM-DD`, or with one-digit month/day and `-` or `/` (`2025/3/1`).
pub(crate) fn parse_date_text(s: &str) -> Option<Date> {
    let s = s.trim();
    let sep = if s.contains('/') { '/' } else { '-' };
    let mut parts = s.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
        || ![y, m, d].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// Serial numbers of 1950-01-01 and 2100-12-31 in Excel's 1900 date system. A plain number in a
/// date column (a date cell whose format the reader did not recognise as a date) is taken as a
/// serial only inside this window; anything else (`2025`, `20250301`) is far more likely a typo.
const SERIAL_WINDOW: std::ops::RangeInclusive<f64> = 18_264.0..=73_415.0;

fn date_of_serial(n: f64) -> Option<Date> {
    if !SERIAL_WINDOW.contains(&n) {
        return None;
    }
    let epoch = Date::from_calendar_date(1899, Month::December, 30).ok()?;
    epoch.checked_add(time::Duration::days(n.floor() as i64))
}

/// Text of a number as a person typed it: `201912345678`, not `201912345678.0`.
fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A sheet located by its header row: column positions by header name, and the data rows.
pub(crate) struct Table<'g> {
    pub sheet: &'g str,
    cols: HashMap<&'static str, usize>,
    rows: &'g [(usize, Vec<Raw>)],
}

/// Header text normalised for matching: whitespace removed, a trailing required-marker `*` dropped.
fn header_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.trim_end_matches(['*', '\u{FF0A}']).to_owned()
}

fn row_is_blank(cells: &[Raw]) -> bool {
    cells.iter().all(|c| *c == Raw::Empty)
}

impl<'g> Table<'g> {
    /// Finds the header row — the first of the first ten non-blank rows that names `key` (so a
    /// title line above the header is tolerated), else the first non-blank row — and maps the
    /// `expected` headers to columns. A missing `required` header or a doubled one is a problem
    /// on that row; a missing optional column reads as blank cells.
    pub fn locate(
        grid: &'g Grid,
        key: &str,
        expected: &[&'static str],
        required: &[&'static str],
    ) -> Result<Table<'g>, Vec<SheetProblem>> {
        let sheet = grid.name.as_str();
        let text = |c: &Raw| match c {
            Raw::Text(s) => header_key(s),
            Raw::Number(n) => number_text(*n),
            _ => String::new(),
        };
        let non_blank: Vec<usize> =
            (0..grid.rows.len()).filter(|&i| !row_is_blank(&grid.rows[i].1)).take(10).collect();
        let Some(&first) = non_blank.first() else {
            return Err(vec![SheetProblem::new(
                sheet,
                1,
                "",
                format!("工作表为空,缺少表头行({})", expected.join("、")),
            )]);
        };
        let at = non_blank
            .iter()
            .copied()
            .find(|&i| grid.rows[i].1.iter().any(|c| text(c) == key))
            .unwrap_or(first);
        let (header_row, cells) = &grid.rows[at];
        let mut cols = HashMap::new();
        let mut problems = Vec::new();
        for &h in expected {
            let found: Vec<usize> = (0..cells.len()).filter(|&i| text(&cells[i]) == h).collect();
            match found.as_slice() {
                [] if required.contains(&h) => {
                    problems.push(SheetProblem::new(sheet, *header_row, h, format!("表头缺少必需的列“{h}”")))
                }
                [] => {}
                [i] => {
                    cols.insert(h, *i);
                }
                [i, ..] => {
                    problems.push(SheetProblem::new(
                        sheet,
                        *header_row,
                        h,
                        format!("表头中列“{h}”出现了 {} 次", found.len()),
                    ));
                    cols.insert(h, *i);
                }
            }
        }
        if problems.is_empty() {
            Ok(Table { sheet, cols, rows: &grid.rows[at + 1..] })
        } else {
            Err(problems)
        }
    }

    /// The non-blank data rows, each ready to be read cell by cell.
    pub fn rows<'t>(&'t self) -> impl Iterator<Item = RowReader<'t>> + 't {
        self.rows.iter().filter(|(_, cells)| !row_is_blank(cells)).map(move |(n, cells)| RowReader {
            sheet: self.sheet,
            row: *n,
            cells,
            cols: &self.cols,
            problems: Vec::new(),
        })
    }
}

/// Reads the cells of one row by header, collecting a problem for each bad cell.
pub(crate) struct RowReader<'t> {
    pub sheet: &'t str,
    pub row: usize,
    cells: &'t [Raw],
    cols: &'t HashMap<&'static str, usize>,
    pub problems: Vec<SheetProblem>,
}

impl RowReader<'_> {
    fn cell(&self, col: &str) -> &Raw {
        self.cols.get(col).and_then(|&i| self.cells.get(i)).unwrap_or(&Raw::Empty)
    }

    /// Records a problem in `col` of this row.
    pub fn fail(&mut self, col: &str, reason: impl Into<String>) {
        self.problems.push(SheetProblem::new(self.sheet, self.row, col, reason));
    }

    /// Whether no cell of this row has been reported so far.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Optional text, trimmed; a number is read as the digits typed. `Err` only for a bad cell.
    pub fn opt_text(&mut self, col: &str) -> Option<String> {
        match self.cell(col).clone() {
            Raw::Empty => None,
            Raw::Text(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Raw::Number(n) => Some(number_text(n)),
            Raw::Date(d) => Some(lianjian_registry::date::format(d)),
            Raw::Bad(why) => {
                self.fail(col, why);
                None
            }
        }
    }

    /// Required text; a blank cell is a problem.
    pub fn text(&mut self, col: &str) -> Option<String> {
        let bad = matches!(self.cell(col), Raw::Bad(_));
        let v = self.opt_text(col);
        if v.is_none() && !bad {
            self.fail(col, format!("“{col}”为必填项,不能为空"));
        }
        v
    }

    /// Optional date: `Ok(None)` for a blank cell, `Err(())` (reported) for a bad one.
    pub fn opt_date(&mut self, col: &str) -> Result<Option<Date>, ()> {
        let bad = |v: &str| format!("“{v}”不是有效日期,应为 Excel 日期,或 2025-03-01、2025/3/1 形式的文本");
        match self.cell(col).clone() {
            Raw::Empty => Ok(None),
            Raw::Date(d) => Ok(Some(d)),
            Raw::Text(s) => parse_date_text(&s).map(Some).ok_or_else(|| self.fail(col, bad(s.trim()))),
            Raw::Number(n) => date_of_serial(n).map(Some).ok_or_else(|| self.fail(col, bad(&number_text(n)))),
            Raw::Bad(why) => {
                self.fail(col, why);
                Err(())
            }
        }
    }

    /// Required date; a blank cell is a problem.
    pub fn date(&mut self, col: &str) -> Option<Date> {
        match self.opt_date(col) {
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                self.fail(col, format!("“{col}”为必填项,不能为空"));
                None
            }
            Err(()) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn date_text_accepts_iso_and_slashes() {
        assert_eq!(parse_date_text("2025-03-01"), Some(date!(2025 - 03 - 01)));
        assert_eq!(parse_date_text("2025/3/1"), Some(date!(2025 - 03 - 01)));
        assert_eq!(parse_date_text(" 2024/12/31 "), Some(date!(2024 - 12 - 31)));
        assert_eq!(parse_date_text("2025/2/29"), None);
        assert_eq!(parse_date_text("25/3/1"), None);
        assert_eq!(parse_date_text("2025-3/1"), None);
        assert_eq!(parse_date_text("2025年3月1日"), None);
    }

    #[test]
    fn serial_numbers_inside_window_are_dates() {
        assert_eq!(date_of_serial(45_717.0), Some(date!(2025 - 03 - 01)));
        assert_eq!(date_of_serial(2025.0), None);
        assert_eq!(date_of_serial(20_250_301.0), None);
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(number_text(201_912_345_678.0), "201912345678");
        assert_eq!(number_text(1.5), "1.5");
    }

    #[test]
    fn csv_with_bom_and_ragged_rows() {
        let g = csv_grid("\u{FEFF}a,b\n1\n\n2,3,4\n".as_bytes(), "x").unwrap();
        assert_eq!(g.rows[0].1, vec![Raw::Text("a".into()), Raw::Text("b".into())]);
        assert_eq!(g.rows.last().unwrap().0, 4);
    }

    #[test]
    fn gbk_csv_is_refused_with_advice() {
        let e = csv_grid(&[0xB1, 0xA8, 0xCB, 0xCD], "x").unwrap_err();
        assert!(e.reason.contains("UTF-8"), "{e}");
    }
}
