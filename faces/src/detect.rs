//! Face detection on one frame: dlib's HOG detector at the frame's own size, and again on a
//! 2× enlarged copy when nothing is found there (HOG's window is 80 px, so faces below about
//! 64 px are only found after upscaling; the gates then report them as too small instead of
//! missing).

use crate::models::{FaceModels, FrameImage};
use crate::Frame;

/// Frames whose longest side is at most this are retried at 2× when no face is found
/// (bounds the cost: a 2× pass on a 480-px frame takes about 4× the native pass).
pub const MAX_UPSCALE_SIDE: u32 = 640;

/// Faces smaller than this (frame pixels) are analysed on a 2× copy by [`crate::face_landmarks`].
pub const UPSCALE_BELOW_SIDE: f32 = 80.0;

/// An axis-aligned face box in frame pixels (top-left corner and size).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaceBox {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl FaceBox {
    pub fn area(&self) -> f32 {
        self.w.max(0.0) * self.h.max(0.0)
    }

    pub fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }

    /// The longer side.
    pub fn side(&self) -> f32 {
        self.w.max(self.h)
    }

    /// Intersection over union.
    pub fn iou(&self, other: &FaceBox) -> f32 {
        let ix = (self.x + self.w).min(other.x + other.w) - self.x.max(other.x);
        let iy = (self.y + self.h).min(other.y + other.h) - self.y.max(other.y);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        inter / (self.area() + other.area() - inter)
    }
}

/// The faces found in one frame and the image they were found in.
pub(crate) struct Detection {
    pub(crate) image: FrameImage,
    pub(crate) faces: Vec<FaceBox>,
}

/// Detects faces in `frame`; `None` when the frame's buffer does not match its size.
pub(crate) fn detect(models: &FaceModels, frame: &Frame) -> Option<Detection> {
    let image = FrameImage::new(frame)?;
    let faces = models.faces(&image);
    if !faces.is_empty() || image.longest_side() > MAX_UPSCALE_SIDE {
        return Some(Detection { image, faces });
    }
    let image = image.upscaled(2);
    let faces = models.faces(&image);
    Some(Detection { image, faces })
}

/// The face boxes found in `frame` (empty when none, or when the buffer is malformed).
pub fn detect_faces(models: &FaceModels, frame: &Frame) -> Vec<FaceBox> {
    detect(models, frame).map(|d| d.faces).unwrap_or_default()
}
