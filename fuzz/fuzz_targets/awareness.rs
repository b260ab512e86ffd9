//! Presence updates from two connections into one table: limits hold, nothing panics, and the
//! table's own output always re-parses.
#![no_main]

use std::time::{Duration, Instant};

use collab::awareness::{AwarenessTable, MAX_AWARENESS_CLIENTS_PER_SESSION, MAX_AWARENESS_IDS_PER_SESSION};
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
        let mut again = AwarenessTable::default();
        // Our own encoding of at most 2 × 4 entries always parses.
        assert!(again.apply(9, "fuzz", &state, start).is_ok() || MAX_AWARENESS_IDS_PER_SESSION < 8);
    }
    let _ = table.remove_session(0);
    let _ = table.expire(start + Duration::from_secs(3600));
});
