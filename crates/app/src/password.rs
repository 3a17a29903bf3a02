//! Secrets: argon2id password hashes, the password policy 口令策略, and the random tokens of
//! sessions, CSRF and API access (kept only as their SHA-256).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// A fresh random secret, hex encoded (sessions, CSRF tokens, API tokens).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the database keeps of a secret.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// argon2id with the crate's recommended parameters.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("argon2: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// At least `min_len` characters from at least three of the four classes.
pub fn check_password_policy(password: &str, min_len: usize) -> Result<()> {
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if password.chars().count() < min_len || classes.iter().filter(|x| **x).count() < 3 {
        return Err(Error::invalid(
            "password",
            "weak_password",
            format!("口令至少 {min_len} 位,并包含大写字母、小写字母、数字、符号中的至少三类"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_needs_length_and_three_classes() {
        assert!(check_password_policy("Abcdefg1", 8).is_ok());
        assert!(check_password_policy("abcdefg1!", 8).is_ok());
        assert!(check_password_policy("Abc1!", 8).is_err());
        assert!(check_password_policy("abcdefgh1", 8).is_err());
    }

    #[test]
    fn argon2id_hash_verifies_only_the_right_password() {
        let h = hash_password("Secret-2026").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Secret-2026", &h));
        assert!(!verify_password("secret-2026", &h));
    }
}
