//! Uploaded sheets as grids of raw cells, read as a stream under [`SheetLimits`] (issue 15).
//!
//! A grid keeps only the non-empty cells, each 24 bytes plus its text in one shared buffer, sorted
//! by row and column, so what it costs grows with the cells a sheet really has and never with
//! the range it declares. Opening a workbook goes through [`crate::package`] first; then each
//! sheet's declared `<dimension>` is checked before its first cell is read, and every cell read
//! is counted against the caps (a sheet may declare no range or a wrong one: the count binds).

use std::io::Cursor;

use calamine::{DataRef, Dimensions, Reader, Xlsx, XlsxError};
use time::{Date, Month};

use crate::limits::{cell_name, SheetLimits};
use crate::{package, SheetProblem};

/// One cell as the file holds it, before a column gives it a meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Raw<'g> {
    Empty,
    Text(&'g str),
    Number(f64),
    Date(Date),
    /// An Excel error value (`#N/A`) or a duration: never valid data. The reason, in Chinese.
    Bad(&'g str),
}

/// Text in the grid's buffer.
#[derive(Debug, Clone, Copy)]
struct Span {
    at: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy)]
enum Value {
    Text(Span),
    Number(f64),
    Date(Date),
    Bad(Span),
}

/// A non-empty cell: 1-based row as Excel shows it, 0-based column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Placed {
    row: u32,
    pub col: u32,
    value: Value,
}

/// A sheet: its name and its non-empty cells by row.
#[derive(Debug, Default)]
pub(crate) struct Grid {
    pub name: String,
    text: String,
    cells: Vec<Placed>,
    /// Row number (as Excel shows it) and where its cells start in `cells`.
    rows: Vec<(usize, usize)>,
}

impl Grid {
    /// Rows that have at least one non-empty cell.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// The `i`-th non-empty row: its number as Excel shows it and its cells, by column.
    pub fn row(&self, i: usize) -> (usize, &[Placed]) {
        let (n, at) = self.rows[i];
        let end = self.rows.get(i + 1).map_or(self.cells.len(), |r| r.1);
        (n, &self.cells[at..end])
    }

    /// The value of a cell.
    pub fn raw(&self, p: &Placed) -> Raw<'_> {
        let text = |s: Span| self.text.get(s.at as usize..(s.at + s.len) as usize).unwrap_or("");
        match p.value {
            Value::Text(s) => Raw::Text(text(s)),
            Value::Number(n) => Raw::Number(n),
            Value::Date(d) => Raw::Date(d),
            Value::Bad(s) => Raw::Bad(text(s)),
        }
    }

    /// The value in column `col` of a row's cells.
    pub fn cell<'g>(&'g self, cells: &'g [Placed], col: usize) -> Raw<'g> {
        let col = u32::try_from(col).unwrap_or(u32::MAX);
        cells.binary_search_by_key(&col, |p| p.col).map_or(Raw::Empty, |i| self.raw(&cells[i]))
    }
}

/// A cell on its way in.
enum Incoming<'s> {
    Text(&'s str),
    Number(f64),
    Date(Date),
    Bad(String),
}

/// What one file has used of its caps so far: cells and text are counted over all its sheets.
pub(crate) struct Budget {
    limits: SheetLimits,
    cells: u64,
    text: u64,
}

impl Budget {
    pub fn new(limits: &SheetLimits) -> Budget {
        Budget { limits: *limits, cells: 0, text: 0 }
    }

    /// Refuses a sheet whose declared range passes the caps, before any of its cells is read.
    fn check_declared(&self, sheet: &str, d: Dimensions) -> Result<(), SheetProblem> {
        let l = &self.limits;
        let (r0, r1) = (d.start.0.min(d.end.0), d.start.0.max(d.end.0));
        let (c0, c1) = (d.start.1.min(d.end.1), d.start.1.max(d.end.1));
        let (rows, cols) = (u64::from(r1 - r0) + 1, u64::from(c1 - c0) + 1);
        let area = rows * cols;
        if u64::from(r1) < u64::from(l.max_rows)
            && u64::from(c1) < u64::from(l.max_columns)
            && area <= l.max_cells
        {
            return Ok(());
        }
        let range = format!("{}:{}", cell_name(d.start.0, d.start.1), cell_name(d.end.0, d.end.1));
        Err(SheetProblem::new(
            sheet,
            0,
            "",
            format!(
                "声明的范围 {range}({rows} 行 × {cols} 列,共 {area} 个单元格)超出上限(每个工作表最多 {} 行、{} 列,整个文件最多 {} 个单元格)。这通常是表格之外有多余的单元格(远处误填的内容或格式):请删除表格之外的多余行列后重新保存;数据确实这么多时,请拆分为多个文件分批导入",
                l.max_rows, l.max_columns, l.max_cells
            ),
        ))
    }

