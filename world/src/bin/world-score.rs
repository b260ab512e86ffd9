//! Reads 16×64×64 RGB clips (raw bytes) from stdin and prints what the scorer measures in each,
//! one line per clip: `colour shape count motion coherence` (indices into Colour::ALL,
//! Shape::PLAIN, Motion::SINGLE; -1 when not measurable). For external trainers' evaluations.

use std::io::{Read, Write};

use world::{score_clip, Clip, Colour, Motion, Shape, FRAMES, SIZE};

fn main() {
    let mut input = std::io::stdin().lock();
    let mut out = std::io::stdout().lock();
    let mut rgb = vec![0u8; FRAMES * SIZE * SIZE * 3];
    while input.read_exact(&mut rgb).is_ok() {
        let m = score_clip(&Clip {
            frames: FRAMES,
            size: SIZE,
            rgb: rgb.clone(),
        });
        let colour = m
            .colour
            .and_then(|c| Colour::ALL.iter().position(|x| *x == c))
            .map_or(-1, |i| i as i64);
        let shape = m
            .shape
            .and_then(|c| Shape::PLAIN.iter().position(|x| *x == c))
            .map_or(-1, |i| i as i64);
        let motion = m
            .motion
            .and_then(|c| Motion::SINGLE.iter().position(|x| *x == c))
            .map_or(-1, |i| i as i64);
        if writeln!(out, "{colour} {shape} {} {motion} {:.3}", m.count, m.coherence).is_err() {
            return;
        }
    }
}
