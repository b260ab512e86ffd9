//! The reelroom server: configuration, Postgres, auth, REST routes, WebSocket upgrades, and
//! the wiring that starts the actors. The binary (`main.rs`) only parses config and calls
//! [`server::run`].

pub mod auth;
pub mod cameo;
pub mod config;
pub mod db;
pub mod http;
pub mod marking;
pub mod server;
pub mod state;
pub mod understanding;
pub mod ws;
