//! The invisible watermark (provenance, must-have 2): a key-seeded spread-spectrum pattern in
//! luma that names the clip with a 32-bit tag. The live encoder (`actors/src/media/encoder.rs`)
//! and finished-clip encoding call it through the [`FrameMark`] hook as a [`ClipMark`]; the
//! server's provenance check calls [`Watermarker::detect`] on frames decoded from an upload.
//! This file owns the public API, embedding (with its per-tag cache) and the detector's
//! outline; `params.rs` holds every limit, `keyed.rs` derives the layout from the key,
//! `code.rs` is the error correction, `extract.rs` → `search.rs` → `presence.rs` are the
//! detector's stages, `fft.rs` their transform; `testkit.rs` and `attack.rs` serve tests and
//! the benchmark.
//!
//! Design. A 128 × 128 tile of 16 × 16 cells (8 px each, a half-sine bump of ±`strength` luma
//! levels, the same offset on R, G and B) repeats over the frame, identical in every frame. 64
//! cells are sync pilot A, 138 carry the tag (32 bits + CRC-8 through a rate-1/3, K = 7
//! convolutional code), 54 are presence pilot B, whose signs differ in each tile of a 2 × 2
//! super-tile (216 independent symbols per 256 px). The detector averages the frames' luma,
//! high-passes and clips it, down-weights busy texture, then for ~100 scales folds the
//! residual modulo one tile (a crop becomes a cyclic shift; a rescale, one hypothesis),
//! whitens the fold and finds the offset by FFT correlation with pilot A. Only then is pilot B
//! tested, at that geometry and its four super-tile offsets: under H0 B's signs are fair coins
//! independent of everything the search used, so its normalised correlation is a weighted
//! Rademacher sum with exact tail bounds, and the p-value holds for any content (see
//! `presence.rs`). Soft-decision Viterbi then reads the tag; it is reported only if the
//! presence test passed and the CRC checks.

pub mod attack;
mod code;
mod extract;
mod fft;
mod keyed;
mod params;
mod presence;
mod search;
pub mod testkit;

use std::sync::{Arc, Mutex};

pub use code::codeword;
pub use params::*;
pub use presence::p_value_of_z;

use crate::mark::FrameMark;
use keyed::Layout;
use search::Templates;

/// Embeds and detects one key's watermark. Cheap to share: wrap it in an `Arc`.
pub struct Watermarker {
    layout: Layout,
    templates: Templates,
    strength: f32,
    /// Rendered tiles, most recently used last.
    cache: Mutex<Vec<(u32, Arc<Vec<i8>>)>>,
}

impl std::fmt::Debug for Watermarker {
    // The layout is key material: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watermarker")
            .field("strength", &self.strength)
            .finish_non_exhaustive()
    }
}

/// What [`Watermarker::detect`] concluded.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// `p_value < DETECTION_P_VALUE`.
    pub detected: bool,
    /// Bound on the probability of a pilot-B statistic at least this large in a video not
    /// marked with this key (valid for any content; see `presence.rs`).
    pub p_value: f64,
    /// The clip tag, when detected and its CRC checks.
    pub tag: Option<u32>,
    /// Coded bits whose sign disagrees with the decoded word (of [`CODED_BITS`]), with `tag`.
    pub bit_errors: Option<u32>,
    /// Frames averaged.
    pub frames_used: usize,
}

/// [`Detection`] plus the detector's internals, for benchmarks and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub detection: Detection,
    /// Pilot B's best normalised correlation over its four offsets (under H0: the largest of
    /// four unit-variance Rademacher sums).
    pub z_score: f64,
    /// Pilot A's normalised correlation at the chosen geometry (biased by the search).
    pub sync_z: f64,
    /// Received pixels per marked pixel.
    pub scale: f64,
    /// Descrambled soft coded bits (positive = bit 0), [`CODED_BITS`] of them; empty if no
    /// frame was usable.
    pub coded_soft: Vec<f64>,
}

impl Watermarker {
    /// A watermarker for `key` at [`DEFAULT_STRENGTH`].
    pub fn new(key: [u8; 32]) -> Self {
        let layout = Layout::new(&key);
        let templates = Templates::new(&layout);
        Self {
            layout,
            templates,
            strength: DEFAULT_STRENGTH,
            cache: Mutex::new(Vec::new()),
        }
    }

    /// Peak luma offset in levels (clamped to `0..=MAX_STRENGTH`; NaN means 0).
    pub fn with_strength(mut self, s: f32) -> Self {
        self.strength = if s.is_nan() { 0.0 } else { s.clamp(0.0, MAX_STRENGTH) };
        self.cache = Mutex::new(Vec::new());
        self
    }

