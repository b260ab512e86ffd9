//! Flow-matching (rectified flow) sampler in x0 form: x_t = (1 − t)·x0 + t·ε, integrated from
//! t = 1 (or the remix strength) to 0 with Euler steps on a quadratic schedule, x_{t'} = x̂0 + (t'/t)(x_t − x̂0), with
//! classifier-free guidance. After every step the callback gets the current clean estimate x̂0
//! as RGB frames (the live preview) and may stop the run or swap the prompt for the next step.
//! Extension chains chunks, each conditioned on the last frames of the one before.

use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};
use world::{CONTEXT_FRAMES, FPS, FRAMES, SIZE};

use crate::denoiser::{Conditioning, Denoiser, Prompt};
use crate::frames::{rgb_to_tensor, tensor_to_rgb};
use crate::{EngineError, MAX_SECONDS, MAX_STEPS};

/// How to run one chunk.
#[derive(Debug, Clone)]
pub struct SampleOptions {
    pub steps: usize,
    /// Classifier-free guidance scale (1 = off, one forward pass per step).
    pub guidance: f64,
    pub seed: u64,
    /// Remix: start from these frames (RGB, `FRAMES × SIZE × SIZE × 3`) noised to `strength`.
    pub remix: Option<(Vec<u8>, f64)>,
    /// Extension: the previous chunk's last [`CONTEXT_FRAMES`] frames (RGB) to continue from.
    pub context: Option<Vec<u8>>,
}

impl Default for SampleOptions {
    fn default() -> Self {
        Self {
            steps: crate::DEFAULT_STEPS,
            guidance: crate::DEFAULT_GUIDANCE,
            seed: 0,
            remix: None,
            context: None,
        }
    }
}

/// The clean-frame estimate after a step.
#[derive(Debug)]
pub struct Preview<'a> {
    /// 1-based step number.
    pub step: usize,
    pub steps: usize,
    /// RGB, `FRAMES × SIZE × SIZE × 3`.
    pub frames: &'a [u8],
}

/// What the caller wants after a step.
#[derive(Debug)]
pub enum StepAction {
    Continue,
    Stop,
    /// Use this prompt from the next step on (live re-prompting).
    Prompt(Prompt),
}

#[derive(Debug, Clone)]
pub struct Generation {
    /// RGB, `FRAMES × SIZE × SIZE × 3`.
    pub frames: Vec<u8>,
    pub steps_run: usize,
    pub stopped: bool,
}

/// Standard normal noise of `n` values from a seed (Box–Muller over ChaCha8: the same on every
/// machine and device).
pub fn seeded_noise(seed: u64, n: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(n + 1);
    while out.len() < n {
        let u1: f32 = rng.gen_range(f32::EPSILON..1.0);
        let u2: f32 = rng.gen();
        let r = (-2.0 * u1.ln()).sqrt();
        let a = std::f32::consts::TAU * u2;
        out.push(r * a.cos());
        out.push(r * a.sin());
    }
    out.truncate(n);
    out
}

/// Step times follow t = t_start·(1 − i/N)^SCHEDULE_POWER: coarse steps while the layout forms,
/// fine ones at the end, so the last estimate is made from an almost clean clip (sharper
/// edges; measured in docs/MODEL.md).
pub const SCHEDULE_POWER: f64 = 2.0;

/// Noise level a run returns to when its prompt changes mid-way, so the rest of the run can
/// still redraw colours and layout (the late steps only refine); the run keeps its step count.
pub const LIVE_EDIT_NOISE: f64 = 0.9;

fn flow_time(t_start: f64, i: usize, steps: usize) -> f64 {
    t_start * (1.0 - i as f64 / steps as f64).powf(SCHEDULE_POWER)
}

fn validate(opts: &SampleOptions) -> Result<(), EngineError> {
    if opts.steps == 0 || opts.steps > MAX_STEPS {
        return Err(EngineError::InvalidRequest(format!("steps must be 1..={MAX_STEPS}")));
    }
    if !(0.0..=20.0).contains(&opts.guidance) {
        return Err(EngineError::InvalidRequest("guidance must be within 0..=20".into()));
    }
    let clip = FRAMES * SIZE * SIZE * 3;
    if let Some((frames, s)) = &opts.remix {
        if frames.len() != clip || !(*s > 0.0 && *s <= 1.0) {
            return Err(EngineError::InvalidRequest(
                "remix needs a full source clip and strength in (0, 1]".into(),
            ));
        }
    }
    if let Some(ctx) = &opts.context {
        if ctx.len() != CONTEXT_FRAMES * SIZE * SIZE * 3 {
            return Err(EngineError::InvalidRequest(format!(
                "context must be {CONTEXT_FRAMES} frames"
            )));
        }
    }
    Ok(())
}

