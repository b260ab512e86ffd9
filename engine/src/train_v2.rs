//! Model v2's training loop (tch, CPU or CUDA): rendered v2 scenes on a background thread, the
//! v1 flow-matching loss on the 64×64 core conditioned on scene tokens, slot references and the
//! layout canvas, plus the upsampler's loss (128×128 truth from a blurred 64×64 input), AdamW,
//! safetensors checkpoints with resume. Starts from v1's weights when asked.

use std::sync::mpsc::sync_channel;
use std::sync::Arc;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::nn::OptimizerConfig;
use tch::{nn, Kind, Tensor};
use world::v2::render::V2_SIZE;
use world::{CONTEXT_FRAMES, FRAMES, SIZE};

use crate::denoiser_v2::NativeDenoiserV2;
use crate::frames::rgb_to_tensor;
use crate::train::{
    draw_times, read_meta, save_checkpoint, CheckpointMeta, TrainOptions, TrainProgress, PROMPT_DROPOUT,
};
use crate::v2::{canvas_tensor, encode, training_example, ExampleV2, SceneCond};
use crate::EngineError;

/// Batches rendered ahead of the optimiser.
const PREFETCH_BATCHES: usize = 3;
/// Share of examples given their first frames as known context (extension).
const CONTEXT_SHARE: f64 = 0.3;

/// One step's losses: (core, upsampler).
fn losses(den: &NativeDenoiserV2, ex: &[ExampleV2], rng: &mut ChaCha8Rng) -> (Tensor, Tensor) {
    let device = den.var_store().device();
    let n = ex.len();
    let rgb64: Vec<u8> = ex.iter().flat_map(|e| e.rgb64.iter().copied()).collect();
    let x0 = rgb_to_tensor(&rgb64, n * FRAMES, SIZE)
        .view([n as i64, FRAMES as i64, 3, SIZE as i64, SIZE as i64])
        .to_device(device);
    let scenes: Vec<Option<Arc<SceneCond>>> = ex
        .iter()
        .map(|e| (!rng.gen_bool(PROMPT_DROPOUT)).then(|| e.scene.clone()))
        .collect();
    let km: Vec<f32> = (0..n)
        .flat_map(|_| {
            let ctx = rng.gen_bool(CONTEXT_SHARE);
            (0..FRAMES).map(move |f| if ctx && f < CONTEXT_FRAMES { 1.0 } else { 0.0 })
        })
        .collect();
    let known_mask = Tensor::from_slice(&km)
        .view([n as i64, FRAMES as i64])
        .to_device(device);
    let t = draw_times(rng, n, device);
    let noise = Tensor::randn(x0.size(), (Kind::Float, device));
    let k5 = known_mask.view([-1, FRAMES as i64, 1, 1, 1]);
    let tt = t.view([-1, 1, 1, 1, 1]);
    let x_t = &k5 * &x0 + (1.0 - &k5) * ((1.0 - &tt) * &x0 + &tt * &noise);
    let layouts: Vec<Option<Arc<SceneCond>>> = ex.iter().map(|e| Some(e.scene.clone())).collect();
    let cond = encode(den.model(), &scenes, &layouts, device, Kind::Float);
    let pred = den.model().forward(&x_t, &t, &cond, &(&k5 * &x0), &known_mask);
    let err: Tensor = (pred - &x0).square() * (1.0 - &k5);
    let gen: Tensor = 1.0 - &k5;
    let core = err.sum(Kind::Float) / (gen.sum(Kind::Float) * (3 * SIZE * SIZE) as f64).clamp_min(1.0);

    // Upsampler: 4 random frames per example, input slightly blurred like the core's output.
    let frames: Vec<i64> = (0..n)
        .flat_map(|b| {
            let f: Vec<i64> = (0..4)
                .map(|_| (b * FRAMES) as i64 + rng.gen_range(0..FRAMES as i64))
                .collect();
            f
        })
        .collect();
    let idx = Tensor::from_slice(&frames).to_device(device);
    let low = x0
        .view([(n * FRAMES) as i64, 3, SIZE as i64, SIZE as i64])
        .index_select(0, &idx);
    let low = low.avg_pool2d([3, 3], [1, 1], [1, 1], false, true, None::<i64>) * 0.5 + &low * 0.5;
    let rgb128: Vec<u8> = ex.iter().flat_map(|e| e.rgb128.iter().copied()).collect();
    let hi = rgb_to_tensor(&rgb128, n * FRAMES, V2_SIZE)
        .to_device(device)
        .index_select(0, &idx);
    let canvas: Vec<u8> = ex.iter().flat_map(|e| e.canvas128.iter().copied()).collect();
    let canvas = canvas_tensor(&canvas, n, V2_SIZE)
        .to_device(device)
        .view([(n * FRAMES) as i64, 4, V2_SIZE as i64, V2_SIZE as i64])
        .index_select(0, &idx);
    let up = (den.upsampler().forward(&low, &canvas) - hi).square().mean(Kind::Float);
    (core, up)
}

/// Trains model v2 until `opts.steps` total steps; `opts.init` names a v1 model folder to start
/// from. Resumes from `opts.out` when it holds a checkpoint.
pub fn train_v2(
    opts: &TrainOptions,
    on_progress: &mut dyn FnMut(&TrainProgress),
) -> Result<CheckpointMeta, EngineError> {
    let mut den = NativeDenoiserV2::random(opts.device);
    let mut meta = CheckpointMeta {
        batch: opts.batch,
        device: format!("{:?}", opts.device),
        ..Default::default()
    };
    if opts.out.join("model.safetensors").is_file() {
        den.var_store_mut().load(opts.out.join("model.safetensors"))?;
        meta = read_meta(&opts.out).unwrap_or(meta);
    } else if let Some(init) = &opts.init {
        // v1 weights, or an earlier v2 checkpoint: whatever matches by name and shape.
        den.init_from_v1(init)?;
    }
    den.var_store_mut().float();
    let mut opt = nn::AdamW::default().build(den.var_store(), opts.lr)?;
    opt.set_weight_decay(0.01);
    let start_step = meta.step;
    let (tx, rx) = sync_channel::<Vec<ExampleV2>>(PREFETCH_BATCHES);
    let (seed, batch) = (opts.seed, opts.batch);
    std::thread::spawn(move || {
        let mut index = (start_step * batch) as u64;
        loop {
            let examples = (0..batch).map(|k| training_example(seed, index + k as u64)).collect();
            index += batch as u64;
            if tx.send(examples).is_err() {
                return;
            }
        }
    });
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ start_step as u64);
    let started = Instant::now();
    let mut smoothed = f64::NAN;
    let minutes_before = meta.minutes;
    for step in start_step..opts.steps {
        let examples = rx
            .recv()
            .map_err(|_| EngineError::InvalidRequest("data thread stopped".into()))?;
        let (core, up) = losses(&den, &examples, &mut rng);
        let total = &core + &up;
        opt.backward_step_clip_norm(&total, 1.0);
        let value = core.double_value(&[]);
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
            meta.minutes = minutes_before + elapsed / 60.0;
            save(&den, &meta, &opts.out)?;
        }
    }
    meta.minutes = minutes_before + started.elapsed().as_secs_f64() / 60.0;
    save(&den, &meta, &opts.out)?;
    Ok(meta)
}

fn save(den: &NativeDenoiserV2, meta: &CheckpointMeta, out: &std::path::Path) -> Result<(), EngineError> {
    save_checkpoint(den.var_store(), meta, out)
}
