//! Model v2 (`reelroom-v2`): the v1 network conditioned on scene tokens, one reference image
//! per subject slot (an atlas concept or an avatar crop) and the planner's layout canvas, plus a
//! learned 2× upsampler to 128×128. This module builds its conditioning from a [`SceneCond`],
//! its training batches from rendered v2 scenes, and runs the upsampler after sampling.

use std::sync::Arc;

use tch::{Device, Kind, Tensor};
use world::v2::concepts::Sprite;
use world::v2::render::{half, render_canvas, render_v2, slot_sprites, V2_SIZE};
use world::v2::tokens::{null_tokens, scene_tokens, V2_TOKENS};
use world::v2::{understand, SceneV2, SubjectKind, MAX_SLOTS};
use world::{FRAMES, REF_SIZE, SIZE};

use crate::frames::rgb_to_tensor;
use crate::model::upsample::Upsampler;
use crate::model::{Cond, VideoDenoiser};

/// Width and height of model v2's output frames (after the upsampler).
pub const V2_OUTPUT_SIZE: usize = V2_SIZE;

/// Folder of the shipped v2 model, relative to the repository root.
pub const V2_MODEL_DIR: &str = "models/reelroom-v2";

/// What model v2 renders: the parsed scene, the reference crop of every slot, and the frame
/// time the chunk starts at (so extension chunks continue the planned motion).
#[derive(Debug, Clone, PartialEq)]
pub struct SceneCond {
    pub scene: SceneV2,
    /// Avatar crops (REF_SIZE² RGB) for the scene's avatar slots, in slot order.
    pub avatars: Vec<Vec<u8>>,
    pub start_frame: f32,
}

impl SceneCond {
    /// Reads a prompt into a scene (the same parser the studio shows).
    pub fn from_prompt(text: &str, seed: u32) -> Self {
        Self {
            scene: understand(text).scene(seed),
            avatars: Vec::new(),
            start_frame: 0.0,
        }
    }

    fn sprites(&self) -> Vec<Sprite> {
        slot_sprites(&self.scene, &self.avatars)
    }

    /// Reference image per slot (RGB REF_SIZE²) and whether the slot is used.
    fn references(&self) -> Vec<(Vec<u8>, bool)> {
        let lib = world::v2::Library::get();
        let mut avatars = self.avatars.iter();
        (0..MAX_SLOTS)
            .map(|slot| match self.scene.subjects.get(slot).map(|s| s.kind) {
                Some(SubjectKind::Concept(id)) => (lib.reference(id, REF_SIZE), true),
                Some(SubjectKind::Avatar) => match avatars.next() {
                    Some(a) if a.len() == REF_SIZE * REF_SIZE * 3 => (a.clone(), true),
                    _ => (vec![128; REF_SIZE * REF_SIZE * 3], false),
                },
                None => (vec![128; REF_SIZE * REF_SIZE * 3], false),
            })
            .collect()
    }

    /// The layout canvas of this chunk at `size` (RGBA bytes).
    pub fn canvas(&self, size: usize) -> Vec<u8> {
        render_canvas(&self.scene, &self.sprites(), self.start_frame, FRAMES, size)
    }
}

/// RGBA bytes of `n` clips → [n, T, 4, size, size] in [−1, 1].
pub fn canvas_tensor(rgba: &[u8], n: usize, size: usize) -> Tensor {
    Tensor::from_slice(rgba)
        .view([n as i64, FRAMES as i64, size as i64, size as i64, 4])
        .permute([0, 1, 4, 2, 3])
        .to_kind(Kind::Float)
        / 127.5
        - 1.0
}

