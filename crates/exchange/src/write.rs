//! The one way Lianjian writes a worksheet: bold frozen header, widths that fit Chinese text,
//! dates as real Excel dates, and — on sheets meant to be filled in — drop-downs and date checks.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format, FormatAlign,
    Workbook, Worksheet, XlsxError,
};
use time::Date;

use crate::table::Cell;
use crate::vocab::display_width;

/// Last row index Excel has (1,048,576 rows, 0-based).
const LAST_ROW: u32 = 1_048_575;
/// Excel's date number format used everywhere.
pub(crate) const DATE_FORMAT: &str = "yyyy-mm-dd";

/// What a column holds, for its format and its data validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Free text.
    Text,
    /// A code typed as text (USCC, certificate or person number): formatted `@` so that Excel
    /// keeps `201912345678` as typed instead of turning it into a number.
    Code,
    /// A date.
    Date,
    /// One value from a list (drop-down, other values refused).
    OneOf(&'static [&'static str]),
    /// Several values from a list, separated by 、 (drop-down offered, other values allowed).
    SomeOf(&'static [&'static str]),
}

/// A sheet to write.
pub(crate) struct SheetSpec<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    /// One per header; empty means every column is inferred from its cells.
    pub kinds: &'a [Kind],
    pub rows: &'a [Vec<Cell>],
    /// Add drop-downs and date validation down to the last row (sheets meant to be edited).
    pub validate: bool,
    pub autofilter: bool,
}

fn header_format() -> Format {
    Format::new().set_bold().set_background_color(0x00DD_EBF7).set_align(FormatAlign::Center)
}

/// An Excel date, or `None` outside Excel's 1900–9999 range (written as text instead).
fn excel_date(d: Date) -> Option<ExcelDateTime> {
    let y = u16::try_from(d.year()).ok().filter(|y| (1900..=9999).contains(y))?;
    ExcelDateTime::from_ymd(y, u8::from(d.month()), d.day()).ok()
}

fn cell_width(c: &Cell) -> usize {
    match c {
        Cell::Text(s) => display_width(s),
        Cell::Int(i) => i.to_string().len(),
        Cell::Date(_) => 10,
        Cell::Empty => 0,
    }
}

/// Adds a worksheet and writes header and rows.
pub(crate) fn add_sheet(book: &mut Workbook, spec: &SheetSpec<'_>) -> Result<(), XlsxError> {
    let date_fmt = Format::new().set_num_format(DATE_FORMAT);
    let code_fmt = Format::new().set_num_format("@");
    let ws = book.add_worksheet();
    ws.set_name(spec.name)?;
    let head = header_format();
    for (c, h) in spec.headers.iter().enumerate() {
        let col = col_num(c)?;
        ws.write_string_with_format(0, col, *h, &head)?;
        let kind = spec.kinds.get(c).copied().unwrap_or(Kind::Text);
        let width = spec
            .rows
            .iter()
            .filter_map(|r| r.get(c))
            .map(cell_width)
            .chain([display_width(h), if kind == Kind::Date { 10 } else { 0 }])
            .max()
            .unwrap_or(0);
        ws.set_column_width(col, (width + 2).clamp(8, 60) as f64)?;
        match kind {
            Kind::Date => {
                ws.set_column_format(col, &date_fmt)?;
            }
            Kind::Code => {
                ws.set_column_format(col, &code_fmt)?;
            }
            _ => {}
        }
        if spec.validate {
            add_validation(ws, col, h, kind)?;
        }
    }
    for (r, row) in spec.rows.iter().enumerate() {
        let rn =
            u32::try_from(r + 1).ok().filter(|&n| n <= LAST_ROW).ok_or(XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = col_num(c)?;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(rn, col, s)?;
                }
                // Beyond 2^53 a double would change the digits: keep them as text.
                Cell::Int(i) if i.unsigned_abs() <= 1 << 53 => {
                    ws.write_number(rn, col, *i as f64)?;
                }
                Cell::Int(i) => {
                    ws.write_string(rn, col, i.to_string())?;
                }
                Cell::Date(d) => match excel_date(*d) {
                    Some(x) => {
                        ws.write_datetime_with_format(rn, col, x, &date_fmt)?;
                    }
                    None => {
                        ws.write_string(rn, col, lianjian_registry::date::format(*d))?;
                    }
                },
                Cell::Empty => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if spec.autofilter && !spec.headers.is_empty() {
        let last_row = u32::try_from(spec.rows.len()).unwrap_or(LAST_ROW).min(LAST_ROW);
        ws.autofilter(0, 0, last_row, col_num(spec.headers.len() - 1)?)?;
    }
    Ok(())
}

fn col_num(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).ok().filter(|&c| c < 16_384).ok_or(XlsxError::RowColumnLimitError)
}

fn add_validation(ws: &mut Worksheet, col: u16, header: &str, kind: Kind) -> Result<(), XlsxError> {
    let v = match kind {
        Kind::Text | Kind::Code => return Ok(()),
        Kind::Date => {
            let (lo, hi) = (ExcelDateTime::from_ymd(1900, 1, 1)?, ExcelDateTime::from_ymd(9999, 12, 31)?);
            DataValidation::new()
                .allow_date(DataValidationRule::Between(lo, hi))
                .set_input_title(header)?
                .set_input_message("请输入日期,如 2025-03-01 或 2025/3/1")?
                .set_error_title("日期无效")?
                .set_error_message(format!("“{header}”应为日期,如 2025-03-01"))?
        }
        Kind::OneOf(list) => DataValidation::new()
            .allow_list_strings(list)?
            .set_error_title("取值无效")?
            .set_error_message(format!("“{header}”只能从下拉列表中选择:{}", list.join("、")))?,
        Kind::SomeOf(list) => DataValidation::new()
            .allow_list_strings(list)?
            .set_input_title(header)?
            .set_input_message("可从下拉列表选择;多个请用“、”分隔,如 水、气")?
            // Several values in one cell are not in the list: warn softly, let them stand.
            .set_error_style(DataValidationErrorStyle::Information)
            .set_error_title("多个取值")?
            .set_error_message(format!("多个取值请用“、”分隔,每个须是:{}", list.join("、")))?,
    };
    ws.add_data_validation(1, col, LAST_ROW, col, &v)?;
    Ok(())
}

/// Adds the 说明 (instructions) sheet: a title, then (topic, text) rows.
pub(crate) fn add_notes_sheet(
    book: &mut Workbook,
    title: &str,
    notes: &[(&str, String)],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name("说明")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    ws.write_string_with_format(0, 0, title, &bold)?;
    ws.set_column_width(0, 16)?;
    ws.set_column_width(1, 100)?;
    for (i, (topic, text)) in notes.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, *topic, &bold)?;
        ws.write_string_with_format(r, 1, text, &wrap)?;
    }
    Ok(())
}
