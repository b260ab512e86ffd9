//! Synthesized selfie videos from one still photo, for this crate's tests and for the browser
//! end-to-end test (written as `.y4m` for Chromium's fake camera).
//!
//! Each frame places the photo's face in a selfie framing, turns the head with a depth warp
//! (`warp`: the nose moves further than the eyes, the far cheek is foreshortened), and adds a
//! little hand-held motion (slow translation and scale drift) to every frame, turns or not.
//! A [`SynthOptions::still`] video keeps that motion but never turns: a photo held in front of
//! the camera, which must fail the challenge.

mod warp;
mod y4m;

use std::path::Path;

pub use y4m::write_y4m;

use crate::image_ops::sample;
use crate::{default_model_dir, FaceBox, FaceError};
use warp::HeadWarp;

/// A head pose of the synthesized person (Left/Right: the person's own, as [`crate::Turn`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pose {
    Center,
    Left,
    Right,
}

/// Yaw of the [`Pose::Left`] / [`Pose::Right`] poses, in degrees.
pub const TURN_DEGREES: f32 = 35.0;
/// Time to move from one pose to the next (a smoothstep), capped at half the segment.
pub const TRANSITION_SECONDS: f32 = 0.5;
/// Face box height as a fraction of the frame height (a selfie at arm's length) …
const FACE_HEIGHT_FRACTION: f32 = 0.40;
/// … but at most this fraction of its slot's width (two faces share the frame side by side).
const FACE_WIDTH_FRACTION: f32 = 0.45;
/// Height of the face centre, as a fraction of the frame height.
const FACE_CENTRE_Y: f32 = 0.45;

/// The packaged public-domain face photo (scikit-image's `astronaut.png`, NASA).
pub const TEST_PHOTO_FILE: &str = "astronaut.png";
/// The packaged face-less photo (scikit-image's `coffee.png`, CC0).
pub const FACELESS_PHOTO_FILE: &str = "coffee.png";
/// dlib's HOG box of the face in [`TEST_PHOTO_FILE`] (checked by a test).
pub const TEST_PHOTO_FACE: FaceBox = FaceBox {
    x: 179.0,
    y: 83.0,
    w: 87.0,
    h: 87.0,
};

/// How to synthesize a video.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SynthOptions {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// 1, or 2 for a second person beside the first (who looks ahead and does not turn).
    pub faces: u32,
    /// Multiplies every pixel: 1.0 normal, 0.15 a dark room.
    pub brightness: f32,
    /// A photo held still: the hand-held motion, but no turns whatever `poses` says.
    pub still: bool,
}

impl Default for SynthOptions {
    /// 480×360 at 5 fps (what the server samples), one face, normal light, turning.
    fn default() -> Self {
        Self {
            width: 480,
            height: 360,
            fps: 5,
            faces: 1,
            brightness: 1.0,
            still: false,
        }
    }
}

/// An RGB8 photo and where its face is.
#[derive(Clone)]
pub struct Photo {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
    /// The face box the synthesized head turns about (for a face-less photo: any region).
    pub face: FaceBox,
}

impl std::fmt::Debug for Photo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photo")
            .field("width", &self.width)
            .field("height", &self.height)
            .field("face", &self.face)
            .finish()
    }
}

/// Decodes a PNG to RGB8: (width, height, pixels).
pub fn load_rgb(path: &Path) -> Result<(u32, u32, Vec<u8>), FaceError> {
    let bytes = std::fs::read(path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => FaceError::Missing { path: path.into() },
        _ => FaceError::Io {
            path: path.into(),
            source,
        },
    })?;
    let image = image::load_from_memory(&bytes).map_err(|e| FaceError::Load {
        path: path.into(),
        message: e.to_string(),
    })?;
    let rgb = image.to_rgb8();
    Ok((rgb.width(), rgb.height(), rgb.into_raw()))
}

/// [`TEST_PHOTO_FILE`] from [`default_model_dir`] (fetched by `make face-models`).
pub fn load_test_photo() -> Result<Photo, FaceError> {
    let (width, height, rgb) = load_rgb(&default_model_dir().join(TEST_PHOTO_FILE))?;
    Ok(Photo {
        width,
        height,
        rgb,
        face: TEST_PHOTO_FACE,
    })
}

/// [`FACELESS_PHOTO_FILE`], with a "face" box of the test photo's size at its centre.
pub fn load_faceless_photo() -> Result<Photo, FaceError> {
    let (width, height, rgb) = load_rgb(&default_model_dir().join(FACELESS_PHOTO_FILE))?;
    let (w, h) = (TEST_PHOTO_FACE.w, TEST_PHOTO_FACE.h);
    let face = FaceBox {
        x: (width as f32 - w) / 2.0,
        y: (height as f32 - h) / 2.0,
        w,
        h,
    };
    Ok(Photo {
        width,
        height,
        rgb,
        face,
    })
}

fn degrees(pose: Pose) -> f32 {
    match pose {
        Pose::Center => 0.0,
        Pose::Left => TURN_DEGREES,
        Pose::Right => -TURN_DEGREES,
    }
}

/// The head's yaw in degrees at `t` seconds into `poses` (positive = the person's left).
pub fn yaw_at(poses: &[(Pose, f32)], t: f32) -> f32 {
    let mut start = 0.0;
    let mut previous = 0.0;
    for &(pose, seconds) in poses {
        let target = degrees(pose);
        if t < start + seconds {
            let ramp = TRANSITION_SECONDS.min(seconds / 2.0);
            let x = if ramp > 0.0 {
                ((t - start) / ramp).clamp(0.0, 1.0)
            } else {
                1.0
            };
            return previous + (target - previous) * x * x * (3.0 - 2.0 * x);
        }
        start += seconds;
        previous = target;
    }
    previous
}

