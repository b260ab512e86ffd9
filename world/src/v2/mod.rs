//! The v2 world: an open vocabulary of real things (1,580 concepts from the emoji font and
//! CLDR), places, light and weather, a parser that reads free EN/FR prompts into a
//! [`SceneV2`], a planner that lays subjects out frame by frame, a renderer and a scorer.

pub mod backdrop;
pub mod backdrop_score;
pub mod caption;
pub mod concepts;
pub mod plan;
pub mod render;
pub mod sample;
pub mod score;
pub mod spec;
pub mod text;
pub mod tokens;
pub mod understand;
pub mod words;

pub use concepts::Library;
pub use spec::*;
pub use understand::{understand, Understood, UnderstoodSubject};
