//! Consent for cast avatars while jobs run. Owns the in-process lease table: every running job
//! that casts an avatar holds one [`Lease`] per avatar, and the worker reads it between
//! denoising steps. The server's casting service (the [`Casting`] implementation) grants leases
//! after checking the avatar's permissions in Postgres, and revises them after every
//! permission change, revocation or deletion, so a job stops at its next step.
//!
//! The race between a cast check and a permission change is closed by an epoch per avatar:
//! [`Leases::epoch`] is read before the database check and [`Leases::grant`] refuses when a
//! change bumped it meanwhile (the caster then checks again).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use async_trait::async_trait;
use uuid::Uuid;

/// One running use of one avatar by one user.
#[derive(Debug)]
pub struct Lease {
    pub avatar: Uuid,
    pub user: Uuid,
    /// The avatar's `@handle` (its owner's username), for refusal messages.
    pub handle: String,
    allowed: AtomicBool,
}

impl Lease {
    /// Whether the job may take its next step with this avatar.
    pub fn allowed(&self) -> bool {
        self.allowed.load(Ordering::Acquire)
    }
}

#[derive(Debug, Default)]
struct Entry {
    epoch: u64,
    leases: Vec<Weak<Lease>>,
}

/// The lease table (one per server process).
#[derive(Debug, Default)]
pub struct Leases {
    table: Mutex<HashMap<Uuid, Entry>>,
}

impl Leases {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<Uuid, Entry>) -> R) -> R {
        // A poisoned lock only means another thread panicked mid-update of plain data.
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut table)
    }

    /// The avatar's permission epoch (read before checking permissions).
    pub fn epoch(&self, avatar: Uuid) -> u64 {
        self.with(|t| t.get(&avatar).map_or(0, |e| e.epoch))
    }

    /// A lease for `user`, if no permission change happened since `epoch` was read.
    pub fn grant(&self, avatar: Uuid, user: Uuid, handle: &str, epoch: u64) -> Option<Arc<Lease>> {
        self.with(|t| {
            let entry = t.entry(avatar).or_default();
            if entry.epoch != epoch {
                return None;
            }
            let lease = Arc::new(Lease {
                avatar,
                user,
                handle: handle.to_owned(),
                allowed: AtomicBool::new(true),
            });
            entry.leases.retain(|w| w.strong_count() > 0);
            entry.leases.push(Arc::downgrade(&lease));
            Some(lease)
        })
    }

    /// A permission change was committed: bumps the epoch and returns the users holding live
    /// leases on the avatar, whose permission the caller must check again.
    pub fn changed(&self, avatar: Uuid) -> Vec<Uuid> {
        self.with(|t| {
            let entry = t.entry(avatar).or_default();
            entry.epoch += 1;
            entry.leases.retain(|w| w.strong_count() > 0);
            let mut users: Vec<Uuid> = entry.leases.iter().filter_map(Weak::upgrade).map(|l| l.user).collect();
            users.sort_unstable();
            users.dedup();
            users
        })
    }

    /// Ends `user`'s leases on the avatar (their permission is gone); returns how many.
    pub fn withdraw(&self, avatar: Uuid, user: Option<Uuid>) -> usize {
        self.with(|t| {
            let Some(entry) = t.get_mut(&avatar) else { return 0 };
            let mut n = 0;
            for lease in entry.leases.iter().filter_map(Weak::upgrade) {
                if user.is_none_or(|u| u == lease.user) && lease.allowed() {
                    lease.allowed.store(false, Ordering::Release);
                    n += 1;
                }
            }
            n
        })
    }

    /// Live leases on the avatar (tests, metrics).
    pub fn live(&self, avatar: Uuid) -> usize {
        self.with(|t| {
            t.get(&avatar)
                .map_or(0, |e| e.leases.iter().filter(|w| w.strong_count() > 0).count())
        })
    }
}

/// An avatar a shot casts, as the script or the prompt names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AvatarRef {
    /// An id from the shot's `avatars` array.
    Id(String),
    /// `@handle` in the prompt (the owner's username).
    Handle(String),
}

/// A permitted cast: the crop the model renders and the lease the job holds.
#[derive(Debug, Clone)]
pub struct Cast {
    pub avatar: Uuid,
    pub handle: String,
    /// `world::REF_SIZE`² RGB.
    pub reference: Vec<u8>,
    pub lease: Arc<Lease>,
}

/// Why a cast was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CastError {
    /// The avatar does not exist, is not ready, was revoked, or its owner does not permit the
    /// caller; the message names it.
    #[error("you may not cast {0}")]
    NotPermitted(String),
    #[error("the avatar service is unavailable: {0}")]
    Unavailable(String),
}

/// Checks and grants casts: implemented by the server over Postgres and [`Leases`].
#[async_trait]
pub trait Casting: Send + Sync + std::fmt::Debug {
    /// Resolves and checks every avatar `user` casts; all or nothing.
    async fn cast(&self, user: Uuid, avatars: Vec<AvatarRef>) -> Result<Vec<Cast>, CastError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withdrawn_lease_stops_only_its_user() {
        let leases = Leases::default();
        let (avatar, a, b) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let la = leases.grant(avatar, a, "alice", 0).expect("epoch 0");
        let lb = leases.grant(avatar, b, "alice", 0).expect("epoch 0");
        let mut users = leases.changed(avatar);
        users.sort();
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(users, expected);
        assert_eq!(leases.withdraw(avatar, Some(a)), 1);
        assert!(!la.allowed());
        assert!(lb.allowed());
        assert_eq!(leases.withdraw(avatar, None), 1);
        assert!(!lb.allowed());
    }

    #[test]
    fn a_change_between_check_and_grant_refuses_the_grant() {
        let leases = Leases::default();
        let (avatar, user) = (Uuid::new_v4(), Uuid::new_v4());
        let epoch = leases.epoch(avatar);
        leases.changed(avatar);
        assert!(leases.grant(avatar, user, "alice", epoch).is_none());
        assert!(leases.grant(avatar, user, "alice", leases.epoch(avatar)).is_some());
    }

    #[test]
    fn dropped_jobs_leave_no_leases() {
        let leases = Leases::default();
        let avatar = Uuid::new_v4();
        let lease = leases.grant(avatar, Uuid::new_v4(), "alice", 0);
        assert_eq!(leases.live(avatar), 1);
        drop(lease);
        assert_eq!(leases.live(avatar), 0);
        assert!(leases.changed(avatar).is_empty());
    }
}
