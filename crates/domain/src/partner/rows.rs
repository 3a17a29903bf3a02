//! The rows of a list: the kind of commission, one row and its checks (every bad row listed, the
//! whole list refused), and what an upload must hold (the uploader's department, one period).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;

use super::Period;
use crate::org::{Category, Department, UnknownCode};
use crate::uscc::Uscc;

/// Kind of commission 委托类型 on a partner-department list: the two kinds of work R11 restricts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commission {
    /// 行政执法: monitoring for a department's administrative enforcement.
    Enforcement,
    /// 政府委托: other monitoring commissioned by a government body.
    Government,
}

impl Commission {
    pub const ALL: [Commission; 2] = [Commission::Enforcement, Commission::Government];

    /// The code, as the report `purpose` of exchange-formats §2 spells it.
    pub fn code(self) -> &'static str {
        match self {
            Commission::Enforcement => "enforcement",
            Commission::Government => "government",
        }
    }

    /// The Chinese name used in the lists.
    pub fn zh(self) -> &'static str {
        match self {
            Commission::Enforcement => "行政执法",
            Commission::Government => "政府委托",
        }
    }

    /// From the Chinese name or the code (any letter case).
    pub fn parse(s: &str) -> Option<Commission> {
        let t = s.trim();
        Commission::ALL.into_iter().find(|c| c.zh() == t || c.code().eq_ignore_ascii_case(t))
    }
}

impl std::fmt::Display for Commission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl std::str::FromStr for Commission {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Commission::parse(s).ok_or_else(|| UnknownCode { kind: "委托类型", code: s.to_owned() })
    }
}

/// Departments that report lists: EEB and the five partner departments (R11).
pub fn reporting_departments() -> Vec<Department> {
    Department::ALL.iter().copied().filter(|d| *d == Department::Eeb || d.is_partner()).collect()
}

/// One row of a list: an institution, a category it monitors for the department, the project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartnerListRow {
    pub uscc: String,
    pub institution_name: String,
    pub category: Category,
    pub project: String,
    pub commission: Commission,
}

/// What is wrong with one row. `row` is the 1-based position in the submitted rows; an importer
/// whose file has a header adds its own offset before showing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowProblem {
    pub row: usize,
    pub field: &'static str,
    pub message: String,
}

impl fmt::Display for RowProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "第 {} 行 {}:{}", self.row, field_zh(self.field), self.message)
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "uscc" => "统一社会信用代码",
        "institution_name" => "机构名称",
        "category" => "监测类别",
        "project" => "项目名称",
        "commission" => "委托类型",
        _ => "",
    }
}

/// The rows tidied (USCCs normalised, texts trimmed), or every problem of every row: a bad USCC,
/// a blank or overlong name or project, two names for one USCC, a repeated row.
pub fn validate_rows(rows: &[PartnerListRow]) -> Result<Vec<PartnerListRow>, Vec<RowProblem>> {
    let mut problems = Vec::new();
    let mut clean = Vec::with_capacity(rows.len());
    let mut seen: BTreeMap<(String, Category, String, Commission), usize> = BTreeMap::new();
    let mut names: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let row = i + 1;
        let mut bad = |field, message: String| problems.push(RowProblem { row, field, message });
        let uscc = match Uscc::parse(&r.uscc) {
            Ok(u) => Some(u.as_str().to_owned()),
            Err(e) => {
                bad("uscc", e.to_string());
                None
            }
        };
        let name = r.institution_name.trim().to_owned();
        if name.is_empty() {
            bad("institution_name", "机构名称不能为空".into());
        } else if name.chars().count() > 200 {
            bad("institution_name", "机构名称不能超过 200 个字符".into());
        }
        let project = r.project.trim().to_owned();
        if project.is_empty() {
            bad("project", "项目名称不能为空".into());
        } else if project.chars().count() > 500 {
            bad("project", "项目名称不能超过 500 个字符".into());
        }
        let Some(uscc) = uscc else { continue };
        if !name.is_empty() {
            match names.get(&uscc) {
                Some((first, other)) if *other != name => bad(
                    "institution_name",
                    format!("与第 {first} 行同一统一社会信用代码的机构名称“{other}”不一致"),
                ),
                Some(_) => {}
                None => {
                    names.insert(uscc.clone(), (row, name.clone()));
                }
            }
        }
        let key = (uscc.clone(), r.category, project.clone(), r.commission);
        if let Some(first) = seen.get(&key) {
            bad("project", format!("与第 {first} 行重复"));
        } else {
            seen.insert(key, row);
        }
        clean.push(PartnerListRow {
            uscc,
            institution_name: name,
            category: r.category,
            project,
            commission: r.commission,
        });
    }
    if problems.is_empty() {
        Ok(clean)
    } else {
        Err(problems)
    }
}

