//! A small radix-2 complex FFT, 1-D and square 2-D, for the watermark detector's cyclic
//! correlations over the folded tile (`search.rs` is the only caller). Written here rather than
//! pulled in as a dependency: the detector needs one size (the fold's side), forward and
//! inverse, nothing else.

/// One complex number (f64: the correlations sum thousands of terms).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Complex {
    pub re: f64,
    pub im: f64,
}

impl Complex {
    pub fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }
    fn mul(self, o: Self) -> Self {
        Self::new(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)
    }
    /// `self × conj(o)`: the cross-correlation theorem's product.
    pub fn mul_conj(self, o: Self) -> Self {
        Self::new(self.re * o.re + self.im * o.im, self.im * o.re - self.re * o.im)
    }
}

/// A planned FFT of one power-of-two length `n`, applied to the rows and columns of `n × n`
/// grids.
#[derive(Debug, Clone)]
pub(crate) struct Fft2 {
    n: usize,
    /// `exp(-2πi k / n)` for `k < n / 2`.
    twiddles: Vec<Complex>,
    /// Bit-reversal permutation of `0..n`.
    bitrev: Vec<usize>,
}

impl Fft2 {
    /// Plans for `n × n` grids; `n` must be a power of two (the callers pass a constant).
    pub fn new(n: usize) -> Self {
        debug_assert!(n.is_power_of_two());
        let bits = n.trailing_zeros();
        let twiddles = (0..n / 2)
            .map(|k| {
                let a = -2.0 * std::f64::consts::PI * k as f64 / n as f64;
                Complex::new(a.cos(), a.sin())
            })
            .collect();
        let bitrev = (0..n)
            .map(|i| {
                if bits == 0 {
                    0
                } else {
                    i.reverse_bits() >> (usize::BITS - bits)
                }
            })
            .collect();
        Self { n, twiddles, bitrev }
    }

    /// In-place 1-D transform of `v` (length `n`); `inverse` conjugates the twiddles (no 1/n).
    fn run(&self, v: &mut [Complex], inverse: bool) {
        let n = self.n;
        for (i, &j) in self.bitrev.iter().enumerate() {
            if i < j {
                v.swap(i, j);
            }
        }
        let mut len = 2;
        while len <= n {
            let step = n / len;
            for start in (0..n).step_by(len) {
                for k in 0..len / 2 {
                    let mut w = self.twiddles[k * step];
                    if inverse {
                        w.im = -w.im;
                    }
                    let a = v[start + k];
                    let b = v[start + k + len / 2].mul(w);
                    v[start + k] = Complex::new(a.re + b.re, a.im + b.im);
                    v[start + k + len / 2] = Complex::new(a.re - b.re, a.im - b.im);
                }
            }
            len <<= 1;
        }
    }

    /// In-place 2-D transform of a row-major `n × n` grid; the inverse divides by `n²`.
    pub fn transform(&self, grid: &mut [Complex], inverse: bool) {
        let n = self.n;
        debug_assert_eq!(grid.len(), n * n);
        for row in grid.chunks_exact_mut(n) {
            self.run(row, inverse);
        }
        let mut col = vec![Complex::default(); n];
        for x in 0..n {
            for (y, c) in col.iter_mut().enumerate() {
                *c = grid[y * n + x];
            }
            self.run(&mut col, inverse);
            for (y, c) in col.iter().enumerate() {
                grid[y * n + x] = *c;
            }
        }
        if inverse {
            let scale = 1.0 / (n * n) as f64;
            for c in grid.iter_mut() {
                c.re *= scale;
                c.im *= scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyclic_correlation_finds_a_shift() {
        let n = 16;
        let fft = Fft2::new(n);
        let pattern: Vec<f64> = (0..n * n).map(|i| ((i * 7919 % 13) as f64) - 6.0).collect();
        let (dx, dy) = (5, 11);
        // f[b + d] = p[b]  ⇒  correlation peaks at d.
        let mut f = vec![Complex::default(); n * n];
        for y in 0..n {
            for x in 0..n {
                f[((y + dy) % n) * n + (x + dx) % n] = Complex::new(pattern[y * n + x], 0.0);
            }
        }
        let mut p: Vec<Complex> = pattern.iter().map(|&v| Complex::new(v, 0.0)).collect();
        fft.transform(&mut f, false);
        fft.transform(&mut p, false);
        let mut c: Vec<Complex> = f.iter().zip(&p).map(|(a, b)| a.mul_conj(*b)).collect();
        fft.transform(&mut c, true);
        let best = (0..n * n).max_by(|&a, &b| c[a].re.total_cmp(&c[b].re)).unwrap_or(0);
        assert_eq!((best % n, best / n), (dx, dy));
        let energy: f64 = pattern.iter().map(|v| v * v).sum();
        assert!((c[best].re - energy).abs() < 1e-6, "{} vs {energy}", c[best].re);
    }
}
