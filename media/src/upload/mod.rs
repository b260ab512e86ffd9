//! Upload decoding: the bytes of a browser selfie recording (MediaRecorder: WebM VP8/VP9 from
//! Chrome/Firefox, MP4 H.264 from Safari) → a few sampled RGB frames. This module owns the
//! public API, the limits and the error type; the server's avatar upload handler calls
//! [`decode_upload`] on a blocking thread. Container code lives in `webm.rs` / `mp4.rs`
//! (+ `mp4box.rs`), codec size checks in `vpxhdr.rs` / `h264.rs`, frame picking and pixel
//! conversion in `sample.rs`.
//!
//! Every input is treated as hostile: sizes are checked against the named limits below before
//! anything big is allocated or decoded, and no byte sequence panics (see `tests/upload.rs`).

mod h264;
mod mp4;
mod mp4box;
mod mp4frag;
mod sample;
mod vpxhdr;
mod webm;

/// Default cap on the upload size, in bytes (25 MiB).
pub const DEFAULT_MAX_BYTES: usize = 25 * 1024 * 1024;
/// Default cap on the recording length, in seconds (plus [`DURATION_TOLERANCE_S`]).
pub const DEFAULT_MAX_DURATION_S: f64 = 15.0;
/// Slack over `max_duration_s` before a recording counts as too long: a browser stops a
/// "15 s" recording a few frames late.
pub const DURATION_TOLERANCE_S: f64 = 0.5;
/// Default number of frames kept per second of video.
pub const DEFAULT_SAMPLE_FPS: f64 = 5.0;
/// Default longest side of a kept frame, in pixels; larger frames are area-averaged down.
pub const DEFAULT_MAX_SIDE: u32 = 480;
/// Largest coded width or height we decode (portrait 1080p is 1080 × 1920).
pub const MAX_DECODE_SIDE: u32 = 1920;
/// Largest coded picture we decode, in pixels (1080p).
pub const MAX_DECODE_PIXELS: u64 = 1920 * 1080;
/// Highest frame rate we accept: with the duration limit it bounds how many frames are decoded.
pub const MAX_FRAME_RATE_FPS: f64 = 60.0;
/// Frames decoded at most under the default limits
/// (`MAX_FRAME_RATE_FPS × (DEFAULT_MAX_DURATION_S + DURATION_TOLERANCE_S)`); see
/// [`DecodeLimits::max_frames`].
pub const MAX_DECODED_FRAMES: usize = (MAX_FRAME_RATE_FPS * (DEFAULT_MAX_DURATION_S + DURATION_TOLERANCE_S)) as usize;

/// Sampled frame, RGB8 row-major, `width*height*3` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedFrame {
    /// Presentation time relative to the first frame of the recording, in milliseconds.
    pub t_ms: u32,
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

/// The container an upload came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    WebM,
    Mp4,
}

/// The video codec of the decoded track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoCodec {
    Vp8,
    Vp9,
    H264,
}

/// A decoded upload.
#[derive(Debug, Clone)]
pub struct DecodedVideo {
    pub container: Container,
    pub codec: VideoCodec,
    /// Coded size of the video (of its first decoded picture), before sampling's downscale.
    pub width: u32,
    pub height: u32,
    /// Last frame's timestamp − first's, plus one frame interval.
    pub duration_s: f64,
    /// Frames nearest to instants `1 / sample_fps` apart, in time order.
    pub frames: Vec<DecodedFrame>,
}

/// What an upload may cost and what comes out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeLimits {
    /// Uploads larger than this are refused before parsing.
    pub max_bytes: usize,
    /// Recordings longer than this (+ [`DURATION_TOLERANCE_S`]) are refused as soon as a
    /// timestamp passes it.
    pub max_duration_s: f64,
    /// Frames kept per second (clamped to 0.1–120).
    pub sample_fps: f64,
    /// Sampled frames are downscaled (area average) so the longest side <= this (at least 1).
    pub max_side: u32,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_duration_s: DEFAULT_MAX_DURATION_S,
            sample_fps: DEFAULT_SAMPLE_FPS,
            max_side: DEFAULT_MAX_SIDE,
        }
    }
}

