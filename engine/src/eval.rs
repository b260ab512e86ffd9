//! Evaluation: prompt adherence on held-out phrasings (and held-out attribute combinations),
//! object count, temporal consistency, continuity across extension chunks, and avatar
//! similarity, all measured on generated pixels by the world's scorer.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use world::example::eval_prompt;
use world::sample::{is_held_out, random_look, sample_scene, SceneRequest};
use world::score::{avatar_similarity, frame_colour};
use world::{caption, render_reference, score_clip, Clip, Lang, Motion, Phrasing, Vocab, FRAMES, SIZE};

use crate::denoiser::{Denoiser, Prompt};
use crate::sampler::{extend, sample, SampleOptions, StepAction, NEW_FRAMES_PER_CHUNK};
use crate::EngineError;

#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Single-object prompts (cycling through every colour × shape × motion).
    pub prompts: usize,
    /// Multi-object prompts for the count score.
    pub count_prompts: usize,
    /// Three-chunk extensions measured at their boundaries.
    pub continuity_prompts: usize,
    /// Avatar prompts, each generated with and without its reference.
    pub avatar_prompts: usize,
    pub steps: usize,
    pub guidance: f64,
    pub seed: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Adherence {
    pub n: usize,
    pub colour: f64,
    pub shape: f64,
    pub motion: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub held_out_phrasings: Adherence,
    pub held_out_triples: Adherence,
    pub count: f64,
    pub count_n: usize,
    /// Mean share of frames whose object area stays within 0.5–2× of its median.
    pub temporal_consistency: f64,
    /// Share of chunk boundaries where the object keeps its colour.
    pub boundary_colour_kept: f64,
    /// Mean centroid jump across a chunk boundary, pixels.
    pub boundary_jump_px: f64,
    /// Mean centroid step between consecutive frames inside chunks, pixels.
    pub within_chunk_step_px: f64,
    pub avatar_similarity_with: f64,
    pub avatar_similarity_without: f64,
    /// Motion adherence per motion type.
    pub per_motion: Vec<(String, f64)>,
    /// Shape adherence per motion type (small or moving objects are harder to read).
    pub shape_per_motion: Vec<(String, f64)>,
    /// Shape adherence per shape.
    pub per_shape: Vec<(String, f64)>,
    pub seconds: f64,
}

