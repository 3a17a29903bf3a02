//! Snapshot import: validate, compare with what is on file, then upsert in one audited
//! transaction — or refuse the whole file, listing every problem, and change nothing.

use std::collections::{BTreeSet, HashMap, HashSet};

use lianjian_registry::{validate, Institution, Problem, Snapshot};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::{load::load, Change, ImportOutcome, ImportPreview, ImportSummary, PreviewItem};
use crate::audit::{Actor, AuditDraft};
use crate::sql::{day_text, execute_in, fetch_in, insert_rows, Cell};
use crate::{Backend, Result, Store};

/// SHA-256 of an institution's canonical JSON (the institution must already be canonicalized).
pub(crate) fn digest(inst: &Institution) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(inst).unwrap_or_default()))
}

/// One institution of the file, compared with the database.
struct Planned {
    /// Canonicalized.
    inst: Institution,
    digest: String,
    change: Change,
    /// What is on file now, when it differs.
    old: Option<Institution>,
    /// Same content, but the stored digest is out of date (refreshed on import).
    stale_digest: bool,
}

struct Plan {
    problems: Vec<Problem>,
    items: Vec<Planned>,
}

/// Top-level fields of an institution that differ, in the order of the spec.
pub(crate) fn changed_fields(old: &Institution, new: &Institution) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name, differs: bool| {
        if differs {
            out.push(name);
        }
    };
    check("name", old.name != new.name);
    check("district", old.district != new.district);
    check("address", old.address != new.address);
    check("legal_rep", old.legal_rep != new.legal_rep);
    check("phone", old.phone != new.phone);
    check("certificates", old.certificates != new.certificates);
    check("signatories", old.signatories != new.signatories);
    check("staff", old.staff != new.staff);
    check("instruments", old.instruments != new.instruments);
    check("restrictions", old.restrictions != new.restrictions);
    out
}

