//! reelroom's collaboration core as plain Rust, with no runtime, no actix and no libtorch:
//!
//! - [`wire`]: the y-websocket envelope and lib0 varints;
//! - [`yscan`]: the bounded pre-scan every client update and state vector passes before yrs;
//! - [`awareness`]: room presence with per-connection ownership and limits;
//! - [`sync`]: `RoomSync`, what a room does with each frame (the room actor in `actors` drives it).
//!
//! Everything here handles hostile bytes: errors, never panics, bounded work per byte. The
//! fuzz targets (`fuzz/`) build against this crate alone.

pub mod awareness;
pub mod sync;
pub mod wire;
pub mod yscan;

/// One connection to a room (unique within the process).
pub type SessionId = u64;
