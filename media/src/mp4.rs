//! RGB frames to a progressive (fast-start) H.264 MP4 that browsers play with range requests.

use openh264::encoder::{
    BitRate, Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, RateControlMode, UsageType,
};
use openh264::formats::{RgbSliceU8, YUVBuffer};
use openh264::OpenH264API;

use crate::frame::upscale;

/// Model frames are upscaled this many times (nearest neighbour) for display: 64 → 256 px.
pub const DISPLAY_SCALE: usize = 4;
/// Target bitrate of stored clips at 256×256.
pub const CLIP_BITRATE_BPS: u32 = 600_000;
/// A keyframe at least this often (frames), so seeking stays cheap.
pub const KEYFRAME_INTERVAL: u32 = 32;

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("no frames to encode")]
    Empty,
    #[error("frame data is {got} bytes, not a multiple of one {size}×{size} RGB frame")]
    BadFrames { got: usize, size: usize },
    #[error("h264 encoder: {0}")]
    Encoder(String),
    #[error("mp4 muxer: {0}")]
    Muxer(String),
    #[error("image encoder: {0}")]
    Image(String),
}

/// An encoded clip.
#[derive(Debug, Clone)]
pub struct ClipVideo {
    pub mp4: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub frames: u32,
    pub duration_s: f64,
}

/// Feed previews keep at most this many frames (3 s at 8 fps): a loop, not the clip.
pub const PREVIEW_MAX_FRAMES: usize = 24;
/// Feed previews are upscaled this many times (64 → 128 px): small enough to autoplay many.
pub const PREVIEW_SCALE: usize = 2;
/// Target bitrate of feed previews at 128×128.
pub const PREVIEW_BITRATE_BPS: u32 = 150_000;

/// Checks that `rgb` holds whole `size × size` RGB frames; returns the bytes per frame.
pub(crate) fn frame_bytes(rgb: &[u8], size: usize) -> Result<usize, MediaError> {
    let per = size * size * 3;
    if rgb.is_empty() {
        return Err(MediaError::Empty);
    }
    if per == 0 || !rgb.len().is_multiple_of(per) {
        return Err(MediaError::BadFrames { got: rgb.len(), size });
    }
    Ok(per)
}

/// Encodes `rgb` (frame-major `size × size` RGB frames) at `fps` into an MP4, upscaled by
/// [`DISPLAY_SCALE`].
pub fn encode_mp4(rgb: &[u8], size: usize, fps: u32) -> Result<ClipVideo, MediaError> {
    encode_scaled(rgb, size, fps, DISPLAY_SCALE, CLIP_BITRATE_BPS, &crate::NoMark)
}

/// [`encode_mp4`] with every upscaled frame passed through `mark` first (the invisible
/// watermark of a finished clip).
pub fn encode_mp4_marked(
    rgb: &[u8],
    size: usize,
    fps: u32,
    mark: &dyn crate::FrameMark,
) -> Result<ClipVideo, MediaError> {
    encode_scaled(rgb, size, fps, DISPLAY_SCALE, CLIP_BITRATE_BPS, mark)
}

/// Square RGB frames as an H.264 MP4 at their own size (tools and tests: an uploaded
/// recording stand-in).
pub fn encode_mp4_unscaled(rgb: &[u8], size: usize, fps: u32, bitrate: u32) -> Result<ClipVideo, MediaError> {
    encode_scaled(rgb, size, fps, 1, bitrate, &crate::NoMark)
}

/// The feed preview of a clip: its first [`PREVIEW_MAX_FRAMES`] frames at [`PREVIEW_SCALE`].
pub fn encode_preview(rgb: &[u8], size: usize, fps: u32) -> Result<ClipVideo, MediaError> {
    encode_preview_marked(rgb, size, fps, &crate::NoMark)
}

/// [`encode_preview`] with each frame passed through `mark`. Previews always carry the
/// "AI-generated" label in their pixels (feed cards autoplay them out of any context).
pub fn encode_preview_marked(
    rgb: &[u8],
    size: usize,
    fps: u32,
    mark: &dyn crate::FrameMark,
) -> Result<ClipVideo, MediaError> {
    let per = frame_bytes(rgb, size)?;
    let end = rgb.len().min(per * PREVIEW_MAX_FRAMES);
    encode_scaled(
        &rgb[..end],
        size,
        fps,
        PREVIEW_SCALE,
        PREVIEW_BITRATE_BPS,
        &crate::label::AiLabel(mark),
    )
}

