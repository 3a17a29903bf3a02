//! The random-inspection item list 随机抽查事项清单 (一单) as leaders keep it: seed it from the work
//! plan, add an item under a duty of their own department, revise it from a day (a new version),
//! retire it — each checked by `lianjian_domain::items` and audited (`item.*`) in its transaction;
//! and the list as it stood on any day.

use lianjian_domain::items::{self as rules, item_code, Item, ItemChanges, NewItem};
use lianjian_domain::org::Department;
use lianjian_store::audit::{self, Actor, AuditDraft};
use lianjian_store::items;
use serde_json::Value;
use time::Date;

use crate::{App, Error, Result};

fn json_of(i: &Item) -> Value {
    serde_json::to_value(i).unwrap_or(Value::Null)
}

fn draft(actor: &Actor, action: &str, before: Option<&Item>, after: &Item) -> AuditDraft {
    let d = AuditDraft::new(actor, action, "item", &after.code).after(json_of(after));
    match before {
        Some(b) => d.before(json_of(b)),
        None => d,
    }
}

impl App {
    /// The list in force on `on` (one version per item), or with `None` the latest version of every
    /// item, retired ones included. Ordered by code.
    pub async fn items(&self, on: Option<Date>) -> Result<Vec<Item>> {
        Ok(self.store().items(on).await?)
    }

    /// Every version of one item, oldest first.
    pub async fn item_history(&self, code: &str) -> Result<Vec<Item>> {
        Ok(self.store().item_history(code).await?)
    }

    /// Load the work plan's list ([`lianjian_domain::items::seed`]) into an empty table, in force from
    /// the plan's issue date. Returns how many items were inserted (0 when a list exists). Each item
    /// is audited as `item.create`.
    pub async fn seed_items_if_empty(&self, actor: &Actor) -> Result<usize> {
        let store = self.store();
        let mut tx = store.begin().await?;
        if items::count(&mut tx, None).await? > 0 {
            return Ok(0);
        }
        let seed = rules::seed_with_codes();
        for (code, s) in &seed {
            let fields = NewItem {
                duty: s.duty,
                basis: s.basis.to_owned(),
                content: s.content.to_owned(),
                method: s.method,
            };
            let item =
                items::insert(&mut tx, code, 1, &fields, rules::SEED_VALID_FROM, &actor.user, store.now_ms())
                    .await?;
            let d = draft(actor, "item.create", None, &item).note("工作方案初始清单");
            audit::append(&mut tx, d, store.now()).await?;
        }
        lianjian_store::commit(tx).await?;
        Ok(seed.len())
    }

    /// Add an item under `new.duty`, in force from `valid_from`; its code is the next number under
    /// the duty. A leader adds items under the duties of their own department only. Audited as
    /// `item.create`.
    pub async fn add_item(&self, actor: &Actor, new: NewItem, valid_from: Date) -> Result<Item> {
        if actor.department.parse::<Department>().ok() != Some(new.duty.department()) {
            return Err(Error::Forbidden("只能新增本部门职责下的抽查事项".into()));
        }
        let new = new.check()?;
        let store = self.store();
        let mut tx = store.begin().await?;
        let n = items::count(&mut tx, Some(new.duty.code())).await?;
        let code = item_code(new.duty, u32::try_from(n + 1).unwrap_or(u32::MAX));
        let item = items::insert(&mut tx, &code, 1, &new, valid_from, &actor.user, store.now_ms()).await?;
        self.commit_audited(tx, draft(actor, "item.create", None, &item)).await?;
        Ok(item)
    }

    /// Revise an item from `effective_from`: the version in force is closed the day before and the
    /// next version inserted. Audited as `item.revise` with the closed version and the new one.
    pub async fn revise_item(
        &self,
        actor: &Actor,
        code: &str,
        changes: ItemChanges,
        effective_from: Date,
    ) -> Result<Item> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let current = items::latest(&mut tx, code).await?;
        let revision = rules::revise(&current, changes, effective_from)?;
        items::close(&mut tx, current.id, revision.closes).await?;
        let next = items::insert(
            &mut tx,
            &current.code,
            current.version + 1,
            &revision.next,
            effective_from,
            &actor.user,
            store.now_ms(),
        )
        .await?;
        let closed = Item { valid_to: Some(revision.closes), ..current };
        self.commit_audited(tx, draft(actor, "item.revise", Some(&closed), &next)).await?;
        Ok(next)
    }

    /// Retire an item: `last_day` is the last day it is in force. Audited as `item.retire` with the
    /// reason as the entry's note.
    pub async fn retire_item(&self, actor: &Actor, code: &str, last_day: Date, reason: &str) -> Result<Item> {
        let store = self.store();
        let mut tx = store.begin().await?;
        let current = items::latest(&mut tx, code).await?;
        let reason = rules::check_retirement(&current, last_day, reason)?;
        items::close(&mut tx, current.id, last_day).await?;
        let after = Item { valid_to: Some(last_day), ..current.clone() };
        let d = draft(actor, "item.retire", Some(&current), &after).note(&reason);
        self.commit_audited(tx, d).await?;
        Ok(after)
    }
}
