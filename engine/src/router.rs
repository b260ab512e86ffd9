//! The shipped pair: model v1 renders prompts made only of its own words (coloured shapes and
//! their motions, as before), model v2 everything else (real things, places, avatars). The
//! sampler sees one [`Denoiser`]; each conditioning says which model made it, and `predict`
//! goes to that one, so a live edit may move a run from one model to the other.

use std::path::Path;

use tch::{Device, Tensor};
use world::vocab::{PAD, UNK};

use crate::denoiser::{Conditioning, Denoiser, Prompt};
use crate::{EngineError, NativeDenoiser, NativeDenoiserV2};

/// Whether v1 reads every word of the prompt (and the prompt has any).
pub fn reads_as_v1(prompt: &Prompt) -> bool {
    let words: Vec<i64> = prompt.tokens.iter().copied().filter(|&t| t != PAD).collect();
    !words.is_empty() && !words.contains(&UNK) && prompt.tokens != world::Vocab::null()
}

#[derive(Debug)]
pub struct Routed {
    v1: NativeDenoiser,
    v2: NativeDenoiserV2,
}

impl Routed {
    /// Both shipped models from the repository's `models/` folder.
    pub fn load_shipped(root: &Path, device: Device) -> Result<Self, EngineError> {
        Ok(Self {
            v1: NativeDenoiser::load(&root.join(crate::DEFAULT_MODEL_DIR), device)?,
            v2: NativeDenoiserV2::load(&root.join(crate::v2::V2_MODEL_DIR), device)?,
        })
    }
}

impl Denoiser for Routed {
    fn name(&self) -> &str {
        "reelroom-v1+v2"
    }

    fn device(&self) -> Device {
        self.v2.device()
    }

    fn v2_for(&self, prompt: &Prompt) -> Option<&NativeDenoiserV2> {
        (!reads_as_v1(prompt)).then_some(&self.v2)
    }

    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError> {
        // The first prompt is the one asked for; the rest are guidance's empty branch.
        match prompts.first() {
            Some(p) if !reads_as_v1(p) => self.v2.condition(prompts),
            _ => self.v1.condition(prompts),
        }
    }

    fn predict(
        &self,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Conditioning,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Result<Tensor, EngineError> {
        match cond {
            Conditioning::V2(_) => self.v2.predict(x_t, t, cond, known, known_mask),
            _ => self.v1.predict(x_t, t, cond, known, known_mask),
        }
    }
}
