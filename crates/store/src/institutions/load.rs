//! Reading institutions back into the registry model, whole: for export, for one institution's
//! page, for a directory page and for an import's comparison with what is on file.

use std::collections::HashMap;

use lianjian_registry::{
    Category, Certificate, Institution, Instrument, Person, Restriction, ScopeEntry, Signatory, Staff,
    StatusEntry,
};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::sql::{code, day, day_opt, fetch_in};
use crate::Result;

/// The queries, each with `{w}` where the institution filter goes.
const INSTITUTIONS: &str =
    "SELECT uscc, name, district, address, legal_rep, phone FROM institutions i {w} ORDER BY uscc";
const CERTIFICATES: &str = "SELECT certificate_no, institution_uscc, issuer, issued_on, expires_on \
     FROM certificates c {w} ORDER BY certificate_no";
const STATUS: &str = "SELECT s.certificate_no, s.status, s.from_date FROM certificate_status s \
     JOIN certificates c ON c.certificate_no = s.certificate_no {w} ORDER BY s.certificate_no, s.pos";
const SCOPE: &str = "SELECT s.certificate_no, s.category, s.parameter, s.method, s.from_date, s.to_date \
     FROM certificate_scope s JOIN certificates c ON c.certificate_no = s.certificate_no {w}";
const SIGNATORIES: &str = "SELECT institution_uscc, person_id, person_name, categories, from_date, to_date \
     FROM institution_signatories c {w}";
const STAFF: &str = "SELECT institution_uscc, person_id, person_name, roles, from_date, to_date \
     FROM institution_staff c {w}";
const INSTRUMENTS: &str = "SELECT institution_uscc, instrument_id, name FROM institution_instruments c {w}";
const RESTRICTIONS: &str =
    "SELECT institution_uscc, from_date, to_date, basis FROM institution_restrictions c {w}";

async fn rows(
    conn: &mut AnyConnection,
    query: &str,
    col: &str,
    usccs: Option<&[String]>,
) -> Result<Vec<AnyRow>> {
    match usccs {
        None => Ok(sqlx::query(&query.replace("{w}", "")).fetch_all(&mut *conn).await?),
        Some(keys) => {
            fetch_in(conn, keys, |ph| query.replace("{w}", &format!("WHERE {col} IN ({ph})"))).await
        }
    }
}

fn json_list<T: serde::de::DeserializeOwned>(s: &str) -> Result<Vec<T>> {
    serde_json::from_str(s).map_err(|e| sqlx::Error::Decode(format!("JSON 列无法读取:{e}").into()).into())
}

