//! The clip routes' `Range` header parser: any answer is inside the resource.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(header) = std::str::from_utf8(data) else { return };
    for len in [0u64, 1, 100, u64::MAX] {
        if let Ok(Some(range)) = protocol::range::parse_range(Some(header), len) {
            assert!(range.start < range.end && range.end <= len, "{header:?} {len} → {range:?}");
        }
    }
});
