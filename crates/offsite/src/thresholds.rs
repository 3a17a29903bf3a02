//! Engine thresholds 规则阈值: the off-site rules' tunable numbers with the catalogue's defaults,
//! loadable from a TOML or JSON rules file so that a regulator can tune them without a release
//! (offsite-rules.md, "Beyond the base catalogue"). Unknown keys are refused, so a misspelt
//! threshold cannot silently keep its default. (Not the legal parameters 法定参数 of
//! `lianjian_domain::params`, nor the draw generator's `GenParams`.)

use serde::{Deserialize, Serialize};

/// Thresholds of the base catalogue. Field names are the keys of the rules file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// OFF-P02: fewest distinct samplers per sample.
    pub min_samplers: usize,
    /// OFF-D01: fewest numeric (parameter, value) pairs for two samples to count as copies.
    pub d01_min_pairs: usize,
    /// OFF-S01: fewest results with a limit per (institution, parameter).
    pub s01_min_results: u64,
    /// OFF-S01: fewest results in [0.9, 1.0) of the limit.
    pub s01_min_a: u64,
    /// OFF-S01: warn when the binomial tail is below this.
    pub s01_p: f64,
    /// OFF-S02: fewest values with enough significant digits.
    pub s02_min_values: u64,
    /// OFF-S02: fewest significant digits for a value to count.
    pub s02_min_significant_digits: usize,
    /// OFF-S02: warn when the χ² p-value is below this.
    pub s02_p: f64,
    /// OFF-S03: fewest non-zero values per institution.
    pub s03_min_values: u64,
    /// OFF-S03: a parameter counts when max/min of its non-zero absolute values is at least this.
    pub s03_min_span: u64,
    /// OFF-S03: warn when the mean absolute deviation exceeds this.
    pub s03_mad: f64,
    /// Longest line read as a report (at most 1 GiB); a longer one is an OFF-C01 finding and is
    /// skipped.
    pub max_line_bytes: usize,
}

impl Default for Thresholds {
    fn default() -> Thresholds {
        Thresholds {
            min_samplers: 2,
            d01_min_pairs: 5,
            s01_min_results: 30,
            s01_min_a: 10,
            s01_p: 1e-4,
            s02_min_values: 50,
            s02_min_significant_digits: 2,
            s02_p: 1e-4,
            s03_min_values: 1000,
            s03_min_span: 100,
            s03_mad: 0.015,
            max_line_bytes: 64 << 20,
        }
    }
}

/// The longest `max_line_bytes` (1 GiB): with batches of at most [`MAX_BATCH_BYTES`], a batch's
/// offsets fit in 32 bits.
pub(crate) const MAX_LINE_BYTES: usize = 1 << 30;
/// The largest batch a worker is handed (1 GiB).
pub(crate) const MAX_BATCH_BYTES: usize = 1 << 30;

/// A rules file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ThresholdsError {
    #[error("规则阈值文件(TOML)无法读取:{0}")]
    Toml(#[from] toml::de::Error),
    #[error("规则阈值文件(JSON)无法读取:{0}")]
    Json(#[from] serde_json::Error),
    #[error("规则阈值 {field} 的取值无效:{reason}")]
    Invalid { field: &'static str, reason: String },
}

impl Thresholds {
    /// From a TOML rules file; absent keys keep their defaults.
    pub fn from_toml(s: &str) -> Result<Thresholds, ThresholdsError> {
        toml::from_str::<Thresholds>(s)?.checked()
    }

    /// From a JSON rules file; absent keys keep their defaults.
    pub fn from_json(s: &str) -> Result<Thresholds, ThresholdsError> {
        serde_json::from_str::<Thresholds>(s)?.checked()
    }

    fn checked(self) -> Result<Thresholds, ThresholdsError> {
        let bad = |field, reason: &str| Err(ThresholdsError::Invalid { field, reason: reason.to_owned() });
        for (f, p) in [("s01_p", self.s01_p), ("s02_p", self.s02_p), ("s03_mad", self.s03_mad)] {
            if !(p > 0.0 && p < 1.0) {
                return bad(f, "须在 0 与 1 之间");
            }
        }
        if self.d01_min_pairs == 0 {
            return bad("d01_min_pairs", "须至少为 1");
        }
        if !(1024..=MAX_LINE_BYTES).contains(&self.max_line_bytes) {
            return bad("max_line_bytes", "须在 1024 与 1073741824(1 GiB)之间");
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_file_overrides_only_what_it_names() {
        let p = Thresholds::from_toml("min_samplers = 3\ns02_p = 1e-5\n").unwrap();
        assert_eq!(p.min_samplers, 3);
        assert_eq!(p.s02_p, 1e-5);
        assert_eq!(p.d01_min_pairs, 5);
        let j = Thresholds::from_json(r#"{"s03_mad": 0.02}"#).unwrap();
        assert_eq!(j.s03_mad, 0.02);
        assert!(Thresholds::from_toml("min_sampler = 3").is_err());
        assert!(Thresholds::from_json(r#"{"s01_p": 2}"#).is_err());
        assert!(Thresholds::from_toml("max_line_bytes = 1073741824").is_ok());
        assert!(Thresholds::from_toml("max_line_bytes = 1073741825").is_err());
    }
}