impl DecodeLimits {
    /// The longest recording accepted, tolerance included, in seconds.
    pub fn max_duration_with_tolerance_s(&self) -> f64 {
        let d = if self.max_duration_s.is_finite() {
            self.max_duration_s.max(0.0)
        } else {
            0.0
        };
        d + DURATION_TOLERANCE_S
    }

    /// How many frames may be decoded: [`MAX_FRAME_RATE_FPS`] over the longest accepted
    /// duration ([`MAX_DECODED_FRAMES`] under the defaults).
    pub fn max_frames(&self) -> usize {
        (MAX_FRAME_RATE_FPS * self.max_duration_with_tolerance_s()).ceil() as usize
    }
}

/// Why an upload could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not WebM or MP4, or a codec other than VP8/VP9/H.264.
    #[error("unsupported upload format: {0}")]
    UnsupportedFormat(String),
    /// Truncated or malformed container, or the decoder rejected the bitstream.
    #[error("corrupt upload: {0}")]
    Corrupt(String),
    /// A decoder (or demuxer) error, with its cause.
    #[error("corrupt upload: {context}")]
    CorruptSource {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Too many bytes, too large a picture, or too many frames.
    #[error("upload too large: {0}")]
    TooLarge(String),
    /// Longer than the duration limit (the first timestamp past it, in seconds).
    #[error("recording too long: at least {seconds:.1} s")]
    TooLong { seconds: f64 },
    /// No video track, or no frame decoded.
    #[error("no video in the upload")]
    NoVideo,
}

impl UploadError {
    pub(crate) fn corrupt_from(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        UploadError::CorruptSource {
            context: context.into(),
            source: Box::new(source),
        }
    }
}

/// Decodes a browser recording into sampled RGB frames. Blocking and CPU-heavy (a 10 s 640×480
/// VP8 upload takes a few hundred ms): run it on a blocking thread.
pub fn decode_upload(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedVideo, UploadError> {
    if bytes.len() > limits.max_bytes {
        return Err(UploadError::TooLarge(format!(
            "{} bytes, over the {} byte limit",
            bytes.len(),
            limits.max_bytes
        )));
    }
    match sniff(bytes)? {
        Container::WebM => webm::decode(bytes, limits),
        Container::Mp4 => mp4::decode(bytes, limits),
    }
}

/// The container, by magic bytes: EBML's `1A 45 DF A3`, or an `ftyp` box at offset 4.
fn sniff(bytes: &[u8]) -> Result<Container, UploadError> {
    if bytes.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
        Ok(Container::WebM)
    } else if bytes.get(4..8) == Some(b"ftyp") {
        Ok(Container::Mp4)
    } else {
        let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Err(UploadError::UnsupportedFormat(format!(
            "not WebM or MP4 (starts with {})",
            if head.is_empty() {
                "nothing".to_string()
            } else {
                head.join(" ")
            }
        )))
    }
}

/// Checks a coded picture size against [`MAX_DECODE_SIDE`] and [`MAX_DECODE_PIXELS`]; `what`
/// says where the size came from.
pub(crate) fn check_coded_size(width: u64, height: u64, what: &str) -> Result<(), UploadError> {
    if width == 0 || height == 0 {
        return Err(UploadError::Corrupt(format!("{what}: empty picture {width}×{height}")));
    }
    if width > MAX_DECODE_SIDE as u64 || height > MAX_DECODE_SIDE as u64 || width * height > MAX_DECODE_PIXELS {
        return Err(UploadError::TooLarge(format!(
            "{what}: {width}×{height} is over {MAX_DECODE_SIDE} px a side or {MAX_DECODE_PIXELS} px"
        )));
    }
    Ok(())
}
