//! Partner-department list 协作部门名单 (exchange-formats §4, R11): which institutions a partner
//! department (水务局, 交通委, …) commissioned for enforcement or government monitoring in a
//! period, one row per institution and category, uploaded as XLSX or CSV.
//!
//! Columns, in any order (extra columns are ignored, a title line above the header is
//! tolerated): 报送部门, 报送期间, 统一社会信用代码, 机构名称, 监测类别, 项目名称, 委托类型. All seven
//! are required in every non-blank row. Every bad row is reported at once; a file with any error
//! yields no rows, so nothing is half-imported.

use lianjian_domain::org::{Category, Department};
use lianjian_domain::partner::Period;
use lianjian_domain::uscc::Uscc;
use rust_xlsxwriter::Workbook;

use crate::grid::{csv_grid, open_xlsx, Grid};
use crate::sheet::Table;
use crate::vocab::{parse_category, parse_department, CATEGORY_NAMES, PARTNER_NAMES};
use crate::write::{add_notes_sheet, add_sheet, Kind, SheetSpec};
use crate::{FileKind, SheetLimits, SheetProblem};

pub const DEPARTMENT: &str = "报送部门";
pub const PERIOD: &str = "报送期间";
pub const USCC: &str = "统一社会信用代码";
pub const INSTITUTION_NAME: &str = "机构名称";
pub const CATEGORY: &str = "监测类别";
pub const PROJECT: &str = "项目名称";
pub const COMMISSION: &str = "委托类型";

/// The columns, in the order the template writes them.
pub const HEADERS: [&str; 7] = [DEPARTMENT, PERIOD, USCC, INSTITUTION_NAME, CATEGORY, PROJECT, COMMISSION];

/// Name of the data sheet in the template (any sheet with the header is read).
pub const SHEET: &str = "协作部门名单";

const COMMISSION_NAMES: [&str; 2] = ["行政执法", "政府委托"];

pub use lianjian_domain::partner::Commission;

/// One row of a partner-department list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PartnerRow {
    /// The reporting partner department (one of the five).
    pub department: Department,
    /// The period code, `2024` (a year) or `2025H1` (the first half), as
    /// `lianjian_domain::partner::Period::code` writes it (also read from `2025h1`, `2025年上半年`).
    pub period: String,
    /// Normalised unified social credit code (validated, upper case, no spaces).
    pub uscc: String,
    pub institution_name: String,
    pub category: Category,
    pub project: String,
    pub commission: Commission,
}