    /// Counts one non-empty cell (0-based position), refusing it if it passes a cap.
    fn admit(&mut self, sheet: &str, row: u32, col: u32, text: usize) -> Result<(), SheetProblem> {
        let l = &self.limits;
        let at = |reason: String| SheetProblem::new(sheet, row as usize + 1, "", reason);
        if u64::from(row) >= u64::from(l.max_rows) || u64::from(col) >= u64::from(l.max_columns) {
            return Err(at(format!(
                "单元格 {} 有内容,超出上限(每个工作表最多 {} 行、{} 列);请删除表格之外的多余单元格后重新保存,数据确实这么多时请拆分为多个文件分批导入",
                cell_name(row, col),
                l.max_rows,
                l.max_columns
            )));
        }
        self.cells += 1;
        if self.cells > l.max_cells {
            return Err(at(format!(
                "整个文件的非空单元格超过上限 {} 个,读到此处时停止;请拆分为多个文件分批导入,或删除表格之外的多余单元格",
                l.max_cells
            )));
        }
        self.text += text as u64;
        if self.text > l.max_text_bytes() {
            return Err(at(format!(
                "整个文件的单元格文字合计超过上限 {} MB,读到此处时停止;请拆分为多个文件分批导入",
                l.unzipped_mb()
            )));
        }
        Ok(())
    }
}

/// Collects a sheet's cells in the order the file gives them.
struct GridBuilder {
    grid: Grid,
    in_order: bool,
}

impl GridBuilder {
    fn new(name: &str) -> GridBuilder {
        GridBuilder { grid: Grid { name: name.to_owned(), ..Grid::default() }, in_order: true }
    }

    fn push(&mut self, budget: &mut Budget, row: u32, col: u32, v: Incoming<'_>) -> Result<(), SheetProblem> {
        let len = match &v {
            Incoming::Text(s) => s.len(),
            Incoming::Bad(s) => s.len(),
            _ => 0,
        };
        budget.admit(&self.grid.name, row, col, len)?;
        let mut keep = |s: &str| {
            // The text budget keeps the buffer below 4 GiB.
            let at = u32::try_from(self.grid.text.len()).unwrap_or(u32::MAX);
            self.grid.text.push_str(s);
            Span { at, len: u32::try_from(s.len()).unwrap_or(0) }
        };
        let value = match v {
            Incoming::Text(s) => Value::Text(keep(s)),
            Incoming::Bad(s) => Value::Bad(keep(&s)),
            Incoming::Number(n) => Value::Number(n),
            Incoming::Date(d) => Value::Date(d),
        };
        let row = row.saturating_add(1);
        if let Some(last) = self.grid.cells.last() {
            self.in_order &= (last.row, last.col) < (row, col);
        }
        self.grid.cells.push(Placed { row, col, value });
        Ok(())
    }

    fn finish(mut self) -> Grid {
        let cells = &mut self.grid.cells;
        if !self.in_order {
            // Excel writes cells in order; another writer may not. A cell written twice keeps
            // its last value, as calamine's own ranges do.
            cells.sort_by_key(|p| (p.row, p.col));
            cells.dedup_by(|later, earlier| {
                let same = (later.row, later.col) == (earlier.row, earlier.col);
                if same {
                    earlier.value = later.value;
                }
                same
            });
        }
        cells.shrink_to_fit();
        let mut rows = Vec::new();
        for (i, p) in cells.iter().enumerate() {
            if rows.last().is_none_or(|&(r, _)| r != p.row as usize) {
                rows.push((p.row as usize, i));
            }
        }
        self.grid.rows = rows;
        self.grid
    }
}

/// Why a sheet was not read.
#[derive(Debug)]
pub(crate) enum SheetError {
    /// It passes a cap: the whole file is refused, and nothing more of it is read.
    OverLimit(SheetProblem),
    /// It cannot be read (broken XML, say): a problem on this sheet.
    Unreadable(SheetProblem),
}

impl SheetError {
    pub fn into_problem(self) -> SheetProblem {
        match self {
            SheetError::OverLimit(p) | SheetError::Unreadable(p) => p,
        }
    }
}

/// An opened workbook and what its sheets have used of the caps.
pub(crate) struct Workbook<'a> {
    book: Xlsx<Cursor<&'a [u8]>>,
    budget: Budget,
}

