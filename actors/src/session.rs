//! The room's view of one WebSocket connection: who it is, its role, and the bounded queue
//! that carries frames to its socket task. The socket task (in the server crate) owns the
//! socket; the room only ever `try_send`s, so a slow reader can never stall a room.

use bytes::Bytes;
use protocol::{CloseCode, Role};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Process-unique connection id.
pub use collab::SessionId;

/// Frames queued for a session before it is closed as a slow consumer.
pub const SESSION_OUTBOUND_QUEUE: usize = 1024;

/// Which socket this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// `/sync`: y-websocket binary protocol.
    Sync,
    /// `/control`: JSON control messages.
    Control,
}

/// A frame for the socket task to write.
#[derive(Debug, Clone)]
pub enum Outbound {
    /// Binary frame (y-protocols).
    Binary(Bytes),
    /// Text frame (JSON control message).
    Text(String),
}

/// Close frame contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseReason {
    /// Why.
    pub code: CloseCode,
    /// Human text (at most 123 bytes go on the wire).
    pub reason: String,
}

impl CloseReason {
    /// A close with a specific reason text.
    pub fn new(code: CloseCode, reason: impl Into<String>) -> Self {
        CloseReason {
            code,
            reason: reason.into(),
        }
    }
}

impl From<CloseCode> for CloseReason {
    fn from(code: CloseCode) -> Self {
        CloseReason {
            code,
            reason: code.default_reason().to_string(),
        }
    }
}

/// What the room holds for each connected session.
#[derive(Debug)]
pub struct SessionHandle {
    /// Connection id.
    pub id: SessionId,
    /// Authenticated user.
    pub user_id: Uuid,
    /// Their username (for presence lists).
    pub username: String,
    /// Role, re-checked from the database at upgrade and updated live on changes.
    pub role: Role,
    /// Socket kind.
    pub kind: SessionKind,
    /// Bounded queue to the socket task.
    pub outbound: mpsc::Sender<Outbound>,
    /// Out-of-band close signal (works even when `outbound` is full).
    pub closer: Option<oneshot::Sender<CloseReason>>,
}

impl SessionHandle {
    /// Creates a handle plus the receiving ends the socket task keeps.
    pub fn new(
        id: SessionId,
        user_id: Uuid,
        username: String,
        role: Role,
        kind: SessionKind,
    ) -> (Self, mpsc::Receiver<Outbound>, oneshot::Receiver<CloseReason>) {
        let (tx, rx) = mpsc::channel(SESSION_OUTBOUND_QUEUE);
        let (close_tx, close_rx) = oneshot::channel();
        let handle = SessionHandle {
            id,
            user_id,
            username,
            role,
            kind,
            outbound: tx,
            closer: Some(close_tx),
        };
        (handle, rx, close_rx)
    }

    /// Signals the socket task to close with `reason`.
    pub fn close(&mut self, reason: CloseReason) {
        if let Some(closer) = self.closer.take() {
            let _ = closer.send(reason); // the task may already be gone
        }
    }
}
