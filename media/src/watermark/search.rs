//! The detector's geometry search (called by `Watermarker::analyse` in `mod.rs`): finds the
//! scale and offset at which the key's tile sits in a high-passed residual (`extract.rs`), and
//! returns the tile's 256 cell correlations there; `presence.rs` reuses its fold and whitening.
//!
//! Pilot A and the payload repeat every `TILE_SIDE` pixels. For a scale hypothesis `s`
//! (received pixels per marked pixel) every residual pixel is folded into a `FOLD_BINS²` grid by
//! its position modulo one tile (bins of `FOLD_BIN_PX` marked pixels), measured from the frame
//! centre so that a scale error drifts least. A crop only shifts the fold cyclically, so one
//! whitened FFT cross-correlation with pilot A's template scores every offset at once. Scales
//! run over a geometric grid (`SCALE_STEP`) from `MIN_SCALE` to `MAX_SCALE`; the best
//! `SEARCH_CANDIDATES` are refined (⅓ scale steps, half-bin phases, ±1 bin) on pilot A's exact
//! normalised correlation. Pilot B never enters the search: that keeps its test exact.

use super::fft::{Complex, Fft2};
use super::keyed::{bump, Layout, SignedCell};
use super::{
    extract::Residual, CELLS, CELLS_PER_SIDE, CELL_SIDE, FOLD_BINS, FOLD_BIN_PX, MAX_SCALE, MIN_SCALE, SCALE_STEP,
    SEARCH_CANDIDATES, SUPER_BINS, WHITEN_EXPONENT, WHITEN_FLOOR,
};

/// Bins across one cell.
pub(crate) const CELL_BINS: usize = CELL_SIDE / FOLD_BIN_PX;
const _: () = assert!(CELLS_PER_SIDE * CELL_BINS == FOLD_BINS && CELL_BINS * FOLD_BIN_PX == CELL_SIDE);

/// What the search precomputes once per key.
#[derive(Debug, Clone)]
pub(crate) struct Templates {
    pub fft: Fft2,
    /// For pilot B's `SUPER_BINS²` fold.
    pub fft_super: Fft2,
    /// FFT of pilot A's signed bumps on the fold grid.
    pilot_a_hat: Vec<Complex>,
    /// The bump profile averaged over each bin.
    pub bin_bump: [f64; CELL_BINS],
}

impl Templates {
    pub fn new(layout: &Layout) -> Self {
        let mut bin_bump = [0.0; CELL_BINS];
        for (i, b) in bin_bump.iter_mut().enumerate() {
            *b = (0..FOLD_BIN_PX).map(|k| bump(i * FOLD_BIN_PX + k)).sum::<f64>() / FOLD_BIN_PX as f64;
        }
        let mut grid = vec![Complex::default(); FOLD_BINS * FOLD_BINS];
        for &(cell, sign) in &layout.pilot_a {
            let (cx, cy) = (cell % CELLS_PER_SIDE, cell / CELLS_PER_SIDE);
            for i in 0..CELL_BINS {
                for j in 0..CELL_BINS {
                    let v = sign * bin_bump[i] * bin_bump[j];
                    grid[(cy * CELL_BINS + i) * FOLD_BINS + cx * CELL_BINS + j] = Complex::new(v, 0.0);
                }
            }
        }
        let fft = Fft2::new(FOLD_BINS);
        fft.transform(&mut grid, false);
        Self {
            fft,
            fft_super: Fft2::new(SUPER_BINS),
            pilot_a_hat: grid,
            bin_bump,
        }
    }
}

/// Where the tile was found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Geometry {
    /// Received pixels per marked pixel.
    pub scale: f64,
    /// Sub-bin phase of the fold, marked pixels.
    pub phase: (f64, f64),
    /// Cyclic offset of the tile in the fold, bins.
    pub shift: (usize, usize),
    /// Pilot A's exact normalised correlation there.
    pub sync_z: f64,
}

