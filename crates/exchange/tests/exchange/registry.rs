//! Registry snapshot ⇄ XLSX: round trips, every bad cell reported, validate's problems located.

use calamine::Data;
use lianjian_exchange::registry_xlsx::registry_layout;
use lianjian_exchange::{registry_template, snapshot_from_xlsx, snapshot_to_xlsx, SheetLimits, SheetProblem};
use lianjian_registry::{
    validate, Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory,
    Snapshot, Staff, Status, StatusEntry,
};
use time::macros::date;

use crate::support::{book, cells, headers, row, sheet_names, sheet_xml, uscc, V};

fn person(id: &str, name: &str) -> Person {
    Person { id: id.into(), name: name.into() }
}

/// Two institutions with everything: CJK, every status, open and closed periods, several
/// categories per signatory, known and unknown staff roles, absent optional fields.
fn rich() -> Snapshot {
    let a = Institution {
        uscc: uscc("91310113MA1G8ABCD"),
        name: "上海某某检测技术有限公司".into(),
        district: Some("宝山区".into()),
        address: Some("上海市宝山区某某路 1 号(东楼)".into()),
        legal_rep: Some("欧阳某某".into()),
        phone: Some("021-56780000".into()),
        certificates: vec![
            Certificate {
                no: "201912345678".into(),
                issuer: Some("上海市市场监督管理局".into()),
                issued_on: date!(2019 - 05 - 10),
                expires_on: date!(2025 - 05 - 09),
                status_history: vec![
                    StatusEntry { status: Status::Valid, from: date!(2019 - 05 - 10) },
                    StatusEntry { status: Status::Suspended, from: date!(2024 - 08 - 01) },
                    StatusEntry { status: Status::Valid, from: date!(2024 - 11 - 01) },
                    StatusEntry { status: Status::Revoked, from: date!(2025 - 01 - 15) },
                ],
                scope: vec![
                    ScopeEntry {
                        category: Category::Water,
                        parameter: "化学需氧量".into(),
                        method: "HJ 828-2017".into(),
                        from: date!(2019 - 05 - 10),
                        to: None,
                    },
                    ScopeEntry {
                        category: Category::SolidWaste,
                        parameter: "浸出毒性(铅)".into(),
                        method: "HJ/T 299-2007".into(),
                        from: date!(2019 - 05 - 10),
                        to: Some(date!(2023 - 12 - 31)),
                    },
                ],
            },
            Certificate {
                no: "161012340001".into(),
                issuer: None,
                issued_on: date!(2016 - 01 - 01),
                expires_on: date!(2021 - 12 - 31),
                status_history: vec![
                    StatusEntry { status: Status::Valid, from: date!(2016 - 01 - 01) },
                    StatusEntry { status: Status::Cancelled, from: date!(2020 - 06 - 30) },
                ],
                scope: vec![],
            },
        ],
        signatories: vec![
            Signatory {
                person: person("P-000123", "张三"),
                categories: vec![Category::Water, Category::Air, Category::Radiation],
                from: date!(2019 - 05 - 10),
                to: None,
            },
            Signatory {
                person: person("P-000123", "张三"),
                categories: vec![Category::Noise],
                from: date!(2018 - 01 - 01),
                to: Some(date!(2019 - 05 - 09)),
            },
        ],
        staff: vec![
            Staff {
                person: person("P-000124", "李四"),
                roles: vec!["sampler".into(), "analyst".into(), "质量负责人".into()],
                from: date!(2020 - 01 - 01),
                to: Some(date!(2024 - 12 - 31)),
            },
            Staff { person: person("P-000125", ""), roles: vec![], from: date!(2021 - 02 - 28), to: None },
        ],
        instruments: vec![
            Instrument { id: "BSJC-YQ-017".into(), name: "紫外可见分光光度计".into() },
            Instrument { id: "BSJC-YQ-002".into(), name: String::new() },
        ],
        restrictions: vec![
            Restriction {
                from: date!(2025 - 01 - 10),
                to: Some(date!(2026 - 01 - 09)),
                basis: "宝市监罚〔2025〕12号".into(),
            },
            Restriction { from: date!(2026 - 03 - 01), to: None, basis: String::new() },
        ],
    };
    let b = Institution {
        uscc: uscc("12310000425012345"),
        name: "上海市某区环境监测站".into(),
        district: None,
        address: None,
        legal_rep: None,
        phone: None,
        certificates: vec![Certificate {
            no: "221012000999".into(),
            issuer: Some("上海市市场监督管理局".into()),
            issued_on: date!(2022 - 02 - 28),
            expires_on: date!(2028 - 02 - 27),
            status_history: vec![StatusEntry { status: Status::Valid, from: date!(2022 - 02 - 28) }],
            scope: vec![ScopeEntry {
                category: Category::Vibration,
                parameter: "环境振动".into(),
                method: "GB 10071-88".into(),
                from: date!(2022 - 02 - 28),
                to: None,
            }],
        }],
        signatories: vec![],
        staff: vec![],
        instruments: vec![],
        restrictions: vec![],
    };
    // Deliberately out of canonical order: the export sorts.
    Snapshot { institutions: vec![a, b] }
}

