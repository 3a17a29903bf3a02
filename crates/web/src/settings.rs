//! Server settings and the security policy in force.
//!
//! The operator's settings (TLS cookies, trusted proxies) are fixed at start. The security policy —
//! password length, lockout, address throttle, idle timeout — comes from the security parameters,
//! which only the security administrator sets (三员分立) within the 等保 level-3 floors and ceilings;
//! a change applies at once in the process that made it and within [`POLICY_TTL`] in the others.

use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use ipnet::IpNet;
use lianjian_domain::security::SecurityPolicy;
use lianjian_store::Store;

use crate::error::AppError;

/// How long a process keeps the policy before reading the parameters again.
pub const POLICY_TTL: Duration = Duration::from_secs(30);

/// What the operator sets when starting the server.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Mark cookies `Secure` even when no proxy says the request came over TLS.
    pub secure_cookies: bool,
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed. Requests from
    /// any other address are taken at their connection's address, whatever headers they send.
    pub trusted_proxies: Vec<IpNet>,
    /// A fixed policy instead of the parameters (tests only; `serve` leaves it `None`).
    pub fixed_policy: Option<SecurityPolicy>,
}

impl Settings {
    /// Settings whose security policy is `policy`, not the parameters (tests).
    pub fn with_policy(policy: SecurityPolicy) -> Settings {
        Settings { fixed_policy: Some(policy), ..Settings::default() }
    }

    /// Whether `peer` is a declared proxy.
    pub fn is_trusted_proxy(&self, peer: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&peer))
    }
}

/// Parse `--trusted-proxy` values: addresses or CIDR blocks (`10.0.0.5`, `10.0.0.0/8`, `::1`).
pub fn parse_proxies(values: &[String]) -> Result<Vec<IpNet>, String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<IpNet>()
                .or_else(|_| v.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("受信任代理地址“{v}”无效:应为 IP 地址或 CIDR(如 10.0.0.0/8)"))
        })
        .collect()
}

/// The policy read from the parameters, kept for [`POLICY_TTL`].
#[derive(Default)]
pub struct PolicyCache {
    cached: RwLock<Option<(SecurityPolicy, Instant)>>,
}

impl PolicyCache {
    pub async fn get(&self, settings: &Settings, store: &Store) -> Result<SecurityPolicy, AppError> {
        if let Some(fixed) = settings.fixed_policy {
            return Ok(fixed);
        }
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

    /// Forget the cached policy (after the security administrator changed a parameter).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Shared between the requests of one process.
pub type SharedPolicy = Arc<PolicyCache>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_parse_as_addresses_or_blocks() {
        let p = parse_proxies(&["10.0.0.0/8, 127.0.0.1".into(), "::1".into()]).unwrap();
        assert_eq!(p.len(), 3);
        let s = Settings { trusted_proxies: p, ..Settings::default() };
        assert!(s.is_trusted_proxy("10.1.2.3".parse().unwrap()));
        assert!(s.is_trusted_proxy("127.0.0.1".parse().unwrap()));
        assert!(!s.is_trusted_proxy("192.168.1.1".parse().unwrap()));
        assert!(parse_proxies(&["<script>".into()]).is_err());
    }
}
