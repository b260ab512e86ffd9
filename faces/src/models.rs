//! dlib's three models behind one struct: the HOG frontal-face detector (compiled into
//! libdlib), the 5-point landmarker and the 128-D ResNet embedder (files from PyPI
//! `face_recognition_models` 0.3.0). All coordinates leaving this module are in the original
//! frame's pixels, whatever scale the image was analysed at.

use std::path::Path;

use dlib_face_recognition::{
    FaceDetector, FaceDetectorTrait, FaceEncoderNetwork, FaceEncoderTrait, FaceLandmarks, ImageMatrix,
    LandmarkPredictor, LandmarkPredictorTrait, Rectangle,
};

use crate::{FaceBox, FaceError, Frame};

/// The 5-point landmark model (CC0), inside `face_recognition_models` 0.3.0.
pub const LANDMARKS_FILE: &str = "shape_predictor_5_face_landmarks.dat";
/// The ResNet-29 embedding model (CC0), inside `face_recognition_models` 0.3.0.
pub const EMBEDDER_FILE: &str = "dlib_face_recognition_resnet_model_v1.dat";

/// The loaded models. Loading takes about a second; load once and keep it on one thread
/// (the type is `Send`, not `Sync`: dlib's objects are not safe to share between threads).
pub struct FaceModels {
    detector: FaceDetector,
    landmarks: LandmarkPredictor,
    encoder: FaceEncoderNetwork,
}

impl std::fmt::Debug for FaceModels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FaceModels { dlib HOG detector, 5-point landmarks, ResNet embedder }")
    }
}

/// The five points in frame pixels: two corners of one eye, two of the other, the nose base.
pub(crate) type Landmarks5 = [(f32, f32); 5];

/// A frame converted to dlib's image type, possibly upscaled (`scale` > 1) so that small
/// faces reach the detector's 80-pixel window.
pub(crate) struct FrameImage {
    matrix: ImageMatrix,
    pub(crate) scale: f32,
    width: u32,
    height: u32,
}

impl FrameImage {
    /// The frame at its own size; `None` if its buffer does not match its size.
    pub(crate) fn new(frame: &Frame) -> Option<Self> {
        if !frame.is_valid() {
            return None;
        }
        let buffer = image::ImageBuffer::<image::Rgb<u8>, &[u8]>::from_raw(frame.width, frame.height, frame.rgb)?;
        Some(Self {
            matrix: ImageMatrix::from_image(&buffer),
            scale: 1.0,
            width: frame.width,
            height: frame.height,
        })
    }

    /// This image enlarged `factor` times (bilinear, dlib's `resize_image`).
    pub(crate) fn upscaled(&self, factor: u32) -> Self {
        let (w, h) = (self.width * factor, self.height * factor);
        Self {
            matrix: self.matrix.resize(w as usize, h as usize),
            scale: self.scale * factor as f32,
            width: w,
            height: h,
        }
    }

    /// Longest side of the analysed image, in its own pixels.
    pub(crate) fn longest_side(&self) -> u32 {
        self.width.max(self.height)
    }

    fn rect(&self, face: &FaceBox) -> Rectangle {
        let s = self.scale;
        Rectangle {
            left: (face.x * s).round() as _,
            top: (face.y * s).round() as _,
            right: ((face.x + face.w) * s).round() as _,
            bottom: ((face.y + face.h) * s).round() as _,
        }
    }
}

impl FaceModels {
    /// Loads [`LANDMARKS_FILE`] and [`EMBEDDER_FILE`] from `dir` (see `default_model_dir`).
    pub fn load(dir: &Path) -> Result<Self, FaceError> {
        let open = |name: &str| {
            let path = dir.join(name);
            if path.is_file() {
                Ok(path)
            } else {
                Err(FaceError::Missing { path })
            }
        };
        let lm_path = open(LANDMARKS_FILE)?;
        let enc_path = open(EMBEDDER_FILE)?;
        let landmarks = LandmarkPredictor::open(&lm_path).map_err(|message| FaceError::Load {
            path: lm_path.clone(),
            message,
        })?;
        let encoder = FaceEncoderNetwork::open(&enc_path).map_err(|message| FaceError::Load {
            path: enc_path.clone(),
            message,
        })?;
        Ok(Self {
            detector: FaceDetector::new(),
            landmarks,
            encoder,
        })
    }

    /// Faces the HOG detector finds in `image`, in frame pixels.
    pub(crate) fn faces(&self, image: &FrameImage) -> Vec<FaceBox> {
        let s = image.scale;
        self.detector
            .face_locations(&image.matrix)
            .iter()
            .map(|r| FaceBox {
                x: r.left as f32 / s,
                y: r.top as f32 / s,
                w: (r.right - r.left) as f32 / s,
                h: (r.bottom - r.top) as f32 / s,
            })
            .filter(|b| b.w > 0.0 && b.h > 0.0)
            .collect()
    }

    fn predict(&self, image: &FrameImage, face: &FaceBox) -> Option<FaceLandmarks> {
        let shape = self.landmarks.face_landmarks(&image.matrix, &image.rect(face));
        (shape.len() == 5).then_some(shape)
    }

    /// The five landmarks of `face`, in frame pixels.
    pub(crate) fn landmarks(&self, image: &FrameImage, face: &FaceBox) -> Option<Landmarks5> {
        let shape = self.predict(image, face)?;
        let s = image.scale;
        let mut points = [(0.0, 0.0); 5];
        for (out, p) in points.iter_mut().zip(shape.iter()) {
            *out = (p.x() as f32 / s, p.y() as f32 / s);
        }
        Some(points)
    }

    /// The 128-D embedding of `face` (aligned 150×150 chip from the 5 landmarks, no jitter).
    pub(crate) fn embed(&self, image: &FrameImage, face: &FaceBox) -> Option<[f32; 128]> {
        let shape = self.predict(image, face)?;
        let encodings = self
            .encoder
            .get_face_encodings(&image.matrix, std::slice::from_ref(&shape), 0);
        let values = encodings.first()?.as_ref();
        if values.len() != 128 {
            return None;
        }
        let mut out = [0.0f32; 128];
        for (o, v) in out.iter_mut().zip(values) {
            *o = *v as f32;
        }
        Some(out)
    }
}
