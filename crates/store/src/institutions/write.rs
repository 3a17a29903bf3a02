//! Writing institutions inside the caller's transaction: the institution rows, and their children
//! (certificates with status history and scope, signatories, staff, instruments, restrictions),
//! replaced whole. The snapshot is already validated and compared with what is on file
//! (`lianjian-app`'s import use case); nothing here validates or audits.

use lianjian_registry::Institution;
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::sql::{execute_in, insert_rows, ymd, Cell};
use crate::{Backend, Result};

/// SHA-256 of an institution's canonical JSON (the institution must already be canonicalized): kept
/// with each institution so that an import compares a file with what is on file without loading it.
pub fn digest(inst: &Institution) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(inst).unwrap_or_default()))
}

/// Insert new institutions (their own row only), each with its digest.
pub async fn insert_institutions(
    conn: &mut AnyConnection,
    backend: Backend,
    new: &[(&Institution, &str)],
    now_ms: i64,
) -> Result<()> {
    let mut rows = Vec::with_capacity(new.len() * 9);
    for (i, digest) in new {
        rows.extend([
            Cell::from(i.uscc.as_str()),
            i.name.as_str().into(),
            i.district.as_ref().into(),
            i.address.as_ref().into(),
            i.legal_rep.as_ref().into(),
            i.phone.as_ref().into(),
            (*digest).into(),
            Cell::Int(now_ms),
            Cell::Int(now_ms),
        ]);
    }
    let cols =
        ["uscc", "name", "district", "address", "legal_rep", "phone", "digest", "created_at", "updated_at"];
    insert_rows(conn, backend, "institutions", &cols, &rows).await
}

/// Replace an institution's own fields and digest (its children are replaced separately).
pub async fn update_institution(
    conn: &mut AnyConnection,
    i: &Institution,
    digest: &str,
    now_ms: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE institutions SET name = $1, district = $2, address = $3, legal_rep = $4,          phone = $5, digest = $6, updated_at = $7 WHERE uscc = $8",
    )
    .bind(&i.name)
    .bind(&i.district)
    .bind(&i.address)
    .bind(&i.legal_rep)
    .bind(&i.phone)
    .bind(digest)
    .bind(now_ms)
    .bind(&i.uscc)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Refresh a stored digest that is out of date while the content is the same.
pub async fn set_digest(conn: &mut AnyConnection, uscc: &str, digest: &str) -> Result<()> {
    sqlx::query("UPDATE institutions SET digest = $1 WHERE uscc = $2")
        .bind(digest)
        .bind(uscc)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Deletes every child row of these institutions (the institution rows stay).
pub async fn delete_children(conn: &mut AnyConnection, usccs: &[String]) -> Result<()> {
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
pub async fn insert_children(
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
                ymd(c.issued_on).into(),
                ymd(c.expires_on).into(),
            ]);
            for (pos, e) in c.status_history.iter().enumerate() {
                status.extend([
                    Cell::from(c.no.as_str()),
                    Cell::Int(pos as i64),
                    e.status.as_str().into(),
                    ymd(e.from).into(),
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
                    ymd(s.from).into(),
                    s.to.map(ymd).into(),
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
                ymd(s.from).into(),
                s.to.map(ymd).into(),
            ]);
        }
        for s in &inst.staff {
            staff.extend([
                Cell::from(u.as_str()),
                s.person.id.as_str().into(),
                s.person.name.as_str().into(),
                json!(s.roles).to_string().into(),
                ymd(s.from).into(),
                s.to.map(ymd).into(),
            ]);
        }
        for i in &inst.instruments {
            instruments.extend([Cell::from(u.as_str()), i.id.as_str().into(), i.name.as_str().into()]);
        }
        for r in &inst.restrictions {
            restrictions.extend([
                Cell::from(u.as_str()),
                ymd(r.from).into(),
                r.to.map(ymd).into(),
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
