//! Cameos: avatars made from a selfie recording, cast into other people's scenes only with the
//! owner's consent. Owns the casting service (permission checks + consent leases) and the
//! extraction queue; the avatar routes, the room actors (through `actors::consent::Casting`)
//! and the clip store talk to it. Decisions live in plain modules: [`challenge`],
//! [`permission`]; signatures in [`signing`].

pub mod challenge;
pub mod extract;
pub mod permission;
pub mod signing;

use std::sync::Arc;

use actors::consent::{AvatarRef, Cast, CastError, Casting, Leases};
use async_trait::async_trait;
use protocol::avatar::AvatarStatus;
use uuid::Uuid;

use crate::db::{Db, DbError};

/// Times a cast re-checks when a permission change races it.
const CAST_RETRIES: usize = 3;

/// The casting service: Postgres for the facts, [`Leases`] for running jobs.
#[derive(Debug, Clone)]
pub struct Cameo {
    db: Db,
    pub leases: Arc<Leases>,
    pub key: Arc<signing::ServerKey>,
    /// The extraction queue; `None` when the face models could not be loaded.
    pub extractor: Option<extract::Extractor>,
}

fn unavailable(e: DbError) -> CastError {
    CastError::Unavailable(e.to_string())
}

impl Cameo {
    pub fn new(db: Db, key: Arc<signing::ServerKey>, extractor: Option<extract::Extractor>) -> Self {
        Cameo {
            db,
            leases: Arc::new(Leases::default()),
            key,
            extractor,
        }
    }

    /// Whether `user` may cast avatar `id` now.
    pub async fn permits(&self, id: Uuid, user: Uuid) -> Result<bool, DbError> {
        Ok(match self.db.caster_facts(id, user).await? {
            Some((AvatarStatus::Ready, who, caster)) => permission::permits(who, caster),
            _ => false,
        })
    }

    /// A permission change was committed: running jobs of users no longer permitted stop at
    /// their next step.
    pub async fn revise(&self, avatar: Uuid) -> Result<usize, DbError> {
        let mut stopped = 0;
        for user in self.leases.changed(avatar) {
            if !self.permits(avatar, user).await? {
                stopped += self.leases.withdraw(avatar, Some(user));
            }
        }
        Ok(stopped)
    }

    /// The avatar was revoked or deleted: every running use stops.
    pub fn withdraw_all(&self, avatar: Uuid) -> usize {
        self.leases.changed(avatar);
        self.leases.withdraw(avatar, None)
    }

    /// A follow between `a` and `b` changed: mutuals-only avatars of either are re-checked.
    pub async fn follows_changed(&self, a: Uuid, b: Uuid) -> Result<(), DbError> {
        for avatar in self.db.mutual_avatars(a, b).await? {
            self.revise(avatar).await?;
        }
        Ok(())
    }

    async fn resolve(&self, r: &AvatarRef) -> Result<Option<(Uuid, String)>, DbError> {
        let row = match r {
            AvatarRef::Id(id) => match Uuid::parse_str(id) {
                Ok(id) => self.db.avatar(id).await?,
                Err(_) => None,
            },
            AvatarRef::Handle(h) => self.db.avatar_by_handle(h).await?,
        };
        Ok(row.map(|a| (a.id, a.handle)))
    }

    async fn cast_one(&self, user: Uuid, r: &AvatarRef) -> Result<Cast, CastError> {
        let name = match r {
            AvatarRef::Id(id) => format!("avatar {id}"),
            AvatarRef::Handle(h) => format!("@{h}"),
        };
        // A `@word` that names no avatar is ordinary text, not a cast (handled by the caller).
        let (avatar, handle) = self
            .resolve(r)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| CastError::NotPermitted(name.clone()))?;
        for _ in 0..CAST_RETRIES {
            let epoch = self.leases.epoch(avatar);
            if !self.permits(avatar, user).await.map_err(unavailable)? {
                return Err(CastError::NotPermitted(format!("@{handle}")));
            }
            let reference = self
                .db
                .avatar_reference(avatar)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| CastError::NotPermitted(format!("@{handle}")))?;
            if let Some(lease) = self.leases.grant(avatar, user, &handle, epoch) {
                return Ok(Cast {
                    avatar,
                    handle,
                    reference,
                    lease,
                });
            }
        }
        Err(CastError::Unavailable(format!(
            "@{handle}'s permissions keep changing; try again"
        )))
    }
}

#[async_trait]
impl Casting for Cameo {
    async fn cast(&self, user: Uuid, avatars: Vec<AvatarRef>) -> Result<Vec<Cast>, CastError> {
        let mut casts: Vec<Cast> = Vec::new();
        for r in &avatars {
            // `@word` naming nobody with an avatar is just text ("email me @home").
            if let AvatarRef::Handle(h) = r {
                if self.db.avatar_by_handle(h).await.map_err(unavailable)?.is_none() {
                    continue;
                }
            }
            let cast = self.cast_one(user, r).await?;
            if !casts.iter().any(|c| c.avatar == cast.avatar) {
                casts.push(cast);
            }
        }
        Ok(casts)
    }
}
