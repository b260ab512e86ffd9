//! Shared helpers: the shipped model and dominant-colour reading.
#![allow(dead_code)]

use std::path::PathBuf;

use engine::NativeDenoiser;
use tch::Device;
use world::{Clip, FRAMES, SIZE};

pub fn model_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../models/reelroom-v1"))
}

pub fn shipped() -> NativeDenoiser {
    tch::set_num_threads(2);
    NativeDenoiser::load(&model_dir(), Device::Cpu).expect("shipped weights load")
}

pub fn clip(frames: Vec<u8>) -> Clip {
    Clip {
        frames: frames.len() / (SIZE * SIZE * 3),
        size: SIZE,
        rgb: frames,
    }
}

/// Colour the scorer reads off the whole clip.
pub fn dominant_colour(frames: &[u8]) -> Option<world::Colour> {
    world::score_clip(&clip(frames.to_vec())).colour
}

pub fn mse(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| ((*x as f64 - *y as f64) / 255.0).powi(2))
        .sum::<f64>()
        / a.len() as f64
}

pub const CLIP_BYTES: usize = FRAMES * SIZE * SIZE * 3;
