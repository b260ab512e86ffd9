//! The presence test and its p-value (called by `Watermarker::analyse` in `mod.rs` after
//! `search.rs` has found the geometry with pilot A).
//!
//! Pilot B has period `SUPER_TILE_SIDE` (two tiles), so once pilot A has fixed the scale and
//! the offset modulo one tile, four offsets remain (tile 0 or 1 in x and y). For each, the
//! statistic is `z = Σ b_k c_k / √(Σ c_k²)` over B's cells, where `c_k` is the whitened fold's
//! correlation with cell k's bump and `b_k` the key's sign.
//!
//! Why the p-value is exact: under H0 (a video not marked with this key) the `c_k` are some
//! numbers fixed by the video and by everything the search did, none of which depends on B's
//! signs; the `b_k` are independent fair coins (a PRF of the key, under their own label). So
//! `z` is a weighted Rademacher sum of unit variance, whatever the content, codec or search.
//! Two valid tail bounds for such sums: Hoeffding's `P(z ≥ t) ≤ exp(−t²/2)`, and Bentkus &
//! Dzindzalieta (Bernoulli 21(2), 2015) `P(z ≥ t) ≤ c·(1 − Φ(t))` with the optimal
//! `c = 1 / (4 (1 − Φ(√2))) ≈ 3.178`. We take the smaller and multiply by the four offsets
//! tried (Bonferroni). Only the test's independence from the search matters, not any model of
//! the noise; the benchmark checks the null z against N(0, 1) on 10 000 unmarked videos.

use super::extract::Residual;
use super::keyed::Layout;
use super::search::{cell_coefficient, fold, normalised, whitened_fold, Geometry, Templates};
use super::{FOLD_BINS, PRESENCE_OFFSETS, SUPER_BINS, SUPER_CELLS_PER_SIDE};

/// Bentkus–Dzindzalieta's constant `1 / (4 (1 − Φ(√2)))`.
const BD_CONSTANT: f64 = 3.1786;

/// Complementary error function (Numerical Recipes' `erfcc`, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The p-value of the best of the `PRESENCE_OFFSETS` pilot-B statistics, `z`: Bonferroni over
/// the offsets of the smaller of the Hoeffding and Bentkus–Dzindzalieta tail bounds.
pub fn p_value_of_z(z: f64) -> f64 {
    // NaN and z ≤ 0: no evidence at all.
    if z.is_nan() || z <= 0.0 {
        return 1.0;
    }
    let hoeffding = (-z * z / 2.0).exp();
    // 1.2e-7 relative slack covers erfcc's error, so the bound stays a bound.
    let gaussian = 0.5 * erfc(z / std::f64::consts::SQRT_2) * (1.0 + 1.2e-7);
    (PRESENCE_OFFSETS as f64 * hoeffding.min(BD_CONSTANT * gaussian)).min(1.0)
}

/// Pilot B's best statistic over the four super-tile offsets at `g`.
pub(crate) fn presence_z(res: &Residual, g: &Geometry, layout: &Layout, t: &Templates) -> f64 {
    let n = SUPER_BINS;
    let f = whitened_fold(&fold(res, g.scale, g.phase, n), &t.fft_super, n);
    let side = SUPER_CELLS_PER_SIDE;
    let mut coeffs = vec![0.0; side * side];
    let mut best = f64::NEG_INFINITY;
    for q in 0..PRESENCE_OFFSETS {
        let shift = (g.shift.0 + FOLD_BINS * (q % 2), g.shift.1 + FOLD_BINS * (q / 2));
        for &(c, _) in &layout.pilot_b {
            coeffs[c] = cell_coefficient(&f, n, &t.bin_bump, (c % side, c / side), shift);
        }
        best = best.max(normalised(&layout.pilot_b, &coeffs));
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_bounds() {
        assert!((erfc(0.0) - 1.0).abs() < 1e-7);
        assert!((erfc(1.0) - 0.157_299_207).abs() < 1e-7);
        assert!((erfc(-1.0) - 1.842_700_793).abs() < 1e-7);
        // 1 − Φ(5) = 2.8665e-7.
        assert!((0.5 * erfc(5.0 / std::f64::consts::SQRT_2) / 2.8665e-7 - 1.0).abs() < 1e-3);
        assert_eq!(p_value_of_z(-1.0), 1.0);
        assert_eq!(p_value_of_z(f64::NAN), 1.0);
        assert_eq!(p_value_of_z(0.5), 1.0);
        // Bentkus–Dzindzalieta is the tighter bound out here: 4 × 3.1786 × 2.8665e-7.
        assert!((p_value_of_z(5.0) / 3.6446e-6 - 1.0).abs() < 1e-3);
        assert!(p_value_of_z(5.3) < 1e-6 && p_value_of_z(5.2) > 1e-6);
    }
}
