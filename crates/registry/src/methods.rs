//! Method-standard table 方法标准表 (exchange-formats §5): which method codes exist and when they
//! are in force.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use time::Date;

/// Folds a method code to its comparable form, exactly as exchange-formats §5 says and no more:
/// trimmed, full-width characters folded (U+FF01–U+FF5E to ASCII, the ideographic space U+3000 to
/// a space) and runs of spaces collapsed. Anything else stays as written — an en dash is not a
/// hyphen, a tab is not a space, `HJ` and `hj` differ — so a code that only looks like a known
/// one is unknown (OFF-M01) rather than silently matched.
pub fn normalize_code(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut pending_space = false;
    for ch in code.trim().chars() {
        let c = match ch {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
            '\u{3000}' => ' ',
            c => c,
        };
        if c == ' ' {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// One row of the table. Unknown bounds (`MISSING` or empty) are `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodStandard {
    /// The code as written in the table.
    pub code: String,
    pub title_zh: Option<String>,
    pub category: Option<String>,
    pub effective: Option<Date>,
    pub abolished: Option<Date>,
    pub replaced_by: Option<String>,
    pub source: Option<String>,
}

impl MethodStandard {
    /// Folds another row with the same code into this one. §5 does not make codes unique, and a
    /// standard can be listed once per category it serves: the method is taken as in force
    /// from the earliest known `effective` to the latest known `abolished` (an unknown bound on
    /// either row stays unknown, since an unknown bound never makes a method not in force), and the
    /// categories are listed together; the first row's other columns are kept.
    pub fn merge(&mut self, other: MethodStandard) {
        self.effective = self.effective.zip(other.effective).map(|(a, b)| a.min(b));
        self.abolished = self.abolished.zip(other.abolished).map(|(a, b)| a.max(b));
        match (&mut self.category, other.category) {
            (Some(mine), Some(theirs)) if !mine.split('、').any(|c| c == theirs) => {
                mine.push('、');
                mine.push_str(&theirs);
            }
            (mine @ None, theirs) => *mine = theirs,
            _ => {}
        }
        self.title_zh = self.title_zh.take().or(other.title_zh);
        self.replaced_by = self.replaced_by.take().or(other.replaced_by);
        self.source = self.source.take().or(other.source);
    }

    /// effective ≤ d (or unknown) and d < abolished (or unknown).
    pub fn in_force_on(&self, d: Date) -> bool {
        self.effective.is_none_or(|e| e <= d) && self.abolished.is_none_or(|a| d < a)
    }
}

/// The answer to "is this method in force on D?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodCheck<'a> {
    /// The code is not in the table at all.
    Unknown,
    InForce(&'a MethodStandard),
    /// d < effective.
    NotYetEffective(&'a MethodStandard),
    /// d ≥ abolished.
    Abolished(&'a MethodStandard),
}

/// A bad row of the table (1-based line number as in a spreadsheet, header = line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodTableError {
    pub line: u64,
    pub field: String,
    /// Why, in Chinese.
    pub reason: String,
}

impl std::fmt::Display for MethodTableError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "方法标准表第 {} 行 {}:{}", self.line, self.field, self.reason)
    }
}

impl std::error::Error for MethodTableError {}

/// A row folded into an earlier row with the same code (after [`normalize_code`]): worth telling
/// the regulator who uploaded the table, since the merged bounds may not be what either row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedRow {
    /// Line of the folded row (header = line 1).
    pub line: u64,
    /// Line of the row it was folded into.
    pub into_line: u64,
    /// The code as written on the folded row.
    pub code: String,
}

impl std::fmt::Display for MergedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "第 {} 行方法标准 {} 与第 {} 行编号相同,已合并为一条(实施日期取较早者、废止日期取较晚者,未知日期视为未知,类别并列)",
            self.line, self.code, self.into_line
        )
    }
}

/// The table, keyed by normalised code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MethodTable {
    by_code: HashMap<String, MethodStandard>,
    merged: Vec<MergedRow>,
}

fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty() && t != "MISSING").then(|| t.to_owned())
}

