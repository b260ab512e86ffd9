//! Media encoding for finished clips: RGB frames → H.264 (OpenH264, built from source) →
//! fast-start MP4 (muxide), upscaled by an integer factor for display. CPU-heavy and blocking:
//! callers run it on a blocking thread.

pub mod mp4;

pub use mp4::{encode_mp4, ClipVideo, MediaError, DISPLAY_SCALE};
