//! Issue 15: spreadsheets that declare or hold more than the caps are refused with a Chinese
//! sentence saying what to do, before anything large is built — never by aborting the process.
//! Each of the three files of the issue fails on the code before the fix (the first one by
//! aborting the test binary with a 512 GiB allocation).

use std::sync::OnceLock;

use lianjian_exchange::limits::MB;
use lianjian_exchange::testing::{self, BOMB_ROWS, SHEET};
use lianjian_exchange::{parse_partner_list, snapshot_from_xlsx, FileKind, SheetLimits, SheetProblem};

fn bomb() -> &'static [u8] {
    static BOMB: OnceLock<Vec<u8>> = OnceLock::new();
    BOMB.get_or_init(|| testing::deflate_bomb(BOMB_ROWS))
}

/// The one problem of a refused file, from both readers.
fn refused(bytes: &[u8], limits: &SheetLimits) -> SheetProblem {
    let registry = snapshot_from_xlsx(bytes, limits).expect_err("registry reader refuses");
    let partner = parse_partner_list(bytes, FileKind::Xlsx, limits).expect_err("partner reader refuses");
    assert_eq!(registry.len(), 1, "{registry:?}");
    assert_eq!(registry, partner, "both readers refuse the same way");
    registry.into_iter().next().unwrap()
}

#[test]
fn issue_15_a1_and_xfd1048576_declared_is_refused_by_its_declared_range() {
    let x = testing::two_cells((1_048_575, 16_383), true);
    assert!(x.len() < 2_000, "{} bytes", x.len());
    let p = refused(&x, &SheetLimits::default());
    assert_eq!((p.sheet.as_str(), p.row), (SHEET, 0));
    let text = p.to_string();
    assert!(
        text.starts_with("工作表“机构”:声明的范围 A1:XFD1048576(1048576 行 × 16384 列")
            && text.contains("最多 500000 行、200 列")
            && text.contains("请删除表格之外的多余行列后重新保存"),
        "{text}"
    );
}

#[test]
fn issue_15_a1_and_z200000_declared_is_refused_for_its_area() {
    let p = refused(&testing::two_cells((199_999, 25), true), &SheetLimits::default());
    assert!(
        p.reason.contains("A1:Z200000(200000 行 × 26 列,共 5200000 个单元格)")
            && p.reason.contains("整个文件最多 4000000 个单元格"),
        "{p}"
    );
}

#[test]
fn issue_15_a_far_cell_without_a_declared_range_is_refused_where_it_is() {
    let p = refused(&testing::two_cells((1_048_575, 16_383), false), &SheetLimits::default());
    assert_eq!((p.sheet.as_str(), p.row), (SHEET, 1_048_576));
    assert!(
        p.reason.starts_with("单元格 XFD1048576 有内容,超出上限(每个工作表最多 500000 行、200 列)"),
        "{p}"
    );
    // Within the caps, the same two cells are just a sheet with a stray number far below.
    let ok = SheetLimits { max_rows: 1_048_576, max_columns: 16_384, ..SheetLimits::default() };
    let p = snapshot_from_xlsx(&testing::two_cells((1_048_575, 16_383), false), &ok).unwrap_err();
    assert!(p.iter().all(|p| !p.reason.contains("上限")), "{p:?}");
}

#[test]
fn issue_15_deflate_bomb_is_refused_when_the_cell_cap_is_passed() {
    let x = bomb();
    assert!(x.len() < MB as usize, "{} bytes", x.len());
    let p = refused(x, &SheetLimits::default());
    // 4,000,001st non-empty cell: the header, then 26 a row.
    assert_eq!((p.sheet.as_str(), p.row), (SHEET, 153_848));
    assert!(p.reason.starts_with("整个文件的非空单元格超过上限 4000000 个"), "{p}");
}

#[test]
fn deflate_bomb_past_the_unzipped_cap_is_refused_while_inflating() {
    let limits = SheetLimits { max_unzipped_bytes: 100 * MB, ..SheetLimits::default() };
    let p = refused(bomb(), &limits);
    assert_eq!((p.sheet.as_str(), p.row), ("", 0));
    assert!(
        p.reason.starts_with("工作簿解压后有 ") && p.reason.contains("MB(文件中声明),超过上限 100 MB"),
        "{p}"
    );
}

