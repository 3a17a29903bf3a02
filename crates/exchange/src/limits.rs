//! How much an uploaded spreadsheet may hold (issue 15). An XLSX is a zip of XML: 1.6 KB can
//! declare a sheet of 17 billion cells and 800 KB can inflate to 200 MB of XML, and a reader that
//! sizes its work by what the file says aborts the whole server. Every reader of this crate takes a
//! [`SheetLimits`] and refuses, with a [`crate::SheetProblem`] saying what to do, as soon as a file
//! passes one of them; the caps are operational parameters (`lianjian_domain::params`) so that an
//! operator can size them to the server.
//!
//! With the caps in force, reading one file takes at most about
//! `100 MB + 3 × max_unzipped_bytes + 200 bytes × max_cells` of memory — the file, calamine's
//! shared strings and one XML token, the grid (24 bytes a cell plus its text) and what a reader
//! builds from it — whatever the file declares: ≈ 1.5 GB at the defaults in the worst case a
//! crafted file can reach, 109 MB measured for the deflate bomb (`docs/security.md`,
//! “Uploaded spreadsheets”).

use lianjian_domain::params::{ParamKey, ParamSet, EPOCH};
use time::Date;

/// Caps on one uploaded spreadsheet, taken from the parameters in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetLimits {
    /// Highest row number (1-based, as Excel shows it) a sheet may declare or use.
    pub max_rows: u32,
    /// Highest column number (A = 1) a sheet may declare or use.
    pub max_columns: u32,
    /// Non-empty cells in the whole file; also the largest range a sheet may declare.
    pub max_cells: u64,
    /// Bytes the parts of an XLSX may inflate to, together; also the most cell text kept from
    /// one file (a shared string repeated in every cell is counted every time).
    pub max_unzipped_bytes: u64,
}

/// One megabyte as the parameters count it.
pub const MB: u64 = 1024 * 1024;

impl SheetLimits {
    /// The caps in force on `day` ([`ParamKey::UploadMaxRows`] and the three after it).
    pub fn from_params(params: &ParamSet, day: Date) -> SheetLimits {
        let v = |k: ParamKey| u64::try_from(params.value_on(k, day)).unwrap_or(0);
        SheetLimits {
            max_rows: u32::try_from(v(ParamKey::UploadMaxRows)).unwrap_or(u32::MAX),
            max_columns: u32::try_from(v(ParamKey::UploadMaxColumns)).unwrap_or(u32::MAX),
            max_cells: v(ParamKey::UploadMaxCells),
            max_unzipped_bytes: v(ParamKey::UploadMaxUnzippedMb).saturating_mul(MB),
        }
    }

    /// The cap on unzipped bytes in whole megabytes, for messages.
    pub(crate) fn unzipped_mb(&self) -> u64 {
        self.max_unzipped_bytes / MB
    }

    /// Cell text kept from one file: the unzipped cap, but offsets into the text are 32-bit.
    pub(crate) fn max_text_bytes(&self) -> u64 {
        self.max_unzipped_bytes.min(u64::from(u32::MAX))
    }
}

impl Default for SheetLimits {
    /// The catalogue defaults (500,000 rows, 200 columns, 4,000,000 cells, 200 MB).
    fn default() -> SheetLimits {
        SheetLimits::from_params(&ParamSet::defaults(), EPOCH)
    }
}

/// Excel's name of a column, 0-based: 0 → `A`, 16383 → `XFD`.
pub(crate) fn column_name(col: u32) -> String {
    let mut n = u64::from(col) + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Excel's name of a cell, 0-based row and column: (0, 0) → `A1`.
pub(crate) fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", column_name(col), u64::from(row) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names_as_excel_writes_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(199_999, 25), "Z200000");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(u32::MAX), "MWLQKWV");
    }

    #[test]
    fn defaults_come_from_the_parameter_catalogue() {
        let l = SheetLimits::default();
        assert_eq!((l.max_rows, l.max_columns, l.max_cells), (500_000, 200, 4_000_000));
        assert_eq!(l.max_unzipped_bytes, 200 * MB);
    }
}