/// How many rows have a problem (a row may have several).
pub fn rows_with_problems(problems: &[RowProblem]) -> usize {
    problems.iter().map(|p| p.row).collect::<BTreeSet<_>>().len()
}

/// One row of an uploaded file, with the department and the period it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedRow {
    pub department: Department,
    pub period: Period,
    pub row: PartnerListRow,
}

/// Why an uploaded file cannot be a department's list: at a line of the file (data starts on line
/// 2, under the header), or the file as a whole (line 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub line: usize,
    pub message: String,
}

/// What an uploaded file reports: one period, the uploader's own department. Every row naming
/// another department is a problem, as is a file with several periods or none.
pub fn single_period(
    department: Department,
    rows: Vec<UploadedRow>,
) -> Result<(Period, Vec<PartnerListRow>), Vec<FileProblem>> {
    let mut groups: BTreeMap<Period, Vec<PartnerListRow>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, r) in rows.into_iter().enumerate() {
        if r.department != department {
            let line = i + 2;
            let message =
                format!("第 {line} 行:报送部门“{}”不是本部门({})", r.department.zh(), department.zh());
            problems.push(FileProblem { line, message });
            continue;
        }
        groups.entry(r.period).or_default().push(r.row);
    }
    if groups.len() > 1 {
        let message = format!("一个文件只能报送一个期间,本文件含 {} 个期间", groups.len());
        problems.push(FileProblem { line: 0, message });
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    groups
        .into_iter()
        .next()
        .ok_or_else(|| vec![FileProblem { line: 0, message: "文件中没有名单行".into() }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(uscc: &str, name: &str, project: &str) -> PartnerListRow {
        PartnerListRow {
            uscc: uscc.into(),
            institution_name: name.into(),
            category: Category::Water,
            project: project.into(),
            commission: Commission::Enforcement,
        }
    }

    #[test]
    fn every_bad_row_is_listed_and_good_rows_are_tidied() {
        let ok = validate_rows(&[row(" 91110000600037341l ", " 甲 ", " 河道监测 ")]).unwrap();
        assert_eq!(ok[0].uscc, "91110000600037341L");
        assert_eq!((ok[0].institution_name.as_str(), ok[0].project.as_str()), ("甲", "河道监测"));
        let bad = validate_rows(&[
            row("91110000600037341N", "甲", "x"),
            row("91110000600037341L", "", ""),
            row("91110000600037341L", "甲", "x"),
            row("91110000600037341L", "乙", "x"),
        ])
        .unwrap_err();
        let at: Vec<(usize, &str)> = bad.iter().map(|p| (p.row, p.field)).collect();
        assert_eq!(
            at,
            [(1, "uscc"), (2, "institution_name"), (2, "project"), (4, "institution_name"), (4, "project")]
        );
        assert_eq!(rows_with_problems(&bad), 3);
        assert_eq!(bad[0].to_string(), format!("第 1 行 统一社会信用代码:{}", bad[0].message));
    }

    #[test]
    fn an_upload_is_one_period_of_the_uploaders_department() {
        let up = |d, p: &str| UploadedRow {
            department: d,
            period: p.parse().unwrap(),
            row: row("91110000600037341L", "甲", "x"),
        };
        let (p, rows) = single_period(Department::Water, vec![up(Department::Water, "2025")]).unwrap();
        assert_eq!((p.code(), rows.len()), ("2025".to_owned(), 1));
        let e = single_period(Department::Water, vec![up(Department::Agri, "2025")]).unwrap_err();
        assert!(
            e[0].line == 2 && e[0].message.starts_with("第 2 行") && e[0].message.contains("区农业农村委"),
            "{e:?}"
        );
        let e = single_period(
            Department::Water,
            vec![up(Department::Water, "2025"), up(Department::Water, "2025H1")],
        )
        .unwrap_err();
        assert!(e[0].line == 0 && e[0].message.contains("2 个期间"), "{e:?}");
        assert_eq!(
            single_period(Department::Water, Vec::new()).unwrap_err(),
            [FileProblem { line: 0, message: "文件中没有名单行".into() }]
        );
    }

    #[test]
    fn commissions_parse_from_code_and_chinese() {
        assert_eq!(Commission::parse("行政执法"), Some(Commission::Enforcement));
        assert_eq!("GOVERNMENT".parse::<Commission>().ok(), Some(Commission::Government));
        assert_eq!(reporting_departments().len(), 6);
    }
}
