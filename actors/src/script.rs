//! Reads a room's Y.Doc into the typed [`SceneScript`] of `protocol`, naming any field whose
//! type is wrong; then the caller runs [`SceneScript::validate`] for the limits. Also writes a
//! script into a fresh doc, in the layout the web app edits (a remix starts from its source's).

use std::collections::HashMap;

use protocol::script::{SceneScript, ScriptError, Settings, Shot};
use yrs::types::ToJson;
use yrs::{Any, Doc, GetString, ReadTxn, Transact};

/// Reads and validates the script of `doc` (see `protocol::script` for the layout).
pub fn read_script(doc: &Doc) -> Result<SceneScript, ScriptError> {
    let txn = doc.transact();
    let title = txn.get_text("title").map(|t| t.get_string(&txn)).unwrap_or_default();
    let shots_json = txn.get_array("shots").map(|a| a.to_json(&txn));
    let settings_json = txn.get_map("settings").map(|m| m.to_json(&txn));
    drop(txn);

    let shots = match shots_json {
        None => Vec::new(),
        Some(Any::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| read_shot(&format!("shots[{i}]"), item))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ScriptError::new("shots", "must be an array")),
    };
    let settings = match settings_json {
        None => Settings::default(),
        Some(Any::Map(map)) => read_settings(&map)?,
        Some(_) => return Err(ScriptError::new("settings", "must be a map")),
    };
    let script = SceneScript { title, shots, settings };
    script.validate()?;
    Ok(script)
}

/// A Yjs v1 update that builds `script` in an empty doc: `title` and each prompt as Y.Text,
/// shots as Y.Maps with an `avatars` Y.Array, `settings` as a Y.Map.
pub fn script_update(script: &SceneScript) -> Vec<u8> {
    use yrs::{Array, ArrayPrelim, Map, MapPrelim, Text, TextPrelim, WriteTxn};
    let doc = Doc::new();
    let mut txn = doc.transact_mut();
    txn.get_or_insert_text("title").insert(&mut txn, 0, &script.title);
    let shots = txn.get_or_insert_array("shots");
    for shot in &script.shots {
        let map = shots.push_back(&mut txn, MapPrelim::default());
        map.insert(&mut txn, "id", shot.id.as_str());
        map.insert(&mut txn, "prompt", TextPrelim::new(shot.prompt.as_str()));
        map.insert(&mut txn, "duration_s", shot.duration_s);
        map.insert(&mut txn, "seed", shot.seed as f64);
        map.insert(&mut txn, "style", shot.style.as_str());
        map.insert(
            &mut txn,
            "avatars",
            ArrayPrelim::from(shot.avatars.iter().map(|a| Any::from(a.as_str())).collect::<Vec<_>>()),
        );
    }
    let settings = txn.get_or_insert_map("settings");
    settings.insert(&mut txn, "steps", script.settings.steps as f64);
    settings.insert(&mut txn, "guidance", script.settings.guidance);
    settings.insert(&mut txn, "live", script.settings.live);
    settings.insert(&mut txn, "resolution", script.settings.resolution as f64);
    txn.encode_update_v1()
}

