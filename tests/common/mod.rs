//! Test harness: a fresh Postgres database per test, the real `reelroom` binary as a child
//! process, a REST client with cookies, and a y-websocket client built on yrs.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

pub mod api;
pub mod cameo;
pub mod db;
pub mod posts;
pub mod scene;
pub mod server;
pub mod yclient;

pub use api::Api;
pub use db::TestDb;
pub use server::TestServer;
pub use yclient::YClient;

/// The ticket secret every test server uses, so tests can forge expired tickets.
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret";