fn encode_scaled(
    rgb: &[u8],
    size: usize,
    fps: u32,
    scale: usize,
    bitrate: u32,
    mark: &dyn crate::FrameMark,
) -> Result<ClipVideo, MediaError> {
    let per = frame_bytes(rgb, size)?;
    let side = size * scale;
    let config = EncoderConfig::new()
        .bitrate(BitRate::from_bps(bitrate))
        .max_frame_rate(FrameRate::from_hz(fps as f32))
        .usage_type(UsageType::CameraVideoRealTime)
        .rate_control_mode(RateControlMode::Bitrate)
        .intra_frame_period(IntraFramePeriod::from_num_frames(KEYFRAME_INTERVAL));
    let mut encoder =
        Encoder::with_api_config(OpenH264API::from_source(), config).map_err(|e| MediaError::Encoder(e.to_string()))?;
    let mut out = Vec::new();
    let mut muxer = muxide::api::MuxerBuilder::new(&mut out)
        .video(muxide::api::VideoCodec::H264, side as u32, side as u32, fps as f64)
        .with_fast_start(true)
        .build()
        .map_err(|e| MediaError::Muxer(e.to_string()))?;
    let frames = rgb.len() / per;
    for (i, frame) in rgb.chunks_exact(per).enumerate() {
        let mut big = upscale(frame, size, scale);
        mark.mark(&mut big, side, side, i as u64);
        let yuv = YUVBuffer::from_rgb_source(RgbSliceU8::new(&big, (side, side)));
        let bitstream = encoder.encode(&yuv).map_err(|e| MediaError::Encoder(e.to_string()))?;
        let key = matches!(bitstream.frame_type(), FrameType::IDR | FrameType::I);
        let annex_b = bitstream.to_vec();
        if annex_b.is_empty() {
            continue; // the encoder skipped this frame (rate control)
        }
        muxer
            .write_video(i as f64 / fps as f64, &annex_b, key)
            .map_err(|e| MediaError::Muxer(e.to_string()))?;
    }
    muxer.finish().map_err(|e| MediaError::Muxer(e.to_string()))?;
    Ok(ClipVideo {
        mp4: out,
        width: side as u32,
        height: side as u32,
        frames: frames as u32,
        duration_s: frames as f64 / fps as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(n: usize, size: usize) -> Vec<u8> {
        (0..n * size * size)
            .flat_map(|i| [(i % 251) as u8, (i / size % 200) as u8, 90])
            .collect()
    }

    #[test]
    fn encodes_a_fast_start_mp4() {
        let clip = encode_mp4(&frames(16, 64), 64, 8).expect("encode");
        assert_eq!((clip.width, clip.height, clip.frames), (256, 256, 16));
        assert_eq!(clip.duration_s, 2.0);
        assert_eq!(&clip.mp4[4..8], b"ftyp");
        let moov = clip.mp4.windows(4).position(|w| w == b"moov").expect("moov");
        let mdat = clip.mp4.windows(4).position(|w| w == b"mdat").expect("mdat");
        assert!(moov < mdat, "fast start: the index comes before the media");
        assert!(clip.mp4.windows(4).any(|w| w == b"avc1"), "an H.264 track");
    }

    #[test]
    fn previews_are_short_and_small() {
        let preview = encode_preview(&frames(40, 64), 64, 8).expect("encode");
        let clip = encode_mp4(&frames(40, 64), 64, 8).expect("encode");
        assert_eq!((preview.width, preview.frames), (128, PREVIEW_MAX_FRAMES as u32));
        assert!(
            preview.mp4.len() * 2 < clip.mp4.len(),
            "{} vs {}",
            preview.mp4.len(),
            clip.mp4.len()
        );
        let short = encode_preview(&frames(5, 64), 64, 8).expect("encode");
        assert_eq!(short.frames, 5);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(matches!(encode_preview(&[], 64, 8), Err(MediaError::Empty)));
        assert!(matches!(encode_mp4(&[], 64, 8), Err(MediaError::Empty)));
        assert!(matches!(encode_mp4(&[0; 10], 64, 8), Err(MediaError::BadFrames { .. })));
    }
}
