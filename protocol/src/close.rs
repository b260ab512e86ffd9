//! WebSocket close codes the server uses on `/sync` and `/control`, each with a reason text.
//!
//! Codes 4000-4999 are application codes (RFC 6455 §7.4.2); they mirror HTTP statuses where
//! one fits, so `4403` reads as "forbidden".

/// Why the server closed a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseCode {
    /// Server is shutting down; reconnect later.
    ShuttingDown,
    /// A message could not be decoded (bad varint, bad update, unknown type).
    MalformedMessage,
    /// The user lost access (removed from the room) or tried what the role forbids.
    Forbidden,
    /// The connection did not read its queue fast enough; reconnect and resync.
    SlowConsumer,
    /// No traffic (not even a pong) for too long.
    IdleTimeout,
    /// A message or frame was over the size limit.
    MessageTooLarge,
    /// Too many messages or bytes per second.
    RateLimited,
    /// The room could not be loaded or failed to persist; reconnect to reload it.
    RoomUnavailable,
}

impl CloseCode {
    /// The numeric close code sent in the close frame.
    pub fn code(self) -> u16 {
        match self {
            CloseCode::ShuttingDown => 4001,
            CloseCode::MalformedMessage => 4400,
            CloseCode::Forbidden => 4403,
            CloseCode::SlowConsumer => 4408,
            CloseCode::IdleTimeout => 4410,
            CloseCode::MessageTooLarge => 4413,
            CloseCode::RateLimited => 4429,
            CloseCode::RoomUnavailable => 4503,
        }
    }

    /// A default reason text.
    pub fn default_reason(self) -> &'static str {
        match self {
            CloseCode::ShuttingDown => "server shutting down",
            CloseCode::MalformedMessage => "malformed message",
            CloseCode::Forbidden => "forbidden",
            CloseCode::SlowConsumer => "slow consumer: outbound queue full",
            CloseCode::IdleTimeout => "idle timeout",
            CloseCode::MessageTooLarge => "message too large",
            CloseCode::RateLimited => "rate limit exceeded",
            CloseCode::RoomUnavailable => "room unavailable",
        }
    }
}
