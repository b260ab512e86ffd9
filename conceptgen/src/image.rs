//! Emoji glyph → atlas cell: shaping (so ZWJ sequences such as 🐻‍❄️ find their ligature),
//! the font's PNG bitmap, a box-filtered fit into a square cell, and the atlas PNG.

use std::path::Path;

use anyhow::{Context, Result};
use rustybuzz::ttf_parser::{GlyphId, RasterImageFormat};

/// The single glyph the font draws for `emoji`, or `None` when shaping gives several
/// (the font has no ligature for that sequence) or the missing glyph.
pub fn glyph_of(face: &rustybuzz::Face, emoji: &str) -> Option<GlyphId> {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(emoji);
    let shaped = rustybuzz::shape(face, &[], buffer);
    let ids: Vec<u32> = shaped
        .glyph_infos()
        .iter()
        .map(|g| g.glyph_id)
        .filter(|&g| g != 0)
        .collect();
    let all = shaped.glyph_infos().len();
    // Variation selectors may shape to an empty (but present) glyph after the emoji.
    match ids.as_slice() {
        [g] if all <= 2 => u16::try_from(*g).ok().map(GlyphId),
        _ => None,
    }
}

/// The glyph's colour bitmap, centred in a `cell × cell` RGBA square (premultiplied box filter).
pub fn cell_of(face: &rustybuzz::Face, glyph: GlyphId, cell: usize) -> Result<Option<Vec<u8>>> {
    let Some(raster) = face.glyph_raster_image(glyph, u16::MAX) else {
        return Ok(None);
    };
    if raster.format != RasterImageFormat::PNG {
        return Ok(None);
    }
    let mut decoder = png::Decoder::new(raster.data);
    // The font stores palette bitmaps: expand them to RGB(A).
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().context("emoji bitmap header")?;
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).context("emoji bitmap")?;
    let (w, h) = (info.width as usize, info.height as usize);
    let rgba: Vec<[f32; 4]> = match info.color_type {
        png::ColorType::Rgba => buf[..w * h * 4]
            .chunks_exact(4)
            .map(|p| [p[0] as f32, p[1] as f32, p[2] as f32, p[3] as f32])
            .collect(),
        png::ColorType::Rgb => buf[..w * h * 3]
            .chunks_exact(3)
            .map(|p| [p[0] as f32, p[1] as f32, p[2] as f32, 255.0])
            .collect(),
        _ => return Ok(None),
    };
    // Fit the longer side to the cell, keep the aspect ratio, centre.
    let scale = cell as f32 / w.max(h) as f32;
    let (ow, oh) = ((w as f32 * scale).round() as usize, (h as f32 * scale).round() as usize);
    let (ox, oy) = ((cell - ow) / 2, (cell - oh) / 2);
    let mut out = vec![0u8; cell * cell * 4];
    for y in 0..oh {
        for x in 0..ow {
            let (x0, x1) = (x as f32 / scale, (x + 1) as f32 / scale);
            let (y0, y1) = (y as f32 / scale, (y + 1) as f32 / scale);
            let mut acc = [0f32; 4];
            let mut n = 0f32;
            for sy in (y0 as usize)..(y1.ceil() as usize).min(h) {
                for sx in (x0 as usize)..(x1.ceil() as usize).min(w) {
                    let p = rgba[sy * w + sx];
                    let a = p[3] / 255.0;
                    acc[0] += p[0] * a;
                    acc[1] += p[1] * a;
                    acc[2] += p[2] * a;
                    acc[3] += p[3];
                    n += 1.0;
                }
            }
            if n == 0.0 {
                continue;
            }
            let alpha = acc[3] / n;
            let o = ((oy + y) * cell + ox + x) * 4;
            if alpha > 0.0 {
                for c in 0..3 {
                    out[o + c] = (acc[c] / n / (alpha / 255.0)).round().clamp(0.0, 255.0) as u8;
                }
            }
            out[o + 3] = alpha.round().clamp(0.0, 255.0) as u8;
        }
    }
    Ok(Some(out))
}

/// Writes the cells row-major, `columns` per row, as one RGBA PNG.
pub fn write_atlas(path: &Path, cells: &[Vec<u8>], cell: usize, columns: usize) -> Result<()> {
    let rows = cells.len().div_ceil(columns);
    let (w, h) = (columns * cell, rows * cell);
    let mut pixels = vec![0u8; w * h * 4];
    for (i, c) in cells.iter().enumerate() {
        let (cx, cy) = ((i % columns) * cell, (i / columns) * cell);
        for y in 0..cell {
            let dst = ((cy + y) * w + cx) * 4;
            pixels[dst..dst + cell * 4].copy_from_slice(&c[y * cell * 4..(y + 1) * cell * 4]);
        }
    }
    let file = std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w as u32, h as u32);
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Best);
    let mut writer = enc.write_header()?;
    writer.write_image_data(&pixels)?;
    Ok(())
}