impl MethodTable {
    /// Parses the CSV (header `code,title_zh,category,effective,abolished,replaced_by,source`,
    /// columns found by name). Every bad row is reported; a table with any error is rejected whole.
    /// Rows with the same code (after normalisation) are merged ([`MethodStandard::merge`]) and
    /// listed in [`MethodTable::merged_rows`].
    pub fn from_csv<R: std::io::Read>(r: R) -> Result<MethodTable, Vec<MethodTableError>> {
        let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(r);
        let mut errors = Vec::new();
        let err = |line: u64, field: &str, reason: String| MethodTableError {
            line,
            field: field.to_owned(),
            reason,
        };
        let headers = match rdr.headers() {
            Ok(h) => h.clone(),
            Err(e) => return Err(vec![err(1, "header", format!("无法读取表头:{e}"))]),
        };
        let col = |name: &str| headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == name);
        let Some(code_col) = col("code") else {
            return Err(vec![err(1, "code", "表头缺少 code 列".to_owned())]);
        };
        let cols = [
            col("title_zh"),
            col("category"),
            col("effective"),
            col("abolished"),
            col("replaced_by"),
            col("source"),
        ];
        let mut table = MethodTable::default();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        for rec in rdr.records() {
            let rec = match rec {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    errors.push(err(line, "row", format!("无法读取该行:{e}")));
                    continue;
                }
            };
            let line = rec.position().map_or(0, |p| p.line());
            let get = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("");
            let code = get(Some(code_col)).trim();
            if code.is_empty() || code == "MISSING" {
                errors.push(err(line, "code", "方法标准编号为空".to_owned()));
                continue;
            }
            let mut date = |field: &str, c: Option<usize>| -> Option<Date> {
                let v = opt(get(c))?;
                let d = crate::date::parse(&v);
                if d.is_none() {
                    errors.push(err(line, field, format!("“{v}”不是 YYYY-MM-DD 日期,也不是 MISSING 或空")));
                }
                d
            };
            let effective = date("effective", cols[2]);
            let abolished = date("abolished", cols[3]);
            let row = MethodStandard {
                code: code.to_owned(),
                title_zh: opt(get(cols[0])),
                category: opt(get(cols[1])),
                effective,
                abolished,
                replaced_by: opt(get(cols[4])),
                source: opt(get(cols[5])),
            };
            let key = normalize_code(code);
            match table.by_code.entry(key.clone()) {
                Entry::Occupied(mut o) => {
                    let into_line = first_line.get(&key).copied().unwrap_or(0);
                    table.merged.push(MergedRow { line, into_line, code: code.to_owned() });
                    o.get_mut().merge(row);
                }
                Entry::Vacant(v) => {
                    first_line.insert(key, line);
                    v.insert(row);
                }
            }
        }
        if errors.is_empty() {
            Ok(table)
        } else {
            Err(errors)
        }
    }

    /// Builds a table from rows (for tests and generators).
    pub fn from_rows(rows: impl IntoIterator<Item = MethodStandard>) -> MethodTable {
        MethodTable {
            by_code: rows.into_iter().map(|m| (normalize_code(&m.code), m)).collect(),
            merged: Vec::new(),
        }
    }

    /// Rows of the CSV that were folded into an earlier row with the same code, in file order.
    pub fn merged_rows(&self) -> &[MergedRow] {
        &self.merged
    }

    /// The row for a code, compared after [`normalize_code`].
    pub fn get(&self, code: &str) -> Option<&MethodStandard> {
        self.by_code.get(&normalize_code(code))
    }

    /// Is `code` known, and in force on `d`?
    pub fn check(&self, code: &str, d: Date) -> MethodCheck<'_> {
        match self.get(code) {
            None => MethodCheck::Unknown,
            Some(m) if m.effective.is_some_and(|e| d < e) => MethodCheck::NotYetEffective(m),
            Some(m) if m.abolished.is_some_and(|a| d >= a) => MethodCheck::Abolished(m),
            Some(m) => MethodCheck::InForce(m),
        }
    }

    /// `Some(true/false)` for a known code, `None` for an unknown one.
    pub fn in_force_on(&self, code: &str, d: Date) -> Option<bool> {
        self.get(code).map(|m| m.in_force_on(d))
    }

    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    /// Rows in code order.
    pub fn iter(&self) -> impl Iterator<Item = &MethodStandard> {
        let mut v: Vec<&MethodStandard> = self.by_code.values().collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_code_folds_to_half_width() {
        assert_eq!(normalize_code("HJ\u{3000}828\u{FF0D}2017"), "HJ 828-2017");
        assert_eq!(normalize_code("  ＨＪ  828－2017 "), "HJ 828-2017");
        assert_eq!(normalize_code(" GB/T  16488\u{FF0D}1996\u{3000}"), "GB/T 16488-1996");
        // Only what §5 names is folded: look-alike dashes and tabs are kept.
        assert_eq!(normalize_code("GB/T 16488\u{2212}1996"), "GB/T 16488\u{2212}1996");
        assert_eq!(normalize_code("HJ\t1-2010"), "HJ\t1-2010");
    }

    #[test]
    fn a_code_listed_twice_is_one_method_in_force_when_either_row_is() {
        let csv = "code,title_zh,category,effective,abolished,replaced_by,source\n\
                   HJ 1-2010,甲,water,2010-06-01,2020-01-01,,x\n\
                   HJ　1－2010,,soil,2011-01-01,2022-01-01,,y\n\
                   HJ 2-2010,乙,air,MISSING,2015-01-01,,x\n\
                   HJ 2-2010,乙,air,2012-01-01,,,x\n";
        let t = MethodTable::from_csv(csv.as_bytes()).expect("duplicates are merged, not refused");
        assert_eq!(t.len(), 2);
        let d = |s: &str| crate::date::parse(s).expect("date");
        let m = t.get("HJ 1-2010").expect("known");
        assert_eq!((m.effective, m.abolished), (Some(d("2010-06-01")), Some(d("2022-01-01"))));
        assert_eq!(m.category.as_deref(), Some("water、soil"));
        assert_eq!(m.title_zh.as_deref(), Some("甲"));
        // An unknown bound on either row stays unknown: never "not in force" on that side.
        assert!(t.in_force_on("HJ 2-2010", d("2001-01-01")).unwrap_or(false));
        assert!(t.in_force_on("HJ 2-2010", d("2030-01-01")).unwrap_or(false));
        // Each folded row is listed for the regulator, with the line it was folded into.
        let merged: Vec<(u64, u64, &str)> =
            t.merged_rows().iter().map(|m| (m.line, m.into_line, m.code.as_str())).collect();
        assert_eq!(merged, [(3, 2, "HJ　1－2010"), (5, 4, "HJ 2-2010")]);
        assert!(t.merged_rows()[0].to_string().contains("第 3 行方法标准 HJ　1－2010 与第 2 行编号相同"));
    }
}
