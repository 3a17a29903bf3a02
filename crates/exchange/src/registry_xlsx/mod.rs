//! Registry snapshot (exchange-formats §1) ⇄ workbook, one sheet per table, Chinese headers.
//!
//! Officers keep the institution registry in Excel; this is the bridge. Rows refer to each other
//! by key — a 证书 row names its institution by 统一社会信用代码, a 证书状态 or 能力范围 row names its
//! certificate by 证书编号 — so each table stays flat enough to filter and sort in Excel.
//!
//! | Sheet | Columns (required in **bold**) |
//! |---|---|
//! | 机构 | **统一社会信用代码**, **机构名称**, 所在区, 地址, 法定代表人, 联系电话 |
//! | 证书 | **统一社会信用代码**, **证书编号**, 发证机关, **发证日期**, **有效期至** |
//! | 证书状态 | **证书编号**, **状态** (有效/暂停/撤销/注销), **起始日期** — in date order per certificate |
//! | 能力范围 | **证书编号**, **类别**, **项目**, **方法标准**, **起始日期**, 截止日期 |
//! | 授权签字人 | **统一社会信用代码**, **人员编号**, 姓名, **类别** (several, 、-separated), **起始日期**, 截止日期 |
//! | 人员 | **统一社会信用代码**, **人员编号**, 姓名, 岗位 (several, 、-separated), **起始日期**, 截止日期 |
//! | 仪器设备 | **统一社会信用代码**, **仪器编号**, 仪器名称 |
//! | 限制措施 | **统一社会信用代码**, **起始日期**, 截止日期, 依据 |
//!
//! A 说明 sheet explains all this in Chinese; readers ignore it and any other extra sheet or
//! column, accept the columns in any order, and let an optional column be left out. A blank 截止日期 is an open period. Categories are
//! written with their short names (水, 气, …) and read from those, the long names (水和废水) or the
//! codes; statuses likewise (有效 or `valid`). Blank optional text becomes absent, so a snapshot
//! with an empty-string optional field comes back with that field absent.
//!
//! Reading collects every bad cell on every sheet, then runs [`lianjian_registry::validate`] on
//! what could be read and reports its problems at the sheet, row and column they came from.

mod read;

use rust_xlsxwriter::Workbook;

use lianjian_registry::Snapshot;

use crate::table::Cell;
use crate::vocab::{role_zh, CATEGORY_NAMES, STATUS_NAMES};
use crate::write::{add_notes_sheet, add_sheet, Kind, SheetSpec};
use crate::ExchangeError;

pub use read::snapshot_from_xlsx;

pub(crate) const USCC: &str = "统一社会信用代码";
pub(crate) const NAME: &str = "机构名称";
pub(crate) const DISTRICT: &str = "所在区";
pub(crate) const ADDRESS: &str = "地址";
pub(crate) const LEGAL_REP: &str = "法定代表人";
pub(crate) const PHONE: &str = "联系电话";
pub(crate) const CERT_NO: &str = "证书编号";
pub(crate) const ISSUER: &str = "发证机关";
pub(crate) const ISSUED_ON: &str = "发证日期";
pub(crate) const EXPIRES_ON: &str = "有效期至";
pub(crate) const STATUS: &str = "状态";
pub(crate) const FROM: &str = "起始日期";
pub(crate) const TO: &str = "截止日期";
pub(crate) const CATEGORY: &str = "类别";
pub(crate) const PARAMETER: &str = "项目";
pub(crate) const METHOD: &str = "方法标准";
pub(crate) const PERSON_ID: &str = "人员编号";
pub(crate) const PERSON_NAME: &str = "姓名";
pub(crate) const ROLES: &str = "岗位";
pub(crate) const INSTRUMENT_ID: &str = "仪器编号";
pub(crate) const INSTRUMENT_NAME: &str = "仪器名称";
pub(crate) const BASIS: &str = "依据";

pub(crate) const INSTITUTIONS: &str = "机构";
pub(crate) const CERTIFICATES: &str = "证书";
pub(crate) const STATUSES: &str = "证书状态";
pub(crate) const SCOPE: &str = "能力范围";
pub(crate) const SIGNATORIES: &str = "授权签字人";
pub(crate) const STAFF: &str = "人员";
pub(crate) const INSTRUMENTS: &str = "仪器设备";
pub(crate) const RESTRICTIONS: &str = "限制措施";

/// One sheet of the layout: name, what it is for, and its columns with their kinds.
pub(crate) struct SheetDef {
    pub name: &'static str,
    pub about: &'static str,
    /// Header, kind, and whether the column (and each of its cells) is required. An optional
    /// column may be left out of the sheet altogether.
    pub cols: &'static [(&'static str, Kind, bool)],
}

