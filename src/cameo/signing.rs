//! The server's Ed25519 consent key: generated at first run in the data folder, it signs every
//! consent grant and every audit-log entry. Anyone can verify with the public key that
//! `GET /api/grants/{id}` returns.

use std::path::Path;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// The key file inside the data folder (32 secret bytes, mode 0600).
pub const KEY_FILE: &str = "consent-ed25519.key";

/// Why the key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading or writing the consent key: {0}")]
    Io(#[from] std::io::Error),
}

/// Signs consent records.
#[derive(Debug, Clone)]
pub struct ServerKey {
    key: SigningKey,
}

impl ServerKey {
    /// Loads `dir/KEY_FILE`, creating it on first run.
    pub fn load_or_create(dir: &Path) -> Result<Self, KeyError> {
        let secret = crate::server::load_or_create_secret(&dir.join(KEY_FILE))?;
        Ok(ServerKey {
            key: SigningKey::from_bytes(&secret),
        })
    }

    /// A key that lives only in memory (tests, tools).
    pub fn ephemeral() -> Self {
        ServerKey {
            key: SigningKey::from_bytes(&rand::random()),
        }
    }

    pub fn sign(&self, payload: &[u8]) -> Vec<u8> {
        self.key.sign(payload).to_bytes().to_vec()
    }

    /// The public key, base64.
    pub fn public_b64(&self) -> String {
        B64.encode(self.key.verifying_key().as_bytes())
    }

    /// Whether `signature` signs `payload` under this server's key.
    pub fn verify(&self, payload: &[u8], signature: &[u8]) -> bool {
        verify(&self.key.verifying_key(), payload, signature)
    }
}

/// Whether `signature` (64 bytes) signs `payload` under `key`.
pub fn verify(key: &VerifyingKey, payload: &[u8], signature: &[u8]) -> bool {
    let Ok(sig) = <[u8; 64]>::try_from(signature) else {
        return false;
    };
    key.verify(payload, &Signature::from_bytes(&sig)).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_tampering_fails() {
        let key = ServerKey::ephemeral();
        let sig = key.sign(b"grant");
        assert!(key.verify(b"grant", &sig));
        assert!(!key.verify(b"grant!", &sig));
        assert!(!key.verify(b"grant", &sig[..63]));
    }

    #[test]
    fn the_key_survives_a_restart() {
        let dir = std::env::temp_dir().join(format!("reelroom-key-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let a = ServerKey::load_or_create(&dir).expect("created");
        let b = ServerKey::load_or_create(&dir).expect("loaded");
        assert_eq!(a.public_b64(), b.public_b64());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