fn read_shot(path: &str, item: &Any) -> Result<Shot, ScriptError> {
    let Any::Map(map) = item else {
        return Err(ScriptError::new(path, "must be a map"));
    };
    let field = |name: &str| format!("{path}.{name}");
    let avatars = match map.get("avatars") {
        None | Some(Any::Null | Any::Undefined) => Vec::new(),
        Some(Any::Array(ids)) => ids
            .iter()
            .enumerate()
            .map(|(i, id)| match id {
                Any::String(s) => Ok(s.to_string()),
                _ => Err(ScriptError::new(format!("{path}.avatars[{i}]"), "must be a string")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ScriptError::new(field("avatars"), "must be an array")),
    };
    Ok(Shot {
        id: string(map, "id", &field("id"))?.unwrap_or_default(),
        prompt: string(map, "prompt", &field("prompt"))?.unwrap_or_default(),
        duration_s: number(map, "duration_s", &field("duration_s"))?.unwrap_or(protocol::script::DEFAULT_SHOT_SECONDS),
        seed: integer(map, "seed", &field("seed"))?.unwrap_or(0),
        style: string(map, "style", &field("style"))?.unwrap_or_default(),
        avatars,
    })
}

fn read_settings(map: &HashMap<String, Any>) -> Result<Settings, ScriptError> {
    let defaults = Settings::default();
    let steps = integer(map, "steps", "settings.steps")?.map_or(Ok(defaults.steps), |v| {
        u32::try_from(v).map_err(|_| ScriptError::new("settings.steps", "out of range"))
    })?;
    let resolution = integer(map, "resolution", "settings.resolution")?.map_or(Ok(defaults.resolution), |v| {
        u32::try_from(v).map_err(|_| ScriptError::new("settings.resolution", "out of range"))
    })?;
    let live = match map.get("live") {
        None | Some(Any::Null | Any::Undefined) => defaults.live,
        Some(Any::Bool(b)) => *b,
        Some(_) => return Err(ScriptError::new("settings.live", "must be true or false")),
    };
    Ok(Settings {
        steps,
        guidance: number(map, "guidance", "settings.guidance")?.unwrap_or(defaults.guidance),
        live,
        resolution,
    })
}

fn string(map: &HashMap<String, Any>, key: &str, path: &str) -> Result<Option<String>, ScriptError> {
    match map.get(key) {
        None | Some(Any::Null | Any::Undefined) => Ok(None),
        Some(Any::String(s)) => Ok(Some(s.to_string())),
        Some(_) => Err(ScriptError::new(path, "must be a string")),
    }
}

fn number(map: &HashMap<String, Any>, key: &str, path: &str) -> Result<Option<f64>, ScriptError> {
    match map.get(key) {
        None | Some(Any::Null | Any::Undefined) => Ok(None),
        Some(Any::Number(n)) => match n.as_f64() {
            Some(value) if value.is_finite() => Ok(Some(value)),
            _ => Err(ScriptError::new(path, "must be a finite number")),
        },
        Some(_) => Err(ScriptError::new(path, "must be a number")),
    }
}

fn integer(map: &HashMap<String, Any>, key: &str, path: &str) -> Result<Option<u64>, ScriptError> {
    match number(map, key, path)? {
        None => Ok(None),
        Some(v) if v >= 0.0 && v.fract() == 0.0 && v <= protocol::script::MAX_SEED as f64 => Ok(Some(v as u64)),
        Some(_) => Err(ScriptError::new(path, "must be a non-negative integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use yrs::updates::decoder::Decode;
    use yrs::{Array, Map, MapPrelim, Text, TextPrelim, WriteTxn};

    fn doc_with_shot(duration: Any) -> Doc {
        let doc = Doc::new();
        {
            let mut txn = doc.transact_mut();
            txn.get_or_insert_text("title").insert(&mut txn, 0, "Scene");
            let shots = txn.get_or_insert_array("shots");
            let shot = shots.push_back(&mut txn, MapPrelim::default());
            shot.insert(&mut txn, "id", "s1");
            shot.insert(&mut txn, "prompt", TextPrelim::new("a red ball"));
            shot.insert(&mut txn, "duration_s", duration);
            shot.insert(&mut txn, "seed", 42);
            shot.insert(&mut txn, "style", "cinematic");
            let settings = txn.get_or_insert_map("settings");
            settings.insert(&mut txn, "steps", 8);
        }
        doc
    }

    #[test]
    fn reads_a_well_formed_script() {
        let script = read_script(&doc_with_shot(Any::from(4.0))).expect("valid");
        assert_eq!(script.title, "Scene");
        assert_eq!(script.shots[0].prompt, "a red ball");
        assert_eq!(script.shots[0].seed, 42);
        assert_eq!(script.settings.steps, 8);
    }

    #[test]
    fn a_written_script_reads_back_the_same() {
        let mut script = read_script(&doc_with_shot(Any::from(4.0))).expect("valid");
        script.shots[0].avatars = vec!["avatar-1".into()];
        script.settings.live = true;
        let doc = Doc::new();
        doc.transact_mut()
            .apply_update(yrs::Update::decode_v1(&script_update(&script)).expect("decodes"))
            .expect("applies");
        assert_eq!(read_script(&doc).expect("valid"), script);
        let txn = doc.transact();
        let shots = txn.get_array("shots").expect("shots");
        let Some(yrs::Out::YMap(shot)) = shots.get(&txn, 0) else {
            panic!("a map")
        };
        assert!(
            matches!(shot.get(&txn, "prompt"), Some(yrs::Out::YText(_))),
            "prompts are Y.Text"
        );
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let err = read_script(&doc_with_shot(Any::from("long"))).expect_err("invalid");
        assert_eq!(err.field, "shots[0].duration_s");
    }
}
