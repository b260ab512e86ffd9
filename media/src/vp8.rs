//! Live VP8 (libvpx): one encoder per room, realtime deadline, one thread, no lag, a keyframe
//! on demand; and a decoder for tests and tools. Blocking: callers own a dedicated thread.

use crate::frame::{i420_to_rgb, rgb_to_i420};
use crate::mp4::MediaError;
use crate::vpx::{VpxDecoder, VpxEncoder, VpxEncoderConfig, VpxError};

/// Target bitrate of the live stream at 256×256.
pub const LIVE_BITRATE_KBPS: u32 = 600;
/// A keyframe at least this often, in seconds, so viewers recover from loss on their own.
pub const LIVE_KEYFRAME_SECONDS: u32 = 2;
/// libvpx speed for VP8 realtime (higher = faster, coarser).
const CPU_USED: i32 = 8;

/// One encoded frame.
#[derive(Debug, Clone)]
pub struct EncodedFrame {
    pub data: Vec<u8>,
    pub keyframe: bool,
}

/// RGB frames of one size in, VP8 frames out.
#[derive(Debug)]
pub struct Vp8Encoder {
    encoder: VpxEncoder,
    width: usize,
    height: usize,
    pts: i64,
    yuv: Vec<u8>,
}

impl From<VpxError> for MediaError {
    fn from(e: VpxError) -> Self {
        MediaError::Encoder(e.to_string())
    }
}

impl Vp8Encoder {
    /// An encoder for `width × height` (even) RGB frames at `fps`.
    pub fn new(width: u32, height: u32, fps: u32) -> Result<Self, MediaError> {
        if width == 0 || height == 0 || width % 2 == 1 || height % 2 == 1 || fps == 0 {
            return Err(MediaError::Encoder(format!(
                "vp8: bad size {width}×{height} at {fps} fps"
            )));
        }
        let encoder = VpxEncoder::new(VpxEncoderConfig {
            width,
            height,
            fps,
            bitrate_kbps: LIVE_BITRATE_KBPS,
            keyframe_max_dist: fps * LIVE_KEYFRAME_SECONDS,
            cpu_used: CPU_USED,
        })?;
        Ok(Self {
            encoder,
            width: width as usize,
            height: height as usize,
            pts: 0,
            yuv: Vec::new(),
        })
    }

    /// Encodes one RGB frame; `keyframe` forces an intra frame (a new viewer, a PLI).
    pub fn encode(&mut self, rgb: &[u8], keyframe: bool) -> Result<EncodedFrame, MediaError> {
        if rgb.len() != self.width * self.height * 3 {
            return Err(MediaError::BadFrames {
                got: rgb.len(),
                size: self.width,
            });
        }
        rgb_to_i420(rgb, self.width, self.height, &mut self.yuv);
        let (data, keyframe) = self.encoder.encode(&self.yuv, self.pts, keyframe)?;
        self.pts += 1;
        Ok(EncodedFrame { data, keyframe })
    }
}

/// VP8 frames in, RGB out (tests, tools).
#[derive(Debug)]
pub struct Vp8Decoder {
    decoder: VpxDecoder,
}

impl Vp8Decoder {
    pub fn new() -> Result<Self, MediaError> {
        Ok(Self {
            decoder: VpxDecoder::new()?,
        })
    }

    /// Decodes one frame: `(width, height, rgb)` of each picture it yields.
    pub fn decode(&mut self, data: &[u8]) -> Result<Vec<(usize, usize, Vec<u8>)>, MediaError> {
        Ok(self
            .decoder
            .decode(data)?
            .into_iter()
            .map(|p| {
                let [(y, ys), (u, us), (v, vs)] = &p.planes;
                let rgb = i420_to_rgb([(y, *ys), (u, *us), (v, *vs)], p.width, p.height);
                (p.width, p.height, rgb)
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(w: usize, h: usize, rgb: [u8; 3]) -> Vec<u8> {
        (0..w * h).flat_map(|_| rgb).collect()
    }

    #[test]
    fn frames_round_trip_through_vp8() {
        let mut enc = Vp8Encoder::new(64, 64, 8).expect("encoder");
        let mut dec = Vp8Decoder::new().expect("decoder");
        for (i, colour) in [[220u8, 30, 30], [30, 30, 220], [30, 200, 30]].into_iter().enumerate() {
            let frame = enc.encode(&solid(64, 64, colour), false).expect("encode");
            assert!(!frame.data.is_empty());
            assert_eq!(frame.keyframe, i == 0, "only the first frame is a keyframe");
            let pictures = dec.decode(&frame.data).expect("decode");
            assert_eq!(pictures.len(), 1);
            let (w, h, rgb) = &pictures[0];
            assert_eq!((*w, *h), (64, 64));
            let centre = &rgb[(32 * 64 + 32) * 3..(32 * 64 + 32) * 3 + 3];
            for c in 0..3 {
                assert!(
                    (centre[c] as i32 - colour[c] as i32).abs() < 40,
                    "{centre:?} vs {colour:?}"
                );
            }
        }
    }

    #[test]
    fn a_keyframe_can_be_forced() {
        let mut enc = Vp8Encoder::new(32, 32, 8).expect("encoder");
        let frame = solid(32, 32, [10, 20, 30]);
        assert!(enc.encode(&frame, false).expect("encode").keyframe);
        assert!(!enc.encode(&frame, false).expect("encode").keyframe);
        assert!(enc.encode(&frame, true).expect("encode").keyframe);
    }

    #[test]
    fn bad_sizes_are_errors() {
        assert!(Vp8Encoder::new(33, 32, 8).is_err());
        let mut enc = Vp8Encoder::new(32, 32, 8).expect("encoder");
        assert!(matches!(enc.encode(&[0; 5], false), Err(MediaError::BadFrames { .. })));
    }
}
