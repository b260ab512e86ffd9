//! Model v2's evaluation: held-out phrasings (EN and FR) of scenes with seen concepts, scenes
//! with concepts never drawn in training, and the product's seed examples — each prompt goes
//! through the parser, the model and scorer v2, and is judged against the scene that was asked
//! for (so a misread prompt counts as a miss).

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use world::caption::Lang;
use world::v2::caption::{caption_v2, Phrasing};
use world::v2::sample::{sample_v2, ConceptSplit};
use world::v2::score::{same_motion, score_v2, Templates};
use world::v2::{understand, SceneV2};
use world::{Clip, Vocab, FRAMES, SIZE};

use crate::denoiser::{Denoiser, Prompt};
use crate::sampler::{sample, SampleOptions, StepAction};
use crate::EngineError;

/// The product's seed examples, in English and French.
pub const SEED_EXAMPLES: [&str; 10] = [
    "a cat dancing on a rooftop at sunset",
    "un chat qui danse sur un toit au coucher du soleil",
    "a cat on the head of a figure skater doing a pirouette",
    "un chat sur la tête d'une patineuse artistique qui fait une pirouette",
    "an elephant playing saxophone in a smoky New York jazz club",
    "un éléphant qui joue du saxophone dans un club de jazz enfumé à New York",
    "a race of giant ducklings through a miniature city",
    "une course de canetons géants à travers une ville miniature",
    "a polar bear walking on a snowy skyscraper in Tokyo at sunset",
    "un ours polaire qui marche sur un gratte-ciel enneigé à Tokyo au coucher du soleil",
];

