//! reelroom's stateful runtime, as actix actors.
//!
//! - [`registry::RoomRegistry`] starts and forgets rooms;
//! - [`room::RoomActor`] alone owns a room's `yrs::Doc` and presence, driving the plain-Rust
//!   [`sync::RoomSync`] and fanning frames out through each session's bounded queue;
//! - [`store::RoomStore`] is how rooms reach Postgres (implemented by the server);
//! - [`wire`] and [`awareness`] are the y-websocket protocol, without actix;
//! - [`generation`] schedules video generation jobs on worker threads that own the models;
//! - [`media`] streams each room's live preview (VP8 over WebRTC) to its viewers.
//!
//! No SQL and no HTTP here.

pub mod awareness;
pub mod generation;
pub mod media;
pub mod metrics;
pub mod registry;
pub mod room;
pub mod script;
pub mod session;
pub mod store;
pub mod sync;
pub mod wire;

pub use session::SessionId;
