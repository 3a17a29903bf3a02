//! "导出 Excel" for every table: one helper that turns rows into a download.

use axum::http::header;
use axum::response::{IntoResponse, Response};
pub use lianjian_exchange::table::Cell;

use crate::error::AppError;

/// An `.xlsx` download of one table; `file_name` may be Chinese (RFC 5987 encoded).
pub fn xlsx_response(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
    file_name: &str,
) -> Result<Response, AppError> {
    let bytes = lianjian_exchange::table::table_to_xlsx(sheet, headers, rows)
        .map_err(|e| AppError::Internal(format!("xlsx: {e}")))?;
    Ok(download(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", file_name))
}

/// A file download with a UTF-8 file name.
pub fn download(bytes: Vec<u8>, content_type: &'static str, file_name: &str) -> Response {
    let encoded: String = file_name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let disposition = format!("attachment; filename=\"export.xlsx\"; filename*=UTF-8''{encoded}");
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}
