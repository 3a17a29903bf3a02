//! A grid located by its Chinese header row and read cell by cell into typed values, while every
//! problem is collected.

use std::collections::HashMap;

use time::{Date, Month};

use crate::grid::{Grid, Placed, Raw};
use crate::SheetProblem;

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
    grid: &'g Grid,
    /// Index (in the grid's non-empty rows) of the first data row.
    first: usize,
}

/// Header text normalised for matching: whitespace removed, a trailing required-marker `*` dropped.
fn header_key(s: &str) -> String {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    s.trim_end_matches(['*', '\u{FF0A}']).to_owned()
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
        let text = |p: &Placed| match grid.raw(p) {
            Raw::Text(s) => header_key(s),
            Raw::Number(n) => number_text(n),
            _ => String::new(),
        };
        // The grid keeps only non-empty cells, so each of its rows is non-blank.
        if grid.row_count() == 0 {
            return Err(vec![SheetProblem::new(
                sheet,
                1,
                "",
                format!("工作表为空,缺少表头行({})", expected.join("、")),
            )]);
        }
        let at = (0..grid.row_count().min(10))
            .find(|&i| grid.row(i).1.iter().any(|c| text(c) == key))
            .unwrap_or(0);
        let (header_row, cells) = grid.row(at);
        let mut cols = HashMap::new();
        let mut problems = Vec::new();
        for &h in expected {
            let found: Vec<usize> = cells.iter().filter(|c| text(c) == h).map(|c| c.col as usize).collect();
            match found.as_slice() {
                [] if required.contains(&h) => {
                    problems.push(SheetProblem::new(sheet, header_row, h, format!("表头缺少必需的列“{h}”")))
                }
                [] => {}
                [i] => {
                    cols.insert(h, *i);
                }
                [i, ..] => {
                    problems.push(SheetProblem::new(
                        sheet,
                        header_row,
                        h,
                        format!("表头中列“{h}”出现了 {} 次", found.len()),
                    ));
                    cols.insert(h, *i);
                }
            }
        }
        if problems.is_empty() {
            Ok(Table { sheet, cols, grid, first: at + 1 })
        } else {
            Err(problems)
        }
    }

    /// The non-blank data rows, each ready to be read cell by cell.
    pub fn rows<'t>(&'t self) -> impl Iterator<Item = RowReader<'t>> + 't {
        (self.first..self.grid.row_count()).map(move |i| {
            let (row, cells) = self.grid.row(i);
            RowReader {
                sheet: self.sheet,
                row,
                grid: self.grid,
                cells,
                cols: &self.cols,
                problems: Vec::new(),
            }
        })
    }
}

/// Reads the cells of one row by header, collecting a problem for each bad cell.
pub(crate) struct RowReader<'t> {
    pub sheet: &'t str,
    pub row: usize,
    grid: &'t Grid,
    cells: &'t [Placed],
    cols: &'t HashMap<&'static str, usize>,
    pub problems: Vec<SheetProblem>,
}

impl<'t> RowReader<'t> {
    fn cell(&self, col: &str) -> Raw<'t> {
        self.cols.get(col).map_or(Raw::Empty, |&i| self.grid.cell(self.cells, i))
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
        match self.cell(col) {
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
        match self.cell(col) {
            Raw::Empty => Ok(None),
            Raw::Date(d) => Ok(Some(d)),
            Raw::Text(s) => parse_date_text(s).map(Some).ok_or_else(|| self.fail(col, bad(s.trim()))),
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
}
