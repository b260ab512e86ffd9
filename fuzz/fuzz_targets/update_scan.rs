//! The update pre-scan against yrs itself: whatever the scan accepts and finds integrable into
//! an empty document (what `RoomSync` requires of a client's update), yrs decodes and applies
//! without overflowing its stack or panicking; state vectors likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yrs::updates::decoder::Decode;
use yrs::{Doc, StateVector, Transact, Update};

fuzz_target!(|data: &[u8]| {
    let integrable = collab::yscan::scan_update_v1(data).is_ok_and(|shape| shape.integrates_after(|_| 0));
    if integrable {
        if let Ok(update) = Update::decode_v1(data) {
            let doc = Doc::new();
            let _ = doc.transact_mut().apply_update(update);
        }
    }
    if collab::yscan::scan_state_vector_v1(data).is_ok() {
        let _ = StateVector::decode_v1(data);
    }
});