pub fn canonical(mut s: Snapshot) -> Snapshot {
    s.canonicalize();
    s
}

fn has(problems: &[SheetProblem], sheet: &str, row: usize, field: &str) -> bool {
    problems.iter().any(|p| p.sheet == sheet && p.row == row && p.field == field)
}

#[track_caller]
fn assert_has(problems: &[SheetProblem], sheet: &str, row: usize, field: &str) {
    assert!(
        has(problems, sheet, row, field),
        "no problem at {sheet} row {row} {field} in:\n{}",
        list(problems)
    );
}

pub fn list(problems: &[SheetProblem]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

#[test]
fn rich_snapshot_round_trips_through_xlsx() {
    let s = rich();
    assert_eq!(validate(&s), vec![], "fixture must be valid");
    let x1 = snapshot_to_xlsx(&s).unwrap();
    let s1 = snapshot_from_xlsx(&x1, &SheetLimits::default()).unwrap_or_else(|p| panic!("{}", list(&p)));
    assert_eq!(s1, canonical(s.clone()));
    let x2 = snapshot_to_xlsx(&s1).unwrap();
    let s2 = snapshot_from_xlsx(&x2, &SheetLimits::default()).unwrap();
    assert_eq!(s2, s1);
    assert_eq!(s2.to_canonical_json(), s.to_canonical_json());
}

#[test]
fn export_shows_chinese_names_and_real_dates() {
    let x = snapshot_to_xlsx(&rich()).unwrap();
    let statuses = cells(&x, "证书状态");
    let shown: Vec<String> = statuses[1..].iter().map(|r| r[1].to_string()).collect();
    for zh in ["有效", "暂停", "撤销", "注销"] {
        assert!(shown.iter().any(|s| s == zh), "{zh} not in {shown:?}");
    }
    let sig = cells(&x, "授权签字人");
    assert!(sig[1..].iter().any(|r| r[3] == Data::String("水、气、辐射".into())), "{sig:?}");
    let staff = cells(&x, "人员");
    assert!(
        staff[1..].iter().any(|r| r[3] == Data::String("分析员、采样员、质量负责人".into())),
        "{staff:?}"
    );
    let certs = cells(&x, "证书");
    assert!(matches!(certs[1][3], Data::DateTime(_)), "{:?}", certs[1][3]);
    // Open periods are blank cells.
    let scope = cells(&x, "能力范围");
    assert!(scope[1..].iter().any(|r| r.get(5).is_none_or(|c| *c == Data::Empty)), "{scope:?}");
}

#[test]
fn empty_snapshot_round_trips() {
    let x = snapshot_to_xlsx(&Snapshot::default()).unwrap();
    assert_eq!(snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap(), Snapshot::default());
}

/// The header rows of the layout, ready to prepend.
fn header(sheet: &str) -> Vec<V> {
    let (_, h) = registry_layout().into_iter().find(|(n, _)| *n == sheet).unwrap();
    h.into_iter().map(V::from).collect()
}

/// A hand-typed workbook: text everywhere, every sheet present.
fn typed(data: &[(&str, Vec<Vec<V>>)]) -> Vec<u8> {
    let sheets: Vec<(&str, Vec<Vec<V>>)> = registry_layout()
        .into_iter()
        .map(|(name, _)| {
            let mut rows = vec![header(name)];
            if let Some((_, r)) = data.iter().find(|(n, _)| *n == name) {
                rows.extend(r.iter().cloned());
            }
            (name, rows)
        })
        .collect();
    book(&sheets)
}

#[test]
fn hand_typed_workbook_with_text_dates_codes_and_long_names_imports() {
    let u = uscc("91310113MA1G8ABCD");
    let lower = u.to_lowercase();
    let x = typed(&[
        ("机构", vec![row(&[&format!(" {lower} "), "某某检测", "", "", "", ""])]),
        (
            "证书",
            vec![vec![
                u.as_str().into(),
                V::N(201_912_345_678.0),
                V::E,
                V::D(2019, 5, 10),
                "2025/5/9".into(),
            ]],
        ),
        (
            "证书状态",
            vec![row(&["201912345678", "valid", "2019-05-10"]), row(&["201912345678", "暂停", "2024/8/1"])],
        ),
        (
            "能力范围",
            vec![vec![
                "201912345678".into(),
                "水和废水".into(),
                "化学需氧量".into(),
                "HJ 828-2017".into(),
                V::N(43_595.0),
                V::E,
            ]],
        ),
        ("授权签字人", vec![row(&[&u, "P-1", "张三", "water,气;噪声", "2019-05-10", ""])]),
        ("人员", vec![row(&[&u, "P-2", "李四", "采样员、analyst", "2020-01-01", "2024-12-31"])]),
        ("仪器设备", vec![row(&[&u, "YQ-1", "分光光度计"])]),
        ("限制措施", vec![row(&[&u, "2025-01-10", "", "某决定"])]),
    ]);
    let s = snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap_or_else(|p| panic!("{}", list(&p)));
    let i = &s.institutions[0];
    assert_eq!(i.uscc, u);
    assert_eq!(i.district, None);
    let c = &i.certificates[0];
    assert_eq!(c.no, "201912345678");
    assert_eq!((c.issued_on, c.expires_on), (date!(2019 - 05 - 10), date!(2025 - 05 - 09)));
    assert_eq!(c.status_history[1], StatusEntry { status: Status::Suspended, from: date!(2024 - 08 - 01) });
    assert_eq!(c.scope[0].category, Category::Water);
    assert_eq!(c.scope[0].from, date!(2019 - 05 - 10));
    assert_eq!(i.signatories[0].categories, vec![Category::Water, Category::Air, Category::Noise]);
    assert_eq!(i.staff[0].roles, vec!["analyst".to_owned(), "sampler".to_owned()]);
    assert_eq!(i.restrictions[0].to, None);
}

#[test]
fn bad_cells_on_several_sheets_are_all_reported() {
    let u = uscc("91310113MA1G8ABCD");
    let stranger = uscc("91310000MA1FL0000");
    let x = typed(&[
        ("机构", vec![row(&[&u, "某某检测", "", "", "", ""])]),
        (
            "证书",
            vec![
                row(&[&u, "C1", "", "2019-05-10", "2025-13-01"]), // row 2: bad date
                row(&[&stranger, "C2", "", "2019-05-10", "2025-05-09"]), // row 3: USCC not on 机构
                row(&[&u, "C3", "", "", "2025-05-09"]),           // row 4: missing 发证日期
                row(&[&u, "C4", "", "2019-05-10", "2025-05-09"]), // row 5: good
            ],
        ),
        (
            "证书状态",
            vec![
                row(&["C4", "失效", "2019-05-10"]), // row 2: unknown status
                row(&["C4", "有效", "2019-05-10"]), // row 3: good
                row(&["C9", "有效", "2019-05-10"]), // row 4: certificate not on 证书
                row(&["C1", "有效", "2019-05-10"]), // row 5: its certificate was rejected: no extra report
            ],
        ),
        (
            "能力范围",
            vec![
                row(&["C4", "废水", "化学需氧量", "HJ 828-2017", "2019-05-10", ""]), // row 2: unknown category
                row(&["C4", "水", "", "HJ 828-2017", "2019-05-10", "2019/2/30"]), // row 3: missing 项目, bad date
            ],
        ),
        ("授权签字人", vec![row(&[&u, "", "张三", "水、废气", "2019-05-10", ""])]), // row 2: missing id, bad category
        ("人员", vec![row(&[&stranger, "P-2", "李四", "", "2020-01-01", ""])]),     // row 2: USCC not on 机构
        ("仪器设备", vec![row(&[&u, "", "分光光度计"])]),                           // row 2: missing id
        ("限制措施", vec![row(&[&u, "昨天", "", "某决定"])]),                       // row 2: bad date
    ]);
    let p = snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap_err();
    let expected = [
        ("证书", 2, "有效期至"),
        ("证书", 3, "统一社会信用代码"),
        ("证书", 4, "发证日期"),
        ("证书状态", 2, "状态"),
        ("证书状态", 4, "证书编号"),
        ("能力范围", 2, "类别"),
        ("能力范围", 3, "项目"),
        ("能力范围", 3, "截止日期"),
        ("授权签字人", 2, "人员编号"),
        ("授权签字人", 2, "类别"),
        ("人员", 2, "统一社会信用代码"),
        ("仪器设备", 2, "仪器编号"),
        ("限制措施", 2, "起始日期"),
    ];
    for (sheet, r, field) in expected {
        assert_has(&p, sheet, r, field);
    }
    assert_eq!(p.len(), expected.len(), "unexpected extra problems:\n{}", list(&p));
    assert!(p.iter().any(|x| x.reason.contains("失效")), "the bad value is quoted");
    assert!(p.iter().any(|x| x.reason.contains("废气")), "the bad list item is quoted");
    // Sorted by sheet order, then row.
    let sheets: Vec<&str> = p.iter().map(|x| x.sheet.as_str()).collect();
    assert_eq!(sheets.first(), Some(&"证书"));
    assert_eq!(sheets.last(), Some(&"限制措施"));
}

#[test]
fn wrong_uscc_check_character_is_reported_where_it_was_typed() {
    let good = uscc("91310113MA1G8ABCD");
    let mut bad = good.clone();
    let last = bad.pop().unwrap();
    bad.push(if last == '0' { '1' } else { '0' });
    let x = typed(&[
        ("机构", vec![row(&[&good, "甲", "", "", "", ""]), row(&[&bad, "乙", "", "", "", ""])]),
        ("仪器设备", vec![row(&[&bad, "YQ-1", ""])]),
    ]);
    let p = snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap_err();
    assert_eq!(p.len(), 1, "{}", list(&p));
    assert_eq!(p[0].sheet, "机构");
    assert_eq!(p[0].row, 3);
    assert_eq!(p[0].field, "统一社会信用代码");
    assert!(p[0].reason.contains("校验位"), "{}", p[0].reason);
}

#[test]
fn validate_problems_point_at_their_rows() {
    let u = uscc("91310113MA1G8ABCD");
    let x = typed(&[
        ("机构", vec![row(&[&u, "", "", "", "", ""])]),
        (
            "证书",
            vec![
                row(&[&u, "C1", "", "2025-05-10", "2019-05-09"]), // expires before issued
                row(&[&u, "C2", "", "2019-05-10", "2025-05-09"]), // no status rows
            ],
        ),
        ("证书状态", vec![row(&["C1", "有效", "2020-01-01"]), row(&["C1", "暂停", "2019-01-01"])]),
        ("能力范围", vec![row(&["C1", "水", "pH", "HJ 1147-2020", "2020-01-01", "2019-01-01"])]),
        ("授权签字人", vec![row(&[&u, "P-1", "", "水", "2020-01-01", "2019-12-31"])]),
        ("仪器设备", vec![row(&[&u, "YQ-1", ""]), row(&[&u, "YQ-1", ""])]),
    ]);
    let p = snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap_err();
    for (sheet, r, field) in [
        ("机构", 2, "机构名称"),
        ("证书", 2, "有效期至"),
        ("证书", 3, "证书编号"),
        ("证书状态", 3, "起始日期"),
        ("能力范围", 2, "截止日期"),
        ("授权签字人", 2, "截止日期"),
        ("仪器设备", 3, "仪器编号"),
    ] {
        assert_has(&p, sheet, r, field);
    }
    assert_eq!(p.len(), 7, "{}", list(&p));
}

#[test]
fn duplicate_keys_are_reported_with_the_first_row() {
    let u = uscc("91310113MA1G8ABCD");
    let x = typed(&[
        ("机构", vec![row(&[&u, "甲", "", "", "", ""]), row(&[&u, "甲", "", "", "", ""])]),
        (
            "证书",
            vec![
                row(&[&u, "C1", "", "2019-05-10", "2025-05-09"]),
                row(&[&u, "C1", "", "2019-05-10", "2025-05-09"]),
            ],
        ),
        ("证书状态", vec![row(&["C1", "有效", "2019-05-10"])]),
    ]);
    let p = snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap_err();
    assert_has(&p, "机构", 3, "统一社会信用代码");
    assert_has(&p, "证书", 3, "证书编号");
    assert!(p.iter().all(|x| x.reason.contains("第 2 行")), "{}", list(&p));
    assert_eq!(p.len(), 2, "{}", list(&p));
}

#[test]
fn missing_sheet_and_missing_column_are_reported() {
    let mut sheets: Vec<(&str, Vec<Vec<V>>)> = registry_layout()
        .into_iter()
        .filter(|(n, _)| *n != "人员")
        .map(|(n, _)| (n, vec![header(n)]))
        .collect();
    sheets[1].1[0].truncate(4); // 证书 without 有效期至
    let p = snapshot_from_xlsx(&book(&sheets), &SheetLimits::default()).unwrap_err();
    assert_has(&p, "证书", 1, "有效期至");
    assert!(p.iter().any(|x| x.sheet == "人员" && x.reason.contains("缺少工作表")), "{}", list(&p));
    assert_eq!(p.len(), 2, "{}", list(&p));
}

#[test]
fn columns_in_any_order_blank_rows_and_extra_columns_are_fine() {
    let u = uscc("91310113MA1G8ABCD");
    let mut sheets: Vec<(&str, Vec<Vec<V>>)> =
        registry_layout().into_iter().map(|(n, _)| (n, vec![header(n)])).collect();
    sheets[0].1 =
        vec![row(&["机构名称", "备注", "统一社会信用代码"]), row(&["", "", ""]), row(&["甲", "随便写", &u])];
    let s = snapshot_from_xlsx(&book(&sheets), &SheetLimits::default())
        .unwrap_or_else(|p| panic!("{}", list(&p)));
    assert_eq!(s.institutions[0].name, "甲");
    assert_eq!(s.institutions[0].uscc, u);
}

#[test]
fn not_a_workbook_is_one_problem() {
    let p = snapshot_from_xlsx(b"uscc,name\n", &SheetLimits::default()).unwrap_err();
    assert_eq!(p.len(), 1);
    assert!(p[0].reason.contains(".xlsx"), "{}", p[0].reason);
}

#[test]
fn template_has_every_sheet_header_and_drop_down() {
    let x = registry_template();
    let mut expected: Vec<String> = registry_layout().iter().map(|(n, _)| (*n).to_owned()).collect();
    expected.push("说明".into());
    assert_eq!(sheet_names(&x), expected);
    for (n, h) in registry_layout() {
        assert_eq!(headers(&x, n), h);
    }
    assert_eq!(
        headers(&x, "机构"),
        ["统一社会信用代码", "机构名称", "所在区", "地址", "法定代表人", "联系电话"]
    );
    assert_eq!(headers(&x, "证书"), ["统一社会信用代码", "证书编号", "发证机关", "发证日期", "有效期至"]);
    assert_eq!(headers(&x, "证书状态"), ["证书编号", "状态", "起始日期"]);
    assert_eq!(headers(&x, "限制措施"), ["统一社会信用代码", "起始日期", "截止日期", "依据"]);
    // The template reads back as an empty registry.
    assert_eq!(snapshot_from_xlsx(&x, &SheetLimits::default()).unwrap(), Snapshot::default());
    // 证书状态 (sheet 3): 状态 drop-down and a date check; 能力范围 (sheet 4): 类别 drop-down.
    let status = sheet_xml(&x, 3);
    assert!(status.contains(r#"type="list""#) && status.contains("有效,暂停,撤销,注销"), "{status}");
    assert!(status.contains(r#"type="date""#), "{status}");
    assert!(status.contains(r#"ySplit="1""#), "frozen header");
    let scope = sheet_xml(&x, 4);
    assert!(scope.contains("水,气,土壤,沉积物,固体废物,生物,噪声,振动,辐射"), "{scope}");
    assert!(scope.contains("<cols>"), "column widths set");
    let notes = cells(&x, "说明");
    assert!(notes.iter().flatten().any(|c| c.to_string().contains("证书编号")));
}
