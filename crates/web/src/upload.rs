//! Reading a multipart upload: one file field named `file` and any number of text fields.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::Multipart;

use crate::error::AppError;

/// A read upload.
pub struct Upload {
    /// `(file name as sent, bytes)` of the `file` field, if one was sent.
    pub file: Option<(String, Bytes)>,
    pub fields: HashMap<String, String>,
}

impl Upload {
    /// The file, or a Chinese request to choose one.
    pub fn require_file(self, missing: &str) -> Result<(String, Bytes), AppError> {
        self.file.ok_or_else(|| AppError::bad("file", missing))
    }
}

/// Read every part; `default_name` stands in when the browser sent no file name.
pub async fn read_upload(mut multipart: Multipart, default_name: &str) -> Result<Upload, AppError> {
    let broken = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            // Past the route's `DefaultBodyLimit`: 413, not a 400 that reads like a broken form.
            AppError::PayloadTooLarge(
                "上传的文件超过本页面允许的大小上限,未作任何处理;请拆分为多个文件分批上传".into(),
            )
        } else {
            AppError::bad("file", format!("上传失败:{e}"))
        }
    };
    let mut upload = Upload { file: None, fields: HashMap::new() };
    while let Some(part) = multipart.next_field().await.map_err(broken)? {
        let Some(name) = part.name().map(str::to_owned) else { continue };
        if name == "file" {
            let file_name = part.file_name().unwrap_or(default_name).to_owned();
            upload.file = Some((file_name, part.bytes().await.map_err(broken)?));
        } else {
            upload.fields.insert(name, part.text().await.map_err(broken)?);
        }
    }
    Ok(upload)
}

/// A page's file upload: the caller holds `p`, the query string carries this session's CSRF token,
/// and a file was chosen. Returns its name (`default_name` when the browser sent none), its bytes,
/// and the spreadsheet caps in force today.
pub async fn read_page_file(
    state: &crate::AppState,
    caller: &crate::auth::Caller,
    p: lianjian_domain::org::Permission,
    csrf: Option<&str>,
    multipart: Multipart,
    default_name: &str,
) -> Result<(String, Bytes, lianjian_exchange::SheetLimits), AppError> {
    caller.require(p)?;
    caller.check_csrf(csrf)?;
    let (name, bytes) = read_upload(multipart, default_name).await?.require_file("请选择要上传的文件")?;
    let limits =
        lianjian_exchange::SheetLimits::from_params(&state.app.param_set().await?, state.app.today());
    Ok((name, bytes, limits))
}