fn guided_conditioning(den: &dyn Denoiser, prompt: &Prompt, guided: bool) -> Result<Conditioning, EngineError> {
    if guided {
        den.condition(&[prompt.clone(), Prompt::null()])
    } else {
        den.condition(std::slice::from_ref(prompt))
    }
}

/// Generates one chunk of [`FRAMES`] frames.
pub fn sample(
    den: &dyn Denoiser,
    prompt: &Prompt,
    opts: &SampleOptions,
    on_step: &mut dyn FnMut(Preview<'_>) -> StepAction,
) -> Result<Generation, EngineError> {
    validate(opts)?;
    let device = den.device();
    let (f, s) = (FRAMES as i64, SIZE as i64);
    let shape = [1, f, 3, s, s];
    let noise = Tensor::from_slice(&seeded_noise(opts.seed, FRAMES * 3 * SIZE * SIZE))
        .view(shape)
        .to_device(device);
    let (known, known_mask) = match &opts.context {
        Some(ctx) => {
            let given = rgb_to_tensor(ctx, CONTEXT_FRAMES, SIZE).unsqueeze(0).to_device(device);
            let rest = Tensor::zeros([1, f - CONTEXT_FRAMES as i64, 3, s, s], (Kind::Float, device));
            let mask: Vec<f32> = (0..FRAMES)
                .map(|i| if i < CONTEXT_FRAMES { 1.0 } else { 0.0 })
                .collect();
            (
                Tensor::cat(&[given, rest], 1),
                Tensor::from_slice(&mask).view([1, f]).to_device(device),
            )
        }
        None => (
            Tensor::zeros(shape, (Kind::Float, device)),
            Tensor::zeros([1, f], (Kind::Float, device)),
        ),
    };
    let km = known_mask.view([1, f, 1, 1, 1]);
    let t_start = opts.remix.as_ref().map_or(1.0, |(_, strength)| *strength);
    let mut x = match &opts.remix {
        Some((src, strength)) => {
            rgb_to_tensor(src, FRAMES, SIZE).unsqueeze(0).to_device(device) * (1.0 - strength) + &noise * *strength
        }
        None => noise,
    };
    let guided = opts.guidance != 1.0;
    let mut cond = guided_conditioning(den, prompt, guided)?;
    let mut steps_run = 0;
    let mut estimate = Tensor::zeros(shape, (Kind::Float, device));
    // The schedule runs in segments: a prompt change starts a new one (see LIVE_EDIT_NOISE).
    let (mut seg_t, mut seg_i) = (t_start, 0);
    for i in 0..opts.steps {
        let t = flow_time(seg_t, i - seg_i, opts.steps - seg_i);
        let t_next = flow_time(seg_t, i + 1 - seg_i, opts.steps - seg_i);
        x = &km * &known + (1.0 - &km) * &x;
        let x0 = if guided {
            let both = den.predict(
                &Tensor::cat(&[&x, &x], 0),
                &Tensor::full([2], t, (Kind::Float, device)),
                &cond,
                &Tensor::cat(&[&known, &known], 0),
                &Tensor::cat(&[&known_mask, &known_mask], 0),
            )?;
            let (c, u) = (both.get(0).unsqueeze(0), both.get(1).unsqueeze(0));
            &u + (c - &u) * opts.guidance
        } else {
            den.predict(
                &x,
                &Tensor::full([1], t, (Kind::Float, device)),
                &cond,
                &known,
                &known_mask,
            )?
        };
        let x0 = x0.clamp(-1.0, 1.0);
        x = &x0 + (&x - &x0) * (t_next / t);
        estimate = &km * &known + (1.0 - &km) * &x0;
        steps_run += 1;
        let rgb = tensor_to_rgb(&estimate);
        match on_step(Preview {
            step: i + 1,
            steps: opts.steps,
            frames: &rgb,
        }) {
            StepAction::Continue => {}
            StepAction::Stop => {
                return Ok(Generation {
                    frames: rgb,
                    steps_run,
                    stopped: true,
                })
            }
            StepAction::Prompt(p) => {
                cond = guided_conditioning(den, &p, guided)?;
                let renoise = LIVE_EDIT_NOISE.min(t_start);
                if i + 1 < opts.steps && renoise > t_next {
                    let fresh = seeded_noise(opts.seed.wrapping_add(1 + i as u64), FRAMES * 3 * SIZE * SIZE);
                    let fresh = Tensor::from_slice(&fresh).view(shape).to_device(device);
                    x = &estimate * (1.0 - renoise) + fresh * renoise;
                    (seg_t, seg_i) = (renoise, i + 1);
                }
            }
        }
    }
    Ok(Generation {
        frames: tensor_to_rgb(&estimate),
        steps_run,
        stopped: false,
    })
}

/// New frames each extension chunk adds (the rest repeat the context).
pub const NEW_FRAMES_PER_CHUNK: usize = FRAMES - CONTEXT_FRAMES;

/// Options for the next chunk of a chained run whose frames so far are `so_far` (RGB): its own
/// seed, and after the first chunk the last [`CONTEXT_FRAMES`] frames as context instead of any
/// remix source.
pub fn chunk_options(base: &SampleOptions, seed: u64, so_far: &[u8]) -> SampleOptions {
    let mut o = base.clone();
    o.seed = seed;
    if !so_far.is_empty() {
        let per = SIZE * SIZE * 3;
        o.remix = None;
        o.context = Some(so_far[so_far.len().saturating_sub(CONTEXT_FRAMES * per)..].to_vec());
    }
    o
}

/// Appends a generated chunk to a chained run (all of the first chunk, then only the frames
/// after the repeated context) and returns the frames it added.
pub fn append_chunk<'a>(so_far: &'a mut Vec<u8>, chunk: &[u8]) -> &'a [u8] {
    let start = so_far.len();
    let skip = if start == 0 {
        0
    } else {
        CONTEXT_FRAMES * SIZE * SIZE * 3
    };
    so_far.extend_from_slice(&chunk[skip.min(chunk.len())..]);
    &so_far[start..]
}

