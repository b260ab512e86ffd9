//! Random v2 scenes for training and evaluation, with concepts held out of training: every
//! concept whose id is a multiple of [`HELD_OUT_EVERY`] (10 %) is never drawn for training,
//! so evaluation can measure how the model renders things it has only seen as a reference.

use rand::seq::SliceRandom;
use rand::Rng;

use super::concepts::Library;
use super::spec::*;

/// One concept in this many is held out of training.
pub const HELD_OUT_EVERY: u16 = 10;

pub fn is_held_out(concept: u16) -> bool {
    concept.is_multiple_of(HELD_OUT_EVERY)
}

/// Which concepts a scene may draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConceptSplit {
    Train,
    HeldOut,
}

fn concept<R: Rng>(rng: &mut R, split: ConceptSplit) -> u16 {
    let n = Library::get().len() as u16;
    loop {
        let id = rng.gen_range(0..n);
        if is_held_out(id) == (split == ConceptSplit::HeldOut) {
            return id;
        }
    }
}

fn pick<R: Rng, T: Copy>(rng: &mut R, all: &[T]) -> T {
    // Slices here are never empty.
    *all.choose(rng).unwrap_or(&all[0])
}

/// A random scene: 1–3 instances of 1–2 concepts, any action, place, light and weather.
pub fn sample_v2<R: Rng>(rng: &mut R, split: ConceptSplit) -> SceneV2 {
    let scale = |rng: &mut R| match rng.gen_range(0..10) {
        0 | 1 => Scale::Tiny,
        2 | 3 => Scale::Giant,
        _ => Scale::Normal,
    };
    let shape = rng.gen_range(0..20);
    let (subjects, relation) = if shape < 11 {
        (
            vec![Subject {
                kind: SubjectKind::Concept(concept(rng, split)),
                count: 1,
                scale: scale(rng),
            }],
            None,
        )
    } else if shape < 17 {
        let a = Subject {
            kind: SubjectKind::Concept(concept(rng, split)),
            count: 1,
            scale: scale(rng),
        };
        let b = Subject {
            kind: SubjectKind::Concept(concept(rng, split)),
            count: 1,
            scale: Scale::Normal,
        };
        let rel = pick(
            rng,
            &[Relation::OnTop, Relation::Beside, Relation::Holding, Relation::Chasing],
        );
        (vec![a, b], Some(rel))
    } else {
        let n = rng.gen_range(2..=MAX_INSTANCES as u8);
        let a = Subject {
            kind: SubjectKind::Concept(concept(rng, split)),
            count: n,
            scale: scale(rng),
        };
        (vec![a], rng.gen_bool(0.5).then_some(Relation::InRow))
    };
    let instances: u8 = subjects.iter().map(|s| s.count).sum();
    let mut action = pick(rng, &Action::ALL);
    if relation == Some(Relation::Chasing) {
        action = Action::Chase;
    } else if action.is_group() && instances < 2 {
        action = Action::Run;
    }
    let light = match rng.gen_range(0..4) {
        0 | 1 => Light::Day,
        2 => Light::Sunset,
        _ => Light::Night,
    };
    let weather = match rng.gen_range(0..10) {
        0 => Weather::Fog,
        1 => Weather::Snow,
        2 => Weather::Rain,
        _ => Weather::Clear,
    };
    let camera = if rng.gen_bool(0.75) {
        Camera::Fixed
    } else {
        pick(rng, &Camera::ALL)
    };
    SceneV2 {
        subjects,
        action,
        relation,
        place: pick(rng, &Place::ALL),
        light,
        weather,
        camera,
        seed: rng.gen(),
    }
}
