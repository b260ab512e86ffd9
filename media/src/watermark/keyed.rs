//! Everything the secret key decides, for the watermark's embedder and detector (`mod.rs`,
//! `search.rs`, `presence.rs`): a SHA-256 counter-mode stream per purpose, which of the tile's
//! 256 cells carry sync pilot A, presence pilot B and the coded payload, each cell's ±1 sign,
//! and the rendered 256 × 256 super-tile of luma offsets for one tag. Pilot A and the payload
//! repeat every 128 px; pilot B's cells get a fresh sign in each of the super-tile's four
//! tiles, so its test sees 4 × 54 independent symbols instead of 54 folded ones.
//!
//! Pilot B's signs come from their own stream, independent of everything the detector uses to
//! pick a geometry; that independence is what makes the detector's p-value exact (see
//! `presence.rs`).

use sha2::{Digest, Sha256};

use super::{
    code::codeword, CELLS, CELLS_PER_SIDE, CELL_SIDE, CODED_BITS, PILOT_A_CELLS, PILOT_B_CELLS, SUPER_CELLS_PER_SIDE,
    SUPER_TILE_SIDE,
};

/// A deterministic stream of pseudo-random bytes: SHA-256(key ‖ label ‖ counter).
struct KeyStream<'a> {
    key: &'a [u8; 32],
    label: &'static [u8],
    counter: u32,
    block: [u8; 32],
    used: usize,
}

impl<'a> KeyStream<'a> {
    fn new(key: &'a [u8; 32], label: &'static [u8]) -> Self {
        Self {
            key,
            label,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn next_u32(&mut self) -> u32 {
        if self.used + 4 > self.block.len() {
            let mut h = Sha256::new();
            h.update(b"reelroom-watermark-v1");
            h.update(self.key);
            h.update(self.label);
            h.update(self.counter.to_be_bytes());
            self.block.copy_from_slice(&h.finalize());
            self.counter += 1;
            self.used = 0;
        }
        let b = &self.block[self.used..self.used + 4];
        self.used += 4;
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    fn sign(&mut self) -> f64 {
        if self.next_u32() & 1 == 1 {
            1.0
        } else {
            -1.0
        }
    }
}

/// One cell and its ±1: a tile cell index (row-major, `CELLS_PER_SIDE` a row), or for pilot B
/// a super-tile cell index (`SUPER_CELLS_PER_SIDE` a row).
pub(crate) type SignedCell = (usize, f64);

/// Which cells carry what, and their key signs.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// Sync pilot: used to find scale and offset.
    pub pilot_a: Vec<SignedCell>,
    /// Presence pilot, in super-tile cells (each of its tile cells four times): tested at the
    /// geometry pilot A found; gives the p-value.
    pub pilot_b: Vec<SignedCell>,
    /// Coded bit `j` lives in `payload[j].0`, scrambled by `payload[j].1`.
    pub payload: Vec<SignedCell>,
}

impl Layout {
    pub fn new(key: &[u8; 32]) -> Self {
        let mut order: Vec<usize> = (0..CELLS).collect();
        let mut roles = KeyStream::new(key, b"roles");
        for i in (1..CELLS).rev() {
            let j = ((roles.next_u32() as u64 * (i as u64 + 1)) >> 32) as usize;
            order.swap(i, j);
        }
        let signed = |cells: &[usize], label: &'static [u8]| -> Vec<SignedCell> {
            let mut s = KeyStream::new(key, label);
            cells.iter().map(|&c| (c, s.sign())).collect()
        };
        let (a, rest) = order.split_at(PILOT_A_CELLS);
        let (b, payload) = rest.split_at(PILOT_B_CELLS);
        debug_assert_eq!(payload.len(), CODED_BITS);
        let per_side = CELLS_PER_SIDE;
        let b_super: Vec<usize> = (0..4)
            .flat_map(|q| {
                b.iter().map(move |&c| {
                    let (x, y) = (c % per_side + per_side * (q % 2), c / per_side + per_side * (q / 2));
                    y * SUPER_CELLS_PER_SIDE + x
                })
            })
            .collect();
        Self {
            pilot_a: signed(a, b"pilot-a"),
            pilot_b: signed(&b_super, b"pilot-b"),
            payload: signed(payload, b"scramble"),
        }
    }

    /// The ±1 of every super-tile cell for `tag`.
    fn cell_values(&self, tag: u32) -> Vec<f64> {
        let mut tile = [0.0; CELLS];
        for &(c, s) in &self.pilot_a {
            tile[c] = s;
        }
        for (&(c, s), bit) in self.payload.iter().zip(codeword(tag)) {
            tile[c] = if bit { -s } else { s };
        }
        let side = SUPER_CELLS_PER_SIDE;
        let mut v: Vec<f64> = (0..side * side)
            .map(|i| tile[(i / side % CELLS_PER_SIDE) * CELLS_PER_SIDE + i % side % CELLS_PER_SIDE])
            .collect();
        for &(c, s) in &self.pilot_b {
            v[c] = s;
        }
        v
    }

    /// The `SUPER_TILE_SIDE²` luma offsets for `tag` at peak amplitude `strength` (levels),
    /// rounded.
    pub fn render(&self, tag: u32, strength: f32) -> Vec<i8> {
        let values = self.cell_values(tag);
        let shape: Vec<f64> = (0..CELL_SIDE).map(bump).collect();
        let amp = strength as f64;
        let mut tile = Vec::with_capacity(SUPER_TILE_SIDE * SUPER_TILE_SIDE);
        for y in 0..SUPER_TILE_SIDE {
            for x in 0..SUPER_TILE_SIDE {
                let cell = (y / CELL_SIDE) * SUPER_CELLS_PER_SIDE + x / CELL_SIDE;
                let v = amp * values[cell] * shape[y % CELL_SIDE] * shape[x % CELL_SIDE];
                tile.push(v.round().clamp(-127.0, 127.0) as i8);
            }
        }
        tile
    }
}

/// The cell's bump profile at pixel `i` of `CELL_SIDE`: a half sine, zero at the cell's edges
/// so neighbouring cells join without a step (no high frequencies for the codec to drop).
pub(crate) fn bump(i: usize) -> f64 {
    (std::f64::consts::PI * (i as f64 + 0.5) / CELL_SIDE as f64).sin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_keyed_and_partition_the_tile() {
        let a = Layout::new(&[1; 32]);
        let b = Layout::new(&[2; 32]);
        let mut seen = [false; CELLS];
        let b_tile = a.pilot_b.iter().map(|&(c, s)| {
            let (x, y) = (c % SUPER_CELLS_PER_SIDE, c / SUPER_CELLS_PER_SIDE);
            ((y % CELLS_PER_SIDE) * CELLS_PER_SIDE + x % CELLS_PER_SIDE, s)
        });
        for (c, _) in a
            .pilot_a
            .iter()
            .copied()
            .chain(a.payload.iter().copied())
            .chain(b_tile.take(PILOT_B_CELLS))
        {
            assert!(!seen[c], "cell {c} used twice");
            seen[c] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(a.pilot_b.len(), 4 * PILOT_B_CELLS);
        assert_ne!(a.pilot_a, b.pilot_a);
        let ones = a.pilot_b.iter().filter(|c| c.1 > 0.0).count();
        assert!(
            (80..=136).contains(&ones),
            "{ones} of {} signs positive",
            a.pilot_b.len()
        );
        assert_eq!(a.render(7, 5.0), Layout::new(&[1; 32]).render(7, 5.0));
        assert_ne!(a.render(7, 5.0), a.render(8, 5.0));
    }
}