/// Every institution (`None`) or those with these USCCs, complete, in USCC order (children in
/// storage order; callers that need the canonical order canonicalize).
pub async fn load(conn: &mut AnyConnection, usccs: Option<&[String]>) -> Result<Vec<Institution>> {
    let mut insts: Vec<Institution> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for r in rows(conn, INSTITUTIONS, "i.uscc", usccs).await? {
        let uscc: String = r.try_get(0)?;
        index.insert(uscc.clone(), insts.len());
        insts.push(Institution {
            uscc,
            name: r.try_get(1)?,
            district: r.try_get(2)?,
            address: r.try_get(3)?,
            legal_rep: r.try_get(4)?,
            phone: r.try_get(5)?,
            certificates: Vec::new(),
            signatories: Vec::new(),
            staff: Vec::new(),
            instruments: Vec::new(),
            restrictions: Vec::new(),
        });
    }
    if insts.is_empty() {
        return Ok(insts);
    }
    let mut certs: Vec<(usize, Certificate)> = Vec::new();
    let mut cert_index: HashMap<String, usize> = HashMap::new();
    for r in rows(conn, CERTIFICATES, "c.institution_uscc", usccs).await? {
        let no: String = r.try_get(0)?;
        let owner: String = r.try_get(1)?;
        let Some(&i) = index.get(&owner) else { continue };
        cert_index.insert(no.clone(), certs.len());
        certs.push((
            i,
            Certificate {
                no,
                issuer: r.try_get(2)?,
                issued_on: day(&r.try_get::<String, _>(3)?)?,
                expires_on: day(&r.try_get::<String, _>(4)?)?,
                status_history: Vec::new(),
                scope: Vec::new(),
            },
        ));
    }
    for r in rows(conn, STATUS, "c.institution_uscc", usccs).await? {
        let no: String = r.try_get(0)?;
        if let Some(&k) = cert_index.get(&no) {
            let status: String = r.try_get(1)?;
            certs[k].1.status_history.push(StatusEntry {
                status: status.as_str().into(),
                from: day(&r.try_get::<String, _>(2)?)?,
            });
        }
    }
    for r in rows(conn, SCOPE, "c.institution_uscc", usccs).await? {
        let no: String = r.try_get(0)?;
        if let Some(&k) = cert_index.get(&no) {
            let category: String = r.try_get(1)?;
            certs[k].1.scope.push(ScopeEntry {
                category: code(&category)?,
                parameter: r.try_get(2)?,
                method: r.try_get(3)?,
                from: day(&r.try_get::<String, _>(4)?)?,
                to: day_opt(r.try_get(5)?)?,
            });
        }
    }
    for (i, c) in certs {
        insts[i].certificates.push(c);
    }
    for r in rows(conn, SIGNATORIES, "c.institution_uscc", usccs).await? {
        let Some(&i) = index.get(&r.try_get::<String, _>(0)?) else { continue };
        let categories: Vec<Category> = json_list(&r.try_get::<String, _>(3)?)?;
        insts[i].signatories.push(Signatory {
            person: Person { id: r.try_get(1)?, name: r.try_get(2)? },
            categories,
            from: day(&r.try_get::<String, _>(4)?)?,
            to: day_opt(r.try_get(5)?)?,
        });
    }
    for r in rows(conn, STAFF, "c.institution_uscc", usccs).await? {
        let Some(&i) = index.get(&r.try_get::<String, _>(0)?) else { continue };
        insts[i].staff.push(Staff {
            person: Person { id: r.try_get(1)?, name: r.try_get(2)? },
            roles: json_list(&r.try_get::<String, _>(3)?)?,
            from: day(&r.try_get::<String, _>(4)?)?,
            to: day_opt(r.try_get(5)?)?,
        });
    }
    for r in rows(conn, INSTRUMENTS, "c.institution_uscc", usccs).await? {
        let Some(&i) = index.get(&r.try_get::<String, _>(0)?) else { continue };
        insts[i].instruments.push(Instrument { id: r.try_get(1)?, name: r.try_get(2)? });
    }
    for r in rows(conn, RESTRICTIONS, "c.institution_uscc", usccs).await? {
        let Some(&i) = index.get(&r.try_get::<String, _>(0)?) else { continue };
        insts[i].restrictions.push(Restriction {
            from: day(&r.try_get::<String, _>(1)?)?,
            to: day_opt(r.try_get(2)?)?,
            basis: r.try_get(3)?,
        });
    }
    Ok(insts)
}

/// The stored digests of these institutions (those on file), by USCC.
pub async fn digests(conn: &mut AnyConnection, usccs: &[String]) -> Result<Vec<(String, String)>> {
    let rows =
        fetch_in(conn, usccs, |ph| format!("SELECT uscc, digest FROM institutions WHERE uscc IN ({ph})"))
            .await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// Which institution holds each of these certificate numbers (those on file).
pub async fn certificate_owners(conn: &mut AnyConnection, nos: &[String]) -> Result<Vec<(String, String)>> {
    let rows = fetch_in(conn, nos, |ph| {
        format!("SELECT certificate_no, institution_uscc FROM certificates WHERE certificate_no IN ({ph})")
    })
    .await?;
    rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
}

/// How many institutions are on file.
pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query("SELECT COUNT(*) FROM institutions").fetch_one(&mut *conn).await?.try_get(0)?)
}
