//! Partner-department list (§4): happy paths in CSV and XLSX, and each kind of bad row.

use lianjian_domain::org::{Category, Department};
use lianjian_exchange::partner_list::HEADERS;
use lianjian_exchange::{
    parse_partner_list, partner_list_template, Commission, FileKind, PartnerRow, SheetLimits, SheetProblem,
};

use crate::support::{book, headers, row, sheet_names, sheet_xml, uscc, V};

fn csv(lines: &[&str]) -> Vec<u8> {
    lines.join("\r\n").into_bytes()
}

fn list(problems: &[SheetProblem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

const HEAD: &str = "报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称,委托类型";

#[test]
fn csv_with_bom_shuffled_header_extra_column_and_blank_rows() {
    let u = uscc("91310113MA1G8ABCD");
    let spaced = format!("{} {}", &u[..9].to_lowercase(), &u[9..]);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(csv(&[
        "备注,委托类型,项目名称,监测类别,机构名称,统一社会信用代码,报送期间,报送部门",
        &format!("x,行政执法,\"某河道断面水质监测,一期\",水,上海某某检测技术有限公司,{spaced},2025H1,WATER"),
        ",,,,,,,",
        "",
        &format!(",政府委托,道路噪声监测,noise,上海某某检测技术有限公司,{u},2024,区交通委"),
        &format!(",government,土壤调查,土壤,上海某某检测技术有限公司,{u},2024年度,绿化市容局"),
    ]));
    let rows = parse_partner_list(&bytes, FileKind::Csv, &SheetLimits::default())
        .unwrap_or_else(|p| panic!("{}", list(&p)));
    assert_eq!(
        rows[0],
        PartnerRow {
            department: Department::Water,
            period: "2025H1".into(),
            uscc: u.clone(),
            institution_name: "上海某某检测技术有限公司".into(),
            category: Category::Water,
            project: "某河道断面水质监测,一期".into(),
            commission: Commission::Enforcement,
        }
    );
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].department, Department::Transport);
    assert_eq!(rows[1].category, Category::Noise);
    assert_eq!(rows[1].commission, Commission::Government);
    assert_eq!(rows[2].department, Department::Green);
    assert_eq!(rows[2].period, "2024");
}

#[test]
fn xlsx_with_title_line_and_number_cells() {
    let u = uscc("91310113MA1G8ABCD");
    let x = book(&[(
        "Sheet1",
        vec![
            row(&["2024年度区水务局委托监测机构名单"]),
            HEADERS.iter().map(|h| V::from(*h)).collect(),
            vec![
                "区水务局".into(),
                V::N(2024.0),
                u.as_str().into(),
                "某某检测".into(),
                "水和废水".into(),
                "排口监测".into(),
                "行政执法".into(),
            ],
        ],
    )]);
    let rows = parse_partner_list(&x, FileKind::Xlsx, &SheetLimits::default())
        .unwrap_or_else(|p| panic!("{}", list(&p)));
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].period, "2024");
    assert_eq!(rows[0].department, Department::Water);
    assert_eq!(rows[0].category, Category::Water);
}

/// One bad row (row 3) after a good one; returns the problems.
fn one_bad(cells: [&str; 7]) -> Vec<SheetProblem> {
    let u = uscc("91310113MA1G8ABCD");
    let good = format!("WATER,2024,{u},某某检测,水,项目,行政执法");
    let bad = cells.map(|c| c.replace("{u}", &u)).join(",");
    let p =
        parse_partner_list(&csv(&[HEAD, &good, &bad]), FileKind::Csv, &SheetLimits::default()).unwrap_err();
    assert!(p.iter().all(|x| x.row == 3), "{}", list(&p));
    p
}

#[track_caller]
fn only(p: &[SheetProblem], field: &str, says: &str) {
    assert_eq!(p.len(), 1, "{}", list(p));
    assert_eq!(p[0].field, field);
    assert!(p[0].reason.contains(says), "{}", p[0].reason);
}

#[test]
fn bad_uscc_check_character_is_reported() {
    let u = uscc("91310113MA1G8ABCD");
    let wrong = format!("{}{}", &u[..17], if u.ends_with('0') { '1' } else { '0' });
    let p = one_bad(["WATER", "2024", &wrong, "某某检测", "水", "项目", "行政执法"]);
    only(&p, "统一社会信用代码", "校验位");
}

#[test]
fn unknown_department_is_reported() {
    only(&one_bad(["区水利局", "2024", "{u}", "某某检测", "水", "项目", "行政执法"]), "报送部门", "未知");
}

