//! Workbook → snapshot: read every sheet, collect every bad cell, link rows by key, then run the
//! registry's own validation and report its problems where they came from.

use std::collections::{HashMap, HashSet};

use lianjian_registry::{
    validate, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Snapshot,
    Staff, StatusEntry,
};

use super::*;
use crate::grid::{open_xlsx, SheetError};
use crate::sheet::{RowReader, Table};
use crate::vocab::{parse_category, parse_role, parse_status, split_list};
use crate::{SheetLimits, SheetProblem};

/// Where each part of the snapshot came from, parallel to it, so a problem found by
/// [`validate`] on `/institutions/i/…` can be shown at its sheet and row.
#[derive(Default)]
struct Origin {
    institutions: Vec<InstitutionRows>,
}

#[derive(Default)]
struct InstitutionRows {
    row: usize,
    certificates: Vec<CertificateRows>,
    signatories: Vec<usize>,
    staff: Vec<usize>,
    instruments: Vec<usize>,
    restrictions: Vec<usize>,
}

#[derive(Default)]
struct CertificateRows {
    row: usize,
    statuses: Vec<usize>,
    scope: Vec<usize>,
}

/// A USCC as typed: spaces removed, letters upper-cased (as `lianjian_domain::uscc` does);
/// whether it is valid is for [`validate`] to say.
fn uscc_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect()
}

struct Reader {
    problems: Vec<SheetProblem>,
    snapshot: Snapshot,
    origin: Origin,
    /// USCC → institution index.
    by_uscc: HashMap<String, usize>,
    /// Certificate number → (institution, certificate) index.
    by_cert: HashMap<String, (usize, usize)>,
    /// Keys on a row that was itself rejected: rows referring to them are not reported again.
    rejected_usccs: HashSet<String>,
    rejected_certs: HashSet<String>,
    /// Certificates that lost a status row to a bad cell (their empty history is not news).
    status_row_rejected: HashSet<(usize, usize)>,
}

impl Reader {
    fn finish_row(&mut self, r: RowReader<'_>) -> bool {
        let ok = r.ok();
        self.problems.extend(r.problems);
        ok
    }

    /// The institution a row names by USCC, reporting an unknown one.
    fn institution(&self, r: &mut RowReader<'_>, uscc: &str) -> Option<usize> {
        let found = self.by_uscc.get(uscc).copied();
        if found.is_none() && !self.rejected_usccs.contains(uscc) {
            r.fail(USCC, format!("统一社会信用代码 {uscc} 未列在“{INSTITUTIONS}”表中"));
        }
        found
    }

    /// The certificate a row names by number, reporting an unknown one.
    fn certificate(&self, r: &mut RowReader<'_>, no: &str) -> Option<(usize, usize)> {
        let found = self.by_cert.get(no).copied();
        if found.is_none() && !self.rejected_certs.contains(no) {
            r.fail(CERT_NO, format!("证书编号 {no} 未列在“{CERTIFICATES}”表中"));
        }
        found
    }

