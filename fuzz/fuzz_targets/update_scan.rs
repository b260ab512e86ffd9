//! The update pre-scan against yrs itself: whatever the scan accepts, yrs decodes and applies
//! to an empty document without overflowing its stack or panicking; state vectors likewise.
#![no_main]

use libfuzzer_sys::fuzz_target;
use yrs::updates::decoder::Decode;
use yrs::{Doc, StateVector, Transact, Update};

fuzz_target!(|data: &[u8]| {
    if collab::yscan::scan_update_v1(data).is_ok() {
        if let Ok(update) = Update::decode_v1(data) {
            let doc = Doc::new();
            let _ = doc.transact_mut().apply_update(update);
        }
    }
    if collab::yscan::scan_state_vector_v1(data).is_ok() {
        let _ = StateVector::decode_v1(data);
    }
});