/// One frame: every face of `opts` at `yaw_degrees` (the second face looks ahead), with the
/// hand-held motion of time `t` seconds.
pub fn render(photo: &Photo, yaw_degrees: f32, t: f32, opts: &SynthOptions) -> Vec<u8> {
    let (w, h) = (opts.width as usize, opts.height as usize);
    let mut out = vec![0u8; w * h * 3];
    let slots = opts.faces.clamp(1, 2) as usize;
    let slot_w = w / slots;
    let (pcx, pcy) = photo.face.centre();
    let tau = std::f32::consts::TAU;
    for slot in 0..slots {
        let k = slot as f32;
        let hf = h as f32;
        let dx = hf * (0.012 * (tau * 0.31 * t + 1.3 * k).sin() + 0.005 * (tau * 1.7 * t + 0.4 * k).sin());
        let dy = hf * (0.008 * (tau * 0.23 * t + 2.1 * k + 0.5).sin() + 0.004 * (tau * 1.3 * t + k).sin());
        let zoom = 1.0 + 0.02 * (tau * 0.17 * t + 0.9 * k).sin();
        let face_px = (FACE_HEIGHT_FRACTION * hf).min(FACE_WIDTH_FRACTION * slot_w as f32) * zoom;
        let scale = face_px / photo.face.h;
        let x0 = slot * slot_w;
        let fcx = (x0 + slot_w / 2) as f32 + dx;
        let fcy = FACE_CENTRE_Y * hf + dy;
        let yaw = if slot == 0 && !opts.still {
            yaw_degrees.to_radians()
        } else {
            0.0
        };
        let warp = HeadWarp {
            face_w: photo.face.w,
            face_h: photo.face.h,
            yaw,
        };
        let first = (x0 as f32 + 0.5 - fcx) / scale;
        for y in 0..h {
            let v = (y as f32 + 0.5 - fcy) / scale;
            let us = warp.invert_row(v, first, 1.0 / scale, slot_w);
            for (j, u) in us.iter().enumerate() {
                let p = sample(&photo.rgb, photo.width, photo.height, pcx + u, pcy + v);
                let o = (y * w + x0 + j) * 3;
                for c in 0..3 {
                    out[o + c] = (p[c] * opts.brightness).round().clamp(0.0, 255.0) as u8;
                }
            }
        }
    }
    out
}

/// The frames of a challenge video: `poses` as (pose, seconds) segments, `opts.fps` frames per
/// second (each RGB8, `opts.width × opts.height`), rendered lazily.
pub fn challenge_frames<'a>(
    photo: &'a Photo,
    poses: &[(Pose, f32)],
    opts: &SynthOptions,
) -> impl Iterator<Item = Vec<u8>> + 'a {
    let poses = poses.to_vec();
    let opts = *opts;
    let fps = opts.fps.max(1) as f32;
    let total: f32 = poses.iter().map(|p| p.1.max(0.0)).sum();
    let count = (total * fps).round() as usize;
    (0..count).map(move |k| {
        let t = k as f32 / fps;
        render(photo, yaw_at(&poses, t), t, &opts)
    })
}

/// A box blur of radius `radius` (a (2r+1)² mean; edges repeat), e.g. an out-of-focus camera.
pub fn box_blur(rgb: &[u8], width: u32, height: u32, radius: u32) -> Vec<u8> {
    let (w, h, r) = (width as i64, height as i64, radius as i64);
    let pass = |src: &[u8], horizontal: bool| {
        let mut dst = vec![0u8; src.len()];
        for y in 0..h {
            for x in 0..w {
                let mut acc = [0u32; 3];
                for d in -r..=r {
                    let (sx, sy) = if horizontal {
                        ((x + d).clamp(0, w - 1), y)
                    } else {
                        (x, (y + d).clamp(0, h - 1))
                    };
                    let i = ((sy * w + sx) * 3) as usize;
                    for c in 0..3 {
                        acc[c] += src[i + c] as u32;
                    }
                }
                let o = ((y * w + x) * 3) as usize;
                for c in 0..3 {
                    dst[o + c] = (acc[c] as f32 / (2 * r + 1) as f32).round() as u8;
                }
            }
        }
        dst
    };
    pass(&pass(rgb, true), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaw_timeline_ramps_between_poses() {
        let poses = [(Pose::Center, 1.0), (Pose::Left, 2.0), (Pose::Right, 2.0)];
        assert_eq!(yaw_at(&poses, 0.5), 0.0);
        assert_eq!(yaw_at(&poses, 1.0), 0.0);
        assert!((yaw_at(&poses, 1.25) - TURN_DEGREES / 2.0).abs() < 1e-3);
        assert_eq!(yaw_at(&poses, 2.0), TURN_DEGREES);
        assert_eq!(yaw_at(&poses, 4.0), -TURN_DEGREES);
        assert_eq!(yaw_at(&poses, 9.0), -TURN_DEGREES);
    }

    #[test]
    fn blur_keeps_flat_images_and_sizes() {
        let flat = vec![77u8; 5 * 4 * 3];
        assert_eq!(box_blur(&flat, 5, 4, 2), flat);
    }
}
