//! reelroom's Content Credentials (C2PA): every finished clip is an H.264 MP4 that carries a
//! manifest signed by the service's private CA ([`Authority`]).
//!
//! - A new clip gets `c2pa.created` with `digitalSourceType` trainedAlgorithmicMedia.
//! - A remix gets the Edit intent: a `parentOf` ingredient made from the parent clip's signed MP4
//!   (its whole manifest store comes along, so remix → parent → … verifies offline), the
//!   automatic `c2pa.opened`, and a `c2pa.edited` action that is also trainedAlgorithmicMedia.
//! - Custom assertions: `app.reelroom.clip` (what made it), `app.reelroom.cameo` (the consent
//!   grants of cast avatars) and `app.reelroom.watermark` (the pixel watermark's tag).
//! - No thumbnails (a frame of a cameo would be biometric data), no timestamp authority, no
//!   network: the crate is built without an HTTP client.
//!
//! Both entry points are synchronous and CPU-bound (a few ms per clip): call them from a
//! blocking thread.

mod authority;
mod verify;

use std::io::Cursor;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

pub use authority::{store_path, Authority, ROOT_FILE, SIGNER_CERT_FILE, SIGNER_KEY_FILE, STORE_DIR};
pub use verify::{verify, Ingredient, Verdict};

/// Label of the custom assertion that says what made a clip.
pub const CLIP_ASSERTION: &str = "app.reelroom.clip";
/// Label of the custom assertion that lists the consent grants of the cast avatars.
pub const CAMEO_ASSERTION: &str = "app.reelroom.cameo";
/// Label of the custom assertion that records the pixel watermark's tag.
pub const WATERMARK_ASSERTION: &str = "app.reelroom.watermark";
/// The IPTC digital source type of everything the model makes.
pub const TRAINED_ALGORITHMIC_MEDIA: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia";
/// The ingredient label that links a remix's actions to its parent.
const PARENT_LABEL: &str = "parent";
const MP4: &str = "video/mp4";

/// What the service asserts about one clip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClipClaims {
    pub clip_id: String,
    pub model_id: String,
    pub seed: u64,
    pub steps: u32,
    /// Hex SHA-256 of the script (prompt) the clip was made from: the script itself stays private.
    pub script_sha256: String,
    /// `@username` of the creator, and no other personal data.
    pub creator: String,
    /// Consent grants of the cast avatars → `app.reelroom.cameo` `{grant_ids}` (omitted when empty).
    pub grant_ids: Vec<String>,
    /// The pixel watermark's tag → `app.reelroom.watermark` `{tag}`.
    pub watermark_tag: Option<u32>,
}

/// The `app.reelroom.clip` assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ClipAssertion {
    pub clip_id: String,
    pub model_id: String,
    pub seed: u64,
    pub steps: u32,
    pub script_sha256: String,
    pub creator: String,
}

/// The `app.reelroom.cameo` assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CameoAssertion {
    pub grant_ids: Vec<String>,
}

