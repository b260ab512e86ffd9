//! The live preview: everyone in a room watches the clip sharpen out of noise.
//!
//! One [`MediaActor`] per room (started by the room on its first viewer) owns the viewers'
//! WebRTC connections ([`peer`]); the room hands it preview frames, which an encoder thread
//! ([`encoder`], following the [`playout`] schedule) encodes once as VP8 for a fan-out task
//! ([`fanout`]) that writes them to every viewer's track.

pub mod actor;
pub mod encoder;
pub mod fanout;
pub mod ice_filter;
pub mod peer;
pub mod playout;
pub mod probe;
pub mod rtcp;

pub use actor::{
    AddCandidate, MediaActor, StopMedia, StopWatching, StreamFrames, Watch, WatchAnswer, MAX_VIEWERS_PER_ROOM,
};
pub use peer::{IceServer, MediaConfig};
pub use playout::StreamInput;

/// Process-unique viewer id.
pub type ViewerId = u64;

/// What can go wrong serving the live preview.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    #[error("invalid WebRTC offer: {0}")]
    InvalidSdp(String),
    #[error("WebRTC: {0}")]
    Peer(String),
    #[error("{0}")]
    Full(String),
    #[error("the live preview is unavailable: {0}")]
    Unavailable(String),
    #[error("no such viewer")]
    NotFound,
}

impl MediaError {
    pub fn code(&self) -> protocol::ErrorCode {
        use protocol::ErrorCode;
        match self {
            MediaError::InvalidSdp(_) => ErrorCode::InvalidSdp,
            MediaError::Peer(_) => ErrorCode::Internal,
            MediaError::Full(_) => ErrorCode::RateLimited,
            MediaError::Unavailable(_) => ErrorCode::Unavailable,
            MediaError::NotFound => ErrorCode::NotFound,
        }
    }
}

/// A viewer's connection failed or closed (sent by its connection's event handler).
#[derive(actix::Message, Debug, Clone, Copy)]
#[rtype(result = "()")]
pub struct ViewerGone(pub ViewerId);
