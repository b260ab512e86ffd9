//! The scene script: the schema of the shared Y.Doc every room co-edits, and its validator.
//!
//! Y.Doc layout (root types, names are part of the wire contract):
//! - `title`: `Y.Text` — the scene's title.
//! - `shots`: `Y.Array<Y.Map>` — in order; each shot map holds
//!   `id` (string), `prompt` (`Y.Text`), `duration_s` (number), `seed` (integer),
//!   `style` (string), `avatars` (`Y.Array<string>` of avatar ids).
//! - `settings`: `Y.Map` — `steps` (integer), `guidance` (number), `live` (bool),
//!   `resolution` (integer, square frame side in pixels).
//!
//! The server reads the doc into [`SceneScript`] (type errors name the field) and calls
//! [`SceneScript::validate`] before a generation starts; the web app uses the same limits.

use serde::{Deserialize, Serialize};

/// Most shots in one script.
pub const MAX_SHOTS: usize = 32;
/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest shot prompt, in characters.
pub const MAX_PROMPT_CHARS: usize = 2_000;
/// Longest style name, in characters.
pub const MAX_STYLE_CHARS: usize = 64;
/// Longest shot id, in characters.
pub const MAX_SHOT_ID_CHARS: usize = 64;
/// Most avatars cast in one shot.
pub const MAX_AVATARS_PER_SHOT: usize = 4;
/// Shortest and longest shot, in seconds.
pub const MIN_SHOT_SECONDS: f64 = 0.5;
/// See [`MIN_SHOT_SECONDS`].
pub const MAX_SHOT_SECONDS: f64 = 60.0;
/// Denoising steps bounds.
pub const MIN_STEPS: u32 = 1;
/// See [`MIN_STEPS`].
pub const MAX_STEPS: u32 = 50;
/// Classifier-free guidance bounds.
pub const MAX_GUIDANCE: f64 = 20.0;
/// Largest seed (seeds fit in a JavaScript safe integer).
pub const MAX_SEED: u64 = (1 << 53) - 1;
/// Frame sizes the renderer offers (square, pixels).
pub const RESOLUTIONS: [u32; 4] = [64, 128, 256, 512];

/// Defaults the web app writes when it creates a shot or settings.
pub const DEFAULT_STEPS: u32 = 8;
/// See [`DEFAULT_STEPS`].
pub const DEFAULT_GUIDANCE: f64 = 3.0;
/// See [`DEFAULT_STEPS`].
pub const DEFAULT_RESOLUTION: u32 = 256;
/// See [`DEFAULT_STEPS`].
pub const DEFAULT_SHOT_SECONDS: f64 = 4.0;

/// A whole scene script, as read from a room's Y.Doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SceneScript {
    /// Scene title.
    pub title: String,
    /// Shots in order.
    pub shots: Vec<Shot>,
    /// Generation settings.
    pub settings: Settings,
}

/// One shot of a scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Shot {
    /// Stable id, unique within the script.
    pub id: String,
    /// What the shot shows, in plain English or French.
    pub prompt: String,
    /// Length in seconds.
    pub duration_s: f64,
    /// Noise seed; the same seed and script give the same video.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seed: u64,
    /// Visual style name.
    pub style: String,
    /// Avatar ids cast in this shot (consent is checked by the avatar service).
    pub avatars: Vec<String>,
}

/// Generation settings of a scene.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    /// Denoising steps.
    pub steps: u32,
    /// Classifier-free guidance scale.
    pub guidance: f64,
    /// Whether script edits steer a running generation.
    pub live: bool,
    /// Square frame side in pixels, one of [`RESOLUTIONS`].
    pub resolution: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            steps: DEFAULT_STEPS,
            guidance: DEFAULT_GUIDANCE,
            live: false,
            resolution: DEFAULT_RESOLUTION,
        }
    }
}

/// A script that fails validation: `field` is a path such as `shots[2].duration_s`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ScriptError {
    /// Path of the bad field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ScriptError {
    /// Builds an error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ScriptError {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ScriptError {}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), ScriptError> {
    let chars = value.chars().count();
    if chars > max {
        return Err(ScriptError::new(
            field,
            format!("{chars} characters, at most {max} allowed"),
        ));
    }
    Ok(())
}

