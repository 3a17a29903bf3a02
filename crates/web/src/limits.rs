//! One body limit per kind of upload (`docs/security.md` lists them). A body beyond its limit is
//! refused with 413 and a Chinese problem or page naming the limit; what a body may contain beyond
//! its size (a workbook's cells, a report batch's lines) is limited where it is read.

/// A JSON action under `/api/v1`: sign-in, a password change, a decision, a record.
pub const JSON_BODY: usize = 1 << 20;
/// A registry snapshot (exchange-formats §1) posted to `POST /api/v1/registry`. A city registry of
/// 10,000 institutions is about 20 MB; the demo district's export 1.9 MB.
pub const REGISTRY_SNAPSHOT: usize = 64 << 20;

/// `64 MB`, `1 MB`.
pub fn human(bytes: usize) -> String {
    format!("{} MB", bytes >> 20)
}
