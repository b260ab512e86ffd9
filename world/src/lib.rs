//! The procedural world the video model is trained and judged on.
//!
//! A [`SceneSpec`] (objects, colours, shapes, motions, background, camera) is drawn from a seed,
//! rendered into frames by [`render`], described by [`caption`] in many English and French
//! phrasings, turned into token ids by [`Vocab`], and measured back by [`score`]. Nothing here
//! needs libtorch, so the trainer's data stream (`world-stream`) runs on any machine.

pub mod caption;
pub mod example;
pub mod motion;
pub mod render;
pub mod sample;
pub mod score;
pub mod spec;
pub mod v2;
pub mod vocab;

pub use caption::{caption, Lang, Phrasing};
pub use render::{render_clip, render_reference, Clip};
pub use sample::{sample_scene, SceneRequest};
pub use score::{score_clip, Measured};
pub use spec::*;
pub use vocab::Vocab;

/// Frames in one generated chunk.
pub const FRAMES: usize = 16;
/// Width and height of a frame, in pixels.
pub const SIZE: usize = 64;
/// Frames per second of generated video.
pub const FPS: usize = 8;
/// Width and height of an avatar reference crop.
pub const REF_SIZE: usize = 32;
/// Frames of the previous chunk that condition the next one (extension).
pub const CONTEXT_FRAMES: usize = 4;
