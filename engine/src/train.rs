//! The tch training loop (CPU or CUDA): rendered examples from the procedural world on a
//! background thread, x0-prediction flow-matching loss, AdamW, safetensors checkpoints with
//! resume. (engine/python/train_gpu.py trains the same network on GPU machines without Rust.)

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::nn::OptimizerConfig;
use tch::{nn, Device, Kind, Tensor};
use world::example::{training_example, Example};
use world::vocab::{MAX_TOKENS, UNK};
use world::{Vocab, FRAMES, REF_SIZE, SIZE};

use crate::denoiser::NativeDenoiser;
use crate::frames::rgb_to_tensor;
use crate::EngineError;

/// Batches rendered ahead of the optimiser.
const PREFETCH_BATCHES: usize = 2;
/// Share of prompts replaced by the empty prompt (teaches classifier-free guidance).
pub const PROMPT_DROPOUT: f64 = 0.1;
/// Share of words replaced by `<unk>` (robustness to unseen phrasing).
pub const WORD_DROPOUT: f64 = 0.05;

#[derive(Debug, Clone)]
pub struct TrainOptions {
    pub out: PathBuf,
    /// Start from these weights (a model folder) when `out` has no checkpoint yet.
    pub init: Option<PathBuf>,
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub seed: u64,
    pub save_every: usize,
    pub device: Device,
}

/// Written next to each checkpoint.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckpointMeta {
    pub step: usize,
    pub loss: f64,
    pub minutes: f64,
    pub batch: usize,
    pub device: String,
}

/// One training batch on the model's device.
#[derive(Debug)]
pub struct Batch {
    pub x0: Tensor,
    pub tokens: Tensor,
    pub reference: Tensor,
    pub has_ref: Tensor,
    pub known_mask: Tensor,
}

/// Stacks examples into tensors, applying prompt and word dropout.
pub fn make_batch(examples: &[Example], rng: &mut ChaCha8Rng, device: Device) -> Batch {
    let n = examples.len();
    let frames: Vec<u8> = examples.iter().flat_map(|e| e.frames.iter().copied()).collect();
    let refs: Vec<u8> = examples.iter().flat_map(|e| e.reference.iter().copied()).collect();
    let mut tokens = Vec::with_capacity(n * MAX_TOKENS);
    let mut has_ref = Vec::with_capacity(n);
    let mut mask = Vec::with_capacity(n * FRAMES);
    for e in examples {
        if rng.gen_bool(PROMPT_DROPOUT) {
            tokens.extend(Vocab::null());
        } else {
            tokens.extend(
                e.tokens
                    .iter()
                    .map(|&t| if t > UNK && rng.gen_bool(WORD_DROPOUT) { UNK } else { t }),
            );
        }
        has_ref.push(if e.has_reference && rng.gen_bool(1.0 - PROMPT_DROPOUT) {
            1.0f32
        } else {
            0.0
        });
        mask.extend((0..FRAMES).map(|i| if i < e.known { 1.0f32 } else { 0.0 }));
    }
    Batch {
        x0: rgb_to_tensor(&frames, n * FRAMES, SIZE)
            .view([n as i64, FRAMES as i64, 3, SIZE as i64, SIZE as i64])
            .to_device(device),
        tokens: Tensor::from_slice(&tokens)
            .view([n as i64, MAX_TOKENS as i64])
            .to_device(device),
        reference: rgb_to_tensor(&refs, n, REF_SIZE).to_device(device),
        has_ref: Tensor::from_slice(&has_ref).to_device(device),
        known_mask: Tensor::from_slice(&mask)
            .view([n as i64, FRAMES as i64])
            .to_device(device),
    }
}

/// Flow-matching loss (x0 prediction, mean squared error over the frames to generate) at flow
/// times `t` [B] with noise `noise` (same shape as x0).
pub fn loss(den: &NativeDenoiser, batch: &Batch, t: &Tensor, noise: &Tensor) -> Tensor {
    let km = batch.known_mask.view([-1, FRAMES as i64, 1, 1, 1]);
    let tt = t.view([-1, 1, 1, 1, 1]);
    let x_t = &km * &batch.x0 + (1.0 - &km) * ((1.0 - &tt) * &batch.x0 + &tt * noise);
    let cond = den.model().encode(&batch.tokens, &batch.reference, &batch.has_ref);
    let pred = den
        .model()
        .forward(&x_t, t, &cond, &(&km * &batch.x0), &batch.known_mask);
    let err: Tensor = (pred - &batch.x0).square() * (1.0 - &km);
    let gen_frames: Tensor = 1.0 - &km;
    err.sum(Kind::Float) / (gen_frames.sum(Kind::Float) * (3 * SIZE * SIZE) as f64).clamp_min(1.0)
}

