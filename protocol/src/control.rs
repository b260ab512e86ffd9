//! Messages of the `/control/{room}` WebSocket: JSON text frames tagged by `type`.
//!
//! Clients open the socket with `?v=PROTOCOL_VERSION`; a mismatch is refused at upgrade.
//! Later issues add generation and WebRTC signalling variants here.

use serde::{Deserialize, Serialize};

use crate::{ErrorCode, Role};

/// Client → server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// First message; answered by `welcome`.
    Hello,
    /// Liveness probe; answered by `pong`.
    Ping,
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Answer to `hello`.
    Welcome {
        /// The server's control-protocol version.
        protocol_version: u32,
        /// The caller's role in the room.
        role: Role,
        /// Members with at least one open connection to the room.
        members_online: Vec<MemberOnline>,
    },
    /// Sent whenever someone joins or leaves the room.
    MembersOnline {
        /// Members with at least one open connection to the room.
        members_online: Vec<MemberOnline>,
    },
    /// Answer to `ping`.
    Pong,
    /// A request failed; the socket stays open unless a close frame follows.
    Error {
        /// What went wrong, for programs.
        code: ErrorCode,
        /// What went wrong, for people.
        message: String,
    },
}

/// One member currently connected to a room.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MemberOnline {
    /// User id (UUID).
    pub user_id: String,
    /// Username.
    pub username: String,
    /// Role in this room.
    pub role: Role,
}