/// Chunks needed for `seconds` of video.
pub fn chunks_for(seconds: f64) -> usize {
    let frames = (seconds.clamp(0.0, MAX_SECONDS) * FPS as f64).ceil() as usize;
    if frames <= FRAMES {
        1
    } else {
        1 + (frames - FRAMES).div_ceil(NEW_FRAMES_PER_CHUNK)
    }
}

/// Generates `seconds` of video chunk after chunk; `on_chunk(i, new_frames)` sees each chunk's
/// new frames and may stop the run by returning false. Returns all frames.
pub fn extend(
    den: &dyn Denoiser,
    prompt: &Prompt,
    seconds: f64,
    opts: &SampleOptions,
    on_chunk: &mut dyn FnMut(usize, &[u8]) -> bool,
) -> Result<Vec<u8>, EngineError> {
    if !(seconds > 0.0 && seconds <= MAX_SECONDS) {
        return Err(EngineError::InvalidRequest(format!(
            "length must be within (0, {MAX_SECONDS}] s"
        )));
    }
    let mut all: Vec<u8> = Vec::new();
    for chunk in 0..chunks_for(seconds) {
        let o = chunk_options(opts, opts.seed.wrapping_add(chunk as u64), &all);
        let p = prompt.at_frame((chunk * NEW_FRAMES_PER_CHUNK) as f32);
        let g = sample(den, &p, &o, &mut |_| StepAction::Continue)?;
        if !on_chunk(chunk, append_chunk(&mut all, &g.frames)) {
            break;
        }
    }
    let per = SIZE * SIZE * 3;
    all.truncate(((seconds * FPS as f64).ceil() as usize).max(1) * per);
    Ok(all)
}

/// Generation workers a server runs by default: one per GPU, or one on CPU.
pub fn default_worker_count() -> usize {
    match default_device() {
        Device::Cpu => 1,
        _ => tch::Cuda::device_count().max(1) as usize,
    }
}

/// The device of generation worker `i`: GPU `i` (round-robin), or the CPU.
pub fn worker_device(i: usize) -> Device {
    match default_device() {
        Device::Cpu => Device::Cpu,
        _ => Device::Cuda(i % tch::Cuda::device_count().max(1) as usize),
    }
}

/// Picks the compute device: CUDA when available (and not disabled), else CPU.
pub fn default_device() -> Device {
    if std::env::var_os("REELROOM_CPU").is_some() {
        Device::Cpu
    } else {
        Device::cuda_if_available()
    }
}
