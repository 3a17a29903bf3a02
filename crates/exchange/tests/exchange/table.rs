//! `table_to_xlsx`: what the “导出 Excel” buttons return.

use calamine::Data;
use lianjian_exchange::{table_to_xlsx, Cell, ExchangeError};
use time::macros::date;

use crate::support::{cells, sheet_names, sheet_xml};

fn sample() -> Vec<u8> {
    table_to_xlsx(
        "抽查结果",
        &["机构名称", "报告数", "出具日期", "备注"],
        &[
            vec![
                "上海某某检测技术有限公司".into(),
                Cell::Int(12),
                Cell::Date(date!(2025 - 03 - 01)),
                Cell::Empty,
            ],
            vec!["B".into(), Cell::Int(-3), Cell::Date(date!(2024 - 12 - 31)), "ok".into()],
        ],
    )
    .unwrap()
}

#[test]
fn exported_table_rereads_with_calamine() {
    let x = sample();
    assert_eq!(sheet_names(&x), vec!["抽查结果"]);
    let c = cells(&x, "抽查结果");
    assert_eq!(
        c[0],
        vec![Data::String("机构名称".into()), "报告数".into(), "出具日期".into(), "备注".into()]
    );
    assert_eq!(c[1][0], Data::String("上海某某检测技术有限公司".into()));
    assert_eq!(c[1][1], Data::Float(12.0));
    let Data::DateTime(d) = &c[1][2] else { panic!("not a date cell: {:?}", c[1][2]) };
    assert_eq!(d.to_ymd_hms_milli(), (2025, 3, 1, 0, 0, 0, 0));
    assert_eq!(c[1][3], Data::Empty);
    assert_eq!(c[2][1], Data::Float(-3.0));
    assert_eq!(c[2][3], Data::String("ok".into()));
}

#[test]
fn header_is_frozen_filtered_and_dates_are_formatted() {
    let xml = sheet_xml(&sample(), 1);
    assert!(xml.contains(r#"ySplit="1""#), "frozen header: {xml}");
    assert!(xml.contains(r#"<autoFilter ref="A1:D3"/>"#), "autofilter: {xml}");
    let styles = {
        use std::io::Read;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(sample())).unwrap();
        let mut s = String::new();
        zip.by_name("xl/styles.xml").unwrap().read_to_string(&mut s).unwrap();
        s
    };
    assert!(styles.contains("yyyy-mm-dd"), "{styles}");
}

#[test]
fn column_widths_count_chinese_characters_double() {
    let x =
        table_to_xlsx("t", &["名称", "n"], &[vec!["上海某某检测技术有限公司".into(), Cell::Int(1)]]).unwrap();
    let xml = sheet_xml(&x, 1);
    // 12 Chinese characters = 24 units, plus 2 of padding; the number column gets the minimum 8.
    let widths: Vec<f64> =
        xml.split("width=\"").skip(1).map(|s| s.split('"').next().unwrap().parse().unwrap()).collect();
    assert_eq!(widths.len(), 2, "{xml}");
    assert!(widths[0] >= 26.0 && widths[0] < 27.0, "{widths:?}");
    assert!(widths[1] >= 8.0 && widths[1] < 9.0, "{widths:?}");
}

#[test]
fn big_integers_keep_their_digits() {
    let x = table_to_xlsx("t", &["n"], &[vec![Cell::Int(i64::MAX)]]).unwrap();
    assert_eq!(cells(&x, "t")[1][0], Data::String(i64::MAX.to_string()));
}

#[test]
fn row_wider_than_header_is_an_error() {
    let e = table_to_xlsx("t", &["a"], &[vec![Cell::Int(1)], vec![Cell::Int(1), Cell::Empty]]).unwrap_err();
    assert_eq!(e, ExchangeError::RowWidth { row: 3, cells: 2, headers: 1 });
}

#[test]
fn empty_table_has_just_the_header() {
    let x = table_to_xlsx("空表", &["a", "b"], &[]).unwrap();
    assert_eq!(cells(&x, "空表"), vec![vec![Data::String("a".into()), Data::String("b".into())]]);
}