/// Flow times: logit-normal (mean 0.3), with a uniform share so the noisiest steps are trained.
pub fn draw_times(rng: &mut ChaCha8Rng, n: usize, device: Device) -> Tensor {
    let normals = crate::sampler::seeded_noise(rng.gen(), n);
    let t: Vec<f32> = normals
        .into_iter()
        .map(|z| {
            if rng.gen_bool(0.15) {
                rng.gen_range(1e-3..1.0)
            } else {
                (1.0 / (1.0 + (-(z + 0.3)).exp())).clamp(1e-3, 1.0)
            }
        })
        .collect();
    Tensor::from_slice(&t).to_device(device)
}

/// The `meta.json` next to a checkpoint, when there is one.
pub(crate) fn read_meta(dir: &Path) -> Option<CheckpointMeta> {
    serde_json::from_slice(&std::fs::read(dir.join("meta.json")).ok()?).ok()
}

/// Progress of a training run, reported after every step.
#[derive(Debug, Clone)]
pub struct TrainProgress {
    pub step: usize,
    pub steps: usize,
    pub loss: f64,
    pub steps_per_s: f64,
}

/// Trains until `opts.steps` total steps, saving `out/model.safetensors` + `out/meta.json` every
/// `save_every` steps and at the end. Resumes from `out` when it holds a checkpoint.
pub fn train(opts: &TrainOptions, on_progress: &mut dyn FnMut(&TrainProgress)) -> Result<CheckpointMeta, EngineError> {
    let mut den = NativeDenoiser::random(opts.device);
    let mut meta = CheckpointMeta {
        batch: opts.batch,
        device: format!("{:?}", opts.device),
        ..Default::default()
    };
    if opts.out.join("model.safetensors").is_file() {
        den.var_store_mut().load(opts.out.join("model.safetensors"))?;
        meta = read_meta(&opts.out).unwrap_or(meta);
    } else if let Some(init) = &opts.init {
        den.var_store_mut().load(init.join("model.safetensors"))?;
    }
    // Train in f32 whatever precision the checkpoint was stored in.
    den.var_store_mut().float();
    let mut opt = nn::AdamW::default().build(den.var_store(), opts.lr)?;
    opt.set_weight_decay(0.01);
    let start_step = meta.step;
    let (tx, rx) = sync_channel::<Vec<Example>>(PREFETCH_BATCHES);
    let (seed, batch) = (opts.seed, opts.batch);
    std::thread::spawn(move || {
        let vocab = Vocab::new();
        let mut index = (start_step * batch) as u64;
        loop {
            let examples = (0..batch)
                .map(|k| training_example(&vocab, seed, index + k as u64))
                .collect();
            index += batch as u64;
            if tx.send(examples).is_err() {
                return;
            }
        }
    });
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ start_step as u64);
    let started = Instant::now();
    let mut smoothed = f64::NAN;
    for step in start_step..opts.steps {
        let examples = rx
            .recv()
            .map_err(|_| EngineError::InvalidRequest("data thread stopped".into()))?;
        let b = make_batch(&examples, &mut rng, opts.device);
        let t = draw_times(&mut rng, examples.len(), opts.device);
        let noise = Tensor::randn(b.x0.size(), (Kind::Float, opts.device));
        let l = loss(&den, &b, &t, &noise);
        opt.backward_step_clip_norm(&l, 1.0);
        let value = l.double_value(&[]);
        smoothed = if smoothed.is_nan() {
            value
        } else {
            0.95 * smoothed + 0.05 * value
        };
        meta.step = step + 1;
        meta.loss = smoothed;
        let elapsed = started.elapsed().as_secs_f64();
        on_progress(&TrainProgress {
            step: step + 1,
            steps: opts.steps,
            loss: smoothed,
            steps_per_s: (step + 1 - start_step) as f64 / elapsed.max(1e-9),
        });
        if (step + 1) % opts.save_every.max(1) == 0 || step + 1 == opts.steps {
            save(&den, &meta, &opts.out)?;
        }
    }
    meta.minutes += started.elapsed().as_secs_f64() / 60.0;
    save(&den, &meta, &opts.out)?;
    Ok(meta)
}

fn save(den: &NativeDenoiser, meta: &CheckpointMeta, out: &Path) -> Result<(), EngineError> {
    save_checkpoint(den.var_store(), meta, out)
}

/// Writes `out/model.safetensors` and `out/meta.json` (v1's and v2's trainers).
pub(crate) fn save_checkpoint(vs: &nn::VarStore, meta: &CheckpointMeta, out: &Path) -> Result<(), EngineError> {
    std::fs::create_dir_all(out)?;
    // Write then rename, so an interrupted save never leaves a torn checkpoint.
    let tmp = out.join("model.tmp.safetensors");
    vs.save(&tmp)?;
    std::fs::rename(&tmp, out.join("model.safetensors"))?;
    std::fs::write(out.join("meta.json"), serde_json::to_vec_pretty(meta)?)?;
    Ok(())
}
