//! Media encoding: RGB frames → live VP8 (libvpx, realtime, for WebRTC) and finished clips as
//! H.264 (OpenH264, built from source) in fast-start MP4 (muxide), upscaled by an integer factor
//! for display; and decoding of uploaded browser recordings (WebM VP8/VP9, MP4 H.264) into
//! sampled RGB frames. CPU-heavy and blocking: callers run it on dedicated threads.

pub mod frame;
pub mod label;
pub mod mark;
pub mod mp4;
pub mod poster;
pub mod upload;
pub mod vp8;
pub mod vpx;
pub mod watermark;

pub use mark::{FrameMark, NoMark};
pub use mp4::{
    encode_mp4, encode_mp4_marked, encode_preview, encode_preview_marked, ClipVideo, MediaError, DISPLAY_SCALE,
};
pub use poster::{poster_png, poster_png_marked};
pub use upload::{decode_upload, DecodeLimits, DecodedFrame, DecodedVideo, UploadError};
pub use vp8::{EncodedFrame, Vp8Decoder, Vp8Encoder};
pub use watermark::{ClipMark, Detection, Watermarker, DETECTION_P_VALUE};