/// Folds `res` at `scale` and sub-bin `phase` onto an `n × n` grid of `FOLD_BIN_PX` bins:
/// per-bin sums minus the count-weighted mean (sums, not means: every pixel weighs the same).
pub(crate) fn fold(res: &Residual, scale: f64, phase: (f64, f64), n: usize) -> Vec<f64> {
    let per_orig = scale / res.reduce as f64;
    let bins = |len: usize, phase: f64| -> Vec<usize> {
        let centre = len as f64 / 2.0;
        (0..len)
            .map(|i| {
                let orig = (i as f64 + 0.5 - centre) / per_orig + phase;
                ((orig / FOLD_BIN_PX as f64).floor() as i64).rem_euclid(n as i64) as usize
            })
            .collect()
    };
    let (cols, rows) = (bins(res.width, phase.0), bins(res.height, phase.1));
    let mut sums = vec![0f64; n * n];
    let mut counts = vec![0u32; n * n];
    for (row, &rb) in res.data.chunks_exact(res.width).zip(&rows) {
        let (s, c) = (&mut sums[rb * n..], &mut counts[rb * n..]);
        for (&v, &cb) in row.iter().zip(&cols) {
            s[cb] += v as f64;
            c[cb] += 1;
        }
    }
    let total: f64 = sums.iter().sum();
    let count: u32 = counts.iter().sum();
    let mean = if count == 0 { 0.0 } else { total / count as f64 };
    sums.iter_mut().zip(&counts).for_each(|(s, &c)| *s -= mean * c as f64);
    sums
}

/// Whitens an `n × n` fold: multiplies its spectrum by the fold's own radially averaged power
/// spectrum to the power `−WHITEN_EXPONENT` (content is roughly isotropic with power falling
/// like 1/f², so this approaches the inverse-covariance matched filter, exponent 1, which
/// over-trusts a power estimate made from one fold). The filter depends on the video only,
/// never on a pilot's signs, so the tests stay exact. Returns the filtered spectrum.
fn whiten(f: &[f64], fft: &Fft2, n: usize) -> Vec<Complex> {
    let mut spec: Vec<Complex> = f.iter().map(|&v| Complex::new(v, 0.0)).collect();
    fft.transform(&mut spec, false);
    let ring = |i: usize| -> usize {
        let (kx, ky) = ((i % n) as f64, (i / n) as f64);
        let (kx, ky) = (kx.min(n as f64 - kx), ky.min(n as f64 - ky));
        (kx * kx + ky * ky).sqrt().round() as usize
    };
    let rings = ring(n / 2 * n + n / 2) + 1;
    let (mut power, mut count) = (vec![0f64; rings], vec![0u32; rings]);
    for (i, c) in spec.iter().enumerate() {
        power[ring(i)] += c.re * c.re + c.im * c.im;
        count[ring(i)] += 1;
    }
    let total: f64 = power.iter().sum::<f64>() / (n * n) as f64;
    let floor = total * WHITEN_FLOOR + f64::MIN_POSITIVE;
    for (p, &c) in power.iter_mut().zip(&count) {
        *p = (*p / c.max(1) as f64).max(floor);
    }
    for (i, c) in spec.iter_mut().enumerate() {
        let r = ring(i);
        let w = if r == 0 { 0.0 } else { power[r].powf(-WHITEN_EXPONENT) };
        c.re *= w;
        c.im *= w;
    }
    spec
}

/// The whitened `n × n` fold back in space.
pub(crate) fn whitened_fold(f: &[f64], fft: &Fft2, n: usize) -> Vec<f64> {
    let mut spec = whiten(f, fft, n);
    fft.transform(&mut spec, true);
    spec.into_iter().map(|c| c.re).collect()
}

/// Correlation of the bump of the cell at `(cx, cy)` (in cells) with an `n × n` fold at
/// `shift` (bins).
pub(crate) fn cell_coefficient(
    f: &[f64],
    n: usize,
    bb: &[f64; CELL_BINS],
    cell: (usize, usize),
    shift: (usize, usize),
) -> f64 {
    let mut acc = 0.0;
    for (i, bi) in bb.iter().enumerate() {
        let y = (cell.1 * CELL_BINS + i + shift.1) % n;
        let row = &f[y * n..(y + 1) * n];
        for (j, bj) in bb.iter().enumerate() {
            acc += row[(cell.0 * CELL_BINS + j + shift.0) % n] * bi * bj;
        }
    }
    acc
}

fn tile_cell(f: &[f64], t: &Templates, cell: usize, shift: (usize, usize)) -> f64 {
    cell_coefficient(
        f,
        FOLD_BINS,
        &t.bin_bump,
        (cell % CELLS_PER_SIDE, cell / CELLS_PER_SIDE),
        shift,
    )
}

