//! The security policy in force — password, lockout, address throttle, idle timeout — read from the
//! security parameters (which only the security administrator sets) and kept for [`POLICY_TTL`], so a
//! change applies at once in the process that made it and within half a minute in the others.

use std::sync::RwLock;
use std::time::{Duration, Instant};

use lianjian_domain::security::SecurityPolicy;
use lianjian_store::Store;

use crate::Result;

/// How long a process keeps the policy before reading the parameters again.
pub const POLICY_TTL: Duration = Duration::from_secs(30);

#[derive(Default)]
pub(crate) struct PolicyCache {
    cached: RwLock<Option<(SecurityPolicy, Instant)>>,
}

impl PolicyCache {
    pub(crate) async fn get(&self, store: &Store) -> Result<SecurityPolicy> {
        if let Some((p, at)) = *self.cached.read().unwrap_or_else(|e| e.into_inner()) {
            if at.elapsed() < POLICY_TTL {
                return Ok(p);
            }
        }
        let params = store.param_set().await?;
        let policy = SecurityPolicy::from_params(&params, store.today());
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = Some((policy, Instant::now()));
        Ok(policy)
    }

    pub(crate) fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
