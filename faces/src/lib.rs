//! Avatar enrolment from a short selfie video: is there exactly one real, moving person who
//! followed the head-turn challenge, in light and focus good enough to build an avatar from?
//!
//! Everything runs on the CPU with dlib 19.24 (Debian's `libdlib-dev`: the HOG face detector is
//! compiled into it) and two CC0 model files from PyPI `face_recognition_models` 0.3.0: the
//! 5-point landmarker and the 128-D ResNet embedder (`make face-models`; faces/data/README.md).
//!
//! [`enroll`] runs, each stage in its own module:
//! detection on every sampled frame ([`detect`]) → single-target tracking (`track`: a second
//! face → [`Rejection::TwoFaces`], too few faces → [`Rejection::NoFace`]) → 5-point landmarks and
//! a yaw proxy per frame (`pose`) → quality gates on the frontal frames (`quality`: size, light,
//! focus) → the challenge check (`pose`: the expected turns, in order) → crops, reference and
//! mean embedding (`outputs`).
//!
//! Directions: a [`Turn`] is the person's own left or right. The frames are the camera's
//! un-mirrored image (what `getUserMedia` delivers; previews are mirrored only by CSS), so a
//! person turning to their left moves their nose toward the image's right.

use std::path::{Path, PathBuf};

pub mod detect;
mod enroll;
mod image_ops;
mod models;
mod outputs;
mod pose;
mod quality;
pub mod synth;
mod track;

pub use detect::{detect_faces, FaceBox};
pub use enroll::{analyse, enroll, Analysis, DARK_FRAME_LUMA, MAX_EMBEDDED_FRAMES, MIN_SAMPLE_INTERVAL_MS};
pub use models::{FaceModels, EMBEDDER_FILE, LANDMARKS_FILE};
pub use pose::{yaw_proxy, CENTRE_YAW, TURN_ENTER_YAW, TURN_EXIT_YAW, TURN_MIN_SAMPLES};
pub use quality::{measure as measure_face, FaceQuality, MIN_FACE_BLUR_SCORE, MIN_FACE_LUMA, MIN_FACE_SIDE};
pub use track::{MIN_FACE_FRACTION, TWO_FACES_FRACTION};

/// Side of [`Enrolment::reference`], the square RGB head-and-shoulders crop the video model
/// takes (the same value as `world::REF_SIZE`; this crate does not depend on `world`).
pub const REFERENCE_SIZE: usize = 32;

/// Side of each PNG in [`Enrolment::crops`].
pub const CROP_SIZE: u32 = 128;

/// Two dlib embeddings closer than this (L2) are taken as the same person.
///
/// dlib's own rule is 0.6 (99.38 % on LFW). We use 0.5: a consent check must fail closed, and
/// the research measurements (avatars.md §2.4) found *different* people at
/// 0.44–0.68 on low-quality faces, while the same face under flips, darkening and down to 48 px
/// stays below 0.21. Our enrolment averages good frontal frames behind quality gates, so the
/// same-person side keeps a wide margin at 0.5.
pub const SAME_PERSON_DISTANCE: f32 = 0.5;

/// One decoded video frame: RGB8, row-major, no padding (`rgb.len() == width * height * 3`).
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    /// Presentation time in milliseconds from the start of the recording.
    pub t_ms: u32,
    pub width: u32,
    pub height: u32,
    pub rgb: &'a [u8],
}

impl std::fmt::Debug for Frame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Frame")
            .field("t_ms", &self.t_ms)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("rgb_len", &self.rgb.len())
            .finish()
    }
}

impl Frame<'_> {
    /// Whether `rgb` holds exactly `width × height` RGB pixels (frames that do not are skipped).
    pub fn is_valid(&self) -> bool {
        self.width > 0
            && self.height > 0
            && (self.width as usize)
                .checked_mul(self.height as usize)
                .and_then(|n| n.checked_mul(3))
                == Some(self.rgb.len())
    }
}

/// A head turn, named from the person's point of view (see the crate docs for the image side).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    Left,
    Right,
}

/// What a successful enrolment produces.
#[derive(Clone, Debug)]
pub struct Enrolment {
    /// [`REFERENCE_SIZE`]² RGB8 head-and-shoulders crop of the best frontal frame.
    pub reference: Vec<u8>,
    /// 3–5 PNG-encoded [`CROP_SIZE`]² face crops: the best frontal frame, then the most turned
    /// frame of each turn, in order (at most 4 turns).
    pub crops: Vec<Vec<u8>>,
    /// Mean dlib embedding over the good frontal frames.
    pub embedding: [f32; 128],
    /// Frames sampled (after thinning to at most one per 150 ms).
    pub frames: u32,
    /// Sampled frames in which the tracked face was found.
    pub frames_with_face: u32,
    /// Turns seen, in order (repeats of the same turn merged).
    pub turns: Vec<Turn>,
    /// `(t_ms, yaw proxy)` for each sampled frame with the tracked face (see [`yaw_proxy`]).
    pub yaw: Vec<(u32, f32)>,
}

/// Why an enrolment was refused; each is decided from measurements on the frames.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Rejection {
    #[error("no face was found in enough of the video")]
    NoFace,
    #[error("more than one face is in the video")]
    TwoFaces,
    #[error("the face is too small: move closer to the camera")]
    FaceTooSmall,
    #[error("the face is too dark: add light in front of you")]
    TooDark,
    #[error("the face is blurred: hold the camera still and clean the lens")]
    TooBlurry,
    #[error("the head turns did not follow the challenge (expected {expected:?}, saw {seen:?})")]
    ChallengeNotFollowed { expected: Vec<Turn>, seen: Vec<Turn> },
}

/// Errors loading models or the packaged test photos.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    #[error("model file {path} is missing: run `make face-models` or set REELROOM_FACE_MODELS")]
    Missing { path: PathBuf },
    #[error("cannot load {path}: {message}")]
    Load { path: PathBuf, message: String },
    #[error("cannot read {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Where the model files are: `$REELROOM_FACE_MODELS`, else `$HOME/.cache/reelroom/face-models`
/// (where `make face-models` puts them).
pub fn default_model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("REELROOM_FACE_MODELS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| ".".into());
    Path::new(&home).join(".cache/reelroom/face-models")
}

/// The dlib embedding of the largest face in `frame`, if a face is found.
pub fn embed_face(models: &FaceModels, frame: &Frame) -> Option<[f32; 128]> {
    let found = detect::detect(models, frame)?;
    let largest = found.faces.iter().max_by(|a, b| a.area().total_cmp(&b.area()))?;
    models.embed(&found.image, largest)
}

/// The five dlib landmarks of `face` in `frame` (points 0–1: one eye's corners, 2–3: the
/// other's, 4: the nose base), in frame pixels.
pub fn face_landmarks(models: &FaceModels, frame: &Frame, face: &FaceBox) -> Option<[(f32, f32); 5]> {
    let image = models::FrameImage::new(frame)?;
    let image = if face.side() < detect::UPSCALE_BELOW_SIDE {
        image.upscaled(2)
    } else {
        image
    };
    models.landmarks(&image, face)
}

/// Euclidean (L2) distance between two dlib embeddings; compare with [`SAME_PERSON_DISTANCE`].
/// (dlib's embeddings are not centred, so cosine similarity does not separate people.)
pub fn distance(a: &[f32; 128], b: &[f32; 128]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>().sqrt()
}
