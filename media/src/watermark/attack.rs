//! The attacks the watermark is measured against, for `tests/watermark.rs`,
//! `benches/watermark.rs` and robustness tools: re-encoding through media's own H.264
//! (OpenH264 → MP4 → our upload decoder) and VP8 (libvpx) paths at a chosen bitrate, area
//! resizing, cropping and a Gaussian blur standing in for a screen capture. Not used on the
//! serving path.

use super::testkit::{Clip, CLIP_FPS};
use crate::frame::rgb_to_i420;
use crate::mp4::encode_mp4_unscaled;
use crate::upload::{decode_upload, DecodeLimits};
use crate::vp8::Vp8Decoder;
use crate::vpx::{VpxEncoder, VpxEncoderConfig};

/// Re-encodes a square, even-sided clip as H.264 at `bitrate_bps` (OpenH264, MP4) and decodes
/// it back with the upload decoder, every frame kept.
pub fn h264(clip: &Clip, bitrate_bps: u32) -> Result<Clip, String> {
    if clip.width != clip.height || clip.width % 2 == 1 {
        return Err(format!(
            "h264 attack needs a square even clip, not {}×{}",
            clip.width, clip.height
        ));
    }
    let rgb: Vec<u8> = clip.frames.concat();
    let video = encode_mp4_unscaled(&rgb, clip.width, CLIP_FPS, bitrate_bps).map_err(|e| e.to_string())?;
    let limits = DecodeLimits {
        sample_fps: CLIP_FPS as f64,
        max_side: clip.width as u32,
        max_duration_s: clip.frames.len() as f64 / CLIP_FPS as f64 + 1.0,
        ..DecodeLimits::default()
    };
    let decoded = decode_upload(&video.mp4, &limits).map_err(|e| e.to_string())?;
    Ok(Clip {
        width: decoded.width as usize,
        height: decoded.height as usize,
        frames: decoded.frames.into_iter().map(|f| f.rgb).collect(),
    })
}

/// Re-encodes an even-sided clip as VP8 at `bitrate_kbps` (libvpx realtime, as live) and
/// decodes it back.
pub fn vp8(clip: &Clip, bitrate_kbps: u32) -> Result<Clip, String> {
    let mut enc = VpxEncoder::new(VpxEncoderConfig {
        width: clip.width as u32,
        height: clip.height as u32,
        fps: CLIP_FPS,
        bitrate_kbps,
        keyframe_max_dist: 2 * CLIP_FPS,
        cpu_used: 8,
    })
    .map_err(|e| e.to_string())?;
    let mut dec = Vp8Decoder::new().map_err(|e| e.to_string())?;
    let mut yuv = Vec::new();
    let mut frames = Vec::new();
    for (pts, frame) in clip.frames.iter().enumerate() {
        rgb_to_i420(frame, clip.width, clip.height, &mut yuv);
        let (data, _) = enc.encode(&yuv, pts as i64, false).map_err(|e| e.to_string())?;
        if data.is_empty() {
            continue;
        }
        for (w, h, rgb) in dec.decode(&data).map_err(|e| e.to_string())? {
            if (w, h) == (clip.width, clip.height) {
                frames.push(rgb);
            }
        }
    }
    Ok(Clip {
        width: clip.width,
        height: clip.height,
        frames,
    })
}

/// Area weights of a 1-D resize from `from` to `to` samples: each output sample averages the
/// input interval it covers (a box filter; an upscale degenerates to linear-ish sampling).
fn weights(from: usize, to: usize) -> Vec<Vec<(usize, f64)>> {
    let ratio = from as f64 / to as f64;
    (0..to)
        .map(|i| {
            let (a, b) = (i as f64 * ratio, ((i + 1) as f64 * ratio).min(from as f64));
            let mut w = Vec::new();
            let mut j = a.floor() as usize;
            while (j as f64) < b && j < from {
                let overlap = (b.min(j as f64 + 1.0) - a.max(j as f64)).max(0.0);
                if overlap > 0.0 {
                    w.push((j, overlap / (b - a)));
                }
                j += 1;
            }
            w
        })
        .collect()
}

