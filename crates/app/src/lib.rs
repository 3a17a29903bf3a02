//! The use-case layer of Lianjian 联监: one module per capability, between the edges (the web crate,
//! the CLI) and the store.
//!
//! The shape every capability follows (`docs/recipe.md`): a write is one method on [`App`] that
//! validates its input, applies the domain rules (pure crates), writes through the store inside one
//! transaction and appends its audit entry in that same transaction; a read is one method. Nothing
//! above this crate begins a transaction or appends to the audit chain, and nothing above it imports
//! `sqlx`. Errors come back as [`Error`], with a stable code and the field concerned. Background
//! work queued in the database runs in this layer too ([`worker`]).

pub mod accounts;
pub mod audit;
pub mod deadlines;
mod error;
pub mod inspectors;
pub mod institutions;
pub mod items;
pub mod params;
pub mod partner_lists;
pub mod password;
pub mod plans;
mod policy;
pub mod reports;
pub mod worker;

use std::sync::Arc;

use lianjian_domain::clock::Clock;
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::audit::AuditDraft;
use lianjian_store::{Store, Tx};

pub use error::{Error, Line, Result};
pub use lianjian_domain::invalid::Invalid;
pub use lianjian_store::audit::Actor;
pub use policy::POLICY_TTL;

/// The platform's use cases over one database. Cheap to clone; hold one per process.
#[derive(Clone)]
pub struct App {
    store: Store,
    policy: Arc<policy::PolicyCache>,
    fixed_policy: Option<SecurityPolicy>,
}

impl App {
    pub fn new(store: Store) -> App {
        App { store, policy: Arc::default(), fixed_policy: None }
    }

    /// An app whose security policy is `policy` instead of the parameters (tests only).
    pub fn with_fixed_policy(store: Store, policy: SecurityPolicy) -> App {
        App { fixed_policy: Some(policy), ..App::new(store) }
    }

    /// The same use cases on a clock that reads `day` now (the demo's earlier draws; tests): every
    /// "today" and instant they write comes from that clock.
    pub fn on_day(&self, day: time::Date) -> App {
        App { store: self.store.clone().with_clock(Clock::starting_on(day)), ..self.clone() }
    }

    /// The store underneath, for the reads not yet given a use case of their own.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Today in China Standard Time, on the platform's one clock.
    pub fn today(&self) -> time::Date {
        self.store.today()
    }

    /// Now, as Unix milliseconds, on the platform's one clock.
    pub fn now_ms(&self) -> i64 {
        self.store.now_ms()
    }

    /// Whether the database answers (the health check).
    pub async fn ping(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// The security policy in force (password, lockout, throttle, idle timeout).
    pub async fn policy(&self) -> Result<SecurityPolicy> {
        match self.fixed_policy {
            Some(p) => Ok(p),
            None => self.policy.get(&self.store).await,
        }
    }

    /// Read the security parameters again on next use (after a change).
    pub fn policy_changed(&self) {
        self.policy.invalidate();
    }

    /// The last step of a write: append its audit entry in its transaction, then commit both.
    async fn commit_audited(&self, mut tx: Tx, draft: AuditDraft) -> Result<()> {
        lianjian_store::audit::append(&mut tx, draft, self.store.now()).await?;
        lianjian_store::commit(tx).await?;
        Ok(())
    }
}