/// Opens XLSX bytes after [`package::check`]; a file that is not a workbook, or passes a cap, is
/// one whole-file problem.
pub(crate) fn open_xlsx<'a>(bytes: &'a [u8], limits: &SheetLimits) -> Result<Workbook<'a>, SheetProblem> {
    package::check(bytes, limits)?;
    let book = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e: XlsxError| {
        SheetProblem::new(
            "",
            0,
            "",
            format!("文件不是可读取的 Excel 工作簿(.xlsx),请在 Excel 或 WPS 中另存为 .xlsx 后重试({e})"),
        )
    })?;
    Ok(Workbook { book, budget: Budget::new(limits) })
}

impl Workbook<'_> {
    /// Sheet names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.book.sheet_names()
    }

    /// Reads one sheet by name; `None` when the workbook has no such sheet.
    pub fn grid(&mut self, name: &str) -> Option<Result<Grid, SheetError>> {
        if !self.book.sheet_names().iter().any(|n| n == name) {
            return None;
        }
        let unreadable = |e: XlsxError| {
            SheetError::Unreadable(SheetProblem::new(name, 0, "", format!("工作表无法读取:{e}")))
        };
        let mut reader = match self.book.worksheet_cells_reader(name) {
            Ok(r) => r,
            // A chart sheet, say: no cells.
            Err(XlsxError::NotAWorksheet(_)) => return Some(Ok(GridBuilder::new(name).finish())),
            Err(e) => return Some(Err(unreadable(e))),
        };
        if let Err(p) = self.budget.check_declared(name, reader.dimensions()) {
            return Some(Err(SheetError::OverLimit(p)));
        }
        let mut b = GridBuilder::new(name);
        loop {
            match reader.next_cell() {
                Ok(Some(cell)) => {
                    let (row, col) = cell.get_position();
                    if let Some(v) = incoming(cell.get_value()) {
                        if let Err(p) = b.push(&mut self.budget, row, col, v) {
                            return Some(Err(SheetError::OverLimit(p)));
                        }
                    }
                }
                Ok(None) => return Some(Ok(b.finish())),
                Err(e) => return Some(Err(unreadable(e))),
            }
        }
    }
}

/// What a cell holds; `None` when it is empty (or only blanks).
fn incoming<'s>(d: &'s DataRef<'_>) -> Option<Incoming<'s>> {
    let text = |s: &'s str| Some(Incoming::Text(s)).filter(|_| !s.trim().is_empty());
    match d {
        DataRef::Empty => None,
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Int(i) => Some(Incoming::Number(*i as f64)),
        DataRef::Float(f) => Some(Incoming::Number(*f)),
        DataRef::Bool(b) => Some(Incoming::Text(if *b { "TRUE" } else { "FALSE" })),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Some(
                Month::try_from(m)
                    .ok()
                    .and_then(|m| Date::from_calendar_date(i32::from(y), m, d).ok())
                    .map_or_else(|| Incoming::Bad(format!("无效的日期序号 {}", dt.as_f64())), Incoming::Date),
            )
        }
        DataRef::DateTime(dt) => Some(Incoming::Bad(format!("时长 {} 不是日期", dt.as_f64()))),
        DataRef::DateTimeIso(s) => match s.get(..10).and_then(lianjian_domain::date::parse) {
            Some(d) => Some(Incoming::Date(d)),
            None => Some(Incoming::Text(s)),
        },
        DataRef::DurationIso(s) => Some(Incoming::Bad(format!("时长 {s} 不是日期"))),
        DataRef::Error(e) => Some(Incoming::Bad(format!("单元格是错误值 {e}"))),
    }
}