impl SceneScript {
    /// Checks every limit; the first problem found is returned, naming its field.
    pub fn validate(&self) -> Result<(), ScriptError> {
        check_len("title", &self.title, MAX_TITLE_CHARS)?;
        if self.shots.is_empty() {
            return Err(ScriptError::new("shots", "the script has no shots"));
        }
        if self.shots.len() > MAX_SHOTS {
            return Err(ScriptError::new(
                "shots",
                format!("{} shots, at most {MAX_SHOTS} allowed", self.shots.len()),
            ));
        }
        let mut seen_ids = std::collections::HashSet::new();
        for (index, shot) in self.shots.iter().enumerate() {
            shot.validate(&format!("shots[{index}]"))?;
            if !seen_ids.insert(shot.id.as_str()) {
                return Err(ScriptError::new(format!("shots[{index}].id"), "duplicate shot id"));
            }
        }
        self.settings.validate()
    }
}

impl Shot {
    fn validate(&self, path: &str) -> Result<(), ScriptError> {
        if self.id.is_empty() {
            return Err(ScriptError::new(format!("{path}.id"), "must not be empty"));
        }
        check_len(&format!("{path}.id"), &self.id, MAX_SHOT_ID_CHARS)?;
        if self.prompt.trim().is_empty() {
            return Err(ScriptError::new(format!("{path}.prompt"), "must not be empty"));
        }
        check_len(&format!("{path}.prompt"), &self.prompt, MAX_PROMPT_CHARS)?;
        if !(MIN_SHOT_SECONDS..=MAX_SHOT_SECONDS).contains(&self.duration_s) {
            return Err(ScriptError::new(
                format!("{path}.duration_s"),
                format!("must be between {MIN_SHOT_SECONDS} and {MAX_SHOT_SECONDS} seconds"),
            ));
        }
        if self.seed > MAX_SEED {
            return Err(ScriptError::new(format!("{path}.seed"), "must be below 2^53"));
        }
        check_len(&format!("{path}.style"), &self.style, MAX_STYLE_CHARS)?;
        if self.avatars.len() > MAX_AVATARS_PER_SHOT {
            return Err(ScriptError::new(
                format!("{path}.avatars"),
                format!("at most {MAX_AVATARS_PER_SHOT} avatars per shot"),
            ));
        }
        Ok(())
    }
}

impl Settings {
    fn validate(&self) -> Result<(), ScriptError> {
        if !(MIN_STEPS..=MAX_STEPS).contains(&self.steps) {
            return Err(ScriptError::new(
                "settings.steps",
                format!("must be between {MIN_STEPS} and {MAX_STEPS}"),
            ));
        }
        if !(0.0..=MAX_GUIDANCE).contains(&self.guidance) {
            return Err(ScriptError::new(
                "settings.guidance",
                format!("must be between 0 and {MAX_GUIDANCE}"),
            ));
        }
        if !RESOLUTIONS.contains(&self.resolution) {
            return Err(ScriptError::new(
                "settings.resolution",
                format!("must be one of {RESOLUTIONS:?}"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot(id: &str) -> Shot {
        Shot {
            id: id.into(),
            prompt: "a red ball bouncing".into(),
            duration_s: 4.0,
            seed: 7,
            style: "cinematic".into(),
            avatars: vec![],
        }
    }

    fn script() -> SceneScript {
        SceneScript {
            title: "t".into(),
            shots: vec![shot("a")],
            settings: Settings::default(),
        }
    }

    #[test]
    fn a_good_script_passes() {
        assert_eq!(script().validate(), Ok(()));
    }

    #[test]
    fn errors_name_the_bad_field() {
        let mut s = script();
        s.shots.push(shot("b"));
        s.shots[1].duration_s = 99.0;
        assert_eq!(
            s.validate().map_err(|e| e.field),
            Err("shots[1].duration_s".to_string())
        );

        let mut s = script();
        s.shots.push(shot("a"));
        assert_eq!(s.validate().map_err(|e| e.field), Err("shots[1].id".to_string()));

        let mut s = script();
        s.settings.resolution = 100;
        assert_eq!(
            s.validate().map_err(|e| e.field),
            Err("settings.resolution".to_string())
        );

        let mut s = script();
        s.shots[0].prompt = "  ".into();
        assert_eq!(s.validate().map_err(|e| e.field), Err("shots[0].prompt".to_string()));

        let mut s = script();
        s.shots.clear();
        assert_eq!(s.validate().map_err(|e| e.field), Err("shots".to_string()));
    }

    #[test]
    fn usernames() {
        assert!(crate::is_valid_username("ann_99"));
        assert!(!crate::is_valid_username("an"));
        assert!(!crate::is_valid_username("Ann"));
        assert!(!crate::is_valid_username(&"a".repeat(33)));
    }
}
