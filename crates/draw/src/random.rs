//! Seed and random integers of spec §3, and the secret commitments of spec §1.
//!
//! Everything random in a draw comes from `R(label, i)`: a hash of the seed, a label naming the
//! decision and an index. Labels keep decisions independent, so a third party can recompute any
//! single pick without replaying the others.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::inputs::canonical;

/// The 32-byte seed: SHA-256 of the canonical JSON `{"entropy": [...], "inputs_digest": "..."}`.
pub fn seed(inputs_digest: &str, entropy: &[String]) -> [u8; 32] {
    let doc = json!({ "entropy": entropy, "inputs_digest": inputs_digest });
    Sha256::digest(canonical(&doc).as_bytes()).into()
}

/// `R(label, i)`: SHA-256(seed ‖ UTF-8(label) ‖ u64 big-endian(i)), as 32 bytes (big-endian integer).
pub fn r(seed: &[u8; 32], label: &str, i: u64) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(seed);
    h.update(label.as_bytes());
    h.update(i.to_be_bytes());
    h.finalize().into()
}

/// `pick(label, i, n)` = `R(label, i) mod n`, exact over the whole 256-bit value. `n` must be > 0.
pub fn pick(seed: &[u8; 32], label: &str, i: u64, n: u64) -> u64 {
    debug_assert!(n > 0);
    mod_be(&r(seed, label, i), n)
}

/// A big-endian unsigned integer modulo `n`, folded 64 bits at a time (r < n < 2^64 keeps every
/// step inside u128).
pub(crate) fn mod_be(bytes: &[u8], n: u64) -> u64 {
    let n = u128::from(n);
    let mut rem: u128 = 0;
    for chunk in bytes.chunks(8) {
        for &b in chunk {
            rem = ((rem << 8) | u128::from(b)) % n;
        }
    }
    rem as u64
}

/// Commitment to a department secret: lowercase hex SHA-256 of its UTF-8 bytes.
pub fn commitment(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a revealed secret matches its published commitment (exact lowercase hex).
pub fn check_reveal(commitment: &str, secret: &str) -> bool {
    self::commitment(secret) == commitment
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_is_sha256_of_utf8() {
        assert_eq!(commitment("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(check_reveal(&commitment("秘密"), "秘密"));
        assert!(!check_reveal(&commitment("秘密"), "秘密 "));
        assert!(!check_reveal(&commitment("abc").to_uppercase(), "abc"));
    }

    #[test]
    fn mod_of_big_endian_matches_u128_arithmetic() {
        let bytes: Vec<u8> = (1..=16).collect();
        let v = u128::from_be_bytes(bytes.clone().try_into().unwrap());
        for n in [1u64, 2, 7, 255, 65_535, u64::MAX, 1 << 63] {
            assert_eq!(u128::from(mod_be(&bytes, n)), v % u128::from(n));
        }
    }

    #[test]
    fn seed_is_hash_of_canonical_document() {
        let s = seed("ab", &["x".to_owned(), "秘".to_owned()]);
        let expected = Sha256::digest("{\"entropy\":[\"x\",\"秘\"],\"inputs_digest\":\"ab\"}".as_bytes());
        assert_eq!(s.as_slice(), expected.as_slice());
    }

    #[test]
    fn r_hashes_seed_label_and_index() {
        let s = [7u8; 32];
        let mut m = Vec::from(s);
        m.extend_from_slice("team/甲".as_bytes());
        m.extend_from_slice(&3u64.to_be_bytes());
        assert_eq!(r(&s, "team/甲", 3).as_slice(), Sha256::digest(&m).as_slice());
    }
}
