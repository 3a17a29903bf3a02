//! Server settings: what the operator fixes at start (TLS cookies, trusted proxies). The security
//! policy is not here: it comes from the security parameters (`lianjian_app::App::policy`).

use std::net::IpAddr;

use ipnet::IpNet;
use lianjian_domain::security::SecurityPolicy;

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
