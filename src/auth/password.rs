//! Argon2id password hashing on a small pool of dedicated threads.
//!
//! Hashing is CPU- and memory-heavy: it never runs on an async thread, at most
//! [`PASSWORD_THREADS`] run at once, and each thread reuses one memory buffer. (Allocating
//! a fresh multi-MiB buffer per hash made glibc keep ~6 MB per sign-up: 1.2 GB after 200.)

use std::sync::{Arc, Mutex};

use argon2::password_hash::{rand_core::OsRng, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{mpsc, oneshot};

/// Argon2id memory cost in KiB (OWASP's 7 MiB / 5 passes profile).
pub const ARGON2_MEMORY_KIB: u32 = 7 * 1024;
/// Argon2id passes.
pub const ARGON2_PASSES: u32 = 5;
/// Hashing threads.
pub const PASSWORD_THREADS: usize = 2;
/// Requests waiting for a hashing thread before callers wait.
pub const PASSWORD_QUEUE: usize = 256;
/// Stored hashes asking for more memory than this are refused (a tampered row must not
/// make the server allocate gigabytes).
const MAX_VERIFY_MEMORY_KIB: u32 = 64 * 1024;

/// Hashing failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The hashing library refused the input.
    #[error("password hashing failed: {0}")]
    Hash(argon2::password_hash::Error),
    /// Argon2 itself failed.
    #[error("argon2 failed: {0}")]
    Argon2(argon2::Error),
    /// The pool is gone (shutting down).
    #[error("password hashing unavailable")]
    Unavailable,
}

// These error types do not implement std::error::Error (no_std crates), so no #[from].
impl From<argon2::password_hash::Error> for PasswordError {
    fn from(err: argon2::password_hash::Error) -> Self {
        PasswordError::Hash(err)
    }
}

impl From<argon2::Error> for PasswordError {
    fn from(err: argon2::Error) -> Self {
        PasswordError::Argon2(err)
    }
}

enum Job {
    Hash(String, oneshot::Sender<Result<String, PasswordError>>),
    Verify(String, String, oneshot::Sender<bool>),
}

/// Handle to the hashing threads.
#[derive(Debug, Clone)]
pub struct PasswordPool {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Job(..)")
    }
}

impl PasswordPool {
    /// Starts the hashing threads.
    pub fn start() -> PasswordPool {
        let (jobs, queue) = mpsc::channel::<Job>(PASSWORD_QUEUE);
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..PASSWORD_THREADS {
            let queue = Arc::clone(&queue);
            let spawned = std::thread::Builder::new()
                .name(format!("password-{n}"))
                .spawn(move || {
                    let mut blocks: Vec<Block> = Vec::new();
                    loop {
                        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).blocking_recv();
                        match job {
                            None => return,
                            Some(Job::Hash(password, reply)) => {
                                let _ = reply.send(hash_with(&mut blocks, &password));
                            }
                            Some(Job::Verify(password, stored, reply)) => {
                                let _ = reply.send(verify_with(&mut blocks, &password, &stored));
                            }
                        }
                    }
                });
            if let Err(err) = spawned {
                tracing::error!(%err, "could not start a password thread");
            }
        }
        PasswordPool { jobs }
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: String) -> Result<String, PasswordError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Hash(password, reply))
            .await
            .map_err(|_| PasswordError::Unavailable)?;
        answer.await.map_err(|_| PasswordError::Unavailable)?
    }

    /// Whether `password` matches the stored PHC string.
    pub async fn verify(&self, password: String, stored: String) -> bool {
        let (reply, answer) = oneshot::channel();
        if self.jobs.send(Job::Verify(password, stored, reply)).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
}

fn params() -> Params {
    Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, 1, None).unwrap_or_default()
}

/// Hashes with a reusable block buffer.
pub fn hash_with(blocks: &mut Vec<Block>, password: &str) -> Result<String, PasswordError> {
    let params = params();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_buf)?;
    blocks.resize(params.block_count(), Block::default());
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut blocks[..])?;
    let phc = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(phc.to_string())
}

/// Verifies with a reusable block buffer, using the parameters stored in the hash.
pub fn verify_with(blocks: &mut Vec<Block>, password: &str, stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return false;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or(Version::V0x13);
    if params.m_cost() > MAX_VERIFY_MEMORY_KIB || expected.len() > 64 {
        return false;
    }
    let mut salt_buf = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    blocks.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params);
    if argon
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut blocks[..])
        .is_err()
    {
        return false;
    }
    Output::new(&out).is_ok_and(|computed| computed == expected) // constant-time comparison
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordVerifier;

    #[test]
    fn hashes_verify_differ_and_interoperate_with_the_reference_verifier() {
        let mut blocks = Vec::new();
        let a = hash_with(&mut blocks, "correct horse").expect("hash");
        let b = hash_with(&mut blocks, "correct horse").expect("hash");
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{a}");
        assert!(verify_with(&mut blocks, "correct horse", &a));
        assert!(!verify_with(&mut blocks, "wrong horse", &a));
        assert!(!verify_with(&mut blocks, "x", "not a hash"));
        let parsed = PasswordHash::new(&a).expect("phc");
        assert!(
            Argon2::default().verify_password(b"correct horse", &parsed).is_ok(),
            "standard PHC"
        );
    }

    #[tokio::test]
    async fn the_pool_hashes_off_the_async_threads() {
        let pool = PasswordPool::start();
        let hash = pool.hash("hunter2hunter2".into()).await.expect("hash");
        assert!(pool.verify("hunter2hunter2".into(), hash.clone()).await);
        assert!(!pool.verify("nope".into(), hash).await);
    }
}