#[test]
fn supervising_department_is_not_a_partner() {
    only(&one_bad(["区生态环境局", "2024", "{u}", "某某检测", "水", "项目", "行政执法"]), "报送部门", "不是");
}

#[test]
fn unknown_category_is_reported() {
    only(&one_bad(["WATER", "2024", "{u}", "某某检测", "废水", "项目", "行政执法"]), "监测类别", "废水");
}

#[test]
fn bad_period_is_reported() {
    only(&one_bad(["WATER", "2025Q1", "{u}", "某某检测", "水", "项目", "行政执法"]), "报送期间", "2025Q1");
    only(&one_bad(["WATER", "2025H2", "{u}", "某某检测", "水", "项目", "行政执法"]), "报送期间", "下半年");
}

#[test]
fn bad_commission_type_is_reported() {
    only(
        &one_bad(["WATER", "2024", "{u}", "某某检测", "水", "项目", "企业自行监测"]),
        "委托类型",
        "企业自行监测",
    );
}

#[test]
fn missing_cell_is_reported() {
    only(&one_bad(["WATER", "2024", "{u}", "", "水", "项目", "行政执法"]), "机构名称", "必填");
}

#[test]
fn every_bad_row_is_reported_together_and_nothing_is_imported() {
    let u = uscc("91310113MA1G8ABCD");
    let lines = [
        HEAD.to_owned(),
        format!("WATER,2024,{u},某某检测,水,项目,行政执法"),
        "WATER,2024,91310113MA1G8ABCDX,某某检测,水,项目,行政执法".to_owned(),
        format!("水利局,2024,{u},某某检测,水,项目,行政执法"),
        format!("WATER,24,{u},某某检测,水,项目,行政执法"),
        format!("WATER,2024,{u},某某检测,水,项目,"),
        String::new(),
        format!("PLAN,2024,{u},某某检测,光,项目,委托"),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let p = parse_partner_list(&csv(&lines), FileKind::Csv, &SheetLimits::default()).unwrap_err();
    let at: Vec<(usize, &str)> = p.iter().map(|x| (x.row, x.field.as_str())).collect();
    assert_eq!(
        at,
        vec![
            (3, "统一社会信用代码"),
            (4, "报送部门"),
            (5, "报送期间"),
            (6, "委托类型"),
            (8, "监测类别"),
            (8, "委托类型"),
        ],
        "{}",
        list(&p)
    );
}

#[test]
fn missing_column_is_reported_on_the_header_row() {
    let p = parse_partner_list(
        &csv(&["报送部门,报送期间,统一社会信用代码,机构名称,监测类别,项目名称"]),
        FileKind::Csv,
        &SheetLimits::default(),
    )
    .unwrap_err();
    assert_eq!(p.len(), 1, "{}", list(&p));
    assert_eq!((p[0].row, p[0].field.as_str()), (1, "委托类型"));
}

#[test]
fn non_utf8_csv_says_how_to_save_it() {
    // "报送部门" in GBK, as Excel's plain “CSV (逗号分隔)” writes on a Chinese system.
    let p = parse_partner_list(
        &[0xB1, 0xA8, 0xCB, 0xCD, 0xB2, 0xBF, 0xC3, 0xC5],
        FileKind::Csv,
        &SheetLimits::default(),
    )
    .unwrap_err();
    assert!(p[0].reason.contains("CSV UTF-8"), "{}", p[0].reason);
}

#[test]
fn header_only_file_is_an_empty_list() {
    assert_eq!(parse_partner_list(&csv(&[HEAD]), FileKind::Csv, &SheetLimits::default()).unwrap(), vec![]);
    assert_eq!(
        parse_partner_list(&partner_list_template(), FileKind::Xlsx, &SheetLimits::default()).unwrap(),
        vec![]
    );
}

#[test]
fn template_opens_with_headers_and_drop_downs() {
    let x = partner_list_template();
    assert_eq!(sheet_names(&x), vec!["协作部门名单", "说明"]);
    assert_eq!(headers(&x, "协作部门名单"), HEADERS);
    let xml = sheet_xml(&x, 1);
    assert!(xml.contains("区农业农村委,区规划资源局,区水务局,区交通委,区绿化市容局"), "{xml}");
    assert!(xml.contains("水,气,土壤"), "{xml}");
    assert!(xml.contains("行政执法,政府委托"), "{xml}");
}

#[test]
fn file_kind_from_name() {
    assert_eq!(FileKind::from_file_name("名单.XLSX"), Some(FileKind::Xlsx));
    assert_eq!(FileKind::from_file_name("a.csv"), Some(FileKind::Csv));
    assert_eq!(FileKind::from_file_name("a.xls"), None);
}
