//! `GET /api/understand?text=…`: how the video model reads a shot's prompt, for the studio's
//! live read-out under each prompt (and `make generate`'s log).

use serde::{Deserialize, Serialize};

/// One thing the prompt names: a concept of the model's vocabulary, or an `@avatar`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnderstoodSubject {
    /// The concept's CLDR English name ("cat"), or the avatar's handle.
    pub concept: String,
    /// The concept's French name ("chat"); the handle again for an avatar.
    pub concept_fr: String,
    /// The concept's emoji ("🐈"); empty for an avatar.
    pub emoji: String,
    /// How many of it ("three cats": 3).
    pub count: u8,
    /// `tiny`, `normal` or `giant`.
    pub size: String,
    /// The prompt's words that named it.
    pub words: String,
    /// How those words were matched: `name`, `keyword`, `synonym`, `spelling`, `emoji` or `avatar`.
    pub matched: String,
}

/// A word read as another by its spelling ("elefant" → "elephant").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Correction {
    /// As typed.
    pub typed: String,
    /// As read.
    pub read: String,
}

/// How a prompt was understood. Absent settings (`null`) take the model's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Understanding {
    /// What the prompt shows, in prompt order.
    pub subjects: Vec<UnderstoodSubject>,
    /// What they do (`dance`, `run`, `chase`, …).
    pub action: Option<String>,
    /// How the first subject relates to the second (`on_top`, `beside`, `chasing`, …).
    pub relation: Option<String>,
    /// Where (`rooftop`, `beach`, `space`, …).
    pub place: Option<String>,
    /// `day`, `sunset` or `night`.
    pub light: Option<String>,
    /// `clear`, `fog`, `snow` or `rain`.
    pub weather: Option<String>,
    /// How the camera moves (`fixed`, `pan_left`, `zoom_in`, …).
    pub camera: Option<String>,
    /// Content words the model could not read (function words are never listed).
    pub ignored: Vec<String>,
    /// Words read by their spelling.
    pub corrected: Vec<Correction>,
    /// Whether the prompt was longer than the model reads (the rest was left out).
    pub truncated: bool,
    /// One line for people: "🐈 cat · dance · rooftop · sunset".
    pub summary: String,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_shape_is_snake_case_with_nulls() {
        let u = Understanding {
            subjects: vec![UnderstoodSubject {
                concept: "cat".into(),
                concept_fr: "chat".into(),
                emoji: "🐈".into(),
                count: 1,
                size: "normal".into(),
                words: "cat".into(),
                matched: "name".into(),
            }],
            action: Some("dance".into()),
            relation: None,
            place: Some("rooftop".into()),
            light: Some("sunset".into()),
            weather: None,
            camera: None,
            ignored: vec!["zorblax".into()],
            corrected: vec![Correction {
                typed: "elefant".into(),
                read: "elephant".into(),
            }],
            truncated: false,
            summary: "🐈 cat · dance · rooftop · sunset".into(),
        };
        let json = serde_json::to_string(&u).unwrap();
        assert_eq!(
            json,
            r#"{"subjects":[{"concept":"cat","concept_fr":"chat","emoji":"🐈","count":1,"size":"normal","words":"cat","matched":"name"}],"action":"dance","relation":null,"place":"rooftop","light":"sunset","weather":null,"camera":null,"ignored":["zorblax"],"corrected":[{"typed":"elefant","read":"elephant"}],"truncated":false,"summary":"🐈 cat · dance · rooftop · sunset"}"#
        );
        assert_eq!(serde_json::from_str::<Understanding>(&json).unwrap(), u);
    }
}