impl SheetDef {
    pub fn headers(&self) -> Vec<&'static str> {
        self.cols.iter().map(|(h, ..)| *h).collect()
    }

    pub fn required(&self) -> Vec<&'static str> {
        self.cols.iter().filter(|(.., r)| *r).map(|(h, ..)| *h).collect()
    }
}

const CATS: Kind = Kind::OneOf(&CATEGORY_NAMES);

/// The workbook layout, in sheet order.
pub(crate) const SHEETS: [SheetDef; 8] = [
    SheetDef {
        name: INSTITUTIONS,
        about: "每个检验检测机构一行;统一社会信用代码不得重复。",
        cols: &[
            (USCC, Kind::Code, true),
            (NAME, Kind::Text, true),
            (DISTRICT, Kind::Text, false),
            (ADDRESS, Kind::Text, false),
            (LEGAL_REP, Kind::Text, false),
            (PHONE, Kind::Code, false),
        ],
    },
    SheetDef {
        name: CERTIFICATES,
        about: "每张资质认定(CMA)证书一行;统一社会信用代码须已列在“机构”表;证书编号全市唯一。",
        cols: &[
            (USCC, Kind::Code, true),
            (CERT_NO, Kind::Code, true),
            (ISSUER, Kind::Text, false),
            (ISSUED_ON, Kind::Date, true),
            (EXPIRES_ON, Kind::Date, true),
        ],
    },
    SheetDef {
        name: STATUSES,
        about: "证书状态变化,每次一行,同一证书按起始日期先后排列;状态为 有效、暂停、撤销、注销。每张证书至少一行。",
        cols: &[(CERT_NO, Kind::Code, true), (STATUS, Kind::OneOf(&STATUS_NAMES), true), (FROM, Kind::Date, true)],
    },
    SheetDef {
        name: SCOPE,
        about: "证书能力范围,每个(类别、项目、方法标准)一行;截止日期留空表示至今有效。",
        cols: &[
            (CERT_NO, Kind::Code, true),
            (CATEGORY, CATS, true),
            (PARAMETER, Kind::Text, true),
            (METHOD, Kind::Text, true),
            (FROM, Kind::Date, true),
            (TO, Kind::Date, false),
        ],
    },
    SheetDef {
        name: SIGNATORIES,
        about: "授权签字人及其授权类别;多个类别用“、”分隔(如 水、气);截止日期留空表示至今有效。",
        cols: &[
            (USCC, Kind::Code, true),
            (PERSON_ID, Kind::Code, true),
            (PERSON_NAME, Kind::Text, false),
            (CATEGORY, Kind::SomeOf(&CATEGORY_NAMES), true),
            (FROM, Kind::Date, true),
            (TO, Kind::Date, false),
        ],
    },
    SheetDef {
        name: STAFF,
        about: "在册人员;岗位可写多个,用“、”分隔(如 采样员、分析员);截止日期留空表示至今在册。",
        cols: &[
            (USCC, Kind::Code, true),
            (PERSON_ID, Kind::Code, true),
            (PERSON_NAME, Kind::Text, false),
            (ROLES, Kind::Text, false),
            (FROM, Kind::Date, true),
            (TO, Kind::Date, false),
        ],
    },
    SheetDef {
        name: INSTRUMENTS,
        about: "仪器设备;同一机构内仪器编号不得重复。",
        cols: &[(USCC, Kind::Code, true), (INSTRUMENT_ID, Kind::Code, true), (INSTRUMENT_NAME, Kind::Text, false)],
    },
    SheetDef {
        name: RESTRICTIONS,
        about: "限制措施(期间内不得承接行政执法和政府委托监测);截止日期留空表示未解除;依据填写决定文号。",
        cols: &[(USCC, Kind::Code, true), (FROM, Kind::Date, true), (TO, Kind::Date, false), (BASIS, Kind::Text, false)],
    },
];

/// Sheet names and their headers in order, as written by [`snapshot_to_xlsx`] and
/// [`registry_template`] (the 说明 sheet aside).
pub fn registry_layout() -> Vec<(&'static str, Vec<&'static str>)> {
    SHEETS.iter().map(|s| (s.name, s.headers())).collect()
}

fn text(s: &str) -> Cell {
    if s.is_empty() {
        Cell::Empty
    } else {
        Cell::Text(s.to_owned())
    }
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, text)
}

