//! Any table to a workbook — what every web table's “导出 Excel” button returns.

use rust_xlsxwriter::Workbook;

use crate::write::{add_sheet, SheetSpec};
use crate::ExchangeError;

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Written as an Excel date formatted `yyyy-mm-dd`, so officers can sort and filter by it.
    Date(time::Date),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Cell {
        Cell::Int(i)
    }
}

impl From<time::Date> for Cell {
    fn from(d: time::Date) -> Cell {
        Cell::Date(d)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// Writes one sheet: bold frozen header, autofilter, column widths that fit the content (CJK
/// characters count double, 8–60 characters), dates as Excel dates.
///
/// The title is made a legal sheet name (at most 31 characters, none of `[]:*?/\`, not blank),
/// since it often comes from a page heading. Every row must have one cell per header.
pub fn table_to_xlsx(
    sheet_title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, ExchangeError> {
    for (i, r) in rows.iter().enumerate() {
        if r.len() != headers.len() {
            return Err(ExchangeError::RowWidth { row: i + 2, cells: r.len(), headers: headers.len() });
        }
    }
    let name = sheet_name(sheet_title);
    let mut book = Workbook::new();
    add_sheet(
        &mut book,
        &SheetSpec { name: &name, headers, kinds: &[], rows, validate: false, autofilter: true },
    )?;
    Ok(book.save_to_buffer()?)
}

/// A legal Excel sheet name from any title.
pub(crate) fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .trim()
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '_' } else { c })
        .take(31)
        .collect();
    let cleaned = cleaned.trim_matches('\'').trim().to_owned();
    if cleaned.is_empty() {
        "Sheet1".to_owned()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_titles_are_made_legal() {
        assert_eq!(sheet_name("2025/03 检查结果"), "2025_03 检查结果");
        assert_eq!(sheet_name("  "), "Sheet1");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn ragged_row_is_refused() {
        let e = table_to_xlsx("t", &["a", "b"], &[vec![Cell::Int(1)]]).unwrap_err();
        assert_eq!(e, ExchangeError::RowWidth { row: 2, cells: 1, headers: 2 });
    }
}
