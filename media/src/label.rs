//! Visible labels burned into pixels: "AI-generated" on posters and feed previews, and the
//! moving "reelroom · @creator" mark on downloads. A 5×7 bitmap font of our own (letters,
//! digits, `@ _ - . ·`), drawn as white text on a dark box so it reads on any frame. The clip
//! store calls it before encoding; the mark survives metadata stripping because it is pixels.

use crate::FrameMark;

/// The label every poster and preview carries.
pub const AI_LABEL: &str = "AI-generated";
/// Glyph cell, font pixels (5 wide + 1 space, 7 tall).
const GLYPH_W: usize = 5;
const GLYPH_H: usize = 7;
/// Font pixels per glyph pixel at 256 px frames (scaled with the frame).
const SCALE_AT_256: usize = 2;
/// Padding around the text, in font pixels.
const PAD: usize = 2;
/// How far the box is darkened (the frame shows through at 1 - this).
const BOX_OPACITY: f32 = 0.6;

/// Rows of a glyph, most significant of 5 bits on the left.
fn glyph(c: char) -> [u8; GLYPH_H] {
    match c.to_ascii_lowercase() {
        'a' => [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'b' => [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        'c' => [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        'd' => [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        'e' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        'f' => [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        'g' => [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        'h' => [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        'i' => [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        'j' => [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        'k' => [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        'l' => [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        'm' => [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        'n' => [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
        'o' => [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'p' => [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        'q' => [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        'r' => [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        's' => [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        't' => [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        'u' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        'v' => [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        'w' => [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        'x' => [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        'y' => [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        'z' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        '0' => [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        '1' => [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        '2' => [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        '3' => [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        '4' => [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        '5' => [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        '6' => [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        '7' => [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        '8' => [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        '9' => [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        '@' => [0x0E, 0x11, 0x17, 0x15, 0x17, 0x10, 0x0E],
        '_' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1F],
        '-' => [0x00, 0x00, 0x00, 0x0E, 0x00, 0x00, 0x00],
        '.' => [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        '·' => [0x00, 0x00, 0x00, 0x0C, 0x0C, 0x00, 0x00],
        _ => [0; GLYPH_H],
    }
}

/// Font-pixel scale for a frame `width` wide (at least 1).
fn scale_for(width: usize) -> usize {
    (width * SCALE_AT_256 / 256).max(1)
}

/// The box `text` needs on a frame `width` wide: (width, height) in frame pixels.
pub fn label_size(text: &str, width: usize) -> (usize, usize) {
    let s = scale_for(width);
    let chars = text.chars().count();
    ((chars * (GLYPH_W + 1) - 1 + 2 * PAD) * s, (GLYPH_H + 2 * PAD) * s)
}

/// Draws `text` in a darkened box whose top-left corner is at (`x`, `y`), clipped to the frame.
pub fn draw_label(rgb: &mut [u8], width: usize, height: usize, x: usize, y: usize, text: &str) {
    if rgb.len() < width * height * 3 {
        return;
    }
    let s = scale_for(width);
    let (bw, bh) = label_size(text, width);
    for py in y..(y + bh).min(height) {
        for px in x..(x + bw).min(width) {
            let i = (py * width + px) * 3;
            for c in &mut rgb[i..i + 3] {
                *c = (*c as f32 * (1.0 - BOX_OPACITY)) as u8;
            }
        }
    }
    for (n, ch) in text.chars().enumerate() {
        let rows = glyph(ch);
        let gx = x + (PAD + n * (GLYPH_W + 1)) * s;
        for (r, bits) in rows.iter().enumerate() {
            for col in 0..GLYPH_W {
                if bits & (0x10 >> col) == 0 {
                    continue;
                }
                for dy in 0..s {
                    for dx in 0..s {
                        let (px, py) = (gx + col * s + dx, y + (PAD + r) * s + dy);
                        if px < width && py < height {
                            let i = (py * width + px) * 3;
                            rgb[i..i + 3].copy_from_slice(&[255, 255, 255]);
                        }
                    }
                }
            }
        }
    }
}

/// "AI-generated" in the bottom-left corner of a frame.
pub fn draw_ai_label(rgb: &mut [u8], width: usize, height: usize) {
    let (_, bh) = label_size(AI_LABEL, width);
    let margin = scale_for(width) * PAD;
    draw_label(rgb, width, height, margin, height.saturating_sub(bh + margin), AI_LABEL);
}

/// Labels every frame "AI-generated" (feed previews), after an inner mark (the watermark).
#[derive(Debug)]
pub struct AiLabel<'a>(pub &'a dyn FrameMark);

impl FrameMark for AiLabel<'_> {
    fn mark(&self, rgb: &mut [u8], width: usize, height: usize, index: u64) {
        self.0.mark(rgb, width, height, index);
        draw_ai_label(rgb, width, height);
    }
}

/// The download mark: "reelroom · @creator" gliding around the frame (a moving mark is harder to
/// crop or paint out than a fixed corner one), plus the AI label.
#[derive(Debug)]
pub struct MovingMark<'a> {
    pub text: String,
    pub inner: &'a dyn FrameMark,
}

/// Frames for the moving mark to cross the frame once.
const MOVING_PERIOD_FRAMES: u64 = 48;

impl FrameMark for MovingMark<'_> {
    fn mark(&self, rgb: &mut [u8], width: usize, height: usize, index: u64) {
        self.inner.mark(rgb, width, height, index);
        draw_ai_label(rgb, width, height);
        let (bw, bh) = label_size(&self.text, width);
        let (free_x, free_y) = (width.saturating_sub(bw), height.saturating_sub(bh * 3));
        // A triangle wave in x and a slower one in y: the mark visits the whole frame.
        let phase = |period: u64| {
            let p = index % (2 * period);
            (if p < period { p } else { 2 * period - p }) as f32 / period as f32
        };
        let x = (phase(MOVING_PERIOD_FRAMES) * free_x as f32) as usize;
        let y = (phase(MOVING_PERIOD_FRAMES * 3) * free_y as f32) as usize;
        draw_label(rgb, width, height, x, y, &self.text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_label_is_drawn_inside_the_frame_and_readable() {
        let (w, h) = (256, 256);
        let mut frame = vec![128u8; w * h * 3];
        draw_ai_label(&mut frame, w, h);
        let white = frame.chunks(3).filter(|p| p == &[255, 255, 255]).count();
        let dark = frame.chunks(3).filter(|p| p[0] < 60).count();
        assert!(white > 200, "{white} white pixels");
        assert!(dark > white, "a dark box behind the text");
        // Nothing drawn in the top half.
        assert!(frame[..w * h / 2 * 3].iter().all(|&v| v == 128));
    }

    #[test]
    fn the_moving_mark_moves_and_odd_sizes_do_not_panic() {
        let mark = MovingMark {
            text: "reelroom · @alice".into(),
            inner: &crate::NoMark,
        };
        let draw = |i| {
            let mut f = vec![100u8; 256 * 256 * 3];
            mark.mark(&mut f, 256, 256, i);
            f
        };
        assert_ne!(draw(0), draw(20));
        for (w, h) in [(0, 0), (1, 1), (3, 500), (500, 3)] {
            let mut f = vec![0u8; w * h * 3];
            mark.mark(&mut f, w, h, 7);
            draw_label(&mut f, w, h, 1_000, 1_000, "x");
        }
        let mut short = vec![0u8; 10];
        draw_label(&mut short, 256, 256, 0, 0, "ai");
    }
}
