//! Workbook builders and inspectors shared by the tests.

use std::io::{Cursor, Read};

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// A cell to put in a hand-made workbook.
#[derive(Clone, Debug)]
pub enum V {
    S(String),
    N(f64),
    /// A real Excel date cell.
    D(u16, u8, u8),
    E,
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        if s.is_empty() {
            V::E
        } else {
            V::S(s.to_owned())
        }
    }
}

/// A row of text cells (`""` = blank).
pub fn row(cells: &[&str]) -> Vec<V> {
    cells.iter().map(|c| V::from(*c)).collect()
}

/// A workbook with the given sheets, as an officer might save it.
pub fn book(sheets: &[(&str, Vec<Vec<V>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, cells) in rows.iter().enumerate() {
            for (c, v) in cells.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    V::S(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    V::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    V::D(y, m, d) => {
                        ws.write_datetime_with_format(
                            r,
                            c,
                            ExcelDateTime::from_ymd(*y, *m, *d).unwrap(),
                            &date,
                        )
                        .unwrap();
                    }
                    V::E => {}
                }
            }
        }
    }
    wb.save_to_buffer().unwrap()
}

/// Sheet names of a workbook, as calamine sees them.
pub fn sheet_names(bytes: &[u8]) -> Vec<String> {
    let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    wb.sheet_names()
}

/// All cells of one sheet, as calamine reads them.
pub fn cells(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

/// The header row of one sheet as text.
pub fn headers(bytes: &[u8], sheet: &str) -> Vec<String> {
    cells(bytes, sheet)[0].iter().map(ToString::to_string).collect()
}

/// The XML of the n-th worksheet (1-based) inside the package.
pub fn sheet_xml(bytes: &[u8], n: usize) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut f = zip.by_name(&format!("xl/worksheets/sheet{n}.xml")).unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    s
}

/// A valid USCC with the given 17-character body.
pub fn uscc(body: &str) -> String {
    format!("{body}{}", lianjian_domain::uscc::check_char(body).unwrap())
}