fn read_rows(grid: &Grid) -> Result<Vec<PartnerRow>, Vec<SheetProblem>> {
    let table = Table::locate(grid, USCC, &HEADERS, &HEADERS)?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for mut r in table.rows() {
        let department = r.text(DEPARTMENT).and_then(|s| match parse_department(&s) {
            Some(d) if d.is_partner() => Some(d),
            Some(d) => {
                r.fail(
                    DEPARTMENT,
                    format!("“{s}”({})不是报送名单的协作部门,应为 {}", d.zh(), PARTNER_NAMES.join("、")),
                );
                None
            }
            None => {
                r.fail(
                    DEPARTMENT,
                    format!("未知的报送部门“{s}”,应为 {}(或其代码,如 WATER)", PARTNER_NAMES.join("、")),
                );
                None
            }
        });
        // One reading of 报送期间 across the platform: the domain's (H2 is refused there, with why).
        let period = r.text(PERIOD).and_then(|s| match s.parse::<Period>() {
            Ok(p) => Some(p.code()),
            Err(e) => {
                r.fail(PERIOD, e.to_string());
                None
            }
        });
        let uscc = r.text(USCC).and_then(|s| match Uscc::parse(&s) {
            Ok(u) => Some(String::from(u)),
            Err(e) => {
                r.fail(USCC, format!("“{s}”:{e}"));
                None
            }
        });
        let institution_name = r.text(INSTITUTION_NAME);
        let category = r.text(CATEGORY).and_then(|s| {
            let c = parse_category(&s);
            if c.is_none() {
                r.fail(
                    CATEGORY,
                    format!("未知的监测类别“{s}”,应为 {} 之一(或其代码)", CATEGORY_NAMES.join("、")),
                );
            }
            c
        });
        let project = r.text(PROJECT);
        let commission = r.text(COMMISSION).and_then(|s| {
            let c = Commission::parse(&s);
            if c.is_none() {
                r.fail(COMMISSION, format!("委托类型“{s}”无效,应为 行政执法 或 政府委托"));
            }
            c
        });
        problems.append(&mut r.problems);
        if let (
            Some(department),
            Some(period),
            Some(uscc),
            Some(institution_name),
            Some(category),
            Some(project),
            Some(commission),
        ) = (department, period, uscc, institution_name, category, project, commission)
        {
            out.push(PartnerRow {
                department,
                period,
                uscc,
                institution_name,
                category,
                project,
                commission,
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Reads a partner-department list. XLSX: the first sheet whose header names
/// 统一社会信用代码 (else the first sheet). CSV: UTF-8, a byte-order mark accepted.
///
/// Row numbers are as Excel shows them (CSV: the line the record starts on). Blank rows are
/// skipped. Either every row is good and all are returned, or every problem is. A file past one of
/// `limits` is refused with that one problem, before anything is built from the rest.
pub fn parse_partner_list(
    bytes: &[u8],
    kind: FileKind,
    limits: &SheetLimits,
) -> Result<Vec<PartnerRow>, Vec<SheetProblem>> {
    match kind {
        FileKind::Csv => read_rows(&csv_grid(bytes, "", limits).map_err(|p| vec![p])?),
        FileKind::Xlsx => {
            let mut book = open_xlsx(bytes, limits).map_err(|p| vec![p])?;
            let mut first: Option<Grid> = None;
            for name in book.sheet_names() {
                let grid = match book.grid(&name) {
                    Some(Ok(g)) => g,
                    Some(Err(e)) => return Err(vec![e.into_problem()]),
                    None => continue,
                };
                let has_key = Table::locate(&grid, USCC, &[USCC], &[USCC]).is_ok();
                if has_key {
                    return read_rows(&grid);
                }
                // Only the first sheet is kept while looking further.
                first.get_or_insert(grid);
            }
            match first {
                Some(g) => read_rows(&g),
                None => Err(vec![SheetProblem::new("", 0, "", "工作簿中没有工作表")]),
            }
        }
    }
}

/// The blank partner-department list: one sheet with the seven headers, drop-downs for 报送部门,
/// 监测类别 and 委托类型, and a 说明 sheet.
pub fn partner_list_template() -> Vec<u8> {
    let kinds = [
        Kind::OneOf(&PARTNER_NAMES),
        Kind::Code,
        Kind::Code,
        Kind::Text,
        Kind::OneOf(&CATEGORY_NAMES),
        Kind::Text,
        Kind::OneOf(&COMMISSION_NAMES),
    ];
    let notes = [
        ("用途", "协作部门报送本部门委托开展行政执法或政府委托监测的机构名单,每个机构、每个监测类别一行。".to_owned()),
        (DEPARTMENT, format!("从下拉列表选择:{}(也可填代码,如 WATER)。", PARTNER_NAMES.join("、"))),
        (PERIOD, "年度名单填 2024;上半年名单填 2025H1。下半年不单独报送(由年度名单涵盖)。".to_owned()),
        (USCC, "18 位统一社会信用代码,系统会核对校验位。".to_owned()),
        (CATEGORY, format!("从下拉列表选择:{}。", CATEGORY_NAMES.join("、"))),
        (COMMISSION, "行政执法 或 政府委托。".to_owned()),
        ("导入", "七列均为必填;列的顺序不限,多余的列会被忽略。导入时一次列出所有问题及行号,有任何问题时不会导入任何一行。也可另存为“CSV UTF-8(逗号分隔)”后上传。".to_owned()),
    ];
    let build = || -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        let mut book = Workbook::new();
        add_sheet(
            &mut book,
            &SheetSpec {
                name: SHEET,
                headers: &HEADERS,
                kinds: &kinds,
                rows: &[],
                validate: true,
                autofilter: true,
            },
        )?;
        add_notes_sheet(&mut book, "协作部门委托监测机构名单 填写说明", &notes)?;
        book.save_to_buffer()
    };
    #[allow(clippy::expect_used)]
    build().expect("the partner-list template is a fixed, valid workbook")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commission_codes_and_names() {
        for c in Commission::ALL {
            assert_eq!(Commission::parse(c.zh()), Some(c));
            assert_eq!(Commission::parse(&c.code().to_uppercase()), Some(c));
        }
        assert_eq!(Commission::parse("企业自行监测"), None);
    }
}
