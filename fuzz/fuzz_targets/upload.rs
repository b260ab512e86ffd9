//! An avatar upload's bytes through the WebM/MP4 demuxers and the VP8/VP9/H.264 decoders
//! (`media::upload`): any input is an `Err` or a short video, within the limits, never a panic
//! or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::upload::{decode_upload, DecodeLimits};

fuzz_target!(|data: &[u8]| {
    let limits = DecodeLimits::default();
    if let Ok(video) = decode_upload(data, &limits) {
        assert!(video.frames.len() <= limits.max_frames());
        assert!(video.duration_s <= limits.max_duration_with_tolerance_s() + 1.0);
        for f in &video.frames {
            assert_eq!(f.rgb.len(), f.width as usize * f.height as usize * 3);
            assert!(f.width <= limits.max_side && f.height <= limits.max_side);
        }
    }
});