/// Resizes every frame to `width × height` (area average).
pub fn resize(clip: &Clip, width: usize, height: usize) -> Clip {
    let (wx, wy) = (weights(clip.width, width), weights(clip.height, height));
    let frames = clip
        .frames
        .iter()
        .map(|f| {
            let mut rows = vec![0f64; clip.height * width * 3];
            for y in 0..clip.height {
                for (x, ws) in wx.iter().enumerate() {
                    for c in 0..3 {
                        rows[(y * width + x) * 3 + c] = ws
                            .iter()
                            .map(|&(j, w)| w * f[(y * clip.width + j) * 3 + c] as f64)
                            .sum();
                    }
                }
            }
            let mut out = Vec::with_capacity(width * height * 3);
            for ws in &wy {
                for x in 0..width * 3 {
                    let v: f64 = ws.iter().map(|&(j, w)| w * rows[j * width * 3 + x]).sum();
                    out.push(v.round().clamp(0.0, 255.0) as u8);
                }
            }
            out
        })
        .collect();
    Clip { width, height, frames }
}

/// Keeps the `width × height` window at `(left, top)` (clamped to the frame).
pub fn crop(clip: &Clip, left: usize, top: usize, width: usize, height: usize) -> Clip {
    let (left, top) = (left.min(clip.width), top.min(clip.height));
    let (width, height) = (width.min(clip.width - left), height.min(clip.height - top));
    let frames = clip
        .frames
        .iter()
        .map(|f| {
            (top..top + height)
                .flat_map(|y| &f[(y * clip.width + left) * 3..(y * clip.width + left + width) * 3])
                .copied()
                .collect()
        })
        .collect();
    Clip { width, height, frames }
}

/// Separable Gaussian blur of standard deviation `sigma` pixels (edges clamped).
pub fn blur(clip: &Clip, sigma: f64) -> Clip {
    let radius = (3.0 * sigma).ceil() as i64;
    let kernel: Vec<f64> = (-radius..=radius)
        .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
        .collect();
    let total: f64 = kernel.iter().sum();
    let (w, h) = (clip.width as i64, clip.height as i64);
    let frames = clip
        .frames
        .iter()
        .map(|f| {
            let mut tmp = vec![0f64; f.len()];
            for y in 0..h {
                for x in 0..w {
                    for c in 0..3 {
                        let v: f64 = (-radius..=radius)
                            .map(|i| {
                                kernel[(i + radius) as usize]
                                    * f[(((y * w) + (x + i).clamp(0, w - 1)) * 3 + c) as usize] as f64
                            })
                            .sum();
                        tmp[((y * w + x) * 3 + c) as usize] = v / total;
                    }
                }
            }
            let mut out = vec![0u8; f.len()];
            for y in 0..h {
                for x in 0..w {
                    for c in 0..3 {
                        let v: f64 = (-radius..=radius)
                            .map(|i| {
                                kernel[(i + radius) as usize]
                                    * tmp[((((y + i).clamp(0, h - 1)) * w + x) * 3 + c) as usize]
                            })
                            .sum();
                        out[((y * w + x) * 3 + c) as usize] = (v / total).round().clamp(0.0, 255.0) as u8;
                    }
                }
            }
            out
        })
        .collect();
    Clip {
        width: clip.width,
        height: clip.height,
        frames,
    }
}

/// PSNR (dB) of `marked` against `original` over all bytes; infinite when equal.
pub fn psnr(original: &[u8], marked: &[u8]) -> f64 {
    let n = original.len().min(marked.len()).max(1) as f64;
    let mse: f64 = original
        .iter()
        .zip(marked)
        .map(|(&a, &b)| (a as f64 - b as f64).powi(2))
        .sum::<f64>()
        / n;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