/// The rows of each sheet, in [`SHEETS`] order, from a canonicalised snapshot.
fn sheet_rows(s: &Snapshot) -> [Vec<Vec<Cell>>; 8] {
    let mut out: [Vec<Vec<Cell>>; 8] = Default::default();
    let [inst, cert, status, scope, sig, staff, instr, restr] = &mut out;
    for i in &s.institutions {
        let u = || text(&i.uscc);
        inst.push(vec![
            u(),
            text(&i.name),
            opt(&i.district),
            opt(&i.address),
            opt(&i.legal_rep),
            opt(&i.phone),
        ]);
        for c in &i.certificates {
            cert.push(vec![
                u(),
                text(&c.no),
                opt(&c.issuer),
                Cell::Date(c.issued_on),
                Cell::Date(c.expires_on),
            ]);
            for e in &c.status_history {
                status.push(vec![text(&c.no), text(e.status.name_zh()), Cell::Date(e.from)]);
            }
            for e in &c.scope {
                scope.push(vec![
                    text(&c.no),
                    text(e.category.zh()),
                    text(&e.parameter),
                    text(&e.method),
                    Cell::Date(e.from),
                    e.to.into(),
                ]);
            }
        }
        for g in &i.signatories {
            let cats: Vec<&str> = g.categories.iter().map(|c| c.zh()).collect();
            sig.push(vec![
                u(),
                text(&g.person.id),
                text(&g.person.name),
                text(&cats.join("、")),
                Cell::Date(g.from),
                g.to.into(),
            ]);
        }
        for p in &i.staff {
            let roles: Vec<&str> = p.roles.iter().map(|r| role_zh(r)).collect();
            staff.push(vec![
                u(),
                text(&p.person.id),
                text(&p.person.name),
                text(&roles.join("、")),
                Cell::Date(p.from),
                p.to.into(),
            ]);
        }
        for x in &i.instruments {
            instr.push(vec![u(), text(&x.id), text(&x.name)]);
        }
        for r in &i.restrictions {
            restr.push(vec![u(), Cell::Date(r.from), r.to.into(), text(&r.basis)]);
        }
    }
    out
}

fn notes() -> Vec<(&'static str, String)> {
    let mut n = vec![
        ("用途", "检验检测机构名录的导入导出。每张工作表一类信息,表之间用统一社会信用代码或证书编号关联。".to_owned()),
        ("日期", "日期请填 Excel 日期,或文本 2025-03-01、2025/3/1。截止日期留空表示至今有效。".to_owned()),
        ("类别", format!("监测类别填写:{}(也可填代码,如 water)。", CATEGORY_NAMES.join("、"))),
        ("状态", format!("证书状态填写:{}。", STATUS_NAMES.join("、"))),
        ("导入", "导入时会一次列出所有问题(工作表、行号、列名和原因),改正后整体重新导入;有任何问题时不会导入任何数据。本“说明”表不会被读取。".to_owned()),
    ];
    for s in &SHEETS {
        n.push((
            s.name,
            format!("{} 列:{};必填:{}。", s.about, s.headers().join("、"), s.required().join("、")),
        ));
    }
    n
}

fn workbook(rows: &[Vec<Vec<Cell>>; 8]) -> Result<Vec<u8>, ExchangeError> {
    let mut book = Workbook::new();
    for (def, rows) in SHEETS.iter().zip(rows) {
        let kinds: Vec<Kind> = def.cols.iter().map(|(_, k, _)| *k).collect();
        add_sheet(
            &mut book,
            &SheetSpec {
                name: def.name,
                headers: &def.headers(),
                kinds: &kinds,
                rows,
                validate: true,
                autofilter: true,
            },
        )?;
    }
    add_notes_sheet(&mut book, "检验检测机构名录 填写说明", &notes())?;
    Ok(book.save_to_buffer()?)
}

/// Writes the snapshot, in canonical order, as a workbook that [`snapshot_from_xlsx`] reads
/// back to the same snapshot. Dates are Excel dates; drop-downs and date checks stay on every
/// sheet so the exported file can be edited and imported again.
pub fn snapshot_to_xlsx(snapshot: &Snapshot) -> Result<Vec<u8>, ExchangeError> {
    let mut s = snapshot.clone();
    s.canonicalize();
    workbook(&sheet_rows(&s))
}

/// The blank registry workbook to fill in: every sheet with its Chinese headers, a 说明 sheet,
/// column widths, frozen header row, drop-downs for 类别 and 状态, and date checks.
pub fn registry_template() -> Vec<u8> {
    // A fixed workbook: the writer fails only on programming errors, which the tests would catch.
    #[allow(clippy::expect_used)]
    workbook(&Default::default()).expect("the registry template is a fixed, valid workbook")
}
