//! Staff registered at two institutions for overlapping periods (不得同时在两个以上检验检测机构从业):
//! a flag only a query over every institution can raise. The flags themselves and the expiry rule
//! are the registry model's (`lianjian_registry::flags`).

use std::collections::HashMap;

use lianjian_registry::flags::Flag;
use sqlx::{AnyConnection, Row};

use crate::sql::{day, day_opt, fetch_in};
use crate::Result;

/// Staff overlaps of these institutions with any other institution, keyed by USCC.
pub(crate) async fn staff_elsewhere(
    conn: &mut AnyConnection,
    usccs: &[String],
) -> Result<HashMap<String, Vec<Flag>>> {
    let rows = fetch_in(conn, usccs, |ph| {
        format!(
            "SELECT a.institution_uscc, a.person_id, a.person_name, b.institution_uscc, \
             a.from_date, a.to_date, b.from_date, b.to_date \
             FROM institution_staff a JOIN institution_staff b \
             ON b.person_id = a.person_id AND b.institution_uscc <> a.institution_uscc \
             WHERE a.institution_uscc IN ({ph}) \
             AND a.from_date <= COALESCE(b.to_date, '9999-12-31') \
             AND b.from_date <= COALESCE(a.to_date, '9999-12-31') \
             ORDER BY a.institution_uscc, a.person_id, b.institution_uscc, a.from_date, b.from_date"
        )
    })
    .await?;
    let mut out: HashMap<String, Vec<Flag>> = HashMap::new();
    for r in rows {
        let (af, at) = (day(&r.try_get::<String, _>(4)?)?, day_opt(r.try_get(5)?)?);
        let (bf, bt) = (day(&r.try_get::<String, _>(6)?)?, day_opt(r.try_get(7)?)?);
        let overlap_to = match (at, bt) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let flag = Flag::StaffElsewhere {
            person_id: r.try_get(1)?,
            name: r.try_get(2)?,
            other_uscc: r.try_get(3)?,
            overlap_from: af.max(bf),
            overlap_to,
        };
        let list = out.entry(r.try_get(0)?).or_default();
        if !list.contains(&flag) {
            list.push(flag);
        }
    }
    Ok(out)
}