    fn institutions(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            // A blank name is reported by `validate`, at this row.
            let name = r.opt_text(NAME).unwrap_or_default();
            let district = r.opt_text(DISTRICT);
            let address = r.opt_text(ADDRESS);
            let legal_rep = r.opt_text(LEGAL_REP);
            let phone = r.opt_text(PHONE);
            if let Some(u) = &uscc {
                if let Some(&first) = self.by_uscc.get(u) {
                    let at = self.origin.institutions[first].row;
                    r.fail(USCC, format!("统一社会信用代码 {u} 重复(与第 {at} 行相同)"));
                }
            }
            let row = r.row;
            if !self.finish_row(r) {
                self.rejected_usccs.extend(uscc);
                continue;
            }
            let Some(uscc) = uscc else { continue };
            self.by_uscc.insert(uscc.clone(), self.snapshot.institutions.len());
            self.snapshot.institutions.push(Institution {
                uscc,
                name,
                district,
                address,
                legal_rep,
                phone,
                certificates: Vec::new(),
                signatories: Vec::new(),
                staff: Vec::new(),
                instruments: Vec::new(),
                restrictions: Vec::new(),
            });
            self.origin.institutions.push(InstitutionRows { row, ..Default::default() });
        }
    }

    fn certificates(&mut self, t: &Table<'_>) {
        let mut first_row: HashMap<String, usize> = HashMap::new();
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            let no = r.text(CERT_NO);
            let issuer = r.opt_text(ISSUER);
            let issued_on = r.date(ISSUED_ON);
            let expires_on = r.date(EXPIRES_ON);
            let inst = uscc.as_deref().and_then(|u| self.institution(&mut r, u));
            if let Some(no) = &no {
                if let Some(at) = first_row.get(no) {
                    r.fail(CERT_NO, format!("证书编号 {no} 重复(与第 {at} 行相同)"));
                } else {
                    first_row.insert(no.clone(), r.row);
                }
            }
            let row = r.row;
            let ok = self.finish_row(r);
            let (Some(no), Some(i), Some(issued_on), Some(expires_on), true) =
                (no.clone(), inst, issued_on, expires_on, ok)
            else {
                if first_row.get(no.as_deref().unwrap_or_default()) == Some(&row) {
                    self.rejected_certs.extend(no);
                }
                continue;
            };
            let certs = &mut self.snapshot.institutions[i].certificates;
            self.by_cert.insert(no.clone(), (i, certs.len()));
            certs.push(Certificate {
                no,
                issuer,
                issued_on,
                expires_on,
                status_history: Vec::new(),
                scope: Vec::new(),
            });
            self.origin.institutions[i].certificates.push(CertificateRows { row, ..Default::default() });
        }
    }

    fn statuses(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let no = r.text(CERT_NO);
            let status = r.text(STATUS).and_then(|s| {
                let v = parse_status(&s);
                if v.is_none() {
                    r.fail(STATUS, format!("未知的证书状态“{s}”,应为 {}", STATUS_NAMES.join("、")));
                }
                v
            });
            let from = r.date(FROM);
            let cert = no.as_deref().and_then(|n| self.certificate(&mut r, n));
            let row = r.row;
            let ok = self.finish_row(r);
            match (cert, status, from, ok) {
                (Some((i, j)), Some(status), Some(from), true) => {
                    self.snapshot.institutions[i].certificates[j]
                        .status_history
                        .push(StatusEntry { status, from });
                    self.origin.institutions[i].certificates[j].statuses.push(row);
                }
                (Some(c), ..) => {
                    self.status_row_rejected.insert(c);
                }
                _ => {}
            }
        }
    }

    fn scope(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let no = r.text(CERT_NO);
            let category = r.text(CATEGORY).and_then(|s| category_cell(&mut r, CATEGORY, &s));
            let parameter = r.text(PARAMETER);
            let method = r.text(METHOD);
            let from = r.date(FROM);
            let to = r.opt_date(TO);
            let cert = no.as_deref().and_then(|n| self.certificate(&mut r, n));
            let row = r.row;
            if !self.finish_row(r) {
                continue;
            }
            if let (Some((i, j)), Some(category), Some(parameter), Some(method), Some(from), Ok(to)) =
                (cert, category, parameter, method, from, to)
            {
                self.snapshot.institutions[i].certificates[j].scope.push(ScopeEntry {
                    category,
                    parameter,
                    method,
                    from,
                    to,
                });
                self.origin.institutions[i].certificates[j].scope.push(row);
            }
        }
    }

    fn signatories(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            let id = r.text(PERSON_ID);
            let name = r.opt_text(PERSON_NAME).unwrap_or_default();
            let categories = r.text(CATEGORY).map(|s| {
                split_list(&s)
                    .into_iter()
                    .filter_map(|c| category_cell(&mut r, CATEGORY, c))
                    .collect::<Vec<_>>()
            });
            let from = r.date(FROM);
            let to = r.opt_date(TO);
            let inst = uscc.as_deref().and_then(|u| self.institution(&mut r, u));
            let row = r.row;
            if !self.finish_row(r) {
                continue;
            }
            if let (Some(i), Some(id), Some(categories), Some(from), Ok(to)) =
                (inst, id, categories, from, to)
            {
                let person = Person { id, name };
                self.snapshot.institutions[i].signatories.push(Signatory { person, categories, from, to });
                self.origin.institutions[i].signatories.push(row);
            }
        }
    }

    fn staff(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            let id = r.text(PERSON_ID);
            let name = r.opt_text(PERSON_NAME).unwrap_or_default();
            let roles: Vec<String> = r
                .opt_text(ROLES)
                .map(|s| split_list(&s).into_iter().map(parse_role).collect())
                .unwrap_or_default();
            let from = r.date(FROM);
            let to = r.opt_date(TO);
            let inst = uscc.as_deref().and_then(|u| self.institution(&mut r, u));
            let row = r.row;
            if !self.finish_row(r) {
                continue;
            }
            if let (Some(i), Some(id), Some(from), Ok(to)) = (inst, id, from, to) {
                let person = Person { id, name };
                self.snapshot.institutions[i].staff.push(Staff { person, roles, from, to });
                self.origin.institutions[i].staff.push(row);
            }
        }
    }

    fn instruments(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            let id = r.text(INSTRUMENT_ID);
            let name = r.opt_text(INSTRUMENT_NAME).unwrap_or_default();
            let inst = uscc.as_deref().and_then(|u| self.institution(&mut r, u));
            let row = r.row;
            if !self.finish_row(r) {
                continue;
            }
            if let (Some(i), Some(id)) = (inst, id) {
                self.snapshot.institutions[i].instruments.push(Instrument { id, name });
                self.origin.institutions[i].instruments.push(row);
            }
        }
    }

    fn restrictions(&mut self, t: &Table<'_>) {
        for mut r in t.rows() {
            let uscc = r.text(USCC).map(|s| uscc_key(&s));
            let from = r.date(FROM);
            let to = r.opt_date(TO);
            let basis = r.opt_text(BASIS).unwrap_or_default();
            let inst = uscc.as_deref().and_then(|u| self.institution(&mut r, u));
            let row = r.row;
            if !self.finish_row(r) {
                continue;
            }
            if let (Some(i), Some(from), Ok(to)) = (inst, from, to) {
                self.snapshot.institutions[i].restrictions.push(Restriction { from, to, basis });
                self.origin.institutions[i].restrictions.push(row);
            }
        }
    }

    /// Maps a [`validate`] problem to the sheet, row and column it came from.
    fn locate(&self, p: &lianjian_registry::Problem) -> Option<SheetProblem> {
        let seg: Vec<&str> = p.path.trim_start_matches('/').split('/').collect();
        let idx = |k: usize| seg.get(k).and_then(|s| s.parse::<usize>().ok());
        let inst = self.origin.institutions.get(idx(1)?)?;
        let at = |sheet: &str, row: usize, field: &str| {
            Some(SheetProblem::new(sheet, row, field, p.reason.clone()))
        };
        let period_field = |f: &str| if f == "from" { FROM } else { TO };
        match seg.get(2).copied() {
            Some("uscc") => at(INSTITUTIONS, inst.row, USCC),
            Some("name") => at(INSTITUTIONS, inst.row, NAME),
            Some("certificates") => {
                let c = inst.certificates.get(idx(3)?)?;
                match (seg.get(4).copied(), idx(5)) {
                    (Some("status_history"), Some(k)) => {
                        at(STATUSES, *c.statuses.get(k)?, if p.field == "status" { STATUS } else { FROM })
                    }
                    (Some("status_history"), None) => at(CERTIFICATES, c.row, CERT_NO),
                    (Some("scope"), Some(k)) => {
                        let field = match p.field.as_str() {
                            "category" => CATEGORY,
                            "parameter" => PARAMETER,
                            "method" => METHOD,
                            f => period_field(f),
                        };
                        at(SCOPE, *c.scope.get(k)?, field)
                    }
                    (Some("expires_on"), _) => at(CERTIFICATES, c.row, EXPIRES_ON),
                    (Some("issued_on"), _) => at(CERTIFICATES, c.row, ISSUED_ON),
                    _ => at(CERTIFICATES, c.row, CERT_NO),
                }
            }
            Some("signatories") => {
                let field = match seg.get(4).copied() {
                    Some("person") => PERSON_ID,
                    Some("categories") => CATEGORY,
                    Some(f) => period_field(f),
                    None => PERSON_ID,
                };
                at(SIGNATORIES, *inst.signatories.get(idx(3)?)?, field)
            }
            Some("staff") => {
                let field = match seg.get(4).copied() {
                    Some("person") | None => PERSON_ID,
                    Some(f) => period_field(f),
                };
                at(STAFF, *inst.staff.get(idx(3)?)?, field)
            }
            Some("instruments") => at(INSTRUMENTS, *inst.instruments.get(idx(3)?)?, INSTRUMENT_ID),
            Some("restrictions") => {
                let field = period_field(seg.get(4).copied().unwrap_or("to"));
                at(RESTRICTIONS, *inst.restrictions.get(idx(3)?)?, field)
            }
            _ => None,
        }
    }

    /// Whether a [`validate`] problem only repeats one already reported on a sheet.
    fn already_reported(&self, p: &lianjian_registry::Problem) -> bool {
        let seg: Vec<&str> = p.path.trim_start_matches('/').split('/').collect();
        match (seg.get(1), seg.get(2), seg.get(3), seg.get(4), seg.get(5)) {
            (Some(i), Some(&"certificates"), Some(j), Some(&"status_history"), None) => {
                matches!((i.parse(), j.parse()), (Ok(i), Ok(j)) if self.status_row_rejected.contains(&(i, j)))
            }
            _ => false,
        }
    }
}