#[derive(Debug, Clone)]
pub struct EvalV2Options {
    /// Prompts per set (seen concepts, never-seen concepts).
    pub prompts: usize,
    pub steps: usize,
    pub guidance: f64,
    pub seed: u64,
    /// Write an 8-frame 128×128 strip of each seed example here (`seed-N.png`).
    pub strips: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SetScore {
    pub n: usize,
    /// Share of subject slots found (atlas match at the rendered scale).
    pub subject_present: f64,
    pub action: f64,
    pub place: f64,
    pub light: f64,
    /// Prompts the parser read back as the scene asked for (subjects, action, place, light).
    pub parsed_exactly: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeedResult {
    pub prompt: String,
    pub understood: String,
    pub subject_present: Vec<bool>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalV2Report {
    pub model: String,
    pub seen_concepts: SetScore,
    pub never_seen_concepts: SetScore,
    pub seed_examples: Vec<SeedResult>,
    /// Mean likeness (correlation, −1..1) of the avatar slot to its reference crop, generated
    /// with the crop and with a grey one.
    pub avatar_likeness_with: f64,
    pub avatar_likeness_without: f64,
    pub avatar_n: usize,
    pub seconds: f64,
}

/// Avatar prompts: "@me" doing something somewhere, cast with a v1 character crop.
const AVATAR_PROMPTS: [&str; 6] = [
    "@me dancing on the beach",
    "@me walking in a forest at sunset",
    "@me qui saute dans une rue",
    "@me jumping in a kitchen",
    "@me spinning on a stage",
    "@me qui marche sur un toit la nuit",
];

fn pct(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        100.0 * a as f64 / b as f64
    }
}

/// Generates one 64×64 chunk of `text` (parsed by the model's own path).
pub fn generate_scene(
    den: &dyn Denoiser,
    text: &str,
    opts: &EvalV2Options,
    seed: u64,
) -> Result<(Clip, SceneV2), EngineError> {
    generate_prompt(den, text, opts, seed).map(|(clip, scene, _)| (clip, scene))
}

fn generate_prompt(
    den: &dyn Denoiser,
    text: &str,
    opts: &EvalV2Options,
    seed: u64,
) -> Result<(Clip, SceneV2, Prompt), EngineError> {
    let prompt = Prompt::text(&Vocab::new(), text).with_scene_seed(seed);
    let (clip, parsed) = run(den, &prompt, opts, seed)?;
    Ok((clip, parsed, prompt))
}

/// Samples one 64×64 chunk of a prepared prompt; returns it with the scene the model was given.
fn run(den: &dyn Denoiser, prompt: &Prompt, opts: &EvalV2Options, seed: u64) -> Result<(Clip, SceneV2), EngineError> {
    let parsed = prompt
        .scene
        .as_ref()
        .map(|s| s.scene.clone())
        .ok_or_else(|| EngineError::InvalidRequest("model v2 needs a parsed scene".into()))?;
    let o = SampleOptions {
        steps: opts.steps,
        guidance: opts.guidance,
        seed,
        ..Default::default()
    };
    let g = sample(den, prompt, &o, &mut |_| StepAction::Continue)?;
    Ok((
        Clip {
            frames: FRAMES,
            size: SIZE,
            rgb: g.frames,
        },
        parsed,
    ))
}

fn run_set(
    den: &dyn Denoiser,
    opts: &EvalV2Options,
    split: ConceptSplit,
    cache: &mut Templates,
    on_item: &mut dyn FnMut(&str),
) -> Result<SetScore, EngineError> {
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed ^ if split == ConceptSplit::Train { 0 } else { 0xFEED });
    let (mut present, mut slots, mut action, mut place, mut light, mut exact) = (0, 0, 0, 0, 0, 0);
    for i in 0..opts.prompts {
        let asked = sample_v2(&mut rng, split);
        let lang = if i % 2 == 0 { Lang::En } else { Lang::Fr };
        let text = caption_v2(&mut rng, &asked, lang, Phrasing::HeldOut);
        let seed = opts.seed + i as u64;
        let (clip, parsed) = generate_scene(den, &text, opts, seed)?;
        let read = understand(&text);
        exact += usize::from(
            read.subjects
                .iter()
                .map(|s| s.kind)
                .eq(asked.subjects.iter().map(|s| s.kind))
                && same_motion(parsed.action, asked.action)
                && parsed.place == asked.place
                && parsed.light == asked.light,
        );
        // Judge against what was asked, laid out as the model was told (the parsed seed).
        let mut judged = asked.clone();
        judged.seed = parsed.seed;
        let m = score_v2(&clip, &judged, 0.0, cache);
        for p in m.present.iter().flatten() {
            slots += 1;
            present += usize::from(*p);
        }
        action += usize::from(same_motion(m.action, asked.action));
        place += usize::from(m.place == asked.place);
        light += usize::from(m.light == asked.light);
        on_item(&text);
    }
    let n = opts.prompts;
    Ok(SetScore {
        n,
        subject_present: pct(present, slots),
        action: pct(action, n),
        place: pct(place, n),
        light: pct(light, n),
        parsed_exactly: pct(exact, n),
    })
}

/// Runs the whole v2 evaluation.
pub fn evaluate_v2(
    den: &dyn Denoiser,
    opts: &EvalV2Options,
    on_item: &mut dyn FnMut(&str),
) -> Result<EvalV2Report, EngineError> {
    let started = std::time::Instant::now();
    let mut cache = Templates::default();
    let seen_concepts = run_set(den, opts, ConceptSplit::Train, &mut cache, on_item)?;
    let never_seen_concepts = run_set(den, opts, ConceptSplit::HeldOut, &mut cache, on_item)?;
    let mut seed_examples = Vec::new();
    for (i, text) in SEED_EXAMPLES.iter().enumerate() {
        let (clip, parsed, prompt) = generate_prompt(den, text, opts, opts.seed + 1000 + i as u64)?;
        let m = score_v2(&clip, &parsed, 0.0, &mut cache);
        if let (Some(dir), Some(v2)) = (&opts.strips, den.v2_for(&prompt)) {
            let frames = v2.upsample_video(&clip.rgb, &prompt)?;
            write_strip(&dir.join(format!("seed-{i}.png")), &frames, crate::v2::V2_OUTPUT_SIZE)?;
        }
        seed_examples.push(SeedResult {
            prompt: text.to_string(),
            understood: understand(text).summary(),
            subject_present: m.present.iter().map(|p| p.unwrap_or(false)).collect(),
        });
        on_item(text);
    }
    let (mut with, mut without) = (0.0, 0.0);
    for (i, text) in AVATAR_PROMPTS.iter().enumerate() {
        let seed = opts.seed + 2000 + i as u64;
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let crop = world::render_reference(&world::sample::random_look(&mut rng));
        for (cast, acc) in [(true, &mut with), (false, &mut without)] {
            let mut prompt = Prompt::text(&Vocab::new(), text).with_scene_seed(seed);
            if cast {
                prompt = prompt.with_avatar(crop.clone())?;
            }
            let (clip, scene) = run(den, &prompt, opts, seed)?;
            *acc += world::v2::score::avatar_likeness(&clip, &scene, 0.0, &crop) as f64;
        }
        on_item(text);
    }
    let avatar_n = AVATAR_PROMPTS.len();
    Ok(EvalV2Report {
        avatar_likeness_with: with / avatar_n as f64,
        avatar_likeness_without: without / avatar_n as f64,
        avatar_n,
        model: den.name().to_string(),
        seen_concepts,
        never_seen_concepts,
        seed_examples,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Every other frame of a 16-frame clip, side by side, as one PNG.
pub fn write_strip(path: &std::path::Path, rgb: &[u8], size: usize) -> Result<(), EngineError> {
    let n = FRAMES / 2;
    let mut strip = vec![0u8; n * size * size * 3];
    for k in 0..n {
        let f = &rgb[(2 * k) * size * size * 3..(2 * k + 1) * size * size * 3];
        for y in 0..size {
            let dst = (y * n * size + k * size) * 3;
            strip[dst..dst + size * 3].copy_from_slice(&f[y * size * 3..(y + 1) * size * 3]);
        }
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut enc = png::Encoder::new(file, (n * size) as u32, size as u32);
    enc.set_color(png::ColorType::Rgb);
    enc.write_header()?.write_image_data(&strip)?;
    Ok(())
}
