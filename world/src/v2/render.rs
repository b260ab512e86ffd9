//! Renders a [`SceneV2`]: the place's backdrop, each planned subject instance drawn from its
//! reference sprite (an atlas cell, or an avatar crop), then weather. Also draws the *layout
//! canvas* the model v2 is conditioned on: the same sprites at the same placements on a
//! transparent canvas (RGBA), without backdrop or weather.

use super::backdrop::{apply_weather, paint_backdrop};
use super::concepts::{Library, Sprite};
use super::plan::{camera, layout, Placement};
use super::spec::{SceneV2, SubjectKind};
use crate::render::Clip;
use crate::{FPS, REF_SIZE};

/// Native size of v2 clips (the model's core runs at half of it).
pub const V2_SIZE: usize = 128;

/// The sprite of every slot: atlas cells for concepts, `avatars[i]` (REF_SIZE² RGB) for the
/// i-th avatar slot (grey when missing).
pub fn slot_sprites(scene: &SceneV2, avatars: &[Vec<u8>]) -> Vec<Sprite> {
    let lib = Library::get();
    let mut next_avatar = 0;
    scene
        .subjects
        .iter()
        .map(|s| match s.kind {
            SubjectKind::Concept(id) => Sprite::from_rgba(&lib.cell(id), super::concepts::CELL),
            SubjectKind::Avatar => {
                let crop = avatars
                    .get(next_avatar)
                    .filter(|c| c.len() == REF_SIZE * REF_SIZE * 3)
                    .cloned()
                    .unwrap_or_else(|| vec![128; REF_SIZE * REF_SIZE * 3]);
                next_avatar += 1;
                Sprite::from_reference_rgb(&crop, REF_SIZE)
            }
        })
        .collect()
}

/// The sprite's premultiplied RGBA at offset (dx, dy) pixels from its centre when drawn `h`
/// pixels tall, turned by `angle` and squashed by `squash` (the renderer and the scorer's
/// templates both sample through this).
pub fn sample_placed(sprite: &Sprite, h: f32, angle: f32, squash: f32, dx: f32, dy: f32) -> [f32; 4] {
    let (sin, cos) = angle.sin_cos();
    let squash = if squash.abs() < 0.08 {
        0.08f32.copysign(squash)
    } else {
        squash
    };
    // Frame pixel → sprite coordinates (inverse rotation, then inverse squash).
    let (rx, ry) = (cos * dx + sin * dy, -sin * dx + cos * dy);
    let u = rx / squash / h + 0.5;
    let v = ry / h + 0.5;
    if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
        return [0.0; 4];
    }
    sprite.sample(u, v, 1.0 / h / squash.abs().max(0.25))
}

/// Composites one placed sprite over `buf` (premultiplied "over"); `alpha` (if given) gets
/// the coverage.
fn draw(p: &Placement, sprite: &Sprite, size: usize, buf: &mut [[f32; 3]], mut alpha: Option<&mut [f32]>) {
    let n = size as f32;
    let h = p.height * n;
    if h < 1.0 {
        return;
    }
    let (cx, cy) = (p.cx * n, p.cy * n);
    let reach = h * 0.75;
    let (x0, x1) = (
        (cx - reach).floor().max(0.0) as usize,
        ((cx + reach).ceil().max(0.0) as usize).min(size),
    );
    let (y0, y1) = (
        (cy - reach).floor().max(0.0) as usize,
        ((cy + reach).ceil().max(0.0) as usize).min(size),
    );
    for y in y0..y1 {
        for x in x0..x1 {
            let [r, g, b, a] = sample_placed(sprite, h, p.angle, p.squash, x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
            if a <= 0.0 {
                continue;
            }
            let i = y * size + x;
            let px = &mut buf[i];
            px[0] = r + px[0] * (1.0 - a);
            px[1] = g + px[1] * (1.0 - a);
            px[2] = b + px[2] * (1.0 - a);
            if let Some(al) = alpha.as_deref_mut() {
                al[i] = a + al[i] * (1.0 - a);
            }
        }
    }
}

fn to_u8(v: f32) -> u8 {
    (v * 255.0).round().clamp(0.0, 255.0) as u8
}

/// A rendered v2 clip and its layout canvas (RGBA, premultiplied, transparent background).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub clip: Clip,
    /// `frames × size × size × 4` bytes.
    pub canvas: Vec<u8>,
}

