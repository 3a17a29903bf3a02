//! Importing a registry snapshot (exchange-formats §1): validate, compare with what is on file, then
//! write and audit in one transaction — or refuse the whole file, listing every problem, and change
//! nothing. The preview is the same comparison without the writing.

use std::collections::{BTreeSet, HashMap, HashSet};

use lianjian_registry::{validate, Institution, Problem, Snapshot};
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::institutions::{self as store, write};
use lianjian_store::Conn;
use serde_json::{json, Map, Value};

use super::{Change, ImportOutcome, ImportPreview, ImportSummary, PreviewItem};
use crate::password::random_token;
use crate::{App, Error, Result};

/// An uploaded snapshot previewed: what it would change, and — when nothing refuses it — the token
/// that confirms it (the snapshot is kept for its uploader until then).
pub struct StagedImport {
    pub preview: ImportPreview,
    pub token: Option<String>,
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

/// Problems only the database can see: a certificate number on file for an institution that is not
/// in this file (a number moves between institutions only when both are in the file).
async fn database_problems(conn: &mut Conn, snapshot: &Snapshot) -> Result<Vec<Problem>> {
    let in_file: HashSet<&str> = snapshot.institutions.iter().map(|i| i.uscc.as_str()).collect();
    let nos: Vec<String> =
        snapshot.institutions.iter().flat_map(|i| i.certificates.iter().map(|c| c.no.clone())).collect();
    let owner: HashMap<String, String> = store::certificate_owners(conn, &nos).await?.into_iter().collect();
    let mut problems = Vec::new();
    for (i, inst) in snapshot.institutions.iter().enumerate() {
        for (j, c) in inst.certificates.iter().enumerate() {
            match owner.get(&c.no) {
                Some(o) if *o != inst.uscc && !in_file.contains(o.as_str()) => problems.push(Problem {
                    uscc: Some(inst.uscc.clone()),
                    path: format!("/institutions/{i}/certificates/{j}/no"),
                    field: "no".into(),
                    reason: format!(
                        "证书编号 {} 已登记在机构 {o} 名下;如确需转移,请在同一文件中一并提交机构 {o}",
                        c.no
                    ),
                }),
                _ => {}
            }
        }
    }
    Ok(problems)
}

/// Every problem of the file, and each institution's change against what is on file.
async fn plan(conn: &mut Conn, snapshot: &Snapshot) -> Result<Plan> {
    let mut problems = validate(snapshot);
    problems.extend(database_problems(conn, snapshot).await?);
    let mut canonical = snapshot.clone();
    canonical.canonicalize();
    let usccs: Vec<String> = canonical.institutions.iter().map(|i| i.uscc.clone()).collect();
    let stored: HashMap<String, String> = store::digests(conn, &usccs).await?.into_iter().collect();
    let mut items = Vec::with_capacity(canonical.institutions.len());
    let mut suspects = Vec::new();
    for inst in canonical.institutions {
        let d = write::digest(&inst);
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
        let mut loaded = Snapshot { institutions: store::load(conn, Some(&suspects)).await? };
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

/// The top-level fields as an audit entry shows them: scalars as they are, lists as counts.
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
    for f in old.changed_fields(new) {
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

fn preview_of(plan: Plan) -> ImportPreview {
    let items = plan
        .items
        .iter()
        .map(|p| PreviewItem {
            uscc: p.inst.uscc.clone(),
            name: p.inst.name.clone(),
            change: p.change,
            fields: match &p.old {
                Some(old) => old.changed_fields(&p.inst).into_iter().map(str::to_owned).collect(),
                None => Vec::new(),
            },
        })
        .collect();
    ImportPreview { problems: plan.problems, items }
}

/// The audit entries of an applied plan: one per created or updated institution, counted into
/// `summary`, each with the import's note.
fn entries(actor: &Actor, plan: &Plan, note: Option<&str>, summary: &mut ImportSummary) -> Vec<AuditDraft> {
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
        drafts.push(match note {
            Some(n) => draft.note(n),
            None => draft,
        });
    }
    drafts
}

impl App {
    /// What importing `snapshot` would do, without doing it: every problem that would refuse it, and
    /// per USCC whether it would be created, updated (which top-level fields) or unchanged.
    pub async fn preview_registry_import(&self, snapshot: &Snapshot) -> Result<ImportPreview> {
        let mut conn = self.store().connection().await?;
        Ok(preview_of(plan(&mut conn, snapshot).await?))
    }

    /// Preview an uploaded snapshot and, when nothing refuses it, keep it for `user_id` to confirm
    /// ([`App::confirm_registry_import`]).
    pub async fn stage_registry_import(
        &self,
        user_id: i64,
        file_name: &str,
        snapshot: &Snapshot,
    ) -> Result<StagedImport> {
        let preview = self.preview_registry_import(snapshot).await?;
        if !preview.problems.is_empty() {
            return Ok(StagedImport { preview, token: None });
        }
        let token = random_token();
        let canonical = snapshot.to_canonical_json();
        self.store().stage_upload(&token, user_id, "registry", file_name, &canonical).await?;
        Ok(StagedImport { preview, token: Some(token) })
    }

    /// Import the snapshot `user_id` staged under `token` (`upload_expired` when there is none),
    /// with `note` (or one naming the file) in the audit chain; the staged copy goes once applied.
    /// Returns the outcome and the file's name.
    pub async fn confirm_registry_import(
        &self,
        actor: &Actor,
        user_id: i64,
        token: &str,
        note: &str,
    ) -> Result<(ImportOutcome, String)> {
        let store = self.store();
        let staged = store
            .staged_upload(token, user_id)
            .await?
            .ok_or_else(|| Error::invalid("token", "upload_expired", "预览已过期或不存在,请重新上传文件"))?;
        let snapshot = Snapshot::from_json(&staged.payload).map_err(|e| Error::Internal(e.reason_zh()))?;
        let note = Some(note.trim()).filter(|n| !n.is_empty()).map(str::to_owned);
        let note = note.unwrap_or_else(|| format!("网页导入 {}", staged.file_name));
        let outcome = self.import_registry(actor, &snapshot, Some(&note)).await?;
        if matches!(outcome, ImportOutcome::Applied(_)) {
            store.drop_staged_upload(token).await?;
        }
        Ok((outcome, staged.file_name))
    }

    /// Import a registry snapshot (exchange-formats §1) in one transaction.
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
        let store = self.store();
        let mut tx = store.begin().await?;
        let plan = plan(&mut tx, snapshot).await?;
        if !plan.problems.is_empty() {
            drop(tx);
            return Ok(ImportOutcome::Refused(plan.problems));
        }
        let now = store.now();
        let now_ms = store.now_ms();
        let mut summary = ImportSummary { institutions: plan.items.len(), ..ImportSummary::default() };

        let updated: Vec<String> =
            plan.items.iter().filter(|p| p.change == Change::Updated).map(|p| p.inst.uscc.clone()).collect();
        write::delete_children(&mut tx, &updated).await?;
        let created: Vec<(&Institution, &str)> = plan
            .items
            .iter()
            .filter(|p| p.change == Change::Created)
            .map(|p| (&p.inst, p.digest.as_str()))
            .collect();
        write::insert_institutions(&mut tx, store.backend(), &created, now_ms).await?;
        for p in &plan.items {
            if p.change == Change::Updated {
                write::update_institution(&mut tx, &p.inst, &p.digest, now_ms).await?;
            } else if p.stale_digest {
                write::set_digest(&mut tx, &p.inst.uscc, &p.digest).await?;
            }
        }
        let changed: Vec<&Institution> =
            plan.items.iter().filter(|p| p.change != Change::Unchanged).map(|p| &p.inst).collect();
        let (certs, scope) = write::insert_children(&mut tx, store.backend(), &changed).await?;
        summary.certificates_written = certs;
        summary.scope_rows_written = scope;

        let mut drafts = entries(actor, &plan, note, &mut summary);
        let total = store::count(&mut tx).await?;
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
        summary.audit_seq = audit::append_all(&mut tx, store.backend(), drafts, now).await?;
        lianjian_store::commit(tx).await?;
        Ok(ImportOutcome::Applied(summary))
    }
}
