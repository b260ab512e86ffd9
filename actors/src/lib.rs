//! reelroom's stateful runtime, as actix actors.
//!
//! - [`registry::RoomRegistry`] starts and forgets rooms;
//! - [`room::RoomActor`] alone owns a room's `yrs::Doc` and presence, driving the plain-Rust
//!   [`sync::RoomSync`] and fanning frames out through each session's bounded queue;
//! - [`store::RoomStore`] is how rooms reach Postgres (implemented by the server);
//! - [`wire`], [`yscan`], [`awareness`] and [`sync`] are re-exported from the `collab` crate
//!   (the collaboration core, built and fuzzed without a runtime);
//! - [`generation`] schedules video generation jobs on worker threads that own the models;
//! - [`media`] streams each room's live preview (VP8 over WebRTC) to its viewers.
//!
//! No SQL and no HTTP here.

pub mod consent;
pub mod generation;
pub mod media;
pub mod metrics;
pub mod registry;
pub mod room;
pub mod script;
pub mod session;
pub mod store;

pub use collab::{awareness, sync, wire, yscan};
pub use session::SessionId;
