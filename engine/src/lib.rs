//! reelroom's video diffusion engine: the text-to-video model ([`model`]), any [`Denoiser`]
//! (the shipped native one or an exported TorchScript module), the flow-matching [`sampler`]
//! with per-step previews, live re-prompting, remix and extension, plus training and evaluation.
//!
//! Everything here is CPU/GPU-heavy and blocking: callers run it on dedicated threads.

pub mod denoiser;
pub mod denoiser_v2;
pub mod error;
pub mod eval;
pub mod eval_v2;
pub mod frames;
pub mod model;
pub mod router;
pub mod sampler;
pub mod train;
pub mod train_v2;
pub mod v2;

pub use denoiser::{Denoiser, NativeDenoiser, Prompt, TorchScriptDenoiser};
pub use denoiser_v2::NativeDenoiserV2;
pub use error::EngineError;
pub use sampler::{Generation, Preview, SampleOptions, StepAction};

/// Folder of the shipped model, relative to the repository root.
pub const DEFAULT_MODEL_DIR: &str = "models/reelroom-v1";

/// Loads the native model in `dir`, v1 or v2 (told apart by v2's canvas input).
pub fn load_native(dir: &std::path::Path, device: tch::Device) -> Result<Box<dyn Denoiser>, EngineError> {
    let file = dir.join("model.safetensors");
    let names =
        tch::Tensor::read_safetensors(&file).map_err(|_| EngineError::WeightsNotFound(file.display().to_string()))?;
    if names.iter().any(|(n, _)| n.starts_with("canvas_stem")) {
        Ok(Box::new(NativeDenoiserV2::load(dir, device)?))
    } else {
        Ok(Box::new(NativeDenoiser::load(dir, device)?))
    }
}
/// Most denoising steps a caller may ask for.
pub const MAX_STEPS: usize = 64;
/// Default steps for live use.
pub const DEFAULT_STEPS: usize = 8;
/// Default classifier-free guidance scale.
pub const DEFAULT_GUIDANCE: f64 = 3.0;
/// Longest video the extension makes, in seconds.
pub const MAX_SECONDS: f64 = 60.0;
