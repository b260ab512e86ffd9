//! Renders a [`SceneSpec`] into RGB frames (u8, frame-major, rows of RGB pixels), antialiased,
//! deterministic for a given spec and start time.

use crate::motion;
use crate::spec::{Background, BackgroundKind, CharacterLook, LookKind, ObjectSpec, Pattern, SceneSpec, Shape};
use crate::REF_SIZE;

/// RGB frames, `frames × size × size × 3` bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    pub frames: usize,
    pub size: usize,
    pub rgb: Vec<u8>,
}

impl Clip {
    pub fn frame(&self, f: usize) -> &[u8] {
        let n = self.size * self.size * 3;
        &self.rgb[f * n..(f + 1) * n]
    }

    pub fn pixel(&self, f: usize, x: usize, y: usize) -> [u8; 3] {
        let i = ((f * self.size + y) * self.size + x) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Renders `frames` frames starting at time `t0` (in frames) at `size × size`.
pub fn render_clip(scene: &SceneSpec, t0: f32, frames: usize, size: usize) -> Clip {
    let mut rgb = vec![0u8; frames * size * size * 3];
    let mut buf = vec![[0f32; 3]; size * size];
    for f in 0..frames {
        let tau = t0 + f as f32;
        draw_background(&scene.background, tau, size, &mut buf);
        for obj in &scene.objects {
            let (x, y, s) = motion::at(&obj.path, tau);
            draw_object(obj, x, y, obj.radius * s, size, &mut buf);
        }
        let out = &mut rgb[f * size * size * 3..(f + 1) * size * size * 3];
        for (px, dst) in buf.iter().zip(out.chunks_exact_mut(3)) {
            for c in 0..3 {
                dst[c] = (px[c].clamp(0.0, 1.0) * 255.0).round() as u8;
            }
        }
    }
    Clip { frames, size, rgb }
}

/// The avatar reference crop of a character: the character alone, large, on neutral grey.
pub fn render_reference(look: &CharacterLook) -> Vec<u8> {
    let size = REF_SIZE;
    let mut buf = vec![[0.5f32; 3]; size * size];
    let obj = ObjectSpec {
        shape: Shape::Character,
        colour: crate::Colour::Red,
        rgb: look.base,
        size: crate::Size::Big,
        radius: 0.42,
        pattern: Pattern::Solid,
        look: Some(*look),
        path: motion::Path::Still { x: 0.5, y: 0.5 },
    };
    draw_object(&obj, 0.5, 0.5, 0.42, size, &mut buf);
    buf.iter()
        .flat_map(|p| p.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8))
        .collect()
}

fn lerp3(a: [f32; 3], b: [f32; 3], k: f32) -> [f32; 3] {
    [
        a[0] + (b[0] - a[0]) * k,
        a[1] + (b[1] - a[1]) * k,
        a[2] + (b[2] - a[2]) * k,
    ]
}

/// Smooth value noise in [0, 1] on a lattice of `scale` cells per unit.
fn value_noise(seed: u32, x: f32, y: f32, scale: f32) -> f32 {
    let (x, y) = (x * scale, y * scale);
    let (xi, yi) = (x.floor(), y.floor());
    let (fx, fy) = (x - xi, y - yi);
    let h = |i: i32, j: i32| -> f32 {
        let mut v = (i as u32).wrapping_mul(0x27d4_eb2d) ^ (j as u32).wrapping_mul(0x1656_67b1) ^ seed;
        v ^= v >> 15;
        v = v.wrapping_mul(0x2c1b_3c6d);
        v ^= v >> 12;
        (v & 0xffff) as f32 / 65535.0
    };
    let (i, j) = (xi as i32, yi as i32);
    let sx = fx * fx * (3.0 - 2.0 * fx);
    let sy = fy * fy * (3.0 - 2.0 * fy);
    let top = h(i, j) + (h(i + 1, j) - h(i, j)) * sx;
    let bottom = h(i, j + 1) + (h(i + 1, j + 1) - h(i, j + 1)) * sx;
    top + (bottom - top) * sy
}

fn draw_background(bg: &Background, tau: f32, size: usize, buf: &mut [[f32; 3]]) {
    let [c0, c1] = bg.colours;
    let shift = bg.pan * tau;
    let horizontal = bg.seed & 1 == 1;
    for y in 0..size {
        let v = (y as f32 + 0.5) / size as f32;
        for x in 0..size {
            let u = (x as f32 + 0.5) / size as f32;
            let wu = u + shift;
            buf[y * size + x] = match bg.kind {
                BackgroundKind::Plain => c0,
                BackgroundKind::Gradient => lerp3(c0, c1, if horizontal { u } else { v }),
                BackgroundKind::Texture => {
                    let n = 0.65 * value_noise(bg.seed, wu, v, 5.0) + 0.35 * value_noise(bg.seed ^ 0x9e37, wu, v, 13.0);
                    lerp3(c0, c1, n)
                }
                BackgroundKind::Landscape => {
                    let ph = (bg.seed % 628) as f32 / 100.0;
                    let horizon = 0.55
                        + 0.07 * (wu * std::f32::consts::TAU * 1.3 + ph).sin()
                        + 0.03 * (wu * std::f32::consts::TAU * 3.7 + 2.0 * ph).sin();
                    if v < horizon {
                        // Sky: lighter towards the horizon.
                        lerp3(c0, [0.85, 0.85, 0.85], v / horizon * 0.5)
                    } else {
                        let grain = 0.08 * (value_noise(bg.seed, wu, v, 20.0) - 0.5);
                        lerp3(c1, [0.0, 0.0, 0.0], (v - horizon) * 0.6 + grain)
                    }
                }
            };
        }
    }
}

/// Signed distance (normalised units, negative inside) of a shape of radius `r` at offset (dx, dy).
fn sdf(shape: Shape, dx: f32, dy: f32, r: f32) -> f32 {
    match shape {
        Shape::Ball | Shape::Character => (dx * dx + dy * dy).sqrt() - r,
        Shape::Square => dx.abs().max(dy.abs()) - r * 0.85,
        Shape::Triangle => {
            // Equilateral, pointing up, half-side 1.05 r, centred on its centroid (exact SDF).
            let k = 3f32.sqrt();
            let h = r * 1.05;
            let (mut px, mut py) = (dx.abs() - h, -dy + h / k);
            if px + k * py > 0.0 {
                (px, py) = ((px - k * py) / 2.0, (-k * px - py) / 2.0);
            }
            px -= px.clamp(-2.0 * h, 0.0);
            -(px * px + py * py).sqrt() * py.signum()
        }
    }
}

fn surface(obj: &ObjectSpec, u: f32, v: f32) -> [f32; 3] {
    if let Some(look) = &obj.look {
        return look_colour(look, u, v);
    }
    let shade = obj.rgb.map(|c| c * 0.55);
    match obj.pattern {
        Pattern::Solid => obj.rgb,
        Pattern::Striped => {
            if ((u + v) * 2.5).rem_euclid(1.0) < 0.5 {
                obj.rgb
            } else {
                shade
            }
        }
        Pattern::Dotted => {
            let (fu, fv) = ((u * 2.5).rem_euclid(1.0) - 0.5, (v * 2.5).rem_euclid(1.0) - 0.5);
            if fu * fu + fv * fv < 0.06 {
                shade
            } else {
                obj.rgb
            }
        }
    }
}

/// Colour of a character's texture at local coordinates (u, v) ∈ [-1, 1]².
fn look_colour(look: &CharacterLook, u: f32, v: f32) -> [f32; 3] {
    let (a, b) = (look.base, look.accent);
    match look.kind {
        LookKind::Face => {
            let eye = |ex: f32| (u - ex).powi(2) + (v + 0.2).powi(2) < 0.16 * 0.16;
            if v < -0.55 {
                b
            } else if eye(-0.35) || eye(0.35) {
                [0.08, 0.08, 0.08]
            } else if (0.3..0.45).contains(&v) && u.abs() < 0.4 {
                b
            } else {
                a
            }
        }
        LookKind::Stripes => {
            if ((v + 1.0) * 2.0).rem_euclid(1.0) < 0.5 {
                a
            } else {
                b
            }
        }
        LookKind::Checker => {
            let (i, j) = (((u + 1.0) * 2.0).floor() as i32, ((v + 1.0) * 2.0).floor() as i32);
            if (i + j) % 2 == 0 {
                a
            } else {
                b
            }
        }
        LookKind::Dots => {
            let (fu, fv) = ((u * 1.5).rem_euclid(1.0) - 0.5, (v * 1.5).rem_euclid(1.0) - 0.5);
            if fu * fu + fv * fv < 0.07 {
                b
            } else {
                a
            }
        }
        LookKind::Split => {
            if u < 0.0 {
                a
            } else {
                b
            }
        }
    }
}

fn draw_object(obj: &ObjectSpec, cx: f32, cy: f32, r: f32, size: usize, buf: &mut [[f32; 3]]) {
    let n = size as f32;
    let reach = r * 1.2 + 2.0 / n;
    let x0 = (((cx - reach) * n).floor().max(0.0)) as usize;
    let x1 = (((cx + reach) * n).ceil().min(n)) as usize;
    let y0 = (((cy - reach) * n).floor().max(0.0)) as usize;
    let y1 = (((cy + reach) * n).ceil().min(n)) as usize;
    for y in y0..y1 {
        let py = (y as f32 + 0.5) / n;
        for x in x0..x1 {
            let px = (x as f32 + 0.5) / n;
            let (dx, dy) = (px - cx, py - cy);
            let d = sdf(obj.shape, dx, dy, r) * n;
            let cover = (0.5 - d).clamp(0.0, 1.0);
            if cover > 0.0 {
                let col = surface(obj, dx / r, dy / r);
                let dst = &mut buf[y * size + x];
                *dst = lerp3(*dst, col, cover);
            }
        }
    }
}
