//! Training examples: a rendered clip with its caption tokens, an optional avatar reference and
//! an optional run of known leading frames (extension). The Rust trainer and the `world-stream`
//! binary (which feeds an external GPU trainer) both draw from here.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::caption::{caption, Lang, Phrasing};
use crate::render::{render_clip, render_reference};
use crate::sample::{sample_scene, SceneRequest};
use crate::vocab::{Vocab, MAX_TOKENS};
use crate::{CONTEXT_FRAMES, FRAMES, REF_SIZE, SIZE};

/// Share of examples whose first frames are given (teaches extension).
pub const CONTEXT_SHARE: f64 = 0.3;
/// Share of character examples that come with their avatar reference.
pub const REFERENCE_SHARE: f64 = 0.85;
/// Bytes of one serialized example (see [`Example::write_to`]).
pub const RECORD_BYTES: usize = FRAMES * SIZE * SIZE * 3 + MAX_TOKENS * 2 + REF_SIZE * REF_SIZE * 3 + 2;

#[derive(Debug, Clone)]
pub struct Example {
    pub caption: String,
    pub tokens: [i64; MAX_TOKENS],
    /// `FRAMES × SIZE × SIZE × 3` RGB bytes.
    pub frames: Vec<u8>,
    /// `REF_SIZE × REF_SIZE × 3` RGB bytes (grey when absent).
    pub reference: Vec<u8>,
    pub has_reference: bool,
    /// Number of leading frames given to the model (0 or [`CONTEXT_FRAMES`]).
    pub known: usize,
}

/// Example number `index` of the stream seeded with `seed` (independent of any other index).
pub fn training_example(vocab: &Vocab, seed: u64, index: u64) -> Example {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let scene = sample_scene(
        &mut rng,
        &SceneRequest {
            exclude_held_out: true,
            allow_character: true,
            ..Default::default()
        },
    );
    let lang = if rng.gen_bool(0.6) { Lang::En } else { Lang::Fr };
    let text = caption(&mut rng, &scene, lang, Phrasing::Train);
    let known = if rng.gen_bool(CONTEXT_SHARE) { CONTEXT_FRAMES } else { 0 };
    // Extension examples start mid-motion so the model learns to continue any state.
    let t0 = if known > 0 {
        rng.gen_range(0.0..48.0f32).floor()
    } else {
        0.0
    };
    let clip = render_clip(&scene, t0, FRAMES, SIZE);
    let look = scene.objects.iter().find_map(|o| o.look);
    let has_reference = look.is_some() && rng.gen_bool(REFERENCE_SHARE);
    let reference = match (has_reference, look) {
        (true, Some(look)) => render_reference(&look),
        _ => vec![128u8; REF_SIZE * REF_SIZE * 3],
    };
    Example {
        tokens: vocab.encode(&text),
        caption: text,
        frames: clip.rgb,
        reference,
        has_reference,
        known,
    }
}

impl Example {
    /// Appends the fixed-size record: frames, tokens (u16 LE), reference, has_reference, known.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.frames);
        for t in self.tokens {
            out.extend_from_slice(&(t as u16).to_le_bytes());
        }
        out.extend_from_slice(&self.reference);
        out.push(u8::from(self.has_reference));
        out.push(self.known as u8);
    }
}

/// Bytes of one evaluation prompt record: tokens (u16 LE) then colour, shape, motion indices
/// and whether the triple is held out of training.
pub const EVAL_RECORD_BYTES: usize = MAX_TOKENS * 2 + 4;

/// Evaluation prompt number `index`: one object, every (colour, shape, motion) triple in turn,
/// captioned with the held-out phrasings, English and French alternating.
pub fn eval_prompt(seed: u64, index: u64) -> (crate::SceneSpec, String) {
    use crate::spec::{Colour, Motion, Shape};
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let n_motion = Motion::SINGLE.len() as u64;
    let triple = index % (Colour::ALL.len() as u64 * Shape::PLAIN.len() as u64 * n_motion);
    let colour = Colour::ALL[(triple / (3 * n_motion)) as usize];
    let shape = Shape::PLAIN[((triple / n_motion) % 3) as usize];
    let motion = Motion::SINGLE[(triple % n_motion) as usize];
    let req = SceneRequest {
        count: Some(1),
        colour: Some(colour),
        shape: Some(shape),
        motion: Some(motion),
        ..Default::default()
    };
    let scene = sample_scene(&mut rng, &req);
    let lang = if index.is_multiple_of(2) { Lang::En } else { Lang::Fr };
    let text = caption(&mut rng, &scene, lang, Phrasing::HeldOut);
    (scene, text)
}

/// Serialises an evaluation prompt (see [`EVAL_RECORD_BYTES`]).
pub fn write_eval_record(vocab: &Vocab, scene: &crate::SceneSpec, text: &str, out: &mut Vec<u8>) {
    for t in vocab.encode(text) {
        out.extend_from_slice(&(t as u16).to_le_bytes());
    }
    let o = &scene.objects[0];
    let idx = |v: usize| v as u8;
    out.push(idx(crate::Colour::ALL.iter().position(|c| *c == o.colour).unwrap_or(0)));
    out.push(idx(crate::Shape::PLAIN.iter().position(|s| *s == o.shape).unwrap_or(0)));
    out.push(idx(crate::Motion::SINGLE
        .iter()
        .position(|m| *m == scene.motion)
        .unwrap_or(0)));
    out.push(u8::from(crate::sample::is_held_out(o.colour, o.shape, scene.motion)));
}