/// Sets every size the package declares for `part` to `size`, as a forged package would.
fn lie_about_size(bytes: &mut [u8], part: &str, size: u32) {
    let name = part.as_bytes();
    let mut patched = 0;
    for (sig, name_len_at, size_at, header) in [(b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)] {
        let mut i = 0;
        while let Some(off) = memchr::memmem::find(&bytes[i..], sig) {
            let at = i + off;
            let n = u16::from_le_bytes([bytes[at + name_len_at], bytes[at + name_len_at + 1]]) as usize;
            if bytes.get(at + header..at + header + n) == Some(name) {
                bytes[at + size_at..at + size_at + 4].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
            i = at + 4;
        }
    }
    assert_eq!(patched, 2, "local and central header of {part}");
}

#[test]
fn a_package_that_understates_its_sizes_is_refused_while_inflating() {
    // 20 MB of XML declared as 1,000 bytes, under a 10 MB cap: the declared total passes, the
    // inflating stops (the zip reader refuses output beyond the declared size; the guard would
    // stop at the cap).
    let mut x = testing::deflate_bomb(20_000);
    lie_about_size(&mut x, "xl/worksheets/sheet1.xml", 1_000);
    let limits = SheetLimits { max_unzipped_bytes: 10 * MB, ..SheetLimits::default() };
    let p = refused(&x, &limits);
    assert!(
        p.reason.starts_with("文件不是可读取的 Excel 工作簿(.xlsx):部件 xl/worksheets/sheet1.xml 无法解压")
            && p.reason.contains("文件可能已损坏或被篡改"),
        "{p}"
    );
}

#[test]
fn a_file_larger_than_the_unzipped_cap_is_refused_before_it_is_opened() {
    let mut x = testing::two_cells((1, 1), true);
    x.resize(3 * MB as usize, 0);
    let limits = SheetLimits { max_unzipped_bytes: 2 * MB, ..SheetLimits::default() };
    let p = refused(&x, &limits);
    assert!(p.reason.starts_with("文件大小 3 MB,超过上传工作簿的上限 2 MB"), "{p}");
}

#[test]
fn a_shared_string_table_claiming_more_strings_than_cells_is_refused_before_calamine_reserves_them() {
    // calamine reserves `uniqueCount` strings up front: 2^40 of them would abort the process.
    let sst = br#"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1099511627776"><si><t>x</t></si></sst>"#;
    let x = testing::package(testing::text_rows(&[&["统一社会信用代码"]]), &[("xl/sharedStrings.xml", sst)]);
    let p = refused(&x, &SheetLimits::default());
    assert!(p.reason.starts_with("工作簿的共享字符串表有 1099511627776 项,超过单元格上限 4000000 个"), "{p}");
}

#[test]
fn cell_formats_that_would_each_copy_a_huge_font_name_are_refused() {
    // One font with a 1 MB name and 20,000 cell formats using it: calamine would hold 20 GB of copies.
    let mut styles = String::from(
        r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><name val=""#,
    );
    styles.push_str(&"宋".repeat(350_000));
    styles.push_str(r#""/></font></fonts><cellXfs count="20000">"#);
    styles.push_str(&r#"<xf numFmtId="0" fontId="0"></xf>"#.repeat(20_000));
    styles.push_str("</cellXfs></styleSheet>");
    let x = testing::package(
        testing::text_rows(&[&["统一社会信用代码"]]),
        &[("xl/styles.xml", styles.as_bytes())],
    );
    let p = refused(&x, &SheetLimits::default());
    assert!(p.reason.starts_with("部件 xl/styles.xml 中的单元格格式合计超过 16 MB"), "{p}");
}

#[test]
fn a_single_token_longer_than_16_mb_is_refused() {
    let mut sheet = String::from(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>"#,
    );
    sheet.push_str(&"x".repeat(17 * MB as usize));
    sheet.push_str("</t></is></c></row></sheetData></worksheet>");
    let x = testing::package(|w| w.write_all(sheet.as_bytes()), &[]);
    let p = refused(&x, &SheetLimits::default());
    assert!(p.reason.starts_with("部件 xl/worksheets/sheet1.xml 中有一段超过 16 MB 的连续内容"), "{p}");
}

#[test]
fn cell_text_past_the_budget_is_refused_even_when_one_shared_string_repeats() {
    // One shared string of 100 KB used by 200 cells: 20 MB of text from a few KB of XML.
    let sst = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1"><si><t>{}</t></si></sst>"#,
        "y".repeat(100_000)
    );
    let mut sheet = String::from(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for r in 1..=200 {
        sheet.push_str(&format!(r#"<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>"#));
    }
    sheet.push_str("</sheetData></worksheet>");
    let x = testing::package(|w| w.write_all(sheet.as_bytes()), &[("xl/sharedStrings.xml", sst.as_bytes())]);
    let limits = SheetLimits { max_unzipped_bytes: 10 * MB, ..SheetLimits::default() };
    let p = refused(&x, &limits);
    assert!(p.reason.starts_with("整个文件的单元格文字合计超过上限 10 MB"), "{p}");
    assert_eq!(p.row, 105);
}

#[test]
fn a_zip_with_a_huge_central_directory_is_refused_before_it_is_parsed() {
    let mut x = testing::two_cells((1, 1), true);
    x.extend(std::iter::repeat_n(*b"PK\x01\x02", 10_001).flatten());
    let p = refused(&x, &SheetLimits::default());
    assert!(p.reason.contains("个压缩条目(上限 10000 个)"), "{p}");
}

#[test]
fn the_first_cell_past_the_cell_cap_is_where_the_file_is_refused() {
    let head = "统一社会信用代码";
    let x = testing::package(testing::text_rows(&[&[head, "a", "b"], &["c", "d", "e"]]), &[]);
    let limits = SheetLimits { max_cells: 5, ..SheetLimits::default() };
    let p = parse_partner_list(&x, FileKind::Xlsx, &limits).unwrap_err();
    assert_eq!((p.len(), p[0].row), (1, 2), "{p:?}");
    let limits = SheetLimits { max_cells: 6, ..SheetLimits::default() };
    let p = parse_partner_list(&x, FileKind::Xlsx, &limits).unwrap_err();
    assert!(p.iter().all(|p| !p.reason.contains("上限")), "read, then refused for its content: {p:?}");
}

#[test]
fn a_csv_partner_list_past_the_caps_is_refused() {
    let limits = SheetLimits { max_rows: 3, ..SheetLimits::default() };
    let csv = "报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称,委托类型\n\n\nWATER,2025,x,y,水,z,行政执法\n";
    let p = parse_partner_list(csv.as_bytes(), FileKind::Csv, &limits).unwrap_err();
    assert_eq!(p.len(), 1);
    assert!(
        p[0].row == 4 && p[0].reason.starts_with("单元格 A4 有内容,超出上限(每个工作表最多 3 行"),
        "{p:?}"
    );
}