/// Conditioning for a batch: scene tokens and slot references from `scenes` (`None` = the
/// empty prompt), the layout canvas from `layouts` (`None` = empty). Guidance's empty branch
/// keeps the asked-for layout, so guidance sharpens place and light, not the pasted subjects.
pub fn encode(
    model: &VideoDenoiser,
    scenes: &[Option<Arc<SceneCond>>],
    layouts: &[Option<Arc<SceneCond>>],
    device: Device,
    kind: Kind,
) -> Cond {
    let n = scenes.len();
    let mut tokens = Vec::with_capacity(n * V2_TOKENS);
    let mut refs = Vec::with_capacity(n * MAX_SLOTS * REF_SIZE * REF_SIZE * 3);
    let mut has = Vec::with_capacity(n * MAX_SLOTS);
    let mut canvas = Vec::with_capacity(n * FRAMES * SIZE * SIZE * 4);
    let mut last_layout: Option<&Arc<SceneCond>> = None;
    for (s, layout) in scenes.iter().zip(layouts) {
        match s {
            Some(s) => {
                tokens.extend(scene_tokens(&s.scene));
                for (r, present) in s.references() {
                    refs.extend(r);
                    has.push(if present { 1.0f32 } else { 0.0 });
                }
            }
            None => {
                tokens.extend(null_tokens());
                refs.extend(std::iter::repeat_n(128u8, MAX_SLOTS * REF_SIZE * REF_SIZE * 3));
                has.extend([0.0f32; MAX_SLOTS]);
            }
        }
        // Guidance's two branches share one layout: draw it once.
        let clip_bytes = FRAMES * SIZE * SIZE * 4;
        let drawn = match (layout, last_layout) {
            (Some(l), Some(prev)) if Arc::ptr_eq(l, prev) => None,
            _ => Some(match layout {
                Some(l) => l.canvas(SIZE),
                None => vec![0u8; clip_bytes],
            }),
        };
        match drawn {
            Some(bytes) => canvas.extend(bytes),
            None => canvas.extend_from_within(canvas.len() - clip_bytes..),
        }
        last_layout = layout.as_ref();
    }
    let tokens = Tensor::from_slice(&tokens)
        .view([n as i64, V2_TOKENS as i64])
        .to_device(device);
    let refs = rgb_to_tensor(&refs, n * MAX_SLOTS, REF_SIZE)
        .view([n as i64, MAX_SLOTS as i64, 3, REF_SIZE as i64, REF_SIZE as i64])
        .to_device(device)
        .to_kind(kind);
    let has = Tensor::from_slice(&has)
        .view([n as i64, MAX_SLOTS as i64])
        .to_device(device)
        .to_kind(kind);
    let canvas = canvas_tensor(&canvas, n, SIZE).to_device(device).to_kind(kind);
    model.encode_slots(&tokens, &refs, &has, Some(&canvas))
}

/// Upsamples a finished 64×64 chunk to 128×128 with the scene's 128×128 canvas.
pub fn upsample(up: &Upsampler, frames64: &Tensor, scene: &SceneCond) -> Tensor {
    let device = frames64.device();
    let canvas = canvas_tensor(&scene.canvas(V2_SIZE), 1, V2_SIZE)
        .to_device(device)
        .view([FRAMES as i64, 4, V2_SIZE as i64, V2_SIZE as i64]);
    let low = frames64.reshape([FRAMES as i64, 3, SIZE as i64, SIZE as i64]);
    tch::no_grad(|| up.forward(&low, &canvas))
}

/// Share of training scenes whose first subject is an avatar.
pub const AVATAR_SHARE: f64 = 0.1;

/// One v2 training example: the scene, its 128×128 render and the 64×64 one.
#[derive(Debug, Clone)]
pub struct ExampleV2 {
    pub scene: Arc<SceneCond>,
    pub rgb128: Vec<u8>,
    pub rgb64: Vec<u8>,
    pub canvas128: Vec<u8>,
}

/// Renders the `index`-th training example of a seeded stream (held-out concepts excluded).
pub fn training_example(seed: u64, index: u64) -> ExampleV2 {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut scene = world::v2::sample::sample_v2(&mut rng, world::v2::sample::ConceptSplit::Train);
    // Some first subjects are avatars (a character crop), so cameos use the same slots.
    let mut avatars = Vec::new();
    if rng.gen_bool(AVATAR_SHARE) {
        scene.subjects[0].kind = SubjectKind::Avatar;
        avatars.push(world::render_reference(&world::sample::random_look(&mut rng)));
    }
    let start = rng.gen_range(0..64) as f32;
    let sprites = slot_sprites(&scene, &avatars);
    let r = render_v2(&scene, &sprites, start, FRAMES, V2_SIZE);
    let rgb64 = half(&r.clip.rgb, FRAMES, V2_SIZE, 3);
    ExampleV2 {
        scene: Arc::new(SceneCond {
            scene,
            avatars,
            start_frame: start,
        }),
        rgb128: r.clip.rgb,
        rgb64,
        canvas128: r.canvas,
    }
}
