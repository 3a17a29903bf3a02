//! Hostile workbooks for the test suites (issue 15), written by hand — package, workbook and sheet
//! XML — so that they say exactly what the issue's files said. Not used by the platform itself.
//!
//! - [`two_cells`]`((1_048_575, 16_383), true)`: 1.6 KB, cells only at `A1` and `XFD1048576`,
//!   declaring `A1:XFD1048576` (calamine's dense range wanted 512 GiB and the server aborted).
//! - [`two_cells`]`((199_999, 25), true)`: `A1` and `Z200000` (≈ 340 MB before).
//! - [`deflate_bomb`]`(`[`BOMB_ROWS`]`)`: under 1 MB holding ≈ 195 MB of XML and ≈ 4.9 million
//!   tiny cells, declaring the range `A1` only, so that only counting the cells read can stop it.

use std::io::{self, Cursor, Write};

use zip::write::SimpleFileOptions;

/// The sheet every hostile workbook here has: the registry reader reads it first, the
/// partner-list reader reads the first sheet whatever its name.
pub const SHEET: &str = "机构";

/// Rows of the bomb: 190,000 × 26 cells of 39 bytes ≈ 195 MB of XML.
pub const BOMB_ROWS: usize = 190_000;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;
const SHEET_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#;
/// `A1` of every hostile sheet: a header the readers look for.
const A1: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c></row>"#;

/// An XLSX package with one sheet named [`SHEET`] whose XML `write_sheet` writes (streamed into the
/// deflater, so a large sheet is never held), plus any `extra` parts (path, content).
pub fn package(
    write_sheet: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    extra: &[(&str, &[u8])],
) -> Vec<u8> {
    let build = || -> zip::result::ZipResult<Vec<u8>> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(9));
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{SHEET}" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        );
        for (path, content) in [
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", ROOT_RELS.as_bytes()),
            ("xl/workbook.xml", workbook.as_bytes()),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ] {
            zip.start_file(path, opts)?;
            zip.write_all(content)?;
        }
        for (path, content) in extra {
            zip.start_file(*path, opts)?;
            zip.write_all(content)?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", opts)?;
        write_sheet(&mut zip)?;
        Ok(zip.finish()?.into_inner())
    };
    #[allow(clippy::expect_used)]
    build().expect("writing a package in memory cannot fail")
}

/// A sheet with a header at `A1` and one number at `far` (0-based row, column), declaring the
/// range `A1:far` when `declare` (else no `<dimension>` at all).
pub fn two_cells(far: (u32, u32), declare: bool) -> Vec<u8> {
    let far = crate::limits::cell_name(far.0, far.1);
    let row = far.trim_start_matches(|c: char| c.is_ascii_uppercase()).to_owned();
    package(
        |w| {
            w.write_all(SHEET_HEAD.as_bytes())?;
            if declare {
                write!(w, r#"<dimension ref="A1:{far}"/>"#)?;
            }
            write!(
                w,
                r#"<sheetData>{A1}<row r="{row}"><c r="{far}"><v>1</v></c></row></sheetData></worksheet>"#
            )
        },
        &[],
    )
}

/// A deflate bomb: `rows` rows of 26 number cells after the header, written without cell
/// references (each cell's place follows from the one before) so that they compress ≈ 200:1,
/// while the sheet declares the range `A1` only.
pub fn deflate_bomb(rows: usize) -> Vec<u8> {
    let cell = r#"<c s="0" t="n"><v>0.12345678901</v></c>"#;
    let row = format!("<row>{}</row>", cell.repeat(26));
    package(
        |w| {
            w.write_all(SHEET_HEAD.as_bytes())?;
            write!(w, r#"<dimension ref="A1"/><sheetData>{A1}"#)?;
            for _ in 0..rows {
                w.write_all(row.as_bytes())?;
            }
            w.write_all(b"</sheetData></worksheet>")
        },
        &[],
    )
}

/// The sheet XML of `rows` rows of text cells (a header row first), for packages built with
/// [`package`] that should read as ordinary data.
pub fn text_rows<'a>(rows: &'a [&'a [&'a str]]) -> impl FnOnce(&mut dyn Write) -> io::Result<()> + 'a {
    move |w| {
        w.write_all(SHEET_HEAD.as_bytes())?;
        w.write_all(b"<sheetData>")?;
        for (r, cells) in rows.iter().enumerate() {
            write!(w, r#"<row r="{}">"#, r + 1)?;
            for (c, text) in cells.iter().enumerate() {
                let at = crate::limits::cell_name(r as u32, c as u32);
                write!(w, r#"<c r="{at}" t="inlineStr"><is><t>{text}</t></is></c>"#)?;
            }
            w.write_all(b"</row>")?;
        }
        w.write_all(b"</sheetData></worksheet>")
    }
}
