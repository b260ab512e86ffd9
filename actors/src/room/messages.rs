//! What the room actor is told and asked, and its tunables. Senders: the session socket
//! tasks (Join / Incoming / Leave), the registry (MemberChanged, Shutdown), tests (GetState).

use std::time::Duration;

use actix::prelude::*;
use bytes::Bytes;
use protocol::{MemberOnline, Role};
use uuid::Uuid;

use crate::session::{CloseReason, SessionHandle, SessionId};

/// Tunables of every room.
#[derive(Debug, Clone)]
pub struct RoomConfig {
    /// How long an empty room stays loaded.
    pub idle_grace: Duration,
    /// Compact the log into a snapshot after this many updates.
    pub compact_every: usize,
    /// Where generation jobs go; `None` disables generation.
    pub scheduler: Option<Addr<crate::generation::Scheduler>>,
    /// Where finished clips are kept; `None` keeps none.
    pub clips: Option<std::sync::Arc<dyn crate::store::ClipStore>>,
    /// How viewers' WebRTC connections are made; `None` turns the live preview off.
    pub media: Option<crate::media::MediaConfig>,
    /// Checks and grants avatar casts; `None` refuses every cast.
    pub casting: Option<std::sync::Arc<dyn crate::consent::Casting>>,
}

impl Default for RoomConfig {
    fn default() -> Self {
        RoomConfig {
            idle_grace: Duration::from_secs(30),
            compact_every: 1000,
            scheduler: None,
            clips: None,
            media: None,
            casting: None,
        }
    }
}

/// Why a join failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum JoinError {
    /// The room is shutting down; ask the registry again.
    #[error("room is closing")]
    Closing,
    /// The room could not be loaded.
    #[error("room could not be loaded: {0}")]
    Unavailable(String),
}

/// A session joins. Sync sessions get the greeting (step 1 + presence) on their queue;
/// control sessions ask for the member list with `GetMembersOnline` when they say hello.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), JoinError>")]
pub struct Join(pub SessionHandle);

/// A binary frame from a sync session. `Err` means: close the socket with this reason.
#[derive(Message, Debug)]
#[rtype(result = "Result<(), CloseReason>")]
pub struct Incoming {
    /// Sender.
    pub session: SessionId,
    /// The raw frame.
    pub frame: Bytes,
}

/// A session's socket closed. Must always be delivered.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Leave(pub SessionId);

/// A member's role changed (`Some`) or they were removed (`None`).
#[derive(Message, Debug, Clone)]
#[rtype(result = "()")]
pub struct MemberChanged {
    /// Who.
    pub user_id: Uuid,
    /// New role, or `None` when removed from the room.
    pub role: Option<Role>,
}

/// Members with an open connection.
#[derive(Message, Debug)]
#[rtype(result = "Vec<MemberOnline>")]
pub struct GetMembersOnline;

/// The server is stopping: close every session with 4001 and unload.
#[derive(Message, Debug)]
#[rtype(result = "()")]
pub struct Shutdown;

/// The current document as one v1 update (tests, exports).
#[derive(Message, Debug)]
#[rtype(result = "Result<Vec<u8>, JoinError>")]
pub struct GetState;