    /// The rendered tile for `tag`, from the cache or made now.
    fn tile(&self, tag: u32) -> Arc<Vec<i8>> {
        // A poisoned lock only means another thread panicked mid-update; the cache is still
        // a valid Vec, so carry on with it.
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(i) = cache.iter().position(|(t, _)| *t == tag) {
            let entry = cache.remove(i);
            let tile = entry.1.clone();
            cache.push(entry);
            return tile;
        }
        let tile = Arc::new(self.layout.render(tag, self.strength));
        if cache.len() >= MAX_CACHED_TAGS {
            cache.remove(0);
        }
        cache.push((tag, tile.clone()));
        tile
    }

    /// Marks one `width × height` RGB frame in place with `tag` (the same offset on R, G and
    /// B, so only luma changes). Rows beyond what `rgb` holds are left alone.
    pub fn embed(&self, rgb: &mut [u8], width: usize, height: usize, tag: u32) {
        let Some(row_len) = width.checked_mul(3).filter(|&n| n > 0) else {
            return;
        };
        if self.strength == 0.0 {
            return;
        }
        let tile = self.tile(tag);
        for (y, row) in rgb.chunks_exact_mut(row_len).take(height).enumerate() {
            let ty = y % SUPER_TILE_SIDE;
            let tile_row = &tile[ty * SUPER_TILE_SIDE..(ty + 1) * SUPER_TILE_SIDE];
            for span in row.chunks_mut(SUPER_TILE_SIDE * 3) {
                for (px, &d) in span.chunks_exact_mut(3).zip(tile_row) {
                    px[0] = px[0].saturating_add_signed(d);
                    px[1] = px[1].saturating_add_signed(d);
                    px[2] = px[2].saturating_add_signed(d);
                }
            }
        }
    }

    /// Looks for this key's watermark in RGB frames `(width, height, rgb)` of one video (any
    /// size; frames of the most common size are used).
    pub fn detect(&self, frames: &[(usize, usize, &[u8])]) -> Detection {
        self.analyse(frames).detection
    }

    /// [`Self::detect`] with the statistics behind it.
    pub fn analyse(&self, frames: &[(usize, usize, &[u8])]) -> Analysis {
        let Some(residual) = extract::residual(frames) else {
            return Analysis {
                detection: Detection {
                    detected: false,
                    p_value: 1.0,
                    tag: None,
                    bit_errors: None,
                    frames_used: 0,
                },
                z_score: 0.0,
                sync_z: 0.0,
                scale: 1.0,
                coded_soft: Vec::new(),
            };
        };
        let (geometry, coeffs) = search::search(&residual, &self.layout, &self.templates);
        let z = presence::presence_z(&residual, &geometry, &self.layout, &self.templates);
        let p_value = p_value_of_z(z);
        let detected = p_value < DETECTION_P_VALUE;
        let coded_soft: Vec<f64> = self.layout.payload.iter().map(|&(c, s)| s * coeffs[c]).collect();
        let (mut tag, mut bit_errors) = (None, None);
        if let Some(d) = code::decode(&coded_soft).filter(|d| detected && d.crc_ok) {
            let errors = coded_soft
                .iter()
                .zip(&d.codeword)
                .filter(|(&v, &bit)| (v < 0.0) != bit)
                .count();
            tag = Some(d.tag);
            bit_errors = Some(errors as u32);
        }
        Analysis {
            detection: Detection {
                detected,
                p_value,
                tag,
                bit_errors,
                frames_used: residual.frames,
            },
            z_score: z,
            sync_z: geometry.sync_z,
            scale: geometry.scale,
            coded_soft,
        }
    }
}

/// The [`FrameMark`] that watermarks every frame of one clip (or live stream) with its tag.
#[derive(Debug, Clone)]
pub struct ClipMark {
    pub marker: Arc<Watermarker>,
    pub tag: u32,
}

impl FrameMark for ClipMark {
    fn mark(&self, rgb: &mut [u8], width: usize, height: usize, _index: u64) {
        self.marker.embed(rgb, width, height, self.tag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shareable_and_p_values_are_sane() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Watermarker>();
        send_sync::<ClipMark>();
        assert_eq!(PILOT_B_CELLS, 54);
        let w = Watermarker::new([3; 32]).with_strength(f32::NAN);
        let mut frame = vec![100u8; 16 * 16 * 3];
        w.embed(&mut frame, 16, 16, 1);
        assert!(frame.iter().all(|&v| v == 100), "strength NaN → 0 → no change");
        assert!(!format!("{w:?}").contains("layout"));
    }
}
