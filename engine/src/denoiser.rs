//! Anything that predicts a clean clip from a noisy one: the shipped native model, or a
//! TorchScript module exported from PyTorch ("bring your own model"). The sampler only sees
//! this trait.

use std::path::Path;

use tch::{nn, CModule, Device, Kind, Tensor};
use world::vocab::MAX_TOKENS;
use world::{Vocab, REF_SIZE};

use crate::model::{Cond, VideoDenoiser};
use crate::EngineError;

/// What to generate: prompt tokens and an optional avatar reference crop (RGB, 32×32).
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub tokens: [i64; MAX_TOKENS],
    pub reference: Option<Vec<u8>>,
    /// Model v2's reading of the prompt (scene, slot references, chunk start); v1 ignores it.
    pub scene: Option<std::sync::Arc<crate::v2::SceneCond>>,
}

impl Prompt {
    pub fn text(vocab: &Vocab, text: &str) -> Self {
        Self {
            tokens: vocab.encode(text),
            reference: None,
            scene: Some(std::sync::Arc::new(crate::v2::SceneCond::from_prompt(text, 0))),
        }
    }

    /// Seeds model v2's layout (where subjects start, which way they go); a generation's own
    /// seed, so two takes of one prompt differ.
    pub fn with_scene_seed(mut self, seed: u64) -> Self {
        if let Some(scene) = &mut self.scene {
            std::sync::Arc::make_mut(scene).scene.seed = seed as u32;
        }
        self
    }

    /// The same prompt for the chunk that starts at frame time `start` (extension).
    pub fn at_frame(&self, start: f32) -> Self {
        let mut me = self.clone();
        if let Some(scene) = &mut me.scene {
            std::sync::Arc::make_mut(scene).start_frame = start;
        }
        me
    }

    /// The empty prompt (classifier-free guidance's unconditional branch).
    pub fn null() -> Self {
        Self {
            tokens: Vocab::null(),
            reference: None,
            scene: None,
        }
    }

    /// Casts an avatar: `crop` is `REF_SIZE × REF_SIZE` RGB bytes.
    pub fn with_avatar(self, crop: Vec<u8>) -> Result<Self, EngineError> {
        self.with_avatars(vec![crop])
    }

    /// Casts avatars in model v2's avatar-slot order (the prompt's `@handle`s); v1 renders the
    /// first. No crops leaves the prompt as it is.
    pub fn with_avatars(mut self, crops: Vec<Vec<u8>>) -> Result<Self, EngineError> {
        if crops.iter().any(|c| c.len() != REF_SIZE * REF_SIZE * 3) {
            return Err(EngineError::InvalidRequest(format!(
                "avatar crop must be {REF_SIZE}×{REF_SIZE} RGB"
            )));
        }
        let Some(first) = crops.first().cloned() else {
            return Ok(self);
        };
        if let Some(scene) = &mut self.scene {
            std::sync::Arc::make_mut(scene).avatars = crops;
        }
        self.reference = Some(first);
        Ok(self)
    }
}

/// Conditioning prepared once per prompt change, reused at every step.
#[derive(Debug)]
pub enum Conditioning {
    Native(Cond),
    /// Model v2's (scene tokens, slot references, layout canvas).
    V2(Cond),
    /// Token ids [B, L] for modules that encode text themselves.
    Tokens(Tensor),
}

pub trait Denoiser: Send {
    fn name(&self) -> &str;
    fn device(&self) -> Device;
    /// Model v2 when it is the one that renders `prompt` (its 128×128 upsampler runs after
    /// sampling); `None` for v1 and TorchScript modules.
    fn v2_for(&self, _prompt: &Prompt) -> Option<&crate::NativeDenoiserV2> {
        None
    }
    /// Encodes a batch of prompts.
    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError>;
    /// Predicts x0 [B, T, 3, H, W] from x_t at flow times t [B], given known frames and mask.
    fn predict(
        &self,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Conditioning,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Result<Tensor, EngineError>;
}

/// Loads `dir/model.safetensors` into `vs` and returns the precision it then runs in: half on
/// CUDA, f32 on CPU (loading takes the file's precision, and the shipped weights are f16).
pub(crate) fn load_weights(vs: &mut nn::VarStore, dir: &Path) -> Result<Kind, EngineError> {
    let file = dir.join("model.safetensors");
    if !file.is_file() {
        return Err(EngineError::WeightsNotFound(file.display().to_string()));
    }
    vs.load(&file)?;
    if vs.device().is_cuda() {
        vs.half();
        Ok(Kind::Half)
    } else {
        vs.float();
        Ok(Kind::Float)
    }
}

fn token_tensor(prompts: &[Prompt], device: Device) -> Tensor {
    let ids: Vec<i64> = prompts.iter().flat_map(|p| p.tokens).collect();
    Tensor::from_slice(&ids)
        .view([prompts.len() as i64, MAX_TOKENS as i64])
        .to_device(device)
}

/// The shipped model (native tch), in f32 on CPU and f16 on CUDA.
#[derive(Debug)]
pub struct NativeDenoiser {
    vs: nn::VarStore,
    model: VideoDenoiser,
    kind: Kind,
}

impl NativeDenoiser {
    /// A fresh, randomly initialised model (for training from scratch and tests).
    pub fn random(device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let model = VideoDenoiser::new(&vs.root(), Vocab::new().len() as i64);
        Self {
            vs,
            model,
            kind: Kind::Float,
        }
    }

