//! Scene tokens: how model v2 reads a prompt. The parser turns free text into a [`SceneV2`];
//! this turns the scene into a short sequence of ids (slot, count and size per subject, then
//! relation, action, place, light, weather, camera), so every phrasing the parser reads — in
//! English or French — reaches the model the same way. Concept identity travels as the slot's
//! reference image, not as a word, which is what lets the model draw concepts it never saw.

use super::spec::*;

/// Length of a scene-token sequence.
pub const V2_TOKENS: usize = 24;
pub const PAD: i64 = 0;
/// The empty prompt (classifier-free guidance's unconditional branch).
pub const NULL: i64 = 1;

const SLOT0: i64 = 2;
const COUNT0: i64 = SLOT0 + MAX_SLOTS as i64;
const SCALE0: i64 = COUNT0 + MAX_INSTANCES as i64;
const REL0: i64 = SCALE0 + 3;
const ACT0: i64 = REL0 + 5;
const PLACE0: i64 = ACT0 + 16;
const LIGHT0: i64 = PLACE0 + 12;
const WEATHER0: i64 = LIGHT0 + 3;
const CAMERA0: i64 = WEATHER0 + 4;
/// Size of the scene-token vocabulary.
pub const V2_VOCAB: i64 = CAMERA0 + 5;

fn index_of<T: PartialEq>(all: &[T], v: &T) -> i64 {
    all.iter().position(|x| x == v).unwrap_or(0) as i64
}

/// The scene's token ids, padded.
pub fn scene_tokens(scene: &SceneV2) -> [i64; V2_TOKENS] {
    let mut ids = Vec::with_capacity(V2_TOKENS);
    for (slot, s) in scene.subjects.iter().enumerate().take(MAX_SLOTS) {
        ids.push(SLOT0 + slot as i64);
        ids.push(COUNT0 + (s.count.clamp(1, MAX_INSTANCES as u8) - 1) as i64);
        ids.push(SCALE0 + index_of(&Scale::ALL, &s.scale));
    }
    if let Some(r) = scene.relation {
        ids.push(REL0 + index_of(&Relation::ALL, &r));
    }
    ids.push(ACT0 + index_of(&Action::ALL, &scene.action));
    ids.push(PLACE0 + index_of(&Place::ALL, &scene.place));
    ids.push(LIGHT0 + index_of(&Light::ALL, &scene.light));
    ids.push(WEATHER0 + index_of(&Weather::ALL, &scene.weather));
    ids.push(CAMERA0 + index_of(&Camera::ALL, &scene.camera));
    let mut out = [PAD; V2_TOKENS];
    for (o, id) in out.iter_mut().zip(ids) {
        *o = id;
    }
    out
}

/// The unconditional sequence.
pub fn null_tokens() -> [i64; V2_TOKENS] {
    let mut out = [PAD; V2_TOKENS];
    out[0] = NULL;
    out
}