/// `Σ sign × c / √(Σ c²)` over `cells`: when the signs are fair coins independent of `c`, a
/// weighted Rademacher sum of unit variance. 0 when the fold is empty there.
pub(crate) fn normalised(cells: &[SignedCell], coeffs: &[f64]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for &(c, s) in cells {
        num += s * coeffs[c];
        den += coeffs[c] * coeffs[c];
    }
    if den > 0.0 {
        num / den.sqrt()
    } else {
        0.0
    }
}

/// The scale hypotheses: `(1 + SCALE_STEP)^i` within `[MIN_SCALE, MAX_SCALE]` (1.0 exactly on
/// the grid: the common, unscaled case).
fn scales() -> Vec<f64> {
    let ln = (1.0 + SCALE_STEP).ln();
    let lo = (MIN_SCALE.ln() / ln).ceil() as i32;
    let hi = (MAX_SCALE.ln() / ln).floor() as i32;
    (lo..=hi).map(|i| (1.0 + SCALE_STEP).powi(i)).collect()
}

/// Best offset at one scale and its z against all offsets' correlations (for ranking only).
fn best_offset(f: &[f64], t: &Templates) -> ((usize, usize), f64) {
    let mut grid = whiten(f, &t.fft, FOLD_BINS);
    for (g, p) in grid.iter_mut().zip(&t.pilot_a_hat) {
        *g = g.mul_conj(*p);
    }
    t.fft.transform(&mut grid, true);
    let n = grid.len() as f64;
    let mean = grid.iter().map(|c| c.re).sum::<f64>() / n;
    let sd = (grid.iter().map(|c| (c.re - mean).powi(2)).sum::<f64>() / n).sqrt();
    let (best, peak) = grid.iter().enumerate().fold(
        (0, f64::NEG_INFINITY),
        |b, (i, c)| if c.re > b.1 { (i, c.re) } else { b },
    );
    let z = if sd > 0.0 { (peak - mean) / sd } else { 0.0 };
    ((best % FOLD_BINS, best / FOLD_BINS), z)
}

/// Searches scale and offset with pilot A; returns the geometry and every tile cell's
/// coefficient there (`CELLS` values, indexed like the layout's cells).
pub(crate) fn search(res: &Residual, layout: &Layout, t: &Templates) -> (Geometry, Vec<f64>) {
    let mut ranked: Vec<(f64, f64, (usize, usize))> = scales()
        .into_iter()
        .map(|s| {
            let (shift, z) = best_offset(&fold(res, s, (0.0, 0.0), FOLD_BINS), t);
            (z, s, shift)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let third = (1.0 + SCALE_STEP).powf(1.0 / 3.0);
    let half = FOLD_BIN_PX as f64 / 2.0;
    let mut best: Option<(Geometry, Vec<f64>)> = None;
    let mut coeffs = vec![0.0; CELLS];
    for &(_, s0, (dx0, dy0)) in ranked.iter().take(SEARCH_CANDIDATES) {
        for s in [s0 / third, s0, s0 * third] {
            for phase in [(0.0, 0.0), (half, 0.0), (0.0, half), (half, half)] {
                let f = whitened_fold(&fold(res, s, phase, FOLD_BINS), &t.fft, FOLD_BINS);
                for dy in [FOLD_BINS - 1, 0, 1] {
                    for dx in [FOLD_BINS - 1, 0, 1] {
                        let shift = ((dx0 + dx) % FOLD_BINS, (dy0 + dy) % FOLD_BINS);
                        for &(c, _) in &layout.pilot_a {
                            coeffs[c] = tile_cell(&f, t, c, shift);
                        }
                        let z = normalised(&layout.pilot_a, &coeffs);
                        if best.as_ref().is_none_or(|b| z > b.0.sync_z) {
                            let all = (0..CELLS).map(|c| tile_cell(&f, t, c, shift)).collect();
                            let g = Geometry {
                                scale: s,
                                phase,
                                shift,
                                sync_z: z,
                            };
                            best = Some((g, all));
                        }
                    }
                }
            }
        }
    }
    best.unwrap_or_else(|| {
        let g = Geometry {
            scale: 1.0,
            phase: (0.0, 0.0),
            shift: (0, 0),
            sync_z: 0.0,
        };
        (g, vec![0.0; CELLS])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_grid_covers_the_range_and_holds_one() {
        let s = scales();
        assert!(s.contains(&1.0));
        assert!(s[0] >= MIN_SCALE && s[0] < MIN_SCALE * (1.0 + SCALE_STEP));
        let last = s[s.len() - 1];
        assert!(last <= MAX_SCALE && last * (1.0 + SCALE_STEP) > MAX_SCALE);
    }
}
