//! What marks a clip as ours: the invisible-watermark key (a secret generated at first run in the
//! data folder) and the C2PA authority (a private CA chain, `provenance::Authority`). The clip
//! store marks and signs every finished clip with them, the download route signs downloads, and
//! the detector reads both back.

use std::path::Path;
use std::sync::Arc;

use media::watermark::{ClipMark, Watermarker};
use uuid::Uuid;

/// The watermark key file inside the data folder (32 secret bytes, mode 0600).
pub const WATERMARK_KEY_FILE: &str = "watermark.key";

/// Why the marks could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum MarkingError {
    #[error("the watermark key: {0}")]
    Key(#[from] std::io::Error),
    #[error("the C2PA authority: {0}")]
    Authority(#[source] Box<provenance::ProvenanceError>),
}

/// The watermarker and the C2PA authority, shared.
#[derive(Debug, Clone)]
pub struct Marking {
    pub watermark: Arc<Watermarker>,
    pub authority: Arc<provenance::Authority>,
}

impl Marking {
    /// Loads both from `dir`, creating them at first run.
    pub fn load_or_create(dir: &Path) -> Result<Self, MarkingError> {
        let key = crate::server::load_or_create_secret(&dir.join(WATERMARK_KEY_FILE))?;
        Ok(Marking {
            watermark: Arc::new(Watermarker::new(key)),
            authority: Arc::new(
                provenance::Authority::load_or_create(dir).map_err(|e| MarkingError::Authority(Box::new(e)))?,
            ),
        })
    }

    /// The frame mark of every live stream (previews are not clips yet).
    pub fn live_mark(&self) -> ClipMark {
        ClipMark {
            marker: self.watermark.clone(),
            tag: LIVE_TAG,
        }
    }

    /// The frame mark of clip `id`.
    pub fn clip_mark(&self, id: Uuid) -> ClipMark {
        ClipMark {
            marker: self.watermark.clone(),
            tag: watermark_tag(id),
        }
    }
}

/// The tag live previews carry (no clip has it: clip tags skip it).
pub const LIVE_TAG: u32 = 0;

/// The 32 bits of a clip's id its watermark carries (the detector looks the clip up by them;
/// two clips may share a tag, and then the fingerprint or C2PA tells them apart).
pub fn watermark_tag(id: Uuid) -> u32 {
    let b = id.as_bytes();
    u32::from_be_bytes([b[0], b[1], b[2], b[3]]).max(LIVE_TAG + 1)
}
