//! Legal parameters 法定参数 and the working-day calendar as operators change them: an effective-dated
//! value with its basis, a year's holiday notice — each audited, each re-counting what depends on it.

use lianjian_domain::calendar::Calendar;
use lianjian_domain::deadlines::{recount, Recount};
use lianjian_domain::org::Role;
use lianjian_domain::params::{ParamKey, ParamSet};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::{calendar, deadlines, params};
use serde::Serialize;
use serde_json::json;
use time::Date;

use crate::{App, Error, Result};

/// What loading a notice did to the open provisional deadlines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecountSummary {
    /// Counted again to the same date: no longer provisional.
    pub confirmed: usize,
    /// Counted again to another date: waiting for a leader.
    pub pending: usize,
    /// Still resting on a year without a notice.
    pub still_provisional: usize,
}

fn role_of(actor: &Actor) -> Option<Role> {
    actor.role.parse().ok()
}

impl App {
    /// The legal parameters in force: the catalogue's defaults with the operators' entries.
    pub async fn param_set(&self) -> Result<ParamSet> {
        Ok(self.store().param_set().await?)
    }

    /// The operators' entries, oldest first.
    pub async fn param_entries(&self) -> Result<Vec<lianjian_store::params::ParamEntry>> {
        Ok(self.store().param_entries().await?)
    }

    /// The working-day calendar in force: the shipped notices and the operators' added years.
    pub async fn calendar(&self) -> Result<Calendar> {
        Ok(self.store().calendar().await?)
    }

    /// Set `key` to `value` from `effective_from` on, with the basis in `note`; audited as `param.set`
    /// with the value before. The security parameters are the security administrator's alone (三员分立)
    /// and stay within their floors and ceilings; the others are the system administrator's (the CLI
    /// acts as an operator and may set the non-security ones).
    pub async fn set_param(
        &self,
        actor: &Actor,
        key: ParamKey,
        effective_from: Date,
        value: i64,
        note: &str,
    ) -> Result<()> {
        let role = role_of(actor);
        if key.is_security() && role != Some(Role::SecurityAdmin) {
            return Err(Error::Forbidden(format!(
                "“{}”是安全参数,由安全管理员在“安全管理”页调整,系统管理员不能修改",
                key.info().label
            )));
        }
        if !key.is_security() && role == Some(Role::SecurityAdmin) {
            return Err(Error::Forbidden("安全管理员只调整安全参数;其他法定参数由系统管理员调整".into()));
        }
        let note = note.trim();
        if note.is_empty() {
            return Err(Error::invalid("note", "note_required", "请说明调整依据(如文件文号)"));
        }
        // Legal numbers are small; a huge one is a typing error (and would not survive RFC 8785's doubles).
        if !(0..=1_000_000_000).contains(&value) {
            return Err(Error::invalid(
                "value",
                "value_out_of_range",
                format!("参数值 {value} 超出合理范围(0 至 1,000,000,000)"),
            ));
        }
        ParamSet::defaults().set(key, effective_from, value).map_err(|e| Error::Refused {
            code: "param_out_of_bounds",
            field: Some("value".into()),
            message: e.to_string(),
            lines: Vec::new(),
        })?;
        let store = self.store();
        let before = store.param_set().await?.value_on(key, effective_from);
        let mut tx = store.begin().await?;
        params::insert_entry(&mut tx, key, effective_from, value, note, actor, store.now_ms()).await?;
        let draft = AuditDraft::new(actor, "param.set", "param", key.code())
            .before(json!({"value_on_that_day": before}))
            .after(json!({"effective_from": lianjian_registry::date::format(effective_from), "value": value}))
            .note(note);
        audit::append(&mut tx, draft, store.now()).await?;
        lianjian_store::commit(tx).await?;
        if key.is_security() {
            self.policy_changed();
        }
        Ok(())
    }

    /// Add a year's holiday file (holiday-cn JSON, the State Council notice); audited as
    /// `calendar.add`. In the same transaction every open deadline counted provisionally is counted
    /// again on the calendar with the new notice: unchanged ones are confirmed
    /// (`deadline.confirm`), changed ones are put to the owning leader (`deadline.recount`).
    pub async fn add_calendar_year(
        &self,
        actor: &Actor,
        content: &str,
        note: &str,
    ) -> Result<(i32, RecountSummary)> {
        let note = note.trim();
        if note.is_empty() {
            return Err(Error::invalid(
                "note",
                "note_required",
                "请说明数据来源(国务院办公厅通知文号或网址)",
            ));
        }
        let parsed = Calendar::from_json_files(&[content])
            .map_err(|e| Error::invalid("content", "bad_calendar", format!("节假日文件无法读取:{e}")))?;
        let Some(year) = parsed.known_years().into_iter().next() else {
            return Err(Error::invalid(
                "content",
                "empty_calendar",
                "节假日文件没有任何日期(国务院通知尚未发布时不要上传空文件)",
            ));
        };
        let store = self.store();
        let mut texts: Vec<String> = store.calendar_files().await?.into_iter().map(|(_, t)| t).collect();
        texts.push(content.to_owned());
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let with_notice = Calendar::official_with(&refs)
            .map_err(|e| Error::invalid("content", "bad_calendar", format!("节假日文件无法读取:{e}")))?;
        let mut tx = store.begin().await?;
        calendar::insert_year(&mut tx, year, content, note, actor, store.now_ms()).await?;
        let draft = AuditDraft::new(actor, "calendar.add", "calendar", year.to_string())
            .after(json!({"year": year, "papers": parsed.papers(year)}))
            .note(note);
        audit::append(&mut tx, draft, store.now()).await?;
        let mut summary = RecountSummary::default();
        for d in deadlines::open_provisional(&mut tx).await? {
            let outcome = recount(&with_notice, d.start_on, d.working_days, d.due_on)
                .map_err(|e| Error::Internal(format!("deadline {}: {e}", d.id)))?;
            let day = lianjian_registry::date::format;
            let (action, result) = match outcome {
                Recount::StillProvisional => {
                    summary.still_provisional += 1;
                    continue;
                }
                Recount::Unchanged => {
                    summary.confirmed += 1;
                    deadlines::confirm(&mut tx, d.id).await?;
                    ("deadline.confirm", json!({"due_on": day(d.due_on), "recount": "unchanged"}))
                }
                Recount::Changed(other) => {
                    summary.pending += 1;
                    deadlines::put_to_leader(&mut tx, d.id, other).await?;
                    ("deadline.recount", json!({"due_on": day(d.due_on), "recomputed_on": day(other)}))
                }
            };
            let draft = AuditDraft::new(actor, action, "deadline", d.id.to_string())
                .after(json!({"kind": d.kind, "subject_id": d.subject_id, "result": result}));
            audit::append(&mut tx, draft, store.now()).await?;
        }
        lianjian_store::commit(tx).await?;
        Ok((year, summary))
    }
}
