//! Spreadsheet edges of Lianjian 联监: officers live in Excel, so the registry snapshot, the
//! partner-department lists (exchange-formats §1, §4) and every web table travel as workbooks.
//!
//! Pure: bytes in, bytes out. No file or network I/O, no async runtime, no web framework — the
//! web and CLI layers hand in the uploaded bytes and send back the ones returned here.
//!
//! Bad input is a normal path. Readers never stop at the first bad cell: they return every
//! problem at once as a [`SheetProblem`] that names the sheet, the row as Excel shows it, the
//! Chinese column header and a Chinese reason, so an officer can fix the whole file in one pass.
//!
//! - [`registry_xlsx`]: registry snapshot ⇄ workbook (one sheet per table) and its blank template.
//! - [`partner_list`]: the R11 partner-department list from XLSX or CSV, and its template.
//! - [`table`]: any table to a workbook, behind every “导出 Excel” button.
//!
//! Every reader takes a [`SheetLimits`] (issue 15): an uploaded file is checked against the caps in
//! force before anything is built from it and read as a stream, so reading one takes bounded
//! memory whatever it declares (see [`limits`]).

mod grid;
pub mod limits;
mod package;
pub mod partner_list;
pub mod registry_xlsx;
mod sheet;
pub mod table;
pub mod testing;
mod vocab;
mod write;

pub use limits::SheetLimits;
pub use partner_list::{parse_partner_list, partner_list_template, Commission, PartnerRow};
pub use registry_xlsx::{registry_template, snapshot_from_xlsx, snapshot_to_xlsx};
pub use table::{table_to_xlsx, Cell};

/// One problem in an uploaded spreadsheet, located the way an officer finds it in Excel.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SheetProblem {
    /// Sheet name (e.g. `证书`); empty when the whole file is at fault.
    pub sheet: String,
    /// 1-based row number as Excel shows it (the header is usually row 1); 0 for the whole file
    /// or sheet.
    pub row: usize,
    /// The Chinese column header at fault (e.g. `有效期至`); empty when no single column is.
    pub field: String,
    /// Why, in Chinese, saying what to fix.
    pub reason: String,
}

impl SheetProblem {
    pub(crate) fn new(sheet: &str, row: usize, field: &str, reason: impl Into<String>) -> SheetProblem {
        SheetProblem { sheet: sheet.to_owned(), row, field: field.to_owned(), reason: reason.into() }
    }
}

impl std::fmt::Display for SheetProblem {
    /// `工作表“证书”第 3 行“有效期至”:…`, the sentence shown in an import report.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.sheet.is_empty() {
            write!(f, "工作表“{}”", self.sheet)?;
        }
        if self.row > 0 {
            write!(f, "第 {} 行", self.row)?;
        }
        if !self.field.is_empty() {
            write!(f, "“{}”", self.field)?;
        }
        if !self.sheet.is_empty() || self.row > 0 || !self.field.is_empty() {
            f.write_str(":")?;
        }
        f.write_str(&self.reason)
    }
}

/// A workbook could not be produced. Only programming mistakes lead here (a row wider than its
/// header, a table beyond Excel's 1,048,576 rows); the message is for the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// A data row does not have one cell per header.
    #[error("第 {row} 行有 {cells} 个单元格,表头有 {headers} 列")]
    RowWidth { row: usize, cells: usize, headers: usize },
    /// The XLSX writer refused (e.g. too many rows); the cause as it gave it.
    #[error("无法生成 Excel 文件:{0}")]
    Xlsx(String),
}

impl From<rust_xlsxwriter::XlsxError> for ExchangeError {
    fn from(e: rust_xlsxwriter::XlsxError) -> ExchangeError {
        ExchangeError::Xlsx(e.to_string())
    }
}

/// Kind of an uploaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Office Open XML workbook (`.xlsx`, also what WPS saves).
    Xlsx,
    /// Comma-separated values in UTF-8 (a byte-order mark is accepted).
    Csv,
}

impl FileKind {
    /// The kind by file-name extension (case-insensitive), for upload forms.
    pub fn from_file_name(name: &str) -> Option<FileKind> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" => Some(FileKind::Xlsx),
            "csv" => Some(FileKind::Csv),
            _ => None,
        }
    }
}
