//! The payload's error correction, used by the watermark's embedder (`keyed.rs`, via
//! [`codeword`]) and detector (`mod.rs`, via [`decode`]): a 32-bit clip tag plus a CRC-8 goes
//! through a rate-1/3, constraint-length-7 convolutional code (generators 133, 171, 165 octal,
//! free distance 15), zero-terminated, and comes back through a soft-decision Viterbi decoder.
//!
//! Why this code: the detector ends with one real-valued correlation per coded bit, averaged
//! over frames; soft-decision Viterbi uses those magnitudes (≈ 2 dB better than hard-decision
//! BCH/RS) and is ~60 lines. 40 info bits + 6 tail bits × 3 = 138 coded bits, which leaves
//! 118 of the tile's 256 cells for the two pilots. The CRC-8 catches most wrong decodes at low
//! SNR (a random wrong word passes with probability 1/256) so that a tag is only reported when
//! it checks.

use super::{CODED_BITS, CRC_BITS, TAG_BITS};

/// Encoder memory: constraint length 7 → 6 bits of state, 64 trellis states.
const MEMORY: usize = 6;
const STATES: usize = 1 << MEMORY;
/// Generator polynomials (octal 133, 171, 165: the classic K = 7 rate-1/3 code).
const GENERATORS: [u32; 3] = [0o133, 0o171, 0o165];
/// Trellis steps: info bits plus the zero tail that returns the encoder to state 0.
const STEPS: usize = TAG_BITS + CRC_BITS + MEMORY;
const _: () = assert!(STEPS * GENERATORS.len() == CODED_BITS);

/// CRC-8 (polynomial 0x07) of the tag, big-endian bytes.
fn crc8(tag: u32) -> u8 {
    let mut crc = 0u8;
    for byte in tag.to_be_bytes() {
        crc ^= byte;
        for _ in 0..8 {
            crc = if crc & 0x80 != 0 { (crc << 1) ^ 0x07 } else { crc << 1 };
        }
    }
    crc
}

/// The info bits of `tag`, MSB first: 32 tag bits then 8 CRC bits.
fn info_bits(tag: u32) -> Vec<bool> {
    let word = ((tag as u64) << CRC_BITS) | crc8(tag) as u64;
    (0..TAG_BITS + CRC_BITS).rev().map(|i| (word >> i) & 1 == 1).collect()
}

/// The three output bits for register `reg` (newest bit at bit 6).
fn outputs(reg: u32) -> [bool; 3] {
    GENERATORS.map(|g| (reg & g).count_ones() % 2 == 1)
}

/// The coded bits (length [`CODED_BITS`]) the watermark carries for `tag`.
pub fn codeword(tag: u32) -> Vec<bool> {
    let mut state = 0u32;
    let mut out = Vec::with_capacity(CODED_BITS);
    for bit in info_bits(tag).into_iter().chain(std::iter::repeat_n(false, MEMORY)) {
        let reg = ((bit as u32) << MEMORY) | state;
        out.extend(outputs(reg));
        state = reg >> 1;
    }
    out
}

/// What the Viterbi decoder found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decoded {
    pub tag: u32,
    /// Whether the decoded CRC matches the decoded tag.
    pub crc_ok: bool,
    /// The decoded word re-encoded: what the channel bits should have been.
    pub codeword: Vec<bool>,
}

/// Soft-decision Viterbi over `soft` (length [`CODED_BITS`]; positive means bit 0): the path
/// that maximises `Σ soft × (±1)` and ends in state 0. `None` on a wrong length.
pub(crate) fn decode(soft: &[f64]) -> Option<Decoded> {
    if soft.len() != CODED_BITS {
        return None;
    }
    let mut metric = [f64::NEG_INFINITY; STATES];
    metric[0] = 0.0;
    // decisions[t][next] = (previous state, input bit) of the surviving path.
    let mut decisions = vec![[(0u8, false); STATES]; STEPS];
    for (t, step) in decisions.iter_mut().enumerate() {
        let y = &soft[t * 3..t * 3 + 3];
        let mut next_metric = [f64::NEG_INFINITY; STATES];
        for (state, &m) in metric.iter().enumerate() {
            if m == f64::NEG_INFINITY {
                continue;
            }
            for bit in [false, true] {
                let reg = ((bit as u32) << MEMORY) | state as u32;
                let branch: f64 = outputs(reg).iter().zip(y).map(|(&c, &v)| if c { -v } else { v }).sum();
                let next = (reg >> 1) as usize;
                if m + branch > next_metric[next] {
                    next_metric[next] = m + branch;
                    step[next] = (state as u8, bit);
                }
            }
        }
        metric = next_metric;
    }
    if metric[0] == f64::NEG_INFINITY {
        return None;
    }
    let mut bits = [false; STEPS];
    let mut state = 0usize;
    for t in (0..STEPS).rev() {
        let (prev, bit) = decisions[t][state];
        bits[t] = bit;
        state = prev as usize;
    }
    let word = bits[..TAG_BITS + CRC_BITS]
        .iter()
        .fold(0u64, |acc, &b| (acc << 1) | b as u64);
    let tag = (word >> CRC_BITS) as u32;
    let crc_ok = (word & 0xFF) as u8 == crc8(tag);
    Some(Decoded {
        tag,
        crc_ok,
        codeword: codeword(tag),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soft_of(word: &[bool], amp: f64) -> Vec<f64> {
        word.iter().map(|&b| if b { -amp } else { amp }).collect()
    }

    #[test]
    fn clean_words_decode() {
        for tag in [0u32, 1, 0xDEAD_BEEF, u32::MAX, 0x8000_0001] {
            let d = decode(&soft_of(&codeword(tag), 1.0)).expect("decodes");
            assert_eq!(d.tag, tag);
            assert!(d.crc_ok);
        }
    }

    #[test]
    fn corrects_burst_of_flipped_bits() {
        let tag = 0x1234_5678;
        let word = codeword(tag);
        let mut soft = soft_of(&word, 1.0);
        // Flip 7 bits, spread out (d_free 15 → up to 7 hard errors per error event).
        for i in [3, 20, 41, 60, 77, 99, 130] {
            soft[i] = -soft[i];
        }
        let d = decode(&soft).expect("decodes");
        assert_eq!(d.tag, tag);
        assert!(d.crc_ok);
    }

    #[test]
    fn noise_fails_the_crc_mostly() {
        // A deterministic pseudo-random soft vector: the CRC should reject most decodes.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut ok = 0;
        for _ in 0..200 {
            let soft: Vec<f64> = (0..CODED_BITS)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5
                })
                .collect();
            ok += decode(&soft).map_or(0, |d| d.crc_ok as usize);
        }
        assert!(ok < 10, "{ok} of 200 random words passed the CRC");
        assert!(decode(&[0.0; 5]).is_none());
    }
}
