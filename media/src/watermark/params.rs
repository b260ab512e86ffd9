//! Every limit, threshold and layout number of the watermark, each with why (re-exported by
//! `mod.rs`; used across the module, and by tests, the benchmark and the server's
//! provenance check, which reads `DETECTION_P_VALUE`).

/// `Detection::detected` means `p_value` is below this.
pub const DETECTION_P_VALUE: f64 = 1e-6;
/// Default peak luma offset of a cell's bump, in 8-bit levels. The rounded pattern's mean
/// square is 7.44 levels², so PSNR is 39.4 dB before clipping at 0/255 (the floor is 38 dB;
/// 5.6 would round to 38.8). Raising it from 5.0 bought ~8 % amplitude for the hardest
/// content.
pub const DEFAULT_STRENGTH: f32 = 5.5;
/// Largest accepted strength (levels): beyond this the mark is plainly visible.
pub const MAX_STRENGTH: f32 = 32.0;
/// Period of sync pilot A and the payload, in pixels of the marked frame: two tiles across a
/// 256 px frame, and still more than a whole tile after a 10 % crop of each side (205 px).
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
