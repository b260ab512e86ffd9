//! The invisible watermark (provenance, must-have 2): a key-seeded spread-spectrum pattern in
//! luma that names the clip with a 32-bit tag. The live encoder (`actors/src/media/encoder.rs`)
//! and finished-clip encoding call it through the [`FrameMark`] hook as a [`ClipMark`]; the
//! server's provenance check calls [`Watermarker::detect`] on frames decoded from an upload.
//! This file owns the public API, every limit, embedding (with its per-tag cache) and the
//! p-value; `keyed.rs` derives the layout from the key, `code.rs` is the error correction,
//! `extract.rs` and `search.rs` are the detector, `fft.rs` its transform.
//!
//! Design: a `TILE_SIDE`² tile of 16 × 16 cells, each a half-sine bump of ±`strength` luma
//! levels, repeats over the frame, the same in every frame. 64 cells are sync pilot A, 54 are
//! presence pilot B, 138 carry the tag (CRC-8, rate-1/3 K = 7 convolutional code). The
//! detector averages frames, high-passes, folds the residual modulo one tile for each of
//! ~100 scales (so a crop is a cyclic shift and a rescale is one hypothesis), finds the
//! offset by FFT correlation with pilot A, and only then tests pilot B once: under H0 (a video
//! not marked with this key) B's signs are independent fair coins, so its normalised
//! correlation `z` obeys Hoeffding's bound and `p = exp(−z²/2)` is a valid p-value for any
//! content, whatever the search did.

pub mod attack;
mod code;
mod extract;
mod fft;
mod keyed;
mod presence;
mod search;
pub mod testkit;

use std::sync::{Arc, Mutex};

pub use code::codeword;
pub use presence::p_value_of_z;

use crate::mark::FrameMark;
use keyed::Layout;
use search::Templates;

/// `Detection::detected` means `p_value` is below this.
pub const DETECTION_P_VALUE: f64 = 1e-6;
/// Default peak luma offset of a cell's bump, in 8-bit levels. RMS = peak / 2 = 2.5 levels,
/// PSNR ≈ 40 dB before clipping at 0/255; strong enough to survive 300 kbit/s at 256 px.
pub const DEFAULT_STRENGTH: f32 = 5.5;
/// Largest accepted strength (levels): beyond this the mark is plainly visible.
pub const MAX_STRENGTH: f32 = 32.0;
/// Period of the pattern, in pixels of the marked frame: two tiles across a 256 px frame, and
/// still one whole tile after a 10 % crop of each side plus a 50 % downscale (102 px ≥ 64).
pub const TILE_SIDE: usize = 128;
/// Side of one cell (one ±1 symbol), pixels: 8 px bumps keep their energy below 1/8 cycle per
/// pixel, which survives a 50 % downscale, σ = 1.5 px blur and the codecs' quantisation.
pub const CELL_SIDE: usize = 8;
/// Cells across the tile.
pub const CELLS_PER_SIDE: usize = TILE_SIDE / CELL_SIDE;
/// Cells in the tile.
pub const CELLS: usize = CELLS_PER_SIDE * CELLS_PER_SIDE;
/// Cells of sync pilot A (finds scale and offset; its maximum over ~400 000 hypotheses is
/// biased, so it gives no p-value).
pub const PILOT_A_CELLS: usize = 64;
/// Cells of presence pilot B in each tile (the p-value); each carries an independent sign in
/// each of the super-tile's four tiles.
pub const PILOT_B_CELLS: usize = CELLS - PILOT_A_CELLS - CODED_BITS;
/// Period of pilot B, pixels: two tiles.
pub const SUPER_TILE_SIDE: usize = 2 * TILE_SIDE;
/// Super-tile cells across.
pub const SUPER_CELLS_PER_SIDE: usize = SUPER_TILE_SIDE / CELL_SIDE;
/// Pilot B's offsets left once pilot A has fixed the tile offset (tile 0 or 1 in x and y); the
/// p-value is Bonferroni-corrected for them.
pub const PRESENCE_OFFSETS: usize = 4;
/// Bits of clip tag carried.
pub const TAG_BITS: usize = 32;
/// Bits of CRC-8 over the tag.
pub const CRC_BITS: usize = 8;
/// Coded payload bits (= payload cells): (32 + 8 + 6 tail) × 3.
pub const CODED_BITS: usize = (TAG_BITS + CRC_BITS + 6) * 3;
/// Fold grid resolution, original pixels per bin (4 bins a cell).
pub const FOLD_BIN_PX: usize = 2;
/// Fold grid side, bins (a power of two, for the FFT).
pub const FOLD_BINS: usize = TILE_SIDE / FOLD_BIN_PX;
/// Pilot B's fold side, bins.
pub const SUPER_BINS: usize = SUPER_TILE_SIDE / FOLD_BIN_PX;
/// Smallest scale searched (received / marked pixels): a 50 % downscale plus margin.
pub const MIN_SCALE: f64 = 0.45;
/// Largest scale searched: a 256 px clip shown and re-recorded at up to ~560 px.
pub const MAX_SCALE: f64 = 2.2;
/// Relative step between scale hypotheses: the fold drifts by at most ½ step × 128 px ≈ 1 px
/// at the frame's edge, an eighth of a cell.
pub const SCALE_STEP: f64 = 0.015;
/// The whitening filter's power floor, as a fraction of the fold's mean power: keeps rings
/// with almost no energy from being amplified without bound.
pub const WHITEN_FLOOR: f64 = 1e-3;
/// The whitening filter is the ring power to the power −this (0.5: plain whitening; 1: the
/// inverse-covariance matched filter). 0.8 measured best on the benchmark (0.35-1.0 tried).
pub const WHITEN_EXPONENT: f64 = 0.8;
/// Scale hypotheses refined on pilot A's exact statistic.
pub const SEARCH_CANDIDATES: usize = 3;
/// Frames are area-averaged to at most this many pixels a side before detection: bounds
/// memory (and time per scale) for any input size.
pub const MAX_WORK_SIDE: usize = 512;
/// Frames smaller than this a side (after reduction) are not searched.
pub const MIN_WORK_SIDE: usize = 32;
/// At most this many frames are averaged (evenly spaced): 60 s at 8 fps.
pub const MAX_DETECT_FRAMES: usize = 480;
/// Radius of the detector's local-mean high-pass, working pixels (a 9 px window: about one
/// cell at scale 1). Tuned on the benchmark (radius 2-14 tried); the fold's whitening does
/// the fine spectral shaping, this only strips the content's low frequencies before the clip.
pub const PRE_HIGHPASS_RADIUS: usize = 4;
/// The residual is clipped at this many robust standard deviations.
pub const CLIP_SIGMAS: f32 = 2.5;
/// ... but never tighter than this many levels (flat content has a tiny MAD).
pub const MIN_CLIP_LEVELS: f32 = 1.0;
/// Radius of the window over which the detector measures local residual power, working px.
pub const LOCAL_POWER_RADIUS: usize = 3;
/// Residual RMS (levels) below which a neighbourhood counts as smooth (full weight): about the
/// mark's own RMS plus codec noise.
pub const LOCAL_POWER_FLOOR: f32 = 3.0;
/// Rendered super-tiles kept per `Watermarker` (64 KiB each), least recently used dropped.
pub const MAX_CACHED_TAGS: usize = 64;

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
    /// Probability of a pilot-B correlation at least this large in a video not marked with
    /// this key (Hoeffding bound, exact for any content).
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
    /// Pilot B's normalised correlation (≈ N(0,1) under H0).
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