/// The `app.reelroom.watermark` assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct WatermarkAssertion {
    pub tag: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvenanceError {
    #[error("C2PA key store: {path}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "C2PA key store is incomplete: {missing} is missing (restore it; a new chain would orphan every signed clip)"
    )]
    Incomplete { missing: std::path::PathBuf },
    #[error("generating the C2PA certificate chain")]
    Certificate(#[source] rcgen::Error),
    #[error("loading the C2PA signing certificate and key")]
    Signer(#[source] c2pa::Error),
    #[error("C2PA key store: {0}")]
    Mismatch(String),
    #[error("C2PA settings")]
    Settings(#[source] c2pa::Error),
    #[error("the parent clip's manifest could not be read")]
    Parent(#[source] c2pa::Error),
    #[error("the parent clip's manifest is invalid: {0}")]
    InvalidParent(String),
    #[error("building the clip's manifest")]
    Manifest(#[source] c2pa::Error),
    #[error("signing the MP4")]
    Sign(#[source] c2pa::Error),
}

/// The c2pa settings every sign and verify runs under: our root as a trust anchor, trust checks
/// on, nothing fetched (no remote manifests, no OCSP), no thumbnails.
pub(crate) fn context(root_pem: &str) -> Result<Arc<c2pa::Context>, ProvenanceError> {
    let settings = json!({
        "version": 1,
        "trust": { "user_anchors": root_pem },
        "verify": {
            "verify_trust": true,
            "verify_after_reading": true,
            "verify_after_sign": true,
            "remote_manifest_fetch": false,
            "ocsp_fetch": false,
        },
        "builder": {
            "claim_generator_info": { "name": "reelroom", "version": env!("CARGO_PKG_VERSION") },
            "thumbnail": { "enabled": false },
        },
    });
    let context = c2pa::Context::new()
        .with_settings(settings)
        .map_err(ProvenanceError::Settings)?;
    Ok(context.into_shared())
}

/// Signs an MP4.
///
/// `parent` None: a new clip (`c2pa.created`, trainedAlgorithmicMedia). `parent` Some: the
/// parent clip's *signed* MP4, which becomes the remix's `parentOf` ingredient (Edit intent,
/// `c2pa.opened` + `c2pa.edited` trainedAlgorithmicMedia). A parent whose manifest is invalid
/// (tampered) is refused; an unsigned parent is accepted and recorded as such.
pub fn sign_mp4(
    auth: &Authority,
    mp4: &[u8],
    claims: &ClipClaims,
    parent: Option<&[u8]>,
) -> Result<Vec<u8>, ProvenanceError> {
    let mut builder = c2pa::Builder::from_shared_context(&auth.context)
        .with_definition(json!({ "title": format!("{}.mp4", claims.clip_id), "format": MP4 }).to_string())
        .map_err(ProvenanceError::Manifest)?;
    match parent {
        None => {
            builder.set_intent(c2pa::BuilderIntent::Create(
                c2pa::DigitalSourceType::TrainedAlgorithmicMedia,
            ));
        }
        Some(parent) => {
            let title = parent_title(auth, parent)?;
            builder.set_intent(c2pa::BuilderIntent::Edit);
            builder
                .add_ingredient_from_stream(
                    json!({ "title": title, "relationship": "parentOf", "label": PARENT_LABEL }).to_string(),
                    MP4,
                    &mut Cursor::new(parent),
                )
                .map_err(ProvenanceError::Parent)?;
            builder
                .add_action(json!({
                    "action": "c2pa.edited",
                    "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
                    "description": "remixed by the reelroom video model",
                    "parameters": { "ingredientIds": [PARENT_LABEL] },
                }))
                .map_err(ProvenanceError::Manifest)?;
        }
    }
    let clip = ClipAssertion {
        clip_id: claims.clip_id.clone(),
        model_id: claims.model_id.clone(),
        seed: claims.seed,
        steps: claims.steps,
        script_sha256: claims.script_sha256.clone(),
        creator: claims.creator.clone(),
    };
    builder
        .add_assertion(CLIP_ASSERTION, &clip)
        .map_err(ProvenanceError::Manifest)?;
    if !claims.grant_ids.is_empty() {
        let cameo = CameoAssertion {
            grant_ids: claims.grant_ids.clone(),
        };
        builder
            .add_assertion(CAMEO_ASSERTION, &cameo)
            .map_err(ProvenanceError::Manifest)?;
    }
    if let Some(tag) = claims.watermark_tag {
        builder
            .add_assertion(WATERMARK_ASSERTION, &WatermarkAssertion { tag })
            .map_err(ProvenanceError::Manifest)?;
    }

    let mut source = Cursor::new(mp4);
    let mut dest = Cursor::new(Vec::with_capacity(mp4.len() + 32 * 1024));
    builder
        .sign(&auth.signer, MP4, &mut source, &mut dest)
        .map_err(ProvenanceError::Sign)?;
    Ok(dest.into_inner())
}

/// The parent ingredient's title, `<clip_id>.mp4`; refuses a parent whose manifest is invalid.
fn parent_title(auth: &Authority, parent: &[u8]) -> Result<String, ProvenanceError> {
    let verdict = verify(auth, parent, MP4);
    if verdict.present && !verdict.valid {
        return Err(ProvenanceError::InvalidParent(verdict.failures.join("; ")));
    }
    Ok(match verdict.clip_id {
        Some(id) => format!("{id}.mp4"),
        None => "parent.mp4".to_string(),
    })
}