/// Problems that only the database can see: a certificate number on file for an institution that
/// is not in this file (a number moves between institutions only when both are in the file).
async fn database_problems(conn: &mut AnyConnection, snapshot: &Snapshot) -> Result<Vec<Problem>> {
    let in_file: HashSet<&str> = snapshot.institutions.iter().map(|i| i.uscc.as_str()).collect();
    let nos: Vec<String> =
        snapshot.institutions.iter().flat_map(|i| i.certificates.iter().map(|c| c.no.clone())).collect();
    let rows = fetch_in(conn, &nos, |ph| {
        format!("SELECT certificate_no, institution_uscc FROM certificates WHERE certificate_no IN ({ph})")
    })
    .await?;
    let mut owner: HashMap<String, String> = HashMap::with_capacity(rows.len());
    for r in rows {
        owner.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let mut problems = Vec::new();
    for (i, inst) in snapshot.institutions.iter().enumerate() {
        for (j, c) in inst.certificates.iter().enumerate() {
            if let Some(o) = owner.get(&c.no) {
                if *o != inst.uscc && !in_file.contains(o.as_str()) {
                    problems.push(Problem {
                        uscc: Some(inst.uscc.clone()),
                        path: format!("/institutions/{i}/certificates/{j}/no"),
                        field: "no".into(),
                        reason: format!(
                            "证书编号 {} 已登记在机构 {o} 名下;如确需转移,请在同一文件中一并提交机构 {o}",
                            c.no
                        ),
                    });
                }
            }
        }
    }
    Ok(problems)
}

async fn plan(conn: &mut AnyConnection, snapshot: &Snapshot) -> Result<Plan> {
    let mut problems = validate(snapshot);
    problems.extend(database_problems(conn, snapshot).await?);
    let mut canonical = snapshot.clone();
    canonical.canonicalize();
    let usccs: Vec<String> = canonical.institutions.iter().map(|i| i.uscc.clone()).collect();
    let mut stored: HashMap<String, String> = HashMap::new();
    for r in
        fetch_in(conn, &usccs, |ph| format!("SELECT uscc, digest FROM institutions WHERE uscc IN ({ph})"))
            .await?
    {
        stored.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let mut items = Vec::with_capacity(canonical.institutions.len());
    let mut suspects = Vec::new();
    for inst in canonical.institutions {
        let d = digest(&inst);
        let change = match stored.get(&inst.uscc) {
            None => Change::Created,
            Some(s) if *s == d => Change::Unchanged,
            Some(_) => {
                suspects.push(inst.uscc.clone());
                Change::Updated
            }
        };
        items.push(Planned { inst, digest: d, change, old: None, stale_digest: false });
    }
    if !suspects.is_empty() {
        let mut loaded = Snapshot { institutions: load(conn, Some(&suspects)).await? };
        loaded.canonicalize();
        let mut old: HashMap<String, Institution> =
            loaded.institutions.into_iter().map(|i| (i.uscc.clone(), i)).collect();
        for item in items.iter_mut().filter(|i| i.change == Change::Updated) {
            match old.remove(&item.inst.uscc) {
                Some(o) if o == item.inst => {
                    item.change = Change::Unchanged;
                    item.stale_digest = true;
                }
                Some(o) => item.old = Some(o),
                None => item.change = Change::Created,
            }
        }
    }
    Ok(Plan { problems, items })
}

/// The top-level scalar fields as JSON, by name.
fn field_value(inst: &Institution, field: &str) -> Value {
    match field {
        "name" => json!(inst.name),
        "district" => json!(inst.district),
        "address" => json!(inst.address),
        "legal_rep" => json!(inst.legal_rep),
        "phone" => json!(inst.phone),
        "certificates" => json!(inst.certificates.len()),
        "signatories" => json!(inst.signatories.len()),
        "staff" => json!(inst.staff.len()),
        "instruments" => json!(inst.instruments.len()),
        "restrictions" => json!(inst.restrictions.len()),
        _ => Value::Null,
    }
}

/// Audit body of a changed institution: only what changed; child lists as counts, certificates
/// also by number (added / changed / removed).
fn update_entry(old: &Institution, new: &Institution) -> (Value, Value) {
    let mut before = Map::new();
    let mut after = Map::new();
    for f in changed_fields(old, new) {
        before.insert(f.into(), field_value(old, f));
        after.insert(f.into(), field_value(new, f));
    }
    if after.contains_key("certificates") {
        let olds: HashMap<&str, _> = old.certificates.iter().map(|c| (c.no.as_str(), c)).collect();
        let news: HashMap<&str, _> = new.certificates.iter().map(|c| (c.no.as_str(), c)).collect();
        let added: BTreeSet<&str> = news.keys().filter(|n| !olds.contains_key(*n)).copied().collect();
        let removed: BTreeSet<&str> = olds.keys().filter(|n| !news.contains_key(*n)).copied().collect();
        let changed: BTreeSet<&str> =
            news.iter().filter(|(n, c)| olds.get(*n).is_some_and(|o| o != *c)).map(|(n, _)| *n).collect();
        after.insert(
            "certificates".into(),
            json!({"count": new.certificates.len(), "added": added, "changed": changed, "removed": removed}),
        );
    }
    (Value::Object(before), Value::Object(after))
}

fn create_entry(inst: &Institution) -> Value {
    json!({
        "name": inst.name,
        "district": inst.district,
        "address": inst.address,
        "legal_rep": inst.legal_rep,
        "phone": inst.phone,
        "certificates": inst.certificates.iter().map(|c| c.no.as_str()).collect::<Vec<_>>(),
        "scope": inst.certificates.iter().map(|c| c.scope.len()).sum::<usize>(),
        "signatories": inst.signatories.len(),
        "staff": inst.staff.len(),
        "instruments": inst.instruments.len(),
        "restrictions": inst.restrictions.len(),
    })
}

/// Deletes every child row of these institutions (the institution rows stay).
async fn delete_children(conn: &mut AnyConnection, usccs: &[String]) -> Result<()> {
    for table in ["certificate_scope", "certificate_status"] {
        execute_in(conn, usccs, |ph| {
            format!(
                "DELETE FROM {table} WHERE certificate_no IN \
                 (SELECT certificate_no FROM certificates WHERE institution_uscc IN ({ph}))"
            )
        })
        .await?;
    }
    for table in [
        "certificates",
        "institution_signatories",
        "institution_staff",
        "institution_instruments",
        "institution_restrictions",
    ] {
        execute_in(conn, usccs, |ph| format!("DELETE FROM {table} WHERE institution_uscc IN ({ph})")).await?;
    }
    Ok(())
}

/// Inserts every child row of these institutions, table by table, in batches.
async fn insert_children(
    conn: &mut AnyConnection,
    backend: Backend,
    insts: &[&Institution],
) -> Result<(usize, usize)> {
    let mut certs = Vec::new();
    let mut status = Vec::new();
    let mut scope = Vec::new();
    let mut signatories = Vec::new();
    let mut staff = Vec::new();
    let mut instruments = Vec::new();
    let mut restrictions = Vec::new();
    let (mut n_certs, mut n_scope) = (0, 0);
    for inst in insts {
        let u = &inst.uscc;
        for c in &inst.certificates {
            n_certs += 1;
            certs.extend([
                Cell::from(c.no.as_str()),
                u.as_str().into(),
                c.issuer.as_ref().into(),
                day_text(c.issued_on).into(),
                day_text(c.expires_on).into(),
            ]);
            for (pos, e) in c.status_history.iter().enumerate() {
                status.extend([
                    Cell::from(c.no.as_str()),
                    Cell::Int(pos as i64),
                    e.status.as_str().into(),
                    day_text(e.from).into(),
                ]);
            }
            for s in &c.scope {
                n_scope += 1;
                scope.extend([
                    Cell::from(c.no.as_str()),
                    s.category.as_str().into(),
                    s.parameter.as_str().into(),
                    s.method.as_str().into(),
                    lianjian_registry::normalize_code(&s.method).into(),
                    day_text(s.from).into(),
                    s.to.map(day_text).into(),
                ]);
            }
        }
        for s in &inst.signatories {
            let cats: Vec<&str> = s.categories.iter().map(|c| c.as_str()).collect();
            signatories.extend([
                Cell::from(u.as_str()),
                s.person.id.as_str().into(),
                s.person.name.as_str().into(),
                json!(cats).to_string().into(),
                day_text(s.from).into(),
                s.to.map(day_text).into(),
            ]);
        }
        for s in &inst.staff {
            staff.extend([
                Cell::from(u.as_str()),
                s.person.id.as_str().into(),
                s.person.name.as_str().into(),
                json!(s.roles).to_string().into(),
                day_text(s.from).into(),
                s.to.map(day_text).into(),
            ]);
        }
        for i in &inst.instruments {
            instruments.extend([Cell::from(u.as_str()), i.id.as_str().into(), i.name.as_str().into()]);
        }
        for r in &inst.restrictions {
            restrictions.extend([
                Cell::from(u.as_str()),
                day_text(r.from).into(),
                r.to.map(day_text).into(),
                r.basis.as_str().into(),
            ]);
        }
    }
    let person = ["institution_uscc", "person_id", "person_name"];
    insert_rows(
        conn,
        backend,
        "certificates",
        &["certificate_no", "institution_uscc", "issuer", "issued_on", "expires_on"],
        &certs,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "certificate_status",
        &["certificate_no", "pos", "status", "from_date"],
        &status,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "certificate_scope",
        &["certificate_no", "category", "parameter", "method", "method_key", "from_date", "to_date"],
        &scope,
    )
    .await?;
    let with = |last: &'static str| [person[0], person[1], person[2], last, "from_date", "to_date"];
    insert_rows(conn, backend, "institution_signatories", &with("categories"), &signatories).await?;
    insert_rows(conn, backend, "institution_staff", &with("roles"), &staff).await?;
    insert_rows(
        conn,
        backend,
        "institution_instruments",
        &["institution_uscc", "instrument_id", "name"],
        &instruments,
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "institution_restrictions",
        &["institution_uscc", "from_date", "to_date", "basis"],
        &restrictions,
    )
    .await?;
    Ok((n_certs, n_scope))
}

fn preview_of(plan: Plan) -> ImportPreview {
    let items = plan
        .items
        .iter()
        .map(|p| PreviewItem {
            uscc: p.inst.uscc.clone(),
            name: p.inst.name.clone(),
            change: p.change,
            fields: match &p.old {
                Some(old) => changed_fields(old, &p.inst).into_iter().map(str::to_owned).collect(),
                None => Vec::new(),
            },
        })
        .collect();
    ImportPreview { problems: plan.problems, items }
}

impl Store {
    /// What importing `snapshot` would do, without doing it: every problem that would refuse it,
    /// and per USCC whether it would be created, updated (which top-level fields) or unchanged.
    pub async fn preview_registry_import(&self, snapshot: &Snapshot) -> Result<ImportPreview> {
        let mut conn = self.pool().acquire().await?;
        Ok(preview_of(plan(&mut conn, snapshot).await?))
    }

    /// Imports a registry snapshot (exchange-formats §1) in one transaction.
    ///
    /// The file is validated first ([`lianjian_registry::validate`], plus checks only the database
    /// can make, such as a certificate number already held by an institution not in the file). Any
    /// problem refuses the whole file: [`ImportOutcome::Refused`] lists them all and the database,
    /// audit chain included, is unchanged.
    ///
    /// Otherwise institutions are upserted by USCC: a new one is inserted, a changed one has its
    /// fields updated and its certificates (by number), scope, signatories, staff, instruments and
    /// restrictions replaced by the file's, an identical one is left alone. An institution on file
    /// but absent from the snapshot is **left alone** — a snapshot adds and updates, it never
    /// deletes. Each created or updated institution gets one audit entry (`institution.create` /
    /// `institution.update`, object `institution`/USCC, only the changed fields), and the import
    /// one `registry.import` summary entry, even when nothing changed.
    pub async fn import_registry(
        &self,
        actor: &Actor,
        snapshot: &Snapshot,
        note: Option<&str>,
    ) -> Result<ImportOutcome> {
        let mut tx = self.begin().await?;
        let plan = plan(&mut tx, snapshot).await?;
        if !plan.problems.is_empty() {
            drop(tx);
            return Ok(ImportOutcome::Refused(plan.problems));
        }
        let now = self.now();
        let now_ms = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let mut summary = ImportSummary { institutions: plan.items.len(), ..ImportSummary::default() };

        let updated: Vec<String> =
            plan.items.iter().filter(|p| p.change == Change::Updated).map(|p| p.inst.uscc.clone()).collect();
        delete_children(&mut tx, &updated).await?;

        let mut rows = Vec::new();
        for p in plan.items.iter().filter(|p| p.change == Change::Created) {
            let i = &p.inst;
            rows.extend([
                Cell::from(i.uscc.as_str()),
                i.name.as_str().into(),
                i.district.as_ref().into(),
                i.address.as_ref().into(),
                i.legal_rep.as_ref().into(),
                i.phone.as_ref().into(),
                p.digest.as_str().into(),
                Cell::Int(now_ms),
                Cell::Int(now_ms),
            ]);
        }
        insert_rows(
            &mut tx,
            self.backend(),
            "institutions",
            &[
                "uscc",
                "name",
                "district",
                "address",
                "legal_rep",
                "phone",
                "digest",
                "created_at",
                "updated_at",
            ],
            &rows,
        )
        .await?;
        for p in &plan.items {
            let i = &p.inst;
            if p.change == Change::Updated {
                sqlx::query(
                    "UPDATE institutions SET name = $1, district = $2, address = $3, legal_rep = $4, \
                     phone = $5, digest = $6, updated_at = $7 WHERE uscc = $8",
                )
                .bind(&i.name)
                .bind(&i.district)
                .bind(&i.address)
                .bind(&i.legal_rep)
                .bind(&i.phone)
                .bind(&p.digest)
                .bind(now_ms)
                .bind(&i.uscc)
                .execute(&mut *tx)
                .await?;
            } else if p.stale_digest {
                sqlx::query("UPDATE institutions SET digest = $1 WHERE uscc = $2")
                    .bind(&p.digest)
                    .bind(&i.uscc)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        let changed: Vec<&Institution> =
            plan.items.iter().filter(|p| p.change != Change::Unchanged).map(|p| &p.inst).collect();
        let (certs, scope) = insert_children(&mut tx, self.backend(), &changed).await?;
        summary.certificates_written = certs;
        summary.scope_rows_written = scope;

        let mut drafts = Vec::new();
        for p in &plan.items {
            let draft = match (p.change, &p.old) {
                (Change::Unchanged, _) => {
                    summary.unchanged += 1;
                    continue;
                }
                (Change::Created, _) | (Change::Updated, None) => {
                    summary.created += 1;
                    AuditDraft::new(actor, "institution.create", "institution", p.inst.uscc.as_str())
                        .after(create_entry(&p.inst))
                }
                (Change::Updated, Some(old)) => {
                    summary.updated += 1;
                    let (before, after) = update_entry(old, &p.inst);
                    AuditDraft::new(actor, "institution.update", "institution", p.inst.uscc.as_str())
                        .before(before)
                        .after(after)
                }
            };
            let draft = match note {
                Some(n) => draft.note(n),
                None => draft,
            };
            drafts.push(draft);
        }
        let total: i64 =
            sqlx::query("SELECT COUNT(*) FROM institutions").fetch_one(&mut *tx).await?.try_get(0)?;
        summary.untouched = usize::try_from(total).unwrap_or(0).saturating_sub(summary.institutions);
        let mut draft = AuditDraft::new(actor, "registry.import", "registry", "institutions").after(json!({
            "institutions": summary.institutions,
            "created": summary.created,
            "updated": summary.updated,
            "unchanged": summary.unchanged,
            "untouched": summary.untouched,
            "certificates_written": summary.certificates_written,
            "scope_rows_written": summary.scope_rows_written,
        }));
        if let Some(n) = note {
            draft = draft.note(n);
        }
        drafts.push(draft);
        summary.audit_seq = super::chain::append_all(&mut tx, self.backend(), drafts, now).await?;
        crate::commit(tx).await?;
        Ok(ImportOutcome::Applied(summary))
    }
}