fn pct(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

fn generate(den: &dyn Denoiser, prompt: &Prompt, opts: &EvalOptions, seed: u64) -> Result<Clip, EngineError> {
    let o = SampleOptions {
        steps: opts.steps,
        guidance: opts.guidance,
        seed,
        ..Default::default()
    };
    let g = sample(den, prompt, &o, &mut |_| StepAction::Continue)?;
    Ok(Clip {
        frames: FRAMES,
        size: SIZE,
        rgb: g.frames,
    })
}

fn dist(a: Option<(f32, f32)>, b: Option<(f32, f32)>) -> Option<f64> {
    let (a, b) = (a?, b?);
    Some((((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)) as f64).sqrt())
}

/// Runs the whole evaluation; `on_item` is told after each generated item (for progress).
pub fn evaluate(
    den: &dyn Denoiser,
    opts: &EvalOptions,
    on_item: &mut dyn FnMut(&str),
) -> Result<EvalReport, EngineError> {
    let started = std::time::Instant::now();
    let vocab = Vocab::new();
    let mut r = EvalReport::default();
    let (mut all, mut held) = ([0usize; 3], [0usize; 3]);
    let (mut n_held, mut coherence) = (0, 0.0);
    let mut per_motion = vec![(0usize, 0usize); Motion::SINGLE.len()];
    let mut shape_per_motion = vec![(0usize, 0usize); Motion::SINGLE.len()];
    let mut per_shape = [(0usize, 0usize); 3];
    for i in 0..opts.prompts as u64 {
        let (scene, text) = eval_prompt(opts.seed, i);
        let clip = generate(den, &Prompt::text(&vocab, &text), opts, opts.seed + i)?;
        let m = score_clip(&clip);
        let o = &scene.objects[0];
        let hits = [
            m.colour == Some(o.colour),
            m.shape == Some(o.shape),
            m.motion == Some(scene.motion),
        ];
        for k in 0..3 {
            all[k] += usize::from(hits[k]);
        }
        if is_held_out(o.colour, o.shape, scene.motion) {
            n_held += 1;
            for k in 0..3 {
                held[k] += usize::from(hits[k]);
            }
        }
        let mi = Motion::SINGLE.iter().position(|x| *x == scene.motion).unwrap_or(0);
        per_motion[mi].0 += usize::from(hits[2]);
        per_motion[mi].1 += 1;
        shape_per_motion[mi].0 += usize::from(hits[1]);
        shape_per_motion[mi].1 += 1;
        let si = world::Shape::PLAIN.iter().position(|x| *x == o.shape).unwrap_or(0);
        per_shape[si].0 += usize::from(hits[1]);
        per_shape[si].1 += 1;
        coherence += m.coherence as f64;
        on_item(&text);
    }
    let n = opts.prompts;
    r.held_out_phrasings = Adherence {
        n,
        colour: pct(all[0], n),
        shape: pct(all[1], n),
        motion: pct(all[2], n),
    };
    r.held_out_triples = Adherence {
        n: n_held,
        colour: pct(held[0], n_held),
        shape: pct(held[1], n_held),
        motion: pct(held[2], n_held),
    };
    r.temporal_consistency = if n > 0 { coherence / n as f64 } else { 0.0 };
    r.per_motion = Motion::SINGLE
        .iter()
        .zip(&per_motion)
        .map(|(m, (k, n))| (m.name().to_string(), pct(*k, *n)))
        .collect();
    r.shape_per_motion = Motion::SINGLE
        .iter()
        .zip(&shape_per_motion)
        .map(|(m, (k, n))| (m.name().to_string(), pct(*k, *n)))
        .collect();
    r.per_shape = world::Shape::PLAIN
        .iter()
        .zip(&per_shape)
        .map(|(s, (k, n))| (s.name().to_string(), pct(*k, *n)))
        .collect();

    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xC0);
    let mut counted = 0;
    for i in 0..opts.count_prompts {
        let count = 2 + i % 2;
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                count: Some(count),
                motion: Some(Motion::Still),
                ..Default::default()
            },
        );
        let text = caption(
            &mut rng,
            &scene,
            if i % 2 == 0 { Lang::En } else { Lang::Fr },
            Phrasing::HeldOut,
        );
        let clip = generate(den, &Prompt::text(&vocab, &text), opts, opts.seed + 10_000 + i as u64)?;
        counted += usize::from(score_clip(&clip).count == count);
        on_item(&text);
    }
    r.count = pct(counted, opts.count_prompts);
    r.count_n = opts.count_prompts;

    let (mut kept, mut boundaries, mut jump, mut step_sum, mut steps) = (0, 0, 0.0, 0.0, 0);
    let moving = [
        Motion::Right,
        Motion::Left,
        Motion::Up,
        Motion::Down,
        Motion::Orbit,
        Motion::Still,
    ];
    for i in 0..opts.continuity_prompts {
        let mut rng = ChaCha8Rng::seed_from_u64(i as u64);
        let s = sample_scene(
            &mut rng,
            &SceneRequest {
                count: Some(1),
                motion: Some(moving[i % moving.len()]),
                ..Default::default()
            },
        );
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Fr };
        let text = caption(&mut rng, &s, lang, Phrasing::HeldOut);
        let o = SampleOptions {
            steps: opts.steps,
            guidance: opts.guidance,
            seed: opts.seed + 20_000 + i as u64,
            ..Default::default()
        };
        let seconds = (FRAMES + 2 * NEW_FRAMES_PER_CHUNK) as f64 / world::FPS as f64;
        let frames = extend(den, &Prompt::text(&vocab, &text), seconds, &o, &mut |_, _| true)?;
        let clip = Clip {
            frames: frames.len() / (SIZE * SIZE * 3),
            size: SIZE,
            rgb: frames,
        };
        let track = score_clip(&clip).track;
        for b in [FRAMES, FRAMES + NEW_FRAMES_PER_CHUNK] {
            boundaries += 1;
            kept += usize::from(
                frame_colour(&clip, b - 1).is_some() && frame_colour(&clip, b - 1) == frame_colour(&clip, b),
            );
            jump += dist(track[b - 1], track[b]).unwrap_or(SIZE as f64);
        }
        for f in 1..clip.frames {
            if f != FRAMES && f != FRAMES + NEW_FRAMES_PER_CHUNK {
                if let Some(d) = dist(track[f - 1], track[f]) {
                    step_sum += d;
                    steps += 1;
                }
            }
        }
        on_item(&text);
    }
    r.boundary_colour_kept = pct(kept, boundaries);
    r.boundary_jump_px = if boundaries > 0 { jump / boundaries as f64 } else { 0.0 };
    r.within_chunk_step_px = if steps > 0 { step_sum / steps as f64 } else { 0.0 };

    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ 0xA7);
    let (mut with, mut without) = (0.0f64, 0.0f64);
    for i in 0..opts.avatar_prompts {
        let look = random_look(&mut rng);
        let scene = sample_scene(
            &mut rng,
            &SceneRequest {
                look: Some(look),
                ..Default::default()
            },
        );
        let text = caption(&mut rng, &scene, Lang::En, Phrasing::HeldOut);
        let reference = render_reference(&look);
        let seed = opts.seed + 30_000 + i as u64;
        let plain = Prompt::text(&vocab, &text);
        with += f64::from(avatar_similarity(
            &generate(den, &plain.clone().with_avatar(reference.clone())?, opts, seed)?,
            &reference,
        ));
        without += f64::from(avatar_similarity(&generate(den, &plain, opts, seed)?, &reference));
        on_item(&text);
    }
    if opts.avatar_prompts > 0 {
        r.avatar_similarity_with = with / opts.avatar_prompts as f64;
        r.avatar_similarity_without = without / opts.avatar_prompts as f64;
    }
    r.seconds = started.elapsed().as_secs_f64();
    Ok(r)
}
