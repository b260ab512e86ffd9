//! The shipped model v2 as a [`Denoiser`]: the sampler drives it exactly like v1 (previews per
//! step, live re-prompting, remix, extension) at the 64×64 core; [`NativeDenoiserV2::upsample`]
//! turns a finished chunk into 128×128 frames.

use std::path::Path;
use std::sync::Arc;

use tch::{nn, Device, Kind, Tensor};
use world::v2::tokens::V2_VOCAB;
use world::FRAMES;

use crate::denoiser::{load_weights, Conditioning, Denoiser, Prompt};
use crate::model::upsample::Upsampler;
use crate::model::VideoDenoiser;
use crate::v2::{encode, upsample, SceneCond};
use crate::EngineError;

#[derive(Debug)]
pub struct NativeDenoiserV2 {
    vs: nn::VarStore,
    model: VideoDenoiser,
    up: Upsampler,
    kind: Kind,
}

impl NativeDenoiserV2 {
    pub fn random(device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let model = VideoDenoiser::new_v2(&vs.root(), V2_VOCAB);
        let up = Upsampler::new(&(vs.root() / "up"));
        Self {
            vs,
            model,
            up,
            kind: Kind::Float,
        }
    }

    /// Loads `dir/model.safetensors` (f16 on CUDA, f32 on CPU).
    pub fn load(dir: &Path, device: Device) -> Result<Self, EngineError> {
        let mut me = Self::random(device);
        me.kind = load_weights(&mut me.vs, dir)?;
        Ok(me)
    }

    /// Starts from v1 weights: every tensor whose name and shape match is copied (the text
    /// embedding, the canvas stem, the slot embeddings and the upsampler keep their init).
    pub fn init_from_v1(&mut self, v1_dir: &Path) -> Result<usize, EngineError> {
        let named = Tensor::read_safetensors(v1_dir.join("model.safetensors"))?;
        let mut vars = self.vs.variables();
        let mut copied = 0;
        tch::no_grad(|| {
            for (name, t) in named {
                if let Some(v) = vars.get_mut(&name) {
                    if v.size() == t.size() {
                        v.copy_(&t.to_kind(v.kind()).to_device(v.device()));
                        copied += 1;
                    }
                }
            }
        });
        Ok(copied)
    }

    pub fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    pub fn var_store_mut(&mut self) -> &mut nn::VarStore {
        &mut self.vs
    }

    pub fn model(&self) -> &VideoDenoiser {
        &self.model
    }

    pub fn upsampler(&self) -> &Upsampler {
        &self.up
    }

    pub fn parameter_count(&self) -> i64 {
        self.vs.trainable_variables().iter().map(Tensor::numel).sum::<usize>() as i64
    }

    /// Any number of finished 64×64 frames (a chunk or an extended video, RGB bytes) →
    /// 128×128, window by window of [`FRAMES`] with the canvas of the matching frame times.
    pub fn upsample_video(&self, frames64: &[u8], prompt: &Prompt) -> Result<Vec<u8>, EngineError> {
        let scene = prompt
            .scene
            .as_deref()
            .ok_or_else(|| EngineError::InvalidRequest("model v2 needs a parsed scene".into()))?;
        let per = world::SIZE * world::SIZE * 3;
        let total = frames64.len() / per;
        let mut out = Vec::with_capacity(total * per * 4);
        let mut start = 0;
        while start < total {
            // The last window may be short: pad it by repeating the last frame.
            let mut window = frames64[start * per..(start + FRAMES).min(total) * per].to_vec();
            let real = window.len() / per;
            while window.len() < FRAMES * per {
                window.extend_from_slice(&frames64[(total - 1) * per..total * per]);
            }
            let mut at = scene.clone();
            at.start_frame = scene.start_frame + start as f32;
            let up = self.upsample(&window, &at);
            out.extend_from_slice(&up[..real * per * 4]);
            start += FRAMES;
        }
        Ok(out)
    }

    /// A finished 64×64 chunk (RGB bytes) → 128×128 RGB bytes.
    pub fn upsample(&self, frames64: &[u8], scene: &SceneCond) -> Vec<u8> {
        let low = crate::frames::rgb_to_tensor(frames64, world::FRAMES, world::SIZE)
            .to_device(self.vs.device())
            .to_kind(self.kind);
        crate::frames::tensor_to_rgb(&upsample(&self.up, &low, scene))
    }
}

impl Denoiser for NativeDenoiserV2 {
    fn name(&self) -> &str {
        "reelroom-v2"
    }

    fn device(&self) -> Device {
        self.vs.device()
    }

    fn v2_for(&self, _prompt: &Prompt) -> Option<&NativeDenoiserV2> {
        Some(self)
    }

    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError> {
        let scenes: Vec<Option<Arc<SceneCond>>> = prompts.iter().map(|p| p.scene.clone()).collect();
        // The empty prompt borrows the layout of the prompt it guides against.
        let asked = scenes.iter().flatten().next().cloned();
        let layouts: Vec<Option<Arc<SceneCond>>> = scenes.iter().map(|s| s.clone().or_else(|| asked.clone())).collect();
        Ok(Conditioning::V2(tch::no_grad(|| {
            encode(&self.model, &scenes, &layouts, self.vs.device(), self.kind)
        })))
    }

    fn predict(
        &self,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Conditioning,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Result<Tensor, EngineError> {
        let Conditioning::V2(cond) = cond else {
            return Err(EngineError::InvalidRequest("conditioning from another denoiser".into()));
        };
        Ok(self.model.predict(self.kind, x_t, t, cond, known, known_mask))
    }
}
