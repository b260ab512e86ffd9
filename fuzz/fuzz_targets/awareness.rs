//! Presence updates from two connections into one table: limits hold, nothing panics, and what
//! the table sends others is always well formed.
#![no_main]

use std::time::{Duration, Instant};

use collab::awareness::{AwarenessTable, MAX_AWARENESS_CLIENTS_PER_SESSION};
use collab::wire::Reader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut table = AwarenessTable::default();
    let start = Instant::now();
    // Split the input into updates at 0xff bytes, alternating connections.
    for (i, update) in data.split(|b| *b == 0xff).enumerate() {
        let session = (i % 2) as u64;
        let _ = table.apply(session, "fuzz", update, start + Duration::from_secs(i as u64));
        assert!(table.live_count() <= 2 * MAX_AWARENESS_CLIENTS_PER_SESSION);
    }
    if let Some(state) = table.full_state() {
        // What we send others is well formed: its entries parse, and their states are JSON.
        let mut reader = Reader::new(&state);
        let count = reader.var_uint().expect("count");
        for _ in 0..count {
            reader.var_uint().expect("client");
            reader.var_uint().expect("clock");
            let json = reader.var_string().expect("state");
            assert!(serde_json::from_str::<serde_json::Value>(json).is_ok(), "{json}");
        }
        assert!(!reader.has_content());
    }
    let _ = table.remove_session(0);
    let _ = table.expire(start + Duration::from_secs(3600));
});