/// A category cell (or one item of a list cell), reporting an unknown one.
fn category_cell(r: &mut RowReader<'_>, col: &str, s: &str) -> Option<lianjian_domain::org::Category> {
    let c = parse_category(s);
    if c.is_none() {
        r.fail(col, format!("未知的监测类别“{s}”,应为 {} 之一(或其代码)", CATEGORY_NAMES.join("、")));
    }
    c
}

/// Reads a workbook written by [`snapshot_to_xlsx`] or filled in from [`registry_template`].
///
/// Returns the snapshot in canonical order, or every problem found: bad cells on any sheet
/// (unknown category or status, bad date, blank required cell, a row naming a USCC or
/// certificate that is not on its sheet, duplicates, missing sheets or columns) and then every
/// problem [`lianjian_registry::validate`] finds in what could be read (bad USCC check
/// character, expiry before issue, statuses out of date order, …), located at its sheet and
/// row. Problems come sorted by sheet, then row. A file with any problem imports nothing.
///
/// A file past one of `limits` (too large unzipped, a sheet declaring or using rows or columns
/// beyond the caps, too many cells) is refused with that one problem as soon as it is seen,
/// before anything is built from the rest.
pub fn snapshot_from_xlsx(bytes: &[u8], limits: &SheetLimits) -> Result<Snapshot, Vec<SheetProblem>> {
    let mut book = open_xlsx(bytes, limits).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut reader = Reader {
        problems: Vec::new(),
        snapshot: Snapshot::default(),
        origin: Origin::default(),
        by_uscc: HashMap::new(),
        by_cert: HashMap::new(),
        rejected_usccs: HashSet::new(),
        rejected_certs: HashSet::new(),
        status_row_rejected: HashSet::new(),
    };
    type Step = fn(&mut Reader, &Table<'_>);
    let steps: [Step; 8] = [
        Reader::institutions,
        Reader::certificates,
        Reader::statuses,
        Reader::scope,
        Reader::signatories,
        Reader::staff,
        Reader::instruments,
        Reader::restrictions,
    ];
    // One sheet at a time: each grid is read, used and dropped before the next is read.
    for (def, step) in SHEETS.iter().zip(steps) {
        match book.grid(def.name) {
            Some(Ok(grid)) => match Table::locate(&grid, def.cols[0].0, &def.headers(), &def.required()) {
                Ok(t) => step(&mut reader, &t),
                Err(ps) => problems.extend(ps),
            },
            // A sheet past a cap: nothing more of this file is read.
            Some(Err(SheetError::OverLimit(p))) => return Err(vec![p]),
            Some(Err(SheetError::Unreadable(p))) => problems.push(p),
            None => problems.push(SheetProblem::new(
                def.name,
                0,
                "",
                format!("缺少工作表“{}”;请使用名录模板,保留全部工作表(没有数据的表只留表头)", def.name),
            )),
        }
    }
    problems.append(&mut reader.problems);
    for p in validate(&reader.snapshot) {
        if reader.already_reported(&p) {
            continue;
        }
        problems.push(reader.locate(&p).unwrap_or_else(|| {
            // Not expected: every path validate reports has an origin. Keep it, with its path.
            let u = p.uscc.clone().unwrap_or_default();
            SheetProblem::new(INSTITUTIONS, 0, &p.field, format!("{}(机构 {u},位置 {})", p.reason, p.path))
        }));
    }
    if problems.is_empty() {
        let mut s = reader.snapshot;
        s.canonicalize();
        Ok(s)
    } else {
        let order = |sheet: &str| SHEETS.iter().position(|d| d.name == sheet).map_or(0, |i| i + 1);
        problems.sort_by_key(|p| (order(&p.sheet), p.row));
        problems.dedup();
        Err(problems)
    }
}