/// Reads UTF-8 CSV (byte-order mark accepted, ragged rows allowed) into a grid of text cells, under
/// the same caps as a sheet. Row numbers are the line each record starts on, as Excel shows them.
pub(crate) fn csv_grid(bytes: &[u8], name: &str, limits: &SheetLimits) -> Result<Grid, SheetProblem> {
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
    let mut budget = Budget::new(limits);
    let mut b = GridBuilder::new(name);
    // Field ends are written into a buffer of the column cap (at most Excel's 16,384 columns), so a
    // record with more fields is refused before it is built.
    let width = (limits.max_columns as usize).min(16_384);
    let mut ends = vec![0usize; width];
    let mut out = vec![0u8; 4096];
    let mut reader = csv_core::Reader::new();
    let (mut input, mut pos, mut outlen, mut nends) = (bytes, 0usize, 0usize, 0usize);
    // Line counting, incrementally: `line` is the 1-based line of byte `counted`.
    let (mut counted, mut line, mut start) = (0usize, 1usize, 0usize);
    loop {
        let (res, nin, nout, nend) = reader.read_record(input, &mut out[outlen..], &mut ends[nends..]);
        input = &input[nin..];
        pos += nin;
        outlen += nout;
        nends += nend;
        match res {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => out.resize(out.len() * 2, 0),
            csv_core::ReadRecordResult::OutputEndsFull | csv_core::ReadRecordResult::Record => {
                // The reader skips blank lines before a record without counting them.
                let blank = bytes
                    .get(start..)
                    .map_or(0, |r| r.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count());
                let first = (start + blank).min(bytes.len());
                line += memchr::memchr_iter(b'\n', &bytes[counted..first]).count();
                counted = first;
                let row = u32::try_from(line - 1).unwrap_or(u32::MAX);
                if res == csv_core::ReadRecordResult::OutputEndsFull {
                    return Err(SheetProblem::new(
                        name,
                        line,
                        "",
                        format!(
                            "这一行超过 {width} 列,超出上限;请删除表格右侧多余的列(包括空列)后重新保存,或直接上传 .xlsx"
                        ),
                    ));
                }
                let mut from = 0;
                for (col, &end) in ends[..nends].iter().enumerate() {
                    let field = String::from_utf8_lossy(&out[from..end]);
                    from = end;
                    if !field.trim().is_empty() {
                        b.push(&mut budget, row, col as u32, Incoming::Text(&field))?;
                    }
                }
                outlen = 0;
                nends = 0;
                start = pos;
            }
            csv_core::ReadRecordResult::End => return Ok(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(g: &Grid, i: usize) -> (usize, Vec<(u32, String)>) {
        let (n, cells) = g.row(i);
        let t = cells
            .iter()
            .map(|p| match g.raw(p) {
                Raw::Text(s) => (p.col, s.to_owned()),
                other => panic!("{other:?}"),
            })
            .collect();
        (n, t)
    }

    #[test]
    fn csv_with_bom_and_ragged_rows() {
        let g = csv_grid("\u{FEFF}a,b\n1\n\n2,3,4\n".as_bytes(), "x", &SheetLimits::default()).unwrap();
        assert_eq!(texts(&g, 0), (1, vec![(0, "a".into()), (1, "b".into())]));
        assert_eq!(texts(&g, 2), (4, vec![(0, "2".into()), (1, "3".into()), (2, "4".into())]));
    }

    #[test]
    fn csv_blank_cells_are_not_kept_and_quoted_lines_count() {
        let g = csv_grid(b"a,,\"x\ny\",  \r\n\r\n,b\n", "x", &SheetLimits::default()).unwrap();
        assert_eq!(texts(&g, 0), (1, vec![(0, "a".into()), (2, "x\ny".into())]));
        assert_eq!(texts(&g, 1), (4, vec![(1, "b".into())]));
    }

    #[test]
    fn gbk_csv_is_refused_with_advice() {
        let e = csv_grid(&[0xB1, 0xA8, 0xCB, 0xCD], "x", &SheetLimits::default()).unwrap_err();
        assert!(e.reason.contains("UTF-8"), "{e}");
    }

    #[test]
    fn csv_past_a_cap_is_refused_where_it_passes_it() {
        let limits = SheetLimits { max_rows: 3, max_columns: 2, max_cells: 4, max_unzipped_bytes: 1 << 20 };
        let e = csv_grid(b"a,b,c\n", "x", &limits).unwrap_err();
        assert_eq!(e.row, 1);
        assert!(e.reason.contains("超过 2 列"), "{e}");
        let e = csv_grid(b"a\nb\nc\nd\n", "x", &limits).unwrap_err();
        assert!(e.row == 4 && e.reason.contains("A4") && e.reason.contains("最多 3 行"), "{e}");
        let e = csv_grid(b"a,b\nc,d\ne\n", "x", &limits).unwrap_err();
        assert!(e.row == 3 && e.reason.contains("超过上限 4 个"), "{e}");
        // A record of a million empty fields is refused, not built.
        let wide = vec![b','; 1_000_000];
        assert!(csv_grid(&wide, "x", &limits).unwrap_err().reason.contains("列"));
    }

    #[test]
    fn cells_out_of_order_are_sorted_and_the_last_write_wins() {
        let mut budget = Budget::new(&SheetLimits::default());
        let mut b = GridBuilder::new("s");
        for (r, c, t) in [(2, 1, "late"), (0, 0, "a"), (2, 0, "b"), (2, 1, "c")] {
            b.push(&mut budget, r, c, Incoming::Text(t)).unwrap();
        }
        let g = b.finish();
        assert_eq!(g.row_count(), 2);
        assert_eq!(texts(&g, 1), (3, vec![(0, "b".into()), (1, "c".into())]));
        assert_eq!(g.cell(g.row(1).1, 5), Raw::Empty);
    }

    #[test]
    fn a_grid_cell_costs_24_bytes_plus_its_text() {
        assert_eq!(std::mem::size_of::<Placed>(), 24);
    }
}
