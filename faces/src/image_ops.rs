//! Small RGB8 image operations on plain buffers: sampling, square crops, luma, PNG encoding.
//! Coordinates outside the image are clamped to its border (edge pixels repeat).

use crate::Frame;

/// BT.601 luma of one RGB pixel, 0–255.
pub(crate) fn luma(r: u8, g: u8, b: u8) -> f32 {
    0.299 * r as f32 + 0.587 * g as f32 + 0.114 * b as f32
}

/// Bilinear sample of channel values at (x, y) in pixel-centre coordinates.
pub(crate) fn sample(rgb: &[u8], width: u32, height: u32, x: f32, y: f32) -> [f32; 3] {
    let (w, h) = (width as i64, height as i64);
    let fx = x - 0.5;
    let fy = y - 0.5;
    let x0 = fx.floor();
    let y0 = fy.floor();
    let ax = fx - x0;
    let ay = fy - y0;
    let px = |xi: i64, yi: i64| {
        let xi = xi.clamp(0, w - 1) as usize;
        let yi = yi.clamp(0, h - 1) as usize;
        let i = (yi * width as usize + xi) * 3;
        [rgb[i] as f32, rgb[i + 1] as f32, rgb[i + 2] as f32]
    };
    let (x0, y0) = (x0 as i64, y0 as i64);
    let a = px(x0, y0);
    let b = px(x0 + 1, y0);
    let c = px(x0, y0 + 1);
    let d = px(x0 + 1, y0 + 1);
    let mut out = [0.0; 3];
    for k in 0..3 {
        let top = a[k] + (b[k] - a[k]) * ax;
        let bottom = c[k] + (d[k] - c[k]) * ax;
        out[k] = top + (bottom - top) * ay;
    }
    out
}

/// A `size`² RGB8 crop of the square centred on (cx, cy) with side `side` frame pixels.
/// Each output pixel averages a grid of bilinear samples, so strong reductions do not alias.
pub(crate) fn crop_square(frame: &Frame, cx: f32, cy: f32, side: f32, size: u32) -> Vec<u8> {
    let step = side / size as f32;
    let taps = (step.ceil() as u32).clamp(1, 8);
    let mut out = Vec::with_capacity((size * size * 3) as usize);
    let x0 = cx - side / 2.0;
    let y0 = cy - side / 2.0;
    for oy in 0..size {
        for ox in 0..size {
            let mut acc = [0.0f32; 3];
            for ty in 0..taps {
                for tx in 0..taps {
                    let x = x0 + (ox as f32 + (tx as f32 + 0.5) / taps as f32) * step;
                    let y = y0 + (oy as f32 + (ty as f32 + 0.5) / taps as f32) * step;
                    let p = sample(frame.rgb, frame.width, frame.height, x, y);
                    for k in 0..3 {
                        acc[k] += p[k];
                    }
                }
            }
            let n = (taps * taps) as f32;
            out.extend(acc.iter().map(|v| (v / n).round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// Luma of a `size`² crop (as [`crop_square`]), row-major.
pub(crate) fn luma_crop(frame: &Frame, cx: f32, cy: f32, side: f32, size: u32) -> Vec<f32> {
    crop_square(frame, cx, cy, side, size)
        .chunks_exact(3)
        .map(|p| luma(p[0], p[1], p[2]))
        .collect()
}

/// PNG encoding of a `size`² RGB8 image.
pub(crate) fn encode_png(rgb: &[u8], size: u32) -> Vec<u8> {
    use image::ImageEncoder;
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    // Writing to a Vec only fails on a size mismatch, which `crop_square` rules out.
    if encoder.write_image(rgb, size, size, image::ColorType::Rgb8).is_err() {
        out.clear();
    }
    out
}
