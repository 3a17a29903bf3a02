//! Reading the registry: export, one institution, standing on a day, the directory with its
//! filters, flags, the timeline.
//!
//! The directory filters "in force on D" and "status on D" in SQL ([`status_on`]); the Rust
//! definition (`lianjian_registry::Certificate::in_force_on`, `state_on`) is the law, and the property
//! test `institutions_prop` holds this SQL to it over generated registries and random days.

use std::collections::{BTreeSet, HashMap};

use lianjian_registry::{Institution, Snapshot, Standing, Status};
use serde_json::Value;
use sqlx::Row;
use time::Date;

use lianjian_registry::flags::{expiring, Flag, EXPIRY_WARNING_MONTHS};

use super::flags::staff_elsewhere;
use super::load::load;
use super::{CertificateFilter, DirectoryFilter, DirectoryRow};
use crate::audit::AuditFilter;
use crate::sql::{bind_all, limit_offset, ymd, Cell};
use crate::{Result, Store};

/// `%…%` for LIKE, with the pattern characters escaped (`ESCAPE '\'`).
fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// SQL for "status of certificate `c` on day `$d`": the last history entry with from ≤ D.
fn status_on(d: &str) -> String {
    format!(
        "(SELECT st.status FROM certificate_status st WHERE st.certificate_no = c.certificate_no \
         AND st.from_date <= {d} ORDER BY st.pos DESC LIMIT 1)"
    )
}

/// The WHERE clause over `institutions i` and its bound values.
fn where_clause(f: &DirectoryFilter) -> (String, Vec<Cell>) {
    let mut conds: Vec<String> = Vec::new();
    let mut binds: Vec<Cell> = Vec::new();
    let next = |binds: &mut Vec<Cell>, v: Cell| {
        binds.push(v);
        format!("${}", binds.len())
    };
    if let Some(name) = f.name_contains.as_deref().filter(|s| !s.is_empty()) {
        let p = next(&mut binds, format!("%{}%", like_escape(name)).into());
        conds.push(format!("i.name LIKE {p} ESCAPE '\\'"));
    }
    if let Some(prefix) = f.uscc_prefix.as_deref().filter(|s| !s.is_empty()) {
        let p = next(&mut binds, format!("{}%", like_escape(prefix)).into());
        conds.push(format!("i.uscc LIKE {p} ESCAPE '\\'"));
    }
    if let Some(cat) = &f.category {
        let p = next(&mut binds, cat.as_str().into());
        conds.push(format!(
            "i.uscc IN (SELECT c.institution_uscc FROM certificate_scope s \
             JOIN certificates c ON c.certificate_no = s.certificate_no WHERE s.category = {p})"
        ));
    }
    if let Some((which, on)) = &f.certificate_status_on {
        let d = next(&mut binds, ymd(*on).into());
        let cond = match which {
            CertificateFilter::InForce => {
                let v = next(&mut binds, "valid".into());
                format!("c.issued_on <= {d} AND c.expires_on >= {d} AND {} = {v}", status_on(&d))
            }
            CertificateFilter::Status(s) => {
                let v = next(&mut binds, s.as_str().into());
                format!("c.issued_on <= {d} AND c.expires_on >= {d} AND {} = {v}", status_on(&d))
            }
            CertificateFilter::Expired => format!("c.expires_on < {d}"),
        };
        conds.push(format!("i.uscc IN (SELECT c.institution_uscc FROM certificates c WHERE {cond})"));
    }
    if let Some((parameter, method, on)) = &f.can_test {
        let p = next(&mut binds, parameter.as_str().into());
        let m = next(&mut binds, lianjian_registry::normalize_code(method).into());
        let d = next(&mut binds, ymd(*on).into());
        let v = next(&mut binds, "valid".into());
        conds.push(format!(
            "i.uscc IN (SELECT c.institution_uscc FROM certificate_scope s \
             JOIN certificates c ON c.certificate_no = s.certificate_no \
             WHERE s.parameter = {p} AND s.method_key = {m} \
             AND s.from_date <= {d} AND (s.to_date IS NULL OR s.to_date >= {d}) \
             AND c.issued_on <= {d} AND c.expires_on >= {d} AND {} = {v})",
            status_on(&d)
        ));
    }
    let sql = if conds.is_empty() { String::new() } else { format!("WHERE {}", conds.join(" AND ")) };
    (sql, binds)
}

fn row_of(inst: &Institution, today: Date, flags: Vec<Flag>) -> DirectoryRow {
    let standing = inst.standing(today);
    let categories: BTreeSet<String> = inst
        .certificates
        .iter()
        .flat_map(|c| c.scope.iter().map(|s| s.category.as_str().to_owned()))
        .collect();
    DirectoryRow {
        uscc: inst.uscc.clone(),
        name: inst.name.clone(),
        district: inst.district.clone(),
        certificate_in_force_today: standing.certificate_in_force,
        certificates: standing.certificates.into_iter().map(|c| (c.no, c.state)).collect(),
        categories: categories.into_iter().collect(),
        restricted_today: standing.restricted,
        flags,
    }
}