/// Renders `frames` frames from frame time `t0` at `size × size`.
pub fn render_v2(scene: &SceneV2, sprites: &[Sprite], t0: f32, frames: usize, size: usize) -> Rendered {
    let mut rgb = vec![0u8; frames * size * size * 3];
    let mut canvas = vec![0u8; frames * size * size * 4];
    let mut buf = vec![[0f32; 3]; size * size];
    let mut layer = vec![[0f32; 3]; size * size];
    let mut alpha = vec![0f32; size * size];
    for f in 0..frames {
        let tau = t0 + f as f32;
        let (pan, zoom) = camera(scene.camera, tau / FPS as f32);
        paint_backdrop(scene.place, scene.light, scene.seed, tau, pan, zoom, size, &mut buf);
        layer.iter_mut().for_each(|p| *p = [0.0; 3]);
        alpha.iter_mut().for_each(|a| *a = 0.0);
        for p in layout(scene, tau) {
            if let Some(sprite) = sprites.get(p.slot) {
                draw(&p, sprite, size, &mut buf, None);
                draw(&p, sprite, size, &mut layer, Some(&mut alpha));
            }
        }
        apply_weather(scene.weather, scene.light, scene.seed, tau, size, &mut buf);
        let out = &mut rgb[f * size * size * 3..(f + 1) * size * size * 3];
        for (px, dst) in buf.iter().zip(out.chunks_exact_mut(3)) {
            dst.copy_from_slice(&[to_u8(px[0]), to_u8(px[1]), to_u8(px[2])]);
        }
        let out = &mut canvas[f * size * size * 4..(f + 1) * size * size * 4];
        for ((px, a), dst) in layer.iter().zip(&alpha).zip(out.chunks_exact_mut(4)) {
            dst.copy_from_slice(&[to_u8(px[0]), to_u8(px[1]), to_u8(px[2]), to_u8(*a)]);
        }
    }
    Rendered {
        clip: Clip { frames, size, rgb },
        canvas,
    }
}

/// Only the layout canvas (RGBA) for `frames` frames from `t0`: what model v2 is given.
pub fn render_canvas(scene: &SceneV2, sprites: &[Sprite], t0: f32, frames: usize, size: usize) -> Vec<u8> {
    let mut canvas = vec![0u8; frames * size * size * 4];
    let mut layer = vec![[0f32; 3]; size * size];
    let mut alpha = vec![0f32; size * size];
    for f in 0..frames {
        layer.iter_mut().for_each(|p| *p = [0.0; 3]);
        alpha.iter_mut().for_each(|a| *a = 0.0);
        for p in layout(scene, t0 + f as f32) {
            if let Some(sprite) = sprites.get(p.slot) {
                draw(&p, sprite, size, &mut layer, Some(&mut alpha));
            }
        }
        let out = &mut canvas[f * size * size * 4..(f + 1) * size * size * 4];
        for ((px, a), dst) in layer.iter().zip(&alpha).zip(out.chunks_exact_mut(4)) {
            dst.copy_from_slice(&[to_u8(px[0]), to_u8(px[1]), to_u8(px[2]), to_u8(*a)]);
        }
    }
    canvas
}

/// Halves a square image of `channels` interleaved channels by 2×2 averaging.
pub fn half(pixels: &[u8], frames: usize, size: usize, channels: usize) -> Vec<u8> {
    let h = size / 2;
    let mut out = vec![0u8; frames * h * h * channels];
    for f in 0..frames {
        for y in 0..h {
            for x in 0..h {
                for c in 0..channels {
                    let at = |xx: usize, yy: usize| pixels[((f * size + yy) * size + xx) * channels + c] as u32;
                    let s = at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1);
                    out[((f * h + y) * h + x) * channels + c] = ((s + 2) / 4) as u8;
                }
            }
        }
    }
    out
}