    /// Loads `dir/model.safetensors`; on CUDA the weights run in half precision.
    pub fn load(dir: &Path, device: Device) -> Result<Self, EngineError> {
        let mut me = Self::random(device);
        me.kind = load_weights(&mut me.vs, dir)?;
        Ok(me)
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

    pub fn parameter_count(&self) -> i64 {
        self.vs.trainable_variables().iter().map(Tensor::numel).sum::<usize>() as i64
    }

    /// Encodes prompts into the model's conditioning (training and sampling share this).
    pub fn encode(&self, prompts: &[Prompt]) -> Cond {
        let device = self.vs.device();
        let refs: Vec<u8> = prompts
            .iter()
            .flat_map(|p| {
                p.reference
                    .clone()
                    .unwrap_or_else(|| vec![128; REF_SIZE * REF_SIZE * 3])
            })
            .collect();
        let has: Vec<f32> = prompts
            .iter()
            .map(|p| if p.reference.is_some() { 1.0 } else { 0.0 })
            .collect();
        let reference = crate::frames::rgb_to_tensor(&refs, prompts.len(), REF_SIZE)
            .to_device(device)
            .to_kind(self.kind);
        self.model.encode(
            &token_tensor(prompts, device),
            &reference,
            &Tensor::from_slice(&has).to_device(device).to_kind(self.kind),
        )
    }
}

impl Denoiser for NativeDenoiser {
    fn name(&self) -> &str {
        "reelroom-v1"
    }

    fn device(&self) -> Device {
        self.vs.device()
    }

    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError> {
        Ok(Conditioning::Native(tch::no_grad(|| self.encode(prompts))))
    }

    fn predict(
        &self,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Conditioning,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Result<Tensor, EngineError> {
        let Conditioning::Native(cond) = cond else {
            return Err(EngineError::InvalidRequest("conditioning from another denoiser".into()));
        };
        Ok(self.model.predict(self.kind, x_t, t, cond, known, known_mask))
    }
}

/// A TorchScript module with `forward(x_t, t, tokens, known, known_mask) -> x0`, shapes as in
/// [`Denoiser::predict`] and tokens [B, 32] int64 (ids of [`Vocab`]).
#[derive(Debug)]
pub struct TorchScriptDenoiser {
    module: CModule,
    device: Device,
}

impl TorchScriptDenoiser {
    pub fn load(path: &Path, device: Device) -> Result<Self, EngineError> {
        if !path.is_file() {
            return Err(EngineError::WeightsNotFound(path.display().to_string()));
        }
        let mut module = CModule::load_on_device(path, device)?;
        module.set_eval();
        Ok(Self { module, device })
    }
}

impl Denoiser for TorchScriptDenoiser {
    fn name(&self) -> &str {
        "torchscript"
    }

    fn device(&self) -> Device {
        self.device
    }

    fn condition(&self, prompts: &[Prompt]) -> Result<Conditioning, EngineError> {
        Ok(Conditioning::Tokens(token_tensor(prompts, self.device)))
    }

    fn predict(
        &self,
        x_t: &Tensor,
        t: &Tensor,
        cond: &Conditioning,
        known: &Tensor,
        known_mask: &Tensor,
    ) -> Result<Tensor, EngineError> {
        let Conditioning::Tokens(tokens) = cond else {
            return Err(EngineError::InvalidRequest("conditioning from another denoiser".into()));
        };
        Ok(tch::no_grad(|| {
            self.module.forward_ts(&[x_t, t, tokens, known, known_mask])
        })?)
    }
}
