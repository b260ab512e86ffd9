//! Offline verification of whatever manifest a file carries.

use std::collections::HashSet;
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use crate::{
    Authority, CameoAssertion, ClipAssertion, WatermarkAssertion, CAMEO_ASSERTION, CLIP_ASSERTION, WATERMARK_ASSERTION,
};

/// The JUMBF UUID of a C2PA manifest store: "c2pa" then 0011-0010-8000-00AA00389B71. Every
/// embedded manifest store starts with a description box that carries it, whatever the container.
const C2PA_STORE_UUID: [u8; 16] = [
    0x63, 0x32, 0x70, 0x61, 0x00, 0x11, 0x00, 0x10, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];

/// How deep [`verify`] follows a remix chain (each level is a whole embedded manifest store).
const MAX_CHAIN_DEPTH: usize = 64;

/// What a file's Content Credentials say.
///
/// `valid`: the manifest is well-formed, its signature verifies and its hashes match the file
/// (and so do the ingredients'). `trusted`: valid, and the signer chains to our root. Only a
/// trusted verdict's `clip_id`, `grant_ids` and `watermark_tag` are the service's word; a merely
/// valid one was signed by someone else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// A C2PA manifest was found and parsed.
    pub present: bool,
    pub valid: bool,
    pub trusted: bool,
    /// The active manifest's actions, in order (`c2pa.created`, `c2pa.opened`, `c2pa.edited`, …).
    pub actions: Vec<String>,
    /// The `digitalSourceType` of each of those actions that has one (full IPTC URIs), in order.
    pub digital_source_types: Vec<String>,
    /// The ingredient chain, depth first: the active manifest's ingredients, each followed by
    /// its own ingredients. For a remix of a remix: `[parent, grandparent]`.
    pub ingredients: Vec<Ingredient>,
    /// `app.reelroom.clip` `clip_id` of the active manifest.
    pub clip_id: Option<String>,
    /// `app.reelroom.cameo` `grant_ids` of the active manifest.
    pub grant_ids: Vec<String>,
    /// `app.reelroom.watermark` `tag` of the active manifest.
    pub watermark_tag: Option<u32>,
    /// Validation failures (`code: explanation`), the active manifest's and its ingredients'; or
    /// why the file could not be read.
    pub failures: Vec<String>,
}

/// One ingredient of a manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Ingredient {
    pub title: String,
    /// `parentOf`, `componentOf` or `inputTo`.
    pub relationship: String,
    /// The ingredient's own `app.reelroom.clip` `clip_id`, when it carries a manifest that has one.
    pub clip_id: Option<String>,
    /// The ingredient carries a manifest, which validated when it was ingested (an untrusted
    /// signer aside) and still validates now.
    pub valid: bool,
    /// `valid`, and its signer chained to a trust anchor (ours) when it was ingested.
    pub trusted: bool,
}

/// Reads and validates whatever manifest `bytes` carries (`format`: a MIME type or extension,
/// e.g. "video/mp4" or "video/quicktime"; the bytes' own signature wins when it is recognised),
/// trusting our root. Never panics and never touches the network.
pub fn verify(auth: &Authority, bytes: &[u8], format: &str) -> Verdict {
    match catch_unwind(AssertUnwindSafe(|| verify_inner(auth, bytes, format))) {
        Ok(verdict) => verdict,
        Err(_) => Verdict {
            failures: vec!["internal: the C2PA reader panicked on this input".to_string()],
            ..Verdict::default()
        },
    }
}