impl Store {
    /// The whole registry as a snapshot, in canonical order: `to_canonical_json()` of it is the
    /// export file, and importing that file back changes nothing.
    pub async fn export_registry(&self) -> Result<Snapshot> {
        let mut conn = self.pool().acquire().await?;
        let mut s = Snapshot { institutions: load(&mut conn, None).await? };
        s.canonicalize();
        Ok(s)
    }

    /// One institution, complete, in canonical order.
    pub async fn institution(&self, uscc: &str) -> Result<Option<Institution>> {
        let mut conn = self.pool().acquire().await?;
        let mut s = Snapshot { institutions: load(&mut conn, Some(&[uscc.to_owned()])).await? };
        s.canonicalize();
        Ok(s.institutions.pop())
    }

    /// The institution's standing 机构状态 on `on`, exactly as exchange-formats §1 defines it.
    pub async fn standing(&self, uscc: &str, on: Date) -> Result<Option<Standing>> {
        Ok(self.institution(uscc).await?.map(|i| i.standing(on)))
    }

    /// How many institutions are on file.
    pub async fn institution_count(&self) -> Result<i64> {
        let mut conn = self.pool().acquire().await?;
        super::load::count(&mut conn).await
    }

    /// Rule flags of one institution on `today`, with the default 3-month expiry look-ahead.
    pub async fn flags(&self, uscc: &str, today: Date) -> Result<Vec<Flag>> {
        self.flags_with(uscc, today, EXPIRY_WARNING_MONTHS).await
    }

    /// Rule flags with an explicit expiry look-ahead in months. Staff overlaps are flagged
    /// whenever the periods overlap, past ones included: the record is what is checked.
    pub async fn flags_with(&self, uscc: &str, today: Date, months: u32) -> Result<Vec<Flag>> {
        let mut conn = self.pool().acquire().await?;
        let key = [uscc.to_owned()];
        let mut flags = staff_elsewhere(&mut conn, &key).await?.remove(uscc).unwrap_or_default();
        if let Some(inst) = load(&mut conn, Some(&key)).await?.first() {
            flags.extend(expiring(inst, today, months));
        }
        Ok(flags)
    }

    /// A page of the directory 机构名录, filtered in SQL, ordered by USCC, with the total count.
    ///
    /// "Who may test parameter X by method Y on day D" (`can_test`) = some certificate of the
    /// institution in force on D whose scope covers (X, Y) on D; methods compare after
    /// [`lianjian_registry::normalize_code`]. `category` = some scope entry of some certificate of
    /// the institution is in that category; a row's `categories` are those, too.
    pub async fn directory(
        &self,
        filter: &DirectoryFilter,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<DirectoryRow>, i64)> {
        let today = filter.today.unwrap_or_else(|| self.today());
        let (clause, binds) = where_clause(filter);
        let mut conn = self.pool().acquire().await?;
        let count_sql = format!("SELECT COUNT(*) FROM institutions i {clause}");
        let total: i64 = bind_all(sqlx::query(&count_sql), &binds).fetch_one(&mut *conn).await?.try_get(0)?;
        let n = binds.len();
        let page_sql =
            format!("SELECT i.uscc FROM institutions i {clause} ORDER BY i.uscc{}", limit_offset(n));
        let rows =
            bind_all(sqlx::query(&page_sql), &binds).bind(limit).bind(offset).fetch_all(&mut *conn).await?;
        let usccs: Vec<String> = rows.iter().map(|r| r.try_get(0)).collect::<Result<_, _>>()?;
        if usccs.is_empty() {
            return Ok((Vec::new(), total));
        }
        let mut staff = staff_elsewhere(&mut conn, &usccs).await?;
        let insts: HashMap<String, Institution> =
            load(&mut conn, Some(&usccs)).await?.into_iter().map(|i| (i.uscc.clone(), i)).collect();
        let mut out = Vec::with_capacity(usccs.len());
        for u in &usccs {
            if let Some(inst) = insts.get(u) {
                let mut flags = staff.remove(u).unwrap_or_default();
                flags.extend(expiring(inst, today, EXPIRY_WARNING_MONTHS));
                out.push(row_of(inst, today, flags));
            }
        }
        Ok((out, total))
    }

    /// The institution's history 变更记录: its audit entries (object `institution`/USCC), newest
    /// first, as the chain exports them.
    pub async fn institution_timeline(&self, uscc: &str) -> Result<Vec<Value>> {
        let filter = AuditFilter { object_id: Some(uscc.to_owned()), ..AuditFilter::default() };
        let entries = self.audit_search(&filter, 100_000, 0).await?;
        Ok(entries.into_iter().filter(|e| e["object"]["type"] == "institution").collect())
    }
}

/// Statuses a directory filter can ask for, for the web's select box.
pub fn certificate_filters() -> Vec<CertificateFilter> {
    let mut v = vec![CertificateFilter::InForce];
    v.extend(Status::ALL.iter().cloned().map(CertificateFilter::Status));
    v.push(CertificateFilter::Expired);
    v
}