fn verify_inner(auth: &Authority, bytes: &[u8], format: &str) -> Verdict {
    let reader = match c2pa::Reader::from_shared_context(&auth.context).with_stream(format, Cursor::new(bytes)) {
        Ok(reader) => reader,
        // A manifest store is in there but could not be parsed (a damaged or tampered box, or a
        // container the reader cannot walk): present, and invalid.
        Err(e) if carries_manifest_store(bytes) => {
            return Verdict {
                present: true,
                failures: vec![format!("manifest unreadable: {e}")],
                ..Verdict::default()
            }
        }
        // No manifest at all: nothing to say.
        Err(c2pa::Error::JumbfNotFound | c2pa::Error::ProvenanceMissing) => return Verdict::default(),
        // Not a file the reader understands (or not one at all).
        Err(e) => {
            return Verdict {
                failures: vec![format!("unreadable: {e}")],
                ..Verdict::default()
            }
        }
    };
    let state = reader.validation_state();
    let mut verdict = Verdict {
        present: true,
        valid: state != c2pa::ValidationState::Invalid,
        trusted: state == c2pa::ValidationState::Trusted,
        ..Verdict::default()
    };
    if let Some(results) = reader.validation_results() {
        let active = results.active_manifest().into_iter();
        let deltas = results
            .ingredient_deltas()
            .into_iter()
            .flatten()
            .map(|d| d.validation_deltas());
        for codes in active.chain(deltas) {
            verdict.failures.extend(codes.failure().iter().map(status_line));
        }
    }
    let Some(manifest) = reader.active_manifest() else {
        verdict.valid = false;
        verdict.trusted = false;
        verdict.failures.push("no active manifest".to_string());
        return verdict;
    };
    for (action, source_type) in actions(manifest) {
        verdict.actions.push(action);
        verdict.digital_source_types.extend(source_type);
    }
    verdict.clip_id = manifest
        .find_assertion::<ClipAssertion>(CLIP_ASSERTION)
        .ok()
        .map(|c| c.clip_id);
    verdict.grant_ids = manifest
        .find_assertion::<CameoAssertion>(CAMEO_ASSERTION)
        .map(|c| c.grant_ids)
        .unwrap_or_default();
    verdict.watermark_tag = manifest
        .find_assertion::<WatermarkAssertion>(WATERMARK_ASSERTION)
        .ok()
        .map(|w| w.tag);

    let mut seen = HashSet::new();
    if let Some(label) = reader.active_label() {
        seen.insert(label.to_string());
    }
    walk(&reader, manifest, verdict.valid, 0, &mut seen, &mut verdict.ingredients);
    verdict
}

/// Appends `manifest`'s ingredients, each followed by its own, depth first.
fn walk(
    reader: &c2pa::Reader,
    manifest: &c2pa::Manifest,
    store_valid: bool,
    depth: usize,
    seen: &mut HashSet<String>,
    out: &mut Vec<Ingredient>,
) {
    if depth >= MAX_CHAIN_DEPTH {
        return;
    }
    for ingredient in manifest.ingredients() {
        let child = ingredient
            .active_manifest()
            .and_then(|label| reader.get_manifest(label).map(|m| (label, m)));
        // What was recorded when the ingredient was ingested (the reader re-checks the
        // ingredient's manifest against its hashed reference and reports only new failures).
        let recorded = ingredient.validation_results().and_then(|r| r.active_manifest());
        let recorded_ok = recorded.is_some_and(|codes| {
            codes
                .failure()
                .iter()
                .all(|s| s.code() == c2pa::validation_status::SIGNING_CREDENTIAL_UNTRUSTED)
        });
        let recorded_trusted = recorded.is_some_and(|codes| {
            codes.failure().is_empty()
                && codes
                    .success()
                    .iter()
                    .any(|s| s.code() == c2pa::validation_status::SIGNING_CREDENTIAL_TRUSTED)
        });
        let valid = child.is_some() && recorded_ok && store_valid;
        out.push(Ingredient {
            title: ingredient.title().unwrap_or_default().to_string(),
            relationship: relationship(ingredient.relationship()),
            clip_id: child
                .and_then(|(_, m)| m.find_assertion::<ClipAssertion>(CLIP_ASSERTION).ok())
                .map(|c| c.clip_id),
            valid,
            trusted: valid && recorded_trusted,
        });
        if let Some((label, child)) = child {
            if seen.insert(label.to_string()) {
                walk(reader, child, store_valid, depth + 1, seen, out);
            }
        }
    }
}

/// The actions of a manifest's `c2pa.actions` / `c2pa.actions.v2` assertion(s), with each one's
/// digital source type.
fn actions(manifest: &c2pa::Manifest) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    for assertion in manifest.assertions() {
        let label = assertion.label();
        if label != "c2pa.actions" && !label.starts_with("c2pa.actions.v") {
            continue;
        }
        let Ok(value) = assertion.value() else { continue };
        for action in value.get("actions").and_then(|a| a.as_array()).into_iter().flatten() {
            let Some(name) = action.get("action").and_then(|a| a.as_str()) else {
                continue;
            };
            let source = action
                .get("digitalSourceType")
                .and_then(|s| s.as_str())
                .map(str::to_string);
            out.push((name.to_string(), source));
        }
    }
    out
}

fn relationship(r: &c2pa::Relationship) -> String {
    match r {
        c2pa::Relationship::ParentOf => "parentOf",
        c2pa::Relationship::ComponentOf => "componentOf",
        c2pa::Relationship::InputTo => "inputTo",
    }
    .to_string()
}

/// Whether `bytes` hold a C2PA manifest store's description box anywhere.
fn carries_manifest_store(bytes: &[u8]) -> bool {
    bytes.windows(C2PA_STORE_UUID.len()).any(|w| w == C2PA_STORE_UUID)
}

fn status_line(status: &c2pa::validation_status::ValidationStatus) -> String {
    match status.explanation() {
        Some(why) => format!("{}: {why}", status.code()),
        None => status.code().to_string(),
    }
}
